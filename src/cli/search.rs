//! `poste search QUERY`: messages matching a query in the search language, from the local
//! index, merged with what the server finds in folders whose bodies are not all stored.

use super::Loaded;
use crate::account::{Command, Event, ServerSearch};
use crate::model::{FolderId, MessageId, Summary};
use crate::store::{ListQuery, Store};
use anyhow::Result;
use std::collections::{HashMap, HashSet};

/// Runs a search; the rows are those of `poste list`, with account and folder shown.
pub async fn run(
    loaded: &Loaded,
    query: &str,
    account: Option<&str>,
    limit: Option<usize>,
    json: bool,
    local_only: bool,
) -> Result<i32> {
    let parsed = match crate::query::parse(query, &chrono::Local::now().fixed_offset()) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("poste: {e}\n{}", indent(&e.pointer(query)));
            return Ok(2);
        }
    };
    let store = Store::open_reader(&loaded.data_dir)?;
    let chosen = super::list::accounts(loaded, &store, account)?;
    let limit = limit.unwrap_or(usize::MAX);
    let mut names: HashMap<FolderId, (String, String)> = HashMap::new();
    let mut rows = Vec::new();
    for (id, name) in &chosen {
        for f in store.folders(*id)? {
            names.insert(f.id, (name.clone(), f.display.clone()));
        }
        let q = ListQuery { account: Some(*id), filter: Some(query.to_string()), ..Default::default() };
        rows.extend(store.list(&q, 0, limit)?);
    }
    // only words in bodies can be missed here: header terms, flags and dates are all local
    if !local_only && parsed.searches_bodies() {
        let mut seen: HashSet<MessageId> = rows.iter().map(|m| m.id).collect();
        for (id, name) in &chosen {
            let Some(acct) = loaded.config.account(name).filter(|a| a.imap.is_some()) else { continue };
            if store.folders_without_all_bodies(*id)?.is_empty() {
                continue;
            }
            let (ids, server) = ask_server(loaded, acct, query).await;
            match server {
                ServerSearch::Asked | ServerSearch::NotNeeded => {}
                ServerSearch::Offline(why) => {
                    eprintln!("poste: {name}: the server was not asked ({why}); these are the local results")
                }
                ServerSearch::Failed(why) => {
                    eprintln!("poste: {name}: the server's search failed ({why}); these are the local results")
                }
            }
            for id in ids.into_iter().filter(|id| seen.insert(*id)) {
                if let Ok(m) = store.message(id) {
                    rows.push(m.summary);
                }
            }
        }
    }
    rows.sort_by(|a: &Summary, b: &Summary| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    let more = rows.len() > limit;
    rows.truncate(limit);
    let place = |m: &Summary| {
        let (acct, folder) = names.get(&m.folder).cloned().unwrap_or_default();
        format!("{acct}/{folder}")
    };
    let rows = rows.into_iter().map(|m| super::list::Line::flat(&store, m)).collect::<Result<Vec<_>>>()?;
    let code = super::list::print_rows(loaded, &rows, &names, place, json)?;
    // the notes go to stderr: the rows on stdout stay what a script reads
    if code != 0 {
        return Ok(code);
    }
    if rows.is_empty() {
        eprintln!("poste: no message matches {}", crate::sanitize::line(query));
    } else if more {
        eprintln!("poste: more messages match than the {limit} shown (--limit N shows more)");
    }
    Ok(0)
}

/// The server's matches for a query in one account, and whether it was asked.
async fn ask_server(
    loaded: &Loaded,
    account: &crate::config::AccountConfig,
    query: &str,
) -> (Vec<MessageId>, ServerSearch) {
    let request = std::process::id() as u64;
    let cmd = Command::Search { request, query: query.to_string() };
    let answer = super::ask_worker(loaded, account, cmd, |ev| match ev {
        Event::Searched { request: r, ids, server, .. } if r == request => Some((ids, server)),
        _ => None,
    })
    .await;
    answer.unwrap_or_else(|e| (Vec::new(), ServerSearch::Failed(e.to_string())))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}
