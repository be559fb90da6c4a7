//! The UI state: accounts and folders, the message list window, the reader, and the stack
//! of layers over them (composer, overlays, prompts).

use super::keymap::Keymap;
pub use super::list_view::{ListView, ThreadCell, ThreadTotals, Window};
use crate::mime::Rendered;
use crate::model::{AccountId, AccountState, Folder, FolderId, MessageId, Summary, ThreadId};
use crate::store::ListQuery;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Folders,
    List,
    Reader,
}

/// What a notice on screen tells of, when it goes out of date by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeAbout {
    /// The account's sync failed: once it is back online the notice goes.
    SyncFailed(AccountId),
    /// The config file: once it loads again the notice goes.
    Config,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub id: AccountId,
    pub name: String,
    pub state: AccountState,
    pub folders: Vec<Folder>,
    /// The worker has reported this account's folders (perhaps none).
    pub folders_known: bool,
    /// Actions waiting for the server.
    pub pending: usize,
    /// Messages in the Outbox: waiting, failed, or of unknown fate.
    pub outbox: Vec<crate::account::OutboxItem>,
    /// `d` deletes for good in this account (`delete = "expunge"`), so it asks first.
    pub delete_expunges: bool,
    /// An IMAP account that does not keep every body here: `/` cannot look in the rest.
    pub bodies_on_server: bool,
}

/// One row of the folder pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderRow {
    /// Virtual folder `n` of `AppState::virtual_rows()` (All inboxes, a saved search).
    Virtual(usize),
    Account(usize),
    Folder(usize, usize),
    /// A parent that the account does not have (`Projekte` of `Projekte/2026`), drawn as a
    /// container: the part at `depth` of the path of `folder`, the first folder under it.
    Container {
        account: usize,
        folder: usize,
        depth: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Loading,
    /// The message is here and being rendered, off the UI task.
    Rendering {
        raw: Arc<Vec<u8>>,
    },
    Ready {
        raw: Arc<Vec<u8>>,
        rendered: Rendered,
    },
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReaderView {
    pub id: MessageId,
    pub account: AccountId,
    pub summary: Summary,
    pub body: Body,
    pub scroll: u16,
    pub fullscreen: bool,
    /// A whole thread in one reader (`id`, `summary` and `body` are of the message at its
    /// cursor, which the reader's actions act on).
    pub conversation: Option<Box<super::conversation::Conversation>>,
}

/// A question in the status line that takes the next key.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// Which attachment to save: a digit, or `a` for all.
    SaveAttachment,
    /// `y` runs the effect, and the status line says `done`; anything else cancels.
    Confirm { question: String, then: Box<super::update::Effect>, done: Option<String> },
    /// A line of text (a folder name), then Enter.
    Text { label: String, input: String, purpose: TextPurpose },
    /// Which of the composed message's `n` attachments to remove: a digit.
    RemoveAttachment(usize),
    /// `y` throws the message being composed away.
    DiscardDraft,
    /// What to do with the first message a crash left (`AppState::kept`): r, d or Esc.
    ResumeAutosave,
    /// Which attachment to open: a digit.
    OpenAttachment,
    /// Quit with mail in the Outbox or changes waiting for the server?
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPurpose {
    NewFolder(AccountId),
    RenameFolder(AccountId, FolderId),
    /// A file to attach to the message being composed.
    AttachPath,
    /// A command to pipe the open message to.
    Pipe,
    /// A search over every folder of every account.
    Search,
    /// The name to keep the open search under.
    SaveSearch,
}

/// What a folder picker is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Move,
    Copy,
}

/// The folder picker: fuzzy filtering over the current account's folders.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub purpose: PickFor,
    pub account: AccountId,
    pub input: String,
    pub cursor: usize,
    pub targets: Targets,
}

/// The messages an action applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    Ids(Vec<MessageId>),
    /// Every message the query matches (`*` in a filtered list).
    Query(ListQuery),
    /// Messages of a list over several accounts: each goes to its own account's worker.
    Mixed(Vec<MessageId>),
    /// The `count` messages of a thread that the query matches (a closed thread's row).
    Thread {
        thread: ThreadId,
        query: ListQuery,
        count: usize,
    },
}

