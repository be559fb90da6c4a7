//! Composing in the UI: the keys that start a message (new, reply, reply all, forward),
//! the built-in editor (the same header block and body an external editor gets, with
//! address completion), the review screen before sending (send, edit, attach, remove,
//! save draft, cancel), and the answers from the editor and the event loop.

use super::keymap::{Action, Context};
use super::state::{AppState, Layer, Prompt, TextPurpose};
use super::update::Effect;
use crate::compose::{Attachment, Draft};
use crate::model::{AccountId, MessageId, OutboxId, SpecialUse};
use crossterm::event::{KeyCode, KeyEvent};

/// A message being written.
#[derive(Debug, Clone)]
pub struct Composer {
    /// The built-in editor, while the message is being written in it.
    pub writing: Option<Box<super::editor::Editor>>,
    pub account: AccountId,
    pub draft: Draft,
    /// The stored draft this continues: replaced when saved again, removed once sent.
    pub resumed: Option<MessageId>,
    /// The Outbox message this is an edit of: removed once this one is sent.
    pub outgoing: Option<OutboxId>,
    /// Why the last edit, attachment or send did not work.
    pub error: Option<String>,
    /// The user's text when it does not read as a message yet, with the line (from 0) of the
    /// mistake: kept and shown, `e` edits it again, and nothing is sent or saved meanwhile.
    pub unparsed: Option<(String, usize)>,
    /// The file this message is kept in while it is written (see `compose::autosave`).
    pub autosave: String,
    /// The text changed since it was last kept.
    pub unsaved: bool,
}

impl Composer {
    /// What sending this message takes the place of: the Outbox message it edits, or the
    /// draft it continues.
    pub fn replaces(&self) -> Option<crate::account::Replaces> {
        use crate::account::Replaces;
        self.outgoing.map(Replaces::Outgoing).or(self.resumed.map(Replaces::Draft))
    }
}

/// What a new message starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum ComposeKind {
    New,
    Reply(MessageId),
    ReplyAll(MessageId),
    Forward(MessageId),
    ForwardAttached(MessageId),
    /// A saved draft, opened again.
    Resume(MessageId),
    Mailto(String),
    /// An Outbox message, edited before it is sent again.
    EditOutgoing(OutboxId),
}

/// Starts composing for one of the compose keys; false when `action` is not one.
pub fn start_key(state: &mut AppState, action: Action, fx: &mut Vec<Effect>) -> bool {
    let kind = |id| match action {
        Action::Reply => Some(ComposeKind::Reply(id)),
        Action::ReplyAll => Some(ComposeKind::ReplyAll(id)),
        Action::Forward => Some(ComposeKind::Forward(id)),
        Action::ForwardAttached => Some(ComposeKind::ForwardAttached(id)),
        _ => None,
    };
    match action {
        Action::Compose => {
            let account = state
                .current
                .map(|c| c.0)
                .or_else(|| state.message_in_hand().map(|(a, _)| a))
                .or_else(|| state.accounts.first().map(|a| a.id));
            if let Some(account) = account {
                fx.push(Effect::StartCompose { account, kind: ComposeKind::New });
            }
            true
        }
        Action::Reply | Action::ReplyAll | Action::Forward | Action::ForwardAttached => {
            match state.message_in_hand().map(|(a, s)| (a, s.id)) {
                Some((account, id)) => {
                    if let Some(kind) = kind(id) {
                        // (its body is downloaded first when it is not here yet)
                        super::reader::compose_from(state, account, kind, fx);
                    }
                }
                None => state.status = Some("no message to answer or forward here".into()),
            }
            true
        }
        _ => false,
    }
}

/// Whether the open folder is the account's Drafts folder (opening a message there resumes it).
pub fn in_drafts(state: &AppState) -> bool {
    // in All drafts or a search, the row's own folder
    let folder = state.current.map(|c| c.1).or_else(|| state.list.selected().map(|s| s.folder));
    folder.and_then(|f| state.folder_by_id(f)).is_some_and(|(_, f)| f.special_use == Some(SpecialUse::Drafts))
}

