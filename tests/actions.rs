//! Write-back against the real Dovecot: every action is checked from a second connection,
//! offline actions are replayed on reconnect, and a connection cut mid-action duplicates
//! and loses nothing.

mod common;

use common::*;
use futures::TryStreamExt;
use poste::account::{Action, Command, Event};
use poste::model::{Flags, FolderId, MessageId};
use poste::store::ListQuery;
use std::collections::HashSet;

/// UIDs of a folder with their flags, as another client sees them.
async fn server_view(a: &mut Admin, folder: &str) -> Vec<(u32, Vec<String>, String)> {
    a.select(folder).await.unwrap();
    let f: Vec<_> = a.uid_fetch("1:*", "(UID FLAGS ENVELOPE)").await.unwrap().try_collect().await.unwrap();
    let mut out: Vec<_> = f
        .iter()
        .filter_map(|m| {
            let subject =
                m.envelope().and_then(|e| e.subject.as_deref()).map(|s| String::from_utf8_lossy(s).to_string())?;
            Some((m.uid?, m.flags().map(|f| format!("{f:?}")).collect(), subject))
        })
        .collect();
    out.sort();
    out
}

fn subjects(v: &[(u32, Vec<String>, String)]) -> Vec<String> {
    let mut s: Vec<String> = v.iter().map(|x| x.2.clone()).collect();
    s.sort();
    s
}

/// Sends an action and waits until the worker has tried to send the queue.
async fn act(
    h: &poste::account::AccountHandle,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    a: Action,
) -> (usize, Vec<String>) {
    h.send(Command::Act(a));
    let mut notices = Vec::new();
    let count = wait_for(rx, 60, |e| {
        if std::env::var("DEBUG_EV").is_ok() {
            eprintln!("EV {e:?}");
        }
        match e {
            Event::Notice { text, .. } => {
                notices.push(text.clone());
                None
            }
            Event::Pending { count, settled: true, .. } => Some(*count),
            _ => None,
        }
    })
    .await;
    (count, notices)
}

struct World {
    setup: Setup,
    h: poste::account::AccountHandle,
    rx: tokio::sync::mpsc::UnboundedReceiver<Event>,
    a: Admin,
}

