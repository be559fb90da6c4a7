//! Two poste processes on one data dir, against the real Dovecot and Postfix: two syncs at
//! once, a queued Outbox and a queued move of 500 replayed by two syncs, a UI with a sync
//! beside it, a second UI, and two processes opening a new store. Every round ends with
//! nothing lost, nothing stored or sent twice, and the store exactly matching the server.

mod common;

use common::tmux::Tmux;
use common::*;
use futures::TryStreamExt;
use poste::store::ListQuery;
use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};

const ROUNDS: usize = 20;

/// Starts the poste binary with `setup`'s config without waiting for it.
fn spawn(setup: &Setup, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_poste"))
        .arg("--config")
        .arg(&setup.config)
        .args(args)
        .env("XDG_CACHE_HOME", setup.dir.path().join("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs two copies of a command at once; both must succeed. Returns their stderr.
fn twice_at_once(setup: &Setup, args: &[&str]) -> (String, String) {
    let (a, b) = (spawn(setup, args), spawn(setup, args));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let (ea, eb) = (String::from_utf8_lossy(&a.stderr).to_string(), String::from_utf8_lossy(&b.stderr).to_string());
    assert!(a.status.success() && b.status.success(), "{args:?} failed:\n{ea}\n---\n{eb}");
    (ea, eb)
}

/// Every Maildir file of the data dir's folders has its row and every row its file, and
/// the index is sound. Returns the number of message files.
fn store_is_whole(setup: &Setup) -> usize {
    let store = setup.store();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let rows: BTreeSet<std::path::PathBuf> = store
        .list(&ListQuery::default(), 0, 1_000_000)
        .unwrap()
        .iter()
        .filter_map(|m| store.message(m.id).unwrap().path)
        .collect();
    for p in &rows {
        assert!(setup.data.join(p).exists(), "row without its file: {p:?}");
    }
    let files: BTreeSet<std::path::PathBuf> = data_files(&setup.data.join("mail"))
        .into_iter()
        .filter(|p| p.parent().and_then(|d| d.file_name()).is_some_and(|d| d == "cur" || d == "new"))
        .map(|p| p.strip_prefix(&setup.data).unwrap().to_path_buf())
        .collect();
    assert_eq!(files, rows, "the Maildirs hold exactly the indexed messages");
    files.len()
}

/// (UID, subject) of a folder as another client sees it.
async fn server_folder(a: &mut Admin, folder: &str) -> BTreeSet<(u32, String)> {
    if a.select(folder).await.unwrap().exists == 0 {
        return BTreeSet::new();
    }
    let f: Vec<_> = a.uid_fetch("1:*", "(UID ENVELOPE)").await.unwrap().try_collect().await.unwrap();
    f.iter()
        .filter_map(|m| {
            let s = m.envelope()?.subject.as_deref().map(|s| String::from_utf8_lossy(s).to_string())?;
            Some((m.uid?, s))
        })
        .collect()
}

/// (UID, subject) of a folder as the store has it.
fn store_folder(setup: &Setup, folder: &str) -> BTreeSet<(u32, String)> {
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let f = store.find_folder(acct, folder).unwrap().unwrap();
    store
        .list(&ListQuery { folder: Some(f.id), ..Default::default() }, 0, 1_000_000)
        .unwrap()
        .into_iter()
        .map(|m| (m.uid, m.subject))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pop3_syncs_at_once_download_everything_once() {
    let user = user("twosync");
    let mut a = admin(&user).await;
    let setup = Setup::new(&user, None, "");
    setup.pop3(servers().pop3s, "");
    let mut want = Vec::new();
    for round in 0..ROUNDS {
        // one large message makes the two passes overlap
        let mut big = message(round * 10, &format!("r{round} big"), "Mon, 02 Nov 2026 10:00:00 +0000");
        big.extend(
            std::iter::repeat_n(b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", 32_000)
                .flatten(),
        );
        let mut batch = vec![big];
        for i in 1..4 {
            batch.push(message(round * 10 + i, &format!("r{round} m{i}"), "Mon, 02 Nov 2026 10:00:00 +0000"));
            want.push(format!("r{round} m{i}"));
        }
        want.push(format!("r{round} big"));
        fill_inbox(&user, batch.into_iter());
        twice_at_once(&setup, &["sync"]);
        want.sort();
        let log = || std::fs::read_to_string(setup.dir.path().join("cache/poste/poste.log")).unwrap_or_default();
        assert_eq!(setup.subjects("post", "INBOX"), want, "round {round}: each message stored once\n{}", log());
        assert_eq!(a.select("INBOX").await.unwrap().exists, 0, "round {round}: deleted on the server once stored");
        assert_eq!(store_is_whole(&setup), want.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_outbox_with_two_syncs_beside_it_is_sent_once() {
    let user = user("twoout");
    let rcpt = user.replace("twoout", "twoout-rcpt");
    let mut inbox = admin(&rcpt).await;
    let setup = Setup::new(&user, None, "");
    let proxy = proxy::Proxy::start(servers().submission).await;
    setup.smtp(Some(proxy.port), "");
    assert!(setup.poste(&["sync"]).status.success());
    for round in 0..ROUNDS {
        proxy.stop();
        let file = setup.dir.path().join(format!("m{round}.eml"));
        std::fs::write(
            &file,
            format!("From: {user}\r\nTo: {rcpt}\r\nSubject: once {round}\r\nMessage-ID: <once{round}@x>\r\n\r\nhi\r\n"),
        )
        .unwrap();
        let out = setup.poste(&["send", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(75), "kept in the Outbox: {}", String::from_utf8_lossy(&out.stderr));
        proxy.resume();
        twice_at_once(&setup, &["sync"]);
    }
    // every message arrives once, and no second copy follows
    let got = wait_messages(&mut inbox, "INBOX", ROUNDS).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let got = if got.len() == ROUNDS { wait_messages(&mut inbox, "INBOX", ROUNDS).await } else { got };
    let mut subjects: Vec<String> = got
        .iter()
        .filter_map(|(raw, _)| {
            String::from_utf8_lossy(raw).lines().find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
        })
        .collect();
    subjects.sort();
    let mut want: Vec<String> = (0..ROUNDS).map(|r| format!("once {r}")).collect();
    want.sort();
    assert_eq!(subjects, want, "each message delivered exactly once");
    let mut sender = admin(&user).await;
    let sent = server_folder(&mut sender, "Sent").await;
    assert_eq!(sent.len(), ROUNDS, "one Sent copy each: {sent:?}");
    let store = setup.store();
    assert!(store.outbox_items(store.accounts().unwrap()[0].0).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_move_of_500_replayed_by_two_syncs_leaves_no_ghosts() {
    let user = user("twomove");
    fill_inbox(&user, (0..500).map(|i| message(i, &format!("mv{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")));
    let mut a = admin(&user).await;
    a.create("Archive").await.unwrap();
    let proxy = proxy::Proxy::start(servers().imaps).await;
    let setup = Setup::new(&user, Some(proxy.port), "");
    assert!(setup.poste(&["sync"]).status.success());
    for round in 0..ROUNDS {
        let (from, to) = if round % 2 == 0 { ("INBOX", "Archive") } else { ("Archive", "INBOX") };
        let ids: Vec<String> = {
            let store = setup.store();
            let acct = store.accounts().unwrap()[0].0;
            let f = store.find_folder(acct, from).unwrap().unwrap();
            let q = ListQuery { folder: Some(f.id), ..Default::default() };
            store.list(&q, 0, 1000).unwrap().into_iter().map(|m| m.id.to_string()).collect()
        };
        assert_eq!(ids.len(), 500, "round {round}");
        proxy.stop();
        let mut args = vec!["move"];
        args.extend(ids.iter().map(String::as_str));
        args.extend(["--to", to]);
        let out = setup.poste(&args);
        assert!(String::from_utf8_lossy(&out.stderr).contains("queued"), "{}", String::from_utf8_lossy(&out.stderr));
        proxy.resume();
        twice_at_once(&setup, &["sync"]);
        for folder in ["INBOX", "Archive"] {
            assert_eq!(store_folder(&setup, folder), server_folder(&mut a, folder).await, "round {round}: {folder}");
        }
        assert_eq!(server_folder(&mut a, to).await.len(), 500);
        assert_eq!(setup.store().pending_count(setup.store().accounts().unwrap()[0].0).unwrap(), 0);
        store_is_whole(&setup);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ui_with_a_sync_beside_it_and_a_second_ui() {
    let user = user("uiside");
    let setup = Setup::new(&user, None, "");
    setup.pop3(servers().pop3s, "");
    let ui = Tmux::start("uiside", &setup);
    ui.wait("INBOX", 20);
    // a second UI on the same data dir is refused, and says who has it
    let second = setup.poste(&[]);
    assert!(!second.status.success());
    let text = String::from_utf8_lossy(&second.stderr);
    assert!(text.contains("poste is already running on") && text.contains("(pid "), "{text}");
    let mut a = admin(&user).await;
    let mut want = Vec::new();
    for round in 0..ROUNDS {
        let batch: Vec<Vec<u8>> = (0..3)
            .map(|i| message(round * 3 + i, &format!("u{round}-{i}"), "Mon, 02 Nov 2026 10:00:00 +0000"))
            .collect();
        want.extend((0..3).map(|i| format!("u{round}-{i}")));
        want.sort();
        fill_inbox(&user, batch.into_iter());
        // the UI syncs (R) while `poste sync` hands its pass to the UI's worker
        ui.keys(&["R"]);
        let out = setup.poste(&["sync"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while setup.subjects("post", "INBOX") != want || a.select("INBOX").await.unwrap().exists > 0 {
            assert!(std::time::Instant::now() < deadline, "round {round}: {:?}", setup.subjects("post", "INBOX"));
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
    ui.keys(&["q", "q"]);
    ui.wait_until("poste to quit", 10, |s| !s.contains("INBOX"));
    // the UI lets go of the data dir as it exits
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while poste::instance::DataDir::lock(&setup.data).is_err() {
        assert!(std::time::Instant::now() < deadline, "the UI still holds the data dir");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    setup.recover();
    assert_eq!(store_is_whole(&setup), want.len());
}

#[test]
fn two_processes_create_a_new_store_at_once() {
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("c.toml");
        std::fs::write(
            &cfg,
            format!(
                "data_dir = {:?}\n[[accounts]]\nname = \"local\"\nemail = \"me@x\"\nprotocol = \"imap\"\n\
                 [accounts.imap]\nhost = \"127.0.0.1\"\nport = 1\nusername = \"me\"\npassword_command = \"echo x\"\n",
                dir.path().join(format!("data{round}"))
            ),
        )
        .unwrap();
        let run = || {
            Command::new(env!("CARGO_BIN_EXE_poste"))
                .arg("--config")
                .arg(&cfg)
                .arg("list")
                .env("XDG_CACHE_HOME", dir.path().join("cache"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let children: Vec<Child> = (0..3).map(|_| run()).collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_waits_for_a_command_that_holds_the_data_dir() {
    let user = user("uiwait");
    let setup = Setup::new(&user, None, "");
    // a sync that holds the data dir for a few seconds: its password takes that long
    let cfg = std::fs::read_to_string(&setup.config).unwrap().replace("echo secret", "sleep 4; echo secret");
    std::fs::write(&setup.config, cfg).unwrap();
    let sync = spawn(&setup, &["sync"]);
    std::thread::sleep(std::time::Duration::from_millis(700));
    let ui = Tmux::start("uiwait", &setup);
    ui.wait("the UI starts when it is done", 10);
    let out = sync.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    ui.wait("INBOX", 30);
    ui.keys(&["q", "q"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_dir_too_long_for_a_socket_still_works_alone() {
    let user = user("longdir");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "far away", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    let long = setup
        .dir
        .path()
        .join("a-directory-name-long-enough-that-no-unix-socket-path-fits-in-sockaddr-un-at-all")
        .join("data");
    let cfg =
        std::fs::read_to_string(&setup.config).unwrap().replace(&format!("{:?}", setup.data), &format!("{long:?}"));
    std::fs::write(&setup.config, cfg).unwrap();
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = setup.poste(&["list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("far away"));
}
