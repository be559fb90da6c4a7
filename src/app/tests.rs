//! `update` is pure: feed it messages, check the state and the effects.

use super::keymap::Keymap;
use super::state::{AppState, Pane, UiSettings};
use super::update::{Effect, Msg, update};
use crate::account::{Command, Event};
use crate::model::{AccountId, Folder, FolderId, MessageId, SpecialUse, Summary};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

pub(super) fn folder(id: i64, name: &str) -> Folder {
    Folder {
        id: FolderId(id),
        account: AccountId(1),
        name: name.into(),
        display: name.into(),
        delimiter: Some("/".into()),
        special_use: (name == "INBOX").then_some(SpecialUse::Inbox),
        unread: 0,
        total: 0,
        subscribed: true,
        noselect: false,
    }
}

pub(super) fn rows(start: usize, n: usize) -> Vec<Summary> {
    (start..start + n)
        .map(|i| Summary {
            id: MessageId(i as i64 + 1000),
            folder: FolderId(10),
            uid: i as u32,
            subject: format!("m{i}"),
            ..Default::default()
        })
        .collect()
}

/// The open list read again (the latest read's answer): `total` messages, `rows` from 0.
pub(super) fn reread(s: &mut AppState, total: usize, rows: Vec<Summary>) -> Vec<Effect> {
    let (seq, query) = (s.requests, s.list.query.clone());
    update(s, Msg::ListLoaded { seq, query, total, start: 0, rows, counting: false })
}

pub(super) fn key(state: &mut AppState, c: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

/// A state with one account whose INBOX (id 10) holds `total` messages, loaded.
pub(super) fn opened(total: usize) -> AppState {
    opened_with(total, Keymap::default(), UiSettings::default())
}

/// A state with one account whose INBOX (id 10) is opened with these settings, not read.
pub(super) fn opened_with_threads(settings: UiSettings) -> AppState {
    let mut s = AppState::new(vec![(AccountId(1), "work".into())], Keymap::default(), settings);
    update(&mut s, Msg::Resize(100, 30));
    update(&mut s, Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder(10, "INBOX")] }));
    s
}

