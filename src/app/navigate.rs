//! Moving around: cursors, scrolling, opening folders and messages, the list window, mouse.

use super::layout::areas;
use super::state::{AppState, Body, FolderRow, Pane, ReaderView};
use super::update::Effect;
use crate::account::Command;
use crate::model::Summary;
use crate::model::{AccountId, FolderId};
use crate::store::ListQuery;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// Moves the focused pane's cursor (or the reader's scroll) by `delta`.
pub fn step(state: &mut AppState, delta: i64, fx: &mut Vec<Effect>) {
    match state.focus {
        Pane::Folders => {
            let rows = state.folder_rows();
            let folders: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| opens(r)).map(|(i, _)| i).collect();
            if folders.is_empty() {
                return;
            }
            let cur = folders.iter().position(|&i| i == state.folder_cursor).unwrap_or(0) as i64;
            let next = (cur + delta).clamp(0, folders.len() as i64 - 1) as usize;
            state.folder_cursor = folders[next];
        }
        Pane::List => {
            if state.list.total == 0 {
                return;
            }
            let next = (state.list.cursor as i64 + delta).clamp(0, state.list.total as i64 - 1) as usize;
            if next != state.list.cursor {
                state.list.cursor = next;
                pin(state);
                keep_cursor_visible(state, fx);
                if state.reader.is_some() {
                    open_message(state, fx);
                }
            }
        }
        Pane::Reader => {
            let max = reader_max_scroll(state) as i64;
            if let Some(r) = &mut state.reader {
                r.scroll = (r.scroll as i64 + delta).clamp(0, max) as u16;
            }
        }
    }
}

/// How far the reader scrolls: until its last line is at the bottom, not past it (a
/// message that fits does not scroll its headers away).
fn reader_max_scroll(state: &AppState) -> usize {
    let lines = crate::ui::reader::line_count(state);
    lines.saturating_sub(state.reader_height()).min(u16::MAX as usize)
}

/// Space in the reader: a page down; on the last page, the next unread message.
pub fn read_on(state: &mut AppState, fx: &mut Vec<Effect>) {
    let max = reader_max_scroll(state);
    let page = state.reader_height().max(1);
    let Some(r) = &mut state.reader else { return };
    if matches!(r.body, Body::Loading | Body::Rendering { .. }) {
        // nothing to page through yet
    } else if (r.scroll as usize) < max {
        r.scroll = (r.scroll as usize + page).min(max) as u16;
    } else {
        next_unread(state, fx);
    }
}

/// Opens the first unread message after the list cursor: from the rows at hand, else the
/// store is asked (`Answer::UnreadFound` comes back).
pub fn next_unread(state: &mut AppState, fx: &mut Vec<Effect>) {
    let l = &state.list;
    let end = l.window.start + l.window.rows.len();
    let from = l.cursor + 1;
    let found = (from..end).find(|p| l.window.get(*p).is_some_and(|s| !s.flags.is_seen()));
    match found {
        Some(pos) => move_to(state, pos, fx),
        None if end < l.total && !l.threaded => {
            let (query, from, total) = (l.query.clone(), end.max(from), l.total);
            fx.push(Effect::Reading(super::reader::Request::FindUnread { query, from, total }));
        }
        None => state.status = Some("no more unread messages here".into()),
    }
}

/// The store's answer: the first unread message at or after where it looked.
pub fn unread_found(state: &mut AppState, query: ListQuery, found: Option<(usize, Summary)>, fx: &mut Vec<Effect>) {
    if query != state.list.query {
        return;
    }
    match found {
        Some((pos, row)) => {
            state.list.cursor = pos.min(state.list.total.saturating_sub(1));
            keep_cursor_visible(state, fx);
            open_row(state, row, fx);
        }
        None => state.status = Some("no more unread messages here".into()),
    }
}

/// J/K: the next or previous message, in the reader when one is open (full screen stays).
pub fn next_message(state: &mut AppState, delta: i64, fx: &mut Vec<Effect>) {
    if state.list.total == 0 {
        return;
    }
    let pos = (state.list.cursor as i64 + delta).clamp(0, state.list.total as i64 - 1) as usize;
    if state.reader.is_none() {
        state.list.cursor = pos;
        pin(state);
        keep_cursor_visible(state, fx);
    } else if pos != state.list.cursor {
        move_to(state, pos, fx);
    }
}

/// Puts the list cursor on `pos` and opens the message there.
fn move_to(state: &mut AppState, pos: usize, fx: &mut Vec<Effect>) {
    state.list.cursor = pos;
    keep_cursor_visible(state, fx);
    open_message(state, fx);
}

