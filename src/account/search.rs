//! Search in the worker: the background pass that indexes messages stored before the
//! store had a search index, a batch at a time between other work; and searches on the
//! server for folders whose bodies are not all stored.

use super::search_task;
use super::sync_task::StoreOp;
use super::worker::Worker;
use super::{Event, ServerSearch};

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

impl Worker {
    /// `Command::Search`: asks the server, on a connection of its own, to search the
    /// folders whose bodies are not all stored here; `searched` answers with
    /// `Event::Searched`. A newer search stops the one before. Never an error: the local
    /// results stand.
    pub(super) fn search(&mut self, request: u64, text: String) {
        if let Some((_, task)) = self.search_task.take() {
            task.abort();
        }
        let work = match crate::query::parse(&text, &chrono::Local::now().fixed_offset()) {
            // the local list says what is wrong with the query; no server is asked
            Err(_) => Ok(Vec::new()),
            Ok(q) if !q.searches_bodies() || self.imap.is_none() => Ok(Vec::new()),
            Ok(q) => self.search_work(&q),
        };
        let answer = |outcome| Event::Searched { account: self.id, request, ids: Vec::new(), server: outcome };
        let work = match work {
            Ok(w) if w.is_empty() => return self.emit(answer(ServerSearch::NotNeeded)),
            Ok(w) => w,
            Err(e) => return self.emit(answer(ServerSearch::Failed(format!("local store: {e}")))),
        };
        if let Some(text) = &self.login_refused {
            let why = format!("{text} (R tries again)");
            return self.emit(answer(ServerSearch::Offline(why)));
        }
        let (Some(cfg), Some(pw)) = (self.imap.clone(), self.password.clone()) else {
            return self.emit(answer(ServerSearch::NotNeeded));
        };
        let ops = self.ops_tx.clone();
        let task = super::handle::spawn_guarded(search_task::run(cfg, pw, request, work, ops.clone()), move |e| {
            let outcome = ServerSearch::Failed(e.to_string());
            let _ = ops.send(StoreOp::Searched { request, found: Vec::new(), outcome });
        });
        self.search_task = Some((request, task));
    }

    /// The folders to ask and the command for each.
    fn search_work(&self, q: &crate::query::Query) -> crate::store::Result<Vec<search_task::Asked>> {
        let account = self.store.accounts()?.into_iter().find(|(id, _)| *id == self.id).map(|(_, n)| n);
        let account = account.unwrap_or_default();
        let mut work = Vec::new();
        for f in self.store.folders_without_all_bodies(self.id)? {
            let scope =
                crate::query::Scope { name: &f.name, display: &f.display, role: f.special_use, account: &account };
            let Some(keys) = crate::query::to_imap(q, &scope) else { continue };
            let command =
                if keys.is_ascii() { format!("UID SEARCH {keys}") } else { format!("UID SEARCH CHARSET UTF-8 {keys}") };
            work.push(search_task::Asked { folder: f.id, name: f.name.clone(), command });
        }
        Ok(work)
    }

    /// The server search's answer: the stored messages it found, to the UI.
    pub(super) fn searched(&mut self, request: u64, found: search_task::Found, outcome: ServerSearch) {
        if self.search_task.as_ref().is_some_and(|(r, _)| *r == request) {
            self.search_task = None;
        }
        let mut ids = Vec::new();
        let mut server = outcome;
        for (folder, uids) in found {
            match self.store.ids_of_uids(folder, &uids) {
                Ok(found) => ids.extend(found),
                Err(e) => server = ServerSearch::Failed(format!("local store: {e}")),
            }
        }
        self.emit(Event::Searched { account: self.id, request, ids, server });
    }
}
