//! Conversation threads: each stored message gets a thread from its Message-ID, In-Reply-To
//! and References (in the transaction that writes its row); threaded list windows read the
//! trigger-kept summaries; the tree of one thread is built only when it is shown.
//!
//! An account maps every Message-ID it has seen or been referred to (`thread_ids`) to a
//! thread. An id referred to but not stored yet is a placeholder: the parent that arrives
//! later, or a deleted message that comes back, finds its thread there. A message that
//! joins two threads merges them: the smaller one's rows move to the larger, and its
//! thread row points to the larger (`merged_into`) for the placeholders that named it.

use super::messages::{SUMMARY_COLUMNS, summary_row};
use super::{ListQuery, Result, Store};
use crate::model::{AccountId, FolderId, MessageId, NewMessage, Summary, ThreadId};
use rusqlite::{OptionalExtension, params, params_from_iter};

/// At most this many References are used (the last ones, nearest the message).
pub const MAX_REFERENCES: usize = 32;
/// With subject threading on, a message joins a thread of the same base subject whose
/// latest message is at most this old (seconds before the message's date).
pub const SUBJECT_WINDOW: i64 = 7 * 24 * 3600;
/// Rows the background pass threads per transaction.
pub const BACKLOG_BATCH: usize = 500;

/// One line of a threaded list: a thread with the totals of its messages that the query
/// matches, and the newest of those to show.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadRow {
    pub thread: ThreadId,
    /// The date of the newest message.
    pub latest: i64,
    pub count: u32,
    pub unread: u32,
    pub flagged: u32,
    /// Messages with attachments.
    pub attachments: u32,
    pub newest: Summary,
}

/// A kept thread summary: thread, latest, count, unread, flagged, attachments.
type Head = (ThreadId, i64, u32, u32, u32, u32);

/// Where a row of a threaded list falls (`Store::thread_span`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadSpan {
    /// The list's rows in all: one per closed thread, one per message of an open one.
    pub rows: usize,
    /// The index (latest activity first) of the thread holding the row.
    pub thread: usize,
    /// That thread's rows before it.
    pub skip: usize,
}

/// The query's threads with the totals of its messages in each (thread, latest, count,
/// unread, flagged, attachments), in no order: a whole folder (or a set of folders without
/// a filter) from the kept summaries, a filtered query by grouping its messages.
fn heads_sql(q: &ListQuery) -> Result<(String, Vec<rusqlite::types::Value>)> {
    let (clause, args) = q.where_clause()?;
    let sql = if q.has_filter() {
        let and = if clause.is_empty() { "WHERE" } else { "AND" };
        format!(
            "SELECT m.thread_id, max(m.date), count(*), sum((m.flags & 1) = 0), sum((m.flags & 4) != 0),
                sum(m.has_attachments != 0)
             FROM messages m {clause} {and} m.thread_id IS NOT NULL GROUP BY m.thread_id"
        )
    } else if q.folder.is_some() {
        format!(
            "SELECT m.thread_id, m.latest, m.total, m.unread, m.flagged, m.attachments
             FROM thread_folders m {clause}"
        )
    } else {
        format!(
            "SELECT m.thread_id, max(m.latest), sum(m.total), sum(m.unread), sum(m.flagged), sum(m.attachments)
             FROM thread_folders m {clause} GROUP BY m.thread_id"
        )
    };
    Ok((sql, args))
}

/// One message of a thread's tree, in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadEntry {
    pub summary: Summary,
    /// 0 for a top message; a reply is one deeper than the message it answers (messages
    /// not stored are left out and their replies take their place).
    pub depth: usize,
    /// For each level 1..=depth: whether a later sibling follows at that level (the last
    /// is this entry's own), which is what the tree glyphs need.
    pub more: Vec<bool>,
}

