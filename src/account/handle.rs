//! The ends of an account worker: the handle the UI or the CLI holds, the port through
//! which a second poste reaches the same worker, the fan-out of its events, and the
//! supervisor that reports a worker's panic as that account's error and starts it again.

use super::worker::Worker;
use super::{Command, Event};
use crate::config::AccountConfig;
use crate::instance::DataDir;
use crate::model::AccountId;
use crate::store::{Store, StoreError};
use futures::FutureExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// After this many panics in a row the worker stays stopped.
const MAX_RESTARTS: u32 = 5;

type Subscribers = Arc<Mutex<Vec<mpsc::UnboundedSender<Event>>>>;

/// Where a worker's events go: the UI's or the CLI's channel, and any poste attached
/// through the data dir's socket.
#[derive(Clone)]
pub(crate) struct Events {
    main: mpsc::UnboundedSender<Event>,
    extra: Subscribers,
}

impl Events {
    pub(crate) fn send(&self, e: Event) {
        let mut extra = self.extra.lock().unwrap_or_else(|p| p.into_inner());
        if !extra.is_empty() {
            extra.retain(|s| s.send(e.clone()).is_ok());
        }
        drop(extra);
        let _ = self.main.send(e);
    }

    /// The worker stopped: those attached through the socket hear the end of its events.
    fn close(&self) {
        self.extra.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The UI's or CLI's end of a worker (a worker of this process, or of the poste that holds
/// the data dir, reached through its socket).
#[derive(Debug)]
pub struct AccountHandle {
    pub id: AccountId,
    pub name: String,
    tx: mpsc::UnboundedSender<Command>,
    join: tokio::task::JoinHandle<()>,
    /// None for a worker of another process.
    subscribers: Option<Subscribers>,
}

impl AccountHandle {
    /// Sends a command; false when the worker has stopped.
    pub fn send(&self, c: Command) -> bool {
        self.tx.send(c).is_ok()
    }

    /// Asks the worker to stop and waits for it. (A worker of another process goes on;
    /// only the link to it closes.)
    pub async fn shutdown(self) {
        let _ = self.tx.send(Command::Shutdown);
        // (a worker lets a running pass end first, for up to 10 s)
        let _ = tokio::time::timeout(Duration::from_secs(15), self.join).await;
    }

    /// The port another poste reaches this worker through; None for a remote worker.
    pub fn port(&self) -> Option<AccountPort> {
        let subscribers = self.subscribers.clone()?;
        Some(AccountPort { id: self.id, name: self.name.clone(), tx: self.tx.clone(), subscribers })
    }

    /// A handle on a worker of another process: commands go to `tx`, whose reader `join`
    /// carries them over.
    pub(crate) fn remote(
        id: AccountId,
        name: String,
        tx: mpsc::UnboundedSender<Command>,
        join: tokio::task::JoinHandle<()>,
    ) -> AccountHandle {
        AccountHandle { id, name, tx, join, subscribers: None }
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events")
    }
}

/// A worker as another poste sees it: commands in, a copy of every event out.
#[derive(Clone)]
pub struct AccountPort {
    pub id: AccountId,
    pub name: String,
    tx: mpsc::UnboundedSender<Command>,
    subscribers: Subscribers,
}

impl AccountPort {
    /// Sends a command; false when the worker has stopped. `Shutdown` is not passed on:
    /// the worker belongs to this process.
    pub fn send(&self, c: Command) -> bool {
        matches!(c, Command::Shutdown) || self.tx.send(c).is_ok()
    }

    /// A copy of every event from now on, until the receiver is dropped.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.subscribers.lock().unwrap_or_else(|p| p.into_inner()).push(tx);
        rx
    }
}

/// Starts the worker of an account, on a data dir this process holds. It opens its own
/// store connection.
pub fn spawn(
    account: &AccountConfig,
    data: &DataDir,
    events: mpsc::UnboundedSender<Event>,
) -> Result<AccountHandle, StoreError> {
    let store = Store::open(data)?;
    let id = store.ensure_account(&account.name)?;
    let subscribers = Subscribers::default();
    let events = Events { main: events, extra: subscribers.clone() };
    let (tx, rx) = mpsc::unbounded_channel();
    let join = tokio::spawn(supervise(id, account.clone(), data.clone(), store, events, rx));
    Ok(AccountHandle { id, name: account.name.clone(), tx, join, subscribers: Some(subscribers) })
}

/// Runs the worker; a panic is reported as the account's error, and the worker starts
/// again with what the store holds (a few times, then it stays stopped).
async fn supervise(
    id: AccountId,
    cfg: AccountConfig,
    data: DataDir,
    store: Store,
    events: Events,
    mut rx: mpsc::UnboundedReceiver<Command>,
) {
    let mut store = Some(store);
    let mut restarts = 0;
    loop {
        let opened = match store.take() {
            Some(s) => Ok(s),
            None => Store::open(&data),
        };
        let store = match opened {
            Ok(s) => s,
            Err(e) => {
                events.send(Event::Interrupted { account: id, error: format!("local store: {e}") });
                return events.close();
            }
        };
        let (worker, ops) = Worker::new(id, &cfg, store, events.clone(), restarts > 0);
        match std::panic::AssertUnwindSafe(worker.run(&mut rx, ops)).catch_unwind().await {
            Ok(()) => return events.close(),
            Err(panic) => {
                let error = format!("internal error: {}", panic_text(panic.as_ref()));
                tracing::error!(account = id.0, %error, "account worker panicked");
                restarts += 1;
                let last = restarts >= MAX_RESTARTS;
                let error = if last { format!("{error}; the account is stopped until poste restarts") } else { error };
                events.send(Event::Interrupted { account: id, error });
                if last {
                    return events.close();
                }
                tokio::time::sleep(Duration::from_secs(restarts.into())).await;
            }
        }
    }
}

/// The message of a panic.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    crate::sanitize::line(&text)
}

/// Spawns a task of a worker (a sync pass, a send, the watch connection); if it panics,
/// `on_panic` gets the message, so the worker is told instead of waiting forever.
pub(super) fn spawn_guarded(
    task: impl std::future::Future<Output = ()> + Send + 'static,
    on_panic: impl FnOnce(String) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(panic) = std::panic::AssertUnwindSafe(task).catch_unwind().await {
            let text = panic_text(panic.as_ref());
            tracing::error!(error = %text, "account task panicked");
            on_panic(format!("internal error: {text}"));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_task_reports_its_message_instead_of_vanishing() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let task = spawn_guarded(
            async {
                let name = String::from("R&D-Team");
                if name.contains('&') {
                    panic!("cannot decode {name}");
                }
            },
            move |e| {
                let _ = tx.send(e);
            },
        );
        task.await.unwrap();
        assert_eq!(rx.recv().await.unwrap(), "internal error: cannot decode R&D-Team");
    }

    #[test]
    fn panic_messages_are_read_and_made_safe() {
        let boxed: Box<dyn std::any::Any + Send> = Box::new("a \u{1b}[2Jstatic");
        assert_eq!(panic_text(boxed.as_ref()), "a ␛[2Jstatic");
        let boxed: Box<dyn std::any::Any + Send> = Box::new(String::from("formatted 3"));
        assert_eq!(panic_text(boxed.as_ref()), "formatted 3");
        let boxed: Box<dyn std::any::Any + Send> = Box::new(3u8);
        assert_eq!(panic_text(boxed.as_ref()), "a panic");
    }
}
