//! Lists that are not one folder: every account's folder of a role ("All inboxes"), a
//! search over every folder of every account, and saved searches. Each is a `ListQuery`
//! like a folder's; its rows belong to several accounts, and every action on a row goes to
//! the worker of the account that owns it.

use super::state::{AppState, FolderRow};
use super::update::Effect;
use crate::account::Command;
use crate::model::{AccountId, Folder, FolderId, SpecialUse, Summary};
use crate::store::ListQuery;

/// A list over several folders.
#[derive(Debug, Clone, PartialEq)]
pub enum Virtual {
    /// Every account's folder of this role ("All inboxes").
    Role(SpecialUse),
    /// A search over every folder of every account.
    Search(String),
    /// Saved search `n` of `AppState::views`.
    Saved(usize),
}

/// What the servers said of the open search (`Command::Search` to every account): the
/// accounts still to answer, the messages they found that the local index could not (their
/// bodies are not stored), and the accounts whose server was not asked or failed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerSearch {
    pub request: u64,
    pub waiting: std::collections::BTreeSet<AccountId>,
    pub found: Vec<crate::model::MessageId>,
    pub notes: Vec<String>,
}

/// A saved search, shown in the folder pane with its unread count.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub name: String,
    pub query: String,
    /// Unread messages it matches, once counted (off the UI task).
    pub unread: Option<usize>,
    /// Defined in the config's `[[views]]` (else kept in `views.toml`).
    pub from_config: bool,
}

impl AppState {
    /// The virtual folders at the top of the folder pane: the unified folders (with two
    /// accounts or more), then the saved searches.
    pub fn virtual_rows(&self) -> Vec<Virtual> {
        let mut v = Vec::new();
        if self.accounts.len() >= 2 {
            v.extend(self.settings.unified.iter().map(|r| Virtual::Role(*r)));
        }
        v.extend((0..self.views.len()).map(Virtual::Saved));
        v
    }

    /// What a virtual folder lists.
    pub fn virtual_query(&self, v: &Virtual) -> ListQuery {
        match v {
            Virtual::Role(r) => ListQuery { role: Some(*r), ..Default::default() },
            Virtual::Search(q) => ListQuery {
                filter: Some(q.clone()),
                found: self.server_search.as_ref().map(|s| s.found.clone()).unwrap_or_default(),
                ..Default::default()
            },
            Virtual::Saved(i) => {
                ListQuery { filter: self.views.get(*i).map(|s| s.query.clone()), ..Default::default() }
            }
        }
    }

    /// A virtual folder's name in the folder pane and the list's title.
    pub fn virtual_name(&self, v: &Virtual) -> String {
        match v {
            Virtual::Role(SpecialUse::Inbox) => "All inboxes".into(),
            Virtual::Role(SpecialUse::Sent) => "All sent".into(),
            Virtual::Role(SpecialUse::Drafts) => "All drafts".into(),
            Virtual::Role(r) => format!("All {}", r.as_str()),
            Virtual::Search(q) => format!("search: {q}"),
            Virtual::Saved(i) => self.views.get(*i).map(|s| s.name.clone()).unwrap_or_default(),
        }
    }

    /// How the open search's servers answered, when that is still to be said: the list's
    /// title gives it after the position, so that a long note never hides the count.
    pub fn search_note(&self) -> Option<String> {
        match &self.server_search {
            Some(s) if !s.waiting.is_empty() => Some("asking servers…".into()),
            Some(s) if !s.notes.is_empty() => Some(s.notes.join("; ")),
            _ => None,
        }
    }

    /// Its unread messages: the sum over the role's folders, or the saved search's count.
    pub fn virtual_unread(&self, v: &Virtual) -> Option<usize> {
        match v {
            Virtual::Role(r) => Some(
                self.accounts
                    .iter()
                    .flat_map(|a| &a.folders)
                    .filter(|f| has_role(f, *r))
                    .map(|f| f.unread as usize)
                    .sum(),
            ),
            Virtual::Search(_) => None,
            Virtual::Saved(i) => self.views.get(*i).and_then(|s| s.unread),
        }
    }

    /// Whether a list is open: a folder or a virtual one.
    pub fn list_open(&self) -> bool {
        self.current.is_some() || self.open_virtual.is_some()
    }

    /// A folder with its account, by id.
    pub fn folder_by_id(&self, id: FolderId) -> Option<(AccountId, &Folder)> {
        self.accounts.iter().find_map(|a| a.folders.iter().find(|f| f.id == id).map(|f| (a.id, f)))
    }

