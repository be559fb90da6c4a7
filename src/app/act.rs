//! Keys that change the mailbox: flags, delete, undo, move and copy with the folder picker,
//! selections, and folder management. They become effects; the worker does the rest.

use super::keymap::{Action, Context};
use super::state::{AppState, FolderRow, Layer, Pane, PickFor, Picker, Prompt, Selection, Targets, TextPurpose};
use super::update::{ActKind, Effect};
use crate::account::{self, Command};
use crate::model::{AccountId, Flags, Folder, SpecialUse};
use crossterm::event::KeyEvent;

/// What the next message action applies to: the selection, else the message under the
/// cursor (the open one when reading).
/// In a list over several accounts (All inboxes, a search) the account is the owner of
/// the one message, or none for several (`Targets::Mixed`, `Targets::Query`: each goes to
/// its own account's worker).
fn targets(state: &AppState) -> Option<(AccountId, Targets)> {
    if !state.list_open() {
        return None;
    }
    let current = state.current.map(|c| c.0);
    let s = &state.selection;
    if s.all {
        return Some((current.unwrap_or(AccountId(0)), Targets::Query(state.list.query.clone())));
    }
    if !s.ids.is_empty() {
        let ids: Vec<_> = s.ids.iter().copied().collect();
        return Some(match current {
            Some(a) => (a, Targets::Ids(ids)),
            None => (AccountId(0), Targets::Mixed(ids)),
        });
    }
    let (account, id) = match (&state.reader, state.focus) {
        (Some(r), Pane::Reader) => (r.account, r.id),
        // a closed thread: every message of it that the list has
        (_, Pane::List | Pane::Folders) if let Some((thread, t)) = state.list.closed_thread() => {
            let account = state.owner(state.list.selected()?)?;
            let (query, count) = (state.list.query.clone(), t.count as usize);
            return Some((account, Targets::Thread { thread, query, count }));
        }
        _ => {
            let row = state.list.selected()?;
            (state.owner(row)?, row.id)
        }
    };
    Some((account, Targets::Ids(vec![id])))
}

/// The messages an action goes to, in words: "3 messages", or for a whole threaded list
/// (whose rows are threads, not messages) "every message in the list".
fn described(state: &AppState, t: &Targets) -> String {
    match t {
        Targets::Ids(v) | Targets::Mixed(v) => super::feedback::messages(v.len()),
        Targets::Query(_) if state.list.threaded => "every message in the list".into(),
        Targets::Query(_) => super::feedback::messages(state.list.total),
        Targets::Thread { count, .. } => super::feedback::messages(*count),
    }
}

/// The accounts an action on `t` goes to, as far as the state knows them.
fn acted_on(state: &AppState, account: AccountId, t: &Targets) -> Vec<AccountId> {
    match t {
        Targets::Ids(_) | Targets::Thread { .. } => vec![account],
        Targets::Query(_) | Targets::Mixed(_) if state.current.is_some() => vec![account],
        // the store says which, once it has resolved them (`Msg::Resolved`)
        Targets::Query(_) | Targets::Mixed(_) => Vec::new(),
    }
}

/// Whether every target on screen is in a Trash folder (deleting there is for good).
fn in_trash(state: &AppState, t: &Targets) -> bool {
    let trash = |folder| state.folder_by_id(folder).is_some_and(|(_, f)| f.special_use == Some(SpecialUse::Trash));
    match (current_folder(state), t) {
        (Some(f), _) => f.special_use == Some(SpecialUse::Trash),
        (None, Targets::Ids(ids) | Targets::Mixed(ids)) => {
            let rows: Vec<_> = state.list.window.rows.iter().filter(|s| ids.contains(&s.id)).collect();
            let reading = state.reader.as_ref().filter(|r| ids.contains(&r.id)).map(|r| r.summary.folder);
            (!rows.is_empty() || reading.is_some()) && rows.iter().all(|s| trash(s.folder)) && reading.is_none_or(trash)
        }
        (None, Targets::Query(_) | Targets::Thread { .. }) => false,
    }
}

