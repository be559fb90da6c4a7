//! The built-in editor's rules over its text area: the labels of the header fields
//! (`To: `) cannot be typed into or deleted, the blank line between the headers and the
//! body stays (with a body line below it), and the cursor never rests on either: moving
//! onto a header line puts it after the label, and down from the last header goes to the
//! body's start.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

/// The fields whose labels the template writes, and the editor keeps.
const FIELDS: [&str; 5] = ["From", "To", "Cc", "Bcc", "Subject"];

/// The text being written, and where its separator is.
#[derive(Debug, Clone)]
pub struct Editor {
    pub area: TextArea<'static>,
    /// The row of the blank line between the headers and the body (none when the user's
    /// own text, kept with a mistake, has none).
    pub separator: Option<usize>,
}

impl Editor {
    /// An editor on `text`, with a body line below the separator even when the body is empty.
    pub fn new(text: &str) -> Editor {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let separator = lines.iter().position(|l| l.trim().is_empty());
        if separator.is_some_and(|s| s + 1 == lines.len()) {
            lines.push(String::new());
        }
        Editor { area: TextArea::new(lines), separator }
    }

    /// The text as the message is read from: blank lines the user left among the headers
    /// (an Enter at the end of one) are not a separator.
    pub fn text(&self) -> String {
        let lines = self.area.lines();
        let Some(s) = self.separator else { return lines.join("\n") };
        let headers = lines[..s].iter().filter(|l| !l.trim().is_empty());
        headers.chain(&lines[s..]).cloned().collect::<Vec<_>>().join("\n")
    }

    /// The row of line `n` (from 0) of `text()`.
    pub fn row_of(&self, n: usize) -> usize {
        let s = self.separator.unwrap_or(0);
        let lines = self.area.lines();
        (0..lines.len()).filter(|&r| r >= s || !lines[r].trim().is_empty()).nth(n).unwrap_or(n)
    }

    /// Puts the cursor at (row, col), then where it may rest.
    pub fn jump(&mut self, row: usize, col: usize) {
        let before = self.area.cursor();
        self.area.move_cursor(CursorMove::Jump(clamp16(row), clamp16(col)));
        self.settle((before.0, before.1), false);
    }

    /// A key for the text: an edit that would take a label or the separator away is undone
    /// whole. True when the text changed.
    pub fn key(&mut self, k: KeyEvent) -> bool {
        let before = (self.area.cursor().0, self.area.cursor().1);
        let rows = self.area.lines().len();
        let history = is_history(k);
        // only an edit at the headers, the separator or the body's first line, a selection
        // or an undo can touch what is kept; the rest needs no copy to go back to
        let risky = self.separator.is_some_and(|s| before.0 <= s + 1) || self.area.is_selecting() || history;
        let saved = risky.then(|| self.area.clone());
        let changed = self.area.input(k);
        if changed && let Some(saved) = saved {
            let separator = if history {
                self.area.lines().iter().position(|l| l.trim().is_empty())
            } else {
                let delta = self.area.lines().len() as isize - rows as isize;
                self.separator.map(|s| if before.0 < s { s.saturating_add_signed(delta) } else { s })
            };
            if !keeps(self.area.lines(), separator, &labels(saved.lines(), self.separator)) {
                self.area = saved;
                return false;
            }
            self.separator = separator;
        }
        self.settle(before, matches!(k.code, KeyCode::Left) || is_ctrl(k, 'b'));
        changed
    }

    /// Moves the cursor off the separator (on down the body's start; on up the last header)
    /// and out of a label (after it; leftwards, to the end of the line above).
    fn settle(&mut self, before: (usize, usize), leftwards: bool) {
        let Some(s) = self.separator else { return };
        let (row, col) = (self.area.cursor().0, self.area.cursor().1);
        let len = |area: &TextArea<'_>, r: usize| area.lines().get(r).map_or(0, |l| l.chars().count());
        if row == s {
            let (r, c) = if before.0 < s || s == 0 {
                (s + 1, 0)
            } else if leftwards {
                (s - 1, len(&self.area, s - 1))
            } else {
                (s - 1, before.1.min(len(&self.area, s - 1)))
            };
            self.area.move_cursor(CursorMove::Jump(clamp16(r), clamp16(c)));
            return self.settle((r, c), false);
        }
        if row < s
            && let Some(l) = self.area.lines().get(row).and_then(|line| label_len(line))
            && col < l
        {
            let (r, c) =
                if leftwards && before == (row, l) && row > 0 { (row - 1, len(&self.area, row - 1)) } else { (row, l) };
            self.area.move_cursor(CursorMove::Jump(clamp16(r), clamp16(c)));
            if r != row {
                self.settle((row, l), false);
            }
        }
    }
}

fn clamp16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn is_ctrl(k: KeyEvent, c: char) -> bool {
    k.code == KeyCode::Char(c) && k.modifiers.contains(KeyModifiers::CONTROL)
}

/// The text area's undo and redo keys (Ctrl-U, Ctrl-R): they may move any line.
fn is_history(k: KeyEvent) -> bool {
    is_ctrl(k, 'u') || is_ctrl(k, 'r')
}

/// The length (in characters) of a field's label at the start of a header line: `To: `.
fn label_len(line: &str) -> Option<usize> {
    let (name, rest) = line.split_once(':')?;
    FIELDS
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
        .then(|| name.chars().count() + 1 + usize::from(rest.starts_with(' ')))
}

/// The labels of the header lines, in order.
fn labels(lines: &[String], separator: Option<usize>) -> Vec<String> {
    let Some(s) = separator else { return Vec::new() };
    lines[..s.min(lines.len())].iter().filter_map(|l| label_len(l).map(|n| l.chars().take(n).collect())).collect()
}

/// Whether an edit kept the separator (blank, with a line below it) and every label.
fn keeps(lines: &[String], separator: Option<usize>, before: &[String]) -> bool {
    let Some(s) = separator else { return before.is_empty() };
    let blank = lines.get(s).is_some_and(|l| l.trim().is_empty());
    let mut now = labels(lines, separator).into_iter();
    // the same labels in the same order (a header line the user adds may bring one more)
    blank && lines.len() > s + 1 && before.iter().all(|b| now.any(|n| &n == b))
}