/// Marked messages of the open list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub ids: std::collections::BTreeSet<MessageId>,
    /// Everything in the current filter, including rows not loaded.
    pub all: bool,
    /// Where `v` started a range.
    pub anchor: Option<usize>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && !self.all
    }
}

/// Settings the UI needs from the config.
#[derive(Debug, Clone)]
pub struct UiSettings {
    pub mark_read_on_open: bool,
    pub prefetch: usize,
    pub date_format: String,
    pub attachment_dir: PathBuf,
    pub reader_fullscreen: bool,
    /// How long a message stays in the reader pane before it is marked read (none full
    /// screen).
    pub mark_read_delay: std::time::Duration,
    /// The external editor command; None for the built-in one.
    pub editor: Option<String>,
    /// Ring the bell, and run this command, when new mail comes.
    pub new_mail_bell: bool,
    pub new_mail_command: Option<String>,
    /// The roles of the unified folders shown with two accounts or more (INBOX by default).
    pub unified: Vec<crate::model::SpecialUse>,
    /// Lists are threaded until the user says otherwise for one.
    pub threaded: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        UiSettings {
            mark_read_on_open: true,
            prefetch: 2,
            date_format: "%Y-%m-%d".into(),
            attachment_dir: PathBuf::from("."),
            reader_fullscreen: false,
            mark_read_delay: std::time::Duration::from_secs(2),
            editor: None,
            new_mail_bell: false,
            new_mail_command: None,
            unified: vec![crate::model::SpecialUse::Inbox],
            threaded: false,
        }
    }
}

/// How many notices the message log keeps.
pub const LOG_MAX: usize = 200;

/// One mode of the UI over the panes. The top layer gets the keys (through the keymap, in
/// its `Context`); the layers are drawn bottom to top.
#[derive(Debug, Clone)]
pub enum Layer {
    /// The message being composed: the built-in editor while it is written, then the review.
    Compose(Box<super::compose::Composer>),
    /// The Outbox overlay, with its cursor.
    Outbox { cursor: usize },
    /// The folder picker of move and copy.
    Picker(Picker),
    /// A question or a typed line in the status line.
    Prompt(Prompt),
    /// The list filter being typed; its text is `ListView::typing`, which the list shows.
    Filter,
    /// The keys, scrolled by `scroll` lines.
    Help { scroll: usize },
    /// The open message's links, one to open.
    Links(super::reader::LinkChooser),
    /// The last notices in full, scrolled by `scroll` lines.
    Messages { scroll: usize },
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub accounts: Vec<AccountView>,
    pub focus: Pane,
    /// Index into `folder_rows()`, always on a `FolderRow::Folder`.
    pub folder_cursor: usize,
    pub current: Option<(AccountId, FolderId)>,
    pub list: ListView,
    pub reader: Option<ReaderView>,
    /// The opened message waiting for `mark_read_delay` before it is marked read.
    pub seen: super::seen::SeenWait,
    /// What just happened ("3 messages moved"): replaced by the next such line.
    pub status: Option<String>,
    /// Something refused or failed: it stays on screen until the next key or click.
    pub notice: Option<String>,
    /// What the notice tells of, when it goes out of date by itself.
    pub notice_about: Option<NoticeAbout>,
    /// The last notices, oldest first, at most `LOG_MAX`.
    pub log: Vec<String>,
    pub selection: Selection,
    /// The modes over the panes, bottom first.
    pub layers: Vec<Layer>,
    /// Text for the external editor; the event loop runs it and answers `Msg::Edited`.
    pub editor_request: Option<String>,
    /// What to compose once the body it starts from has been downloaded (a draft to
    /// resume, a message to answer or forward), in which account.
    pub resume_after_body: Option<(AccountId, super::compose::ComposeKind)>,
    /// Messages a crash left in the autosave folder, not yet answered for.
    pub kept: Vec<crate::compose::autosave::Kept>,
    /// The number of the next autosave file.
    pub autosave_next: u64,
    pub quit: bool,
    pub keymap: Keymap,
    pub settings: UiSettings,
    /// Terminal size, for layout and paging.
    pub size: (u16, u16),
    /// A program to give the terminal to (a pipe, the pager, a viewer); the event loop
    /// runs it and answers `Msg::Reading(Answer::HandedBack)`.
    pub handover: Option<super::reader::Handover>,
    /// New mail in folders other than the open one, for the status line.
    pub new_mail: Vec<super::newmail::NewMail>,
    /// Folders the user moved or copied messages into whose counts have not come back
    /// since: their next rise is those messages (`newmail::counted`).
    pub moving_into: Vec<FolderId>,
    /// The virtual folder open in the list (then `current` is None).
    pub open_virtual: Option<super::views::Virtual>,
    /// The saved searches.
    pub views: Vec<super::views::SavedView>,
    /// The accounts the last message action went to (`u` undoes there).
    pub last_acted: Vec<AccountId>,
    /// The number of the last list read asked for (`Effect::LoadList`); answers carry it.
    pub requests: u64,
    /// The servers' part of the open search.
    pub server_search: Option<super::views::ServerSearch>,
    /// Whether each list the user threaded or flattened is threaded (by `ListView::key`).
    pub threaded_in: std::collections::HashMap<String, bool>,
}