/// A draft is ready to edit: open the editor on it.
pub fn begin(
    state: &mut AppState,
    account: AccountId,
    draft: Draft,
    resumed: Option<MessageId>,
    outgoing: Option<OutboxId>,
) {
    state.close(|l| matches!(l, Layer::Outbox { .. }));
    let autosave = super::autosave::next_file(state, account);
    state.layers.push(Layer::Compose(Box::new(Composer {
        account,
        draft,
        resumed,
        outgoing,
        error: None,
        writing: None,
        unparsed: None,
        autosave,
        unsaved: false,
    })));
    edit(state);
}

/// Opens the editor: on the user's own text when it did not read as a message (at the line
/// of the mistake), else on the draft.
pub(super) fn edit(state: &mut AppState) {
    let builtin = state.settings.editor.is_none();
    let Some(c) = state.compose_mut() else { return };
    let (text, line) = match &c.unparsed {
        Some((text, line)) => (text.clone(), Some(*line)),
        None => (crate::compose::to_editor_text(&c.draft), None),
    };
    if builtin {
        let mut editor = super::editor::Editor::new(&text);
        // start where a reply is written: after the headers, or on To when it is empty
        match (line, editor.separator) {
            (Some(l), _) => editor.jump(l, 0),
            (None, _) if c.draft.to.trim().is_empty() => editor.jump(1, 0),
            (None, Some(s)) => editor.jump(s + 1, 0),
            (None, None) => editor.jump(0, 0),
        }
        c.writing = Some(Box::new(editor));
    } else {
        state.editor_request = Some(text);
    }
}

/// The line (from 0) a reading mistake is at.
fn mistake_line(e: &crate::compose::ComposeError) -> usize {
    match e {
        crate::compose::ComposeError::EditorLine { line, .. } => line.saturating_sub(1),
        _ => 0,
    }
}

/// What is wrong with the text, and what to do: fix it in the built-in editor, or `e`.
fn mistake(e: &crate::compose::ComposeError, builtin: bool) -> String {
    if builtin { format!("{e}; fix it there, then Esc") } else { format!("{e}; e edits your text again") }
}

/// Keeps text that does not read as a message as it is, with its mistake, for the editor
/// to open again there.
pub(super) fn keep_unparsed(c: &mut Composer, text: String, e: &crate::compose::ComposeError, builtin: bool) {
    c.error = Some(mistake(e, builtin));
    c.unparsed = Some((text, mistake_line(e)));
}

/// Why the message cannot be sent or saved as it stands, if it cannot.
fn refused(c: &Composer, doing: &str) -> Option<String> {
    let (_, line) = c.unparsed.as_ref()?;
    Some(format!("not {doing}: line {} of your text is not right yet; e edits it (nothing is lost)", line + 1))
}

/// The address being typed at the cursor of the built-in editor, on a To, Cc or Bcc line.
fn address_prefix(editor: &super::editor::Editor) -> Option<String> {
    let area = &editor.area;
    let (row, col) = (area.cursor().0, area.cursor().1);
    let lines = area.lines();
    let header_end = editor.separator.unwrap_or(lines.len());
    let line = lines.get(row).filter(|_| row < header_end)?;
    let name = line.split(':').next()?.trim().to_ascii_lowercase();
    if !matches!(name.as_str(), "to" | "cc" | "bcc") {
        return None;
    }
    let before: String = line.chars().take(col).collect();
    let token = before.rsplit([',', ':']).next()?.trim_start().to_string();
    (!token.is_empty()).then_some(token)
}

/// Keys while writing in the built-in editor: done, or an address completed; the rest
/// edits the text.
pub fn writing_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let action = state.keymap.action(Context::Writing, &k);
    let Some(c) = state.compose_mut() else { return };
    let Some(editor) = c.writing.as_mut() else { return };
    match action {
        Some(Action::WriteDone) => done_writing(state, fx),
        Some(Action::CompleteAddress) if address_prefix(editor).is_some() => {
            if let Some(prefix) = address_prefix(editor) {
                fx.push(Effect::CompleteAddress(prefix));
            }
        }
        _ => c.unsaved |= editor.key(k),
    }
}