    /// The account that owns a list row (in a folder, the folder's).
    pub fn owner(&self, s: &Summary) -> Option<AccountId> {
        self.folder_by_id(s.folder).map(|(a, _)| a).or(self.current.map(|c| c.0))
    }

    /// The accounts owning these messages, when every one is a loaded row: one account
    /// for all of them, or why not.
    pub fn one_owner(&self, ids: &[crate::model::MessageId]) -> Result<AccountId, String> {
        let mut owners = Vec::new();
        for id in ids {
            let row = self.list.window.rows.iter().find(|s| s.id == *id);
            match row.and_then(|s| self.owner(s)) {
                Some(a) if !owners.contains(&a) => owners.push(a),
                Some(_) => {}
                None => return Err("some of the selected messages are not on screen: select fewer".into()),
            }
        }
        match owners.as_slice() {
            [one] => Ok(*one),
            [] => Err("no message selected".into()),
            _ => Err(format!(
                "the selected messages are in {} accounts: move or copy those of one account at a time",
                owners.len()
            )),
        }
    }
}

/// Whether a folder is of a role (an INBOX is one by its name too).
pub fn has_role(f: &Folder, role: SpecialUse) -> bool {
    f.special_use == Some(role) || (role == SpecialUse::Inbox && f.name.eq_ignore_ascii_case("INBOX"))
}

/// Opens a virtual folder in the list.
pub fn open(state: &mut AppState, v: Virtual, fx: &mut Vec<Effect>) {
    if state.open_virtual.as_ref() == Some(&v) && state.current.is_none() {
        // already open: Enter on it goes to its list
        state.focus = super::state::Pane::List;
        return;
    }
    // a search asks the servers too, for the bodies not stored here; their answers add to
    // the local results as they come
    state.server_search = match &v {
        Virtual::Search(q) => {
            let request = state.server_search.as_ref().map_or(1, |s| s.request + 1);
            for a in &state.accounts {
                fx.push(Effect::Send(a.id, Command::Search { request, query: q.clone() }));
            }
            let waiting = state.accounts.iter().map(|a| a.id).collect();
            Some(ServerSearch { request, waiting, ..Default::default() })
        }
        _ => None,
    };
    let query = state.virtual_query(&v);
    state.current = None;
    state.reader = None;
    state.fresh_list(None, query);
    if let Some(i) = state.virtual_rows().iter().position(|r| *r == v) {
        state.folder_cursor = i;
    }
    // each account watches its folder of the role while the list is open
    if let Virtual::Role(r) = v {
        for a in &state.accounts {
            if let Some(f) = a.folders.iter().find(|f| has_role(f, r)) {
                fx.push(Effect::Send(a.id, Command::Watch(f.id)));
            }
        }
    }
    state.open_virtual = Some(v);
    state.focus = super::state::Pane::List;
    super::navigate::load(state, fx);
}

/// Whether a change to `folder` shows in the open virtual list.
pub fn shows(state: &AppState, folder: FolderId) -> bool {
    match &state.open_virtual {
        None => false,
        Some(Virtual::Role(r)) => state.folder_by_id(folder).is_some_and(|(_, f)| has_role(f, *r)),
        Some(Virtual::Search(_) | Virtual::Saved(_)) => true,
    }
}

/// The folder pane row of virtual folder `i`.
pub fn row(i: usize) -> FolderRow {
    FolderRow::Virtual(i)
}

/// Asks for the saved searches' unread counts (after mail came or flags changed).
pub fn count(state: &AppState, fx: &mut Vec<Effect>) {
    if state.views.is_empty() {
        return;
    }
    let queries = (0..state.views.len()).map(|i| (i, state.virtual_query(&Virtual::Saved(i)))).collect();
    if !fx.iter().any(|e| matches!(e, Effect::CountViews(_))) {
        fx.push(Effect::CountViews(queries));
    }
}

