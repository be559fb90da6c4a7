//! Changing the mailbox on the server: flags, move, copy, expunge, and folder operations.
//! Every command takes UID sets, so a bulk action is one command, not one per message.

use super::convert::uid_set;
use super::raw::{self, quote};
use super::{Connection, ImapError, Result};
use crate::model::{Flags, Uid};

fn flag_list(f: Flags) -> String {
    format!("({})", f.names().join(" "))
}

/// UID sets of at most ~8 KB each, so huge selections stay within server line limits.
fn chunks(uids: &[Uid]) -> Vec<String> {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let mut end = (start + 2000).min(sorted.len());
        let mut set = uid_set(&sorted[start..end]);
        while set.len() > 8000 && end - start > 1 {
            end = start + (end - start) / 2;
            set = uid_set(&sorted[start..end]);
        }
        out.push(set);
        start = end;
    }
    out
}

/// Adds and removes flags on `uids` (all messages when None) of `folder`.
pub async fn store_flags(
    conn: &mut Connection,
    folder: &str,
    uids: Option<&[Uid]>,
    add: Flags,
    remove: Flags,
) -> Result<()> {
    super::select::ensure(conn, folder).await?;
    let sets = match uids {
        Some(u) => chunks(u),
        None => vec!["1:*".to_string()],
    };
    for set in sets {
        if add.0 != 0 {
            raw::run(conn, &format!("UID STORE {set} +FLAGS.SILENT {}", flag_list(add))).await?;
        }
        if remove.0 != 0 {
            raw::run(conn, &format!("UID STORE {set} -FLAGS.SILENT {}", flag_list(remove))).await?;
        }
    }
    Ok(())
}

/// `UID COPY` or `UID MOVE` of `uids` to `to`, collecting COPYUID pairs.
async fn transfer(conn: &mut Connection, verb: &str, from: &str, uids: &[Uid], to: &str) -> Result<Vec<(Uid, Uid)>> {
    super::select::ensure(conn, from).await?;
    let mut pairs = Vec::new();
    for set in chunks(uids) {
        raw::run_with(conn, &format!("UID {verb} {set} {}", quote(to)), |r| {
            if let Some(p) = raw::copyuid(r) {
                pairs.extend(p);
            }
        })
        .await?;
    }
    Ok(pairs)
}

/// Copies `uids` to `to`; returns source → new UID pairs when the server reports them.
pub async fn copy(conn: &mut Connection, from: &str, uids: &[Uid], to: &str) -> Result<Vec<(Uid, Uid)>> {
    transfer(conn, "COPY", from, uids, to).await
}

/// Moves `uids` to `to`: UID MOVE when the server has MOVE, else COPY, \Deleted and
/// expunge. Returns source → new UID pairs when the server reports them. Moving UIDs
/// that are already gone is a no-op, so a retry never moves twice.
pub async fn move_to(conn: &mut Connection, from: &str, uids: &[Uid], to: &str) -> Result<Vec<(Uid, Uid)>> {
    if !conn.has("MOVE") {
        let pairs = copy(conn, from, uids, to).await?;
        match expunge(conn, from, uids, false).await {
            // the copies are made; the originals stay marked \Deleted for a later expunge
            Err(ImapError::OtherDeleted { .. }) => tracing::warn!("moved messages left marked deleted in the source"),
            r => r?,
        }
        return Ok(pairs);
    }
    transfer(conn, "MOVE", from, uids, to).await
}

