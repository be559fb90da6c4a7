//! `poste list`: messages from the local store, newest first, as text or JSON lines.

use super::Loaded;
use crate::store::{ListQuery, Store};
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::io::Write;

pub fn run(
    loaded: &Loaded,
    account: Option<&str>,
    folder: Option<&str>,
    limit: Option<usize>,
    json: bool,
) -> Result<i32> {
    let store = Store::open_reader(&loaded.data_dir)?;
    let accounts = store.accounts()?;
    let chosen: Vec<(i64, String)> = match account {
        Some(n) => match accounts.iter().find(|(_, name)| name == n) {
            Some(a) => vec![a.clone()],
            None => bail!("no account named {n:?} in the local store (has it been synced?)"),
        },
        None => accounts.clone(),
    };
    // folder id → (account, folder display name)
    let mut names: HashMap<i64, (String, String)> = HashMap::new();
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
        bail!("no folder named {f:?} in the local store");
    }
    let limit = limit.unwrap_or(usize::MAX);
    let mut rows = Vec::new();
    for q in &queries {
        rows.extend(store.list(q, 0, limit)?);
    }
    rows.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    rows.truncate(limit);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for m in &rows {
        let (acct, fname) = names.get(&m.folder).cloned().unwrap_or_default();
        let r = if json {
            let v = serde_json::json!({
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
            });
            writeln!(out, "{v}")
        } else {
            let date = crate::format::list_date(m.date, chrono::Local::now(), "%Y-%m-%d");
            let mark = if m.flags.is_seen() { ' ' } else { 'N' };
            writeln!(out, "{:>7} {mark} {date:>10}  {:<24.24}  {}", m.id, m.sender(), m.subject)
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
