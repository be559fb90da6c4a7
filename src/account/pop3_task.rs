//! A POP3 download pass: every message not yet downloaded is streamed into the Inbox
//! Maildir's `tmp/` and fsynced; a batch is indexed by the worker (rows and UIDLs in one
//! transaction, then the files move into `cur/`), and only then are the server copies the
//! policy deletes marked with DELE. Deletions take effect at QUIT, so a pass cut short
//! loses nothing and duplicates nothing.
//!
//! The task writes message files itself, so a large message goes from the socket to the
//! disk without being held in memory; the worker stays the only writer of the index, and a
//! file becomes part of the mailbox only when the worker's row for it commits.

use super::sync_task::{Failure, StoreOp};
use crate::config::Pop3Config;
use crate::model::{Flags, MessageId};
use crate::pop3::{self, Pop3, Pop3Error};
use crate::secret::PasswordSource;
use crate::store::maildir::{Delivery, Staged};
use crate::store::pop3::Downloaded;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use tokio::sync::{mpsc, oneshot};

/// The largest message downloaded (bigger ones are an error naming the limit).
const MAX_MESSAGE: usize = 2 << 30;
/// How much of a message's start is kept in memory for the index (subject, sender, ...).
const HEAD: usize = 1 << 20;
/// Downloaded messages are indexed in batches of this many, or of this many bytes: one
/// transaction and one directory sync each, then their DELEs.
const BATCH: usize = 64;
const BATCH_BYTES: u64 = 16 << 20;
/// How many RETRs are on their way at once when the server allows PIPELINING.
const PIPELINE: usize = 8;
/// Progress is reported at least this often while one large message downloads.
const PROGRESS_STEP: u64 = 1 << 20;

/// What the worker tells a pass before it starts.
#[derive(Debug)]
pub struct Pop3Start {
    pub known: Vec<Downloaded>,
    pub data_dir: PathBuf,
    /// The Inbox's Maildir, relative to `data_dir`.
    pub inbox_dir: PathBuf,
    /// Partial messages to download whole in this pass, by UIDL.
    pub full: HashMap<String, FullRequest>,
}

/// A partial message the user asked for whole: where it lives now and its flags.
#[derive(Debug, Clone)]
pub struct FullRequest {
    pub id: MessageId,
    pub folder_dir: PathBuf,
    pub flags: Flags,
}

/// A message file written and fsynced into a Maildir's `tmp/`, waiting for its index row.
#[derive(Debug)]
pub struct StoredFile {
    pub staged: Staged,
    pub head: Vec<u8>,
    pub size: u64,
    pub partial: bool,
}

/// Runs one pass and reports its end with `StoreOp::Done`.
pub async fn run(cfg: Pop3Config, password: PasswordSource, ops: mpsc::UnboundedSender<StoreOp>, now: i64) {
    let result = pass(&cfg, &password, &ops, now).await;
    let _ = ops.send(StoreOp::Done(result.err()));
}

fn fail(e: Pop3Error) -> Failure {
    Failure::from(e)
}

fn gone() -> Failure {
    Failure::never("the account worker stopped")
}

/// A stand-in UIDL for servers without UIDL: a hash of the message (FNV-1a, stable).
fn content_id(raw: &[u8], size: u64) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in raw {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("hash:{h:016x}:{size}")
}

/// Counts of the pass so far, for "Downloading 37/120 (2.3 MB)".
struct Progress<'a> {
    ops: &'a mpsc::UnboundedSender<StoreOp>,
    done: u64,
    total: u64,
    bytes: u64,
}

impl Progress<'_> {
    fn report(&self, extra: u64) {
        let _ = self.ops.send(StoreOp::Pop3Progress { done: self.done, total: self.total, bytes: self.bytes + extra });
    }
}

/// The sink a message streams into: the Maildir file, the first bytes kept for the index,
/// and progress every megabyte.
struct Capture<'a, 'b> {
    file: Delivery,
    head: Vec<u8>,
    progress: &'a Progress<'b>,
    reported: u64,
}

