//! Display widths and line breaking, per grapheme cluster as a terminal draws text: CJK and
//! emoji take two columns, and so does a whole emoji ZWJ sequence or an emoji with a
//! skin-tone modifier. Shared by the reader's wrapping and the reflowing of flowed text.

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns between tab stops.
const TAB: usize = 8;

/// The columns one grapheme cluster takes (what ratatui gives it in its buffer).
pub fn grapheme_width(g: &str) -> usize {
    if g.len() == 1 { usize::from(!g.as_bytes()[0].is_ascii_control()) } else { g.width() }
}

/// The columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// One grapheme of a line being wrapped, with what the caller tags it with (a style).
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a, T> {
    pub text: &'a str,
    pub width: usize,
    pub tag: T,
}

impl<T> Cell<'_, T> {
    fn is_space(&self) -> bool {
        self.text == " "
    }
}

/// Appends the graphemes of `text` to `out`, tabs as spaces to the next stop; `col` is the
/// column the text starts at, and is moved past it.
pub fn push_cells<'a, T: Copy>(out: &mut Vec<Cell<'a, T>>, text: &'a str, tag: T, col: &mut usize) {
    for g in text.graphemes(true) {
        if g == "\t" {
            let n = TAB - *col % TAB;
            out.extend(std::iter::repeat_n(Cell { text: " ", width: 1, tag }, n));
            *col += n;
        } else {
            let width = grapheme_width(g);
            out.push(Cell { text: g, width, tag });
            *col += width;
        }
    }
}

/// How a word longer than a line is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LongWords {
    /// Cut where the line ends (on screen, where nothing may stick out).
    Cut,
    /// Kept whole on a line of its own (a URL in text that is written out again).
    Keep,
}

/// Breaks `cells` into lines of `width` columns, at spaces; lines after the first have
/// `indent` columns less. Returns each line's cells (the spaces a line breaks at belong
/// to none). An empty text is one empty line.
pub fn break_lines<T>(cells: &[Cell<'_, T>], width: usize, indent: usize, long: LongWords) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < cells.len() || lines.is_empty() {
        let room = if lines.is_empty() { width } else { width.saturating_sub(indent) }.max(1);
        let (end, next) = break_at(&cells[start..], room, long);
        lines.push(start..start + end);
        start += next;
    }
    lines
}

/// Where the first line of `cells` ends within `room` columns, and where the next starts
/// (after the spaces the break is at).
fn break_at<T>(cells: &[Cell<'_, T>], room: usize, long: LongWords) -> (usize, usize) {
    let mut used = 0;
    let mut last_space = None;
    for (i, c) in cells.iter().enumerate() {
        if used + c.width > room {
            if c.is_space() {
                return (i, skip_spaces(cells, i));
            }
            return match last_space {
                Some(s) if s > 0 => (s, skip_spaces(cells, s)),
                // a word longer than the line, or a wide character at the edge
                _ if long == LongWords::Cut => (i.max(1), i.max(1)),
                _ => {
                    let end = cells[i..].iter().position(Cell::is_space).map_or(cells.len(), |n| i + n);
                    (end, skip_spaces(cells, end))
                }
            };
        }
        if c.is_space() {
            last_space = Some(i);
        }
        used += c.width;
    }
    (cells.len(), cells.len())
}

fn skip_spaces<T>(cells: &[Cell<'_, T>], mut i: usize) -> usize {
    while cells.get(i).is_some_and(Cell::is_space) {
        i += 1;
    }
    i
}

/// Wraps plain text to `width` columns; lines after the first start with `continuation`.
pub fn wrap(text: &str, width: usize, continuation: &str, long: LongWords) -> Vec<String> {
    let mut cells = Vec::new();
    push_cells(&mut cells, text, (), &mut 0);
    let indent = self::width(continuation);
    let continuation = if indent + 1 < width { continuation } else { "" };
    break_lines(&cells, width, self::width(continuation), long)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let body: String = cells[r].iter().map(|c| c.text).collect();
            if i == 0 { body } else { format!("{continuation}{body}") }
        })
        .collect()
}

/// Cuts or pads `s` to exactly `width` columns; a cut ends in `…`.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(width);
    let mut used = 0;
    let total = self::width(s);
    if total <= width {
        out.push_str(s);
        used = total;
    } else if width > 0 {
        for g in s.graphemes(true) {
            let w = grapheme_width(g);
            if used + w > width - 1 {
                break;
            }
            out.push_str(g);
            used += w;
        }
        out.push('…');
        used += 1;
    }
    while used < width {
        out.push(' ');
        used += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::LongWords::{Cut, Keep};
    use super::{width, wrap};

    #[test]
    fn clusters_take_their_drawn_width() {
        assert_eq!(width("👩\u{200D}👩\u{200D}👧"), 2);
        assert_eq!(width("👍\u{1F3FD}"), 2);
        assert_eq!(width("🇩🇪"), 2);
        assert_eq!(width("日本"), 4);
    }

    #[test]
    fn wraps_at_spaces_and_continues_quotes() {
        assert_eq!(wrap("> one two three four", 10, "> ", Cut), ["> one two", "> three", "> four"]);
        assert_eq!(wrap("abcdefghij", 4, "", Cut), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4, "", Cut), [""]);
        assert_eq!(wrap("a\tb", 20, "", Cut), ["a       b"]);
        assert_eq!(wrap("日本語", 5, "", Cut), ["日本", "語"]);
        // a continuation that leaves no room is left out
        assert_eq!(wrap(">>>> abc", 5, ">>>> ", Cut), [">>>>", "abc"]);
        // a long word is kept whole when asked
        assert_eq!(
            wrap("see https://x.example/long/path ok", 10, "", Keep),
            ["see", "https://x.example/long/path", "ok"]
        );
    }
}
