//! The watch connection: IDLE on the folder the user looks at, re-issued before the
//! server's 29-minute limit, so changes made elsewhere show up within seconds. It never
//! carries a user's command, so it never delays one.

use super::sync_task::StoreOp;
use crate::config::ImapConfig;
use crate::imap::{self, ImapError};
use crate::model::Folder;
use crate::secret::PasswordSource;
use async_imap::extensions::idle::IdleResponse;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long one IDLE lasts before it is renewed (servers may drop it after 29 minutes).
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);
/// Without IDLE, how often the folder is checked.
const POLL_WITHOUT_IDLE: Duration = Duration::from_secs(60);

/// Watches `folder` until the task is aborted, reconnecting with backoff; a refused login
/// stops it (and tells the worker), so a wrong password is not tried again and again.
pub async fn run(cfg: ImapConfig, password: PasswordSource, folder: Folder, ops: mpsc::UnboundedSender<StoreOp>) {
    let mut backoff = Duration::from_secs(2);
    loop {
        match watch(&cfg, &password, &folder, &ops).await {
            Err(ImapError::WorkerGone) => return,
            Err(e) if e.is_login() => {
                let _ = ops.send(StoreOp::LoginFailed(e.to_string()));
                return;
            }
            Err(e) => tracing::debug!(folder = %folder.display, error = %e, "watch connection lost"),
            Ok(()) => {}
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(300));
    }
}

async fn watch(
    cfg: &ImapConfig,
    password: &PasswordSource,
    folder: &Folder,
    ops: &mpsc::UnboundedSender<StoreOp>,
) -> imap::Result<()> {
    let changed = || ops.send(StoreOp::Watched(folder.id)).map_err(|_| ImapError::WorkerGone);
    let conn = imap::connect(cfg, password).await?;
    let secs = conn.timeout;
    if !conn.has("IDLE") {
        conn.logout().await;
        loop {
            tokio::time::sleep(POLL_WITHOUT_IDLE).await;
            changed()?;
        }
    }
    let mut session = conn.session;
    imap::timed(secs, "opening the watched folder", session.examine(&folder.name)).await?;
    // whatever happened while this connection was being set up
    changed()?;
    loop {
        let mut idle = session.idle();
        imap::timed(secs, "starting IDLE", idle.init()).await?;
        let response = {
            let (wait, _stop) = idle.wait_with_timeout(IDLE_RENEW);
            wait.await?
        };
        session = imap::timed(secs, "ending IDLE", idle.done()).await?;
        match response {
            IdleResponse::NewData(_) => {
                // let a burst of changes settle into one resync
                tokio::time::sleep(Duration::from_millis(200)).await;
                changed()?;
            }
            IdleResponse::Timeout => {}
            // nothing here interrupts IDLE: this is the connection going away
            IdleResponse::ManualInterrupt => return Err(ImapError::Closed),
        }
    }
}
