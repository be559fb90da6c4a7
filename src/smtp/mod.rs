//! Sending over SMTP (lettre on tokio with native-tls): implicit TLS or required STARTTLS,
//! AUTH PLAIN or LOGIN only over TLS (unless allowed), and errors that name their cause and
//! say whether a later try may pass.

use crate::config::{SmtpSettings, TlsMode};
use crate::secret::PasswordSource;
use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SmtpError {
    #[error("cannot reach {addr}: {text}")]
    Connect { addr: String, text: String },
    #[error("TLS with {host} failed: {text}")]
    Tls { host: String, text: String },
    #[error("the server does not offer STARTTLS, and tls = \"starttls\" never sends in plain text")]
    NoStarttls,
    #[error(
        "refusing to send the password over an unencrypted connection (tls = \"none\"); use \
         tls = \"implicit\" or \"starttls\", or set allow_plaintext_auth = true in [accounts.smtp]"
    )]
    PlaintextRefused,
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("the server rejected the sender {from}: {text}")]
    Sender { from: String, text: String, transient: bool },
    #[error("the server rejected the recipient {rcpt}: {text}")]
    Recipient { rcpt: String, text: String, transient: bool },
    #[error("the message is too large for the server: {0}")]
    TooLarge(String),
    #[error("the server refused the message: {text}")]
    Refused { text: String, transient: bool },
    #[error("not a valid address: {0}")]
    Address(String),
    #[error("the message has no recipients")]
    NoRecipients,
    #[error("the message was taken out of the Outbox before it went")]
    Cancelled,
    #[error("password: {0}")]
    Secret(#[from] crate::secret::SecretError),
    #[error("the connection failed: {0}")]
    Network(String),
    /// The message went to the server, but no answer came: it may have been taken.
    #[error("the connection failed while the server was taking the message ({0})")]
    Unconfirmed(String),
    #[error("the server did not answer within {secs} s while {what}")]
    Timeout { what: String, secs: u64 },
}

