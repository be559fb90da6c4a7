//! Message rows: the list's query, storing header batches, flags and bodies.

use super::{Result, Store, StoreError, maildir};
use crate::model::{AccountId, Flags, FolderId, MessageId, NewMessage, Summary, Uid};
use rusqlite::{OptionalExtension, params};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which messages a list shows: an account, a folder, every folder of a role (in every
/// account, or in `account`), and a filter in the search language (`query`; a filter
/// that cannot be read is `StoreError::Query`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub account: Option<AccountId>,
    pub folder: Option<FolderId>,
    pub filter: Option<String>,
    /// Every folder of this special use (the unified inbox: `Some(SpecialUse::Inbox)`).
    pub role: Option<crate::model::SpecialUse>,
    /// Messages a server's search found whose bodies are not stored here: listed beside
    /// those the filter matches (within the same account, folder and role).
    pub found: Vec<MessageId>,
}

/// A message file fsynced in a folder Maildir's `tmp/`, about to be indexed: the file,
/// its first bytes (the whole message when small, at least the header otherwise), its
/// size, whether it is only the header of a larger message, and the POP3 UIDL it was
/// downloaded under.
#[derive(Debug, Clone, Copy)]
pub struct Delivered<'a> {
    pub staged: &'a maildir::Staged,
    pub head: &'a [u8],
    pub size: u64,
    pub partial: bool,
    pub uidl: Option<&'a str>,
}

/// One message with where it lives.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    pub summary: Summary,
    pub account: String,
    pub account_id: AccountId,
    pub folder_name: String,
    pub folder_display: String,
    pub message_id: Option<String>,
    pub cc: String,
    pub path: Option<PathBuf>,
}

pub(super) const SUMMARY_COLUMNS: &str = "m.id, m.folder_id, m.uid, m.date, m.from_name, m.from_addr, \
    m.to_addrs, m.subject, m.flags, m.size, m.has_attachments, m.path IS NOT NULL, m.partial";

pub(super) fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    Ok(Summary {
        id: r.get(0)?,
        folder: r.get(1)?,
        // a placeholder (a message moved here whose server UID is not known yet) reads as 0
        uid: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        date: r.get(3)?,
        from_name: r.get(4)?,
        from_addr: r.get(5)?,
        to: r.get(6)?,
        subject: r.get(7)?,
        flags: Flags(r.get(8)?),
        size: r.get(9)?,
        has_attachments: r.get(10)?,
        cached: r.get(11)?,
        partial: r.get(12)?,
    })
}

impl ListQuery {
    /// Whether the query filters messages by their contents (not only by where they are).
    pub(super) fn has_filter(&self) -> bool {
        self.filter.as_deref().is_some_and(|f| !f.trim().is_empty())
    }

    /// The SQL conditions on messages `m` (only on `m.folder_id` when there is no filter,
    /// so the thread summaries, which have that column too, can be read with them).
    /// The filter is read as the search language (`query`), text through the full-text
    /// index.
    pub(super) fn where_clause(&self) -> Result<(String, Vec<rusqlite::types::Value>)> {
        use rusqlite::types::Value;
        let (mut conds, mut args) = self.location();
        if let Some(text) = self.filter.as_deref().filter(|t| !t.trim().is_empty()) {
            // SQLite walks the folder by date and probes the index's matches (a bloom
            // filter): a window stops after its rows, so this beats reading each match
            let q = crate::query::parse(text, &chrono::Local::now().fixed_offset())?;
            let c = crate::query::to_sql(&q);
            if !self.found.is_empty() {
                let ids = serde_json::to_string(&self.found).unwrap_or_else(|_| "[]".into());
                conds.push(format!("(({}) OR m.id IN (SELECT value FROM json_each(?)))", c.sql));
                args.extend(c.args);
                args.push(Value::Text(ids));
            } else if c.sql != "1" {
                conds.push(c.sql);
                args.extend(c.args);
            }
        }
        let clause = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
        Ok((clause, args))
    }

