//! Thread tests: threading on store, placeholders, merges, loops, subject threading,
//! summaries through flag changes, moves and deletes, and the pass over old rows.

use super::tests::info;
use super::threads::base_subject;
use super::*;
use crate::model::{AccountId, Flags, FolderId, MessageId, NewMessage, SpecialUse, ThreadId};

/// A message `id` (Message-ID `<id@x>`) answering `parent` (with References `refs`).
fn mail(uid: u32, date: i64, id: &str, parent: Option<&str>, refs: &[&str]) -> NewMessage {
    NewMessage {
        uid,
        date,
        message_id: Some(format!("{id}@x")),
        in_reply_to: parent.map(|p| format!("{p}@x")),
        references: (!refs.is_empty()).then(|| refs.iter().map(|r| format!("<{r}@x>")).collect::<Vec<_>>().join(" ")),
        subject: format!("About {id}"),
        from_addr: format!("{id}@example.com"),
        ..Default::default()
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Store,
    account: crate::model::AccountId,
    inbox: FolderId,
    sent: FolderId,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
    let account = store.ensure_account("work").unwrap();
    let folders = store.set_folders(account, &[info("INBOX", None), info("Sent", Some(SpecialUse::Sent))]).unwrap();
    let id = |n: &str| folders.iter().find(|f| f.name == n).unwrap().id;
    let (inbox, sent) = (id("INBOX"), id("Sent"));
    Setup { _dir: dir, store, account, inbox, sent }
}

fn id_of(s: &Store, folder: FolderId, uid: u32) -> MessageId {
    s.conn()
        .query_row("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2", rusqlite::params![folder, uid], |r| {
            r.get(0)
        })
        .unwrap()
}

fn thread(s: &Store, folder: FolderId, uid: u32) -> ThreadId {
    s.thread_of(id_of(s, folder, uid)).unwrap().unwrap()
}

fn folder_q(f: FolderId) -> ListQuery {
    ListQuery { folder: Some(f), ..Default::default() }
}

/// Every kept count is what a recount of the rows finds: each folder's messages, unread
/// and threads, and each thread summary's messages, unread, flagged, attachments and
/// latest date.
pub(super) fn assert_thread_counts(s: &Store) {
    let rows = |sql: &str| -> Vec<Vec<i64>> {
        let mut st = s.conn().prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| (0..n).map(|i| r.get(i)).collect()).unwrap().map(|r| r.unwrap()).collect()
    };
    let kept = rows("SELECT folder_id, total, unread, threads FROM folder_counts ORDER BY folder_id");
    let real = rows(
        "SELECT f.id, (SELECT count(*) FROM messages m WHERE m.folder_id = f.id),
             (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND (m.flags & 1) = 0),
             (SELECT count(*) FROM thread_folders t WHERE t.folder_id = f.id)
         FROM folders f ORDER BY f.id",
    );
    assert_eq!(kept, real, "folder, total, unread, threads");
    let kept = rows(
        "SELECT folder_id, thread_id, total, unread, flagged, attachments, latest FROM thread_folders
         ORDER BY folder_id, thread_id",
    );
    let real = rows(
        "SELECT folder_id, thread_id, count(*), sum((flags & 1) = 0), sum((flags & 4) != 0),
             sum(has_attachments != 0), max(date)
         FROM messages WHERE thread_id IS NOT NULL GROUP BY folder_id, thread_id ORDER BY folder_id, thread_id",
    );
    assert_eq!(kept, real, "folder, thread, total, unread, flagged, attachments, latest");
}

/// The tree as `depth:subject` lines.
fn tree(s: &Store, t: ThreadId) -> Vec<String> {
    s.thread_tree(t, &ListQuery::default())
        .unwrap()
        .iter()
        .map(|e| format!("{}{}", e.glyphs(), e.summary.subject))
        .collect()
}

