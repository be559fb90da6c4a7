//! The offline mirror against the real Dovecot: `offline = "all"` downloads every body and
//! leaves them unread, `recent:Nd` keeps only recent ones, `offline_max_size` is a budget,
//! a SIGKILL mid-download is taken up again without duplicates, and an export downloads
//! what it lacks (or says what it could not have).

mod common;

use common::*;
use futures::TryStreamExt;
use poste::account::Event;
use poste::store::ListQuery;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

/// A message of about `size` bytes, dated `ts` (Unix seconds).
fn dated(n: usize, ts: i64, size: usize) -> Vec<u8> {
    let date = chrono::DateTime::from_timestamp(ts, 0).unwrap().to_rfc2822();
    let mut raw = String::from_utf8(message(n, &format!("m{n}"), &date)).unwrap();
    while raw.len() < size {
        raw.push_str("a line of text to make the body as long as wanted, no more no less.\r\n");
    }
    raw.into_bytes()
}

/// APPENDs `raw` with its INTERNALDATE at `ts`.
async fn append_at(a: &mut Admin, folder: &str, raw: &[u8], ts: i64) {
    let when = chrono::DateTime::from_timestamp(ts, 0).unwrap().format("\"%d-%b-%Y %H:%M:%S +0000\"").to_string();
    a.append(folder, None, Some(&when), raw).await.unwrap();
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Subject → stored body of every message of `folder` in the store (None: not downloaded),
/// checking that each recorded file is on disk.
fn bodies(setup: &Setup, folder: &str) -> BTreeMap<String, Option<Vec<u8>>> {
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let f = store.find_folder(acct, folder).unwrap().unwrap();
    let q = ListQuery { folder: Some(f.id), ..Default::default() };
    let rows = store.list(&q, 0, 1_000_000).unwrap();
    let mut out = BTreeMap::new();
    for m in rows {
        let body = store.body(m.id).unwrap();
        assert_eq!(body.is_some(), m.cached, "{}: the row and the file agree", m.subject);
        assert!(out.insert(m.subject.clone(), body).is_none(), "{} is stored twice", m.subject);
    }
    out
}

/// Subject → raw message on the server, and whether any is \Seen.
async fn server_messages(a: &mut Admin, folder: &str) -> (BTreeMap<String, Vec<u8>>, bool) {
    a.select(folder).await.unwrap();
    let got: Vec<_> = a.fetch("1:*", "(FLAGS BODY.PEEK[])").await.unwrap().try_collect().await.unwrap();
    let seen = got.iter().any(|m| m.flags().any(|f| f == async_imap::types::Flag::Seen));
    let msgs = got
        .iter()
        .map(|m| {
            let raw = m.body().unwrap().to_vec();
            let subject = String::from_utf8_lossy(&raw)
                .lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
                .unwrap();
            (subject, raw)
        })
        .collect();
    (msgs, seen)
}

fn sync_ok(setup: &Setup) -> String {
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    err
}

#[tokio::test]
async fn offline_all_downloads_every_body_and_leaves_them_unread() {
    let user = user("mirrorall");
    let mut a = admin(&user).await;
    a.create("Archive").await.unwrap();
    let t = now();
    for i in 0..40 {
        append_at(&mut a, if i % 4 == 0 { "Archive" } else { "INBOX" }, &dated(i, t - i as i64 * 3600, 3000), t).await;
    }
    let setup = Setup::new(&user, None, "offline = \"all\"");
    let err = sync_ok(&setup);
    assert!(err.contains("offline copy complete (40 bodies downloaded)"), "{err}");
    for folder in ["INBOX", "Archive"] {
        let (server, seen) = server_messages(&mut a, folder).await;
        assert!(!seen, "{folder}: the mirror marks nothing read on the server");
        let local = bodies(&setup, folder);
        assert_eq!(local.len(), server.len());
        for (subject, raw) in &server {
            assert_eq!(local[subject].as_ref(), Some(raw), "{folder}/{subject} is on disk, byte for byte");
        }
    }
    let store = setup.store();
    let unread = store.list(&ListQuery::default(), 0, 100).unwrap().iter().filter(|m| !m.flags.is_seen()).count();
    assert_eq!(unread, 40, "and nothing read in the store");
    // a second sync has nothing left to download
    let err = sync_ok(&setup);
    assert!(err.contains("offline copy complete") && !err.contains("downloaded"), "{err}");
}

#[tokio::test]
async fn recent_keeps_only_recent_messages() {
    let user = user("mirrorrecent");
    let mut a = admin(&user).await;
    let t = now();
    for i in 0..10 {
        // 0..5: this week; 5..10: years ago, by Date and by INTERNALDATE
        let ts = if i < 5 { t - i as i64 * 86_400 } else { t - (800 + i as i64) * 86_400 };
        append_at(&mut a, "INBOX", &dated(i, ts, 500), ts).await;
    }
    let setup = Setup::new(&user, None, "offline = \"recent:30d\"");
    sync_ok(&setup);
    let local = bodies(&setup, "INBOX");
    let kept: BTreeSet<&str> = local.iter().filter(|(_, b)| b.is_some()).map(|(s, _)| s.as_str()).collect();
    assert_eq!(kept, BTreeSet::from(["m0", "m1", "m2", "m3", "m4"]));
    // a folder of its own keeps everything
    let text = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(&setup.config, format!("{text}[accounts.imap.folders.INBOX]\noffline = \"all\"\n")).unwrap();
    sync_ok(&setup);
    assert!(bodies(&setup, "INBOX").values().all(Option::is_some));
}

#[tokio::test]
async fn the_budget_keeps_the_newest() {
    let user = user("mirrorbudget");
    let mut a = admin(&user).await;
    let t = now();
    for i in 0..20 {
        append_at(&mut a, "INBOX", &dated(i, t - i as i64 * 3600, 10_000), t).await;
    }
    let setup = Setup::new(&user, None, "offline = \"all\"\noffline_max_size = \"55K\"");
    sync_ok(&setup);
    let local = bodies(&setup, "INBOX");
    let kept: BTreeSet<&str> = local.iter().filter(|(_, b)| b.is_some()).map(|(s, _)| s.as_str()).collect();
    assert_eq!(kept, BTreeSet::from(["m0", "m1", "m2", "m3", "m4"]), "the five newest fit in 55K");
    let used: usize = local.values().flatten().map(Vec::len).sum();
    assert!(used <= 55 << 10, "{used} bytes");
}

/// The files of a folder's Maildir (every one a row's, and none twice).
fn maildir_files(setup: &Setup, folder: &str) -> Vec<std::path::PathBuf> {
    let dir = setup.data.join("mail").join("test").join(folder);
    let in_tmp = |p: &std::path::Path| p.strip_prefix(&dir).is_ok_and(|r| r.starts_with("tmp"));
    data_files(&dir).into_iter().filter(|p| !in_tmp(p)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_mirror_resumes_without_duplicates() {
    let user = user("mirrorkill");
    let t = now();
    fill_inbox(&user, (0..3000).map(|i| dated(i, t - i as i64 * 60, 4000)));
    let setup = Setup::new(&user, None, "offline = \"all\"");
    let mut seed: u64 = 0x2545f4914f6cdd1d;
    let mut partial = Vec::new();
    // bodies stored so far, read beside the running sync
    let stored = || {
        let db = setup.data.join(poste::store::DB_FILE);
        let Ok(c) = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
            return 0;
        };
        c.query_row("SELECT count(*) FROM messages WHERE path IS NOT NULL", [], |r| r.get::<_, i64>(0)).unwrap_or(0)
    };
    for run in 0..6 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // each run dies a few hundred more bodies in, wherever that is in time
        let target = stored() + 1 + (seed % 400) as i64;
        let hit = setup.kill_when(&["sync"], Duration::from_secs(30), || stored() >= target);
        setup.recover();
        assert_eq!(setup.store().integrity_check().unwrap(), "ok");
        // killed before the account or its folders were stored: nothing to look at yet
        let store = setup.store();
        let stored = store.accounts().unwrap().first().map(|(id, _)| *id);
        if stored.is_none_or(|id| store.find_folder(id, "INBOX").unwrap().is_none()) {
            continue;
        }
        let local = bodies(&setup, "INBOX");
        let have = local.values().filter(|b| b.is_some()).count();
        assert_eq!(maildir_files(&setup, "INBOX").len(), have, "run {run}: every file is a row's, once");
        eprintln!("run {run}: killed at {have} of {} bodies (at the mark: {hit})", local.len());
        partial.push(have);
    }
    assert!(partial.iter().any(|&n| n > 0 && n < 3000), "some kill landed mid-download: {partial:?}");
    let err = sync_ok(&setup);
    eprintln!("{err}");
    let local = bodies(&setup, "INBOX");
    assert_eq!(local.len(), 3000);
    assert!(local.values().all(Option::is_some), "the mirror is complete");
    assert_eq!(maildir_files(&setup, "INBOX").len(), 3000, "no body twice on disk");
    let mut a = admin(&user).await;
    assert!(!server_messages(&mut a, "INBOX").await.1, "nothing marked read");
}

#[tokio::test]
async fn export_downloads_missing_bodies_or_says_which_it_could_not_have() {
    let user = user("mirrorexport");
    let mut a = admin(&user).await;
    let t = now();
    for i in 0..12 {
        append_at(&mut a, "INBOX", &dated(i, t - i as i64 * 60, 800), t).await;
    }
    let setup = Setup::new(&user, None, "");
    sync_ok(&setup);
    assert!(bodies(&setup, "INBOX").values().all(Option::is_none), "\"opened\" downloads nothing");
    let file = setup.dir.path().join("inbox.mbox");
    let out = setup.poste(&["export", "--account", "test", "--folder", "INBOX", "--mbox", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("exported 12 messages from test/INBOX (12 bodies downloaded)"), "{stdout}");
    let mbox = std::fs::read_to_string(&file).unwrap();
    assert_eq!(mbox.matches("\nSubject: m").count() + usize::from(mbox.starts_with("Subject: m")), 12);
    assert!(!server_messages(&mut a, "INBOX").await.1, "nothing marked read");

    // two more, synced but not downloaded, and then the server cannot be reached
    for i in 12..14 {
        append_at(&mut a, "INBOX", &dated(i, t, 800), t).await;
    }
    sync_ok(&setup);
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let port = format!("port = {}", servers().imaps);
    std::fs::write(&setup.config, text.replace(&port, "port = 1")).unwrap();
    let file = setup.dir.path().join("again.mbox");
    let out = setup.poste(&["export", "--account", "test", "--folder", "INBOX", "--mbox", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("exported 12 messages"));
    assert!(stderr.contains("2 messages were left out: their bodies could not be downloaded"), "{stderr}");
    assert!(stderr.contains(" m12") && stderr.contains(" m13"), "it names them: {stderr}");
}

/// The mirror's throughput and the peak RSS of `poste sync` downloading many bodies (not run
/// by default): `cargo test --release --test mirror -- --ignored --nocapture throughput`,
/// with `POSTE_MIRROR_BENCH_N` messages (default 10,000) of 2–22 KB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn throughput() {
    let n: usize = std::env::var("POSTE_MIRROR_BENCH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let user = user("mirrorbench");
    let t = now();
    let sizes = |i: usize| 2000 + (i * 7919) % 20_000;
    fill_inbox(&user, (0..n).map(|i| dated(i, t - i as i64 * 60, sizes(i))));
    let setup = Setup::new(&user, None, "");
    let timed = |what: &str| {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "rss_kb=%M secs=%e"])
            .arg(env!("CARGO_BIN_EXE_poste"))
            .arg("--config")
            .arg(&setup.config)
            .arg("sync")
            .env("XDG_CACHE_HOME", setup.dir.path().join("cache"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{err}");
        let last = err.lines().last().unwrap_or_default().to_string();
        let field = |k: &str| -> f64 {
            last.split_whitespace().find_map(|f| f.strip_prefix(k)).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        };
        let (rss, secs) = (field("rss_kb="), field("secs="));
        eprintln!("{what}: {secs:.1} s, peak RSS {:.1} MB", rss / 1024.0);
        (secs, rss)
    };
    timed("headers only (offline = \"opened\")");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(&setup.config, text.replace("timeout_secs = 10", "timeout_secs = 10\noffline = \"all\"")).unwrap();
    let (secs, _) = timed("the mirror (offline = \"all\")");
    let local = bodies(&setup, "INBOX");
    assert!(local.values().all(Option::is_some));
    let bytes: usize = local.values().flatten().map(Vec::len).sum();
    eprintln!(
        "{n} bodies, {:.1} MB: {:.0} bodies/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        n as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_opened_during_the_mirror_does_not_wait_for_it() {
    let user = user("mirroropen");
    let t = now();
    fill_inbox(&user, (0..3000).map(|i| dated(i, t - i as i64 * 60, 4000)));
    let setup = Setup::new(&user, None, "offline = \"all\"");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    // the mirror starts after the sync, newest first; the oldest message is last in line
    let oldest = {
        let store = setup.store();
        let q = ListQuery { folder: None, ..Default::default() };
        let rows = store.list(&q, 2999, 1).unwrap();
        assert_eq!(rows[0].subject, "m2999");
        rows[0].id
    };
    wait_for(&mut rx, 60, |e| {
        matches!(e, Event::State { state: poste::model::AccountState::Downloading { .. }, .. }).then_some(())
    })
    .await;
    h.send(poste::account::Command::Open { id: oldest, mark_seen: false });
    let mut mirror_done = false;
    wait_for(&mut rx, 60, |e| match e {
        Event::Body { id, .. } if *id == oldest => Some(()),
        Event::MirrorDone { .. } => {
            mirror_done = true;
            None
        }
        _ => None,
    })
    .await;
    assert!(!mirror_done, "the opened body came before the mirror ended");
    let done = wait_for(&mut rx, 120, |e| match e {
        Event::MirrorDone { downloaded, missing, error, .. } => Some((*downloaded, missing.len(), error.clone())),
        _ => None,
    })
    .await;
    assert_eq!(done.1, 0);
    assert_eq!(done.2, None);
    assert!(done.0 >= 2999, "{done:?}");
    h.shutdown().await;
    assert_eq!(maildir_files(&setup, "INBOX").len(), 3000, "the opened body is not stored twice");
}
