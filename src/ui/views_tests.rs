//! Screens of lists over several accounts and of threads on `TestBackend`: All inboxes, a
//! search, threaded lists, the conversation reader, and the account rows of the folder pane.

use super::tests::{demo, demo_with, key, screen, snap};
use crate::account::Event;
use crate::app::{AppState, Msg, UiSettings};
use crate::store::Store;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[test]
fn all_inboxes_and_a_search_over_every_account() {
    let (_d, store, mut state) = demo_with(UiSettings::default());
    crate::tui::apply(&mut state, Msg::Resize(80, 24), &store, &[]);
    key(&mut state, &store, KeyCode::Tab);
    key(&mut state, &store, KeyCode::Char('g'));
    key(&mut state, &store, KeyCode::Enter);
    snap!("all_inboxes_80x24", screen(&mut state, &store, 80, 24));
    key(&mut state, &store, KeyCode::Char('\\'));
    for c in "re".chars() {
        key(&mut state, &store, KeyCode::Char(c));
    }
    key(&mut state, &store, KeyCode::Enter);
    snap!("search_80x24", screen(&mut state, &store, 80, 24));
}

/// Opens the folder named `name` of the demo's accounts in the list.
fn open_folder(state: &mut AppState, store: &Store, name: &str) {
    let rows = state.folder_rows();
    let i = rows.iter().position(|r| state.folder_at(*r).is_some_and(|(_, f)| f.name == name)).unwrap();
    state.focus = crate::app::Pane::Folders;
    state.folder_cursor = i;
    key(state, store, KeyCode::Enter);
}

/// The demo at 80x24 with the Lists/rust folder (one thread of ten) threaded.
fn threaded_rust_list() -> (tempfile::TempDir, Store, AppState) {
    let (d, store, mut state) = demo();
    crate::tui::apply(&mut state, Msg::Resize(80, 24), &store, &[]);
    open_folder(&mut state, &store, "Lists/rust");
    key(&mut state, &store, KeyCode::Char('T'));
    (d, store, state)
}

#[test]
fn threaded_list_closed_and_open() {
    let (_d, store, mut state) = threaded_rust_list();
    let closed = screen(&mut state, &store, 80, 24);
    assert!(closed.contains("(threads)"), "{closed}");
    snap!("threads_closed_80x24", closed);
    // the thread under the cursor opens: its messages as a tree
    key(&mut state, &store, KeyCode::Char('z'));
    let open = screen(&mut state, &store, 80, 24);
    assert!(open.contains("└─"), "{open}");
    snap!("threads_one_open_80x24", open);
    // and closes again, the cursor on it
    key(&mut state, &store, KeyCode::Char('z'));
    let panes = |s: &str| s.lines().take(23).collect::<Vec<_>>().join("\n");
    assert_eq!(panes(&screen(&mut state, &store, 80, 24)), panes(&closed));
    // every thread open; T again: the flat list
    key(&mut state, &store, KeyCode::Char('Z'));
    snap!("threads_all_open_80x24", screen(&mut state, &store, 80, 24));
    key(&mut state, &store, KeyCode::Char('T'));
    let flat = screen(&mut state, &store, 80, 24);
    assert!(!flat.contains("(threads)") && !flat.contains("└─Re"), "{flat}");
}

/// Gives the reader's conversation the bodies of its unfolded messages, as the worker would.
fn conversation_bodies(state: &mut AppState, store: &Store) {
    let c = state.reader.as_ref().unwrap().conversation.as_ref().unwrap();
    let ids: Vec<_> = c.messages.iter().filter(|m| m.unfolded).map(|m| m.summary.id).collect();
    for id in ids {
        let raw = std::sync::Arc::new(store.body(id).unwrap().unwrap());
        crate::tui::apply(state, Msg::Worker(Event::Body { id, raw }), store, &[]);
    }
}

