//! The offline mirror's download task: its own connection, so a body the user opens (on
//! the worker's connection) never waits behind it. Folder by folder, newest first, several
//! bodies per `UID FETCH`; each batch goes to the worker to store while the next downloads.

use super::sync_task::{Failure, StoreOp};
use crate::config::ImapConfig;
use crate::imap::{self, ImapError};
use crate::model::{Folder, MessageId, Uid};
use crate::secret::PasswordSource;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// At most this many bodies, or about this many bytes, per round trip.
const BATCH: usize = 100;
const BATCH_BYTES: u64 = 8 << 20;

/// The bodies to download from one folder, newest first: (message, UID, size).
#[derive(Debug, Clone)]
pub struct FolderWork {
    pub folder: Folder,
    /// The folder's UIDVALIDITY as the store knows it: if the server's differs, the UIDs
    /// mean other messages, and the folder waits for the next sync.
    pub uidvalidity: Option<u32>,
    pub items: Vec<(MessageId, Uid, u64)>,
}

/// A downloaded batch of one folder for the worker to store: (message, UID, raw).
pub type Bodies = Vec<(MessageId, Uid, Vec<u8>)>;

/// Runs the downloads and reports their end with `StoreOp::MirrorEnd`.
pub async fn run(
    cfg: ImapConfig,
    password: PasswordSource,
    work: Vec<FolderWork>,
    ops: mpsc::UnboundedSender<StoreOp>,
) {
    let result = download(&cfg, &password, work, &ops).await;
    let _ = ops.send(StoreOp::MirrorEnd(result.err().map(Failure::from)));
}

/// Splits a folder's work into batches of at most `BATCH` bodies and about `BATCH_BYTES`.
pub(super) fn batches(items: &[(MessageId, Uid, u64)]) -> Vec<&[(MessageId, Uid, u64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < items.len() && end - start < BATCH && (end == start || bytes + items[end].2 <= BATCH_BYTES) {
            bytes += items[end].2;
            end += 1;
        }
        out.push(&items[start..end]);
        start = end;
    }
    out
}

async fn download(
    cfg: &ImapConfig,
    password: &PasswordSource,
    work: Vec<FolderWork>,
    ops: &mpsc::UnboundedSender<StoreOp>,
) -> imap::Result<()> {
    let mut conn = imap::connect(cfg, password).await?;
    // the batch the worker is storing: the next one downloads meanwhile
    let mut storing: Option<oneshot::Receiver<Result<(), String>>> = None;
    for w in work {
        match imap::select::ensure(&mut conn, &w.folder.name).await {
            Ok(v) if w.uidvalidity.is_none() || v == w.uidvalidity => {}
            Ok(_) => {
                tracing::info!(folder = %w.folder.display, "UIDVALIDITY changed; the mirror waits for the next sync");
                continue;
            }
            Err(e @ (ImapError::No { .. } | ImapError::Refused(_))) => {
                tracing::warn!(folder = %w.folder.display, error = %e, "folder skipped by the mirror");
                continue;
            }
            Err(e) => return Err(e),
        }
        for batch in batches(&w.items) {
            let ids: HashMap<Uid, MessageId> = batch.iter().map(|(id, uid, _)| (*uid, *id)).collect();
            let uids: Vec<Uid> = batch.iter().map(|(_, uid, _)| *uid).collect();
            let got = imap::fetch_bodies(&mut conn, &uids).await?;
            let bodies: Bodies =
                got.into_iter().filter_map(|(uid, raw)| ids.get(&uid).map(|id| (*id, uid, raw))).collect();
            if let Some(rx) = storing.take() {
                stored(rx).await?;
            }
            let (tx, rx) = oneshot::channel();
            let asked = uids.len();
            ops.send(StoreOp::MirrorBodies { folder: w.folder.id, asked, bodies, reply: tx })
                .map_err(|_| ImapError::WorkerGone)?;
            storing = Some(rx);
        }
    }
    if let Some(rx) = storing {
        stored(rx).await?;
    }
    conn.logout().await;
    Ok(())
}

/// The worker's answer to a batch: stored, or why not.
async fn stored(rx: oneshot::Receiver<Result<(), String>>) -> imap::Result<()> {
    rx.await.map_err(|_| ImapError::WorkerGone)?.map_err(|e| ImapError::Store(crate::store::StoreError::Refused(e)))
}

#[cfg(test)]
mod tests {
    use crate::model::MessageId;

    #[test]
    fn batches_are_bounded_by_count_and_bytes() {
        let small: Vec<_> = (0..250).map(|i| (MessageId(i), i as u32, 1000)).collect();
        let b = super::batches(&small);
        assert_eq!(b.iter().map(|b| b.len()).collect::<Vec<_>>(), vec![100, 100, 50]);
        let big: Vec<_> = (0..5).map(|i| (MessageId(i), i as u32, 5 << 20)).collect();
        assert!(super::batches(&big).iter().all(|b| b.len() == 1), "a large body goes alone");
        assert!(super::batches(&[]).is_empty());
    }
}
