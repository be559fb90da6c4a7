//! `update` while composing, pure: text that does not read as a message is kept and
//! edited again, other headers go through, and the text is kept on disk while it is written.

use super::keymap::Keymap;
use super::state::{AppState, Prompt, UiSettings};
use super::update::{Effect, Msg, update};
use crate::compose::Draft;
use crate::compose::autosave::{Kept, Meta};
use crate::model::{AccountId, MessageId};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn state(editor: Option<&str>) -> AppState {
    let settings = UiSettings { editor: editor.map(str::to_string), ..Default::default() };
    let mut s =
        AppState::new(vec![(AccountId(1), "work".into()), (AccountId(2), "home".into())], Keymap::default(), settings);
    update(&mut s, Msg::Resize(100, 30));
    s
}

fn key(s: &mut AppState, c: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        key(s, if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) });
    }
}

fn compose(s: &mut AppState, draft: Draft) -> Vec<Effect> {
    update(s, Msg::Composing { account: AccountId(1), draft: Box::new(draft), resumed: None, outgoing: None })
}

fn old_draft() -> Draft {
    Draft {
        from: "me@x.org".into(),
        to: "old@x.org".into(),
        subject: "old".into(),
        body: "old body\n".into(),
        ..Default::default()
    }
}

fn autosaves(fx: &[Effect]) -> Vec<(String, String)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Autosave { file, content } => Some((file.clone(), content.clone())),
            _ => None,
        })
        .collect()
}

const BAD: &str = "From: me@x.org\nTo: new@x.org\nSubject: new\nthis line is not a header\n\nmy new words\n";

