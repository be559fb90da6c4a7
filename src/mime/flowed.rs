//! `format=flowed` text (RFC 3676): soft line breaks joined back into paragraphs, and the
//! paragraphs wrapped again at the width the text is shown at.

use crate::width::{LongWords, wrap};

/// A paragraph being joined: its quote depth, its text, whether it had a soft break.
struct Para {
    depth: usize,
    text: String,
    flowed: bool,
}

/// Reflows `text` (a text/plain part with `format=flowed`) to `width` columns. With
/// `delsp`, the space that marks a soft break is not part of the text. Quoted lines keep
/// their depth as `>`s and one space, also where a paragraph wraps; a paragraph never
/// spans two depths. Lines that were not flowed stay as they are, and no word is cut.
pub fn reflow(text: &str, delsp: bool, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<Para> = None;
    let (body, ends_in_newline) = match text.strip_suffix('\n') {
        Some(body) => (body, true),
        None => (text, false),
    };
    for raw in body.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let depth = line.bytes().take_while(|b| *b == b'>').count();
        let mut content = &line[depth..];
        // space-stuffing (a line that starts with a space, "From " or ">")
        content = content.strip_prefix(' ').unwrap_or(content);
        // the signature separator is never flowed
        let soft = content.ends_with(' ') && content != "-- ";
        if open.as_ref().is_some_and(|p| p.depth != depth) {
            // a change of depth ends the paragraph (a mistake of the sender's)
            finish(&mut out, open.take(), width);
        }
        let piece = if soft && delsp { &content[..content.len() - 1] } else { content };
        match &mut open {
            Some(p) => p.text.push_str(piece),
            None => open = Some(Para { depth, text: piece.to_string(), flowed: soft }),
        }
        if !soft {
            finish(&mut out, open.take(), width);
        }
    }
    finish(&mut out, open.take(), width);
    if !ends_in_newline {
        out.pop();
    }
    out
}

fn finish(out: &mut String, para: Option<Para>, width: usize) {
    let Some(p) = para else { return };
    let mut prefix = ">".repeat(p.depth);
    if p.depth > 0 && !p.text.is_empty() {
        prefix.push(' ');
    }
    let line = format!("{prefix}{}", p.text);
    if !p.flowed {
        out.push_str(&line);
        out.push('\n');
        return;
    }
    for l in wrap(line.trim_end(), width, &prefix, LongWords::Keep) {
        out.push_str(&l);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::reflow;

    fn unflow(text: &str, delsp: bool) -> String {
        reflow(text, delsp, 1000)
    }

    #[test]
    fn soft_breaks_join_and_hard_breaks_stay() {
        let text = "This is a long \r\nparagraph that \r\nflows.\r\nA fixed line.\r\n\r\n-- \r\nRobin\r\n";
        assert_eq!(unflow(text, false), "This is a long paragraph that flows.\nA fixed line.\n\n-- \nRobin\n");
    }

    #[test]
    fn delsp_removes_the_marking_space() {
        assert_eq!(unflow("Donau\r\ndampf\r\nschiff", false), "Donau\ndampf\nschiff");
        assert_eq!(unflow("Donau \r\ndampf \r\nschiff\r\n", true), "Donaudampfschiff\n");
    }

    #[test]
    fn quotes_keep_their_depth_and_stuffing_goes() {
        let text = ">> deep \r\n>> quote\r\n> shallow \r\n> one\r\n  stuffed\r\n>\r\nafter\r\n";
        assert_eq!(unflow(text, false), ">> deep quote\n> shallow one\n stuffed\n>\nafter\n");
        // a soft break before a change of depth does not join the two
        assert_eq!(unflow("> quoted \r\nmine\r\n", false), "> quoted\nmine\n");
    }

    #[test]
    fn paragraphs_wrap_at_the_width_with_their_quote() {
        let text = ">> a b c d e f g h \r\n>> i j\r\nfixed line that is long\r\n";
        assert_eq!(reflow(text, false, 10), ">> a b c d\n>> e f g h\n>> i j\nfixed line that is long\n");
    }
}
