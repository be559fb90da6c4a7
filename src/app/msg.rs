//! The vocabulary of `update`: the messages that change the state (`Msg`), the effects
//! it asks the event loop to run (`Effect`), its timers, and the kinds of message action.

use crate::account::{Command, Event};
use crate::model::{AccountId, MessageId, Summary};
use crate::store::ListQuery;
use crossterm::event::{KeyEvent, MouseEvent};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything that can change the state.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Worker(Event),
    /// The answer to list read `seq` (`Effect::LoadList`). With `counting`, the rows came
    /// first and `total` counts only the rows up to them: the count follows, in this answer
    /// again.
    ListLoaded {
        seq: u64,
        query: ListQuery,
        total: usize,
        start: usize,
        rows: Vec<Summary>,
        counting: bool,
    },
    /// The answer to `Effect::LoadThreads`: rows of a threaded list, and what each stands
    /// for.
    ThreadsLoaded {
        seq: u64,
        query: ListQuery,
        total: usize,
        start: usize,
        rows: Vec<Summary>,
        cells: Vec<super::state::ThreadCell>,
        counting: bool,
    },
    /// The answer to `Effect::LoadConversation`: the thread's messages in tree order, each
    /// read one with the first words of its body.
    Conversation {
        thread: crate::model::ThreadId,
        entries: Vec<(crate::store::ThreadEntry, Option<String>)>,
    },
    /// List read `seq` failed (a query the store cannot run): the store's words.
    ListFailed {
        seq: u64,
        query: ListQuery,
        error: String,
    },
    /// The answer to `Effect::SaveAttachments`.
    Saved(Result<Vec<PathBuf>, String>),
    /// The answer to `Effect::SelectRange`: ids to add to the selection of the list of
    /// `query` (with `unselect`, to take out of it).
    Selected {
        query: ListQuery,
        ids: Vec<crate::model::MessageId>,
        unselect: bool,
    },
    /// The answer to `Effect::Act` on a query: the messages it matched, by the account
    /// that owns them, for the action to go to each account's worker.
    Resolved {
        kind: ActKind,
        ids: Vec<(AccountId, Vec<MessageId>)>,
    },
    /// A draft to compose, from `Effect::StartCompose` (or a mailto: URL at start).
    Composing {
        account: AccountId,
        draft: Box<crate::compose::Draft>,
        resumed: Option<crate::model::MessageId>,
        /// The Outbox message this edits.
        outgoing: Option<crate::model::OutboxId>,
    },
    /// Run this effect (at start: a `mailto:` URL to compose).
    Start(Box<Effect>),
    /// The edited text from the external editor, or why the editor failed.
    Edited(Result<String, String>),
    /// The answer to `Effect::Render`: message `id` rendered at `width`.
    Rendered {
        id: MessageId,
        width: usize,
        rendered: Box<crate::mime::Rendered>,
    },
    /// The answer to `Effect::AttachFile`.
    Attached(Result<crate::compose::Attachment, String>),
    /// The answer to `Effect::SendDraft` or `Effect::SaveDraft`.
    ComposeDone(Result<String, String>),
    /// The answer to `Effect::CompletePath`: the completed input.
    PathCompleted(String),
    /// The answer to `Effect::CompleteAddress`: the typed prefix and the best address.
    AddressCompleted(String, Option<String>),
    /// The answer to `Effect::CountViews`: saved search `n` has this many unread messages
    /// (None: its query failed).
    ViewCounts(Vec<(usize, Option<usize>)>),
    /// A timer of `Effect::Timer` went off.
    Timer(Timer),
    /// Every `autosave::EVERY` while a message is being written: keep it on disk if it changed.
    Tick,
    /// At start: the messages a crash left in the autosave folder, and the next file number.
    AutosavesFound {
        kept: Vec<crate::compose::autosave::Kept>,
        next: u64,
    },
    /// Ctrl-C: quits, but asks first while a message is being written.
    Interrupt,
    /// An effect could not be run (the local store failed, a draft could not be made).
    Failed(String),
    Quit,
    /// The answer to `Effect::Reading`, or a program gave the terminal back.
    Reading(super::reader::Answer),
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send(AccountId, Command),
    /// Count the query's messages and read `len` rows from `start` (off the UI task); the
    /// answer, `Msg::ListLoaded` or `Msg::ListFailed`, carries `seq`. With `total`, the count
    /// is known still (the list only scrolled) and is not read again.
    LoadList {
        seq: u64,
        query: ListQuery,
        start: usize,
        len: usize,
        total: Option<usize>,
    },
    /// As `LoadList`, for a threaded list: `len` rows from row `start`, the threads in
    /// `open` (with `all_open`, all but those) showing their messages; the answer is
    /// `Msg::ThreadsLoaded` or `Msg::ListFailed`.
    LoadThreads {
        seq: u64,
        query: ListQuery,
        open: Vec<crate::model::ThreadId>,
        all_open: bool,
        start: usize,
        len: usize,
        total: Option<usize>,
    },
    /// Read the messages of a thread, in the folders of its account but Trash and Junk, as
    /// a tree (off the UI task); the answer is `Msg::Conversation`.
    LoadConversation {
        thread: crate::model::ThreadId,
        /// The folder it was opened from: its messages there are shown even in Trash or
        /// Junk, whose others are left out.
        shown: crate::model::FolderId,
    },
    SaveAttachments {
        raw: Arc<Vec<u8>>,
        indexes: Vec<usize>,
        dir: PathBuf,
    },
    /// Resolve the targets to message ids and send the action to the account's worker.
    Act {
        account: AccountId,
        targets: super::state::Targets,
        kind: ActKind,
    },
    /// Read the ids of `len` list rows from `from`, for a `v` range selection (or Space on
    /// a closed thread); in a threaded list (`threads`: the open threads, and whether all
    /// but those are) a closed thread's row stands for all of its messages the list has.
    SelectRange {
        query: ListQuery,
        from: usize,
        len: usize,
        threads: Option<(Vec<crate::model::ThreadId>, bool)>,
        unselect: bool,
    },
    /// Make the draft a new message starts from (a reply needs the original's body).
    StartCompose {
        account: AccountId,
        kind: super::compose::ComposeKind,
    },
    /// Render a message for the reader at `width`, off the UI task (a message with 40,000
    /// links or a huge HTML part takes its time); the answer is `Msg::Rendered`.
    Render {
        id: MessageId,
        raw: std::sync::Arc<Vec<u8>>,
        width: usize,
    },
    /// Build the message and hand it to the account's Outbox, in place of the draft or
    /// Outbox message it `replaces` (one command, so a message that cannot be built or
    /// stored leaves that one as it was).
    SendDraft {
        account: AccountId,
        draft: Box<crate::compose::Draft>,
        replaces: Option<crate::account::Replaces>,
    },
    /// Build the message and save it as a draft.
    SaveDraft {
        account: AccountId,
        draft: Box<crate::compose::Draft>,
        resumed: Option<crate::model::MessageId>,
    },
    /// Read a file to attach.
    AttachFile(PathBuf),
    /// Complete a path being typed.
    CompletePath(String),
    /// Complete an address being typed, from the senders in the store.
    CompleteAddress(String),
    /// Write the message being composed to its autosave file (in the data dir).
    Autosave {
        file: String,
        content: String,
    },
    /// Remove an autosave file: its message was sent, saved as a draft or discarded.
    DropAutosave(String),
    /// Work for the reader: find the next unread message, open an attachment or a link.
    Reading(super::reader::Request),
    /// New mail came: ring the bell and/or run the user's `new_mail_command` (off the UI
    /// task, its output not shown).
    NewMail {
        bell: bool,
        command: Option<String>,
        account: String,
        folder: String,
        count: u32,
    },
    /// Keep which lists are threaded (`threads.toml` in the data dir).
    SaveThreaded(std::collections::HashMap<String, bool>),
    /// Keep the saved searches made in the UI (`views.toml` in the data dir).
    SaveViews(Vec<crate::config::ViewConfig>),
    /// Count the unread messages of these saved searches (off the UI task).
    CountViews(Vec<(usize, ListQuery)>),
    /// Answer `Msg::Timer(timer)` after this long.
    Timer {
        after: std::time::Duration,
        timer: Timer,
    },
}

/// What a timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The message opened with this timer has been in the reader for `mark_read_delay`.
    MarkSeen(u64),
}

/// A message action before its targets are resolved to ids.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActKind {
    Flags {
        add: crate::model::Flags,
        remove: crate::model::Flags,
    },
    Delete {
        expunge: bool,
    },
    Move {
        to: crate::model::FolderId,
    },
    Copy {
        to: crate::model::FolderId,
    },
    /// Mark read, for `u` to take back (`M` with a filter on).
    MarkRead,
}

impl ActKind {
    /// The worker's action for these message ids.
    pub fn with_ids(self, ids: Vec<crate::model::MessageId>) -> crate::account::Action {
        use crate::account::Action;
        match self {
            ActKind::Flags { add, remove } => Action::Flags { ids, add, remove },
            ActKind::Delete { expunge } => Action::Delete { ids, expunge },
            ActKind::Move { to } => Action::Move { ids, to },
            ActKind::Copy { to } => Action::Copy { ids, to },
            ActKind::MarkRead => Action::MarkRead { ids },
        }
    }
}
