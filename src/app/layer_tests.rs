//! The layer stack and the keymap, pure: every layer takes its keys from `[keys]`, the
//! top layer gets the key, and closing one shows the one below.

use super::keymap::Keymap;
use super::state::{Layer, Prompt, UiSettings};
use super::tests::{folder, key, opened, opened_with, reread};
use super::update::{Effect, Msg, update};
use crate::account::{Command, Event, OutboxItem};
use crate::config::KeyBinding;
use crate::model::{AccountId, FolderId, MessageId, OutboxId};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

fn keymap(pairs: &[(&str, &str)]) -> Keymap {
    let keys: BTreeMap<String, KeyBinding> =
        pairs.iter().map(|(n, k)| (n.to_string(), KeyBinding::One(k.to_string()))).collect();
    Keymap::from_config(&keys).unwrap()
}

fn ctrl(s: &mut super::AppState, c: char) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn outbox_item(id: i64) -> OutboxItem {
    let id = OutboxId(id);
    OutboxItem { id, subject: format!("out{id}"), state: crate::store::outbox::OutState::Failed, error: None }
}

#[test]
fn the_review_the_prompts_the_picker_and_the_outbox_take_their_keys_from_the_config() {
    let km = keymap(&[
        ("write_done", "C-g"),
        ("send", "S"),
        ("cancel_message", "X"),
        ("yes", "o"),
        ("pick", "Tab"),
        ("picker_down", "C-j"),
        ("close_outbox", "x"),
        ("accounts", "F2"),
    ]);
    let mut s = opened_with(5, km, UiSettings::default());
    // the built-in editor: Esc is text now, C-g finishes
    let draft = Box::new(crate::compose::Draft { subject: "keys".into(), ..Default::default() });
    update(&mut s, Msg::Composing { account: AccountId(1), draft, resumed: None, outgoing: None });
    key(&mut s, KeyCode::Esc);
    assert!(s.compose().unwrap().writing.is_some(), "Esc is no longer write_done");
    ctrl(&mut s, 'g');
    assert!(s.compose().unwrap().writing.is_none(), "C-g is");
    // the review: y is nothing, S sends
    assert!(key(&mut s, KeyCode::Char('y')).is_empty());
    let fx = key(&mut s, KeyCode::Char('S'));
    assert!(matches!(fx.first(), Some(Effect::SendDraft { .. })), "{fx:?}");
    // a question: y is no, o is yes
    key(&mut s, KeyCode::Char('X'));
    assert_eq!(s.prompt(), Some(&Prompt::DiscardDraft));
    key(&mut s, KeyCode::Char('y'));
    assert!(s.prompt().is_none() && s.compose().is_some(), "y did not discard");
    key(&mut s, KeyCode::Char('X'));
    key(&mut s, KeyCode::Char('o'));
    assert!(s.compose().is_none(), "o did");

    // the picker: C-j moves, Tab picks
    update(
        &mut s,
        Msg::Worker(Event::Folders {
            account: AccountId(1),
            folders: vec![folder(10, "INBOX"), folder(11, "Sent"), folder(12, "Archive")],
        }),
    );
    key(&mut s, KeyCode::Char('m'));
    ctrl(&mut s, 'j');
    let fx = key(&mut s, KeyCode::Tab);
    assert!(matches!(fx.first(), Some(Effect::Act { kind: super::ActKind::Move { to: FolderId(12) }, .. })), "{fx:?}");
    assert!(s.layers.is_empty());

    // the Outbox: q is nothing there now, x closes; the movement keys are the panes'
    update(&mut s, Msg::Worker(Event::Outbox { account: AccountId(1), items: vec![outbox_item(1), outbox_item(2)] }));
    key(&mut s, KeyCode::Char('O'));
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.outbox_cursor(), Some(1));
    key(&mut s, KeyCode::Char('q'));
    assert_eq!(s.outbox_cursor(), Some(1));
    key(&mut s, KeyCode::Char('x'));
    assert!(s.layers.is_empty());

    // accounts: F2 is the second account's key now, 1 is nothing
    assert!(key(&mut s, KeyCode::Char('1')).is_empty());
}

#[test]
fn the_top_layer_gets_the_key_and_closing_it_shows_the_one_below() {
    let mut s = opened(5);
    update(&mut s, Msg::Worker(Event::Outbox { account: AccountId(1), items: vec![outbox_item(1)] }));
    key(&mut s, KeyCode::Char('O'));
    // help over the Outbox: the next key closes the help only
    key(&mut s, KeyCode::Char('?'));
    assert!(matches!(s.layers.as_slice(), [Layer::Outbox { .. }, Layer::Help { .. }]), "{:?}", s.layers);
    key(&mut s, KeyCode::Char('y'));
    assert!(matches!(s.layers.as_slice(), [Layer::Outbox { .. }]), "{:?}", s.layers);
    // a question from the worker goes on top, and the Outbox is there after it
    let action = crate::account::Action::ExpungeMarked { folder: FolderId(10), uids: vec![1] };
    update(
        &mut s,
        Msg::Worker(Event::Ask { account: AccountId(1), question: "expunge? (y/n)".into(), action: action.clone() }),
    );
    let fx = key(&mut s, KeyCode::Char('y'));
    assert_eq!(fx, [Effect::Send(AccountId(1), Command::Act(action))]);
    assert!(matches!(s.layers.as_slice(), [Layer::Outbox { .. }]), "{:?}", s.layers);
    // the Outbox closes itself when it empties
    update(&mut s, Msg::Worker(Event::Outbox { account: AccountId(1), items: vec![] }));
    assert!(s.layers.is_empty());
}