/// Enter: open the folder under the cursor, or the message, or go full screen.
pub fn open(state: &mut AppState, fx: &mut Vec<Effect>) {
    match state.focus {
        Pane::Folders => {
            let rows = state.folder_rows();
            if let Some(FolderRow::Virtual(i)) = rows.get(state.folder_cursor)
                && let Some(v) = state.virtual_rows().into_iter().nth(*i)
            {
                return super::views::open(state, v, fx);
            }
            if let Some((a, f)) = rows.get(state.folder_cursor).and_then(|r| state.folder_at(*r)) {
                if f.noselect {
                    let why = format!("{} only holds folders: it has no messages to show", f.display);
                    state.notify(why);
                    return;
                }
                let (a, f) = (a.id, f.id);
                open_folder(state, a, f, fx);
                state.focus = Pane::List;
            }
        }
        Pane::List => {
            let Some(sel) = state.list.selected().map(|s| s.id) else {
                return;
            };
            // a message in Drafts opens in the composer, once its body is here
            if super::compose::in_drafts(state)
                && let Some(account) = state.list.selected().and_then(|s| state.owner(s))
            {
                if state.list.selected().is_some_and(|s| s.cached) {
                    let kind = super::compose::ComposeKind::Resume(sel);
                    fx.push(Effect::StartCompose { account, kind });
                    return;
                }
                state.resume_after_body = Some((account, super::compose::ComposeKind::Resume(sel)));
            }
            let thread = state.list.closed_thread().map(|t| t.0);
            let reading = |r: &ReaderView| match &r.conversation {
                Some(c) => Some(c.thread) == thread,
                None => r.id == sel && thread.is_none(),
            };
            match &mut state.reader {
                Some(r) if reading(r) => {
                    r.fullscreen = true;
                    state.focus = Pane::Reader;
                    super::seen::now(state, fx);
                }
                _ => {
                    open_message(state, fx);
                    if state.settings.reader_fullscreen
                        && let Some(r) = &mut state.reader
                    {
                        r.fullscreen = true;
                        state.focus = Pane::Reader;
                        super::seen::now(state, fx);
                    }
                }
            }
        }
        Pane::Reader => {
            if let Some(r) = &mut state.reader {
                r.fullscreen = !r.fullscreen;
                if r.fullscreen {
                    super::seen::now(state, fx);
                } else {
                    // the list is on screen again: its rows are read if it has none there
                    keep_cursor_visible(state, fx);
                }
            }
        }
    }
}

/// Shows a folder's messages in the list.
pub fn open_folder(state: &mut AppState, account: AccountId, folder: FolderId, fx: &mut Vec<Effect>) {
    if state.current == Some((account, folder)) {
        return;
    }
    state.current = Some((account, folder));
    state.open_virtual = None;
    super::newmail::seen(state);
    state.reader = None;
    state.fresh_list(Some(account), ListQuery { folder: Some(folder), ..Default::default() });
    if let Some(i) = state
        .folder_rows()
        .iter()
        .position(|r| state.folder_at(*r).is_some_and(|(a, f)| a.id == account && f.id == folder))
    {
        state.folder_cursor = i;
    }
    load(state, fx);
    // changes made elsewhere to this folder show up while it is open
    fx.push(Effect::Send(account, Command::Watch(folder)));
}

/// Switches to account `i`: its INBOX (or first folder).
pub fn open_account(state: &mut AppState, i: usize, fx: &mut Vec<Effect>) {
    let Some(a) = state.accounts.get(i) else {
        return;
    };
    let id = a.id;
    let folder =
        a.folders.iter().find(|f| f.name.eq_ignore_ascii_case("INBOX")).or_else(|| a.folders.first()).map(|f| f.id);
    match folder {
        Some(f) => {
            open_folder(state, id, f, fx);
            state.focus = Pane::List;
        }
        None => state.status = Some(format!("{} has no folders yet", a.name)),
    }
}

/// Reads the list again, counting it: its messages may have changed.
pub fn load(state: &mut AppState, fx: &mut Vec<Effect>) {
    load_rows(state, false, fx)
}

/// The user put the cursor on this row: it stays with its message as the list changes.
pub fn pin(state: &mut AppState) {
    state.list.anchor = state.list.selected().map(|s| s.id);
    state.list.pinned = true;
}

