//! All inboxes and searches, pure: their rows belong to several accounts, and every action
//! goes to the account that owns the message.

use super::state::{AppState, FolderRow, Layer, Pane, Targets, UiSettings};
use super::tests::{folder, key};
use super::update::{ActKind, Effect, Msg, update};
use super::views::Virtual;
use crate::account::{Command, Event};
use crate::model::{AccountId, Folder, FolderId, MessageId, SpecialUse, Summary};
use crossterm::event::KeyCode;

fn folder_of(account: i64, id: i64, name: &str) -> Folder {
    let mut f = folder(id, name);
    f.account = AccountId(account);
    if name == "Trash" {
        f.special_use = Some(SpecialUse::Trash);
    }
    f
}

fn row(id: i64, folder: i64) -> Summary {
    Summary {
        id: MessageId(id),
        folder: FolderId(folder),
        subject: format!("m{id}"),
        from_name: format!("from {id}"),
        ..Default::default()
    }
}

/// Two accounts, `work` (INBOX 10, Archive 11) and `home` (INBOX 20, Trash 21), and All
/// inboxes open with rows of both: 100 of work, 200 of home, 101 of work.
fn unified() -> AppState {
    let mut s = AppState::new(
        vec![(AccountId(1), "work".into()), (AccountId(2), "home".into())],
        Default::default(),
        UiSettings::default(),
    );
    update(&mut s, Msg::Resize(100, 30));
    let f1 = vec![folder_of(1, 10, "INBOX"), folder_of(1, 11, "Archive")];
    let f2 = vec![folder_of(2, 20, "INBOX"), folder_of(2, 21, "Trash")];
    // All inboxes opens at start, from the first account's folders; the second's join it
    let mut fx = update(&mut s, Msg::Worker(Event::Folders { account: AccountId(1), folders: f1 }));
    assert_eq!(s.open_virtual, Some(Virtual::Role(SpecialUse::Inbox)));
    fx.extend(update(&mut s, Msg::Worker(Event::Folders { account: AccountId(2), folders: f2 })));
    assert_eq!(s.folder_rows()[0], FolderRow::Virtual(0));
    assert_eq!(s.folder_cursor, 0);
    assert!(
        fx.contains(&Effect::Send(AccountId(1), Command::Watch(FolderId(10))))
            && fx.contains(&Effect::Send(AccountId(2), Command::Watch(FolderId(20))))
    );
    // the last read asked for is the one whose answer counts
    let fx: Vec<_> = fx.into_iter().rev().collect();
    let Some(Effect::LoadList { seq, query, start, .. }) =
        fx.into_iter().find(|e| matches!(e, Effect::LoadList { .. }))
    else {
        panic!()
    };
    assert_eq!((query.account, query.folder, query.role), (None, None, Some(SpecialUse::Inbox)));
    update(
        &mut s,
        Msg::ListLoaded {
            seq,
            query,
            total: 3,
            start,
            rows: vec![row(100, 10), row(200, 20), row(101, 10)],
            counting: false,
        },
    );
    assert_eq!(s.focus, Pane::List);
    s
}

#[test]
fn all_inboxes_shows_with_two_accounts_and_counts_their_unread() {
    let mut s = unified();
    let mut f = folder_of(2, 20, "INBOX");
    f.unread = 4;
    update(&mut s, Msg::Worker(Event::FolderCounts { account: AccountId(2), folder: f }));
    assert_eq!(s.virtual_unread(&Virtual::Role(SpecialUse::Inbox)), Some(4));
    // a change in an inbox reads the list again; one elsewhere does not
    let fx = update(&mut s, Msg::Worker(Event::Changed { account: AccountId(2), folder: FolderId(20) }));
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadList { .. })), "{fx:?}");
    let fx = update(&mut s, Msg::Worker(Event::Changed { account: AccountId(1), folder: FolderId(11) }));
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadList { .. })), "{fx:?}");
    // one account alone: no unified folder
    let one = AppState::new(vec![(AccountId(1), "work".into())], Default::default(), UiSettings::default());
    assert!(one.virtual_rows().is_empty());
}

