//! End to end: the real binary in tmux against the real Dovecot: it lists, opens and reads a
//! message, quits, and leaves the terminal as it found it.

mod common;

use common::tmux::Tmux;
use common::*;
use std::process::Command;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_open_read_quit_in_tmux() {
    let user = user("tmux");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "An older message", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let newest = b"From: Tess Mux <tess@example.com>\r\nTo: you@example.org\r\nSubject: Hello from tmux\r\n\
Date: Wed, 04 Nov 2026 10:00:00 +0000\r\nMessage-ID: <tmux@example.com>\r\n\r\nThe tmux body line.\r\n";
    append(&mut a, "INBOX", newest).await;
    let setup = Setup::new(&user, None, "");
    let stty = setup.dir.path().join("stty.txt");
    let tmux = Tmux { socket: format!("poste-e2e-{}", std::process::id()) };
    let cmd = format!(
        "stty -a > {before:?}; env XDG_CACHE_HOME={cache:?} {bin:?} --config {cfg:?}; echo POSTE-EXIT=$?; stty -a > {after:?}; sleep 60",
        before = setup.dir.path().join("stty-before.txt"),
        cache = setup.dir.path().join("cache"),
        bin = env!("CARGO_BIN_EXE_poste"),
        cfg = setup.config,
        after = stty,
    );
    tmux.run(&["new-session", "-d", "-s", "poste", "-x", "110", "-y", "32", &cmd]);

    // the list fills from the server
    let s = tmux.wait("Hello from tmux", 30);
    assert!(s.contains("An older message"), "{s}");
    assert!(s.contains("test"), "{s}");
    tmux.wait("test:online", 30);
    // open the newest (first) message: it is fetched and shown below the list
    tmux.keys(&["Enter"]);
    let s = tmux.wait("The tmux body line.", 20);
    assert!(s.contains("From: Tess Mux <tess@example.com>"), "{s}");
    // full screen, then back out and quit
    tmux.keys(&["Enter"]);
    let s = tmux.wait_until("full screen", 5, |s| !s.contains("An older message"));
    assert!(s.contains("The tmux body line."), "{s}");
    // full screen marks it read; once the server has it, nothing is left to ask about
    until(&mut a, "INBOX", "the opened message read", |v| v.iter().any(|(s, seen)| s == "Hello from tmux" && *seen))
        .await;
    tmux.wait_until("nothing pending", 10, |s| !s.contains("pending"));
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    let s = tmux.wait("POSTE-EXIT=", 10);
    assert!(s.contains("POSTE-EXIT=0"), "{s}");
    assert!(!s.contains("Folders"), "the alternate screen was left:\n{s}");
    // the terminal modes are back to what they were
    let start = Instant::now();
    while !stty.exists() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    let before = std::fs::read_to_string(setup.dir.path().join("stty-before.txt")).unwrap();
    let after = std::fs::read_to_string(&stty).unwrap();
    assert_eq!(before, after, "stty settings changed");
    assert!(after.contains(" icanon") && after.contains(" echo "), "{after}");

    // opening it marked it read on the server
    assert!(seen_on_server(&mut a, "INBOX", 2).await);
}

#[test]
fn sigterm_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.txt");
    let after = dir.path().join("after.txt");
    let tmux = Tmux { socket: format!("poste-term-{}", std::process::id()) };
    let cmd = format!(
        "stty -a > {before:?}; env XDG_CACHE_HOME={cache:?} {bin:?} --demo; echo POSTE-EXIT=$?; stty -a > {after:?}; sleep 60",
        cache = dir.path().join("cache"),
        bin = env!("CARGO_BIN_EXE_poste"),
    );
    tmux.run(&["new-session", "-d", "-s", "poste", "-x", "100", "-y", "30", &cmd]);
    tmux.wait("All inboxes", 20);
    let status = Command::new("kill").args(["-TERM", &tmux.poste_pid()]).status().unwrap();
    assert!(status.success());
    let s = tmux.wait("POSTE-EXIT=", 10);
    assert!(!s.contains("Folders"), "the alternate screen was left:\n{s}");
    let start = Instant::now();
    while !after.exists() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(std::fs::read_to_string(&before).unwrap(), std::fs::read_to_string(&after).unwrap());
}

