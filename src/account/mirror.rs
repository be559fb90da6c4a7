//! The offline mirror of an IMAP account, on the worker's side: which bodies to download
//! (the `offline` modes and the `offline_max_size` budget, newest first), starting the
//! download task after a sync, storing what it brings, and reporting progress.

use super::Event;
use super::mirror_task::{self, Bodies, FolderWork};
use super::sync_task::{Failure, Retry};
use super::worker::Worker;
use crate::config::{ImapConfig, Offline};
use crate::model::{AccountState, Folder, FolderId, MessageId, SpecialUse};
use crate::store::MirrorCandidate;
use std::collections::{HashMap, HashSet};
use tokio::sync::oneshot;
use tokio::time::Instant;

/// What a mirror run downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MirrorScope {
    /// What the account's `offline` settings keep.
    Policy,
    /// Every missing body of one folder, whatever the settings (an export).
    Folder(FolderId),
}

/// A mirror run under way.
pub(super) struct MirrorRun {
    scope: MirrorScope,
    task: tokio::task::JoinHandle<()>,
    /// The messages still to download.
    left: HashSet<MessageId>,
    total: u64,
    done: u64,
    bytes: u64,
}

/// The bodies the settings keep and the store lacks, by folder (the Inbox first, then the
/// folders in the order of their newest message), newest first. `candidates` are newest
/// first; the budget counts the bodies kept already too, and stops at the first message
/// that does not fit.
pub(super) fn plan(candidates: &[MirrorCandidate], folders: &[Folder], cfg: &ImapConfig, now: i64) -> Vec<FolderWork> {
    let modes: HashMap<FolderId, Offline> =
        folders.iter().filter(|f| !f.noselect).map(|f| (f.id, cfg.offline_for(&f.display))).collect();
    let budget = cfg.offline_max_size.map(|b| b.0);
    let mut used = 0u64;
    let kept = candidates.iter().filter(|c| modes.get(&c.folder).is_some_and(|m| m.keeps(c.date, now)));
    let mut wanted = Vec::new();
    for c in kept {
        used += c.size;
        if budget.is_some_and(|b| used > b) {
            break;
        }
        if !c.cached {
            wanted.push(c);
        }
    }
    group(wanted, folders)
}

/// Every body of one folder that the store lacks, newest first.
fn whole_folder(candidates: &[MirrorCandidate], folders: &[Folder]) -> Vec<FolderWork> {
    group(candidates.iter().filter(|c| !c.cached).collect(), folders)
}

fn group(wanted: Vec<&MirrorCandidate>, folders: &[Folder]) -> Vec<FolderWork> {
    let mut out: Vec<FolderWork> = Vec::new();
    for c in wanted {
        let item = (c.id, c.uid, c.size);
        match out.iter_mut().find(|w| w.folder.id == c.folder) {
            Some(w) => w.items.push(item),
            None => {
                let Some(folder) = folders.iter().find(|f| f.id == c.folder) else { continue };
                out.push(FolderWork { folder: folder.clone(), uidvalidity: None, items: vec![item] });
            }
        }
    }
    out.sort_by_key(|w| w.folder.special_use != Some(SpecialUse::Inbox));
    out
}

impl Worker {
    /// Asks for a mirror run: now, or after the one under way.
    pub(super) fn mirror_due(&mut self, scope: MirrorScope) {
        if self.imap.is_none() || self.login_refused.is_some() {
            return self.mirror_done(scope, 0, Vec::new(), self.login_refused.clone());
        }
        if self.mirror.is_some() {
            if !self.mirror_queue.contains(&scope) {
                self.mirror_queue.push_back(scope);
            }
            return;
        }
        if let Err(e) = self.start_mirror(scope) {
            self.mirror_done(scope, 0, Vec::new(), Some(format!("local store: {e}")));
        }
    }

