//! List reads off the UI task: answers for a list the user left or overtaken by a later
//! one are dropped, a filter asks again at each key, and a read that fails says why.

use super::tests::{key, opened, rows};
use super::update::{Effect, Msg, update};
use crate::account::Event;
use crate::model::{AccountId, FolderId, MessageId, Summary};
use crossterm::event::KeyCode;

/// The list read's effect among `fx`.
fn list_read(fx: &[Effect]) -> (u64, crate::store::ListQuery, usize) {
    match fx.iter().find(|e| matches!(e, Effect::LoadList { .. })) {
        Some(Effect::LoadList { seq, query, start, .. }) => (*seq, query.clone(), *start),
        _ => panic!("no list read in {fx:?}"),
    }
}

#[test]
fn an_answer_for_a_folder_the_user_left_is_dropped() {
    let mut s = opened(5);
    // a read of INBOX is under way when the user opens Sent, and comes back after
    let (old_seq, old_query, _) =
        list_read(&update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(10) })));
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('j'));
    let (seq, query, start) = list_read(&key(&mut s, KeyCode::Enter));
    assert_eq!(query.folder, Some(FolderId(11)));
    update(
        &mut s,
        Msg::ListLoaded {
            seq: old_seq,
            query: old_query.clone(),
            total: 9,
            start: 0,
            rows: rows(0, 9),
            counting: false,
        },
    );
    assert_eq!((s.list.total, s.list.window.rows.len()), (0, 0), "INBOX's rows do not show in Sent");
    update(&mut s, Msg::ListLoaded { seq, query, total: 1, start, rows: rows(50, 1), counting: false });
    assert_eq!(s.list.selected().unwrap().subject, "m50");
    // back in INBOX: the answer of the read from its first visit is stale too
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('k'));
    let (seq, query, start) = list_read(&key(&mut s, KeyCode::Enter));
    assert_eq!(query, old_query);
    update(
        &mut s,
        Msg::ListLoaded { seq: old_seq, query: old_query, total: 9, start: 0, rows: rows(0, 9), counting: false },
    );
    assert_eq!(s.list.total, 0);
    update(&mut s, Msg::ListLoaded { seq, query, total: 2, start, rows: rows(0, 2), counting: false });
    assert_eq!(s.list.total, 2);
}

#[test]
fn an_answer_overtaken_by_a_later_one_is_dropped_and_the_cursor_keeps_its_message() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.list.selected().unwrap().id, MessageId(1002));
    let (first, query, _) =
        list_read(&update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(10) })));
    let (second, _, _) =
        list_read(&update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(10) })));
    // the later read comes back first: a new message above, the cursor stays on its own
    let mut newer = rows(0, 5);
    newer.insert(0, Summary { id: MessageId(999), folder: FolderId(10), subject: "new".into(), ..Default::default() });
    update(
        &mut s,
        Msg::ListLoaded { seq: second, query: query.clone(), total: 6, start: 0, rows: newer, counting: false },
    );
    assert_eq!((s.list.cursor, s.list.selected().unwrap().id), (3, MessageId(1002)));
    // the earlier one, late, changes nothing
    update(
        &mut s,
        Msg::ListLoaded { seq: first, query: query.clone(), total: 5, start: 0, rows: rows(0, 5), counting: false },
    );
    assert_eq!((s.list.total, s.list.cursor, s.list.selected().unwrap().id), (6, 3, MessageId(1002)));
    let failed = Msg::ListFailed { seq: first, query, error: "local store: interrupted".into() };
    update(&mut s, failed);
    assert!(s.list.error.is_none() && s.notice.is_none(), "a stale failure is not shown");
}