/// The same, with these keys and settings.
pub(super) fn opened_with(total: usize, keymap: Keymap, settings: UiSettings) -> AppState {
    let mut s = AppState::new(vec![(AccountId(1), "work".into())], keymap, settings);
    update(&mut s, Msg::Resize(100, 30));
    let fx = update(
        &mut s,
        Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder(10, "INBOX"), folder(11, "Sent")] }),
    );
    let Some(Effect::LoadList { seq, query, start, len, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    assert_eq!(query.folder, Some(FolderId(10)));
    let n = len.min(total.saturating_sub(start));
    update(&mut s, Msg::ListLoaded { seq, query, total, start, rows: rows(start, n), counting: false });
    s
}

#[test]
fn first_folder_list_opens_the_inbox() {
    let s = opened(500);
    assert_eq!(s.current, Some((AccountId(1), FolderId(10))));
    assert_eq!(s.focus, Pane::List);
    assert_eq!(s.list.total, 500);
    assert_eq!(s.list.selected().unwrap().subject, "m0");
}

#[test]
fn moving_far_loads_only_a_window() {
    let mut s = opened(100_000);
    assert!(s.list.window.rows.len() < 200);
    let fx = key(&mut s, KeyCode::Char('G'));
    assert_eq!(s.list.cursor, 99_999);
    let Some(Effect::LoadList { seq, query, start, len, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    assert!(start > 99_000 && len < 200, "{start} {len}");
    update(
        &mut s,
        Msg::ListLoaded { seq, query, total: 100_000, start, rows: rows(start, 100_000 - start), counting: false },
    );
    assert_eq!(s.list.selected().unwrap().subject, "m99999");
    // moving within the window needs no load
    assert!(key(&mut s, KeyCode::Char('k')).is_empty());
    assert_eq!(s.list.cursor, 99_998);
}

#[test]
fn a_scroll_keeps_the_count_a_refresh_counts_again_and_rows_may_come_before_their_count() {
    let mut s = opened(100_000);
    let fx = key(&mut s, KeyCode::Char('G'));
    let Some(Effect::LoadList { seq, query, start, total, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    assert_eq!(total, Some(100_000), "a scroll does not count again");
    update(
        &mut s,
        Msg::ListLoaded { seq, query, total: 100_000, start, rows: rows(start, 100_000 - start), counting: false },
    );
    // new mail: counted again; a scroll meanwhile counts too (the refresh's answer is
    // overtaken by the scroll's)
    let fx = update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(10) }));
    assert!(matches!(fx.first(), Some(Effect::LoadList { total: None, .. })), "{fx:?}");
    let fx = key(&mut s, KeyCode::Char('g'));
    assert!(matches!(fx.first(), Some(Effect::LoadList { total: None, start: 0, .. })), "{fx:?}");
    // rows first, with a count of at least what came, then the count
    let (seq, query) = (s.requests, s.list.query.clone());
    update(
        &mut s,
        Msg::ListLoaded { seq, query: query.clone(), total: 87, start: 0, rows: rows(0, 87), counting: true },
    );
    assert_eq!((s.list.total, s.list.partial, s.list.counting), (87, true, Some(seq)));
    update(&mut s, Msg::ListLoaded { seq, query, total: 100_001, start: 0, rows: rows(0, 87), counting: false });
    assert_eq!((s.list.total, s.list.partial, s.list.counting), (100_001, false, None));
    assert!(matches!(key(&mut s, KeyCode::Char('G')).first(), Some(Effect::LoadList { total: Some(100_001), .. })));
}

/// A body arrives and its rendering, asked for off the UI task, comes back.
pub(super) fn body(s: &mut AppState, id: i64, raw: &[u8]) {
    let fx = update(s, Msg::Worker(Event::Body { id: MessageId(id), raw: Arc::new(raw.to_vec()) }));
    let Some(Effect::Render { id, raw, width }) = fx.into_iter().find(|e| matches!(e, Effect::Render { .. })) else {
        panic!("no rendering asked for")
    };
    assert!(matches!(s.reader.as_ref().unwrap().body, super::Body::Rendering { .. }));
    update(s, Msg::Rendered { id, width, rendered: Box::new(crate::mime::render(&raw, width)) });
}

#[test]
fn a_rendering_that_comes_back_late_is_shown_only_if_it_still_fits() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Enter);
    let fx = update(
        &mut s,
        Msg::Worker(Event::Body { id: MessageId(1000), raw: Arc::new(b"Subject: a\r\n\r\nfirst".to_vec()) }),
    );
    let Some(Effect::Render { width, .. }) = fx.into_iter().find(|e| matches!(e, Effect::Render { .. })) else {
        panic!()
    };
    let stale =
        |id, w| Msg::Rendered { id, width: w, rendered: Box::new(crate::mime::render(b"Subject: a\r\n\r\nold", w)) };
    // another message's, or one made for another width (the window was resized meanwhile)
    update(&mut s, stale(MessageId(1001), width));
    update(&mut s, stale(MessageId(1000), width + 7));
    assert!(matches!(s.reader.as_ref().unwrap().body, super::Body::Rendering { .. }));
    update(&mut s, stale(MessageId(1000), width));
    assert!(matches!(s.reader.as_ref().unwrap().body, super::Body::Ready { .. }));
    // a resize asks again, and the old rendering shows meanwhile
    let fx = update(&mut s, Msg::Resize(90, 30));
    assert!(fx.iter().any(|e| matches!(e, Effect::Render { id: MessageId(1000), .. })));
    assert!(matches!(s.reader.as_ref().unwrap().body, super::Body::Ready { .. }));
}

#[test]
fn opening_a_message_asks_the_worker_and_prefetches() {
    let mut s = opened(50);
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(fx[0], Effect::Send(AccountId(1), Command::Open { id: MessageId(1000), mark_seen: false }));
    assert_eq!(fx[1], Effect::Send(AccountId(1), Command::Prefetch(vec![MessageId(1001), MessageId(1002)])));
    assert!(matches!(s.reader.as_ref().unwrap().body, super::Body::Loading));
    // a body for another message (a stale fetch) is ignored
    update(&mut s, Msg::Worker(Event::Body { id: MessageId(1001), raw: Arc::new(b"Subject: x\r\n\r\nno".to_vec()) }));
    assert!(matches!(s.reader.as_ref().unwrap().body, super::Body::Loading));
    body(&mut s, 1000, b"Subject: hello\r\n\r\nbody text");
    let super::Body::Ready { rendered, .. } = &s.reader.as_ref().unwrap().body else { panic!() };
    assert!(rendered.body.contains("body text"));
    // with the reader open, moving the cursor follows with the reader
    let fx = key(&mut s, KeyCode::Char('j'));
    assert_eq!(fx[0], Effect::Send(AccountId(1), Command::Open { id: MessageId(1001), mark_seen: false }));
}

