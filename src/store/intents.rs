//! File intents: a Maildir file on its way into or out of a folder is written down in the
//! index first, so that a process stopped between any two steps leaves nothing behind that
//! the next start cannot finish.
//!
//! - A delivery: the intent ("index this file") commits, the file moves from `tmp/` into
//!   `cur/` and the directory is fsynced, then the message row (and its POP3 UIDL) commits
//!   and the intent goes in the same transaction. Recovery indexes the file (it was fsynced
//!   before its intent was written), finishing its move into `cur/` if need be.
//! - A removal or a move: the intent ("remove this file unless message M has it") commits
//!   with the row change; the file goes after. Recovery removes what no row has.

use super::messages::Delivered;
use super::{Result, Store, maildir};
use crate::model::{AccountId, Flags, FolderId, MessageId};
use rusqlite::{OptionalExtension, params};
use std::path::{Path, PathBuf};

/// What recovery did, for the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Recovered {
    /// Files that had reached their folder and were indexed now.
    pub indexed: usize,
    /// Files no message has, removed.
    pub removed: usize,
}

/// Records, inside `tx`, that `path` is to be removed once `tx` commits, unless message
/// `keep_for` (when given) still has it then.
pub(super) fn remove_later(
    tx: &rusqlite::Connection,
    folder: FolderId,
    path: &Path,
    keep_for: Option<MessageId>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO file_intents(path, folder_id, action, message) VALUES (?1, ?2, 'remove', ?3)",
    )?
    .execute(params![path.to_string_lossy(), folder, keep_for])?;
    Ok(())
}

/// Records that a delivered file is about to enter `folder`, with what its row needs.
pub(super) fn index_later(
    tx: &rusqlite::Connection,
    folder: FolderId,
    file: &Delivered<'_>,
    flags: Flags,
    date: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO file_intents(path, folder_id, action, uidl, size, partial, flags, date)
         VALUES (?1, ?2, 'index', ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        file.staged.path.to_string_lossy(),
        folder,
        file.uidl,
        file.size as i64,
        file.partial,
        flags.0,
        date
    ])?;
    Ok(())
}

/// Forgets intents that are done.
pub(super) fn settle<'a>(tx: &rusqlite::Connection, paths: impl IntoIterator<Item = &'a Path>) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached("DELETE FROM file_intents WHERE path = ?1")?;
    for p in paths {
        st.execute([p.to_string_lossy()])?;
    }
    Ok(())
}

struct Intent {
    path: PathBuf,
    folder: FolderId,
    action: String,
    message: Option<MessageId>,
    uidl: Option<String>,
    size: u64,
    partial: bool,
    flags: Flags,
    date: i64,
}

impl Store {
    /// Removes files whose intents committed with their rows, then forgets the intents.
    pub(super) fn finish_removals(&self, paths: &[PathBuf]) -> Result<()> {
        if paths.is_empty() {
            return Ok(());
        }
        if let Some(later) = self.batch.borrow_mut().as_mut() {
            // inside a batch the rows may still come back: the files go once it commits
            later.extend_from_slice(paths);
            return Ok(());
        }
        for p in paths {
            maildir::remove(self.data_dir(), p)?;
        }
        let tx = self.tx()?;
        settle(&tx, paths.iter().map(PathBuf::as_path))?;
        tx.commit()?;
        Ok(())
    }

    /// Finishes what a stopped process left half done in an account's Maildirs: files with
    /// an intent are indexed or removed, and files in `tmp/` that are provably abandoned
    /// are removed.
    pub fn recover_files(&self, account: AccountId) -> Result<Recovered> {
        let intents: Vec<Intent> = {
            let mut st = self.conn().prepare(
                "SELECT i.path, i.folder_id, i.action, i.message, i.uidl, i.size, i.partial, i.flags, i.date
                 FROM file_intents i JOIN folders f ON f.id = i.folder_id WHERE f.account_id = ?1",
            )?;
            st.query_map([account], |r| {
                Ok(Intent {
                    path: PathBuf::from(r.get::<_, String>(0)?),
                    folder: r.get(1)?,
                    action: r.get(2)?,
                    message: r.get(3)?,
                    uidl: r.get(4)?,
                    size: r.get::<_, i64>(5)? as u64,
                    partial: r.get(6)?,
                    flags: Flags(r.get(7)?),
                    date: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let mut done = Recovered::default();
        for i in &intents {
            if i.action == "index" {
                self.recover_delivery(i, &mut done)?;
            } else {
                self.recover_removal(i, &mut done)?;
            }
        }
        for f in self.folders(account)? {
            done.removed += maildir::clean_tmp(self.data_dir(), &self.folder_rel_dir(f.id)?);
        }
        if done != Recovered::default() {
            tracing::info!(
                account = account.0,
                indexed = done.indexed,
                removed = done.removed,
                "finished interrupted file changes"
            );
        }
        Ok(done)
    }

    /// A delivery stopped half way: index the file if it reached its folder, else drop it.
    fn recover_delivery(&self, i: &Intent, done: &mut Recovered) -> Result<()> {
        // (a file still in tmp/ was fsynced before its intent was written: resolve finishes
        // moving it into cur/)
        let tx = self.tx()?;
        if let Some(path) = maildir::resolve(self.data_dir(), &i.path) {
            let head = read_head(&self.data_dir().join(&path))?;
            let staged = maildir::Staged::published(path);
            let file =
                Delivered { staged: &staged, head: &head, size: i.size, partial: i.partial, uidl: i.uidl.as_deref() };
            let mut index = super::search::Pending::default();
            super::messages::insert_delivered(&tx, i.folder, &file, i.flags, i.date, &mut index)?;
            index.write(&tx)?;
            done.indexed += 1;
        }
        settle(&tx, [i.path.as_path()])?;
        tx.commit()?;
        Ok(())
    }

    /// A removal or move stopped half way: remove the file unless its message still has it.
    fn recover_removal(&self, i: &Intent, done: &mut Recovered) -> Result<()> {
        let kept = match i.message {
            Some(id) => self
                .conn()
                .query_row("SELECT path FROM messages WHERE id = ?1", [id], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten()
                .is_some_and(|p| maildir::same_message(Path::new(&p), &i.path)),
            None => false,
        };
        if !kept && let Some(p) = maildir::resolve(self.data_dir(), &i.path) {
            maildir::remove(self.data_dir(), &p)?;
            done.removed += 1;
        }
        let tx = self.tx()?;
        settle(&tx, [i.path.as_path()])?;
        tx.commit()?;
        Ok(())
    }
}

/// The first bytes of a message file, enough for its row (see `pop3_task::HEAD`).
pub(super) fn read_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |source| super::StoreError::Io { path: path.to_path_buf(), source };
    let mut head = Vec::new();
    std::fs::File::open(path).map_err(io)?.take(1 << 20).read_to_end(&mut head).map_err(io)?;
    Ok(head)
}