impl SmtpError {
    /// True when the same message may go through later (a connection problem, a 4xx).
    pub fn is_transient(&self) -> bool {
        match self {
            SmtpError::Connect { .. } | SmtpError::Network(_) | SmtpError::Timeout { .. } => true,
            SmtpError::Sender { transient, .. }
            | SmtpError::Recipient { transient, .. }
            | SmtpError::Refused { transient, .. } => *transient,
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, SmtpError>;

/// A step of the conversation, bounded in time: a server that stops answering is an error,
/// never a hang.
async fn step<T>(secs: u64, what: &str, f: impl std::future::Future<Output = T>) -> Result<T> {
    tokio::time::timeout(Duration::from_secs(secs), f).await.map_err(|_| SmtpError::Timeout { what: what.into(), secs })
}

/// Ends the conversation without sending (QUIT, bounded in time).
async fn abort(conn: &mut AsyncSmtpConnection, secs: u64) {
    let _ = tokio::time::timeout(Duration::from_secs(secs), conn.abort()).await;
}

/// The envelope: who the server reports failures to, and who gets the message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Envelope {
    pub from: String,
    pub to: Vec<String>,
}

fn parse(addr: &str) -> Result<Address> {
    addr.trim().parse().map_err(|_| SmtpError::Address(crate::imap::quoted(addr)))
}

/// What a negative answer at one step of the conversation means; at most a few hundred
/// bytes of the server's text.
fn refused(e: &lettre::transport::smtp::Error) -> (String, bool) {
    (crate::imap::quoted(&e.to_string()), e.is_transient())
}

fn network(e: lettre::transport::smtp::Error) -> SmtpError {
    if e.is_transient() || e.is_permanent() {
        let (text, transient) = refused(&e);
        SmtpError::Refused { text, transient }
    } else {
        SmtpError::Network(crate::imap::quoted(&e.to_string()))
    }
}

/// Connects, starts TLS as configured and logs in: a connection ready for a message, and
/// the seconds each step may take.
async fn open(s: &SmtpSettings, password: Option<&PasswordSource>) -> Result<(AsyncSmtpConnection, u64)> {
    let mut params = TlsParameters::builder(s.host.clone()).dangerous_accept_invalid_certs(s.accept_invalid_certs);
    if let Some(ca) = &s.ca_file {
        let pem = std::fs::read(ca).map_err(|e| SmtpError::Tls {
            host: s.host.clone(),
            text: format!("cannot read ca_file {}: {e}", ca.display()),
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| SmtpError::Tls {
            host: s.host.clone(),
            text: format!("ca_file {} is not a PEM certificate: {e}", ca.display()),
        })?;
        params = params.add_root_certificate(cert);
    }
    let tls_error = |e: lettre::transport::smtp::Error| SmtpError::Tls { host: s.host.clone(), text: error_chain(&e) };
    let params = params.build_native().map_err(tls_error)?;
    let addr = format!("{}:{}", s.host, s.port);
    let secs = s.timeout_secs.max(1);
    let timeout = Some(Duration::from_secs(secs));
    let hello = ClientId::default();
    let implicit = (s.tls == TlsMode::Implicit).then(|| params.clone());
    let connecting = format!("connecting to {addr} and reading its greeting");
    let mut conn = step(
        secs,
        &connecting,
        AsyncSmtpConnection::connect_tokio1((s.host.as_str(), s.port), timeout, &hello, implicit, None),
    )
    .await?
    .map_err(|e| {
        let mut text = error_chain(&e);
        if s.tls == TlsMode::Implicit && text.contains("wrong version number") {
            // a TLS hello answered in plain text: a STARTTLS port
            text.push_str(" (the server answered in plain text: this port may want tls = \"starttls\")");
        }
        if e.is_tls() {
            SmtpError::Tls { host: s.host.clone(), text }
        } else {
            SmtpError::Connect { addr: addr.clone(), text }
        }
    })?;
    if s.tls == TlsMode::Starttls {
        if !conn.can_starttls() {
            abort(&mut conn, secs).await;
            return Err(SmtpError::NoStarttls);
        }
        step(secs, "starting TLS", conn.starttls(params, &hello)).await?.map_err(tls_error)?;
    }
    if let Some(user) = &s.username {
        if s.tls == TlsMode::None && !s.allow_plaintext_auth {
            abort(&mut conn, secs).await;
            return Err(SmtpError::PlaintextRefused);
        }
        let Some(pw) = password else {
            return Err(SmtpError::Auth("no password_command or password for sending".into()));
        };
        let pass = pw.resolve().await?;
        let creds = Credentials::new(user.clone(), pass);
        step(secs, "logging in", conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds))
            .await?
            .map_err(|e| SmtpError::Auth(error_chain(&e)))?;
    }
    Ok((conn, secs))
}

/// What `poste check` tells of an SMTP server it logged in to.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The name in the server's greeting.
    pub server: String,
    /// The extensions poste knows that the server offers (after TLS).
    pub extensions: Vec<String>,
}

/// Connects, starts TLS and logs in as sending would, then says goodbye: no message goes.
pub async fn check(s: &SmtpSettings, password: Option<&PasswordSource>) -> Result<Checked> {
    let (mut conn, secs) = open(s, password).await?;
    let info = conn.server_info();
    let known = [
        Extension::EightBitMime,
        Extension::SmtpUtfEight,
        Extension::StartTls,
        Extension::Authentication(Mechanism::Plain),
        Extension::Authentication(Mechanism::Login),
        Extension::Authentication(Mechanism::Xoauth2),
    ];
    let extensions = known.into_iter().filter(|e| info.supports_feature(*e)).map(|e| e.to_string()).collect();
    let checked = Checked { server: crate::imap::quoted(info.name()), extensions };
    let _ = tokio::time::timeout(Duration::from_secs(secs), conn.quit()).await;
    Ok(checked)
}

/// Sends one message. `before_data` runs when every recipient has been accepted, just
/// before the message itself goes: from then on the server may have taken it even if no
/// answer comes back, which is `SmtpError::Unconfirmed`. When it answers false (the
/// message was discarded meanwhile), nothing goes: `SmtpError::Cancelled`.
pub async fn send(
    s: &SmtpSettings,
    password: Option<&PasswordSource>,
    envelope: &Envelope,
    raw: &[u8],
    before_data: impl std::future::Future<Output = bool>,
) -> Result<()> {
    let from = parse(&envelope.from)?;
    let to = envelope.to.iter().map(|a| parse(a)).collect::<Result<Vec<_>>>()?;
    if to.is_empty() {
        return Err(SmtpError::NoRecipients);
    }
    let (mut conn, secs) = open(s, password).await?;
    let mut options = Vec::new();
    if !raw.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if let Err(e) = step(secs, "giving the sender", conn.command(Mail::new(Some(from), options))).await? {
        let (text, transient) = refused(&e);
        abort(&mut conn, secs).await;
        if text.contains("552") || text.to_ascii_lowercase().contains("size") {
            return Err(SmtpError::TooLarge(text));
        }
        return Err(SmtpError::Sender { from: envelope.from.clone(), text, transient });
    }
    for (rcpt, addr) in to.into_iter().zip(&envelope.to) {
        if let Err(e) = step(secs, "giving a recipient", conn.command(Rcpt::new(rcpt, vec![]))).await? {
            let (text, transient) = refused(&e);
            abort(&mut conn, secs).await;
            return Err(SmtpError::Recipient { rcpt: addr.clone(), text, transient });
        }
    }
    if !before_data.await {
        abort(&mut conn, secs).await;
        return Err(SmtpError::Cancelled);
    }
    step(secs, "starting the message (DATA)", conn.command(Data)).await?.map_err(network)?;
    // the message itself may take a while on a slow link: its time grows with its size
    let transfer = secs + (raw.len() as u64 >> 15);
    let sent = match tokio::time::timeout(Duration::from_secs(transfer), conn.message(raw)).await {
        Ok(r) => r,
        Err(_) => {
            return Err(SmtpError::Unconfirmed(format!("no answer within {transfer} s")));
        }
    };
    match sent {
        Ok(_) => {
            let _ = tokio::time::timeout(Duration::from_secs(secs), conn.quit()).await;
            Ok(())
        }
        Err(e) => {
            let (text, transient) = refused(&e);
            if text.contains("552") {
                Err(SmtpError::TooLarge(text))
            } else if e.is_transient() || e.is_permanent() {
                Err(SmtpError::Refused { text, transient })
            } else {
                Err(SmtpError::Unconfirmed(text))
            }
        }
    }
}

/// An error with its sources, for the user, quoting at most a few hundred bytes.
fn error_chain(e: &dyn std::error::Error) -> String {
    crate::imap::quoted(&full_chain(e))
}

fn full_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