/// Loads the rows around the visible part of the list; with `scrolled`, the count known is
/// kept (unless a count is still coming, or threads are open: their rows are counted with
/// the window).
fn load_rows(state: &mut AppState, scrolled: bool, fx: &mut Vec<Effect>) {
    if !state.list_open() {
        return;
    }
    let h = state.list_height();
    let start = state.list.top.saturating_sub(h);
    let seq = state.next_request();
    let (query, len) = (state.list.query.clone(), h * 3);
    let shape = super::threads::shape(state);
    let all_closed = shape.as_ref().is_none_or(|(open, all)| open.is_empty() && !all);
    let l = &mut state.list;
    let total = (scrolled && all_closed && l.loaded && l.counting.is_none()).then_some(l.total);
    if total.is_none() {
        l.counting = Some(seq);
    }
    match shape {
        Some((open, all_open)) => fx.push(Effect::LoadThreads { seq, query, open, all_open, start, len, total }),
        None => fx.push(Effect::LoadList { seq, query, start, len, total }),
    }
}

/// Scrolls so the cursor is visible, and asks for rows the window lacks.
pub fn keep_cursor_visible(state: &mut AppState, fx: &mut Vec<Effect>) {
    let h = state.list_height();
    let l = &mut state.list;
    if l.cursor < l.top {
        l.top = l.cursor;
    } else if l.cursor >= l.top + h {
        l.top = l.cursor + 1 - h;
    }
    if l.top + h > l.total {
        l.top = l.total.saturating_sub(h);
    }
    if !l.window.covers(l.top, l.top + h, l.total) && state.list_open() {
        let already = fx.iter().any(|e| matches!(e, Effect::LoadList { .. } | Effect::LoadThreads { .. }));
        if !already {
            load_rows(state, true, fx);
        }
    }
}

/// Opens the message under the list cursor in the reader, and prefetches its neighbours.
pub fn open_message(state: &mut AppState, fx: &mut Vec<Effect>) {
    // a closed thread opens as one conversation; so does one whose only message here has
    // replies elsewhere (in Sent), which the conversation shows
    if let Some(thread) = state.list.thread_row() {
        return super::conversation::open(state, thread, fx);
    }
    if let Some(sel) = state.list.selected().cloned() {
        open_row(state, sel, fx);
    }
}

/// Opens `sel` (the row at the list cursor) in the reader, and prefetches its neighbours.
fn open_row(state: &mut AppState, sel: Summary, fx: &mut Vec<Effect>) {
    // the account that owns it (in All inboxes or a search, not the same for every row)
    let Some(account) = state.owner(&sel) else {
        return;
    };
    let fullscreen = state.reader.as_ref().is_some_and(|r| r.fullscreen);
    let scroll = 0;
    // the cursor stays with the message the reader shows when the list reloads around it
    state.list.anchor = Some(sel.id);
    state.list.pinned = true;
    state.reader = Some(ReaderView {
        id: sel.id,
        account,
        summary: sel.clone(),
        body: Body::Loading,
        scroll,
        fullscreen,
        conversation: None,
    });
    let (mark_seen, timer) = super::seen::on_open(state);
    fx.push(Effect::Send(account, Command::Open { id: sel.id, mark_seen }));
    let n = state.settings.prefetch;
    if n > 0 {
        let c = state.list.cursor;
        let around = (1..=n).map(|d| c + d).chain((1..=n.min(1)).filter_map(|d| c.checked_sub(d)));
        let ids: Vec<_> = around
            .filter_map(|p| state.list.window.get(p))
            .filter(|s| !s.cached && state.owner(s) == Some(account))
            .map(|s| s.id)
            .collect();
        fx.push(Effect::Send(account, Command::Prefetch(ids)));
    }
    fx.extend(timer);
}

/// The folder under the folder cursor, to keep it selected when the list changes.
pub fn cursor_folder(state: &AppState) -> Option<(AccountId, FolderId)> {
    let rows = state.folder_rows();
    rows.get(state.folder_cursor).and_then(|r| state.folder_at(*r)).map(|(a, f)| (a.id, f.id))
}

pub fn restore_folder_cursor(state: &mut AppState, keep: Option<(AccountId, FolderId)>) {
    let rows = state.folder_rows();
    let found = keep
        .and_then(|(a, f)| rows.iter().position(|r| state.folder_at(*r).is_some_and(|(x, y)| x.id == a && y.id == f)));
    // on a virtual folder, the cursor stays: those rows come first and do not change
    let on_virtual =
        (keep.is_none() && state.folder_cursor < state.virtual_rows().len()).then_some(state.folder_cursor);
    let found = found.or(on_virtual);
    state.folder_cursor = found.or_else(|| rows.iter().position(|r| matches!(r, FolderRow::Folder(..)))).unwrap_or(0);
}

/// Whether a folder pane row opens a list (the cursor goes only to those).
fn opens(r: &FolderRow) -> bool {
    matches!(r, FolderRow::Folder(..) | FolderRow::Virtual(_))
}

fn inside(r: Rect, col: u16, row: u16) -> bool {
    r.contains(Position { x: col, y: row })
}

