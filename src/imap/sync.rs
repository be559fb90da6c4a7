//! Headers-first folder sync (newest first, in batches, one transaction each) and body fetches.

use super::convert::{flags_of, new_message, uid_set};
use super::{Connection, ImapError, Result, timed};
use crate::model::{Flags, Folder, FolderId, NewMessage, Uid};
use crate::store::Store;
use crate::store::folders::SyncState;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::HashMap;

/// The first batch is small so the first screen fills at once; later ones are larger.
const FIRST_BATCH: usize = 200;
const BATCH: usize = 10000;

const HEADER_ITEMS: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE \
     BODY.PEEK[HEADER.FIELDS (REFERENCES)])";
/// For a batch holding a body structure nested too deep to parse: the attachment flag
/// comes from the Content-Type header instead.
const FLAT_HEADER_ITEMS: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE \
     BODY.PEEK[HEADER.FIELDS (REFERENCES CONTENT-TYPE)])";

/// Progress of one folder's sync, reported after every stored batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncProgress {
    pub folder: crate::model::FolderId,
    pub done: u64,
    pub total: u64,
}

/// What a folder sync changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncOutcome {
    pub new: usize,
    pub removed: usize,
    pub flags_changed: usize,
    /// The folder's UIDVALIDITY changed, so its cache was dropped and rebuilt.
    pub rebuilt: bool,
}

/// `UID FETCH set (UID FLAGS)`, optionally only what changed since a mod-sequence.
async fn fetch_flags(conn: &mut Connection, set: &str, since: Option<u64>, secs: u64) -> Result<Vec<(Uid, Flags)>> {
    let items = match since {
        Some(m) => format!("(UID FLAGS) (CHANGEDSINCE {m})"),
        None => "(UID FLAGS)".to_string(),
    };
    let mut out = Vec::new();
    let mut stream = conn.session.uid_fetch(set, items).await?;
    while let Some(f) = next(&mut stream, secs).await? {
        if let Some(uid) = f.uid {
            out.push((uid, flags_of(&f)));
        }
    }
    Ok(out)
}

/// Next item of a FETCH stream. The connection's guard times out silence, not the whole
/// response, so a large message at a slow rate still arrives.
async fn next<S>(stream: &mut S, secs: u64) -> Result<Option<async_imap::types::Fetch>>
where
    S: futures::Stream<Item = async_imap::error::Result<async_imap::types::Fetch>> + Unpin,
{
    timed(secs, "waiting for FETCH data", async { stream.next().await.transpose() }).await
}

/// The summaries of the messages in `set` (UIDs when `by_uid`, else sequence numbers).
async fn headers(conn: &mut Connection, set: &str, by_uid: bool, items: &str) -> Result<Vec<NewMessage>> {
    let secs = conn.timeout;
    let mut stream: BoxStream<'_, async_imap::error::Result<async_imap::types::Fetch>> = if by_uid {
        Box::pin(conn.session.uid_fetch(set, items).await?)
    } else {
        Box::pin(conn.session.fetch(set, items).await?)
    };
    let mut out = Vec::new();
    while let Some(f) = next(&mut stream, secs).await? {
        out.extend(new_message(&f));
    }
    Ok(out)
}

/// Like `headers`, for a batch of a sync. A body structure nested too deep for the parser
/// (any sender can make one) breaks the connection: then a new one fetches the batch
/// without body structures, so the folder still syncs.
async fn fetch_headers(conn: &mut Connection, folder: &Folder, set: &str, by_uid: bool) -> Result<Vec<NewMessage>> {
    match headers(conn, set, by_uid, HEADER_ITEMS).await {
        Err(ImapError::TooDeep(depth)) => {
            tracing::warn!(folder = %folder.display, depth, "a body structure nests too deep; fetching the batch without");
            conn.reopen().await?;
            super::select::ensure(conn, &folder.name).await?;
            headers(conn, set, by_uid, FLAT_HEADER_ITEMS).await
        }
        r => r,
    }
}

