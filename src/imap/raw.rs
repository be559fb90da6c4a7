//! Commands whose responses async-imap does not type (UID MOVE with COPYUID, SELECT with
//! QRESYNC, ...): sent raw, every response until the tagged completion collected.

use super::{Connection, ImapError, Result, timed};
use async_imap::imap_proto::rfc4315::UidSetMember;
use async_imap::imap_proto::{Response, ResponseCode, Status};

/// Runs `cmd`, handing every response (the tagged completion last) to `each`. A NO or BAD
/// completion is an error carrying the server's text.
/// The connection's guard times out silence, not the whole answer.
pub async fn run_with(conn: &mut Connection, cmd: &str, mut each: impl FnMut(&Response<'_>)) -> Result<()> {
    let secs = conn.timeout;
    let id = timed(secs, &format!("sending {}", verb(cmd)), conn.session.run_command(cmd)).await?;
    loop {
        let r = timed(secs, &format!("waiting for {}", verb(cmd)), conn.session.read_response()).await?;
        let Some(r) = r else {
            return Err(ImapError::Closed);
        };
        if let Response::Done { tag, status, outcome } = r.parsed()
            && *tag == id
        {
            match status {
                Status::Ok => {
                    each(r.parsed());
                    return Ok(());
                }
                _ => {
                    let text = super::quoted(outcome.information.as_deref().unwrap_or(""));
                    return Err(ImapError::No { command: verb(cmd), text });
                }
            }
        }
        each(r.parsed());
    }
}

/// Runs `cmd` and ignores its data.
pub async fn run(conn: &mut Connection, cmd: &str) -> Result<()> {
    run_with(conn, cmd, |_| {}).await
}

/// The command's name, for messages (never its arguments, which may be private).
fn verb(cmd: &str) -> String {
    cmd.split_whitespace().take(if cmd.starts_with("UID ") { 2 } else { 1 }).collect::<Vec<_>>().join(" ")
}

fn expand(set: &[UidSetMember]) -> Vec<u32> {
    let mut v = Vec::new();
    for m in set {
        match m {
            UidSetMember::Uid(u) => v.push(*u),
            UidSetMember::UidRange(r) => v.extend(r.clone()),
        }
    }
    v
}

/// Source UID → destination UID pairs of a COPYUID response code (RFC 4315) in `r`.
pub fn copyuid(r: &Response<'_>) -> Option<Vec<(u32, u32)>> {
    let outcome = match r {
        Response::Done { outcome, .. } | Response::Data { outcome, .. } => outcome,
        _ => return None,
    };
    match &outcome.code {
        Some(ResponseCode::CopyUid(_, from, to)) => Some(expand(from).into_iter().zip(expand(to)).collect()),
        _ => None,
    }
}

/// Quotes a string for a command (mailbox names, search keys).
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}
