//! `poste list`: messages from the local store, newest first (or by conversation, the
//! latest activity first, drawn as trees), as text (columns padded by display width) or
//! JSON lines.

use super::Loaded;
use crate::model::{AccountId, FolderId};
use crate::store::{ListQuery, Store};
use crate::width::fit;
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

/// How to list: how many, as JSON, by thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct How {
    pub limit: Option<usize>,
    pub json: bool,
    pub threads: bool,
}

/// One line: a message, its thread, and where it stands in the thread's tree.
pub(super) struct Line {
    pub m: crate::model::Summary,
    pub thread: Option<crate::model::ThreadId>,
    /// Its depth in the tree of a threaded list (`--threads`); `None` in a flat one.
    pub depth: Option<usize>,
    pub glyphs: String,
}

impl Line {
    /// A message outside any tree (a flat list), with its thread.
    pub(super) fn flat(store: &Store, m: crate::model::Summary) -> Result<Line> {
        Ok(Line { thread: store.thread_of(m.id)?, m, depth: None, glyphs: String::new() })
    }
}

pub fn run(loaded: &Loaded, account: Option<&str>, folder: Option<&str>, how: How) -> Result<i32> {
    let How { limit, json, threads } = how;
    let store = Store::open_reader(&loaded.data_dir)?;
    let chosen = accounts(loaded, &store, account)?;
    // folder id → (account, folder display name)
    let mut names: HashMap<FolderId, (String, String)> = HashMap::new();
    let mut queries = Vec::new();
    for (id, name) in &chosen {
        let folders = store.folders(*id)?;
        for f in &folders {
            names.insert(f.id, (name.clone(), f.display.clone()));
        }
        match folder {
            Some(fname) => {
                if let Some(f) = store.find_folder(*id, fname)? {
                    queries.push(ListQuery { folder: Some(f.id), ..Default::default() });
                }
            }
            None => queries.push(ListQuery { account: Some(*id), ..Default::default() }),
        }
    }
    if let (Some(f), true) = (folder, queries.is_empty()) {
        let mut known: Vec<String> = Vec::new();
        for (id, _) in &chosen {
            known.extend(store.folders(*id)?.into_iter().filter(|f| !f.noselect).map(|f| f.display));
        }
        known.sort();
        known.dedup();
        bail!("no folder named {f:?} in the local store (folders: {})", known.join(", "));
    }
    let limit = limit.unwrap_or(usize::MAX);
    let rows = if threads { threaded(&store, &queries, limit)? } else { flat(&store, &queries, limit)? };
    // without --folder every folder is listed (hiding all but the INBOXes would hide mail
    // the command was asked for), so each line says where it is; with --folder, only which
    // account when there are several
    let place = |m: &crate::model::Summary| -> String {
        let (acct, fname) = names.get(&m.folder).cloned().unwrap_or_default();
        match (folder, chosen.len()) {
            (None, _) => format!("{acct}/{fname}"),
            (Some(_), 1) => String::new(),
            (Some(_), _) => acct,
        }
    };
    print_rows(loaded, &rows, &names, place, json)
}

/// The accounts a command reads: the one named (it must be in the config and the
/// store), else every account in the store.
pub(super) fn accounts(loaded: &Loaded, store: &Store, account: Option<&str>) -> Result<Vec<(AccountId, String)>> {
    let accounts = store.accounts()?;
    Ok(match account {
        Some(n) => match accounts.iter().find(|(_, name)| name == n) {
            Some(a) => vec![a.clone()],
            None if loaded.config.accounts.iter().any(|a| a.name == n) => {
                bail!("account {n} has nothing in the local store yet: run `poste sync --account {n}` first")
            }
            None => {
                let names: Vec<_> = loaded.config.accounts.iter().map(|a| a.name.as_str()).collect();
                bail!("no account named {n:?} in the config (accounts: {})", names.join(", "))
            }
        },
        None => accounts,
    })
}

/// Prints messages as `poste list` does: a line each with `place` (where it is) in a
/// column, or a JSON object each; `names` maps folder ids to (account, folder).
pub(super) fn print_rows(
    loaded: &Loaded,
    rows: &[Line],
    names: &HashMap<FolderId, (String, String)>,
    place: impl Fn(&crate::model::Summary) -> String,
    json: bool,
) -> Result<i32> {
    let place_width = rows.iter().map(|l| place(&l.m).width()).max().unwrap_or(0).min(24);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let now = chrono::Local::now();
    for Line { m, thread, depth, glyphs } in rows {
        let r = if json {
            let (acct, fname) = names.get(&m.folder).cloned().unwrap_or_default();
            let mut v = serde_json::json!({
                "id": m.id,
                "account": acct,
                "folder": fname,
                "uid": m.uid,
                "date": crate::format::rfc3339(m.date),
                "from": if m.from_name.is_empty() { m.from_addr.clone() } else { format!("{} <{}>", m.from_name, m.from_addr) },
                "to": m.to,
                "subject": m.subject,
                "flags": m.flags.names(),
                "size": m.size,
                "has_attachments": m.has_attachments,
                "thread": thread,
            });
            if let (Some(d), Some(o)) = (depth, v.as_object_mut()) {
                o.insert("depth".into(), (*d).into());
            }
            writeln!(out, "{v}")
        } else {
            let date = crate::format::list_date(m.date, now, &loaded.config.ui.date_format);
            let place = match place_width {
                0 => String::new(),
                w => format!("{}  ", fit(&place(m), w)),
            };
            let date = format!("{}{date}", " ".repeat(10usize.saturating_sub(date.width())));
            let sender = fit(m.sender(), 24);
            let line =
                format!("{:>7} {} {date}  {place}{sender}  {glyphs}{}", m.id, crate::format::marks(m), m.subject);
            writeln!(out, "{}", line.trim_end())
        };
        if let Err(e) = r {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(0);
            }
            return Err(e.into());
        }
    }
    out.flush().ok();
    Ok(0)
}

/// The newest messages of the queries, each with its thread.
fn flat(store: &Store, queries: &[ListQuery], limit: usize) -> Result<Vec<Line>> {
    let mut rows = Vec::new();
    for q in queries {
        rows.extend(store.list(q, 0, limit)?);
    }
    rows.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    rows.truncate(limit);
    rows.into_iter().map(|m| Line::flat(store, m)).collect()
}

/// The threads with the latest activity, each as its tree of the messages the query has.
fn threaded(store: &Store, queries: &[ListQuery], limit: usize) -> Result<Vec<Line>> {
    let mut heads = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        heads.extend(store.thread_window(q, 0, limit)?.into_iter().map(|t| (i, t)));
    }
    heads.sort_by(|(_, a), (_, b)| b.latest.cmp(&a.latest).then(b.thread.cmp(&a.thread)));
    heads.truncate(limit);
    let mut lines = Vec::new();
    for (i, head) in heads {
        for e in store.thread_tree(head.thread, &queries[i])? {
            let glyphs = e.glyphs();
            lines.push(Line { m: e.summary, thread: Some(head.thread), depth: Some(e.depth), glyphs });
        }
    }
    Ok(lines)
}
