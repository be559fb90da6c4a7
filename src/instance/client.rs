//! The second poste's side of the socket: a handle on an account worker of the poste that
//! holds the data dir, which looks to the CLI like a worker of its own.

use super::wire::{self, Reply, Request};
use crate::account::{AccountHandle, Command, Event};
use std::path::Path;
use tokio::io::BufReader;
use tokio::net::UnixStream;
use tokio::sync::mpsc;

/// Why attaching did not work.
#[derive(Debug)]
pub enum AttachError {
    /// Nothing answers on the socket (the holder is starting, stopping, or does not serve).
    NoServer,
    /// The holder refused (it has no such account).
    Refused(String),
}

/// Attaches to the worker of `account` in the poste serving `data_dir`'s socket. Its
/// events go to `events`; if the connection ends first, an `Interrupted` event says so.
pub async fn attach(
    data_dir: &Path,
    account: &str,
    events: mpsc::UnboundedSender<Event>,
) -> Result<AccountHandle, AttachError> {
    let stream = UnixStream::connect(data_dir.join(wire::SOCKET_FILE)).await.map_err(|_| AttachError::NoServer)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    wire::send(&mut write, &Request::Attach { account: account.to_string() })
        .await
        .map_err(|_| AttachError::NoServer)?;
    let id = match wire::recv::<Reply>(&mut read).await {
        Ok(Some(Reply::Attached { id })) => id,
        Ok(Some(Reply::Refused { reason })) => return Err(AttachError::Refused(reason)),
        _ => return Err(AttachError::NoServer),
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
    let dir = data_dir.display().to_string();
    let join = tokio::spawn(async move {
        let cut = |why: String| Event::Interrupted {
            account: id,
            error: format!("the poste running on {dir} stopped before this was done ({why}); run the command again"),
        };
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    None | Some(Command::Shutdown) => return,
                    Some(c) => {
                        if let Err(e) = wire::send(&mut write, &Request::Command(c)).await {
                            let _ = events.send(cut(e.to_string()));
                            return;
                        }
                    }
                },
                reply = wire::recv::<Reply>(&mut read) => match reply {
                    Ok(Some(Reply::Event(e))) => {
                        if events.send(e).is_err() {
                            return;
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        let _ = events.send(cut("it closed the connection".into()));
                        return;
                    }
                    Err(e) => {
                        let _ = events.send(cut(e.to_string()));
                        return;
                    }
                },
            }
        }
    });
    Ok(AccountHandle::remote(id, account.to_string(), tx, join))
}
