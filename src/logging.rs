//! Logging to a file with `tracing`; nothing is ever written to the terminal while the UI runs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
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

/// Starts logging into `dir/poste.log`. The level comes from `POSTE_LOG` (default `info`).
/// Returns the log file's path. Failing to log is never fatal.
pub fn init(dir: &Path) -> Option<PathBuf> {
    crate::paths::create_private_dir(dir).ok()?;
    let path = dir.join("poste.log");
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path).ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