/// Where a sync puts what it learns. The account worker applies these to the store in
/// order (it is the store's single writer); `Store` implements it directly for tools and tests.
pub trait SyncSink {
    /// Drops the folder's cache (UIDVALIDITY changed).
    fn reset(&mut self, folder: FolderId) -> Result<()>;
    fn remove(&mut self, folder: FolderId, uids: Vec<Uid>) -> Result<()>;
    fn update_flags(&mut self, folder: FolderId, changes: Vec<(Uid, Flags)>) -> Result<()>;
    /// A batch of new headers, with how far the folder's sync has come.
    fn insert(&mut self, folder: FolderId, batch: Vec<NewMessage>, progress: SyncProgress) -> Result<()>;
    fn finish(&mut self, folder: FolderId, state: SyncState, exists: u32) -> Result<()>;
    /// A signal for when everything sent so far has been applied; `None` when it already
    /// has (a sink that writes as it is called).
    fn applied(&mut self) -> Option<tokio::sync::oneshot::Receiver<()>> {
        None
    }
}

/// At most this many fetched batches wait to be stored at once: a store slower than the
/// server holds the fetch back, rather than the headers piling up in memory.
const IN_FLIGHT: usize = 2;

/// The batches a sync has sent and the sink has not yet applied.
#[derive(Default)]
struct Flow(std::collections::VecDeque<tokio::sync::oneshot::Receiver<()>>);

impl Flow {
    /// A batch was sent: waits while more than `IN_FLIGHT` are still to be applied.
    async fn sent(&mut self, sink: &mut (dyn SyncSink + Send)) -> Result<()> {
        if let Some(rx) = sink.applied() {
            self.0.push_back(rx);
        }
        while self.0.len() > IN_FLIGHT {
            if let Some(rx) = self.0.pop_front() {
                rx.await.map_err(|_| ImapError::WorkerGone)?;
            }
        }
        Ok(())
    }
}

impl SyncSink for Store {
    fn reset(&mut self, folder: FolderId) -> Result<()> {
        Ok(self.reset_folder(folder)?)
    }
    fn remove(&mut self, folder: FolderId, uids: Vec<Uid>) -> Result<()> {
        Ok(self.remove_uids(folder, &uids)?)
    }
    fn update_flags(&mut self, folder: FolderId, changes: Vec<(Uid, Flags)>) -> Result<()> {
        Ok(Store::update_flags(self, folder, &changes)?)
    }
    fn insert(&mut self, folder: FolderId, batch: Vec<NewMessage>, _: SyncProgress) -> Result<()> {
        Ok(self.insert_messages(folder, &batch)?)
    }
    fn finish(&mut self, folder: FolderId, state: SyncState, exists: u32) -> Result<()> {
        self.set_sync_state(folder, state)?;
        let unread = self.folder(folder)?.unread;
        Ok(self.set_server_counts(folder, exists, unread)?)
    }
}

/// What the store held for a folder when its sync began.
#[derive(Debug, Clone, Default)]
pub struct LocalState {
    pub sync: SyncState,
    pub flags: HashMap<Uid, Flags>,
}

