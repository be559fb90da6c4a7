//! One worker per account: it owns the account's connections and is the store's only writer.
//! The UI and the CLI talk to it with typed `Command`s and hear back typed `Event`s.

mod sync_task;
mod worker;

pub use worker::{AccountHandle, spawn};

use crate::model::{AccountId, AccountState, Flags, Folder, FolderId, MessageId};
use std::sync::Arc;

/// What a worker is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Sync the folder list and every folder's headers; `first` is synced before the others.
    Sync { first: Option<FolderId> },
    /// Download a message body (if not cached) and, with `mark_seen`, set \Seen.
    Open { id: MessageId, mark_seen: bool },
    /// Download these bodies in the background, in order, replacing any earlier prefetch.
    Prefetch(Vec<MessageId>),
    /// Close connections and stop.
    Shutdown,
}

/// What a worker reports. Events carry their data, so the UI never has to ask again.
#[derive(Debug, Clone)]
pub enum Event {
    State {
        account: AccountId,
        state: AccountState,
    },
    Folders {
        account: AccountId,
        folders: Vec<Folder>,
    },
    /// Messages of `folder` were added, removed or changed in the store: re-read its list.
    Changed {
        account: AccountId,
        folder: FolderId,
    },
    /// The counts of a folder changed.
    FolderCounts {
        account: AccountId,
        folder: Folder,
    },
    /// The raw message, downloaded or read from the cache.
    Body {
        id: MessageId,
        raw: Arc<Vec<u8>>,
    },
    /// A body could not be had; `offline` when that is because there is no connection.
    BodyUnavailable {
        id: MessageId,
        reason: String,
        offline: bool,
    },
    Flags {
        id: MessageId,
        flags: Flags,
    },
    /// A sync pass ended; `error` is a one-line cause when it failed.
    SyncDone {
        account: AccountId,
        error: Option<String>,
    },
    /// Something the user should know (a folder was rebuilt, an action failed, ...).
    Notice {
        account: AccountId,
        text: String,
    },
}
