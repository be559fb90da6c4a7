//! The command line: parsing (clap) and the headless commands (`sync`, `list`, `read`,
//! the mailbox actions, `import`, `export`, `check`).

mod act;
mod check;
mod list;
mod read;
mod send;
mod sync;
mod transfer;

use crate::config::Config;
use crate::paths::Paths;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(name = "poste", version, about = "A terminal mail client for IMAP and POP3 accounts")]
#[command(after_help = "poste 'mailto:ADDR?subject=...' opens the UI with that message ready to write.")]
pub struct Cli {
    /// A `mailto:` URL given instead of a command (taken out before parsing).
    #[arg(skip)]
    pub mailto: Option<String>,
    /// The config file (default: $POSTE_CONFIG, else <XDG config dir>/poste/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open a bundled sample mailbox, offline, without a config.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Sync the folder list and every folder's headers into the local store.
    Sync {
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// Sync only this folder (it must have been synced once).
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
    },
    /// List messages from the local store (works offline), newest first.
    List {
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Print a message; its body is fetched and cached if it is not yet.
    Read {
        id: i64,
        /// Print the RFC 5322 source unchanged.
        #[arg(long)]
        raw: bool,
    },
    /// Set or clear flags on messages (by id, as `poste list` shows them).
    Flag {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long)]
        seen: bool,
        #[arg(long, conflicts_with = "seen")]
        unseen: bool,
        #[arg(long)]
        flagged: bool,
        #[arg(long, conflicts_with = "flagged")]
        unflagged: bool,
    },
    /// Move messages to another folder of their account.
    Move {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long, value_name = "FOLDER")]
        to: String,
    },
    /// Delete messages: to Trash, or for good with --expunge (or when they are in Trash).
    Delete {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long)]
        expunge: bool,
    },
    /// Create, rename, delete or (un)subscribe folders.
    Folder {
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        #[command(subcommand)]
        command: act::FolderCommand,
    },
    /// Import an mbox file or a Maildir into a local folder of a POP3 account (created if
    /// missing). Messages already there (same Message-ID and size) are skipped.
    Import {
        #[arg(long, value_name = "NAME")]
        account: String,
        #[arg(long, value_name = "FOLDER")]
        folder: String,
        /// An mbox file, or a Maildir directory (with cur/ and new/).
        path: PathBuf,
    },
    /// Export a folder into a new mbox file (mboxrd) or a Maildir, byte for byte.
    Export {
        #[arg(long, value_name = "NAME")]
        account: String,
        #[arg(long, value_name = "FOLDER")]
        folder: String,
        #[arg(long, value_name = "FILE", conflicts_with = "maildir", required_unless_present = "maildir")]
        mbox: Option<PathBuf>,
        #[arg(long, value_name = "DIR")]
        maildir: Option<PathBuf>,
    },
    /// Send an RFC 5322 message from FILE (or stdin) and keep a copy in Sent; the account is
    /// the one named, else the one the From address belongs to.
    Send {
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        file: Option<PathBuf>,
    },
    /// Build a message from options, send it and keep a copy in Sent.
    Compose {
        #[arg(long, value_name = "NAME")]
        account: String,
        #[arg(long, value_name = "ADDR", required = true)]
        to: Vec<String>,
        #[arg(long, value_name = "ADDR")]
        cc: Vec<String>,
        #[arg(long, value_name = "ADDR")]
        bcc: Vec<String>,
        #[arg(long, value_name = "TEXT")]
        subject: Option<String>,
        #[arg(long, value_name = "FILE")]
        attach: Vec<PathBuf>,
        /// The body, UTF-8 text (`-` reads stdin).
        #[arg(long, value_name = "FILE")]
        body_file: Option<PathBuf>,
    },
    /// Validate the config, connect, log in and report on each account.
    Check {
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
    },
}

impl Cli {
    /// Parses the command line; a `mailto:` URL in place of a command opens the composer.
    pub fn parse_args() -> Cli {
        let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let mut i = 1;
        let mut mailto = None;
        while i < args.len() {
            let a = args[i].to_string_lossy().to_string();
            if a == "--config" {
                i += 2;
                continue;
            }
            if a.to_ascii_lowercase().starts_with("mailto:") {
                args.remove(i);
                mailto = Some(a);
                break;
            }
            if !a.starts_with("--") {
                break;
            }
            i += 1;
        }
        let mut cli = Cli::parse_from(args);
        cli.mailto = mailto;
        cli
    }
}

/// A loaded config with where it came from and where its data lives.
pub struct Loaded {
    pub config: Config,
    pub path: PathBuf,
    pub data_dir: PathBuf,
}