/// The config file's saved searches and unified folders changed: the folder pane shows
/// them as they now read (the searches saved from the UI stay after the config's). An
/// open saved search whose query changed is read again; an open one that is gone (or a
/// unified folder turned off) gives way to the first account's INBOX.
pub fn reconfigured(
    state: &mut AppState,
    views: Vec<crate::config::ViewConfig>,
    unified: Vec<SpecialUse>,
    fx: &mut Vec<Effect>,
) {
    let keep = super::navigate::cursor_folder(state);
    let open_name = match &state.open_virtual {
        Some(Virtual::Saved(i)) => state.views.get(*i).map(|v| v.name.clone()),
        _ => None,
    };
    let old = std::mem::take(&mut state.views);
    let unread_of = |name: &str| old.iter().find(|v| v.name == name && v.from_config).and_then(|v| v.unread);
    let mut fresh: Vec<SavedView> = views
        .into_iter()
        .map(|v| SavedView { unread: unread_of(&v.name), name: v.name, query: v.query, from_config: true })
        .collect();
    fresh.extend(old.iter().filter(|v| !v.from_config).cloned());
    state.views = fresh;
    state.settings.unified = unified;
    let still = match state.open_virtual.clone() {
        Some(Virtual::Saved(_)) => {
            open_name.and_then(|n| state.views.iter().position(|v| v.name == n)).map(Virtual::Saved)
        }
        Some(Virtual::Role(r)) => state.virtual_rows().contains(&Virtual::Role(r)).then_some(Virtual::Role(r)),
        other => other,
    };
    match (state.open_virtual.is_some(), still) {
        (true, None) => {
            state.open_virtual = None;
            super::navigate::open_account(state, 0, fx);
        }
        // its query changed: opened afresh (`open` leaves a list that is open as it is)
        (true, Some(v)) if state.virtual_query(&v).filter != state.list.query.filter => {
            state.open_virtual = None;
            open(state, v, fx);
        }
        (true, Some(v)) => state.open_virtual = Some(v),
        (false, _) => {}
    }
    // the cursor stays on its folder, or on the open virtual folder's row where it moved
    let open_row = state.open_virtual.as_ref().and_then(|v| state.virtual_rows().iter().position(|r| r == v));
    match (keep, open_row) {
        (None, Some(i)) => state.folder_cursor = i,
        _ => super::navigate::restore_folder_cursor(state, keep),
    }
    count(state, fx);
}

/// Keeps the open search as a saved search named `name` (a name already kept gets the new
/// query), written to `views.toml`.
pub fn save(state: &mut AppState, name: String, fx: &mut Vec<Effect>) {
    let Some(Virtual::Search(query)) = state.open_virtual.clone() else { return };
    let i = match state.views.iter().position(|v| v.name == name) {
        Some(i) => {
            state.views[i].query = query;
            i
        }
        None => {
            state.views.push(SavedView { name: name.clone(), query, unread: None, from_config: false });
            state.views.len() - 1
        }
    };
    let kept = state
        .views
        .iter()
        .filter(|v| !v.from_config)
        .map(|v| crate::config::ViewConfig { name: v.name.clone(), query: v.query.clone() })
        .collect();
    fx.push(Effect::SaveViews(kept));
    state.status = Some(format!("kept as {}", crate::sanitize::line(&name)));
    open(state, Virtual::Saved(i), fx);
    count(state, fx);
}

/// A server's answer to the open search: its messages join the list, and an account whose
/// server was not asked (offline) or failed says so in the list's title. An answer for a
/// search the user has left is dropped.
pub fn searched(
    state: &mut AppState,
    account: AccountId,
    request: u64,
    ids: Vec<crate::model::MessageId>,
    server: crate::account::ServerSearch,
    fx: &mut Vec<Effect>,
) {
    let name = state.accounts.iter().find(|a| a.id == account).map(|a| a.name.clone()).unwrap_or_default();
    if state.server_search.as_ref().is_none_or(|s| s.request != request) {
        return;
    }
    let note = match server {
        crate::account::ServerSearch::Offline(why) => Some(format!("{name}: server not asked ({why})")),
        crate::account::ServerSearch::Failed(why) => Some(format!("{name}: server failed ({why})")),
        crate::account::ServerSearch::Asked | crate::account::ServerSearch::NotNeeded => None,
    };
    if let (Some(note), Some(Virtual::Search(q))) = (&note, &state.open_virtual) {
        // the list's title may be too narrow for the note: the message log (I) has it whole
        let line = format!("search {q:?}: {note}");
        state.log_only(line);
    }
    let Some(s) = state.server_search.as_mut() else { return };
    s.waiting.remove(&account);
    s.notes.extend(note);
    let before = s.found.len();
    for id in ids {
        if !s.found.contains(&id) {
            s.found.push(id);
        }
    }
    let grew = s.found.len() > before;
    if let (true, Some(v)) = (grew, state.open_virtual.clone()) {
        state.list.query = state.virtual_query(&v);
        super::navigate::load(state, fx);
    }
}
