//! The IMAP side: connecting securely, listing folders, headers-first sync and body fetches.

mod connect;
mod convert;
mod folders;
pub mod ops;
pub mod raw;
pub mod select;
mod sync;
pub mod tls;
mod utf7;

pub use connect::{ConnectInfo, Connection, check, connect};
pub use folders::{ListedFolder, Status, decode_name as decode_folder_name, list_folders};
pub use sync::{LocalState, SyncOutcome, SyncProgress, SyncSink, fetch_body, mark_seen, sync_folder};

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
    Imap(async_imap::error::Error),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{count} other messages in {folder} are marked deleted; not expunging (the server lacks UIDPLUS)")]
    OtherDeleted { folder: String, count: usize },
    #[error("the account worker stopped")]
    WorkerGone,
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
}

impl ImapError {
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
            Error::Io(io) => ImapError::Io(io),
            other => ImapError::Imap(other),
        }
    }
}

pub type Result<T> = std::result::Result<T, ImapError>;

/// Awaits `fut` for at most `secs` seconds, naming `what` in the timeout error.
pub(crate) async fn timed<T, E: Into<ImapError>>(
    secs: u64,
    what: &str,
    fut: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(std::time::Duration::from_secs(secs), fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(ImapError::Timeout { what: what.to_string(), secs }),
    }
}

/// The human text of a NO/BAD answer. async-imap formats it as
/// `code: Some(..), info: Some("text")`; this keeps the text (and the code when useful).
pub(crate) fn server_text(raw: &str) -> String {
    let info = raw
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.rsplit_once("\")"))
        .map(|(t, _)| t.replace("\\\"", "\""));
    crate::sanitize::line(info.as_deref().unwrap_or(raw))
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_text_is_extracted() {
        let raw = r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#;
        assert_eq!(super::server_text(raw), "[AUTHENTICATIONFAILED] Authentication failed.");
        assert_eq!(super::server_text("plain"), "plain");
    }
}
