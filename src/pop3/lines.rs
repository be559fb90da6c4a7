//! Reading POP3 responses: status lines and dot-terminated multi-line data, with CRLF or
//! bare LF, dot-unstuffing, a size limit and a timeout on each read (on silence, not on the
//! whole answer). Protocol lines (status, CAPA, LIST, UIDL) have a length limit; message
//! content has none, so no sender can make a message that cannot be downloaded.

use super::{Pop3Error, Result};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// RFC 1939 allows 512 bytes per response line; real servers need more.
pub const MAX_LINE: usize = 64 * 1024;

/// What a multi-line answer may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Bytes in all, as written out.
    pub bytes: u64,
    /// Bytes in one line: protocol data has a limit, message content none.
    pub line: Option<usize>,
}

impl Limit {
    /// CAPA, LIST, UIDL: lines of at most `MAX_LINE`.
    pub fn protocol(bytes: u64) -> Limit {
        Limit { bytes, line: Some(MAX_LINE) }
    }

    /// A message (RETR, TOP): lines of any length.
    pub fn content(bytes: u64) -> Limit {
        Limit { bytes, line: None }
    }
}

/// Where the reader stands in the multi-line data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    LineStart,
    /// After a `.` at the start of a line.
    Dot,
    /// After `.` and CR at the start of a line.
    DotCr,
    Mid,
}

/// Reads one line without its line ending.
pub async fn read_line<R: AsyncBufRead + Unpin>(r: &mut R, secs: u64) -> Result<Vec<u8>> {
    let mut line = Vec::new();
    read_line_into(r, &mut line, secs).await?;
    Ok(line)
}

/// Reads one line into `line` (cleared first), without its line ending.
async fn read_line_into<R: AsyncBufRead + Unpin>(r: &mut R, line: &mut Vec<u8>, secs: u64) -> Result<()> {
    line.clear();
    let fut = async {
        loop {
            let buf = r.fill_buf().await?;
            if buf.is_empty() {
                return Err(Pop3Error::Closed);
            }
            if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&buf[..i]);
                r.consume(i + 1);
                break;
            }
            let n = buf.len();
            line.extend_from_slice(buf);
            r.consume(n);
            if line.len() > MAX_LINE {
                return Err(Pop3Error::LineTooLong(MAX_LINE));
            }
        }
        if line.len() > MAX_LINE {
            return Err(Pop3Error::LineTooLong(MAX_LINE));
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(secs), fut).await {
        Ok(r) => r,
        Err(_) => Err(Pop3Error::Timeout { what: "waiting for the server".into(), secs }),
    }
}

/// Reads a `+OK`/`-ERR` status line; `-ERR` becomes an error naming `command`.
pub async fn status<R: AsyncBufRead + Unpin>(r: &mut R, command: &str, secs: u64) -> Result<String> {
    let line = read_line(r, secs).await?;
    let text = String::from_utf8_lossy(&line).to_string();
    if let Some(rest) = text.strip_prefix("+OK") {
        Ok(rest.trim_start().to_string())
    } else if let Some(rest) = text.strip_prefix("-ERR") {
        Err(Pop3Error::Err { command: command.to_string(), text: crate::imap::quoted(rest.trim()) })
    } else {
        Err(Pop3Error::Protocol(crate::imap::quoted(&text)))
    }
}

/// Reads multi-line data up to the terminating `.` line, undoing dot-stuffing. Lines end
/// in CRLF in the result, whatever the server sent. Data past `limit` ends the read with
/// `TooLarge` (or `LineTooLong`) at once: the rest of the answer is not read, so the session
/// is out of step and must be dropped.
pub async fn multiline<R: AsyncBufRead + Unpin>(r: &mut R, limit: Limit, secs: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    multiline_to(r, &mut out, limit, secs).await?;
    Ok(out)
}

/// Like `multiline`, writing the data to `sink` as it arrives, so a large message is never
/// held in memory. Returns the number of bytes written. A sink that fails ends the read
/// with its error (the rest of the response is then not read).
pub async fn multiline_to<R: AsyncBufRead + Unpin, W: std::io::Write>(
    r: &mut R,
    sink: &mut W,
    limit: Limit,
    secs: u64,
) -> Result<u64> {
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut written = 0u64;
    let mut at = At::LineStart;
    // a CR inside a line, not written yet: it may be the first half of the line end
    let mut cr = false;
    let mut line_len = 0usize;
    loop {
        let fill = tokio::time::timeout(std::time::Duration::from_secs(secs), r.fill_buf()).await;
        let buf = match fill {
            Err(_) => return Err(Pop3Error::Timeout { what: "waiting for the server".into(), secs }),
            Ok(b) => b?,
        };
        if buf.is_empty() {
            return Err(Pop3Error::Closed);
        }
        let n = buf.len();
        let mut i = 0;
        let mut end = None;
        while i < n {
            match at {
                At::LineStart if buf[i] == b'.' => {
                    at = At::Dot;
                    i += 1;
                }
                At::LineStart => at = At::Mid,
                At::Dot | At::DotCr if buf[i] == b'\n' => {
                    end = Some(i + 1);
                    break;
                }
                At::Dot if buf[i] == b'\r' => {
                    at = At::DotCr;
                    i += 1;
                }
                At::Dot if buf[i] == b'.' => {
                    // a stuffed dot: one of the two is the server's
                    out.push(b'.');
                    line_len += 1;
                    at = At::Mid;
                    i += 1;
                }
                At::Dot => {
                    out.push(b'.');
                    line_len += 1;
                    at = At::Mid;
                }
                At::DotCr => {
                    out.push(b'.');
                    line_len += 2;
                    cr = true;
                    at = At::Mid;
                }
                At::Mid => {
                    let run = buf[i..].iter().position(|&b| b == b'\r' || b == b'\n').map_or(n, |p| i + p);
                    if cr && (run > i || buf[i] == b'\r') {
                        out.push(b'\r');
                        cr = false;
                    }
                    if run > i {
                        out.extend_from_slice(&buf[i..run]);
                        line_len += run - i;
                        i = run;
                        continue;
                    }
                    if buf[i] == b'\n' {
                        out.extend_from_slice(b"\r\n");
                        cr = false;
                        at = At::LineStart;
                        line_len = 0;
                    } else {
                        cr = true;
                        line_len += 1;
                    }
                    i += 1;
                }
            }
            if let Some(max) = limit.line
                && line_len > max
            {
                return Err(Pop3Error::LineTooLong(max));
            }
        }
        r.consume(end.unwrap_or(n));
        if written + out.len() as u64 > limit.bytes {
            return Err(Pop3Error::TooLarge(limit.bytes));
        }
        if !out.is_empty() {
            sink.write_all(&out).map_err(Pop3Error::Sink)?;
            written += out.len() as u64;
            out.clear();
        }
        if end.is_some() {
            return Ok(written);
        }
    }
}