#[test]
fn the_help_scrolls_with_the_movement_keys_and_any_other_key_closes_it() {
    let mut s = opened(5);
    update(&mut s, Msg::Resize(80, 24));
    key(&mut s, KeyCode::Char('?'));
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('j'));
    assert!(matches!(s.layers.as_slice(), [Layer::Help { scroll: 2 }]), "{:?}", s.layers);
    key(&mut s, KeyCode::Char('G'));
    let lines = super::keymap::help_lines(&s.keymap).len();
    let Some(Layer::Help { scroll }) = s.layers.last() else { panic!() };
    assert_eq!(*scroll, lines - super::layout::overlay_rows(&s), "the end, and no further");
    key(&mut s, KeyCode::Char('x'));
    assert!(s.layers.is_empty());
}

#[test]
fn a_folder_pane_too_narrow_to_show_does_not_keep_the_focus() {
    let mut s = opened(5);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, super::Pane::Folders);
    update(&mut s, Msg::Resize(50, 20));
    assert_eq!(s.focus, super::Pane::List, "the hidden pane lost the focus");
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, super::Pane::List, "Tab does not go to a pane that is not shown");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, super::Pane::Reader);
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.focus, super::Pane::List);
    // back out: the list is the outermost level, and q quits from it
    key(&mut s, KeyCode::Char('q'));
    assert!(s.reader.is_none() && !s.quit);
    key(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn a_refusal_stays_until_a_key_and_the_cursor_goes_back_to_the_message_that_came_back() {
    use super::tests::rows;
    let mut s = opened(5);
    update(
        &mut s,
        Msg::Worker(Event::Folders {
            account: AccountId(1),
            folders: vec![folder(10, "INBOX"), folder(12, "Archive")],
        }),
    );
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.list.selected().unwrap().id, MessageId(1002));
    key(&mut s, KeyCode::Char('m'));
    let fx = key(&mut s, KeyCode::Enter);
    assert!(matches!(fx.first(), Some(Effect::Act { .. })), "{fx:?}");
    // the list without it: the cursor is on the next one
    let without: Vec<_> = rows(0, 5).into_iter().filter(|r| r.id != MessageId(1002)).collect();
    reread(&mut s, 4, without);
    assert_eq!(s.list.selected().unwrap().id, MessageId(1003));
    // the server refuses; a sync ends after it: the reason stays
    let why = "the server refused to move 1 message to Archive: [OVERQUOTA] Quota exceeded (mailbox for user is full)";
    update(&mut s, Msg::Worker(Event::Notice { account: AccountId(1), text: why.into() }));
    update(&mut s, Msg::Worker(Event::SyncDone { account: AccountId(1), error: None }));
    assert_eq!(s.notice.as_deref(), Some(format!("work: {why}").as_str()));
    // it comes back, with a new message above it: the cursor goes back to it
    let mut back = rows(0, 5);
    back.insert(
        0,
        crate::model::Summary { id: MessageId(999), folder: FolderId(10), subject: "new".into(), ..Default::default() },
    );
    reread(&mut s, 6, back);
    assert_eq!(s.list.selected().unwrap().id, MessageId(1002));
    assert_eq!(s.list.cursor, 3);
    // a key: the notice goes, into the log, which I shows
    key(&mut s, KeyCode::Char('I'));
    assert!(s.notice.is_none());
    assert!(matches!(s.layers.as_slice(), [Layer::Messages { scroll: 0 }]));
    assert_eq!(s.log.last().map(String::as_str), Some(format!("work: {why}").as_str()));
}

#[test]
fn a_failed_sync_is_told_until_the_account_is_back() {
    let mut s = opened(5);
    let (work, other) = (AccountId(1), AccountId(2));
    update(&mut s, Msg::Worker(Event::SyncDone { account: work, error: Some("cannot connect: refused".into()) }));
    assert_eq!(s.notice.as_deref(), Some("work: cannot connect: refused"));
    // another account's good sync says nothing of this one
    update(&mut s, Msg::Worker(Event::SyncDone { account: other, error: None }));
    assert!(s.notice.is_some());
    // back online: the failure is no longer so, and the notice goes (it stays in the log)
    update(
        &mut s,
        Msg::Worker(Event::State { account: work, state: crate::model::AccountState::Offline("refused".into()) }),
    );
    update(&mut s, Msg::Worker(Event::State { account: work, state: crate::model::AccountState::Online }));
    assert!(s.notice.is_none());
    assert_eq!(s.log.last().map(String::as_str), Some("work: cannot connect: refused"));
    // a good sync takes it away too; a notice of something else stays
    update(&mut s, Msg::Worker(Event::SyncDone { account: work, error: Some("timed out".into()) }));
    update(&mut s, Msg::Worker(Event::SyncDone { account: work, error: None }));
    assert!(s.notice.is_none());
    update(&mut s, Msg::Worker(Event::SyncDone { account: work, error: Some("timed out".into()) }));
    update(&mut s, Msg::Worker(Event::Notice { account: work, text: "the server refused the move".into() }));
    update(&mut s, Msg::Worker(Event::SyncDone { account: work, error: None }));
    assert_eq!(s.notice.as_deref(), Some("work: the server refused the move"));
}