/// The folder pane's folder under the cursor.
fn folder_under_cursor(state: &AppState) -> Option<(AccountId, Folder)> {
    let rows = state.folder_rows();
    let (a, f) = state.folder_at(*rows.get(state.folder_cursor)?)?;
    Some((a.id, f.clone()))
}

fn current_folder(state: &AppState) -> Option<&Folder> {
    let (a, f) = state.current?;
    state.accounts.iter().find(|x| x.id == a)?.folders.iter().find(|x| x.id == f)
}

fn act(state: &mut AppState, fx: &mut Vec<Effect>, account: AccountId, targets: Targets, kind: ActKind) {
    // should the message under the cursor come back (the server refused), the cursor goes
    // back to it
    if let Targets::Ids(ids) = &targets
        && let Some(s) = state.list.selected().filter(|s| ids.contains(&s.id))
    {
        state.list.anchor = Some(s.id);
        state.list.pinned = true;
    }
    // the user acted: a message that leaves the list now is followed by the next one
    state.seen.marked = None;
    state.last_acted = acted_on(state, account, &targets);
    state.status = Some(super::feedback::after(state, account, &described(state, &targets), kind));
    // what comes into the folder next is these messages, not new mail
    if let ActKind::Move { to } | ActKind::Copy { to } = kind {
        state.moving_into.push(to);
    }
    fx.push(Effect::Act { account, targets, kind });
    state.selection = Selection::default();
}

