//! Reading POP3 responses: status lines and dot-terminated multi-line data, with CRLF or
//! bare LF, dot-unstuffing, a line-length limit, a size limit and a timeout on each read.

use super::{Pop3Error, Result};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// RFC 1939 allows 512 bytes per response line; real servers and messages need more.
pub const MAX_LINE: usize = 64 * 1024;

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
        Err(Pop3Error::Err { command: command.to_string(), text: crate::sanitize::line(rest.trim()) })
    } else {
        Err(Pop3Error::Protocol(crate::sanitize::line(&text)))
    }
}

/// Reads multi-line data up to the terminating `.` line, undoing dot-stuffing. Lines end
/// in CRLF in the result, whatever the server sent. Data past `limit` is read and thrown
/// away, so the connection stays usable, and the result is `TooLarge`.
pub async fn multiline<R: AsyncBufRead + Unpin>(r: &mut R, limit: usize, secs: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    multiline_to(r, &mut out, limit as u64, secs).await?;
    Ok(out)
}

/// Like `multiline`, writing the data to `sink` as it arrives, so a large message is never
/// held in memory. Returns the number of bytes written. A sink that fails ends the read
/// with its error (the rest of the response is then not read).
pub async fn multiline_to<R: AsyncBufRead + Unpin, W: std::io::Write>(
    r: &mut R,
    sink: &mut W,
    limit: u64,
    secs: u64,
) -> Result<u64> {
    let mut line = Vec::with_capacity(1024);
    let mut written = 0u64;
    let mut too_large = false;
    loop {
        read_line_into(r, &mut line, secs).await?;
        if line == b"." {
            return if too_large { Err(Pop3Error::TooLarge(limit as usize)) } else { Ok(written) };
        }
        let data = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        if too_large || written + data.len() as u64 + 2 > limit {
            too_large = true;
            continue;
        }
        line.extend_from_slice(b"\r\n");
        let data = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        sink.write_all(data).map_err(Pop3Error::Sink)?;
        written += data.len() as u64;
    }
}
