//! One worker per account: it owns the account's connections and is the store's only writer.
//! The UI and the CLI talk to it with typed `Command`s and hear back typed `Event`s.

mod actions;
mod apply;
mod handle;
mod mark_read;
mod mirror;
mod mirror_task;
mod ops;
mod outbox;
mod pop3_ops;
mod pop3_task;
mod reading;
mod reconfigure;
mod replay;
mod search;
mod search_task;
mod sync_task;
mod watch;
mod worker;

pub use crate::store::outbox::OutboxItem;
pub use handle::{AccountHandle, AccountPort, spawn};
pub use reconfigure::watch_config;

use crate::model::{AccountId, AccountState, Flags, Folder, FolderId, MessageId, OutboxId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a worker is asked to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Sync the folder list and every folder's headers; `first` is synced before the others.
    Sync { first: Option<FolderId> },
    /// Download a message body (if not cached) and, with `mark_seen`, set \Seen.
    Open { id: MessageId, mark_seen: bool },
    /// Download these bodies in the background, in order, replacing any earlier prefetch.
    Prefetch(Vec<MessageId>),
    /// Change the mailbox: applied to the store at once, queued for the server.
    Act(Action),
    /// Sync one folder only (headers and flags), not the folder list.
    SyncFolder(FolderId),
    /// Download the whole of a message of which only the header was downloaded (POP3
    /// `max_message_size`).
    FetchFull(MessageId),
    /// Watch this folder for changes made elsewhere (IDLE), instead of the one before.
    Watch(FolderId),
    /// Send a message: it goes into the Outbox first, then to the server. What it replaces
    /// (the Outbox message it is an edit of, or the draft it was written from) leaves in the
    /// same store transaction, so it stays when the new message cannot be stored.
    Send { message: Box<crate::store::outbox::Outgoing>, replaces: Option<Replaces> },
    /// Keep a draft in the Drafts folder, in place of the stored draft it continues, in one
    /// store transaction; it goes to the server with the action queue (offline, later).
    SaveDraft {
        #[serde(with = "crate::model::base64_bytes")]
        raw: Vec<u8>,
        replaces: Option<MessageId>,
    },
    /// Try a failed or uncertain Outbox message again (the user checked).
    RetryOutgoing(OutboxId),
    /// Remove a message from the Outbox without sending it.
    DiscardOutgoing(OutboxId),
    /// The account's settings changed in the config file: use these from now on. Only
    /// within the process that read the file (it carries passwords), never over the socket.
    #[serde(skip)]
    Reconfigure(Box<crate::config::AccountConfig>),
    /// Download bodies for the offline mirror: what the account's `offline` settings keep
    /// (`folder` None; this also runs after every sync), or every body `folder` lacks.
    /// Answered with `Event::MirrorDone`.
    Mirror { folder: Option<FolderId> },
    /// Search the server (`UID SEARCH`) with a query in the search language, in the
    /// account's IMAP folders whose bodies are not all stored; answered by
    /// `Event::Searched` with the same `request`.
    Search { request: u64, query: String },
    /// Close connections and stop.
    Shutdown,
}

/// Whether a search was put to the server too, for saying so beside local results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerSearch {
    /// The server searched the folders whose bodies are not all here.
    Asked,
    /// Nothing to ask: the query looks at no bodies, every body is stored, or the account
    /// has no IMAP server.
    NotNeeded,
    /// Not asked: there is no connection (the text says why).
    Offline(String),
    /// The server was asked and failed or did not answer in time (the text says how).
    Failed(String),
}

/// What a message being sent takes the place of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Replaces {
    /// An Outbox message, edited.
    Outgoing(OutboxId),
    /// A stored draft, resumed.
    Draft(MessageId),
}

/// A change the user makes. Message actions take store ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    Flags {
        ids: Vec<MessageId>,
        add: Flags,
        remove: Flags,
    },
    MarkFolderRead {
        folder: FolderId,
    },
    /// Mark these messages read, for `u` to take back (`M` with a filter on).
    MarkRead {
        ids: Vec<MessageId>,
    },
    /// To Trash, or for good with `expunge` (or in Trash, or with `delete = "expunge"`).
    Delete {
        ids: Vec<MessageId>,
        expunge: bool,
    },
    Move {
        ids: Vec<MessageId>,
        to: FolderId,
    },
    Copy {
        ids: Vec<MessageId>,
        to: FolderId,
    },
    /// Undo the last delete, move or mark-read of this session.
    Undo,
    /// Expunge these messages even though others in the folder are marked deleted too
    /// (the user agreed, on a server without UIDPLUS).
    ExpungeMarked {
        folder: FolderId,
        uids: Vec<crate::model::Uid>,
    },
    /// A new folder; `name` is the display name, with the server's delimiter for nesting.
    CreateFolder {
        name: String,
    },
    RenameFolder {
        folder: FolderId,
        to: String,
    },
    DeleteFolder {
        folder: FolderId,
    },
    Subscribe {
        folder: FolderId,
        on: bool,
    },
}

/// What a worker reports. Events carry their data, so the UI never has to ask again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Event {
    /// The config file's saved searches or unified folders changed (`[[views]]`, `[ui]
    /// unified_*`): what the folder pane shows above the accounts, as it now reads.
    Views {
        views: Vec<crate::config::ViewConfig>,
        unified: Vec<crate::model::SpecialUse>,
    },
    /// Something to know about the config file, not about one account (it cannot be
    /// used, or a change waits for a restart); `None` when it loads with nothing to say.
    Config {
        note: Option<String>,
    },
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
        #[serde(with = "crate::model::base64_bytes::shared")]
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
    /// A question for the user; `action` is sent back if the answer is yes.
    Ask {
        account: AccountId,
        question: String,
        action: Action,
    },
    /// What the Outbox holds now.
    Outbox {
        account: AccountId,
        items: Vec<OutboxItem>,
    },
    /// A send attempt of Outbox message `id` ended in `state` (Sent once saved and flagged).
    SendDone {
        account: AccountId,
        id: OutboxId,
        state: crate::store::outbox::OutState,
        error: Option<String>,
    },
    /// The Outbox has nothing more it can send now (it is empty, or what is left waits).
    OutboxIdle {
        account: AccountId,
    },
    /// How many actions wait for the server; `settled` once an attempt to send them ended.
    Pending {
        account: AccountId,
        count: usize,
        settled: bool,
    },
    /// A run of the offline mirror ended (`folder` as in `Command::Mirror`): how many bodies
    /// it downloaded, the messages it was to download that are still without one, and why
    /// it stopped early. (Its progress is `AccountState::Downloading`.)
    MirrorDone {
        account: AccountId,
        folder: Option<FolderId>,
        downloaded: u64,
        missing: Vec<MessageId>,
        error: Option<String>,
    },
    /// The background pass indexing messages stored before the store had a search index:
    /// `done` of `total` (the pass is over when they are equal). Until then a search may
    /// miss older messages.
    Indexing {
        account: AccountId,
        done: u64,
        total: u64,
    },
    /// The server's answer to `Command::Search`: ids of stored messages it found (to merge
    /// with the local results), and whether it was asked.
    Searched {
        account: AccountId,
        request: u64,
        ids: Vec<MessageId>,
        server: ServerSearch,
    },
    /// What the worker was doing was cut off: it hit an internal error and started again,
    /// or the poste it runs in (another process) stopped. Nothing waits for an answer.
    Interrupted {
        account: AccountId,
        error: String,
    },
}
