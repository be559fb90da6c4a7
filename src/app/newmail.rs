//! New mail in folders other than the open one: counted when a folder's unread count
//! rises, shown in the status line, forgotten when the folder is opened.

use super::state::AppState;
use crate::model::{AccountId, Folder, FolderId, SpecialUse};

/// Mail that came into a folder the user is not looking at.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMail {
    pub account: AccountId,
    pub folder: FolderId,
    /// How many more unread messages than when the folder was last seen.
    pub count: u32,
}

/// A folder's counts changed (`Event::FolderCounts`, before the state takes them in): new
/// unread mail in a folder that is not open is counted. Returns how many came.
pub fn counted(state: &mut AppState, account: AccountId, folder: &Folder) -> u32 {
    let Some(before) = state
        .account_index(account)
        .and_then(|i| state.accounts[i].folders.iter().find(|f| f.id == folder.id))
        .map(|f| f.unread)
    else {
        return 0;
    };
    // what comes into Trash, Sent and Drafts is the user's own doing (d, a sent copy, a
    // draft saved), not news; nor is what the user just moved or copied in
    let moved = state.moving_into.iter().position(|f| *f == folder.id).map(|i| state.moving_into.remove(i));
    let own = moved.is_some()
        || matches!(folder.special_use, Some(SpecialUse::Trash | SpecialUse::Sent | SpecialUse::Drafts));
    // in the open list: the open folder, or All inboxes showing it
    let open = state.current == Some((account, folder.id))
        || (matches!(state.open_virtual, Some(super::views::Virtual::Role(_)))
            && super::views::shows(state, folder.id));
    if own || open || folder.unread <= before {
        if folder.unread < before {
            // read elsewhere: no more new than are unread
            if let Some(n) = state.new_mail.iter_mut().find(|n| n.folder == folder.id) {
                n.count = n.count.min(folder.unread);
            }
            state.new_mail.retain(|n| n.count > 0);
        }
        return 0;
    }
    let more = folder.unread - before;
    match state.new_mail.iter_mut().find(|n| n.folder == folder.id) {
        Some(n) => n.count += more,
        None => state.new_mail.push(NewMail { account, folder: folder.id, count: more }),
    }
    more
}

/// What to do about `count` new messages in `folder`: ring and/or run, as the settings say.
pub fn announce(state: &AppState, account: AccountId, folder: &Folder, count: u32) -> Option<super::update::Effect> {
    let s = &state.settings;
    if count == 0 || (!s.new_mail_bell && s.new_mail_command.is_none()) {
        return None;
    }
    let name = state.accounts.iter().find(|a| a.id == account).map(|a| a.name.clone()).unwrap_or_default();
    Some(super::update::Effect::NewMail {
        bell: s.new_mail_bell,
        command: s.new_mail_command.clone(),
        account: name,
        folder: folder.display.clone(),
        count,
    })
}

/// The open folder's new mail is seen.
pub fn seen(state: &mut AppState) {
    if let Some((_, folder)) = state.current {
        state.new_mail.retain(|n| n.folder != folder);
    }
}

/// "new: work/Lists 3, personal/INBOX 1", or nothing.
pub fn summary(state: &AppState) -> Option<String> {
    let parts: Vec<String> = state
        .new_mail
        .iter()
        .filter_map(|n| {
            let a = state.accounts.iter().find(|a| a.id == n.account)?;
            let f = a.folders.iter().find(|f| f.id == n.folder)?;
            Some(format!("{}/{} {}", a.name, f.display, n.count))
        })
        .collect();
    (!parts.is_empty()).then(|| format!("new: {}", parts.join(", ")))
}
