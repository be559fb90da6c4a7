//! Folders against the real Dovecot: a folder that only holds folders (\Noselect) is known as
//! such, never opened or offered as a target; renaming a folder moves its subscription.

mod common;

use common::*;
use poste::account::{Action, Command, Event};

async fn lsub(a: &mut Admin) -> Vec<String> {
    use futures::TryStreamExt;
    let names: Vec<_> = a.lsub(Some(""), Some("*")).await.unwrap().try_collect().await.unwrap();
    let mut v: Vec<String> = names.iter().map(|n| n.name().to_string()).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_only_holds_folders_is_never_opened_or_a_target() {
    let me = user("noselect");
    let mut a = admin(&me).await;
    a.create("Box/Sub").await.unwrap();
    append(&mut a, "INBOX", &message(1, "stay", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&me, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let boxed = store.find_folder(acct, "Box").unwrap().unwrap();
    assert!(boxed.noselect, "{boxed:?}");
    assert!(!store.find_folder(acct, "Box/Sub").unwrap().unwrap().noselect);
    // opening it syncs nothing and asks the server nothing
    h.send(Command::SyncFolder(boxed.id));
    assert_eq!(wait_for(&mut rx, 20, |e| matches!(e, Event::SyncDone { .. }).then_some(())).await, ());
    // a move into it is refused with the reason, and the message stays
    let id = store.list(&poste::store::ListQuery::default(), 0, 5).unwrap()[0].id;
    h.send(Command::Act(Action::Move { ids: vec![id], to: boxed.id }));
    let why = wait_for(&mut rx, 20, |e| match e {
        Event::Notice { text, .. } => Some(text.clone()),
        _ => None,
    })
    .await;
    assert!(why.contains("only holds folders"), "{why}");
    assert_eq!(setup.subjects("test", "INBOX"), ["stay"]);
    h.shutdown().await;
    let log = std::fs::read_to_string(setup.dir.path().join("cache/poste/poste.log")).unwrap_or_default();
    assert!(!log.contains("folder skipped"), "a container is never SELECTed: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_folder_moves_its_subscription() {
    let me = user("rensub");
    let mut a = admin(&me).await;
    a.create("Projects").await.unwrap();
    a.subscribe("Projects").await.unwrap();
    let setup = Setup::new(&me, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let folder = setup.store().find_folder(h.id, "Projects").unwrap().unwrap();
    h.send(Command::Act(Action::RenameFolder { folder: folder.id, to: "Work".into() }));
    wait_for(&mut rx, 20, |e| matches!(e, Event::Pending { count: 0, settled: true, .. }).then_some(())).await;
    let subs = lsub(&mut a).await;
    assert!(subs.contains(&"Work".to_string()), "{subs:?}");
    assert!(!subs.contains(&"Projects".to_string()), "{subs:?}");
    h.shutdown().await;
}
