//! Reading threads: threaded list windows from the trigger-kept summaries, a threaded
//! list's length and spans, and the tree of one thread (or a conversation) when it is
//! shown. How each stored message gets its thread is `thread_assign.rs`.

use super::anchors;
use super::messages::{SUMMARY_COLUMNS, summary_row};
use super::{ListQuery, Result, Store};
use crate::model::{FolderId, MessageId, Summary, ThreadId};
use rusqlite::{OptionalExtension, params_from_iter};

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
            "SELECT m.thread_id AS thread, max(m.date) AS latest, count(*), sum((m.flags & 1) = 0),
                sum((m.flags & 4) != 0), sum(m.has_attachments != 0)
             FROM messages m {clause} {and} m.thread_id IS NOT NULL GROUP BY m.thread_id"
        )
    } else if q.folder.is_some() {
        format!(
            "SELECT m.thread_id AS thread, m.latest AS latest, m.total, m.unread, m.flagged, m.attachments
             FROM thread_folders m {clause}"
        )
    } else {
        format!(
            "SELECT m.thread_id AS thread, max(m.latest) AS latest, sum(m.total), sum(m.unread), sum(m.flagged),
                sum(m.attachments)
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

pub(crate) use super::thread_assign::ancestors;
pub use super::thread_assign::base_subject;
pub(super) use super::thread_assign::{Target, assign};

impl Store {
    /// A window of a query's threads, the latest activity first. Counts and the newest
    /// message are of the messages the query matches; a whole folder (or a set of folders
    /// without a filter) is read from the kept summaries, a filtered query from its
    /// matching messages by date. Messages not threaded yet are left out until the
    /// background pass reaches them.
    pub fn thread_window(&self, q: &ListQuery, offset: usize, limit: usize) -> Result<Vec<ThreadRow>> {
        if q.has_filter() {
            let rows = self.filtered_thread_window(q, offset, limit)?;
            if rows.is_empty() {
                self.check_places(q)?;
            }
            return Ok(rows);
        }
        // a whole folder's length is one kept row; other lists are read from the top
        let total = match q.folder {
            Some(folder) if q.account.is_none() && q.role.is_none() => Some(self.folder_threads(folder)?),
            _ => None,
        };
        if total.is_some_and(|t| offset >= t) {
            // past the end (a window that ends with the list asks once more): an OFFSET
            // from the front would walk every thread to find nothing
            return Ok(Vec::new());
        }
        let heads = self.heads(q, total, offset, limit)?;
        let mut out = Vec::with_capacity(heads.len());
        for (thread, latest, count, unread, flagged, attachments) in heads {
            let Some(newest) = self.thread_newest(q, thread)? else { continue };
            out.push(ThreadRow { thread, latest, count, unread, flagged, attachments, newest });
        }
        Ok(out)
    }

    /// A window of the kept thread summaries, latest first, read from the nearest known
    /// place of the list (either end, or a thread already read next to it: `anchors.rs`).
    pub(super) fn heads(&self, q: &ListQuery, total: Option<usize>, offset: usize, limit: usize) -> Result<Vec<Head>> {
        let (heads, mut args) = heads_sql(q)?;
        let name = anchors::list_name(&heads, &args);
        let mut anchors = self.anchors()?;
        let seek = anchors.seek(&name, total, offset, limit);
        let count = seek.rows(total, offset, limit);
        let order = if seek.upward() { "latest ASC, thread ASC" } else { "latest DESC, thread DESC" };
        let start = match seek.condition("latest, thread") {
            Some((cond, key)) => {
                args.extend(key);
                format!("WHERE {cond}")
            }
            None => String::new(),
        };
        let sql = format!("SELECT * FROM ({heads}) {start} ORDER BY {order} LIMIT ? OFFSET ?");
        args.push(rusqlite::types::Value::Integer(count as i64));
        args.push(rusqlite::types::Value::Integer(seek.skip() as i64));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        let mut rows: Vec<Head> = rows.collect::<rusqlite::Result<_>>()?;
        if seek.upward() {
            rows.reverse();
        }
        let key = |h: &Head| (h.1, h.0.0);
        anchors.note(&name, offset, rows.first().map(key), rows.last().map(key), rows.len());
        Ok(rows)
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
