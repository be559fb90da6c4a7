//! Search index tests: kept with rows and bodies, diacritics, unspaced scripts, query
//! errors, and the background pass over an older store (resumed after a stop).

use super::super::{ListQuery, Store, StoreError};
use crate::model::{Flags, FolderId, MessageId, NewMessage};

fn open(dir: &std::path::Path) -> Store {
    Store::open(&crate::instance::DataDir::lock(dir).unwrap()).unwrap()
}

fn setup() -> (tempfile::TempDir, Store, FolderId) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let acct = store.ensure_account("pop").unwrap();
    let inbox = store.ensure_local_folders(acct).unwrap();
    (dir, store, inbox)
}

fn ids(store: &Store, filter: &str) -> Vec<MessageId> {
    let q = ListQuery { filter: Some(filter.into()), ..Default::default() };
    let mut v = store.ids(&q).unwrap_or_else(|e| panic!("{filter}: {e}"));
    v.sort();
    // a count (read from the index's matches when it can) agrees with the list
    assert_eq!(store.count(&q).unwrap(), v.len(), "the count of {filter}");
    let unread = store.list(&q, 0, usize::MAX >> 1).unwrap().iter().filter(|m| !m.flags.is_seen()).count();
    assert_eq!(store.count_unread(&q).unwrap(), unread, "the unread count of {filter}");
    v
}

fn mail(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: team@example.com\r\nSubject: {subject}\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").into_bytes()
}

#[test]
fn words_fields_and_flags_find_messages() {
    let (_d, store, inbox) = setup();
    let a = store
        .add_local_message(inbox, &mail("Alice <alice@example.com>", "Quarterly report", "numbers inside"), Flags(0), 0)
        .unwrap();
    let b = store
        .add_local_message(inbox, &mail("Bob <bob@example.org>", "Lunch", "the report is late"), Flags(Flags::SEEN), 0)
        .unwrap();
    assert_eq!(ids(&store, "report"), vec![a, b]);
    assert_eq!(ids(&store, "subject:report"), vec![a]);
    assert_eq!(ids(&store, "body:report"), vec![b]);
    assert_eq!(ids(&store, "from:ali"), vec![a]);
    assert_eq!(ids(&store, "from:example.org"), vec![b]);
    assert_eq!(ids(&store, "to:team"), vec![a, b]);
    assert_eq!(ids(&store, "report is:unread"), vec![a]);
    assert_eq!(ids(&store, "report -from:bob"), vec![a]);
    assert_eq!(ids(&store, "lunch OR quarterly"), vec![a, b]);
    assert_eq!(ids(&store, "\"report is\""), vec![b]);
    assert_eq!(ids(&store, "in:inbox account:pop numbers"), vec![a]);
    assert_eq!(ids(&store, "in:Trash numbers"), Vec::<MessageId>::new());
    assert_eq!(ids(&store, "before:2026-03-02"), Vec::<MessageId>::new());
    assert_eq!(ids(&store, "date:2026-03-02 smaller:1M"), vec![a, b]);
    let q = ListQuery { folder: Some(inbox), filter: Some("report".into()), ..Default::default() };
    assert_eq!(store.count(&q).unwrap(), 2);
    assert_eq!(store.list(&q, 0, 1).unwrap().len(), 1);
    // a whole folder's unread or read messages are counted from the kept counts
    let flag = |f: &str| ListQuery { folder: Some(inbox), filter: Some(f.into()), ..Default::default() };
    assert_eq!((store.count(&flag("is:unread")).unwrap(), store.count(&flag("is:read")).unwrap()), (1, 1));
    // a deleted message leaves the index with its row
    store.delete_local(&[a]).unwrap();
    assert_eq!(ids(&store, "report"), vec![b]);
}

