//! The reader's keys through `update`: Space, J/K, scrolling that stops at the end,
//! answering a message not downloaded yet, attachments, links, pipe, pager, new mail.

use super::compose::ComposeKind;
use super::reader::{Answer, Handover, Request};
use super::state::{Layer, Pane, Prompt, TextPurpose};
use super::tests::{body, folder, key, opened, rows};
use super::update::{Effect, Msg, update};
use crate::account::{Command, Event};
use crate::model::{AccountId, Flags, FolderId, MessageId};
use crossterm::event::KeyCode;
use std::sync::Arc;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A message with `n` numbered body lines.
fn long(n: usize) -> Vec<u8> {
    let lines: String = (1..=n).map(|i| format!("line {i}\r\n")).collect();
    format!("From: a@x.org\r\nSubject: long\r\n\r\n{lines}").into_bytes()
}

/// A state with `total` messages, the first one open full screen with `raw` as its body.
fn reading(total: usize, raw: &[u8]) -> super::AppState {
    let mut s = opened(total);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    body(&mut s, 1000, raw);
    assert!(s.reader.as_ref().unwrap().fullscreen && s.focus == Pane::Reader);
    s
}

fn scroll(s: &super::AppState) -> u16 {
    s.reader.as_ref().unwrap().scroll
}

#[test]
fn space_pages_down_then_opens_the_next_unread_message() {
    let mut s = reading(10, &long(100));
    s.list.window.rows[1].flags = Flags(Flags::SEEN);
    // 100 lines and three of headers in a pane of 27: four pages
    let page = s.reader_height() as u16;
    assert_eq!(page, 27);
    assert!(key(&mut s, KeyCode::Char(' ')).is_empty());
    assert_eq!(scroll(&s), page);
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char(' '));
    assert_eq!(scroll(&s), 103 - page, "the last page ends at the last line");
    let fx = key(&mut s, KeyCode::Char(' '));
    // message 1 is read: on to message 2, still full screen
    assert_eq!(s.list.cursor, 2);
    let r = s.reader.as_ref().unwrap();
    assert!(r.id == MessageId(1002) && r.fullscreen && r.scroll == 0);
    assert_eq!(fx[0], Effect::Send(AccountId(1), Command::Open { id: MessageId(1002), mark_seen: true }));
}

#[test]
fn a_message_that_fits_does_not_scroll_and_space_moves_on() {
    let mut s = reading(5, &long(3));
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(scroll(&s), 0, "j and G keep the headers in view");
    key(&mut s, KeyCode::Char(' '));
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1001));
    // and in the list, Space still selects
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char(' '));
    assert_eq!(s.selection.ids.len(), 1);
}

#[test]
fn the_next_unread_beyond_the_loaded_rows_is_asked_of_the_store() {
    let mut s = reading(500, &long(3));
    for r in &mut s.list.window.rows {
        r.flags = Flags(Flags::SEEN);
    }
    let end = s.list.window.start + s.list.window.rows.len();
    let fx = key(&mut s, KeyCode::Char(' '));
    let Some(Effect::Reading(Request::FindUnread { query, from, total: 500 })) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    assert_eq!(from, end);
    let row = rows(300, 1).remove(0);
    let fx = update(&mut s, Msg::Reading(Answer::UnreadFound { query: query.clone(), found: Some((300, row)) }));
    assert_eq!(s.list.cursor, 300);
    assert_eq!(s.reader.as_ref().unwrap().id, MessageId(1300));
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadList { .. })), "the rows around it are loaded");
    assert!(fx.contains(&Effect::Send(AccountId(1), Command::Open { id: MessageId(1300), mark_seen: true })));
    // none left
    update(&mut s, Msg::Reading(Answer::UnreadFound { query, found: None }));
    assert_eq!(s.status.as_deref(), Some("no more unread messages here"));
}

#[test]
fn shift_j_and_k_move_between_messages_in_the_full_screen_reader() {
    let mut s = reading(5, &long(3));
    let fx = key(&mut s, KeyCode::Char('J'));
    assert_eq!(fx[0], Effect::Send(AccountId(1), Command::Open { id: MessageId(1001), mark_seen: true }));
    assert!(s.reader.as_ref().unwrap().fullscreen && s.focus == Pane::Reader);
    key(&mut s, KeyCode::Char('J'));
    key(&mut s, KeyCode::Char('K'));
    assert_eq!((s.list.cursor, s.reader.as_ref().unwrap().id), (1, MessageId(1001)));
}