#[test]
fn an_external_editors_text_with_a_mistake_is_kept_and_edited_again_and_not_sent() {
    let mut s = state(Some("vi"));
    compose(&mut s, old_draft());
    assert!(s.editor_request.take().is_some());
    update(&mut s, Msg::Edited(Ok(BAD.into())));
    let c = s.compose().unwrap();
    assert_eq!(c.unparsed, Some((BAD.to_string(), 3)), "the user's text, the mistake on line 4");
    assert!(c.error.as_deref().unwrap().starts_with("line 4: "), "{:?}", c.error);
    // y and d are refused, saying why
    for k in ['y', 'd'] {
        let fx = key(&mut s, KeyCode::Char(k));
        assert!(!fx.iter().any(|e| matches!(e, Effect::SendDraft { .. } | Effect::SaveDraft { .. })), "{k}: {fx:?}");
        assert!(s.notice.as_deref().unwrap().contains("line 4 of your text"), "{:?}", s.notice);
    }
    // e opens the user's text, not the old draft
    key(&mut s, KeyCode::Char('e'));
    assert_eq!(s.editor_request.take().as_deref(), Some(BAD));
    let fixed = BAD.replace("this line is not a header\n", "");
    update(&mut s, Msg::Edited(Ok(fixed)));
    let c = s.compose().unwrap();
    assert!(c.unparsed.is_none() && c.error.is_none());
    let fx = key(&mut s, KeyCode::Char('y'));
    let Some(Effect::SendDraft { draft, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!((draft.to.as_str(), draft.body.as_str()), ("new@x.org", "my new words\n"));
}

#[test]
fn the_builtin_editor_stays_open_at_the_wrong_line_until_it_reads() {
    let mut s = state(None);
    compose(&mut s, Draft { from: "me@x.org".into(), ..Default::default() });
    // on the empty To line: an address, then a header line without a colon after Subject
    typed(&mut s, "ann@x.org");
    for _ in 0..3 {
        key(&mut s, KeyCode::Down);
    }
    key(&mut s, KeyCode::End);
    typed(&mut s, "\nnot a header");
    key(&mut s, KeyCode::Esc);
    let c = s.compose().unwrap();
    let area = &c.writing.as_ref().expect("still writing").area;
    assert_eq!(area.cursor().0, 5, "the cursor on the wrong line");
    assert!(c.error.as_deref().unwrap().contains("line 6"), "{:?}", c.error);
    assert_eq!(area.lines()[5], "not a header", "the text as typed");
    // made a header of its own: it is kept and goes with the message
    key(&mut s, KeyCode::Home);
    typed(&mut s, "X-Note: ");
    key(&mut s, KeyCode::Esc);
    let c = s.compose().unwrap();
    assert!(c.writing.is_none() && c.error.is_none(), "{:?}", c.error);
    assert_eq!(c.draft.to, "ann@x.org");
    assert_eq!(c.draft.headers, [("X-Note".to_string(), "not a header".to_string())]);
}

#[test]
fn the_text_is_kept_while_it_changes_and_forgotten_once_sent_or_discarded() {
    let mut s = state(None);
    compose(&mut s, Draft { from: "me@x.org".into(), answers: Some(MessageId(42)), ..Default::default() });
    assert!(autosaves(&update(&mut s, Msg::Tick)).is_empty(), "nothing written yet");
    typed(&mut s, "bob@x.org");
    let saved = autosaves(&update(&mut s, Msg::Tick));
    assert_eq!(saved.len(), 1);
    let (file, content) = &saved[0];
    assert_eq!(file, "work-1.eml");
    let kept = crate::compose::autosave::parse(file, content).unwrap();
    assert_eq!(kept.account, "work");
    assert_eq!(kept.meta.answers, Some(MessageId(42)));
    assert!(kept.text.contains("To: bob@x.org"), "{}", kept.text);
    assert!(autosaves(&update(&mut s, Msg::Tick)).is_empty(), "unchanged: not written again");
    // leaving the editor writes what changed at once
    typed(&mut s, ", cy@x.org");
    let fx = key(&mut s, KeyCode::Esc);
    assert!(autosaves(&fx)[0].1.contains("To: bob@x.org, cy@x.org"));
    // sent: the file goes
    let fx = update(&mut s, Msg::ComposeDone(Ok("sending…".into())));
    assert_eq!(fx, [Effect::DropAutosave("work-1.eml".into())]);

    // the next message gets its own file; discarded, it goes too
    compose(&mut s, Draft::default());
    typed(&mut s, "x@y.org");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('q'));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert_eq!(fx, [Effect::DropAutosave("work-2.eml".into())]);

    // quitting keeps what was typed since the last write
    compose(&mut s, Draft::default());
    typed(&mut s, "z");
    let fx = update(&mut s, Msg::Quit);
    assert_eq!(autosaves(&fx)[0].0, "work-3.eml");
    assert!(s.quit);
}

fn kept(file: &str, account: &str, text: &str) -> Kept {
    Kept { file: file.into(), account: account.into(), meta: Meta::default(), text: text.into() }
}

#[test]
fn what_a_crash_left_is_offered_and_resumed_in_its_own_file() {
    let mut s = state(None);
    let first = Kept {
        meta: Meta {
            answers: Some(MessageId(7)),
            in_reply_to: Some("<m1@y.org>".into()),
            attachments: vec!["map.pdf".into()],
            ..Default::default()
        },
        ..kept("home-4.eml", "home", "From: me@x.org\nTo: ann@x.org\nSubject: Re: plans\n\nhalf a thought")
    };
    let second = kept("work-9.eml", "work", BAD);
    update(&mut s, Msg::AutosavesFound { kept: vec![first, second], next: 10 });
    assert_eq!(s.prompt(), Some(&Prompt::ResumeAutosave));
    let q = super::autosave::question(&s);
    assert!(
        q.contains("was kept (1 of 2): r resumes it, d discards it, Esc keeps it for later (home: Re: plans)"),
        "{q}"
    );
    // another key: the question stays
    key(&mut s, KeyCode::Char('j'));
    assert_eq!(s.prompt(), Some(&Prompt::ResumeAutosave));
    // r: the composer opens on the text, for the same account, answering the same message
    key(&mut s, KeyCode::Char('r'));
    let c = s.compose().unwrap();
    assert_eq!((c.account, c.autosave.as_str()), (AccountId(2), "home-4.eml"));
    assert_eq!(c.draft.answers, Some(MessageId(7)));
    assert_eq!(c.draft.in_reply_to.as_deref(), Some("<m1@y.org>"));
    assert_eq!(c.writing.as_ref().unwrap().area.lines().last().unwrap(), "half a thought");
    assert!(s.status.as_deref().unwrap().contains("map.pdf"), "{:?}", s.status);
    // once it is saved, the other kept message is offered
    key(&mut s, KeyCode::Esc);
    let fx = update(&mut s, Msg::ComposeDone(Ok("draft saved".into())));
    assert_eq!(fx, [Effect::DropAutosave("home-4.eml".into())]);
    assert_eq!(s.prompt(), Some(&Prompt::ResumeAutosave));
    key(&mut s, KeyCode::Esc);
    // a new message gets a number after the kept ones
    compose(&mut s, Draft::default());
    assert_eq!(s.compose().unwrap().autosave, "work-10.eml");
}

#[test]
fn a_kept_text_with_a_mistake_comes_back_at_its_line_and_d_and_esc_answer_the_offer() {
    let mut s = state(Some("vi"));
    update(&mut s, Msg::AutosavesFound { kept: vec![kept("work-1.eml", "work", BAD)], next: 2 });
    key(&mut s, KeyCode::Char('r'));
    assert_eq!(s.editor_request.take().as_deref(), Some(BAD), "the external editor opens on the text as it was");
    assert_eq!(s.compose().unwrap().unparsed.as_ref().map(|u| u.1), Some(3));

    let mut s = state(None);
    let list = vec![kept("work-1.eml", "work", "To: a@x.org\n\none"), kept("work-2.eml", "work", "To: b@x.org\n\ntwo")];
    update(&mut s, Msg::AutosavesFound { kept: list, next: 3 });
    let fx = key(&mut s, KeyCode::Char('d'));
    assert_eq!(fx, [Effect::DropAutosave("work-1.eml".into())]);
    assert_eq!(s.prompt(), Some(&Prompt::ResumeAutosave), "the next one is offered");
    assert!(key(&mut s, KeyCode::Esc).is_empty(), "Esc keeps it");
    assert!(s.prompt().is_none() && s.compose().is_none());

    // a kept message for an account the config no longer has stays on disk
    let mut s = state(None);
    update(&mut s, Msg::AutosavesFound { kept: vec![kept("gone-1.eml", "gone", "To: a@x.org\n\nx")], next: 2 });
    assert!(key(&mut s, KeyCode::Char('r')).is_empty());
    assert!(s.compose().is_none());
    assert!(s.notice.as_deref().unwrap().contains("account gone"), "{:?}", s.notice);
}

#[test]
fn headers_written_in_an_external_editor_go_with_the_message() {
    let mut s = state(Some("vi"));
    compose(&mut s, old_draft());
    let text = s
        .editor_request
        .take()
        .unwrap()
        .replace("Subject: old\n", "Subject: old\nReply-To: list@x.org\nX-Ticket: 42\n");
    update(&mut s, Msg::Edited(Ok(text)));
    let fx = key(&mut s, KeyCode::Char('y'));
    let Some(Effect::SendDraft { draft, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(draft.headers, [("Reply-To".to_string(), "list@x.org".to_string()), ("X-Ticket".into(), "42".into())]);
    // and they are there when it is edited again
    key(&mut s, KeyCode::Char('e'));
    assert!(s.editor_request.take().unwrap().contains("Subject: old\nReply-To: list@x.org\nX-Ticket: 42\n\n"));
}

fn lines(s: &AppState) -> Vec<String> {
    s.compose().unwrap().writing.as_ref().unwrap().area.lines().to_vec()
}

fn cursor(s: &AppState) -> (usize, usize) {
    let c = s.compose().unwrap().writing.as_ref().unwrap().area.cursor();
    (c.0, c.1)
}

#[test]
fn the_builtin_editors_labels_and_separator_stay_and_down_goes_to_the_body() {
    let mut s = state(None);
    compose(&mut s, Draft { from: "me@x.org".into(), ..Default::default() });
    assert_eq!(lines(&s), ["From: me@x.org", "To: ", "Cc: ", "Bcc: ", "Subject: ", "", ""], "a body line");
    assert_eq!(cursor(&s), (1, 4), "on To, after its label");
    // down from the empty To: each line's cursor is after its label, not in it
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(cursor(&s), (3, 5), "after \"Bcc: \"");
    key(&mut s, KeyCode::Down);
    typed(&mut s, "Hello");
    assert_eq!(lines(&s)[4], "Subject: Hello");
    // down from the last header: the body's start, not the separator
    key(&mut s, KeyCode::Down);
    assert_eq!(cursor(&s), (6, 0));
    typed(&mut s, "Body");
    // Backspace at the body's start, Delete at the end of the last header, Backspace and
    // Home in a label: the separator and the labels stay
    key(&mut s, KeyCode::Home);
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Up);
    assert_eq!(cursor(&s), (4, 9), "up from the body: the last header, after its label");
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Delete);
    key(&mut s, KeyCode::Home);
    assert_eq!(cursor(&s), (4, 9));
    key(&mut s, KeyCode::Backspace);
    assert_eq!(lines(&s), ["From: me@x.org", "To: ", "Cc: ", "Bcc: ", "Subject: Hello", "", "Body"]);
    // left out of a label goes to the end of the line above
    key(&mut s, KeyCode::Left);
    assert_eq!(cursor(&s), (3, 5));
    // an Enter at the end of a header makes a line for another header, not a separator
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "ann@x.org");
    key(&mut s, KeyCode::Esc);
    let c = s.compose().unwrap();
    assert!(c.error.as_deref().is_some_and(|e| e.contains("line 5")), "{:?}", c.error);
    assert_eq!(cursor(&s), (4, 0), "at the wrong line");
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Esc);
    let c = s.compose().unwrap();
    assert!(c.writing.is_none(), "{:?}", c.error);
    assert_eq!((c.draft.bcc.as_str(), c.draft.subject.as_str(), c.draft.body.as_str()), ("ann@x.org", "Hello", "Body"));
}

