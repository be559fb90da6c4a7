//! The folder counts and thread summaries of the rows a write stores, added up in memory
//! and written once per batch: per-row insert triggers cost a statement journal and two
//! summary updates for every message of a sync.
//!
//! Every path that inserts message rows adds them here (`messages::insert_row` does,
//! through `Target::stored`; a copy made by SQL uses `count_row`) and writes the tally before anything reads or changes the summaries of those rows: before
//! a thread merge, before a row already stored is updated, and before its commit. Deletes,
//! moves and flag changes still keep the summaries by triggers (migration 13).

use crate::model::{FolderId, MessageId, NewMessage, ThreadId};
use rusqlite::params;
use std::collections::BTreeMap;

/// One thread's share of a folder, as `thread_folders` keeps it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Share {
    latest: i64,
    total: i64,
    unread: i64,
    flagged: i64,
    attachments: i64,
}

/// What the rows stored into one folder since the last write add to its counts.
#[derive(Debug, Default)]
pub(super) struct Tally {
    total: i64,
    unread: i64,
    threads: BTreeMap<ThreadId, Share>,
}

impl Tally {
    /// A new row of `thread`.
    pub(super) fn add(&mut self, thread: ThreadId, m: &NewMessage) {
        let unread = i64::from(!m.flags.is_seen());
        self.total += 1;
        self.unread += unread;
        let s = self.threads.entry(thread).or_default();
        s.latest = if s.total == 0 { m.date } else { s.latest.max(m.date) };
        s.total += 1;
        s.unread += unread;
        s.flagged += i64::from(m.flags.has(crate::model::Flags::FLAGGED));
        s.attachments += i64::from(m.has_attachments);
    }

    pub(super) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Writes what was added to `folder`'s counts and thread summaries, and starts over.
    pub(super) fn write(&mut self, conn: &rusqlite::Connection, folder: FolderId) -> rusqlite::Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        conn.prepare_cached("UPDATE folder_counts SET total = total + ?2, unread = unread + ?3 WHERE folder_id = ?1")?
            .execute(params![folder, self.total, self.unread])?;
        // a new summary row counts as one more thread of the folder (its insert trigger)
        let mut up = conn.prepare_cached(
            "INSERT INTO thread_folders(folder_id, thread_id, latest, total, unread, flagged, attachments)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(folder_id, thread_id) DO UPDATE SET total = total + excluded.total,
                 unread = unread + excluded.unread, flagged = flagged + excluded.flagged,
                 attachments = attachments + excluded.attachments,
                 latest = max(latest, excluded.latest)",
        )?;
        // in thread order: new summaries go to the end of the table's B-tree, not all over it
        for (thread, s) in std::mem::take(&mut self.threads) {
            up.execute(params![folder, thread, s.latest, s.total, s.unread, s.flagged, s.attachments])?;
        }
        self.total = 0;
        self.unread = 0;
        Ok(())
    }
}

/// Adds a row stored by SQL of its own (a copy of another row) to its folder's counts and
/// its thread's summary.
pub(super) fn count_row(conn: &rusqlite::Connection, id: MessageId) -> rusqlite::Result<()> {
    let (folder, thread, m) = conn
        .prepare_cached("SELECT folder_id, thread_id, date, flags, has_attachments FROM messages WHERE id = ?1")?
        .query_row([id], |r| {
            let m = NewMessage {
                date: r.get(2)?,
                flags: crate::model::Flags(r.get(3)?),
                has_attachments: r.get(4)?,
                ..Default::default()
            };
            Ok((r.get::<_, FolderId>(0)?, r.get::<_, Option<ThreadId>>(1)?, m))
        })?;
    let mut tally = Tally::default();
    match thread {
        Some(t) => tally.add(t, &m),
        None => {
            // a row not threaded yet counts in its folder only (the backlog pass threads it)
            tally.total = 1;
            tally.unread = i64::from(!m.flags.is_seen());
        }
    }
    tally.write(conn, folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Flags;

    #[test]
    fn a_tally_sums_each_thread_and_keeps_its_latest_date() {
        let mut t = Tally::default();
        let m = |date, flags, att| NewMessage { date, flags: Flags(flags), has_attachments: att, ..Default::default() };
        t.add(ThreadId(1), &m(50, 0, false));
        t.add(ThreadId(1), &m(20, Flags::SEEN | Flags::FLAGGED, true));
        t.add(ThreadId(2), &m(-5, Flags::SEEN, false));
        assert_eq!((t.total, t.unread), (3, 1));
        assert_eq!(t.threads[&ThreadId(1)], Share { latest: 50, total: 2, unread: 1, flagged: 1, attachments: 1 });
        assert_eq!(t.threads[&ThreadId(2)], Share { latest: -5, total: 1, unread: 0, flagged: 0, attachments: 0 });
    }

    /// A message `id` answering the messages `refs`.
    fn mail(uid: u32, id: &str, refs: &[&str], flags: u32) -> NewMessage {
        NewMessage {
            uid,
            date: i64::from(uid) * 10,
            message_id: Some(format!("{id}@x")),
            references: (!refs.is_empty())
                .then(|| refs.iter().map(|r| format!("<{r}@x>")).collect::<Vec<_>>().join(" ")),
            flags: Flags(flags),
            has_attachments: uid.is_multiple_of(2),
            ..Default::default()
        }
    }

    #[test]
    fn counts_hold_through_merges_repeats_and_copies_within_one_batch() {
        use crate::store::thread_tests::assert_thread_counts;
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
        let account = store.ensure_account("work").unwrap();
        let infos = [crate::store::tests::info("INBOX", None), crate::store::tests::info("Archive", None)];
        let folders = store.set_folders(account, &infos).unwrap();
        let (inbox, archive) = (folders[0].id, folders[1].id);
        store.insert_messages(inbox, &[mail(1, "old", &[], Flags::SEEN)]).unwrap();
        // two threads of the batch, then one that joins them and the one stored before;
        // a UID that comes twice, its flags changed; and a reply after the merge
        let batch = [
            mail(2, "a", &[], 0),
            mail(3, "a2", &["a"], Flags::FLAGGED),
            mail(4, "b", &[], 0),
            mail(5, "join", &["old", "a", "b"], Flags::SEEN),
            mail(4, "b", &[], Flags::SEEN),
            mail(6, "after", &["join"], 0),
            mail(7, "alone", &[], 0),
        ];
        store.insert_messages(inbox, &batch).unwrap();
        assert_thread_counts(&store);
        let f = store.folder(inbox).unwrap();
        assert_eq!((f.total, f.unread), (7, 4));
        assert_eq!(
            store.conn().query_row("SELECT count(*) FROM thread_folders", [], |r| r.get::<_, i64>(0)).unwrap(),
            2
        );
        let ids: Vec<MessageId> = store
            .conn()
            .prepare("SELECT id FROM messages")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        store.copy_local(&ids[..3], archive).unwrap();
        assert_thread_counts(&store);
        assert_eq!(store.folder(archive).unwrap().total, 3);
    }
}
