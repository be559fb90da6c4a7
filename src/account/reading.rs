//! Reading on the worker's interactive connection: a message body on open (from the store,
//! else downloaded and stored), \Seen on the server, and the background prefetch.

use super::Event;
use super::worker::Worker;
use crate::imap::{self, ImapError};
use crate::model::{Flags, MessageId};
use std::sync::Arc;

impl Worker {
    async fn download(&mut self, id: MessageId) -> Result<Option<Vec<u8>>, ImapError> {
        let m = self.store.message(id)?;
        let conn = self.connection().await?;
        let raw = imap::fetch_body(conn, &m.folder_name, m.summary.uid).await?;
        if let Some(raw) = &raw {
            self.store.store_body(id, raw)?;
        }
        Ok(raw)
    }

    pub(super) async fn open(&mut self, id: MessageId, mark_seen: bool) {
        let cached = match self.store.body(id) {
            Ok(b) => b,
            Err(e) => {
                self.emit(Event::BodyUnavailable { id, reason: e.to_string(), offline: false });
                return;
            }
        };
        self.prefetch.retain(|p| *p != id);
        let raw = match cached {
            Some(raw) => raw,
            None => match self.download(id).await {
                Ok(Some(raw)) => raw,
                Ok(None) => {
                    let reason = "the message is no longer on the server".to_string();
                    self.emit(Event::BodyUnavailable { id, reason, offline: false });
                    return;
                }
                Err(e) => {
                    self.connection_failed(&e);
                    let offline = e.is_transient() || matches!(e, ImapError::Connect { .. });
                    let reason = if offline {
                        format!("not downloaded yet, and the server cannot be reached ({e})")
                    } else {
                        e.to_string()
                    };
                    self.emit(Event::BodyUnavailable { id, reason, offline });
                    return;
                }
            },
        };
        self.emit(Event::Body { id, raw: Arc::new(raw) });
        if mark_seen {
            self.mark_seen(id).await;
        }
    }

    /// Marks an opened message read like `N` does: through the action queue, so it reaches
    /// the server even when opened offline, and into the file name of a local message, so
    /// other Maildir tools (and the next start) see it too.
    async fn mark_seen(&mut self, id: MessageId) {
        let Ok(m) = self.store.message(id) else {
            return;
        };
        if m.summary.flags.is_seen() {
            return;
        }
        self.act_quietly(super::Action::Flags { ids: vec![id], add: Flags(Flags::SEEN), remove: Flags(0) });
        if let Ok(now) = self.store.message(id) {
            self.emit(Event::Flags { id, flags: now.summary.flags });
        }
        self.emit_pending();
        self.replay().await;
    }

    pub(super) async fn prefetch_one(&mut self) {
        let Some(id) = self.prefetch.pop_front() else {
            return;
        };
        if let Err(e) = self.download(id).await {
            tracing::debug!(id = id.0, error = %e, "prefetch failed");
            self.connection_failed(&e);
            if e.is_transient() {
                self.prefetch.clear();
            }
        }
    }
}
