//! The background sync pass of an account: its own connection, every folder headers-first.
//! It never writes the store itself; it sends `StoreOp`s to the worker, which applies them.

use crate::config::ImapConfig;
use crate::imap::{self, ImapError, ListedFolder, LocalState, SyncProgress, SyncSink};
use crate::model::{Flags, Folder, FolderId, MessageId, NewMessage, SpecialUse, Uid};
use crate::secret::PasswordSource;
use crate::store::folders::SyncState;
use tokio::sync::{mpsc, oneshot};

/// A change for the worker to apply to the store, in order.
#[derive(Debug)]
pub enum StoreOp {
    Folders(Vec<ListedFolder>, oneshot::Sender<Vec<Folder>>),
    Snapshot(FolderId, oneshot::Sender<LocalState>),
    /// What the store holds of a folder, counted: enough to tell that it needs no SELECT
    /// without reading every UID.
    Tally(FolderId, oneshot::Sender<Tally>),
    /// Answered once every op sent before it has been applied (the sync's backpressure).
    Applied(oneshot::Sender<()>),
    Reset(FolderId),
    Remove(FolderId, Vec<Uid>),
    Flags(FolderId, Vec<(Uid, Flags)>),
    Insert(FolderId, Vec<NewMessage>, SyncProgress),
    Finish(FolderId, SyncState, u32),
    /// POP3: what was downloaded before and where new mail goes (the worker makes sure the
    /// local folders exist).
    Pop3Known(oneshot::Sender<super::pop3_task::Pop3Start>),
    /// POP3: index these downloaded files (with their UIDLs) durably, then answer; their
    /// server copies may go after that.
    Pop3Stored {
        files: Vec<(String, super::pop3_task::StoredFile)>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// POP3: the whole of a partial message, to replace its header-only file.
    Pop3Completed {
        id: MessageId,
        file: super::pop3_task::StoredFile,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// POP3: partial messages asked for whole that are no longer on the server.
    Pop3Missing(Vec<MessageId>),
    /// The Outbox message is about to be handed to the server: mark it, then answer
    /// whether it may go (not when it was discarded meanwhile).
    OutboxSending(crate::model::OutboxId, oneshot::Sender<bool>),
    /// A send attempt ended.
    OutboxDone(crate::model::OutboxId, super::outbox::SendResult),
    Pop3Progress {
        done: u64,
        total: u64,
        bytes: u64,
    },
    /// POP3: UIDLs gone from the server.
    Pop3Forget(Vec<String>),
    /// The mirror downloaded a batch of `folder` (of `asked` bodies asked for): store it,
    /// then answer whether that went well.
    MirrorBodies {
        folder: FolderId,
        asked: usize,
        bodies: super::mirror_task::Bodies,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// The mirror's downloads ended; how, when they failed.
    MirrorEnd(Option<Failure>),
    /// The watch connection saw a change in this folder.
    Watched(FolderId),
    /// A server search ended (`search_task.rs`): the UIDs it found in each folder.
    Searched {
        request: u64,
        found: super::search_task::Found,
        outcome: super::ServerSearch,
    },
    /// The pass ended; how, when it failed.
    Done(Option<Failure>),
    /// The watch connection's login was refused: it stopped, until the user asks again.
    LoginFailed(String),
}

/// How a pass failed: what to tell the user, and when to try again.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub text: String,
    pub retry: Retry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The network: again after a while (backoff).
    Later,
    /// The login was refused: only when the user asks.
    WhenAsked,
    /// Trying again would fail the same way.
    Never,
}

impl Failure {
    pub fn never(text: impl Into<String>) -> Failure {
        Failure { text: text.into(), retry: Retry::Never }
    }

    /// A refused login waits for the user, a network fault is tried again later, anything
    /// else is reported and left.
    fn of(text: String, login: bool, transient: bool) -> Failure {
        let retry = if login {
            Retry::WhenAsked
        } else if transient {
            Retry::Later
        } else {
            Retry::Never
        };
        Failure { text, retry }
    }
}

impl From<ImapError> for Failure {
    fn from(e: ImapError) -> Failure {
        Failure::of(e.to_string(), e.is_login(), e.is_transient())
    }
}

impl From<crate::pop3::Pop3Error> for Failure {
    fn from(e: crate::pop3::Pop3Error) -> Failure {
        Failure::of(e.to_string(), e.is_login(), e.is_transient())
    }
}

struct ChannelSink(mpsc::UnboundedSender<StoreOp>);

impl ChannelSink {
    fn send(&self, op: StoreOp) -> imap::Result<()> {
        self.0.send(op).map_err(|_| ImapError::WorkerGone)
    }
}

impl SyncSink for ChannelSink {
    fn reset(&mut self, folder: FolderId) -> imap::Result<()> {
        self.send(StoreOp::Reset(folder))
    }
    fn remove(&mut self, folder: FolderId, uids: Vec<Uid>) -> imap::Result<()> {
        self.send(StoreOp::Remove(folder, uids))
    }
    fn update_flags(&mut self, folder: FolderId, changes: Vec<(Uid, Flags)>) -> imap::Result<()> {
        self.send(StoreOp::Flags(folder, changes))
    }
    fn insert(&mut self, folder: FolderId, batch: Vec<NewMessage>, p: SyncProgress) -> imap::Result<()> {
        self.send(StoreOp::Insert(folder, batch, p))
    }
    fn finish(&mut self, folder: FolderId, state: SyncState, exists: u32) -> imap::Result<()> {
        self.send(StoreOp::Finish(folder, state, exists))
    }
    fn applied(&mut self) -> Option<oneshot::Receiver<()>> {
        let (tx, rx) = oneshot::channel();
        // a worker that is gone fails the next send
        self.send(StoreOp::Applied(tx)).ok().map(|()| rx)
    }
}

/// Which folders a sync pass covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// The folder list and every folder; `first` before the others.
    All { first: Option<FolderId> },
    /// One folder (a change seen by the watch connection).
    One(Folder),
}

/// Runs one sync pass and reports its end with `StoreOp::Done`.
pub async fn run(cfg: ImapConfig, password: PasswordSource, scope: Scope, ops: mpsc::UnboundedSender<StoreOp>) {
    let result = pass(&cfg, &password, scope, &ops).await;
    let _ = ops.send(StoreOp::Done(result.err().map(Failure::from)));
}

/// A folder's messages as the store has them, counted as a `LocalState` would hold them
/// (with what the queue has yet to move away, as seen).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub sync: SyncState,
    pub messages: u32,
    pub unseen: u32,
}

