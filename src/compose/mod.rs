//! Composing: a draft (headers, body, attachments), made new, as a reply or a forward, or
//! from a `mailto:` URL; edited as a text file; built into an RFC 5322 message with lettre;
//! kept on disk while it is written. Nothing here touches the network or the terminal.

pub mod autosave;
mod build;
mod editor_file;
mod mailto;
mod reply;

pub use build::{Built, ComposeError, build, parse_draft, without_bcc};
pub use editor_file::{parse_editor_text, to_editor_text, written_by_poste};
pub use mailto::parse_mailto;
pub use reply::{ReplyKind, forward, identity, reply};

use crate::model::MessageId;

/// The editor to write in: the config's `editor` when it is set (as mutt's `set editor`
/// beats the environment), else `$VISUAL`, else `$EDITOR`; None means the built-in one
/// (nothing set, or `editor = "builtin"`).
pub fn editor_command(configured: Option<&str>) -> Option<String> {
    editor_from(configured, |k| std::env::var(k).ok())
}

fn editor_from(configured: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    set(configured.map(str::to_string))
        .or_else(|| set(env("VISUAL")))
        .or_else(|| set(env("EDITOR")))
        .filter(|e| e.trim() != "builtin")
}

/// A file carried by a message, in memory: its name, MIME type and exact bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl Attachment {
    /// Reads a file to attach; its type is guessed from its name.
    pub fn from_file(path: &std::path::Path) -> Result<Attachment, ComposeError> {
        let data = std::fs::read(path)
            .map_err(|e| ComposeError::Attachment { path: path.display().to_string(), text: e.to_string() })?;
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "attachment".into());
        let content_type = mime_guess::from_path(path).first_or_octet_stream().essence_str().to_string();
        Ok(Attachment { name, content_type, data })
    }
}

/// A message being written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    /// `Name <address>` of the sending identity.
    pub from: String,
    /// Comma-separated address lists, as the user writes them.
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    /// Other headers the user wrote (Reply-To, X-Whatever...), in order: name, value.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// `<id>` of the message replied to, and the References chain.
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    /// Kept across saves of the same draft, so a saved draft replaces the one before.
    pub message_id: Option<String>,
    /// The stored message this answers or forwards, to flag it once sent.
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
}

/// The Outbox entry for a built draft, ready to send.
pub fn outgoing(d: &Draft, built: Built) -> crate::store::outbox::Outgoing {
    let mut m = crate::store::outbox::Outgoing::new(built.envelope, d.subject.clone(), built.sent, built.saved);
    m.answers = d.answers;
    m.forwards = d.forwards;
    m
}

/// `Name <address>`, or the bare address without a name.
pub fn mailbox(name: Option<&str>, address: &str) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) if n.contains([',', '<', '>', '"', '@', ';', ':']) => {
            format!("\"{}\" <{address}>", n.replace('\\', "\\\\").replace('"', "\\\""))
        }
        Some(n) => format!("{n} <{address}>"),
        None => address.to_string(),
    }
}

/// The subject of a reply: `Re: ` once, however many the original had.
pub fn reply_subject(subject: &str) -> String {
    format!("Re: {}", strip_prefixes(subject, &["re"]))
}

/// The subject of a forward: `Fwd: ` once.
pub fn forward_subject(subject: &str) -> String {
    format!("Fwd: {}", strip_prefixes(subject, &["fwd", "fw"]))
}

fn strip_prefixes<'a>(subject: &'a str, words: &[&str]) -> &'a str {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let Some(word) = words.iter().find(|w| lower.starts_with(*w) && lower[w.len()..].trim_start().starts_with(':'))
        else {
            return s;
        };
        let rest = s[word.len()..].trim_start();
        s = rest[1..].trim_start();
    }
}

/// The domain of an address, for Message-IDs.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d.trim_end_matches('>')).filter(|d| !d.is_empty()).unwrap_or("localhost")
}

/// A new Message-ID on `domain`: time, process and a per-process random part.
pub fn new_message_id(domain: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(now.as_nanos());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("<{}.{:016x}.{}@{domain}>", now.as_secs(), h.finish(), std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_do_not_stack() {
        assert_eq!(reply_subject("Re: Re: lunch"), "Re: lunch");
        assert_eq!(reply_subject("RE : lunch"), "Re: lunch");
        assert_eq!(reply_subject("lunch"), "Re: lunch");
        assert_eq!(reply_subject("Regarding: x"), "Re: Regarding: x");
        assert_eq!(forward_subject("Fwd: FW: report"), "Fwd: report");
        assert_eq!(forward_subject("Re: report"), "Fwd: Re: report");
    }

    #[test]
    fn mailboxes_quote_what_needs_it() {
        assert_eq!(mailbox(Some("Ann Lee"), "ann@x.org"), "Ann Lee <ann@x.org>");
        assert_eq!(mailbox(Some("Lee, Ann"), "ann@x.org"), "\"Lee, Ann\" <ann@x.org>");
        assert_eq!(mailbox(None, "ann@x.org"), "ann@x.org");
        assert!(new_message_id("x.org").ends_with("@x.org>"));
        assert_ne!(new_message_id("x.org"), new_message_id("x.org"));
    }
}

#[cfg(test)]
mod editor_tests {
    use super::editor_from;

    #[test]
    fn the_configured_editor_comes_before_the_environment() {
        let env = |k: &str| match k {
            "VISUAL" => Some("vis".to_string()),
            "EDITOR" => Some("ed".to_string()),
            _ => None,
        };
        assert_eq!(editor_from(Some("nano"), env), Some("nano".into()));
        assert_eq!(editor_from(Some("builtin"), env), None);
        assert_eq!(editor_from(None, env), Some("vis".into()));
        assert_eq!(editor_from(Some(" "), |k: &str| (k == "EDITOR").then(|| "ed".to_string())), Some("ed".into()));
        assert_eq!(editor_from(None, |_: &str| None), None);
    }
}
