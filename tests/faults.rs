//! Faults a real server will not produce on demand, from a scripted server: a connection
//! dropped in the middle of UID MOVE is finished on reconnect exactly once, and a refusal
//! (a read-only folder) is reported and dropped from the queue.

mod common;

use common::fake::{Fake, Step};
use common::*;
use poste::account::{Action, Command, Event};
use poste::model::{Flags, FolderId, MessageId, NewMessage};
use poste::store::folders::{FolderInfo, SyncState};

fn login() -> Vec<Step> {
    vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN MOVE UIDPLUS] fake".into()),
        Step::Reply("+ ".into()),
        Step::Reply("{tag} OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS] logged in".into()),
        Step::Reply("* CAPABILITY IMAP4rev1 MOVE UIDPLUS\r\n{tag} OK done".into()),
        Step::Reply(
            "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 6] n\r\n{tag} OK [READ-WRITE] selected".into(),
        ),
    ]
}

/// A store with INBOX (UIDVALIDITY 7) holding UID 5, and an Archive folder.
fn seed(setup: &Setup) -> (MessageId, FolderId, FolderId) {
    let store = setup.store_writer();
    let acct = store.ensure_account("test").unwrap();
    let info = |n: &str| FolderInfo {
        name: n.into(),
        display: n.into(),
        delimiter: Some("/".into()),
        special_use: None,
        noselect: false,
    };
    let folders = store.set_folders(acct, &[info("INBOX"), info("Archive")]).unwrap();
    let inbox = folders.iter().find(|f| f.name == "INBOX").unwrap().id;
    let archive = folders.iter().find(|f| f.name == "Archive").unwrap().id;
    store.set_sync_state(inbox, SyncState { uidvalidity: Some(7), uidnext: Some(6), highestmodseq: None }).unwrap();
    store
        .insert_messages(inbox, &[NewMessage { uid: 5, subject: "to move".into(), date: 1, ..Default::default() }])
        .unwrap();
    let id = store.list(&poste::store::ListQuery { folder: Some(inbox), ..Default::default() }, 0, 1).unwrap()[0].id;
    (id, inbox, archive)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_cut_off_mid_command_is_finished_once_on_reconnect() {
    let mut first = login();
    first.push(Step::Read); // the UID MOVE arrives and goes unanswered
    first.push(Step::Close);
    let mut second = login();
    second.push(Step::Reply("* OK [COPYUID 7 5 12] moved\r\n* 1 EXPUNGE\r\n{tag} OK done".into()));
    let fake = Fake::start_each(vec![first, second]).await;
    let setup = Setup::new(&user("fakemove"), Some(fake.port), "tls = \"none\"\nallow_plaintext_auth = true");
    let (id, _, archive) = seed(&setup);
    let (h, mut rx) = setup.worker();
    h.send(Command::Act(Action::Move { ids: vec![id], to: archive }));
    // first attempt: cut off, the move stays queued
    let left = wait_for(&mut rx, 20, |e| match e {
        Event::Pending { count, settled: true, .. } => Some(*count),
        _ => None,
    })
    .await;
    assert_eq!(left, 1);
    // the worker reconnects by itself (backoff) and finishes the move
    let left = wait_for(&mut rx, 30, |e| match e {
        Event::Pending { count: 0, settled: true, .. } => Some(0),
        _ => None,
    })
    .await;
    assert_eq!(left, 0);
    let store = setup.store();
    let m = store.message(id).unwrap();
    assert_eq!((m.folder_name.as_str(), m.summary.uid), ("Archive", 12), "COPYUID gave the moved row its UID");
    let sent = fake.received();
    assert_eq!(sent.matches("UID MOVE 5 \"Archive\"").count(), 2, "{sent}");
    assert!(*fake.connections.lock().unwrap() >= 2);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_folder_is_reported_and_not_retried() {
    let mut script = login();
    script.push(Step::Reply("{tag} NO [READ-ONLY] Mailbox is read-only".into()));
    let fake = Fake::start(script).await;
    let setup = Setup::new(&user("fakero"), Some(fake.port), "tls = \"none\"\nallow_plaintext_auth = true");
    let (id, _, _) = seed(&setup);
    let (h, mut rx) = setup.worker();
    h.send(Command::Act(Action::Flags { ids: vec![id], add: Flags(Flags::FLAGGED), remove: Flags(0) }));
    let notice = wait_for(&mut rx, 20, |e| match e {
        Event::Notice { text, .. } => Some(text.clone()),
        _ => None,
    })
    .await;
    assert!(notice.contains("failed") && notice.contains("read-only"), "{notice}");
    assert_eq!(setup.store().pending_count(h.id).unwrap(), 0, "a refusal is not retried forever");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_uidplus_an_expunge_that_would_take_others_asks_first() {
    let script = vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake without UIDPLUS".into()),
        Step::Reply("+ ".into()),
        Step::Reply("{tag} OK [CAPABILITY IMAP4rev1] logged in".into()),
        Step::Reply("* CAPABILITY IMAP4rev1\r\n{tag} OK done".into()),
        Step::Reply(
            "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 10] n\r\n{tag} OK [READ-WRITE] selected".into(),
        ),
        // first try: STORE \Deleted, then a search finds another message marked deleted
        Step::Reply("{tag} OK stored".into()),
        Step::Reply("* SEARCH 5 9\r\n{tag} OK searched".into()),
        // after the user said yes: STORE again, search, and the plain EXPUNGE
        Step::Reply("{tag} OK stored".into()),
        Step::Reply("* SEARCH 5 9\r\n{tag} OK searched".into()),
        Step::Reply("* 1 EXPUNGE\r\n* 2 EXPUNGE\r\n{tag} OK expunged".into()),
    ];
    let fake = Fake::start(script).await;
    let setup = Setup::new(&user("fakenouidplus"), Some(fake.port), "tls = \"none\"\nallow_plaintext_auth = true");
    let (id, _, _) = seed(&setup);
    let (h, mut rx) = setup.worker();
    h.send(Command::Act(Action::Delete { ids: vec![id], expunge: true }));
    let (question, action) = wait_for(&mut rx, 20, |e| match e {
        Event::Ask { question, action, .. } => Some((question.clone(), action.clone())),
        _ => None,
    })
    .await;
    assert!(question.contains("1 other messages") && question.contains("UIDPLUS"), "{question}");
    assert!(!fake.received().contains("A0007 EXPUNGE") && !fake.received().lines().any(|l| l.ends_with(" EXPUNGE")));
    // yes
    h.send(Command::Act(action));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !fake.received().lines().any(|l| l.trim_end().ends_with(" EXPUNGE")) {
        assert!(std::time::Instant::now() < deadline, "no EXPUNGE after yes: {}", fake.received());
        let _ = tokio::time::timeout(std::time::Duration::from_millis(100), rx.recv()).await;
    }
    h.shutdown().await;
}
