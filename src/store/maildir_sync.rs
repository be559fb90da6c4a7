//! Following what other Maildir tools do to a local folder (mutt, notmuch, a delivery
//! agent): a file renamed for its flags gives the message those flags, a file removed
//! removes the message, and a file that appears is indexed as a new message. Flags set
//! elsewhere are read and merged before poste changes any, so they are never overwritten.

use super::messages::Delivered;
use super::{Result, Store, maildir};
use crate::model::{Flags, FolderId, MessageId};
use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What following a folder's files changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Followed {
    /// Messages whose flags another tool changed.
    pub flags: usize,
    /// Files another tool put in the folder, now indexed.
    pub added: usize,
    /// Messages whose files another tool removed.
    pub removed: usize,
}

impl Followed {
    pub fn any(&self) -> bool {
        *self != Followed::default()
    }
}

/// The flags a file's name carries; None for a file in `new/` (not seen by a reader yet,
/// so its name says nothing).
fn name_flags(path: &Path) -> Option<Flags> {
    let in_new = path.parent().and_then(Path::file_name).is_some_and(|d| d == "new");
    (!in_new).then(|| Flags::from_maildir_name(&path.file_name().unwrap_or_default().to_string_lossy()))
}

impl Store {
    /// Brings a local folder's rows in line with its Maildir files (see the module doc).
    /// A folder whose `cur/` is missing is left alone: that is not a folder emptied by
    /// another tool.
    pub fn follow_folder(&self, folder: FolderId) -> Result<Followed> {
        let rel = self.folder_rel_dir(folder)?;
        let dir = self.data_dir().join(&rel);
        if !dir.join("cur").is_dir() {
            return Ok(Followed::default());
        }
        let mut on_disk: HashMap<String, PathBuf> = HashMap::new();
        for sub in ["cur", "new"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
            for e in entries.flatten() {
                let Some(name) = e.file_name().to_str().map(str::to_string) else { continue };
                if !name.starts_with('.') {
                    on_disk.insert(maildir::unique_name(&name).to_string(), rel.join(sub).join(&name));
                }
            }
        }
        let rows: Vec<(MessageId, Flags, PathBuf)> = {
            let mut st = self
                .conn()
                .prepare("SELECT id, flags, path FROM messages WHERE folder_id = ?1 AND path IS NOT NULL")?;
            st.query_map([folder], |r| Ok((r.get(0)?, Flags(r.get(1)?), PathBuf::from(r.get::<_, String>(2)?))))?
                .collect::<rusqlite::Result<_>>()?
        };
        // files on their way in or out: recovery's business, not another tool's
        let busy: HashSet<String> = {
            let mut st = self.conn().prepare("SELECT path FROM file_intents WHERE folder_id = ?1")?;
            st.query_map([folder], |r| r.get::<_, String>(0))?
                .filter_map(|p| p.ok().map(|p| unique_of(Path::new(&p))))
                .collect()
        };
        let mut done = Followed::default();
        let tx = self.tx()?;
        for (id, flags, path) in rows {
            let unique = unique_of(&path);
            match on_disk.remove(&unique) {
                Some(found) => {
                    if found != path {
                        tx.execute(
                            "UPDATE messages SET path = ?2 WHERE id = ?1",
                            params![id, found.to_string_lossy()],
                        )?;
                    }
                    if let Some(f) = name_flags(&found).filter(|f| *f != flags) {
                        tx.execute("UPDATE messages SET flags = ?2 WHERE id = ?1", params![id, f.0])?;
                        done.flags += 1;
                    }
                }
                None if !busy.contains(&unique) => {
                    tx.execute("DELETE FROM messages WHERE id = ?1", [id])?;
                    done.removed += 1;
                }
                None => {}
            }
        }
        let mut new: Vec<PathBuf> = on_disk.into_iter().filter(|(u, _)| !busy.contains(u)).map(|(_, p)| p).collect();
        new.sort();
        for path in new {
            let full = self.data_dir().join(&path);
            let (Ok(head), Ok(meta)) = (super::intents::read_head(&full), std::fs::metadata(&full)) else { continue };
            let date = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs() as i64);
            let staged = maildir::Staged::published(path.clone());
            let file = Delivered { staged: &staged, head: &head, size: meta.len(), partial: false, uidl: None };
            let mut index = super::search::Pending::default();
            super::messages::insert_delivered(
                &tx,
                folder,
                &file,
                name_flags(&path).unwrap_or_default(),
                date,
                &mut index,
            )?;
            index.write(&tx)?;
            done.added += 1;
        }
        tx.commit()?;
        if done.any() {
            tracing::info!(folder = folder.0, ?done, "followed changes made by another Maildir tool");
        }
        Ok(done)
    }

    /// Takes the flags other tools gave these messages' files (renamed since poste last
    /// looked) before poste changes their flags, so a change here never undoes one made
    /// there. Returns how many changed.
    pub fn follow_renames(&self, ids: &[MessageId]) -> Result<usize> {
        let mut changed = 0;
        for &id in ids {
            let row = self
                .conn()
                .query_row("SELECT flags, path FROM messages WHERE id = ?1 AND path IS NOT NULL", [id], |r| {
                    Ok((Flags(r.get(0)?), r.get::<_, String>(1)?))
                })
                .optional()?;
            let Some((flags, recorded)) = row else { continue };
            let Some(found) = self.current_path(id, Path::new(&recorded)) else { continue };
            if let Some(f) = name_flags(&found).filter(|f| *f != flags) {
                self.conn().execute("UPDATE messages SET flags = ?2 WHERE id = ?1", params![id, f.0])?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// When a local folder's Maildir last changed (its `cur/` or `new/`), to notice another
    /// tool's changes without reading the folder.
    pub fn folder_stamp(&self, folder: FolderId) -> Result<Option<std::time::SystemTime>> {
        let dir = self.data_dir().join(self.folder_rel_dir(folder)?);
        let stamp =
            ["cur", "new"].iter().filter_map(|s| std::fs::metadata(dir.join(s)).and_then(|m| m.modified()).ok()).max();
        Ok(stamp)
    }
}

fn unique_of(path: &Path) -> String {
    maildir::unique_name(&path.file_name().unwrap_or_default().to_string_lossy()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::DataDir;

    fn cur(dir: &Path) -> PathBuf {
        dir.join("mail/pop/INBOX/cur")
    }

    #[test]
    fn renames_removals_and_arrivals_by_other_tools_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&DataDir::lock(dir.path()).unwrap()).unwrap();
        let acct = store.ensure_account("pop").unwrap();
        let inbox = store.ensure_local_folders(acct).unwrap();
        let a = store.add_local_message(inbox, b"Subject: a\r\n\r\nA", Flags(0), 0).unwrap();
        let b = store.add_local_message(inbox, b"Subject: b\r\n\r\nB", Flags(0), 0).unwrap();
        let name = |id| store.message(id).unwrap().path.unwrap().file_name().unwrap().to_string_lossy().to_string();
        // mutt marks a read and flagged, deletes b, and a delivery agent drops c into new/
        let (na, nb) = (name(a), name(b));
        std::fs::rename(cur(dir.path()).join(&na), cur(dir.path()).join(na.replace(":2,", ":2,FS"))).unwrap();
        std::fs::remove_file(cur(dir.path()).join(&nb)).unwrap();
        std::fs::write(dir.path().join("mail/pop/INBOX/new/1700000000.M1P1.other"), b"Subject: c\r\n\r\nC").unwrap();
        let done = store.follow_folder(inbox).unwrap();
        assert_eq!(done, Followed { flags: 1, added: 1, removed: 1 });
        assert_eq!(store.message(a).unwrap().summary.flags, Flags(Flags::SEEN | Flags::FLAGGED));
        let all = store.list(&crate::store::ListQuery { folder: Some(inbox), ..Default::default() }, 0, 10).unwrap();
        assert!(all.iter().any(|m| m.subject == "c" && !m.flags.is_seen()));
        assert!(!all.iter().any(|m| m.subject == "b"));
        assert_eq!(store.folder(inbox).unwrap().unread, 1);
        // nothing more to follow the second time
        assert!(!store.follow_folder(inbox).unwrap().any());
    }

    #[test]
    fn flags_set_elsewhere_are_taken_before_a_change_here() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&DataDir::lock(dir.path()).unwrap()).unwrap();
        let acct = store.ensure_account("pop").unwrap();
        let inbox = store.ensure_local_folders(acct).unwrap();
        let a = store.add_local_message(inbox, b"Subject: a\r\n\r\nA", Flags(0), 0).unwrap();
        let n = store.message(a).unwrap().path.unwrap().file_name().unwrap().to_string_lossy().to_string();
        std::fs::rename(cur(dir.path()).join(&n), cur(dir.path()).join(n.replace(":2,", ":2,FS"))).unwrap();
        // `!` here: unflag, as the user sees it flagged once the rename is followed
        assert_eq!(store.follow_renames(&[a]).unwrap(), 1);
        store.change_flags(&[a], Flags(0), Flags(Flags::FLAGGED)).unwrap();
        store.rename_for_flags(&[a]).unwrap();
        let path = store.message(a).unwrap().path.unwrap();
        assert!(path.to_string_lossy().ends_with(":2,S"), "{path:?}: the Seen set by mutt is kept");
        assert_eq!(store.message(a).unwrap().summary.flags, Flags(Flags::SEEN));
    }
}