#[test]
fn a_thread_spans_inbox_and_sent() {
    let s = setup();
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &[])]).unwrap();
    s.store.insert_messages(s.sent, &[mail(1, 200, "b", Some("a"), &["a"])]).unwrap();
    s.store
        .insert_messages(s.inbox, &[mail(2, 300, "c", Some("b"), &["a", "b"]), mail(3, 50, "z", None, &[])])
        .unwrap();
    let t = thread(&s.store, s.inbox, 1);
    assert_eq!(thread(&s.store, s.sent, 1), t);
    assert_eq!(thread(&s.store, s.inbox, 2), t);
    assert_ne!(thread(&s.store, s.inbox, 3), t);
    assert_eq!(tree(&s.store, t), ["About a", "└─About b", "  └─About c"]);
    // the Inbox's part of it: the reply in Sent is left out, its reply takes its place
    let inbox: Vec<_> =
        s.store.thread_tree(t, &folder_q(s.inbox)).unwrap().iter().map(|e| (e.depth, e.glyphs())).collect();
    assert_eq!(inbox, [(0, String::new()), (1, "└─".to_string())]);

    // the Inbox's rows count its own messages; the thread's are in Sent too
    let rows = s.store.thread_window(&folder_q(s.inbox), 0, 10).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].thread, rows[0].count, rows[0].latest, rows[0].newest.subject.as_str()),
        (t, 2, 300, "About c")
    );
    assert_eq!(s.store.thread_count(&folder_q(s.inbox)).unwrap(), 2);
    let account = ListQuery { account: Some(s.account), ..Default::default() };
    assert_eq!(s.store.thread_window(&account, 0, 10).unwrap()[0].count, 3);
    assert_eq!(s.store.thread_message_ids(t, &ListQuery::default()).unwrap().len(), 3);
    assert_eq!(s.store.thread_message_ids(t, &folder_q(s.sent)).unwrap(), [id_of(&s.store, s.sent, 1)]);
    // a filtered query groups what it matches
    let q = ListQuery { folder: Some(s.inbox), filter: Some("about".into()), ..Default::default() };
    assert_eq!(s.store.thread_count(&q).unwrap(), 2);
    assert_eq!(s.store.thread_window(&q, 0, 1).unwrap()[0].count, 2);
    assert_thread_counts(&s.store);
}

#[test]
fn threads_of_two_accounts_never_join() {
    let s = setup();
    let other = s.store.ensure_account("home").unwrap();
    let f = s.store.set_folders(other, &[info("INBOX", None)]).unwrap()[0].id;
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &[])]).unwrap();
    s.store.insert_messages(f, &[mail(1, 200, "b", Some("a"), &["a"])]).unwrap();
    assert_ne!(thread(&s.store, s.inbox, 1), thread(&s.store, f, 1));
}

#[test]
fn a_parent_that_arrives_after_its_reply_joins_its_thread() {
    let s = setup();
    s.store.insert_messages(s.inbox, &[mail(2, 200, "b", Some("a"), &["a"])]).unwrap();
    s.store.insert_messages(s.inbox, &[mail(3, 300, "c", Some("b"), &["a", "b"])]).unwrap();
    let t = thread(&s.store, s.inbox, 2);
    // the missing parent is a placeholder: its replies stand in its place
    assert_eq!(tree(&s.store, t), ["About b", "└─About c"]);
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &[])]).unwrap();
    assert_eq!(thread(&s.store, s.inbox, 1), t);
    assert_eq!(tree(&s.store, t), ["About a", "└─About b", "  └─About c"]);
    let rows = s.store.thread_window(&folder_q(s.inbox), 0, 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].count, rows[0].unread), (3, 3));
}

#[test]
fn two_threads_joined_by_a_later_message_merge() {
    let s = setup();
    // b and c both answer a, which is missing, and c does not say so: two threads
    s.store.insert_messages(s.inbox, &[mail(1, 100, "b", Some("a"), &["a"]), mail(2, 110, "c", None, &[])]).unwrap();
    let (tb, tc) = (thread(&s.store, s.inbox, 1), thread(&s.store, s.inbox, 2));
    assert_ne!(tb, tc);
    // d names both
    s.store.insert_messages(s.sent, &[mail(1, 120, "d", Some("c"), &["a", "c"])]).unwrap();
    let t = thread(&s.store, s.sent, 1);
    assert_eq!(thread(&s.store, s.inbox, 1), t);
    assert_eq!(thread(&s.store, s.inbox, 2), t);
    let rows = s.store.thread_window(&folder_q(s.inbox), 0, 10).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].thread, rows[0].count), (t, 2));
    assert_eq!(s.store.thread_window(&folder_q(s.sent), 0, 10).unwrap()[0].count, 1);
    // a late message naming the merged-away thread's placeholder finds the merged thread
    s.store.insert_messages(s.inbox, &[mail(3, 130, "e", Some("a"), &["a"])]).unwrap();
    assert_eq!(thread(&s.store, s.inbox, 3), t);
    assert_eq!(tree(&s.store, t), ["About b", "About c", "└─About d", "About e"]);
    assert_thread_counts(&s.store);
}