    fn start_mirror(&mut self, scope: MirrorScope) -> Result<(), crate::store::StoreError> {
        let (Some(cfg), Some(pw)) = (self.imap.clone(), self.password.clone()) else { return Ok(()) };
        let folders = self.store.folders(self.id)?;
        let mut work = match scope {
            MirrorScope::Policy if !cfg.mirrors() => Vec::new(),
            MirrorScope::Policy => {
                let candidates = self.store.mirror_candidates(self.id, None)?;
                plan(&candidates, &folders, &cfg, super::worker::clock_now())
            }
            MirrorScope::Folder(f) => whole_folder(&self.store.mirror_candidates(self.id, Some(f))?, &folders),
        };
        for w in &mut work {
            w.uidvalidity = self.store.sync_state(w.folder.id)?.uidvalidity;
        }
        let left: HashSet<MessageId> = work.iter().flat_map(|w| w.items.iter().map(|i| i.0)).collect();
        if left.is_empty() {
            self.mirror_done(scope, 0, Vec::new(), None);
            return Ok(());
        }
        let total = left.len() as u64;
        tracing::info!(account = self.id.0, total, ?scope, "downloading bodies for the offline mirror");
        self.state(AccountState::Downloading { done: 0, total, bytes: 0 });
        let ops = self.ops_tx.clone();
        let task = super::handle::spawn_guarded(mirror_task::run(cfg, pw, work, ops.clone()), move |e| {
            let _ = ops.send(super::sync_task::StoreOp::MirrorEnd(Some(Failure::never(e))));
        });
        self.mirror = Some(MirrorRun { scope, task, left, total, done: 0, bytes: 0 });
        Ok(())
    }

    /// Stores a downloaded batch (the task waits for the answer before it sends the next,
    /// and stops when it is an error).
    pub(super) fn mirror_bodies(
        &mut self,
        folder: FolderId,
        asked: usize,
        bodies: Bodies,
        reply: oneshot::Sender<Result<(), String>>,
    ) {
        let items: Vec<(MessageId, crate::model::Uid, &[u8])> =
            bodies.iter().map(|(id, uid, raw)| (*id, *uid, raw.as_slice())).collect();
        let stored = self.store.store_bodies(&items);
        // (a store that cannot take them, a full disk say, stops the downloads)
        let _ = reply.send(stored.as_ref().map(|_| ()).map_err(|e| format!("local store: {e}")));
        if let Err(e) = &stored {
            tracing::error!(error = %e, "cannot store downloaded bodies");
        }
        let Some(run) = self.mirror.as_mut() else { return };
        if let Ok(stored) = stored {
            for (id, _) in &stored {
                run.left.remove(id);
            }
            run.bytes += bodies.iter().map(|(_, _, raw)| raw.len() as u64).sum::<u64>();
        }
        // a message the server no longer has counts as done: the next sync removes it
        run.done = (run.done + asked as u64).min(run.total);
        let state = AccountState::Downloading { done: run.done, total: run.total, bytes: run.bytes };
        self.state(state);
        self.emit(Event::Changed { account: self.id, folder });
    }

    /// The download task ended: report, and start what was asked for meanwhile.
    pub(super) fn mirror_end(&mut self, failure: Option<Failure>) {
        let Some(run) = self.mirror.take() else { return };
        let downloaded = run.total - run.left.len() as u64;
        let mut missing: Vec<MessageId> =
            run.left.into_iter().filter(|id| self.store.message(*id).is_ok_and(|m| m.path.is_none())).collect();
        missing.sort_unstable();
        match &failure {
            None => {
                if self.online {
                    self.state(AccountState::Online);
                }
            }
            Some(f) => {
                tracing::warn!(account = self.id.0, error = %f.text, "the offline mirror stopped");
                match f.retry {
                    Retry::WhenAsked => self.login_refused(f.text.clone()),
                    Retry::Later => {
                        // the next sync (after the usual backoff) takes it up again
                        self.online = false;
                        self.state(AccountState::Offline(f.text.clone()));
                        if !self.syncing && self.retry_at.is_none() {
                            self.retry_at = Some(Instant::now() + super::worker::jitter(self.backoff));
                        }
                    }
                    Retry::Never => self.state(if self.online {
                        AccountState::Online
                    } else {
                        AccountState::Offline(f.text.clone())
                    }),
                }
            }
        }
        self.mirror_done(run.scope, downloaded, missing, failure.map(|f| f.text));
        if let Some(next) = self.mirror_queue.pop_front() {
            self.mirror_due(next);
        }
    }

