//! The data-dir lock: one process at a time writes a data dir, enforced by `flock` on
//! `DATA_DIR/poste.lock` (0600) held for the life of the process.
//!
//! The lock is taken once per process and shared: every `DataDir` for the same directory is
//! the same lock, so the workers of one process never block each other. The file holds the
//! holder's pid, so another process can say who has it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use thiserror::Error;

pub const LOCK_FILE: &str = "poste.lock";

#[derive(Debug, Error)]
pub enum LockError {
    #[error("{} is in use by another poste{}", path.display(), pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Busy { path: PathBuf, pid: Option<u32>, ui: bool },
    #[error("cannot use {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

struct Held {
    path: PathBuf,
    _file: File,
}

/// A data dir this process holds the lock of; writers of the store need one.
#[derive(Clone)]
pub struct DataDir(Arc<Held>);

impl std::fmt::Debug for DataDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DataDir").field(&self.0.path).finish()
    }
}

/// The locks this process holds, by directory, so a second `lock` of the same directory
/// shares the first instead of failing against itself.
fn held() -> &'static Mutex<HashMap<PathBuf, Weak<Held>>> {
    static HELD: std::sync::OnceLock<Mutex<HashMap<PathBuf, Weak<Held>>>> = std::sync::OnceLock::new();
    HELD.get_or_init(Default::default)
}

impl DataDir {
    /// Takes the lock of `path` (created, private, when missing), or says who holds it.
    pub fn lock(path: &Path) -> Result<DataDir, LockError> {
        DataDir::lock_as(path, false)
    }

    /// Takes the lock for the UI (the file says so, for the next poste that finds it taken).
    pub fn lock_for_ui(path: &Path) -> Result<DataDir, LockError> {
        DataDir::lock_as(path, true)
    }

    fn lock_as(path: &Path, ui: bool) -> Result<DataDir, LockError> {
        let io = |source| LockError::Io { path: path.to_path_buf(), source };
        crate::paths::create_private_dir(path).map_err(io)?;
        let key = path.canonicalize().map_err(io)?;
        let mut map = held().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = map.get(&key).and_then(Weak::upgrade) {
            return Ok(DataDir(h));
        }
        let file_path = key.join(LOCK_FILE);
        let mut file =
            open_lock_file(&file_path).map_err(|source| LockError::Io { path: file_path.clone(), source })?;
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    let (pid, held_by_ui) = read_holder(&mut file);
                    // this process let go of it a moment ago, and a child it was starting
                    // still shares the file until its exec closes it: wait for that
                    if pid == Some(std::process::id()) && tries < 100 {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        continue;
                    }
                    return Err(LockError::Busy { path: path.to_path_buf(), pid, ui: held_by_ui });
                }
                Err(std::fs::TryLockError::Error(source)) => return Err(LockError::Io { path: file_path, source }),
            }
        }
        // the pid, for the next process that finds the lock taken
        let kind = if ui { "ui" } else { "command" };
        let _ =
            file.set_len(0).and_then(|_| file.rewind()).and_then(|_| writeln!(file, "{} {kind}", std::process::id()));
        let _ = file.sync_all();
        let h = Arc::new(Held { path: key.clone(), _file: file });
        map.insert(key, Arc::downgrade(&h));
        Ok(DataDir(h))
    }

    /// Waits until the lock of `path` can be taken, calling `waiting` once with the holder's
    /// pid when it has to wait.
    pub async fn lock_waiting(path: &Path, mut waiting: impl FnMut(Option<u32>)) -> Result<DataDir, LockError> {
        let mut told = false;
        loop {
            match DataDir::lock(path) {
                Err(LockError::Busy { pid, .. }) => {
                    if !told {
                        told = true;
                        waiting(pid);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                other => return other,
            }
        }
    }

    /// The directory, canonical.
    pub fn path(&self) -> &Path {
        &self.0.path
    }
}

fn open_lock_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).mode(0o600).open(path)
}

/// The holder's pid, and whether it is a UI, from the lock file ("PID ui" or "PID command").
fn read_holder(file: &mut File) -> (Option<u32>, bool) {
    let mut text = String::new();
    if file.rewind().is_err() || file.read_to_string(&mut text).is_err() {
        return (None, false);
    }
    let mut words = text.split_whitespace();
    (words.next().and_then(|p| p.parse().ok()), words.next() == Some("ui"))
}

/// The pid written in a data dir's lock file, if any (whether or not it is held).
pub fn holder_pid(path: &Path) -> Option<u32> {
    let mut f = File::open(path.join(LOCK_FILE)).ok()?;
    read_holder(&mut f).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_process_shares_its_lock_and_releases_it_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let a = DataDir::lock(dir.path()).unwrap();
        let b = DataDir::lock(dir.path()).unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(holder_pid(dir.path()), Some(std::process::id()));
        // another open file description of the lock file cannot take it meanwhile
        let other = open_lock_file(&dir.path().join(LOCK_FILE)).unwrap();
        assert!(matches!(other.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
        drop((a, b));
        // (a child another test is starting may share the file for a moment)
        let free = (0..200).any(|_| {
            other.try_lock().is_ok() || {
                std::thread::sleep(std::time::Duration::from_millis(5));
                false
            }
        });
        assert!(free);
    }

    #[test]
    fn the_lock_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let _l = DataDir::lock(&dir.path().join("data")).unwrap();
        let mode = std::fs::metadata(dir.path().join("data").join(LOCK_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
