//! What the sync, download, watch and send tasks report (`StoreOp`s), applied to the store
//! by the worker, its only writer, with the events that tell the UI.

use super::Event;
use super::sync_task::{Retry, Scope, StoreOp};
use super::worker::{BACKOFF_MAX, BACKOFF_START, Worker, jitter};
use crate::imap::LocalState;
use crate::model::{AccountState, FolderId, Uid};
use crate::store::StoreError;
use std::time::Duration;
use tokio::time::Instant;

impl Worker {
    pub(super) fn apply(&mut self, op: StoreOp) {
        if let Err(e) = self.try_apply(op) {
            tracing::error!(error = %e, "store write failed");
            self.emit(Event::Notice { account: self.id, text: format!("local store: {e}") });
        }
    }

    fn try_apply(&mut self, op: StoreOp) -> Result<(), StoreError> {
        let account = self.id;
        match op {
            StoreOp::Folders(listed, reply) => {
                if !self.online {
                    self.online = true;
                    self.backoff = BACKOFF_START;
                    self.state(AccountState::Online);
                }
                let infos: Vec<_> = listed.iter().map(|l| l.info.clone()).collect();
                let folders = self.store.set_folders(account, &infos)?;
                for l in &listed {
                    if let (Some(st), Some(f)) = (l.counts, folders.iter().find(|f| f.name == l.info.name)) {
                        self.store.set_server_counts(f.id, st.messages, st.unseen)?;
                    }
                }
                let folders = self.store.folders(account)?;
                self.emit(Event::Folders { account, folders: folders.clone() });
                let _ = reply.send(folders);
            }
            StoreOp::Snapshot(folder, reply) => {
                let mut flags = self.store.uid_flags(folder)?;
                // what the user moved or deleted here and the queue has not yet told the
                // server: known, so the pass neither brings it back nor counts it missing
                for uid in self.leaving(folder)? {
                    flags.entry(uid).or_insert(crate::model::Flags(crate::model::Flags::SEEN));
                }
                let _ = reply.send(LocalState { sync: self.store.sync_state(folder)?, flags });
            }
            StoreOp::Applied(reply) => {
                let _ = reply.send(());
            }
            StoreOp::Tally(folder, reply) => {
                let (mut messages, unseen) = self.store.uid_tally(folder)?;
                let leaving = self.leaving(folder)?;
                messages += self.store.uids_absent(folder, &leaving)?;
                let _ = reply.send(super::sync_task::Tally { sync: self.store.sync_state(folder)?, messages, unseen });
            }
            StoreOp::Reset(folder) => {
                self.store.reset_folder(folder)?;
                let name = self.store.folder(folder)?.display;
                self.emit(Event::Notice {
                    account,
                    text: format!(
                        "{name}: the server renumbered this folder (UIDVALIDITY changed); its cache was rebuilt"
                    ),
                });
                self.changed(folder)?;
            }
            StoreOp::Remove(folder, uids) => {
                self.store.remove_uids(folder, &uids)?;
                self.changed(folder)?;
            }
            StoreOp::Flags(folder, changes) => {
                self.store.update_flags(folder, &changes)?;
                self.changed(folder)?;
            }
            StoreOp::Insert(folder, batch, p) => {
                self.store.insert_messages(folder, &batch)?;
                let name = self.store.folder(folder)?.display;
                self.state(AccountState::Syncing { folder: name, done: p.done, total: p.total });
                self.changed(folder)?;
            }
            StoreOp::Finish(folder, state, exists) => {
                self.store.set_sync_state(folder, state)?;
                let unread = self.store.folder(folder)?.unread;
                self.store.set_server_counts(folder, exists, unread)?;
                self.changed(folder)?;
            }
            op @ (StoreOp::Pop3Known(_)
            | StoreOp::Pop3Stored { .. }
            | StoreOp::Pop3Completed { .. }
            | StoreOp::Pop3Missing(_)
            | StoreOp::Pop3Progress { .. }
            | StoreOp::Pop3Forget(_)) => self.apply_pop3(op)?,
            StoreOp::Watched(folder) => {
                if let Ok(f) = self.store.folder(folder) {
                    self.start_scope(Scope::One(f));
                }
            }
            StoreOp::OutboxSending(id, reply) => {
                let go = self.store.start_handover(id);
                let _ = reply.send(matches!(go, Ok(true)));
                go?;
            }
            StoreOp::OutboxDone(..) => {}
            StoreOp::MirrorBodies { folder, asked, bodies, reply } => self.mirror_bodies(folder, asked, bodies, reply),
            StoreOp::MirrorEnd(failure) => self.mirror_end(failure),
            StoreOp::Searched { request, found, outcome } => self.searched(request, found, outcome),
            StoreOp::Done(result) => {
                self.syncing = false;
                let good = result.is_none();
                self.outbox_due = result.is_none();
                match &result {
                    None => {
                        self.online = true;
                        self.state(AccountState::Online);
                        // back after a refused login or new settings: watch again
                        if let (None, Some(folder)) = (&self.watch, self.watch_wanted) {
                            self.watch(folder);
                        }
                    }
                    Some(f) => {
                        tracing::warn!(account = self.id.0, error = %f.text, retry = ?f.retry, "sync failed");
                        self.online = false;
                        if let Ok(folders) = self.store.folders(self.id)
                            && folders.is_empty()
                        {
                            // its folders cannot be known yet: the UI need not wait for them
                            self.emit(Event::Folders { account: self.id, folders });
                        }
                        match f.retry {
                            Retry::WhenAsked => self.login_refused(f.text.clone()),
                            Retry::Later => {
                                self.state(AccountState::Offline(f.text.clone()));
                                self.retry_at = Some(Instant::now() + jitter(self.backoff));
                                self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
                            }
                            Retry::Never => self.state(AccountState::Offline(f.text.clone())),
                        }
                    }
                }
                if result.is_none() && self.report_sync {
                    let every = match (&self.imap, &self.pop3) {
                        (Some(c), _) => c.poll_interval,
                        (None, Some(c)) => c.poll_interval,
                        _ => 300,
                    }
                    .max(10);
                    self.next_poll = Instant::now().checked_add(Duration::from_secs(every));
                }
                if self.report_sync || result.is_some() {
                    self.emit(Event::SyncDone { account, error: result.map(|f| f.text) });
                }
                if let Some(scope) = self.sync_again.take() {
                    self.start_scope(scope);
                } else if good && self.imap.is_some() {
                    // headers first, then the bodies the offline settings keep
                    self.mirror_due(super::mirror::MirrorScope::Policy);
                }
            }
            StoreOp::LoginFailed(text) => self.login_refused(text),
        }
        Ok(())
    }

    /// The UIDs of a folder that the user moved or deleted here and the queue has not yet
    /// told the server about.
    fn leaving(&self, folder: FolderId) -> Result<Vec<Uid>, StoreError> {
        let name = self.store.folder(folder)?.name;
        let mut out = Vec::new();
        for (_, op) in self.store.pending_ops(self.id)? {
            out.extend(super::ops::Op::from_json(&op).map(|o| o.leaving(&name)).unwrap_or_default());
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}