/// Esc in the built-in editor: to the review when the text reads as a message; else the
/// editor stays open on it, at the line of the mistake, saying what is wrong.
fn done_writing(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(c) = state.compose_mut() else { return };
    let Some(editor) = c.writing.as_mut() else { return };
    let text = editor.text();
    let mut d = c.draft.clone();
    match crate::compose::parse_editor_text(&text, &mut d) {
        Ok(()) => {
            c.writing = None;
            c.draft = d;
            c.error = None;
            c.unparsed = None;
        }
        Err(e) => {
            let row = editor.row_of(mistake_line(&e));
            editor.jump(row, 0);
            c.error = Some(mistake(&e, true));
        }
    }
    super::autosave::save_now(state, fx);
}

/// An address completed: it replaces what was typed of it.
pub fn address_completed(state: &mut AppState, prefix: String, found: Option<String>) {
    let Some(editor) = state.compose_mut().and_then(|c| c.writing.as_mut()) else { return };
    match found {
        Some(full) if address_prefix(editor).as_deref() == Some(prefix.as_str()) => {
            let area = &mut editor.area;
            for _ in 0..prefix.chars().count() {
                area.delete_char();
            }
            area.insert_str(format!("{full}, "));
            if let Some(c) = state.compose_mut() {
                c.unsaved = true;
            }
        }
        _ => state.status = Some(format!("no address starts with {prefix:?}")),
    }
}

/// The external editor's text came back (or the editor failed). Text that does not read
/// as a message is kept as the user wrote it, for `e` to open again.
pub fn edited(state: &mut AppState, result: Result<String, String>, fx: &mut Vec<Effect>) {
    let Some(c) = state.compose_mut() else { return };
    match result {
        Ok(text) => {
            let mut d = c.draft.clone();
            match crate::compose::parse_editor_text(&text, &mut d) {
                Ok(()) => {
                    c.draft = d;
                    c.error = None;
                    c.unparsed = None;
                }
                Err(e) => keep_unparsed(c, text, &e, false),
            }
            c.unsaved = true;
            super::autosave::save_now(state, fx);
        }
        Err(e) => c.error = Some(e),
    }
}

pub fn attached(state: &mut AppState, result: Result<Attachment, String>) {
    let Some(c) = state.compose_mut() else { return };
    match result {
        Ok(a) => {
            if c.unparsed.is_none() {
                c.error = None;
            }
            c.draft.attachments.push(a);
            c.unsaved = true;
        }
        Err(e) => c.error = Some(e),
    }
}

/// The send or draft save was handed over (`Ok` with a status line), or the message could
/// not be built (`Err`: the review stays open with the reason).
pub fn finished(state: &mut AppState, result: Result<String, String>, fx: &mut Vec<Effect>) {
    match result {
        Ok(status) => {
            super::autosave::forget(state, fx);
            state.status = Some(status);
        }
        Err(e) => {
            if let Some(c) = state.compose_mut() {
                c.error = Some(e);
            }
        }
    }
}