#[test]
fn typing_a_filter_asks_again_at_each_key_and_only_the_last_text_counts() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Char('/'));
    let (a, qa, _) = list_read(&key(&mut s, KeyCode::Char('a')));
    let (b, qb, _) = list_read(&key(&mut s, KeyCode::Char('b')));
    assert!(b > a);
    assert_eq!(s.list.typing.as_deref(), Some("ab"), "the text shows before any answer");
    // the answer for "a" comes after "ab" was typed: dropped
    update(
        &mut s,
        Msg::ListLoaded { seq: a, query: qa.clone(), total: 4, start: 0, rows: rows(0, 4), counting: false },
    );
    assert_eq!(s.list.total, 5, "nothing of the answer for \"a\" shows");
    assert!(s.list.window.rows.is_empty());
    // back to "a": the old answer for the same text is still stale
    let (a2, qa2, _) = list_read(&key(&mut s, KeyCode::Backspace));
    assert_eq!(qa2, qa);
    update(&mut s, Msg::ListLoaded { seq: b, query: qb, total: 1, start: 0, rows: rows(0, 1), counting: false });
    update(
        &mut s,
        Msg::ListLoaded { seq: a, query: qa.clone(), total: 4, start: 0, rows: rows(0, 4), counting: false },
    );
    assert!(s.list.window.rows.is_empty());
    update(&mut s, Msg::ListLoaded { seq: a2, query: qa2, total: 3, start: 0, rows: rows(0, 3), counting: false });
    assert_eq!(s.list.total, 3);
}

#[test]
fn a_list_read_that_fails_says_why_in_the_list() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Char('/'));
    let (seq, query, _) = list_read(&key(&mut s, KeyCode::Char('(')));
    let error = "local store: bad query at 1".to_string();
    update(&mut s, Msg::ListFailed { seq, query, error: error.clone() });
    assert_eq!(s.list.error.as_ref(), Some(&error));
    assert_eq!(s.notice.as_ref(), Some(&error));
    assert_eq!((s.list.total, s.list.cursor), (0, 0));
    let (seq, query, _) = list_read(&key(&mut s, KeyCode::Backspace));
    update(&mut s, Msg::ListLoaded { seq, query, total: 5, start: 0, rows: rows(0, 5), counting: false });
    assert!(s.list.error.is_none());
}

#[test]
fn a_range_selection_for_a_list_the_user_left_is_dropped() {
    let mut s = opened(5);
    let query = s.list.query.clone();
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Enter);
    update(&mut s, Msg::Selected { query, ids: vec![MessageId(1000), MessageId(1001)], unselect: false });
    assert!(s.selection.ids.is_empty());
}

#[test]
fn slash_on_a_filtered_list_refines_it_after_a_space() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Char('/'));
    key(&mut s, KeyCode::Char('x'));
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Char('/'));
    assert_eq!(s.list.typing.as_deref(), Some("x "));
}

#[test]
fn a_filter_on_bodies_says_it_searched_only_those_stored_here() {
    let mut s = opened(5);
    s.accounts[0].bodies_on_server = true;
    key(&mut s, KeyCode::Char('/'));
    for c in "budget".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.status.as_deref(), Some("stored bodies only (\\ asks the server)"));
    // a header term looks in no body
    key(&mut s, KeyCode::Char('/'));
    key(&mut s, KeyCode::Esc);
    s.status = None;
    key(&mut s, KeyCode::Char('/'));
    for c in "from:ann".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.status, None);
    // a query that cannot be read keeps its error on screen past the Enter
    key(&mut s, KeyCode::Char('/'));
    let (seq, query, _) = list_read(&key(&mut s, KeyCode::Char('(')));
    update(&mut s, Msg::ListFailed { seq, query, error: "bad query".into() });
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.notice.as_deref(), Some("bad query"));
}

#[test]
fn the_cursor_stays_on_the_first_row_as_the_list_fills_until_the_user_moves_it() {
    let mut s = opened(3);
    let newer = |id| Summary { id: MessageId(id), folder: FolderId(10), ..Default::default() };
    // newer mail comes above the first row before the user did anything: the cursor is on it
    let mut more = rows(0, 3);
    more.insert(0, newer(900));
    super::tests::reread(&mut s, 4, more.clone());
    assert_eq!((s.list.cursor, s.list.selected().map(|r| r.id)), (0, Some(MessageId(900))));
    // once the user moved, the cursor stays with the message it is on
    key(&mut s, KeyCode::Char('j'));
    let on = s.list.selected().map(|r| r.id);
    more.insert(0, newer(901));
    super::tests::reread(&mut s, 5, more);
    assert_eq!((s.list.cursor, s.list.selected().map(|r| r.id)), (2, on));
}
