//! Maildir message files: written to `tmp/`, fsynced, then renamed into `cur/`.
//!
//! Layout: `<data_dir>/mail/<account>/<folder>/{tmp,new,cur}`, one Maildir per account folder,
//! readable by mutt, notmuch and other Maildir tools.

use super::{Result, StoreError};
use crate::model::Flags;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Encodes a name into one safe path segment (no separators, no leading dot).
pub fn segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        match c {
            '/' | '\\' | '%' | '\0' => out.push_str(&format!("%{:02X}", c as u32)),
            '.' if i == 0 => out.push_str("%2E"),
            c if c.is_control() => out.push_str(&format!("%{:02X}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    if out.is_empty() { "%00".into() } else { out }
}

/// The Maildir directory of a folder, relative to the data dir.
pub fn folder_dir(account: &str, folder: &str) -> PathBuf {
    Path::new("mail").join(segment(account)).join(segment(folder))
}

/// The host name for unique file names, read once.
fn hostname() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().replace(['/', ':', ','], "_"))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into())
    })
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// Creates `tmp`, `new` and `cur` under `dir` (absolute), each private to the owner.
pub fn ensure(dir: &Path) -> Result<()> {
    for sub in ["tmp", "new", "cur"] {
        let d = dir.join(sub);
        crate::paths::create_private_dir(&d).map_err(io_err(&d))?;
    }
    Ok(())
}

/// A message being written into a Maildir's `tmp/`; other tools see it only once
/// `finish` has fsynced it and renamed it into `cur/`. Dropped unfinished, it is removed.
pub struct Delivery {
    rel_dir: PathBuf,
    unique: String,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    size: u64,
}

impl Delivery {
    /// Starts a message in the Maildir at `data_dir/rel_dir`, creating it when missing.
    pub fn begin(data_dir: &Path, rel_dir: &Path) -> Result<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = data_dir.join(rel_dir);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let unique = format!(
            "{}.M{}P{}Q{}.{}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            hostname()
        );
        let tmp = dir.join("tmp").join(&unique);
        let create = || std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp);
        let file = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // the first message of a new folder
                ensure(&dir)?;
                create()
            }
            other => other,
        }
        .map_err(io_err(&tmp))?;
        Ok(Delivery {
            rel_dir: rel_dir.to_path_buf(),
            unique,
            tmp,
            file: Some(std::io::BufWriter::with_capacity(256 << 10, file)),
            size: 0,
        })
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Fsyncs the file, still in `tmp/`, and names where it goes in `cur/` with `flags`.
    /// The caller records that path (the index row), then `publish`es the file and syncs
    /// the directory: a crash before the record leaves only a file in `tmp/`, which
    /// Maildir readers ignore, and one after it is completed by `resolve`.
    pub fn finish(mut self, flags: Flags) -> Result<Staged> {
        let Some(file) = self.file.take() else { return Err(io_err(&self.tmp)(std::io::ErrorKind::Other.into())) };
        let f = file.into_inner().map_err(|e| io_err(&self.tmp)(e.into_error()))?;
        f.sync_all().map_err(io_err(&self.tmp))?;
        drop(f);
        let name = format!("{},S={}:2,{}", self.unique, self.size, flags.maildir_letters());
        Ok(Staged { tmp: self.tmp.clone(), path: self.rel_dir.join("cur").join(name) })
    }
}

/// A message file fsynced in `tmp/`, and the path in `cur/` it gets once published.
#[derive(Debug, Clone, PartialEq)]
pub struct Staged {
    tmp: PathBuf,
    /// Where the message will be, relative to the data dir.
    pub path: PathBuf,
}

impl Staged {
    /// A file already in `cur/` at `path`.
    pub fn published(path: PathBuf) -> Staged {
        Staged { tmp: PathBuf::new(), path }
    }

    /// Moves the file into `cur/`. Syncing the directory (`sync_dir`) makes it durable;
    /// a batch of files needs one sync.
    pub fn publish(&self, data_dir: &Path) -> Result<()> {
        let to = data_dir.join(&self.path);
        match std::fs::rename(&self.tmp, &to) {
            // cur/ was removed behind our back: make it again
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && self.tmp.exists() => {
                if let Some(dir) = self.path.parent().and_then(Path::parent) {
                    ensure(&data_dir.join(dir))?;
                }
                std::fs::rename(&self.tmp, &to).map_err(io_err(&to))
            }
            other => other.map_err(io_err(&to)),
        }
    }

