//! Replaying the action queue to the server, in order: each entry is claimed, executed
//! (flags, expunges, moves, copies, uploads, folder changes), and finished; a refused one
//! is rolled back locally in the same batch as its removal from the queue.

use super::Event;
use super::ops::Op;
use super::worker::Worker;
use crate::imap::{self, ImapError};
use crate::model::{Flags, MessageId, Uid};

impl Worker {
    /// Sends queued actions in order while the server can be reached. True when the queue
    /// is empty.
    pub(super) async fn replay(&mut self) -> bool {
        let done = self.replay_queue().await;
        // a pass started in the middle of the queue could see the server before the rest
        // of it is done (a message deleted here would come back for a while): after
        if std::mem::take(&mut self.resync_after_replay) {
            self.start_sync(None);
        }
        done
    }

    async fn replay_queue(&mut self) -> bool {
        if self.imap.is_none() {
            self.pending_event(true);
            return true;
        }
        loop {
            let next = match self.store.claim_op(self.id) {
                Ok(n) => n,
                Err(e) => {
                    self.notice(format!("local store: {e}"));
                    return false;
                }
            };
            let Some((id, json, attempts)) = next else {
                self.pending_event(true);
                return true;
            };
            let Some(op) = Op::from_json(&json) else {
                tracing::error!(id, "unreadable queued action dropped");
                let _ = self.store.finish_op(id);
                continue;
            };
            match self.execute(&op, attempts).await {
                Ok(()) => {
                    let _ = self.store.finish_op(id);
                }
                // the server was not reached, or not let in: the action was not refused,
                // and waits for the connection (or the password) to come back
                Err(e) if e.is_transient() || e.is_login() => {
                    let _ = self.store.unclaim_op(id);
                    tracing::info!(error = %e, "server not reached or login refused; actions stay queued");
                    self.connection_failed(&e);
                    self.pending_event(true);
                    return false;
                }
                Err(ImapError::OtherDeleted { folder, count }) if matches!(op, Op::Expunge { others: false, .. }) => {
                    // without UIDPLUS an expunge takes every \Deleted message: ask first
                    let _ = self.store.finish_op(id);
                    let found = match &op {
                        Op::Expunge { folder: name, uids, .. } => self
                            .store
                            .find_folder(self.id, name)
                            .ok()
                            .flatten()
                            .map(|f| (name.clone(), f, uids.clone())),
                        _ => None,
                    };
                    if let Some((name, f, uids)) = found {
                        let question = format!(
                            "{count} other messages in {} are marked deleted too, and this server (no UIDPLUS) can only expunge them all together. Expunge them as well? (y/n)",
                            crate::imap::decode_folder_name(&name)
                        );
                        let action = super::Action::ExpungeMarked { folder: f.id, uids };
                        self.emit(Event::Ask { account: self.id, question, action });
                    } else {
                        self.notice(format!(
                            "{} other messages in {folder} are marked deleted; nothing was expunged",
                            count
                        ));
                    }
                    self.resync_after_replay = true;
                }
                Err(e) => {
                    // the entry goes and its local effect is undone together
                    let batch = self.store.begin_batch().is_ok();
                    self.hold_events(true);
                    let _ = self.store.finish_op(id);
                    self.roll_back(&op);
                    if batch && let Err(e) = self.store.end_batch(true) {
                        tracing::error!(error = %e, "could not record a refused action");
                    }
                    self.hold_events(false);
                    self.notice(format!(
                        "{} failed: {e}; the local copy was set back to match the server",
                        op.describe()
                    ));
                    self.resync_after_replay = true;
                }
            }
            self.emit_pending();
        }
    }

    /// Undoes the local effect of an action the server refused.
    fn roll_back(&mut self, op: &Op) {
        match op {
            Op::Move { items, to, .. } => {
                let _ = self.store.restore_local(items);
                if let Ok(Some(f)) = self.store.find_folder(self.id, to) {
                    self.changed_folder(f.id);
                }
                for i in items {
                    self.changed_folder(i.folder);
                }
            }
            Op::Copy { items, .. } => {
                let ids: Vec<MessageId> = items.iter().map(|i| i.0).collect();
                let _ = self.store.delete_local(&ids);
            }
            // flags, expunges and folder changes come back with the resync
            _ => {}
        }
    }