impl AppState {
    pub fn new(accounts: Vec<(AccountId, String)>, keymap: Keymap, settings: UiSettings) -> AppState {
        AppState {
            accounts: accounts
                .into_iter()
                .map(|(id, name)| AccountView {
                    id,
                    name,
                    state: AccountState::Connecting,
                    folders: Vec::new(),
                    folders_known: false,
                    pending: 0,
                    outbox: Vec::new(),
                    delete_expunges: false,
                    bodies_on_server: false,
                })
                .collect(),
            focus: Pane::Folders,
            folder_cursor: 0,
            current: None,
            list: ListView::default(),
            reader: None,
            seen: Default::default(),
            status: None,
            notice: None,
            notice_about: None,
            log: Vec::new(),
            selection: Selection::default(),
            layers: Vec::new(),
            editor_request: None,
            resume_after_body: None,
            kept: Vec::new(),
            autosave_next: 1,
            quit: false,
            keymap,
            settings,
            size: (80, 24),
            handover: None,
            new_mail: Vec::new(),
            moving_into: Vec::new(),
            requests: 0,
            server_search: None,
            open_virtual: None,
            views: Vec::new(),
            last_acted: Vec::new(),
            threaded_in: Default::default(),
        }
    }

    /// Puts a new list in place (another folder, a search): answers to reads of the lists
    /// before it are stale from now on.
    pub fn fresh_list(&mut self, account: Option<AccountId>, query: ListQuery) {
        let key = super::threads::key(&query);
        let threaded = self.threaded_in.get(&key).copied().unwrap_or(self.settings.threaded);
        self.list = ListView { account, query, fresh_from: self.requests + 1, threaded, key, ..Default::default() };
    }

    /// The number of a new list read.
    pub fn next_request(&mut self) -> u64 {
        self.requests += 1;
        self.requests
    }

    pub fn folder_rows(&self) -> Vec<FolderRow> {
        let mut rows: Vec<FolderRow> = (0..self.virtual_rows().len()).map(super::views::row).collect();
        for (ai, a) in self.accounts.iter().enumerate() {
            rows.push(FolderRow::Account(ai));
            rows.extend(super::folder_tree::rows(ai, &a.folders));
        }
        rows
    }

    pub fn folder_at(&self, row: FolderRow) -> Option<(&AccountView, &Folder)> {
        match row {
            FolderRow::Folder(ai, fi) => {
                let a = self.accounts.get(ai)?;
                Some((a, a.folders.get(fi)?))
            }
            FolderRow::Account(_) | FolderRow::Container { .. } | FolderRow::Virtual(_) => None,
        }
    }

    /// The message a key acts on: the open one when the reader has the focus (or the list
    /// has nothing under the cursor), else the one under the cursor.
    pub fn message_in_hand(&self) -> Option<(AccountId, &Summary)> {
        match &self.reader {
            // what is on screen: the reader when it has the focus or the whole screen
            Some(r) if self.focus == Pane::Reader || r.fullscreen || self.list.selected().is_none() => {
                Some((r.account, &r.summary))
            }
            _ if self.list_open() => self.list.selected().and_then(|s| Some((self.owner(s)?, s))),
            _ => None,
        }
    }

