//! `poste search` against the test Dovecot: local matches merged with the server's for
//! bodies not stored here, without duplicates; offline, local results with a note.

mod common;

use common::*;

fn mail(n: usize, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Sender {n} <sender{n}@example.com>\r\nTo: rcpt@example.org\r\nSubject: {subject}\r\n\
         Date: Mon, 2 Mar 2026 10:0{n}:00 +0000\r\nMessage-ID: <s{n}@example.com>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn subjects(out: &std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut ids = Vec::new();
    let mut subjects: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            ids.push(v["id"].as_i64().unwrap());
            v["subject"].as_str().unwrap().to_string()
        })
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "no message twice");
    subjects.sort();
    subjects
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_and_server_results_merge_and_offline_gives_local_ones() {
    let user = user("search");
    let mut admin = admin(&user).await;
    append(&mut admin, "INBOX", &mail(1, "alpha", "the zeppelin leaves")).await;
    append(&mut admin, "INBOX", &mail(2, "zeppelin news", "nothing here")).await;
    append(&mut admin, "INBOX", &mail(3, "gamma", "a zeppelin in the body only")).await;
    append(&mut admin, "INBOX", &mail(4, "delta", "Grüße aus Köln")).await;
    let s = Setup::new(&user, None, "");
    let out = s.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // the first message's body is stored here; the others' are not
    let listed = s.poste(&["list", "--json"]);
    let first = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["subject"] == "alpha")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert!(s.poste(&["read", &first.to_string(), "--peek"]).status.success());

    let local = s.poste(&["search", "zeppelin", "--json", "--local-only"]);
    assert_eq!(subjects(&local), ["alpha", "zeppelin news"]);
    let merged = s.poste(&["search", "zeppelin", "--json"]);
    assert_eq!(subjects(&merged), ["alpha", "gamma", "zeppelin news"]);
    assert!(String::from_utf8_lossy(&merged.stderr).is_empty(), "{}", String::from_utf8_lossy(&merged.stderr));
    // words beyond ASCII go as CHARSET UTF-8
    assert_eq!(subjects(&s.poste(&["search", "köln", "--json"])), ["delta"]);
    // header terms alone need no server; flags and fields combine with it
    assert_eq!(subjects(&s.poste(&["search", "from:sender2", "--json"])), ["zeppelin news"]);
    assert_eq!(subjects(&s.poste(&["search", "zeppelin -subject:zeppelin", "--json"])), ["alpha", "gamma"]);
    // the human form says where each message is
    let text = s.poste(&["search", "zeppelin"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("test/INBOX"), "{}", String::from_utf8_lossy(&text.stdout));
    // a bad query names the term and points at it
    let bad = s.poste(&["search", "zeppelin is:unred"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("is:unred: unknown flag 'unred'") && err.contains("         ^^^^^^^^"), "{err}");

    // offline: the local results, and a note that the server was not asked
    let cfg = std::fs::read_to_string(&s.config).unwrap();
    let port = format!("port = {}", servers().imaps);
    std::fs::write(&s.config, cfg.replace(&port, "port = 1")).unwrap();
    let offline = s.poste(&["search", "zeppelin", "--json"]);
    assert_eq!(subjects(&offline), ["alpha", "zeppelin news"]);
    let err = String::from_utf8_lossy(&offline.stderr);
    assert!(err.contains("test: the server was not asked"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_from_before_the_index_is_indexed_by_the_worker() {
    let user = user("search-old");
    let mut admin = admin(&user).await;
    for n in 1..=5 {
        append(&mut admin, "INBOX", &mail(n, &format!("note {n}"), &format!("kumquat {n}"))).await;
    }
    let s = Setup::new(&user, None, "");
    let (h, mut rx) = s.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = s.store();
    let q = |f: &str| poste::store::ListQuery { filter: Some(f.into()), ..Default::default() };
    let first = store.list(&q("subject:note"), 0, 10).unwrap()[4].id;
    h.send(poste::account::Command::Open { id: first, mark_seen: false });
    wait_for(&mut rx, 30, |e| matches!(e, poste::account::Event::Body { id, .. } if *id == first).then_some(())).await;
    assert_eq!(store.count(&q("kumquat")).unwrap(), 1);
    h.shutdown().await;
    drop(store);
    // as an older poste left it: no index, schema 9
    forget_search_index(&s.data);
    let (h, mut rx) = s.worker();
    let (done, total) = wait_for(&mut rx, 30, |e| match e {
        poste::account::Event::Indexing { done, total, .. } if done == total => Some((*done, *total)),
        _ => None,
    })
    .await;
    assert_eq!((done, total), (5, 5));
    let store = s.store();
    assert_eq!(store.count(&q("note")).unwrap(), 5);
    assert_eq!(store.list(&q("kumquat"), 0, 10).unwrap()[0].id, first, "the stored body is indexed");
    h.shutdown().await;
    drop(store);
    // poste sync says how far the pass is
    forget_search_index(&s.data);
    let out = s.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("test: search index 5/5"), "{err}");
}

/// Drops the search index and sets the schema back to the one before it.
fn forget_search_index(data: &std::path::Path) {
    let conn = rusqlite::Connection::open(data.join(poste::store::DB_FILE)).unwrap();
    conn.execute_batch(
        "DROP TRIGGER messages_search_delete; DROP TABLE search; DROP TABLE search_backlog;
         DROP TRIGGER thread_folders_count_insert; DROP TRIGGER thread_folders_count_delete;
         ALTER TABLE folder_counts DROP COLUMN threads;
         PRAGMA user_version = 10;",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_search_cut_off_takes_nothing_down_and_opening_goes_on_meanwhile() {
    use poste::account::{Command, Event, ServerSearch};
    // plain text on loopback, so the proxy can see the search go by
    let proxy = proxy::Proxy::start(servers().imap).await;
    let user = user("search-cut");
    let mut admin = admin(&user).await;
    append(&mut admin, "INBOX", &mail(1, "one", "a zeppelin")).await;
    append(&mut admin, "INBOX", &mail(2, "two", "another zeppelin")).await;
    let s = Setup::new(&user, Some(proxy.port), "tls = \"none\"\nallow_plaintext_auth = true");
    let (h, mut rx) = s.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = s.store();
    let first = store.list(&poste::store::ListQuery::default(), 0, 10).unwrap()[0].id;
    // the search's connection is cut once it asks; a body is opened meanwhile
    proxy.cut_after("UID SEARCH");
    h.send(Command::Search { request: 1, query: "zeppelin".into() });
    h.send(Command::Open { id: first, mark_seen: false });
    let (mut body, mut searched, mut offline) = (false, None, false);
    while !body || searched.is_none() {
        let e = wait_for(&mut rx, 30, |e| Some(e.clone())).await;
        match e {
            Event::Body { id, .. } if id == first => body = true,
            Event::Searched { request: 1, server, .. } => searched = Some(server),
            Event::State { state: poste::model::AccountState::Offline(_), .. } => offline = true,
            _ => {}
        }
    }
    assert!(matches!(searched, Some(ServerSearch::Offline(_) | ServerSearch::Failed(_))), "{searched:?}");
    assert!(!offline, "a search's own connection failing does not take the account offline");
    // the next search is answered
    h.send(Command::Search { request: 2, query: "zeppelin".into() });
    let (ids, server) = wait_for(&mut rx, 30, |e| match e {
        Event::Searched { request: 2, ids, server, .. } => Some((ids.clone(), server.clone())),
        _ => None,
    })
    .await;
    assert_eq!((ids.len(), server), (2, ServerSearch::Asked));
    h.shutdown().await;
}
