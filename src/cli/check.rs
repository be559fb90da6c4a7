//! `poste check`: validate the config, then connect and log in to each account and report.

use super::{Loaded, select_accounts};
use crate::secret::PasswordSource;
use crate::{imap, pop3};
use anyhow::Result;
use std::fmt::Write;

pub async fn run(loaded: &Loaded, account: Option<&str>) -> Result<i32> {
    let mut out = String::new();
    let _ = writeln!(out, "config: {} is valid ({} accounts)", loaded.path.display(), loaded.config.accounts.len());
    let _ = writeln!(out, "data: {}", loaded.data_dir.display());
    let mut failed = 0;
    for a in select_accounts(&loaded.config, account)? {
        if let Some(cfg) = &a.pop3 {
            if !check_pop3(&mut out, &a.name, cfg, loaded).await {
                failed += 1;
            }
            continue;
        }
        let Some(cfg) = &a.imap else { continue };
        let Some(pw) = PasswordSource::from_keys(cfg.password_command.as_deref(), cfg.password.as_deref()) else {
            continue;
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
                let _ = writeln!(
                    out,
                    "{}: ok: {}:{} over {tls}, logged in as {}",
                    a.name,
                    cfg.host,
                    cfg.port(),
                    cfg.username
                );
                let _ = writeln!(out, "{}: capabilities: {}", a.name, info.capabilities.join(" "));
                let _ = writeln!(out, "{}: {n} folders", a.name);
            }
            Err(e) => {
                failed += 1;
                let _ = writeln!(out, "{}: FAILED: {e}", a.name);
            }
        }
    }
    super::print(&out);
    Ok(if failed == 0 { 0 } else { 1 })
}

/// Logs in to a POP3 account and reports the server, its capabilities and the mailbox.
async fn check_pop3(out: &mut String, name: &str, cfg: &crate::config::Pop3Config, loaded: &Loaded) -> bool {
    let Some(pw) = PasswordSource::from_keys(cfg.password_command.as_deref(), cfg.password.as_deref()) else {
        return true;
    };
    let result = async {
        let mut p = pop3::connect(&pop3::Settings::from_config(cfg, 1 << 20), &pw).await?;
        let (count, size) = p.stat().await?;
        let uidl = p.uidl().await?.is_some();
        let caps = p.caps.join(" ");
        p.quit().await?;
        Ok::<_, pop3::Pop3Error>((count, size, uidl, caps))
    }
    .await;
    match result {
        Ok((count, size, uidl, caps)) => {
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
            let _ = writeln!(out, "{name}: {count} messages ({}) on the server", crate::format::bytes(size));
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
