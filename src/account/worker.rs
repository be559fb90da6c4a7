//! The account worker loop: commands from the UI, store changes from the sync task, body
//! fetches on its own connection, background prefetch, and reconnecting with backoff.

use super::handle::{Events, spawn_guarded};
use super::reconfigure::Settings;
use super::sync_task::{self, Failure, Scope, StoreOp};
use super::{Command, Event};
use crate::config::{AccountConfig, ImapConfig};
use crate::imap::{self, Connection, ImapError};
use crate::model::{AccountId, AccountState, FolderId, MessageId};
use crate::secret::PasswordSource;
use crate::store::{Store, StoreError};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The first wait before the Outbox is tried again after a temporary failure.
pub(super) const OUTBOX_BACKOFF_START: Duration = Duration::from_secs(30);
pub(super) const BACKOFF_START: Duration = Duration::from_secs(2);
pub(super) const BACKOFF_MAX: Duration = Duration::from_secs(300);

impl Worker {
    /// A worker for an account, with the channel its tasks report to. `restarted` when an
    /// earlier worker of this process panicked: what it had claimed may still be under way.
    pub(super) fn new(
        id: AccountId,
        account: &AccountConfig,
        store: Store,
        events: Events,
        restarted: bool,
    ) -> (Worker, mpsc::UnboundedReceiver<StoreOp>) {
        let (ops_tx, ops_rx) = mpsc::unbounded_channel();
        if let Err(e) = store.set_thread_by_subject(id, account.thread_by_subject) {
            tracing::warn!(error = %e, "cannot record the account's subject threading");
        }
        let Settings { imap, pop3, password, smtp, smtp_password } = Settings::of(account);
        let worker = Worker {
            id,
            imap,
            pop3,
            password,
            store,
            events,
            conn: None,
            ops_tx,
            syncing: false,
            sync_again: None,
            report_sync: false,
            report_next: false,
            watch: None,
            next_poll: None,
            online: false,
            backoff: BACKOFF_START,
            retry_at: None,
            prefetch: VecDeque::new(),
            undo: Vec::new(),
            full_wanted: Default::default(),
            smtp_password,
            smtp,
            sending: false,
            outbox_due: false,
            resync_after_replay: false,
            outbox_retry: None,
            outbox_backoff: OUTBOX_BACKOFF_START,
            restarted,
            local_watch: None,
            held: Default::default(),
            login_refused: None,
            watch_wanted: None,
            mirror: None,
            mirror_queue: VecDeque::new(),
            thread_backlog: true,
            indexing: true,
            search_task: None,
        };
        (worker, ops_rx)
    }
}

pub(super) struct Worker {
    pub(super) id: AccountId,
    pub(super) imap: Option<ImapConfig>,
    pub(super) pop3: Option<crate::config::Pop3Config>,
    pub(super) password: Option<PasswordSource>,
    pub(super) store: Store,
    pub(super) events: Events,
    /// Messages stored before threads existed may be left to thread (in batches, when
    /// nothing else is waiting).
    pub(super) thread_backlog: bool,
    /// The connection for interactive commands (the sync task has its own).
    pub(super) conn: Option<Connection>,
    pub(super) ops_tx: mpsc::UnboundedSender<StoreOp>,
    pub(super) syncing: bool,
    /// A sync asked for while one ran: run it after.
    pub(super) sync_again: Option<Scope>,
    /// Whether the running pass ends with `SyncDone` (every full pass, and one-folder
    /// passes someone asked for; not those the watch connection starts).
    pub(super) report_sync: bool,
    /// The next pass to start was asked for with `SyncFolder`.
    pub(super) report_next: bool,
    /// The folder watched with IDLE on its own connection, and its task.
    pub(super) watch: Option<(FolderId, tokio::task::JoinHandle<()>)>,
    /// When the next periodic pass is due.
    pub(super) next_poll: Option<Instant>,
    pub(super) online: bool,
    pub(super) backoff: Duration,
    pub(super) retry_at: Option<Instant>,
    pub(super) prefetch: VecDeque<MessageId>,
    pub(super) undo: Vec<super::actions::UndoEntry>,
    /// Partial POP3 messages to download whole in the next pass, by UIDL.
    pub(super) full_wanted: std::collections::HashMap<String, super::pop3_task::FullRequest>,
    /// How the account sends, and the password for it.
    pub(super) smtp: Option<crate::config::SmtpSettings>,
    pub(super) smtp_password: Option<PasswordSource>,
    /// A send task is running.
    pub(super) sending: bool,
    /// The Outbox should be tried once the current store change is applied.
    pub(super) outbox_due: bool,
    /// A refused or partly done action wants a resync once the queue has been sent.
    pub(super) resync_after_replay: bool,
    /// When to try the Outbox again after a temporary failure, and the wait after that.
    pub(super) outbox_retry: Option<Instant>,
    pub(super) outbox_backoff: Duration,
    /// An earlier worker of this process panicked (see `new`).
    pub(super) restarted: bool,
    /// The open folder of a local account, whose Maildir is checked for other tools' changes.
    pub(super) local_watch: Option<LocalWatch>,
    /// Events held back until the store changes they tell of commit (`hold_events`).
    pub(super) held: std::cell::RefCell<Option<Vec<Event>>>,
    /// The server refused the login: why. Nothing connects by itself while this is set.
    pub(super) login_refused: Option<String>,
    /// The folder the UI looks at, watched again once the account is back.
    pub(super) watch_wanted: Option<FolderId>,
    /// The offline mirror's run under way, and the runs asked for meanwhile.
    pub(super) mirror: Option<super::mirror::MirrorRun>,
    pub(super) mirror_queue: VecDeque<super::mirror::MirrorScope>,
    /// Older messages may wait for the search index (`search.rs`).
    pub(super) indexing: bool,
    /// The server search under way (`search_task.rs`): its request and task.
    pub(super) search_task: Option<(u64, tokio::task::JoinHandle<()>)>,
}