#[test]
fn back_and_quit_walk_out_one_level_at_a_time() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    assert!(s.reader.as_ref().unwrap().fullscreen);
    key(&mut s, KeyCode::Char('q'));
    assert!(!s.reader.as_ref().unwrap().fullscreen);
    key(&mut s, KeyCode::Esc);
    assert!(s.reader.is_none());
    // Esc steps out to the folders; q from the list quits, as in mutt
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.focus, Pane::Folders);
    assert!(!s.quit);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn filter_queries_the_store_and_esc_clears_it() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Char('/'));
    let fx = key(&mut s, KeyCode::Char('b'));
    let Some(Effect::LoadList { query, .. }) = fx.first() else { panic!() };
    assert_eq!(query.filter.as_deref(), Some("b"));
    key(&mut s, KeyCode::Char('o'));
    assert_eq!(s.list.query.filter.as_deref(), Some("bo"));
    key(&mut s, KeyCode::Enter);
    assert!(s.list.typing.is_none());
    assert_eq!(s.list.query.filter.as_deref(), Some("bo"));
    key(&mut s, KeyCode::Char('/'));
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.list.query.filter, None);
}

#[test]
fn folders_pane_moves_and_opens() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, Pane::Folders);
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(s.current, Some((AccountId(1), FolderId(11))));
    assert!(matches!(fx.first(), Some(Effect::LoadList { query, .. }) if query.folder == Some(FolderId(11))));
}

#[test]
fn sync_key_asks_every_account() {
    let mut s = opened(5);
    let fx = key(&mut s, KeyCode::Char('R'));
    assert_eq!(fx, vec![Effect::Send(AccountId(1), Command::Sync { first: Some(FolderId(10)) })]);
}

#[test]
fn changes_to_the_open_folder_reload_it() {
    let mut s = opened(5);
    let fx = update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(10) }));
    assert!(matches!(fx.first(), Some(Effect::LoadList { .. })));
    assert!(update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(11) })).is_empty());
}

#[test]
fn saving_one_or_choosing_among_several() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Enter);
    let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/attachments.eml")).unwrap();
    body(&mut s, 1000, &raw);
    key(&mut s, KeyCode::Tab);
    assert!(key(&mut s, KeyCode::Char('s')).is_empty());
    assert!(s.status.as_deref().unwrap().contains("1-2"));
    let fx = key(&mut s, KeyCode::Char('2'));
    assert!(matches!(&fx[0], Effect::SaveAttachments { indexes, .. } if indexes == &vec![1]));
}

#[test]
fn selection_and_bulk_actions() {
    let mut s = opened(50);
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char(' '));
    assert_eq!(s.selection.ids.len(), 2);
    assert_eq!(s.list.cursor, 2);
    let fx = key(&mut s, KeyCode::Char('N'));
    let Some(Effect::Act { account: AccountId(1), targets: super::state::Targets::Ids(ids), kind }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(ids, &vec![MessageId(1000), MessageId(1001)]);
    assert_eq!(
        *kind,
        super::ActKind::Flags { add: crate::model::Flags(crate::model::Flags::SEEN), remove: crate::model::Flags(0) }
    );
    assert!(s.selection.is_empty());
    // * selects the whole filter, even rows never loaded
    key(&mut s, KeyCode::Char('*'));
    let fx = key(&mut s, KeyCode::Char('d'));
    assert!(
        matches!(fx.first(), Some(Effect::Act { targets: super::state::Targets::Query(q), kind: super::ActKind::Delete { expunge: false }, .. }) if q.folder == Some(FolderId(10)))
    );
    // v … v asks the store for the rows in between
    key(&mut s, KeyCode::Char('v'));
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Char('v'));
    assert!(matches!(fx.first(), Some(Effect::SelectRange { from: 2, len: 3, .. })), "{fx:?}");
    let query = s.list.query.clone();
    update(
        &mut s,
        Msg::Selected { query, ids: vec![MessageId(1002), MessageId(1003), MessageId(1004)], unselect: false },
    );
    assert_eq!(s.selection.ids.len(), 3);
    key(&mut s, KeyCode::Esc);
    assert!(s.selection.is_empty());
}

