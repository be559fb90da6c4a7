//! `poste check`: validate the config, then connect and log in to each account's incoming
//! and outgoing servers (no message is sent) and report.

use super::{Loaded, select_accounts};
use crate::format::count;
use crate::secret::PasswordSource;
use crate::{imap, pop3};
use anyhow::Result;
use std::fmt::Write;

pub async fn run(loaded: &Loaded, account: Option<&str>) -> Result<i32> {
    let mut out = String::new();
    let path = loaded.path.display();
    if loaded.config.accounts.is_empty() {
        let _ =
            writeln!(out, "config: {path} has no accounts: add an [[accounts]] table (config.example.toml shows how)");
        super::print(&out);
        return Ok(1);
    }
    let _ = writeln!(out, "config: {path} is valid ({})", count(loaded.config.accounts.len() as u64, "account"));
    let _ = writeln!(out, "data: {}", loaded.data_dir.display());
    let mut failed = 0;
    for a in select_accounts(&loaded.config, account)? {
        let incoming = match (&a.pop3, &a.imap) {
            (Some(cfg), _) => check_pop3(&mut out, &a.name, cfg, loaded).await,
            (None, Some(cfg)) => check_imap(&mut out, &a.name, cfg).await,
            (None, None) => true,
        };
        let outgoing = match a.smtp_settings() {
            Some(s) => check_smtp(&mut out, &a.name, &s).await,
            None => {
                let _ = writeln!(out, "{}: smtp: none ([accounts.smtp] is not set: this account cannot send)", a.name);
                true
            }
        };
        if !incoming || !outgoing {
            failed += 1;
        }
    }
    super::print(&out);
    Ok(if failed == 0 { 0 } else { 1 })
}

/// Logs in to an IMAP account and reports the server, its capabilities and its folders.
async fn check_imap(out: &mut String, name: &str, cfg: &crate::config::ImapConfig) -> bool {
    let Some(pw) = PasswordSource::from_keys(cfg.password_command.as_deref(), cfg.password.as_deref()) else {
        return true;
    };
    let result = async {
        let (mut conn, info) = imap::check(cfg, &pw).await?;
        let folders = imap::list_folders(&mut conn).await?;
        conn.logout().await;
        Ok::<_, imap::ImapError>((info, folders.len()))
    }
    .await;
    match result {
        Ok((info, n)) => {
            let tls = match info.tls_version {
                Some(v) => format!("{} ({v})", info.tls.as_str()),
                None => info.tls.as_str().to_string(),
            };
            let _ = writeln!(out, "{name}: ok: {}:{} over {tls}, logged in as {}", cfg.host, cfg.port(), cfg.username);
            let _ = writeln!(out, "{name}: capabilities: {}", info.capabilities.join(" "));
            let _ = writeln!(out, "{name}: {}", count(n as u64, "folder"));
            true
        }
        Err(e) => {
            let _ = writeln!(out, "{name}: FAILED: {e}");
            false
        }
    }
}

/// Connects to the account's SMTP server, starts TLS and logs in as sending would; no
/// message is sent.
async fn check_smtp(out: &mut String, name: &str, s: &crate::config::SmtpSettings) -> bool {
    let pw = PasswordSource::from_keys(s.password_command.as_deref(), s.password.as_deref());
    match crate::smtp::check(s, pw.as_ref()).await {
        Ok(checked) => {
            let who = match &s.username {
                Some(u) => format!("logged in as {u}"),
                None => "without logging in (username = \"\")".into(),
            };
            let _ = writeln!(out, "{name}: smtp: ok: {}:{} over {}, {who}", s.host, s.port, s.tls.as_str());
            let extensions =
                if checked.extensions.is_empty() { "(none)".into() } else { checked.extensions.join(", ") };
            let _ = writeln!(out, "{name}: smtp: server {}, extensions: {extensions}", checked.server);
            true
        }
        Err(e) => {
            let _ = writeln!(out, "{name}: smtp: FAILED: {e}");
            false
        }
    }
}

/// Logs in to a POP3 account and reports the server, its capabilities and the mailbox.
async fn check_pop3(out: &mut String, name: &str, cfg: &crate::config::Pop3Config, loaded: &Loaded) -> bool {
    let Some(pw) = PasswordSource::from_keys(cfg.password_command.as_deref(), cfg.password.as_deref()) else {
        return true;
    };
    let result = async {
        let mut p = pop3::connect(&pop3::Settings::from_config(cfg, 1 << 20), &pw).await?;
        let (messages, size) = p.stat().await?;
        let uidl = p.uidl().await?.is_some();
        let caps = p.caps.join(" ");
        p.quit().await?;
        Ok::<_, pop3::Pop3Error>((messages, size, uidl, caps))
    }
    .await;
    match result {
        Ok((messages, size, uidl, caps)) => {
            let how = if cfg.apop { "APOP" } else { "password" };
            let _ = writeln!(
                out,
                "{name}: ok: {}:{} over {}, logged in as {} ({how})",
                cfg.host,
                cfg.port(),
                cfg.tls.as_str(),
                cfg.username
            );
            let _ = writeln!(out, "{name}: capabilities: {}", if caps.is_empty() { "(no CAPA)" } else { &caps });
            let _ = writeln!(
                out,
                "{name}: {} ({}) on the server",
                count(u64::from(messages), "message"),
                crate::format::bytes(size)
            );
            if !uidl {
                let _ =
                    writeln!(out, "{name}: warning: no UIDL; every message is deleted from the server once downloaded");
            }
            let dir = loaded.data_dir.join(crate::store::maildir::folder_dir(name, "INBOX"));
            let _ = writeln!(out, "{name}: local mail: {} (Maildir)", dir.parent().unwrap_or(&dir).display());
            true
        }
        Err(e) => {
            let _ = writeln!(out, "{name}: FAILED: {e}");
            false
        }
    }
}
