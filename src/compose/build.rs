//! A draft built into an RFC 5322 message with lettre's builder (encoded UTF-8 headers, a
//! UTF-8 text body, attachments byte for byte, Date, a Message-ID on the sender's domain),
//! and a saved draft read back.

use super::{Attachment, Draft, domain_of, new_message_id};
use crate::smtp::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, Mailboxes, MultiPart, SinglePart};
use mail_parser::{MessageParser, MimeHeaders};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ComposeError {
    #[error("{field}: {text:?} is not a list of addresses")]
    Address { field: &'static str, text: String },
    #[error("the message has no recipients (To, Cc or Bcc)")]
    NoRecipients,
    #[error("cannot attach {path}: {text}")]
    Attachment { path: String, text: String },
    /// A mistake in the edited text, at its line (from 1).
    #[error("line {line}: {text}")]
    EditorLine { line: usize, text: String },
    #[error("{0}: poste writes this header itself")]
    Reserved(String),
    #[error("{0:?} is not a header name")]
    HeaderName(String),
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// A built message: the bytes to send (without Bcc), the bytes to keep in Sent or Drafts
/// (with Bcc), and the envelope.
#[derive(Debug, Clone)]
pub struct Built {
    pub sent: Vec<u8>,
    pub saved: Vec<u8>,
    pub envelope: Envelope,
    pub message_id: String,
}

fn mailboxes(field: &'static str, text: &str) -> Result<Vec<Mailbox>, ComposeError> {
    let text = text.trim().trim_end_matches(',');
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let list: Mailboxes = text.parse().map_err(|_| ComposeError::Address { field, text: text.to_string() })?;
    Ok(list.into_iter().collect())
}

/// Whether `text` reads as a list of addresses (empty is fine: a list yet to be written).
pub(super) fn check_addresses(field: &'static str, text: &str) -> Result<(), ComposeError> {
    mailboxes(field, text).map(|_| ())
}

fn attachment_part(a: &Attachment) -> Result<SinglePart, ComposeError> {
    let octets = ContentType::parse("application/octet-stream").map_err(|e| ComposeError::Build(e.to_string()))?;
    let ct = ContentType::parse(&a.content_type).unwrap_or(octets.clone());
    let ct = if a.content_type.eq_ignore_ascii_case("message/rfc822") {
        match message_body(&a.data) {
            Some(body) => {
                let disposition = lettre::message::header::ContentDisposition::attachment(&a.name);
                return Ok(SinglePart::builder().header(ct).header(disposition).body(body));
            }
            None => octets,
        }
    } else {
        ct
    };
    // base64 always: a 7bit text part would be taken for text, its LF made CRLF on the way
    let body = Body::new_with_encoding(a.data.clone(), ContentTransferEncoding::Base64).unwrap_or_else(Body::new);
    Ok(lettre::message::Attachment::new(a.name.clone()).body(body, ct))
}

/// A forwarded message as a `message/rfc822` body, which RFC 2046 §5.2.1 allows only as
/// 7bit or 8bit (never base64): in canonical CRLF form, 7bit when it is all ASCII. None when
/// it cannot be either (a NUL, or a line past 998 bytes); it is then sent as a file.
fn message_body(data: &[u8]) -> Option<Body> {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect();
    if data.contains(&0) || lines.iter().any(|l| l.len() > 998) {
        return None;
    }
    let crlf = lines.join(&b"\r\n"[..]);
    let encoding = if crlf.is_ascii() { ContentTransferEncoding::SevenBit } else { ContentTransferEncoding::EightBit };
    Some(Body::dangerous_pre_encoded(crlf, encoding))
}

/// Builds the message. `draft` sets the \Draft-style leniency: a draft may have no
/// recipients yet.
pub fn build(d: &Draft, draft: bool) -> Result<Built, ComposeError> {
    let from = mailboxes("From", &d.from)?
        .into_iter()
        .next()
        .ok_or(ComposeError::Address { field: "From", text: d.from.clone() })?;
    let to = mailboxes("To", &d.to)?;
    let cc = mailboxes("Cc", &d.cc)?;
    let bcc = mailboxes("Bcc", &d.bcc)?;
    if to.is_empty() && cc.is_empty() && bcc.is_empty() && !draft {
        return Err(ComposeError::NoRecipients);
    }
    let message_id = d.message_id.clone().unwrap_or_else(|| new_message_id(domain_of(from.email.as_ref())));
    let date = std::time::SystemTime::now();
    let make = || -> Result<Vec<u8>, ComposeError> {
        let mut b = lettre::Message::builder()
            .from(from.clone())
            .subject(d.subject.clone())
            .date(date)
            .message_id(Some(message_id.clone()));
        if !d.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("User-Agent")) {
            b = b.user_agent(format!("poste {}", env!("CARGO_PKG_VERSION")));
        }
        for m in &to {
            b = b.to(m.clone());
        }
        for m in &cc {
            b = b.cc(m.clone());
        }
        for m in &bcc {
            b = b.bcc(m.clone());
        }
        if let Some(id) = &d.in_reply_to {
            b = b.in_reply_to(id.clone());
        }
        if let Some(r) = &d.references {
            b = b.references(r.clone());
        }
        for (name, value) in &d.headers {
            b = extra_header(b, name, value)?;
        }
        // kept for the Sent copy; the bytes sent go without it
        b = b.keep_bcc();
        if to.is_empty() && cc.is_empty() && bcc.is_empty() {
            // lettre wants an envelope; a draft without recipients gets its sender's
            let env = lettre::address::Envelope::new(Some(from.email.clone()), vec![from.email.clone()])
                .map_err(|e| ComposeError::Build(e.to_string()))?;
            b = b.envelope(env);
        }
        let text = SinglePart::plain(d.body.clone());
        let msg = if d.attachments.is_empty() {
            b.singlepart(text)
        } else {
            let mut mp = MultiPart::mixed().singlepart(text);
            for a in &d.attachments {
                mp = mp.singlepart(attachment_part(a)?);
            }
            b.multipart(mp)
        }
        .map_err(|e| ComposeError::Build(e.to_string()))?;
        Ok(msg.formatted())
    };
    let envelope = Envelope {
        from: from.email.to_string(),
        to: to.iter().chain(&cc).chain(&bcc).map(|m| m.email.to_string()).collect(),
    };
    let saved = make()?;
    let sent = if bcc.is_empty() { saved.clone() } else { without_bcc(&saved) };
    Ok(Built { sent, saved, envelope, message_id })
}

/// Adds a header the user wrote: Reply-To as addresses, others as text (encoded when it is
/// not ASCII); the ones poste writes itself are refused.
fn extra_header(
    b: lettre::message::MessageBuilder,
    name: &str,
    value: &str,
) -> Result<lettre::message::MessageBuilder, ComposeError> {
    use lettre::message::header::{HeaderName, HeaderValue};
    if super::editor_file::written_by_poste(name) {
        return Err(ComposeError::Reserved(name.to_string()));
    }
    if name.eq_ignore_ascii_case("Reply-To") {
        return Ok(mailboxes("Reply-To", value)?.into_iter().fold(b, |b, m| b.reply_to(m)));
    }
    let header = HeaderName::new_from_ascii(name.to_string()).map_err(|_| ComposeError::HeaderName(name.into()))?;
    // one line: a line break in a value would start a header of its own
    Ok(b.raw_header(HeaderValue::new(header, value.replace(['\r', '\n'], " "))))
}

/// The message without its Bcc (or Resent-Bcc) header and that header's continuation
/// lines. The name is matched as RFC 5322 readers match it: in any case, with spaces or
/// tabs before the colon (the obsolete syntax they still accept), only in the header block.
pub fn without_bcc(raw: &[u8]) -> Vec<u8> {
    let end = header_end(raw);
    let mut out = Vec::with_capacity(raw.len());
    let mut skipping = false;
    for line in raw[..end].split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            if !skipping {
                out.extend_from_slice(line);
            }
            continue;
        }
        skipping =
            field_name(line).is_some_and(|n| n.eq_ignore_ascii_case(b"bcc") || n.eq_ignore_ascii_case(b"resent-bcc"));
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&raw[end..]);
    out
}

