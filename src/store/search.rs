//! The full-text index (FTS5, contentless, keyed by message row id): what is kept in it
//! as message rows and bodies are written, and the background pass that indexes the
//! messages a store held before it had an index.
//!
//! The table holds sender, recipients, cc, subject, the body text and attachment names,
//! with diacritics folded (`unicode61 remove_diacritics 2`) and characters of scripts
//! written without spaces indexed one by one (`query::fts_text`). It stores no text of
//! its own (`content=''`); a row is replaced whole when a body arrives, and a trigger
//! removes it with its message.

use super::{Result, Store};
use crate::model::{AccountId, MessageId, NewMessage};
use crate::query::fts_text;
use rusqlite::{Connection, OptionalExtension, params};
use std::borrow::Cow;

/// Index entries held back until a batch's row writes are done, then written together
/// (`write`). FTS5 moves its pending terms to disk at every statement savepoint, and a row
/// write that fires triggers opens one; interleaved with the rows, the index would be
/// flushed (and its segments merged) once per row.
#[derive(Default)]
pub(super) struct Pending<'a> {
    entries: Vec<Entry<'a>>,
}

struct Entry<'a> {
    id: MessageId,
    /// The sender, recipients, cc and subject of a row just inserted; `None` for a row
    /// whose entry is made from its stored headers.
    headers: Option<[Cow<'a, str>; 4]>,
    body: Option<&'a [u8]>,
}

impl<'a> Pending<'a> {
    /// A message row just inserted, with its body when the whole message is at hand.
    pub(super) fn new_row(&mut self, id: MessageId, m: Cow<'a, NewMessage>, body: Option<&'a [u8]>) {
        let sender = Cow::Owned(format!("{} {}", m.from_name, m.from_addr));
        let headers = match m {
            Cow::Borrowed(m) => {
                [sender, Cow::Borrowed(&m.to[..]), Cow::Borrowed(&m.cc[..]), Cow::Borrowed(&m.subject[..])]
            }
            Cow::Owned(m) => [sender, Cow::Owned(m.to), Cow::Owned(m.cc), Cow::Owned(m.subject)],
        };
        self.entries.push(Entry { id, headers: Some(headers), body });
    }

    /// A row whose entry is replaced (its body arrived, or it was copied).
    pub(super) fn row(&mut self, id: MessageId, body: Option<&'a [u8]>) {
        self.entries.push(Entry { id, headers: None, body });
    }

    /// Writes the held entries, in the transaction of their rows.
    pub(super) fn write(self, conn: &Connection) -> rusqlite::Result<()> {
        for e in self.entries {
            match &e.headers {
                Some([sender, to, cc, subject]) => write(conn, e.id, [sender, to, cc, subject], e.body)?,
                None => index(conn, e.id, e.body)?,
            }
        }
        Ok(())
    }
}

/// Indexes a message from its row, with its body when given (replacing what was there).
pub(super) fn index(conn: &Connection, id: MessageId, body: Option<&[u8]>) -> rusqlite::Result<()> {
    let row = conn
        .prepare_cached(
            "SELECT from_name || ' ' || from_addr, to_addrs, cc_addrs, subject FROM messages WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })
        .optional()?;
    match row {
        Some((sender, to, cc, subject)) => write(conn, id, [&sender, &to, &cc, &subject], body),
        None => Ok(()),
    }
}

fn write(conn: &Connection, id: MessageId, headers: [&str; 4], body: Option<&[u8]>) -> rusqlite::Result<()> {
    let (text, names) = body.map(crate::mime::searchable).unwrap_or_default();
    let names = names.join("\n");
    conn.prepare_cached(
        "INSERT OR REPLACE INTO search(rowid, sender, recipients, cc, subject, body, attachments)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        fts_text(headers[0]),
        fts_text(headers[1]),
        fts_text(headers[2]),
        fts_text(headers[3]),
        fts_text(&text),
        fts_text(&names)
    ])?;
    Ok(())
}

/// How far the background pass over an account's older messages has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexProgress {
    pub done: u64,
    pub total: u64,
}

impl IndexProgress {
    pub fn finished(&self) -> bool {
        self.done >= self.total
    }
}

impl Store {
    /// The account's folders (that hold messages) with messages whose bodies are not
    /// stored: those a search asks the server about.
    pub fn folders_without_all_bodies(&self, account: AccountId) -> Result<Vec<crate::model::Folder>> {
        let missing: std::collections::HashSet<crate::model::FolderId> = self
            .conn()
            .prepare_cached(
                "SELECT DISTINCT m.folder_id FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE f.account_id = ?1 AND (m.path IS NULL OR m.partial = 1)",
            )?
            .query_map([account], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(self.folders(account)?.into_iter().filter(|f| !f.noselect && missing.contains(&f.id)).collect())
    }

    /// The ids of the messages of a folder with these UIDs (those the store knows).
    pub fn ids_of_uids(&self, folder: crate::model::FolderId, uids: &[crate::model::Uid]) -> Result<Vec<MessageId>> {
        let mut st = self.conn().prepare_cached("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2")?;
        let mut out = Vec::new();
        for uid in uids {
            if let Some(id) = st.query_row(params![folder, uid], |r| r.get(0)).optional()? {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Indexes the next `batch` of an account's messages that were stored before the
    /// store had a search index, bodies included, in one transaction with the progress
    /// (a stop at any point loses at most this batch, which is done again). None when
    /// there is nothing (left) to do.
    pub fn index_backlog(&self, account: AccountId, batch: usize) -> Result<Option<IndexProgress>> {
        let Some((next, last, done, total)) = self
            .conn()
            .prepare_cached("SELECT next, last, done, total FROM search_backlog WHERE account_id = ?1")?
            .query_row([account], |r| {
                Ok((r.get::<_, MessageId>(0)?, r.get::<_, MessageId>(1)?, r.get::<_, u64>(2)?, r.get::<_, u64>(3)?))
            })
            .optional()?
        else {
            return Ok(None);
        };
        let ids: Vec<(MessageId, bool)> = self
            .conn()
            .prepare_cached(
                "SELECT m.id, m.path IS NOT NULL AND m.partial = 0 FROM messages m JOIN folders f ON f.id = m.folder_id
                 WHERE f.account_id = ?1 AND m.id >= ?2 AND m.id <= ?3 ORDER BY m.id LIMIT ?4",
            )?
            .query_map(params![account, next, last, batch as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // the files are read before the transaction, which then only writes
        let mut bodies = Vec::with_capacity(ids.len());
        for (id, whole) in &ids {
            bodies.push(if *whole { self.body(*id).ok().flatten() } else { None });
        }
        let progress = IndexProgress { done: (done + ids.len() as u64).min(total), total };
        let tx = self.tx()?;
        for ((id, _), body) in ids.iter().zip(&bodies) {
            index(&tx, *id, body.as_deref())?;
        }
        match ids.last() {
            Some((id, _)) if ids.len() == batch && *id < last => {
                tx.execute(
                    "UPDATE search_backlog SET next = ?2, done = ?3 WHERE account_id = ?1",
                    params![account, id.0 + 1, progress.done],
                )?;
            }
            _ => {
                tx.execute("DELETE FROM search_backlog WHERE account_id = ?1", [account])?;
            }
        }
        tx.commit()?;
        let finished = ids.len() < batch || ids.last().is_some_and(|(id, _)| *id >= last);
        Ok(Some(if finished { IndexProgress { done: total, total } } else { progress }))
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
