//! The worker's side of a POP3 pass: indexing downloaded files, completing partial
//! messages, progress, and the requests for whole messages that wait for the next pass.

use super::Event;
use super::pop3_task::{FullRequest, Pop3Start, StoredFile};
use super::sync_task::StoreOp;
use super::worker::{BACKOFF_START, Worker, clock_now};
use crate::model::{AccountState, MessageId};
use crate::store::{Delivered, StoreError};

fn delivered<'a>(file: &'a StoredFile, uidl: Option<&'a str>) -> Delivered<'a> {
    Delivered { staged: &file.staged, head: &file.head, size: file.size, partial: file.partial, uidl }
}

impl Worker {
    /// Asks for the whole of a partial POP3 message; it is downloaded by the next pass,
    /// which starts now unless one is running.
    pub(super) fn fetch_full(&mut self, id: MessageId) {
        if self.pop3.is_none() {
            return;
        }
        let request = self.store.message(id).and_then(|m| {
            let uidl = self.store.pop3_uidl_of(id)?;
            let folder_dir = self.store.folder_rel_dir(m.summary.folder)?;
            Ok((m.summary.partial, uidl, FullRequest { id, folder_dir, flags: m.summary.flags }))
        });
        match request {
            Ok((false, ..)) => {}
            Ok((true, Some(uidl), req)) => {
                self.full_wanted.insert(uidl, req);
                self.start_sync(None);
            }
            Ok((true, None, _)) => self.notice("this message's server copy is not known; it cannot be fetched".into()),
            Err(e) => self.notice(format!("local store: {e}")),
        }
    }

    pub(super) fn apply_pop3(&mut self, op: StoreOp) -> Result<(), StoreError> {
        let account = self.id;
        match op {
            StoreOp::Pop3Known(reply) => {
                if !self.online {
                    self.online = true;
                    self.backoff = BACKOFF_START;
                    self.state(AccountState::Online);
                }
                let inbox = self.store.ensure_local_folders(account)?;
                // a pass cut short may have left files half delivered: finish them
                self.store.recover_files(account)?;
                self.emit(Event::Folders { account, folders: self.store.folders(account)? });
                let _ = reply.send(Pop3Start {
                    known: self.store.pop3_downloaded(account)?,
                    data_dir: self.store.data_dir().to_path_buf(),
                    inbox_dir: self.store.folder_rel_dir(inbox)?,
                    full: self.full_wanted.clone(),
                });
            }
            StoreOp::Pop3Stored { files, reply } => {
                let now = clock_now();
                let items: Vec<Delivered<'_>> = files.iter().map(|(u, f)| delivered(f, Some(u))).collect();
                let result = self
                    .store
                    .ensure_local_folders(account)
                    .and_then(|inbox| self.store.add_downloaded(inbox, &items, now).map(|_| inbox));
                match result {
                    Ok(inbox) => {
                        let _ = reply.send(Ok(()));
                        self.changed(inbox)?;
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.to_string()));
                    }
                }
            }
            StoreOp::Pop3Completed { id, file, reply } => {
                self.full_wanted.retain(|_, r| r.id != id);
                match self.store.complete_partial(id, delivered(&file, None)) {
                    Ok(()) => {
                        let _ = reply.send(Ok(()));
                        // (the message may have been deleted here meanwhile)
                        if let Ok(m) = self.store.message(id) {
                            self.changed(m.summary.folder)?;
                            if let Some(raw) = self.store.body(id)? {
                                self.emit(Event::Body { id, raw: std::sync::Arc::new(raw) });
                            }
                        }
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.to_string()));
                    }
                }
            }
            StoreOp::Pop3Missing(ids) => {
                self.full_wanted.retain(|_, r| !ids.contains(&r.id));
                self.notice(format!(
                    "{} partial message(s) are no longer on the server; only their headers are here",
                    ids.len()
                ));
            }
            StoreOp::Pop3Progress { done, total, bytes } => {
                self.state(AccountState::Downloading { done, total, bytes });
            }
            StoreOp::Pop3Forget(uidls) => self.store.forget_uidls(account, &uidls)?,
            _ => {}
        }
        Ok(())
    }
}
