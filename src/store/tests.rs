//! Store tests: migrations, folder and message bookkeeping, bodies and counts.

use super::*;
use crate::model::{Flags, FolderId, NewMessage, SpecialUse};
use folders::FolderInfo;

pub(super) fn info(name: &str, special: Option<SpecialUse>) -> FolderInfo {
    FolderInfo {
        name: name.into(),
        display: name.into(),
        delimiter: Some("/".into()),
        special_use: special,
        noselect: false,
    }
}

fn msg(uid: u32, date: i64, subject: &str, seen: bool) -> NewMessage {
    NewMessage {
        uid,
        date,
        subject: subject.into(),
        from_name: format!("Sender {uid}"),
        from_addr: format!("s{uid}@example.com"),
        flags: Flags(if seen { Flags::SEEN } else { 0 }),
        size: 100,
        ..Default::default()
    }
}

fn setup() -> (tempfile::TempDir, Store, crate::model::FolderId) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
    let acct = store.ensure_account("work").unwrap();
    let folders = store.set_folders(acct, &[info("INBOX", None), info("Trash", Some(SpecialUse::Trash))]).unwrap();
    let inbox = folders.iter().find(|f| f.name == "INBOX").unwrap().id;
    (dir, store, inbox)
}

#[test]
fn fresh_store_is_at_latest_schema_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store, _) = setup();
    assert_eq!(store.schema_version().unwrap(), schema::MIGRATIONS.len() as i64);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let mode = std::fs::metadata(dir.path().join(DB_FILE)).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}

#[test]
fn old_schema_is_migrated_with_data_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        schema::migrate_to(&conn, &db, 1).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts(id, name) VALUES (1, 'a');
             INSERT INTO folders(id, account_id, name, display) VALUES (1, 1, 'INBOX', 'INBOX');
             INSERT INTO messages(folder_id, uid, date, flags) VALUES (1, 1, 0, 0), (1, 2, 0, 1);",
        )
        .unwrap();
    }
    let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::MIGRATIONS.len() as i64);
    let f = store.folder(FolderId(1)).unwrap();
    assert_eq!((f.total, f.unread), (2, 1));
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap_err().to_string();
    assert!(e.contains("newer"), "{e}");
}

#[test]
fn insert_list_count_and_filter() {
    let (_d, store, inbox) = setup();
    let batch: Vec<_> = (1..=50).map(|i| msg(i, 1000 + i as i64, &format!("Subject {i}"), i % 2 == 0)).collect();
    store.insert_messages(inbox, &batch).unwrap();
    let q = ListQuery { folder: Some(inbox), ..Default::default() };
    assert_eq!(store.count(&q).unwrap(), 50);
    let page = store.list(&q, 0, 10).unwrap();
    assert_eq!(page[0].uid, 50, "newest first");
    assert_eq!(store.list(&q, 45, 10).unwrap().len(), 5);
    // a window read from the oldest end is the same window
    for (off, len) in [(40, 10), (45, 10), (30, 25), (0, 50), (49, 1)] {
        assert_eq!(store.list_window(&q, 50, off, len).unwrap(), store.list(&q, off, len).unwrap(), "{off} {len}");
    }
    let f = store.folder(inbox).unwrap();
    assert_eq!((f.total, f.unread), (50, 25));

    let q = ListQuery { folder: Some(inbox), filter: Some("subject 1".into()), ..Default::default() };
    assert_eq!(store.count(&q).unwrap(), 11); // 1, 10..19
    let q = ListQuery { folder: Some(inbox), filter: Some("s7@".into()), ..Default::default() };
    assert_eq!(store.count(&q).unwrap(), 1);
    let q = ListQuery { folder: Some(inbox), filter: Some("100%_".into()), ..Default::default() };
    assert_eq!(store.count(&q).unwrap(), 0);
}

