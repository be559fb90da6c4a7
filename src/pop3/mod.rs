//! A POP3 client (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595, AUTH PLAIN from
//! RFC 5034) on tokio, over TLS by default, with a timeout on every read, a deadline on the
//! steps before login, and limits on protocol line length and on answer size.

mod client;
mod lines;

pub use client::{Pop3, Settings, connect};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Pop3Error {
    #[error("cannot connect to {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("{0}")]
    Tls(#[from] crate::imap::tls::TlsError),
    #[error("timed out after {secs} s while {what}")]
    Timeout { what: String, secs: u64 },
    #[error("the server closed the connection")]
    Closed,
    #[error("the server answered {command} with: -ERR {text}")]
    Err { command: String, text: String },
    #[error("the server sent a line longer than {0} bytes")]
    LineTooLong(usize),
    #[error("the server sent more than the limit of {0} bytes for one answer")]
    TooLarge(u64),
    #[error("the server does not offer STLS, and tls = \"starttls\" never falls back to plain text")]
    NoStls,
    #[error(
        "refusing to send the password over an unencrypted connection (tls = \"none\"): anyone on \
         the network path could read it; use tls = \"implicit\" or \"starttls\", or set \
         allow_plaintext_auth = true if you accept that risk"
    )]
    PlaintextRefused,
    #[error("apop = true, but the server's greeting offers no APOP timestamp; remove apop for this account")]
    NoApop,
    #[error("the server sent data right after agreeing to STLS, before the TLS handshake")]
    StlsInjection,
    #[error("unexpected server response: {0}")]
    Protocol(String),
    #[error("login failed: {0}")]
    Auth(String),
    #[error("password: {0}")]
    Secret(#[from] crate::secret::SecretError),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("writing the downloaded message: {0}")]
    Sink(std::io::Error),
}

impl Pop3Error {
    /// True when a retry later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Pop3Error::Connect { .. } | Pop3Error::Timeout { .. } | Pop3Error::Closed | Pop3Error::Io(_))
            || matches!(self, Pop3Error::Tls(crate::imap::tls::TlsError::Handshake { .. }))
    }

    /// True when the server refused the login, or the password could not be had: trying
    /// again by itself would only repeat it (and get the account locked).
    pub fn is_login(&self) -> bool {
        matches!(self, Pop3Error::Auth(_) | Pop3Error::Secret(_))
    }
}

pub type Result<T> = std::result::Result<T, Pop3Error>;

#[cfg(test)]
mod tests;
