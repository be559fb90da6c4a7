//! `poste flag`, `move`, `delete` and `folder`: the mailbox actions, headless, for scripts.
//! Each goes through the account worker like a keypress would: applied to the store,
//! queued, and sent to the server (or left queued when it cannot be reached).

use super::Loaded;
use crate::account::{Action, Command, Event};
use crate::model::{AccountId, Flags, MessageId};
use crate::store::Store;
use anyhow::{Result, bail};
use std::collections::BTreeMap;

/// Runs actions on one account's worker and waits until they reached the server or were
/// left queued. Prints notices; the exit code is 1 when the server refused something.
async fn run_actions(loaded: &Loaded, account: &str, actions: Vec<Action>) -> Result<i32> {
    let Some(cfg) = loaded.config.account(account) else {
        bail!("account {account:?} is not in the config");
    };
    let mut inst = super::instance(loaded)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = inst.start(cfg, tx).await?;
    let mut code = 0;
    for action in actions {
        h.send(Command::Act(action));
        loop {
            match rx.recv().await {
                Some(Event::Ask { question, .. }) => {
                    eprintln!("poste: {account}: {question}");
                    eprintln!("poste: {account}: nothing was expunged; answer in the poste UI to go ahead");
                    code = 1;
                }
                Some(Event::Notice { text, .. }) => {
                    eprintln!("poste: {account}: {text}");
                    code = 1;
                }
                Some(Event::Pending { count, settled: true, .. }) => {
                    if count > 0 {
                        eprintln!(
                            "poste: {account}: {count} actions are queued: the server cannot be reached now; \
                             they are sent at the next `poste sync` or when poste is next online"
                        );
                    }
                    break;
                }
                Some(Event::Interrupted { error, .. }) => {
                    eprintln!("poste: {account}: {error}");
                    code = 1;
                    break;
                }
                Some(_) => {}
                None => bail!("the account worker stopped"),
            }
        }
    }
    inst.close().await;
    h.shutdown().await;
    Ok(code)
}

/// Groups message ids by account name; an unknown id is an error that names it.
fn by_account(store: &Store, ids: &[MessageId]) -> Result<BTreeMap<String, Vec<MessageId>>> {
    let located = store.locate(ids)?;
    let found: std::collections::HashSet<MessageId> = located.iter().map(|(id, _, _)| *id).collect();
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        bail!("no message with id {missing} in the store");
    }
    let names: BTreeMap<AccountId, String> = store.accounts()?.into_iter().collect();
    let mut folder_account: BTreeMap<crate::model::FolderId, String> = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<MessageId>> = BTreeMap::new();
    for (id, folder, _) in located {
        let name = match folder_account.entry(folder) {
            std::collections::btree_map::Entry::Occupied(e) => e.get().clone(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let account = store.folder(folder)?.account;
                e.insert(names.get(&account).cloned().unwrap_or_default()).clone()
            }
        };
        out.entry(name).or_default().push(id);
    }
    Ok(out)
}

fn account_id(store: &Store, name: &str) -> Result<AccountId> {
    match store.accounts()?.into_iter().find(|(_, n)| n == name) {
        Some((id, _)) => Ok(id),
        None => bail!("account {name:?} has not been synced yet; run `poste sync` first"),
    }
}

fn folder_id(store: &Store, account: &str, name: &str) -> Result<crate::model::FolderId> {
    match store.find_folder(account_id(store, account)?, name)? {
        Some(f) => Ok(f.id),
        None => bail!("account {account} has no folder {name:?} (run `poste sync` if it is new)"),
    }
}

pub struct FlagChange {
    pub seen: bool,
    pub unseen: bool,
    pub flagged: bool,
    pub unflagged: bool,
}

pub async fn flag(loaded: &Loaded, ids: &[MessageId], c: FlagChange) -> Result<i32> {
    let mut add = Flags::default();
    let mut remove = Flags::default();
    add = add.with(Flags::SEEN, c.seen).with(Flags::FLAGGED, c.flagged);
    remove = remove.with(Flags::SEEN, c.unseen).with(Flags::FLAGGED, c.unflagged);
    if add.0 == 0 && remove.0 == 0 {
        bail!("say what to change: --seen, --unseen, --flagged or --unflagged");
    }
    let store = Store::open_reader(&loaded.data_dir)?;
    let mut code = 0;
    for (acct, ids) in by_account(&store, ids)? {
        code |= run_actions(loaded, &acct, vec![Action::Flags { ids, add, remove }]).await?;
    }
    Ok(code)
}

pub async fn move_to(loaded: &Loaded, ids: &[MessageId], to: &str) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let mut code = 0;
    for (acct, ids) in by_account(&store, ids)? {
        let to = folder_id(&store, &acct, to)?;
        code |= run_actions(loaded, &acct, vec![Action::Move { ids, to }]).await?;
    }
    Ok(code)
}

pub async fn delete(loaded: &Loaded, ids: &[MessageId], expunge: bool) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let mut code = 0;
    for (acct, ids) in by_account(&store, ids)? {
        code |= run_actions(loaded, &acct, vec![Action::Delete { ids, expunge }]).await?;
    }
    Ok(code)
}

#[derive(Debug, clap::Subcommand)]
pub enum FolderCommand {
    /// Create a folder (use the server's delimiter, e.g. `Work/2027`, to nest it).
    Create {
        name: String,
    },
    /// Rename a folder.
    Rename {
        from: String,
        to: String,
    },
    /// Delete a folder and the messages in it (never INBOX).
    Delete {
        name: String,
    },
    Subscribe {
        name: String,
    },
    Unsubscribe {
        name: String,
    },
}

pub async fn folder(loaded: &Loaded, account: Option<&str>, cmd: FolderCommand) -> Result<i32> {
    let accounts = super::select_accounts(&loaded.config, account)?;
    let [acct] = accounts.as_slice() else {
        bail!("several accounts are configured: say which with --account");
    };
    let name = acct.name.clone();
    let store = Store::open_reader(&loaded.data_dir)?;
    let action = match cmd {
        FolderCommand::Create { name } => Action::CreateFolder { name },
        FolderCommand::Rename { from, to } => Action::RenameFolder { folder: folder_id(&store, &name, &from)?, to },
        FolderCommand::Delete { name: f } => Action::DeleteFolder { folder: folder_id(&store, &name, &f)? },
        FolderCommand::Subscribe { name: f } => Action::Subscribe { folder: folder_id(&store, &name, &f)?, on: true },
        FolderCommand::Unsubscribe { name: f } => {
            Action::Subscribe { folder: folder_id(&store, &name, &f)?, on: false }
        }
    };
    drop(store);
    run_actions(loaded, &name, vec![action]).await
}