    /// The conditions on where messages `m` are (folder, account, role).
    fn location(&self) -> (Vec<String>, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut conds = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(f) = self.folder {
            conds.push("m.folder_id = ?".to_string());
            args.push(Value::Integer(f.0));
        }
        if let Some(a) = self.account {
            conds.push("m.folder_id IN (SELECT id FROM folders WHERE account_id = ?)".to_string());
            args.push(Value::Integer(a.0));
        }
        if let Some(role) = self.role {
            // an INBOX is one by its name too, whatever its server calls it
            let inbox = if role == crate::model::SpecialUse::Inbox { " OR upper(name) = 'INBOX'" } else { "" };
            conds.push(format!("m.folder_id IN (SELECT id FROM folders WHERE special_use = ?{inbox})"));
            args.push(Value::Text(role.as_str().into()));
        }
        (conds, args)
    }

    /// The FROM and WHERE of a read that must see every match (a count): from the
    /// full-text index's matches when it can, else the messages. It always has a WHERE.
    pub(super) fn count_from(&self) -> Result<(String, Vec<rusqlite::types::Value>)> {
        if let Some(from) = self.matches_source()? {
            return Ok(from);
        }
        let (clause, args) = self.where_clause()?;
        let clause = if clause.is_empty() { "WHERE 1".to_string() } else { clause };
        Ok((format!("FROM messages m {clause}"), args))
    }

    /// For a count: the FROM and WHERE of the query read from the full-text index's
    /// matches, each joined to its row, when every match must have its text terms (none
    /// under OR or NOT, and no server results to add). A count must see every match, and
    /// at a million messages this is several times quicker than walking the folder.
    pub(super) fn matches_source(&self) -> Result<Option<(String, Vec<rusqlite::types::Value>)>> {
        use rusqlite::types::Value;
        let Some(text) = self.filter.as_deref().filter(|t| !t.trim().is_empty()) else { return Ok(None) };
        if !self.found.is_empty() {
            return Ok(None);
        }
        let q = crate::query::parse(text, &chrono::Local::now().fixed_offset())?;
        let Some((expr, rest)) = crate::query::split_text(&q) else { return Ok(None) };
        let (conds, location) = self.location();
        let mut args = vec![Value::Text(expr)];
        args.extend(location);
        args.extend(rest.args);
        let mut sql = format!(
            "FROM {fts} s CROSS JOIN messages m ON m.id = s.rowid WHERE s.{fts} MATCH ?",
            fts = crate::query::FTS_TABLE
        );
        for c in conds.iter().chain((rest.sql != "1").then_some(&rest.sql)) {
            sql.push_str(" AND ");
            sql.push_str(c);
        }
        Ok(Some((sql, args)))
    }
}

