//! The IMAP read path against the real Dovecot: folders, headers-first sync, fetch-on-open
//! caching, resync, UIDVALIDITY changes, offline reopening, TLS and password rules.

mod common;

use common::*;
use futures::TryStreamExt;
use poste::account::{Command, Event};
use poste::model::{AccountState, Flags, MessageId, SpecialUse};
use poste::store::ListQuery;

fn inbox_query(store: &poste::store::Store) -> ListQuery {
    let acct = store.accounts().unwrap()[0].0;
    let inbox = store.find_folder(acct, "INBOX").unwrap().unwrap();
    ListQuery { folder: Some(inbox.id), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_list_has_tree_special_use_utf7_and_counts() {
    let user = user("folders");
    let mut a = admin(&user).await;
    a.create("Work").await.unwrap();
    a.create("Work/Projects").await.unwrap();
    a.create("Entw&APw-rfe").await.unwrap();
    append(&mut a, "Work/Projects", &message(1, "in projects", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    append(&mut a, "INBOX", &message(2, "in inbox", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let folders = store.folders(h.id).unwrap();
    let names: Vec<_> = folders.iter().map(|f| f.display.as_str()).collect();
    assert_eq!(names[0], "INBOX");
    assert!(names.contains(&"Entwürfe"), "{names:?}");
    let proj = folders.iter().find(|f| f.display == "Work/Projects").unwrap();
    assert_eq!(proj.tree_parts(), (1, "Projects"));
    assert_eq!((proj.total, proj.unread), (1, 1));
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert_eq!(pos("Work/Projects"), pos("Work") + 1, "children under their parent: {names:?}");
    for (name, su) in [
        ("Sent", SpecialUse::Sent),
        ("Trash", SpecialUse::Trash),
        ("Drafts", SpecialUse::Drafts),
        ("Junk", SpecialUse::Junk),
        ("Archive", SpecialUse::Archive),
    ] {
        assert_eq!(folders.iter().find(|f| f.display == name).unwrap().special_use, Some(su));
    }
    // the folder list follows the server: a deleted folder disappears
    a.delete("Entw&APw-rfe").await.unwrap();
    assert_eq!(sync(&h, &mut rx).await, None);
    assert!(!store.folders(h.id).unwrap().iter().any(|f| f.display == "Entwürfe"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_first_sync_of_2000_messages_streams_batches() {
    let user = user("big");
    fill_inbox(
        &user,
        (0..2000).map(|i| {
            let day = 1 + (i / 100) % 28;
            message(
                i,
                &format!("Message number {i} =?UTF-8?Q?gr=C3=BC=C3=9Fe?="),
                &format!("{day:02} Oct 2026 {:02}:{:02}:00 +0000", (i / 60) % 24, i % 60),
            )
        }),
    );
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    h.send(Command::Sync { first: None });
    // the first progress report comes after the first (small) batch, long before the end
    let first = wait_for(&mut rx, 60, |e| match e {
        Event::State { state: AccountState::Syncing { folder, done, total }, .. } if folder == "INBOX" => {
            Some((*done, *total))
        }
        _ => None,
    })
    .await;
    assert_eq!(first.1, 2000);
    assert!(first.0 <= 200, "first batch was {}", first.0);
    let err = wait_for(&mut rx, 120, |e| match e {
        Event::SyncDone { error, .. } => Some(error.clone()),
        _ => None,
    })
    .await;
    assert_eq!(err, None);
    let store = setup.store();
    let q = inbox_query(&store);
    assert_eq!(store.count(&q).unwrap(), 2000);
    let rows = store.list(&q, 0, 5).unwrap();
    assert!(rows.windows(2).all(|w| w[0].date >= w[1].date), "newest first");
    assert!(rows[0].subject.ends_with("grüße"), "{}", rows[0].subject);
    assert!(rows[0].from_name.starts_with("Sender "));
    assert!(rows.iter().all(|r| !r.cached && r.size > 0));
    assert_eq!(store.integrity_check().unwrap(), "ok");
    // an unchanged resync fetches nothing new and keeps everything
    assert_eq!(sync(&h, &mut rx).await, None);
    assert_eq!(store.count(&q).unwrap(), 2000);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_picks_up_new_flags_and_expunges() {
    let user = user("resync");
    let mut a = admin(&user).await;
    for i in 0..5 {
        append(&mut a, "INBOX", &message(i, &format!("m{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let q = inbox_query(&store);
    assert_eq!(store.count(&q).unwrap(), 5);
    a.select("INBOX").await.unwrap();
    let _: Vec<_> = a.uid_store("1", "+FLAGS (\\Flagged \\Seen)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = a.uid_store("2", "+FLAGS (\\Deleted)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = a.expunge().await.unwrap().try_collect().await.unwrap();
    append(&mut a, "INBOX", &message(9, "new one", "Tue, 03 Nov 2026 10:00:00 +0000")).await;
    assert_eq!(sync(&h, &mut rx).await, None);
    let flags = store.uid_flags(q.folder.unwrap()).unwrap();
    assert_eq!(flags.len(), 5);
    assert!(!flags.contains_key(&2));
    assert_eq!(flags[&1], Flags(Flags::SEEN | Flags::FLAGGED));
    assert_eq!(store.list(&q, 0, 1).unwrap()[0].subject, "new one");
    let f = store.folder(q.folder.unwrap()).unwrap();
    assert_eq!((f.total, f.unread), (5, 4));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_fetches_once_caches_and_marks_seen() {
    let user = user("open");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "open me", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let proxy = proxy::Proxy::start(servers().imaps).await;
    let setup = Setup::new(&user, Some(proxy.port), "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let id = store.list(&inbox_query(&store), 0, 1).unwrap()[0].id;
    h.send(Command::Open { id, mark_seen: true });
    let raw = wait_for(&mut rx, 30, |e| match e {
        Event::Body { id: got, raw } if *got == id => Some(raw.clone()),
        _ => None,
    })
    .await;
    assert!(String::from_utf8_lossy(&raw).contains("Body of message 1."));
    let m = store.message(id).unwrap();
    let path = setup.data.join(m.path.clone().expect("the body is cached"));
    assert_eq!(std::fs::read(&path).unwrap(), *raw);
    assert!(path.to_string_lossy().contains("/cur/"));
    // \Seen reached the server
    wait_for(&mut rx, 10, |e| matches!(e, Event::Flags { .. }).then_some(())).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(seen_on_server(&mut a, "INBOX", 1).await);
    // the second open needs no network at all
    proxy.stop();
    h.send(Command::Open { id, mark_seen: true });
    let again = wait_for(&mut rx, 10, |e| match e {
        Event::Body { id: got, raw } if *got == id => Some(raw.clone()),
        Event::BodyUnavailable { reason, .. } => panic!("{reason}"),
        _ => None,
    })
    .await;
    assert_eq!(again, raw);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_read_on_open_can_be_turned_off() {
    let user = user("noseen");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "peek", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    std::fs::write(
        &setup.config,
        std::fs::read_to_string(&setup.config).unwrap().replace("[ui]\n", "[ui]\nmark_read_on_open = false\n"),
    )
    .unwrap();
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    h.shutdown().await;
    let store = setup.store();
    let id = store.list(&inbox_query(&store), 0, 1).unwrap()[0].id;
    let out = setup.poste(&["read", &id.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!seen_on_server(&mut a, "INBOX", 1).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uidvalidity_change_drops_and_rebuilds_the_folder() {
    let user = user("uidv");
    let mut a = admin(&user).await;
    a.create("Lists").await.unwrap();
    for i in 0..3 {
        append(&mut a, "Lists", &message(i, &format!("old {i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let lists = store.find_folder(h.id, "Lists").unwrap().unwrap();
    let q = ListQuery { folder: Some(lists.id), ..Default::default() };
    let old_id = store.list(&q, 0, 1).unwrap()[0].id;
    h.send(Command::Open { id: old_id, mark_seen: false });
    wait_for(&mut rx, 30, |e| matches!(e, Event::Body { .. }).then_some(())).await;
    let old_path = setup.data.join(store.message(old_id).unwrap().path.unwrap());
    assert!(old_path.exists());
    let old_v = store.sync_state(lists.id).unwrap().uidvalidity.unwrap();

    // recreate the folder: same name, new UIDVALIDITY, different messages with the same UIDs
    a.delete("Lists").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    a.create("Lists").await.unwrap();
    for i in 0..2 {
        append(&mut a, "Lists", &message(10 + i, &format!("new {i}"), "Tue, 03 Nov 2026 10:00:00 +0000")).await;
    }
    h.send(Command::Sync { first: None });
    let notice = wait_for(&mut rx, 60, |e| match e {
        Event::Notice { text, .. } => Some(text.clone()),
        _ => None,
    })
    .await;
    assert!(notice.contains("UIDVALIDITY"), "{notice}");
    wait_for(&mut rx, 60, |e| matches!(e, Event::SyncDone { .. }).then_some(())).await;
    let lists = store.find_folder(h.id, "Lists").unwrap().unwrap();
    assert_ne!(store.sync_state(lists.id).unwrap().uidvalidity.unwrap(), old_v);
    let q = ListQuery { folder: Some(lists.id), ..Default::default() };
    let subjects: Vec<_> = store.list(&q, 0, 10).unwrap().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 2);
    assert!(subjects.iter().all(|s| s.starts_with("new")), "{subjects:?}");
    assert!(!old_path.exists(), "a stale body must never be shown");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_reopen_shows_cache_and_reads_cached_bodies() {
    let user = user("offline");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "cached", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    append(&mut a, "INBOX", &message(2, "never opened", "Mon, 02 Nov 2026 11:00:00 +0000")).await;
    let proxy = proxy::Proxy::start(servers().imaps).await;
    let setup = Setup::new(&user, Some(proxy.port), "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let rows = store.list(&inbox_query(&store), 0, 10).unwrap();
    let cached = rows.iter().find(|r| r.subject == "cached").unwrap().id;
    let uncached = rows.iter().find(|r| r.subject == "never opened").unwrap().id;
    h.send(Command::Open { id: cached, mark_seen: false });
    wait_for(&mut rx, 30, |e| matches!(e, Event::Body { .. }).then_some(())).await;
    h.shutdown().await;

    // the server goes away; a new session starts from the cache
    proxy.stop();
    let (h, mut rx) = setup.worker();
    let folders = wait_for(&mut rx, 10, |e| match e {
        Event::Folders { folders, .. } => Some(folders.clone()),
        _ => None,
    })
    .await;
    assert!(folders.iter().any(|f| f.name == "INBOX" && f.total == 2));
    h.send(Command::Sync { first: None });
    let state = wait_for(&mut rx, 30, |e| match e {
        Event::State { state: s @ AccountState::Offline(_), .. } => Some(s.clone()),
        _ => None,
    })
    .await;
    assert!(matches!(state, AccountState::Offline(reason) if !reason.is_empty()));
    h.send(Command::Open { id: cached, mark_seen: false });
    let raw = wait_for(&mut rx, 10, |e| match e {
        Event::Body { raw, .. } => Some(raw.clone()),
        Event::BodyUnavailable { reason, .. } => panic!("{reason}"),
        _ => None,
    })
    .await;
    assert!(String::from_utf8_lossy(&raw).contains("Body of message 1."));
    h.send(Command::Open { id: uncached, mark_seen: false });
    let (reason, offline) = wait_for(&mut rx, 30, |e| match e {
        Event::BodyUnavailable { reason, offline, .. } => Some((reason.clone(), *offline)),
        _ => None,
    })
    .await;
    assert!(offline && reason.contains("not downloaded"), "{reason}");
    h.shutdown().await;

    // the CLI says the same, offline
    let out = setup.poste(&["read", &cached.to_string()]);
    assert!(out.status.success());
    let out = setup.poste(&["read", &uncached.to_string()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not downloaded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_implicit_tls_both_work() {
    let user = user("tls");
    let s = servers();
    let setup = Setup::new(&user, Some(s.imap), "tls = \"starttls\"");
    let out = setup.poste(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("STARTTLS (TLS 1."), "{text}");
    assert!(text.contains("IMAP4REV1"), "{text}");
    let setup = Setup::new(&user, None, "");
    let out = setup.poste(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("implicit TLS (TLS 1."), "{text}");
    assert!(text.contains("6 folders"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_ca_is_refused_with_a_reason() {
    let user = user("wrongca");
    let s = servers();
    for ca in [Some(&s.other_ca), None] {
        let setup = Setup::new(&user, None, "");
        let text = std::fs::read_to_string(&setup.config).unwrap();
        let text = match ca {
            Some(p) => text.replace(&format!("{:?}", s.ca), &format!("{p:?}")),
            None => text.lines().filter(|l| !l.starts_with("ca_file")).collect::<Vec<_>>().join("\n"),
        };
        std::fs::write(&setup.config, text).unwrap();
        let out = setup.poste(&["check"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success());
        assert!(text.contains("certificate of 127.0.0.1 was refused"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_reported() {
    let user = user("badpw");
    let setup = Setup::new(&user, None, "");
    let t = std::fs::read_to_string(&setup.config).unwrap().replace("echo secret", "echo wrong");
    std::fs::write(&setup.config, t).unwrap();
    let out = setup.poste(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(text.contains("login failed") && text.contains("Authentication failed"), "{text}");
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("poste: account test: login failed"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_auth_is_refused_unless_allowed() {
    use fake::{Fake, Step};
    // a plain-text server that would gladly take a password
    let fake = Fake::start(vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready".into()),
        Step::Reply("{tag} OK done".into()),
        Step::Reply("{tag} OK done".into()),
    ])
    .await;
    let user = user("plain");
    let setup = Setup::new(&user, Some(fake.port), "tls = \"none\"");
    let out = setup.poste(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(text.contains("unencrypted") && text.contains("allow_plaintext_auth"), "{text}");
    let sent = fake.received();
    assert!(
        !sent.contains("secret")
            && !sent.to_uppercase().contains("LOGIN")
            && !sent.to_uppercase().contains("AUTHENTICATE"),
        "{sent:?}"
    );

    // against Dovecot's plain port too, and it works once explicitly allowed
    let s = servers();
    let setup = Setup::new(&user, Some(s.imap), "tls = \"none\"");
    assert!(!setup.poste(&["check"]).status.success());
    let setup = Setup::new(&user, Some(s.imap), "tls = \"none\"\nallow_plaintext_auth = true");
    let out = setup.poste(&["check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_missing_never_falls_back() {
    use fake::{Fake, Step};
    let fake = Fake::start(vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls here".into()),
        Step::Reply("{tag} OK done".into()),
    ])
    .await;
    let setup = Setup::new(&user("nostls"), Some(fake.port), "tls = \"starttls\"");
    let out = setup.poste(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(text.contains("does not offer STARTTLS"), "{text}");
    let sent = fake.received();
    assert!(!sent.contains("secret") && !sent.to_uppercase().contains("LOGIN"), "{sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_mid_sync_leaves_a_consistent_store_and_resumes() {
    use fake::{Fake, Step};
    let user = user("drop");
    fill_inbox(&user, (0..600).map(|i| message(i, &format!("s{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")));
    let setup = Setup::new(&user, None, "");
    // first, a server that dies in the middle of a FETCH literal
    let fake = Fake::start(vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake".into()),
        Step::Reply("{tag} OK [CAPABILITY IMAP4rev1 UIDPLUS] logged in".into()),
        Step::Reply("* CAPABILITY IMAP4rev1 UIDPLUS\r\n{tag} OK done".into()),
        Step::Reply("* LIST (\\HasNoChildren) \"/\" INBOX\r\n{tag} OK done".into()),
        Step::Reply("* STATUS INBOX (MESSAGES 2 UNSEEN 2)\r\n{tag} OK done".into()),
        Step::Reply(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\n* OK [UIDNEXT 3] x\r\n{tag} OK [READ-WRITE] selected".into(),
        ),
        Step::Reply("* 2 FETCH (UID 2 RFC822.SIZE 100 BODY[HEADER.FIELDS (REFERENCES)] {50}\r\nSubject: cut".into()),
        Step::Close,
    ])
    .await;
    let broken = Setup::new(&user, Some(fake.port), "tls = \"none\"\nallow_plaintext_auth = true");
    std::fs::write(
        &broken.config,
        std::fs::read_to_string(&broken.config)
            .unwrap()
            .replace(&format!("{:?}", broken.data), &format!("{:?}", setup.data)),
    )
    .unwrap();
    let out = broken.poste(&["sync"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("poste: account test:"), "{err}");
    let store = setup.store();
    assert_eq!(store.integrity_check().unwrap(), "ok");

    // then the real server: the sync completes from where the store is
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(store.count(&inbox_query(&store)).unwrap(), 600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qresync_condstore_and_full_resync_agree() {
    let user = user("modes");
    let mut a = admin(&user).await;
    for i in 0..20 {
        append(&mut a, "INBOX", &message(i, &format!("m{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let modes = [
        "",
        "ignore_capabilities = [\"QRESYNC\"]",
        "ignore_capabilities = [\"QRESYNC\", \"CONDSTORE\", \"LIST-STATUS\"]",
    ];
    let mut setups = Vec::new();
    for m in modes {
        let s = Setup::new(&user, None, m);
        let (h, mut rx) = s.worker();
        assert_eq!(sync(&h, &mut rx).await, None);
        setups.push((s, h, rx));
    }
    // another client changes flags, expunges and delivers
    a.select("INBOX").await.unwrap();
    let _: Vec<_> = a.uid_store("1:5", "+FLAGS (\\Seen)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = a.uid_store("3,7", "+FLAGS (\\Flagged)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = a.uid_store("2,9:11", "+FLAGS (\\Deleted)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = a.expunge().await.unwrap().try_collect().await.unwrap();
    for i in 20..23 {
        append(&mut a, "INBOX", &message(i, &format!("m{i}"), "Tue, 03 Nov 2026 10:00:00 +0000")).await;
    }
    let mut results = Vec::new();
    for (s, h, rx) in setups.iter_mut() {
        assert_eq!(sync(h, rx).await, None);
        let store = s.store();
        let q = inbox_query(&store);
        let mut flags: Vec<_> = store.uid_flags(q.folder.unwrap()).unwrap().into_iter().collect();
        flags.sort();
        let f = store.folder(q.folder.unwrap()).unwrap();
        results.push((flags, f.total, f.unread));
    }
    assert_eq!(results[0].0.len(), 19);
    assert_eq!(results[0], results[1], "CONDSTORE differs from QRESYNC");
    assert_eq!(results[0], results[2], "a full resync differs from QRESYNC");
    assert_eq!(results[0].0.iter().find(|(u, _)| *u == 3).unwrap().1, Flags(Flags::SEEN | Flags::FLAGGED));
    // and an unchanged resync changes nothing
    let (s, h, rx) = &mut setups[0];
    assert_eq!(sync(h, rx).await, None);
    let store = s.store();
    assert_eq!(store.count(&inbox_query(&store)).unwrap(), 19);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_recreated_with_the_same_counts_is_still_rebuilt() {
    let user = user("samecounts");
    let mut a = admin(&user).await;
    a.create("Lists").await.unwrap();
    append(&mut a, "Lists", &message(1, "old", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let old = store.find_folder(h.id, "Lists").unwrap().unwrap();
    let old_v = store.sync_state(old.id).unwrap().uidvalidity.unwrap();

    // the same name, count, UIDNEXT and mod-sequence: only UIDVALIDITY tells them apart
    a.delete("Lists").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    a.create("Lists").await.unwrap();
    append(&mut a, "Lists", &message(2, "new", "Tue, 03 Nov 2026 10:00:00 +0000")).await;
    assert_eq!(sync(&h, &mut rx).await, None);
    let lists = store.find_folder(h.id, "Lists").unwrap().unwrap();
    assert_ne!(store.sync_state(lists.id).unwrap().uidvalidity.unwrap(), old_v);
    let q = ListQuery { folder: Some(lists.id), ..Default::default() };
    let subjects: Vec<_> = store.list(&q, 0, 10).unwrap().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects, ["new"]);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_missing_from_the_store_comes_back_on_the_next_sync() {
    let user = user("gap");
    let mut a = admin(&user).await;
    for i in 0..5 {
        append(&mut a, "INBOX", &message(i, &format!("m{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let q = inbox_query(&store);
    // a row lost while the folder's mod-sequence moved past it, then a row the server no
    // longer has: QRESYNC alone reports neither
    let db = rusqlite::Connection::open(setup.data.join("index.sqlite3")).unwrap();
    let folder = q.folder.unwrap();
    let uids = |store: &poste::store::Store| {
        let mut u: Vec<_> = store.uid_flags(folder).unwrap().into_keys().collect();
        u.sort_unstable();
        u
    };
    db.execute("DELETE FROM messages WHERE folder_id = ?1 AND uid = 3", [folder]).unwrap();
    assert_eq!(sync(&h, &mut rx).await, None);
    assert_eq!(uids(&store), [1, 2, 3, 4, 5]);
    db.execute(
        "INSERT INTO messages(folder_id, uid, date, from_name, from_addr, subject, flags, size, has_attachments)
         SELECT folder_id, 99, date, from_name, from_addr, 'ghost', flags, size, has_attachments
         FROM messages WHERE folder_id = ?1 AND uid = 1",
        [folder],
    )
    .unwrap();
    assert_eq!(sync(&h, &mut rx).await, None);
    assert_eq!(uids(&store), [1, 2, 3, 4, 5]);
    h.shutdown().await;
}

async fn body(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>, want: MessageId) -> std::sync::Arc<Vec<u8>> {
    wait_for(rx, 30, |e| match e {
        Event::Body { id, raw } if *id == want => Some(raw.clone()),
        Event::BodyUnavailable { id, reason, .. } if *id == want => panic!("{reason}"),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_arrived_after_the_folder_was_opened_can_be_read() {
    let user = user("lateopen");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "first", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    // reading the first one opens INBOX on the worker's connection
    let first = store.list(&inbox_query(&store), 0, 1).unwrap()[0].id;
    h.send(Command::Open { id: first, mark_seen: false });
    body(&mut rx, first).await;
    // a new message, synced on another connection: this one has not heard of it
    append(&mut a, "INBOX", &message(2, "second", "Tue, 03 Nov 2026 10:00:00 +0000")).await;
    assert_eq!(sync(&h, &mut rx).await, None);
    let second = store.list(&inbox_query(&store), 0, 1).unwrap()[0].id;
    assert_ne!(second, first);
    h.send(Command::Open { id: second, mark_seen: false });
    let raw = body(&mut rx, second).await;
    assert!(String::from_utf8_lossy(&raw).contains("Body of message 2."));
    h.shutdown().await;
}
