//! Whole-screen snapshots on `TestBackend`, at 100×30 and 60×20, with dates filtered out.

use crate::account::Event;
use crate::app::keymap::Keymap;
use crate::app::{AppState, Msg, UiSettings};
use crate::model::{AccountState, OutboxId};
use crate::store::Store;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub(super) fn demo() -> (tempfile::TempDir, Store, AppState) {
    // the screens of one folder at a time: no All inboxes
    demo_with(UiSettings { unified: Vec::new(), ..Default::default() })
}

pub(super) fn demo_with(settings: UiSettings) -> (tempfile::TempDir, Store, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::instance::DataDir::lock(dir.path()).unwrap();
    crate::demo::build(&data).unwrap();
    let store = Store::open(&data).unwrap();
    let accounts = store.accounts().unwrap();
    let mut state = AppState::new(accounts.clone(), Keymap::default(), settings);
    for (id, _) in &accounts {
        let folders = store.folders(*id).unwrap();
        crate::tui::apply(&mut state, Msg::Worker(Event::Folders { account: *id, folders }), &store, &[]);
        crate::tui::apply(
            &mut state,
            Msg::Worker(Event::State { account: *id, state: AccountState::Local }),
            &store,
            &[],
        );
    }
    (dir, store, state)
}

pub(super) fn key(state: &mut AppState, store: &Store, c: KeyCode) {
    crate::tui::apply(state, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), store, &[]);
}

pub(super) fn screen(state: &mut AppState, store: &Store, w: u16, h: u16) -> String {
    crate::tui::apply(state, Msg::Resize(w, h), store, &[]);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::draw(f, state)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![
            (r"\d{4}-\d{2}-\d{2}", "[date]"),
            (r"\b\d{2}:\d{2}\b", "[time]"),
        ]}, {
            insta::assert_snapshot!($name, $text);
        });
    };
}
pub(super) use snap;

#[test]
fn main_screen() {
    let (_d, store, mut state) = demo();
    snap!("main_100x30", screen(&mut state, &store, 100, 30));
    snap!("main_60x20", screen(&mut state, &store, 60, 20));
}

#[test]
fn reader_split_and_full_screen() {
    let (_d, store, mut state) = demo();
    crate::tui::apply(&mut state, Msg::Resize(100, 30), &store, &[]);
    key(&mut state, &store, KeyCode::Char('j'));
    key(&mut state, &store, KeyCode::Enter);
    // the worker would answer with the body; the demo store has it
    let id = state.reader.as_ref().unwrap().id;
    let raw = std::sync::Arc::new(store.body(id).unwrap().unwrap());
    crate::tui::apply(&mut state, Msg::Worker(Event::Body { id, raw }), &store, &[]);
    snap!("reader_split_100x30", screen(&mut state, &store, 100, 30));
    key(&mut state, &store, KeyCode::Enter);
    snap!("reader_full_60x20", screen(&mut state, &store, 60, 20));
}

#[test]
fn help_overlay_and_offline_account() {
    let (_d, store, mut state) = demo();
    let id = state.accounts[1].id;
    crate::tui::apply(
        &mut state,
        Msg::Worker(Event::State { account: id, state: AccountState::Offline("cannot connect".into()) }),
        &store,
        &[],
    );
    key(&mut state, &store, KeyCode::Char('?'));
    snap!("help_100x30", screen(&mut state, &store, 100, 30));
}

#[test]
fn body_not_downloaded_offline() {
    let (_d, store, mut state) = demo();
    crate::tui::apply(&mut state, Msg::Resize(100, 30), &store, &[]);
    key(&mut state, &store, KeyCode::Enter);
    let id = state.reader.as_ref().unwrap().id;
    let reason = "not downloaded yet, and the server cannot be reached (cannot connect)".to_string();
    crate::tui::apply(&mut state, Msg::Worker(Event::BodyUnavailable { id, reason, offline: true }), &store, &[]);
    snap!("body_unavailable_100x30", screen(&mut state, &store, 100, 30));
}

