//! `poste send` (an RFC 5322 message from a file or stdin) and `poste compose` (one built
//! from options): through the account's Outbox, so a message that cannot go now is kept
//! and sent later.

use super::Loaded;
use crate::account::{Command, Event};
use crate::compose::{self, Attachment, Draft};
use crate::config::AccountConfig;
use crate::store::outbox::{OutState, Outgoing};
use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// Exit code when the message waits in the Outbox (EX_TEMPFAIL).
const QUEUED: i32 = 75;

/// The account to send with: the one named, else the one `from` belongs to (or the only
/// one). A From that is none of several accounts', or no From at all, needs `--account`.
fn pick<'a>(loaded: &'a Loaded, name: Option<&str>, from: Option<&str>) -> Result<&'a AccountConfig> {
    let accounts = &loaded.config.accounts;
    let a = match (name, from) {
        (Some(n), _) => super::select_accounts(&loaded.config, Some(n))?.remove(0),
        (None, Some(f)) => match loaded.config.account_for_address(f) {
            Some(a) => a,
            None if accounts.len() > 1 => bail!(
                "the From address {f} is none of the accounts' addresses: say which account sends it with \
                 --account NAME (nothing was sent)"
            ),
            None => accounts.first().context("no accounts in the config")?,
        },
        (None, None) => {
            bail!("the message has no From header: give --account NAME to send it from that account (nothing was sent)")
        }
    };
    if a.smtp.is_none() {
        bail!("account {} has no [accounts.smtp] table, so it cannot send", a.name);
    }
    Ok(a)
}

/// The From field for a message that has none: the account's identity, encoded.
fn from_field(acct: &AccountConfig) -> Result<(String, String)> {
    let identity = compose::identity(acct, &[]);
    let mailbox: lettre::message::Mailbox =
        identity.parse().with_context(|| format!("account {}: {identity:?} is not an address", acct.name))?;
    let address = mailbox.email.to_string();
    let mut headers = lettre::message::header::Headers::new();
    headers.set(lettre::message::header::From::from(lettre::message::Mailboxes::from(mailbox)));
    Ok((headers.to_string(), address))
}

/// Hands a message to the account's worker and waits for the outcome.
async fn deliver(loaded: &Loaded, account: &AccountConfig, m: Outgoing) -> Result<i32> {
    let subject = m.subject.clone();
    let done =
        super::ask_worker(loaded, account, Command::Send { message: Box::new(m), replaces: None }, |ev| match ev {
            Event::SendDone { state, error, .. } => Some((state, error)),
            _ => None,
        })
        .await;
    Ok(match done {
        Ok((OutState::Sent, Some(note))) => {
            eprintln!("poste: {note}");
            0
        }
        Ok((OutState::Sent, None)) => {
            eprintln!("sent: {subject}");
            0
        }
        Ok((OutState::Queued, error)) => {
            let why = error.map(|e| format!(" ({e})")).unwrap_or_default();
            eprintln!(
                "poste: not sent yet{why}; kept in the Outbox: it goes with the next `poste sync` or when poste is \
                 next online"
            );
            QUEUED
        }
        Ok((OutState::Unknown, error)) => {
            eprintln!(
                "poste: {}; kept in the Outbox: the server may have it, so it is not sent again by itself (see the \
                 Outbox in poste)",
                error.unwrap_or_else(|| "the hand-over was cut short".into())
            );
            1
        }
        Ok((_, error)) => {
            eprintln!(
                "poste: not sent: {}; kept in the Outbox: change it or send it again from the Outbox in poste",
                error.unwrap_or_default()
            );
            1
        }
        Err(e) => {
            eprintln!("poste: {e}; the message may be in the Outbox: check with poste or `poste sync`");
            1
        }
    })
}

