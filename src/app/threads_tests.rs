//! The threaded list: threaded and flat per list, threads opened and closed, and actions
//! on a whole closed thread.

use super::state::{AppState, Targets, ThreadCell, ThreadTotals};
use super::tests::{key, opened, rows};
use super::update::{ActKind, Effect, Msg, update};
use crate::model::{AccountId, Flags, FolderId, MessageId, ThreadId};
use crossterm::event::KeyCode;
use std::sync::Arc;

/// The answer to the last threaded read: rows 0.. of threads 1, 2, 3 (thread 2 closed with
/// five messages, two unread; `open` ones with three messages each).
fn threads_loaded(s: &mut AppState, open: &[i64]) -> Vec<Effect> {
    let (mut summaries, mut cells) = (Vec::new(), Vec::new());
    let mut n = 0;
    for t in 1..=3 {
        let messages = if open.contains(&t) { 3 } else { 1 };
        for i in 0..messages {
            summaries.extend(rows(n, 1));
            n += 1;
            let closed = (!open.contains(&t)).then_some(if t == 2 {
                ThreadTotals { count: 5, unread: 2, flagged: 0 }
            } else {
                ThreadTotals { count: 1, unread: 0, flagged: 0 }
            });
            let glyphs = if i == 0 || closed.is_some() { String::new() } else { "└─".into() };
            cells.push(ThreadCell { thread: ThreadId(t), closed, glyphs });
        }
    }
    let (seq, query) = (s.requests, s.list.query.clone());
    update(s, Msg::ThreadsLoaded { seq, query, total: n, start: 0, rows: summaries, cells, counting: false })
}

fn threaded() -> AppState {
    let mut s = opened(3);
    let fx = key(&mut s, KeyCode::Char('T'));
    assert!(
        matches!(&fx[..], [Effect::LoadThreads { open, all_open: false, start: 0, .. }, Effect::SaveThreaded(kept)]
            if open.is_empty() && kept.get("folder:10") == Some(&true)),
        "{fx:?}"
    );
    threads_loaded(&mut s, &[]);
    s
}

#[test]
fn t_threads_a_list_and_each_list_keeps_its_shape_for_the_session() {
    let mut s = threaded();
    assert!(s.list.threaded);
    assert_eq!(s.list.total, 3);
    assert_eq!(s.status.as_deref(), Some("threaded"));
    // another folder is flat (the default); back in INBOX, threaded again
    super::navigate::open_folder(&mut s, AccountId(1), FolderId(11), &mut Vec::new());
    assert!(!s.list.threaded);
    let mut fx = Vec::new();
    super::navigate::open_folder(&mut s, AccountId(1), FolderId(10), &mut fx);
    assert!(s.list.threaded && matches!(fx.first(), Some(Effect::LoadThreads { .. })), "{fx:?}");
    // and T again: flat
    threads_loaded(&mut s, &[]);
    let fx = key(&mut s, KeyCode::Char('T'));
    assert!(!s.list.threaded && matches!(fx.first(), Some(Effect::LoadList { .. })), "{fx:?}");
    // a late threaded answer is dropped
    threads_loaded(&mut s, &[]);
    assert!(s.list.window.cells.is_empty());
}

#[test]
fn threads_start_threaded_when_the_config_says_so() {
    let settings = super::state::UiSettings { threaded: true, ..Default::default() };
    let s = super::tests::opened_with_threads(settings);
    assert!(s.list.threaded);
}

#[test]
fn z_opens_and_closes_the_thread_under_the_cursor_and_the_cursor_follows_it() {
    let mut s = threaded();
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.list.closed_thread(), Some((ThreadId(2), ThreadTotals { count: 5, unread: 2, flagged: 0 })));
    let fx = key(&mut s, KeyCode::Char('z'));
    assert!(matches!(&fx[..], [Effect::LoadThreads { open, .. }] if open == &[ThreadId(2)]), "{fx:?}");
    // the answer: thread 2's three rows after thread 1's; the cursor on its first
    threads_loaded(&mut s, &[2]);
    assert_eq!((s.list.cursor, s.list.total), (1, 5));
    assert_eq!(s.list.closed_thread(), None);
    // a message row of an open thread: an action is on that message only
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Char('d'));
    assert!(matches!(&fx[..], [Effect::Act { targets: Targets::Ids(ids), .. }] if ids.len() == 1), "{fx:?}");
    // z on a message of it closes it
    let fx = key(&mut s, KeyCode::Char('z'));
    assert!(matches!(&fx[..], [Effect::LoadThreads { open, .. }] if open.is_empty()), "{fx:?}");
    threads_loaded(&mut s, &[]);
    assert_eq!(s.list.cursor, 1);
    // Z: every thread open; again: every one closed
    let fx = key(&mut s, KeyCode::Char('Z'));
    assert!(matches!(&fx[..], [Effect::LoadThreads { all_open: true, .. }]), "{fx:?}");
    let fx = key(&mut s, KeyCode::Char('Z'));
    assert!(matches!(&fx[..], [Effect::LoadThreads { all_open: false, .. }]), "{fx:?}");
}