/// Where the header block ends: just after the line ending before the blank line.
fn header_end(raw: &[u8]) -> usize {
    let mut at = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            return at;
        }
        at += line.len();
    }
    raw.len()
}

/// The name of the header field a line starts, without the spaces before its colon.
fn field_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line[..colon].trim_ascii_end();
    (!name.is_empty() && name.iter().all(|b| b.is_ascii_graphic())).then_some(name)
}

/// Reads a saved draft (or any message) back into a draft to edit.
pub fn parse_draft(raw: &[u8]) -> Draft {
    let Some(m) = MessageParser::default().parse(raw) else { return Draft::default() };
    // names quoted where they need it, so the lists parse again when sent
    let list = |a: Option<&mail_parser::Address<'_>>| super::reply::join(&super::reply::pairs(a));
    let mut d = Draft {
        from: list(m.from()),
        to: list(m.to()),
        cc: list(m.cc()),
        bcc: list(m.bcc()),
        subject: m.subject().unwrap_or("").to_string(),
        body: m.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
        message_id: m.message_id().map(|i| format!("<{i}>")),
        in_reply_to: match m.in_reply_to() {
            mail_parser::HeaderValue::Text(t) => Some(format!("<{t}>")),
            _ => None,
        },
        references: match m.references() {
            mail_parser::HeaderValue::Text(t) => Some(format!("<{t}>")),
            mail_parser::HeaderValue::TextList(l) => {
                Some(l.iter().map(|t| format!("<{t}>")).collect::<Vec<_>>().join(" "))
            }
            _ => None,
        },
        headers: user_headers(raw),
        ..Default::default()
    };
    for a in m.attachments() {
        let content_type = a
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("octet-stream")))
            .unwrap_or_else(|| "application/octet-stream".into());
        let data = if content_type.eq_ignore_ascii_case("message/rfc822") {
            raw.get(a.raw_body_offset() as usize..a.raw_end_offset() as usize).unwrap_or_default().to_vec()
        } else {
            a.contents().to_vec()
        };
        let name = a.attachment_name().unwrap_or("attachment").to_string();
        d.attachments.push(Attachment { name, content_type, data });
    }
    d
}