/// `poste send [--account NAME] [FILE|-]`.
pub async fn send(loaded: &Loaded, account: Option<&str>, file: Option<&Path>) -> Result<i32> {
    let mut raw = Vec::new();
    match file {
        Some(p) if p != Path::new("-") => {
            raw = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        }
        _ => {
            std::io::stdin().read_to_end(&mut raw).context("reading the message from stdin")?;
        }
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        bail!(
            "the message is empty: poste send reads a whole message (headers, a blank line, the body) from FILE or stdin"
        );
    }
    let Some(m) = mail_parser::MessageParser::default().parse_headers(&raw) else {
        bail!("the input is not an RFC 5322 message");
    };
    // every field of that name counts: a second Bcc line must not lose its recipients
    let addrs = |name: mail_parser::HeaderName<'static>| -> Vec<String> {
        m.header_values(name)
            .filter_map(|v| v.as_address())
            .flat_map(|a| a.iter().filter_map(|x| x.address().map(str::to_string)).collect::<Vec<_>>())
            .collect()
    };
    use mail_parser::HeaderName as H;
    let from = addrs(H::From).into_iter().next();
    let to: Vec<String> = [addrs(H::To), addrs(H::Cc), addrs(H::Bcc)].concat();
    let subject = m.subject().unwrap_or("").to_string();
    let has_bcc = m.header_raw("Bcc").is_some();
    let has_date = m.date().is_some();
    let has_id = m.message_id().is_some();
    let acct = pick(loaded, account, from.as_deref())?;
    if to.is_empty() {
        bail!("the message has no recipients (To, Cc or Bcc)");
    }
    // a bad address is refused here, before the message reaches the Outbox
    for a in from.iter().chain(&to) {
        if a.parse::<lettre::Address>().is_err() {
            bail!("{a:?} is not a valid address: nothing was sent");
        }
    }
    // a message without From, Date or Message-ID gets them; Bcc is never sent
    let mut head = String::new();
    let from = match from {
        Some(f) => f,
        None => {
            let (field, address) = from_field(acct)?;
            eprintln!("poste: the message has no From header: sending it from {address} (account {})", acct.name);
            head.push_str(&field);
            address
        }
    };
    if !has_date {
        head.push_str(&format!("Date: {}\r\n", chrono::Local::now().to_rfc2822()));
    }
    if !has_id {
        head.push_str(&format!("Message-ID: {}\r\n", compose::new_message_id(compose::domain_of(&from))));
    }
    let mut saved = head.clone().into_bytes();
    saved.extend_from_slice(&raw);
    let sent = if has_bcc { compose::without_bcc(&saved) } else { saved.clone() };
    let m = Outgoing::new(crate::smtp::Envelope { from, to }, subject, sent, saved);
    deliver(loaded, acct, m).await
}

/// What `poste compose` is given.
pub struct ComposeArgs {
    pub account: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: Option<String>,
    pub attach: Vec<PathBuf>,
    pub body_file: Option<PathBuf>,
    pub allow_empty: bool,
}

/// `poste compose --account NAME --to ADDR ...`: builds the message and sends it.
pub async fn compose_and_send(loaded: &Loaded, args: ComposeArgs) -> Result<i32> {
    let acct = pick(loaded, Some(&args.account), None)?;
    let body = match &args.body_file {
        Some(p) if p == Path::new("-") => body_from_stdin()?,
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read {} as UTF-8 text", p.display()))?,
        None if std::io::stdin().is_terminal() => match crate::compose::editor_command(loaded.config.editor.as_deref())
        {
            Some(editor) => edit_body(&editor)?,
            None => {
                eprintln!(
                    "poste: no editor is set (the config's editor, $VISUAL or $EDITOR): type the body, then Ctrl-D"
                );
                body_from_stdin()?
            }
        },
        None => body_from_stdin()?,
    };
    if body.trim().is_empty() && !args.allow_empty {
        bail!("the body is empty: nothing was sent (give --allow-empty to send it so)");
    }
    let mut d = Draft {
        from: compose::identity(acct, &[]),
        to: args.to.join(", "),
        cc: args.cc.join(", "),
        bcc: args.bcc.join(", "),
        subject: args.subject.unwrap_or_default(),
        body,
        ..Default::default()
    };
    for p in &args.attach {
        d.attachments.push(Attachment::from_file(p)?);
    }
    let built = compose::build(&d, false)?;
    deliver(loaded, acct, compose::outgoing(&d, built)).await
}

fn body_from_stdin() -> Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).context("reading the body from stdin (UTF-8 text)")?;
    Ok(s)
}

/// The body as written in `editor`, run on an empty private file on this terminal.
fn edit_body(editor: &str) -> Result<String> {
    let file = tempfile::Builder::new()
        .prefix("poste-body-")
        .suffix(".txt")
        .tempfile()
        .context("making a file for the body")?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot run the editor {editor:?}"))?;
    if !status.success() {
        bail!("the editor {editor:?} failed ({status}): nothing was sent");
    }
    std::fs::read_to_string(file.path()).with_context(|| format!("cannot read {} as UTF-8 text", file.path().display()))
}