#[test]
fn partial_message_and_download_progress() {
    let (_d, store, mut state) = demo();
    crate::tui::apply(&mut state, Msg::Resize(100, 30), &store, &[]);
    key(&mut state, &store, KeyCode::Enter);
    let id = state.reader.as_ref().unwrap().id;
    store.conn().execute("UPDATE messages SET partial = 1, size = 52300000 WHERE id = ?1", [id]).unwrap();
    let folder = state.reader.as_ref().unwrap().summary.folder;
    let account = state.accounts[0].id;
    crate::tui::apply(&mut state, Msg::Worker(Event::Changed { account, folder }), &store, &[]);
    let raw = std::sync::Arc::new(store.body(id).unwrap().unwrap());
    crate::tui::apply(&mut state, Msg::Worker(Event::Body { id, raw }), &store, &[]);
    let downloading = AccountState::Downloading { done: 37, total: 120, bytes: 2_310_000 };
    crate::tui::apply(&mut state, Msg::Worker(Event::State { account, state: downloading }), &store, &[]);
    snap!("partial_100x30", screen(&mut state, &store, 100, 30));
}

#[test]
fn compose_review_screen() {
    let (_d, store, mut state) = demo();
    state.settings.editor = Some("vi".into());
    let account = state.accounts[0].id;
    let draft = crate::compose::Draft {
        from: "Robin Example <robin@personal.example>".into(),
        to: "Jörg Müller <joerg@beispiel.de>".into(),
        subject: "Re: Grüße aus Köln".into(),
        body: "Gerne!\n\nOn Fri, Jörg wrote:\n> wollen wir?\n".into(),
        in_reply_to: Some("<x@beispiel.de>".into()),
        attachments: vec![crate::compose::Attachment {
            name: "map.pdf".into(),
            content_type: "application/pdf".into(),
            data: vec![0; 2048],
        }],
        ..Default::default()
    };
    let msg = Msg::Composing { account, draft: Box::new(draft), resumed: None, outgoing: None };
    crate::tui::apply(&mut state, msg, &store, &[]);
    let text = state.editor_request.take().expect("the editor is asked for");
    assert!(text.starts_with("From: Robin Example <robin@personal.example>\nTo: Jörg"));
    crate::tui::apply(&mut state, Msg::Edited(Ok(text.replace("Gerne!", "Gerne, bis dann!"))), &store, &[]);
    snap!("compose_review_100x30", screen(&mut state, &store, 100, 30));
    let narrow = screen(&mut state, &store, 80, 24);
    assert!(narrow.contains("D remove · d draft · q cancel"), "every key is shown at 80 columns:\n{narrow}");
    key(&mut state, &store, KeyCode::Char('q'));
    assert!(state.compose().is_some(), "q asks first");
    key(&mut state, &store, KeyCode::Char('y'));
    assert!(state.compose().is_none());
}

#[test]
fn builtin_editor_completes_addresses_and_feeds_the_review() {
    let (_d, store, mut state) = demo();
    assert!(state.settings.editor.is_none());
    let account = state.accounts[0].id;
    let draft = crate::compose::Draft { from: "Robin <robin@personal.example>".into(), ..Default::default() };
    let msg = Msg::Composing { account, draft: Box::new(draft), resumed: None, outgoing: None };
    crate::tui::apply(&mut state, msg, &store, &[]);
    assert!(state.editor_request.is_none(), "no external editor");
    // the cursor starts on the empty To line
    for c in "jo".chars() {
        key(&mut state, &store, KeyCode::Char(c));
    }
    key(&mut state, &store, KeyCode::Tab);
    // down to Subject, then the body
    for k in [KeyCode::Down, KeyCode::Down, KeyCode::Down, KeyCode::End] {
        key(&mut state, &store, k);
    }
    for c in "Hallo".chars() {
        key(&mut state, &store, KeyCode::Char(c));
    }
    snap!("compose_builtin_100x30", screen(&mut state, &store, 100, 30));
    key(&mut state, &store, KeyCode::Esc);
    let c = state.compose().unwrap();
    assert!(c.writing.is_none());
    assert_eq!(c.draft.to, "Jörg Müller <joerg@beispiel.de>,");
    assert_eq!(c.draft.subject, "Hallo");
}

#[test]
fn outbox_overlay_shows_what_waits_and_why() {
    use crate::account::OutboxItem;
    use crate::store::outbox::OutState;
    let (_d, store, mut state) = demo();
    let account = state.accounts[1].id;
    let items = vec![
        OutboxItem {
            id: OutboxId(1),
            subject: "Minutes".into(),
            state: OutState::Queued,
            error: Some("cannot reach smtp.work.example:465: connection refused".into()),
        },
        OutboxItem {
            id: OutboxId(2),
            subject: "Invoice".into(),
            state: OutState::Failed,
            error: Some("the server rejected the recipient x@y: 550 no such user".into()),
        },
    ];
    crate::tui::apply(&mut state, Msg::Worker(Event::Outbox { account, items }), &store, &[]);
    key(&mut state, &store, KeyCode::Char('O'));
    key(&mut state, &store, KeyCode::Char('j'));
    snap!("outbox_100x30", screen(&mut state, &store, 100, 30));
    key(&mut state, &store, KeyCode::Char('d'));
    assert!(matches!(state.prompt(), Some(crate::app::state::Prompt::Confirm { .. })));
}