#[test]
fn opening_flagging_and_deleting_go_to_the_owning_account() {
    let mut s = unified();
    key(&mut s, KeyCode::Char('j'));
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Send(AccountId(2), Command::Open { id: MessageId(200), .. }))),
        "{fx:?}"
    );
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Send(AccountId(2), Command::Prefetch(ids)) if ids.contains(&MessageId(101)))),
        "work's message is not prefetched through home: {fx:?}"
    );
    assert_eq!(s.message_in_hand().unwrap().0, AccountId(2));
    let fx = key(&mut s, KeyCode::Char('!'));
    assert!(
        matches!(&fx[..], [Effect::Act { account: AccountId(2), targets: Targets::Ids(ids), .. }] if ids == &vec![MessageId(200)])
    );
    let fx = key(&mut s, KeyCode::Char('d'));
    assert!(
        matches!(&fx[..], [Effect::Act { account: AccountId(2), kind: ActKind::Delete { expunge: false }, .. }]),
        "{fx:?}"
    );
    // u undoes where the delete went
    assert_eq!(
        key(&mut s, KeyCode::Char('u')),
        vec![Effect::Send(AccountId(2), Command::Act(crate::account::Action::Undo))]
    );
    // a reply is written from the account that received the message
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('r'));
    assert_eq!(s.resume_after_body.as_ref().map(|(a, _)| *a), Some(AccountId(2)));
}

#[test]
fn a_selection_over_two_accounts_is_split_and_a_move_of_it_refused() {
    let mut s = unified();
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char(' '));
    let fx = key(&mut s, KeyCode::Char('N'));
    let Some(Effect::Act { targets: Targets::Mixed(ids), kind, .. }) = fx.first().cloned() else { panic!("{fx:?}") };
    assert_eq!(ids, vec![MessageId(100), MessageId(200)]);
    // the store says whose they are: each account's worker gets its own
    let fx = update(
        &mut s,
        Msg::Resolved { kind, ids: vec![(AccountId(1), vec![MessageId(100)]), (AccountId(2), vec![MessageId(200)])] },
    );
    assert!(
        matches!(&fx[..], [Effect::Send(AccountId(1), Command::Act(_)), Effect::Send(AccountId(2), Command::Act(_))]),
        "{fx:?}"
    );
    assert_eq!(s.last_acted, vec![AccountId(1), AccountId(2)]);
    key(&mut s, KeyCode::Char('k'));
    key(&mut s, KeyCode::Char('k'));
    key(&mut s, KeyCode::Char(' '));
    key(&mut s, KeyCode::Char(' '));
    assert!(key(&mut s, KeyCode::Char('m')).is_empty());
    assert!(s.picker().is_none());
    assert!(s.notice.as_deref().unwrap().contains("2 accounts"), "{:?}", s.notice);
}

#[test]
fn a_move_offers_the_owning_accounts_folders() {
    let mut s = unified();
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Char('m'));
    let p = s.picker().unwrap().clone();
    assert_eq!(p.account, AccountId(2));
    let names: Vec<_> = super::picker_choices(&s, &p).iter().map(|f| f.display.clone()).collect();
    assert_eq!(names, vec!["Trash"]);
    // a name no folder has: nothing moves, the picker stays and says why
    for c in "zz".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert!(fx.is_empty() && s.picker().is_some(), "{fx:?}");
    assert_eq!(s.notice.as_deref(), Some("no folder matches \"zz\": Esc goes back, or type another name"));
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&fx[..], [Effect::Act { account: AccountId(2), kind: ActKind::Move { to: FolderId(21) }, .. }]),
        "{fx:?}"
    );
}