#[test]
fn answering_a_message_not_downloaded_fetches_it_first_without_marking_it_read() {
    let mut s = opened(5);
    let fx = key(&mut s, KeyCode::Char('r'));
    assert_eq!(fx, vec![Effect::Send(AccountId(1), Command::Open { id: MessageId(1000), mark_seen: false })]);
    // another message's body does not start it
    assert!(update(&mut s, Msg::Worker(Event::Body { id: MessageId(1003), raw: Arc::new(long(1)) })).is_empty());
    let fx = update(&mut s, Msg::Worker(Event::Body { id: MessageId(1000), raw: Arc::new(long(1)) }));
    assert_eq!(fx, vec![Effect::StartCompose { account: AccountId(1), kind: ComposeKind::Reply(MessageId(1000)) }]);
    assert!(s.resume_after_body.is_none());
    // a message that cannot be had says why
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('f'));
    let reason = "the server cannot be reached".to_string();
    let fx = update(&mut s, Msg::Worker(Event::BodyUnavailable { id: MessageId(1001), reason, offline: true }));
    assert!(fx.is_empty());
    assert_eq!(s.notice.as_deref(), Some("cannot write from that message: the server cannot be reached"));
    // one that is here is answered at once
    s.list.window.rows[2].cached = true;
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Char('a'));
    assert_eq!(fx, vec![Effect::StartCompose { account: AccountId(1), kind: ComposeKind::ReplyAll(MessageId(1002)) }]);
}

#[test]
fn attachments_open_by_number() {
    let mut s = reading(5, &fixture("attachments.eml"));
    assert!(key(&mut s, KeyCode::Char('o')).is_empty());
    assert_eq!(s.prompt(), Some(&Prompt::OpenAttachment));
    let fx = key(&mut s, KeyCode::Char('1'));
    let Some(Effect::Reading(Request::OpenAttachment { index: 0, mime, .. })) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(mime, "application/pdf");
    assert_eq!(s.status.as_deref(), Some("opening report.pdf…"));
}

#[test]
fn links_are_listed_and_one_is_opened() {
    let mut s = reading(5, &fixture("html.eml"));
    key(&mut s, KeyCode::Char('L'));
    let Some(Layer::Links(l)) = s.layers.last() else { panic!("the link list: {:?}", s.layers) };
    assert_eq!(l.links, ["https://example.com/story", "https://example.com/more"]);
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Reading(Request::OpenLink("https://example.com/more".into()))]);
    assert!(s.layers.is_empty());
    // by number
    key(&mut s, KeyCode::Char('L'));
    key(&mut s, KeyCode::Char('1'));
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::Reading(Request::OpenLink("https://example.com/story".into()))]);
}

#[test]
fn only_web_links_go_to_the_opener_and_mailto_is_written_here() {
    let raw = b"Subject: l\r\nContent-Type: text/html\r\n\r\n<a href=\"javascript:alert(1)\">a</a> \
<a href=\"mailto:ann@x.org?subject=hi\">b</a> <a href=\"file:///etc/passwd\">c</a>";
    let mut s = reading(5, raw);
    key(&mut s, KeyCode::Char('L'));
    assert!(matches!(s.layers.last(), Some(Layer::Links(l)) if l.links.len() == 3));
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(s.notice.as_deref().unwrap().contains("not javascript:alert(1)"), "{:?}", s.notice);
    key(&mut s, KeyCode::Char('L'));
    key(&mut s, KeyCode::Char('2'));
    let fx = key(&mut s, KeyCode::Enter);
    let url = "mailto:ann@x.org?subject=hi".to_string();
    assert_eq!(fx, vec![Effect::StartCompose { account: AccountId(1), kind: ComposeKind::Mailto(url) }]);
    key(&mut s, KeyCode::Char('L'));
    key(&mut s, KeyCode::Char('3'));
    assert!(key(&mut s, KeyCode::Enter).is_empty());
}

#[test]
fn pipe_asks_for_a_command_and_the_pager_gets_the_text() {
    let mut s = reading(5, &long(2));
    key(&mut s, KeyCode::Char('|'));
    assert!(matches!(s.prompt(), Some(Prompt::Text { purpose: TextPurpose::Pipe, .. })));
    for c in "wc -l".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    let Some(Handover::Pipe { command, raw }) = s.handover.take() else { panic!("{:?}", s.handover) };
    assert_eq!(command, "wc -l");
    assert_eq!(*raw, long(2));
    key(&mut s, KeyCode::Char('P'));
    let Some(Handover::Pager { text }) = s.handover.take() else { panic!() };
    assert!(text.starts_with("From: a@x.org\nSubject: long\n\nline 1\nline 2\n"), "{text}");
    // what came of it is said
    update(&mut s, Msg::Reading(Answer::HandedBack(Err("wc -l ended with exit status 1".into()))));
    assert_eq!(s.notice.as_deref(), Some("wc -l ended with exit status 1"));
}

