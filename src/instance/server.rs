//! The socket a running poste serves in its data dir (`poste.sock`, 0600, in the private
//! data dir): another poste attaches to one of its account workers, sends commands and
//! hears the events, so it never writes the store beside this process.

use super::wire::{self, Reply, Request};
use crate::account::{self, AccountHandle, AccountPort, Command, Event};
use crate::config::AccountConfig;
use crate::instance::DataDir;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::BufReader;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};

/// The workers the server can reach: this process's own, and those it starts for a
/// client when it has the account's settings.
struct Registry {
    ports: Mutex<Vec<AccountPort>>,
    accounts: Vec<AccountConfig>,
    data: DataDir,
    started: Mutex<Vec<AccountHandle>>,
}

impl Registry {
    /// The worker of account `name`, started now (with `cfg`, else the settings the server
    /// was given) unless it runs already: one worker per account, whoever asks first. A
    /// worker started now sends its events to `main` (none: to those who subscribe); the
    /// flag says whether it was started now.
    fn port(
        &self,
        name: &str,
        cfg: Option<&AccountConfig>,
        main: Option<mpsc::UnboundedSender<Event>>,
    ) -> Result<(AccountPort, bool), String> {
        let mut ports = self.ports.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = ports.iter().find(|p| p.name == name) {
            return Ok((p.clone(), false));
        }
        let Some(cfg) = cfg.or_else(|| self.accounts.iter().find(|a| a.name == name)) else {
            return Err(format!("the poste running here (pid {}) has no account {name:?}", std::process::id()));
        };
        let main = main.unwrap_or_else(|| mpsc::unbounded_channel().0);
        let h = account::spawn(cfg, &self.data, main).map_err(|e| format!("starting account {name}: {e}"))?;
        let port = h.port().ok_or("the worker has no port")?;
        ports.push(port.clone());
        self.started.lock().unwrap_or_else(|p| p.into_inner()).push(h);
        Ok((port, true))
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
    /// Serves the data dir's socket for the workers `ports` (this process's own) and, when
    /// a client asks for one of them, the `accounts` not running yet.
    pub fn start(data: &DataDir, ports: Vec<AccountPort>, accounts: Vec<AccountConfig>) -> std::io::Result<Server> {
        let path = data.path().join(wire::SOCKET_FILE);
        // this process holds the lock, so a socket left here is from one that stopped
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        let registry = Arc::new(Registry {
            ports: Mutex::new(ports),
            accounts,
            data: data.clone(),
            started: Mutex::new(Vec::new()),
        });
        let (count, clients) = watch::channel(0usize);
        let accept = tokio::spawn(accept_loop(listener, registry.clone(), Arc::new(count)));
        Ok(Server { path, registry, accept, clients })
    }

    /// A handle on this process's worker of `account` (started now unless a client had
    /// it started): the same worker a client reaches, so there is only ever one. It stays
    /// running until `close`; the handle's `shutdown` only lets go of it.
    pub fn handle(
        &self,
        account: &AccountConfig,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<AccountHandle, String> {
        let (port, started) = self.registry.port(&account.name, Some(account), Some(events.clone()))?;
        // a worker started now sends its events to `events` from its first one on
        let mut heard = if started { mpsc::unbounded_channel().1 } else { port.subscribe() };
        let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
        let (id, name) = (port.id, port.name.clone());
        let join = tokio::spawn(async move {
            loop {
                tokio::select! {
                    cmd = rx.recv() => match cmd {
                        None | Some(Command::Shutdown) => return,
                        Some(c) => {
                            port.send(c);
                        }
                    },
                    Some(e) = heard.recv() => {
                        if events.send(e).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(AccountHandle::remote(id, name, tx, join))
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
        Some(Request::Attach { account }) => match registry.port(&account, None, None) {
            Ok((p, _)) => p,
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