    async fn execute(&mut self, op: &Op, attempts: u32) -> Result<(), ImapError> {
        let conn = self.connection().await?;
        let check = |now: Option<u32>, then: &Option<u32>, folder: &str| match (now, then) {
            (Some(a), Some(b)) if a != *b => Err(ImapError::No {
                command: format!("SELECT {}", imap::decode_folder_name(folder)),
                text: "the folder was renumbered on the server (UIDVALIDITY changed) since the action".into(),
            }),
            _ => Ok(()),
        };
        match op {
            Op::Flags { folder, uidvalidity, uids, add, remove } => {
                let v = imap::select::ensure(conn, folder).await?;
                check(v, uidvalidity, folder)?;
                imap::ops::store_flags(conn, folder, uids.as_deref(), Flags(*add), Flags(*remove)).await
            }
            Op::Expunge { folder, uidvalidity, uids, others } => {
                let v = imap::select::ensure(conn, folder).await?;
                check(v, uidvalidity, folder)?;
                imap::ops::expunge(conn, folder, uids, *others).await
            }
            Op::Move { from, uidvalidity, to, items } => {
                let v = imap::select::ensure(conn, from).await?;
                check(v, uidvalidity, from)?;
                let uids: Vec<Uid> = items.iter().map(|i| i.uid).collect();
                let pairs = imap::ops::move_to(conn, from, &uids, to).await?;
                self.place(items.iter().map(|i| (i.id, i.uid)).collect(), &pairs, to);
                Ok(())
            }
            Op::Copy { from, uidvalidity, to, items } => {
                let v = imap::select::ensure(conn, from).await?;
                check(v, uidvalidity, from)?;
                let mut todo: Vec<(MessageId, Uid)> = items.iter().map(|i| (i.0, i.1)).collect();
                if attempts > 0 {
                    // a retry after a cut connection: what already arrived is not copied again
                    let ids: Vec<String> = items.iter().filter_map(|i| i.2.clone()).collect();
                    let there = imap::ops::find_message_ids(conn, to, &ids).await?;
                    if !there.is_empty() {
                        let done: Vec<MessageId> = items.iter().filter(|i| i.2.is_some()).map(|i| i.0).collect();
                        let _ = self.store.drop_placeholders(&done);
                        todo.retain(|(id, _)| !done.contains(id));
                    }
                }
                let uids: Vec<Uid> = todo.iter().map(|(_, u)| *u).collect();
                let conn = self.connection().await?;
                let pairs = if uids.is_empty() { Vec::new() } else { imap::ops::copy(conn, from, &uids, to).await? };
                self.place(todo, &pairs, to);
                Ok(())
            }
            Op::Append { folder, id, flags, since } => {
                self.upload(folder, *id, Flags(*flags), since.unwrap_or(0), attempts).await
            }
            Op::CreateFolder { name } => imap::ops::create_folder(conn, name).await,
            Op::RenameFolder { from, to, subscribed } => imap::ops::rename_folder(conn, from, to, *subscribed).await,
            Op::DeleteFolder { name } => imap::ops::delete_folder(conn, name).await,
            Op::Subscribe { name, on } => imap::ops::subscribe(conn, name, *on).await,
        }
    }

    /// Uploads a message the store has with a placeholder UID, then gives it the UID the
    /// server gave it (found by its Message-ID). A retry after a cut connection first looks
    /// whether the message arrived, so it is never uploaded twice.
    async fn upload(
        &mut self,
        folder: &str,
        id: MessageId,
        flags: Flags,
        since: u32,
        attempts: u32,
    ) -> Result<(), ImapError> {
        let Some(raw) = self.store.body(id).ok().flatten() else {
            // deleted here meanwhile (sent, or saved again): nothing to upload
            return Ok(());
        };
        let message_id = self.store.message(id).ok().and_then(|m| m.message_id);
        let conn = self.connection().await?;
        let mut there = Vec::new();
        if let (Some(mid), true) = (&message_id, attempts > 0) {
            there = imap::ops::find_message_ids(conn, folder, std::slice::from_ref(mid)).await?;
            there.retain(|u| *u >= since);
        }
        if there.is_empty() {
            let names = flags.names().join(" ");
            imap::ops::append(conn, folder, &format!("({names})"), &raw).await?;
            if let Some(mid) = &message_id {
                there = imap::ops::find_message_ids(conn, folder, std::slice::from_ref(mid)).await?;
                there.retain(|u| *u >= since);
            }
        }
        match there.iter().max() {
            Some(uid) => {
                let _ = self.store.set_uid(id, *uid);
            }
            // no Message-ID to find it by: the next sync of the folder brings it
            None => {
                let _ = self.store.drop_placeholders(&[id]);
                self.resync_after_replay = true;
            }
        }
        if let Ok(Some(f)) = self.store.find_folder(self.id, folder) {
            self.changed_folder(f.id);
        }
        Ok(())
    }

    /// The queued expunge that deletes a message on the server, for an action that removes
    /// it here in the same transaction; None for a local account or a message the server
    /// does not have yet.
    pub(super) fn expunge_op(&self, id: MessageId) -> Option<String> {
        if self.local() {
            return None;
        }
        let (_, folder, uid) = self.store.locate(&[id]).ok()?.into_iter().next()?;
        let f = self.store.folder(folder).ok()?;
        (uid > 0).then(|| {
            Op::Expunge { folder: f.name, uidvalidity: self.validity(folder), uids: vec![uid], others: false }.to_json()
        })
    }

    /// Gives placeholders their new UIDs from COPYUID; those the server did not report
    /// are dropped, and the next sync of the folder brings the real messages.
    fn place(&mut self, items: Vec<(MessageId, Uid)>, pairs: &[(Uid, Uid)], to: &str) {
        let mut missing = Vec::new();
        for (id, src) in &items {
            match pairs.iter().find(|(s, _)| s == src) {
                Some((_, dst)) => {
                    let _ = self.store.set_uid(*id, *dst);
                }
                None => missing.push(*id),
            }
        }
        if !missing.is_empty() {
            let _ = self.store.drop_placeholders(&missing);
            if !pairs.is_empty() {
                self.notice(format!("{} of the messages had already gone from the server", missing.len()));
            }
            if let Ok(Some(f)) = self.store.find_folder(self.id, to) {
                self.changed_folder(f.id);
            }
            self.resync_after_replay = true;
        }
    }
}
