//! Connecting to an IMAP server: implicit TLS or STARTTLS (never a silent fallback), then login.
//! Before login the server gets a total deadline and a byte budget, so a server that floods
//! or trickles untagged lines cannot hold the connection forever.

use super::guard::Guard;
use super::tls::{self, BoxedIo, TlsSettings};
use super::{ImapError, Result};
use crate::config::{ImapConfig, TlsMode};
use crate::secret::PasswordSource;
use async_imap::{Client, Session};
use std::collections::BTreeSet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An authenticated IMAP session with what the server said about itself.
pub struct Connection {
    pub session: Session<BoxedIo>,
    /// How it was made, to make it again (`reopen`).
    cfg: ImapConfig,
    password: PasswordSource,
    /// Capabilities after login, upper-cased.
    pub caps: BTreeSet<String>,
    pub timeout: u64,
    /// The folder now selected, so commands on it need no new SELECT.
    pub selected: Option<String>,
    /// The UIDVALIDITY of the selected folder.
    pub selected_validity: Option<u32>,
    /// QRESYNC has been enabled on this connection.
    pub qresync: bool,
}

impl Connection {
    pub fn has(&self, cap: &str) -> bool {
        self.caps.contains(&cap.to_ascii_uppercase())
    }

    /// Replaces a broken session by a new one (nothing is selected on it).
    pub async fn reopen(&mut self) -> Result<()> {
        *self = connect(&self.cfg, &self.password).await?;
        Ok(())
    }

    /// Logs out politely; errors are irrelevant at that point.
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), self.session.logout()).await;
    }
}

/// What `poste check` reports about a connection.
#[derive(Debug, Clone)]
pub struct ConnectInfo {
    pub tls: TlsMode,
    pub tls_version: Option<&'static str>,
    pub capabilities: Vec<String>,
}

fn settings(cfg: &ImapConfig) -> TlsSettings {
    TlsSettings { ca_file: cfg.ca_file.clone(), accept_invalid_certs: cfg.accept_invalid_certs }
}

/// What the server may send before login is done: greetings and capabilities are a few
/// kilobytes.
const PRE_LOGIN_BYTES: u64 = 256 * 1024;

/// Awaits `fut` for at most `secs` seconds in all, naming `what` when the time is up.
async fn deadline<T>(secs: u64, what: &str, fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(std::time::Duration::from_secs(secs), fut).await {
        Ok(r) => r,
        Err(_) => Err(ImapError::Timeout { what: what.to_string(), secs }),
    }
}

/// Reads one line (up to CRLF) a byte at a time, so nothing past it is consumed: after
/// STARTTLS, bytes a server sent early must not be mistaken for encrypted data. Each byte
/// comes out of `budget`.
async fn read_line(io: &mut BoxedIo, budget: &mut u64) -> Result<String> {
    let mut line = Vec::new();
    loop {
        let b = io.read_u8().await?;
        *budget = budget.checked_sub(1).ok_or_else(|| {
            ImapError::Protocol(format!("the server sent more than {PRE_LOGIN_BYTES} bytes before login was done"))
        })?;
        line.push(b);
        if line.ends_with(b"\r\n") || line.ends_with(b"\n") {
            return Ok(String::from_utf8_lossy(&line).trim_end().to_string());
        }
        if line.len() > 64 * 1024 {
            return Err(ImapError::Protocol("a pre-login line longer than 64 KiB".into()));
        }
    }
}

fn caps_from(text: &str) -> BTreeSet<String> {
    text.split_whitespace().map(|c| c.trim_end_matches(']').to_ascii_uppercase()).collect()
}

/// Sends a tagged command before login and collects its lines; returns capabilities seen
/// and the tagged status line.
async fn command(io: &mut BoxedIo, tag: &str, cmd: &str, budget: &mut u64) -> Result<(BTreeSet<String>, String)> {
    io.write_all(format!("{tag} {cmd}\r\n").as_bytes()).await?;
    io.flush().await?;
    let mut caps = BTreeSet::new();
    loop {
        let line = read_line(io, budget).await?;
        if let Some(rest) = line.strip_prefix("* CAPABILITY ") {
            caps = caps_from(rest);
        } else if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
            if let Some(i) = rest.find("[CAPABILITY ") {
                caps = caps_from(&rest[i + 12..rest[i..].find(']').map(|j| i + j).unwrap_or(rest.len())]);
            }
            return Ok((caps, super::quoted(rest)));
        }
    }
}

/// Reads the greeting and capabilities.
async fn greet(io: &mut BoxedIo, budget: &mut u64) -> Result<BTreeSet<String>> {
    let greeting = read_line(io, budget).await?;
    let upper = greeting.to_ascii_uppercase();
    if !(upper.starts_with("* OK") || upper.starts_with("* PREAUTH")) {
        return Err(ImapError::Greeting(super::quoted(&greeting)));
    }
    if let Some(i) = upper.find("[CAPABILITY ") {
        let end = upper[i..].find(']').map(|j| i + j).unwrap_or(upper.len());
        return Ok(caps_from(&greeting[i + 12..end]));
    }
    let (caps, status) = command(io, "P0", "CAPABILITY", budget).await?;
    if !status.to_ascii_uppercase().starts_with("OK") {
        return Err(ImapError::No { command: "CAPABILITY".into(), text: status });
    }
    Ok(caps)
}