#[test]
fn actions_on_a_closed_thread_are_on_all_its_messages() {
    let mut s = threaded();
    key(&mut s, KeyCode::Char('j'));
    let thread_of = |fx: &[Effect]| match fx {
        [Effect::Act { account: AccountId(1), targets: Targets::Thread { thread, query, count }, kind }] => {
            assert_eq!((*thread, *count, query.folder), (ThreadId(2), 5, Some(FolderId(10))));
            *kind
        }
        _ => panic!("{fx:?}"),
    };
    // delete: to Trash, all five
    let fx = key(&mut s, KeyCode::Char('d'));
    assert_eq!(thread_of(&fx), ActKind::Delete { expunge: false });
    assert!(s.status.as_deref().unwrap().starts_with("5 messages moved to Trash"), "{:?}", s.status);
    // two of them unread: N marks them all read
    let fx = key(&mut s, KeyCode::Char('N'));
    assert_eq!(thread_of(&fx), ActKind::Flags { add: Flags(Flags::SEEN), remove: Flags(0) });
    assert_eq!(s.status.as_deref(), Some("5 messages marked read"));
    let fx = key(&mut s, KeyCode::Char('!'));
    assert_eq!(thread_of(&fx), ActKind::Flags { add: Flags(Flags::FLAGGED), remove: Flags(0) });
    // move: the picker, then all five
    key(&mut s, KeyCode::Char('m'));
    for c in "Sent".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(thread_of(&fx), ActKind::Move { to: FolderId(11) });
    assert!(s.status.as_deref().unwrap().starts_with("5 messages moved to Sent"), "{:?}", s.status);
    // a thread of one message is that message
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Char('d'));
    assert!(matches!(&fx[..], [Effect::Act { targets: Targets::Ids(ids), .. }] if ids.len() == 1), "{fx:?}");
    // the whole list: its rows are threads, and no count of rows is said to be messages
    key(&mut s, KeyCode::Char('*'));
    assert!(s.status.as_deref().unwrap().starts_with("the whole list selected ("), "{:?}", s.status);
    let fx = key(&mut s, KeyCode::Char('d'));
    assert!(matches!(&fx[..], [Effect::Act { targets: Targets::Query(_), .. }]), "{fx:?}");
    assert!(s.status.as_deref().unwrap().starts_with("every message in the list moved to Trash"), "{:?}", s.status);
}

#[test]
fn a_conversation_asks_for_its_unread_bodies_one_at_a_time() {
    use crate::account::{Command, Event};
    use crate::store::ThreadEntry;
    let mut s = threaded();
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(fx, [Effect::LoadConversation { thread: ThreadId(2), shown: FolderId(10) }]);
    assert!(s.reader.as_ref().is_some_and(|r| r.conversation.is_some()));
    // five messages, the last three unread (one of them in Sent)
    let entries: Vec<_> = rows(100, 5)
        .into_iter()
        .enumerate()
        .map(|(i, mut summary)| {
            summary.flags = if i < 2 { Flags(Flags::SEEN) } else { Flags(0) };
            summary.folder = if i == 3 { FolderId(11) } else { FolderId(10) };
            (ThreadEntry { summary, depth: i.min(1), more: vec![false; i.min(1)] }, Some(format!("words {i}")))
        })
        .collect();
    let ids: Vec<_> = entries.iter().map(|(e, _)| e.summary.id).collect();
    let fx = update(&mut s, Msg::Conversation { thread: ThreadId(2), entries });
    let opens = |fx: &[Effect]| -> Vec<MessageId> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Send(AccountId(1), Command::Open { id, mark_seen: false }) => Some(*id),
                _ => None,
            })
            .collect()
    };
    assert_eq!(opens(&fx), [ids[2]]);
    // in the reader pane, the unread ones are read after the delay, all at once
    let Some(Effect::Timer { timer, .. }) = fx.iter().find(|e| matches!(e, Effect::Timer { .. })).cloned() else {
        panic!("{fx:?}")
    };
    let marked = update(&mut s, Msg::Timer(timer));
    let want = crate::account::Action::Flags { ids: ids[2..].to_vec(), add: Flags(Flags::SEEN), remove: Flags(0) };
    assert_eq!(marked, [Effect::Send(AccountId(1), Command::Act(want))]);
    let r = s.reader.as_ref().unwrap();
    assert_eq!((r.id, r.conversation.as_ref().unwrap().cursor), (ids[2], 2));
    let raw = Arc::new(b"Subject: x\r\n\r\nbody\r\n".to_vec());
    let fx = update(&mut s, Msg::Worker(Event::Body { id: ids[2], raw: raw.clone() }));
    assert_eq!(opens(&fx), [ids[3]]);
    let fx = update(&mut s, Msg::Worker(Event::Body { id: ids[3], raw: raw.clone() }));
    assert_eq!(opens(&fx), [ids[4]]);
    // K to a read one, z unfolds it: its body is asked for once the last one came
    s.focus = super::state::Pane::Reader;
    key(&mut s, KeyCode::Char('K'));
    assert_eq!(s.reader.as_ref().unwrap().id, ids[1]);
    let fx = key(&mut s, KeyCode::Char('z'));
    assert!(opens(&fx).is_empty(), "{fx:?}");
    let fx = update(&mut s, Msg::Worker(Event::Body { id: ids[4], raw }));
    assert_eq!(opens(&fx), [ids[1]]);
    // the list reloading around it leaves the conversation open
    threads_loaded(&mut s, &[]);
    assert!(s.reader.as_ref().is_some_and(|r| r.conversation.is_some() && r.id == ids[1]));
}