    /// Tells of a finished run; a run of the settings is finished only when no other is
    /// waiting to follow it.
    fn mirror_done(&mut self, scope: MirrorScope, downloaded: u64, missing: Vec<MessageId>, error: Option<String>) {
        if scope == MirrorScope::Policy && error.is_none() && self.mirror_queue.contains(&MirrorScope::Policy) {
            return;
        }
        let folder = match scope {
            MirrorScope::Policy => None,
            MirrorScope::Folder(f) => Some(f),
        };
        self.emit(Event::MirrorDone { account: self.id, folder, downloaded, missing, error });
    }

    /// Stops the run under way and forgets those asked for: the worker stops, or (`why`)
    /// the login was refused, which each of them is told.
    pub(super) fn stop_mirror(&mut self, why: Option<&str>) {
        let mut stopped: Vec<MirrorScope> = self.mirror_queue.drain(..).collect();
        if let Some(run) = self.mirror.take() {
            run.task.abort();
            stopped.insert(0, run.scope);
        }
        if let Some(why) = why {
            for scope in stopped {
                self.mirror_done(scope, 0, Vec::new(), Some(why.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ByteSize;
    use crate::model::AccountId;

    fn folder(id: FolderId, display: &str) -> Folder {
        Folder {
            id,
            account: AccountId(1),
            name: display.into(),
            display: display.into(),
            delimiter: Some("/".into()),
            special_use: (display == "INBOX").then_some(SpecialUse::Inbox),
            unread: 0,
            total: 0,
            subscribed: true,
            noselect: false,
        }
    }

    fn cfg(extra: &str) -> ImapConfig {
        let text = format!(
            "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprotocol = \"imap\"\n[accounts.imap]\nhost = \"h\"\n\
             username = \"u\"\npassword = \"p\"\n{extra}"
        );
        let c = crate::config::Config::parse(&text, std::path::Path::new("/c.toml")).unwrap();
        c.accounts[0].imap.clone().unwrap()
    }

    const DAY: i64 = 86_400;
    const NOW: i64 = 1000 * DAY;

    /// Newest first: message i is i days old, 1000 bytes, in folder 1 (even) or 2 (odd).
    fn candidates(n: i64) -> Vec<MirrorCandidate> {
        (0..n)
            .map(|i| MirrorCandidate {
                id: MessageId(i),
                folder: FolderId(1 + i % 2),
                uid: i as u32 + 1,
                size: 1000,
                date: NOW - i * DAY,
                cached: i == 3,
            })
            .collect()
    }

    fn ids(work: &[FolderWork]) -> Vec<(String, Vec<i64>)> {
        work.iter().map(|w| (w.folder.display.clone(), w.items.iter().map(|i| i.0.0).collect())).collect()
    }

    #[test]
    fn all_keeps_everything_missing_inbox_first() {
        let folders = [folder(FolderId(2), "Archive"), folder(FolderId(1), "INBOX")];
        let work = plan(&candidates(6), &folders, &cfg("offline = \"all\"\n"), NOW);
        assert_eq!(ids(&work), vec![("INBOX".into(), vec![0, 2, 4]), ("Archive".into(), vec![1, 5])]);
        assert!(plan(&candidates(6), &folders, &cfg(""), NOW).is_empty(), "\"opened\" downloads nothing");
    }

    #[test]
    fn recent_and_per_folder_modes() {
        let folders = [folder(FolderId(1), "INBOX"), folder(FolderId(2), "Archive")];
        let c = cfg("offline = \"recent:2d\"\n[accounts.imap.folders.Archive]\noffline = \"all\"\n");
        let work = plan(&candidates(8), &folders, &c, NOW);
        assert_eq!(ids(&work), vec![("INBOX".into(), vec![0, 2]), ("Archive".into(), vec![1, 5, 7])]);
    }

    #[test]
    fn the_budget_keeps_the_newest_and_counts_what_is_kept() {
        let folders = [folder(FolderId(1), "INBOX"), folder(FolderId(2), "Archive")];
        let c = cfg("offline = \"all\"\noffline_max_size = 5000\n");
        assert_eq!(c.offline_max_size, Some(ByteSize(5000)));
        // 0..=4 fit (3 is on disk already and counts), 5 does not
        let work = plan(&candidates(8), &folders, &c, NOW);
        assert_eq!(ids(&work), vec![("INBOX".into(), vec![0, 2, 4]), ("Archive".into(), vec![1])]);
    }
}
