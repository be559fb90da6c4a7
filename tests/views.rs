//! All inboxes against the real Dovecot: two IMAP accounts in one list, a move and a
//! delete each reaching the folders of the account that owns the message, and an account
//! stopped holding up none of the others.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use poste::account::{AccountHandle, Event};
use poste::app::state::Targets;
use poste::app::{AppState, Effect, Msg, UiSettings, update};
use poste::store::Store;

/// Runs `update` and the effects this test needs, with the store read at once.
fn run(state: &mut AppState, msg: Msg, store: &Store, handles: &[&AccountHandle]) {
    let send = |account, cmd| {
        if let Some(h) = handles.iter().find(|h| h.id == account) {
            h.send(cmd);
        }
    };
    let mut queue = vec![msg];
    while let Some(m) = queue.pop() {
        for e in update(state, m) {
            match e {
                Effect::Send(account, cmd) => send(account, cmd),
                Effect::LoadList { seq, query, start, len, total } => {
                    let total = total.unwrap_or_else(|| store.count(&query).unwrap());
                    let rows = store.list_window(&query, total, start, len).unwrap();
                    queue.push(Msg::ListLoaded { seq, query, total, start, rows, counting: false });
                }
                Effect::Act { account, targets: Targets::Ids(ids), kind } => {
                    send(account, poste::account::Command::Act(kind.with_ids(ids)))
                }
                Effect::Act { targets: Targets::Mixed(ids), kind, .. } => {
                    queue.push(Msg::Resolved { kind, ids: store.owners(&ids).unwrap() })
                }
                _ => {}
            }
        }
    }
}

fn press(state: &mut AppState, store: &Store, handles: &[&AccountHandle], c: KeyCode) {
    run(state, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), store, handles);
}

/// Puts the list cursor on the message of this subject.
fn to(state: &mut AppState, store: &Store, handles: &[&AccountHandle], subject: &str) {
    press(state, store, handles, KeyCode::Char('g'));
    for _ in 0..state.list.total {
        if state.list.selected().is_some_and(|s| s.subject == subject) {
            return;
        }
        press(state, store, handles, KeyCode::Char('j'));
    }
    panic!("{subject} is not in the list");
}

fn shown(state: &AppState) -> Vec<String> {
    state.list.window.rows.iter().map(|s| s.subject.clone()).collect()
}

async fn subjects_in(admin: &mut Admin, folder: &str, n: usize) -> Vec<String> {
    let mut out: Vec<String> = wait_messages(admin, folder, n)
        .await
        .iter()
        .filter_map(|(raw, _)| {
            let text = String::from_utf8_lossy(raw).to_string();
            text.lines().find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn each_action_reaches_the_owning_account_and_a_stopped_account_stops_no_other() {
    let (ua, ub) = (user("views_work"), user("views_home"));
    let (mut a, mut b) = (admin(&ua).await, admin(&ub).await);
    for (to_work, n, subject, minute) in
        [(true, 1, "work one", 1), (false, 2, "home one", 2), (true, 3, "work two", 3), (false, 4, "home two", 4)]
    {
        let admin = if to_work { &mut a } else { &mut b };
        append(admin, "INBOX", &message(n, subject, &format!("Mon, 02 Nov 2026 10:{minute:02}:00 +0000"))).await;
    }
    b.create("Archive").await.unwrap();
    let setup = Setup::new(&ua, None, "");
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    text.push_str(&format!(
        "[[accounts]]\nname = \"home\"\nemail = \"{ub}\"\nprotocol = \"imap\"\n[accounts.imap]\n\
         host = \"127.0.0.1\"\nport = {}\nusername = \"{ub}\"\npassword_command = \"echo secret\"\n\
         ca_file = {:?}\ntimeout_secs = 10\n",
        servers().imaps,
        servers().ca
    ));
    std::fs::write(&setup.config, text).unwrap();
    let loaded = setup.loaded();
    let data = setup.data_dir();
    let (tx_w, mut rx_w) = tokio::sync::mpsc::unbounded_channel();
    let (tx_h, mut rx_h) = tokio::sync::mpsc::unbounded_channel();
    let work = poste::account::spawn(&loaded.config.accounts[0], &data, tx_w).unwrap();
    let home = poste::account::spawn(&loaded.config.accounts[1], &data, tx_h).unwrap();
    assert_eq!(sync(&work, &mut rx_w).await, None);
    assert_eq!(sync(&home, &mut rx_h).await, None);

    let store = Store::open_reader(&setup.data).unwrap();
    let accounts = vec![(work.id, work.name.clone()), (home.id, home.name.clone())];
    let mut state = AppState::new(accounts, Default::default(), UiSettings::default());
    let handles = [&work, &home];
    run(&mut state, Msg::Resize(100, 30), &store, &handles);
    for h in handles {
        let folders = store.folders(h.id).unwrap();
        run(&mut state, Msg::Worker(Event::Folders { account: h.id, folders }), &store, &handles);
    }
    // All inboxes: the first row of the folder pane
    press(&mut state, &store, &handles, KeyCode::Tab);
    press(&mut state, &store, &handles, KeyCode::Char('g'));
    press(&mut state, &store, &handles, KeyCode::Enter);
    assert_eq!(shown(&state), vec!["home two", "work two", "home one", "work one"]);

    // a move of home's message offers home's folders and goes to home's server
    to(&mut state, &store, &handles, "home two");
    press(&mut state, &store, &handles, KeyCode::Char('m'));
    assert_eq!(state.picker().unwrap().account, home.id);
    for c in "Archive".chars() {
        press(&mut state, &store, &handles, KeyCode::Char(c));
    }
    press(&mut state, &store, &handles, KeyCode::Enter);
    assert_eq!(subjects_in(&mut b, "Archive", 1).await, vec!["home two"]);
    // a delete of work's message goes to work's Trash
    let inbox = |id| store.folders(id).unwrap().into_iter().find(|f| f.name == "INBOX").unwrap().id;
    run(&mut state, Msg::Worker(Event::Changed { account: home.id, folder: inbox(home.id) }), &store, &handles);
    to(&mut state, &store, &handles, "work two");
    press(&mut state, &store, &handles, KeyCode::Char('d'));
    assert_eq!(subjects_in(&mut a, "Trash", 1).await, vec!["work two"]);
    assert!(subjects_in(&mut b, "Trash", 0).await.is_empty());

    // work stops: home goes on, and the list still reads
    let work_id = work.id;
    work.shutdown().await;
    let handles = [&home];
    run(&mut state, Msg::Worker(Event::Changed { account: work_id, folder: inbox(work_id) }), &store, &handles);
    assert_eq!(shown(&state), vec!["home one", "work one"]);
    to(&mut state, &store, &handles, "home one");
    press(&mut state, &store, &handles, KeyCode::Char('d'));
    assert_eq!(subjects_in(&mut b, "Trash", 1).await, vec!["home one"]);
    assert_eq!(subjects_in(&mut b, "INBOX", 0).await, Vec::<String>::new());
    assert_eq!(subjects_in(&mut a, "INBOX", 1).await, vec!["work one"]);
    home.shutdown().await;
}
