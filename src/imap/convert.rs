//! Turns an IMAP FETCH response (ENVELOPE, BODYSTRUCTURE, ...) into a stored summary.

use crate::model::{Flags, NewMessage};
use crate::sanitize;
use async_imap::imap_proto::{Address, BodyStructure};
use async_imap::types::{Fetch, Flag};
use mail_parser::MessageParser;

/// Decodes an ENVELOPE string (RFC 2047 encoded words, or raw 8-bit) into text. The
/// common case, plain UTF-8 without encoded words, needs no parser.
fn decode_text(raw: &[u8]) -> String {
    let encoded = raw.windows(2).any(|w| w == b"=?");
    if !encoded && let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    let mut h = Vec::with_capacity(raw.len() + 16);
    h.extend_from_slice(b"Subject: ");
    h.extend(raw.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
    h.extend_from_slice(b"\r\n\r\n");
    MessageParser::default()
        .parse_headers(&h)
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned())
}

/// The hosts servers put in an ENVELOPE for an address that had none (`To: me`):
/// Dovecot's, and the c-client servers' (UW, Panda).
const NO_HOST: [&[u8]; 2] = [b"MISSING_DOMAIN", b".MISSING-HOST-NAME."];

/// `mailbox@host`, or the mailbox alone when the message gave no host.
fn addr_spec(a: &Address<'_>) -> Option<String> {
    let (mailbox, host) = (a.mailbox.as_deref()?, a.host.as_deref()?);
    let mailbox = String::from_utf8_lossy(mailbox);
    if NO_HOST.contains(&host) || host.is_empty() {
        return Some(mailbox.into_owned());
    }
    Some(format!("{mailbox}@{}", String::from_utf8_lossy(host)))
}

/// `Name <addr>, ...` of an ENVELOPE address list (group markers skipped), sanitised.
fn address_list(list: Option<&Vec<Address<'_>>>) -> String {
    let Some(list) = list else {
        return String::new();
    };
    let parts: Vec<String> = list
        .iter()
        .filter_map(|a| {
            let spec = addr_spec(a)?;
            Some(match a.name.as_deref().map(decode_text).filter(|n| !n.trim().is_empty()) {
                Some(name) => format!("{name} <{spec}>"),
                None => spec,
            })
        })
        .collect();
    sanitize::line(&parts.join(", "))
}

fn parse_date(raw: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(text) {
        return Some(d.timestamp());
    }
    // obsolete or sloppy forms: let mail-parser try
    let h = format!("Date: {text}\r\n\r\n");
    MessageParser::default().parse_headers(h.as_bytes())?.date().map(|d| d.to_timestamp())
}

/// A message id without its angle brackets, as mail-parser gives it for whole messages.
fn message_id(raw: &[u8]) -> Option<String> {
    let t = String::from_utf8_lossy(raw);
    let id = t.split_whitespace().next()?.trim_start_matches('<').trim_end_matches('>');
    (!id.is_empty()).then(|| sanitize::line(id))
}

/// The value of the `References:` field among fetched header fields, unfolded: `<a> <b>`.
fn references(header: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(header);
    let mut value: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = value.as_mut() {
                v.push(' ');
                v.push_str(line);
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((name, rest)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("references")
        {
            value = Some(rest.to_string());
        }
    }
    let value = value?;
    let ids: Vec<&str> = value.split_whitespace().collect();
    (!ids.is_empty()).then(|| sanitize::line(&ids.join(" ")))
}

/// True when a body structure holds a part that is an attachment. It walks the tree with a
/// stack of its own, so a structure of any depth cannot overflow the thread's stack.
pub fn has_attachment(bs: &BodyStructure<'_>) -> bool {
    let is_attachment_disposition = |c: &async_imap::imap_proto::BodyContentCommon<'_>| {
        c.disposition.as_ref().is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"))
    };
    let mut todo = vec![bs];
    while let Some(part) = todo.pop() {
        let attached = match part {
            BodyStructure::Multipart { bodies, .. } => {
                todo.extend(bodies.iter());
                false
            }
            BodyStructure::Text { common, .. } => is_attachment_disposition(common),
            BodyStructure::Basic { common, .. } => {
                is_attachment_disposition(common) || !(common.ty.ty.eq_ignore_ascii_case("multipart"))
            }
            BodyStructure::Message { .. } => true,
        };
        if attached {
            return true;
        }
    }
    false
}

pub fn flags_of(fetch: &Fetch) -> Flags {
    let mut f = Flags::default();
    for flag in fetch.flags() {
        f = f.with(
            match flag {
                Flag::Seen => Flags::SEEN,
                Flag::Answered => Flags::ANSWERED,
                Flag::Flagged => Flags::FLAGGED,
                Flag::Deleted => Flags::DELETED,
                Flag::Draft => Flags::DRAFT,
                Flag::Custom(c) if c.eq_ignore_ascii_case("$Forwarded") => Flags::FORWARDED,
                _ => 0,
            },
            true,
        );
    }
    f
}

