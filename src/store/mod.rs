//! The local store: a SQLite index (WAL, versioned migrations) plus Maildir message files.
//!
//! One worker per account writes; readers (the UI, `poste list`) open their own connection.
//! Every batch of changes is one transaction, and a message file is fsynced and renamed into
//! place before the index points at it, so a crash at any moment leaves a consistent store.

mod anchors;
mod bodies;
pub mod folders;
mod intents;
mod list_reads;
mod local;
pub mod maildir;
mod maildir_sync;
mod messages;
mod mirror;
pub mod outbox;
pub mod pending;
pub mod pop3;
mod schema;
mod search;
mod tally;
mod thread_assign;
pub mod threads;
mod tree;

pub use intents::Recovered;
pub use maildir_sync::Followed;
pub use messages::{Delivered, ListQuery, StoredMessage};
pub use mirror::MirrorCandidate;
pub use search::IndexProgress;
pub use threads::{ThreadEntry, ThreadRow, ThreadSpan};

use crate::instance::DataDir;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot use {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the store at {path} was written by a newer poste (schema {found}, this one knows {known})")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("no message with id {0} in the store")]
    NoMessage(crate::model::MessageId),
    #[error("no folder {0}")]
    NoFolder(String),
    /// A search or filter that could not be read; the error names the term and its place.
    #[error("{0}")]
    Query(#[from] crate::query::QueryError),
    /// A change the store will not make as asked; the text says why.
    #[error("{0}")]
    Refused(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A connection to the index, with the data dir its Maildir paths are relative to. A
/// writer holds the data dir's lock (`DataDir`); a reader (`open_reader`) cannot write.
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
    _lock: Option<DataDir>,
    /// While a batch (`begin_batch`) is open: the files its changes remove once it commits.
    batch: std::cell::RefCell<Option<Vec<PathBuf>>>,
    /// Keys of rows seen at known places of the lists read (`anchors.rs`).
    anchors: std::cell::RefCell<anchors::Anchors>,
}

/// A transaction of one store change, or, inside a batch, a part of the batch's.
pub(crate) enum Tx<'a> {
    Own(rusqlite::Transaction<'a>),
    InBatch(&'a Connection),
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Tx::Own(t) => t,
            Tx::InBatch(c) => c,
        }
    }
}

impl Tx<'_> {
    /// Commits (inside a batch, the batch commits it later).
    pub(crate) fn commit(self) -> rusqlite::Result<()> {
        match self {
            Tx::Own(t) => t.commit(),
            Tx::InBatch(_) => Ok(()),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("data_dir", &self.data_dir).finish()
    }
}

pub const DB_FILE: &str = "index.sqlite3";

impl Store {
    /// Opens (creating and migrating as needed) the store of a data dir this process holds.
    pub fn open(data: &DataDir) -> Result<Store> {
        let mut store = Store::connect(data.path())?;
        store._lock = Some(data.clone());
        Ok(store)
    }

    /// Opens the store for reading only, beside whichever process writes it (`poste list`,
    /// `poste export`). A schema older than this poste's is brought up to date first; that is
    /// safe against a concurrent opener.
    pub fn open_reader(data_dir: &Path) -> Result<Store> {
        let store = Store::connect(data_dir)?;
        store.conn.pragma_update(None, "query_only", true)?;
        Ok(store)
    }

    fn connect(data_dir: &Path) -> Result<Store> {
        crate::paths::create_private_dir(data_dir)
            .map_err(|source| StoreError::Io { path: data_dir.to_path_buf(), source })?;
        let db = data_dir.join(DB_FILE);
        let conn = Connection::open(&db)?;
        restrict_file(&db);
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // switching a new database to WAL takes it whole, and SQLite does not wait for
        // that: two processes opening a new store at once try again for a while
        let mut tries = 0;
        while let Err(e) = conn.pragma_update(None, "journal_mode", "WAL") {
            tries += 1;
            if tries > 100 || e.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy) {
                return Err(e.into());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // a statement that fires triggers keeps a statement journal of each page it changes;
        // in a file that is a write call per page, in memory a copy
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // a sync's batch runs a few dozen distinct statements in turn: all stay prepared
        conn.set_prepared_statement_cache_capacity(64);
        schema::migrate(&conn, &db)?;
        for suffix in ["-wal", "-shm"] {
            restrict_file(&data_dir.join(format!("{DB_FILE}{suffix}")));
        }
        Ok(Store {
            conn,
            data_dir: data_dir.to_path_buf(),
            _lock: None,
            batch: Default::default(),
            anchors: Default::default(),
        })
    }

    /// A transaction for one change; inside a batch, part of the batch's.
    pub(crate) fn tx(&self) -> rusqlite::Result<Tx<'_>> {
        if self.batch.borrow().is_some() {
            return Ok(Tx::InBatch(&self.conn));
        }
        self.conn.unchecked_transaction().map(Tx::Own)
    }

    /// Starts a batch: every change until `end_batch` commits together or not at all (a
    /// user action's local effect with its queued entry for the server).
    pub fn begin_batch(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        *self.batch.borrow_mut() = Some(Vec::new());
        Ok(())
    }

    /// Ends a batch: commits it (then removes the files its changes let go of) or rolls
    /// it all back.
    pub fn end_batch(&self, commit: bool) -> Result<()> {
        let files = self.batch.borrow_mut().take().unwrap_or_default();
        if !commit {
            self.conn.execute_batch("ROLLBACK")?;
            return Ok(());
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        self.finish_removals(&files)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// What stops this connection's running query from another thread (it then fails
    /// with an "interrupted" error); a connection with nothing running is not affected.
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The list anchors, dropped first if the database changed since they were noted.
    fn anchors(&self) -> Result<std::cell::RefMut<'_, anchors::Anchors>> {
        let version: i64 = self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        let mut anchors = self.anchors.borrow_mut();
        anchors.refresh((version, self.conn.total_changes() as i64));
        Ok(anchors)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Runs SQLite's integrity check; returns its report ("ok" when sound).
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Finds or creates an account row.
    pub fn ensure_account(&self, name: &str) -> Result<crate::model::AccountId> {
        self.conn.execute("INSERT OR IGNORE INTO accounts(name) VALUES (?1)", [name])?;
        Ok(self.conn.query_row("SELECT id FROM accounts WHERE name = ?1", [name], |r| r.get(0))?)
    }

    /// Account names in the store, by id.
    pub fn accounts(&self) -> Result<Vec<(crate::model::AccountId, String)>> {
        let mut st = self.conn.prepare_cached("SELECT id, name FROM accounts ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Makes a file private to its owner (best effort: the file may not exist yet).
fn restrict_file(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod thread_tests;
