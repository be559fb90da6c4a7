//! Reading the message list: counts, windows of rows in date order, the owners and ids
//! of a query's messages, one message, and address completion.

use super::anchors::{self, Seek};
use super::messages::{ListQuery, SUMMARY_COLUMNS, summary_row};
use super::{Result, Store, StoreError, StoredMessage};
use crate::model::{AccountId, Flags, MessageId, Summary};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use std::path::PathBuf;

impl Store {
    /// A query's `in:` and `account:` terms name a folder and an account the store has: a
    /// typo is an error pointing at the term, not an empty list. (Asked only of a list that
    /// came out empty: a query that finds messages names places that exist.)
    pub(super) fn check_places(&self, q: &ListQuery) -> Result<()> {
        use crate::query::{QueryError, Term};
        let Some(text) = q.filter.as_deref().filter(|f| !f.trim().is_empty()) else { return Ok(()) };
        let parsed = crate::query::parse(text, &chrono::Local::now().fixed_offset())?;
        for t in parsed.places() {
            let (keys, name, known, what) = match t {
                Term::Folder(n) => {
                    let sql = "SELECT 1 FROM folders WHERE name = ?1 COLLATE NOCASE OR display = ?1 COLLATE NOCASE \
                               OR special_use = lower(?1) LIMIT 1";
                    (&["in:", "folder:"][..], n, self.conn().prepare_cached(sql)?.exists([n])?, "folder")
                }
                Term::Account(n) => {
                    let sql = "SELECT 1 FROM accounts WHERE name = ?1 COLLATE NOCASE";
                    (&["account:"][..], n, self.conn().prepare_cached(sql)?.exists([n])?, "account")
                }
                _ => continue,
            };
            if !known {
                let (start, end) = term_place(text, keys, name);
                let term: String = text.chars().skip(start).take(end - start).collect();
                let detail = format!("no {what} is named {name:?}");
                return Err(QueryError { term, start, end, detail }.into());
            }
        }
        Ok(())
    }

    /// How many messages a query matches.
    pub fn count(&self, q: &ListQuery) -> Result<usize> {
        let n = self.count_of(q)?;
        if n == 0 {
            // none: say so if a folder or account the query names does not exist
            self.check_places(q)?;
        }
        Ok(n)
    }

