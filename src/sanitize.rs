//! Makes untrusted text safe for a terminal: no control sequences, no hidden bidi tricks,
//! and in one-line fields no invisible characters.
//!
//! Every string from a message or a server (subject, names, body, file and folder names)
//! passes through here before it is drawn or printed, so mail cannot set the window title,
//! clear the screen, move the cursor, plant a hyperlink or reorder text unseen, nor hide a
//! character in a sender or a subject ("pay\u{200B}pal" shows as `pay<ZWSP>pal`).

/// How a bidi control character is shown: its name in angle brackets.
fn bidi_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LRE",
        '\u{202B}' => "RLE",
        '\u{202C}' => "PDF",
        '\u{202D}' => "LRO",
        '\u{202E}' => "RLO",
        '\u{2066}' => "LRI",
        '\u{2067}' => "RLI",
        '\u{2068}' => "FSI",
        '\u{2069}' => "PDI",
        '\u{061C}' => "ALM",
        _ => return None,
    })
}

/// How an invisible character is shown in a one-line field. Bodies keep them: mail pads
/// its text with them, and they hide nothing there that a reader relies on.
fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200B}' => "ZWSP",
        '\u{200C}' => "ZWNJ",
        '\u{200D}' => "ZWJ",
        '\u{2060}' => "WJ",
        '\u{FEFF}' => "BOM",
        '\u{200E}' => "LRM",
        '\u{200F}' => "RLM",
        _ => return None,
    })
}

/// Whether a joiner (ZWJ, ZWNJ) between `before` and `after` is part of the writing: in an
/// emoji sequence or a script that uses them (Persian, the Indic scripts), never next to
/// ASCII or a space, where it only hides a break inside a word.
fn joins_text(before: Option<char>, after: Option<char>) -> bool {
    let part = |c: Option<char>| c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace() && invisible_name(c).is_none());
    part(before) && part(after)
}

/// Appends the visible form of `c` when it is unsafe; returns false when `c` is harmless.
fn push_visible(out: &mut String, c: char) -> bool {
    match c {
        // C0 controls: show the Unicode control picture (ESC becomes ␛).
        '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
        '\u{7F}' => out.push('\u{2421}'),
        // C1 controls (CSI, OSC, ... as single bytes): a replacement character.
        '\u{80}'..='\u{9F}' => out.push('\u{FFFD}'),
        _ => match bidi_name(c) {
            Some(name) => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
            None => return false,
        },
    }
    true
}

/// Sanitises a one-line field (subject, name, folder or file name): every control is made
/// visible, and newlines and tabs fold into spaces.
pub fn line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut before = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            '\u{200C}' | '\u{200D}' if joins_text(before, chars.peek().copied()) => out.push(c),
            _ => match invisible_name(c) {
                Some(name) => {
                    out.push('<');
                    out.push_str(name);
                    out.push('>');
                }
                None => {
                    if !push_visible(&mut out, c) {
                        out.push(c)
                    }
                }
            },
        }
        before = Some(c);
    }
    out
}

/// Sanitises a body of text: newlines and tabs stay, CRLF becomes LF, every other control
/// is made visible.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => {}
            _ => {
                if !push_visible(&mut out, c) {
                    out.push(c)
                }
            }
        }
    }
    out
}

/// True when the text contains nothing that `text` would change (apart from CR).
pub fn is_clean(s: &str) -> bool {
    s.chars().all(|c| c == '\n' || c == '\t' || c == '\r' || !(c.is_control() || bidi_name(c).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b]8;;http://evil/\x1b\\click\x1b]8;;\x1b\\";
        let s = text(hostile);
        assert!(!s.contains('\x1b') && !s.contains('\x07'), "{s:?}");
        assert!(s.contains('\u{241B}'));
        assert!(is_clean(&s));
    }

    #[test]
    fn c1_and_del_are_replaced() {
        let s = line("a\u{9b}31mb\u{7f}c\u{9d}");
        assert_eq!(s, "a\u{FFFD}31mb\u{2421}c\u{FFFD}");
    }

    #[test]
    fn bidi_overrides_are_named() {
        assert_eq!(line("invoice\u{202E}fdp.exe"), "invoice<RLO>fdp.exe");
        assert_eq!(line("\u{2066}x\u{2069}"), "<LRI>x<PDI>");
    }

    #[test]
    fn invisible_characters_are_named_in_one_line_fields() {
        assert_eq!(line("pay\u{200B}pal"), "pay<ZWSP>pal");
        assert_eq!(line("a\u{200C}b\u{200D}c\u{2060}d\u{FEFF}e"), "a<ZWNJ>b<ZWJ>c<WJ>d<BOM>e");
        assert_eq!(line("\u{200E}admin\u{200F}"), "<LRM>admin<RLM>");
        assert_eq!(line("\u{200D}x"), "<ZWJ>x", "at the start");
        assert_eq!(line("x \u{200C}y"), "x <ZWNJ>y", "after a space");
        // joiners that are part of the writing stay
        assert_eq!(line("👨\u{200D}👩\u{200D}👧"), "👨\u{200D}👩\u{200D}👧");
        assert_eq!(line("می\u{200C}خواهم"), "می\u{200C}خواهم");
        // a body keeps them (newsletters pad their preview text with them)
        assert_eq!(text("a\u{200C}\u{200B}b"), "a\u{200C}\u{200B}b");
    }

    #[test]
    fn text_keeps_newlines_and_tabs_and_drops_cr() {
        assert_eq!(text("a\r\nb\tc\n"), "a\nb\tc\n");
        assert_eq!(line("a\r\nb\tc"), "a  b c");
    }

    #[test]
    fn ordinary_unicode_is_untouched() {
        let s = "Grüße — 日本語のメール 🎉👨‍👩‍👧";
        assert_eq!(line(s), s);
        assert_eq!(text(s), s);
    }
}