/// Subjects in a server folder, as another client sees them.
async fn server_subjects(a: &mut Admin, folder: &str) -> Vec<(String, bool)> {
    use futures::TryStreamExt;
    a.select(folder).await.unwrap();
    let f: Vec<_> = a.uid_fetch("1:*", "(FLAGS ENVELOPE)").await.unwrap().try_collect().await.unwrap();
    let mut v: Vec<(String, bool)> = f
        .iter()
        .filter_map(|m| {
            let s = m.envelope()?.subject.as_deref().map(|s| String::from_utf8_lossy(s).to_string())?;
            Some((s, m.flags().any(|f| f == async_imap::types::Flag::Seen)))
        })
        .collect();
    v.sort();
    v
}

/// Polls the server until `ok` holds.
async fn until(a: &mut Admin, folder: &str, what: &str, ok: impl Fn(&[(String, bool)]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = server_subjects(a, folder).await;
        if ok(&v) {
            return;
        }
        assert!(Instant::now() < deadline, "the server never showed {what}: {folder} has {v:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_undo_move_and_mark_read_reach_the_server() {
    let user = user("tmuxact");
    let mut a = admin(&user).await;
    for i in 0..4 {
        append(&mut a, "INBOX", &message(i, &format!("tm{i}"), &format!("Mon, 02 Nov 2026 10:0{i}:00 +0000"))).await;
    }
    let setup = Setup::new(&user, None, "");
    let tmux = Tmux::start("act", &setup);
    tmux.wait("tm3", 30);
    tmux.wait("test:online", 30);
    let has = |v: &[(String, bool)], s: &str| v.iter().any(|x| x.0 == s);

    // d: the newest message goes to Trash
    tmux.keys(&["d"]);
    until(&mut a, "Trash", "tm3 in Trash", |v| has(v, "tm3")).await;
    until(&mut a, "INBOX", "tm3 gone from INBOX", |v| !has(v, "tm3")).await;
    // u: and comes back
    tmux.keys(&["u"]);
    until(&mut a, "INBOX", "tm3 back in INBOX", |v| has(v, "tm3")).await;
    until(&mut a, "Trash", "an empty Trash", |v| v.is_empty()).await;
    tmux.wait_until("tm3 listed again", 10, |s| s.contains("tm3"));
    // m: move the message under the cursor with the picker
    tmux.keys(&["g", "m"]);
    tmux.wait("Move to", 5);
    tmux.keys(&["a", "r", "c", "h"]);
    tmux.keys(&["Enter"]);
    until(&mut a, "Archive", "a message in Archive", |v| v.len() == 1).await;
    // N: mark the (new) first message read
    tmux.wait_until("three left", 10, |s| s.contains("1/3"));
    tmux.keys(&["g", "N"]);
    until(&mut a, "INBOX", "a message marked read", |v| v.iter().filter(|x| x.1).count() == 1).await;
    let inbox = server_subjects(&mut a, "INBOX").await;
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    tmux.keys(&["q", "q", "q"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_sync_read_move_to_a_new_folder_and_read_offline() {
    let user = user("tmuxpop");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "Older post", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let newest = b"From: Polly Pop <polly@example.com>\r\nTo: you@example.org\r\nSubject: Postcard\r\n\
Date: Wed, 04 Nov 2026 10:00:00 +0000\r\nMessage-ID: <postcard@example.com>\r\n\r\nWish you were here.\r\n";
    append(&mut a, "INBOX", newest).await;
    // the POP3 server is reached through a proxy, so the test can take it away
    let proxy = proxy::Proxy::start(servers().pop3s).await;
    let setup = Setup::new(&user, None, "");
    setup.pop3(proxy.port, "");
    let tmux = Tmux::start("pop", &setup);

    // downloaded into the local Inbox, and deleted on the server
    let s = tmux.wait("Postcard", 30);
    assert!(s.contains("Older post"), "{s}");
    tmux.wait("post:online", 30);
    assert_eq!(a.select("INBOX").await.unwrap().exists, 0);
    // read it
    tmux.keys(&["Enter"]);
    let s = tmux.wait("Wish you were here.", 10);
    assert!(s.contains("From: Polly Pop <polly@example.com>"), "{s}");
    // a new local folder, from the folder pane
    tmux.keys(&["h", "h"]);
    tmux.keys(&["n"]);
    tmux.wait("New folder", 5);
    tmux.keys(&["-l", "Postcards"]);
    tmux.keys(&["Enter"]);
    tmux.wait("Postcards", 5);
    // back to the list: move the newest message there with the picker
    tmux.keys(&["Tab", "g", "m"]);
    tmux.wait("Move to", 5);
    tmux.keys(&["-l", "Postc"]);
    tmux.keys(&["Enter"]);
    tmux.wait_until("the Inbox without the postcard", 10, |s| !s.contains("Postcard ") && s.contains("Older post"));
    let moved = setup.data.join("mail/post/Postcards/cur");
    assert_eq!(std::fs::read_dir(&moved).map(|d| d.count()).unwrap_or(0), 1, "the file moved with it");

    // the server goes away; the mail stays readable
    proxy.stop();
    tmux.keys(&["R"]);
    tmux.wait("post:offline", 30);
    // the new folder is the last one of the folder pane
    tmux.keys(&["h", "h", "G", "Enter"]);
    // (the list is read off the UI task: its rows may come a moment after its title)
    tmux.wait_until("Postcards with the postcard", 10, |s| s.contains("post: Postcards") && s.contains("Polly Pop"));
    tmux.keys(&["Enter"]);
    tmux.wait("Wish you were here.", 10);
    tmux.keys(&["q", "q", "q", "q"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_with_an_external_editor_and_send() {
    let me = user("tmuxreply");
    let other = user("tmuxother");
    let mut a = admin(&me).await;
    let original = format!(
        "From: Olga Other <{other}>\r\nTo: {me}\r\nSubject: Lunch on Friday?\r\n\
         Date: Wed, 04 Nov 2026 10:00:00 +0000\r\nMessage-ID: <lunch@example.org>\r\n\r\nShall we meet at noon?\r\n"
    );
    append(&mut a, "INBOX", original.as_bytes()).await;
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let editor = common::tmux::answering_editor(setup.dir.path(), "Noon is perfect, see you there.");
    let tmux = Tmux::start_env("reply", &setup, &format!("EDITOR={} VISUAL=", editor.display()));
    tmux.wait("Lunch on Friday?", 30);
    tmux.wait("test:online", 30);
    tmux.keys(&["Enter"]);
    tmux.wait("Shall we meet at noon?", 20);
    tmux.keys(&["r"]);
    let s = tmux.wait("Review", 20);
    assert!(s.contains("Subject: Re: Lunch on Friday?"), "{s}");
    assert!(s.contains("Noon is perfect, see you there.") && s.contains("> Shall we meet at noon?"), "{s}");
    tmux.keys(&["y"]);
    tmux.wait_until("the review closed", 10, |s| !s.contains("Review"));

    let mut o = admin(&other).await;
    let got = wait_messages(&mut o, "INBOX", 1).await;
    assert_eq!(got.len(), 1, "the reply arrived");
    let text = String::from_utf8_lossy(&got[0].0).to_string();
    assert!(text.contains("Noon is perfect, see you there."), "{text}");
    assert!(text.contains("In-Reply-To: <lunch@example.org>"), "{text}");
    let sent = wait_messages(&mut a, "Sent", 1).await;
    assert_eq!(sent.len(), 1, "a copy in Sent");
    tmux.keys(&["q", "q", "q", "q"]);
}

/// The autosave files in the data dir, with their contents.
fn autosaved(setup: &Setup) -> Vec<(std::path::PathBuf, String)> {
    let dir = setup.data.join("autosave");
    let paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
        .unwrap_or_default();
    let mut v: Vec<_> = paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p, text)
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_written_when_poste_is_killed_is_offered_back_and_sent() {
    let me = user("tmuxkill");
    let rcpt = user("tmuxkept");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    // no editor set: the built-in one
    let tmux = Tmux::start_env("kill", &setup, "EDITOR= VISUAL=");
    tmux.wait("test:online", 30);
    tmux.keys(&["c"]);
    tmux.wait("Write", 10);
    // the cursor starts on To; then Subject, a header of my own, and the body
    tmux.keys(&["-l", &rcpt]);
    tmux.keys(&["Down", "Down", "Down", "End"]);
    tmux.keys(&["-l", "Kept through a crash"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "X-Custom: kept header"]);
    tmux.keys(&["Down", "Enter"]);
    tmux.keys(&["-l", "Words I do not want to lose."]);
    tmux.wait("Words I do not want to lose.", 5);

    // within a few seconds the text is on disk, private to me
    let start = Instant::now();
    while !autosaved(&setup).iter().any(|(_, t)| t.contains("Words I do not want to lose.")) {
        assert!(start.elapsed() < Duration::from_secs(10), "never autosaved: {:?}", autosaved(&setup));
        std::thread::sleep(Duration::from_millis(100));
    }
    let (path, _) = autosaved(&setup).remove(0);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

    // killed outright: no chance to save anything more
    assert!(Command::new("kill").args(["-KILL", &tmux.poste_pid()]).status().unwrap().success());
    let kept = autosaved(&setup);
    assert_eq!(kept.len(), 1);
    assert!(kept[0].1.contains("Account: test") && kept[0].1.contains("X-Custom: kept header"), "{}", kept[0].1);
    drop(tmux);

    // the next start offers it back; r opens it in the composer
    let tmux = Tmux::start_env("kill2", &setup, "EDITOR= VISUAL=");
    let s = tmux.wait("A message you were writing when poste stopped was kept", 30);
    assert!(s.contains("r resumes it"), "{s}");
    tmux.keys(&["r"]);
    let s = tmux.wait("Words I do not want to lose.", 10);
    assert!(s.contains("Write") && s.contains("Subject: Kept through a crash"), "{s}");
    // to the review, and sent, with the header I wrote
    tmux.keys(&["Escape"]);
    let s = tmux.wait("Review", 10);
    assert!(s.contains("X-Custom: kept header"), "{s}");
    tmux.wait("test:online", 30);
    tmux.keys(&["y"]);
    tmux.wait_until("the review closed", 10, |s| !s.contains("Review"));

    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    assert_eq!(got.len(), 1, "the kept message arrived");
    let text = String::from_utf8_lossy(&got[0].0).to_string();
    assert!(text.contains("Words I do not want to lose.") && text.contains("X-Custom: kept header"), "{text}");
    // sent: its file is gone
    let start = Instant::now();
    while !autosaved(&setup).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(5), "the autosave stays: {:?}", autosaved(&setup));
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q", "q", "q", "q"]);
}

#[test]
fn a_paste_into_the_builtin_editor_arrives_whole_and_at_once() {
    let ui = Tmux::start_args("paste", "EDITOR= VISUAL=", "--demo");
    ui.wait("INBOX", 20);
    ui.keys(&["c"]);
    ui.wait("Esc: done", 10);
    ui.keys(&["Down", "Down", "Down", "Down", "Down"]);
    // 2,000 characters in one burst: more than the terminal reader takes in one read
    let text = format!("{}E", "w".repeat(1999));
    ui.run(&["send-keys", "-t", "poste", "-l", &text]);
    let started = Instant::now();
    ui.wait("wE", 20);
    assert!(started.elapsed() < Duration::from_secs(10), "the paste took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_inboxes_opens_first_with_two_accounts_on_a_new_store() {
    let imap_user = user("firstimap");
    let pop_user = user("firstpop");
    let mut a = admin(&imap_user).await;
    append(&mut a, "INBOX", &message(1, "in the first account", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let mut b = admin(&pop_user).await;
    append(&mut b, "INBOX", &message(2, "in the second account", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&imap_user, None, "");
    let mut cfg = std::fs::read_to_string(&setup.config).unwrap();
    cfg.push_str(&format!(
        "[[accounts]]\nname = \"second\"\nemail = \"{pop_user}\"\nprotocol = \"pop3\"\n[accounts.pop3]\nhost = \"127.0.0.1\"\n\
         port = {}\nusername = \"{pop_user}\"\npassword_command = \"echo secret\"\nca_file = {:?}\n",
        servers().pop3s,
        servers().ca
    ));
    std::fs::write(&setup.config, cfg).unwrap();
    let ui = Tmux::start("firstacct", &setup);
    // both accounts' mail in one list, each row with its account
    let screen = ui.wait_until("both accounts' mail", 30, |s| {
        s.contains("in the first account") && s.contains("in the second account")
    });
    assert!(screen.contains("All inboxes"), "{screen}");
    // each row names its account
    assert!(screen.contains("test     N") && screen.contains("second   N"), "{screen}");
    ui.keys(&["q", "q"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skimming_with_the_reader_open_marks_only_the_message_that_stays() {
    let user = user("tmuxskim");
    let mut a = admin(&user).await;
    for i in 0..3 {
        append(&mut a, "INBOX", &message(i, &format!("sk{i}"), &format!("Mon, 02 Nov 2026 10:0{i}:00 +0000"))).await;
    }
    let setup = Setup::new(&user, None, "");
    let tmux = Tmux::start("skim", &setup);
    tmux.wait("sk2", 30);
    tmux.wait("test:online", 30);
    // the newest is opened in the reader pane, then j, j pass the next one to the oldest
    tmux.keys(&["Enter", "j", "j"]);
    tmux.wait("sk0", 10);
    // after the delay (2 s by default) the message that stayed is read, and only it
    until(&mut a, "INBOX", "sk0 read", |v| v.iter().any(|(s, seen)| s == "sk0" && *seen)).await;
    let v = server_subjects(&mut a, "INBOX").await;
    assert_eq!(v, [("sk0".to_string(), true), ("sk1".into(), false), ("sk2".into(), false)]);
    tmux.keys(&["q", "q", "q"]);
}

/// A message of the thread `<root@thread.example>`: `n` answers `n - 1`.
fn thread_message(n: usize) -> Vec<u8> {
    let parent = match n {
        0 => String::new(),
        n => format!("In-Reply-To: <m{}@thread.example>\r\nReferences: <m0@thread.example>\r\n", n - 1),
    };
    let re = if n == 0 { "" } else { "Re: " };
    format!(
        "From: Tia Thread <tia@example.com>\r\nTo: you@example.org\r\nSubject: {re}Threaded talk\r\n\
Date: Tue, 03 Nov 2026 1{n}:00:00 +0000\r\nMessage-ID: <m{n}@thread.example>\r\n{parent}\r\nBody of part {n}.\r\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_is_listed_as_one_row_read_as_one_conversation_and_deleted_whole() {
    let user = user("tmuxthread");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "Alone", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    for n in 0..3 {
        append(&mut a, "INBOX", &thread_message(n)).await;
    }
    let setup = Setup::new(&user, None, "");
    let tmux = Tmux::start("thread", &setup);
    tmux.wait("Threaded talk", 30);
    tmux.wait("test:online", 30);
    // T: a row per thread, with its counts
    tmux.keys(&["T"]);
    let s = tmux.wait("(3, 3 new) Re: Threaded talk", 10);
    assert!(s.contains("(threads) 1/2") && s.contains("Alone"), "{s}");
    // Enter: the conversation, its unread messages unfolded and their bodies fetched
    tmux.keys(&["Enter"]);
    let s = tmux.wait("Body of part 0.", 20);
    assert!(s.contains("(1 of 3)"), "{s}");
    until(&mut a, "INBOX", "the thread read", |v| {
        v.iter().filter(|(s, seen)| s.contains("Threaded") && *seen).count() == 3
    })
    .await;
    // back in the list, d on the closed thread: all three to Trash
    // (h, not Esc: Esc and d at once read as Alt-d)
    tmux.keys(&["h"]);
    tmux.wait_until("the reader closed", 5, |s| !s.contains("(1 of 3)"));
    tmux.keys(&["d"]);
    let s = tmux.wait("3 messages moved to Trash", 10);
    assert!(s.contains("Alone"), "{s}");
    until(&mut a, "Trash", "the thread in Trash", |v| v.len() == 3).await;
    until(&mut a, "INBOX", "one message left", |v| v.len() == 1).await;
    tmux.keys(&["q", "q", "q"]);
}