/// Opens the transport as configured and returns it with the pre-login capabilities. The
/// caller bounds the time; `budget` bounds the bytes.
async fn open(cfg: &ImapConfig, tls13_only: bool, budget: &mut u64) -> Result<(BoxedIo, BTreeSet<String>)> {
    let addr = format!("{}:{}", cfg.host, cfg.port());
    let tcp = TcpStream::connect((cfg.host.as_str(), cfg.port()))
        .await
        .map_err(|source| ImapError::Connect { addr: addr.clone(), source })?;
    let _ = tcp.set_nodelay(true);
    let st = settings(cfg);
    match cfg.tls {
        TlsMode::Implicit => {
            let s = tls::wrap(&st, &cfg.host, tcp, tls13_only).await?;
            let mut io: BoxedIo = Box::new(s);
            let caps = greet(&mut io, budget).await?;
            Ok((io, caps))
        }
        TlsMode::Starttls => {
            let mut io: BoxedIo = Box::new(tcp);
            let caps = greet(&mut io, budget).await?;
            if !caps.contains("STARTTLS") {
                return Err(ImapError::NoStartTls);
            }
            let (_, status) = command(&mut io, "P1", "STARTTLS", budget).await?;
            if !status.to_ascii_uppercase().starts_with("OK") {
                return Err(ImapError::No { command: "STARTTLS".into(), text: status });
            }
            // Recover the TcpStream: the boxed plain stream is only ever a TcpStream here.
            let tcp = downcast_tcp(io)?;
            let s = tls::wrap(&st, &cfg.host, tcp, tls13_only).await?;
            let mut io: BoxedIo = Box::new(s);
            let (caps, status) = command(&mut io, "P2", "CAPABILITY", budget).await?;
            if !status.to_ascii_uppercase().starts_with("OK") {
                return Err(ImapError::No { command: "CAPABILITY".into(), text: status });
            }
            Ok((io, caps))
        }
        TlsMode::None => {
            let mut io: BoxedIo = Box::new(tcp);
            let caps = greet(&mut io, budget).await?;
            Ok((io, caps))
        }
    }
}

/// Connects and reads the greeting and capabilities, within `timeout_secs` in all.
async fn open_within(cfg: &ImapConfig, tls13_only: bool, budget: &mut u64) -> Result<(BoxedIo, BTreeSet<String>)> {
    let what = format!("connecting to {}:{} and reading its greeting", cfg.host, cfg.port());
    deadline(cfg.timeout_secs, &what, open(cfg, tls13_only, budget)).await
}

fn downcast_tcp(io: BoxedIo) -> Result<TcpStream> {
    let any: Box<dyn std::any::Any> = io.into_any();
    any.downcast::<TcpStream>().map(|b| *b).map_err(|_| ImapError::Protocol("internal: not a TCP stream".into()))
}

/// SASL PLAIN: authorization id empty, then user and password.
struct Plain<'a> {
    user: &'a str,
    pass: &'a str,
}

impl async_imap::Authenticator for Plain<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.user, self.pass).into_bytes()
    }
}

/// Connects, secures and logs in as configured.
pub async fn connect(cfg: &ImapConfig, password: &PasswordSource) -> Result<Connection> {
    let mut budget = PRE_LOGIN_BYTES;
    let (io, pre_caps) = open_within(cfg, false, &mut budget).await?;
    if cfg.tls == TlsMode::None && !cfg.allow_plaintext_auth {
        return Err(ImapError::PlaintextRefused);
    }
    let pass = password.resolve_within(cfg.timeout_secs).await?;
    let secs = cfg.timeout_secs;
    let (guard, budget) = Guard::new(io, secs, budget);
    let client = Client::new(Box::new(guard) as BoxedIo);
    let login = async {
        let mut session = if pre_caps.contains("AUTH=PLAIN") {
            client
                .authenticate("PLAIN", Plain { user: &cfg.username, pass: &pass })
                .await
                .map_err(|(e, _)| auth_error(e))?
        } else if pre_caps.contains("LOGINDISABLED") {
            return Err(ImapError::NoAuthMethod);
        } else {
            client.login(&cfg.username, &pass).await.map_err(|(e, _)| auth_error(e))?
        };
        let caps = session.capabilities().await?;
        Ok((session, caps))
    };
    let (session, caps) = deadline(secs, "logging in", login).await?;
    budget.lift();
    let caps = caps
        .iter()
        .map(|c| match c {
            async_imap::types::Capability::Imap4rev1 => "IMAP4REV1".to_string(),
            async_imap::types::Capability::Auth(a) => format!("AUTH={}", a.to_ascii_uppercase()),
            async_imap::types::Capability::Atom(a) => a.to_ascii_uppercase(),
        })
        .collect();
    let mut caps: BTreeSet<String> = caps;
    for ignored in &cfg.ignore_capabilities {
        caps.remove(&ignored.to_ascii_uppercase());
    }
    Ok(Connection {
        session,
        cfg: cfg.clone(),
        password: password.clone(),
        caps,
        timeout: secs,
        selected: None,
        selected_validity: None,
        qresync: false,
    })
}

fn auth_error(e: async_imap::error::Error) -> ImapError {
    match e {
        async_imap::error::Error::No(t) | async_imap::error::Error::Bad(t) => ImapError::Auth(super::server_text(&t)),
        other => other.into(),
    }
}

/// Connects and reports what `poste check` shows: TLS mode and version, capabilities.
pub async fn check(cfg: &ImapConfig, password: &PasswordSource) -> Result<(Connection, ConnectInfo)> {
    let conn = connect(cfg, password).await?;
    let tls_version = match cfg.tls {
        TlsMode::None => None,
        _ => Some(match open_within(cfg, true, &mut { PRE_LOGIN_BYTES }).await {
            Ok(_) => "TLS 1.3",
            Err(_) => "TLS 1.2",
        }),
    };
    let info = ConnectInfo { tls: cfg.tls, tls_version, capabilities: conn.caps.iter().cloned().collect() };
    Ok((conn, info))
}
