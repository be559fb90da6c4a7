//! A server search on its own connection: `UID SEARCH` in each folder whose bodies are not
//! all stored, so that opening a message (on the worker's connection) never waits behind a
//! slow server. A newer search aborts this one; the answer goes to the worker, which maps
//! the UIDs to stored messages.

use super::ServerSearch;
use super::sync_task::StoreOp;
use crate::config::ImapConfig;
use crate::imap::{self, Connection, ImapError};
use crate::model::{FolderId, Uid};
use crate::secret::PasswordSource;
use tokio::sync::mpsc;

/// How long a server search may take, all folders together, before the local results
/// are given without it.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// One folder to search: its id, its name on the server, and the command.
#[derive(Debug, Clone)]
pub struct Asked {
    pub folder: FolderId,
    pub name: String,
    pub command: String,
}

/// The UIDs each folder's search found.
pub type Found = Vec<(FolderId, Vec<Uid>)>;

/// Runs the searches and sends `StoreOp::Searched` with what they found and how it went.
pub async fn run(
    cfg: ImapConfig,
    password: PasswordSource,
    request: u64,
    work: Vec<Asked>,
    ops: mpsc::UnboundedSender<StoreOp>,
) {
    let mut found = Vec::new();
    let outcome = match tokio::time::timeout(TIMEOUT, search(&cfg, &password, &work, &mut found)).await {
        Ok(Ok(())) => ServerSearch::Asked,
        Ok(Err(e)) if e.is_transient() || e.is_login() => ServerSearch::Offline(e.to_string()),
        Ok(Err(e)) => ServerSearch::Failed(e.to_string()),
        Err(_) => {
            found.clear();
            ServerSearch::Failed(format!("no answer within {} s", TIMEOUT.as_secs()))
        }
    };
    let _ = ops.send(StoreOp::Searched { request, found, outcome });
}

async fn search(cfg: &ImapConfig, password: &PasswordSource, work: &[Asked], found: &mut Found) -> imap::Result<()> {
    let mut conn = imap::connect(cfg, password).await?;
    for a in work {
        match uid_search(&mut conn, a).await {
            Ok(uids) => found.push((a.folder, uids)),
            // a folder gone from the server, or one it will not search: the others still count
            Err(e @ (ImapError::No { .. } | ImapError::Refused(_))) => {
                tracing::warn!(folder = %a.name, error = %e, "the server did not search this folder");
            }
            Err(e) => return Err(e),
        }
    }
    conn.logout().await;
    Ok(())
}

async fn uid_search(conn: &mut Connection, a: &Asked) -> imap::Result<Vec<Uid>> {
    imap::select::ensure(conn, &a.name).await?;
    let mut uids = Vec::new();
    imap::raw::run_with(conn, &a.command, |r| {
        if let async_imap::imap_proto::Response::MailboxData(async_imap::imap_proto::MailboxDatum::Search(found)) = r {
            uids.extend_from_slice(found);
        }
    })
    .await?;
    Ok(uids)
}
