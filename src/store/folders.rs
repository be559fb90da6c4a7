//! Folder rows: the folder tree of an account, its sync state and its counts.

use super::{Result, Store};
use crate::model::{AccountId, Folder, FolderId, SpecialUse, Uid};
use rusqlite::{OptionalExtension, params};

/// What the store remembers of a folder between syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncState {
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub highestmodseq: Option<u64>,
}

/// A folder as the server lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderInfo {
    pub name: String,
    pub display: String,
    pub delimiter: Option<String>,
    pub special_use: Option<SpecialUse>,
    /// It only holds folders (IMAP \Noselect).
    pub noselect: bool,
}

const FOLDER_COLUMNS: &str = "f.id, f.account_id, f.name, f.display, f.delimiter, f.special_use, \
     coalesce(c.unread, 0), coalesce(c.total, 0), f.server_unread, f.server_total, f.subscribed, f.noselect, \
     f.uidvalidity IS NOT NULL";

fn folder_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Folder> {
    let special: Option<String> = r.get(5)?;
    let local_unread: u32 = r.get(6)?;
    let local_total: u32 = r.get(7)?;
    let server_unread: Option<u32> = r.get(8)?;
    let server_total: Option<u32> = r.get(9)?;
    let synced: bool = r.get(12)?;
    // Before a folder's headers are synced, the server's STATUS counts are the better guess
    // (after, an emptied folder is empty: its old STATUS counts would show it full)
    let (unread, total) = match (server_total, server_unread) {
        (Some(t), Some(u)) if local_total == 0 && t > 0 && !synced => (u, t),
        _ => (local_unread, local_total),
    };
    Ok(Folder {
        id: r.get(0)?,
        account: r.get(1)?,
        name: r.get(2)?,
        display: r.get(3)?,
        delimiter: r.get(4)?,
        special_use: special.as_deref().and_then(SpecialUse::parse),
        unread,
        total,
        subscribed: r.get(10)?,
        noselect: r.get(11)?,
    })
}

impl Store {
    /// How many messages with server UIDs a folder has, and how many of them are unseen:
    /// what `uid_flags` would hold, counted along the folder's UID index.
    pub fn uid_tally(&self, folder: FolderId) -> Result<(u32, u32)> {
        let mut st = self.conn().prepare_cached(
            "SELECT count(*), coalesce(sum((flags & 1) = 0), 0) FROM messages WHERE folder_id = ?1 AND uid < ?2",
        )?;
        Ok(st.query_row(params![folder, super::pending::PLACEHOLDER_BASE], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// How many of these UIDs the folder has no message with.
    pub fn uids_absent(&self, folder: FolderId, uids: &[Uid]) -> Result<u32> {
        let mut st = self.conn().prepare_cached("SELECT 1 FROM messages WHERE folder_id = ?1 AND uid = ?2")?;
        let mut absent = 0;
        for uid in uids {
            if !st.exists(params![folder, uid])? {
                absent += 1;
            }
        }
        Ok(absent)
    }

    /// Replaces an account's folder list with `list`: new folders are added, changed
    /// attributes updated, and folders gone from the server dropped with their messages.
    pub fn set_folders(&self, account: AccountId, list: &[FolderInfo]) -> Result<Vec<Folder>> {
        let tx = self.tx()?;
        {
            let mut up = tx.prepare_cached(
                "INSERT INTO folders(account_id, name, display, delimiter, special_use, noselect)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(account_id, name) DO UPDATE SET
                   display = excluded.display, delimiter = excluded.delimiter,
                   special_use = excluded.special_use, noselect = excluded.noselect",
            )?;
            for f in list {
                let special = f.special_use.map(SpecialUse::as_str);
                up.execute(params![account, f.name, f.display, f.delimiter, special, f.noselect])?;
            }
        }
        let existing = self.folders_in(&tx, account)?;
        for f in existing.iter().filter(|f| !list.iter().any(|l| l.name == f.name)) {
            self.delete_folder_files(account, f)?;
            tx.execute("DELETE FROM folders WHERE id = ?1", [f.id])?;
        }
        tx.commit()?;
        self.folders(account)
    }

    fn delete_folder_files(&self, account: AccountId, f: &Folder) -> Result<()> {
        let name: String = self.conn().query_row("SELECT name FROM accounts WHERE id = ?1", [account], |r| r.get(0))?;
        let dir = self.data_dir().join(super::maildir::folder_dir(&name, &f.name));
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    fn folders_in(&self, conn: &rusqlite::Connection, account: AccountId) -> Result<Vec<Folder>> {
        let mut st = conn.prepare_cached(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders f LEFT JOIN folder_counts c ON c.folder_id = f.id
             WHERE f.account_id = ?1"
        ))?;
        let rows = st.query_map([account], folder_row)?;
        let mut v: Vec<Folder> = rows.collect::<rusqlite::Result<_>>()?;
        sort_folders(&mut v);
        Ok(v)
    }

    /// An account's folders: INBOX first, then the tree in name order.
    pub fn folders(&self, account: AccountId) -> Result<Vec<Folder>> {
        self.folders_in(self.conn(), account)
    }

    pub fn folder(&self, id: FolderId) -> Result<Folder> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders f LEFT JOIN folder_counts c ON c.folder_id = f.id
             WHERE f.id = ?1"
        ))?;
        st.query_row([id], folder_row).optional()?.ok_or_else(|| super::StoreError::NoFolder(id.to_string()))
    }