#[test]
fn a_conversation_is_read_again_when_its_messages_change_and_closes_when_none_is_left() {
    use crate::account::Event;
    use crate::store::ThreadEntry;
    let mut s = threaded();
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Enter);
    let entries = |ids: &[i64]| -> Vec<(ThreadEntry, Option<String>)> {
        rows(100, 3)
            .into_iter()
            .filter(|m| ids.contains(&m.id.0))
            .map(|mut summary| {
                summary.flags = Flags(Flags::SEEN);
                (ThreadEntry { summary, depth: 0, more: vec![] }, None)
            })
            .collect()
    };
    let all = [1100, 1101, 1102];
    update(&mut s, Msg::Conversation { thread: ThreadId(2), entries: entries(&all) });
    let c = |s: &AppState| s.reader.as_ref().and_then(|r| r.conversation.clone());
    s.reader.as_mut().unwrap().conversation.as_mut().unwrap().cursor = 1;
    // a change in the account's folders reads the conversation again
    let fx = update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(12) }));
    assert!(fx.contains(&Effect::LoadConversation { thread: ThreadId(2), shown: FolderId(10) }), "{fx:?}");
    // the message under the cursor went to Trash: the cursor stays in the conversation
    update(&mut s, Msg::Conversation { thread: ThreadId(2), entries: entries(&[all[0], all[2]]) });
    let now = c(&s).unwrap();
    assert_eq!(now.messages.iter().map(|m| m.summary.id.0).collect::<Vec<_>>(), [all[0], all[2]]);
    assert_eq!(now.cursor, 1);
    // a message of the conversation that stays keeps the cursor on it
    update(&mut s, Msg::Conversation { thread: ThreadId(2), entries: entries(&all) });
    assert_eq!(c(&s).unwrap().messages[c(&s).unwrap().cursor].summary.id.0, all[2]);
    // none left: the reader closes and says why
    s.status = None;
    update(&mut s, Msg::Conversation { thread: ThreadId(2), entries: vec![] });
    assert!(s.reader.is_none());
    assert!(s.status.as_deref().is_some_and(|t| t.contains("no messages")), "{:?}", s.status);
}

#[test]
fn the_cursor_stays_on_the_conversations_thread_when_its_row_changes() {
    let mut s = threaded();
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Enter);
    assert!(s.reader.as_ref().is_some_and(|r| r.conversation.is_some()));
    // the thread's newest message went: its row is another message, further down
    let cells = [1, 3, 2]
        .map(|t| ThreadCell {
            thread: ThreadId(t),
            closed: Some(ThreadTotals { count: 1, unread: 0, flagged: 0 }),
            glyphs: String::new(),
        })
        .to_vec();
    let (seq, query) = (s.requests, s.list.query.clone());
    update(&mut s, Msg::ThreadsLoaded { seq, query, total: 3, start: 0, rows: rows(10, 3), cells, counting: false });
    assert_eq!(s.list.cursor, 2);
    assert_eq!(s.list.window.cell(2).map(|c| c.thread), Some(ThreadId(2)));
}

#[test]
fn leaving_the_full_screen_reader_reads_the_rows_the_list_has_room_for() {
    let mut s = threaded();
    key(&mut s, KeyCode::Enter);
    s.list.window = Default::default();
    s.focus = super::state::Pane::Reader;
    s.reader.as_mut().unwrap().fullscreen = true;
    let fx = key(&mut s, KeyCode::Esc);
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadThreads { .. })), "{fx:?}");
}

#[test]
fn a_thread_with_one_message_here_opens_as_a_conversation_for_its_replies_elsewhere() {
    let mut s = threaded();
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(fx, [Effect::LoadConversation { thread: ThreadId(1), shown: FolderId(10) }]);
}
