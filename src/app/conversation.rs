//! A whole thread in one reader: every message of it in the account's folders (a reply in
//! Sent too), in tree order; the unread ones unfolded with their bodies, the others one
//! line each; a cursor on one message, which reply, forward and the other reader keys act
//! on.

use super::render::reader_width;
use super::state::{AppState, Body, Pane, ReaderView};
use super::update::Effect;
use crate::account::Command;
use crate::model::{MessageId, Summary, ThreadId};
use crate::store::ThreadEntry;

/// The thread in the reader.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub thread: ThreadId,
    /// The folder it was opened from (`Effect::LoadConversation`).
    pub shown: crate::model::FolderId,
    /// Empty until the store has answered.
    pub messages: Vec<Message>,
    pub cursor: usize,
    /// Bodies to ask the worker for, one at a time (it keeps only the last of several
    /// opens waiting, as the list's reader needs), and the one asked for.
    pub wanted: std::collections::VecDeque<MessageId>,
    pub asking: Option<MessageId>,
    /// The bodies asked for are marked read as they are opened (full screen, or no delay);
    /// else the unread ones wait for the delay (`seen`).
    pub mark_seen: bool,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub summary: Summary,
    pub depth: usize,
    /// Shown with its body (else one line).
    pub unfolded: bool,
    pub body: Body,
    /// The first words of its body, when the store has it: what the folded line shows.
    pub preview: Option<String>,
}

/// The start of a body's text on one line, quotes left out: what a folded message shows.
pub fn first_words(body: &str) -> String {
    let text = body.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('>'));
    text.collect::<Vec<_>>().join(" ").chars().take(200).collect()
}

/// Opens the thread of the closed row under the list cursor as a conversation; its
/// messages are read off the UI task (`Msg::Conversation`).
pub fn open(state: &mut AppState, thread: ThreadId, fx: &mut Vec<Effect>) {
    let Some(newest) = state.list.selected().cloned() else { return };
    let Some(account) = state.owner(&newest) else { return };
    state.list.anchor = Some(newest.id);
    state.list.pinned = true;
    let fullscreen = state.reader.as_ref().is_some_and(|r| r.fullscreen) || state.settings.reader_fullscreen;
    let shown = newest.folder;
    let conversation = Some(Box::new(Conversation {
        thread,
        shown,
        messages: Vec::new(),
        cursor: 0,
        wanted: Default::default(),
        asking: None,
        mark_seen: false,
    }));
    state.reader = Some(ReaderView {
        id: newest.id,
        account,
        summary: newest,
        body: Body::Loading,
        scroll: 0,
        fullscreen,
        conversation,
    });
    state.seen.waiting = None;
    fx.push(Effect::LoadConversation { thread, shown });
}

/// The thread's messages came: the unread ones unfold (their bodies asked for, and marked
/// read as an opened message is: at once full screen, else after the delay), the cursor goes to the first of them (else the last
/// message).
pub fn loaded(
    state: &mut AppState,
    thread: ThreadId,
    entries: Vec<(ThreadEntry, Option<String>)>,
    fx: &mut Vec<Effect>,
) {
    let (mark, at_once) = (state.settings.mark_read_on_open, super::seen::at_once(state));
    let Some(r) = &mut state.reader else { return };
    let Some(c) = r.conversation.as_mut().filter(|c| c.thread == thread) else { return };
    if !c.messages.is_empty() {
        return reloaded(state, entries, fx);
    }
    c.messages = entries
        .into_iter()
        .map(|(e, preview)| {
            let unfolded = !e.summary.flags.is_seen();
            Message { summary: e.summary, depth: e.depth, unfolded, body: Body::Loading, preview }
        })
        .collect();
    if c.messages.is_empty() {
        state.reader = None;
        state.focus = Pane::List;
        state.status = Some("the thread has no messages any more".into());
        return;
    }
    c.cursor = c.messages.iter().position(|m| m.unfolded).unwrap_or(c.messages.len() - 1);
    c.wanted = c.messages.iter().filter(|m| m.unfolded).map(|m| m.summary.id).collect();
    // read as an opened message is: at once full screen, else after the delay in the pane
    c.mark_seen = mark && at_once;
    let (account, ids): (_, Vec<_>) = (r.account, c.wanted.iter().copied().collect());
    if mark && !at_once && !ids.is_empty() {
        fx.push(super::seen::wait(state, account, ids));
    }
    ask_next(state, fx);
    follow_cursor(state);
}

/// The open conversation read again (its messages changed): those still in it keep how
/// they are shown, new unread ones unfold, and the cursor stays on its message while it is
/// there; the reader closes when none is left.
fn reloaded(state: &mut AppState, entries: Vec<(ThreadEntry, Option<String>)>, fx: &mut Vec<Effect>) {
    let Some(c) = state.reader.as_mut().and_then(|r| r.conversation.as_mut()) else { return };
    let old = std::mem::take(&mut c.messages);
    let at = old.get(c.cursor).map(|m| m.summary.id);
    c.messages = entries
        .into_iter()
        .map(|(e, preview)| match old.iter().find(|m| m.summary.id == e.summary.id) {
            Some(m) => Message { summary: e.summary, depth: e.depth, ..m.clone() },
            None => {
                let unfolded = !e.summary.flags.is_seen();
                if unfolded {
                    c.wanted.push_back(e.summary.id);
                }
                Message { summary: e.summary, depth: e.depth, unfolded, body: Body::Loading, preview }
            }
        })
        .collect();
    if c.messages.is_empty() {
        state.reader = None;
        state.focus = Pane::List;
        // after the user's own delete or move, its note (with its undo) stays
        state.status.get_or_insert_with(|| "the conversation has no messages here any more".into());
        return;
    }
    let kept = at.and_then(|id| c.messages.iter().position(|m| m.summary.id == id));
    c.cursor = kept.unwrap_or(c.cursor.min(c.messages.len() - 1));
    ask_next(state, fx);
    follow_cursor(state);
}

