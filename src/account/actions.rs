//! User actions: applied to the store at once, queued, and replayed to the server in order.
//! A refused action is rolled back locally and the user told; nothing is lost.

use super::ops::Op;
use super::worker::Worker;
use super::{Action, Event};
use crate::config::DeleteMode;
use crate::imap;
use crate::model::{Flags, Folder, FolderId, MessageId, SpecialUse, Uid};
use crate::store::pending::Origin;
use std::collections::BTreeMap;

/// What `u` can take back.
#[derive(Debug, Clone)]
pub enum UndoEntry {
    /// Messages moved (or deleted to Trash) into `to`.
    Moved { origins: Vec<Origin>, to: FolderId },
    /// Messages that were unread, marked read (`M`).
    MarkedRead { ids: Vec<MessageId> },
}

type Plan = Result<(), String>;

impl Worker {
    /// Applies an action locally, queues it, and tries to send the queue.
    pub(super) async fn act(&mut self, action: Action) {
        self.act_quietly(action);
        self.emit_pending();
        self.replay().await;
    }

    /// Applies and queues an action without sending the queue yet: its local effect and
    /// its queued entry commit together, or neither does.
    pub(super) fn act_quietly(&mut self, action: Action) {
        // an undo says what it put back, once it has
        let undone = matches!(action, Action::Undo).then(|| self.undo_note()).flatten();
        if self.local() {
            // no queue: the files are the mail, and each change to them stands alone
            match self.plan(action) {
                Err(text) => self.notice(text),
                Ok(()) => undone.into_iter().for_each(|t| self.notice(t)),
            }
            return;
        }
        if let Err(e) = self.store.begin_batch() {
            return self.notice(format!("nothing was changed: local store: {e}"));
        }
        let undo = self.undo.len();
        self.hold_events(true);
        let planned = self.plan(action);
        let ended = self.store.end_batch(planned.is_ok());
        self.hold_events(false);
        let outcome = match (planned, ended) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(text), _) => Err(text),
            (Ok(()), Err(e)) => Err(format!("nothing was changed: local store: {e}")),
        };
        match outcome {
            Err(text) => {
                // nothing of it happened: nothing of it to undo
                self.undo.truncate(undo);
                self.notice(text);
            }
            Ok(()) => undone.into_iter().for_each(|t| self.notice(t)),
        }
    }

    /// What an undo now would put back, as its note says it.
    fn undo_note(&self) -> Option<String> {
        let count = |n: usize| format!("{n} {}", crate::format::plural(n as u64, "message", "messages"));
        match self.undo.last()? {
            UndoEntry::MarkedRead { ids } => Some(format!("undone: {} unread again", count(ids.len()))),
            UndoEntry::Moved { origins, .. } => {
                let first = origins.first()?.folder;
                let place = match origins.iter().all(|o| o.folder == first) {
                    true => self.folder(first).map(|f| f.display).unwrap_or_else(|_| "their folder".into()),
                    false => "their folders".into(),
                };
                Some(format!("undone: {} back in {place}", count(origins.len())))
            }
        }
    }

    pub(super) fn notice(&self, text: String) {
        self.emit(Event::Notice { account: self.id, text });
    }

    pub(super) fn emit_pending(&self) {
        self.pending_event(false);
    }

    pub(super) fn pending_event(&self, settled: bool) {
        let count = self.store.pending_count(self.id).unwrap_or(0);
        self.emit(Event::Pending { account: self.id, count, settled });
    }

    /// An account whose folders are local Maildirs (POP3, the demo): no server to tell,
    /// and the files are the mail.
    pub(super) fn local(&self) -> bool {
        self.imap.is_none()
    }

    fn queue(&self, op: &Op) -> Plan {
        if self.local() {
            // a local account (the demo): the store is all there is
            return Ok(());
        }
        self.store.queue_op(self.id, &op.to_json()).map(|_| ()).map_err(|e| e.to_string())
    }

    fn folders_changed(&self) {
        if let Ok(folders) = self.store.folders(self.id) {
            self.emit(Event::Folders { account: self.id, folders });
        }
    }

    /// Messages grouped by their folder, with their server UIDs (0 for placeholders).
    fn group(&self, ids: &[MessageId]) -> Result<BTreeMap<FolderId, Vec<(MessageId, Uid)>>, String> {
        let mut groups: BTreeMap<FolderId, Vec<(MessageId, Uid)>> = BTreeMap::new();
        for (id, folder, uid) in self.store.locate(ids).map_err(|e| e.to_string())? {
            groups.entry(folder).or_default().push((id, uid));
        }
        Ok(groups)
    }

    fn folder(&self, id: FolderId) -> Result<Folder, String> {
        self.store.folder(id).map_err(|e| e.to_string())
    }

    /// A folder messages may go into: not one that only holds folders.
    fn target(&self, id: FolderId) -> Result<Folder, String> {
        let f = self.folder(id)?;
        if f.noselect {
            return Err(format!("{} only holds folders; it cannot hold messages", f.display));
        }
        Ok(f)
    }

    pub(super) fn validity(&self, folder: FolderId) -> Option<u32> {
        self.store.sync_state(folder).ok().and_then(|s| s.uidvalidity)
    }

    fn trash(&self) -> Result<Folder, String> {
        let folders = self.store.folders(self.id).map_err(|e| e.to_string())?;
        let configured = self.imap.as_ref().and_then(|c| c.trash_folder.clone());
        let found = match &configured {
            Some(name) => folders.into_iter().find(|f| &f.name == name || &f.display == name),
            None => folders.into_iter().find(|f| f.special_use == Some(SpecialUse::Trash)),
        };
        found.ok_or_else(|| match configured {
            Some(n) => format!("the trash_folder {n:?} does not exist on the server"),
            None => "the server has no Trash folder: set trash_folder in the config, or delete for good".into(),
        })
    }

    pub(super) fn plan(&mut self, action: Action) -> Plan {
        let err = |e: crate::store::StoreError| e.to_string();
        match action {
            Action::Flags { ids, add, remove } => {
                if self.local() {
                    // flags another Maildir tool set stay: the change goes on top of them
                    self.store.follow_renames(&ids).map_err(err)?;
                }
                self.store.change_flags(&ids, add, remove).map_err(err)?;
                if self.local() {
                    self.store.rename_for_flags(&ids).map_err(err)?;
                }
                for (folder, items) in self.group(&ids)? {
                    let f = self.folder(folder)?;
                    let uids: Vec<Uid> = items.iter().map(|(_, u)| *u).filter(|u| *u > 0).collect();
                    if !uids.is_empty() {
                        let op = Op::Flags {
                            folder: f.name,
                            uidvalidity: self.validity(folder),
                            uids: Some(uids),
                            add: add.0,
                            remove: remove.0,
                        };
                        self.queue(&op)?;
                    }
                    self.changed_folder(folder);
                }
            }
            Action::MarkFolderRead { folder } => {
                let f = self.folder(folder)?;
                if self.local() {
                    self.store.follow_folder(folder).map_err(err)?;
                }
                let unread = self.store.unread_ids(folder).map_err(err)?;
                self.store.mark_folder_read(folder).map_err(err)?;
                self.undo.push(UndoEntry::MarkedRead { ids: unread });
                if self.local() {
                    self.store.rename_folder_for_flags(folder).map_err(err)?;
                }
                let op = Op::Flags {
                    folder: f.name,
                    uidvalidity: self.validity(folder),
                    uids: None,
                    add: Flags::SEEN,
                    remove: 0,
                };
                self.queue(&op)?;
                self.changed_folder(folder);
            }
            Action::Delete { ids, expunge } => {
                let mode = self.imap.as_ref().map(|c| c.delete).unwrap_or_default();
                for (folder, items) in self.group(&ids)? {
                    let f = self.folder(folder)?;
                    let in_trash = f.special_use == Some(SpecialUse::Trash)
                        || self
                            .imap
                            .as_ref()
                            .and_then(|c| c.trash_folder.as_ref())
                            .is_some_and(|t| *t == f.name || *t == f.display);
                    let ids: Vec<MessageId> = items.iter().map(|(id, _)| *id).collect();
                    if expunge || in_trash || mode == DeleteMode::Expunge {
                        let uids: Vec<Uid> = items.iter().map(|(_, u)| *u).filter(|u| *u > 0).collect();
                        self.store.delete_local(&ids).map_err(err)?;
                        if !uids.is_empty() {
                            self.queue(&Op::Expunge {
                                folder: f.name.clone(),
                                uidvalidity: self.validity(folder),
                                uids,
                                others: false,
                            })?;
                        }
                        self.changed_folder(folder);
                    } else {
                        let trash = self.trash()?;
                        self.move_group(&f, &ids, &trash)?;
                    }
                }
            }
            Action::Move { ids, to } => {
                let target = self.target(to)?;
                for (folder, items) in self.group(&ids)? {
                    if folder == to {
                        continue;
                    }
                    let f = self.folder(folder)?;
                    let ids: Vec<MessageId> = items.iter().map(|(id, _)| *id).collect();
                    self.move_group(&f, &ids, &target)?;
                }
            }
            Action::Copy { ids, to } => {
                let target = self.target(to)?;
                for (folder, items) in self.group(&ids)? {
                    let f = self.folder(folder)?;
                    let src: Vec<MessageId> = items.iter().filter(|(_, u)| *u > 0).map(|(id, _)| *id).collect();
                    let copies = if self.local() {
                        self.store.copy_files(&src, to).map_err(err)?
                    } else {
                        self.store.copy_local(&src, to).map_err(err)?
                    };
                    let items = copies
                        .iter()
                        .filter_map(|(new, old)| {
                            let m = self.store.message(*old).ok()?;
                            Some((*new, m.summary.uid, m.message_id))
                        })
                        .collect();
                    self.queue(&Op::Copy {
                        from: f.name,
                        uidvalidity: self.validity(folder),
                        to: target.name.clone(),
                        items,
                    })?;
                }
                self.changed_folder(to);
            }
            Action::MarkRead { ids } => self.mark_read(ids)?,
            Action::Undo => self.undo()?,
            Action::ExpungeMarked { folder, uids } => {
                let f = self.folder(folder)?;
                self.queue(&Op::Expunge { folder: f.name, uidvalidity: self.validity(folder), uids, others: true })?;
            }
            Action::CreateFolder { name } if self.local() => {
                let name = self.new_local_name(&name)?;
                self.store.create_folder_local(self.id, &name, &name, Some("/")).map_err(err)?;
                self.folders_changed();
            }
            Action::CreateFolder { name } => {
                let delimiter = self.delimiter();
                let server = imap::ops::server_name(&name);
                self.store
                    .create_folder_local(self.id, &server, &crate::sanitize::line(&name), delimiter.as_deref())
                    .map_err(err)?;
                self.queue(&Op::CreateFolder { name: server })?;
                self.folders_changed();
            }
            Action::RenameFolder { folder, to } if self.local() => {
                let f = self.own_local_folder(folder)?;
                let to = self.new_local_name(&to)?;
                self.store.rename_folder_files(f.id, &to, "/").map_err(err)?;
                self.folders_changed();
            }
            Action::RenameFolder { folder, to } => {
                let f = self.folder(folder)?;
                if f.special_use == Some(SpecialUse::Inbox) || f.name.eq_ignore_ascii_case("INBOX") {
                    return Err("INBOX cannot be renamed".into());
                }
                let server = imap::ops::server_name(&to);
                self.store.rename_folder_local(folder, &server, &crate::sanitize::line(&to)).map_err(err)?;
                self.queue(&Op::RenameFolder { from: f.name, to: server, subscribed: f.subscribed })?;
                self.folders_changed();
            }
            Action::DeleteFolder { folder } if self.local() => {
                let f = self.own_local_folder(folder)?;
                self.store.delete_local_folder(f.id).map_err(err)?;
                self.folders_changed();
            }
            Action::DeleteFolder { folder } => {
                let f = self.folder(folder)?;
                if f.special_use == Some(SpecialUse::Inbox) || f.name.eq_ignore_ascii_case("INBOX") {
                    return Err("INBOX cannot be deleted".into());
                }
                self.store.delete_folder_local(folder).map_err(err)?;
                self.queue(&Op::DeleteFolder { name: f.name })?;
                self.folders_changed();
            }
            Action::Subscribe { folder, on } => {
                let f = self.folder(folder)?;
                self.store.set_subscribed(folder, on).map_err(err)?;
                self.queue(&Op::Subscribe { name: f.name, on })?;
                self.folders_changed();
            }
        }
        Ok(())
    }

    /// A name for a new or renamed local folder: cleaned, with no empty level, not taken.
    fn new_local_name(&self, name: &str) -> Result<String, String> {
        let name = crate::sanitize::line(name.trim());
        if name.is_empty() || name.split('/').any(|p| p.is_empty()) {
            return Err(format!("{name:?} is not a usable folder name"));
        }
        if self.store.find_folder(self.id, &name).map_err(|e| e.to_string())?.is_some() {
            return Err(format!("a folder {name:?} exists already"));
        }
        Ok(name)
    }

    /// A local folder the user may rename or delete: not Inbox, Sent, Drafts or Trash.
    fn own_local_folder(&self, folder: FolderId) -> Result<Folder, String> {
        let f = self.folder(folder)?;
        if f.special_use.is_some() || f.name.eq_ignore_ascii_case("INBOX") {
            return Err(format!("{} is one of the account's own folders and stays as it is", f.display));
        }
        Ok(f)
    }

    fn delimiter(&self) -> Option<String> {
        self.store.folders(self.id).ok()?.into_iter().find_map(|f| f.delimiter)
    }

    pub(super) fn changed_folder(&self, folder: FolderId) {
        self.emit(Event::Changed { account: self.id, folder });
        if let Ok(f) = self.store.folder(folder) {
            self.emit(Event::FolderCounts { account: self.id, folder: f });
        }
    }

    /// Moves rows locally and queues the move; returns where they were.
    fn move_rows(&mut self, from: &Folder, ids: &[MessageId], to: &Folder) -> Result<Vec<Origin>, String> {
        let origins = if self.local() { self.store.move_files(ids, to.id) } else { self.store.move_local(ids, to.id) }
            .map_err(|e| e.to_string())?;
        let real: Vec<Origin> = origins.iter().copied().filter(|o| o.uid > 0).collect();
        if !real.is_empty() {
            let op = Op::Move {
                from: from.name.clone(),
                uidvalidity: self.validity(from.id),
                to: to.name.clone(),
                items: real,
            };
            self.queue(&op)?;
        }
        self.changed_folder(from.id);
        self.changed_folder(to.id);
        Ok(origins)
    }

    fn move_group(&mut self, from: &Folder, ids: &[MessageId], to: &Folder) -> Plan {
        let origins = self.move_rows(from, ids, to)?;
        self.undo.push(UndoEntry::Moved { origins, to: to.id });
        Ok(())
    }

    /// Takes back the last move or delete to Trash (cancelled if it has not reached the
    /// server yet, moved back if it has), or the last mark-read.
    fn undo(&mut self) -> Plan {
        let (origins, to) = match self.undo.pop() {
            None => return Err("nothing to undo".into()),
            Some(UndoEntry::MarkedRead { ids }) => return self.undo_mark_read(ids),
            Some(UndoEntry::Moved { origins, to }) => (origins, to),
        };
        let ids: std::collections::HashSet<MessageId> = origins.iter().map(|o| o.id).collect();
        // still queued? then drop the queued move and put the rows back
        let pending = self.store.pending_ops(self.id).map_err(|e| e.to_string())?;
        for (op_id, json) in pending {
            if let Some(Op::Move { items, .. }) = Op::from_json(&json)
                && items.iter().all(|i| ids.contains(&i.id))
                && !items.is_empty()
            {
                self.store.finish_op(op_id).map_err(|e| e.to_string())?;
                self.store.restore_local(&origins).map_err(|e| e.to_string())?;
                self.changed_folder(to);
                for o in &origins {
                    self.changed_folder(o.folder);
                }
                return Ok(());
            }
        }
        let mut by_folder: BTreeMap<FolderId, Vec<MessageId>> = BTreeMap::new();
        for o in &origins {
            by_folder.entry(o.folder).or_default().push(o.id);
        }
        let gone = |_| "the folder those messages were in, or went to, no longer exists: nothing to undo".to_string();
        let from = self.folder(to).map_err(gone)?;
        for (folder, ids) in by_folder {
            let back = self.folder(folder).map_err(gone)?;
            self.move_rows(&from, &ids, &back)?;
        }
        self.changed_folder(to);
        Ok(())
    }
}