#[test]
fn a_deleted_parent_that_comes_back_keeps_the_thread_whole() {
    let s = setup();
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &[]), mail(2, 200, "b", Some("a"), &["a"])]).unwrap();
    let t = thread(&s.store, s.inbox, 1);
    s.store.remove_uids(s.inbox, &[1]).unwrap();
    assert_eq!(tree(&s.store, t), ["About b"]);
    let rows = s.store.thread_window(&folder_q(s.inbox), 0, 10).unwrap();
    assert_eq!((rows[0].count, rows[0].latest), (1, 200));
    // a reply to the deleted message still joins
    s.store.insert_messages(s.inbox, &[mail(3, 300, "c", Some("a"), &["a"])]).unwrap();
    assert_eq!(thread(&s.store, s.inbox, 3), t);
    // and so does the message itself when it comes back (under a new UID)
    s.store.insert_messages(s.inbox, &[mail(4, 100, "a", None, &[])]).unwrap();
    assert_eq!(thread(&s.store, s.inbox, 4), t);
    assert_eq!(tree(&s.store, t), ["About a", "├─About b", "└─About c"]);
    assert_eq!(s.store.thread_count(&folder_q(s.inbox)).unwrap(), 1);
    assert_thread_counts(&s.store);
}

#[test]
fn loops_and_self_references_make_no_cycle() {
    let s = setup();
    // a names itself; b and c name each other
    s.store
        .insert_messages(
            s.inbox,
            &[
                mail(1, 100, "a", Some("a"), &["a"]),
                mail(2, 200, "b", Some("c"), &["c"]),
                mail(3, 300, "c", Some("b"), &["b"]),
                mail(4, 400, "d", Some("d"), &["c", "d", "b", "c"]),
            ],
        )
        .unwrap();
    assert_ne!(thread(&s.store, s.inbox, 1), thread(&s.store, s.inbox, 2));
    assert_eq!(tree(&s.store, thread(&s.store, s.inbox, 1)), ["About a"]);
    let t = thread(&s.store, s.inbox, 2);
    assert_eq!(thread(&s.store, s.inbox, 3), t);
    assert_eq!(thread(&s.store, s.inbox, 4), t);
    let lines = tree(&s.store, t);
    assert_eq!(lines.len(), 3, "every message shown once: {lines:?}");
}

#[test]
fn absurdly_long_references_are_capped() {
    let s = setup();
    let refs: Vec<String> = (0..5000).map(|i| format!("r{i}")).collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &refs)]).unwrap();
    let n: i64 = s.store.conn().query_row("SELECT count(*) FROM thread_ids", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1 + threads::MAX_REFERENCES as i64);
    // the nearest ones are kept
    s.store.insert_messages(s.inbox, &[mail(2, 200, "b", Some("r4999"), &[])]).unwrap();
    assert_eq!(thread(&s.store, s.inbox, 2), thread(&s.store, s.inbox, 1));
}

