//! Running the effects `update` asks for: store reads, commands to the workers, files.

use super::compose;
use crate::account::{AccountHandle, Command};

use super::readers::Readers;
use crate::app::{self, AppState, Effect, Msg};
use crate::config::AccountConfig;
use crate::model::AccountId;
use crate::store::{ListQuery, Store};
use std::sync::Arc;

/// What effects run against: the store, the workers, the accounts' settings, and the
/// writer of autosave files (none in tests).
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    pub store: &'a Store,
    pub handles: &'a [AccountHandle],
    pub accounts: &'a [AccountConfig],
    pub autosave: Option<&'a super::autosave::Autosaver>,
    /// Where work done off the UI task answers (a rendering); none in tests, which do it
    /// at once.
    pub later: Option<&'a tokio::sync::mpsc::UnboundedSender<Msg>>,
    /// What opens attachments and links (none in tests).
    pub opener: Option<&'a super::open::Opener>,
    /// Read-only connections for the store reads done off the UI task (none in tests,
    /// which read `store` at once).
    pub readers: Option<&'a Arc<Readers>>,
}

impl Env<'_> {
    pub fn send(&self, account: AccountId, cmd: Command) {
        if let Some(h) = self.handles.iter().find(|h| h.id == account) {
            h.send(cmd);
        }
    }

    pub fn account(&self, id: AccountId) -> Option<&AccountConfig> {
        let name = &self.handles.iter().find(|h| h.id == id)?.name;
        self.accounts.iter().find(|a| &a.name == name)
    }
}

/// Runs `update` and then its effects, feeding their results back in, with no account
/// settings (the tests' demo state).
#[cfg(test)]
pub(crate) fn apply(state: &mut AppState, msg: Msg, store: &Store, handles: &[crate::account::AccountHandle]) -> bool {
    apply_env(
        state,
        msg,
        Env { store, handles, accounts: &[], autosave: None, later: None, opener: None, readers: None },
    )
}

