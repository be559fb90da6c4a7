//! The reader's keys beyond scrolling: reading on with Space, the next and previous
//! message, opening an attachment or a link, piping the message to a command, the pager;
//! and answering a message whose body has yet to be downloaded.

use super::compose::ComposeKind;
use super::keymap::{Action, Context};
use super::navigate;
use super::state::{AppState, Body, Layer, Prompt, TextPurpose};
use super::update::Effect;
use crate::account::Command;
use crate::mime::Rendered;
use crate::model::{AccountId, MessageId, Summary};
use crate::store::ListQuery;
use crossterm::event::{KeyCode, KeyEvent};
use std::path::PathBuf;
use std::sync::Arc;

/// Work for the event loop (`Effect::Reading`).
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// The first unread message of `query` from list position `from` on (of `total`).
    FindUnread { query: ListQuery, from: usize, total: usize },
    /// Attachment `index` of `raw` (of type `mime`), opened in its viewer from a private
    /// temporary copy.
    OpenAttachment { raw: Arc<Vec<u8>>, index: usize, mime: String },
    /// A web link, opened by the system's opener.
    OpenLink(String),
}

/// Its answers (`Msg::Reading`).
#[derive(Debug, Clone)]
pub enum Answer {
    UnreadFound {
        query: ListQuery,
        found: Option<(usize, Summary)>,
    },
    /// What was opened, or why it could not be.
    Opened(Result<String, String>),
    /// A viewer that needs the terminal (mailcap's `needsterminal` or `copiousoutput`).
    NeedsTerminal(Handover),
    /// A command, the pager or a viewer gave the terminal back: what came of it.
    HandedBack(Result<String, String>),
}

/// A program that gets the terminal until it ends, like the external editor.
#[derive(Debug, Clone, PartialEq)]
pub enum Handover {
    /// The message's source on the standard input of a shell command the user typed.
    Pipe { command: String, raw: Arc<Vec<u8>> },
    /// The message as the reader shows it, in `$PAGER`.
    Pager { text: String },
    /// A mailcap viewer on a temporary copy of an attachment; `copious`: its output goes
    /// to the pager.
    Viewer { command: String, file: PathBuf, content_type: String, copious: bool },
}

/// The link list (the open message's links, numbered as in its text).
#[derive(Debug, Clone, PartialEq)]
pub struct LinkChooser {
    pub links: Vec<String>,
    pub cursor: usize,
    /// A link number being typed.
    pub typed: String,
}

/// Handles a reader key; false when `action` is not one of them.
pub fn key(state: &mut AppState, action: Action, fx: &mut Vec<Effect>) -> bool {
    match action {
        Action::ReadOn => navigate::read_on(state, fx),
        Action::NextMessage if super::conversation::active(state) => super::conversation::step(state, 1),
        Action::PrevMessage if super::conversation::active(state) => super::conversation::step(state, -1),
        Action::ToggleThread if super::conversation::active(state) => super::conversation::fold(state, fx),
        Action::NextMessage => navigate::next_message(state, 1, fx),
        Action::PrevMessage => navigate::next_message(state, -1, fx),
        Action::OpenAttachment => open_attachment(state, fx),
        Action::OpenLink => match rendered(state) {
            Some((_, r)) if !r.links.is_empty() => {
                let chooser = LinkChooser { links: r.links.clone(), cursor: 0, typed: String::new() };
                state.layers.push(Layer::Links(chooser));
            }
            Some(_) => state.notify("this message has no links"),
            None => state.notify(not_here(state, "see its links")),
        },
        Action::Pipe => match rendered(state) {
            Some(_) => {
                let label = "Pipe the message to:".into();
                state.ask(Prompt::Text { label, input: String::new(), purpose: TextPurpose::Pipe });
            }
            None => state.notify(not_here(state, "pipe it")),
        },
        Action::Pager => match rendered(state) {
            Some((_, r)) => state.handover = Some(Handover::Pager { text: r.plain_text() }),
            None => state.notify(not_here(state, "view it in the pager")),
        },
        _ => return false,
    }
    true
}