#[test]
fn delete_in_trash_asks_first() {
    let mut s = opened(5);
    let mut trash = folder(12, "Trash");
    trash.special_use = Some(SpecialUse::Trash);
    update(
        &mut s,
        Msg::Worker(Event::Folders {
            account: AccountId(1),
            folders: vec![folder(10, "INBOX"), folder(11, "Sent"), trash],
        }),
    );
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('G'));
    let fx = key(&mut s, KeyCode::Enter);
    let Some(Effect::LoadList { seq, query, start, .. }) = fx.first().cloned() else { panic!() };
    update(&mut s, Msg::ListLoaded { seq, query, total: 3, start, rows: rows(0, 3), counting: false });
    assert!(key(&mut s, KeyCode::Char('d')).is_empty());
    assert!(matches!(s.prompt(), Some(super::state::Prompt::Confirm { .. })));
    assert!(key(&mut s, KeyCode::Char('n')).is_empty());
    key(&mut s, KeyCode::Char('d'));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(matches!(fx.first(), Some(Effect::Act { kind: super::ActKind::Delete { expunge: true }, .. })));
}

#[test]
fn move_picker_filters_fuzzily() {
    let mut s = opened(5);
    let mut archive = folder(13, "Archive/2026");
    archive.special_use = None;
    update(
        &mut s,
        Msg::Worker(Event::Folders {
            account: AccountId(1),
            folders: vec![folder(10, "INBOX"), folder(11, "Sent"), folder(12, "Trash"), archive],
        }),
    );
    key(&mut s, KeyCode::Char('m'));
    assert!(s.picker().is_some());
    for c in "a26".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let p = s.picker().cloned().unwrap();
    let names: Vec<_> = super::picker_choices(&s, &p).iter().map(|f| f.display.clone()).collect();
    assert_eq!(names, ["Archive/2026"]);
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(fx.first(), Some(Effect::Act { kind: super::ActKind::Move { to: FolderId(13) }, .. })), "{fx:?}");
    assert!(s.picker().is_none());
    // undo goes to the worker
    let fx = key(&mut s, KeyCode::Char('u'));
    assert_eq!(fx, vec![Effect::Send(AccountId(1), Command::Act(crate::account::Action::Undo))]);
}

#[test]
fn folder_pane_creates_renames_and_refuses_inbox() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('n'));
    for c in "Work".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::Send(AccountId(1), Command::Act(crate::account::Action::CreateFolder { name: "Work".into() }))]
    );
    key(&mut s, KeyCode::Char('g'));
    key(&mut s, KeyCode::Char('d'));
    assert_eq!(s.notice.as_deref(), Some("INBOX cannot be deleted"));
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('e'));
    key(&mut s, KeyCode::Backspace);
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::Send(
            AccountId(1),
            Command::Act(crate::account::Action::RenameFolder { folder: FolderId(11), to: "Sen".into() })
        )]
    );
}