#[test]
fn a_bad_filter_is_a_query_error_naming_the_term() {
    let (_d, store, _) = setup();
    let q = ListQuery { filter: Some("x is:unred".into()), ..Default::default() };
    match store.count(&q) {
        Err(StoreError::Query(e)) => {
            assert_eq!(e.to_string(), "is:unred: unknown flag 'unred' (is:unread, read, flagged, answered, draft)");
            assert_eq!(e.start, 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_folder_or_account_no_one_has_is_an_error_at_its_term() {
    let (_d, store, _) = setup();
    let err = |f: &str| match store.count(&ListQuery { filter: Some(f.into()), ..Default::default() }) {
        Err(StoreError::Query(e)) => (e.to_string(), e.start, e.end),
        other => panic!("{f}: {other:?}"),
    };
    assert_eq!(err("budget in:Projcts"), ("in:Projcts: no folder is named \"Projcts\"".into(), 7, 17));
    assert_eq!(err("account:nope"), ("account:nope: no account is named \"nope\"".into(), 0, 12));
    assert_eq!(err("x OR in:\"Old Mail\"").1, 5);
    // text whose case maps to other lengths is pointed at by its characters
    assert_eq!(err("İİ in:ẞnowhere"), ("in:ẞnowhere: no folder is named \"ẞnowhere\"".into(), 3, 14));
    // names the store has, in any case, and roles, are fine; so are the windows
    for ok in ["in:inbox", "in:INBOX", "folder:Inbox"] {
        let q = ListQuery { filter: Some(ok.into()), ..Default::default() };
        assert!(store.count(&q).is_ok() && store.list(&q, 0, 5).is_ok(), "{ok}");
    }
    let q = ListQuery { filter: Some("in:nowhere".into()), ..Default::default() };
    assert!(matches!(store.list(&q, 0, 5), Err(StoreError::Query(_))));
}

#[test]
fn diacritics_are_folded_and_unspaced_scripts_are_found() {
    let (_d, store, inbox) = setup();
    let a = store
        .add_local_message(inbox, &mail("Jürgen Müller <jm@example.de>", "Café crème", "Grüße aus Köln"), Flags(0), 0)
        .unwrap();
    let b = store
        .add_local_message(
            inbox,
            &mail("田中 <tanaka@example.jp>", "会議の件", "明日の会議は東京本社で行います。"),
            Flags(0),
            0,
        )
        .unwrap();
    let c =
        store.add_local_message(inbox, &mail("李 <li@example.cn>", "你好", "我们明天在北京见面"), Flags(0), 0).unwrap();
    assert_eq!(ids(&store, "muller"), vec![a]);
    assert_eq!(ids(&store, "from:müll"), vec![a]);
    assert_eq!(ids(&store, "cafe creme koln"), vec![a]);
    assert_eq!(ids(&store, "GRUSSE"), Vec::<MessageId>::new(), "ß is a letter of its own, not ss");
    assert_eq!(ids(&store, "grüße"), vec![a]);
    assert_eq!(ids(&store, "東京"), vec![b]);
    assert_eq!(ids(&store, "会議"), vec![b]);
    assert_eq!(ids(&store, "subject:会議"), vec![b]);
    assert_eq!(ids(&store, "京東"), Vec::<MessageId>::new(), "characters in another order are another word");
    assert_eq!(ids(&store, "北京"), vec![c]);
    assert_eq!(ids(&store, "明天 OR 明日"), vec![b, c]);
}

#[test]
fn a_body_is_found_once_it_is_stored() {
    let (_d, store, _) = setup();
    let acct = store.ensure_account("imap").unwrap();
    let folders = store.set_folders(acct, &[super::super::tests::info("INBOX", None)]).unwrap();
    let inbox = folders[0].id;
    let m = NewMessage {
        uid: 7,
        date: 1,
        subject: "Plans".into(),
        from_addr: "carol@example.com".into(),
        ..Default::default()
    };
    store.insert_messages(inbox, std::slice::from_ref(&m)).unwrap();
    assert_eq!(ids(&store, "plans").len(), 1);
    assert!(ids(&store, "zeppelin").is_empty());
    let id = ids(&store, "plans")[0];
    store
        .store_body(id, b"From: carol@example.com\r\nSubject: Plans\r\nContent-Type: text/html\r\n\r\n<p>The <b>zeppelin</b> leaves at noon</p>")
        .unwrap();
    assert_eq!(ids(&store, "zeppelin"), vec![id]);
    assert_eq!(ids(&store, "plans zeppelin"), vec![id], "the headers stay indexed with the body");
    // the same headers again (a resync) change flags only, and keep the body indexed
    store.insert_messages(inbox, &[NewMessage { flags: Flags(Flags::SEEN), ..m }]).unwrap();
    assert_eq!(ids(&store, "zeppelin is:read"), vec![id]);
}

#[test]
fn attachment_names_are_indexed() {
    let (_d, store, inbox) = setup();
    let raw = b"From: a@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice-2026.pdf\"\r\n\r\nxx\r\n--b--\r\n";
    let a = store.add_local_message(inbox, raw, Flags(0), 0).unwrap();
    assert_eq!(ids(&store, "invoice"), vec![a]);
    assert_eq!(ids(&store, "has:attachment"), vec![a]);
}

/// Puts the store back to the schema before the index (as an older poste left it).
fn forget_index(dir: &std::path::Path) {
    let conn = rusqlite::Connection::open(dir.join(super::super::DB_FILE)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER messages_search_delete; DROP TABLE search; DROP TABLE search_backlog;
         DROP TRIGGER thread_folders_count_insert; DROP TRIGGER thread_folders_count_delete;
         ALTER TABLE folder_counts DROP COLUMN threads;
         PRAGMA user_version = 10;",
    )
    .unwrap();
}

#[test]
fn an_older_store_is_indexed_in_batches_that_resume_after_a_stop() {
    let (dir, store, inbox) = setup();
    let acct = store.folder(inbox).unwrap().account;
    let mut all = Vec::new();
    for i in 0..25 {
        let body = if i % 5 == 0 { format!("needle {i}") } else { format!("hay {i}") };
        all.push(store.add_local_message(inbox, &mail("x@example.com", &format!("m{i}"), &body), Flags(0), 0).unwrap());
    }
    drop(store);
    forget_index(dir.path());
    let store = open(dir.path());
    assert!(ids(&store, "needle").is_empty(), "nothing is indexed before the pass");
    // a message stored meanwhile is indexed at once
    let new = store.add_local_message(inbox, &mail("x@example.com", "new", "needle new"), Flags(0), 0).unwrap();
    assert_eq!(ids(&store, "needle"), vec![new]);
    let p = store.index_backlog(acct, 10).unwrap().unwrap();
    assert_eq!((p.done, p.total, p.finished()), (10, 25, false));
    assert_eq!(ids(&store, "needle"), vec![all[0], all[5], new]);
    // stopped here (a kill loses at most the batch under way); a new worker resumes
    drop(store);
    let store = open(dir.path());
    let p = store.index_backlog(acct, 10).unwrap().unwrap();
    assert_eq!((p.done, p.total), (20, 25));
    let p = store.index_backlog(acct, 10).unwrap().unwrap();
    assert!(p.finished(), "{p:?}");
    assert_eq!(store.index_backlog(acct, 10).unwrap(), None);
    assert_eq!(ids(&store, "needle"), vec![all[0], all[5], all[10], all[15], all[20], new]);
    assert_eq!(ids(&store, "hay").len(), 20);
}

/// Timings at 100,000 messages (run with `--ignored --nocapture`): a plain word, a
/// header prefix, a word and a flag, counted and the first window listed.
#[test]
#[ignore]
fn timings_at_100k_messages() {
    let (_d, store, inbox) = setup();
    let words = ["report", "lunch", "budget", "meeting", "invoice", "travel", "review", "update", "plan", "notes"];
    let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
    let t = std::time::Instant::now();
    for chunk in 0..100 {
        let batch: Vec<NewMessage> = (0..1000)
            .map(|j| {
                let i = chunk * 1000 + j;
                NewMessage {
                    uid: i + 1,
                    date: i64::from(i) * 60,
                    subject: format!("{} {} {i}", words[(i % 10) as usize], words[(i / 10 % 10) as usize]),
                    from_name: format!("{} {}", names[(i % 10) as usize], names[(i / 7 % 10) as usize]),
                    from_addr: format!("{}{}@example.com", names[(i % 10) as usize], i % 1000),
                    to: "team@example.com".into(),
                    flags: Flags(if i % 3 == 0 { 0 } else { Flags::SEEN }),
                    size: 2000 + i % 5000,
                    ..Default::default()
                }
            })
            .collect();
        store.insert_messages(inbox, &batch).unwrap();
    }
    eprintln!("inserting 100,000 rows with their index: {:?}", t.elapsed());
    let pages = |sql: &str| store.conn().query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(-1);
    let page = pages("PRAGMA page_size");
    eprintln!(
        "database {} KiB, of which the search index {} KiB",
        pages("PRAGMA page_count") * page / 1024,
        pages("SELECT count(*) FROM dbstat WHERE name LIKE 'search%'") * page / 1024
    );
    for filter in
        ["report", "zeppelin", "from:ali", "from:a", "report is:unread", "budget OR travel", "\"report lunch\""]
    {
        let q = ListQuery { folder: Some(inbox), filter: Some(filter.into()), ..Default::default() };
        let t = std::time::Instant::now();
        let n = store.count(&q).unwrap();
        let rows = store.list_window(&q, n, 0, 60).unwrap();
        eprintln!("{filter:>20}: {n:>6} matches, count + first 60 rows in {:?}", t.elapsed());
        assert!(rows.len() <= 60);
    }
}

#[test]
fn odd_filters_never_break_the_sql() {
    let (_d, store, inbox) = setup();
    store.add_local_message(inbox, &mail("a@example.com", "x", "y"), Flags(0), 0).unwrap();
    for f in [
        "*",
        "a*",
        "^x",
        "NEAR(a b)",
        "x:",
        "\"\"",
        "'",
        "ⅷ",
        "\u{301}",
        "٣",
        "🎉",
        "a\"b",
        "-(a OR b)",
        "((x))",
        "*x*",
        "col:x",
    ] {
        let q = ListQuery { filter: Some(f.into()), ..Default::default() };
        match store.count(&q) {
            Ok(_) | Err(StoreError::Query(_)) => {}
            Err(e) => panic!("{f:?}: {e}"),
        }
    }
}

#[test]
fn the_index_has_the_columns_the_query_module_names() {
    let (_d, store, _) = setup();
    let mut st = store.conn().prepare(&format!("PRAGMA table_info({})", crate::query::FTS_TABLE)).unwrap();
    let cols: Vec<String> = st.query_map([], |r| r.get(1)).unwrap().map(|c| c.unwrap()).collect();
    assert_eq!(cols, crate::query::FTS_COLUMNS);
}

#[test]
fn messages_a_server_found_are_listed_with_the_local_matches_in_scope() {
    let (_d, store, inbox) = setup();
    let a = store.add_local_message(inbox, &mail("Alice <a@x>", "Budget", "numbers"), Flags(0), 0).unwrap();
    let b = store.add_local_message(inbox, &mail("Bob <b@x>", "Lunch", "soup"), Flags(0), 0).unwrap();
    let c = store.add_local_message(inbox, &mail("Carol <c@x>", "Tea", "leaves"), Flags(0), 0).unwrap();
    let q = ListQuery { filter: Some("budget".into()), found: vec![b, b], ..Default::default() };
    let mut got = store.ids(&q).unwrap();
    got.sort();
    assert_eq!(got, vec![a, b]);
    assert_eq!(store.count(&q).unwrap(), 2);
    // the scope still holds: a folder the found message is not in lists none of it
    let q = ListQuery { folder: Some(FolderId(inbox.0 + 1000)), ..q };
    assert!(store.ids(&q).unwrap().is_empty());
    assert!(!ids(&store, "budget").contains(&c));
}
