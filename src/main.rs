//! The poste binary: parse the command line, start logging and the runtime, dispatch.

use poste::cli::{self, Cli};

fn main() {
    poste::logging::mark_start();
    let args = Cli::parse_args();
    let log_dir = poste::paths::Paths::default_cache_dir().unwrap_or_else(std::env::temp_dir);
    poste::logging::init(&log_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("poste: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(async {
        match args.command {
            Some(cmd) => cli::run(cmd, args.config.as_deref()).await,
            None if args.demo => poste::tui::run_demo().await.map(|_| 0),
            None => {
                let loaded = cli::load(args.config.as_deref())?;
                poste::tui::run(loaded, args.mailto).await.map(|_| 0)
            }
        }
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            use std::io::Write;
            // stderr may be gone (the terminal closed): that is no reason to panic
            let _ = writeln!(std::io::stderr(), "poste: {e:#}");
            std::process::exit(1);
        }
    }
}