/// Handles a mailbox action key; false when `action` is not one of them.
pub fn key(state: &mut AppState, action: Action, fx: &mut Vec<Effect>) -> bool {
    let in_folders = state.focus == Pane::Folders;
    match action {
        Action::ToggleRead | Action::ToggleFlag => {
            let Some((account, t)) = targets(state) else { return true };
            let bit = if action == Action::ToggleRead { Flags::SEEN } else { Flags::FLAGGED };
            // the message under the cursor decides which way the whole selection goes; a
            // closed thread is read when none of it is unread, flagged when any of it is
            let on = match (state.list.closed_thread(), &t) {
                (Some((_, n)), Targets::Thread { .. }) if bit == Flags::SEEN => n.unread == 0,
                (Some((_, n)), Targets::Thread { .. }) => n.flagged > 0,
                _ => state.list.selected().map(|s| s.flags.has(bit)).unwrap_or(false),
            };
            let (add, remove) = if on { (Flags(0), Flags(bit)) } else { (Flags(bit), Flags(0)) };
            act(state, fx, account, t, ActKind::Flags { add, remove });
        }
        Action::Delete if in_folders => delete_folder(state, fx),
        Action::Delete => {
            let Some((account, t)) = targets(state) else { return true };
            let in_trash = in_trash(state, &t);
            // in a list over several accounts: any of them that deletes for good asks
            let mixed = matches!(t, Targets::Mixed(_) | Targets::Query(_)) && state.current.is_none();
            let expunges = state.accounts.iter().any(|a| (a.id == account || mixed) && a.delete_expunges);
            if in_trash || expunges {
                let what = described(state, &t);
                let question = format!("Delete {what} for good? ({}/n)", state.keymap.key_of(Action::Yes));
                let kind = ActKind::Delete { expunge: true };
                let done = Some(super::feedback::after(state, account, &what, kind));
                state.last_acted = acted_on(state, account, &t);
                let then = Box::new(Effect::Act { account, targets: t, kind });
                state.ask(Prompt::Confirm { question, then, done });
            } else {
                act(state, fx, account, t, ActKind::Delete { expunge: false });
            }
        }
        Action::Undo => {
            let accounts = match state.current {
                Some((account, _)) => vec![account],
                None => state.last_acted.clone(),
            };
            for account in accounts {
                fx.push(Effect::Send(account, Command::Act(account::Action::Undo)));
            }
        }
        Action::Move | Action::Copy => {
            let Some((account, targets)) = targets(state) else { return true };
            // the folders to choose from are one account's: the messages must all be its
            let (account, targets) = match targets {
                Targets::Mixed(ids) => match state.one_owner(&ids) {
                    Ok(a) => (a, Targets::Ids(ids)),
                    Err(why) => {
                        state.notify(why);
                        return true;
                    }
                },
                Targets::Query(_) if state.current.is_none() => {
                    state.notify("select the messages to move or copy: this list has more than one account's");
                    return true;
                }
                t => (account, t),
            };
            let purpose = if action == Action::Move { PickFor::Move } else { PickFor::Copy };
            state.layers.push(Layer::Picker(Picker { purpose, account, input: String::new(), cursor: 0, targets }));
        }
        // a closed thread: all of its messages the list has
        Action::Select if state.list.closed_thread().is_some() => {
            let unselect = state.list.selected().is_some_and(|s| state.selection.ids.contains(&s.id));
            let (query, from, threads) = (state.list.query.clone(), state.list.cursor, super::threads::shape(state));
            fx.push(Effect::SelectRange { query, from, len: 1, threads, unselect });
            super::navigate::step(state, 1, fx);
        }
        Action::Select => {
            if let Some(id) = state.list.selected().map(|s| s.id) {
                state.selection.all = false;
                if !state.selection.ids.remove(&id) {
                    state.selection.ids.insert(id);
                }
                super::navigate::step(state, 1, fx);
            }
        }
        Action::SelectRange => match state.selection.anchor.take() {
            None => {
                state.selection.anchor = Some(state.list.cursor);
                state.status = Some("range starts here: move, then press v again".into());
            }
            Some(from) => {
                let (a, b) = (from.min(state.list.cursor), from.max(state.list.cursor));
                let (query, threads) = (state.list.query.clone(), super::threads::shape(state));
                fx.push(Effect::SelectRange { query, from: a, len: b - a + 1, threads, unselect: false });
            }
        },
        Action::SelectAll => {
            state.selection = Selection { all: true, ..Default::default() };
            state.status = Some(match state.list.threaded {
                // its rows are threads: each holds one message or more
                true => format!("the whole list selected ({})", super::feedback::plural(state.list.total, "row")),
                false => format!("all {} selected", super::feedback::plural(state.list.total, "message")),
            });
        }
        Action::MarkFolderRead => mark_folder_read(state, in_folders),
        Action::NewFolder if in_folders => {
            let account = match state.folder_rows().get(state.folder_cursor) {
                Some(FolderRow::Folder(ai, _) | FolderRow::Account(ai) | FolderRow::Container { account: ai, .. }) => {
                    state.accounts.get(*ai).map(|a| a.id)
                }
                Some(FolderRow::Virtual(_)) | None => None,
            };
            if let Some(account) = account {
                let label = "New folder (use / to nest):".into();
                state.ask(Prompt::Text { label, input: String::new(), purpose: TextPurpose::NewFolder(account) });
            }
        }
        Action::RenameFolder if in_folders => {
            if let Some((account, f)) = folder_under_cursor(state) {
                state.ask(Prompt::Text {
                    label: format!("Rename {} to:", f.display),
                    input: f.display.clone(),
                    purpose: TextPurpose::RenameFolder(account, f.id),
                });
            }
        }
        Action::Subscribe if in_folders => {
            if let Some((account, f)) = folder_under_cursor(state) {
                let on = !f.subscribed;
                fx.push(Effect::Send(account, Command::Act(account::Action::Subscribe { folder: f.id, on })));
                state.status =
                    Some(format!("{} {}", if on { "subscribing to" } else { "unsubscribing from" }, f.display));
            }
        }
        Action::NewFolder | Action::RenameFolder | Action::Subscribe => {
            state.status = Some(if super::layout::folders_shown(state) {
                format!("that works in the folder pane ({})", state.keymap.key_of(Action::NextPane))
            } else {
                "that works in the folder pane, which needs a terminal 60 columns wide".into()
            });
        }
        _ => return false,
    }
    true
}

