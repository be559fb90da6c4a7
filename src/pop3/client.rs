//! The POP3 session: greeting, CAPA, STLS or implicit TLS, login, and the mailbox commands.

use super::lines::{Limit, multiline, multiline_to, status};
use super::{Pop3Error, Result};
use crate::config::TlsMode;
use crate::imap::tls::{self, BoxedIo, TlsSettings};
use crate::secret::PasswordSource;
use base64::Engine;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How to reach and log in to a POP3 server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: String,
    pub tls_settings: TlsSettings,
    pub allow_plaintext_auth: bool,
    pub timeout_secs: u64,
    /// The largest message RETR or TOP will hold.
    pub max_message_bytes: usize,
    /// Log in with APOP; the greeting must offer it.
    pub apop: bool,
}

impl Settings {
    /// The settings of an account's `[accounts.pop3]` table.
    pub fn from_config(cfg: &crate::config::Pop3Config, max_message_bytes: usize) -> Settings {
        Settings {
            host: cfg.host.clone(),
            port: cfg.port(),
            tls: cfg.tls,
            username: cfg.username.clone(),
            tls_settings: TlsSettings { ca_file: cfg.ca_file.clone(), accept_invalid_certs: cfg.accept_invalid_certs },
            allow_plaintext_auth: cfg.allow_plaintext_auth,
            timeout_secs: cfg.timeout_secs,
            max_message_bytes,
            apop: cfg.apop,
        }
    }
}

/// A logged-in POP3 session.
pub struct Pop3 {
    io: BufReader<BoxedIo>,
    /// CAPA lines after login, upper-cased; empty without CAPA.
    pub caps: Vec<String>,
    secs: u64,
    max: usize,
}

async fn timed<T>(secs: u64, what: &str, fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::time::timeout(std::time::Duration::from_secs(secs), fut)
        .await
        .unwrap_or_else(|_| Err(Pop3Error::Timeout { what: what.to_string(), secs }))
}

async fn send(io: &mut BufReader<BoxedIo>, line: &str) -> Result<()> {
    let w = io.get_mut();
    w.write_all(line.as_bytes()).await?;
    w.write_all(b"\r\n").await?;
    w.flush().await?;
    Ok(())
}

