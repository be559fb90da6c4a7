//! `update`: applies one input or worker event to the state and returns the effects to run.
//! It is pure: no I/O, no awaiting; the event loop runs the effects.

use super::keymap::{Action, Context};
use super::navigate;
use super::state::{AppState, Body, Layer, Pane, Prompt};
use crate::account::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

pub use super::msg::{ActKind, Effect, Msg, Timer};

/// Applies `msg` to `state`; returns the effects to run, in order.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => key(state, k, &mut fx),
        Msg::Key(_) => {}
        Msg::Mouse(m) => {
            if matches!(m.kind, crossterm::event::MouseEventKind::Down(_)) {
                state.notice = None;
            }
            navigate::mouse(state, m, &mut fx)
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            navigate::keep_cursor_visible(state, &mut fx);
            super::render::rerender(state, &mut fx);
        }
        Msg::Worker(e) => super::events::worker(state, e, &mut fx),
        Msg::Rendered { id, width, rendered: r } => super::render::rendered(state, id, width, *r),
        Msg::ListLoaded { seq, query, total, start, rows, counting } => {
            let window = super::state::Window { start, rows, cells: Vec::new() };
            navigate::loaded(state, (seq, false, counting), query, total, window, &mut fx)
        }
        Msg::ThreadsLoaded { seq, query, total, start, rows, cells, counting } => {
            let window = super::state::Window { start, rows, cells };
            navigate::loaded(state, (seq, true, counting), query, total, window, &mut fx)
        }
        Msg::Conversation { thread, entries } => super::conversation::loaded(state, thread, entries, &mut fx),
        Msg::Saved(Ok(paths)) => {
            let names: Vec<_> = paths.iter().map(|p| crate::sanitize::line(&p.display().to_string())).collect();
            state.status = Some(format!("saved {}", names.join(", ")));
        }
        Msg::Saved(Err(e)) => state.notify(format!("could not save: {e}")),
        Msg::ListFailed { seq, query, error } => {
            if query == state.list.query && seq >= state.list.fresh_from {
                state.list.fresh_from = seq;
                state.list.loaded = true;
                state.list.counting = None;
                state.list.partial = false;
                // the rows of the text before are gone: none to move over
                if state.list.window.rows.is_empty() {
                    (state.list.total, state.list.cursor, state.list.top) = (0, 0, 0);
                }
                state.notify(error.clone());
                state.list.error = Some(error);
            }
        }
        Msg::Failed(text) => state.notify(text),
        Msg::ViewCounts(counts) => {
            for (i, n) in counts {
                if let Some(v) = state.views.get_mut(i) {
                    v.unread = n;
                }
            }
        }
        Msg::Resolved { kind, ids } => {
            state.last_acted = ids.iter().map(|(a, _)| *a).collect();
            for (account, ids) in ids.into_iter().filter(|(_, ids)| !ids.is_empty()) {
                fx.push(Effect::Send(account, Command::Act(kind.with_ids(ids))));
            }
        }
        // for a list the user left
        Msg::Selected { query, .. } if query != state.list.query => {}
        Msg::Selected { ids, unselect: true, .. } => {
            state.selection.all = false;
            for id in ids {
                state.selection.ids.remove(&id);
            }
            state.status = Some(format!("{} selected", state.selection.ids.len()));
        }
        Msg::Selected { ids, .. } => {
            state.selection.all = false;
            state.selection.ids.extend(ids);
            state.status = Some(format!("{} selected", state.selection.ids.len()));
        }
        Msg::Composing { account, draft, resumed, outgoing } => {
            super::compose::begin(state, account, *draft, resumed, outgoing)
        }
        Msg::Start(effect) => fx.push(*effect),
        Msg::Edited(result) => super::compose::edited(state, result, &mut fx),
        Msg::Attached(result) => super::compose::attached(state, result),
        Msg::ComposeDone(result) => super::compose::finished(state, result, &mut fx),
        Msg::Tick => super::autosave::save_now(state, &mut fx),
        Msg::Timer(Timer::MarkSeen(n)) => super::seen::due(state, n, &mut fx),
        Msg::AutosavesFound { kept, next } => super::autosave::found(state, kept, next),
        Msg::PathCompleted(input) => {
            if let Some(Prompt::Text { input: i, .. }) = state.prompt_mut() {
                *i = input;
            }
        }
        Msg::AddressCompleted(prefix, found) => super::compose::address_completed(state, prefix, found),
        Msg::Reading(answer) => super::reader::answer(state, answer, &mut fx),
        Msg::Interrupt if state.compose().is_some() => state.ask(Prompt::DiscardDraft),
        // a second Ctrl-C does not ask again
        Msg::Interrupt if state.prompt() != Some(&Prompt::Quit) => quit_or_ask(state, &mut fx),
        Msg::Interrupt | Msg::Quit => quit(state, &mut fx),
    }
    // a folder pane too narrow to show does not keep the focus
    if state.focus == Pane::Folders && !super::layout::folders_shown(state) {
        state.focus = Pane::List;
    }
    fx
}

