//! The threaded list: threaded or flat per list (remembered, in the data dir), threads
//! opened and closed one at a time or all at once.

use super::state::AppState;
use super::update::Effect;
use crate::store::ListQuery;

/// The name a list is remembered by: its folder, its role, or its search.
pub fn key(q: &ListQuery) -> String {
    match (q.folder, q.role, &q.filter) {
        (Some(f), ..) => format!("folder:{f}"),
        (None, Some(r), _) => format!("role:{}", r.as_str()),
        (None, None, Some(text)) => format!("search:{text}"),
        (None, None, None) => "all".into(),
    }
}

/// The list is read again from the top after its shape changed: what was asked for before
/// is stale.
fn reshaped(state: &mut AppState, fx: &mut Vec<Effect>) {
    state.list.fresh_from = state.requests + 1;
    super::navigate::load(state, fx);
}

/// Threaded to flat and back, for this list from now on (kept for the next start too).
pub fn toggle(state: &mut AppState, fx: &mut Vec<Effect>) {
    if !state.list_open() {
        return;
    }
    let l = &mut state.list;
    l.threaded = !l.threaded;
    state.threaded_in.insert(l.key.clone(), l.threaded);
    // the message under the cursor stays under it when it is a row of the new shape
    l.anchor_thread = if l.threaded { l.window.cell(l.cursor).map(|c| c.thread) } else { None };
    l.cursor = 0;
    l.top = 0;
    l.open.clear();
    l.all_open = false;
    l.window = Default::default();
    l.loaded = false;
    state.selection = Default::default();
    state.status = Some(if state.list.threaded { "threaded" } else { "flat" }.into());
    reshaped(state, fx);
    fx.push(Effect::SaveThreaded(state.threaded_in.clone()));
}

/// A threaded list's shape for a read of its rows: the open threads, and whether all but
/// those are open; None for a flat list.
pub fn shape(state: &AppState) -> Option<(Vec<crate::model::ThreadId>, bool)> {
    let l = &state.list;
    l.threaded.then(|| (l.open.iter().copied().collect(), l.all_open))
}

/// Says that a key for threads needs a threaded list.
fn flat(state: &mut AppState) {
    state.status =
        Some(format!("the list is flat: {} threads it", state.keymap.key_of(super::keymap::Action::Threads)));
}

/// Opens the closed thread under the cursor, or closes the open one.
pub fn toggle_thread(state: &mut AppState, fx: &mut Vec<Effect>) {
    let l = &mut state.list;
    if !l.threaded {
        return flat(state);
    }
    let Some(t) = l.window.cell(l.cursor).map(|c| c.thread) else { return };
    if !l.open.remove(&t) {
        l.open.insert(t);
    }
    l.anchor_thread = Some(t);
    reshaped(state, fx);
}

/// Opens every thread, or closes every one.
pub fn toggle_all(state: &mut AppState, fx: &mut Vec<Effect>) {
    let l = &mut state.list;
    if !l.threaded {
        return flat(state);
    }
    l.all_open = !l.all_open;
    l.open.clear();
    l.anchor_thread = l.window.cell(l.cursor).map(|c| c.thread);
    reshaped(state, fx);
}

/// A threaded window came: the cursor goes to the thread it was asked to follow (the first
/// row of it).
pub fn follow(state: &mut AppState) {
    let l = &mut state.list;
    let Some(t) = l.anchor_thread else { return };
    if let Some(i) = l.window.cells.iter().position(|c| c.thread == t) {
        l.cursor = l.window.start + i;
        l.anchor = l.window.rows.get(i).map(|s| s.id);
        l.anchor_thread = None;
    }
}
