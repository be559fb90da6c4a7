//! `poste read`: print a message, fetching and caching its body first when needed.

use super::Loaded;
use crate::account::{self, Command, Event};
use crate::store::Store;
use anyhow::{Context, Result, bail};
use std::io::Write;

pub async fn run(loaded: &Loaded, id: i64, raw: bool) -> Result<i32> {
    let store = Store::open(&loaded.data_dir)?;
    let m = store.message(id)?;
    let body = match store.body(id)? {
        Some(b) => b,
        None => {
            let Some(acct) = loaded.config.account(&m.account) else {
                bail!("message {id} belongs to account {:?}, which is not in the config", m.account);
            };
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let h = account::spawn(acct, &loaded.data_dir, tx)?;
            h.send(Command::Open { id, mark_seen: loaded.config.ui.mark_read_on_open });
            let mut result = None;
            while let Some(ev) = rx.recv().await {
                match ev {
                    Event::Body { id: got, raw } if got == id => {
                        result = Some(Ok(raw.as_ref().clone()));
                        break;
                    }
                    Event::BodyUnavailable { id: got, reason, .. } if got == id => {
                        result = Some(Err(reason));
                        break;
                    }
                    _ => {}
                }
            }
            h.shutdown().await;
            match result {
                Some(Ok(b)) => b,
                Some(Err(reason)) => bail!("message {id}: {reason}"),
                None => bail!("message {id}: the account worker stopped"),
            }
        }
    };
    let mut out = std::io::stdout().lock();
    if raw {
        out.write_all(&body).context("writing to stdout")?;
        return Ok(0);
    }
    let r = crate::mime::render(&body, 78);
    let mut text = String::new();
    for (k, v) in &r.headers {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push('\n');
    text.push_str(r.body.trim_end());
    text.push('\n');
    if !r.attachments.is_empty() {
        text.push_str("\nAttachments:\n");
        for a in &r.attachments {
            text.push_str(&format!(
                "  [{}] {} ({}, {})\n",
                a.index + 1,
                a.name,
                a.mime_type,
                crate::format::size(a.size as u64)
            ));
        }
    }
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}