fn key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    // the user acts: what was said has been seen (the log keeps the notices)
    state.status = None;
    state.notice = None;
    // the top layer gets the key
    let Some(top) = state.layers.last() else { return main_key(state, k, fx) };
    match top {
        Layer::Help { .. } | Layer::Messages { .. } => scroll_key(state, k),
        Layer::Picker(_) => super::act::picker_key(state, k, fx),
        Layer::Prompt(_) => prompt_key(state, k, fx),
        Layer::Outbox { .. } => super::compose::outbox_key(state, k, fx),
        Layer::Compose(c) if c.writing.is_some() => super::compose::writing_key(state, k, fx),
        Layer::Compose(_) => super::compose::review_key(state, k, fx),
        Layer::Filter => filter_key(state, k, fx),
        Layer::Links(_) => super::reader::links_key(state, k, fx),
    }
}

/// Leaves, what is being written kept first.
fn quit(state: &mut AppState, fx: &mut Vec<Effect>) {
    super::autosave::save_now(state, fx);
    state.quit = true;
}

/// Quits, but asks first when mail is not sent or changes are not on the server yet.
fn quit_or_ask(state: &mut AppState, fx: &mut Vec<Effect>) {
    if super::feedback::quit_question(state).is_some() {
        state.ask(Prompt::Quit);
    } else {
        quit(state, fx);
    }
}

/// A key while a question is asked: the prompt is taken off, and put back by its handler
/// if it stays.
fn prompt_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Layer::Prompt(p)) = state.layers.pop() else { return };
    match p {
        Prompt::SaveAttachment => save_choice(state, k, fx),
        Prompt::OpenAttachment => super::reader::attachment_choice(state, k, fx),
        p @ (Prompt::RemoveAttachment(_) | Prompt::DiscardDraft) => super::compose::prompt_key(state, p, k, fx),
        Prompt::ResumeAutosave => super::autosave::offer_key(state, k, fx),
        Prompt::Quit if state.keymap.action(Context::Prompt, &k) == Some(Action::Yes) => quit(state, fx),
        Prompt::Quit => state.status = Some("still here".into()),
        p => super::act::prompt_key(state, p, k, fx),
    }
}

/// The help and the message log: the movement keys scroll, any other key closes.
fn scroll_key(state: &mut AppState, k: KeyEvent) {
    let page = state.size.1.saturating_sub(4).max(1) as i64;
    let delta = match state.keymap.action(Context::Main, &k) {
        Some(Action::Down) => 1,
        Some(Action::Up) => -1,
        Some(Action::HalfDown) => page / 2,
        Some(Action::HalfUp) => -page / 2,
        Some(Action::PageDown) => page,
        Some(Action::PageUp) => -page,
        Some(Action::Top) => i64::MIN / 2,
        Some(Action::Bottom) => i64::MAX / 2,
        _ => {
            state.layers.pop();
            return;
        }
    };
    // the help scrolls by lines, the log (newest first) by whole messages
    let max = match state.layers.last() {
        Some(Layer::Help { .. }) => {
            super::keymap::help_lines(&state.keymap).len().saturating_sub(super::layout::overlay_rows(state))
        }
        _ => state.log.len().saturating_sub(1),
    };
    if let Some(Layer::Help { scroll } | Layer::Messages { scroll }) = state.layers.last_mut() {
        *scroll = (*scroll as i64 + delta).clamp(0, max as i64) as usize;
    }
}

