//! Store reads of the UI off the UI task: a small pool of read-only connections used on
//! blocking threads, and the list read in flight, which a read for another list stops.

use crate::store::{ListQuery, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Read-only store connections for blocking threads: one is taken for a read and put back
/// after, so a burst of reads opens a few connections, not one each.
pub struct Readers {
    dir: PathBuf,
    idle: Mutex<Vec<Store>>,
    /// The list read now running: its query and what interrupts it.
    list: Mutex<Option<(u64, ListQuery, rusqlite::InterruptHandle)>>,
    /// The number of the last list read asked for: one still waiting for a thread when a
    /// later one was asked for is not run (the later one answers for the list as it is).
    latest: AtomicU64,
}

/// Connections kept for the next reads; more may be open while reads overlap.
const KEEP: usize = 4;

impl Readers {
    pub fn new(dir: PathBuf) -> Arc<Readers> {
        Arc::new(Readers { dir, idle: Mutex::new(Vec::new()), list: Mutex::new(None), latest: AtomicU64::new(0) })
    }

    /// Runs `f` with a reader (opened if none is idle), on the calling thread.
    pub fn with<T>(&self, f: impl FnOnce(&Store) -> T) -> crate::store::Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match idle {
            Some(s) => s,
            None => Store::open_reader(&self.dir)?,
        };
        let out = f(&store);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEEP {
            idle.push(store);
        }
        Ok(out)
    }

    /// Runs the list read `seq` of `query` with a reader; a list read of another query
    /// started meanwhile interrupts it (it then fails, and its answer is dropped as stale).
    pub fn list_read<T>(&self, seq: u64, query: &ListQuery, f: impl FnOnce(&Store) -> T) -> crate::store::Result<T> {
        self.with(|store| {
            self.superseded_by(seq, query);
            let mut slot = self.slot();
            if slot.as_ref().is_none_or(|(s, _, _)| *s < seq) {
                *slot = Some((seq, query.clone(), store.interrupt_handle()));
            }
            drop(slot);
            let out = f(store);
            // cleared before the connection goes back to the pool: an interrupt meant for
            // this read never reaches another
            let mut slot = self.slot();
            if slot.as_ref().is_some_and(|(s, _, _)| *s == seq) {
                *slot = None;
            }
            out
        })
    }

    /// List read `seq` is asked for.
    pub fn asked(&self, seq: u64) {
        self.latest.fetch_max(seq, Ordering::SeqCst);
    }

    /// Whether a list read after `seq` has been asked for.
    pub fn overtaken(&self, seq: u64) -> bool {
        self.latest.load(Ordering::SeqCst) > seq
    }

    /// Stops the list read in flight when it is older than `seq` and of another query.
    pub fn superseded_by(&self, seq: u64, query: &ListQuery) {
        let mut slot = self.slot();
        if let Some((s, q, handle)) = slot.as_ref()
            && *s < seq
            && q != query
        {
            handle.interrupt();
            *slot = None;
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(u64, ListQuery, rusqlite::InterruptHandle)>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::Readers;
    use crate::store::{ListQuery, Store};

    #[test]
    fn a_read_of_another_list_stops_the_one_running_and_the_reader_serves_again() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::instance::DataDir::lock(dir.path()).unwrap();
        let _writer = Store::open(&data).unwrap();
        let readers = Readers::new(dir.path().to_path_buf());
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
        let old = ListQuery { filter: Some("a".into()), ..Default::default() };
        let running = {
            let readers = readers.clone();
            std::thread::spawn(move || {
                readers.list_read(1, &old, |s| s.conn().query_row(endless, [], |r| r.get::<_, i64>(0))).unwrap()
            })
        };
        // the same query asked again does not stop it; another one does
        std::thread::sleep(std::time::Duration::from_millis(100));
        readers.superseded_by(2, &ListQuery { filter: Some("a".into()), ..Default::default() });
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!running.is_finished());
        readers.superseded_by(3, &ListQuery { filter: Some("ab".into()), ..Default::default() });
        let e = running.join().unwrap().unwrap_err();
        assert_eq!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::OperationInterrupted), "{e}");
        // a read asked for before a later one is not run at all
        readers.asked(5);
        assert!(readers.overtaken(4) && !readers.overtaken(5));
        // the connection goes on serving reads
        let n = readers.list_read(4, &ListQuery::default(), |s| s.count(&ListQuery::default())).unwrap();
        assert_eq!(n.unwrap(), 0);
    }
}
