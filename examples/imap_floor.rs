//! The protocol floor for the sync benchmark: a minimal client that logs in over TLS, issues
//! the same headers-first UID FETCH as `poste sync` for a whole folder, and discards the data.
//!
//! usage: imap_floor HOST PORT CA_FILE USER PASSWORD FOLDER

use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const ITEMS: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (REFERENCES)])";

/// Reads one response line, skipping over literals; returns the bytes read and whether the
/// line is the tagged completion for `tag`.
async fn response<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R, tag: &str) -> std::io::Result<(usize, bool, String)> {
    let mut total = 0;
    let mut first = String::new();
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "server closed"));
        }
        total += n;
        if first.is_empty() {
            first = String::from_utf8_lossy(&line).to_string();
        }
        let text = String::from_utf8_lossy(&line);
        let t = text.trim_end();
        if let Some(open) = t.rfind('{')
            && t.ends_with('}')
            && let Ok(len) = t[open + 1..t.len() - 1].parse::<usize>()
        {
            let mut buf = vec![0; len];
            r.read_exact(&mut buf).await?;
            total += len;
            continue;
        }
        return Ok((total, first.starts_with(&format!("{tag} ")), first));
    }
}

async fn command<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    s: &mut BufReader<S>,
    tag: &str,
    cmd: &str,
) -> std::io::Result<usize> {
    s.get_mut().write_all(format!("{tag} {cmd}\r\n").as_bytes()).await?;
    let mut bytes = 0;
    loop {
        let (n, done, line) = response(s, tag).await?;
        bytes += n;
        if done {
            if !line.contains(" OK") {
                return Err(std::io::Error::other(line));
            }
            return Ok(bytes);
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 7 {
        eprintln!("usage: imap_floor HOST PORT CA_FILE USER PASSWORD FOLDER");
        std::process::exit(2);
    }
    let start = Instant::now();
    let tcp = tokio::net::TcpStream::connect((a[1].as_str(), a[2].parse::<u16>().unwrap_or(993))).await?;
    let pem = std::fs::read(&a[3])?;
    let cert = async_native_tls::Certificate::from_pem(&pem).map_err(std::io::Error::other)?;
    let tls = async_native_tls::TlsConnector::new()
        .add_root_certificate(cert)
        .connect(a[1].as_str(), tcp)
        .await
        .map_err(std::io::Error::other)?;
    let mut s = BufReader::with_capacity(1 << 16, tls);
    response(&mut s, "*").await?;
    command(&mut s, "a1", &format!("LOGIN \"{}\" \"{}\"", a[4], a[5])).await?;
    command(&mut s, "a2", &format!("SELECT \"{}\"", a[6])).await?;
    let bytes = command(&mut s, "a3", &format!("UID FETCH 1:* {ITEMS}")).await?;
    println!("{:.3} s, {bytes} bytes", start.elapsed().as_secs_f64());
    Ok(())
}
