//! What a POP3 account has downloaded: UIDLs with their time and local message, and the
//! durable order of storing a download (file first, then index row and UIDL together).

use super::messages::Delivered;
use super::{Result, Store};
use crate::model::{AccountId, Flags, FolderId, MessageId, SpecialUse};
use rusqlite::{OptionalExtension, params};

/// A downloaded UIDL: when it came, and whether its local message still exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Downloaded {
    pub uidl: String,
    pub downloaded: i64,
    pub present: bool,
    /// Only the message's header is stored locally.
    pub partial: bool,
}

impl Store {
    /// The local folders of a POP3 account (Inbox, Sent, Drafts, Trash), created when
    /// missing and never removed; returns the Inbox.
    pub fn ensure_local_folders(&self, account: AccountId) -> Result<FolderId> {
        let have = self.folders(account)?;
        for (name, use_) in [
            ("INBOX", SpecialUse::Inbox),
            ("Sent", SpecialUse::Sent),
            ("Drafts", SpecialUse::Drafts),
            ("Trash", SpecialUse::Trash),
        ] {
            if !have.iter().any(|f| f.name == name) {
                let id = self.create_folder_local(account, name, name, Some("/"))?;
                self.conn().execute("UPDATE folders SET special_use = ?2 WHERE id = ?1", params![id, use_.as_str()])?;
            }
        }
        Ok(self.find_folder(account, "INBOX")?.map(|f| f.id).unwrap_or(FolderId(0)))
    }

    pub fn pop3_downloaded(&self, account: AccountId) -> Result<Vec<Downloaded>> {
        let mut st = self.conn().prepare_cached(
            "SELECT u.uidl, u.downloaded, m.id IS NOT NULL, coalesce(m.partial, 0) FROM pop3_uidls u
             LEFT JOIN messages m ON m.id = u.message WHERE u.account_id = ?1",
        )?;
        let rows = st.query_map([account], |r| {
            Ok(Downloaded { uidl: r.get(0)?, downloaded: r.get(1)?, present: r.get(2)?, partial: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Indexes downloaded messages (each with its UIDL) whose files are fsynced in the
    /// folder Maildir's `tmp/`: into `cur/`, then their rows and UIDL records in one
    /// transaction. Only after this returns may the server copies be deleted.
    pub fn add_downloaded(&self, folder: FolderId, items: &[Delivered<'_>], now: i64) -> Result<Vec<MessageId>> {
        let files: Vec<(Delivered<'_>, Flags, i64)> = items.iter().map(|d| (*d, Flags(0), now)).collect();
        self.store_delivered(folder, &files)
    }

    /// The UIDL a local message was downloaded under.
    pub fn pop3_uidl_of(&self, id: MessageId) -> Result<Option<String>> {
        Ok(self.conn().query_row("SELECT uidl FROM pop3_uidls WHERE message = ?1", [id], |r| r.get(0)).optional()?)
    }

    /// Forgets UIDLs that are gone from the server.
    pub fn forget_uidls(&self, account: AccountId, uidls: &[String]) -> Result<()> {
        let tx = self.tx()?;
        {
            let mut st = tx.prepare_cached("DELETE FROM pop3_uidls WHERE account_id = ?1 AND uidl = ?2")?;
            for u in uidls {
                st.execute(params![account, u])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