#[test]
fn a_config_file_that_cannot_be_used_is_told_without_an_account_until_it_loads() {
    let mut s = opened(5);
    let why = "the file changed but cannot be used, so the settings in use stay: line 3: unknown field `prot`";
    update(&mut s, Msg::Worker(Event::Config { note: Some(why.into()) }));
    assert_eq!(s.notice.as_deref(), Some(format!("config: {why}").as_str()));
    // an account's sync coming back says nothing of the file
    update(&mut s, Msg::Worker(Event::State { account: AccountId(1), state: crate::model::AccountState::Online }));
    assert!(s.notice.is_some());
    // fixed: the notice goes, and stays in the log
    update(&mut s, Msg::Worker(Event::Config { note: None }));
    assert!(s.notice.is_none());
    assert_eq!(s.log.last().map(String::as_str), Some(format!("config: {why}").as_str()));
    // a load with nothing to say leaves another notice alone
    update(&mut s, Msg::Worker(Event::Notice { account: AccountId(1), text: "the server refused the move".into() }));
    update(&mut s, Msg::Worker(Event::Config { note: None }));
    assert_eq!(s.notice.as_deref(), Some("work: the server refused the move"));
}

#[test]
fn each_mailbox_action_says_what_it_did_with_the_right_plural() {
    let mut s = opened(10);
    let mut trash = folder(13, "Bin");
    trash.special_use = Some(crate::model::SpecialUse::Trash);
    update(
        &mut s,
        Msg::Worker(Event::Folders {
            account: AccountId(1),
            folders: vec![folder(10, "INBOX"), folder(12, "Archive"), trash],
        }),
    );
    let said = |s: &super::AppState| s.status.clone().unwrap_or_default();
    for _ in 0..3 {
        key(&mut s, KeyCode::Char(' '));
    }
    key(&mut s, KeyCode::Char('m'));
    key(&mut s, KeyCode::Char('a'));
    key(&mut s, KeyCode::Enter);
    assert_eq!(said(&s), "3 messages moved to Archive (u undoes)");
    key(&mut s, KeyCode::Char('d'));
    assert_eq!(said(&s), "1 message moved to Bin (u undoes)");
    key(&mut s, KeyCode::Char('C'));
    key(&mut s, KeyCode::Enter);
    assert_eq!(said(&s), "1 message copied to Archive");
    key(&mut s, KeyCode::Char('N'));
    assert_eq!(said(&s), "1 message marked read");
    key(&mut s, KeyCode::Char('!'));
    assert_eq!(said(&s), "1 message flagged");
    key(&mut s, KeyCode::Char('*'));
    key(&mut s, KeyCode::Char('N'));
    assert_eq!(said(&s), "10 messages marked read");
}

#[test]
fn quitting_with_mail_not_sent_or_changes_not_on_the_server_asks_first() {
    let mut s = opened(5);
    update(&mut s, Msg::Worker(Event::Outbox { account: AccountId(1), items: vec![outbox_item(1)] }));
    update(&mut s, Msg::Worker(Event::Pending { account: AccountId(1), count: 2, settled: true }));
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('q'));
    assert!(!s.quit);
    assert_eq!(s.prompt(), Some(&Prompt::Quit));
    let q = super::quit_question(&s).unwrap();
    assert_eq!(
        q,
        "Quit with 1 message in the Outbox not sent and 2 changes not on the server yet? They are kept \
         for the next start. (y/n)"
    );
    key(&mut s, KeyCode::Char('n'));
    assert!(!s.quit && s.prompt().is_none());
    key(&mut s, KeyCode::Char('q'));
    key(&mut s, KeyCode::Char('y'));
    assert!(s.quit);

    // Ctrl-C asks too; a second one quits
    let mut s = opened(5);
    update(&mut s, Msg::Worker(Event::Pending { account: AccountId(1), count: 1, settled: false }));
    update(&mut s, Msg::Interrupt);
    assert_eq!(s.prompt(), Some(&Prompt::Quit));
    update(&mut s, Msg::Interrupt);
    assert!(s.quit);
    // with nothing waiting, q quits at once (and a signal always does)
    let mut s = opened(5);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
    let mut s = opened(5);
    update(&mut s, Msg::Worker(Event::Pending { account: AccountId(1), count: 1, settled: false }));
    update(&mut s, Msg::Quit);
    assert!(s.quit);
}
