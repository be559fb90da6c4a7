//! `poste read`: print a message, fetching and caching its body first when needed.

use super::Loaded;
use crate::account::{Command, Event};
use crate::model::MessageId;
use crate::store::Store;
use anyhow::{Context, Result, bail};
use std::io::Write;

/// Asks the message's account worker for its body with `cmd`; the answer is the body, or
/// why it cannot be had.
async fn from_worker(loaded: &Loaded, account: &str, id: MessageId, cmd: Command) -> Result<Result<Vec<u8>, String>> {
    let Some(acct) = loaded.config.account(account) else {
        bail!("message {id} belongs to account {account:?}, which is not in the config");
    };
    let mut notice = None;
    let answer = super::ask_worker(loaded, acct, cmd, |ev| match ev {
        Event::Body { id: got, raw } if got == id => Some(Ok(raw.as_ref().clone())),
        Event::BodyUnavailable { id: got, reason, .. } if got == id => Some(Err(reason)),
        Event::SyncDone { error, .. } => {
            Some(Err(error.or(notice.take()).unwrap_or_else(|| "the server no longer has it".into())))
        }
        Event::Notice { text, .. } => {
            notice = Some(text);
            None
        }
        _ => None,
    })
    .await;
    Ok(answer.unwrap_or_else(|e| Err(e.to_string())))
}

/// `poste read ID`: marks the message read as opening it in the UI does (unless `peek`).
pub async fn run(loaded: &Loaded, id: MessageId, raw: bool, peek: bool) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let m = store.message(id)?;
    let mark_seen = loaded.config.ui.mark_read_on_open && !peek;
    let cached = match store.body(id)? {
        // a cached message to mark read: the worker reads it from the cache and marks it
        Some(_) if mark_seen && !m.summary.flags.is_seen() && !m.summary.partial => None,
        cached => cached,
    };
    let body = match cached {
        // a POP3 message of which only the header is here: download it whole first
        Some(head) if m.summary.partial => match from_worker(loaded, &m.account, id, Command::FetchFull(id)).await? {
            Ok(b) => b,
            Err(reason) => {
                eprintln!(
                    "poste: message {id}: only its header is here ({} on the server): {reason}",
                    crate::format::size(u64::from(m.summary.size))
                );
                head
            }
        },
        Some(b) => b,
        None => {
            let cmd = Command::Open { id, mark_seen };
            match from_worker(loaded, &m.account, id, cmd).await? {
                Ok(b) => b,
                Err(reason) => bail!("message {id}: {reason}"),
            }
        }
    };
    let mut out = std::io::stdout().lock();
    if raw {
        out.write_all(&body).context("writing to stdout")?;
        return Ok(0);
    }
    let text = crate::mime::render(&body, 78).plain_text();
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}