#[test]
fn subject_threading_is_off_by_default_and_joins_recent_threads_when_on() {
    let s = setup();
    let plain = |uid, date, subject: &str| NewMessage {
        uid,
        date,
        message_id: Some(format!("p{uid}@x")),
        subject: subject.into(),
        ..Default::default()
    };
    s.store.insert_messages(s.inbox, &[plain(1, 1000, "Lunch"), plain(2, 2000, "Re: lunch")]).unwrap();
    assert_ne!(thread(&s.store, s.inbox, 1), thread(&s.store, s.inbox, 2));

    s.store.set_thread_by_subject(s.account, true).unwrap();
    let day = 24 * 3600;
    s.store.insert_messages(s.inbox, &[plain(3, 10 * day, "Plans")]).unwrap();
    s.store.insert_messages(s.inbox, &[plain(4, 11 * day, "AW: Re: Fwd:  PLANS")]).unwrap();
    assert_eq!(thread(&s.store, s.inbox, 4), thread(&s.store, s.inbox, 3));
    // too long after the thread's latest message: a new thread
    s.store.insert_messages(s.inbox, &[plain(5, 30 * day, "Re: Plans")]).unwrap();
    assert_ne!(thread(&s.store, s.inbox, 5), thread(&s.store, s.inbox, 3));
    // a message with References follows them, not its subject
    let mut m = mail(6, 11 * day, "q", Some("nowhere"), &[]);
    m.subject = "Plans".into();
    s.store.insert_messages(s.inbox, &[m]).unwrap();
    assert_ne!(thread(&s.store, s.inbox, 6), thread(&s.store, s.inbox, 3));
}

#[test]
fn base_subjects_drop_reply_and_forward_prefixes() {
    assert_eq!(base_subject("Re: RE: Fwd: fw: AW: sv: WG: Hello  World"), "hello world");
    assert_eq!(base_subject("Re[2]: x"), "x");
    assert_eq!(base_subject("Reply all"), "reply all");
    assert_eq!(base_subject("Re:"), "");
}

#[test]
fn summaries_follow_flags_moves_and_deletes() {
    let s = setup();
    let mut b = mail(2, 200, "b", Some("a"), &["a"]);
    b.has_attachments = true;
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &[]), b]).unwrap();
    let t = thread(&s.store, s.inbox, 1);
    let row = |f| s.store.thread_window(&folder_q(f), 0, 10).unwrap();
    let totals = |r: &ThreadRow| (r.count, r.unread, r.flagged, r.attachments, r.latest);
    assert_eq!(totals(&row(s.inbox)[0]), (2, 2, 0, 1, 200));

    s.store.update_flags(s.inbox, &[(1, Flags(Flags::SEEN | Flags::FLAGGED))]).unwrap();
    assert_eq!(totals(&row(s.inbox)[0]), (2, 1, 1, 1, 200));
    let a = id_of(&s.store, s.inbox, 1);
    s.store.set_flags(a, Flags(0)).unwrap();
    assert_eq!(totals(&row(s.inbox)[0]), (2, 2, 0, 1, 200));

    // moving the newest to Sent: the Inbox's row is older now, Sent has one
    let bid = id_of(&s.store, s.inbox, 2);
    let origins = s.store.move_local(&[bid], s.sent).unwrap();
    assert_eq!(totals(&row(s.inbox)[0]), (1, 1, 0, 0, 100));
    assert_eq!(totals(&row(s.sent)[0]), (1, 1, 0, 1, 200));
    s.store.restore_local(&origins).unwrap();
    assert_eq!(totals(&row(s.inbox)[0]), (2, 2, 0, 1, 200));
    assert!(row(s.sent).is_empty());

    let copies = s.store.copy_local(&[a], s.sent).unwrap();
    assert_eq!(s.store.thread_of(copies[0].0).unwrap(), Some(t));
    assert_eq!(totals(&row(s.sent)[0]), (1, 1, 0, 0, 100));

    s.store.delete_local(&[bid]).unwrap();
    assert_eq!(totals(&row(s.inbox)[0]), (1, 1, 0, 0, 100));
    s.store.delete_local(&[a]).unwrap();
    assert!(row(s.inbox).is_empty());
    assert_eq!(s.store.thread_count(&folder_q(s.inbox)).unwrap(), 0);
    let all = s.store.thread_window(&ListQuery::default(), 0, 10).unwrap();
    let left: Vec<_> = all.iter().filter(|r| r.thread == t).map(|r| (r.count, r.unread)).collect();
    assert_eq!(left, [(1, 1)], "the copy in Sent is left");
    assert_thread_counts(&s.store);
}

