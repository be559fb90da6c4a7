//! Local effects of user actions and the durable queue that carries them to the server.
//!
//! An action changes the store at once (so the UI shows it) and leaves an entry in
//! `pending_ops`, in the same transaction; the worker replays entries in order and removes
//! each once the server has done it.

use super::{Result, Store, maildir};
use crate::model::{AccountId, Flags, FolderId, MessageId, Uid};
use rusqlite::{OptionalExtension, params};
use std::path::{Path, PathBuf};

/// Messages moved or copied into a folder before the server has said their new UID carry
/// `PLACEHOLDER_BASE + row id` as UID: above every real IMAP UID, and unique.
pub const PLACEHOLDER_BASE: i64 = 1 << 32;

/// Where a message was before a local move, to undo or roll it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    pub id: MessageId,
    pub folder: FolderId,
    pub uid: Uid,
}

impl Store {
    /// Adds an action to the account's queue; returns its id.
    pub fn queue_op(&self, account: AccountId, op: &str) -> Result<i64> {
        Self::queue_in(self.conn(), account, op)?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Takes the oldest queued action to send it, in one statement so nothing else can
    /// take it too: (id, op, attempts before this one). The attempt is counted as it is taken.
    pub fn claim_op(&self, account: AccountId) -> Result<Option<(i64, String, u32)>> {
        let mut st = self.conn().prepare_cached(
            "UPDATE pending_ops SET state = 'working', attempts = attempts + 1
             WHERE id = (SELECT id FROM pending_ops WHERE account_id = ?1 AND state = 'queued' ORDER BY id LIMIT 1)
               AND state = 'queued'
             RETURNING id, op, attempts - 1",
        )?;
        Ok(st.query_row([account], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?)
    }

    /// Puts a claimed action back in the queue (the server cannot be reached now).
    pub fn unclaim_op(&self, id: i64) -> Result<()> {
        self.conn().execute("UPDATE pending_ops SET state = 'queued' WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Every queued action, oldest first.
    pub fn pending_ops(&self, account: AccountId) -> Result<Vec<(i64, String)>> {
        let mut st = self.conn().prepare_cached("SELECT id, op FROM pending_ops WHERE account_id = ?1 ORDER BY id")?;
        let rows = st.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn pending_count(&self, account: AccountId) -> Result<usize> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM pending_ops WHERE account_id = ?1", [account], |r| r.get::<_, i64>(0))?
            as usize)
    }

    pub fn finish_op(&self, id: i64) -> Result<()> {
        self.conn().execute("DELETE FROM pending_ops WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Adds a message to a server folder before the server has it, as one transaction: its
    /// row (a placeholder UID) with its body, the queued upload (`upload` makes its op from
    /// the new row's id), and what it replaces (a draft saved again, with its queued
    /// expunge; the Outbox message whose Sent copy this is). Returns the new id.
    pub fn add_for_upload(
        &self,
        account: AccountId,
        folder: FolderId,
        raw: &[u8],
        flags: Flags,
        upload: impl FnOnce(MessageId) -> String,
        replaces: super::outbox::Replacing,
    ) -> Result<MessageId> {
        let staged = maildir::stage(self.data_dir(), &self.folder_rel_dir(folder)?, raw, flags)?;
        // a stop before the row commits leaves a file no row has: recovery removes it
        let marked = (|| {
            let tx = self.tx()?;
            super::intents::remove_later(&tx, folder, &staged.path, None)?;
            tx.commit()
        })();
        if let Err(e) = marked {
            staged.discard();
            return Err(e.into());
        }
        if let Err(e) = staged
            .publish(self.data_dir())
            .and_then(|_| maildir::sync_dir(&self.data_dir().join(staged.path.parent().unwrap_or(Path::new("")))))
        {
            staged.discard();
            self.finish_removals(std::slice::from_ref(&staged.path))?;
            return Err(e);
        }
        let m = super::messages::new_message(crate::mime::summarize(raw), 0, flags, raw.len() as u64, now());
        let committed = (|| {
            let tx = self.tx()?;
            // UID 0 (no message has it) until the row id makes its placeholder UID just below
            let to = super::threads::Target::of(&tx, folder)?;
            // UID 0 is never taken, so the row is new
            let id = super::messages::insert_row(&tx, &to, &m, Some(&staged.path.to_string_lossy()))?
                .ok_or(super::StoreError::NoMessage(MessageId(0)))?;
            to.write_tally(&tx)?;
            let mut index = super::search::Pending::default();
            index.new_row(id, std::borrow::Cow::Borrowed(&m), Some(raw));
            index.write(&tx)?;
            tx.execute("UPDATE messages SET uid = ?2 WHERE id = ?1", params![id, PLACEHOLDER_BASE + id.0])?;
            Self::queue_in(&tx, account, &upload(id))?;
            let removed = Self::replace_in(&tx, account, replaces)?;
            super::intents::settle(&tx, [staged.path.as_path()])?;
            tx.commit()?;
            Ok::<_, super::StoreError>((id, removed))
        })();
        match committed {
            Ok((id, removed)) => {
                self.finish_removals(&removed)?;
                Ok(id)
            }
            Err(e) => {
                self.finish_removals(std::slice::from_ref(&staged.path))?;
                Err(e)
            }
        }
    }

    pub(super) fn queue_in(tx: &rusqlite::Connection, account: AccountId, op: &str) -> Result<()> {
        tx.execute(
            "INSERT INTO pending_ops(account_id, op, created) VALUES (?1, ?2, ?3)",
            params![account, op, now()],
        )?;
        Ok(())
    }

    /// Adds and removes flags on messages.
    pub fn change_flags(&self, ids: &[MessageId], add: Flags, remove: Flags) -> Result<()> {
        let tx = self.tx()?;
        {
            let mut st = tx.prepare_cached("UPDATE messages SET flags = (flags | ?2) & ~?3 WHERE id = ?1")?;
            for id in ids {
                st.execute(params![id, add.0, remove.0])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The unread messages of a folder.
    pub fn unread_ids(&self, folder: FolderId) -> Result<Vec<MessageId>> {
        let mut st = self.conn().prepare_cached("SELECT id FROM messages WHERE folder_id = ?1 AND (flags & 1) = 0")?;
        Ok(st.query_map([folder], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }

    /// Which of these messages are unread.
    pub fn unread_among(&self, ids: &[MessageId]) -> Result<Vec<MessageId>> {
        let mut st = self.conn().prepare_cached("SELECT 1 FROM messages WHERE id = ?1 AND (flags & 1) = 0")?;
        let mut out = Vec::new();
        for &id in ids {
            if st.exists([id])? {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Marks every message of a folder read.
    pub fn mark_folder_read(&self, folder: FolderId) -> Result<()> {
        self.conn()
            .execute("UPDATE messages SET flags = flags | 1 WHERE folder_id = ?1 AND (flags & 1) = 0", [folder])?;
        Ok(())
    }

    /// Moves messages to another folder locally; they get placeholder UIDs until the server
    /// reports the real ones. Returns where each was.
    pub fn move_local(&self, ids: &[MessageId], to: FolderId) -> Result<Vec<Origin>> {
        let tx = self.tx()?;
        let mut origins = Vec::with_capacity(ids.len());
        {
            let mut get = tx.prepare_cached("SELECT folder_id, uid FROM messages WHERE id = ?1")?;
            let mut up = tx.prepare_cached("UPDATE messages SET folder_id = ?2, uid = ?3 WHERE id = ?1")?;
            for &id in ids {
                let Some((folder, uid)) =
                    get.query_row([id], |r| Ok((r.get::<_, FolderId>(0)?, r.get::<_, i64>(1)?))).optional()?
                else {
                    continue;
                };
                up.execute(params![id, to, PLACEHOLDER_BASE + id.0])?;
                origins.push(Origin { id, folder, uid: u32::try_from(uid).unwrap_or(0) });
            }
        }
        tx.commit()?;
        Ok(origins)
    }

    /// Puts messages back where they were (undo, or a move the server refused).
    pub fn restore_local(&self, origins: &[Origin]) -> Result<()> {
        let tx = self.tx()?;
        {
            let mut up = tx.prepare_cached("UPDATE OR IGNORE messages SET folder_id = ?2, uid = ?3 WHERE id = ?1")?;
            for o in origins {
                let uid = if o.uid == 0 { PLACEHOLDER_BASE + o.id.0 } else { o.uid as i64 };
                up.execute(params![o.id, o.folder, uid])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Copies messages into another folder locally, as placeholders; returns
    /// (new id, source id) pairs.
    pub fn copy_local(&self, ids: &[MessageId], to: FolderId) -> Result<Vec<(MessageId, MessageId)>> {
        let tx = self.tx()?;
        let mut out = Vec::new();
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO messages(folder_id, uid, message_id, in_reply_to, refs, date, from_name, from_addr,
                    to_addrs, cc_addrs, subject, flags, size, has_attachments, path, thread_id)
                 SELECT ?2, -1, message_id, in_reply_to, refs, date, from_name, from_addr, to_addrs, cc_addrs,
                    subject, flags, size, has_attachments, NULL, thread_id FROM messages WHERE id = ?1",
            )?;
            let mut fix = tx.prepare_cached("UPDATE messages SET uid = ?2 WHERE id = ?1")?;
            for &id in ids {
                if ins.execute(params![id, to])? == 1 {
                    let new = MessageId(tx.last_insert_rowid());
                    fix.execute(params![new, PLACEHOLDER_BASE + new.0])?;
                    super::tally::count_row(&tx, new)?;
                    super::search::index(&tx, new, None)?;
                    out.push((new, id));
                }
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Gives a placeholder its server UID (from COPYUID, or found after an upload). When a
    /// sync has already brought the server's message under that UID, the placeholder takes
    /// its place (it has the body), so the folder never shows the message twice.
    pub fn set_uid(&self, id: MessageId, uid: Uid) -> Result<()> {
        let tx = self.tx()?;
        let twin: Vec<MessageId> = {
            let mut st = tx.prepare_cached(
                "SELECT id FROM messages WHERE folder_id = (SELECT folder_id FROM messages WHERE id = ?1)
                   AND uid = ?2 AND id != ?1",
            )?;
            st.query_map(params![id, uid], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        let removed = Self::delete_rows(&tx, &twin)?;
        tx.execute("UPDATE messages SET uid = ?2 WHERE id = ?1", params![id, uid])?;
        tx.commit()?;
        self.finish_removals(&removed)
    }

    /// Deletes messages locally, with their stored bodies.
    pub fn delete_local(&self, ids: &[MessageId]) -> Result<()> {
        let tx = self.tx()?;
        let paths = Self::delete_rows(&tx, ids)?;
        tx.commit()?;
        self.finish_removals(&paths)
    }

    /// Deletes message rows inside `tx`, writing down their files for removal once it
    /// commits (`finish_removals`); returns those files.
    pub(super) fn delete_rows(tx: &rusqlite::Connection, ids: &[MessageId]) -> Result<Vec<PathBuf>> {
        let mut paths = Vec::new();
        let mut del = tx.prepare_cached("DELETE FROM messages WHERE id = ?1 RETURNING folder_id, path")?;
        for id in ids {
            if let Some((folder, Some(p))) =
                del.query_row([id], |r| Ok((r.get::<_, FolderId>(0)?, r.get::<_, Option<String>>(1)?))).optional()?
            {
                super::intents::remove_later(tx, folder, Path::new(&p), None)?;
                paths.push(PathBuf::from(p));
            }
        }
        Ok(paths)
    }

    /// Placeholder rows left in a folder (their move or copy is done; a sync brings the
    /// real messages).
    pub fn drop_placeholders(&self, ids: &[MessageId]) -> Result<()> {
        let tx = self.tx()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM messages WHERE id = ?1 AND uid >= ?2")?;
            for id in ids {
                del.execute(params![id, PLACEHOLDER_BASE])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Creates, renames or drops a folder row locally.
    pub fn create_folder_local(
        &self,
        account: AccountId,
        name: &str,
        display: &str,
        delimiter: Option<&str>,
    ) -> Result<FolderId> {
        self.conn().execute(
            "INSERT OR IGNORE INTO folders(account_id, name, display, delimiter) VALUES (?1, ?2, ?3, ?4)",
            params![account, name, display, delimiter],
        )?;
        Ok(self.conn().query_row(
            "SELECT id FROM folders WHERE account_id = ?1 AND name = ?2",
            params![account, name],
            |r| r.get(0),
        )?)
    }

    pub fn rename_folder_local(&self, folder: FolderId, name: &str, display: &str) -> Result<()> {
        self.conn()
            .execute("UPDATE folders SET name = ?2, display = ?3 WHERE id = ?1", params![folder, name, display])?;
        Ok(())
    }

    pub fn delete_folder_local(&self, folder: FolderId) -> Result<()> {
        let ids: Vec<MessageId> = {
            let mut st = self.conn().prepare("SELECT id FROM messages WHERE folder_id = ?1")?;
            st.query_map([folder], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        self.delete_local(&ids)?;
        self.conn().execute("DELETE FROM folders WHERE id = ?1", [folder])?;
        Ok(())
    }

    pub fn set_subscribed(&self, folder: FolderId, on: bool) -> Result<()> {
        self.conn().execute("UPDATE folders SET subscribed = ?2 WHERE id = ?1", params![folder, on])?;
        Ok(())
    }

    /// (id, folder, UID) of messages, looked up in chunks rather than one by one. A
    /// placeholder's UID reads as 0; unknown ids are left out.
    pub fn locate(&self, ids: &[MessageId]) -> Result<Vec<(MessageId, FolderId, Uid)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!("SELECT id, folder_id, uid FROM messages WHERE id IN ({marks})");
            let mut st = self.conn().prepare_cached(&sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(chunk), |r| {
                Ok((r.get(0)?, r.get(1)?, u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0)))
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    /// The ids of a query's messages (for actions on "all in the current filter").
    pub fn ids(&self, q: &super::ListQuery) -> Result<Vec<MessageId>> {
        Ok(self.list(q, 0, usize::MAX >> 1)?.into_iter().map(|m| m.id).collect())
    }
}

/// Seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