/// Runs `update` and then its effects, feeding their results back in. True when the state
/// may have changed.
pub(crate) fn apply_env(state: &mut AppState, msg: Msg, env: Env<'_>) -> bool {
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for effect in app::update(state, msg) {
            match effect {
                Effect::Send(account, cmd) => env.send(account, cmd),
                Effect::LoadList { seq, query, start, len, total } => {
                    list_read(env, &mut queue, seq, query, move |store, query, early| {
                        let mut first = |total, rows| {
                            early(Msg::ListLoaded { seq, query: query.clone(), total, start, rows, counting: true })
                        };
                        match super::lists::flat(store, &query, (start, len), total, &mut first) {
                            Ok((total, rows)) => Msg::ListLoaded { seq, query, total, start, rows, counting: false },
                            Err(e) => Msg::ListFailed { seq, query, error: list_error(&e) },
                        }
                    })
                }
                Effect::LoadThreads { seq, query, open, all_open, start, len, total } => {
                    list_read(env, &mut queue, seq, query, move |store, query, early| {
                        let mut first = |total, rows, cells| {
                            let query = query.clone();
                            early(Msg::ThreadsLoaded { seq, query, total, start, rows, cells, counting: true })
                        };
                        let shape = super::threads::Shape { open: &open, all_open, start, len, total };
                        match super::threads::window_with(store, &query, shape, &mut first) {
                            Ok((total, rows, cells)) => {
                                Msg::ThreadsLoaded { seq, query, total, start, rows, cells, counting: false }
                            }
                            Err(e) => Msg::ListFailed { seq, query, error: list_error(&e) },
                        }
                    })
                }
                Effect::SaveAttachments { raw, indexes, dir } => {
                    let saved: Result<Vec<_>, String> = indexes
                        .iter()
                        .map(|i| {
                            let (name, bytes) = crate::mime::attachment_bytes(&raw, *i).map_err(|e| e.to_string())?;
                            crate::mime::save_attachment(&dir, &name, &bytes).map_err(|e| e.to_string())
                        })
                        .collect();
                    queue.push(Msg::Saved(saved));
                }
                Effect::Act { account, targets, kind } => match targets {
                    app::state::Targets::Ids(ids) if ids.is_empty() => {}
                    app::state::Targets::Ids(ids) => env.send(account, Command::Act(kind.with_ids(ids))),
                    // each message's action goes to the worker of the account that owns it
                    app::state::Targets::Mixed(ids) => {
                        read_later(env, &mut queue, move |store| match store.owners(&ids) {
                            Ok(ids) => Msg::Resolved { kind, ids },
                            Err(e) => Msg::Failed(format!("local store: {e}")),
                        })
                    }
                    app::state::Targets::Thread { thread, query, .. } => read_later(env, &mut queue, move |store| {
                        match store.thread_message_ids(thread, &query).and_then(|ids| store.owners(&ids)) {
                            Ok(ids) => Msg::Resolved { kind, ids },
                            Err(e) => Msg::Failed(format!("local store: {e}")),
                        }
                    }),
                    app::state::Targets::Query(q) => {
                        read_later(env, &mut queue, move |store| match store.ids_by_account(&q) {
                            Ok(ids) => Msg::Resolved { kind, ids },
                            Err(e) => Msg::Failed(format!("local store: {e}")),
                        })
                    }
                },
                Effect::LoadConversation { thread, shown } => {
                    read_later(env, &mut queue, move |store| match store.conversation(thread, Some(shown)) {
                        Ok(entries) => Msg::Conversation { thread, entries: super::threads::previews(store, entries) },
                        Err(e) => Msg::Failed(format!("local store: {e}")),
                    })
                }
                Effect::SaveThreaded(lists) => {
                    if let Err(e) = super::views::save_threaded(env.store.data_dir(), &lists) {
                        queue.push(Msg::Failed(e));
                    }
                }
                Effect::SaveViews(views) => {
                    if let Err(e) = super::views::save(env.store.data_dir(), &views) {
                        queue.push(Msg::Failed(e));
                    }
                }
                Effect::CountViews(queries) => read_later(env, &mut queue, move |store| {
                    Msg::ViewCounts(queries.into_iter().map(|(i, q)| (i, store.count_unread(&q).ok())).collect())
                }),
                Effect::SelectRange { query, from, len, threads, unselect } => {
                    read_later(env, &mut queue, move |store| {
                        let ids = match &threads {
                            None => store
                                .list_window(&query, usize::MAX, from, len)
                                .map(|r| r.into_iter().map(|r| r.id).collect()),
                            Some((open, all)) => super::threads::window(store, &query, open, *all, from, len)
                                .and_then(|w| super::threads::row_ids(store, &query, w)),
                        };
                        match ids {
                            Ok(ids) => Msg::Selected { query, ids, unselect },
                            Err(e) => Msg::Failed(format!("local store: {e}")),
                        }
                    })
                }
                Effect::StartCompose { account, kind } => {
                    let cfg = env.account(account).cloned();
                    read_later(env, &mut queue, move |store| {
                        compose::start(store, cfg.as_ref(), account, kind).unwrap_or_else(Msg::Failed)
                    })
                }
                Effect::Render { id, raw, width } => match env.later {
                    Some(later) => {
                        let later = later.clone();
                        tokio::task::spawn_blocking(move || {
                            let rendered = Box::new(crate::mime::render(&raw, width));
                            let _ = later.send(Msg::Rendered { id, width, rendered });
                        });
                    }
                    None => {
                        let rendered = Box::new(crate::mime::render(&raw, width));
                        queue.push(Msg::Rendered { id, width, rendered });
                    }
                },
                Effect::SendDraft { account, draft, replaces } => {
                    queue.push(Msg::ComposeDone(compose::send(env, account, &draft, replaces)));
                }
                Effect::SaveDraft { account, draft, resumed } => {
                    queue.push(Msg::ComposeDone(compose::save_draft(env, account, &draft, resumed)));
                }
                Effect::AttachFile(path) => {
                    queue.push(Msg::Attached(crate::compose::Attachment::from_file(&path).map_err(|e| e.to_string())));
                }
                Effect::CompletePath(input) => queue.push(Msg::PathCompleted(compose::complete_path(&input))),
                Effect::Autosave { file, content } => {
                    if let Some(a) = env.autosave {
                        a.write(file, content);
                    }
                }
                // a task waits, not the UI; in tests the timer goes off at once
                Effect::Timer { after, timer } => match env.later {
                    Some(later) => {
                        let later = later.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(after).await;
                            let _ = later.send(Msg::Timer(timer));
                        });
                    }
                    None => queue.push(Msg::Timer(timer)),
                },
                Effect::DropAutosave(file) => {
                    if let Some(a) = env.autosave {
                        a.remove(file);
                    }
                }
                Effect::Reading(req) => super::reading::run(env, req, &mut queue),
                Effect::NewMail { bell, command, account, folder, count } => {
                    super::notify::new_mail(bell, command, &account, &folder, count)
                }
                Effect::CompleteAddress(prefix) => read_later(env, &mut queue, move |store| {
                    let found = store.addresses(&prefix, 1).ok().and_then(|v| v.into_iter().next());
                    Msg::AddressCompleted(prefix, found)
                }),
            }
        }
    }
    true
}

