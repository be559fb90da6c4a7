//! `poste import` and `poste export`: moving mail between a local folder and an mbox file or
//! a Maildir, loss-free (a round trip gives back every message byte for byte).

use super::Loaded;
use crate::config::Protocol;
use crate::format::{count, count_of, plural};
use crate::mbox;
use crate::model::{Flags, FolderId};
use crate::store::{Store, maildir};
use anyhow::{Context, Result, bail};
use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The account an import writes to: a POP3 account of the config (checked before the data
/// dir is touched).
fn import_account<'a>(loaded: &'a Loaded, account: &str) -> Result<&'a crate::config::AccountConfig> {
    let a = super::select_accounts(&loaded.config, Some(account))?.remove(0);
    if a.protocol != Protocol::Pop3 {
        bail!(
            "account {account} is an IMAP account: its folders live on the server; import into a POP3 \
             account's local folders, or copy the mail to the server with another IMAP client"
        );
    }
    Ok(a)
}

/// The folder name an import writes to, as the store keeps it (`INBOX` in capitals).
fn import_folder_name(folder: &str) -> Result<String> {
    let name = if folder.eq_ignore_ascii_case("inbox") { "INBOX" } else { folder };
    if name.split('/').any(|p| p.trim().is_empty()) {
        bail!("{folder:?} is not a usable folder name");
    }
    Ok(name.to_string())
}

/// The local folder an import works on (created when missing), in a store this process
/// holds.
fn import_folder(store: &Store, account: &str, name: &str) -> Result<FolderId> {
    let id = store.ensure_account(account)?;
    store.ensure_local_folders(id)?;
    if let Some(f) = store.find_folder(id, name)? {
        return Ok(f.id);
    }
    let name = crate::sanitize::line(name);
    Ok(store.create_folder_local(id, &name, &name, Some("/"))?)
}

/// What an import reads, looked at before anything is written: a Maildir's files (oldest
/// first) or an mbox file that starts like one.
enum Source {
    Maildir(Vec<(&'static str, String, PathBuf)>),
    Mbox(Box<dyn Read>),
}

impl Source {
    fn open(path: &Path) -> Result<Source> {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("{} does not exist: nothing was imported", path.display())
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        if meta.is_dir() {
            let mut files = Vec::new();
            for sub in ["cur", "new"] {
                let dir = path.join(sub);
                if let Ok(entries) = std::fs::read_dir(&dir) {
                    for e in entries {
                        let e = e.with_context(|| format!("reading {}", dir.display()))?;
                        files.push((sub, e.file_name().to_string_lossy().to_string(), e.path()));
                    }
                }
            }
            if files.is_empty() && !path.join("cur").is_dir() && !path.join("new").is_dir() {
                bail!("{} is a directory but not a Maildir (it has no cur/ or new/)", path.display());
            }
            // Maildir names start with the delivery time: sorting keeps the arrival order
            files.sort_by(|a, b| a.1.cmp(&b.1));
            return Ok(Source::Maildir(files));
        }
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut input = BufReader::with_capacity(1 << 20, file);
        let mut start = [0u8; 5];
        let n = input.by_ref().take(5).read(&mut start).with_context(|| format!("reading {}", path.display()))?;
        if n > 0 && !mbox::looks_like_mbox(&start[..n]) {
            bail!("{} is neither an mbox file (it does not start with a \"From \" line) nor a Maildir", path.display());
        }
        Ok(Source::Mbox(Box::new(std::io::Cursor::new(start[..n].to_vec()).chain(input))))
    }
}

/// The folder an export reads, from a store opened for reading.
fn export_folder(loaded: &Loaded, store: &Store, account: &str, folder: &str) -> Result<FolderId> {
    let a = super::select_accounts(&loaded.config, Some(account))?.remove(0);
    let Some((id, _)) = store.accounts()?.into_iter().find(|(_, n)| *n == a.name) else {
        bail!("account {account} has no mail here yet (run `poste sync` first)");
    };
    let name = if folder.eq_ignore_ascii_case("inbox") { "INBOX" } else { folder };
    match store.find_folder(id, name)? {
        Some(f) => Ok(f.id),
        None => {
            let names: Vec<String> = store.folders(id)?.into_iter().map(|f| f.name).collect();
            bail!("account {account} has no folder {folder:?} (folders: {})", names.join(", "))
        }
    }
}

/// Messages are stored in batches of this many (or bytes): one fsync and two transactions
/// each.
const BATCH: usize = 256;
const BATCH_BYTES: usize = 32 << 20;

/// What an import has added and skipped, and what it knows is there already: messages are
/// recognised by Message-ID and size, and those without a Message-ID by their content.
struct Tally<'a> {
    store: &'a Store,
    folder: FolderId,
    added: usize,
    skipped: usize,
    batch: Vec<(Vec<u8>, Flags, i64)>,
    batch_bytes: usize,
    ids: HashSet<(String, usize)>,
    hashes: HashSet<[u8; 16]>,
}

fn content_hash(raw: &[u8]) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(raw).into()
}

