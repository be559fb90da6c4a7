//! New settings while poste runs: the config file is watched, and a worker whose account
//! changed takes the new settings and connects again (also after a refused login).

use super::AccountPort;
use super::worker::Worker;
use super::{Command, Event};
use crate::config::{AccountConfig, Config, ImapConfig, Pop3Config, SmtpSettings};
use crate::secret::PasswordSource;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc::UnboundedSender;

/// How often the config file is looked at.
const LOOK_EVERY: Duration = Duration::from_secs(2);

/// What a worker takes from its account's config.
pub(super) struct Settings {
    pub imap: Option<ImapConfig>,
    pub pop3: Option<Pop3Config>,
    pub password: Option<PasswordSource>,
    pub smtp: Option<SmtpSettings>,
    pub smtp_password: Option<PasswordSource>,
}

impl Settings {
    pub fn of(account: &AccountConfig) -> Settings {
        let imap = account.imap.clone();
        let pop3 = account.pop3.clone();
        let password = match (&imap, &pop3) {
            (Some(i), _) => PasswordSource::from_keys(i.password_command.as_deref(), i.password.as_deref()),
            (None, Some(p)) => PasswordSource::from_keys(p.password_command.as_deref(), p.password.as_deref()),
            _ => None,
        };
        let smtp = account.smtp_settings();
        let smtp_password =
            smtp.as_ref().and_then(|s| PasswordSource::from_keys(s.password_command.as_deref(), s.password.as_deref()));
        Settings { imap, pop3, password, smtp, smtp_password }
    }
}

impl Worker {
    /// Takes an account's new settings: connections made with the old ones close, a refused
    /// login is forgotten (the user may have fixed the password), and a sync starts.
    pub(super) async fn reconfigure(&mut self, account: &AccountConfig) {
        if let Err(e) = self.store.set_thread_by_subject(self.id, account.thread_by_subject) {
            tracing::warn!(error = %e, "cannot record the account's subject threading");
        }
        let s = Settings::of(account);
        if s.imap == self.imap && s.pop3 == self.pop3 && s.smtp == self.smtp {
            return;
        }
        tracing::info!(account = self.id.0, "new settings from the config file");
        (self.imap, self.pop3, self.password, self.smtp, self.smtp_password) =
            (s.imap, s.pop3, s.password, s.smtp, s.smtp_password);
        self.conn = None;
        if let Some((_, task)) = self.watch.take() {
            task.abort();
        }
        self.login_refused = None;
        self.retry_at = None;
        self.backoff = super::worker::BACKOFF_START;
        self.notice("the config file changed: connecting with the new settings".into());
        if self.imap.is_some() || self.pop3.is_some() {
            self.replay().await;
            self.start_sync(None);
        }
    }
}

/// Watches the config file at `path` (the one poste started with, as `accounts`) and hands
/// each worker in `workers` its account's new settings when the file changes. A file that
/// no longer loads is reported (`Event::Config`) and the settings in use stay.
pub fn watch_config(
    path: PathBuf,
    mut accounts: Vec<AccountConfig>,
    workers: Vec<AccountPort>,
    events: UnboundedSender<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stamp = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let mut last: Option<SystemTime> = stamp(&path);
        let mut last_pane = None;
        loop {
            tokio::time::sleep(LOOK_EVERY).await;
            let now = stamp(&path);
            if now == last || now.is_none() {
                continue;
            }
            last = now;
            let loaded = {
                let path = path.clone();
                tokio::task::spawn_blocking(move || Config::load(&path)).await
            };
            let config = match loaded {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => {
                    let note = Some(format!("the file changed but cannot be used, so the settings in use stay: {e}"));
                    if events.send(Event::Config { note }).is_err() {
                        return;
                    }
                    continue;
                }
                Err(_) => return,
            };
            // the folder pane's saved searches and unified folders follow the file at once
            let pane = (config.views.clone(), config.ui.unified_roles());
            if last_pane.as_ref() != Some(&pane) {
                let (views, unified) = pane.clone();
                if events.send(Event::Views { views, unified }).is_err() {
                    return;
                }
                last_pane = Some(pane);
            }
            let mut others = false;
            for w in &workers {
                let (Some(new), Some(old)) =
                    (config.accounts.iter().find(|a| a.name == w.name), accounts.iter().find(|a| a.name == w.name))
                else {
                    others = true;
                    continue;
                };
                if new != old && !w.send(Command::Reconfigure(Box::new(new.clone()))) {
                    tracing::debug!(account = w.id.0, "worker gone; not reconfigured");
                }
            }
            let added = config.accounts.iter().any(|a| !workers.iter().any(|w| w.name == a.name));
            let note = (others || added).then(|| {
                "accounts added, removed or renamed in the file take effect when poste starts again".to_string()
            });
            if events.send(Event::Config { note }).is_err() {
                return;
            }
            accounts = config.accounts;
        }
    })
}