impl ThreadEntry {
    /// The tree glyphs before the entry's subject: `│ ` or blanks for each ancestor level,
    /// then `├─` or `└─`. Empty for a top message.
    pub fn glyphs(&self) -> String {
        let mut s = String::new();
        for (i, more) in self.more.iter().enumerate() {
            let last = i + 1 == self.more.len();
            s.push_str(match (last, *more) {
                (false, true) => "│ ",
                (false, false) => "  ",
                (true, true) => "├─",
                (true, false) => "└─",
            });
        }
        s
    }
}

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
        Ok(Target { folder, account, by_subject, seen: Default::default() })
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
            merge(conn, account, &found)?
        }
    };
    let mut put =
        conn.prepare_cached("INSERT OR IGNORE INTO thread_ids(account_id, message_id, thread_id) VALUES (?1, ?2, ?3)")?;
    for id in missing {
        put.execute(params![account, id, thread])?;
    }
    let mut seen = to.seen.borrow_mut();
    for id in own.into_iter().chain(ancestors.iter().copied()) {
        seen.insert(id.to_string(), thread);
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

    /// A window of a query's threads, the latest activity first. Counts and the newest
    /// message are of the messages the query matches; a whole folder (or a set of folders
    /// without a filter) is read from the kept summaries, a filtered query from its
    /// matching messages by date. Messages not threaded yet are left out until the
    /// background pass reaches them.
    pub fn thread_window(&self, q: &ListQuery, offset: usize, limit: usize) -> Result<Vec<ThreadRow>> {
        if q.has_filter() {
            return self.filtered_thread_window(q, offset, limit);
        }
        let heads = match q.folder {
            // a whole folder along its index, from the nearer end
            Some(folder) if q.account.is_none() && q.role.is_none() => {
                let total = self.folder_threads(folder)?;
                let end = (offset + limit).min(total);
                if offset > total / 2 && end > offset {
                    let mut rows = self.heads(q, total - end, end - offset, true)?;
                    rows.reverse();
                    rows
                } else {
                    self.heads(q, offset, limit, false)?
                }
            }
            _ => self.heads(q, offset, limit, false)?,
        };
        let mut out = Vec::with_capacity(heads.len());
        for (thread, latest, count, unread, flagged, attachments) in heads {
            let Some(newest) = self.thread_newest(q, thread)? else { continue };
            out.push(ThreadRow { thread, latest, count, unread, flagged, attachments, newest });
        }
        Ok(out)
    }

    /// A window of the kept thread summaries, latest first (or oldest first).
    pub(super) fn heads(&self, q: &ListQuery, offset: usize, limit: usize, oldest_first: bool) -> Result<Vec<Head>> {
        let (heads, mut args) = heads_sql(q)?;
        let order = if oldest_first { "2 ASC, 1 ASC" } else { "2 DESC, 1 DESC" };
        let sql = format!("SELECT * FROM ({heads}) ORDER BY {order} LIMIT ? OFFSET ?");
        args.push(rusqlite::types::Value::Integer(limit as i64));
        args.push(rusqlite::types::Value::Integer(offset as i64));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many threads a folder has messages of (trigger-kept).
    fn folder_threads(&self, folder: FolderId) -> Result<usize> {
        let mut st = self.conn().prepare_cached("SELECT threads FROM folder_counts WHERE folder_id = ?1")?;
        Ok(st.query_row([folder], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0).max(0) as usize)
    }

    /// A window of a filtered query's threads: its matching messages are walked newest
    /// first (along the date index, as a flat list is) until the window's threads are
    /// seen, so the window costs about what the flat list's does; then the totals and the
    /// newest match of just those threads are read in one statement each (along the
    /// thread index: left to itself, SQLite reads every text match's row instead).
    fn filtered_thread_window(&self, q: &ListQuery, offset: usize, limit: usize) -> Result<Vec<ThreadRow>> {
        let (clause, mut args) = q.where_clause()?;
        let and = if clause.is_empty() { "WHERE" } else { "AND" };
        let want = offset.saturating_add(limit);
        // each thread at the date of its newest match, in walk order (dates never rise)
        let mut seen: Vec<(ThreadId, i64)> = Vec::new();
        {
            let sql = format!(
                "SELECT m.thread_id, m.date FROM messages m {clause} {and} m.thread_id IS NOT NULL
                 ORDER BY m.date DESC, m.id DESC"
            );
            let mut st = self.conn().prepare_cached(&sql)?;
            let mut rows = st.query(params_from_iter(args.iter()))?;
            let mut known = std::collections::HashSet::new();
            while let Some(r) = rows.next()? {
                let (t, date): (ThreadId, i64) = (r.get(0)?, r.get(1)?);
                // past the window, only threads tied with its last one can still fall in it
                if seen.len() >= want && seen.last().is_some_and(|(_, d)| *d != date) {
                    break;
                }
                if known.insert(t) {
                    seen.push((t, date));
                }
            }
        }
        // the order of the kept summaries: latest first, then the higher thread id
        seen.sort_by_key(|(t, d)| (std::cmp::Reverse(*d), std::cmp::Reverse(*t)));
        let window: Vec<ThreadId> = seen.into_iter().skip(offset).take(limit).map(|(t, _)| t).collect();
        if window.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; window.len()].join(",");
        let sql = format!(
            "SELECT m.thread_id, max(m.date), m.id, count(*), sum((m.flags & 1) = 0), sum((m.flags & 4) != 0),
                sum(m.has_attachments != 0)
             FROM messages m INDEXED BY messages_by_thread {clause} {and} m.thread_id IN ({marks})
             GROUP BY m.thread_id"
        );
        args.extend(window.iter().map(|t| rusqlite::types::Value::Integer(t.0)));
        let totals: std::collections::HashMap<ThreadId, (i64, MessageId, u32, u32, u32, u32)> = {
            let mut st = self.conn().prepare_cached(&sql)?;
            let rows = st.query_map(params_from_iter(args), |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let ids: Vec<MessageId> = window.iter().filter_map(|t| totals.get(t).map(|v| v.1)).collect();
        let newest = self.summaries(&ids)?;
        let mut out = Vec::with_capacity(window.len());
        for thread in window {
            let Some(&(latest, id, count, unread, flagged, attachments)) = totals.get(&thread) else { continue };
            let Some(newest) = newest.get(&id).cloned() else { continue };
            out.push(ThreadRow { thread, latest, count, unread, flagged, attachments, newest });
        }
        Ok(out)
    }

    /// The summaries of some messages, by id.
    fn summaries(&self, ids: &[MessageId]) -> Result<std::collections::HashMap<MessageId, Summary>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let marks = vec!["?"; ids.len()].join(",");
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM messages m WHERE m.id IN ({marks})");
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(ids.iter().map(|i| i.0)), |r| summary_row(r).map(|s| (s.id, s)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest message of a thread that a query matches.
    pub(super) fn thread_newest(&self, q: &ListQuery, thread: ThreadId) -> Result<Option<Summary>> {
        let (clause, mut args) = q.where_clause()?;
        let and = if clause.is_empty() { "WHERE" } else { "AND" };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM messages m {clause} {and} m.thread_id = ?
             ORDER BY m.date DESC, m.id DESC LIMIT 1"
        );
        args.push(rusqlite::types::Value::Integer(thread.0));
        let mut st = self.conn().prepare_cached(&sql)?;
        Ok(st.query_row(params_from_iter(args), summary_row).optional()?)
    }

    /// How many threads a query's messages make.
    pub fn thread_count(&self, q: &ListQuery) -> Result<usize> {
        if let (Some(folder), None, None, false) = (q.folder, q.account, q.role, q.has_filter()) {
            return self.folder_threads(folder);
        }
        let (sql, args) = if q.has_filter() {
            let (from, args) = q.count_from()?;
            (format!("SELECT count(DISTINCT m.thread_id) {from} AND m.thread_id IS NOT NULL"), args)
        } else {
            let (clause, args) = q.where_clause()?;
            (format!("SELECT count(DISTINCT m.thread_id) FROM thread_folders m {clause}"), args)
        };
        let mut st = self.conn().prepare_cached(&sql)?;
        Ok(st.query_row(params_from_iter(args), |r| r.get::<_, i64>(0))? as usize)
    }

    /// Where row `pos` of a threaded list falls when some threads show their messages (the
    /// ones in `open`, or with `all_open` every one but those): the index of the thread
    /// holding it and how many of that thread's rows come before it, and the list's rows in
    /// all. A thread shows one row closed and a row per message the query matches open.
    pub fn thread_span(&self, q: &ListQuery, open: &[ThreadId], all_open: bool, pos: usize) -> Result<ThreadSpan> {
        if open.is_empty() && !all_open {
            // every thread closed: a row each, counted along the index
            let rows = self.thread_count(q)?;
            return Ok(ThreadSpan { rows, thread: pos.min(rows), skip: 0 });
        }
        let (heads, mut args) = heads_sql(q)?;
        let marks = vec!["?"; open.len()].join(",");
        let test = if open.is_empty() { "0".to_string() } else { format!("h.t IN ({marks})") };
        let sql = format!(
            "WITH h(t, l, c, u, f, a) AS ({heads}),
             s AS (SELECT row_number() OVER w - 1 AS rn,
                     sum(CASE WHEN ({test}) != ? THEN h.c ELSE 1 END) OVER w AS cum,
                     CASE WHEN ({test}) != ? THEN h.c ELSE 1 END AS size
                   FROM h WINDOW w AS (ORDER BY h.l DESC, h.t DESC))
             SELECT (SELECT coalesce(max(cum), 0) FROM s), (SELECT count(*) FROM s),
                    (SELECT rn FROM s WHERE cum > ? ORDER BY rn LIMIT 1),
                    (SELECT cum - size FROM s WHERE cum > ? ORDER BY rn LIMIT 1)"
        );
        for _ in 0..2 {
            args.extend(open.iter().map(|t| rusqlite::types::Value::Integer(t.0)));
            args.push(rusqlite::types::Value::Integer(i64::from(all_open)));
        }
        args.push(rusqlite::types::Value::Integer(pos as i64));
        args.push(rusqlite::types::Value::Integer(pos as i64));
        let mut st = self.conn().prepare(&sql)?;
        let (rows, threads, index, before): (i64, i64, Option<i64>, Option<i64>) =
            st.query_row(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let thread = index.map_or(threads as usize, |i| i as usize);
        let skip = before.map_or(0, |b| pos.saturating_sub(b as usize));
        Ok(ThreadSpan { rows: rows as usize, thread, skip })
    }

    /// The thread a message is in (`None` until the background pass has threaded it).
    pub fn thread_of(&self, id: MessageId) -> Result<Option<ThreadId>> {
        let mut st = self.conn().prepare_cached("SELECT thread_id FROM messages WHERE id = ?1")?;
        Ok(st.query_row([id], |r| r.get::<_, Option<ThreadId>>(0)).optional()?.flatten())
    }

    /// The ids of a thread's messages that a query matches, oldest first (for an action on
    /// a whole thread; `ListQuery::default()` for all of them, in every folder).
    pub fn thread_message_ids(&self, thread: ThreadId, q: &ListQuery) -> Result<Vec<MessageId>> {
        let (clause, mut args) = q.where_clause()?;
        let and = if clause.is_empty() { "WHERE" } else { "AND" };
        let sql = format!("SELECT m.id FROM messages m {clause} {and} m.thread_id = ? ORDER BY m.date, m.id");
        args.push(rusqlite::types::Value::Integer(thread.0));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The tree of one thread's messages that a query matches, in display order: each
    /// message after the one it answers, replies by date. `ListQuery::default()` gives the
    /// whole conversation across the account's folders; with a folder's query, messages
    /// elsewhere (a reply in Sent) are left out and their replies take their place.
    pub fn thread_tree(&self, thread: ThreadId, q: &ListQuery) -> Result<Vec<ThreadEntry>> {
        let (clause, args) = q.where_clause()?;
        self.tree_where(thread, clause, args)
    }

    /// A thread as a conversation: its messages in every folder of its account but Trash
    /// and Junk (deleted, or not mail of the conversation), except `shown`, the folder it
    /// was opened from.
    pub fn conversation(&self, thread: ThreadId, shown: Option<FolderId>) -> Result<Vec<ThreadEntry>> {
        let clause = "WHERE m.folder_id NOT IN (SELECT id FROM folders WHERE special_use IN ('trash', 'junk') \
                      AND id IS NOT ?)"
            .to_string();
        self.tree_where(thread, clause, vec![shown.map_or(rusqlite::types::Value::Null, |f| f.0.into())])
    }

    fn tree_where(
        &self,
        thread: ThreadId,
        clause: String,
        mut args: Vec<rusqlite::types::Value>,
    ) -> Result<Vec<ThreadEntry>> {
        let and = if clause.is_empty() { "WHERE" } else { "AND" };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, m.message_id, m.in_reply_to, m.refs FROM messages m
             {clause} {and} m.thread_id = ? ORDER BY m.date, m.id"
        );
        args.push(rusqlite::types::Value::Integer(thread.0));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok(super::tree::Node {
                summary: summary_row(r)?,
                message_id: r.get(13)?,
                in_reply_to: r.get(14)?,
                references: r.get(15)?,
            })
        })?;
        let nodes = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(super::tree::build(nodes))
    }
}
