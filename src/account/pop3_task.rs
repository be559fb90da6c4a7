//! A POP3 download pass: every message not yet downloaded is fetched, stored durably by the
//! worker, and only then deleted on the server as the account's policy says. Deletions
//! take effect at QUIT, so a pass cut short loses nothing and duplicates nothing.

use super::sync_task::StoreOp;
use crate::config::Pop3Config;
use crate::imap::tls::TlsSettings;
use crate::pop3::{self, Pop3Error};
use crate::secret::PasswordSource;
use crate::store::pop3::Downloaded;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// The largest message downloaded in one piece.
const MAX_MESSAGE: usize = 256 << 20;

/// Runs one pass and reports its end with `StoreOp::Done`.
pub async fn run(cfg: Pop3Config, password: PasswordSource, ops: mpsc::UnboundedSender<StoreOp>, now: i64) {
    let result = pass(&cfg, &password, &ops, now).await;
    let _ = ops.send(StoreOp::Done(result.err()));
}

fn fail(e: Pop3Error) -> (String, bool) {
    (e.to_string(), e.is_transient())
}

/// A stand-in UIDL for servers without UIDL: a hash of the message (FNV-1a, stable).
fn content_id(raw: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in raw {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("hash:{h:016x}:{}", raw.len())
}

async fn pass(
    cfg: &Pop3Config,
    password: &PasswordSource,
    ops: &mpsc::UnboundedSender<StoreOp>,
    now: i64,
) -> Result<(), (String, bool)> {
    let gone = || ("the account worker stopped".to_string(), false);
    let settings = pop3::Settings {
        host: cfg.host.clone(),
        port: cfg.port(),
        tls: cfg.tls,
        username: cfg.username.clone(),
        tls_settings: TlsSettings { ca_file: cfg.ca_file.clone(), accept_invalid_certs: cfg.accept_invalid_certs },
        allow_plaintext_auth: cfg.allow_plaintext_auth,
        timeout_secs: cfg.timeout_secs,
        max_message_bytes: MAX_MESSAGE,
    };
    let mut p = pop3::connect(&settings, password).await.map_err(fail)?;
    let uidls = p.uidl().await.map_err(fail)?;
    if uidls.is_none() && cfg.leave_on_server {
        let _ = p.quit().await;
        return Err((
            "the server has no UIDL, so leave_on_server cannot work safely (every message would be \
             downloaded again each time); remove leave_on_server for this account"
                .into(),
            false,
        ));
    }
    let (tx, rx) = oneshot::channel();
    ops.send(StoreOp::Pop3Known(tx)).map_err(|_| gone())?;
    let known: HashMap<String, Downloaded> =
        rx.await.map_err(|_| gone())?.into_iter().map(|d| (d.uidl.clone(), d)).collect();
    let listing: Vec<(u32, Option<String>)> = match &uidls {
        Some(u) => u.iter().map(|(n, id)| (*n, Some(id.clone()))).collect(),
        None => p.list().await.map_err(fail)?.into_iter().map(|(n, _)| (n, None)).collect(),
    };
    let new_total = listing.iter().filter(|(_, u)| u.as_ref().is_none_or(|u| !known.contains_key(u))).count() as u64;
    let mut done = 0u64;
    for (n, uidl) in &listing {
        let delete = match uidl.as_ref().and_then(|u| known.get(u)) {
            Some(d) => {
                // downloaded before: only the deletion policy applies
                !cfg.leave_on_server
                    || cfg.delete_after_days.is_some_and(|days| now - d.downloaded >= i64::from(days) * 86_400)
                    || (cfg.delete_when_deleted_locally && !d.present)
            }
            None => {
                let raw = p.retr(*n).await.map_err(fail)?;
                let id = uidl.clone().unwrap_or_else(|| content_id(&raw));
                let already = uidl.is_none() && known.contains_key(&id);
                if !already {
                    let (tx, rx) = oneshot::channel();
                    ops.send(StoreOp::Pop3Stored { uidl: id, raw, reply: tx }).map_err(|_| gone())?;
                    // the message is in the store (file fsynced, row committed) before any DELE
                    rx.await.map_err(|_| gone())?.map_err(|e| (format!("storing a downloaded message: {e}"), false))?;
                }
                done += 1;
                let _ = ops.send(StoreOp::Pop3Progress { done, total: new_total });
                !cfg.leave_on_server
            }
        };
        if delete {
            p.dele(*n).await.map_err(fail)?;
        }
    }
    if let Some(u) = &uidls {
        let on_server: std::collections::HashSet<&String> = u.iter().map(|(_, id)| id).collect();
        let forget: Vec<String> =
            known.keys().filter(|k| !k.starts_with("hash:") && !on_server.contains(k)).cloned().collect();
        if !forget.is_empty() {
            let _ = ops.send(StoreOp::Pop3Forget(forget));
        }
    }
    p.quit().await.map_err(fail)
}