#[test]
fn text_that_does_not_read_is_shown_as_written_with_its_line_marked() {
    let (_d, store, mut state) = demo();
    state.settings.editor = Some("vi".into());
    let account = state.accounts[0].id;
    let msg = Msg::Composing { account, draft: Box::default(), resumed: None, outgoing: None };
    crate::tui::apply(&mut state, msg, &store, &[]);
    state.editor_request = None;
    let text = "To: ann@x.org\nSubject: plans\nmy first line, no colon\n\nthe body I wrote\n";
    crate::tui::apply(&mut state, Msg::Edited(Ok(text.into())), &store, &[]);
    let s = screen(&mut state, &store, 100, 30);
    assert!(s.contains("Review: your text, as written"), "{s}");
    assert!(s.contains("line 3: \"my first line, no colon\" is not a \"Name: value\" header"), "{s}");
    assert!(s.contains("▶ my first line, no colon") && s.contains("  the body I wrote"), "{s}");
    assert!(s.contains("e edit your text"), "{s}");

    // in the built-in editor the mistake is shown below the text
    state.settings.editor = None;
    key(&mut state, &store, KeyCode::Char('e'));
    key(&mut state, &store, KeyCode::Esc);
    let s = screen(&mut state, &store, 100, 30);
    assert!(s.contains(" Write ") && s.contains("line 3: ") && s.contains("fix it there, then Esc"), "{s}");
}

fn buffer(state: &mut AppState, store: &Store, w: u16, h: u16) -> ratatui::buffer::Buffer {
    crate::tui::apply(state, Msg::Resize(w, h), store, &[]);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::draw(f, state)).unwrap();
    t.backend().buffer().clone()
}

/// Opens row `n` of the open list and gives the reader `raw` as its body.
fn read(state: &mut AppState, store: &Store, n: usize, raw: Option<&[u8]>) {
    for _ in 0..n {
        key(state, store, KeyCode::Char('j'));
    }
    key(state, store, KeyCode::Enter);
    let id = state.reader.as_ref().unwrap().id;
    let raw = std::sync::Arc::new(raw.map(<[u8]>::to_vec).unwrap_or_else(|| store.body(id).unwrap().unwrap()));
    crate::tui::apply(state, Msg::Worker(Event::Body { id, raw }), store, &[]);
}

#[test]
fn sent_folder_names_the_recipient() {
    let (_d, store, mut state) = demo();
    key(&mut state, &store, KeyCode::Tab);
    key(&mut state, &store, KeyCode::Char('j'));
    key(&mut state, &store, KeyCode::Enter);
    let s = screen(&mut state, &store, 100, 30);
    assert!(s.contains("personal: Sent") && s.contains("To: Carol Chen"), "{s}");
    snap!("sent_100x30", s);
}

#[test]
fn a_folder_without_its_parent_is_drawn_under_one_of_its_own_name() {
    let (_d, store, mut state) = demo();
    let account = state.accounts[0].id;
    let mut infos: Vec<_> = store
        .folders(account)
        .unwrap()
        .into_iter()
        .map(|f| crate::store::folders::FolderInfo {
            name: f.name,
            display: f.display,
            delimiter: f.delimiter,
            special_use: f.special_use,
            noselect: f.noselect,
        })
        .collect();
    let nested = crate::store::folders::FolderInfo {
        name: "Projekte/2026".into(),
        display: "Projekte/2026".into(),
        delimiter: Some("/".into()),
        special_use: None,
        noselect: false,
    };
    infos.push(nested);
    let folders = store.set_folders(account, &infos).unwrap();
    crate::tui::apply(&mut state, Msg::Worker(Event::Folders { account, folders }), &store, &[]);
    let s = screen(&mut state, &store, 100, 30);
    assert!(
        s.contains("│    rust         4│") && s.contains("│  Projekte        │") && s.contains("│    2026          │"),
        "{s}"
    );
    snap!("nested_without_parent_100x30", s);
    // the made-up parent is passed over: from INBOX, five steps down are Sent, Trash,
    // Lists, rust and 2026
    key(&mut state, &store, KeyCode::Tab);
    for _ in 0..5 {
        key(&mut state, &store, KeyCode::Char('j'));
    }
    key(&mut state, &store, KeyCode::Enter);
    let open = state.current.and_then(|(_, f)| state.accounts[0].folders.iter().find(|x| x.id == f)).unwrap();
    assert_eq!(open.display, "Projekte/2026");
}

