//! Threading on write: the thread of each message stored, from its Message-ID,
//! In-Reply-To and References (or its subject, when the account asks), creating, joining
//! and merging threads in the transaction that writes its row; and the pass over rows
//! stored before threads existed.
//!
//! An account maps every Message-ID it has seen or been referred to (`thread_ids`) to a
//! thread. An id referred to but not stored yet is a placeholder: the parent that arrives
//! later, or a deleted message that comes back, finds its thread there. A message that
//! joins two threads merges them: the smaller one's rows move to the larger, and its
//! thread row points to the larger (`merged_into`) for the placeholders that named it.

use super::tally::Tally;
use super::threads::{BACKLOG_BATCH, MAX_REFERENCES, SUBJECT_WINDOW};
use super::{Result, Store};
use crate::model::{AccountId, FolderId, MessageId, NewMessage, ThreadId};
use rusqlite::{OptionalExtension, params};

/// A Message-ID without angle brackets and spaces; `None` when nothing is left.
fn normalize(id: &str) -> Option<&str> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty()).then_some(id)
}

/// The ids a message names as its ancestors, oldest first, without repeats or its own id,
/// at most `MAX_REFERENCES`; its parent (the last In-Reply-To, else the last reference)
/// comes last.
pub(crate) fn ancestors<'a>(own: Option<&str>, in_reply_to: Option<&'a str>, refs: Option<&'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let ids = refs.into_iter().flat_map(|r| r.split(|c: char| c.is_whitespace() || c == ',')).filter_map(normalize);
    let parent = in_reply_to.and_then(|r| r.split_whitespace().rev().find_map(normalize));
    for id in ids.chain(parent) {
        if Some(id) == own {
            continue;
        }
        if let Some(at) = out.iter().position(|x| *x == id) {
            out.remove(at);
        }
        out.push(id);
    }
    if out.len() > MAX_REFERENCES {
        out.drain(..out.len() - MAX_REFERENCES);
    }
    out
}