/// Why a list could not be read: a query the search language cannot read is the user's
/// to fix (said as such), anything else is the store's.
fn list_error(e: &crate::store::StoreError) -> String {
    match e {
        crate::store::StoreError::Query(q) => format!("search: {q}"),
        other => format!("local store: {other}"),
    }
}

/// Runs a store read on a blocking thread with a reader of the pool, its answer sent to
/// the loop; in tests (no loop), at once on the store.
pub(super) fn read_later(env: Env<'_>, queue: &mut Vec<Msg>, work: impl FnOnce(&Store) -> Msg + Send + 'static) {
    match (env.later, env.readers) {
        (Some(later), Some(readers)) => {
            let (later, readers) = (later.clone(), readers.clone());
            tokio::task::spawn_blocking(move || {
                let msg = readers.with(work).unwrap_or_else(|e| Msg::Failed(format!("local store: {e}")));
                let _ = later.send(msg);
            });
        }
        _ => queue.push(work(env.store)),
    }
}

/// List read `seq` (`read`: the count and a window of rows), off the UI task. A read of
/// another list still running is stopped first (its answer would be dropped anyway).
fn list_read(
    env: Env<'_>,
    queue: &mut Vec<Msg>,
    seq: u64,
    query: ListQuery,
    read: impl FnOnce(&Store, ListQuery, &mut dyn FnMut(Msg)) -> Msg + Send + 'static,
) {
    let asked = std::time::Instant::now();
    match (env.later, env.readers) {
        (Some(later), Some(readers)) => {
            readers.asked(seq);
            readers.superseded_by(seq, &query);
            let (later, readers) = (later.clone(), readers.clone());
            tokio::task::spawn_blocking(move || {
                // a burst of keys: only the last read runs
                if readers.overtaken(seq) {
                    return;
                }
                let q = query.clone();
                let filtered = query.filter.is_some();
                let mut first = true;
                let mut early = |msg: Msg| {
                    // for the benchmark (tests/bench.sh reads it from the log)
                    tracing::debug!(target: "poste::timing", filtered, "list read {} us after it was asked",
                        asked.elapsed().as_micros());
                    first = false;
                    let _ = later.send(msg);
                };
                let msg = readers
                    .list_read(seq, &q, |store| read(store, query, &mut early))
                    .unwrap_or_else(|e| Msg::ListFailed { seq, query: q, error: format!("local store: {e}") });
                if first {
                    tracing::debug!(target: "poste::timing", filtered, "list read {} us after it was asked",
                        asked.elapsed().as_micros());
                } else {
                    tracing::debug!(target: "poste::timing", filtered, "list counted {} us after it was asked",
                        asked.elapsed().as_micros());
                }
                let _ = later.send(msg);
            });
        }
        // at once: the rows come with their count, in one answer
        _ => queue.push(read(env.store, query, &mut |_| {})),
    }
}