/// Why there is nothing to `what` yet: no message is open, or its body is still coming.
fn not_here(state: &AppState, what: &str) -> String {
    match state.reader.as_ref().map(|r| &r.body) {
        Some(Body::Loading | Body::Rendering { .. }) => format!("the message is still loading: {what} once it shows"),
        _ => format!("open a message to {what}"),
    }
}

/// The open message's source and rendering, once it is here.
fn rendered(state: &AppState) -> Option<(&Arc<Vec<u8>>, &Rendered)> {
    match &state.reader.as_ref()?.body {
        Body::Ready { raw, rendered } => Some((raw, rendered)),
        _ => None,
    }
}

fn open_attachment(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some((_, r)) = rendered(state) else {
        let why = not_here(state, "open its attachments");
        state.notify(why);
        return;
    };
    match r.attachments.len() {
        0 => state.notify("this message has no attachments"),
        1 => open_nth(state, 0, fx),
        _ => state.ask(Prompt::OpenAttachment),
    }
}

/// The answer to "open which attachment?".
pub fn attachment_choice(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    state.status = None;
    if let KeyCode::Char(c @ '1'..='9') = k.code {
        open_nth(state, c as usize - '1' as usize, fx);
    }
}

/// Opens attachment `index` of the open message, if it has one.
fn open_nth(state: &mut AppState, index: usize, fx: &mut Vec<Effect>) {
    let Some((raw, r)) = rendered(state) else { return };
    let Some(a) = r.attachments.get(index) else { return };
    let (raw, mime) = (raw.clone(), a.mime_type.clone());
    state.status = Some(format!("opening {}…", a.name));
    fx.push(Effect::Reading(Request::OpenAttachment { raw, index, mime }));
}

/// The command to pipe the message to was typed.
pub fn pipe(state: &mut AppState, command: &str) {
    let command = command.trim();
    match rendered(state) {
        Some((raw, _)) if !command.is_empty() => {
            state.handover = Some(Handover::Pipe { command: command.to_string(), raw: raw.clone() })
        }
        _ => state.status = Some("cancelled".into()),
    }
}

/// The question "open which attachment?", with the range of numbers it takes.
pub fn attachment_question(state: &AppState) -> String {
    let n = rendered(state).map_or(0, |(_, r)| r.attachments.len());
    let cancel = state.keymap.key_of(Action::Cancel);
    format!("Open which attachment? (1-{}, {cancel} cancels)", n.min(9))
}

/// Keys of the link list: the picker's keys (and j/k) move and pick, a number picks.
pub fn links_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Layer::Links(mut l)) = state.layers.pop() else { return };
    let last = l.links.len().saturating_sub(1);
    let picker = state.keymap.action(Context::Picker, &k);
    let main = state.keymap.action(Context::Main, &k);
    match (picker, main, k.code) {
        (Some(Action::PickerCancel), ..) | (_, Some(Action::Quit), _) => return,
        (Some(Action::Pick), ..) => {
            let pick = l.typed.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).unwrap_or(l.cursor);
            if let Some(url) = l.links.get(pick) {
                open_link(state, url.clone(), fx);
            }
            return;
        }
        (Some(Action::PickerDown), ..) | (_, Some(Action::Down), _) => {
            l.cursor = (l.cursor + 1).min(last);
            l.typed.clear();
        }
        (Some(Action::PickerUp), ..) | (_, Some(Action::Up), _) => {
            l.cursor = l.cursor.saturating_sub(1);
            l.typed.clear();
        }
        (.., KeyCode::Char(c @ '0'..='9')) => {
            l.typed.push(c);
            if let Some(n) = l.typed.parse::<usize>().ok().filter(|n| (1..=l.links.len()).contains(n)) {
                l.cursor = n - 1;
            } else {
                l.typed = c.to_string();
            }
        }
        (.., KeyCode::Backspace) => {
            l.typed.pop();
        }
        _ => {}
    }
    state.layers.push(Layer::Links(l));
}