#[test]
fn a_blank_line_left_among_the_headers_is_not_the_end_of_them() {
    let mut s = state(None);
    compose(&mut s, Draft { from: "me@x.org".into(), to: "bob@x.org".into(), ..Default::default() });
    assert_eq!(cursor(&s), (6, 0), "a reply starts in the body");
    typed(&mut s, "text");
    // an Enter at the end of Subject, left blank
    key(&mut s, KeyCode::Up);
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Esc);
    let c = s.compose().unwrap();
    assert!(c.writing.is_none(), "{:?}", c.error);
    assert_eq!(c.draft.body, "text");
}

#[test]
fn a_message_without_a_subject_is_sent_only_after_a_yes() {
    let mut s = state(Some("vi"));
    compose(&mut s, Draft { subject: " ".into(), ..old_draft() });
    s.editor_request.take();
    update(&mut s, Msg::Edited(Ok("From: me@x.org\nTo: a@x.org\nSubject:\n\nhello\n".into())));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(fx.iter().all(|e| !matches!(e, Effect::SendDraft { .. })), "{fx:?}");
    let Some(Prompt::Confirm { question, .. }) = s.prompt() else { panic!("{:?}", s.prompt()) };
    assert!(question.contains("no subject"), "{question}");
    // n keeps the message in the review; y then sends it
    key(&mut s, KeyCode::Char('n'));
    assert!(s.compose().is_some() && s.prompt().is_none());
    key(&mut s, KeyCode::Char('y'));
    let fx = key(&mut s, KeyCode::Char('y'));
    assert!(matches!(fx.first(), Some(Effect::SendDraft { .. })), "{fx:?}");
}