/// Finds and loads the config; without one, says where it looked and how to start.
pub fn load(explicit: Option<&Path>) -> Result<Loaded> {
    let path =
        Paths::config_file(explicit).context("cannot find a config directory: set $POSTE_CONFIG or pass --config")?;
    if !path.exists() {
        bail!(
            "no config file at {}.\n\
             To try poste with a sample mailbox, run: poste --demo\n\
             To set up your accounts, copy config.example.toml to {} and edit it \
             (or pass --config PATH, or set $POSTE_CONFIG).",
            path.display(),
            path.display()
        );
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|source| crate::config::ConfigError::Read { path: path.clone(), source })?;
    let config = Config::parse(&text, &path)?;
    // the keymap knows the actions: a mistake in [keys] is refused by every command, as by the UI
    let problems = crate::app::keymap::problems(&config.keys);
    let placed = problems.iter().map(|p| (p.action.as_str(), p.key, p.to_string()));
    if let Some(e) = crate::config::keys_error(&path, &text, placed) {
        return Err(e.into());
    }
    for a in &config.accounts {
        if let Some(w) = crate::secret::inline_password_warning(&path, a) {
            eprintln!("{w}");
        }
    }
    let data_dir = match &config.data_dir {
        Some(d) => crate::paths::expand_home(d),
        None => Paths::default_data_dir().context("cannot find a data directory: set data_dir in the config")?,
    };
    Ok(Loaded { config, path, data_dir })
}

/// The accounts a `--account` option selects (all when None); an unknown name is an error.
pub fn select_accounts<'a>(config: &'a Config, name: Option<&str>) -> Result<Vec<&'a crate::config::AccountConfig>> {
    match name {
        None => Ok(config.accounts.iter().collect()),
        Some(n) => match config.account(n) {
            Some(a) => Ok(vec![a]),
            None => {
                let known: Vec<_> = config.accounts.iter().map(|a| a.name.as_str()).collect();
                bail!("no account named {n:?} in the config (accounts: {})", known.join(", "))
            }
        },
    }
}

/// Runs a headless command.
pub async fn run(cmd: CliCommand, explicit_config: Option<&Path>) -> Result<i32> {
    match cmd {
        CliCommand::Sync { account, folder } => {
            sync::run(&load(explicit_config)?, account.as_deref(), folder.as_deref()).await
        }
        CliCommand::List { account, folder, limit, json } => {
            list::run(&load(explicit_config)?, account.as_deref(), folder.as_deref(), limit, json)
        }
        CliCommand::Read { id, raw } => read::run(&load(explicit_config)?, id, raw).await,
        CliCommand::Flag { ids, seen, unseen, flagged, unflagged } => {
            let change = act::FlagChange { seen, unseen, flagged, unflagged };
            act::flag(&load(explicit_config)?, &ids, change).await
        }
        CliCommand::Move { ids, to } => act::move_to(&load(explicit_config)?, &ids, &to).await,
        CliCommand::Delete { ids, expunge } => act::delete(&load(explicit_config)?, &ids, expunge).await,
        CliCommand::Folder { account, command } => {
            act::folder(&load(explicit_config)?, account.as_deref(), command).await
        }
        CliCommand::Import { account, folder, path } => {
            transfer::import(&load(explicit_config)?, &account, &folder, &path).await
        }
        CliCommand::Export { account, folder, mbox, maildir } => {
            transfer::export(&load(explicit_config)?, &account, &folder, mbox.as_deref(), maildir.as_deref())
        }
        CliCommand::Send { account, file } => {
            send::send(&load(explicit_config)?, account.as_deref(), file.as_deref()).await
        }
        CliCommand::Compose { account, to, cc, bcc, subject, attach, body_file } => {
            let args = send::ComposeArgs { account, to, cc, bcc, subject, attach, body_file };
            send::compose_and_send(&load(explicit_config)?, args).await
        }
        CliCommand::Check { account } => check::run(&load(explicit_config)?, account.as_deref()).await,
    }
}

/// The data dir as a command that goes through account workers uses it: as the holder of
/// its lock, or handing the work to the poste that holds it.
pub(crate) fn instance(loaded: &Loaded) -> Result<crate::instance::Instance> {
    crate::instance::Instance::open(&loaded.data_dir, &loaded.config.accounts)
        .with_context(|| format!("opening {}", loaded.data_dir.display()))
}

/// Starts (or reaches) `account`'s worker, sends it `cmd`, and hands its events to `until`
/// until that returns a value; then lets the worker go. An error when the worker stopped
/// or was cut off first.
pub(crate) async fn ask_worker<T>(
    loaded: &Loaded,
    account: &crate::config::AccountConfig,
    cmd: crate::account::Command,
    mut until: impl FnMut(crate::account::Event) -> Option<T>,
) -> Result<T> {
    let mut inst = instance(loaded)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = inst.start(account, tx).await?;
    h.send(cmd);
    let mut answer = Err(anyhow::anyhow!("the account worker stopped"));
    while let Some(ev) = rx.recv().await {
        if let crate::account::Event::Interrupted { error, .. } = &ev {
            answer = Err(anyhow::anyhow!("{error}"));
            break;
        }
        if let Some(a) = until(ev) {
            answer = Ok(a);
            break;
        }
    }
    inst.close().await;
    h.shutdown().await;
    answer
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
