//! `poste flag`, `move` and `delete`: the message actions, headless, for scripts. Each goes
//! through the account worker like a keypress would: applied to the store, queued, and sent
//! to the server (or left queued when it cannot be reached); then it says what it did.

use super::Loaded;
use super::confirm::confirm;
use crate::account::{Action, Command, Event};
use crate::config::{AccountConfig, DeleteMode};
use crate::format::{count, count_of, plural};
use crate::model::{AccountId, Flags, Folder, FolderId, MessageId, SpecialUse};
use crate::store::Store;
use anyhow::{Result, bail};
use std::collections::BTreeMap;

/// How a run of actions on one account went: refused (the worker said why), or done, here
/// and on the server or with `queued` actions still to go there.
pub(super) struct Outcome {
    pub refused: bool,
    pub queued: usize,
}

/// Runs actions on one account's worker and waits until they reached the server or were
/// left queued. Prints the worker's notices on stderr.
pub(super) async fn run_actions(loaded: &Loaded, account: &str, actions: Vec<Action>) -> Result<Outcome> {
    let Some(cfg) = loaded.config.account(account) else {
        bail!("account {account:?} is not in the config");
    };
    let mut inst = super::instance(loaded)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = inst.start(cfg, tx).await?;
    let mut outcome = Outcome { refused: false, queued: 0 };
    for action in actions {
        h.send(Command::Act(action));
        loop {
            match rx.recv().await {
                Some(Event::Ask { question, .. }) => {
                    eprintln!("poste: {account}: {question}");
                    eprintln!("poste: {account}: nothing was expunged; answer in the poste UI to go ahead");
                    outcome.refused = true;
                }
                Some(Event::Notice { text, .. }) => {
                    eprintln!("poste: {account}: {text}");
                    outcome.refused = true;
                }
                Some(Event::Pending { count, settled: true, .. }) => {
                    outcome.queued = count;
                    break;
                }
                Some(Event::Interrupted { error, .. }) => {
                    eprintln!("poste: {account}: {error}");
                    outcome.refused = true;
                    break;
                }
                Some(_) => {}
                None => bail!("the account worker stopped"),
            }
        }
    }
    inst.close().await;
    h.shutdown().await;
    Ok(outcome)
}

/// Says what was done (on stdout) and what still waits for the server (on stderr); the exit
/// code is 1 when the worker refused something.
pub(super) fn report(account: &str, outcome: &Outcome, done: &[String]) -> i32 {
    if outcome.refused {
        return 1;
    }
    for line in done {
        super::print(&format!("{line}\n"));
    }
    let n = outcome.queued as u64;
    if n > 0 {
        eprintln!(
            "poste: {account}: {} queued: the server cannot be reached now; {} sent at the next \
             `poste sync` or when poste is next online",
            count_of(n, "action is", "actions are"),
            plural(n, "it is", "they are")
        );
    }
    0
}

/// Where the given messages are, by account name and folder; an unknown id is an error
/// that names it.
fn by_account(store: &Store, ids: &[MessageId]) -> Result<BTreeMap<String, BTreeMap<FolderId, Vec<MessageId>>>> {
    let located = store.locate(ids)?;
    let found: std::collections::HashSet<MessageId> = located.iter().map(|(id, _, _)| *id).collect();
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        bail!("no message with id {missing} in the store");
    }
    let names: BTreeMap<AccountId, String> = store.accounts()?.into_iter().collect();
    let mut out: BTreeMap<String, BTreeMap<FolderId, Vec<MessageId>>> = BTreeMap::new();
    for (id, folder, _) in located {
        let account = store.folder(folder)?.account;
        let name = names.get(&account).cloned().unwrap_or_default();
        out.entry(name).or_default().entry(folder).or_default().push(id);
    }
    Ok(out)
}

fn all_ids(folders: &BTreeMap<FolderId, Vec<MessageId>>) -> Vec<MessageId> {
    folders.values().flatten().copied().collect()
}

/// A line about one account's messages, named by account when several are involved.
fn line(several: bool, account: &str, text: String) -> String {
    if several { format!("{account}: {text}") } else { text }
}

pub(super) fn account_id(store: &Store, name: &str) -> Result<AccountId> {
    match store.accounts()?.into_iter().find(|(_, n)| n == name) {
        Some((id, _)) => Ok(id),
        None => bail!("account {name:?} has not been synced yet; run `poste sync` first"),
    }
}

pub(super) fn find_folder(store: &Store, account: &str, name: &str) -> Result<Folder> {
    match store.find_folder(account_id(store, account)?, name)? {
        Some(f) => Ok(f),
        None => bail!("account {account} has no folder {name:?} (run `poste sync` if it is new)"),
    }
}

pub struct FlagChange {
    pub seen: bool,
    pub unseen: bool,
    pub flagged: bool,
    pub unflagged: bool,
}

impl FlagChange {
    /// `marked read and flagged`.
    fn said(&self) -> String {
        let parts: Vec<&str> = [
            (self.seen, "marked read"),
            (self.unseen, "marked unread"),
            (self.flagged, "flagged"),
            (self.unflagged, "unflagged"),
        ]
        .into_iter()
        .filter_map(|(on, text)| on.then_some(text))
        .collect();
        parts.join(" and ")
    }
}

