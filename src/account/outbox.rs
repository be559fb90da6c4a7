//! The worker's Outbox: a message is stored before it is sent, sent by a task of its own,
//! marked "sending" just before the server can take it, then saved to Sent, its original
//! flagged \Answered or $Forwarded, and removed. Temporary failures wait for the next
//! chance; permanent ones stay with the server's text; an interrupted handover is never
//! retried by itself.

use super::ops::Op;
use super::sync_task::StoreOp;
use super::worker::{Worker, clock_now};
use super::{Action, Event, Replaces};
use crate::model::{Flags, Folder, OutboxId, SpecialUse};
use crate::store::StoreError;
use crate::store::outbox::{OutState, Outgoing, Replacing};
use tokio::sync::oneshot;

/// How a send attempt ended, as the task reports it.
#[derive(Debug)]
pub enum SendResult {
    Sent,
    /// Refused or failed before the message could have reached the server.
    NotSent {
        text: String,
        transient: bool,
    },
    /// Failed while the message was being handed over: it may have arrived.
    Unsure(String),
    /// Discarded or replaced before it went: nothing was sent, and its row is gone.
    Withdrawn,
}

impl Worker {
    /// Tells the UI what the Outbox holds.
    pub(super) fn emit_outbox(&self) {
        let items = self.store.outbox_items(self.id).unwrap_or_default();
        self.emit(Event::Outbox { account: self.id, items });
    }

    /// Stores a new outgoing message in place of what it replaces (one transaction), then
    /// tries to send it. When it cannot be stored, what it replaces stays as it was.
    pub(super) async fn send(&mut self, m: Outgoing, replaces: Option<Replaces>) {
        let replacing = match replaces {
            None => Replacing::Nothing,
            Some(Replaces::Outgoing(old)) => Replacing::Outgoing(old),
            Some(Replaces::Draft(id)) => Replacing::Draft { id, expunge: self.expunge_op(id) },
        };
        let draft_folder = match replaces {
            Some(Replaces::Draft(id)) => self.store.message(id).ok().map(|d| d.summary.folder),
            _ => None,
        };
        match self.store.queue_outgoing_replacing(self.id, &m, replacing) {
            Ok(id) => {
                tracing::info!(id = id.0, "message queued in the Outbox");
                self.emit_outbox();
                if let Some(folder) = draft_folder {
                    self.changed_folder(folder);
                    self.emit_pending();
                }
                self.try_outbox().await;
                if draft_folder.is_some() {
                    self.replay().await;
                }
            }
            Err(e) => {
                let error = Some(format!("the message could not be stored, and was not sent: {e}"));
                self.notice(error.clone().unwrap_or_default());
                self.emit(Event::SendDone { account: self.id, id: OutboxId(0), state: OutState::Failed, error });
            }
        }
    }

    /// Sends the next queued message, and finishes those the server has taken.
    pub(super) async fn try_outbox(&mut self) {
        if self.sending {
            return;
        }
        loop {
            if let Ok(Some(done)) = self.store.next_outgoing(self.id, OutState::Sent) {
                if !self.finish_sent(done).await {
                    return self.emit(Event::OutboxIdle { account: self.id });
                }
                continue;
            }
            let Ok(Some(next)) = self.store.claim_outgoing(self.id) else {
                return self.emit(Event::OutboxIdle { account: self.id });
            };
            let Some(settings) = self.smtp.clone() else {
                let _ = self.store.set_outgoing_state(
                    next.id,
                    OutState::Failed,
                    Some("this account has no [accounts.smtp] table to send with"),
                );
                self.emit_outbox();
                continue;
            };
            self.sending = true;
            let ops = self.ops_tx.clone();
            let password = self.smtp_password.clone();
            let id = next.id;
            let on_panic = {
                let ops = ops.clone();
                move |e: String| {
                    let _ = ops.send(StoreOp::OutboxDone(id, SendResult::Unsure(e)));
                }
            };
            super::handle::spawn_guarded(
                async move {
                    // the go-ahead of the worker: false when the message was discarded meanwhile
                    let before_data = async {
                        let (tx, rx) = oneshot::channel();
                        ops.send(StoreOp::OutboxSending(id, tx)).is_ok() && rx.await.unwrap_or(false)
                    };
                    let result =
                        crate::smtp::send(&settings, password.as_ref(), &next.envelope, &next.sent, before_data).await;
                    let result = match result {
                        Ok(()) => SendResult::Sent,
                        Err(e @ crate::smtp::SmtpError::Unconfirmed(_)) => SendResult::Unsure(e.to_string()),
                        Err(crate::smtp::SmtpError::Cancelled) => SendResult::Withdrawn,
                        Err(e) => SendResult::NotSent { text: e.to_string(), transient: e.is_transient() },
                    };
                    let _ = ops.send(StoreOp::OutboxDone(id, result));
                },
                on_panic,
            );
            return;
        }
    }