#[test]
fn reader_colours_quotes_by_depth_and_shows_reply_to() {
    let (_d, store, mut state) = demo();
    let raw = b"From: Ann <ann@x.org>\r\nReply-To: list@x.org\r\nSubject: quotes\r\n\
Content-Type: text/plain; format=flowed\r\n\r\nMy answer.\r\n\r\n> You wrote this, \r\n> long ago.\r\n>> And before.\r\n";
    read(&mut state, &store, 0, Some(raw));
    let text = screen(&mut state, &store, 100, 30);
    assert!(text.contains("│From: Ann <ann@x.org>") && text.contains("│Reply-To: list@x.org"), "{text}");
    assert!(!text.contains("│To:") && !text.contains("│Date:"), "empty headers are left out:\n{text}");
    assert!(text.contains("│> You wrote this, long ago."), "flowed lines are joined:\n{text}");
    let buf = buffer(&mut state, &store, 100, 30);
    let colour_of = |needle: &str| {
        let y = (0..30).find(|y| (0..100).map(|x| buf[(x, *y)].symbol()).collect::<String>().contains(needle)).unwrap();
        let x = (0..100).find(|x| buf[(*x, y)].symbol() == ">").unwrap();
        buf[(x, y)].fg
    };
    use ratatui::style::Color;
    assert_eq!(colour_of("You wrote"), Color::Green);
    assert_eq!(colour_of("And before"), Color::Yellow);
    snap!("reader_quotes_100x30", text);
}

#[test]
fn link_list_and_new_mail_in_the_status_line() {
    let (_d, store, mut state) = demo();
    read(&mut state, &store, 3, None);
    key(&mut state, &store, KeyCode::Char('L'));
    let work = state.accounts[1].id;
    let mut inbox = state.accounts[1].folders.iter().find(|f| f.name == "INBOX").unwrap().clone();
    inbox.unread += 2;
    crate::tui::apply(&mut state, Msg::Worker(Event::FolderCounts { account: work, folder: inbox }), &store, &[]);
    let s = screen(&mut state, &store, 100, 30);
    assert!(s.contains("[1] https://example.org/tui") && s.contains("[3] https://example.org/unsub"), "{s}");
    assert!(s.contains("new: work/INBOX 2"), "{s}");
    snap!("links_100x30", s);
}

#[test]
fn a_noselect_folder_is_drawn_as_a_container_and_does_not_open() {
    let (_d, store, mut state) = demo();
    let account = state.accounts[0].id;
    let infos: Vec<_> = store
        .folders(account)
        .unwrap()
        .into_iter()
        .map(|f| crate::store::folders::FolderInfo {
            noselect: f.name == "Lists",
            name: f.name,
            display: f.display,
            delimiter: f.delimiter,
            special_use: f.special_use,
        })
        .collect();
    let folders = store.set_folders(account, &infos).unwrap();
    crate::tui::apply(&mut state, Msg::Worker(Event::Folders { account, folders }), &store, &[]);
    let buf = buffer(&mut state, &store, 100, 30);
    let y = (0..30).find(|y| (0..20).map(|x| buf[(x, *y)].symbol()).collect::<String>().contains("  Lists")).unwrap();
    let cell = &buf[(3, y)];
    assert_eq!(cell.fg, ratatui::style::Color::DarkGray);
    assert!(cell.modifier.contains(ratatui::style::Modifier::ITALIC));
    // its child is still under it, and it opens nothing
    let s = screen(&mut state, &store, 100, 30);
    let rows: Vec<&str> = s.lines().map(|l| l.split('│').nth(1).unwrap_or("")).collect();
    let lists = rows.iter().position(|r| *r == "  Lists           ").unwrap();
    assert_eq!(rows[lists + 1], "    rust         4", "{s}");
    let before = state.current;
    key(&mut state, &store, KeyCode::Tab);
    for _ in 0..3 {
        key(&mut state, &store, KeyCode::Char('j'));
    }
    key(&mut state, &store, KeyCode::Enter);
    assert_eq!(state.current, before);
    assert_eq!(state.notice.as_deref(), Some("Lists only holds folders: it has no messages to show"));
}