    /// Finds a folder by its server name or display name.
    pub fn find_folder(&self, account: AccountId, name: &str) -> Result<Option<Folder>> {
        Ok(self.folders(account)?.into_iter().find(|f| {
            f.name == name
                || f.display == name
                || (name.eq_ignore_ascii_case("inbox") && f.name.eq_ignore_ascii_case("inbox"))
        }))
    }

    pub fn sync_state(&self, folder: FolderId) -> Result<SyncState> {
        Ok(self.conn().query_row(
            "SELECT uidvalidity, uidnext, highestmodseq FROM folders WHERE id = ?1",
            [folder],
            |r| {
                Ok(SyncState {
                    uidvalidity: r.get(0)?,
                    uidnext: r.get(1)?,
                    highestmodseq: r.get::<_, Option<i64>>(2)?.map(|v| v as u64),
                })
            },
        )?)
    }

    pub fn set_sync_state(&self, folder: FolderId, s: SyncState) -> Result<()> {
        self.conn().execute(
            "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4 WHERE id = ?1",
            params![folder, s.uidvalidity, s.uidnext, s.highestmodseq.map(|v| v as i64)],
        )?;
        Ok(())
    }

    /// Records the server's STATUS counts for a folder.
    pub fn set_server_counts(&self, folder: FolderId, total: u32, unread: u32) -> Result<()> {
        self.conn().execute(
            "UPDATE folders SET server_total = ?2, server_unread = ?3 WHERE id = ?1",
            params![folder, total, unread],
        )?;
        Ok(())
    }

    /// Drops every cached message and body of a folder (UIDVALIDITY changed).
    pub fn reset_folder(&self, folder: FolderId) -> Result<()> {
        let paths: Vec<String> = {
            let mut st = self.conn().prepare("SELECT path FROM messages WHERE folder_id = ?1 AND path IS NOT NULL")?;
            st.query_map([folder], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        let tx = self.tx()?;
        tx.execute("DELETE FROM messages WHERE folder_id = ?1", [folder])?;
        tx.execute(
            "UPDATE folders SET uidvalidity = NULL, uidnext = NULL, highestmodseq = NULL WHERE id = ?1",
            [folder],
        )?;
        tx.commit()?;
        for p in paths {
            super::maildir::remove(self.data_dir(), std::path::Path::new(&p))?;
        }
        Ok(())
    }
}

/// INBOX first, then special folders in a fixed order, then the rest by name, keeping
/// children right under their parents.
fn sort_folders(v: &mut [Folder]) {
    fn rank(f: &Folder) -> u8 {
        if f.name.eq_ignore_ascii_case("INBOX") {
            return 0;
        }
        match f.special_use {
            Some(SpecialUse::Inbox) => 0,
            Some(SpecialUse::Drafts) => 1,
            Some(SpecialUse::Sent) => 2,
            Some(SpecialUse::Archive) => 3,
            Some(SpecialUse::Junk) => 4,
            Some(SpecialUse::Trash) => 5,
            None => 6,
        }
    }
    fn root(f: &Folder) -> &str {
        match f.delimiter.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => f.display.split(d).next().unwrap_or(&f.display),
            None => &f.display,
        }
    }
    let ranks: std::collections::HashMap<String, u8> =
        v.iter().filter(|f| root(f) == f.display).map(|f| (f.display.clone(), rank(f))).collect();
    v.sort_by_cached_key(|f| {
        let r = root(f);
        let rank = ranks.get(r).copied().unwrap_or(if r.eq_ignore_ascii_case("INBOX") { 0 } else { 6 });
        (rank, r.to_lowercase(), f.display.to_lowercase())
    });
}