    /// The end of a send attempt.
    pub(super) async fn outbox_done(&mut self, id: OutboxId, result: SendResult) {
        self.sending = false;
        let Some((state, error)) = self.record_send(id, &result) else {
            // withdrawn: its row is gone (ids are never reused); on to what is queued
            return self.try_outbox().await;
        };
        if matches!(result, SendResult::Sent) {
            // finish it (SendDone comes once it is saved), then the next one
            self.try_outbox().await;
        } else {
            self.emit(Event::SendDone { account: self.id, id, state, error });
            self.emit(Event::OutboxIdle { account: self.id });
        }
    }

    /// Records how a send attempt ended (its state, the retry timer, what the user is told);
    /// None for a message withdrawn before it went.
    pub(super) fn record_send(&mut self, id: OutboxId, result: &SendResult) -> Option<(OutState, Option<String>)> {
        let (state, error) = match result {
            SendResult::Sent => (OutState::Sent, None),
            SendResult::NotSent { text, transient: true } => (OutState::Queued, Some(text.clone())),
            SendResult::NotSent { text, transient: false } => (OutState::Failed, Some(text.clone())),
            SendResult::Unsure(text) => {
                (OutState::Unknown, Some(format!("{text}; the server may have the message: check before resending")))
            }
            SendResult::Withdrawn => {
                self.emit_outbox();
                return None;
            }
        };
        if let Err(e) = self.store.set_outgoing_state(id, state, error.as_deref()) {
            self.notice(format!("local store: {e}"));
        }
        match result {
            SendResult::Sent => self.outbox_backoff = super::worker::OUTBOX_BACKOFF_START,
            SendResult::NotSent { text, transient: true } => {
                // the SMTP server may come back before the mail server does: try on a timer too
                self.outbox_retry = Some(tokio::time::Instant::now() + self.outbox_backoff);
                self.outbox_backoff = (self.outbox_backoff * 2).min(std::time::Duration::from_secs(600));
                self.notice(format!("not sent yet, kept in the Outbox: {text}"));
            }
            _ => self.notice(format!("not sent: {}", error.clone().unwrap_or_default())),
        }
        self.emit_outbox();
        Some((state, error))
    }

    /// A message the server took: its copy in Sent, its original's flag, and out of the
    /// Outbox. False when the Sent copy has to wait (the Sent folder is not known yet and the
    /// server cannot be reached).
    async fn finish_sent(&mut self, m: Outgoing) -> bool {
        let save = self.smtp.as_ref().is_none_or(|s| s.save_sent);
        let kept = if save {
            self.keep(SpecialUse::Sent, &m.saved, Flags(Flags::SEEN), Replacing::Outgoing(m.id)).await
        } else {
            Kept::Nowhere
        };
        match kept {
            Kept::Later => {
                let note = "sent; its copy in Sent is saved when the server can be reached".to_string();
                self.emit(Event::SendDone { account: self.id, id: m.id, state: OutState::Sent, error: Some(note) });
                return false;
            }
            Kept::Failed(e) => {
                self.notice(format!("sent, but its copy could not be kept in Sent: {e}"));
                if let Err(e) = self.store.remove_outgoing(m.id) {
                    self.notice(format!("local store: {e}"));
                    return false;
                }
            }
            Kept::Nowhere => {
                if let Err(e) = self.store.remove_outgoing(m.id) {
                    self.notice(format!("local store: {e}"));
                    return false;
                }
            }
            Kept::Here => {}
        }
        for (target, bit) in [(m.answers, Flags::ANSWERED), (m.forwards, Flags::FORWARDED)] {
            if let Some(id) = target.filter(|id| self.store.message(*id).is_ok()) {
                self.act(Action::Flags { ids: vec![id], add: Flags(bit), remove: Flags(0) }).await;
            }
        }
        self.emit(Event::SendDone { account: self.id, id: m.id, state: OutState::Sent, error: None });
        self.emit_outbox();
        self.replay().await;
        true
    }

    /// Keeps a draft in Drafts in place of the stored draft it continues: for IMAP in one
    /// store transaction with its upload queued (so it shows at once, and goes to the
    /// server when it can be reached); locally as a Maildir file.
    pub(super) async fn save_draft(&mut self, raw: Vec<u8>, replaces: Option<crate::model::MessageId>) {
        let replacing = match replaces {
            Some(id) => Replacing::Draft { id, expunge: self.expunge_op(id) },
            None => Replacing::Nothing,
        };
        match self.keep(SpecialUse::Drafts, &raw, Flags(Flags::SEEN | Flags::DRAFT), replacing).await {
            Kept::Here => {}
            Kept::Later | Kept::Nowhere => self.notice("the draft could not be kept: no Drafts folder".into()),
            Kept::Failed(e) => self.notice(format!("the draft could not be kept: {e}")),
        }
        self.emit_pending();
        self.replay().await;
    }