#[test]
fn a_search_lists_every_folder_and_can_be_kept_as_a_folder() {
    let mut s = unified();
    key(&mut s, KeyCode::Char('\\'));
    for c in "bill".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert_eq!(s.open_virtual, Some(Virtual::Search("bill".into())));
    let Some(Effect::LoadList { query, .. }) = fx.iter().find(|e| matches!(e, Effect::LoadList { .. })) else {
        panic!("{fx:?}")
    };
    assert_eq!((query.account, query.folder, query.filter.as_deref()), (None, None, Some("bill")));
    assert!(matches!(s.layers.last(), None | Some(Layer::Filter)) || s.layers.is_empty());
    key(&mut s, KeyCode::Char('W'));
    for _ in 0.."bill".len() {
        key(&mut s, KeyCode::Backspace);
    }
    for c in "Bills".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let fx = key(&mut s, KeyCode::Enter);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SaveViews(v) if v.len() == 1 && v[0].name == "Bills" && v[0].query == "bill")),
        "{fx:?}"
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::CountViews(_))), "{fx:?}");
    assert_eq!(s.open_virtual, Some(Virtual::Saved(0)));
    assert!(s.folder_rows().contains(&FolderRow::Virtual(1)));
    update(&mut s, Msg::ViewCounts(vec![(0, Some(3))]));
    assert_eq!(s.virtual_unread(&Virtual::Saved(0)), Some(3));
}

#[test]
fn a_search_asks_every_server_and_takes_what_they_find() {
    let mut s = unified();
    let mut fx = Vec::new();
    super::views::open(&mut s, Virtual::Search("budget".into()), &mut fx);
    let asked: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Send(a, Command::Search { request, query }) => Some((*a, *request, query.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(asked, vec![(AccountId(1), 1, "budget".to_string()), (AccountId(2), 1, "budget".to_string())]);
    let title = |s: &AppState| {
        format!("{} · {}", s.virtual_name(s.open_virtual.as_ref().unwrap()), s.search_note().unwrap_or_default())
    };
    assert!(title(&s).ends_with("asking servers…"), "{}", title(&s));

    // the local results: one message
    let Some(Effect::LoadList { seq, query, start, .. }) =
        fx.into_iter().find(|e| matches!(e, Effect::LoadList { .. }))
    else {
        panic!()
    };
    update(&mut s, Msg::ListLoaded { seq, query, total: 1, start, rows: vec![row(200, 20)], counting: false });
    // one server finds a newer message whose body is not here: it joins the list, at the
    // top, where the cursor stays
    let searched = |account, request, ids, server| Msg::Worker(Event::Searched { account, request, ids, server });
    let fx = update(&mut s, searched(AccountId(1), 1, vec![MessageId(100)], crate::account::ServerSearch::Asked));
    assert_eq!(s.list.query.found, vec![MessageId(100)]);
    let Some(Effect::LoadList { seq, query, start, .. }) =
        fx.into_iter().find(|e| matches!(e, Effect::LoadList { query, .. } if query.found == vec![MessageId(100)]))
    else {
        panic!()
    };
    let rows = vec![row(100, 10), row(200, 20)];
    update(&mut s, Msg::ListLoaded { seq, query, total: 2, start, rows, counting: false });
    assert_eq!((s.list.cursor, s.list.selected().map(|r| r.id)), (0, Some(MessageId(100))));
    // the other is offline: the title says its server was not asked
    update(&mut s, searched(AccountId(2), 1, vec![], crate::account::ServerSearch::Offline("no connection".into())));
    assert_eq!(title(&s), "search: budget · home: server not asked (no connection)");
    assert_eq!(s.log.last().map(String::as_str), Some("search \"budget\": home: server not asked (no connection)"));
    // an answer to an earlier search is dropped
    update(&mut s, searched(AccountId(1), 0, vec![MessageId(555)], crate::account::ServerSearch::Asked));
    assert_eq!(s.list.query.found, vec![MessageId(100)]);
}

#[test]
fn without_all_inboxes_the_first_accounts_inbox_opens_first() {
    let settings = UiSettings { unified: Vec::new(), ..UiSettings::default() };
    let mut s =
        AppState::new(vec![(AccountId(1), "work".into()), (AccountId(2), "home".into())], Default::default(), settings);
    update(&mut s, Msg::Resize(100, 30));
    update(&mut s, Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder_of(1, 10, "INBOX")] }));
    assert_eq!((s.open_virtual.clone(), s.current), (None, Some((AccountId(1), FolderId(10)))));
    // the second account's folders leave the open INBOX where it is
    update(&mut s, Msg::Worker(Event::Folders { account: AccountId(2), folders: vec![folder_of(2, 20, "INBOX")] }));
    assert_eq!(s.current, Some((AccountId(1), FolderId(10))));
}

