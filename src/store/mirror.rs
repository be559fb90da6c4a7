//! What the offline mirror of an IMAP account reads: its messages with their size, date and
//! whether the body is on disk, newest first. Progress needs no bookkeeping of its own: a
//! message still to download is a row without a body.

use super::{Result, Store};
use crate::model::{AccountId, FolderId, MessageId, Uid};

/// One message the mirror may keep.
#[derive(Debug, Clone, PartialEq)]
pub struct MirrorCandidate {
    pub id: MessageId,
    pub folder: FolderId,
    pub uid: Uid,
    /// RFC822.SIZE: the room the body takes.
    pub size: u64,
    pub date: i64,
    /// The body is on disk already.
    pub cached: bool,
}

impl Store {
    /// Every message of the account's server folders (not containers, not placeholders of
    /// moves the server has not confirmed), newest first; `folder` narrows it to one.
    pub fn mirror_candidates(&self, account: AccountId, folder: Option<FolderId>) -> Result<Vec<MirrorCandidate>> {
        let mut st = self.conn().prepare_cached(
            "SELECT m.id, m.folder_id, m.uid, m.size, m.date, m.path IS NOT NULL
             FROM messages m JOIN folders f ON f.id = m.folder_id
             WHERE f.account_id = ?1 AND (?2 IS NULL OR f.id = ?2) AND m.uid < ?3 AND m.partial = 0
             ORDER BY m.date DESC, m.id DESC",
        )?;
        let rows = st.query_map(rusqlite::params![account, folder, super::pending::PLACEHOLDER_BASE], |r| {
            Ok(MirrorCandidate {
                id: r.get(0)?,
                folder: r.get(1)?,
                uid: r.get(2)?,
                size: r.get(3)?,
                date: r.get(4)?,
                cached: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
