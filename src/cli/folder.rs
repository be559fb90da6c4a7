//! `poste folder`: list an account's folders as a tree, and create, rename, delete or
//! (un)subscribe one through the account worker, saying what was done.

use super::Loaded;
use super::act::{account_id, find_folder, report, run_actions};
use super::confirm::confirm;
use crate::account::Action;
use crate::format::count;
use crate::model::Folder;
use crate::store::Store;
use anyhow::{Result, bail};
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, clap::Subcommand)]
pub enum FolderCommand {
    /// List the folders as a tree, with unread and total counts and their roles (from the
    /// local store: run `poste sync` first).
    List,
    /// Create a folder (use the server's delimiter, e.g. `Work/2027`, to nest it).
    Create {
        /// The new folder's name, nested with the server's delimiter.
        name: String,
    },
    /// Rename a folder.
    Rename {
        /// The folder's name now.
        from: String,
        /// Its new name.
        to: String,
    },
    /// Delete a folder and the messages in it, for good (never INBOX); asks first when it
    /// has mail.
    Delete {
        /// The folder to delete.
        name: String,
        /// Delete a folder that has mail in it without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Subscribe to a folder.
    Subscribe {
        /// The folder to subscribe to.
        name: String,
    },
    /// Unsubscribe from a folder.
    Unsubscribe {
        /// The folder to unsubscribe from.
        name: String,
    },
}

pub async fn folder(loaded: &Loaded, account: Option<&str>, cmd: FolderCommand) -> Result<i32> {
    let accounts = super::select_accounts(&loaded.config, account)?;
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    if let FolderCommand::List = cmd {
        return list(loaded, &names);
    }
    let [name] = names.as_slice() else {
        bail!("several accounts are configured: say which with --account");
    };
    let name = name.to_string();
    let store = Store::open_reader(&loaded.data_dir)?;
    let (action, done) = match cmd {
        FolderCommand::List => return list(loaded, &names),
        FolderCommand::Create { name: f } => {
            let done = format!("folder {f} created");
            (Action::CreateFolder { name: f }, done)
        }
        FolderCommand::Rename { from, to } => {
            let f = find_folder(&store, &name, &from)?;
            let done = format!("folder {} renamed to {to}", f.display);
            (Action::RenameFolder { folder: f.id, to }, done)
        }
        FolderCommand::Delete { name: f, yes } => {
            let f = find_folder(&store, &name, &f)?;
            if f.special_use == Some(crate::model::SpecialUse::Inbox) || f.name.eq_ignore_ascii_case("INBOX") {
                bail!("INBOX cannot be deleted");
            }
            // the messages here now (the server's count is as of the last sync)
            let n = store.count(&crate::store::ListQuery { folder: Some(f.id), ..Default::default() })? as u64;
            if n > 0 {
                let action = format!("delete the folder {} and its {} for good", f.display, count(n, "message"));
                if !confirm(&action, "nothing was deleted", yes)? {
                    return Ok(1);
                }
            }
            let done = match n {
                0 => format!("folder {} deleted", f.display),
                n => format!("folder {} deleted, with its {}", f.display, count(n, "message")),
            };
            (Action::DeleteFolder { folder: f.id }, done)
        }
        FolderCommand::Subscribe { name: f } => {
            let f = find_folder(&store, &name, &f)?;
            (Action::Subscribe { folder: f.id, on: true }, format!("subscribed to {}", f.display))
        }
        FolderCommand::Unsubscribe { name: f } => {
            let f = find_folder(&store, &name, &f)?;
            (Action::Subscribe { folder: f.id, on: false }, format!("unsubscribed from {}", f.display))
        }
    };
    drop(store);
    let outcome = run_actions(loaded, &name, vec![action]).await?;
    Ok(report(&name, &outcome, &[done]))
}

/// One line of the tree: a folder of the store, or a parent that only holds others (a
/// `\Noselect` folder on the server, or a level no folder of its own stands for).
struct Node<'a> {
    path: Vec<&'a str>,
    folder: Option<&'a Folder>,
    container: bool,
}

/// The folders of `accounts` as trees, INBOX first, children under their parents.
fn list(loaded: &Loaded, accounts: &[&str]) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let mut out = String::new();
    for name in accounts {
        let id = account_id(&store, name)?;
        let folders = store.folders(id)?;
        let nodes = tree(&folders);
        let _ = writeln!(out, "{name}");
        let width = nodes.iter().map(|n| 2 * n.path.len() + leaf(n).width()).max().unwrap_or(0);
        let width = width.clamp(20, 48);
        let _ = writeln!(out, "  {}  {:>6} {:>7}  ROLE", crate::width::fit("FOLDER", width - 2), "UNREAD", "TOTAL");
        for n in &nodes {
            let indent = "  ".repeat(n.path.len());
            let name = crate::width::fit(&format!("{indent}{}", leaf(n)), width);
            let mut roles: Vec<&str> = Vec::new();
            if let Some(u) = n.folder.and_then(|f| f.special_use) {
                roles.push(u.as_str());
            }
            if n.container {
                roles.push("container (no messages of its own)");
            }
            if n.folder.is_some_and(|f| !f.subscribed) {
                roles.push("unsubscribed");
            }
            let counts = match n.folder {
                Some(f) if !n.container => format!("{:>6} {:>7}", f.unread, f.total),
                _ => format!("{:>6} {:>7}", "", ""),
            };
            let _ = writeln!(out, "{name}  {counts}  {}", roles.join(", ").trim_end());
        }
    }
    super::print(&out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n"));
    super::print("\n");
    Ok(0)
}

fn leaf<'a>(n: &Node<'a>) -> &'a str {
    n.path.last().copied().unwrap_or("")
}

/// The tree of an account's folders; a `\Noselect` folder is a container.
fn tree<'a>(folders: &'a [Folder]) -> Vec<Node<'a>> {
    let split = |f: &'a Folder| -> Vec<&'a str> {
        match f.delimiter.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => f.display.split(d).collect(),
            None => vec![f.display.as_str()],
        }
    };
    let mut nodes: Vec<Node<'a>> = Vec::new();
    for f in folders {
        let path = split(f);
        // the levels above that no folder stands for
        for depth in 1..path.len() {
            let above = &path[..depth];
            let known = folders.iter().any(|g| split(g) == above) || nodes.iter().any(|n| n.path == above);
            if !known {
                nodes.push(Node { path: above.to_vec(), folder: None, container: true });
            }
        }
        nodes.push(Node { path, folder: Some(f), container: f.noselect });
    }
    let key = |n: &Node<'_>| -> (bool, Vec<String>) {
        let inbox = n.path.first().is_some_and(|p| p.eq_ignore_ascii_case("INBOX"));
        (!inbox, n.path.iter().map(|p| p.to_lowercase()).collect())
    };
    nodes.sort_by_key(|n| key(n));
    nodes
}