#[test]
fn windows_paged_from_rows_already_read_match_a_fresh_read_and_follow_changes() {
    let (d, store, inbox) = setup();
    // dates tied in threes, so that the id orders rows within a date
    let batch: Vec<_> = (1..=90).map(|i| msg(i, 1000 + (i / 3) as i64, &format!("S {i}"), i % 2 == 0)).collect();
    store.insert_messages(inbox, &batch).unwrap();
    let q = ListQuery { folder: Some(inbox), ..Default::default() };
    let ids = |rows: Vec<crate::model::Summary>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let all = ids(Store::open_reader(d.path()).unwrap().list(&q, 0, 90).unwrap());
    assert_eq!(all.len(), 90);
    // down a page at a time, back up, then jumps near windows already read
    let mut steps: Vec<usize> = (0..90).step_by(7).collect();
    steps.extend((0..90).rev().step_by(5));
    steps.extend([44, 50, 38, 61, 3, 88, 45]);
    for off in steps {
        for len in [7, 1] {
            let end = (off + len).min(90);
            assert_eq!(ids(store.list_window(&q, 90, off, len).unwrap()), all[off..end], "{off}+{len}");
            assert_eq!(ids(store.list(&q, off, len).unwrap()), all[off..end], "{off}+{len} unbounded");
        }
    }
    // a new message in the middle moves every row after it: what was read before is not
    // used to find the next window
    store.insert_messages(inbox, &[msg(91, 1015, "new", false)]).unwrap();
    let all = ids(Store::open_reader(d.path()).unwrap().list(&q, 0, 91).unwrap());
    assert_eq!(ids(store.list_window(&q, 91, 50, 7).unwrap()), all[50..57]);
    // and a reader sees another connection's commit the same way
    let reader = Store::open_reader(d.path()).unwrap();
    assert_eq!(ids(reader.list_window(&q, 91, 40, 7).unwrap()), all[40..47]);
    store.insert_messages(inbox, &[msg(92, 1010, "newer", false)]).unwrap();
    let all = ids(Store::open_reader(d.path()).unwrap().list(&q, 0, 92).unwrap());
    assert_eq!(ids(reader.list_window(&q, 92, 47, 7).unwrap()), all[47..54]);
}

#[test]
fn flags_and_removals_keep_counts() {
    let (_d, store, inbox) = setup();
    store.insert_messages(inbox, &[msg(1, 1, "a", false), msg(2, 2, "b", false)]).unwrap();
    store.update_flags(inbox, &[(1, Flags(Flags::SEEN))]).unwrap();
    assert_eq!(store.folder(inbox).unwrap().unread, 1);
    store.remove_uids(inbox, &[2, 99]).unwrap();
    let f = store.folder(inbox).unwrap();
    assert_eq!((f.total, f.unread), (1, 0));
    // re-inserting the same UID updates flags instead of duplicating
    store.insert_messages(inbox, &[msg(1, 1, "a", false)]).unwrap();
    assert_eq!(store.uid_flags(inbox).unwrap()[&1], Flags(0));
    assert_eq!(store.folder(inbox).unwrap().total, 1);
}

#[test]
fn bodies_are_stored_in_maildir_and_reset_drops_them() {
    let (dir, store, inbox) = setup();
    store.insert_messages(inbox, &[msg(7, 1, "x", false)]).unwrap();
    let id = store.list(&ListQuery { folder: Some(inbox), ..Default::default() }, 0, 1).unwrap()[0].id;
    assert_eq!(store.body(id).unwrap(), None);
    let p = store.store_body(id, b"Subject: x\r\n\r\nhi").unwrap();
    assert!(dir.path().join(&p).exists());
    assert_eq!(store.body(id).unwrap().unwrap(), b"Subject: x\r\n\r\nhi");
    assert!(store.message(id).unwrap().summary.cached);
    store
        .set_sync_state(inbox, folders::SyncState { uidvalidity: Some(5), uidnext: Some(8), highestmodseq: None })
        .unwrap();
    store.reset_folder(inbox).unwrap();
    assert!(!dir.path().join(&p).exists());
    assert_eq!(store.count(&ListQuery { folder: Some(inbox), ..Default::default() }).unwrap(), 0);
    assert_eq!(store.sync_state(inbox).unwrap().uidvalidity, None);
}

#[test]
fn folders_gone_from_server_are_dropped_and_sorted() {
    let (_d, store, _inbox) = setup();
    let acct = store.ensure_account("work").unwrap();
    let list = store
        .set_folders(
            acct,
            &[
                info("Work/Projects", None),
                info("INBOX", None),
                info("Sent", Some(SpecialUse::Sent)),
                info("Work", None),
            ],
        )
        .unwrap();
    let names: Vec<_> = list.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["INBOX", "Sent", "Work", "Work/Projects"]);
}