#[test]
fn rows_stored_before_threads_are_threaded_by_the_backlog_pass() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        schema::migrate_to(&conn, &db, 9).unwrap();
        conn.execute_batch("INSERT INTO accounts(id, name) VALUES (1, 'a'); INSERT INTO folders(id, account_id, name, display) VALUES (1, 1, 'INBOX', 'INBOX');").unwrap();
        let mut st = conn
            .prepare("INSERT INTO messages(folder_id, uid, message_id, in_reply_to, refs, date, subject) VALUES (1, ?1, ?2, ?3, ?4, ?1, 's')")
            .unwrap();
        for i in 1..=1200i64 {
            // pairs: an even message answers the odd one before it
            let (irt, refs) = if i % 2 == 0 {
                (Some(format!("m{}@x", i - 1)), Some(format!("<m{}@x>", i - 1)))
            } else {
                (None, None)
            };
            st.execute(rusqlite::params![i, format!("m{i}@x"), irt, refs]).unwrap();
        }
    }
    let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
    assert_eq!(store.thread_count(&folder_q(FolderId(1))).unwrap(), 0);
    assert_eq!(store.thread_backlog(AccountId(1)).unwrap(), threads::BACKLOG_BATCH);
    // a new message meanwhile is threaded as it comes, with its old parent
    store.insert_messages(FolderId(1), &[mail(5000, 5000, "new", Some("m1200"), &[])]).unwrap();
    let mut passes = 1;
    while store.thread_backlog(AccountId(1)).unwrap() > 0 {
        passes += 1;
    }
    assert_eq!(passes, 3);
    assert_eq!(store.thread_count(&folder_q(FolderId(1))).unwrap(), 600);
    let rows = store.thread_window(&folder_q(FolderId(1)), 0, 2).unwrap();
    assert_eq!((rows[0].count, rows[0].latest, rows[1].count), (3, 5000, 2));
    assert_thread_counts(&store);
}

/// `cargo test --release --lib thread_insert_cost -- --ignored --nocapture`: 100,000 header
/// rows stored with threading against the same rows through the schema before threads, on
/// a bare connection, on one set up as the store was before threads (foreign keys on) and
/// on one set up as the store is now (also `temp_store = MEMORY`).
#[test]
#[ignore = "a measurement, not a check"]
fn thread_insert_cost() {
    const N: u32 = 100_000;
    let batch: Vec<NewMessage> = (1..=N)
        .map(|i| {
            // a third are replies to a message some way back, with its References
            let mut m = if i % 3 == 0 && i > 10 {
                let p = i - 1 - (i % 7);
                mail(i, i as i64, &format!("m{i}"), Some(&format!("m{p}")), &[&format!("m{p}")])
            } else {
                mail(i, i as i64, &format!("m{i}"), None, &[])
            };
            m.subject = format!("A subject of some length, number {i}");
            m.to = "Someone <someone@example.com>".into();
            m.size = 4000;
            m
        })
        .collect();
    let time = |f: &dyn Fn()| {
        let start = std::time::Instant::now();
        f();
        start.elapsed()
    };
    // bare, as the store was, as the store is
    let setups: [&[(&str, &str)]; 3] =
        [&[], &[("foreign_keys", "ON")], &[("foreign_keys", "ON"), ("temp_store", "MEMORY")]];
    let mut plain: [Vec<std::time::Duration>; 3] = Default::default();
    let mut threaded = Vec::new();
    let rounds = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    for round in 0..rounds * setups.len() {
        let setup_at = round % setups.len();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE);
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        for (name, value) in setups[setup_at] {
            conn.pragma_update(None, name, value).unwrap();
        }
        schema::migrate_to(&conn, &db, 9).unwrap();
        conn.execute_batch("INSERT INTO accounts(id, name) VALUES (1, 'a'); INSERT INTO folders(id, account_id, name, display) VALUES (1, 1, 'INBOX', 'INBOX');").unwrap();
        let took = time(&|| {
            let tx = conn.unchecked_transaction().unwrap();
            {
                let mut st = tx
                    .prepare_cached(
                        "INSERT INTO messages(folder_id, uid, message_id, in_reply_to, refs, date, from_name,
                            from_addr, to_addrs, cc_addrs, subject, flags, size, has_attachments, path)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                         ON CONFLICT(folder_id, uid) DO UPDATE SET flags = excluded.flags",
                    )
                    .unwrap();
                for m in &batch {
                    st.execute(rusqlite::params![
                        1,
                        m.uid,
                        m.message_id,
                        m.in_reply_to,
                        m.references,
                        m.date,
                        m.from_name,
                        m.from_addr,
                        m.to,
                        m.cc,
                        m.subject,
                        m.flags.0,
                        m.size,
                        m.has_attachments,
                        None::<String>
                    ])
                    .unwrap();
                }
            }
            tx.commit().unwrap();
        });
        plain[setup_at].push(took);
        if setup_at != 0 {
            continue;
        }
        let s = setup();
        threaded.push(time(&|| s.store.insert_messages(s.inbox, &batch).unwrap()));
        assert!(s.store.thread_count(&folder_q(s.inbox)).unwrap() < N as usize * 3 / 4);
    }
    let best = |v: &[std::time::Duration]| v.iter().min().copied().unwrap_or_default();
    let t = best(&threaded);
    let more = |base: std::time::Duration| (t.as_secs_f64() / base.as_secs_f64() - 1.0) * 100.0;
    let [bare, was, is] = [0, 1, 2].map(|i| best(&plain[i]));
    println!(
        "{N} rows: without threads {bare:?} bare, {was:?} set up as the store was, {is:?} as it is; \
         with threads {t:?} ({:+.0}%, {:+.0}%, {:+.0}%)",
        more(bare),
        more(was),
        more(is)
    );
}

