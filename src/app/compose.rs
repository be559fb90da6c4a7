//! Composing in the UI: the keys that start a message (new, reply, reply all, forward),
//! the review screen before sending (send, edit, attach, remove, save draft, cancel), and
//! the answers from the editor and the event loop.

use super::keymap::Action;
use super::state::{AppState, Pane, Prompt, TextPurpose};
use super::update::Effect;
use crate::compose::{Attachment, Draft};
use crate::model::{AccountId, MessageId, SpecialUse};
use crossterm::event::{KeyCode, KeyEvent};

/// A message being written.
#[derive(Debug, Clone, PartialEq)]
pub struct Composer {
    pub account: AccountId,
    pub draft: Draft,
    /// The stored draft this continues: replaced when saved again, removed once sent.
    pub resumed: Option<MessageId>,
    /// Why the last edit, attachment or send did not work.
    pub error: Option<String>,
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
}

/// The message a reply or forward is about: the open one when the reader has the focus,
/// else the one under the cursor.
fn target(state: &AppState) -> Option<(AccountId, MessageId)> {
    match &state.reader {
        Some(r) if state.focus == Pane::Reader || state.list.selected().is_none() => Some((r.account, r.id)),
        _ => state.current.zip(state.list.selected()).map(|(c, s)| (c.0, s.id)),
    }
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
            let account = state.current.map(|c| c.0).or_else(|| state.accounts.first().map(|a| a.id));
            if let Some(account) = account {
                fx.push(Effect::StartCompose { account, kind: ComposeKind::New });
            }
            true
        }
        Action::Reply | Action::ReplyAll | Action::Forward | Action::ForwardAttached => {
            match target(state) {
                Some((account, id)) => {
                    if let Some(kind) = kind(id) {
                        fx.push(Effect::StartCompose { account, kind });
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
    let Some((account, folder)) = state.current else { return false };
    state
        .accounts
        .iter()
        .find(|a| a.id == account)
        .and_then(|a| a.folders.iter().find(|f| f.id == folder))
        .is_some_and(|f| f.special_use == Some(SpecialUse::Drafts))
}

/// A draft is ready to edit: open the editor on it.
pub fn begin(state: &mut AppState, account: AccountId, draft: Draft, resumed: Option<MessageId>) {
    state.compose = Some(Composer { account, draft, resumed, error: None });
    edit(state);
}

fn edit(state: &mut AppState) {
    if let Some(c) = &state.compose {
        state.editor_request = Some(crate::compose::to_editor_text(&c.draft));
    }
}

/// The editor's text came back (or the editor failed).
pub fn edited(state: &mut AppState, result: Result<String, String>) {
    let Some(c) = state.compose.as_mut() else { return };
    match result {
        Ok(text) => {
            let mut d = c.draft.clone();
            match crate::compose::parse_editor_text(&text, &mut d) {
                Ok(()) => {
                    c.draft = d;
                    c.error = None;
                }
                Err(e) => c.error = Some(format!("{e}; e edits again")),
            }
        }
        Err(e) => c.error = Some(e),
    }
}

pub fn attached(state: &mut AppState, result: Result<Attachment, String>) {
    let Some(c) = state.compose.as_mut() else { return };
    match result {
        Ok(a) => {
            c.error = None;
            c.draft.attachments.push(a);
        }
        Err(e) => c.error = Some(e),
    }
}

/// The send or draft save was handed over (`Ok` with a status line), or the message could
/// not be built (`Err`: the review stays open with the reason).
pub fn finished(state: &mut AppState, result: Result<String, String>) {
    match result {
        Ok(status) => {
            state.compose = None;
            state.status = Some(status);
        }
        Err(e) => {
            if let Some(c) = state.compose.as_mut() {
                c.error = Some(e);
            }
        }
    }
}

/// Keys of the review screen.
pub fn review_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(c) = state.compose.as_ref() else { return };
    match k.code {
        KeyCode::Char('y') => {
            fx.push(Effect::SendDraft { account: c.account, draft: Box::new(c.draft.clone()), resumed: c.resumed });
        }
        KeyCode::Char('e') => edit(state),
        KeyCode::Char('a') => {
            let label = "Attach file (Tab completes):".to_string();
            let start = dirs_home();
            state.prompt = Some(Prompt::Text { label, input: start, purpose: TextPurpose::AttachPath });
        }
        KeyCode::Char('D') => match c.draft.attachments.len() {
            0 => state.status = Some("there is no attachment to remove".into()),
            1 => {
                if let Some(c) = state.compose.as_mut() {
                    c.draft.attachments.clear();
                }
            }
            n => state.prompt = Some(Prompt::RemoveAttachment(n)),
        },
        KeyCode::Char('d') => {
            fx.push(Effect::SaveDraft { account: c.account, draft: Box::new(c.draft.clone()), resumed: c.resumed });
        }
        KeyCode::Char('q') | KeyCode::Esc => state.prompt = Some(Prompt::DiscardDraft),
        _ => {}
    }
}

fn dirs_home() -> String {
    std::env::var("HOME").map(|h| format!("{}/", h.trim_end_matches('/'))).unwrap_or_default()
}

/// The answer to "remove which attachment?" or "discard this message?".
pub fn prompt_key(state: &mut AppState, p: Prompt, k: KeyEvent) {
    match p {
        Prompt::RemoveAttachment(n) => {
            if let KeyCode::Char(c @ '1'..='9') = k.code {
                let i = c as usize - '1' as usize;
                if let Some(comp) = state.compose.as_mut()
                    && i < n
                    && i < comp.draft.attachments.len()
                {
                    comp.draft.attachments.remove(i);
                }
            }
        }
        Prompt::DiscardDraft => {
            if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                state.compose = None;
                state.status = Some("message discarded".into());
            }
        }
        _ => {}
    }
}