    /// Every account's Outbox messages, in account order.
    pub fn outbox_items(&self) -> Vec<(AccountId, &crate::account::OutboxItem)> {
        self.accounts.iter().flat_map(|a| a.outbox.iter().map(move |o| (a.id, o))).collect()
    }

    pub fn account_index(&self, id: AccountId) -> Option<usize> {
        self.accounts.iter().position(|a| a.id == id)
    }

    /// Rows the list pane shows at once.
    pub fn list_height(&self) -> usize {
        super::layout::areas(self).list.height.saturating_sub(2).max(1) as usize
    }

    /// Lines the reader pane shows at once.
    pub fn reader_height(&self) -> usize {
        super::layout::areas(self).reader.height.saturating_sub(2).max(1) as usize
    }

    /// The message being composed, wherever it is in the stack.
    pub fn compose(&self) -> Option<&super::compose::Composer> {
        self.layers.iter().rev().find_map(|l| match l {
            Layer::Compose(c) => Some(c.as_ref()),
            _ => None,
        })
    }

    pub fn compose_mut(&mut self) -> Option<&mut super::compose::Composer> {
        self.layers.iter_mut().rev().find_map(|l| match l {
            Layer::Compose(c) => Some(c.as_mut()),
            _ => None,
        })
    }

    /// The question shown in the status line: the topmost prompt.
    pub fn prompt(&self) -> Option<&Prompt> {
        self.layers.iter().rev().find_map(|l| match l {
            Layer::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn prompt_mut(&mut self) -> Option<&mut Prompt> {
        self.layers.iter_mut().rev().find_map(|l| match l {
            Layer::Prompt(p) => Some(p),
            _ => None,
        })
    }

    pub fn picker(&self) -> Option<&Picker> {
        self.layers.iter().rev().find_map(|l| match l {
            Layer::Picker(p) => Some(p),
            _ => None,
        })
    }

    /// The Outbox overlay's cursor, when it is open.
    pub fn outbox_cursor(&self) -> Option<usize> {
        self.layers.iter().rev().find_map(|l| match l {
            Layer::Outbox { cursor } => Some(*cursor),
            _ => None,
        })
    }

    /// Tells of something refused or failed: on screen until the user acts, and in the log.
    pub fn notify(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.log_only(text.clone());
        self.show_notice(text);
    }

    /// Puts a notice on screen (not in the log): one of the user's doing, not an account's.
    pub fn show_notice(&mut self, text: String) {
        self.notice = Some(text);
        self.notice_about = None;
    }

    /// Keeps a line in the message log (`I`) without putting it on screen.
    pub fn log_only(&mut self, text: impl Into<String>) {
        if self.log.len() >= LOG_MAX {
            self.log.remove(0);
        }
        self.log.push(text.into());
    }

    /// Tells that an account's sync failed: like `notify`, until the account is back.
    pub fn notify_sync_failed(&mut self, account: AccountId, text: impl Into<String>) {
        self.notify(text);
        self.notice_about = Some(NoticeAbout::SyncFailed(account));
    }

    /// An account is back online: a notice of its failed sync is out of date.
    pub fn account_back(&mut self, account: AccountId) {
        self.notice_gone(NoticeAbout::SyncFailed(account));
    }

    /// Tells of the config file (`Some`), or says it loads again (`None`): a notice of
    /// the file is then out of date.
    pub fn config_note(&mut self, note: Option<String>) {
        match note {
            Some(text) => {
                self.notify(format!("config: {text}"));
                self.notice_about = Some(NoticeAbout::Config);
            }
            None => self.notice_gone(NoticeAbout::Config),
        }
    }

    fn notice_gone(&mut self, about: NoticeAbout) {
        if self.notice_about == Some(about) {
            self.notice = None;
            self.notice_about = None;
        }
    }

    /// Asks a question in the status line, over whatever is open (the same question is
    /// not asked twice at once).
    pub fn ask(&mut self, p: Prompt) {
        if self.prompt() != Some(&p) {
            self.layers.push(Layer::Prompt(p));
        }
    }

    /// Closes every layer `f` picks.
    pub fn close(&mut self, f: impl Fn(&Layer) -> bool) {
        self.layers.retain(|l| !f(l));
    }
}
