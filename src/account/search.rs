//! Search in the worker: the background pass that indexes messages stored before the
//! store had a search index, a batch at a time between other work.

use super::Event;
use super::worker::Worker;

/// Messages indexed per step of the background pass (bodies are read and parsed).
const INDEX_BATCH: usize = 200;

impl Worker {
    /// Indexes the next batch of the account's older messages, and says how far it got.
    pub(super) fn index_some(&mut self) {
        match self.store.index_backlog(self.id, INDEX_BATCH) {
            Ok(None) => self.indexing = false,
            Ok(Some(p)) => {
                self.indexing = !p.finished();
                self.emit(Event::Indexing { account: self.id, done: p.done, total: p.total });
            }
            Err(e) => {
                self.indexing = false;
                tracing::warn!(error = %e, "search index: the pass over older messages stopped");
                self.notice(format!("search index: {e}"));
            }
        }
    }
}
