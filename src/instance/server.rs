//! The socket a running poste serves in its data dir (`poste.sock`, 0600, in the private
//! data dir): another poste attaches to one of its account workers, sends commands and
//! hears the events, so it never writes the store beside this process.

use super::wire::{self, Reply, Request};
use crate::account::{self, AccountHandle, AccountPort};
use crate::config::AccountConfig;
use crate::instance::DataDir;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::BufReader;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

/// The workers the server can reach: this process's own, and those it starts for a
/// client when it has the account's settings.
struct Registry {
    ports: Mutex<Vec<AccountPort>>,
    accounts: Vec<AccountConfig>,
    data: DataDir,
    started: Mutex<Vec<AccountHandle>>,
}

impl Registry {
    fn port(&self, name: &str) -> Result<AccountPort, String> {
        let mut ports = self.ports.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = ports.iter().find(|p| p.name == name) {
            return Ok(p.clone());
        }
        let Some(cfg) = self.accounts.iter().find(|a| a.name == name) else {
            return Err(format!("the poste running here (pid {}) has no account {name:?}", std::process::id()));
        };
        // its events reach only the clients that attach
        let (tx, _) = tokio::sync::mpsc::unbounded_channel();
        let h = account::spawn(cfg, &self.data, tx).map_err(|e| format!("starting account {name}: {e}"))?;
        let port = h.port().ok_or("the worker has no port")?;
        ports.push(port.clone());
        self.started.lock().unwrap_or_else(|p| p.into_inner()).push(h);
        Ok(port)
    }
}

/// A running server.
pub struct Server {
    path: PathBuf,
    registry: Arc<Registry>,
    accept: tokio::task::JoinHandle<()>,
    /// How many clients are attached.
    clients: watch::Receiver<usize>,
}

impl Server {
    /// Serves the data dir's socket. `accounts` are the settings of accounts a client may
    /// ask for that are not running yet (empty: only those `add`ed).
    pub fn start(data: &DataDir, accounts: Vec<AccountConfig>) -> std::io::Result<Server> {
        let path = data.path().join(wire::SOCKET_FILE);
        // this process holds the lock, so a socket left here is from one that stopped
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        let registry = Arc::new(Registry {
            ports: Mutex::new(Vec::new()),
            accounts,
            data: data.clone(),
            started: Mutex::new(Vec::new()),
        });
        let (count, clients) = watch::channel(0usize);
        let accept = tokio::spawn(accept_loop(listener, registry.clone(), Arc::new(count)));
        Ok(Server { path, registry, accept, clients })
    }

    /// Makes a worker of this process reachable.
    pub fn add(&self, port: AccountPort) {
        self.registry.ports.lock().unwrap_or_else(|p| p.into_inner()).push(port);
    }

    /// Stops taking clients, waits for those attached to finish, and stops the workers
    /// started for them.
    pub async fn close(mut self) {
        self.accept.abort();
        let _ = std::fs::remove_file(&self.path);
        let _ = self.clients.wait_for(|n| *n == 0).await;
        let started = std::mem::take(&mut *self.registry.started.lock().unwrap_or_else(|p| p.into_inner()));
        for h in started {
            h.shutdown().await;
        }
    }

    /// Stops at once: attached clients are cut off (they say so).
    pub fn abort(self) {
        self.accept.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn accept_loop(listener: UnixListener, registry: Arc<Registry>, count: Arc<watch::Sender<usize>>) {
    let me = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(registry.data.path()).map(|m| m.uid()).ok()
    };
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        // the data dir is private; the socket answers its owner only
        if me.is_some() && stream.peer_cred().ok().map(|c| c.uid()) != me {
            continue;
        }
        count.send_modify(|n| *n += 1);
        let (registry, count) = (registry.clone(), count.clone());
        tokio::spawn(async move {
            if let Err(e) = serve(stream, &registry).await {
                tracing::debug!(error = %e, "a client of the data dir's socket went away");
            }
            count.send_modify(|n| *n -= 1);
        });
    }
}

/// One client: an attach, then its commands in and the worker's events out.
async fn serve(stream: UnixStream, registry: &Registry) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let port = match wire::recv::<Request>(&mut read).await? {
        Some(Request::Attach { account }) => match registry.port(&account) {
            Ok(p) => p,
            Err(reason) => return wire::send(&mut write, &Reply::Refused { reason }).await,
        },
        _ => {
            let reason = "the first line must attach to an account".to_string();
            return wire::send(&mut write, &Reply::Refused { reason }).await;
        }
    };
    let mut events = port.subscribe();
    wire::send(&mut write, &Reply::Attached { id: port.id }).await?;
    tracing::info!(account = %port.name, "a second poste attached through the socket");
    loop {
        tokio::select! {
            req = wire::recv::<Request>(&mut read) => match req? {
                Some(Request::Command(c)) => {
                    port.send(c);
                }
                Some(Request::Attach { .. }) => {}
                None => return Ok(()),
            },
            ev = events.recv() => match ev {
                Some(ev) => wire::send(&mut write, &Reply::Event(ev)).await?,
                None => return Ok(()),
            },
        }
    }
}
