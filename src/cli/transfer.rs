//! `poste import` and `poste export`: moving mail between a local folder and an mbox file or
//! a Maildir, loss-free (a round trip gives back every message byte for byte).

use super::Loaded;
use crate::config::Protocol;
use crate::mbox;
use crate::model::{Flags, FolderId};
use crate::store::{Store, maildir};
use anyhow::{Context, Result, bail};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The store and the local folder an import or export works on.
fn open_folder(loaded: &Loaded, account: &str, folder: &str, create: bool) -> Result<(Store, FolderId)> {
    let a = super::select_accounts(&loaded.config, Some(account))?.remove(0);
    let store = Store::open(&loaded.data_dir)?;
    let id = store.ensure_account(&a.name)?;
    if create && a.protocol != Protocol::Pop3 {
        bail!(
            "account {account} is an IMAP account: its folders live on the server; import into a POP3 \
             account's local folders, or copy the mail to the server with another IMAP client"
        );
    }
    if a.protocol == Protocol::Pop3 {
        store.ensure_local_folders(id)?;
    }
    let name = if folder.eq_ignore_ascii_case("inbox") { "INBOX" } else { folder };
    if let Some(f) = store.find_folder(id, name)? {
        return Ok((store, f.id));
    }
    if !create {
        let names: Vec<String> = store.folders(id)?.into_iter().map(|f| f.name).collect();
        bail!("account {account} has no folder {folder:?} (folders: {})", names.join(", "));
    }
    if name.split('/').any(|p| p.trim().is_empty()) {
        bail!("{folder:?} is not a usable folder name");
    }
    let name = crate::sanitize::line(name);
    let f = store.create_folder_local(id, &name, &name, Some("/"))?;
    Ok((store, f))
}

#[derive(Default)]
struct Tally {
    added: usize,
    skipped: usize,
}

impl Tally {
    fn add(&mut self, store: &Store, folder: FolderId, raw: &[u8], flags: Flags, date: i64) -> Result<()> {
        let id = crate::mime::summarize(raw).message_id;
        if let Some(id) = id.filter(|i| !i.is_empty())
            && store.holds(folder, &id, raw.len())?
        {
            self.skipped += 1;
            return Ok(());
        }
        store.add_local_message(folder, raw, flags, date)?;
        self.added += 1;
        Ok(())
    }
}

/// `poste import --account A --folder F PATH`: an mbox file or a Maildir into a local folder.
pub fn import(loaded: &Loaded, account: &str, folder: &str, path: &Path) -> Result<i32> {
    let (store, folder_id) = open_folder(loaded, account, folder, true)?;
    let mut tally = Tally::default();
    let now = chrono::Utc::now().timestamp();
    if path.is_dir() {
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
        for (sub, name, p) in files {
            let raw = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
            let flags = if sub == "new" { Flags(0) } else { Flags::from_maildir_name(&name) };
            let mtime = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(now, |d| d.as_secs() as i64);
            tally.add(&store, folder_id, &raw, flags, mtime)?;
        }
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut input = BufReader::with_capacity(1 << 20, file);
        let mut start = [0u8; 5];
        let n = input.by_ref().take(5).read(&mut start).with_context(|| format!("reading {}", path.display()))?;
        if n > 0 && !mbox::looks_like_mbox(&start[..n]) {
            bail!("{} is neither an mbox file (it does not start with a \"From \" line) nor a Maildir", path.display());
        }
        let input = std::io::Cursor::new(start[..n].to_vec()).chain(input);
        for m in mbox::Reader::new(BufReader::new(input)) {
            let m = m.with_context(|| format!("reading {}", path.display()))?;
            let flags = mbox_flags(&m.raw);
            tally.add(&store, folder_id, &m.raw, flags, m.from_date.unwrap_or(now))?;
        }
    }
    let mut line = format!("imported {} message(s) into {account}/{folder}", tally.added);
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

/// `poste export --account A --folder F (--mbox FILE | --maildir DIR)`.
pub fn export(
    loaded: &Loaded,
    account: &str,
    folder: &str,
    mbox: Option<&Path>,
    maildir: Option<&Path>,
) -> Result<i32> {
    let (store, folder_id) = open_folder(loaded, account, folder, false)?;
    let ids = store.ids_oldest_first(folder_id)?;
    let mut missing = 0usize;
    let mut written = 0usize;
    match (mbox, maildir) {
        (Some(file), None) => {
            if file.exists() {
                bail!("{} exists already; export writes a new file", file.display());
            }
            // written beside the target and renamed at the end: never a half-written mbox
            let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let tmp =
                tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp);
            for id in ids {
                let m = store.message(id)?;
                let Some(raw) = store.body(id)? else {
                    missing += 1;
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
                    missing += 1;
                    continue;
                };
                maildir::deliver(Path::new("/"), &abs, &raw, m.summary.flags)?;
                written += 1;
            }
        }
        _ => bail!("say where to export to: --mbox FILE or --maildir DIR"),
    }
    super::print(&format!("exported {written} message(s) from {account}/{folder}\n"));
    if missing > 0 {
        eprintln!(
            "poste: {missing} message(s) were left out: their bodies have not been downloaded (open them, or sync, first)"
        );
        return Ok(1);
    }
    Ok(0)
}