    /// Removes the file when it is not wanted after all.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl Write for Delivery {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.as_mut().ok_or(std::io::ErrorKind::BrokenPipe)?.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Fsyncs a directory, so the renames in it survive a crash.
pub fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

/// Writes a whole message into the Maildir's `tmp/` and fsyncs it; see `Delivery::finish`.
pub fn stage(data_dir: &Path, rel_dir: &Path, raw: &[u8], flags: Flags) -> Result<Staged> {
    let mut d = Delivery::begin(data_dir, rel_dir)?;
    d.write_all(raw).map_err(io_err(&d.tmp))?;
    d.finish(flags)
}

/// Writes a message durably into the Maildir at `data_dir/rel_dir`; returns the path of the
/// file relative to `data_dir`.
pub fn deliver(data_dir: &Path, rel_dir: &Path, raw: &[u8], flags: Flags) -> Result<PathBuf> {
    let staged = stage(data_dir, rel_dir, raw, flags)?;
    staged.publish(data_dir)?;
    sync_dir(&data_dir.join(rel_dir).join("cur"))?;
    Ok(staged.path)
}

/// A Maildir file name without its `:2,` info (the unique name and its `,S=` size).
fn base_part(name: &str) -> &str {
    name.split_once(':').map_or(name, |(u, _)| u)
}

/// The unique name alone, as in `tmp/` before delivery.
pub fn unique_name(name: &str) -> &str {
    unique_part(name)
}

fn unique_part(name: &str) -> &str {
    base_part(name).split_once(',').map_or(base_part(name), |(u, _)| u)
}

/// Finds a message whose file is not where it was recorded: another Maildir tool renamed
/// it (its flags changed, or it moved from `new/` to `cur/`), or the process stopped
/// between recording a delivery and moving the file out of `tmp/`, in which case the
/// delivery is completed now. Returns its current path relative to `data_dir`.
pub fn resolve(data_dir: &Path, rel: &Path) -> Option<PathBuf> {
    if data_dir.join(rel).exists() {
        return Some(rel.to_path_buf());
    }
    let unique = unique_part(rel.file_name()?.to_str()?);
    let folder = rel.parent()?.parent()?;
    for sub in ["cur", "new", "tmp"] {
        let Ok(entries) = std::fs::read_dir(data_dir.join(folder).join(sub)) else { continue };
        for e in entries.flatten() {
            if e.file_name().to_str().is_some_and(|n| unique_part(n) == unique) {
                let found = folder.join(sub).join(e.file_name());
                if sub != "tmp" {
                    return Some(found);
                }
                std::fs::rename(data_dir.join(&found), data_dir.join(rel)).ok()?;
                let _ = sync_dir(&data_dir.join(folder).join("cur"));
                return Some(rel.to_path_buf());
            }
        }
    }
    None
}

/// How long a file may sit in a Maildir's `tmp/` before it is taken for abandoned (the
/// Maildir convention: 36 hours).
const TMP_ABANDONED: std::time::Duration = std::time::Duration::from_secs(36 * 3600);

/// Whether two paths name the same message file: the same folder and the same unique name
/// (a Maildir tool may have renamed it for its flags, or moved it from `new/` to `cur/`).
pub fn same_message(a: &Path, b: &Path) -> bool {
    let folder = |p: &Path| p.parent().and_then(Path::parent).map(Path::to_path_buf);
    let unique = |p: &Path| p.file_name().and_then(|n| n.to_str()).map(|n| unique_part(n).to_string());
    folder(a) == folder(b) && unique(a).is_some() && unique(a) == unique(b)
}

/// Whether a process with this pid runs on this machine (None: cannot tell).
fn pid_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    proc.join("self").exists().then(|| proc.join(pid.to_string()).exists())
}