#[test]
fn ids_of_removed_messages_are_never_given_out_again() {
    let (_dir, store, inbox) = setup();
    store.insert_messages(inbox, &[msg(1, 1, "a", false), msg(2, 2, "b", false)]).unwrap();
    let newest = store.list(&ListQuery { folder: Some(inbox), ..Default::default() }, 0, 1).unwrap()[0].id;
    store.remove_uids(inbox, &[2]).unwrap();
    store.insert_messages(inbox, &[msg(3, 3, "c", false)]).unwrap();
    let again = store.list(&ListQuery { folder: Some(inbox), ..Default::default() }, 0, 1).unwrap()[0].id;
    assert!(again > newest, "a new message got the id {again} of a removed one ({newest})");
}

#[test]
fn a_synced_folder_emptied_here_shows_empty_not_its_old_server_counts() {
    let (_dir, store, inbox) = setup();
    store.set_server_counts(inbox, 5, 2).unwrap();
    // before its first sync, the server's counts are the best guess
    assert_eq!((store.folder(inbox).unwrap().total, store.folder(inbox).unwrap().unread), (5, 2));
    store
        .set_sync_state(inbox, folders::SyncState { uidvalidity: Some(1), uidnext: Some(6), highestmodseq: None })
        .unwrap();
    assert_eq!((store.folder(inbox).unwrap().total, store.folder(inbox).unwrap().unread), (0, 0));
}

#[test]
fn every_inbox_of_every_account_lists_together_and_actions_find_their_owners() {
    let (_d, store, inbox) = setup();
    let home = store.ensure_account("home").unwrap();
    let folders = store.set_folders(home, &[info("INBOX", None), info("Archive", Some(SpecialUse::Archive))]).unwrap();
    let home_inbox = folders.iter().find(|f| f.name == "INBOX").unwrap().id;
    let archive = folders.iter().find(|f| f.name == "Archive").unwrap().id;
    store.insert_messages(inbox, &[msg(1, 100, "work one", false), msg(2, 300, "work two", true)]).unwrap();
    store.insert_messages(home_inbox, &[msg(1, 200, "home one", false)]).unwrap();
    store.insert_messages(archive, &[msg(1, 400, "home archived", false)]).unwrap();
    let q = ListQuery { role: Some(SpecialUse::Inbox), ..Default::default() };
    assert_eq!(store.count(&q).unwrap(), 3);
    let subjects: Vec<_> = store.list(&q, 0, 10).unwrap().into_iter().map(|s| s.subject).collect();
    assert_eq!(subjects, vec!["work two", "home one", "work one"]);
    assert_eq!(store.count_unread(&q).unwrap(), 2);
    let filtered = ListQuery { filter: Some("one".into()), ..q.clone() };
    assert_eq!(store.count(&filtered).unwrap(), 2);
    let work = store.accounts().unwrap().into_iter().find(|(_, n)| n == "work").unwrap().0;
    let by_account = store.ids_by_account(&q).unwrap();
    assert_eq!(by_account.iter().map(|(a, ids)| (*a, ids.len())).collect::<Vec<_>>(), vec![(work, 2), (home, 1)]);
    let all: Vec<_> = store.list(&ListQuery::default(), 0, 10).unwrap().into_iter().map(|s| s.id).collect();
    let owners = store.owners(&all).unwrap();
    assert_eq!(owners.iter().map(|(a, ids)| (*a, ids.len())).collect::<Vec<_>>(), vec![(home, 2), (work, 2)]);
}

#[test]
fn a_tally_counts_what_the_uid_snapshot_holds() {
    let (_d, store, inbox) = setup();
    store.insert_messages(inbox, &[msg(1, 10, "a", true), msg(2, 20, "b", false), msg(5, 30, "c", false)]).unwrap();
    let flags = store.uid_flags(inbox).unwrap();
    let unseen = flags.values().filter(|f| !f.is_seen()).count() as u32;
    assert_eq!(store.uid_tally(inbox).unwrap(), (flags.len() as u32, unseen));
    assert_eq!(store.uid_tally(inbox).unwrap(), (3, 2));
    // UIDs on their way out that the folder no longer has count once; those it has, not
    assert_eq!(store.uids_absent(inbox, &[2, 3, 4]).unwrap(), 2);
}