/// A key on the panes.
fn main_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    // the reader's own keys come first while it has the focus (Space pages there)
    let in_reader = state.focus == Pane::Reader && state.reader.is_some();
    let reader = in_reader.then(|| state.keymap.action(Context::Reader, &k)).flatten();
    let Some(action) = reader.or_else(|| state.keymap.action(Context::Main, &k)) else {
        return;
    };
    if super::act::key(state, action, fx)
        || super::compose::start_key(state, action, fx)
        || super::reader::key(state, action, fx)
    {
        return;
    }
    let page = state.list_height();
    match action {
        Action::Down => navigate::step(state, 1, fx),
        Action::Up => navigate::step(state, -1, fx),
        Action::Top => navigate::step(state, i64::MIN / 2, fx),
        Action::Bottom => navigate::step(state, i64::MAX / 2, fx),
        Action::HalfDown => navigate::step(state, (page / 2).max(1) as i64, fx),
        Action::HalfUp => navigate::step(state, -((page / 2).max(1) as i64), fx),
        Action::PageDown => navigate::step(state, page as i64, fx),
        Action::PageUp => navigate::step(state, -(page as i64), fx),
        Action::Open => navigate::open(state, fx),
        Action::Back => back(state, false, fx),
        Action::Quit => back(state, true, fx),
        Action::NextPane => {
            let folders = super::layout::folders_shown(state);
            state.focus = match state.focus {
                Pane::Folders => Pane::List,
                Pane::List if state.reader.is_some() => Pane::Reader,
                Pane::List | Pane::Reader if folders => Pane::Folders,
                Pane::List | Pane::Reader => Pane::List,
            };
            if state.focus == Pane::Folders
                && let Some(r) = &mut state.reader
            {
                r.fullscreen = false;
            }
        }
        Action::Filter if state.list_open() => {
            // what is there already is refined: the next word starts after a space
            let mut text = state.list.query.filter.clone().unwrap_or_default();
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
            state.list.typing = Some(text);
            state.focus = Pane::List;
            state.layers.push(Layer::Filter);
        }
        Action::Search => {
            let input = match &state.open_virtual {
                Some(super::views::Virtual::Search(q)) => q.clone(),
                _ => String::new(),
            };
            let label = "Search every folder:".into();
            state.ask(Prompt::Text { label, input, purpose: super::state::TextPurpose::Search });
        }
        Action::SaveSearch => match &state.open_virtual {
            Some(super::views::Virtual::Search(q)) => {
                let label = format!("Keep the search {q:?} as:");
                state.ask(Prompt::Text { label, input: q.clone(), purpose: super::state::TextPurpose::SaveSearch });
            }
            _ => state.status = Some(format!("search first ({})", state.keymap.key_of(Action::Search))),
        },
        Action::Sync => {
            let first = state.current.map(|c| c.1);
            for a in &state.accounts {
                let first = state.current.filter(|c| c.0 == a.id).and(first);
                fx.push(Effect::Send(a.id, Command::Sync { first }));
            }
            state.status = Some("syncing…".into());
        }
        Action::Save => save(state, fx),
        Action::FetchWhole => fetch_whole(state, fx),
        Action::Outbox => {
            if state.outbox_items().is_empty() {
                state.status = Some("the Outbox is empty".into());
            } else {
                state.layers.push(Layer::Outbox { cursor: 0 });
            }
        }
        Action::Threads => super::threads::toggle(state, fx),
        Action::ToggleThread => super::threads::toggle_thread(state, fx),
        Action::ToggleAllThreads => super::threads::toggle_all(state, fx),
        Action::Help => state.layers.push(Layer::Help { scroll: 0 }),
        Action::Messages => state.layers.push(Layer::Messages { scroll: 0 }),
        Action::Account(i) if usize::from(i) < state.accounts.len() => {
            navigate::open_account(state, usize::from(i), fx)
        }
        Action::NextAccount if !state.accounts.is_empty() => {
            let cur = state.current.and_then(|c| state.account_index(c.0)).unwrap_or(0);
            navigate::open_account(state, (cur + 1) % state.accounts.len(), fx);
        }
        // the mailbox actions were handled by act::key above; the rest has nothing to act on
        _ => {}
    }
}

/// `D`: the whole of a message of which only the header was downloaded (POP3).
fn fetch_whole(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some((account, s)) = state.message_in_hand().map(|(a, s)| (a, s.clone())) else { return };
    if !s.partial {
        state.status = Some("this message is already here whole".into());
        return;
    }
    fx.push(Effect::Send(account, Command::FetchFull(s.id)));
    state.status = Some(format!("downloading the whole message ({})…", crate::format::size(u64::from(s.size))));
}