/// Asks the worker for the next body wanted, when none is being asked for (the opened
/// message marked read as any opened message is).
fn ask_next(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(r) = &mut state.reader else { return };
    let account = r.account;
    let Some(c) = r.conversation.as_mut().filter(|c| c.asking.is_none()) else { return };
    let mark_seen = c.mark_seen;
    while let Some(id) = c.wanted.pop_front() {
        // one whose body came meanwhile is not asked for again
        if c.messages.iter().any(|m| m.summary.id == id && matches!(m.body, Body::Loading)) {
            c.asking = Some(id);
            fx.push(Effect::Send(account, Command::Open { id, mark_seen }));
            return;
        }
    }
}

/// The reader shows the message at the conversation's cursor: its header line at the top.
fn follow_cursor(state: &mut AppState) {
    let Some(r) = &mut state.reader else { return };
    let Some(c) = &r.conversation else { return };
    let Some(m) = c.messages.get(c.cursor) else { return };
    r.id = m.summary.id;
    r.summary = m.summary.clone();
    r.body = m.body.clone();
    let line = crate::ui::reader::message_line(state, state.reader.as_ref().map_or(0, cursor_of));
    let height = state.reader_height();
    if let Some(r) = &mut state.reader {
        // the messages above stay in sight while the cursor's first lines fit below them
        let scroll = r.scroll as usize;
        if line < scroll || line + 2 > scroll + height {
            r.scroll = line.min(u16::MAX as usize) as u16;
        }
    }
}

fn cursor_of(r: &ReaderView) -> usize {
    r.conversation.as_ref().map_or(0, |c| c.cursor)
}

/// Whether the keys of a conversation apply: one is in the reader, and the reader is what
/// the keys go to.
pub fn active(state: &AppState) -> bool {
    state.reader.as_ref().is_some_and(|r| r.conversation.is_some() && (state.focus == Pane::Reader || r.fullscreen))
}

/// J/K in a conversation: the cursor to the next or previous message.
pub fn step(state: &mut AppState, delta: i64) {
    let Some(c) = state.reader.as_mut().and_then(|r| r.conversation.as_mut()) else { return };
    let last = c.messages.len().saturating_sub(1) as i64;
    c.cursor = (c.cursor as i64 + delta).clamp(0, last) as usize;
    follow_cursor(state);
}

/// z in a conversation: the message at the cursor unfolds (its body asked for) or folds.
pub fn fold(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(c) = state.reader.as_mut().and_then(|r| r.conversation.as_mut()) else { return };
    let Some(m) = c.messages.get_mut(c.cursor) else { return };
    m.unfolded = !m.unfolded;
    let id = m.summary.id;
    if m.unfolded && matches!(m.body, Body::Loading | Body::Unavailable(_)) {
        m.body = Body::Loading;
        if c.asking != Some(id) && !c.wanted.contains(&id) {
            c.wanted.push_back(id);
        }
    }
    ask_next(state, fx);
    follow_cursor(state);
}

/// A body came for message `id`: a message of the conversation other than the one at the
/// cursor (which the reader renders as it does any) is rendered too.
pub fn body(state: &mut AppState, id: MessageId, raw: &std::sync::Arc<Vec<u8>>, fx: &mut Vec<Effect>) {
    let width = reader_width(state);
    let Some(r) = &mut state.reader else { return };
    let at_cursor = r.id == id;
    let Some(m) = r.conversation.as_mut().and_then(|c| c.messages.iter_mut().find(|m| m.summary.id == id)) else {
        return;
    };
    m.body = Body::Rendering { raw: raw.clone() };
    if !at_cursor {
        fx.push(Effect::Render { id, raw: raw.clone(), width });
    }
    answered(state, id, fx);
}

/// The worker answered for message `id`: the next body wanted is asked for.
fn answered(state: &mut AppState, id: MessageId, fx: &mut Vec<Effect>) {
    if let Some(c) = state.reader.as_mut().and_then(|r| r.conversation.as_mut())
        && c.asking == Some(id)
    {
        c.asking = None;
    }
    ask_next(state, fx);
}

/// Message `id`'s body cannot be had: the conversation says why there, and asks for the
/// next.
pub fn unavailable(state: &mut AppState, id: MessageId, reason: &str, fx: &mut Vec<Effect>) {
    let Some(r) = &mut state.reader else { return };
    if let Some(m) = r.conversation.as_mut().and_then(|c| c.messages.iter_mut().find(|m| m.summary.id == id)) {
        m.body = Body::Unavailable(reason.to_string());
    }
    answered(state, id, fx);
}