    /// The account's Sent or Drafts folder, creating a Drafts folder if there is none.
    /// `Ok(None)` when the server has no Sent folder; an error when the folder list is not
    /// known yet and the server cannot be reached (`Kept::Later`).
    async fn role_folder(&mut self, role: SpecialUse) -> Result<Option<Folder>, Kept> {
        let failed = |e: StoreError| Kept::Failed(e.to_string());
        let find = |folders: &[Folder]| folders.iter().find(|f| f.special_use == Some(role)).cloned();
        if self.local() {
            self.store.ensure_local_folders(self.id).map_err(failed)?;
            return Ok(find(&self.store.folders(self.id).map_err(failed)?));
        }
        let mut folders = self.store.folders(self.id).map_err(failed)?;
        if let Some(f) = find(&folders) {
            return Ok(Some(f));
        }
        // the folder list may not be known yet: ask the server
        let listed = match self.connection().await {
            Ok(conn) => crate::imap::list_folders(conn).await,
            Err(e) => Err(e),
        };
        match listed {
            Ok(list) => {
                let infos: Vec<_> = list.into_iter().map(|l| l.info).collect();
                folders = self.store.set_folders(self.id, &infos).map_err(failed)?;
                self.emit(Event::Folders { account: self.id, folders: folders.clone() });
                if let Some(f) = find(&folders) {
                    return Ok(Some(f));
                }
            }
            // a draft is kept here even so, in a Drafts folder made below
            Err(e) if e.is_transient() => {
                self.connection_failed(&e);
                if role == SpecialUse::Sent || !folders.is_empty() {
                    return Err(Kept::Later);
                }
            }
            Err(e) => return Err(Kept::Failed(e.to_string())),
        }
        if role != SpecialUse::Drafts {
            return Ok(None);
        }
        // no Drafts folder: make one (the queue creates it on the server before the upload)
        let existing = folders.iter().find(|f| f.name.eq_ignore_ascii_case("drafts")).cloned();
        if let Some(f) = existing {
            return Ok(Some(f));
        }
        self.act_quietly(Action::CreateFolder { name: "Drafts".into() });
        self.store.find_folder(self.id, "Drafts").map_err(failed)
    }

    /// Keeps a message in the account's Sent or Drafts folder with `flags`, in place of what
    /// it replaces.
    async fn keep(&mut self, role: SpecialUse, raw: &[u8], flags: Flags, replaces: Replacing) -> Kept {
        let folder = match self.role_folder(role).await {
            Ok(Some(f)) => f,
            Ok(None) => {
                self.notice(format!("the server has no {} folder, so no copy was kept there", role.as_str()));
                return Kept::Nowhere;
            }
            Err(kept) => return kept,
        };
        let result = if self.local() {
            self.keep_local(&folder, raw, flags, replaces)
        } else {
            let since = self.store.uid_floor(folder.id).ok();
            let upload = |id| Op::Append { folder: folder.name.clone(), id, flags: flags.0, since }.to_json();
            self.store.add_for_upload(self.id, folder.id, raw, flags, upload, replaces).map(|_| ())
        };
        match result {
            Ok(()) => {
                self.changed_folder(folder.id);
                Kept::Here
            }
            Err(e) => Kept::Failed(format!("{} ({e})", folder.display)),
        }
    }

    /// A local account's copy: the new file first, then what it replaces (a stop between
    /// the two leaves both, never neither). A sent message already in Sent, from a try cut
    /// short, is not kept twice; a draft always is kept anew: the one it replaces has its
    /// Message-ID, and maybe its size, and goes once the new one is in.
    fn keep_local(&self, folder: &Folder, raw: &[u8], flags: Flags, replaces: Replacing) -> Result<(), StoreError> {
        let mid = crate::mime::summarize(raw).message_id;
        let there = match &mid {
            Some(_) if matches!(replaces, Replacing::Draft { .. }) => false,
            Some(mid) => self.store.holds(folder.id, mid, raw.len())?,
            None => false,
        };
        if !there {
            self.store.add_local_message(folder.id, raw, flags, clock_now())?;
        }
        match replaces {
            Replacing::Nothing => Ok(()),
            Replacing::Outgoing(id) => self.store.remove_outgoing(id),
            Replacing::Draft { id, .. } => self.store.delete_local(&[id]),
        }
    }
}

/// Where a copy of a message went.
enum Kept {
    /// In the folder (and, for IMAP, queued for the server).
    Here,
    /// The folder is not known yet and the server cannot be reached: try again later.
    Later,
    /// Not wanted, or there is no such folder.
    Nowhere,
    Failed(String),
}
