//! Renders a raw RFC 5322 message into sanitised text, numbered links and an attachment list.

mod attachments;
mod flowed;
mod html;
mod html_depth;
mod links;
mod nesting;

pub use attachments::{SaveError, attachment_bytes, safe_file_name, save_attachment};

use crate::sanitize;
use mail_parser::{Address, MessageParser, MimeHeaders, PartType};

/// An attachment as listed under a rendered message.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentInfo {
    /// Position among the message's attachments (for `attachment_bytes`).
    pub index: usize,
    /// Sanitised display name.
    pub name: String,
    pub mime_type: String,
    pub size: usize,
}

/// A message made ready to show: every string in it is sanitised.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    /// Display headers in order: From, Reply-To (when it is not the sender), To, Cc,
    /// Date, Subject; the ones a message does not have are left out (From and Subject stay).
    pub headers: Vec<(String, String)>,
    pub subject: String,
    pub body: String,
    /// Links of the body: an HTML body's numbered from 1 as in the text, a plain one's
    /// in the order they appear.
    pub links: Vec<String>,
    pub attachments: Vec<AttachmentInfo>,
}

impl Rendered {
    /// The message as text to print or page through: headers, body, attachments.
    pub fn plain_text(&self) -> String {
        let mut text: String = self.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        text.push('\n');
        text.push_str(self.body.trim_end());
        text.push('\n');
        if !self.attachments.is_empty() {
            text.push_str("\nAttachments:\n");
            for a in &self.attachments {
                let size = crate::format::size(a.size as u64);
                text.push_str(&format!("  [{}] {} ({}, {size})\n", a.index + 1, a.name, a.mime_type));
            }
        }
        text
    }
}

/// Decoded one-line header fields, for storing a message's summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeaderSummary {
    pub subject: String,
    pub from_name: String,
    pub from_addr: String,
    pub to: String,
    pub cc: String,
    pub date: Option<i64>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub has_attachments: bool,
}

/// Formats an address list as `Name <addr>, ...` (unsanitised).
pub fn format_addresses(addr: Option<&Address<'_>>) -> String {
    let Some(addr) = addr else {
        return String::new();
    };
    addr.iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) if !n.trim().is_empty() => format!("{n} <{e}>"),
            (_, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn first_id(v: &mail_parser::HeaderValue<'_>) -> Option<String> {
    match v {
        mail_parser::HeaderValue::Text(t) => Some(t.to_string()),
        mail_parser::HeaderValue::TextList(l) => l.first().map(|t| t.to_string()),
        _ => None,
    }
}

fn id_list(v: &mail_parser::HeaderValue<'_>) -> Option<String> {
    match v {
        mail_parser::HeaderValue::Text(t) => Some(format!("<{t}>")),
        mail_parser::HeaderValue::TextList(l) if !l.is_empty() => {
            Some(l.iter().map(|t| format!("<{t}>")).collect::<Vec<_>>().join(" "))
        }
        _ => None,
    }
}

/// Whether a message's header announces attachments (multipart/mixed), for a message
/// whose body is not at hand to count them.
pub fn announces_attachments(head: &[u8]) -> bool {
    MessageParser::default().parse_headers(head).is_some_and(|m| {
        m.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("mixed"))
        })
    })
}

/// Parses the header block (or a whole message) into decoded, sanitised summary fields.
pub fn summarize(raw: &[u8]) -> HeaderSummary {
    let raw = nesting::bound(raw);
    let Some(msg) = MessageParser::default().parse(&raw) else {
        return HeaderSummary::default();
    };
    let from = msg.from().and_then(|a| a.first());
    HeaderSummary {
        subject: sanitize::line(msg.subject().unwrap_or("")),
        from_name: sanitize::line(from.and_then(|a| a.name()).unwrap_or("")),
        from_addr: sanitize::line(from.and_then(|a| a.address()).unwrap_or("")),
        to: sanitize::line(&format_addresses(msg.to())),
        cc: sanitize::line(&format_addresses(msg.cc())),
        date: msg.date().map(|d| d.to_timestamp()),
        message_id: msg.message_id().map(sanitize::line),
        in_reply_to: first_id(msg.in_reply_to()).map(|m| sanitize::line(&m)),
        references: id_list(msg.references()).map(|m| sanitize::line(&m)),
        has_attachments: msg.attachment_count() > 0,
    }
}

