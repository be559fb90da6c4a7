//! POP3 accounts end to end against Dovecot: `poste sync` downloads into the local store
//! and deletes on the server as the policy says.

mod common;

use common::*;
use poste::account::Event;
use poste::model::MessageId;
use poste::store::ListQuery;

fn pop3_config(setup: &Setup, extra: &str) {
    setup.pop3(servers().pop3s, extra);
}

async fn server_count(a: &mut Admin) -> u32 {
    a.select("INBOX").await.unwrap().exists
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_and_delete_leaves_the_server_empty_and_the_store_complete() {
    let user = user("popdl");
    let mut a = admin(&user).await;
    for i in 0..3 {
        append(&mut a, "INBOX", &message(i, &format!("p{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "");
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(setup.subjects("post", "INBOX"), ["p0", "p1", "p2"]);
    assert_eq!(server_count(&mut a).await, 0);
    // the local copies are real Maildir files, readable offline
    let store = setup.store();
    let all = store.list(&ListQuery::default(), 0, 10).unwrap();
    let raw = store.body(all[0].id).unwrap().expect("stored");
    assert!(String::from_utf8_lossy(&raw).contains("Body of message"));
    // local folders exist for sorting
    let acct = store.accounts().unwrap().into_iter().find(|(_, n)| n == "post").unwrap().0;
    let names: Vec<_> = store.folders(acct).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["INBOX", "Drafts", "Sent", "Trash"]);
    // nothing new: a second sync changes nothing
    let out = setup.poste(&["sync"]);
    assert!(out.status.success());
    assert_eq!(setup.subjects("post", "INBOX").len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_on_server_downloads_each_message_once() {
    let user = user("popleave");
    let mut a = admin(&user).await;
    for i in 0..2 {
        append(&mut a, "INBOX", &message(i, &format!("l{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "leave_on_server = true");
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(setup.subjects("post", "INBOX"), ["l0", "l1"]);
    assert_eq!(server_count(&mut a).await, 2);
    append(&mut a, "INBOX", &message(5, "l5", "Mon, 02 Nov 2026 11:00:00 +0000")).await;
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(setup.subjects("post", "INBOX"), ["l0", "l1", "l5"], "only the new one was downloaded");
    assert_eq!(server_count(&mut a).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_config_mistakes_and_bad_credentials_are_clear() {
    let user = user("popbad");
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "delete_after_days = 30");
    let out = setup.poste(&["sync"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("leave_on_server"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pop3_config(&setup, "");
    let t = std::fs::read_to_string(&setup.config).unwrap().replace("echo secret", "echo wrong");
    std::fs::write(&setup.config, t).unwrap();
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("poste: account post:") && err.contains("login"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_when_deleted_locally_sends_dele_at_the_next_sync() {
    let user = user("popdel");
    let mut a = admin(&user).await;
    for i in 0..2 {
        append(&mut a, "INBOX", &message(i, &format!("d{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "leave_on_server = true\ndelete_when_deleted_locally = true");
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 2);
    let store = setup.store();
    let id = store.list(&ListQuery::default(), 0, 10).unwrap().into_iter().find(|m| m.subject == "d0").unwrap().id;
    // to the local Trash first: the server copy stays
    let out = setup.poste(&["delete", &id.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(setup.subjects("post", "INBOX"), ["d1"]);
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 2, "still in the local Trash");
    // emptied from Trash: gone here, and from the server at the next sync
    let out = setup.poste(&["delete", &id.to_string(), "--yes"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 1);
    assert_eq!(setup.subjects("post", "INBOX"), ["d1"], "and it is not downloaded again");
}

fn digest(raw: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // Dovecot may normalise line endings; compare on content lines
    String::from_utf8_lossy(raw).replace("\r\n", "\n").hash(&mut h);
    h.finish()
}

async fn server_digests(a: &mut Admin) -> Vec<u64> {
    use futures::TryStreamExt;
    let n = a.select("INBOX").await.unwrap().exists;
    if n == 0 {
        return Vec::new();
    }
    let f: Vec<_> = a.fetch("1:*", "BODY.PEEK[]").await.unwrap().try_collect().await.unwrap();
    f.iter().filter_map(|m| m.body().map(digest)).collect()
}

fn local_digests(setup: &Setup) -> Vec<u64> {
    // what the next start finishes first: files that reached cur/ before their rows
    setup.recover();
    let store = setup.store();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let digests: Vec<u64> = store
        .list(&ListQuery::default(), 0, 100_000)
        .unwrap()
        .iter()
        .map(|m| digest(&store.body(m.id).unwrap().expect("every stored row has its file")))
        .collect();
    // and every message file other Maildir tools see has its row (tmp/ is not seen)
    let inbox = setup.data.join("mail/post/INBOX");
    let files: usize =
        ["cur", "new"].iter().map(|d| std::fs::read_dir(inbox.join(d)).map(|r| r.count()).unwrap_or(0)).sum();
    assert_eq!(files, digests.len(), "the Maildir holds exactly the indexed messages");
    digests
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_any_moment_loses_and_duplicates_nothing() {
    let user = user("popkill");
    let originals: Vec<Vec<u8>> =
        (0..300).map(|i| message(i, &format!("k{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).collect();
    fill_inbox(&user, originals.iter().cloned());
    let want: std::collections::HashSet<u64> = originals.iter().map(|m| digest(m)).collect();
    let mut a = admin(&user).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "");
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    for run in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = std::time::Duration::from_millis(20 + seed % 300);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poste"))
            .arg("--config")
            .arg(&setup.config)
            .arg("sync")
            .env("XDG_CACHE_HOME", setup.dir.path().join("cache"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Dovecot ends the killed session without QUIT: nothing marked is deleted
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let local = local_digests(&setup);
        let unique: std::collections::HashSet<u64> = local.iter().copied().collect();
        eprintln!("run {run}: killed after {delay:?}, {} stored", local.len());
        assert_eq!(unique.len(), local.len(), "run {run}: a message is stored twice");
        let server: std::collections::HashSet<u64> = server_digests(&mut a).await.into_iter().collect();
        let missing = want.iter().filter(|d| !unique.contains(d) && !server.contains(d)).count();
        assert_eq!(missing, 0, "run {run}: {missing} messages are neither on the server nor stored");
    }
    // a sync left to finish completes the move
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let local: std::collections::HashSet<u64> = local_digests(&setup).into_iter().collect();
    assert_eq!(local, want);
    assert!(server_digests(&mut a).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_after_days_deletes_only_the_old_ones() {
    let user = user("popdays");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(0, "old", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "leave_on_server = true\ndelete_after_days = 30");
    // downloaded 40 days ago
    assert!(setup.poste_with(&["sync"], &[("POSTE_CLOCK_OFFSET_DAYS", "-40")]).status.success());
    append(&mut a, "INBOX", &message(1, "new", "Mon, 02 Nov 2026 11:00:00 +0000")).await;
    // downloaded today; the old one is past 30 days now
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(setup.subjects("post", "INBOX"), ["new", "old"]);
    assert_eq!(server_count(&mut a).await, 1, "only the old one left the server");
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 1);
    // 31 days on, the new one goes too
    assert!(setup.poste_with(&["sync"], &[("POSTE_CLOCK_OFFSET_DAYS", "31")]).status.success());
    assert_eq!(server_count(&mut a).await, 0);
    assert_eq!(setup.subjects("post", "INBOX"), ["new", "old"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_message_size_gives_a_partial_message_then_the_full_one() {
    let user = user("poppartial");
    let mut a = admin(&user).await;
    let mut big = message(1, "big one", "Mon, 02 Nov 2026 10:00:00 +0000");
    for i in 0..1000 {
        big.extend_from_slice(format!("line {i} of a message larger than the limit\r\n").as_bytes());
    }
    append(&mut a, "INBOX", &big).await;
    append(&mut a, "INBOX", &message(2, "small one", "Mon, 02 Nov 2026 11:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "max_message_size = \"10K\"");
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Downloading 2/2 ("),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(setup.subjects("post", "INBOX"), ["big one", "small one"]);
    assert_eq!(server_count(&mut a).await, 1, "the small one is deleted, the partial one kept");
    let store = setup.store();
    let m = store.list(&ListQuery::default(), 0, 10).unwrap().into_iter().find(|m| m.subject == "big one").unwrap();
    assert!(m.partial);
    assert_eq!(m.size as usize, big.len(), "the size on the server");
    let head = store.body(m.id).unwrap().unwrap();
    assert!(head.len() < 2000 && String::from_utf8_lossy(&head).contains("Subject: big one"));
    // a second sync neither downloads it again nor deletes it
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 1);
    assert_eq!(setup.subjects("post", "INBOX").len(), 2);

    let (h, mut rx) = setup.worker();
    h.send(poste::account::Command::FetchFull(m.id));
    let raw = wait_for(&mut rx, 60, |e| match e {
        Event::Body { id, raw } if *id == m.id => Some(raw.clone()),
        _ => None,
    })
    .await;
    assert!(raw.as_slice() == big.as_slice(), "the whole message, byte for byte");
    wait_for(&mut rx, 60, |e| matches!(e, Event::SyncDone { .. }).then_some(())).await;
    h.shutdown().await;
    let m = store.message(m.id).unwrap();
    assert!(!m.summary.partial);
    assert_eq!(store.body(m.summary.id).unwrap().unwrap(), big);
    assert_eq!(server_count(&mut a).await, 0, "deleted on the server once whole");
    assert_eq!(setup.subjects("post", "INBOX").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_a_pop3_account() {
    let user = user("popcheck");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "c", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "apop = true");
    let out = setup.poste(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("post: ok:") && text.contains("(APOP)"), "{text}");
    assert!(text.contains("1 message (") && text.contains("UIDL"), "{text}");
    assert!(text.contains("local mail:"), "{text}");
    let t = std::fs::read_to_string(&setup.config).unwrap().replace("echo secret", "echo wrong");
    std::fs::write(&setup.config, t).unwrap();
    let out = setup.poste(&["check"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("post: FAILED"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poste_read_downloads_a_partial_message_whole_over_stls() {
    let user = user("popreadfull");
    let mut a = admin(&user).await;
    let mut big = message(1, "large", "Mon, 02 Nov 2026 10:00:00 +0000");
    big.extend_from_slice("x".repeat(5000).as_bytes());
    big.extend_from_slice(b"\r\n");
    append(&mut a, "INBOX", &big).await;
    let setup = Setup::new(&user, None, "");
    setup.pop3(servers().pop3, "tls = \"starttls\"\nmax_message_size = 2000");
    assert!(setup.poste(&["sync"]).status.success());
    let id = setup.store().list(&ListQuery::default(), 0, 10).unwrap()[0].id;
    assert!(setup.store().message(id).unwrap().summary.partial);
    let out = setup.poste(&["read", "--raw", &id.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout == big, "the whole message");
    assert!(!setup.store().message(id).unwrap().summary.partial);
    assert_eq!(server_count(&mut a).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_set_by_another_maildir_tool_are_followed_and_kept() {
    use poste::account::{Action, Command};
    use poste::model::Flags;
    let user = user("popmutt");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(0, "read in mutt", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "");
    assert!(setup.poste(&["sync"]).status.success());
    let (id, path) = {
        let store = setup.store();
        let m = store.list(&ListQuery::default(), 0, 1).unwrap().remove(0);
        (m.id, store.message(m.id).unwrap().path.unwrap())
    };
    // mutt reads and flags it: the file is renamed to :2,FS
    let file = setup.data.join(&path);
    let renamed = file.to_string_lossy().replace(":2,", ":2,FS");
    std::fs::rename(&file, &renamed).unwrap();
    let (h, mut rx) = setup.worker();
    // the worker follows it when it starts (and every few seconds while the folder is open)
    wait_for(&mut rx, 20, |e| matches!(e, Event::Changed { .. }).then_some(())).await;
    assert_eq!(setup.store().message(id).unwrap().summary.flags, Flags(Flags::SEEN | Flags::FLAGGED));
    // and while the folder is open: mutt marks it answered too
    let inbox = setup.store().message(id).unwrap().summary.folder;
    h.send(Command::Watch(inbox));
    let again = renamed.replace(":2,FS", ":2,FRS");
    std::fs::rename(&renamed, &again).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !setup.store().message(id).unwrap().summary.flags.has(Flags::ANSWERED) {
        assert!(std::time::Instant::now() < deadline, "the rename while open was not followed");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // `!` here takes the flag off; the Seen set there stays
    h.send(Command::Act(Action::Flags { ids: vec![id], add: Flags(0), remove: Flags(Flags::FLAGGED) }));
    wait_for(&mut rx, 20, |e| matches!(e, Event::Pending { settled: true, .. }).then_some(())).await;
    let now = setup.store().message(id).unwrap();
    assert_eq!(now.summary.flags, Flags(Flags::SEEN | Flags::ANSWERED));
    assert!(now.path.unwrap().to_string_lossy().ends_with(":2,RS"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_read_by_opening_it_stays_read_in_its_file() {
    use poste::account::Command;
    let user = user("popopen");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(0, "open me", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "");
    assert!(setup.poste(&["sync"]).status.success());
    let id = setup.store().list(&ListQuery::default(), 0, 1).unwrap()[0].id;
    let (h, mut rx) = setup.worker();
    h.send(Command::Open { id, mark_seen: true });
    wait_for(&mut rx, 20, |e| matches!(e, Event::Flags { flags, .. } if flags.is_seen()).then_some(())).await;
    h.shutdown().await;
    let path = setup.store().message(id).unwrap().path.unwrap();
    assert!(path.to_string_lossy().ends_with(":2,S"), "{path:?}");
    // and a restart, which reads the Maildir again, keeps it read
    let (h, mut rx) = setup.worker();
    wait_for(&mut rx, 20, |e| matches!(e, Event::Outbox { .. }).then_some(())).await;
    assert!(setup.store().message(id).unwrap().summary.flags.is_seen());
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_a_local_folder_read_and_undoing_it_renames_the_files_back() {
    use poste::account::{Action, Command};
    let user = user("popmarkundo");
    let mut a = admin(&user).await;
    for i in 0..2 {
        append(&mut a, "INBOX", &message(i, &format!("p{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "");
    assert!(setup.poste(&["sync"]).status.success());
    let ids: Vec<MessageId> = setup.store().list(&ListQuery::default(), 0, 10).unwrap().iter().map(|m| m.id).collect();
    let inbox = setup.store().message(ids[0]).unwrap().summary.folder;
    let files = || -> Vec<String> {
        let store = setup.store();
        ids.iter().map(|id| store.message(*id).unwrap().path.unwrap().to_string_lossy().into_owned()).collect()
    };
    let (h, _rx) = setup.worker();
    h.send(Command::Act(Action::MarkFolderRead { folder: inbox }));
    files_until(&files, "marked read", |f| f.iter().all(|p| p.ends_with(":2,S"))).await;
    h.send(Command::Act(Action::Undo));
    files_until(&files, "marked unread again", |f| f.iter().all(|p| p.ends_with(":2,"))).await;
    assert_eq!(setup.store().folder(inbox).unwrap().unread, 2);
    h.shutdown().await;
}

/// Waits until the message files are as `ok` wants them.
async fn files_until(files: &dyn Fn() -> Vec<String>, what: &str, ok: impl Fn(&[String]) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !ok(&files()) {
        assert!(std::time::Instant::now() < deadline, "never {what}: {:?}", files());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_mail_is_downloaded_every_poll_interval_without_asking() {
    let user = user("poppoll");
    let mut a = admin(&user).await;
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, "poll_interval = 10");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    append(&mut a, "INBOX", &message(1, "arrived later", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    // no Sync is sent: the account's own poll brings it within the interval
    let started = std::time::Instant::now();
    wait_for(&mut rx, 30, |e| matches!(e, Event::SyncDone { error: None, .. }).then_some(())).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(25), "{:?}", started.elapsed());
    assert_eq!(setup.subjects("post", "INBOX"), ["arrived later"]);
    h.shutdown().await;
}
