//! Turns an IMAP FETCH response (ENVELOPE, BODYSTRUCTURE, ...) into a stored summary.

use crate::model::{Flags, NewMessage};
use async_imap::imap_proto::{Address, BodyStructure, Envelope};
use async_imap::types::{Fetch, Flag};

fn push_field(out: &mut Vec<u8>, name: &str, value: Option<&[u8]>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        // a header value never spans raw line breaks here
        out.extend(
            v.iter()
                .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        out.extend_from_slice(b"\r\n");
    }
}

fn address_list(list: Option<&Vec<Address<'_>>>) -> Option<Vec<u8>> {
    let list = list?;
    let mut out = Vec::new();
    for a in list {
        // group syntax markers (host NIL) are skipped
        let (Some(mailbox), Some(host)) = (a.mailbox.as_deref(), a.host.as_deref()) else {
            continue;
        };
        if !out.is_empty() {
            out.extend_from_slice(b", ");
        }
        if let Some(name) = a.name.as_deref().filter(|n| !n.is_empty()) {
            if name.starts_with(b"=?") {
                out.extend_from_slice(name);
            } else {
                out.push(b'"');
                for &b in name {
                    if b == b'"' || b == b'\\' {
                        out.push(b'\\');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            out.extend_from_slice(b" <");
        }
        out.extend_from_slice(mailbox);
        out.push(b'@');
        out.extend_from_slice(host);
        if a.name.as_deref().is_some_and(|n| !n.is_empty()) {
            out.push(b'>');
        }
    }
    Some(out)
}

/// Rebuilds a header block from an ENVELOPE so mail-parser decodes it like a real one.
fn envelope_headers(env: &Envelope<'_>, extra: Option<&[u8]>) -> Vec<u8> {
    let mut h = Vec::with_capacity(256);
    push_field(&mut h, "Subject", env.subject.as_deref());
    push_field(&mut h, "From", address_list(env.from.as_ref()).as_deref());
    push_field(&mut h, "To", address_list(env.to.as_ref()).as_deref());
    push_field(&mut h, "Cc", address_list(env.cc.as_ref()).as_deref());
    push_field(&mut h, "Date", env.date.as_deref());
    push_field(&mut h, "Message-ID", env.message_id.as_deref());
    push_field(&mut h, "In-Reply-To", env.in_reply_to.as_deref());
    if let Some(x) = extra {
        let trimmed = x
            .strip_suffix(b"\r\n\r\n")
            .or_else(|| x.strip_suffix(b"\r\n"))
            .unwrap_or(x);
        if !trimmed.is_empty() {
            h.extend_from_slice(trimmed);
            h.extend_from_slice(b"\r\n");
        }
    }
    h.extend_from_slice(b"\r\n");
    h
}

/// True when a body structure holds a part that is an attachment.
pub fn has_attachment(bs: &BodyStructure<'_>) -> bool {
    let is_attachment_disposition = |c: &async_imap::imap_proto::BodyContentCommon<'_>| {
        c.disposition
            .as_ref()
            .is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"))
    };
    match bs {
        BodyStructure::Multipart { bodies, .. } => bodies.iter().any(has_attachment),
        BodyStructure::Text { common, .. } => is_attachment_disposition(common),
        BodyStructure::Basic { common, .. } => {
            is_attachment_disposition(common) || !(common.ty.ty.eq_ignore_ascii_case("multipart"))
        }
        BodyStructure::Message { .. } => true,
    }
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
    let headers = match fetch.envelope() {
        Some(env) => envelope_headers(env, fetch.header()),
        None => fetch.header().map(<[u8]>::to_vec).unwrap_or_default(),
    };
    let s = crate::mime::summarize(&headers);
    let internal = fetch.internal_date().map(|d| d.timestamp());
    Some(NewMessage {
        uid,
        message_id: s.message_id,
        in_reply_to: s.in_reply_to,
        references: s.references,
        date: s.date.or(internal).unwrap_or(0),
        from_name: s.from_name,
        from_addr: s.from_addr,
        to: s.to,
        cc: s.cc,
        subject: s.subject,
        flags: flags_of(fetch),
        size: fetch.size.unwrap_or(0),
        has_attachments: fetch.bodystructure().is_some_and(has_attachment),
    })
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
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 7, 9, 10, 11, 12]), "1:3,5,7,9:12");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