pub async fn flag(loaded: &Loaded, ids: &[MessageId], c: FlagChange) -> Result<i32> {
    let add = Flags::default().with(Flags::SEEN, c.seen).with(Flags::FLAGGED, c.flagged);
    let remove = Flags::default().with(Flags::SEEN, c.unseen).with(Flags::FLAGGED, c.unflagged);
    if add.0 == 0 && remove.0 == 0 {
        bail!("say what to change: --seen, --unseen, --flagged or --unflagged");
    }
    let store = Store::open_reader(&loaded.data_dir)?;
    let accounts = by_account(&store, ids)?;
    drop(store);
    let several = accounts.len() > 1;
    let mut code = 0;
    for (acct, folders) in accounts {
        let ids = all_ids(&folders);
        let done = line(several, &acct, format!("{} {}", count(ids.len() as u64, "message"), c.said()));
        let outcome = run_actions(loaded, &acct, vec![Action::Flags { ids, add, remove }]).await?;
        code |= report(&acct, &outcome, &[done]);
    }
    Ok(code)
}

pub async fn move_to(loaded: &Loaded, ids: &[MessageId], to: &str) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let accounts = by_account(&store, ids)?;
    let several = accounts.len() > 1;
    let mut code = 0;
    for (acct, folders) in accounts {
        let target = find_folder(&store, &acct, to)?;
        let there = folders.get(&target.id).map_or(0, Vec::len);
        let ids = all_ids(&folders);
        let mut text = format!("{} moved to {}", count((ids.len() - there) as u64, "message"), target.display);
        if there > 0 {
            text.push_str(&format!(" ({} there already)", count_of(there as u64, "was", "were")));
        }
        let outcome = run_actions(loaded, &acct, vec![Action::Move { ids, to: target.id }]).await?;
        code |= report(&acct, &outcome, &[line(several, &acct, text)]);
    }
    Ok(code)
}

/// Whether a delete from `folder` is for good, as the worker decides it: asked for, the
/// account's `delete = "expunge"`, or the folder is the account's Trash.
fn for_good(account: Option<&AccountConfig>, folder: &Folder, expunge: bool) -> bool {
    let imap = account.and_then(|a| a.imap.as_ref());
    let configured_trash = imap.and_then(|c| c.trash_folder.as_ref());
    expunge
        || imap.is_some_and(|c| c.delete == DeleteMode::Expunge)
        || match configured_trash {
            Some(t) => *t == folder.name || *t == folder.display,
            None => folder.special_use == Some(SpecialUse::Trash),
        }
}

/// The folder a delete moves messages to, by the name the user knows.
fn trash_name(store: &Store, account: Option<&AccountConfig>, id: AccountId) -> String {
    let configured = account.and_then(|a| a.imap.as_ref()).and_then(|c| c.trash_folder.clone());
    let folders = store.folders(id).unwrap_or_default();
    let found = match &configured {
        Some(n) => folders.iter().find(|f| &f.name == n || &f.display == n),
        None => folders.iter().find(|f| f.special_use == Some(SpecialUse::Trash)),
    };
    found.map(|f| f.display.clone()).or(configured).unwrap_or_else(|| "Trash".into())
}

/// One account's part of a delete: its name, the lines said after, and the folders it
/// deletes from for good (as named, with how many messages).
type DeletePlan = (String, Vec<String>, Vec<(String, u64)>);

pub async fn delete(loaded: &Loaded, ids: &[MessageId], expunge: bool, yes: bool) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let accounts = by_account(&store, ids)?;
    let several = accounts.len() > 1;
    let mut plans: Vec<DeletePlan> = Vec::new();
    for (acct, folders) in &accounts {
        let cfg = loaded.config.account(acct);
        let mut to_trash = 0u64;
        let mut gone = Vec::new();
        for (folder, ids) in folders {
            let f = store.folder(*folder)?;
            if for_good(cfg, &f, expunge) {
                gone.push((f.display.clone(), ids.len() as u64));
            } else {
                to_trash += ids.len() as u64;
            }
        }
        let mut said = Vec::new();
        if to_trash > 0 {
            let trash = trash_name(&store, cfg, account_id(&store, acct)?);
            said.push(line(several, acct, format!("{} moved to {trash}", count(to_trash, "message"))));
        }
        for (folder, n) in &gone {
            said.push(line(several, acct, format!("{} deleted for good from {folder}", count(*n, "message"))));
        }
        plans.push((acct.clone(), said, gone));
    }
    drop(store);
    let gone: Vec<String> = plans
        .iter()
        .flat_map(|(acct, _, gone)| {
            gone.iter().map(move |(f, _)| if several { format!("{acct}/{f}") } else { f.clone() })
        })
        .collect();
    if !gone.is_empty() {
        let n: u64 = plans.iter().flat_map(|(_, _, g)| g.iter().map(|(_, n)| n)).sum();
        let action = format!("delete {} for good from {}", count(n, "message"), gone.join(", "));
        if !confirm(&action, "nothing was deleted", yes)? {
            return Ok(1);
        }
    }
    let mut code = 0;
    for ((acct, said, _), folders) in plans.into_iter().zip(accounts.into_values()) {
        let action = Action::Delete { ids: all_ids(&folders), expunge };
        let outcome = run_actions(loaded, &acct, vec![action]).await?;
        code |= report(&acct, &outcome, &said);
    }
    Ok(code)
}
