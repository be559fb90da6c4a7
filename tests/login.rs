//! A refused login against the real Dovecot: poste tries once, shows "login failed" with
//! the server's words, and does not try again by itself (which gets accounts locked and
//! addresses banned) until the user asks.

mod common;

use common::*;
use poste::account::{Command, Event};
use poste::model::{AccountState, FolderId};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The config's password made wrong.
fn wrong_password(setup: &Setup) {
    let cfg = std::fs::read_to_string(&setup.config).unwrap().replace("echo secret", "echo wrong");
    std::fs::write(&setup.config, cfg).unwrap();
}

/// Asks for a sync and waits for the refused login's words.
async fn sync_refused(
    h: &poste::account::AccountHandle,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
) -> String {
    h.send(Command::Sync { first: None });
    wait_for(rx, 30, |e| match e {
        Event::State { state: AccountState::LoginFailed(t), .. } => Some(t.clone()),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_tried_once_and_again_only_when_asked() {
    let me = user("wrongpw");
    let proxy = proxy::Proxy::start(servers().imaps).await;
    let setup = Setup::new(&me, Some(proxy.port), "");
    wrong_password(&setup);
    let (h, mut rx) = setup.worker();
    let text = sync_refused(&h, &mut rx).await;
    assert!(text.contains("login failed") && text.contains("uthentication failed"), "the server's words: {text}");
    let first = proxy.connections.load(Ordering::SeqCst);
    // opening a folder (the watch connection), the retry timer and the poll stay quiet
    h.send(Command::Watch(FolderId(1)));
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(proxy.connections.load(Ordering::SeqCst), first, "no login tried by itself");
    // the user asks (R): once more
    while rx.try_recv().is_ok() {}
    h.send(Command::Sync { first: None });
    wait_for(&mut rx, 30, |e| matches!(e, Event::State { state: AccountState::LoginFailed(_), .. }).then_some(()))
        .await;
    assert_eq!(proxy.connections.load(Ordering::SeqCst), first + 1);
    h.shutdown().await;
}

#[test]
fn poste_sync_with_a_wrong_password_says_so_and_fails() {
    let me = user("wrongcli");
    let setup = Setup::new(&me, None, "");
    wrong_password(&setup);
    let out = setup.poste(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("login failed"), "{err}");
    assert!(!err.contains("wrong"), "the password is not shown: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop3_login_refused_shows_as_such() {
    let me = user("wrongpop");
    let setup = Setup::new(&me, None, "");
    setup.pop3(servers().pop3s, "");
    wrong_password(&setup);
    let (h, mut rx) = setup.worker();
    let text = sync_refused(&h, &mut rx).await;
    assert!(text.contains("login failed"), "{text}");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_password_in_the_config_file_is_used_without_a_restart() {
    let me = user("fixedpw");
    let mut a = admin(&me).await;
    append(&mut a, "INBOX", &message(1, "waiting for the right password", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&me, None, "");
    let good = std::fs::read_to_string(&setup.config).unwrap();
    wrong_password(&setup);
    let tmux = tmux::Tmux::start("fixedpw", &setup);
    tmux.wait("login failed", 30);
    // a file that does not load changes nothing, and says so
    std::fs::write(&setup.config, "[[accounts]\n").unwrap();
    std::thread::sleep(Duration::from_secs(5));
    assert!(tmux.screen().contains("login failed"), "{}", tmux.screen());
    std::fs::write(&setup.config, &good).unwrap();
    tmux.wait("waiting for the right password", 30);
    tmux.wait("test:online", 30);
}

/// The config's only account, as the file now reads.
fn account_of(setup: &Setup) -> poste::config::AccountConfig {
    poste::config::Config::load(&setup.config).unwrap().accounts.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_while_the_login_is_refused_wait_in_the_queue_and_go_once_it_is_right() {
    use futures::TryStreamExt;
    let me = user("refusedact");
    let mut a = admin(&me).await;
    append(&mut a, "INBOX", &message(1, "to be read", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    append(&mut a, "INBOX", &message(2, "to be deleted", "Mon, 02 Nov 2026 10:01:00 +0000")).await;
    let setup = Setup::new(&me, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let id_of = |subject: &str| {
        let store = setup.store();
        let rows = store.list(&poste::store::ListQuery::default(), 0, 10).unwrap();
        rows.into_iter().find(|r| r.subject == subject).unwrap().id
    };
    let (read, deleted) = (id_of("to be read"), id_of("to be deleted"));
    // the password goes wrong while poste runs
    wrong_password(&setup);
    h.send(Command::Reconfigure(Box::new(account_of(&setup))));
    wait_for(&mut rx, 30, |e| matches!(e, Event::State { state: AccountState::LoginFailed(_), .. }).then_some(()))
        .await;
    let add = poste::model::Flags(poste::model::Flags::SEEN);
    h.send(Command::Act(poste::account::Action::Flags { ids: vec![read], add, remove: poste::model::Flags(0) }));
    h.send(Command::Act(poste::account::Action::Delete { ids: vec![deleted], expunge: false }));
    // both wait, said so, and nothing is set back
    let waiting = wait_for(&mut rx, 30, |e| match e {
        Event::Pending { count: 2, settled: true, .. } => Some(2),
        Event::Notice { text, .. } if text.contains("set back") => panic!("{text}"),
        _ => None,
    })
    .await;
    assert_eq!(waiting, 2);
    assert_eq!(setup.store().pending_count(h.id).unwrap(), 2);
    // the right password again: they go, in order, and the server has them
    let good = std::fs::read_to_string(&setup.config).unwrap().replace("echo wrong", "echo secret");
    std::fs::write(&setup.config, good).unwrap();
    h.send(Command::Reconfigure(Box::new(account_of(&setup))));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        a.select("INBOX").await.unwrap();
        let f: Vec<_> = a.uid_fetch("1:*", "(FLAGS ENVELOPE)").await.unwrap().try_collect().await.unwrap();
        let view: Vec<(String, bool)> = f
            .iter()
            .map(|m| {
                let subject =
                    m.envelope().and_then(|e| e.subject.as_ref()).map(|s| String::from_utf8_lossy(s).to_string());
                (subject.unwrap_or_default(), m.flags().any(|f| matches!(f, async_imap::types::Flag::Seen)))
            })
            .collect();
        if view == [("to be read".to_string(), true)] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server has {view:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(setup.store().pending_count(h.id).unwrap(), 0);
    h.shutdown().await;
}