#[test]
fn the_help_and_the_picker_fit_80x24() {
    let (_d, store, mut state) = demo();
    crate::tui::apply(&mut state, Msg::Resize(80, 24), &store, &[]);
    key(&mut state, &store, KeyCode::Char('?'));
    let s = screen(&mut state, &store, 80, 24);
    snap!("help_80x24", s.clone());
    assert!(s.contains("┌ Keys ─") && s.contains("any other key closes"), "{s}");
    // it scrolls to its last line
    key(&mut state, &store, KeyCode::Char('G'));
    let s = screen(&mut state, &store, 80, 24);
    assert!(s.contains("discard a message kept from a crash"), "{s}");
    key(&mut state, &store, KeyCode::Char('x'));
    key(&mut state, &store, KeyCode::Char('m'));
    let s = screen(&mut state, &store, 80, 24);
    snap!("picker_80x24", s.clone());
    assert!(s.contains("Move to (type to filter)") && s.contains("Enter picks · Down next · Esc cancels"), "{s}");
}

#[test]
fn a_long_notice_is_shown_whole_and_the_log_keeps_it() {
    let (_d, store, mut state) = demo();
    crate::tui::apply(&mut state, Msg::Resize(80, 24), &store, &[]);
    let account = state.accounts[0].id;
    let text = "could not save: cannot write /home/someone/Downloads/a folder with a long name/\
                Quarterly report for the board, final version (3).pdf: No space left on device (os error 28)";
    crate::tui::apply(&mut state, Msg::Failed(text.into()), &store, &[]);
    crate::tui::apply(&mut state, Msg::Worker(Event::SyncDone { account, error: None }), &store, &[]);
    let s = screen(&mut state, &store, 80, 24);
    snap!("long_notice_80x24", s.clone());
    let joined: String = s.lines().map(|l| l.trim_end()).collect::<Vec<_>>().join(" ");
    assert!(joined.contains("(os error 28)") && joined.contains("Quarterly report"), "{s}");
    // the next key takes it off the screen; I shows it again, whole
    key(&mut state, &store, KeyCode::Char('I'));
    let s = screen(&mut state, &store, 80, 24);
    assert!(s.contains("Messages, newest first") && s.contains("(os error 28)"), "{s}");
}

#[test]
fn the_question_before_quitting_is_shown_whole() {
    let (_d, store, mut state) = demo();
    let account = state.accounts[1].id;
    let items = vec![crate::account::OutboxItem {
        id: OutboxId(1),
        subject: "Minutes".into(),
        state: crate::store::outbox::OutState::Queued,
        error: None,
    }];
    crate::tui::apply(&mut state, Msg::Worker(Event::Outbox { account, items }), &store, &[]);
    crate::tui::apply(&mut state, Msg::Worker(Event::Pending { account, count: 3, settled: true }), &store, &[]);
    crate::tui::apply(&mut state, Msg::Resize(80, 24), &store, &[]);
    key(&mut state, &store, KeyCode::Tab);
    key(&mut state, &store, KeyCode::Char('q'));
    assert!(!state.quit);
    let s = screen(&mut state, &store, 80, 24);
    let joined: String = s.lines().map(|l| l.trim_end()).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("Quit with 1 message in the Outbox not sent and 3 changes not on the server yet? They are")
            && joined.contains("kept for the next start. (y/n)"),
        "{s}"
    );
}

#[test]
fn a_message_in_the_status_line_keeps_its_words_and_the_states_say_less() {
    let (_d, store, mut state) = demo();
    state.accounts[1].state = AccountState::Offline("refused".into());
    state.accounts[1].pending = 2;
    let inbox = state.accounts[0].folders[0].clone();
    state.new_mail.push(crate::app::newmail::NewMail { account: inbox.account, folder: inbox.id, count: 3 });
    state.status = Some("1 message moved to Trash (u undoes)".into());
    let s = screen(&mut state, &store, 80, 24);
    let last = s.lines().nth(23).unwrap();
    assert!(last.starts_with("1 message moved to Trash (u undoes)"), "{last}");
    assert!(last.contains("work:off (2 pending)"), "{last}");
    // with only the key hints on the left, the states are said whole
    state.status = None;
    let s = screen(&mut state, &store, 80, 24);
    assert!(s.lines().nth(23).unwrap().contains("work:offline (2 pending)"), "{s}");
}
