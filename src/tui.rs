//! Terminal setup and restore, and the event loop: terminal input and worker events in one select.

use crate::cli::Loaded;
use anyhow::Result;

pub async fn run(_loaded: Loaded) -> Result<()> {
    anyhow::bail!("the terminal UI is not built yet")
}

pub async fn run_demo() -> Result<()> {
    anyhow::bail!("the terminal UI is not built yet")
}