#[test]
fn a_thread_opens_as_one_conversation() {
    let (_d, store, mut state) = threaded_rust_list();
    key(&mut state, &store, KeyCode::Enter);
    let c = state.reader.as_ref().unwrap().conversation.as_ref().unwrap();
    assert_eq!(c.messages.len(), 10);
    // the unread ones are unfolded, the cursor on the first of them
    let unfolded: Vec<_> = c.messages.iter().map(|m| m.unfolded).collect();
    assert_eq!(unfolded, [false, false, false, false, false, false, true, true, true, true]);
    assert_eq!(c.cursor, 6);
    conversation_bodies(&mut state, &store);
    key(&mut state, &store, KeyCode::Enter);
    snap!("conversation_80x24", screen(&mut state, &store, 80, 24));
    // K: the message before, folded; z unfolds it; r answers the message at the cursor
    key(&mut state, &store, KeyCode::Char('K'));
    let r = state.reader.as_ref().unwrap();
    let before = r.conversation.as_ref().unwrap().messages[5].summary.id;
    assert_eq!(r.id, before);
    let fx = crate::app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)));
    let reply = crate::app::compose::ComposeKind::Reply(before);
    assert!(fx.iter().any(|e| matches!(e, crate::app::Effect::StartCompose { kind, .. } if *kind == reply)), "{fx:?}");
    key(&mut state, &store, KeyCode::Char('z'));
    assert!(state.reader.as_ref().unwrap().conversation.as_ref().unwrap().messages[5].unfolded);
    let raw = std::sync::Arc::new(store.body(before).unwrap().unwrap());
    crate::tui::apply(&mut state, Msg::Worker(Event::Body { id: before, raw }), &store, &[]);
    // from the top: the folded messages a line each, the first words of those here
    key(&mut state, &store, KeyCode::Char('g'));
    let s = screen(&mut state, &store, 80, 24);
    assert!(s.contains("(6 of 10)") && s.contains("▸ Alice Ferris"), "{s}");
    snap!("conversation_top_80x24", s);
}

#[test]
fn all_inboxes_and_a_search_are_threaded_too() {
    let (_d, store, mut state) = demo_with(UiSettings { threaded: true, ..Default::default() });
    crate::tui::apply(&mut state, Msg::Resize(80, 24), &store, &[]);
    key(&mut state, &store, KeyCode::Tab);
    key(&mut state, &store, KeyCode::Char('g'));
    key(&mut state, &store, KeyCode::Enter);
    let inboxes = screen(&mut state, &store, 80, 24);
    // every inbox message is a thread of its own: as many rows as the flat list has
    assert!(inboxes.contains("All inboxes (threads) 1/24"), "{inboxes}");
    snap!("all_inboxes_threaded_80x24", inboxes);
    // a search over every account groups what it matches: the rust thread's 10 in one row
    key(&mut state, &store, KeyCode::Char('\\'));
    for c in "async".chars() {
        key(&mut state, &store, KeyCode::Char(c));
    }
    key(&mut state, &store, KeyCode::Enter);
    let search = screen(&mut state, &store, 80, 24);
    assert!(search.contains("(10, 4 new)") && search.contains("(threads) 1/1"), "{search}");
    // opened: the conversation, across the account's folders
    key(&mut state, &store, KeyCode::Enter);
    assert_eq!(state.reader.as_ref().unwrap().conversation.as_ref().unwrap().messages.len(), 10);
}

#[test]
fn space_and_v_on_a_closed_thread_select_all_of_it() {
    let (_d, store, mut state) = threaded_rust_list();
    key(&mut state, &store, KeyCode::Char(' '));
    assert_eq!(state.selection.ids.len(), 10);
    assert!(screen(&mut state, &store, 80, 24).contains("*N"), "the row is marked");
    key(&mut state, &store, KeyCode::Char('g'));
    key(&mut state, &store, KeyCode::Char(' '));
    assert!(state.selection.ids.is_empty());
    // v over the thread's row: the same
    key(&mut state, &store, KeyCode::Char('v'));
    key(&mut state, &store, KeyCode::Char('v'));
    assert_eq!(state.selection.ids.len(), 10);
}

#[test]
fn an_account_row_keeps_its_name_and_says_its_state_shorter_when_narrow() {
    let (_d, store, mut state) = demo();
    state.accounts[0].state = crate::model::AccountState::LoginFailed("refused".into());
    state.accounts[1].state = crate::model::AccountState::Offline("refused".into());
    let s = screen(&mut state, &store, 80, 24);
    let pane: Vec<&str> = s.lines().map(|l| l.split('│').nth(1).unwrap_or_default()).collect();
    assert!(pane.iter().any(|l| l.starts_with("personal") && l.contains("login!")), "{s}");
    // a name that leaves room keeps the whole word
    assert!(pane.iter().any(|l| l.starts_with("work") && l.contains("offline")), "{s}");
}