/// Headers of a saved message that the user wrote: not the ones the draft has fields for,
/// nor the ones poste or a server writes (MIME, Date, Message-ID, trace headers).
fn user_headers(raw: &[u8]) -> Vec<(String, String)> {
    use mail_parser::{HeaderName as H, HeaderValue as V};
    const NOT_THE_USERS: [&str; 14] = [
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "in-reply-to",
        "references",
        "received",
        "return-path",
        "delivered-to",
        "x-original-to",
        "dkim-signature",
        "authentication-results",
        "arc-seal",
    ];
    let Some(first) = MessageParser::default().parse_headers(raw) else { return Vec::new() };
    // headers without a parser of their own are read as text, encoded words decoded
    let parser = first
        .headers()
        .iter()
        .filter_map(|h| match &h.name {
            H::Other(n) => Some(n.to_string()),
            _ => None,
        })
        .fold(MessageParser::default(), |p, n| p.header_text(H::Other(n.into())));
    let Some(texts) = parser.parse_headers(raw) else { return Vec::new() };
    // the same fields in the same order: the known ones as the default parser reads them
    first
        .headers()
        .iter()
        .zip(texts.headers())
        .map(|(known, text)| if matches!(known.name, H::Other(_)) { text } else { known })
        .filter_map(|h| {
            let name = h.name.as_str();
            let lower = name.to_ascii_lowercase();
            if NOT_THE_USERS.contains(&lower.as_str()) || lower.starts_with("arc-") || super::written_by_poste(name) {
                return None;
            }
            let value = match &h.value {
                V::Text(t) => t.to_string(),
                V::TextList(l) => l.join(", "),
                V::Address(a) => super::reply::join(&super::reply::pairs(Some(a))),
                V::Empty => String::new(),
                _ => {
                    let bytes = raw.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default();
                    String::from_utf8_lossy(bytes).split_whitespace().collect::<Vec<_>>().join(" ")
                }
            };
            // poste's own User-Agent is written again when the draft is built
            (!(lower == "user-agent" && value.starts_with("poste "))).then(|| (name.to_string(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            from: "Jörg Müller <joerg@x.org>".into(),
            to: "Ann <ann@y.org>, bob@y.org".into(),
            bcc: "secret@y.org".into(),
            subject: "Grüße aus Köln ☕".into(),
            body: "Hallo, schöne Grüße!\n".into(),
            in_reply_to: Some("<m1@y.org>".into()),
            references: Some("<m0@y.org> <m1@y.org>".into()),
            attachments: vec![Attachment {
                name: "bytes.bin".into(),
                content_type: "application/octet-stream".into(),
                data: (0..=255u8).collect(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn builds_encoded_headers_bcc_only_in_the_envelope_and_exact_attachments() {
        let b = build(&draft(), false).unwrap();
        let sent = String::from_utf8_lossy(&b.sent).to_string();
        assert!(sent.contains("Subject: =?utf-8?"), "{sent}");
        assert!(!sent.contains("secret@y.org"));
        assert!(String::from_utf8_lossy(&b.saved).contains("secret@y.org"));
        assert_eq!(b.envelope.to, ["ann@y.org", "bob@y.org", "secret@y.org"]);
        assert!(b.message_id.ends_with("@x.org>"));
        let m = MessageParser::default().parse(&b.sent).unwrap();
        assert_eq!(m.subject(), Some("Grüße aus Köln ☕"));
        assert_eq!(m.from().unwrap().first().unwrap().name(), Some("Jörg Müller"));
        assert_eq!(m.body_text(0).unwrap().trim_end(), "Hallo, schöne Grüße!");
        assert_eq!(m.attachment(0).unwrap().contents(), (0..=255u8).collect::<Vec<_>>());
        assert!(m.date().is_some());
        assert!(sent.contains("In-Reply-To: <m1@y.org>"));
    }

    #[test]
    fn text_attachments_are_base64_so_their_bytes_survive_a_draft_round_trip() {
        let text = b"line one\nline two\n".to_vec();
        assert_eq!(text.len(), 18);
        let d = Draft {
            attachments: vec![Attachment {
                name: "notes.txt".into(),
                content_type: "text/plain".into(),
                data: text.clone(),
            }],
            ..draft()
        };
        let saved = build(&d, true).unwrap().saved;
        // a server stores the draft with CRLF line ends
        let stored = String::from_utf8_lossy(&saved).replace("\r\n", "\n").replace('\n', "\r\n");
        let back = parse_draft(stored.as_bytes());
        assert_eq!(back.attachments[0].data, text, "{stored}");
        let sent = build(&back, false).unwrap().sent;
        let m = MessageParser::default().parse(&sent).unwrap();
        assert_eq!(m.attachment(0).unwrap().contents(), text);
    }

    #[test]
    fn a_forwarded_message_is_7bit_or_8bit_never_base64() {
        let inner = b"From: a@x\nSubject: caf\xe9\nContent-Type: text/plain; charset=latin1\n\nGr\xfc\xdfe\n".to_vec();
        for (data, cte) in [(inner.clone(), "8bit"), (b"From: a@x\nSubject: hi\n\nhello\n".to_vec(), "7bit")] {
            let d = Draft {
                attachments: vec![Attachment { name: "fwd.eml".into(), content_type: "message/rfc822".into(), data }],
                ..draft()
            };
            let sent = build(&d, false).unwrap().sent;
            let text = String::from_utf8_lossy(&sent);
            let part = &text[text.find("Content-Type: message/rfc822").unwrap()..];
            let head = &part[..part.find("\r\n\r\n").unwrap()];
            assert!(head.contains(&format!("Content-Transfer-Encoding: {cte}")), "{head}");
            assert!(part.contains("From: a@x\r\n"), "{part}");
        }
        // a line too long for 8bit: sent as a file instead of a malformed message/rfc822
        let long = [b"From: a@x\n\n".as_slice(), &[b'x'; 1200]].concat();
        let d = Draft {
            attachments: vec![Attachment {
                name: "fwd.eml".into(),
                content_type: "message/rfc822".into(),
                data: long.clone(),
            }],
            ..draft()
        };
        let sent = build(&d, false).unwrap().sent;
        assert!(!String::from_utf8_lossy(&sent).contains("message/rfc822"));
        let m = MessageParser::default().parse(&sent).unwrap();
        assert_eq!(m.attachment(0).unwrap().contents(), long);
    }

    #[test]
    fn bcc_is_taken_out_with_its_continuation() {
        let raw = b"From: a@x\r\nBcc: b@x,\r\n c@x\r\nSubject: s\r\n\r\nBcc: in the body stays\r\n";
        assert_eq!(without_bcc(raw), b"From: a@x\r\nSubject: s\r\n\r\nBcc: in the body stays\r\n");
    }

    #[test]
    fn bcc_is_found_in_any_case_and_with_space_before_the_colon() {
        for head in ["Bcc : b@x\r\n", "BCC:b@x\r\n", "bcc:\tb@x\r\n", "bCc \t:\r\n b@x,\r\n\tc@x\r\n"] {
            let raw = format!("From: a@x\r\n{head}Subject: s\r\n\r\nbcc : body\r\n");
            let out = String::from_utf8(without_bcc(raw.as_bytes())).unwrap();
            assert_eq!(out, "From: a@x\r\nSubject: s\r\n\r\nbcc : body\r\n", "{head:?}");
        }
        // LF endings, and names that only start like it
        let raw = b"Bcc : b@x\nBccx: keep\nX-Bcc: keep\n\nBcc: body\n";
        assert_eq!(without_bcc(raw), b"Bccx: keep\nX-Bcc: keep\n\nBcc: body\n");
        assert_eq!(without_bcc(b"To: a@x\nResent-BCC : b@x\n\nbody\n"), b"To: a@x\n\nbody\n");
        // no header block end: all of it is headers
        assert_eq!(without_bcc(b"To: a@x\r\nBCC: b@x\r\n"), b"To: a@x\r\n");
    }

    #[test]
    fn headers_the_user_wrote_are_sent_and_read_back() {
        let mut d = draft();
        d.headers = vec![
            ("X-Custom".into(), "Grüße, one two".into()),
            ("Reply-To".into(), "\"Lee, Ann\" <ann@y.org>".into()),
            ("Organization".into(), "Example".into()),
            ("User-Agent".into(), "my own".into()),
        ];
        let b = build(&d, false).unwrap();
        let sent = String::from_utf8_lossy(&b.sent).to_string();
        assert!(sent.contains("Organization: Example\r\n"), "{sent}");
        assert_eq!(sent.matches("User-Agent:").count(), 1, "{sent}");
        let m = MessageParser::default().parse(&b.sent).unwrap();
        let reply_to = m.reply_to().unwrap().first().unwrap();
        assert_eq!((reply_to.name(), reply_to.address()), (Some("Lee, Ann"), Some("ann@y.org")));
        let back = parse_draft(&b.saved);
        assert_eq!(back.headers, d.headers, "a resumed draft keeps them");
        // the ones poste writes itself are refused, and a name must be a name
        for name in ["Content-Type", "MIME-Version", "content-transfer-encoding", "Date", "Message-ID"] {
            let bad = Draft { headers: vec![(name.into(), "x".into())], ..draft() };
            assert!(matches!(build(&bad, false), Err(ComposeError::Reserved(_))), "{name}");
        }
        let bad = Draft { headers: vec![("Two Words".into(), "x".into())], ..draft() };
        assert!(matches!(build(&bad, false), Err(ComposeError::HeaderName(_))));
        // a line break in a value cannot start a header of its own
        let sneaky = Draft { headers: vec![("X-A".into(), "a\r\nBcc: evil@x".into())], ..draft() };
        let sent = String::from_utf8_lossy(&build(&sneaky, false).unwrap().sent).to_string();
        assert!(!sent.contains("\r\nBcc: evil"), "{sent}");
    }

    #[test]
    fn a_saved_draft_reads_back() {
        let mut d = draft();
        d.to = "\"Lee, Ann\" <ann@y.org>, bob@y.org".into();
        d.message_id = Some("<draft1@x.org>".into());
        let b = build(&d, true).unwrap();
        let back = parse_draft(&b.saved);
        assert_eq!(back.subject, d.subject);
        assert_eq!(back.bcc, "secret@y.org");
        assert_eq!(back.to, d.to, "a name with a comma stays quoted");
        assert_eq!(back.body.trim_end(), d.body.trim_end());
        assert_eq!(back.message_id.as_deref(), Some("<draft1@x.org>"));
        assert_eq!(back.attachments, d.attachments);
        assert!(back.headers.is_empty(), "{:?}", back.headers);
        assert!(build(&Draft { from: "a@x.org".into(), ..Default::default() }, false).is_err());
        assert!(build(&Draft { from: "a@x.org".into(), ..Default::default() }, true).is_ok());
    }
}