#[test]
fn a_threaded_list_row_is_found_through_the_open_threads() {
    let s = setup();
    // three threads, latest first: c (3 messages), b (2), a (1)
    s.store
        .insert_messages(
            s.inbox,
            &[
                mail(1, 100, "a", None, &[]),
                mail(2, 200, "b", None, &[]),
                mail(3, 210, "b2", Some("b"), &["b"]),
                mail(4, 300, "c", None, &[]),
                mail(5, 310, "c2", Some("c"), &["c"]),
                mail(6, 320, "c3", Some("c2"), &["c", "c2"]),
            ],
        )
        .unwrap();
    let q = folder_q(s.inbox);
    let (c, b) = (thread(&s.store, s.inbox, 4), thread(&s.store, s.inbox, 2));
    let span = |open: &[ThreadId], all: bool, pos| s.store.thread_span(&q, open, all, pos).unwrap();
    // all closed: a row per thread
    assert_eq!(span(&[], false, 1), ThreadSpan { rows: 3, thread: 1, skip: 0 });
    // c open: its three rows come first
    assert_eq!(span(&[c], false, 2), ThreadSpan { rows: 5, thread: 0, skip: 2 });
    assert_eq!(span(&[c], false, 3), ThreadSpan { rows: 5, thread: 1, skip: 0 });
    // b open
    assert_eq!(span(&[b], false, 2), ThreadSpan { rows: 4, thread: 1, skip: 1 });
    // all open but c
    assert_eq!(span(&[c], true, 2), ThreadSpan { rows: 4, thread: 1, skip: 1 });
    assert_eq!(span(&[], true, 5), ThreadSpan { rows: 6, thread: 2, skip: 0 });
    // past the end
    assert_eq!(span(&[], false, 9), ThreadSpan { rows: 3, thread: 3, skip: 0 });
    // a filter groups what it matches
    let f = ListQuery { folder: Some(s.inbox), filter: Some("subject:c".into()), ..Default::default() };
    assert_eq!(s.store.thread_span(&f, &[c], false, 1).unwrap(), ThreadSpan { rows: 3, thread: 0, skip: 1 });
}

