//! Bounds how deep messages nest inside a message before mail-parser sees it. mail-parser
//! parses multiparts with a stack of its own, but a `message/rfc822` part becomes a nested
//! `Message`, and dropping 10,000 of them inside one another overflows a 2 MiB stack.
//!
//! Past the first `MAX_NESTED` places where a part could hold a message (a `message/...`
//! type, or a `multipart/digest` whose parts are messages by default), the type is renamed
//! in a copy, byte for byte the same length (`message` → `mezzage`, `digest` → `mixed `),
//! so those parts stay plain attachments and every offset into the message still holds.

use std::borrow::Cow;

/// Far more attached messages than real mail has inside one another.
pub const MAX_NESTED: usize = 64;

/// The message, with the types past the first `MAX_NESTED` that nest messages renamed.
pub fn bound(raw: &[u8]) -> Cow<'_, [u8]> {
    let places = nesting_places(raw);
    if places.len() <= MAX_NESTED {
        return Cow::Borrowed(raw);
    }
    let mut copy = raw.to_vec();
    for (at, renamed) in places.into_iter().skip(MAX_NESTED) {
        copy[at..at + renamed.len()].copy_from_slice(renamed);
    }
    Cow::Owned(copy)
}

/// Where a type that nests messages starts, with what to write over it.
fn nesting_places(raw: &[u8]) -> Vec<(usize, &'static [u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 7 <= raw.len() {
        let w = &raw[i..];
        if w[..7].eq_ignore_ascii_case(b"message") && slash_after(w, 7).is_some() {
            out.push((i, &b"mezzage"[..]));
            i += 7;
        } else if w.len() >= 9
            && w[..9].eq_ignore_ascii_case(b"multipart")
            && let Some(sub) = slash_after(w, 9)
            && w.len() >= sub + 6
            && w[sub..sub + 6].eq_ignore_ascii_case(b"digest")
        {
            out.push((i + sub, &b"mixed "[..]));
            i += sub + 6;
        } else {
            i += 1;
        }
    }
    out
}

/// The index after `/` (and any spaces around it) following `w[..from]`, if one follows.
fn slash_after(w: &[u8], from: usize) -> Option<usize> {
    let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut j = from;
    while w.get(j).is_some_and(blank) {
        j += 1;
    }
    if w.get(j) != Some(&b'/') {
        return None;
    }
    j += 1;
    while w.get(j).is_some_and(blank) {
        j += 1;
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTED, bound};

    #[test]
    fn ordinary_messages_are_untouched() {
        let m = b"Content-Type: message/rfc822\r\n\r\nContent-Type: multipart/digest; boundary=x\r\n";
        assert!(matches!(bound(m), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn types_past_the_limit_are_renamed_in_place() {
        let one = "Content-Type: Message / RFC822\r\nContent-Type: multipart/Digest; boundary=b\r\n";
        let m = one.repeat(MAX_NESTED);
        let out = bound(m.as_bytes());
        assert_eq!(out.len(), m.len());
        let text = String::from_utf8_lossy(&out);
        assert_eq!(text.matches("Message / RFC822").count(), MAX_NESTED / 2);
        assert_eq!(text.matches("mezzage / RFC822").count(), MAX_NESTED / 2);
        assert_eq!(text.matches("multipart/mixed ").count(), MAX_NESTED / 2);
    }
}