/// Esc/q: leave full screen, close the reader, go back to the folders; `q` there quits
/// (from the list when the folder pane is too narrow to show).
fn back(state: &mut AppState, quit: bool, fx: &mut Vec<Effect>) {
    if !state.selection.is_empty() {
        state.selection = Default::default();
        return;
    }
    if let Some(r) = &mut state.reader {
        if r.fullscreen {
            r.fullscreen = false;
        } else {
            state.reader = None;
        }
        state.focus = Pane::List;
        // the list has more room now: the rows it shows are read if it has none there
        navigate::keep_cursor_visible(state, fx);
    } else if quit {
        // as in mutt: q leaves the reader, and from the list or the folders quits
        quit_or_ask(state, fx);
    } else if state.focus != Pane::Folders && super::layout::folders_shown(state) {
        state.focus = Pane::Folders;
    }
}

/// A key while the filter is typed: Submit keeps it, Cancel clears it, the rest is text.
fn filter_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let action = state.keymap.action(Context::Prompt, &k);
    let Some(text) = state.list.typing.as_mut() else {
        state.close(|l| matches!(l, Layer::Filter));
        return;
    };
    match (action, k.code) {
        (Some(Action::Submit), _) => {
            state.list.typing = None;
            state.close(|l| matches!(l, Layer::Filter));
            match &state.list.error {
                // the Enter that closed the prompt cleared the query's error from the status line
                Some(e) => state.show_notice(e.clone()),
                None => stored_bodies_note(state),
            }
            return;
        }
        (Some(Action::Cancel), _) => {
            state.list.typing = None;
            state.close(|l| matches!(l, Layer::Filter));
            text_changed(state, String::new(), fx);
            return;
        }
        _ if super::line::edit(text, &k) => {}
        _ => return,
    }
    let t = text.clone();
    text_changed(state, t, fx);
}

/// After a filter that looks in bodies, in an account whose bodies are not all here: says
/// that only the stored ones were searched, and which key asks the server.
fn stored_bodies_note(state: &mut AppState) {
    let Some(filter) = &state.list.query.filter else { return };
    let Some((account, _)) = state.current else { return };
    if !state.accounts.iter().any(|a| a.id == account && a.bodies_on_server) {
        return;
    }
    // (whether it looks in bodies does not depend on the day)
    let now = chrono::DateTime::UNIX_EPOCH.fixed_offset();
    if crate::query::parse(filter, &now).is_ok_and(|q| q.searches_bodies()) {
        let key = state.keymap.key_of(Action::Search);
        state.status = Some(format!("stored bodies only ({key} asks the server)"));
    }
}

fn text_changed(state: &mut AppState, text: String, fx: &mut Vec<Effect>) {
    // in a search, `/` changes the search itself
    if let Some(super::views::Virtual::Search(q)) = &mut state.open_virtual {
        q.clone_from(&text);
        // what the servers found was for the text before
        state.server_search = None;
        state.list.query.found.clear();
    }
    state.list.query.filter = if text.is_empty() { None } else { Some(text) };
    state.list.cursor = 0;
    state.list.anchor = None;
    state.list.pinned = false;
    state.list.top = 0;
    state.list.window = Default::default();
    // what was asked for the text before is stale, even should the text come back to it
    state.list.fresh_from = state.requests + 1;
    state.list.loaded = false;
    navigate::load(state, fx);
}

fn save(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(r) = &state.reader else {
        state.status = Some("open a message to save its attachments".into());
        return;
    };
    let Body::Ready { raw, rendered } = &r.body else {
        return;
    };
    match rendered.attachments.len() {
        0 => state.status = Some("this message has no attachments".into()),
        1 => fx.push(Effect::SaveAttachments {
            raw: raw.clone(),
            indexes: vec![0],
            dir: state.settings.attachment_dir.clone(),
        }),
        n => {
            state.ask(Prompt::SaveAttachment);
            state.status = Some(format!(
                "save which attachment? 1-{}, {} = all, any other key cancels",
                n.min(9),
                state.keymap.key_of(Action::SaveAll)
            ));
        }
    }
}

fn save_choice(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    state.status = None;
    let Some(Body::Ready { raw, rendered }) = state.reader.as_ref().map(|r| &r.body) else {
        return;
    };
    let n = rendered.attachments.len();
    // a digit picks one: the number the question shows
    let indexes = match (state.keymap.action(Context::Prompt, &k), k.code) {
        (Some(Action::SaveAll), _) => (0..n).collect(),
        (_, KeyCode::Char(c @ '1'..='9')) if (c as usize - '1' as usize) < n => {
            vec![c as usize - '1' as usize]
        }
        _ => return,
    };
    fx.push(Effect::SaveAttachments { raw: raw.clone(), indexes, dir: state.settings.attachment_dir.clone() });
}
