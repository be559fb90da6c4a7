//! The worker's Outbox: a message is stored before it is sent, sent by a task of its own,
//! marked "sending" just before the server can take it, then saved to Sent, its original
//! flagged \Answered or $Forwarded, and removed. Temporary failures wait for the next
//! chance; permanent ones stay with the server's text; an interrupted handover is never
//! retried by itself.

use super::sync_task::StoreOp;
use super::worker::{Worker, clock_now};
use super::{Action, Event};
use crate::model::{Flags, SpecialUse};
use crate::store::outbox::{OutState, Outgoing};
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
}

impl Worker {
    /// Tells the UI what the Outbox holds.
    pub(super) fn emit_outbox(&self) {
        let items = self.store.outbox_items(self.id).unwrap_or_default();
        self.emit(Event::Outbox { account: self.id, items });
    }

    /// Stores a new outgoing message, then tries to send it.
    pub(super) async fn send(&mut self, m: Outgoing) {
        match self.store.queue_outgoing(self.id, &m) {
            Ok(id) => {
                tracing::info!(id, "message queued in the Outbox");
                self.emit_outbox();
                self.try_outbox().await;
            }
            Err(e) => {
                let error = Some(format!("the message could not be stored, and was not sent: {e}"));
                self.notice(error.clone().unwrap_or_default());
                self.emit(Event::SendDone { account: self.id, id: 0, state: OutState::Failed, error });
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
    pub(super) async fn outbox_done(&mut self, id: i64, result: SendResult) {
        self.sending = false;
        let (state, error) = match &result {
            SendResult::Sent => (OutState::Sent, None),
            SendResult::NotSent { text, transient: true } => (OutState::Queued, Some(text.clone())),
            SendResult::NotSent { text, transient: false } => (OutState::Failed, Some(text.clone())),
            SendResult::Unsure(text) => {
                (OutState::Unknown, Some(format!("{text}; the server may have the message: check before resending")))
            }
        };
        if let Err(e) = self.store.set_outgoing_state(id, state, error.as_deref()) {
            self.notice(format!("local store: {e}"));
        }
        match &result {
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
        if matches!(result, SendResult::Sent) {
            // finish it (SendDone comes once it is saved), then the next one
            self.try_outbox().await;
        } else {
            self.emit(Event::SendDone { account: self.id, id, state, error });
            self.emit(Event::OutboxIdle { account: self.id });
        }
    }

    /// A message the server took: its copy in Sent, its original's flag, and out of the
    /// Outbox. False when the Sent copy has to wait (the server cannot be reached).
    async fn finish_sent(&mut self, m: Outgoing) -> bool {
        let save = self.smtp.as_ref().is_none_or(|s| s.save_sent);
        if save && !self.save_to(SpecialUse::Sent, &m.saved, "(\\Seen)").await {
            let note = "sent; its copy in Sent is saved when the server can be reached".to_string();
            self.emit(Event::SendDone { account: self.id, id: m.id, state: OutState::Sent, error: Some(note) });
            return false;
        }
        for (target, bit) in [(m.answers, Flags::ANSWERED), (m.forwards, Flags::FORWARDED)] {
            if let Some(id) = target.filter(|id| self.store.message(*id).is_ok()) {
                self.act(Action::Flags { ids: vec![id], add: Flags(bit), remove: Flags(0) }).await;
            }
        }
        if let Err(e) = self.store.remove_outgoing(m.id) {
            self.notice(format!("local store: {e}"));
            return false;
        }
        self.emit(Event::SendDone { account: self.id, id: m.id, state: OutState::Sent, error: None });
        self.emit_outbox();
        true
    }

    /// Keeps a draft in Drafts (on the server for IMAP, locally otherwise) and removes the
    /// stored draft it continues. When the server cannot be reached, the draft is written to
    /// a file, and the user is told where.
    pub(super) async fn save_draft(&mut self, raw: Vec<u8>, replaces: Option<crate::model::MessageId>) {
        if self.save_to(SpecialUse::Drafts, &raw, "(\\Seen \\Draft)").await {
            if let Some(id) = replaces {
                self.act(Action::Delete { ids: vec![id], expunge: true }).await;
            }
            return;
        }
        let dir = self.store.data_dir().join("unsaved-drafts");
        let path = dir.join(format!("{}.eml", clock_now()));
        let written = crate::paths::create_private_dir(&dir).and_then(|_| std::fs::write(&path, &raw));
        match written {
            Ok(()) => self.notice(format!(
                "the server cannot be reached, so the draft was written to {}; open it from there",
                path.display()
            )),
            Err(e) => self.notice(format!("the draft could not be saved anywhere: {e}")),
        }
    }

    /// Saves a message in the account's Sent or Drafts folder: on the server for IMAP
    /// (APPEND with `flags`), locally otherwise. False when it has to wait for the server.
    async fn save_to(&mut self, role: SpecialUse, raw: &[u8], flags: &str) -> bool {
        let mut folders = self.store.folders(self.id).unwrap_or_default();
        if self.imap.is_some() && !folders.iter().any(|f| f.special_use == Some(role)) {
            // the folder list may not be known yet: ask the server
            let listed = match self.connection().await {
                Ok(conn) => crate::imap::list_folders(conn).await,
                Err(e) => Err(e),
            };
            match listed {
                Ok(list) => {
                    let infos: Vec<_> = list.into_iter().map(|l| l.info).collect();
                    folders = self.store.set_folders(self.id, &infos).unwrap_or_default();
                    self.emit(Event::Folders { account: self.id, folders: folders.clone() });
                }
                Err(e) if e.is_transient() => {
                    self.connection_failed(&e);
                    return false;
                }
                Err(_) => {}
            }
        }
        let what = if role == SpecialUse::Sent { "sent message" } else { "draft" };
        let Some(sent) = folders.into_iter().find(|f| f.special_use == Some(role)) else {
            if self.imap.is_some() {
                self.notice(format!("the server has no {} folder, so the {what} was not kept there", role.as_str()));
                return role == SpecialUse::Sent;
            }
            return match self.store.ensure_local_folders(self.id) {
                Ok(_) => {
                    if let Ok(folders) = self.store.folders(self.id) {
                        self.emit(Event::Folders { account: self.id, folders });
                    }
                    Box::pin(self.save_to(role, raw, flags)).await
                }
                Err(e) => {
                    self.notice(format!("the {what} could not be kept: {e}"));
                    true
                }
            };
        };
        if self.imap.is_none() {
            let local = Flags(if role == SpecialUse::Sent { Flags::SEEN } else { Flags::SEEN | Flags::DRAFT });
            if let Err(e) = self.store.add_local_message(sent.id, raw, local, clock_now()) {
                self.notice(format!("the {what} could not be kept in {}: {e}", sent.display));
            }
            let _ = self.changed(sent.id);
            return true;
        }
        let result = match self.connection().await {
            Ok(conn) => crate::imap::ops::append(conn, &sent.name, flags, raw).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                self.start_folder_sync(sent.id);
                true
            }
            Err(e) if e.is_transient() => {
                self.connection_failed(&e);
                false
            }
            Err(e) => {
                self.notice(format!("the {what} could not be saved in {}: {e}", sent.display));
                role == SpecialUse::Sent
            }
        }
    }
}