/// Whether a file left in `tmp/` is provably abandoned: older than 36 hours, or written
/// by a poste on this host whose process is gone. Anything else may be a delivery still
/// under way (another tool, or this process), and is left alone.
fn abandoned(name: &str, age: Option<std::time::Duration>) -> bool {
    if age.is_some_and(|a| a >= TMP_ABANDONED) {
        return true;
    }
    // our names: SECS.M<micros>P<pid>Q<n>.<host>
    let Some((head, host)) = name.split_once('.').and_then(|(_, rest)| rest.split_once('.')) else { return false };
    if host != hostname() {
        return false;
    }
    let pid = head.split_once('P').and_then(|(_, r)| r.split_once('Q')).and_then(|(p, _)| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid != std::process::id() => pid_alive(pid) == Some(false),
        _ => false,
    }
}

/// Removes what interrupted deliveries left in a Maildir's `tmp/`, when it is provably
/// abandoned (see `abandoned`). Returns how many files were removed.
pub fn clean_tmp(data_dir: &Path, rel_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(data_dir.join(rel_dir).join("tmp")) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_string) else { continue };
        let age = e.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        if abandoned(&name, age) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Renames a message file so its name carries `flags` (and moves it from `new/` to
/// `cur/`), as other Maildir tools expect. Returns the new relative path.
pub fn set_flags(data_dir: &Path, rel: &Path, flags: Flags) -> Result<PathBuf> {
    let (Some(name), Some(folder)) = (rel.file_name().and_then(|n| n.to_str()), rel.parent().and_then(|p| p.parent()))
    else {
        return Ok(rel.to_path_buf());
    };
    let to = folder.join("cur").join(format!("{}:2,{}", base_part(name), flags.maildir_letters()));
    if to != rel {
        std::fs::rename(data_dir.join(rel), data_dir.join(&to)).map_err(io_err(&data_dir.join(rel)))?;
    }
    Ok(to)
}

/// Links a message file into another Maildir's `cur/` under the same name, durably; the
/// caller records the new path and then removes the old one. Returns the new path.
pub fn link_into(data_dir: &Path, rel: &Path, to_dir: &Path) -> Result<PathBuf> {
    let name = rel.file_name().unwrap_or_default();
    let dir = data_dir.join(to_dir);
    ensure(&dir)?;
    let to = to_dir.join("cur").join(name);
    let target = data_dir.join(&to);
    match std::fs::hard_link(data_dir.join(rel), &target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err(&target)(e)),
    }
    sync_dir(&dir.join("cur"))?;
    Ok(to)
}

/// Removes a Maildir folder's directories if nothing is left in them.
pub fn remove_empty(data_dir: &Path, rel_dir: &Path) {
    let dir = data_dir.join(rel_dir);
    for sub in ["tmp", "new", "cur"] {
        let _ = std::fs::remove_dir(dir.join(sub));
    }
    let _ = std::fs::remove_dir(&dir);
}

/// Reads a stored message.
pub fn read(data_dir: &Path, rel: &Path) -> Result<Vec<u8>> {
    let p = data_dir.join(rel);
    std::fs::read(&p).map_err(io_err(&p))
}

/// Removes a stored message file; a file already gone is not an error.
pub fn remove(data_dir: &Path, rel: &Path) -> Result<()> {
    let p = data_dir.join(rel);
    match std::fs::remove_file(&p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&p)(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape() {
        assert_eq!(segment("a/b"), "a%2Fb");
        assert_eq!(segment(".."), "%2E.");
        assert_eq!(segment(""), "%00");
        assert_eq!(segment("Entwürfe"), "Entwürfe");
    }

    #[test]
    fn deliver_writes_into_cur_with_flags_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let rel = folder_dir("acct", "INBOX");
        let p = deliver(dir.path(), &rel, b"Subject: x\r\n\r\nbody", Flags(Flags::SEEN)).unwrap();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.contains(",S=18:2,S"), "{name}");
        assert!(p.starts_with("mail/acct/INBOX/cur"));
        assert_eq!(read(dir.path(), &p).unwrap(), b"Subject: x\r\n\r\nbody");
        assert_eq!(std::fs::read_dir(dir.path().join(&rel).join("tmp")).unwrap().count(), 0);
        remove(dir.path(), &p).unwrap();
        remove(dir.path(), &p).unwrap();
    }
}