/// Keys of the review screen.
pub fn review_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let action = state.keymap.action(Context::Review, &k);
    let Some(c) = state.compose() else { return };
    match action {
        Some(Action::Send) => {
            if let Some(why) = refused(c, "sent") {
                state.notify(why);
                return;
            }
            let replaces = c.replaces();
            let send = Effect::SendDraft { account: c.account, draft: Box::new(c.draft.clone()), replaces };
            if c.draft.subject.trim().is_empty() {
                let question = "The message has no subject. Send it anyway? (y/n)".to_string();
                state.ask(Prompt::Confirm { question, then: Box::new(send), done: None });
            } else {
                fx.push(send);
            }
        }
        Some(Action::EditAgain) => edit(state),
        Some(Action::Attach) => {
            let label = format!("Attach file ({} completes):", state.keymap.key_of(Action::CompletePath));
            let start = dirs_home();
            state.ask(Prompt::Text { label, input: start, purpose: TextPurpose::AttachPath });
        }
        Some(Action::RemoveAttachment) => match c.draft.attachments.len() {
            0 => state.status = Some("there is no attachment to remove".into()),
            1 => {
                if let Some(c) = state.compose_mut() {
                    c.draft.attachments.clear();
                }
            }
            n => state.ask(Prompt::RemoveAttachment(n)),
        },
        Some(Action::SaveDraft) => {
            if let Some(why) = refused(c, "saved") {
                state.notify(why);
                return;
            }
            fx.push(Effect::SaveDraft { account: c.account, draft: Box::new(c.draft.clone()), resumed: c.resumed });
        }
        Some(Action::CancelMessage) => state.ask(Prompt::DiscardDraft),
        _ => {}
    }
}

fn dirs_home() -> String {
    std::env::var("HOME").map(|h| format!("{}/", h.trim_end_matches('/'))).unwrap_or_default()
}

/// Keys of the Outbox overlay: its own (send again, edit, discard, close), and the
/// movement keys of the panes.
pub fn outbox_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(cursor) = state.outbox_cursor() else { return };
    let items: Vec<(AccountId, OutboxId, String)> =
        state.outbox_items().into_iter().map(|(a, o)| (a, o.id, o.subject.clone())).collect();
    let last = items.len().saturating_sub(1);
    let here = items.get(cursor.min(last)).cloned();
    let action = state.keymap.action(Context::Outbox, &k).or_else(|| state.keymap.action(Context::Main, &k));
    let moved = match action {
        Some(Action::Down) => Some((cursor + 1).min(last)),
        Some(Action::Up) => Some(cursor.saturating_sub(1)),
        Some(Action::Top) => Some(0),
        Some(Action::Bottom) => Some(last),
        _ => None,
    };
    if let Some(to) = moved {
        if let Some(Layer::Outbox { cursor }) = state.layers.last_mut() {
            *cursor = to;
        }
        return;
    }
    match (action, here) {
        (Some(Action::CloseOutbox), _) => state.close(|l| matches!(l, Layer::Outbox { .. })),
        (Some(Action::Help), _) => state.layers.push(Layer::Help { scroll: 0 }),
        (Some(Action::SendAgain), Some((account, id, _))) => {
            fx.push(Effect::Send(account, crate::account::Command::RetryOutgoing(id)));
        }
        (Some(Action::EditOutgoing), Some((account, id, _))) => {
            fx.push(Effect::StartCompose { account, kind: ComposeKind::EditOutgoing(id) });
        }
        (Some(Action::DiscardOutgoing), Some((account, id, subject))) => {
            let question = format!(
                "Discard {:?} without sending it? ({}/n)",
                crate::sanitize::line(&subject),
                state.keymap.key_of(Action::Yes)
            );
            let then = Box::new(Effect::Send(account, crate::account::Command::DiscardOutgoing(id)));
            state.ask(Prompt::Confirm { question, then, done: None });
        }
        _ => {}
    }
}

/// The answer to "remove which attachment?" or "discard this message?".
pub fn prompt_key(state: &mut AppState, p: Prompt, k: KeyEvent, fx: &mut Vec<Effect>) {
    match p {
        Prompt::RemoveAttachment(n) => {
            // a digit picks one: the number the review shows
            if let KeyCode::Char(c @ '1'..='9') = k.code {
                let i = c as usize - '1' as usize;
                if let Some(comp) = state.compose_mut()
                    && i < n
                    && i < comp.draft.attachments.len()
                {
                    comp.draft.attachments.remove(i);
                }
            }
        }
        Prompt::DiscardDraft if state.keymap.action(Context::Prompt, &k) == Some(Action::Yes) => {
            super::autosave::forget(state, fx);
            state.status = Some("message discarded".into());
        }
        _ => {}
    }
}
