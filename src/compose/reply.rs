//! Replies and forwards: who they go to, from which of the user's addresses, the subject,
//! the threading headers and the quoted or forwarded text.

use super::{Attachment, Draft, forward_subject, mailbox, reply_subject};
use crate::config::AccountConfig;
use crate::model::MessageId;
use mail_parser::{Address, MessageParser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// To the sender (or the Reply-To).
    Sender,
    /// To the sender and every other recipient, without the user's own addresses.
    All,
}

/// (name, address) pairs of an address header.
pub(super) fn pairs(a: Option<&Address<'_>>) -> Vec<(Option<String>, String)> {
    let Some(a) = a else { return Vec::new() };
    a.iter()
        .filter_map(|x| Some((x.name().map(crate::sanitize::line), crate::sanitize::line(x.address()?))))
        .filter(|(_, addr)| !addr.is_empty())
        .collect()
}

pub(super) fn join(list: &[(Option<String>, String)]) -> String {
    list.iter().map(|(n, a)| mailbox(n.as_deref(), a)).collect::<Vec<_>>().join(", ")
}

/// The sending identity: the account's address (or alias) the message was sent to, or
/// its `email` with no recipients to go by.
pub fn identity(account: &AccountConfig, recipients: &[(Option<String>, String)]) -> String {
    let own = account.addresses();
    let addr = recipients
        .iter()
        .map(|(_, a)| a)
        .find(|a| own.contains(&a.to_ascii_lowercase()))
        .cloned()
        .unwrap_or_else(|| account.email.clone());
    mailbox(account.display_name.as_deref(), &addr)
}

/// The plain text of a message, for quoting or forwarding.
fn text_of(raw: &[u8]) -> String {
    crate::mime::render(raw, 72).body
}

