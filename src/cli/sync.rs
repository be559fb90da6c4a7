//! `poste sync`: headers of every folder of the chosen IMAP accounts (then the bodies their
//! `offline` settings keep), and the new mail of the chosen POP3 accounts, with progress on
//! stderr.

use super::{Loaded, select_accounts};
use crate::account::{Command, Event};
use crate::model::{AccountId, AccountState};
use anyhow::Result;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;

pub async fn run(loaded: &Loaded, account: Option<&str>, folder: Option<&str>) -> Result<i32> {
    let accounts = select_accounts(&loaded.config, account)?;
    if accounts.is_empty() {
        eprintln!("no accounts in {}", loaded.path.display());
        return Ok(1);
    }
    let mut inst = super::instance(loaded)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut handles = Vec::new();
    for a in &accounts {
        let h = inst.start(a, tx.clone()).await?;
        match folder {
            None => h.send(Command::Sync { first: None }),
            Some(name) => {
                let store = crate::store::Store::open_reader(&loaded.data_dir)?;
                let Some(f) = store.find_folder(h.id, name)? else {
                    anyhow::bail!(
                        "account {} has no folder {name:?} in the local store; run `poste sync` first",
                        a.name
                    );
                };
                h.send(Command::SyncFolder(f.id))
            }
        };
        handles.push(h);
    }
    drop(tx);
    let names: HashMap<AccountId, String> = handles.iter().map(|h| (h.id, h.name.clone())).collect();
    let tty = std::io::stderr().is_terminal();
    let multi = MultiProgress::new();
    let bars: HashMap<AccountId, ProgressBar> = if tty {
        let style = ProgressStyle::with_template("{prefix:.bold} {wide_bar} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        names
            .iter()
            .map(|(id, n)| {
                let b = multi.add(ProgressBar::new(0).with_style(style.clone()).with_prefix(n.clone()));
                (*id, b)
            })
            .collect()
    } else {
        HashMap::new()
    };
    // the accounts whose sync (and then Outbox) is still to come
    let mut pending: std::collections::HashSet<AccountId> = handles.iter().map(|h| h.id).collect();
    let mut last_line: HashMap<AccountId, (u64, u64)> = HashMap::new();
    let smtp: std::collections::HashSet<AccountId> = handles
        .iter()
        .filter(|h| accounts.iter().any(|a| a.name == h.name && a.smtp.is_some()))
        .map(|h| h.id)
        .collect();
    let mut outbox_wait = std::collections::HashSet::new();
    // the accounts whose offline mirror follows their sync
    let mirrors: std::collections::HashSet<AccountId> = handles
        .iter()
        .filter(|h| accounts.iter().any(|a| a.name == h.name && a.imap.as_ref().is_some_and(|i| i.mirrors())))
        .map(|h| h.id)
        .collect();
    let mut mirror_wait = std::collections::HashSet::new();
    let mut failures = Vec::new();
    while !pending.is_empty() {
        let Some(ev) = rx.recv().await else { break };
        match ev {
            Event::State { account, state: AccountState::Syncing { folder, done, total } } => {
                let name = &names[&account];
                match bars.get(&account) {
                    Some(b) => {
                        b.set_length(total);
                        b.set_position(done);
                        b.set_message(crate::sanitize::line(&folder));
                    }
                    None => eprintln!("{name}: {} {done}/{total}", crate::sanitize::line(&folder)),
                }
            }
            Event::State { account, state: AccountState::Downloading { done, total, bytes } } => {
                let line = crate::format::download_progress(done, total, bytes);
                match bars.get(&account) {
                    Some(b) => {
                        b.set_length(total);
                        b.set_position(done);
                        b.set_message(line);
                    }
                    // a line per 25 messages or 4 MB is enough for a log
                    None if done == total || last_line.get(&account) != Some(&(done / 25, bytes >> 22)) => {
                        last_line.insert(account, (done / 25, bytes >> 22));
                        eprintln!("{}: {line}", names[&account]);
                    }
                    None => {}
                }
            }
            Event::Notice { account, text } => {
                let line = format!("{}: {}", names[&account], text);
                if tty {
                    multi.println(line).ok();
                } else {
                    eprintln!("{line}")
                }
            }
            Event::Indexing { account, done, total } if done >= total || done % 5000 < 200 => {
                let line = format!("{}: search index {done}/{total}", names[&account]);
                if tty {
                    multi.println(line).ok();
                } else {
                    eprintln!("{line}")
                }
            }
            // (the mirror may still be downloading)
            Event::OutboxIdle { account } if outbox_wait.remove(&account) && !mirror_wait.contains(&account) => {
                pending.remove(&account);
            }
            Event::MirrorDone { account, folder: None, downloaded, missing, error } if mirror_wait.remove(&account) => {
                if !outbox_wait.contains(&account) {
                    pending.remove(&account);
                }
                let name = &names[&account];
                if let Some(b) = bars.get(&account) {
                    b.finish_with_message(if error.is_some() { "failed" } else { "done" });
                }
                let n = crate::format::count_of(downloaded, "body", "bodies");
                match error {
                    Some(e) => failures.push(format!(
                        "poste: account {name}: the offline copy stopped after {n}, {} still to download: {e}",
                        missing.len()
                    )),
                    None if !tty && downloaded > 0 => eprintln!("{name}: offline copy complete ({n} downloaded)"),
                    None if !tty => eprintln!("{name}: offline copy complete"),
                    None => {}
                }
            }
            Event::Interrupted { account, error } if pending.remove(&account) => {
                // whatever this account still owed (its sync, its Outbox, its mirror) is cut off
                outbox_wait.remove(&account);
                mirror_wait.remove(&account);
                if let Some(b) = bars.get(&account) {
                    b.finish_with_message("failed");
                }
                failures.push(format!("poste: account {}: {error}", names[&account]));
            }
            Event::SyncDone { account, error }
                if pending.contains(&account) && !outbox_wait.contains(&account) && !mirror_wait.contains(&account) =>
            {
                // a good sync is followed by a try of the Outbox and by the offline mirror:
                // wait for them too
                let outbox = error.is_none() && smtp.contains(&account) && outbox_wait.insert(account);
                let mirror = error.is_none() && mirrors.contains(&account) && mirror_wait.insert(account);
                if !outbox && !mirror {
                    pending.remove(&account);
                }
                let name = &names[&account];
                if let Some(b) = bars.get(&account) {
                    if mirror {
                        b.set_message("bodies…");
                    } else {
                        b.finish_with_message(if error.is_some() { "failed" } else { "done" });
                    }
                }
                match error {
                    Some(e) => failures.push(format!("poste: account {name}: {e}")),
                    None if !tty => eprintln!("{name}: synced"),
                    None => {}
                }
            }
            _ => {}
        }
    }
    // those that handed their work to this process finish first
    inst.close().await;
    for h in handles {
        h.shutdown().await;
    }
    for f in &failures {
        eprintln!("{f}");
    }
    Ok(if failures.is_empty() { 0 } else { 1 })
}