    fn count_of(&self, q: &ListQuery) -> Result<usize> {
        let filter = q.filter.as_deref().filter(|f| !f.trim().is_empty());
        if let (Some(folder), None, None, None) = (q.folder, q.account, filter, q.role) {
            // a whole folder: the trigger-maintained count, not a scan
            let mut st = self.conn().prepare_cached("SELECT total FROM folder_counts WHERE folder_id = ?1")?;
            return Ok(st.query_row([folder], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0) as usize);
        }
        if let (Some(folder), None, None, Some(f)) = (q.folder, q.account, q.role, filter)
            && q.found.is_empty()
        {
            use crate::query::{FlagTerm, Query, Term};
            // `is:unread` or `is:read` of a whole folder: the kept counts too
            let read = match crate::query::parse(f, &chrono::Local::now().fixed_offset())? {
                Query::Term(Term::Is(FlagTerm::Unread)) => Some(false),
                Query::Term(Term::Is(FlagTerm::Read)) => Some(true),
                _ => None,
            };
            if let Some(read) = read {
                let mut st =
                    self.conn().prepare_cached("SELECT total, unread FROM folder_counts WHERE folder_id = ?1")?;
                let (total, unread) = st
                    .query_row([folder], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                    .optional()?
                    .unwrap_or((0, 0));
                return Ok(if read { total - unread } else { unread }.max(0) as usize);
            }
        }
        let (from, args) = q.count_from()?;
        let sql = format!("SELECT count(*) {from}");
        let mut st = self.conn().prepare_cached(&sql)?;
        Ok(st.query_row(params_from_iter(args), |r| r.get::<_, i64>(0))? as usize)
    }

    /// How many of a query's messages are unread.
    pub fn count_unread(&self, q: &ListQuery) -> Result<usize> {
        let (from, mut args) = q.count_from()?;
        let sql = format!("SELECT count(*) {from} AND (m.flags & ?) = 0");
        args.push(rusqlite::types::Value::Integer(i64::from(Flags::SEEN)));
        let mut st = self.conn().prepare_cached(&sql)?;
        Ok(st.query_row(params_from_iter(args), |r| r.get::<_, i64>(0))? as usize)
    }

    /// The accounts owning these messages, each with its messages among them.
    pub fn owners(&self, ids: &[MessageId]) -> Result<Vec<(AccountId, Vec<MessageId>)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT f.account_id FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?1",
        )?;
        let mut out: Vec<(AccountId, Vec<MessageId>)> = Vec::new();
        for id in ids {
            let Some(account) = st.query_row([id], |r| r.get::<_, AccountId>(0)).optional()? else { continue };
            match out.iter_mut().find(|(a, _)| *a == account) {
                Some((_, v)) => v.push(*id),
                None => out.push((account, vec![*id])),
            }
        }
        Ok(out)
    }

    /// A window of a query's messages, newest first.
    pub fn list(&self, q: &ListQuery, offset: usize, limit: usize) -> Result<Vec<Summary>> {
        self.window(q, None, offset, limit)
    }

    /// Like `list`, for a query known to match `total` messages: a window in the older half
    /// is read from the oldest end, so both ends of a 100,000-message folder are quick.
    pub fn list_window(&self, q: &ListQuery, total: usize, offset: usize, limit: usize) -> Result<Vec<Summary>> {
        self.window(q, Some(total), offset, limit)
    }

    /// A window read from the nearest known place: either end, or a row already read
    /// next to it (`anchors.rs`).
    fn window(&self, q: &ListQuery, total: Option<usize>, offset: usize, limit: usize) -> Result<Vec<Summary>> {
        let (clause, args) = q.where_clause()?;
        let name = anchors::list_name(&clause, &args);
        let mut anchors = self.anchors()?;
        let seek = anchors.seek(&name, total, offset, limit);
        let mut rows = self.list_seek(&clause, args, seek, seek.rows(total, offset, limit))?;
        if seek.upward() {
            rows.reverse();
        }
        let key = |s: &Summary| (s.date, s.id.0);
        anchors.note(&name, offset, rows.first().map(key), rows.last().map(key), rows.len());
        if rows.is_empty() {
            // nothing found: say so if a folder or account the query names does not exist
            self.check_places(q)?;
        }
        Ok(rows)
    }

    fn list_seek(&self, clause: &str, mut args: Vec<Value>, seek: Seek, limit: usize) -> Result<Vec<Summary>> {
        let order = if seek.upward() { "m.date ASC, m.id ASC" } else { "m.date DESC, m.id DESC" };
        let mut clause = clause.to_string();
        if let Some((cond, key)) = seek.condition("m.date, m.id") {
            clause = if clause.is_empty() { format!("WHERE {cond}") } else { format!("{clause} AND {cond}") };
            args.extend(key);
        }
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM messages m {clause} ORDER BY {order} LIMIT ? OFFSET ?");
        args.push(Value::Integer(limit as i64));
        args.push(Value::Integer(seek.skip() as i64));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), summary_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ids of a query's messages, newest first, grouped by the account that owns them
    /// (an action on them goes to each account's worker).
    pub fn ids_by_account(&self, q: &ListQuery) -> Result<Vec<(AccountId, Vec<MessageId>)>> {
        let (clause, args) = q.where_clause()?;
        let sql = format!(
            "SELECT f.account_id, m.id FROM messages m JOIN folders f ON f.id = m.folder_id {clause}
             ORDER BY m.date DESC, m.id DESC"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows =
            st.query_map(params_from_iter(args), |r| Ok((r.get::<_, AccountId>(0)?, r.get::<_, MessageId>(1)?)))?;
        let mut out: Vec<(AccountId, Vec<MessageId>)> = Vec::new();
        for row in rows {
            let (account, id) = row?;
            match out.iter_mut().find(|(a, _)| *a == account) {
                Some((_, ids)) => ids.push(id),
                None => out.push((account, vec![id])),
            }
        }
        Ok(out)
    }

    /// One message with its account and folder.
    pub fn message(&self, id: MessageId) -> Result<StoredMessage> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, a.name, a.id, f.name, f.display, m.message_id, m.cc_addrs, m.path
             FROM messages m JOIN folders f ON f.id = m.folder_id JOIN accounts a ON a.id = f.account_id
             WHERE m.id = ?1"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        st.query_row([id], |r| {
            Ok(StoredMessage {
                summary: summary_row(r)?,
                account: r.get(13)?,
                account_id: r.get(14)?,
                folder_name: r.get(15)?,
                folder_display: r.get(16)?,
                message_id: r.get(17)?,
                cc: r.get(18)?,
                path: r.get::<_, Option<String>>(19)?.map(PathBuf::from),
            })
        })
        .optional()?
        .ok_or(StoreError::NoMessage(id))
    }

    /// Addresses for completion: senders whose address or name starts with `prefix` (a
    /// name at any word), most frequent first, as `Name <address>`.
    pub fn addresses(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let p = prefix.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        if p.is_empty() {
            return Ok(Vec::new());
        }
        let mut st = self.conn().prepare_cached(
            "SELECT from_name, from_addr FROM messages
             WHERE from_addr LIKE ?1 ESCAPE '\\' OR from_name LIKE ?1 ESCAPE '\\' OR from_name LIKE ?2 ESCAPE '\\'
             GROUP BY lower(from_addr) ORDER BY count(*) DESC, max(date) DESC LIMIT ?3",
        )?;
        let rows = st.query_map(params![format!("{p}%"), format!("% {p}%"), limit as i64], |r| {
            Ok(crate::compose::mailbox(Some(&r.get::<_, String>(0)?), &r.get::<_, String>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Where in the query text (in characters) the term `key` + `name` stands, quoted or not;
/// the whole text when it cannot be found.
fn term_place(text: &str, keys: &[&str], name: &str) -> (usize, usize) {
    let total = text.chars().count();
    let name_l = name.to_lowercase();
    for (at, (byte, _)) in text.char_indices().enumerate() {
        let rest = text[byte..].to_lowercase();
        for key in keys {
            let Some(after) = rest.strip_prefix(key) else { continue };
            let quoted = after.strip_prefix('"').is_some_and(|a| a.starts_with(&name_l));
            if quoted || after.starts_with(&name_l) {
                let len = key.chars().count() + name.chars().count() + if quoted { 2 } else { 0 };
                return (at, (at + len).min(total));
            }
        }
    }
    (0, total)
}