impl<'a> Tally<'a> {
    fn new(store: &'a Store, folder: FolderId) -> Result<Tally<'a>> {
        let mut hashes = HashSet::new();
        for (_, path) in store.files_without_message_id(folder)? {
            if let Ok(raw) = maildir::read(store.data_dir(), &path) {
                hashes.insert(content_hash(&raw));
            }
        }
        Ok(Tally {
            store,
            folder,
            added: 0,
            skipped: 0,
            batch: Vec::new(),
            batch_bytes: 0,
            ids: HashSet::new(),
            hashes,
        })
    }

    fn add(&mut self, raw: Vec<u8>, flags: Flags, date: i64) -> Result<()> {
        let there = match crate::mime::summarize(&raw).message_id.filter(|i| !i.is_empty()) {
            Some(id) => {
                let key = (id, raw.len());
                self.ids.contains(&key) || self.store.holds(self.folder, &key.0, key.1)? || !self.ids.insert(key)
            }
            None => !self.hashes.insert(content_hash(&raw)),
        };
        if there {
            self.skipped += 1;
            return Ok(());
        }
        self.batch_bytes += raw.len();
        self.batch.push((raw, flags, date));
        if self.batch.len() >= BATCH || self.batch_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let items: Vec<(&[u8], Flags, i64)> = batch.iter().map(|(r, f, d)| (r.as_slice(), *f, *d)).collect();
        self.added += self.store.add_local_messages(self.folder, &items)?.len();
        Ok(())
    }
}

/// `poste import --account A --folder F PATH`: an mbox file or a Maildir into a local folder.
/// The account, the folder name and the input are checked first: a mistake leaves the data
/// dir as it was.
pub async fn import(loaded: &Loaded, account: &str, folder: &str, path: &Path) -> Result<i32> {
    let a = import_account(loaded, account)?;
    let name = import_folder_name(folder)?;
    let source = Source::open(path)?;
    let data = crate::instance::lock_waiting(&loaded.data_dir, "the import").await?;
    let store = Store::open(&data)?;
    let folder_id = import_folder(&store, &a.name, &name)?;
    let mut tally = Tally::new(&store, folder_id)?;
    let now = chrono::Utc::now().timestamp();
    match source {
        Source::Maildir(files) => {
            for (sub, name, p) in files {
                let raw = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
                let flags = if sub == "new" { Flags(0) } else { Flags::from_maildir_name(&name) };
                let mtime = std::fs::metadata(&p)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(now, |d| d.as_secs() as i64);
                tally.add(raw, flags, mtime)?;
            }
        }
        Source::Mbox(input) => {
            for m in mbox::Reader::new(BufReader::new(input)) {
                let m = m.with_context(|| format!("reading {}", path.display()))?;
                let flags = mbox_flags(&m.raw);
                tally.add(m.raw, flags, m.from_date.unwrap_or(now))?;
            }
        }
    }
    tally.flush()?;
    let mut line = format!("imported {} into {account}/{folder}", count(tally.added as u64, "message"));
    if tally.skipped > 0 {
        line.push_str(&format!(" ({} already there)", tally.skipped));
    }
    super::print(&format!("{line}\n"));
    Ok(0)
}

/// Flags from the `Status:` and `X-Status:` headers mbox tools write (mutt, Thunderbird).
fn mbox_flags(raw: &[u8]) -> Flags {
    let Some(m) = mail_parser::MessageParser::default().parse_headers(raw) else { return Flags(0) };
    let header = |name: &str| m.header_raw(name).map(|v| v.trim().to_string()).unwrap_or_default();
    let (status, x) = (header("Status"), header("X-Status"));
    let mut f = Flags(0);
    f = f.with(Flags::SEEN, status.contains('R'));
    f = f.with(Flags::ANSWERED, x.contains('A'));
    f = f.with(Flags::FLAGGED, x.contains('F'));
    f = f.with(Flags::DRAFT, x.contains('T'));
    f
}

/// What the download before an export of an IMAP folder did: how many bodies it brought,
/// and why it stopped short.
#[derive(Default)]
struct Fetched {
    downloaded: u64,
    error: Option<String>,
}

/// Downloads the bodies an IMAP folder lacks (through the account's worker), so the export
/// has every message.
async fn fetch_missing(loaded: &Loaded, account: &str, store: &Store, folder: FolderId) -> Result<Fetched> {
    let a = super::select_accounts(&loaded.config, Some(account))?.remove(0);
    let f = store.folder(folder)?;
    let lacking = store.mirror_candidates(f.account, Some(folder))?.iter().filter(|c| !c.cached).count();
    if a.protocol != Protocol::Imap || lacking == 0 {
        return Ok(Fetched::default());
    }
    eprintln!("poste: downloading {} for the export", count_of(lacking as u64, "body", "bodies"));
    let cmd = crate::account::Command::Mirror { folder: Some(folder) };
    let answer = super::ask_worker(loaded, a, cmd, |ev| match ev {
        crate::account::Event::MirrorDone { folder: Some(f), downloaded, error, .. } if f == folder => {
            Some(Fetched { downloaded, error })
        }
        _ => None,
    })
    .await;
    Ok(answer.unwrap_or_else(|e| Fetched { downloaded: 0, error: Some(e.to_string()) }))
}

/// `poste export --account A --folder F (--mbox FILE | --maildir DIR)`. The bodies of an
/// IMAP folder that were never downloaded are downloaded first.
pub async fn export(
    loaded: &Loaded,
    account: &str,
    folder: &str,
    mbox: Option<&Path>,
    maildir: Option<&Path>,
) -> Result<i32> {
    if mbox.is_some() == maildir.is_some() {
        bail!("say where to export to: --mbox FILE or --maildir DIR");
    }
    if let Some(file) = mbox.filter(|f| f.exists()) {
        bail!("{} exists already; export writes a new file", file.display());
    }
    let store = Store::open_reader(&loaded.data_dir)?;
    let folder_id = export_folder(loaded, &store, account, folder)?;
    let fetched = fetch_missing(loaded, account, &store, folder_id).await?;
    let ids = store.ids_oldest_first(folder_id)?;
    let mut missing = Vec::new();
    let mut written = 0usize;
    match (mbox, maildir) {
        (Some(file), None) => {
            // written beside the target and renamed at the end: never a half-written mbox
            let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let tmp =
                tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp);
            for id in ids {
                let m = store.message(id)?;
                let Some(raw) = store.body(id)? else {
                    missing.push(m);
                    continue;
                };
                mbox::write_message(&mut out, &m.summary.from_addr, m.summary.date, &raw)
                    .with_context(|| format!("writing {}", file.display()))?;
                written += 1;
            }
            let tmp =
                out.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", file.display()))?;
            tmp.as_file().sync_all().with_context(|| format!("writing {}", file.display()))?;
            tmp.persist_noclobber(file).map_err(|e| e.error).with_context(|| format!("writing {}", file.display()))?;
        }
        (None, Some(dir)) => {
            let abs: PathBuf = std::path::absolute(dir).with_context(|| format!("cannot use {}", dir.display()))?;
            for id in ids {
                let m = store.message(id)?;
                let Some(raw) = store.body(id)? else {
                    missing.push(m);
                    continue;
                };
                maildir::deliver(Path::new("/"), &abs, &raw, m.summary.flags)?;
                written += 1;
            }
        }
        _ => bail!("say where to export to: --mbox FILE or --maildir DIR"),
    }
    let mut line = format!("exported {} from {account}/{folder}", count(written as u64, "message"));
    if fetched.downloaded > 0 {
        line.push_str(&format!(" ({} downloaded)", count_of(fetched.downloaded, "body", "bodies")));
    }
    super::print(&format!("{line}\n"));
    if missing.is_empty() {
        return Ok(0);
    }
    let n = missing.len() as u64;
    match &fetched.error {
        Some(e) => eprintln!(
            "poste: {} left out: {} could not be downloaded ({e}):",
            count_of(n, "message was", "messages were"),
            plural(n, "its body", "their bodies"),
        ),
        None => eprintln!(
            "poste: {} left out: {} not been downloaded (open {}, or sync, first):",
            count_of(n, "message was", "messages were"),
            plural(n, "its body has", "their bodies have"),
            plural(n, "it", "them"),
        ),
    }
    for m in missing.iter().take(MISSING_SHOWN) {
        let date = crate::format::rfc3339(m.summary.date);
        let from = crate::sanitize::line(&m.summary.from_addr);
        eprintln!("  {}  {date}  {from}  {}", m.summary.id, crate::sanitize::line(&m.summary.subject));
    }
    if missing.len() > MISSING_SHOWN {
        eprintln!("  … and {} more", missing.len() - MISSING_SHOWN);
    }
    Ok(1)
}

/// How many of the messages an export left out it names.
const MISSING_SHOWN: usize = 20;