/// A subject without its reply and forward prefixes (`Re:`, `Fwd:`, `Fw:`, `AW:`, `SV:`,
/// `WG:`, also `Re[2]:`), repeatedly, lowercased: what subject threading compares.
pub fn base_subject(subject: &str) -> String {
    let mut s = subject.trim();
    'strip: loop {
        for p in ["re", "fwd", "fw", "aw", "sv", "wg"] {
            let Some(head) = s.get(..p.len()) else { continue };
            if !head.eq_ignore_ascii_case(p) {
                continue;
            }
            let mut rest = &s[p.len()..];
            if let Some(r) = rest.strip_prefix('[')
                && let Some(end) = r.find(']')
                && r[..end].chars().all(|c| c.is_ascii_digit())
            {
                rest = &r[end + 1..];
            }
            if let Some(r) = rest.trim_start().strip_prefix(':') {
                s = r.trim_start();
                continue 'strip;
            }
        }
        break;
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The folder messages are stored into, with what threading needs of its account: read
/// once for a batch of rows.
pub(super) struct Target {
    pub folder: FolderId,
    account: AccountId,
    by_subject: bool,
    /// The threads of the Message-IDs looked up or recorded in this batch: the ids a
    /// thread's replies name again and again are read once per batch. Cleared on a merge.
    seen: std::cell::RefCell<std::collections::HashMap<String, ThreadId>>,
    /// The counts and summaries of the rows stored so far, not written yet.
    tally: std::cell::RefCell<Tally>,
}

impl Target {
    /// The folder's account and its subject-threading setting.
    pub(super) fn of(conn: &rusqlite::Connection, folder: FolderId) -> rusqlite::Result<Target> {
        let (account, by_subject) = conn
            .prepare_cached(
                "SELECT f.account_id, a.thread_by_subject FROM folders f JOIN accounts a ON a.id = f.account_id
                 WHERE f.id = ?1",
            )?
            .query_row([folder], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Target { folder, account, by_subject, seen: Default::default(), tally: Default::default() })
    }

    /// A row of `thread` was stored: it counts when the tally is written.
    pub(super) fn stored(&self, thread: ThreadId, m: &NewMessage) {
        self.tally.borrow_mut().add(thread, m);
    }

    /// Writes the counts and summaries of the rows stored so far: before a merge or an
    /// update reads or changes them, and before the transaction commits.
    pub(super) fn write_tally(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        self.tally.borrow_mut().write(conn, self.folder)
    }
}

/// The thread a message about to be stored in `to` belongs to, creating or merging
/// threads and recording its ids; called in the transaction that writes its row.
pub(super) fn assign(conn: &rusqlite::Connection, to: &Target, m: &NewMessage) -> rusqlite::Result<ThreadId> {
    let (folder, account, by_subject) = (to.folder, to.account, to.by_subject);
    let own = m.message_id.as_deref().and_then(normalize);
    if own.is_none()
        && let Some(t) = conn
            .prepare_cached("SELECT thread_id FROM messages WHERE folder_id = ?1 AND uid = ?2")?
            .query_row(params![folder, m.uid], |r| r.get::<_, Option<ThreadId>>(0))
            .optional()?
            .flatten()
    {
        // the row is there already (only its flags change)
        return Ok(t);
    }
    let ancestors = ancestors(own, m.in_reply_to.as_deref(), m.references.as_deref());
    let mut found: Vec<ThreadId> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    {
        // the thread and what it was merged into, if it was, in one look
        let mut look = conn.prepare_cached(
            "SELECT i.thread_id, t.merged_into FROM thread_ids i LEFT JOIN threads t ON t.id = i.thread_id
             WHERE i.account_id = ?1 AND i.message_id = ?2",
        )?;
        let seen = to.seen.borrow();
        for id in own.into_iter().chain(ancestors.iter().copied()) {
            if let Some(&t) = seen.get(id) {
                if !found.contains(&t) {
                    found.push(t);
                }
                continue;
            }
            let hit = look
                .query_row(params![account, id], |r| Ok((r.get::<_, ThreadId>(0)?, r.get::<_, Option<ThreadId>>(1)?)))
                .optional()?;
            match hit {
                Some((t, merged)) => {
                    let t = match merged {
                        Some(next) if next != t => resolve(conn, next)?,
                        _ => t,
                    };
                    if !found.contains(&t) {
                        found.push(t);
                    }
                }
                None => missing.push(id),
            }
        }
    }
    let thread = match found.len() {
        0 => {
            let key = (by_subject && ancestors.is_empty()).then(|| base_subject(&m.subject));
            let joined = match &key {
                Some(k) if !k.is_empty() => by_subject_key(conn, account, k, m.date)?,
                _ => None,
            };
            match joined {
                Some(t) => t,
                None => new_thread(conn, account, key.as_deref().filter(|k| !k.is_empty()))?,
            }
        }
        1 => found[0],
        _ => {
            to.seen.borrow_mut().clear();
            // the merge sizes threads from their summaries and moves rows out of them
            to.write_tally(conn)?;
            merge(conn, account, &found)?
        }
    };
    let mut put =
        conn.prepare_cached("INSERT OR IGNORE INTO thread_ids(account_id, message_id, thread_id) VALUES (?1, ?2, ?3)")?;
    for id in missing {
        put.execute(params![account, id, thread])?;
    }
    // the ids already there are of this thread (a merge cleared the others)
    let mut seen = to.seen.borrow_mut();
    for id in own.into_iter().chain(ancestors.iter().copied()) {
        if !seen.contains_key(id) {
            seen.insert(id.to_string(), thread);
        }
    }
    Ok(thread)
}

/// The thread a (possibly merged) thread id now is.
fn resolve(conn: &rusqlite::Connection, mut t: ThreadId) -> rusqlite::Result<ThreadId> {
    let mut st = conn.prepare_cached("SELECT merged_into FROM threads WHERE id = ?1")?;
    // merges only go to older-or-larger threads, but a bound keeps a damaged chain finite
    for _ in 0..64 {
        match st.query_row([t], |r| r.get::<_, Option<ThreadId>>(0)).optional()?.flatten() {
            Some(next) if next != t => t = next,
            _ => break,
        }
    }
    Ok(t)
}

fn new_thread(conn: &rusqlite::Connection, account: AccountId, key: Option<&str>) -> rusqlite::Result<ThreadId> {
    conn.prepare_cached("INSERT INTO threads(account_id, subject_key) VALUES (?1, ?2)")?
        .execute(params![account, key])?;
    Ok(ThreadId(conn.last_insert_rowid()))
}

fn by_subject_key(
    conn: &rusqlite::Connection,
    account: AccountId,
    key: &str,
    date: i64,
) -> rusqlite::Result<Option<ThreadId>> {
    // a thread's latest date, counted along `messages_by_thread` (none for an empty one)
    conn.prepare_cached(
        "SELECT id FROM (
             SELECT t.id, (SELECT max(m.date) FROM messages m WHERE m.thread_id = t.id) AS latest FROM threads t
             WHERE t.account_id = ?1 AND t.subject_key = ?2 AND t.merged_into IS NULL)
         WHERE latest >= ?3 AND latest <= ?4
         ORDER BY latest DESC LIMIT 1",
    )?
    .query_row(params![account, key, date - SUBJECT_WINDOW, date + SUBJECT_WINDOW], |r| r.get(0))
    .optional()
}