/// Wheel scrolls the pane under the pointer; a click selects (and opens) a row.
pub fn mouse(state: &mut AppState, m: MouseEvent, fx: &mut Vec<Effect>) {
    let a = areas(state);
    let pane = if inside(a.reader, m.column, m.row) {
        Pane::Reader
    } else if inside(a.list, m.column, m.row) {
        Pane::List
    } else if inside(a.folders, m.column, m.row) {
        Pane::Folders
    } else {
        return;
    };
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let d = if m.kind == MouseEventKind::ScrollDown { 3 } else { -3 };
            let before = state.focus;
            state.focus = pane;
            step(state, d, fx);
            state.focus = before;
        }
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            let line = m.row.saturating_sub(1) as usize;
            match pane {
                Pane::Folders => {
                    let rows = state.folder_rows();
                    let idx = folder_scroll_top(state, a.folders.height) + line;
                    if rows.get(idx).is_some_and(opens) {
                        state.folder_cursor = idx;
                        open(state, fx);
                    }
                }
                Pane::List => {
                    let pos = state.list.top + line.saturating_sub(a.list.y as usize);
                    if pos < state.list.total {
                        state.list.cursor = pos;
                        pin(state);
                        keep_cursor_visible(state, fx);
                        open_message(state, fx);
                    }
                }
                Pane::Reader => {}
            }
        }
        _ => {}
    }
}

/// The first folder row shown, keeping the cursor on screen (shared with drawing).
pub fn folder_scroll_top(state: &AppState, height: u16) -> usize {
    let inner = height.saturating_sub(2).max(1) as usize;
    state.folder_cursor.saturating_sub(inner - 1)
}

/// List read `seq` came (`threaded` or flat): shown if it is of the open list, in its shape,
/// and not stale.
pub(super) fn loaded(
    state: &mut AppState,
    (seq, threaded, counting): (u64, bool, bool),
    query: ListQuery,
    total: usize,
    window: super::state::Window,
    fx: &mut Vec<Effect>,
) {
    // an answer for a list the user left, or overtaken by a later one, is dropped
    if query == state.list.query && seq >= state.list.fresh_from && threaded == state.list.threaded {
        state.list.fresh_from = seq;
        state.list.error = None;
        state.list.loaded = true;
        if !counting && state.list.counting.is_some_and(|c| seq >= c) {
            state.list.counting = None;
        }
        state.list.partial = counting;
        // the reader shows the message at the cursor: when that one left the list
        // (deleted, moved, here or elsewhere), the reader goes on to the next
        let reading_cursor = state.reader.as_ref().is_some_and(|r| Some(r.id) == state.list.anchor);
        let gone = state.reader.as_ref().is_some_and(|r| !window.rows.iter().any(|s| s.id == r.id));
        // one that left because the reader marked it read stays in the reader
        let read_here = state.reader.as_ref().is_some_and(|r| state.seen.marked == Some(r.id));
        state.list.total = total;
        state.list.window = window;
        // a conversation's row is its thread's: when the message the cursor had left it (a
        // delete in the conversation), the cursor goes with the thread, wherever it moved
        if state.list.threaded
            && let Some(c) = state.reader.as_ref().and_then(|r| r.conversation.as_ref())
            && state.list.anchor.is_none_or(|id| state.list.window.position(id).is_none())
            && let Some(i) = state.list.window.cells.iter().position(|cell| cell.thread == c.thread)
        {
            state.list.anchor = state.list.window.rows.get(i).map(|s| s.id);
        }
        super::threads::follow(state);
        // until the user puts it somewhere, the cursor stays on the first row
        if !state.list.pinned {
            state.list.anchor = None;
        }
        // the cursor stays with its message when others came or went around it
        if let Some(pos) = state.list.anchor.and_then(|id| state.list.window.position(id)) {
            state.list.cursor = pos;
        }
        if state.list.cursor >= total {
            state.list.cursor = total.saturating_sub(1);
        }
        if state.list.anchor.is_none() {
            state.list.anchor = state.list.selected().map(|s| s.id);
        }
        keep_cursor_visible(state, fx);
        if let Some(r) = &mut state.reader
            && let Some(s) = state.list.window.rows.iter().find(|s| s.id == r.id)
        {
            r.summary = s.clone();
        }
        // a conversation holds messages of other folders: it stays
        let conversation = state.reader.as_ref().is_some_and(|r| r.conversation.is_some());
        if reading_cursor && gone && !conversation && !read_here {
            state.list.anchor = state.list.selected().map(|s| s.id);
            if state.list.anchor.is_some() {
                open_message(state, fx);
            } else {
                state.reader = None;
                state.focus = Pane::List;
            }
        }
    }
}
