//! Running the effects `update` asks for: store reads, commands to the workers, files.

use super::compose;
use crate::account::{AccountHandle, Command};

use crate::app::{self, AppState, Effect, Msg};
use crate::config::AccountConfig;
use crate::store::Store;

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
}

impl Env<'_> {
    pub fn send(&self, account: i64, cmd: Command) {
        if let Some(h) = self.handles.iter().find(|h| h.id == account) {
            h.send(cmd);
        }
    }

    pub fn account(&self, id: i64) -> Option<&AccountConfig> {
        let name = &self.handles.iter().find(|h| h.id == id)?.name;
        self.accounts.iter().find(|a| &a.name == name)
    }
}

/// Runs `update` and then its effects, feeding their results back in, with no account
/// settings (the tests' demo state).
#[cfg(test)]
pub(crate) fn apply(state: &mut AppState, msg: Msg, store: &Store, handles: &[crate::account::AccountHandle]) -> bool {
    apply_env(state, msg, Env { store, handles, accounts: &[], autosave: None, later: None, opener: None })
}

/// Runs `update` and then its effects, feeding their results back in. True when the state
/// may have changed.
pub(crate) fn apply_env(state: &mut AppState, msg: Msg, env: Env<'_>) -> bool {
    let store = env.store;
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for effect in app::update(state, msg) {
            match effect {
                Effect::Send(account, cmd) => env.send(account, cmd),
                Effect::LoadList { query, start, len } => {
                    let loaded = store
                        .count(&query)
                        .and_then(|total| Ok((total, store.list_window(&query, total, start, len)?)));
                    match loaded {
                        Ok((total, rows)) => queue.push(Msg::ListLoaded { query, total, start, rows }),
                        Err(e) => queue.push(Msg::Failed(format!("local store: {e}"))),
                    }
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
                Effect::Act { account, targets, kind } => {
                    let ids = match targets {
                        app::state::Targets::Ids(ids) => Ok(ids),
                        app::state::Targets::Query(q) => store.ids(&q),
                    };
                    match ids {
                        Ok(ids) if !ids.is_empty() => env.send(account, Command::Act(kind.with_ids(ids))),
                        Ok(_) => {}
                        Err(e) => queue.push(Msg::Failed(format!("local store: {e}"))),
                    }
                }
                Effect::SelectRange { query, from, len } => match store.list_window(&query, usize::MAX, from, len) {
                    Ok(rows) => queue.push(Msg::Selected(rows.into_iter().map(|r| r.id).collect())),
                    Err(e) => queue.push(Msg::Failed(format!("local store: {e}"))),
                },
                Effect::StartCompose { account, kind } => match compose::start(env, account, kind) {
                    Ok(msg) => queue.push(msg),
                    Err(e) => queue.push(Msg::Failed(e)),
                },
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
                Effect::CompleteAddress(prefix) => {
                    let found = store.addresses(&prefix, 1).ok().and_then(|v| v.into_iter().next());
                    queue.push(Msg::AddressCompleted(prefix, found));
                }
            }
        }
    }
    true
}