#[test]
fn thread_windows_read_from_either_end_and_filtered_match_the_grouped_read() {
    let s = setup();
    // 40 threads of one to three messages, some of them sharing their latest date
    let mut batch = Vec::new();
    for t in 0..40u32 {
        let root = format!("t{t}");
        let date = 1000 + i64::from(t / 3) * 10;
        batch.push(mail(t * 10 + 1, date - 5, &root, None, &[]));
        for r in 0..t % 3 {
            let id = format!("t{t}r{r}");
            batch.push(mail(t * 10 + 2 + r, date + i64::from(r), &id, Some(&root), &[&root]));
        }
    }
    s.store.insert_messages(s.inbox, &batch).unwrap();
    // a reply elsewhere does not add to the Inbox's threads
    s.store.insert_messages(s.sent, &[mail(9001, 5000, "s", Some("t1"), &["t1"])]).unwrap();
    assert_thread_counts(&s.store);
    let q = folder_q(s.inbox);
    let total = s.store.thread_count(&q).unwrap();
    assert_eq!(total, 40);
    let ids =
        |rows: Vec<ThreadRow>| rows.into_iter().map(|r| (r.thread, r.latest, r.count, r.newest.id)).collect::<Vec<_>>();
    let all = ids(s.store.thread_window(&q, 0, total).unwrap());
    for offset in 0..=total {
        for len in [1, 7] {
            let end = (offset + len).min(total);
            assert_eq!(ids(s.store.thread_window(&q, offset, len).unwrap()), all[offset..end], "at {offset}+{len}");
        }
    }
    // a filter: its walk by date gives what grouping every match gives
    for filter in ["about", "subject:t1", "is:unread", "about -subject:t1", "t2r0 OR t5r1 OR t3"] {
        let f = ListQuery { folder: Some(s.inbox), filter: Some(filter.into()), ..Default::default() };
        let grouped = |offset, len| -> Vec<_> {
            s.store
                .heads(&f, None, offset, len)
                .unwrap()
                .into_iter()
                .map(|h| (h.0, h.1, h.2, s.store.thread_newest(&f, h.0).unwrap().unwrap().id))
                .collect()
        };
        let n = s.store.thread_count(&f).unwrap();
        assert!(n > 0, "{filter}");
        for offset in 0..=n {
            for len in [1, 5, 50] {
                assert_eq!(
                    ids(s.store.thread_window(&f, offset, len).unwrap()),
                    grouped(offset, len),
                    "{filter} at {offset}+{len}"
                );
            }
        }
    }
}

#[test]
fn a_store_from_before_kept_thread_counts_counts_its_threads_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        schema::migrate_to(&conn, &db, 11).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts(id, name) VALUES (1, 'a');
             INSERT INTO folders(id, account_id, name, display) VALUES (1, 1, 'INBOX', 'INBOX'), (2, 1, 'Sent', 'Sent');
             INSERT INTO thread_folders VALUES (1, 7, 10, 1, 1, 0, 0), (1, 8, 20, 2, 0, 0, 0), (2, 7, 30, 1, 0, 0, 0);",
        )
        .unwrap();
    }
    let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
    assert_eq!(store.thread_count(&folder_q(FolderId(1))).unwrap(), 2);
    // (the summaries have no rows behind them: only their number is kept here)
    assert_eq!(store.thread_count(&folder_q(FolderId(2))).unwrap(), 1);
}

#[test]
fn a_conversation_leaves_out_trash_unless_it_was_opened_there() {
    let s = setup();
    let folders = s
        .store
        .set_folders(
            s.account,
            &[info("INBOX", None), info("Sent", Some(SpecialUse::Sent)), info("Trash", Some(SpecialUse::Trash))],
        )
        .unwrap();
    let trash = folders.iter().find(|f| f.name == "Trash").unwrap().id;
    s.store.insert_messages(s.inbox, &[mail(1, 100, "a", None, &[])]).unwrap();
    s.store.insert_messages(s.sent, &[mail(1, 200, "b", Some("a"), &["a"])]).unwrap();
    s.store.insert_messages(trash, &[mail(1, 300, "c", Some("b"), &["a", "b"])]).unwrap();
    let t = thread(&s.store, s.inbox, 1);
    let subjects = |shown| -> Vec<String> {
        s.store.conversation(t, shown).unwrap().into_iter().map(|e| e.summary.subject).collect()
    };
    assert_eq!(subjects(Some(s.inbox)), ["About a", "About b"]);
    assert_eq!(subjects(None), ["About a", "About b"]);
    assert_eq!(subjects(Some(trash)), ["About a", "About b", "About c"]);
}