/// Brings one folder's headers and flags up to date with the server: with QRESYNC an
/// unchanged folder costs one round trip; with CONDSTORE only changed flags and a UID list
/// travel; otherwise every UID with its flags.
pub async fn sync_folder(
    conn: &mut Connection,
    sink: &mut (dyn SyncSink + Send),
    folder: &Folder,
    local: LocalState,
) -> Result<SyncOutcome> {
    let secs = conn.timeout;
    let mut out = SyncOutcome::default();
    let old = local.sync;
    let mut local = local.flags;
    let sel = super::select::select(conn, &folder.name, &old).await?;
    let mut fresh = old;
    if let (Some(old_v), Some(new_v)) = (old.uidvalidity, sel.uidvalidity)
        && old_v != new_v
    {
        tracing::info!(folder = %folder.display, old_v, new_v, "UIDVALIDITY changed; rebuilding");
        sink.reset(folder.id)?;
        local.clear();
        fresh = SyncState::default();
        out.rebuilt = true;
    }

    // 0. a folder never synced: headers by sequence number from the top, with no separate
    //    UID listing (no UID command runs in between, so the numbers cannot shift)
    if local.is_empty() && sel.exists > 0 && !sel.resynced {
        out.new = initial_fetch(conn, sink, folder, sel.exists).await?;
        let state = SyncState { uidvalidity: sel.uidvalidity, uidnext: sel.uidnext, highestmodseq: sel.highestmodseq };
        sink.finish(folder.id, state, sel.exists)?;
        return Ok(out);
    }

    // 1. what the server has that differs from the store: (uid, flags) of new or changed
    //    messages, and the UIDs that vanished
    let (changed, gone, new_uids) = if sel.resynced && !out.rebuilt {
        let mut changed = sel.changed.clone();
        if let (Some(old_next), Some(next)) = (old.uidnext, sel.uidnext)
            && next > old_next
            && sel.exists > 0
        {
            // arrivals the QRESYNC answer may leave out: list them by UID
            changed.extend(fetch_flags(conn, &format!("{old_next}:*"), None, secs).await?);
        }
        let mut gone: Vec<Uid> = sel.vanished.iter().copied().filter(|u| local.contains_key(u)).collect();
        let mut new: Vec<Uid> = changed.iter().map(|(u, _)| *u).filter(|u| !local.contains_key(u)).collect();
        new.sort_unstable();
        new.dedup();
        // the store and the server must agree on the count; when they do not (a message
        // the store missed, a row left behind), the UID list settles it, so a gap can
        // never hide behind a mod-sequence that moved past it
        if sel.exists as usize + arrived_after(&changed, sel.uidnext) != local.len() - gone.len() + new.len() {
            tracing::warn!(folder = %folder.display, exists = sel.exists, "the store and the server disagree; listing UIDs");
            let server: std::collections::HashSet<Uid> =
                timed(secs, "listing UIDs", conn.session.uid_search("ALL")).await?;
            gone = local.keys().filter(|u| !server.contains(u)).copied().collect();
            new = server.iter().copied().filter(|u| !local.contains_key(u)).collect();
        }
        (changed, gone, new)
    } else if let (Some(modseq), false, true) = (fresh.highestmodseq, out.rebuilt, conn.has("CONDSTORE")) {
        let changed = if sel.exists > 0 && sel.highestmodseq != Some(modseq) {
            fetch_flags(conn, "1:*", Some(modseq), secs).await?
        } else {
            Vec::new()
        };
        let server: std::collections::HashSet<Uid> = if sel.exists > 0 {
            timed(secs, "listing UIDs", conn.session.uid_search("ALL")).await?
        } else {
            Default::default()
        };
        let gone: Vec<Uid> = local.keys().filter(|u| !server.contains(u)).copied().collect();
        let new: Vec<Uid> = server.iter().copied().filter(|u| !local.contains_key(u)).collect();
        (changed, gone, new)
    } else {
        let server = if sel.exists > 0 { fetch_flags(conn, "1:*", None, secs).await? } else { Vec::new() };
        let present: std::collections::HashSet<Uid> = server.iter().map(|(u, _)| *u).collect();
        let gone: Vec<Uid> = local.keys().filter(|u| !present.contains(u)).copied().collect();
        let new: Vec<Uid> = server.iter().map(|(u, _)| *u).filter(|u| !local.contains_key(u)).collect();
        (server, gone, new)
    };

    // 2. apply what vanished and what changed flags
    if !gone.is_empty() {
        out.removed = gone.len();
        sink.remove(folder.id, gone)?;
    }
    let flag_changes: Vec<(Uid, Flags)> =
        changed.iter().filter(|(u, f)| local.get(u).is_some_and(|l| l != f)).copied().collect();
    if !flag_changes.is_empty() {
        out.flags_changed = flag_changes.len();
        sink.update_flags(folder.id, flag_changes)?;
    }
    let mut new_uids = new_uids;
    new_uids.sort_unstable();
    new_uids.dedup();
    let wanted: std::collections::HashSet<Uid> = new_uids.iter().copied().collect();

    // 3. headers of new messages, newest first, one transaction per batch
    new_uids.reverse();
    let total = new_uids.len() as u64;
    let mut done = 0u64;
    let mut start = 0;
    let mut flow = Flow::default();
    while start < new_uids.len() {
        let size = if start == 0 { FIRST_BATCH } else { BATCH };
        let chunk = &new_uids[start..(start + size).min(new_uids.len())];
        start += chunk.len();
        let mut batch = fetch_headers(conn, folder, &uid_set(chunk), true).await?;
        batch.retain(|m| wanted.contains(&m.uid));
        done += chunk.len() as u64;
        out.new += batch.len();
        sink.insert(folder.id, batch, SyncProgress { folder: folder.id, done, total })?;
        flow.sent(sink).await?;
    }

    let state = SyncState { uidvalidity: sel.uidvalidity, uidnext: sel.uidnext, highestmodseq: sel.highestmodseq };
    sink.finish(folder.id, state, sel.exists)?;
    Ok(out)
}