/// Renders a whole message for reading. `width` is the wrap width for HTML.
pub fn render(raw: &[u8], width: usize) -> Rendered {
    let raw = nesting::bound(raw);
    let Some(msg) = MessageParser::default().parse(&raw) else {
        return Rendered {
            body: format!("(this message could not be parsed as MIME; its source is {} bytes)", raw.len()),
            ..Default::default()
        };
    };
    let summary = summarize(&raw);
    let mut headers = vec![("From".to_string(), sanitize::line(&format_addresses(msg.from())))];
    let reply_to = format_addresses(msg.reply_to());
    if !reply_to.is_empty() && mailboxes(msg.reply_to()) != mailboxes(msg.from()) {
        headers.push(("Reply-To".into(), sanitize::line(&reply_to)));
    }
    if !summary.to.is_empty() {
        headers.push(("To".into(), summary.to.clone()));
    }
    if !summary.cc.is_empty() {
        headers.push(("Cc".into(), summary.cc.clone()));
    }
    if let Some(date) = msg.date() {
        headers.push(("Date".into(), sanitize::line(&date.to_rfc822())));
    }
    headers.push(("Subject".into(), summary.subject.clone()));

    let (body, links) = body_text(&msg, width);
    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(index, part)| AttachmentInfo {
            index,
            name: sanitize::line(&part_name(part, index)),
            mime_type: sanitize::line(&mime_type(part)),
            size: part.contents().len(),
        })
        .collect();
    Rendered { headers, subject: summary.subject, body: sanitize::text(&body), links, attachments }
}

/// The addresses of an address list, lowercased, in order, without repeats.
fn mailboxes(addr: Option<&Address<'_>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in addr.into_iter().flat_map(|a| a.iter()) {
        if let Some(e) = a.address().map(str::to_lowercase)
            && !out.contains(&e)
        {
            out.push(e);
        }
    }
    out.sort();
    out
}

/// The name of an attachment, or a made-up one from its position and type.
pub(crate) fn part_name(part: &mail_parser::MessagePart<'_>, index: usize) -> String {
    if let Some(n) = part.attachment_name() {
        return n.to_string();
    }
    if let PartType::Message(m) = &part.body
        && let Some(s) = m.subject()
    {
        return format!("{s}.eml");
    }
    format!("attachment-{}", index + 1)
}

/// For a `format=flowed` text part, whether it is `delsp=yes`; None for other text.
fn flowed_params(part: &mail_parser::MessagePart<'_>) -> Option<bool> {
    let ct = part.content_type()?;
    let attr = |name: &str| {
        ct.attributes()?.iter().find(|a| a.name.eq_ignore_ascii_case(name)).map(|a| a.value.to_ascii_lowercase())
    };
    let plain = ct.ctype().eq_ignore_ascii_case("text") && ct.subtype().is_none_or(|s| s.eq_ignore_ascii_case("plain"));
    (plain && attr("format").as_deref() == Some("flowed")).then(|| attr("delsp").as_deref() == Some("yes"))
}

fn mime_type(part: &mail_parser::MessagePart<'_>) -> String {
    match part.content_type() {
        Some(ct) => match &ct.c_subtype {
            Some(sub) => format!("{}/{}", ct.c_type, sub).to_ascii_lowercase(),
            None => ct.c_type.to_ascii_lowercase(),
        },
        None if part.is_message() => "message/rfc822".into(),
        None => "application/octet-stream".into(),
    }
}

/// What `body_text` says of a message without text.
const NO_TEXT: &str = "(this message has no text part)";

/// What a search index holds of a whole message: its readable text (as `render` shows
/// it, HTML as text) and the names of its attachments.
pub fn searchable(raw: &[u8]) -> (String, Vec<String>) {
    let raw = nesting::bound(raw);
    let Some(msg) = MessageParser::default().parse(&raw) else { return (String::new(), Vec::new()) };
    let (mut body, _) = body_text(&msg, 200);
    if body == NO_TEXT {
        body.clear();
    }
    let names = msg.attachments().enumerate().map(|(i, part)| part_name(part, i)).collect();
    (body, names)
}

/// The readable body: text/plain preferred (flowed text reflowed at `width`), else HTML
/// rendered to text with numbered links.
fn body_text(msg: &mail_parser::Message<'_>, width: usize) -> (String, Vec<String>) {
    let mut plain = Vec::new();
    for part in msg.text_bodies() {
        if let PartType::Text(t) = &part.body {
            plain.push(match flowed_params(part) {
                Some(delsp) => flowed::reflow(t, delsp, width),
                None => t.to_string(),
            });
        }
    }
    if !plain.is_empty() {
        let text = plain.join("\n\n");
        let links = links::in_text(&text);
        return (text, links);
    }
    let mut text = Vec::new();
    let mut links = Vec::new();
    for part in msg.html_bodies() {
        if let PartType::Html(h) = &part.body {
            let (t, l) = html::to_text(h, width, links.len());
            text.push(t);
            links.extend(l);
        }
    }
    if text.is_empty() {
        return (NO_TEXT.into(), Vec::new());
    }
    (text.join("\n\n"), links)
}

#[cfg(test)]
mod tests;
