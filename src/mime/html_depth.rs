//! Caps how deep HTML elements nest before the HTML parser sees them. html5ever's work per
//! tag grows with the number of open elements (10,000 nested `<div>`s took seconds in a
//! debug build, 100,000 took minutes), so tags opened past `MAX_DEPTH` are dropped, their
//! text kept.
//!
//! The depth is over-estimated, never under: an element counts as closed only when its end
//! tag arrives while it is the innermost counted element. Elements whose end tag is
//! optional (`p`, `li`, `td`, ...) cannot nest without a counted element between them, so
//! they are not counted; void elements and raw-text elements (`script`, `style`, ...) hold
//! no children.

use std::borrow::Cow;

/// Sloppy HTML over-counts (unclosed `<font>`s); real mail stays far below this.
pub const MAX_DEPTH: usize = 512;

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link",
    "meta", "param", "source", "track", "wbr",
];
const OPTIONAL_END: &[&str] = &[
    "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p", "rb", "rp", "rt",
    "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];
const RAW_TEXT: &[&str] =
    &["iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"];

/// `html` with the tags opened past `MAX_DEPTH` (and their end tags) removed.
pub fn flatten(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut open: Vec<(String, bool)> = Vec::new(); // (name, kept)
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `html` before this index are in `out` (or need not be)
    let mut i = 0;
    while let Some(lt) = b[i..].iter().position(|&c| c == b'<').map(|p| p + i) {
        let Some(tag) = scan_tag(b, lt) else {
            i = lt + 1;
            continue;
        };
        let mut drop = false;
        match &tag.kind {
            Kind::Skip => {}
            Kind::Open(name) => {
                let n = name.as_str();
                if RAW_TEXT.contains(&n) {
                    let end = raw_text_end(b, tag.end, n);
                    i = end;
                    continue;
                }
                if !VOID.contains(&n) && !OPTIONAL_END.contains(&n) {
                    let kept = open.len() < MAX_DEPTH;
                    open.push((name.clone(), kept));
                    drop = !kept;
                }
            }
            Kind::Close(name) => {
                if open.last().is_some_and(|(top, _)| top == name) {
                    let (_, kept) = open.pop().unwrap_or_default();
                    drop = !kept;
                }
            }
        }
        if drop {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..lt]);
            copied = tag.end;
        }
        i = tag.end;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
    }
}

enum Kind {
    /// A comment, doctype or processing instruction.
    Skip,
    Open(String),
    Close(String),
}

struct Tag {
    kind: Kind,
    /// The index just past the tag's `>`.
    end: usize,
}

/// The tag starting at `b[lt] == b'<'`, or None when this `<` is text.
fn scan_tag(b: &[u8], lt: usize) -> Option<Tag> {
    let rest = &b[lt + 1..];
    if rest.starts_with(b"!--") {
        let end = find(b, lt + 4, b"-->").map_or(b.len(), |p| p + 3);
        return Some(Tag { kind: Kind::Skip, end });
    }
    if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
        let end = find(b, lt + 1, b">").map_or(b.len(), |p| p + 1);
        return Some(Tag { kind: Kind::Skip, end });
    }
    let (close, start) = if rest.first() == Some(&b'/') { (true, lt + 2) } else { (false, lt + 1) };
    if !b.get(start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let name_end = b[start..]
        .iter()
        .position(|c| c.is_ascii_whitespace() || *c == b'/' || *c == b'>')
        .map_or(b.len(), |p| p + start);
    let name = String::from_utf8_lossy(&b[start..name_end]).to_ascii_lowercase();
    // attributes up to the `>`, a quoted value may hold one
    let mut quote = None;
    let mut j = name_end;
    while j < b.len() {
        match (quote, b[j]) {
            (None, b'>') => break,
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        j += 1;
    }
    let end = (j + 1).min(b.len());
    Some(Tag { kind: if close { Kind::Close(name) } else { Kind::Open(name) }, end })
}

/// The index just past `</name ...>` after a raw-text element's start tag, or the end.
fn raw_text_end(b: &[u8], from: usize, name: &str) -> usize {
    let mut i = from;
    while let Some(p) = find(b, i, b"</") {
        let after = p + 2;
        if b.len() >= after + name.len() && b[after..after + name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return find(b, after, b">").map_or(b.len(), |q| q + 1);
        }
        i = after;
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, flatten};

    #[test]
    fn ordinary_html_is_untouched() {
        let html = "<html><body><table><tr><td><p>a<br>b<li>c<div class=\"x>y\">d</div><script>if (a<b) {}\
                    </script><!-- <div> --></table></body></html>";
        assert!(matches!(flatten(html), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn tags_past_the_limit_go_and_their_text_stays() {
        let deep = 100_000;
        let html = format!("{}x{}", "<div>".repeat(deep), "</div>".repeat(deep));
        let flat = flatten(&html);
        assert_eq!(flat.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(flat.matches("</div>").count(), MAX_DEPTH);
        assert!(flat.contains('x'));
        // end tags that close nothing counted cannot lower the count
        let trick = "<div><span></b></i></div>".repeat(2 * MAX_DEPTH);
        assert!(flatten(&trick).matches("<div>").count() <= MAX_DEPTH);
        // nor can "self-closing" non-void tags, which HTML leaves open
        let trick = "<div/>".repeat(2 * MAX_DEPTH);
        assert_eq!(flatten(&trick).matches("<div/>").count(), MAX_DEPTH);
    }
}