/// How many of the `changed` UIDs are at or above the SELECT's UIDNEXT: messages that
/// arrived after the SELECT counted them.
fn arrived_after(changed: &[(Uid, Flags)], uidnext: Option<u32>) -> usize {
    let Some(next) = uidnext else { return 0 };
    let mut late: Vec<Uid> = changed.iter().map(|(u, _)| *u).filter(|u| *u >= next).collect();
    late.sort_unstable();
    late.dedup();
    late.len()
}

/// The first sync of a folder: `FETCH` by sequence ranges, newest first, one store
/// transaction per batch. Returns how many messages were stored.
async fn initial_fetch(
    conn: &mut Connection,
    sink: &mut (dyn SyncSink + Send),
    folder: &Folder,
    exists: u32,
) -> Result<usize> {
    let total = exists as u64;
    let mut hi = exists;
    let mut done = 0u64;
    let mut stored = 0;
    let mut size = FIRST_BATCH as u32;
    let mut flow = Flow::default();
    while hi >= 1 {
        let lo = hi.saturating_sub(size - 1).max(1);
        let batch = fetch_headers(conn, folder, &format!("{lo}:{hi}"), false).await?;
        done += u64::from(hi - lo + 1);
        stored += batch.len();
        sink.insert(folder.id, batch, SyncProgress { folder: folder.id, done, total })?;
        flow.sent(sink).await?;
        hi = lo - 1;
        size = BATCH as u32;
    }
    Ok(stored)
}

/// Downloads a whole message (`BODY.PEEK[]`, which leaves \Seen alone). None when the
/// message is no longer on the server.
pub async fn fetch_body(conn: &mut Connection, folder: &str, uid: Uid) -> Result<Option<Vec<u8>>> {
    let secs = conn.timeout;
    super::select::ensure(conn, folder).await?;
    if let Some(body) = fetch_one(conn, uid, secs).await? {
        return Ok(Some(body));
    }
    // a message that came after this connection opened the folder is not shown to it
    // until the server has told it of the arrival: ask (NOOP), then once more
    timed(secs, "asking for news", conn.session.noop()).await?;
    fetch_one(conn, uid, secs).await
}

async fn fetch_one(conn: &mut Connection, uid: Uid, secs: u64) -> Result<Option<Vec<u8>>> {
    let mut stream = conn.session.uid_fetch(uid.to_string(), "(UID BODY.PEEK[])").await?;
    let mut body = None;
    while let Some(f) = next(&mut stream, secs).await? {
        if f.uid == Some(uid)
            && let Some(b) = f.body()
        {
            body = Some(b.to_vec());
        }
    }
    Ok(body)
}

/// Downloads the whole messages `uids` of the selected folder in one `UID FETCH` of
/// `BODY.PEEK[]` (which leaves \Seen alone). A UID the server no longer has is left out.
pub async fn fetch_bodies(conn: &mut Connection, uids: &[Uid]) -> Result<Vec<(Uid, Vec<u8>)>> {
    let secs = conn.timeout;
    let wanted: std::collections::HashSet<Uid> = uids.iter().copied().collect();
    let mut stream = conn.session.uid_fetch(uid_set(uids), "(UID BODY.PEEK[])").await?;
    let mut out = Vec::with_capacity(uids.len());
    while let Some(f) = next(&mut stream, secs).await? {
        if let (Some(uid), Some(body)) = (f.uid, f.body())
            && wanted.contains(&uid)
        {
            out.push((uid, body.to_vec()));
        }
    }
    Ok(out)
}