/// A reply to `raw` (the stored message `id`) from `account`.
pub fn reply(raw: &[u8], id: MessageId, account: &AccountConfig, kind: ReplyKind) -> Draft {
    let Some(m) = MessageParser::default().parse(raw) else {
        return Draft { from: identity(account, &[]), answers: Some(id), ..Default::default() };
    };
    let from = pairs(m.from());
    let reply_to = pairs(m.reply_to());
    let to_list = pairs(m.to());
    let cc_list = pairs(m.cc());
    let everyone: Vec<_> = to_list.iter().chain(&cc_list).cloned().collect();
    let me = identity(account, &everyone);
    let own = account.addresses();
    let is_own = |a: &str| own.contains(&a.to_ascii_lowercase());

    let mut to: Vec<(Option<String>, String)> = if reply_to.is_empty() { from.clone() } else { reply_to };
    // a reply to one's own message goes to its recipients
    if to.iter().all(|(_, a)| is_own(a)) && !to_list.is_empty() {
        to = to_list.clone();
    }
    let mut cc = Vec::new();
    if kind == ReplyKind::All {
        for p in to_list.iter().chain(&cc_list) {
            cc.push(p.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut keep = |list: Vec<(Option<String>, String)>| -> Vec<(Option<String>, String)> {
        list.into_iter()
            .filter(|(_, a)| !is_own(a) || kind == ReplyKind::Sender)
            .filter(|(_, a)| seen.insert(a.to_ascii_lowercase()))
            .collect()
    };
    let mut to = keep(to);
    let mut cc: Vec<_> = keep(cc).into_iter().filter(|(_, a)| !is_own(a)).collect();
    // a reply-all that dropped every own address still goes to someone: the copied
    // recipients, or else the user (a note to oneself answered)
    if to.is_empty() {
        to = if cc.is_empty() { from.clone() } else { std::mem::take(&mut cc) };
    }

    let message_id = m.message_id().map(|i| format!("<{i}>"));
    let mut refs: Vec<String> = match m.references() {
        mail_parser::HeaderValue::Text(t) => vec![format!("<{t}>")],
        mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| format!("<{t}>")).collect(),
        _ => match m.in_reply_to() {
            mail_parser::HeaderValue::Text(t) => vec![format!("<{t}>")],
            _ => Vec::new(),
        },
    };
    if let Some(id) = &message_id {
        refs.push(id.clone());
    }
    let who = from
        .first()
        .map(|(n, a)| n.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| a.clone()))
        .unwrap_or_else(|| "someone".into());
    let date = m.date().map(|d| d.to_rfc822()).unwrap_or_else(|| "an unknown date".into());
    let mut body = format!("\n\nOn {date}, {who} wrote:\n");
    for line in text_of(raw).trim_end().lines() {
        if line.is_empty() {
            body.push_str(">\n");
        } else if line.starts_with('>') {
            body.push_str(&format!(">{line}\n"));
        } else {
            body.push_str(&format!("> {line}\n"));
        }
    }
    Draft {
        from: me,
        to: join(&to),
        cc: join(&cc),
        subject: reply_subject(m.subject().unwrap_or("")),
        body,
        in_reply_to: message_id,
        references: (!refs.is_empty()).then(|| refs.join(" ")),
        answers: Some(id),
        ..Default::default()
    }
}

/// A forward of `raw` (the stored message `id`): inline, with its attachments, or the whole
/// message attached as `message/rfc822`.
pub fn forward(raw: &[u8], id: MessageId, account: &AccountConfig, as_attachment: bool) -> Draft {
    let parsed = MessageParser::default().parse(raw);
    let recipients: Vec<_> =
        parsed.as_ref().map(|m| pairs(m.to()).into_iter().chain(pairs(m.cc())).collect()).unwrap_or_default();
    let subject = parsed.as_ref().and_then(|m| m.subject()).unwrap_or("").to_string();
    let mut d = Draft {
        from: identity(account, &recipients),
        subject: forward_subject(&subject),
        forwards: Some(id),
        ..Default::default()
    };
    if as_attachment {
        let name =
            crate::mime::safe_file_name(&format!("{}.eml", if subject.is_empty() { "message" } else { &subject }));
        d.attachments.push(Attachment { name, content_type: "message/rfc822".into(), data: raw.to_vec() });
        return d;
    }
    let r = crate::mime::render(raw, 72);
    let mut body = String::from("\n\n---------- Forwarded message ----------\n");
    for (k, v) in &r.headers {
        body.push_str(&format!("{k}: {v}\n"));
    }
    body.push('\n');
    body.push_str(r.body.trim_end());
    body.push('\n');
    d.body = body;
    for a in &r.attachments {
        if let Ok((name, data)) = crate::mime::attachment_bytes(raw, a.index) {
            d.attachments.push(Attachment { name, content_type: a.mime_type.clone(), data });
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> AccountConfig {
        let text = "[[accounts]]\nname = \"w\"\nemail = \"me@x.org\"\ndisplay_name = \"Me Myself\"\n\
                    aliases = [\"me@alias.org\"]\nprotocol = \"imap\"\n[accounts.imap]\nhost = \"h\"\n\
                    username = \"u\"\npassword_command = \"echo\"\n";
        crate::config::Config::parse(text, std::path::Path::new("t.toml")).unwrap().accounts.remove(0)
    }

    const ORIGINAL: &[u8] =
        b"From: Ann <ann@y.org>\r\nTo: me@alias.org, Bob <bob@y.org>\r\nCc: ME@x.org, ann@y.org, carl@y.org\r\n\
Subject: Re: Re: plans\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m2@y.org>\r\n\
References: <m0@y.org> <m1@y.org>\r\n\r\nLine one\r\n\r\n> earlier\r\n";

    #[test]
    fn reply_threads_quotes_and_answers_from_the_alias() {
        let d = reply(ORIGINAL, MessageId(7), &account(), ReplyKind::Sender);
        assert_eq!(d.from, "Me Myself <me@alias.org>");
        assert_eq!(d.to, "Ann <ann@y.org>");
        assert_eq!(d.cc, "");
        assert_eq!(d.subject, "Re: plans");
        assert_eq!(d.in_reply_to.as_deref(), Some("<m2@y.org>"));
        assert_eq!(d.references.as_deref(), Some("<m0@y.org> <m1@y.org> <m2@y.org>"));
        assert!(
            d.body.contains("On Mon, 2 Nov 2026 10:00:00 +0000, Ann wrote:\n> Line one\n>\n>> earlier\n"),
            "{}",
            d.body
        );
        assert_eq!(d.answers, Some(MessageId(7)));
    }

    #[test]
    fn reply_all_drops_own_addresses_and_duplicates() {
        let d = reply(ORIGINAL, MessageId(7), &account(), ReplyKind::All);
        assert_eq!(d.to, "Ann <ann@y.org>");
        assert_eq!(d.cc, "Bob <bob@y.org>, carl@y.org");
    }

    #[test]
    fn reply_to_is_honoured() {
        let raw = b"From: ann@y.org\r\nReply-To: list@y.org\r\nTo: me@x.org\r\nSubject: s\r\n\r\nb\r\n";
        let d = reply(raw, MessageId(1), &account(), ReplyKind::All);
        assert_eq!(d.to, "list@y.org");
        assert_eq!(d.cc, "");
        assert_eq!(d.from, "Me Myself <me@x.org>");
    }

    #[test]
    fn a_reply_to_ones_own_message_goes_to_its_recipients_or_back_to_oneself() {
        let raw = b"From: Me <me@x.org>\r\nTo: bob@y.org\r\nCc: me@alias.org, carl@y.org\r\nSubject: s\r\n\r\nb\r\n";
        let d = reply(raw, MessageId(1), &account(), ReplyKind::Sender);
        assert_eq!(d.to, "bob@y.org");
        let d = reply(raw, MessageId(1), &account(), ReplyKind::All);
        assert_eq!((d.to.as_str(), d.cc.as_str()), ("bob@y.org", "carl@y.org"));
        let to_self = b"From: me@x.org\r\nTo: me@alias.org\r\nSubject: note\r\n\r\nb\r\n";
        for kind in [ReplyKind::Sender, ReplyKind::All] {
            let d = reply(to_self, MessageId(1), &account(), kind);
            assert!(!d.to.is_empty(), "{kind:?}: nobody to reply to");
        }
        let only_cc = b"From: me@x.org\r\nTo: me@x.org\r\nCc: dan@y.org\r\nSubject: s\r\n\r\nb\r\n";
        let d = reply(only_cc, MessageId(1), &account(), ReplyKind::All);
        assert_eq!((d.to.as_str(), d.cc.as_str()), ("dan@y.org", ""));
    }

    #[test]
    fn forwards_inline_or_attached() {
        let d = forward(ORIGINAL, MessageId(3), &account(), false);
        assert_eq!(d.subject, "Fwd: Re: Re: plans");
        assert!(d.body.contains("---------- Forwarded message ----------") && d.body.contains("Line one"));
        let d = forward(ORIGINAL, MessageId(3), &account(), true);
        assert_eq!(d.attachments[0].content_type, "message/rfc822");
        assert_eq!(d.attachments[0].data, ORIGINAL);
        assert_eq!(d.forwards, Some(MessageId(3)));
    }
}
