//! The command line: parsing (clap) and the headless commands (`sync`, `list`, `read`,
//! the mailbox actions, `import`, `export`, `check`).

mod act;
mod check;
mod confirm;
mod folder;
mod list;
mod read;
mod search;
mod send;
mod sync;
mod transfer;

use crate::config::Config;
use crate::model::MessageId;
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
        /// Sync only this account (default: every account).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// Sync only this folder (it must have been synced once).
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
    },
    /// List messages from the local store (works offline), newest first.
    List {
        /// Only this account's messages.
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// Only this folder's messages (default: every folder, with account and folder shown).
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        /// At most this many messages (the newest); with --threads, this many threads.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Group the messages into conversations, the latest activity first, each drawn
        /// as a tree (JSON rows say each message's depth in it).
        #[arg(long)]
        threads: bool,
    },
    /// Search messages: words, "phrases", from:, subject:, is:unread, before:, OR, -term, ...
    ///
    /// The query language: words (all must match; a word matches as a prefix) and
    /// "quoted phrases"; from: to: cc: subject: body:; has:attachment;
    /// is:unread|read|flagged|answered|draft; in:FOLDER; account:NAME; before: after:
    /// date: (YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d, 2w, 3m, 1y); larger:
    /// smaller: (500, 100k, 5M); OR, -term or NOT, and parentheses. The server is asked
    /// too for folders whose bodies are not all stored (unless --local-only).
    Search {
        /// The query (quote it for the shell: poste search 'from:alice is:unread report').
        query: String,
        /// One JSON object per line, as `poste list --json`.
        #[arg(long)]
        json: bool,
        /// At most this many messages (the newest).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Only this account's messages.
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// Search the local store only; do not ask the server.
        #[arg(long)]
        local_only: bool,
    },
    /// Print a message; its body is fetched and cached if it is not yet.
    Read {
        /// The message's id, as `poste list` shows it.
        id: i64,
        /// Print the RFC 5322 source unchanged.
        #[arg(long)]
        raw: bool,
        /// Leave the message unread (default: marked read as ui.mark_read_on_open says).
        #[arg(long)]
        peek: bool,
    },
    /// Set or clear flags on messages (by id, as `poste list` shows them).
    Flag {
        /// The messages' ids, as `poste list` shows them.
        #[arg(required = true, value_parser = message_id)]
        ids: Vec<MessageId>,
        /// Mark them read.
        #[arg(long)]
        seen: bool,
        /// Mark them unread.
        #[arg(long, conflicts_with = "seen")]
        unseen: bool,
        /// Flag them.
        #[arg(long)]
        flagged: bool,
        /// Take the flag off.
        #[arg(long, conflicts_with = "flagged")]
        unflagged: bool,
    },
    /// Move messages to another folder of their account.
    Move {
        /// The messages' ids, as `poste list` shows them.
        #[arg(required = true, value_parser = moved_id)]
        ids: Vec<MessageId>,
        /// The folder to move them to.
        #[arg(long, value_name = "FOLDER")]
        to: String,
    },
    /// Delete messages: to Trash, or for good with --expunge (or when they are in Trash);
    /// asks before deleting for good.
    Delete {
        /// The messages' ids, as `poste list` shows them.
        #[arg(required = true, value_parser = message_id)]
        ids: Vec<MessageId>,
        /// Delete them for good instead of moving them to Trash.
        #[arg(long)]
        expunge: bool,
        /// Delete for good without asking (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// List, create, rename, delete or (un)subscribe folders.
    Folder {
        /// The account (needed when several are configured; `list` shows all by default).
        #[arg(long, value_name = "NAME", global = true)]
        account: Option<String>,
        #[command(subcommand)]
        command: folder::FolderCommand,
    },
    /// Import an mbox file or a Maildir into a local folder of a POP3 account (created if
    /// missing). Messages already there (same Message-ID and size) are skipped.
    Import {
        /// The POP3 account to import into.
        #[arg(long, value_name = "NAME")]
        account: String,
        /// The local folder to import into (created if missing).
        #[arg(long, value_name = "FOLDER")]
        folder: String,
        /// An mbox file, or a Maildir directory (with cur/ and new/).
        path: PathBuf,
    },
    /// Export a folder into a new mbox file (mboxrd) or a Maildir, byte for byte.
    Export {
        /// The account the folder belongs to.
        #[arg(long, value_name = "NAME")]
        account: String,
        /// The folder to export.
        #[arg(long, value_name = "FOLDER")]
        folder: String,
        /// Write a new mbox file (mboxrd) here; an existing file is never overwritten.
        #[arg(long, value_name = "FILE", conflicts_with = "maildir", required_unless_present = "maildir")]
        mbox: Option<PathBuf>,
        /// Write into this Maildir (created if missing).
        #[arg(long, value_name = "DIR")]
        maildir: Option<PathBuf>,
    },
    /// Send an RFC 5322 message from FILE (or stdin) and keep a copy in Sent; the account is
    /// the one named, else the one the From address belongs to.
    Send {
        /// The account to send with (needed when the From address is none of the accounts'
        /// or the message has no From).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// The message (`-` or nothing reads stdin).
        file: Option<PathBuf>,
    },
    /// Build a message from options, send it and keep a copy in Sent.
    Compose {
        /// The account to send with.
        #[arg(long, value_name = "NAME")]
        account: String,
        /// A recipient (the option may be given several times).
        #[arg(long, value_name = "ADDR", required = true)]
        to: Vec<String>,
        /// A recipient in copy (the option may be given several times).
        #[arg(long, value_name = "ADDR")]
        cc: Vec<String>,
        /// A hidden recipient (the option may be given several times).
        #[arg(long, value_name = "ADDR")]
        bcc: Vec<String>,
        /// The subject.
        #[arg(long, value_name = "TEXT")]
        subject: Option<String>,
        /// A file to attach (the option may be given several times).
        #[arg(long, value_name = "FILE")]
        attach: Vec<PathBuf>,
        /// The body, UTF-8 text (`-` reads stdin). Without it the editor opens when stdin is
        /// a terminal (the config's editor, else $VISUAL or $EDITOR), else stdin is read.
        #[arg(long, value_name = "FILE")]
        body_file: Option<PathBuf>,
        /// Send even with an empty body.
        #[arg(long)]
        allow_empty: bool,
    },
    /// Validate the config, connect, log in (incoming and SMTP) and report on each account.
    Check {
        /// Check only this account.
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
/// A message id on the command line: a positive number, as `poste list` shows it.
fn message_id(text: &str) -> std::result::Result<MessageId, String> {
    match text.parse::<i64>() {
        Ok(id) if id > 0 => Ok(MessageId(id)),
        _ => Err("not a message id (ids are the numbers `poste list` shows)".to_string()),
    }
}

/// A message id of `poste move`: a word there is most likely the folder given without
/// `--to`, and the error says how to write it.
fn moved_id(text: &str) -> std::result::Result<MessageId, String> {
    message_id(text).map_err(|e| match text.parse::<i64>() {
        Err(_) => format!("{e}; the folder goes after --to: poste move ID... --to {text}"),
        Ok(_) => e,
    })
}

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
    #[cfg(feature = "ui")]
    {
        let problems = crate::app::keymap::problems(&config.keys);
        let placed = problems.iter().map(|p| (p.action.as_str(), p.key, p.to_string()));
        if let Some(e) = crate::config::keys_error(&path, &text, placed) {
            return Err(e.into());
        }
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
        CliCommand::List { account, folder, limit, json, threads } => {
            let how = list::How { limit, json, threads };
            list::run(&load(explicit_config)?, account.as_deref(), folder.as_deref(), how)
        }
        CliCommand::Search { query, json, limit, account, local_only } => {
            search::run(&load(explicit_config)?, &query, account.as_deref(), limit, json, local_only).await
        }
        CliCommand::Read { id, raw, peek } => read::run(&load(explicit_config)?, MessageId(id), raw, peek).await,
        CliCommand::Flag { ids, seen, unseen, flagged, unflagged } => {
            let change = act::FlagChange { seen, unseen, flagged, unflagged };
            act::flag(&load(explicit_config)?, &ids, change).await
        }
        CliCommand::Move { ids, to } => act::move_to(&load(explicit_config)?, &ids, &to).await,
        CliCommand::Delete { ids, expunge, yes } => act::delete(&load(explicit_config)?, &ids, expunge, yes).await,
        CliCommand::Folder { account, command } => {
            folder::folder(&load(explicit_config)?, account.as_deref(), command).await
        }
        CliCommand::Import { account, folder, path } => {
            transfer::import(&load(explicit_config)?, &account, &folder, &path).await
        }
        CliCommand::Export { account, folder, mbox, maildir } => {
            transfer::export(&load(explicit_config)?, &account, &folder, mbox.as_deref(), maildir.as_deref()).await
        }
        CliCommand::Send { account, file } => {
            send::send(&load(explicit_config)?, account.as_deref(), file.as_deref()).await
        }
        CliCommand::Compose { account, to, cc, bcc, subject, attach, body_file, allow_empty } => {
            let args = send::ComposeArgs { account, to, cc, bcc, subject, attach, body_file, allow_empty };
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

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Options and commands without help text, as `poste COMMAND --help` would show them.
    fn undocumented(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if !["help", "version"].contains(&id) && a.get_help().is_none() && a.get_long_help().is_none() {
                out.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{path} {}", sub.get_name());
            if sub.get_about().is_none() {
                out.push(path.clone());
            }
            undocumented(sub, &path, out);
        }
    }

    #[test]
    fn every_command_and_option_has_help_text() {
        let mut missing = Vec::new();
        undocumented(&Cli::command(), "poste", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
        Cli::command().debug_assert();
    }
}