/// The open local folder: when its Maildir last changed, and when to look again.
pub(super) struct LocalWatch {
    folder: FolderId,
    stamp: Option<std::time::SystemTime>,
    next: Instant,
}

/// How long a stopping worker waits for a running pass or send to end.
const FINISH_PASS: Duration = Duration::from_secs(10);

/// How often the open local folder's Maildir is checked for changes made by other tools.
const FOLLOW_EVERY: Duration = Duration::from_secs(3);

impl Worker {
    pub(super) fn emit(&self, e: Event) {
        if let Some(held) = self.held.borrow_mut().as_mut() {
            held.push(e);
            return;
        }
        self.events.send(e);
    }

    /// Holds events back while a batch of store changes is open (the UI would read the
    /// store before they commit), and sends them once it has ended.
    pub(super) fn hold_events(&self, hold: bool) {
        let held = if hold { self.held.replace(Some(Vec::new())) } else { self.held.take() };
        for e in held.into_iter().flatten() {
            self.events.send(e);
        }
    }

    pub(super) fn state(&self, state: AccountState) {
        self.emit(Event::State { account: self.id, state });
    }

    pub(super) async fn run(
        mut self,
        rx: &mut mpsc::UnboundedReceiver<Command>,
        mut ops: mpsc::UnboundedReceiver<StoreOp>,
    ) {
        // (a server account seen for the first time says nothing until its folder list is
        // known, so the UI opens the first account's Inbox, not the next one's)
        if let Ok(folders) = self.store.folders(self.id)
            && (!folders.is_empty() || self.imap.is_none())
        {
            self.emit(Event::Folders { account: self.id, folders });
        }
        if self.imap.is_none() {
            self.state(AccountState::Local);
        }
        // what a stopped process (or a worker of this one that panicked) left half done
        match self.store.recover_claims(self.id, self.restarted) {
            Ok(0) => {}
            Ok(n) => self.notice(format!(
                "{n} message(s) were being sent when poste stopped; they are kept in the Outbox, \
                 marked unknown: check before resending"
            )),
            Err(e) => self.notice(format!("local store: {e}")),
        }
        if let Err(e) = self.store.recover_files(self.id) {
            self.notice(format!("local store: {e}"));
        }
        if self.local() {
            // what other Maildir tools did while poste was not running
            for f in self.store.folders(self.id).unwrap_or_default() {
                match self.store.follow_folder(f.id) {
                    Ok(done) if done.any() => self.changed_folder(f.id),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(folder = %f.display, error = %e, "cannot read the folder's Maildir"),
                }
            }
        }
        self.emit_outbox();
        loop {
            let retry = self.retry_at;
            let outbox_retry = self.outbox_retry;
            let poll = self.next_poll;
            let follow = self.local_watch.as_ref().map(|w| w.next);
            let can_prefetch = !self.prefetch.is_empty() && self.online;
            tokio::select! {
                biased;
                cmd = rx.recv() => match cmd {
                    None | Some(Command::Shutdown) => break,
                    Some(cmd) => {
                        // take what else is waiting: an Open followed by a later Open is
                        // stale (the user scrolled on), so only the last one is fetched
                        let mut batch = vec![cmd];
                        while let Ok(more) = rx.try_recv() {
                            batch.push(more);
                        }
                        let last_open = batch.iter().rposition(|c| matches!(c, Command::Open { .. }));
                        let mut stop = false;
                        for (i, c) in batch.into_iter().enumerate() {
                            match c {
                                Command::Shutdown => stop = true,
                                Command::Open { .. } if Some(i) != last_open => {}
                                c if !stop => self.command(c).await,
                                _ => {}
                            }
                        }
                        if stop {
                            break;
                        }
                    }
                },
                Some(op) = ops.recv() => {
                    match op {
                        StoreOp::OutboxDone(id, result) => self.outbox_done(id, result).await,
                        op => self.apply(op),
                    }
                    if std::mem::take(&mut self.outbox_due) {
                        self.try_outbox().await;
                    }
                }
                _ = sleep_until(outbox_retry), if outbox_retry.is_some() => {
                    self.outbox_retry = None;
                    self.try_outbox().await;
                }
                _ = sleep_until(retry), if retry.is_some() => {
                    self.retry_at = None;
                    self.replay().await;
                    self.start_sync(None);
                }
                _ = sleep_until(poll), if poll.is_some() => {
                    self.next_poll = None;
                    if !self.syncing {
                        self.replay().await;
                        self.start_sync(None);
                    }
                }
                _ = sleep_until(follow), if follow.is_some() => self.follow_watched(),
                _ = std::future::ready(()), if can_prefetch => self.prefetch_one().await,
                _ = std::future::ready(()), if self.thread_backlog => self.thread_batch(),
                _ = std::future::ready(()), if self.indexing => self.index_some(),
            }
        }
        if let Some((_, task)) = self.watch.take() {
            task.abort();
        }
        self.stop_mirror(None);
        self.finish_pass(&mut ops).await;
        if let Some(c) = self.conn.take() {
            c.logout().await;
        }
    }