/// Deletes `uids` for good: \Deleted, then UID EXPUNGE (UIDPLUS). Without UIDPLUS a plain
/// EXPUNGE would also remove other messages marked \Deleted, so it runs only when no
/// other message in the folder carries \Deleted.
pub async fn expunge(conn: &mut Connection, folder: &str, uids: &[Uid], others_too: bool) -> Result<()> {
    store_flags(conn, folder, Some(uids), Flags(Flags::DELETED), Flags(0)).await?;
    if conn.has("UIDPLUS") {
        for set in chunks(uids) {
            raw::run(conn, &format!("UID EXPUNGE {set}")).await?;
        }
        return Ok(());
    }
    let secs = conn.timeout;
    let marked = super::timed(secs, "searching deleted messages", conn.session.uid_search("DELETED")).await?;
    let others = marked.iter().filter(|u| !uids.contains(u)).count();
    if others > 0 && !others_too {
        return Err(ImapError::OtherDeleted { folder: crate::sanitize::line(folder), count: others });
    }
    raw::run(conn, "EXPUNGE").await
}

/// The UIDs in `folder` of messages with these Message-IDs (to make a retried copy safe).
pub async fn find_message_ids(conn: &mut Connection, folder: &str, ids: &[String]) -> Result<Vec<Uid>> {
    super::select::ensure(conn, folder).await?;
    let mut found = Vec::new();
    for id in ids {
        let key = format!("HEADER Message-ID {}", quote(&format!("<{id}>")));
        let secs = conn.timeout;
        found.extend(super::timed(secs, "searching by Message-ID", conn.session.uid_search(key)).await?);
    }
    Ok(found)
}

/// Appends a message to `folder` with `flags` (e.g. `(\\Seen)`).
pub async fn append(conn: &mut Connection, folder: &str, flags: &str, raw: &[u8]) -> Result<()> {
    let secs = conn.timeout;
    super::timed(secs, "appending a message", conn.session.append(folder, Some(flags), None, raw)).await
}

/// Encodes a folder name for the server (modified UTF-7).
pub fn server_name(display: &str) -> String {
    super::utf7::encode(display)
}

pub async fn create_folder(conn: &mut Connection, name: &str) -> Result<()> {
    raw::run(conn, &format!("CREATE {}", quote(name))).await?;
    raw::run(conn, &format!("SUBSCRIBE {}", quote(name))).await
}

/// Renames a folder, and moves its subscription with it (`subscribed`: it was): RENAME
/// leaves subscriptions alone (RFC 3501 6.3.9), so a subscribed folder would drop out of
/// other clients' lists, and its old name would stay subscribed.
pub async fn rename_folder(conn: &mut Connection, from: &str, to: &str, subscribed: bool) -> Result<()> {
    if conn.selected.as_deref() == Some(from) {
        conn.selected = None;
    }
    raw::run(conn, &format!("RENAME {} {}", quote(from), quote(to))).await?;
    // (a server that moved it itself answers the UNSUBSCRIBE with NO; that is fine)
    let _ = raw::run(conn, &format!("UNSUBSCRIBE {}", quote(from))).await;
    if subscribed {
        raw::run(conn, &format!("SUBSCRIBE {}", quote(to))).await?;
    }
    Ok(())
}

pub async fn delete_folder(conn: &mut Connection, name: &str) -> Result<()> {
    if conn.selected.as_deref() == Some(name) {
        // a folder cannot be deleted while selected on some servers
        let _ = raw::run(conn, "UNSELECT").await;
        conn.selected = None;
    }
    raw::run(conn, &format!("DELETE {}", quote(name))).await
}

pub async fn subscribe(conn: &mut Connection, name: &str, on: bool) -> Result<()> {
    let verb = if on { "SUBSCRIBE" } else { "UNSUBSCRIBE" };
    raw::run(conn, &format!("{verb} {}", quote(name))).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn big_selections_split_into_bounded_sets() {
        let uids: Vec<u32> = (1..=10_000).map(|i| i * 2).collect();
        let sets = super::chunks(&uids);
        assert!(sets.len() > 1);
        assert!(sets.iter().all(|s| s.len() <= 8000));
        let contiguous: Vec<u32> = (1..=10_000).collect();
        assert_eq!(super::chunks(&contiguous), vec!["1:2000", "2001:4000", "4001:6000", "6001:8000", "8001:10000"]);
    }
}
