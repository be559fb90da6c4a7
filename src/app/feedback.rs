//! What the status line says once a mailbox action is handed over: "3 messages moved to
//! Archive (u undoes)", with the undo key as bound.

use super::keymap::Action;
use super::state::AppState;
use super::update::ActKind;
use crate::model::{AccountId, Flags, FolderId, SpecialUse};

/// "1 message", "3 messages". (A helper of its own until `format` has a plural one.)
pub(super) fn plural(n: usize, word: &str) -> String {
    crate::format::count(n as u64, word)
}

pub fn messages(n: usize) -> String {
    plural(n, "message")
}

fn folder_name(state: &AppState, account: AccountId, id: FolderId) -> String {
    let folders = state.accounts.iter().find(|a| a.id == account).map(|a| a.folders.as_slice()).unwrap_or(&[]);
    folders.iter().find(|f| f.id == id).map(|f| crate::sanitize::line(&f.display)).unwrap_or_else(|| "a folder".into())
}

fn trash_name(state: &AppState, account: AccountId) -> String {
    let folders = state.accounts.iter().find(|a| a.id == account).map(|a| a.folders.as_slice()).unwrap_or(&[]);
    let trash = folders.iter().find(|f| f.special_use == Some(SpecialUse::Trash));
    trash.map(|f| crate::sanitize::line(&f.display)).unwrap_or_else(|| "Trash".into())
}

/// The question before quitting with mail not sent or changes not on the server yet; none
/// when there is nothing of the sort.
pub fn quit_question(state: &AppState) -> Option<String> {
    let unsent: usize = state.accounts.iter().map(|a| a.outbox.len()).sum();
    let pending: usize = state.accounts.iter().map(|a| a.pending).sum();
    let mut what = Vec::new();
    if unsent > 0 {
        what.push(format!("{} in the Outbox not sent", messages(unsent)));
    }
    if pending > 0 {
        what.push(format!("{} not on the server yet", plural(pending, "change")));
    }
    (!what.is_empty()).then(|| {
        format!(
            "Quit with {}? They are kept for the next start. ({}/n)",
            what.join(" and "),
            state.keymap.key_of(Action::Yes)
        )
    })
}

/// " (u undoes)", with the undo key as bound.
fn undo_hint(state: &AppState) -> String {
    format!(" ({} undoes)", state.keymap.key_of(Action::Undo))
}

/// The line after `M`: "3 messages in INBOX marked read (u undoes)", `which` saying which
/// messages ("in INBOX", "the filter shows").
pub fn marked_read(state: &AppState, n: usize, which: &str) -> String {
    format!("{} {which} marked read{}", messages(n), undo_hint(state))
}

/// The line for `n` messages of `account` after `kind`.
pub fn after(state: &AppState, account: AccountId, what: &str, kind: ActKind) -> String {
    let undo = undo_hint(state);
    match kind {
        ActKind::Move { to } => format!("{what} moved to {}{undo}", folder_name(state, account, to)),
        ActKind::Copy { to } => format!("{what} copied to {}", folder_name(state, account, to)),
        ActKind::Delete { expunge: false } => format!("{what} moved to {}{undo}", trash_name(state, account)),
        ActKind::Delete { expunge: true } => format!("{what} deleted for good"),
        ActKind::MarkRead => format!("{what} marked read{undo}"),
        ActKind::Flags { add, remove } => {
            let word = match (add.has(Flags::SEEN), remove.has(Flags::SEEN), add.has(Flags::FLAGGED)) {
                (true, _, _) => "marked read",
                (_, true, _) => "marked unread",
                (_, _, true) => "flagged",
                _ => "unflagged",
            };
            format!("{what} {word}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::messages;

    #[test]
    fn one_message_many_messages() {
        assert_eq!(messages(1), "1 message");
        assert_eq!(messages(0), "0 messages");
        assert_eq!(messages(3), "3 messages");
    }
}
