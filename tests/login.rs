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
