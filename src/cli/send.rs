//! `poste send` (an RFC 5322 message from a file or stdin) and `poste compose` (one built
//! from options): through the account's Outbox, so a message that cannot go now is kept
//! and sent later.

use super::Loaded;
use crate::account::{Command, Event};
use crate::compose::{self, Attachment, Draft};
use crate::config::AccountConfig;
use crate::store::outbox::{OutState, Outgoing};
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Exit code when the message waits in the Outbox (EX_TEMPFAIL).
const QUEUED: i32 = 75;

/// The account to send with: the one named, else the one `from` belongs to, else the first.
fn pick<'a>(loaded: &'a Loaded, name: Option<&str>, from: Option<&str>) -> Result<&'a AccountConfig> {
    let a = match (name, from.and_then(|f| loaded.config.account_for_address(f))) {
        (Some(n), _) => super::select_accounts(&loaded.config, Some(n))?.remove(0),
        (None, Some(a)) => a,
        (None, None) => loaded
            .config
            .accounts
            .iter()
            .find(|a| a.smtp.is_some())
            .context("no account has an [accounts.smtp] table")?,
    };
    if a.smtp.is_none() {
        bail!("account {} has no [accounts.smtp] table, so it cannot send", a.name);
    }
    Ok(a)
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
            eprintln!(
                "poste: not sent yet, kept in the Outbox ({}); it goes with the next `poste sync` or in the UI",
                error.unwrap_or_default()
            );
            QUEUED
        }
        Ok((_, error)) => {
            eprintln!("poste: not sent: {}", error.unwrap_or_default());
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
    let from = from.unwrap_or_else(|| acct.email.clone());
    if to.is_empty() {
        bail!("the message has no recipients (To, Cc or Bcc)");
    }
    // a message without Date or Message-ID gets them; Bcc is never sent
    let mut head = String::new();
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
        Some(p) if p == Path::new("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("reading the body from stdin")?;
            s
        }
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read {} as UTF-8 text", p.display()))?,
        None => String::new(),
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
