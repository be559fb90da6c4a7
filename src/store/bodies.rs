//! Message bodies: reading a stored one, and storing downloaded ones (a fetch on open,
//! the prefetch, the offline mirror) durably, with their search index entries.

use super::{Result, Store, StoreError, maildir};
use crate::model::{FolderId, MessageId, Uid};
use rusqlite::params;
use std::path::PathBuf;

impl Store {
    /// The stored raw message, if its body has been downloaded.
    pub fn body(&self, id: MessageId) -> Result<Option<Vec<u8>>> {
        let m = self.message(id)?;
        let Some(recorded) = m.path else { return Ok(None) };
        match self.current_path(id, &recorded) {
            Some(p) => Ok(Some(maildir::read(self.data_dir(), &p)?)),
            None => {
                // the file was removed behind our back: forget it, so it is fetched again
                // (a reader cannot write; the worker forgets it when it next looks)
                let _ = self.conn().execute("UPDATE messages SET path = NULL WHERE id = ?1", [id]);
                Ok(None)
            }
        }
    }

    /// Writes a downloaded body into the folder's Maildir and records it. (Its intent makes
    /// a stop between the two leave no file that no row has.)
    pub fn store_body(&self, id: MessageId, raw: &[u8]) -> Result<PathBuf> {
        let m = self.message(id)?;
        let stored = self.store_bodies(&[(id, m.summary.uid, raw)])?;
        stored.into_iter().next().map(|(_, p)| p).ok_or(StoreError::NoMessage(id))
    }

    /// Writes downloaded bodies (each of message `id`, which must still have UID `uid`)
    /// into their folders' Maildirs and records them, as `store_body` does one: the files
    /// are written and fsynced, their intents commit, they move into `cur/` (one directory
    /// sync per folder), then the rows point at them in one transaction. A message gone
    /// from the store meanwhile, or whose body is there already, is passed over. Returns
    /// the messages that have their body now, with its path.
    pub fn store_bodies(&self, bodies: &[(MessageId, Uid, &[u8])]) -> Result<Vec<(MessageId, PathBuf)>> {
        let mut done = Vec::new();
        let mut staged: Vec<(maildir::Staged, MessageId, FolderId, &[u8])> = Vec::new();
        for (id, uid, raw) in bodies {
            let m = match self.message(*id) {
                Ok(m) if m.summary.uid == *uid => m,
                Ok(_) | Err(StoreError::NoMessage(_)) => continue,
                Err(e) => {
                    staged.iter().for_each(|(s, ..)| s.discard());
                    return Err(e);
                }
            };
            if let Some(p) = &m.path
                && self.data_dir().join(p).exists()
            {
                done.push((*id, p.clone()));
                continue;
            }
            let rel = maildir::folder_dir(&m.account, &m.folder_name);
            match maildir::stage(self.data_dir(), &rel, raw, m.summary.flags) {
                Ok(s) => staged.push((s, *id, m.summary.folder, *raw)),
                Err(e) => {
                    staged.iter().for_each(|(s, ..)| s.discard());
                    return Err(e);
                }
            }
        }
        if staged.is_empty() {
            return Ok(done);
        }
        let marked = (|| {
            let tx = self.tx()?;
            for (s, id, folder, _) in &staged {
                super::intents::remove_later(&tx, *folder, &s.path, Some(*id))?;
            }
            tx.commit()
        })();
        if let Err(e) = marked {
            staged.iter().for_each(|(s, ..)| s.discard());
            return Err(e.into());
        }
        let (placed, failed) = self.publish(staged.iter().map(|(s, ..)| s));
        let lost: Vec<PathBuf> = staged
            .iter()
            .zip(&placed)
            .filter(|(_, ok)| !**ok)
            .map(|((s, ..), _)| {
                s.discard();
                s.path.clone()
            })
            .collect();
        if failed.is_some() && lost.len() == staged.len() {
            self.finish_removals(&lost)?;
            return Err(failed.unwrap_or(StoreError::NoMessage(MessageId(0))));
        }
        let tx = self.tx()?;
        {
            let mut st = tx.prepare_cached(
                "UPDATE messages SET path = ?2, has_attachments = (has_attachments OR ?3) WHERE id = ?1",
            )?;
            let mut index = super::search::Pending::default();
            for ((s, id, _, raw), ok) in staged.iter().zip(&placed) {
                if *ok {
                    let has_attachments = crate::mime::summarize(raw).has_attachments;
                    st.execute(params![id, s.path.to_string_lossy(), has_attachments])?;
                    index.row(*id, Some(raw));
                    done.push((*id, s.path.clone()));
                }
            }
            index.write(&tx)?;
        }
        super::intents::settle(
            &tx,
            staged.iter().zip(&placed).filter(|(_, ok)| **ok).map(|((s, ..), _)| s.path.as_path()),
        )?;
        tx.commit()?;
        self.finish_removals(&lost)?;
        match failed {
            Some(e) => Err(e),
            None => Ok(done),
        }
    }
}