impl Write for Capture<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        if self.head.len() < HEAD {
            let keep = n.min(HEAD - self.head.len());
            self.head.extend_from_slice(&buf[..keep]);
        }
        let size = self.file.size();
        if size - self.reported >= PROGRESS_STEP {
            self.reported = size;
            self.progress.report(size);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Why one message was not stored.
enum Failed {
    /// The server refused it (-ERR): the session goes on, the message stays on the server.
    Refused(String),
    /// The pass cannot go on; what it stored so far is kept.
    Stop(Failure),
}

/// The most poste takes for a message listed at `listed` bytes: twice that and 1 MiB more
/// (for a server that counts bare LFs), within `max_message_size` when that applies, and
/// never more than `MAX_MESSAGE`. An endless answer ends there.
fn answer_limit(listed: u64, max_message_size: Option<u64>) -> u64 {
    let by_list = listed.saturating_mul(2).saturating_add(1 << 20).min(MAX_MESSAGE as u64);
    max_message_size.map_or(by_list, |m| by_list.min(m.saturating_add(1 << 20)))
}

/// Streams the answer to the oldest RETR (or TOP, for `partial`) sent, message `n` listed
/// at `listed` bytes, into a new file of `dir`, stopping at `limit` bytes.
#[allow(clippy::too_many_arguments)]
async fn download(
    p: &mut Pop3,
    (n, listed, limit): (u32, u64, u64),
    partial: bool,
    data_dir: &std::path::Path,
    dir: &std::path::Path,
    flags: Flags,
    progress: &Progress<'_>,
) -> Result<StoredFile, Failed> {
    let store = |e: crate::store::StoreError| Failed::Stop(Failure::never(format!("local store: {e}")));
    let file = Delivery::begin(data_dir, dir).map_err(store)?;
    let mut sink = Capture { file, head: Vec::new(), progress, reported: 0 };
    match p.read_message_to(&mut sink, limit).await {
        Ok(_) => {}
        Err(Pop3Error::Err { text, .. }) => {
            return Err(Failed::Refused(format!("message {n}: the server answered -ERR {text}")));
        }
        Err(Pop3Error::TooLarge(limit)) => {
            return Err(Failed::Stop(Failure::never(format!(
                "message {n} is listed at {listed} bytes, but the server sent more than {limit}, the most \
                 poste takes for it (twice its listed size and 1 MiB more, within max_message_size, at \
                 most 2 GiB); it stays on the server"
            ))));
        }
        Err(e) => return Err(Failed::Stop(fail(e))),
    }
    let Capture { file, head, .. } = sink;
    let size = file.size();
    let staged = file.finish(flags).map_err(store)?;
    Ok(StoredFile { staged, head, size, partial })
}

async fn ask<T>(
    ops: &mpsc::UnboundedSender<StoreOp>,
    make: impl FnOnce(oneshot::Sender<T>) -> StoreOp,
) -> Result<T, Failure> {
    let (tx, rx) = oneshot::channel();
    ops.send(make(tx)).map_err(|_| gone())?;
    rx.await.map_err(|_| gone())
}

/// A downloaded message waiting for its batch to be indexed, and then maybe deleted.
struct Pending {
    uidl: String,
    n: u32,
    delete: bool,
    file: StoredFile,
}

/// Has the worker index a batch of downloads (files fsynced, rows and UIDLs committed);
/// only then are those the policy deletes added to `dele`.
async fn commit(
    ops: &mpsc::UnboundedSender<StoreOp>,
    batch: &mut Vec<Pending>,
    dele: &mut Vec<u32>,
) -> Result<(), Failure> {
    if batch.is_empty() {
        return Ok(());
    }
    let pending = std::mem::take(batch);
    let after: Vec<u32> = pending.iter().filter(|b| b.delete).map(|b| b.n).collect();
    let files = pending.into_iter().map(|b| (b.uidl, b.file)).collect();
    ask(ops, |reply| StoreOp::Pop3Stored { files, reply })
        .await?
        .map_err(|e| Failure::never(format!("storing downloaded messages: {e}")))?;
    dele.extend(after);
    Ok(())
}

/// What a pass does with one message on the server.
enum Fetch {
    /// Not downloaded before: the whole message, or only its header (`partial`).
    New { uidl: Option<String>, partial: bool },
    /// A partial message the user asked for whole.
    Whole(FullRequest),
}

async fn pass(
    cfg: &Pop3Config,
    password: &PasswordSource,
    ops: &mpsc::UnboundedSender<StoreOp>,
    now: i64,
) -> Result<(), Failure> {
    let mut p = pop3::connect(&pop3::Settings::from_config(cfg, MAX_MESSAGE), password).await.map_err(fail)?;
    let uidls = p.uidl().await.map_err(fail)?;
    if uidls.is_none() && cfg.leave_on_server {
        let _ = p.quit().await;
        return Err(Failure::never(
            "the server has no UIDL, so leave_on_server cannot work safely (every message would be \
             downloaded again each time); remove leave_on_server for this account",
        ));
    }
    let start = ask(ops, StoreOp::Pop3Known).await?;
    let known: HashMap<&str, &Downloaded> = start.known.iter().map(|d| (d.uidl.as_str(), d)).collect();
    let sizes: HashMap<u32, u64> = p.list().await.map_err(fail)?.into_iter().collect();
    let listing: Vec<(u32, Option<String>)> = match &uidls {
        Some(u) => u.iter().map(|(n, id)| (*n, Some(id.clone()))).collect(),
        None => {
            let mut v: Vec<(u32, Option<String>)> = sizes.keys().map(|n| (*n, None)).collect();
            v.sort();
            v
        }
    };
    // without UIDL a header-only download could not be recognised later: fetch whole
    let max = cfg.max_message_size.filter(|_| uidls.is_some()).map(|m| m.0);

    // the plan: what to download, and what the policy deletes of what is already here
    let mut fetches: Vec<(u32, Fetch)> = Vec::new();
    // DELE takes effect at QUIT, so all of them are sent at the end, once stored
    let mut dele: Vec<u32> = Vec::new();
    // messages not downloaded, and why: they stay on the server
    let mut refused: Vec<String> = Vec::new();
    for (n, uidl) in &listing {
        let size = sizes.get(n).copied().unwrap_or(0);
        match (uidl.as_ref().and_then(|u| known.get(u.as_str())), uidl.as_ref().and_then(|u| start.full.get(u))) {
            (Some(_), Some(req)) => fetches.push((*n, Fetch::Whole(req.clone()))),
            (Some(d), None) => {
                // downloaded before: only the deletion policy applies, and a message of
                // which only the header is here stays on the server
                let delete = !(d.partial && d.present)
                    && (!cfg.leave_on_server
                        || cfg.delete_after_days.is_some_and(|days| now - d.downloaded >= i64::from(days) * 86_400)
                        || (cfg.delete_when_deleted_locally && !d.present));
                if delete {
                    dele.push(*n);
                }
            }
            (None, _) => {
                let too_big = size > MAX_MESSAGE as u64;
                if too_big && uidl.is_none() {
                    refused.push(format!("message {n} is {size} bytes, over poste's limit of 2 GiB"));
                    continue;
                }
                // a message over the limit comes header first, whole on request
                let partial = too_big || max.is_some_and(|m| size > m);
                fetches.push((*n, Fetch::New { uidl: uidl.clone(), partial }));
            }
        }
    }

    let mut progress = Progress { ops, done: 0, total: fetches.len() as u64, bytes: 0 };
    if progress.total > 0 {
        progress.report(0);
    }
    let mut batch: Vec<Pending> = Vec::new();
    let mut batch_bytes = 0u64;
    let window = if p.has("PIPELINING") { PIPELINE } else { 1 };
    let mut sent = 0;
    let run: Result<(), Failure> = async {
        for i in 0..fetches.len() {
            // keep the next few requests on their way while this one is stored
            while sent < fetches.len() && sent < i + window {
                let (n, fetch) = &fetches[sent];
                let top = matches!(fetch, Fetch::New { partial: true, .. }).then_some(0);
                p.send_retr(*n, top).await.map_err(fail)?;
                sent += 1;
            }
            let (n, fetch) = &fetches[i];
            let size = sizes.get(n).copied().unwrap_or(0);
            let (partial, whole) = match fetch {
                Fetch::Whole(_) => (false, true),
                Fetch::New { partial, .. } => (*partial, false),
            };
            let limit = answer_limit(size, max.filter(|_| !partial && !whole));
            let (dir, flags) = match fetch {
                Fetch::Whole(req) => (&req.folder_dir, req.flags),
                Fetch::New { .. } => (&start.inbox_dir, Flags(0)),
            };
            let got = download(&mut p, (*n, size, limit), partial, &start.data_dir, dir, flags, &progress).await;
            let mut file = match got {
                Ok(file) => file,
                Err(Failed::Refused(why)) => {
                    refused.push(why);
                    progress.done += 1;
                    progress.report(0);
                    continue;
                }
                Err(Failed::Stop(e)) => return Err(e),
            };
            progress.bytes += file.size;
            match fetch {
                Fetch::Whole(req) => {
                    let id = req.id;
                    ask(ops, |reply| StoreOp::Pop3Completed { id, file, reply })
                        .await?
                        .map_err(|e| Failure::never(format!("storing a downloaded message: {e}")))?;
                    if !cfg.leave_on_server {
                        dele.push(*n);
                    }
                }
                Fetch::New { uidl, partial } => {
                    if *partial {
                        // the index shows the size on the server, not the header's
                        file.size = size;
                    }
                    let id = uidl.clone().unwrap_or_else(|| content_id(&file.head, file.size));
                    if uidl.is_none() && (known.contains_key(id.as_str()) || batch.iter().any(|b| b.uidl == id)) {
                        // without UIDL, a message already here is recognised by its content
                        file.staged.discard();
                        if !cfg.leave_on_server {
                            dele.push(*n);
                        }
                    } else {
                        batch_bytes += file.size;
                        batch.push(Pending { uidl: id, n: *n, delete: !cfg.leave_on_server && !partial, file });
                        if batch.len() >= BATCH || batch_bytes >= BATCH_BYTES {
                            commit(ops, &mut batch, &mut dele).await?;
                            batch_bytes = 0;
                        }
                    }
                }
            }
            progress.done += 1;
            progress.report(0);
        }
        Ok(())
    }
    .await;
    // what was downloaded is kept, whatever stopped the pass
    commit(ops, &mut batch, &mut dele).await?;
    run?;
    p.dele_all(&dele).await.map_err(fail)?;
    if let Some(u) = &uidls {
        let on_server: HashSet<&str> = u.iter().map(|(_, id)| id.as_str()).collect();
        let forget: Vec<String> = known
            .keys()
            .filter(|k| !k.starts_with("hash:") && !on_server.contains(*k))
            .map(|k| k.to_string())
            .collect();
        if !forget.is_empty() {
            let _ = ops.send(StoreOp::Pop3Forget(forget));
        }
        let missing: Vec<MessageId> =
            start.full.iter().filter(|(u, _)| !on_server.contains(u.as_str())).map(|(_, r)| r.id).collect();
        if !missing.is_empty() {
            let _ = ops.send(StoreOp::Pop3Missing(missing));
        }
    }
    p.quit().await.map_err(fail)?;
    if refused.is_empty() {
        return Ok(());
    }
    let mut why = refused.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    if refused.len() > 3 {
        why.push_str(&format!("; and {} more", refused.len() - 3));
    }
    Err(Failure::never(format!(
        "{} not downloaded and {} on the server: {why}",
        crate::format::count_of(refused.len() as u64, "message was", "messages were"),
        crate::format::plural(refused.len() as u64, "stays", "stay")
    )))
}