/// `M`: the whole folder read, or with a filter on only what it shows; asks first, and
/// `u` takes it back.
fn mark_folder_read(state: &mut AppState, in_folders: bool) {
    let yes = state.keymap.key_of(Action::Yes);
    let filtered = !in_folders && (state.list.query.filter.is_some() || state.open_virtual.is_some());
    if filtered && state.list_open() {
        let account = state.current.map_or(AccountId(0), |c| c.0);
        let n = state.list.total;
        if n == 0 {
            state.status = Some("the filter shows no messages".into());
            return;
        }
        let (what, rest) = match &state.open_virtual {
            Some(v) if state.list.query.filter.is_none() || matches!(v, super::views::Virtual::Search(_)) => {
                (format!("in {}", state.virtual_name(v)), "")
            }
            _ => ("the filter shows".to_string(), " (not the rest of the folder)"),
        };
        let question = format!("Mark the {} {what} read{rest}? ({yes}/n)", super::feedback::plural(n, "message"));
        let done = Some(super::feedback::marked_read(state, n, &what));
        let then = Box::new(Effect::Act {
            account,
            targets: Targets::Query(state.list.query.clone()),
            kind: ActKind::MarkRead,
        });
        state.ask(Prompt::Confirm { question, then, done });
        return;
    }
    let folder = if in_folders {
        folder_under_cursor(state)
    } else {
        current_folder(state).map(|f| (state.current.map_or(AccountId(0), |c| c.0), f.clone()))
    };
    let Some((account, f)) = folder else { return };
    let name = crate::sanitize::line(&f.display);
    if f.unread == 0 {
        state.status = Some(format!("{name} has no unread messages"));
        return;
    }
    let n = f.unread as usize;
    let question = format!("Mark all {} in {name} read? ({yes}/n)", super::feedback::plural(n, "unread message"));
    let done = Some(super::feedback::marked_read(state, n, &format!("in {name}")));
    let then = Box::new(Effect::Send(account, Command::Act(account::Action::MarkFolderRead { folder: f.id })));
    state.ask(Prompt::Confirm { question, then, done });
}

fn delete_folder(state: &mut AppState, _fx: &mut [Effect]) {
    let Some((account, f)) = folder_under_cursor(state) else { return };
    if f.name.eq_ignore_ascii_case("INBOX") {
        state.notify("INBOX cannot be deleted");
        return;
    }
    // what poste keeps mail in by itself is not asked about only to be refused after
    use crate::model::SpecialUse::{Drafts, Sent, Trash};
    if matches!(f.special_use, Some(Sent | Drafts | Trash)) {
        state.notify(format!("{} is one of the account's own folders and stays as it is", f.display));
        return;
    }
    let yes = state.keymap.key_of(Action::Yes);
    let question = match f.total {
        0 => format!("Delete the empty folder {}? ({yes}/n)", f.display),
        n => format!(
            "Delete the folder {} and its {}? ({yes}/n)",
            f.display,
            super::feedback::plural(n as usize, "message")
        ),
    };
    let then = Box::new(Effect::Send(account, Command::Act(account::Action::DeleteFolder { folder: f.id })));
    state.ask(Prompt::Confirm { question, then, done: None });
}

