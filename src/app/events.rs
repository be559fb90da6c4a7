//! Worker events into the state: account states, folder lists, bodies, flags, the ends of
//! syncs and sends, notices and questions. Called from `update` only.

use super::navigate;
use super::render::reader_width;
use super::state::{AppState, Body, Layer, Prompt};
use super::update::Effect;
use super::views::{Virtual, has_role};
use crate::account::{Command, Event};
use crate::model::{AccountId, SpecialUse};

pub(super) fn account_name(state: &AppState, id: AccountId) -> String {
    state.account_index(id).map(|i| state.accounts[i].name.clone()).unwrap_or_default()
}

pub(super) fn worker(state: &mut AppState, e: Event, fx: &mut Vec<Effect>) {
    match e {
        Event::State { account, state: s } => {
            let mut back = false;
            if let Some(i) = state.account_index(account) {
                let was = std::mem::replace(&mut state.accounts[i].state, s);
                back = matches!(state.accounts[i].state, crate::model::AccountState::Online)
                    && !matches!(was, crate::model::AccountState::Online);
            }
            if back {
                state.account_back(account);
            }
            // a body that could not be had offline is fetched once the account is back
            if back
                && let Some(r) = &mut state.reader
                && r.account == account
                && matches!(r.body, Body::Unavailable(_))
            {
                r.body = Body::Loading;
                fx.push(Effect::Send(account, Command::Open { id: r.id, mark_seen: false }));
            }
        }
        Event::Views { views, unified } => super::views::reconfigured(state, views, unified, fx),
        Event::Config { note } => state.config_note(note),
        Event::Folders { account, folders } => {
            let keep = navigate::cursor_folder(state);
            // the account's folder in the open unified list, before these
            let joined = |state: &AppState| match state.open_virtual {
                Some(Virtual::Role(role)) if state.current.is_none() => state
                    .accounts
                    .iter()
                    .find(|a| a.id == account)
                    .and_then(|a| a.folders.iter().find(|f| has_role(f, role)))
                    .map(|f| f.id),
                _ => None,
            };
            let was = joined(state);
            if let Some(i) = state.account_index(account) {
                state.accounts[i].folders = folders;
                state.accounts[i].folders_known = true;
            }
            navigate::restore_folder_cursor(state, keep);
            super::views::count(state, fx);
            // at start, open All inboxes when there is one, else the first account's INBOX
            // (in config order, once the accounts before it are known to have no folders)
            let unified = Virtual::Role(SpecialUse::Inbox);
            let first = state.accounts.iter().take_while(|a| a.folders_known).position(|a| !a.folders.is_empty());
            let has_inbox =
                |a: &crate::app::state::AccountView| a.folders.iter().any(|f| has_role(f, SpecialUse::Inbox));
            if !state.list_open() && state.virtual_rows().contains(&unified) && state.accounts.iter().any(has_inbox) {
                super::views::open(state, unified, fx);
            } else if !state.list_open()
                && let Some(i) = first
            {
                navigate::open_account(state, i, fx);
            } else if let Some(f) = joined(state)
                && was != Some(f)
            {
                // an account whose folder of the role comes after the unified list opened
                // joins it (each later listing of the same folders changes nothing)
                fx.push(Effect::Send(account, Command::Watch(f)));
                navigate::load(state, fx);
            } else if let Some((a, f)) = state.current
                && !state.accounts.iter().any(|x| x.id == a && x.folders.iter().any(|y| y.id == f))
            {
                // the open folder is gone from the server
                state.current = None;
                state.fresh_list(None, Default::default());
                state.reader = None;
            }
        }
        Event::FolderCounts { account, folder } => {
            let came = super::newmail::counted(state, account, &folder);
            fx.extend(super::newmail::announce(state, account, &folder, came));
            if let Some(i) = state.account_index(account)
                && let Some(f) = state.accounts[i].folders.iter_mut().find(|f| f.id == folder.id)
            {
                *f = folder;
            }
        }
        Event::Changed { account, folder } => {
            if state.current.is_some_and(|c| c.1 == folder) || super::views::shows(state, folder) {
                navigate::load(state, fx);
            }
            // an open conversation spans the account's folders: read it again
            if let Some(r) = state.reader.as_ref().filter(|r| r.account == account)
                && let Some(c) = &r.conversation
                && !c.messages.is_empty()
            {
                fx.push(super::update::Effect::LoadConversation { thread: c.thread, shown: c.shown });
            }
            super::views::count(state, fx);
        }
        Event::Body { id, raw } => {
            super::reader::body_here(state, id, fx);
            super::conversation::body(state, id, &raw, fx);
            let width = reader_width(state);
            if let Some(r) = &mut state.reader
                && r.id == id
            {
                r.body = Body::Rendering { raw: raw.clone() };
                fx.push(Effect::Render { id, raw, width });
            }
        }
        Event::BodyUnavailable { id, reason, .. } => {
            super::reader::body_unavailable(state, id, &reason);
            super::conversation::unavailable(state, id, &reason, fx);
            if let Some(r) = &mut state.reader
                && r.id == id
            {
                r.body = Body::Unavailable(reason);
            }
        }
        Event::Flags { id, flags } => {
            super::views::count(state, fx);
            if let Some(s) = state.list.window.rows.iter_mut().find(|s| s.id == id) {
                s.flags = flags;
            }
            if let Some(r) = &mut state.reader
                && r.id == id
            {
                r.summary.flags = flags;
            }
            if let Some(m) = state
                .reader
                .as_mut()
                .and_then(|r| r.conversation.as_mut())
                .and_then(|c| c.messages.iter_mut().find(|m| m.summary.id == id))
            {
                m.summary.flags = flags;
            }
        }
        Event::SyncDone { account, error } => {
            let name = account_name(state, account);
            match error {
                Some(e) => state.notify_sync_failed(account, format!("{name}: {e}")),
                None => {
                    state.account_back(account);
                    state.status = Some(format!("{name}: up to date"));
                }
            }
        }
        Event::MirrorDone { account, downloaded, error, .. } => {
            let name = account_name(state, account);
            match error {
                Some(e) => state.notify(format!("{name}: the offline copy stopped: {e}")),
                None if downloaded > 0 => {
                    let n = crate::format::count_of(downloaded, "body", "bodies");
                    state.status = Some(format!("{name}: offline copy complete ({n} downloaded)"));
                }
                None => {}
            }
        }
        Event::Ask { account, question, action } => {
            let then = Box::new(Effect::Send(account, Command::Act(action)));
            state.ask(Prompt::Confirm { question, then, done: None });
        }
        Event::Pending { account, count, .. } => {
            if let Some(i) = state.account_index(account) {
                state.accounts[i].pending = count;
            }
        }
        Event::Notice { account, text } => {
            let name = account_name(state, account);
            state.notify(format!("{name}: {text}"));
        }
        Event::Outbox { account, items } => {
            if let Some(i) = state.account_index(account) {
                state.accounts[i].outbox = items;
            }
            if state.outbox_items().is_empty() {
                state.close(|l| matches!(l, Layer::Outbox { .. }));
            }
        }
        Event::SendDone { state: crate::store::outbox::OutState::Sent, .. } => {
            state.status = Some("sent".into());
        }
        Event::Interrupted { account, error } => {
            let name = account_name(state, account);
            state.notify(format!("{name}: {error}"));
        }
        Event::Indexing { account, done, total } => {
            let name = account_name(state, account);
            state.status = Some(if done >= total {
                format!("{name}: search index ready")
            } else {
                format!("{name}: indexing for search, {done} of {total}")
            });
        }
        Event::Searched { account, request, ids, server } => {
            super::views::searched(state, account, request, ids, server, fx)
        }
        Event::SendDone { .. } | Event::OutboxIdle { .. } => {}
    }
}