#[test]
fn mark_folder_read_asks_and_a_filter_limits_it() {
    let mut s = opened(5);
    let mut inbox = folder(10, "INBOX");
    inbox.unread = 3;
    update(&mut s, Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![inbox, folder(11, "Sent")] }));
    // the whole folder: asked first, `n` does nothing
    assert!(key(&mut s, KeyCode::Char('M')).is_empty());
    let Some(super::state::Prompt::Confirm { question, .. }) = s.prompt() else { panic!("{:?}", s.prompt()) };
    assert!(question.contains("all 3 unread messages in INBOX"), "{question}");
    assert!(key(&mut s, KeyCode::Char('n')).is_empty());
    assert!(s.prompt().is_none());
    key(&mut s, KeyCode::Char('M'));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert_eq!(
        fx,
        vec![Effect::Send(AccountId(1), Command::Act(crate::account::Action::MarkFolderRead { folder: FolderId(10) }))]
    );
    assert_eq!(s.status.as_deref(), Some("3 messages in INBOX marked read (u undoes)"));
    // with a filter on, only what it shows, and the question says so
    key(&mut s, KeyCode::Char('/'));
    let fx = key(&mut s, KeyCode::Char('b'));
    let Some(Effect::LoadList { seq, query, start, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::ListLoaded { seq, query, total: 2, start, rows: rows(0, 2), counting: false });
    key(&mut s, KeyCode::Char('M'));
    let Some(super::state::Prompt::Confirm { question, .. }) = s.prompt() else { panic!("{:?}", s.prompt()) };
    assert!(question.contains("the 2 messages the filter shows"), "{question}");
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(fx.first(), Some(Effect::Act { targets: super::state::Targets::Query(q), kind: super::ActKind::MarkRead, .. }) if q.filter.as_deref() == Some("b")),
        "{fx:?}"
    );
    assert_eq!(s.status.as_deref(), Some("2 messages the filter shows marked read (u undoes)"));
    // a filter that shows nothing: nothing to ask
    key(&mut s, KeyCode::Char('/'));
    let fx = key(&mut s, KeyCode::Char('z'));
    let Some(Effect::LoadList { seq, query, start, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::ListLoaded { seq, query, total: 0, start, rows: vec![], counting: false });
    assert!(key(&mut s, KeyCode::Char('M')).is_empty());
    assert!(s.prompt().is_none());
    assert_eq!(s.status.as_deref(), Some("the filter shows no messages"));
    // nothing unread: nothing to ask
    key(&mut s, KeyCode::Esc);
    update(
        &mut s,
        Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder(10, "INBOX"), folder(11, "Sent")] }),
    );
    assert!(key(&mut s, KeyCode::Char('M')).is_empty());
    assert!(s.prompt().is_none());
    assert_eq!(s.status.as_deref(), Some("INBOX has no unread messages"));
}

#[test]
fn the_reader_goes_on_when_its_message_leaves_the_list() {
    let mut s = opened(3);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1001));
    // deleted (here, or by another client): the list comes back without it
    let without: Vec<_> = rows(0, 3).into_iter().filter(|r| r.id != MessageId(1001)).collect();
    let fx = reread(&mut s, 2, without);
    assert_eq!(s.list.selected().unwrap().id, MessageId(1002));
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1002), "the reader shows the message at the cursor");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Send(AccountId(1), Command::Open { id: MessageId(1002), .. }))),
        "{fx:?}"
    );
    // other messages coming and going leave it alone
    let fx = reread(&mut s, 3, rows(0, 3));
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1002));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Send(_, Command::Open { .. }))), "{fx:?}");
    // the last one gone: the reader closes
    reread(&mut s, 0, vec![]);
    assert!(s.reader.is_none());
    assert_eq!(s.focus, Pane::List);
}

#[test]
fn a_body_unavailable_offline_is_fetched_when_the_account_is_back() {
    use crate::model::AccountState;
    let mut s = opened(3);
    update(
        &mut s,
        Msg::Worker(Event::State { account: AccountId(1), state: AccountState::Offline("no route".into()) }),
    );
    key(&mut s, KeyCode::Enter);
    let reason = "not downloaded yet, and the server cannot be reached".to_string();
    update(&mut s, Msg::Worker(Event::BodyUnavailable { id: MessageId(1000), reason, offline: true }));
    let fx = update(&mut s, Msg::Worker(Event::State { account: AccountId(1), state: AccountState::Online }));
    assert_eq!(fx, vec![Effect::Send(AccountId(1), Command::Open { id: MessageId(1000), mark_seen: false })]);
    // online again after the next pass: asked once, not again
    let fx = update(&mut s, Msg::Worker(Event::State { account: AccountId(1), state: AccountState::Online }));
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn the_list_cursor_stays_with_the_message_the_reader_went_on_to() {
    let mut s = opened(6);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    assert!(s.reader.as_ref().unwrap().fullscreen);
    key(&mut s, KeyCode::Char('J'));
    key(&mut s, KeyCode::Char('J'));
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1002));
    // the list reloads (the message was marked read): the cursor stays on it
    reread(&mut s, 6, rows(0, 6));
    assert_eq!(s.list.selected().unwrap().id, MessageId(1002));
    key(&mut s, KeyCode::Char('J'));
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1003), "one message at a time");
    // what the keys act on is what is on screen
    assert_eq!(s.message_in_hand().unwrap().1.id, MessageId(1003));
}
