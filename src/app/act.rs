//! Keys that change the mailbox: flags, delete, undo, move and copy with the folder picker,
//! selections, and folder management. They become effects; the worker does the rest.

use super::keymap::Action;
use super::state::{AppState, FolderRow, Pane, PickFor, Picker, Prompt, Selection, Targets, TextPurpose};
use super::update::{ActKind, Effect};
use crate::account::{self, Command};
use crate::model::{Flags, Folder, SpecialUse};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the next message action applies to: the selection, else the message under the
/// cursor (the open one when reading).
fn targets(state: &AppState) -> Option<(i64, Targets)> {
    let (account, _) = state.current?;
    let s = &state.selection;
    if s.all {
        return Some((account, Targets::Query(state.list.query.clone())));
    }
    if !s.ids.is_empty() {
        return Some((account, Targets::Ids(s.ids.iter().copied().collect())));
    }
    let id = match (&state.reader, state.focus) {
        (Some(r), Pane::Reader) => r.id,
        _ => state.list.selected()?.id,
    };
    Some((account, Targets::Ids(vec![id])))
}

fn count(state: &AppState, t: &Targets) -> usize {
    match t {
        Targets::Ids(v) => v.len(),
        Targets::Query(_) => state.list.total,
    }
}

/// The folder pane's folder under the cursor.
fn folder_under_cursor(state: &AppState) -> Option<(i64, Folder)> {
    let rows = state.folder_rows();
    let (a, f) = state.folder_at(*rows.get(state.folder_cursor)?)?;
    Some((a.id, f.clone()))
}

fn current_folder(state: &AppState) -> Option<&Folder> {
    let (a, f) = state.current?;
    state.accounts.iter().find(|x| x.id == a)?.folders.iter().find(|x| x.id == f)
}