/// True when STATUS shows the folder exactly as the store has it, so it needs no SELECT.
fn unchanged(status: Option<imap::Status>, local: &Tally) -> bool {
    let Some(st) = status else { return false };
    st.messages == local.messages
        && st.unseen == local.unseen
        && st.uidnext.is_some()
        && st.uidnext == local.sync.uidnext
        && st.uidvalidity.is_some()
        && st.uidvalidity == local.sync.uidvalidity
        && (st.highestmodseq.is_none() || st.highestmodseq == local.sync.highestmodseq)
}

async fn pass(
    cfg: &ImapConfig,
    password: &PasswordSource,
    scope: Scope,
    ops: &mpsc::UnboundedSender<StoreOp>,
) -> imap::Result<()> {
    let mut conn = imap::connect(cfg, password).await?;
    let (folders, statuses, first) = match scope {
        Scope::One(folder) => (vec![folder], Vec::new(), None),
        Scope::All { first } => {
            let listed = imap::list_folders(&mut conn).await?;
            let statuses: Vec<(String, Option<imap::Status>)> =
                listed.iter().filter(|f| f.selectable).map(|f| (f.info.name.clone(), f.counts)).collect();
            let (tx, rx) = oneshot::channel();
            ops.send(StoreOp::Folders(listed, tx)).map_err(|_| ImapError::WorkerGone)?;
            let mut folders: Vec<Folder> = rx.await.map_err(|_| ImapError::WorkerGone)?;
            folders.retain(|f| statuses.iter().any(|(n, _)| *n == f.name));
            // the folder the user looks at first, then INBOX, then the rest in tree order
            folders.sort_by_key(|f| {
                if Some(f.id) == first {
                    0
                } else if f.special_use == Some(SpecialUse::Inbox) {
                    1
                } else {
                    2
                }
            });
            (folders, statuses, first)
        }
    };
    let mut sink = ChannelSink(ops.clone());
    for folder in &folders {
        let status = statuses.iter().find(|(n, _)| *n == folder.name).and_then(|(_, s)| *s);
        if Some(folder.id) != first && status.is_some() {
            // counted first: a folder the server shows unchanged costs no read of its UIDs
            let (tx, rx) = oneshot::channel();
            sink.send(StoreOp::Tally(folder.id, tx))?;
            if unchanged(status, &rx.await.map_err(|_| ImapError::WorkerGone)?) {
                continue;
            }
        }
        let (tx, rx) = oneshot::channel();
        sink.send(StoreOp::Snapshot(folder.id, tx))?;
        let local = rx.await.map_err(|_| ImapError::WorkerGone)?;
        let started = std::time::Instant::now();
        match imap::sync_folder(&mut conn, &mut sink, folder, local).await {
            Ok(outcome) => {
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                tracing::debug!(target: "poste::timing", folder = %folder.display, ?outcome, "folder synced in {ms:.1} ms");
            }
            Err(e @ ImapError::No { .. }) => {
                // one folder the server refuses to open must not stop the others
                tracing::warn!(folder = %folder.display, error = %e, "folder skipped");
            }
            Err(e) => return Err(e),
        }
    }
    conn.logout().await;
    Ok(())
}