/// A key while a confirm or text prompt is open (taken off the stack; put back if it stays).
pub fn prompt_key(state: &mut AppState, p: Prompt, k: KeyEvent, fx: &mut Vec<Effect>) {
    let action = state.keymap.action(Context::Prompt, &k);
    match p {
        Prompt::SaveAttachment
        | Prompt::RemoveAttachment(_)
        | Prompt::DiscardDraft
        | Prompt::ResumeAutosave
        | Prompt::Quit
        | Prompt::OpenAttachment => {}
        Prompt::Confirm { then, done, .. } => {
            if action == Some(Action::Yes) {
                fx.push(*then);
                state.status = done;
                state.selection = Selection::default();
            } else {
                state.status = Some("cancelled".into());
            }
        }
        Prompt::Text { input, purpose: TextPurpose::AttachPath, .. } if action == Some(Action::Submit) => {
            fx.push(Effect::AttachFile(crate::paths::expand_home(&crate::paths::typed_over(input.trim()))));
        }
        Prompt::Text { input, purpose: TextPurpose::Pipe, .. } if action == Some(Action::Submit) => {
            super::reader::pipe(state, &input)
        }
        Prompt::Text { label, input, purpose: TextPurpose::AttachPath } if action == Some(Action::CompletePath) => {
            fx.push(Effect::CompletePath(input.clone()));
            state.ask(Prompt::Text { label, input, purpose: TextPurpose::AttachPath });
        }
        Prompt::Text { label, mut input, purpose } => match (action, k.code) {
            (Some(Action::Cancel), _) => state.status = Some("cancelled".into()),
            (Some(Action::Submit), _) if !input.trim().is_empty() => {
                let name = input.trim().to_string();
                let (account, action) = match purpose {
                    TextPurpose::NewFolder(a) => (a, account::Action::CreateFolder { name }),
                    TextPurpose::RenameFolder(a, folder) => (a, account::Action::RenameFolder { folder, to: name }),
                    TextPurpose::Search => return super::views::open(state, super::views::Virtual::Search(name), fx),
                    TextPurpose::SaveSearch => return super::views::save(state, name, fx),
                    TextPurpose::AttachPath | TextPurpose::Pipe => return,
                };
                fx.push(Effect::Send(account, Command::Act(action)));
            }
            _ => {
                super::line::edit(&mut input, &k);
                state.ask(Prompt::Text { label, input, purpose });
            }
        },
    }
}

/// The folders a picker offers, best match first.
pub fn picker_choices<'a>(state: &'a AppState, p: &Picker) -> Vec<&'a Folder> {
    let Some(a) = state.accounts.iter().find(|a| a.id == p.account) else { return Vec::new() };
    let current = state.current.map(|c| c.1).or(state.list.selected().map(|s| s.folder));
    let mut scored: Vec<(i64, usize, &Folder)> = a
        .folders
        .iter()
        .enumerate()
        .filter(|(_, f)| Some(f.id) != current && !f.noselect)
        .filter_map(|(i, f)| fuzzy(&p.input, &f.display).map(|s| (s, i, f)))
        .collect();
    scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    scored.into_iter().map(|(_, _, f)| f).collect()
}

/// Case-insensitive subsequence match; consecutive letters and word starts score higher.
pub fn fuzzy(query: &str, candidate: &str) -> Option<i64> {
    let q: Vec<char> = query.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if q.is_empty() {
        return Some(0);
    }
    let c: Vec<char> = candidate.to_lowercase().chars().collect();
    let mut score = 0i64;
    let mut qi = 0;
    let mut last: Option<usize> = None;
    for (i, ch) in c.iter().enumerate() {
        if qi < q.len() && *ch == q[qi] {
            score += 1;
            if last == Some(i.wrapping_sub(1)) {
                score += 5;
            }
            if i == 0 || matches!(c[i - 1], '/' | '.' | ' ' | '-' | '_') {
                score += 3;
            }
            last = Some(i);
            qi += 1;
        }
    }
    (qi == q.len()).then_some(score - c.len() as i64 / 8)
}

/// A key while the folder picker is open: its keys, or text for the filter.
pub fn picker_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Layer::Picker(mut p)) = state.layers.pop() else { return };
    let n = picker_choices(state, &p).len();
    match (state.keymap.action(Context::Picker, &k), k.code) {
        (Some(Action::PickerCancel), _) => return,
        (Some(Action::Pick), _) => {
            if let Some(f) = picker_choices(state, &p).get(p.cursor) {
                let to = f.id;
                let kind = match p.purpose {
                    PickFor::Move => ActKind::Move { to },
                    PickFor::Copy => ActKind::Copy { to },
                };
                act(state, fx, p.account, p.targets, kind);
                return;
            }
            // nothing matches what was typed: the picker stays, and says so
            state.notify(format!("no folder matches {:?}: Esc goes back, or type another name", p.input));
        }
        (Some(Action::PickerDown), _) => p.cursor = (p.cursor + 1).min(n.saturating_sub(1)),
        (Some(Action::PickerUp), _) => p.cursor = p.cursor.saturating_sub(1),
        _ => {
            if super::line::edit(&mut p.input, &k) {
                p.cursor = 0;
            }
        }
    }
    state.layers.push(Layer::Picker(p));
}