/// Merges threads of `account` into the one with the most messages; returns it.
fn merge(conn: &rusqlite::Connection, account: AccountId, threads: &[ThreadId]) -> rusqlite::Result<ThreadId> {
    let mut sized = Vec::with_capacity(threads.len());
    {
        // the sizes from the summaries, one row per folder: counting a thread's messages
        // made each message joining a long thread cost as much as the thread
        let mut st = conn.prepare_cached(
            "SELECT coalesce(sum(t.total), 0) FROM folders f JOIN thread_folders t
                 ON t.folder_id = f.id AND t.thread_id = ?2
             WHERE f.account_id = ?1",
        )?;
        for &t in threads {
            sized.push((st.query_row(params![account, t], |r| r.get::<_, i64>(0))?, t));
        }
    }
    // the largest, and of equals the oldest
    sized.sort_by_key(|(n, t)| (std::cmp::Reverse(*n), *t));
    let keep = sized[0].1;
    for &(_, t) in &sized[1..] {
        // the triggers move each message's share of the summaries
        conn.prepare_cached("UPDATE messages SET thread_id = ?2 WHERE thread_id = ?1")?.execute(params![t, keep])?;
        conn.prepare_cached("UPDATE threads SET merged_into = ?2 WHERE id = ?1")?.execute(params![t, keep])?;
        conn.prepare_cached("UPDATE threads SET merged_into = ?2 WHERE merged_into = ?1")?.execute(params![t, keep])?;
    }
    Ok(keep)
}

impl Store {
    /// Whether messages of an account without References or In-Reply-To join a recent
    /// thread of the same base subject (`thread_by_subject` in the account's config).
    pub fn set_thread_by_subject(&self, account: AccountId, on: bool) -> Result<()> {
        self.conn().execute("UPDATE accounts SET thread_by_subject = ?2 WHERE id = ?1", params![account, on])?;
        Ok(())
    }

    /// Threads up to `BACKLOG_BATCH` of an account's messages stored before threads
    /// existed, in one transaction, oldest first; returns how many. 0 means none are left.
    /// It can stop and resume at any point: a row is threaded or not.
    pub fn thread_backlog(&self, account: AccountId) -> Result<usize> {
        let tx = self.tx()?;
        let rows: Vec<(MessageId, FolderId, NewMessage)> = {
            let mut st = tx.prepare_cached(
                "SELECT id, folder_id, uid, message_id, in_reply_to, refs, date, subject FROM messages
                 WHERE thread_id IS NULL AND folder_id IN (SELECT id FROM folders WHERE account_id = ?1)
                 ORDER BY id LIMIT ?2",
            )?;
            let rows = st.query_map(params![account, BACKLOG_BATCH as i64], |r| {
                let m = NewMessage {
                    uid: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    message_id: r.get(3)?,
                    in_reply_to: r.get(4)?,
                    references: r.get(5)?,
                    date: r.get(6)?,
                    subject: r.get(7)?,
                    ..Default::default()
                };
                Ok((r.get(0)?, r.get(1)?, m))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        {
            let mut up = tx.prepare_cached("UPDATE messages SET thread_id = ?2 WHERE id = ?1")?;
            let mut to: Option<Target> = None;
            for (id, folder, m) in &rows {
                if to.as_ref().is_none_or(|t| t.folder != *folder) {
                    to = Some(Target::of(&tx, *folder)?);
                }
                let Some(to) = &to else { continue };
                let t = assign(&tx, to, m)?;
                up.execute(params![id, t])?;
            }
        }
        tx.commit()?;
        Ok(rows.len())
    }
}