/// CAPA lines, upper-cased; None when the server does not know CAPA (RFC 1939 servers).
async fn capa(io: &mut BufReader<BoxedIo>, secs: u64) -> Result<Option<Vec<String>>> {
    send(io, "CAPA").await?;
    match status(io, "CAPA", secs).await {
        Ok(_) => {
            let data = multiline(io, Limit::protocol(64 * 1024), secs).await?;
            Ok(Some(String::from_utf8_lossy(&data).lines().map(|l| l.trim().to_ascii_uppercase()).collect()))
        }
        Err(Pop3Error::Err { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether a CAPA line starts with `word` (and, when given, lists `arg` after it).
fn has(caps: &[String], word: &str, arg: Option<&str>) -> bool {
    caps.iter().any(|l| {
        let mut w = l.split_whitespace();
        w.next() == Some(word) && arg.is_none_or(|a| w.any(|x| x == a))
    })
}

/// Connects, secures the connection as configured, and logs in. The steps before the
/// password and the login each have `timeout_secs` in all, so a server that trickles or
/// floods its greeting or capabilities cannot hold the connection.
pub async fn connect(s: &Settings, password: &PasswordSource) -> Result<Pop3> {
    let secs = s.timeout_secs;
    let what = format!("connecting to {}:{} and reading its greeting", s.host, s.port);
    let (mut io, stamp, caps) = timed(secs, &what, open(s)).await?;
    if s.tls == TlsMode::None && !s.allow_plaintext_auth {
        return Err(Pop3Error::PlaintextRefused);
    }
    if s.apop && stamp.is_none() {
        return Err(Pop3Error::NoApop);
    }
    let pass = password.resolve_within(secs).await?;
    let caps = timed(secs, "logging in", login(&mut io, s, &pass, stamp.as_deref(), caps)).await?;
    Ok(Pop3 { io, caps, secs, max: s.max_message_bytes })
}

/// The connection, secured as configured, with the greeting's APOP timestamp and the
/// capabilities before login.
async fn open(s: &Settings) -> Result<(BufReader<BoxedIo>, Option<String>, Vec<String>)> {
    let secs = s.timeout_secs;
    let addr = format!("{}:{}", s.host, s.port);
    let tcp = TcpStream::connect((s.host.as_str(), s.port))
        .await
        .map_err(|source| Pop3Error::Connect { addr: addr.clone(), source })?;
    let _ = tcp.set_nodelay(true);
    let mut io: BufReader<BoxedIo> = match s.tls {
        TlsMode::Implicit => BufReader::new(Box::new(tls::wrap(&s.tls_settings, &s.host, tcp, false).await?)),
        _ => BufReader::new(Box::new(tcp)),
    };
    let greeting = status(&mut io, "the greeting", secs).await?;
    // the APOP timestamp of the greeting (RFC 1939 §7), e.g. <1896.697170952@dbc.mtview.ca.us>
    let stamp = greeting
        .find('<')
        .and_then(|a| greeting[a..].find('>').map(|b| greeting[a..a + b + 1].to_string()))
        .filter(|t| t.contains('@'));
    let mut caps = capa(&mut io, secs).await?.unwrap_or_default();
    if s.tls == TlsMode::Starttls {
        if !has(&caps, "STLS", None) {
            return Err(Pop3Error::NoStls);
        }
        send(&mut io, "STLS").await?;
        status(&mut io, "STLS", secs).await?;
        // nothing may be waiting before the handshake: it would be unencrypted injected data
        if !io.buffer().is_empty() {
            return Err(Pop3Error::StlsInjection);
        }
        let tcp = io
            .into_inner()
            .into_any()
            .downcast::<TcpStream>()
            .map_err(|_| Pop3Error::Protocol("internal: not a TCP stream".into()))?;
        io = BufReader::new(Box::new(tls::wrap(&s.tls_settings, &s.host, *tcp, false).await?));
        caps = capa(&mut io, secs).await?.unwrap_or_default();
    }
    Ok((io, stamp, caps))
}

/// Logs in (APOP, AUTH PLAIN or USER/PASS); returns the capabilities after login.
async fn login(
    io: &mut BufReader<BoxedIo>,
    s: &Settings,
    pass: &str,
    stamp: Option<&str>,
    caps: Vec<String>,
) -> Result<Vec<String>> {
    let secs = s.timeout_secs;
    if let (true, Some(stamp)) = (s.apop, stamp) {
        use md5::Digest;
        let digest = md5::Md5::digest(format!("{stamp}{pass}").as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        send(io, &format!("APOP {} {hex}", s.username)).await?;
        status(io, "APOP", secs).await.map_err(login_error)?;
    } else if has(&caps, "SASL", Some("PLAIN")) {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("\0{}\0{}", s.username, pass));
        send(io, &format!("AUTH PLAIN {token}")).await?;
        status(io, "AUTH PLAIN", secs).await.map_err(login_error)?;
    } else {
        send(io, &format!("USER {}", s.username)).await?;
        status(io, "USER", secs).await.map_err(login_error)?;
        send(io, &format!("PASS {pass}")).await?;
        status(io, "PASS", secs).await.map_err(login_error)?;
    }
    // capabilities can change after login
    Ok(capa(io, secs).await?.unwrap_or(caps))
}

fn login_error(e: Pop3Error) -> Pop3Error {
    match e {
        Pop3Error::Err { text, .. } => Pop3Error::Auth(text),
        e => e,
    }
}

fn parse_pairs(data: &[u8]) -> Vec<(u32, String)> {
    String::from_utf8_lossy(data)
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let n = w.next()?.parse().ok()?;
            Some((n, w.next()?.to_string()))
        })
        .collect()
}

impl Pop3 {
    /// Whether the server lists `word` in CAPA (after login).
    pub fn has(&self, word: &str) -> bool {
        has(&self.caps, &word.to_ascii_uppercase(), None)
    }

    async fn simple(&mut self, cmd: &str, name: &str) -> Result<String> {
        send(&mut self.io, cmd).await?;
        status(&mut self.io, name, self.secs).await
    }

    /// (message count, total size in bytes).
    pub async fn stat(&mut self) -> Result<(u32, u64)> {
        let text = self.simple("STAT", "STAT").await?;
        let mut w = text.split_whitespace();
        let n = w.next().and_then(|x| x.parse().ok());
        let size = w.next().and_then(|x| x.parse().ok());
        match (n, size) {
            (Some(n), Some(size)) => Ok((n, size)),
            _ => Err(Pop3Error::Protocol(format!("STAT answered {}", crate::imap::quoted(&text)))),
        }
    }

    /// (message number, size) of every message.
    pub async fn list(&mut self) -> Result<Vec<(u32, u64)>> {
        self.simple("LIST", "LIST").await?;
        let data = multiline(&mut self.io, Limit::protocol(64 << 20), self.secs).await?;
        Ok(parse_pairs(&data).into_iter().filter_map(|(n, s)| Some((n, s.parse().ok()?))).collect())
    }

    /// (message number, unique id) of every message; `None` when the server has no UIDL.
    pub async fn uidl(&mut self) -> Result<Option<Vec<(u32, String)>>> {
        match self.simple("UIDL", "UIDL").await {
            Ok(_) => Ok(Some(parse_pairs(&multiline(&mut self.io, Limit::protocol(64 << 20), self.secs).await?))),
            Err(Pop3Error::Err { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The whole message `n`. A message over the limit ends the session's usefulness:
    /// the rest of it is not read.
    pub async fn retr(&mut self, n: u32) -> Result<Vec<u8>> {
        self.simple(&format!("RETR {n}"), "RETR").await?;
        multiline(&mut self.io, Limit::content(self.max as u64), self.secs).await
    }

    /// Writes message `n` to `sink` as it arrives; returns its size in bytes.
    pub async fn retr_to<W: std::io::Write>(&mut self, n: u32, sink: &mut W) -> Result<u64> {
        self.send_retr(n, None).await?;
        self.read_message_to(sink, self.max as u64).await
    }

    /// Writes the header of message `n` and its first `lines` body lines to `sink`.
    pub async fn top_to<W: std::io::Write>(&mut self, n: u32, lines: u32, sink: &mut W) -> Result<u64> {
        self.send_retr(n, Some(lines)).await?;
        self.read_message_to(sink, self.max as u64).await
    }

    /// Sends RETR n (or TOP n lines) without waiting for the answer, so that with the
    /// PIPELINING capability the next messages are on their way while one is stored.
    /// Answers are read, in order, with `read_message_to`.
    pub async fn send_retr(&mut self, n: u32, top: Option<u32>) -> Result<()> {
        match top {
            Some(lines) => send(&mut self.io, &format!("TOP {n} {lines}")).await,
            None => send(&mut self.io, &format!("RETR {n}")).await,
        }
    }

    /// Reads the answer to the oldest RETR or TOP sent, writing at most `limit` bytes of
    /// the message (and never more than the session's maximum) to `sink`. An answer over
    /// the limit is `TooLarge`, and the session must be dropped.
    pub async fn read_message_to<W: std::io::Write>(&mut self, sink: &mut W, limit: u64) -> Result<u64> {
        status(&mut self.io, "RETR", self.secs).await?;
        multiline_to(&mut self.io, sink, Limit::content(limit.min(self.max as u64)), self.secs).await
    }

    /// Marks messages for deletion, pipelined when the server allows it; they go at QUIT.
    pub async fn dele_all(&mut self, ns: &[u32]) -> Result<()> {
        let window = if self.has("PIPELINING") { 64 } else { 1 };
        for chunk in ns.chunks(window) {
            for n in chunk {
                send(&mut self.io, &format!("DELE {n}")).await?;
            }
            for _ in chunk {
                status(&mut self.io, "DELE", self.secs).await?;
            }
        }
        Ok(())
    }

    /// The header of message `n` and its first `lines` body lines.
    pub async fn top(&mut self, n: u32, lines: u32) -> Result<Vec<u8>> {
        self.simple(&format!("TOP {n} {lines}"), "TOP").await?;
        multiline(&mut self.io, Limit::content(self.max as u64), self.secs).await
    }

    /// Marks message `n` for deletion; it goes at QUIT.
    pub async fn dele(&mut self, n: u32) -> Result<()> {
        self.simple(&format!("DELE {n}"), "DELE").await.map(|_| ())
    }

    /// Unmarks every message marked for deletion in this session.
    pub async fn rset(&mut self) -> Result<()> {
        self.simple("RSET", "RSET").await.map(|_| ())
    }

    pub async fn noop(&mut self) -> Result<()> {
        self.simple("NOOP", "NOOP").await.map(|_| ())
    }

    /// Ends the session: messages marked with DELE are deleted now, not before.
    pub async fn quit(mut self) -> Result<()> {
        self.simple("QUIT", "QUIT").await.map(|_| ())
    }
}