impl Store {
    /// UID → flags of every message the store has in a folder.
    pub fn uid_flags(&self, folder: FolderId) -> Result<HashMap<Uid, Flags>> {
        let mut st = self.conn().prepare_cached("SELECT uid, flags FROM messages WHERE folder_id = ?1 AND uid < ?2")?;
        let rows =
            st.query_map(params![folder, super::pending::PLACEHOLDER_BASE], |r| Ok((r.get(0)?, Flags(r.get(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores a batch of headers in one transaction; a UID already there gets the new flags.
    pub fn insert_messages(&self, folder: FolderId, batch: &[NewMessage]) -> Result<()> {
        let tx = self.tx()?;
        let to = super::threads::Target::of(&tx, folder)?;
        let mut index = super::search::Pending::default();
        for m in batch {
            if let Some(id) = insert_row(&tx, &to, m, None)? {
                index.new_row(id, Cow::Borrowed(m), None);
            }
        }
        to.write_tally(&tx)?;
        index.write(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Stores a whole message into a local folder (the demo, an import, a sent copy),
    /// durably: the Maildir file is written and fsynced first, then its row commits.
    /// `fallback_date` dates a message without a Date header. Returns the new id.
    pub fn add_local_message(
        &self,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
        fallback_date: i64,
    ) -> Result<MessageId> {
        let ids = self.add_local_messages(folder, &[(raw, flags, fallback_date)])?;
        ids.first().copied().ok_or(StoreError::NoMessage(MessageId(0)))
    }

    /// Stores whole messages (each with its flags and fallback date) into a local folder as
    /// one batch: one fsync of the folder and two transactions for all of them.
    pub fn add_local_messages(&self, folder: FolderId, messages: &[(&[u8], Flags, i64)]) -> Result<Vec<MessageId>> {
        let rel = self.folder_rel_dir(folder)?;
        let mut staged = Vec::with_capacity(messages.len());
        for (raw, flags, _) in messages {
            match maildir::stage(self.data_dir(), &rel, raw, *flags) {
                Ok(s) => staged.push(s),
                Err(e) => {
                    staged.iter().for_each(maildir::Staged::discard);
                    return Err(e);
                }
            }
        }
        let files: Vec<(Delivered<'_>, Flags, i64)> = staged
            .iter()
            .zip(messages)
            .map(|(s, (raw, flags, date))| {
                (Delivered { staged: s, head: raw, size: raw.len() as u64, partial: false, uidl: None }, *flags, *date)
            })
            .collect();
        self.store_delivered(folder, &files)
    }

    /// Indexes messages whose files are fsynced in the folder Maildir's `tmp/`, each with
    /// its flags and the date for a message without a Date header. The order makes a stop
    /// at any step recoverable (`recover_files`): their intents commit, the files move into
    /// `cur/` and the directory is synced, then their rows (with their POP3 UIDLs) commit in
    /// one transaction that also drops the intents. A file that could not be moved is
    /// removed and its message not indexed; the error says so, after the others are indexed.
    pub(crate) fn store_delivered(
        &self,
        folder: FolderId,
        files: &[(Delivered<'_>, Flags, i64)],
    ) -> Result<Vec<MessageId>> {
        let intended = (|| {
            let tx = self.tx()?;
            for (file, flags, date) in files {
                super::intents::index_later(&tx, folder, file, *flags, *date)?;
            }
            tx.commit()
        })();
        if let Err(e) = intended {
            files.iter().for_each(|(f, _, _)| f.staged.discard());
            return Err(e.into());
        }
        let (placed, failed) = self.publish(files.iter().map(|(f, _, _)| f.staged));
        let tx = self.tx()?;
        let mut ids = Vec::with_capacity(files.len());
        let mut index = super::search::Pending::default();
        for (i, (file, flags, date)) in files.iter().enumerate() {
            if placed.get(i).copied().unwrap_or(false) {
                ids.push(insert_delivered(&tx, folder, file, *flags, *date, &mut index)?);
            } else {
                file.staged.discard();
            }
        }
        index.write(&tx)?;
        super::intents::settle(&tx, files.iter().map(|(f, _, _)| f.staged.path.as_path()))?;
        tx.commit()?;
        match failed {
            Some(e) => Err(e),
            None => Ok(ids),
        }
    }

    /// Moves files from `tmp/` into `cur/`, and syncs each directory once. Returns which
    /// files are in place, and the first error.
    pub(super) fn publish<'a>(
        &self,
        staged: impl Iterator<Item = &'a maildir::Staged>,
    ) -> (Vec<bool>, Option<StoreError>) {
        let mut dirs = std::collections::BTreeSet::new();
        let mut placed = Vec::new();
        let mut first_error = None;
        for s in staged {
            match s.publish(self.data_dir()) {
                Ok(()) => {
                    placed.push(true);
                    if let Some(d) = s.path.parent() {
                        dirs.insert(d.to_path_buf());
                    }
                }
                Err(e) => {
                    placed.push(false);
                    first_error.get_or_insert(e);
                }
            }
        }
        for d in dirs {
            if let Err(e) = maildir::sync_dir(&self.data_dir().join(d)) {
                first_error.get_or_insert(e);
            }
        }
        (placed, first_error)
    }

    /// Puts the whole message in place of a partial one: the new file replaces the
    /// header-only file, and the row stops being partial. A stop half way leaves the
    /// partial message as it was (the whole one is still on the server).
    pub(crate) fn complete_partial(&self, id: MessageId, file: Delivered<'_>) -> Result<()> {
        let m = match self.message(id) {
            Ok(m) => m,
            Err(e) => {
                file.staged.discard();
                // deleted here meanwhile: nothing to complete
                return if matches!(e, StoreError::NoMessage(_)) { Ok(()) } else { Err(e) };
            }
        };
        let folder = m.summary.folder;
        let new = file.staged.path.clone();
        let marked = (|| {
            let tx = self.tx()?;
            super::intents::remove_later(&tx, folder, &new, Some(id))?;
            tx.commit()
        })();
        if let Err(e) = marked {
            file.staged.discard();
            return Err(e.into());
        }
        let (placed, failed) = self.publish(std::iter::once(file.staged));
        if let Some(e) = failed.filter(|_| !placed[0]) {
            file.staged.discard();
            self.finish_removals(std::slice::from_ref(&new))?;
            return Err(e);
        }
        let has_attachments = if file.head.len() as u64 == file.size {
            crate::mime::summarize(file.head).has_attachments
        } else {
            crate::mime::announces_attachments(file.head)
        };
        let size = u32::try_from(file.size).unwrap_or(u32::MAX);
        let old = m.path.and_then(|p| maildir::resolve(self.data_dir(), &p));
        let tx = self.tx()?;
        tx.execute(
            "UPDATE messages SET path = ?2, size = ?3, has_attachments = ?4, partial = 0 WHERE id = ?1",
            params![id, new.to_string_lossy(), size, has_attachments],
        )?;
        super::search::index(&tx, id, (file.head.len() as u64 == file.size).then_some(file.head))?;
        super::intents::settle(&tx, [new.as_path()])?;
        if let Some(old) = &old {
            super::intents::remove_later(&tx, folder, old, Some(id))?;
        }
        tx.commit()?;
        self.finish_removals(old.as_slice())
    }

    /// Updates flags by UID in one transaction.
    pub fn update_flags(&self, folder: FolderId, changes: &[(Uid, Flags)]) -> Result<()> {
        let tx = self.tx()?;
        {
            let mut st = tx.prepare_cached("UPDATE messages SET flags = ?3 WHERE folder_id = ?1 AND uid = ?2")?;
            for (uid, flags) in changes {
                st.execute(params![folder, uid, flags.0])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes messages gone from the server, with their stored bodies.
    pub fn remove_uids(&self, folder: FolderId, uids: &[Uid]) -> Result<()> {
        let tx = self.tx()?;
        let mut paths = Vec::new();
        {
            let mut del = tx.prepare_cached("DELETE FROM messages WHERE folder_id = ?1 AND uid = ?2 RETURNING path")?;
            for uid in uids {
                if let Some(Some(p)) =
                    del.query_row(params![folder, uid], |r| r.get::<_, Option<String>>(0)).optional()?
                {
                    super::intents::remove_later(&tx, folder, Path::new(&p), None)?;
                    paths.push(PathBuf::from(p));
                }
            }
        }
        tx.commit()?;
        self.finish_removals(&paths)
    }

    /// Sets a message's flags locally.
    pub fn set_flags(&self, id: MessageId, flags: Flags) -> Result<()> {
        self.conn().execute("UPDATE messages SET flags = ?2 WHERE id = ?1", params![id, flags.0])?;
        Ok(())
    }
}

/// Inserts the row of a delivered message with the next UID of its folder, and its POP3
/// UIDL (downloaded at `fallback_date`, which is then the time of the download).
pub(super) fn insert_delivered<'a>(
    tx: &rusqlite::Connection,
    folder: FolderId,
    file: &Delivered<'a>,
    flags: Flags,
    fallback_date: i64,
    index: &mut super::search::Pending<'a>,
) -> Result<MessageId> {
    let s = crate::mime::summarize(file.head);
    let whole = file.head.len() as u64 == file.size && !file.partial;
    let uid = Store::next_local_uid(tx, folder)?;
    let mut m = new_message(s, uid as Uid, flags, file.size, fallback_date);
    if !whole {
        m.has_attachments = crate::mime::announces_attachments(file.head);
    }
    let to = super::threads::Target::of(tx, folder)?;
    let id = match insert_row(tx, &to, &m, Some(&file.staged.path.to_string_lossy()))? {
        Some(id) => id,
        // a new UID: never there already
        None => return Err(StoreError::NoMessage(MessageId(0))),
    };
    to.write_tally(tx)?;
    index.new_row(id, Cow::Owned(m), whole.then_some(file.head));
    if file.partial {
        tx.execute("UPDATE messages SET partial = 1 WHERE id = ?1", [id])?;
    }
    if let Some(uidl) = file.uidl {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO pop3_uidls(account_id, uidl, downloaded, message)
             VALUES ((SELECT account_id FROM folders WHERE id = ?1), ?2, ?3, ?4)",
        )?
        .execute(params![folder, uidl, fallback_date, id])?;
    }
    Ok(id)
}

/// The row of a message from what `summarize` read of it; `fallback_date` dates one
/// without a Date header.
pub(super) fn new_message(
    s: crate::mime::HeaderSummary,
    uid: Uid,
    flags: Flags,
    size: u64,
    fallback_date: i64,
) -> NewMessage {
    NewMessage {
        uid,
        message_id: s.message_id,
        in_reply_to: s.in_reply_to,
        references: s.references,
        date: s.date.unwrap_or(fallback_date),
        from_name: s.from_name,
        from_addr: s.from_addr,
        to: s.to,
        cc: s.cc,
        subject: s.subject,
        flags,
        size: u32::try_from(size).unwrap_or(u32::MAX),
        has_attachments: s.has_attachments,
    }
}

/// Inserts one message row and returns its id; a UID already in the folder only gets the
/// new flags (and `None`). The caller indexes a new row for search (`search::Pending`),
/// and writes the counts of the rows it stored (`Target::write_tally`) before it commits.
pub(super) fn insert_row(
    conn: &rusqlite::Connection,
    to: &super::threads::Target,
    m: &NewMessage,
    path: Option<&str>,
) -> rusqlite::Result<Option<MessageId>> {
    let folder = to.folder;
    let thread = super::threads::assign(conn, to, m)?;
    let mut st = conn.prepare_cached(
        "INSERT INTO messages(folder_id, uid, message_id, in_reply_to, refs, date, from_name,
            from_addr, to_addrs, cc_addrs, subject, flags, size, has_attachments, path, thread_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT(folder_id, uid) DO NOTHING",
    )?;
    let inserted = st.execute(params![
        folder,
        m.uid,
        m.message_id,
        m.in_reply_to,
        m.references,
        m.date,
        m.from_name,
        m.from_addr,
        m.to,
        m.cc,
        m.subject,
        m.flags.0,
        m.size,
        m.has_attachments,
        path,
        thread
    ])?;
    if inserted == 1 {
        to.stored(thread, m);
        return Ok(Some(MessageId(conn.last_insert_rowid())));
    }
    // the update's triggers change the summaries: they must hold every row stored before
    to.write_tally(conn)?;
    conn.prepare_cached(
        "UPDATE messages SET flags = ?3, thread_id = coalesce(thread_id, ?4) WHERE folder_id = ?1 AND uid = ?2",
    )?
    .execute(params![folder, m.uid, m.flags.0, thread])?;
    Ok(None)
}