/// The worker tells a folder's new counts.
fn counts(s: &mut super::AppState, f: &crate::model::Folder) -> Vec<Effect> {
    update(s, Msg::Worker(Event::FolderCounts { account: AccountId(1), folder: f.clone() }))
}

#[test]
fn new_mail_elsewhere_is_counted_until_its_folder_is_opened() {
    let mut s = opened(5);
    let mut sent = folder(11, "Sent");
    sent.unread = 3;
    counts(&mut s, &sent);
    sent.unread = 5;
    counts(&mut s, &sent);
    assert_eq!(super::newmail::summary(&s).as_deref(), Some("new: work/Sent 5"));
    // the open folder's own mail is not news
    let mut inbox = folder(10, "INBOX");
    inbox.unread = 4;
    counts(&mut s, &inbox);
    assert_eq!(super::newmail::summary(&s).as_deref(), Some("new: work/Sent 5"));
    // read elsewhere, then opened
    sent.unread = 2;
    counts(&mut s, &sent);
    assert_eq!(super::newmail::summary(&s).as_deref(), Some("new: work/Sent 2"));
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.current, Some((AccountId(1), FolderId(11))));
    assert_eq!(super::newmail::summary(&s), None);
}

#[test]
fn messages_the_user_moves_into_a_folder_are_not_new_mail_there() {
    let mut s = opened(5);
    let mut sent = folder(11, "Sent");
    key(&mut s, KeyCode::Char('m'));
    for c in "Sent".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.moving_into, vec![FolderId(11)]);
    // the move's own count: no news, no bell
    s.settings.new_mail_bell = true;
    sent.unread = 1;
    let fx = counts(&mut s, &sent);
    assert_eq!(super::newmail::summary(&s), None);
    assert!(!fx.iter().any(|e| matches!(e, Effect::NewMail { .. })), "{fx:?}");
    // what comes after it is
    sent.unread = 2;
    counts(&mut s, &sent);
    assert_eq!(super::newmail::summary(&s).as_deref(), Some("new: work/Sent 1"));
}

#[test]
fn new_mail_rings_and_runs_the_command_when_asked_to() {
    let mut s = opened(5);
    let mut sent = folder(11, "Sent");
    sent.unread = 2;
    // by default: counted, nothing rung
    let fx = update(&mut s, Msg::Worker(Event::FolderCounts { account: AccountId(1), folder: sent.clone() }));
    assert!(!fx.iter().any(|e| matches!(e, Effect::NewMail { .. })), "{fx:?}");
    s.settings.new_mail_bell = true;
    s.settings.new_mail_command = Some("notify".into());
    sent.unread = 3;
    let fx = update(&mut s, Msg::Worker(Event::FolderCounts { account: AccountId(1), folder: sent.clone() }));
    let want = Effect::NewMail {
        bell: true,
        command: Some("notify".into()),
        account: "work".into(),
        folder: "Sent".into(),
        count: 1,
    };
    assert!(fx.contains(&want), "{fx:?}");
    // fewer unread (read elsewhere) is no news
    sent.unread = 1;
    let fx = update(&mut s, Msg::Worker(Event::FolderCounts { account: AccountId(1), folder: sent }));
    assert!(!fx.iter().any(|e| matches!(e, Effect::NewMail { .. })), "{fx:?}");
}

#[test]
fn what_the_user_puts_in_trash_is_not_new_mail() {
    let mut s = opened(5);
    let mut trash = folder(12, "Trash");
    trash.special_use = Some(crate::model::SpecialUse::Trash);
    update(
        &mut s,
        Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder(10, "INBOX"), trash.clone()] }),
    );
    s.settings.new_mail_bell = true;
    trash.unread = 1;
    let fx = update(&mut s, Msg::Worker(Event::FolderCounts { account: AccountId(1), folder: trash }));
    assert!(!fx.iter().any(|e| matches!(e, Effect::NewMail { .. })), "{fx:?}");
    assert_eq!(super::newmail::summary(&s), None);
}
