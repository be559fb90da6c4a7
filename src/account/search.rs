//! Search in the worker: the background pass that indexes messages stored before the
//! store had a search index, a batch at a time between other work; and searches on the
//! server for folders whose bodies are not all stored.

use super::worker::Worker;
use super::{Event, ServerSearch};
use crate::model::MessageId;

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

/// How long a server search may take, all folders together, before the local results
/// are given without it.
const SERVER_SEARCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

impl Worker {
    /// `Command::Search`: asks the server to search the folders whose bodies are not all
    /// stored here, and answers with `Event::Searched` (the ids of the matches the store
    /// knows, and whether the server was asked). Never an error: the local results stand.
    pub(super) async fn search(&mut self, request: u64, text: String) {
        let (ids, server) = match crate::query::parse(&text, &chrono::Local::now().fixed_offset()) {
            // the local list says what is wrong with the query; no server is asked
            Err(_) => (Vec::new(), ServerSearch::NotNeeded),
            Ok(q) if !q.searches_bodies() || self.imap.is_none() => (Vec::new(), ServerSearch::NotNeeded),
            Ok(q) => match tokio::time::timeout(SERVER_SEARCH_TIMEOUT, self.search_server(&q)).await {
                Ok(answer) => answer,
                Err(_) => {
                    // cut off mid-command: the connection cannot be trusted any more
                    self.conn = None;
                    let secs = SERVER_SEARCH_TIMEOUT.as_secs();
                    (Vec::new(), ServerSearch::Failed(format!("the server did not answer within {secs} s")))
                }
            },
        };
        self.emit(Event::Searched { account: self.id, request, ids, server });
    }

    async fn search_server(&mut self, q: &crate::query::Query) -> (Vec<MessageId>, ServerSearch) {
        let folders = match self.store.folders_without_all_bodies(self.id) {
            Ok(f) => f,
            Err(e) => return (Vec::new(), ServerSearch::Failed(format!("local store: {e}"))),
        };
        let account = self.store.accounts().ok().and_then(|a| a.into_iter().find(|(id, _)| *id == self.id));
        let account = account.map(|(_, n)| n).unwrap_or_default();
        let mut ids = Vec::new();
        let mut asked = false;
        for f in folders {
            let scope =
                crate::query::Scope { name: &f.name, display: &f.display, role: f.special_use, account: &account };
            let Some(keys) = crate::query::to_imap(q, &scope) else { continue };
            let cmd =
                if keys.is_ascii() { format!("UID SEARCH {keys}") } else { format!("UID SEARCH CHARSET UTF-8 {keys}") };
            let uids = match self.uid_search(&f.name, &cmd).await {
                Ok(u) => u,
                Err(e) => {
                    self.connection_failed(&e);
                    let why = e.to_string();
                    let answer = if e.is_transient() || e.is_login() {
                        ServerSearch::Offline(why)
                    } else {
                        ServerSearch::Failed(why)
                    };
                    return (ids, answer);
                }
            };
            asked = true;
            match self.store.ids_of_uids(f.id, &uids) {
                Ok(found) => ids.extend(found),
                Err(e) => return (ids, ServerSearch::Failed(format!("local store: {e}"))),
            }
        }
        (ids, if asked { ServerSearch::Asked } else { ServerSearch::NotNeeded })
    }

    async fn uid_search(&mut self, folder: &str, cmd: &str) -> Result<Vec<crate::model::Uid>, crate::imap::ImapError> {
        let conn = self.connection().await?;
        crate::imap::select::ensure(conn, folder).await?;
        let mut uids = Vec::new();
        crate::imap::raw::run_with(conn, cmd, |r| {
            if let async_imap::imap_proto::Response::MailboxData(async_imap::imap_proto::MailboxDatum::Search(found)) =
                r
            {
                uids.extend_from_slice(found);
            }
        })
        .await?;
        Ok(uids)
    }
}
