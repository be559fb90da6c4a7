//! `poste check`: validate the config, then connect and log in to each account and report.

use super::{Loaded, select_accounts};
use crate::imap;
use crate::secret::PasswordSource;
use anyhow::Result;
use std::fmt::Write;

pub async fn run(loaded: &Loaded, account: Option<&str>) -> Result<i32> {
    let mut out = String::new();
    let _ = writeln!(out, "config: {} is valid ({} accounts)", loaded.path.display(), loaded.config.accounts.len());
    let _ = writeln!(out, "data: {}", loaded.data_dir.display());
    let mut failed = 0;
    for a in select_accounts(&loaded.config, account)? {
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