#[test]
fn the_config_files_saved_searches_and_unified_folders_follow_it_while_poste_runs() {
    use crate::config::ViewConfig;
    let mut s = unified();
    let view = |q: &str| ViewConfig { name: "budget".into(), query: q.into() };
    // a saved search added in the file: shown under All inboxes, which stays open, and counted
    let fx =
        update(&mut s, Msg::Worker(Event::Views { views: vec![view("budget")], unified: vec![SpecialUse::Inbox] }));
    assert_eq!(s.virtual_rows(), [Virtual::Role(SpecialUse::Inbox), Virtual::Saved(0)]);
    assert_eq!(s.open_virtual, Some(Virtual::Role(SpecialUse::Inbox)));
    assert!(fx.iter().any(|e| matches!(e, Effect::CountViews(_))), "{fx:?}");
    // opened, then its query changed in the file: read again with the new one
    let mut fx = Vec::new();
    super::views::open(&mut s, Virtual::Saved(0), &mut fx);
    let fx = update(
        &mut s,
        Msg::Worker(Event::Views { views: vec![view("budget 2027")], unified: vec![SpecialUse::Inbox] }),
    );
    let asked = fx.iter().find_map(|e| match e {
        Effect::LoadList { query, .. } => query.filter.clone(),
        _ => None,
    });
    assert_eq!(asked.as_deref(), Some("budget 2027"));
    assert_eq!(s.folder_cursor, 1, "the cursor stays on the open search");
    // both gone from the file: the first account's INBOX opens in their place
    update(&mut s, Msg::Worker(Event::Views { views: Vec::new(), unified: Vec::new() }));
    assert!(s.virtual_rows().is_empty());
    assert_eq!((s.open_virtual.clone(), s.current), (None, Some((AccountId(1), FolderId(10)))));
}

#[test]
fn all_inboxes_at_start_keeps_its_cursor_on_the_newest_as_accounts_join() {
    let mut s = AppState::new(
        vec![(AccountId(1), "work".into()), (AccountId(2), "home".into())],
        Default::default(),
        UiSettings::default(),
    );
    update(&mut s, Msg::Resize(100, 30));
    let load = |s: &mut AppState, fx: Vec<Effect>, rows: Vec<Summary>| {
        let Some(Effect::LoadList { seq, query, start, .. }) =
            fx.into_iter().rev().find(|e| matches!(e, Effect::LoadList { .. }))
        else {
            panic!()
        };
        let total = rows.len();
        update(s, Msg::ListLoaded { seq, query, total, start, rows, counting: false });
    };
    // the POP3 account's folders come first: its message is the first row
    let fx =
        update(&mut s, Msg::Worker(Event::Folders { account: AccountId(2), folders: vec![folder_of(2, 20, "INBOX")] }));
    load(&mut s, fx, vec![row(200, 20)]);
    assert_eq!(s.list.selected().map(|r| r.id), Some(MessageId(200)));
    // the other's come with a newer message: the cursor is on it, at the top
    let fx =
        update(&mut s, Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder_of(1, 10, "INBOX")] }));
    load(&mut s, fx, vec![row(100, 10), row(200, 20)]);
    assert_eq!((s.list.cursor, s.list.selected().map(|r| r.id)), (0, Some(MessageId(100))));
    // the same folders listed again (each sync does) read nothing again
    let fx =
        update(&mut s, Msg::Worker(Event::Folders { account: AccountId(1), folders: vec![folder_of(1, 10, "INBOX")] }));
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadList { .. } | Effect::Send(_, Command::Watch(_)))), "{fx:?}");
}

#[test]
fn deleting_trash_is_refused_before_any_question() {
    let mut s = unified();
    let rows = s.folder_rows();
    s.focus = Pane::Folders;
    s.folder_cursor = rows.iter().position(|r| s.folder_at(*r).is_some_and(|(_, f)| f.name == "Trash")).unwrap();
    let fx = key(&mut s, KeyCode::Char('d'));
    assert_eq!(s.notice.as_deref(), Some("Trash is one of the account's own folders and stays as it is"));
    assert!(!s.layers.iter().any(|l| matches!(l, Layer::Prompt(_))), "{:?}", s.layers);
    assert!(fx.is_empty(), "{fx:?}");
}