/// The schemes a link may have to be opened (a mailto: link is written in poste).
const WEB_SCHEMES: &[&str] = &["http://", "https://", "ftp://"];

fn open_link(state: &mut AppState, url: String, fx: &mut Vec<Effect>) {
    let lower = url.to_ascii_lowercase();
    let clean = crate::sanitize::line(&url) == url && !url.contains(' ');
    if clean && lower.starts_with("mailto:") {
        let account = state.reader.as_ref().map(|r| r.account).or(state.current.map(|c| c.0));
        if let Some(account) = account {
            fx.push(Effect::StartCompose { account, kind: ComposeKind::Mailto(url) });
        }
    } else if clean && WEB_SCHEMES.iter().any(|s| lower.starts_with(s)) {
        state.status = Some(format!("opening {url}"));
        fx.push(Effect::Reading(Request::OpenLink(url)));
    } else {
        let shown = crate::sanitize::line(&url);
        state.notify(format!("poste opens only http, https, ftp and mailto links, not {shown}"));
    }
}

/// A work request's answer came back.
pub fn answer(state: &mut AppState, a: Answer, fx: &mut Vec<Effect>) {
    match a {
        Answer::UnreadFound { query, found } => navigate::unread_found(state, query, found, fx),
        Answer::Opened(Ok(s)) | Answer::HandedBack(Ok(s)) => state.status = (!s.is_empty()).then_some(s),
        Answer::Opened(Err(e)) | Answer::HandedBack(Err(e)) => state.notify(e),
        Answer::NeedsTerminal(h) => state.handover = Some(h),
    }
}

/// The message a way of composing starts from, if it needs one.
fn source(kind: &ComposeKind) -> Option<MessageId> {
    match kind {
        ComposeKind::Reply(id)
        | ComposeKind::ReplyAll(id)
        | ComposeKind::Forward(id)
        | ComposeKind::ForwardAttached(id)
        | ComposeKind::Resume(id) => Some(*id),
        ComposeKind::New | ComposeKind::Mailto(_) | ComposeKind::EditOutgoing(_) => None,
    }
}

/// Composes from message `id` (a reply, a forward): at once when its body is here, else
/// once the worker has downloaded it (without marking it read).
pub fn compose_from(state: &mut AppState, account: AccountId, kind: ComposeKind, fx: &mut Vec<Effect>) {
    let Some(id) = source(&kind) else {
        fx.push(Effect::StartCompose { account, kind });
        return;
    };
    let in_reader = state
        .reader
        .as_ref()
        .is_some_and(|r| r.id == id && matches!(r.body, Body::Ready { .. } | Body::Rendering { .. }));
    let in_list = state.list.window.rows.iter().any(|s| s.id == id && s.cached);
    let here = in_reader || in_list || state.reader.as_ref().is_some_and(|r| r.id == id && r.summary.cached);
    if here {
        fx.push(Effect::StartCompose { account, kind });
        return;
    }
    state.resume_after_body = Some((account, kind));
    state.status = Some("downloading the message first…".into());
    fx.push(Effect::Send(account, Command::Open { id, mark_seen: false }));
}

/// A body arrived: composing that waited for it starts.
pub fn body_here(state: &mut AppState, id: MessageId, fx: &mut Vec<Effect>) {
    if state.resume_after_body.as_ref().is_some_and(|(_, k)| source(k) == Some(id))
        && let Some((account, kind)) = state.resume_after_body.take()
    {
        state.status = None;
        fx.push(Effect::StartCompose { account, kind });
    }
}

/// A body could not be had: composing that waited for it says why, and does not start.
pub fn body_unavailable(state: &mut AppState, id: MessageId, reason: &str) {
    if state.resume_after_body.as_ref().is_some_and(|(_, k)| source(k) == Some(id)) {
        state.resume_after_body = None;
        state.notify(format!("cannot write from that message: {reason}"));
    }
}