fn act(state: &mut AppState, fx: &mut Vec<Effect>, account: i64, targets: Targets, kind: ActKind) {
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
            // the message under the cursor decides which way the whole selection goes
            let on = state.list.selected().map(|s| s.flags.has(bit)).unwrap_or(false);
            let (add, remove) = if on { (Flags(0), Flags(bit)) } else { (Flags(bit), Flags(0)) };
            act(state, fx, account, t, ActKind::Flags { add, remove });
        }
        Action::Delete if in_folders => delete_folder(state, fx),
        Action::Delete => {
            let Some((account, t)) = targets(state) else { return true };
            let in_trash = current_folder(state).is_some_and(|f| f.special_use == Some(SpecialUse::Trash));
            let expunges = state.accounts.iter().any(|a| a.id == account && a.delete_expunges);
            if in_trash || expunges {
                let n = count(state, &t);
                let question = format!("Delete {n} message{} for good? (y/n)", if n == 1 { "" } else { "s" });
                let then = Box::new(Effect::Act { account, targets: t, kind: ActKind::Delete { expunge: true } });
                state.prompt = Some(Prompt::Confirm { question, then });
            } else {
                act(state, fx, account, t, ActKind::Delete { expunge: false });
            }
        }
        Action::Undo => {
            if let Some((account, _)) = state.current {
                fx.push(Effect::Send(account, Command::Act(account::Action::Undo)));
            }
        }
        Action::Move | Action::Copy => {
            let Some((account, targets)) = targets(state) else { return true };
            let purpose = if action == Action::Move { PickFor::Move } else { PickFor::Copy };
            state.picker = Some(Picker { purpose, account, input: String::new(), cursor: 0, targets });
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
                fx.push(Effect::SelectRange { query: state.list.query.clone(), from: a, len: b - a + 1 });
            }
        },
        Action::SelectAll => {
            state.selection = Selection { all: true, ..Default::default() };
            state.status = Some(format!("all {} messages selected", state.list.total));
        }
        Action::MarkFolderRead => {
            let folder = if in_folders {
                folder_under_cursor(state)
            } else {
                current_folder(state).map(|f| (state.current.map(|c| c.0).unwrap_or(0), f.clone()))
            };
            if let Some((account, f)) = folder {
                fx.push(Effect::Send(account, Command::Act(account::Action::MarkFolderRead { folder: f.id })));
            }
        }
        Action::NewFolder if in_folders => {
            let account = match state.folder_rows().get(state.folder_cursor) {
                Some(FolderRow::Folder(ai, _)) | Some(FolderRow::Account(ai)) => state.accounts.get(*ai).map(|a| a.id),
                None => None,
            };
            if let Some(account) = account {
                let label = "New folder (use / to nest):".into();
                state.prompt =
                    Some(Prompt::Text { label, input: String::new(), purpose: TextPurpose::NewFolder(account) });
            }
        }
        Action::RenameFolder if in_folders => {
            if let Some((account, f)) = folder_under_cursor(state) {
                state.prompt = Some(Prompt::Text {
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
            state.status = Some("that works in the folder pane (Tab)".into());
        }
        _ => return false,
    }
    true
}

fn delete_folder(state: &mut AppState, _fx: &mut [Effect]) {
    let Some((account, f)) = folder_under_cursor(state) else { return };
    if f.name.eq_ignore_ascii_case("INBOX") {
        state.status = Some("INBOX cannot be deleted".into());
        return;
    }
    let question = format!("Delete the folder {} and its {} messages? (y/n)", f.display, f.total);
    let then = Box::new(Effect::Send(account, Command::Act(account::Action::DeleteFolder { folder: f.id })));
    state.prompt = Some(Prompt::Confirm { question, then });
}

/// A key while a confirm or text prompt is open.
pub fn prompt_key(state: &mut AppState, p: Prompt, k: KeyEvent, fx: &mut Vec<Effect>) {
    match p {
        Prompt::SaveAttachment | Prompt::RemoveAttachment(_) | Prompt::DiscardDraft | Prompt::ResumeAutosave => {}
        Prompt::Confirm { then, .. } => {
            if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                fx.push(*then);
                state.selection = Selection::default();
            } else {
                state.status = Some("cancelled".into());
            }
        }
        Prompt::Text { input, purpose: TextPurpose::AttachPath, .. } if k.code == KeyCode::Enter => {
            fx.push(Effect::AttachFile(crate::paths::expand_home(std::path::Path::new(input.trim()))));
        }
        Prompt::Text { label, input, purpose: TextPurpose::AttachPath } if k.code == KeyCode::Tab => {
            fx.push(Effect::CompletePath(input.clone()));
            state.prompt = Some(Prompt::Text { label, input, purpose: TextPurpose::AttachPath });
        }
        Prompt::Text { label, mut input, purpose } => match k.code {
            KeyCode::Esc => state.status = Some("cancelled".into()),
            KeyCode::Enter if !input.trim().is_empty() => {
                let name = input.trim().to_string();
                let (account, action) = match purpose {
                    TextPurpose::NewFolder(a) => (a, account::Action::CreateFolder { name }),
                    TextPurpose::RenameFolder(a, folder) => (a, account::Action::RenameFolder { folder, to: name }),
                    TextPurpose::AttachPath => return,
                };
                fx.push(Effect::Send(account, Command::Act(action)));
            }
            KeyCode::Backspace => {
                input.pop();
                state.prompt = Some(Prompt::Text { label, input, purpose });
            }
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                input.push(c);
                state.prompt = Some(Prompt::Text { label, input, purpose });
            }
            _ => state.prompt = Some(Prompt::Text { label, input, purpose }),
        },
    }
}

/// The folders a picker offers, best match first.
pub fn picker_choices<'a>(state: &'a AppState, p: &Picker) -> Vec<&'a Folder> {
    let Some(a) = state.accounts.iter().find(|a| a.id == p.account) else { return Vec::new() };
    let current = state.current.map(|c| c.1);
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

/// A key while the folder picker is open.
pub fn picker_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(mut p) = state.picker.take() else { return };
    let n = picker_choices(state, &p).len();
    match k.code {
        KeyCode::Esc => return,
        KeyCode::Enter => {
            if let Some(f) = picker_choices(state, &p).get(p.cursor) {
                let to = f.id;
                let kind = match p.purpose {
                    PickFor::Move => ActKind::Move { to },
                    PickFor::Copy => ActKind::Copy { to },
                };
                act(state, fx, p.account, p.targets, kind);
            }
            return;
        }
        KeyCode::Down | KeyCode::Tab => p.cursor = (p.cursor + 1).min(n.saturating_sub(1)),
        KeyCode::Up | KeyCode::BackTab => p.cursor = p.cursor.saturating_sub(1),
        KeyCode::Char('n') if k.modifiers.contains(KeyModifiers::CONTROL) => {
            p.cursor = (p.cursor + 1).min(n.saturating_sub(1))
        }
        KeyCode::Char('p') if k.modifiers.contains(KeyModifiers::CONTROL) => p.cursor = p.cursor.saturating_sub(1),
        KeyCode::Backspace => {
            p.input.pop();
            p.cursor = 0;
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            p.input.push(c);
            p.cursor = 0;
        }
        _ => {}
    }
    state.picker = Some(p);
}