    /// Threads one batch of the messages stored before threads existed; once none are
    /// left, the folders are reported changed (their threaded lists are complete now).
    fn thread_batch(&mut self) {
        match self.store.thread_backlog(self.id) {
            Ok(n) if n == crate::store::threads::BACKLOG_BATCH => return,
            Ok(0) => {}
            Ok(_) => {
                for f in self.store.folders(self.id).unwrap_or_default() {
                    self.changed_folder(f.id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot thread the stored messages"),
        }
        self.thread_backlog = false;
    }

    /// On the way out: lets a running POP3 pass end cleanly (it sends its DELEs and QUIT
    /// only at its end) and a send under way be recorded, for a while. (An IMAP sync cut
    /// short loses nothing: the next one takes up where it stopped.)
    async fn finish_pass(&mut self, ops: &mut mpsc::UnboundedReceiver<StoreOp>) {
        let deadline = Instant::now() + FINISH_PASS;
        self.sync_again = None;
        while (self.syncing && self.pop3.is_some()) || self.sending {
            match tokio::time::timeout_at(deadline, ops.recv()).await {
                Ok(Some(StoreOp::OutboxDone(id, result))) => {
                    // a send under way is recorded as it ended; nothing new starts
                    self.sending = false;
                    self.record_send(id, &result);
                }
                Ok(Some(op)) => self.apply(op),
                Ok(None) => return,
                Err(_) => {
                    tracing::info!("a pass was still running when the account stopped; it is cut off");
                    return;
                }
            }
            self.sync_again = None;
        }
    }

    async fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Sync { first } => {
                // the user asks: a refused login is tried once more
                self.login_refused = None;
                self.retry_at = None;
                // queued actions go first, so the sync sees their result
                self.replay().await;
                self.start_sync(first)
            }
            Command::Open { id, mark_seen } => self.open(id, mark_seen).await,
            Command::Prefetch(ids) => {
                self.prefetch =
                    ids.into_iter().filter(|id| self.store.message(*id).is_ok_and(|m| m.path.is_none())).collect();
            }
            Command::Act(action) => self.act(action).await,
            Command::Watch(folder) => self.watch(folder),
            Command::SyncFolder(folder) => {
                self.login_refused = None;
                self.replay().await;
                match self.store.folder(folder) {
                    Ok(f) if f.noselect => self.emit(Event::SyncDone { account: self.id, error: None }),
                    Ok(f) => {
                        self.report_next = true;
                        self.start_scope(Scope::One(f));
                    }
                    Err(e) => self.emit(Event::SyncDone { account: self.id, error: Some(e.to_string()) }),
                }
            }
            Command::FetchFull(id) => self.fetch_full(id),
            Command::Send { message, replaces } => self.send(*message, replaces).await,
            Command::SaveDraft { raw, replaces } => self.save_draft(raw, replaces).await,
            Command::RetryOutgoing(id) => {
                match self.store.retry_outgoing(id) {
                    Ok(true) => {}
                    Ok(false) => self.notice("that message is being sent already".into()),
                    Err(e) => self.notice(format!("local store: {e}")),
                }
                self.emit_outbox();
                self.try_outbox().await;
            }
            Command::DiscardOutgoing(id) => {
                match self.store.discard_outgoing(id) {
                    Ok(true) => {}
                    Ok(false) => self.notice(
                        "that message is being handed to the server right now, so it cannot be discarded".into(),
                    ),
                    Err(e) => self.notice(format!("local store: {e}")),
                }
                self.emit_outbox();
            }
            Command::Reconfigure(account) => self.reconfigure(&account).await,
            Command::Mirror { folder } => {
                self.login_refused = None;
                self.mirror_due(folder.map_or(super::mirror::MirrorScope::Policy, super::mirror::MirrorScope::Folder))
            }
            Command::Search { request, query } => self.search(request, query),
            Command::Shutdown => {}
        }
    }

    pub(super) fn start_sync(&mut self, first: Option<FolderId>) {
        self.start_scope(Scope::All { first });
    }

    pub(super) fn start_scope(&mut self, scope: Scope) {
        if let Some(text) = self.login_refused.clone() {
            // a refused login is tried again only when the user asks (Command::Sync)
            return self.emit(Event::SyncDone { account: self.id, error: Some(text) });
        }
        if let (Some(cfg), Some(pw)) = (self.pop3.clone(), self.password.clone()) {
            if self.syncing {
                self.sync_again = Some(scope);
                return;
            }
            self.syncing = true;
            self.report_sync = true;
            if !self.online {
                self.state(AccountState::Connecting);
            }
            let now = clock_now();
            let ops = self.ops_tx.clone();
            spawn_guarded(super::pop3_task::run(cfg, pw, ops.clone(), now), move |e| {
                let _ = ops.send(StoreOp::Done(Some(Failure::never(e))));
            });
            return;
        }
        let (Some(cfg), Some(pw)) = (self.imap.clone(), self.password.clone()) else {
            self.emit(Event::SyncDone { account: self.id, error: None });
            return;
        };
        if self.syncing {
            // one pass at a time: remember the widest request
            self.sync_again = Some(match (self.sync_again.take(), scope) {
                (None, s) => s,
                (Some(Scope::One(a)), Scope::One(b)) if a.id == b.id => Scope::One(b),
                (Some(Scope::All { first }), Scope::One(_)) | (Some(Scope::One(_)), Scope::All { first }) => {
                    Scope::All { first }
                }
                (Some(Scope::All { first }), Scope::All { first: f2 }) => Scope::All { first: f2.or(first) },
                (Some(Scope::One(_)), Scope::One(_)) => Scope::All { first: None },
            });
            return;
        }
        self.syncing = true;
        self.report_sync = matches!(scope, Scope::All { .. }) || std::mem::take(&mut self.report_next);
        if !self.online {
            self.state(AccountState::Connecting);
        }
        let ops = self.ops_tx.clone();
        spawn_guarded(sync_task::run(cfg, pw, scope, ops.clone()), move |e| {
            let _ = ops.send(StoreOp::Done(Some(Failure::never(e))));
        });
    }

    /// Watches `folder` for changes made elsewhere (IDLE on a connection of its own).
    pub(super) fn watch(&mut self, folder: FolderId) {
        self.watch_wanted = Some(folder);
        if self.local() {
            // a local folder: follow what other Maildir tools do to it while it is open
            self.local_watch = Some(LocalWatch { folder, stamp: None, next: Instant::now() });
            return self.follow_watched();
        }
        if self.watch.as_ref().is_some_and(|(f, _)| *f == folder) || self.login_refused.is_some() {
            return;
        }
        if let Some((_, task)) = self.watch.take() {
            task.abort();
        }
        let (Some(cfg), Some(pw), Ok(f)) = (self.imap.clone(), self.password.clone(), self.store.folder(folder)) else {
            return;
        };
        if f.noselect {
            // a container of folders has nothing to watch (and the server would refuse it)
            return;
        }
        let task = spawn_guarded(super::watch::run(cfg, pw, f, self.ops_tx.clone()), |_| {});
        self.watch = Some((folder, task));
    }

    /// The server refused the login (or the password could not be had): nothing connects
    /// by itself any more, so a wrong password is not tried again and again (which gets
    /// accounts locked and addresses banned); the user's next sync tries once more.
    pub(super) fn login_refused(&mut self, text: String) {
        tracing::warn!(account = self.id.0, error = %text, "login refused; not trying again until asked");
        self.login_refused = Some(text.clone());
        self.online = false;
        self.retry_at = None;
        self.next_poll = None;
        self.prefetch.clear();
        self.conn = None;
        if let Some((_, task)) = self.watch.take() {
            task.abort();
        }
        self.stop_mirror(Some(&text));
        self.state(AccountState::LoginFailed(text));
    }

    /// Reads the watched local folder again if its Maildir changed since the last look.
    fn follow_watched(&mut self) {
        let Some(w) = self.local_watch.as_mut() else { return };
        w.next = Instant::now() + FOLLOW_EVERY;
        let folder = w.folder;
        let stamp = self.store.folder_stamp(folder).ok().flatten();
        if stamp.is_some() && stamp == w.stamp {
            return;
        }
        w.stamp = stamp;
        match self.store.follow_folder(folder) {
            Ok(done) if done.any() => self.changed_folder(folder),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the folder's Maildir"),
        }
    }

    /// Applies a store change from the sync task and tells the UI.
    pub(super) fn changed(&self, folder: FolderId) -> Result<(), StoreError> {
        self.emit(Event::Changed { account: self.id, folder });
        let f = self.store.folder(folder)?;
        self.emit(Event::FolderCounts { account: self.id, folder: f });
        Ok(())
    }

    /// The interactive connection, connecting when there is none.
    pub(super) async fn connection(&mut self) -> Result<&mut Connection, ImapError> {
        if let Some(text) = &self.login_refused {
            return Err(ImapError::Auth(format!("{text} (R tries again)")));
        }
        if self.conn.is_none() {
            let (Some(cfg), Some(pw)) = (self.imap.as_ref(), self.password.as_ref()) else {
                return Err(ImapError::Protocol("this account has no server".into()));
            };
            self.conn = Some(imap::connect(cfg, pw).await?);
        }
        self.conn.as_mut().ok_or(ImapError::Closed)
    }

    /// A failed interactive command: drop a broken connection and go offline.
    pub(super) fn connection_failed(&mut self, e: &ImapError) {
        if e.is_login() && self.login_refused.is_none() {
            return self.login_refused(e.to_string());
        }
        if e.is_transient() {
            self.conn = None;
            if self.online {
                self.online = false;
                self.state(AccountState::Offline(e.to_string()));
            }
            if !self.syncing && self.retry_at.is_none() {
                self.retry_at = Some(Instant::now() + self.backoff);
            }
        }
    }
}

/// A wait spread by ±20 %, so that many clients cut off at once do not all come back at
/// the same moment.
pub(super) fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.subsec_nanos());
    d.mul_f64(0.8 + f64::from(nanos % 400) / 1000.0)
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The current time in seconds. `POSTE_CLOCK_OFFSET_DAYS` moves it forward, so tests (and
/// anyone checking a deletion policy) can see what a sync some days from now would do.
pub(super) fn clock_now() -> i64 {
    let offset = std::env::var("POSTE_CLOCK_OFFSET_DAYS").ok().and_then(|d| d.parse::<i64>().ok()).unwrap_or(0);
    chrono::Utc::now().timestamp() + offset * 86_400
}
