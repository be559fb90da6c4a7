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

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().replace(['/', ':'], "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
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

/// Writes a message durably into the Maildir at `data_dir/rel_dir`; returns the path of the
/// file relative to `data_dir`.
pub fn deliver(data_dir: &Path, rel_dir: &Path, raw: &[u8], flags: Flags) -> Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = data_dir.join(rel_dir);
    ensure(&dir)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let unique = format!(
        "{}.M{}P{}Q{}.{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        hostname()
    );
    let base = format!("{unique},S={}", raw.len());
    let tmp = dir.join("tmp").join(&base);
    let mut f =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp).map_err(io_err(&tmp))?;
    f.write_all(raw).and_then(|_| f.sync_all()).map_err(io_err(&tmp))?;
    drop(f);
    let name = format!("{base}:2,{}", flags.maildir_letters());
    let cur = dir.join("cur").join(&name);
    std::fs::rename(&tmp, &cur).map_err(io_err(&cur))?;
    // make the rename itself durable
    let cur_dir = dir.join("cur");
    std::fs::File::open(&cur_dir).and_then(|d| d.sync_all()).map_err(io_err(&cur_dir))?;
    Ok(rel_dir.join("cur").join(name))
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
