//! Local folders whose Maildir files are the mail (POP3 accounts, the demo): moving,
//! copying, flagging and renaming change the files as well as the index, so other Maildir
//! tools see the same mailbox.
//!
//! Order on moves: the file is hard-linked into the target folder and the directory fsynced,
//! then the row commits, then the old name is removed. A crash in between leaves an extra
//! link, never a row pointing at nothing.

use super::pending::{Origin, PLACEHOLDER_BASE};
use super::{Delivered, Result, Store, maildir};
use crate::model::{Flags, FolderId, MessageId};
use rusqlite::{OptionalExtension, params};
use std::path::{Path, PathBuf};

/// (id, flags, path) of a message with a file.
fn file_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(MessageId, Flags, String)> {
    Ok((r.get(0)?, Flags(r.get(1)?), r.get(2)?))
}

impl Store {
    /// The Maildir directory of a folder, relative to the data dir.
    pub(crate) fn folder_rel_dir(&self, folder: FolderId) -> Result<PathBuf> {
        let (account, name): (String, String) = self.conn().query_row(
            "SELECT a.name, f.name FROM folders f JOIN accounts a ON a.id = f.account_id WHERE f.id = ?1",
            [folder],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(maildir::folder_dir(&account, &name))
    }

    /// The UID the next message stored in a folder gets (above every real one).
    pub(super) fn next_local_uid(tx: &rusqlite::Connection, folder: FolderId) -> rusqlite::Result<i64> {
        tx.query_row(
            "SELECT coalesce(max(uid), 0) + 1 FROM messages WHERE folder_id = ?1 AND uid < ?2",
            params![folder, PLACEHOLDER_BASE],
            |r| r.get(0),
        )
    }

    /// A UID above every one the store knows in a folder (or has been told of by the
    /// server): a message appended from now on gets one at least this high.
    pub fn uid_floor(&self, folder: FolderId) -> Result<u32> {
        let known = Self::next_local_uid(self.conn(), folder)?;
        let next = self.sync_state(folder)?.uidnext.map_or(0, i64::from);
        Ok(u32::try_from(known.max(next)).unwrap_or(u32::MAX))
    }

    /// The current file of a message, following a rename by another Maildir tool.
    pub(super) fn current_path(&self, id: MessageId, recorded: &Path) -> Option<PathBuf> {
        let found = maildir::resolve(self.data_dir(), recorded)?;
        if found != recorded {
            let _ = self
                .conn()
                .execute("UPDATE messages SET path = ?2 WHERE id = ?1", params![id, found.to_string_lossy()]);
        }
        Some(found)
    }

    /// Moves messages of a local account into another folder, files and rows; each gets
    /// the next UID of its new folder. Returns where each was. Both names of each file are
    /// written down first (`file_intents`), so a stop at any step leaves one file per message.
    pub fn move_files(&self, ids: &[MessageId], to: FolderId) -> Result<Vec<Origin>> {
        let to_dir = self.folder_rel_dir(to)?;
        let mut moving = Vec::new();
        for &id in ids {
            let Some((folder, uid, path)) = self
                .conn()
                .query_row("SELECT folder_id, uid, path FROM messages WHERE id = ?1", [id], |r| {
                    Ok((r.get::<_, FolderId>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?))
                })
                .optional()?
            else {
                continue;
            };
            if folder == to {
                continue;
            }
            let old = path.and_then(|p| self.current_path(id, Path::new(&p)));
            let new = old.as_ref().and_then(|p| p.file_name()).map(|n| to_dir.join("cur").join(n));
            moving.push((Origin { id, folder, uid: u32::try_from(uid).unwrap_or(0) }, old, new));
        }
        let tx = self.tx()?;
        for (o, old, new) in &moving {
            if let (Some(old), Some(new)) = (old, new) {
                super::intents::remove_later(&tx, o.folder, old, Some(o.id))?;
                super::intents::remove_later(&tx, to, new, Some(o.id))?;
            }
        }
        tx.commit()?;
        for (_, old, _) in &moving {
            if let Some(p) = old {
                maildir::link_into(self.data_dir(), p, &to_dir)?;
            }
        }
        let tx = self.tx()?;
        {
            let mut up = tx.prepare_cached("UPDATE messages SET folder_id = ?2, uid = ?3, path = ?4 WHERE id = ?1")?;
            for (o, _, new) in &moving {
                let uid = Self::next_local_uid(&tx, to)?;
                up.execute(params![o.id, to, uid, new.as_ref().map(|p| p.to_string_lossy().to_string())])?;
            }
            // the new names are the messages' now; only the old ones are left to remove
            super::intents::settle(&tx, moving.iter().filter_map(|(_, _, n)| n.as_deref()))?;
        }
        tx.commit()?;
        let old: Vec<PathBuf> = moving.iter().filter_map(|(_, o, _)| o.clone()).collect();
        self.finish_removals(&old)?;
        Ok(moving.into_iter().map(|(o, _, _)| o).collect())
    }

    /// Copies messages of a local account into another folder: a new file and row each.
    /// Returns (new id, source id) pairs.
    pub fn copy_files(&self, ids: &[MessageId], to: FolderId) -> Result<Vec<(MessageId, MessageId)>> {
        let to_dir = self.folder_rel_dir(to)?;
        let mut out = Vec::new();
        for &id in ids {
            let m = self.message(id)?;
            let Some(old) = m.path.as_deref().and_then(|p| self.current_path(id, p)) else { continue };
            let raw = maildir::read(self.data_dir(), &old)?;
            let staged = maildir::stage(self.data_dir(), &to_dir, &raw, m.summary.flags)?;
            let file = Delivered {
                staged: &staged,
                head: &raw,
                size: u64::from(m.summary.size),
                partial: m.summary.partial,
                uidl: None,
            };
            let new = self.store_delivered(to, &[(file, m.summary.flags, m.summary.date)])?;
            out.extend(new.into_iter().map(|n| (n, id)));
        }
        Ok(out)
    }

    /// Renames the files of messages so their names carry their flags, after a flag change.
    pub fn rename_for_flags(&self, ids: &[MessageId]) -> Result<()> {
        let mut rows = Vec::with_capacity(ids.len());
        for &id in ids {
            let row = self
                .conn()
                .query_row("SELECT id, flags, path FROM messages WHERE id = ?1 AND path IS NOT NULL", [id], file_row)
                .optional()?;
            rows.extend(row);
        }
        self.rename_files(rows)
    }

    /// Renames the files of every message in a folder after a change to the whole folder.
    pub fn rename_folder_for_flags(&self, folder: FolderId) -> Result<()> {
        let rows = {
            let mut st = self
                .conn()
                .prepare("SELECT id, flags, path FROM messages WHERE folder_id = ?1 AND path IS NOT NULL")?;
            st.query_map([folder], file_row)?.collect::<rusqlite::Result<Vec<_>>>()?
        };
        self.rename_files(rows)
    }

    fn rename_files(&self, rows: Vec<(MessageId, Flags, String)>) -> Result<()> {
        for (id, flags, path) in rows {
            let Some(cur) = self.current_path(id, Path::new(&path)) else { continue };
            let new = maildir::set_flags(self.data_dir(), &cur, flags)?;
            if new != cur {
                self.conn()
                    .execute("UPDATE messages SET path = ?2 WHERE id = ?1", params![id, new.to_string_lossy()])?;
            }
        }
        Ok(())
    }

    /// Renames a local folder with the folders nested under it (`delimiter`), moving their
    /// Maildir directories and the recorded paths.
    pub fn rename_folder_files(&self, folder: FolderId, name: &str, delimiter: &str) -> Result<()> {
        let f = self.folder(folder)?;
        let prefix = format!("{}{delimiter}", f.name);
        let family: Vec<(FolderId, String)> = self
            .folders(f.account)?
            .into_iter()
            .filter(|x| x.id == folder || x.name.starts_with(&prefix))
            .map(|x| (x.id, x.name))
            .collect();
        for (id, old_name) in family {
            let new_name = format!("{name}{}", &old_name[f.name.len()..]);
            let old_dir = self.folder_rel_dir(id)?;
            self.rename_folder_local(id, &new_name, &crate::sanitize::line(&new_name))?;
            let new_dir = self.folder_rel_dir(id)?;
            let (from, to) = (self.data_dir().join(&old_dir), self.data_dir().join(&new_dir));
            if from.exists() {
                if let Some(parent) = to.parent() {
                    crate::paths::create_private_dir(parent)
                        .map_err(|source| super::StoreError::Io { path: parent.to_path_buf(), source })?;
                }
                std::fs::rename(&from, &to).map_err(|source| super::StoreError::Io { path: from.clone(), source })?;
            }
            let old_prefix = format!("{}/", old_dir.to_string_lossy());
            self.conn().execute(
                "UPDATE messages SET path = ?2 || substr(path, ?3) WHERE folder_id = ?1 AND path LIKE ?4 ESCAPE '\\'",
                params![
                    id,
                    format!("{}/", new_dir.to_string_lossy()),
                    old_prefix.chars().count() as i64 + 1,
                    format!("{}%", old_prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
                ],
            )?;
        }
        Ok(())
    }

    /// The files of a folder's messages that have no Message-ID (an import recognises them
    /// by their content).
    pub fn files_without_message_id(&self, folder: FolderId) -> Result<Vec<(MessageId, PathBuf)>> {
        let mut st = self.conn().prepare(
            "SELECT id, path FROM messages WHERE folder_id = ?1 AND path IS NOT NULL
               AND (message_id IS NULL OR message_id = '')",
        )?;
        let rows = st.query_map([folder], |r| Ok((r.get(0)?, PathBuf::from(r.get::<_, String>(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether a folder already holds a message with this Message-ID and size (an import
    /// run twice, or resumed, adds nothing twice).
    pub fn holds(&self, folder: FolderId, message_id: &str, size: usize) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM messages WHERE folder_id = ?1 AND message_id = ?2 AND size = ?3 LIMIT 1",
                params![folder, message_id, size as i64],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The ids of a folder's messages, oldest first (the order of an export).
    pub fn ids_oldest_first(&self, folder: FolderId) -> Result<Vec<MessageId>> {
        let mut st = self.conn().prepare("SELECT id FROM messages WHERE folder_id = ?1 ORDER BY date, id")?;
        let rows = st.query_map([folder], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a local folder, its messages' files and its Maildir directories.
    pub fn delete_local_folder(&self, folder: FolderId) -> Result<()> {
        let dir = self.folder_rel_dir(folder)?;
        self.delete_folder_local(folder)?;
        maildir::remove_empty(self.data_dir(), &dir);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path, folder: &str) -> Vec<String> {
        let cur = dir.join("mail/pop/").join(maildir::segment(folder)).join("cur");
        let mut v: Vec<String> = std::fs::read_dir(cur)
            .map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    fn setup() -> (tempfile::TempDir, Store, FolderId, FolderId) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
        let acct = store.ensure_account("pop").unwrap();
        let inbox = store.ensure_local_folders(acct).unwrap();
        let other = store.create_folder_local(acct, "Projects/2026", "Projects/2026", Some("/")).unwrap();
        (dir, store, inbox, other)
    }

    #[test]
    fn moves_copies_and_flags_change_the_files() {
        let (dir, store, inbox, other) = setup();
        let a = store.add_local_message(inbox, b"Subject: a\r\n\r\nA", Flags(0), 0).unwrap();
        let b = store.add_local_message(inbox, b"Subject: b\r\n\r\nB", Flags(0), 0).unwrap();
        assert_eq!(files(dir.path(), "INBOX").len(), 2);

        let origins = store.move_files(&[a], other).unwrap();
        assert_eq!(origins[0].folder, inbox);
        assert_eq!(files(dir.path(), "INBOX").len(), 1);
        assert_eq!(files(dir.path(), "Projects/2026").len(), 1);
        let m = store.message(a).unwrap();
        assert_eq!(m.summary.folder, other);
        assert!(m.summary.uid > 0 && (m.summary.uid as i64) < PLACEHOLDER_BASE);
        assert_eq!(store.body(a).unwrap().unwrap(), b"Subject: a\r\n\r\nA");

        store.change_flags(&[a], Flags(Flags::SEEN | Flags::FLAGGED), Flags(0)).unwrap();
        store.rename_for_flags(&[a]).unwrap();
        assert!(files(dir.path(), "Projects/2026")[0].ends_with(":2,FS"));
        assert_eq!(store.body(a).unwrap().unwrap(), b"Subject: a\r\n\r\nA");

        let copies = store.copy_files(&[b], other).unwrap();
        assert_eq!(files(dir.path(), "Projects/2026").len(), 2);
        assert_eq!(store.body(copies[0].0).unwrap().unwrap(), b"Subject: b\r\n\r\nB");
        assert_eq!(files(dir.path(), "INBOX").len(), 1);
    }

    #[test]
    fn a_file_renamed_by_another_tool_is_found() {
        let (dir, store, inbox, _) = setup();
        let a = store.add_local_message(inbox, b"Subject: a\r\n\r\nA", Flags(0), 0).unwrap();
        let name = files(dir.path(), "INBOX").remove(0);
        let cur = dir.path().join("mail/pop/INBOX/cur");
        let renamed = name.replace(":2,", ":2,RS");
        std::fs::rename(cur.join(&name), cur.join(&renamed)).unwrap();
        assert_eq!(store.body(a).unwrap().unwrap(), b"Subject: a\r\n\r\nA");
        assert!(store.message(a).unwrap().path.unwrap().ends_with(&renamed));
    }

    #[test]
    fn renaming_a_folder_moves_it_and_its_children() {
        let (dir, store, inbox, child) = setup();
        let acct = store.folder(inbox).unwrap().account;
        let parent = store.create_folder_local(acct, "Projects", "Projects", Some("/")).unwrap();
        let a = store.add_local_message(parent, b"Subject: a\r\n\r\nA", Flags(0), 0).unwrap();
        let b = store.add_local_message(child, b"Subject: b\r\n\r\nB", Flags(0), 0).unwrap();
        store.rename_folder_files(parent, "Work", "/").unwrap();
        assert_eq!(store.folder(parent).unwrap().name, "Work");
        assert_eq!(store.folder(child).unwrap().name, "Work/2026");
        assert_eq!(store.body(a).unwrap().unwrap(), b"Subject: a\r\n\r\nA");
        assert_eq!(store.body(b).unwrap().unwrap(), b"Subject: b\r\n\r\nB");
        assert!(!dir.path().join("mail/pop/Projects").exists());
        assert_eq!(files(dir.path(), "Work/2026").len(), 1);

        store.delete_local_folder(child).unwrap();
        assert!(!dir.path().join("mail/pop").join(maildir::segment("Work/2026")).exists());
    }
}
