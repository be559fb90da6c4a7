//! Logging to a file with `tracing`; nothing is ever written to the terminal while the UI
//! runs, and every line is redacted of passwords and SASL secrets before it is written.

mod redact;

pub use redact::MARK as REDACTED;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

static START: OnceLock<Instant> = OnceLock::new();

/// Marks the moment the process started (call first thing in `main`).
pub fn mark_start() {
    let _ = START.set(Instant::now());
}

/// Time since `mark_start`.
pub fn since_start() -> Duration {
    START.get_or_init(Instant::now).elapsed()
}

/// The log file behind a lock; each event gets a writer that redacts its lines.
struct RedactingFile(Mutex<std::fs::File>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingFile {
    type Writer = redact::Writer<Locked<'a>>;

    fn make_writer(&'a self) -> Self::Writer {
        // a writer that panicked while holding the lock left the file usable
        redact::Writer::new(Locked(self.0.lock().unwrap_or_else(|e| e.into_inner())))
    }
}

/// The locked log file, written through.
struct Locked<'a>(std::sync::MutexGuard<'a, std::fs::File>);

impl std::io::Write for Locked<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Starts logging into `dir/poste.log`. The level comes from `POSTE_LOG` (default `info`).
/// Returns the log file's path. Failing to log is never fatal. The IMAP library's own
/// command trace (the `log` crate, at trace level) comes here too, redacted like the rest.
pub fn init(dir: &Path) -> Option<PathBuf> {
    crate::paths::create_private_dir(dir).ok()?;
    let path = dir.join("poste.log");
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingFile(Mutex::new(file)))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
