//! One poste per data dir: the lock that makes a process the data dir's only writer, and
//! the private socket through which a second poste hands its work to the running one.
//!
//! A CLI command that finds the data dir held does not write beside the holder: its account
//! commands go to the holder's workers over the socket, and it hears their events as if
//! they were its own. (A command that writes the store directly, `poste import`, waits for
//! the lock instead and says so.) A second UI is refused.

mod client;
mod lock;
mod server;
mod wire;

pub use lock::{DataDir, LockError, holder_pid};
pub use server::Server;

use crate::account::{AccountHandle, Event};
use crate::config::AccountConfig;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;
use tokio::sync::mpsc;

#[derive(Debug, Error)]
pub enum InstanceError {
    #[error("{0}")]
    Lock(#[from] LockError),
    #[error("{0}")]
    Refused(String),
}

/// How this process reaches the account workers of a data dir.
enum Role {
    /// It holds the lock (the server keeps it): its workers are its own, and it serves the
    /// socket.
    Owner { server: Server },
    /// It holds the lock but cannot serve the socket (a data dir path too long for one):
    /// its workers are its own; another poste waits for it.
    Alone { data: DataDir },
    /// Another poste holds it: commands go over the socket.
    Client,
}

/// The data dir as a CLI command uses it: the holder, or a client of the holder.
pub struct Instance {
    data_dir: PathBuf,
    accounts: Vec<AccountConfig>,
    role: Role,
    told: bool,
}

impl Instance {
    /// Takes the data dir's lock when it is free (and serves its socket, starting the
    /// workers of `accounts` that a client asks for); otherwise works through its holder.
    pub fn open(data_dir: &Path, accounts: &[AccountConfig]) -> Result<Instance, InstanceError> {
        let mut i =
            Instance { data_dir: data_dir.to_path_buf(), accounts: accounts.to_vec(), role: Role::Client, told: false };
        i.try_own()?;
        Ok(i)
    }

    /// Becomes the holder if the lock is free now; false when another poste holds it.
    fn try_own(&mut self) -> Result<bool, InstanceError> {
        match DataDir::lock(&self.data_dir) {
            Ok(data) => {
                self.role = match Server::start(&data, Vec::new(), self.accounts.clone()) {
                    Ok(server) => Role::Owner { server },
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot serve the data dir's socket; another poste will wait");
                        Role::Alone { data }
                    }
                };
                Ok(true)
            }
            Err(LockError::Busy { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// A handle on `account`'s worker: started here when this process holds the data dir,
    /// else the holder's, reached through its socket. Waits (saying so on stderr) while the
    /// holder cannot be reached, and takes the lock over if the holder stops.
    pub async fn start(
        &mut self,
        account: &AccountConfig,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<AccountHandle, InstanceError> {
        let started = std::time::Instant::now();
        let mut waited = false;
        loop {
            match &self.role {
                Role::Owner { server } => return server.handle(account, events).map_err(InstanceError::Refused),
                Role::Alone { data } => {
                    return crate::account::spawn(account, data, events)
                        .map_err(|e| InstanceError::Refused(format!("starting account {}: {e}", account.name)));
                }
                Role::Client => {}
            }
            match client::attach(&self.data_dir, &account.name, events.clone()).await {
                Ok(h) => {
                    if !self.told {
                        self.told = true;
                        eprintln!(
                            "poste: {} is in use by {}; handing this to it",
                            self.data_dir.display(),
                            self.holder()
                        );
                    }
                    return Ok(h);
                }
                Err(client::AttachError::Refused(reason)) => return Err(InstanceError::Refused(reason)),
                Err(client::AttachError::NoServer) => {
                    if self.try_own()? {
                        continue;
                    }
                    if !waited && started.elapsed() > Duration::from_secs(2) {
                        waited = true;
                        eprintln!(
                            "poste: waiting for {} ({}) to answer or stop",
                            self.data_dir.display(),
                            self.holder()
                        );
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    fn holder(&self) -> String {
        match holder_pid(&self.data_dir) {
            Some(pid) => format!("poste (pid {pid})"),
            None => "another poste".into(),
        }
    }

    /// Ends the command: as the holder, waits for the clients attached meanwhile.
    pub async fn close(self) {
        if let Role::Owner { server } = self.role {
            server.close().await;
        }
    }
}

/// Takes the data dir for a command that writes the store itself, waiting (and saying so
/// on stderr) while another poste holds it.
pub async fn lock_waiting(data_dir: &Path, why: &str) -> Result<DataDir, LockError> {
    DataDir::lock_waiting(data_dir, |pid| {
        let who = pid.map(|p| format!("poste (pid {p})")).unwrap_or_else(|| "another poste".into());
        eprintln!("poste: {} is in use by {who}; {why} waits until it stops (Ctrl-C cancels)", data_dir.display());
    })
    .await
}

/// Takes the data dir for the UI, which shares it with no other poste: another UI holding
/// it is an error; a command holding it (a `poste sync` from cron) is waited for, saying so
/// on stderr.
pub async fn lock_for_ui(data_dir: &Path) -> Result<DataDir, LockError> {
    let mut told = false;
    loop {
        match DataDir::lock_for_ui(data_dir) {
            Err(LockError::Busy { ui: false, pid, .. }) => {
                if !told {
                    told = true;
                    let who = pid.map(|p| format!("poste (pid {p})")).unwrap_or_else(|| "another poste".into());
                    eprintln!(
                        "poste: {} is in use by {who}, a command; the UI starts when it is done (Ctrl-C cancels)",
                        data_dir.display()
                    );
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other,
        }
    }
}