impl World {
    async fn new(name: &str, n: usize, port: Option<u16>, extra: &str) -> World {
        let user = user(name);
        let mut a = admin(&user).await;
        for i in 0..n {
            append(&mut a, "INBOX", &message(i, &format!("m{i}"), &format!("Mon, 02 Nov 2026 10:{i:02}:00 +0000")))
                .await;
        }
        let setup = Setup::new(&user, port, extra);
        let (h, mut rx) = setup.worker();
        assert_eq!(sync(&h, &mut rx).await, None);
        World { setup, h, rx, a }
    }
    async fn act(&mut self, a: Action) -> (usize, Vec<String>) {
        act(&self.h, &mut self.rx, a).await
    }
    fn folder(&self, name: &str) -> FolderId {
        self.setup.store().find_folder(self.h.id, name).unwrap().unwrap().id
    }
    /// Store ids of the folder's messages by subject.
    fn ids(&self, folder: &str, wanted: &[&str]) -> Vec<MessageId> {
        let store = self.setup.store();
        let q = ListQuery { folder: Some(self.folder(folder)), ..Default::default() };
        store
            .list(&q, 0, 100_000)
            .unwrap()
            .into_iter()
            .filter(|m| wanted.contains(&m.subject.as_str()))
            .map(|m| m.id)
            .collect()
    }
    fn local_subjects(&self, folder: &str) -> Vec<String> {
        self.setup.subjects("test", folder)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_reach_the_server_and_folder_read_is_one_command() {
    let mut w = World::new("flags", 4, None, "").await;
    let ids = w.ids("INBOX", &["m0", "m1"]);
    let (left, notices) =
        w.act(Action::Flags { ids: ids.clone(), add: Flags(Flags::SEEN | Flags::FLAGGED), remove: Flags(0) }).await;
    assert_eq!((left, notices), (0, vec![]));
    let v = server_view(&mut w.a, "INBOX").await;
    for (uid, flags, subject) in &v {
        let marked = subject == "m0" || subject == "m1";
        assert_eq!(flags.iter().any(|f| f == "Seen"), marked, "{uid} {flags:?}");
        assert_eq!(flags.iter().any(|f| f == "Flagged"), marked);
    }
    w.act(Action::Flags { ids, add: Flags(0), remove: Flags(Flags::FLAGGED) }).await;
    assert!(server_view(&mut w.a, "INBOX").await.iter().all(|(_, f, _)| !f.iter().any(|x| x == "Flagged")));
    let inbox = w.folder("INBOX");
    w.act(Action::MarkFolderRead { folder: inbox }).await;
    assert!(server_view(&mut w.a, "INBOX").await.iter().all(|(_, f, _)| f.iter().any(|x| x == "Seen")));
    assert_eq!(w.setup.store().folder(inbox).unwrap().unread, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_moves_to_trash_undo_brings_it_back_and_trash_deletes_for_good() {
    let mut w = World::new("delete", 3, None, "").await;
    let id = w.ids("INBOX", &["m1"]);
    assert_eq!(w.act(Action::Delete { ids: id.clone(), expunge: false }).await.0, 0);
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m0", "m2"]);
    assert_eq!(subjects(&server_view(&mut w.a, "Trash").await), ["m1"]);
    // the moved row knows its new UID (COPYUID), so no refetch is needed
    let store = w.setup.store();
    let m = store.message(id[0]).unwrap();
    assert_eq!(m.folder_display, "Trash");
    assert!(m.summary.uid > 0);

    assert_eq!(w.act(Action::Undo).await.0, 0);
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m0", "m1", "m2"]);
    assert!(server_view(&mut w.a, "Trash").await.is_empty());
    assert_eq!(w.local_subjects("INBOX"), ["m0", "m1", "m2"]);

    // in Trash, delete is for good
    w.act(Action::Delete { ids: w.ids("INBOX", &["m2"]), expunge: false }).await;
    assert_eq!(subjects(&server_view(&mut w.a, "Trash").await), ["m2"]);
    w.act(Action::Delete { ids: w.ids("Trash", &["m2"]), expunge: false }).await;
    assert!(server_view(&mut w.a, "Trash").await.is_empty());
    assert!(w.local_subjects("Trash").is_empty());
    // and --expunge skips Trash
    w.act(Action::Delete { ids: w.ids("INBOX", &["m0"]), expunge: true }).await;
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m1"]);
    assert!(server_view(&mut w.a, "Trash").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expunge_mode_deletes_for_good() {
    let mut w = World::new("expmode", 2, None, "delete = \"expunge\"").await;
    w.act(Action::Delete { ids: w.ids("INBOX", &["m0"]), expunge: false }).await;
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m1"]);
    assert!(server_view(&mut w.a, "Trash").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_and_copy_with_and_without_the_move_extension() {
    for extra in ["", "ignore_capabilities = [\"MOVE\"]"] {
        let mut w = World::new("move", 3, None, extra).await;
        let archive = w.folder("Archive");
        w.act(Action::Move { ids: w.ids("INBOX", &["m0", "m1"]), to: archive }).await;
        assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m2"], "{extra}");
        assert_eq!(subjects(&server_view(&mut w.a, "Archive").await), ["m0", "m1"]);
        w.act(Action::Copy { ids: w.ids("INBOX", &["m2"]), to: archive }).await;
        assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m2"]);
        assert_eq!(subjects(&server_view(&mut w.a, "Archive").await), ["m0", "m1", "m2"]);
        // the store agrees, before and after a full sync
        assert_eq!(w.local_subjects("Archive"), ["m0", "m1", "m2"]);
        assert_eq!(sync(&w.h, &mut w.rx).await, None);
        assert_eq!(w.local_subjects("Archive"), ["m0", "m1", "m2"]);
        assert_eq!(w.local_subjects("INBOX"), ["m2"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_are_created_renamed_subscribed_and_deleted() {
    let mut w = World::new("folders", 1, None, "").await;
    w.act(Action::CreateFolder { name: "Projekte/Entwürfe".into() }).await;
    let names: Vec<String> =
        w.a.list(Some(""), Some("*")).await.unwrap().map_ok(|n| n.name().to_string()).try_collect().await.unwrap();
    assert!(names.contains(&"Projekte/Entw&APw-rfe".to_string()), "{names:?}");
    assert_eq!(sync(&w.h, &mut w.rx).await, None);
    let f = w.setup.store().find_folder(w.h.id, "Projekte/Entwürfe").unwrap().expect("the new folder is in the tree");
    w.act(Action::RenameFolder { folder: f.id, to: "Projekte/Final".into() }).await;
    let names: Vec<String> =
        w.a.list(Some(""), Some("*")).await.unwrap().map_ok(|n| n.name().to_string()).try_collect().await.unwrap();
    assert!(names.contains(&"Projekte/Final".to_string()) && !names.iter().any(|n| n.contains("Entw")), "{names:?}");
    w.act(Action::Subscribe { folder: f.id, on: false }).await;
    let subs: Vec<String> =
        w.a.lsub(Some(""), Some("*")).await.unwrap().map_ok(|n| n.name().to_string()).try_collect().await.unwrap();
    assert!(!subs.contains(&"Projekte/Final".to_string()), "{subs:?}");
    w.act(Action::DeleteFolder { folder: f.id }).await;
    let names: Vec<String> =
        w.a.list(Some(""), Some("*")).await.unwrap().map_ok(|n| n.name().to_string()).try_collect().await.unwrap();
    assert!(!names.contains(&"Projekte/Final".to_string()), "{names:?}");
    // INBOX is refused, locally, before anything is sent
    let inbox = w.folder("INBOX");
    let (_, notices) = w.act(Action::DeleteFolder { folder: inbox }).await;
    assert!(notices.iter().any(|n| n.contains("INBOX cannot be deleted")), "{notices:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_actions_are_applied_locally_and_replayed_in_order() {
    let proxy = proxy::Proxy::start(servers().imaps).await;
    let mut w = World::new("queue", 4, Some(proxy.port), "").await;
    let archive = w.folder("Archive");
    let m0 = w.ids("INBOX", &["m0"]);
    proxy.stop();
    let (left, _) = w.act(Action::Flags { ids: m0.clone(), add: Flags(Flags::FLAGGED), remove: Flags(0) }).await;
    assert_eq!(left, 1);
    let (left, _) = w.act(Action::Move { ids: m0.clone(), to: archive }).await;
    assert_eq!(left, 2);
    let (left, _) = w.act(Action::Delete { ids: w.ids("INBOX", &["m1"]), expunge: false }).await;
    assert_eq!(left, 3);
    // meanwhile another client deletes a message this client will flag
    let m2 = w.ids("INBOX", &["m2"]);
    let (left, _) = w.act(Action::Flags { ids: m2, add: Flags(Flags::SEEN), remove: Flags(0) }).await;
    assert_eq!(left, 4);
    // the store shows it all at once
    assert_eq!(w.local_subjects("INBOX"), ["m2", "m3"]);
    assert_eq!(w.local_subjects("Archive"), ["m0"]);
    assert_eq!(w.local_subjects("Trash"), ["m1"]);
    // the server saw nothing yet
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m0", "m1", "m2", "m3"]);
    w.a.select("INBOX").await.unwrap();
    let _: Vec<_> = w.a.uid_store("3", "+FLAGS (\\Deleted)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = w.a.expunge().await.unwrap().try_collect().await.unwrap();

    // back online: the queue replays before the sync
    proxy.resume();
    assert_eq!(sync(&w.h, &mut w.rx).await, None);
    assert_eq!(w.setup.store().pending_count(w.h.id).unwrap(), 0);
    let archive_view = server_view(&mut w.a, "Archive").await;
    assert_eq!(subjects(&archive_view), ["m0"]);
    assert!(archive_view[0].1.iter().any(|f| f == "Flagged"), "flag before move was kept");
    assert_eq!(subjects(&server_view(&mut w.a, "Trash").await), ["m1"]);
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m3"]);
    assert_eq!(w.local_subjects("INBOX"), ["m3"]);
    assert_eq!(w.local_subjects("Archive"), ["m0"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_mid_move_or_expunge_neither_duplicates_nor_loses() {
    // plain text on loopback, so the proxy can see which command to cut after
    let proxy = proxy::Proxy::start(servers().imap).await;
    let mut w = World::new("cut", 3, Some(proxy.port), "tls = \"none\"\nallow_plaintext_auth = true").await;
    let archive = w.folder("Archive");
    // Dovecot does the MOVE, the client never hears back
    proxy.cut_after("UID MOVE");
    let (left, _) = w.act(Action::Move { ids: w.ids("INBOX", &["m0"]), to: archive }).await;
    assert_eq!(left, 1, "the unanswered move stays queued");
    proxy.cut_after("UID EXPUNGE");
    w.act(Action::Delete { ids: w.ids("INBOX", &["m1"]), expunge: true }).await;
    proxy.cut_after("UID STORE");
    w.act(Action::Flags { ids: w.ids("INBOX", &["m2"]), add: Flags(Flags::FLAGGED), remove: Flags(0) }).await;
    assert_eq!(sync(&w.h, &mut w.rx).await, None);
    assert_eq!(w.setup.store().pending_count(w.h.id).unwrap(), 0);
    assert_eq!(subjects(&server_view(&mut w.a, "Archive").await), ["m0"]);
    let inbox = server_view(&mut w.a, "INBOX").await;
    assert_eq!(subjects(&inbox), ["m2"]);
    assert!(inbox[0].1.iter().any(|f| f == "Flagged"));
    assert_eq!(w.local_subjects("Archive"), ["m0"]);
    assert_eq!(w.local_subjects("INBOX"), ["m2"]);
    let all: HashSet<String> = w.local_subjects("Trash").into_iter().collect();
    assert!(all.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_refusals_roll_back_and_say_why() {
    let mut w = World::new("refuse", 2, None, "").await;
    w.a.create("Projects").await.unwrap();
    assert_eq!(sync(&w.h, &mut w.rx).await, None);
    let projects = w.folder("Projects");
    // the target vanishes on the server before the move is sent
    w.a.delete("Projects").await.unwrap();
    let (left, notices) = w.act(Action::Move { ids: w.ids("INBOX", &["m0"]), to: projects }).await;
    assert_eq!(left, 0);
    assert!(notices.iter().any(|n| n.contains("failed") && n.contains("set back")), "{notices:?}");
    assert_eq!(w.local_subjects("INBOX"), ["m0", "m1"], "the message is back where the server has it");
    assert_eq!(subjects(&server_view(&mut w.a, "INBOX").await), ["m0", "m1"]);
}

/// The mailbox commands of the CLI, run as the data dir's only poste (`beside` false), or
/// beside a running one that serves the data dir's socket, to which they hand their work.
async fn cli_actions(beside: bool) {
    let w = World::new(if beside { "cliside" } else { "cliact" }, 3, None, "").await;
    let id = |s: &str| w.ids("INBOX", &[s])[0].to_string();
    let (i0, i1, i2) = (id("m0"), id("m1"), id("m2"));
    let World { setup, h, mut a, rx } = w;
    let server = if beside {
        let server = poste::instance::Server::start(&setup.data_dir(), vec![h.port().unwrap()], Vec::new()).unwrap();
        Some((server, h, rx))
    } else {
        // the CLI runs its own worker: stop this one first
        drop(rx);
        h.shutdown().await;
        None
    };
    let out = setup.poste(&["flag", &i0, &i1, "--seen", "--flagged"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    if beside {
        assert!(String::from_utf8_lossy(&out.stderr).contains("handing this to it"));
    }
    let v = server_view(&mut a, "INBOX").await;
    assert_eq!(v.iter().filter(|(_, f, _)| f.iter().any(|x| x == "Flagged")).count(), 2);
    let out = setup.poste(&["move", &i0, "--to", "Archive"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(subjects(&server_view(&mut a, "Archive").await), ["m0"]);
    let out = setup.poste(&["delete", &i1]);
    assert!(out.status.success());
    assert_eq!(subjects(&server_view(&mut a, "Trash").await), ["m1"]);
    let out = setup.poste(&["delete", &i2, "--expunge", "--yes"]);
    assert!(out.status.success());
    assert!(server_view(&mut a, "INBOX").await.is_empty());
    let out = setup.poste(&["folder", "create", "Reports"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = setup.poste(&["folder", "delete", "INBOX"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("INBOX cannot be deleted"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = setup.poste(&["flag", &i0]);
    assert!(!out.status.success());
    if let Some((server, h, _rx)) = server {
        server.close().await;
        h.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_actions_alone() {
    cli_actions(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_actions_hand_over_to_the_running_poste() {
    cli_actions(true).await;
}

/// Sends a message through the harness's Postfix (submission, STARTTLS, AUTH).
fn send_mail(to: &str, subject: &str) {
    let s = servers();
    let script = format!(
        "import smtplib, ssl\n\
         ctx = ssl.create_default_context(cafile={ca:?})\n\
         s = smtplib.SMTP('127.0.0.1', {port})\n\
         s.starttls(context=ctx)\n\
         s.login('sender@localhost', 'secret')\n\
         s.sendmail('sender@localhost', [{to:?}], 'From: sender@localhost\\r\\nTo: {to}\\r\\nSubject: {subject}\\r\\n\\r\\nhello\\r\\n')\n\
         s.quit()\n",
        ca = s.ca.display().to_string(),
        port = s.submission,
    );
    let out = std::process::Command::new("python3").arg("-c").arg(script).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_shows_new_mail_and_changes_made_elsewhere() {
    let mut w = World::new("idle", 3, None, "").await;
    let inbox = w.folder("INBOX");
    w.h.send(Command::Watch(inbox));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    // mail delivered through SMTP appears without a sync being asked for
    send_mail(&w.setup.user, "Delivered while watching");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !w.local_subjects("INBOX").contains(&"Delivered while watching".to_string()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the new message never showed up: {:?}",
            w.local_subjects("INBOX")
        );
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), w.rx.recv()).await;
    }
    // another client flags one message and expunges another
    w.a.select("INBOX").await.unwrap();
    let _: Vec<_> = w.a.uid_store("1", "+FLAGS (\\Flagged)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = w.a.uid_store("2", "+FLAGS (\\Deleted)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = w.a.expunge().await.unwrap().try_collect().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let flags = w.setup.store().uid_flags(inbox).unwrap();
        if !flags.contains_key(&2) && flags.get(&1).is_some_and(|f| f.has(Flags::FLAGGED)) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "changes made elsewhere never showed up: {flags:?}");
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), w.rx.recv()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_mark_read_marks_unread_only_what_was_unread() {
    let mut w = World::new("markundo", 4, None, "").await;
    let seen_on_server = |v: &[(u32, Vec<String>, String)]| -> Vec<String> {
        let mut s: Vec<String> =
            v.iter().filter(|(_, f, _)| f.iter().any(|x| x == "Seen")).map(|(_, _, s)| s.clone()).collect();
        s.sort();
        s
    };
    w.act(Action::Flags { ids: w.ids("INBOX", &["m0"]), add: Flags(Flags::SEEN), remove: Flags(0) }).await;
    let inbox = w.folder("INBOX");
    // the whole folder (`M`), then back
    w.act(Action::MarkFolderRead { folder: inbox }).await;
    assert_eq!(seen_on_server(&server_view(&mut w.a, "INBOX").await), ["m0", "m1", "m2", "m3"]);
    // the undo says what it put back
    assert_eq!(w.act(Action::Undo).await, (0, vec!["undone: 3 messages unread again".to_string()]));
    assert_eq!(seen_on_server(&server_view(&mut w.a, "INBOX").await), ["m0"]);
    assert_eq!(w.setup.store().folder(inbox).unwrap().unread, 3);
    // what a filter shows (`M` with a filter on), then back
    w.act(Action::MarkRead { ids: w.ids("INBOX", &["m0", "m1", "m2"]) }).await;
    assert_eq!(seen_on_server(&server_view(&mut w.a, "INBOX").await), ["m0", "m1", "m2"]);
    assert_eq!(w.act(Action::Undo).await, (0, vec!["undone: 2 messages unread again".to_string()]));
    assert_eq!(seen_on_server(&server_view(&mut w.a, "INBOX").await), ["m0"]);
    assert_eq!(w.setup.store().folder(inbox).unwrap().unread, 3);
    // nothing left to take back
    let (_, notices) = w.act(Action::Undo).await;
    assert!(notices.iter().any(|n| n.contains("nothing to undo")), "{notices:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_a_move_into_a_deleted_folder_says_why_in_words() {
    let mut w = World::new("undogone", 2, None, "").await;
    w.act(Action::CreateFolder { name: "Projects".into() }).await;
    let projects = w.folder("Projects");
    w.act(Action::Move { ids: w.ids("INBOX", &["m0"]), to: projects }).await;
    w.act(Action::DeleteFolder { folder: projects }).await;
    let (_, notices) = w.act(Action::Undo).await;
    assert!(notices.iter().any(|n| n.contains("no longer exists: nothing to undo")), "{notices:?}");
    assert!(!notices.iter().any(|n| n.contains("no folder ")), "no internal ids: {notices:?}");
}