/// Converts one headers-first FETCH into a message summary; None without a UID.
pub fn new_message(fetch: &Fetch) -> Option<NewMessage> {
    let uid = fetch.uid?;
    let internal = fetch.internal_date().map(|d| d.timestamp());
    let mut m = NewMessage {
        uid,
        date: internal.unwrap_or(0),
        flags: flags_of(fetch),
        size: fetch.size.unwrap_or(0),
        // without a body structure (one nested too deep to parse), the Content-Type says
        has_attachments: match fetch.bodystructure() {
            Some(bs) => has_attachment(bs),
            None => fetch.header().is_some_and(crate::mime::announces_attachments),
        },
        references: fetch.header().and_then(references),
        ..Default::default()
    };
    if let Some(env) = fetch.envelope() {
        m.subject = sanitize::line(&env.subject.as_deref().map(decode_text).unwrap_or_default());
        if let Some(from) = env.from.as_ref().and_then(|l| l.iter().find(|a| a.host.is_some())) {
            m.from_name = sanitize::line(&from.name.as_deref().map(decode_text).unwrap_or_default());
            m.from_addr = sanitize::line(&addr_spec(from).unwrap_or_default());
        }
        m.to = address_list(env.to.as_ref());
        m.cc = address_list(env.cc.as_ref());
        if let Some(d) = env.date.as_deref().and_then(parse_date) {
            m.date = d;
        }
        m.message_id = env.message_id.as_deref().and_then(message_id);
        m.in_reply_to = env.in_reply_to.as_deref().and_then(message_id);
    }
    Some(m)
}

/// Compresses UIDs into an IMAP sequence set: `1:5,7,9:12`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_strings_decode() {
        assert_eq!(decode_text(b"plain"), "plain");
        assert_eq!(decode_text(b"=?UTF-8?Q?Caf=C3=A9?= ok"), "Café ok");
        assert_eq!(decode_text(b"=?ISO-8859-1?Q?J=F6rg?="), "Jörg");
        assert_eq!(parse_date(b"Mon, 02 Nov 2026 10:00:00 +0000"), Some(1_793_613_600));
        assert_eq!(parse_date(b"2 Nov 2026 10:00:00 GMT"), Some(1_793_613_600));
        assert_eq!(message_id(b"<a@b>"), Some("a@b".into()));
        assert_eq!(references(b"References: <a@b>\r\n <c@d>\r\n\r\n"), Some("<a@b> <c@d>".into()));
        let two = b"Content-Type: multipart/mixed;\r\n boundary=x\r\nReferences: <a@b>\r\n\r\n";
        assert_eq!(references(two), Some("<a@b>".into()));
        assert_eq!(references(b"Content-Type: text/plain\r\n\r\n"), None);
    }

    #[test]
    fn an_address_without_a_host_is_its_mailbox_alone() {
        let a = |host: Option<&'static [u8]>| Address {
            name: None,
            adl: None,
            mailbox: Some(std::borrow::Cow::Borrowed(b"me")),
            host: host.map(std::borrow::Cow::Borrowed),
        };
        assert_eq!(addr_spec(&a(Some(b"MISSING_DOMAIN"))).as_deref(), Some("me"));
        assert_eq!(addr_spec(&a(Some(b".MISSING-HOST-NAME."))).as_deref(), Some("me"));
        assert_eq!(addr_spec(&a(Some(b"example.com"))).as_deref(), Some("me@example.com"));
        assert_eq!(addr_spec(&a(None)), None);
    }

    #[test]
    fn a_body_structure_of_any_depth_is_walked_without_recursion() {
        use async_imap::imap_proto::{BodyContentCommon, BodyContentSinglePart, ContentEncoding, ContentType};
        let ty = |ty, subtype| ContentType { ty, subtype, params: None };
        let common = |ty| BodyContentCommon { ty, disposition: None, language: None, location: None };
        let other = BodyContentSinglePart {
            id: None,
            md5: None,
            description: None,
            transfer_encoding: ContentEncoding::SevenBit,
            octets: 1,
        };
        let mut bs =
            BodyStructure::Text { common: common(ty("text".into(), "plain".into())), other, lines: 1, extension: None };
        for _ in 0..100_000 {
            let multipart = common(ty("multipart".into(), "mixed".into()));
            bs = BodyStructure::Multipart { common: multipart, bodies: vec![bs], extension: None };
        }
        let answer = std::thread::Builder::new().stack_size(256 << 10).spawn(move || {
            let answer = has_attachment(&bs);
            std::mem::forget(bs); // dropping it would recurse, which is not what this tests
            answer
        });
        assert!(!answer.unwrap().join().unwrap());
    }

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 7, 9, 10, 11, 12]), "1:3,5,7,9:12");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
