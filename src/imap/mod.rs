//! The IMAP side: connecting securely, listing folders, headers-first sync and body fetches.

mod connect;
mod convert;
mod folders;
mod guard;
mod nesting;
pub mod ops;
pub mod raw;
pub mod select;
mod sync;
pub mod tls;
mod utf7;

pub use connect::{ConnectInfo, Connection, check, connect};
pub use folders::{ListedFolder, Status, decode_name as decode_folder_name, list_folders};
pub use sync::{LocalState, SyncOutcome, SyncProgress, SyncSink, fetch_bodies, fetch_body, sync_folder};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ImapError {
    #[error("cannot connect to {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("{0}")]
    Tls(#[from] tls::TlsError),
    #[error("timed out after {secs} s while {what}")]
    Timeout { what: String, secs: u64 },
    #[error("the server does not offer STARTTLS, and tls = \"starttls\" never falls back to plain text")]
    NoStartTls,
    #[error(
        "refusing to send the password over an unencrypted connection (tls = \"none\"): anyone on \
         the network path could read it; use tls = \"implicit\" or \"starttls\", or set \
         allow_plaintext_auth = true if you accept that risk"
    )]
    PlaintextRefused,
    #[error("the server forbids LOGIN (LOGINDISABLED) and offers no AUTH=PLAIN")]
    NoAuthMethod,
    #[error("login failed: {0}")]
    Auth(String),
    #[error("the server greeted with: {0}")]
    Greeting(String),
    #[error("the server closed the connection")]
    Closed,
    #[error("unexpected server response: {0}")]
    Protocol(String),
    #[error("password: {0}")]
    Secret(#[from] crate::secret::SecretError),
    #[error("the server answered {command} with: {text}")]
    No { command: String, text: String },
    #[error("the server refused: {0}")]
    Refused(String),
    #[error("IMAP: {0}")]
    Imap(String),
    #[error("the server's answer nests parentheses more than {0} deep; poste does not parse it")]
    TooDeep(usize),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{count} other messages in {folder} are marked deleted; not expunging (the server lacks UIDPLUS)")]
    OtherDeleted { folder: String, count: usize },
    #[error("the account worker stopped")]
    WorkerGone,
    #[error("network: {0}")]
    Io(std::io::Error),
}

impl ImapError {
    /// True when the server refused the login, or the password could not be had: trying
    /// again by itself would only repeat it (and get the account locked).
    pub fn is_login(&self) -> bool {
        matches!(self, ImapError::Auth(_) | ImapError::NoAuthMethod | ImapError::Secret(_))
    }

    /// True when the failure is about the connection, so a retry later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ImapError::Connect { .. }
                | ImapError::Timeout { .. }
                | ImapError::Closed
                | ImapError::Io(_)
                | ImapError::Tls(tls::TlsError::Handshake { .. })
        )
    }
}

impl From<async_imap::error::Error> for ImapError {
    fn from(e: async_imap::error::Error) -> Self {
        use async_imap::error::Error;
        match e {
            Error::No(t) | Error::Bad(t) => ImapError::Refused(server_text(&t)),
            Error::ConnectionLost => ImapError::Closed,
            Error::Io(io) => io.into(),
            other => ImapError::Imap(quoted(&other.to_string())),
        }
    }
}

impl From<std::io::Error> for ImapError {
    /// What the connection's guard refused becomes its own error; any other I/O error
    /// keeps at most a few hundred bytes of its text (a parse error quotes the response).
    fn from(e: std::io::Error) -> Self {
        match guard::GuardError::of(&e) {
            Some(guard::GuardError::Silent(secs)) => {
                ImapError::Timeout { what: "waiting for the server".into(), secs: *secs }
            }
            Some(guard::GuardError::TooDeep(n)) => ImapError::TooDeep(*n),
            Some(guard::GuardError::Flood(_)) => ImapError::Protocol(e.to_string()),
            None if e.kind() == std::io::ErrorKind::UnexpectedEof => ImapError::Closed,
            None => {
                let text = e.to_string();
                if text.len() > MAX_QUOTE {
                    ImapError::Io(std::io::Error::new(e.kind(), quoted(&text)))
                } else {
                    ImapError::Io(e)
                }
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, ImapError>;

/// Awaits `fut`, a command on a logged-in connection, naming `what` when the connection
/// times out. The connection's guard times silence, not the whole command, so there is no
/// deadline here: a 25 MiB APPEND or FETCH at a slow rate goes through. (`secs` is the
/// connection's timeout, for the message.)
pub(crate) async fn timed<T, E: Into<ImapError>>(
    secs: u64,
    what: &str,
    fut: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    fut.await.map_err(|e| match e.into() {
        ImapError::Timeout { .. } => ImapError::Timeout { what: what.to_string(), secs },
        e => e,
    })
}

/// How much of what a server sent an error quotes.
pub(crate) const MAX_QUOTE: usize = 300;

/// Server text for an error: at most `MAX_QUOTE` bytes of it (cut on a character
/// boundary, saying how long it was), made safe to show.
pub(crate) fn quoted(text: &str) -> String {
    let text = without_timing(text);
    if text.len() <= MAX_QUOTE {
        return crate::sanitize::line(text);
    }
    let mut cut = MAX_QUOTE;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes in all)", crate::sanitize::line(&text[..cut]), text.len())
}

/// Dovecot ends its answers with how long they took, `(0.001 + 0.000 secs).`: no words for
/// the user.
fn without_timing(text: &str) -> &str {
    let t = text.trim_end();
    if let Some(open) = t.rfind(" (")
        && (t.ends_with(" secs).") || t.ends_with(" secs)"))
        && t[open + 2..].chars().all(|c| c.is_ascii_digit() || " .+secs)".contains(c))
    {
        return &t[..open];
    }
    text
}

/// The human text of a NO/BAD answer. async-imap formats it as
/// `code: Some(..), info: Some("text")`; this keeps the text (and the code when useful).
pub(crate) fn server_text(raw: &str) -> String {
    let raw = &raw[..floor_boundary(raw, 4 * MAX_QUOTE)];
    let info = raw
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.rsplit_once("\")"))
        .map(|(t, _)| t.replace("\\\"", "\""));
    quoted(info.as_deref().unwrap_or(raw))
}

/// The largest character boundary of `s` at or below `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    #[test]
    fn dovecots_timing_is_left_out() {
        assert_eq!(
            super::quoted("Mailbox doesn't exist: Proj (0.005 + 0.000 + 0.007 secs)."),
            "Mailbox doesn't exist: Proj"
        );
        assert_eq!(super::quoted("Done (in 3 secs) here"), "Done (in 3 secs) here");
    }

    #[test]
    fn server_text_is_extracted() {
        let raw = r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#;
        assert_eq!(super::server_text(raw), "[AUTHENTICATIONFAILED] Authentication failed.");
        assert_eq!(super::server_text("plain"), "plain");
    }

    #[test]
    fn server_text_in_errors_is_bounded() {
        let huge = format!("code: None, info: Some(\"{}\")", "é".repeat(10_000_000));
        let t = super::server_text(&huge);
        assert!(t.len() < 2 * super::MAX_QUOTE, "{}", t.len());
        let e: super::ImapError = std::io::Error::other("x".repeat(20 << 20)).into();
        let shown = e.to_string();
        assert!(shown.len() < 2 * super::MAX_QUOTE && shown.contains("20971520 bytes in all"), "{}", &shown[..100]);
    }
}
