//! What travels over the data dir's socket: one JSON object per line. A second poste
//! attaches to an account, then sends `Command`s and hears every `Event` of that worker.

use crate::account::{Command, Event};
use crate::model::AccountId;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// The socket, beside the lock file.
pub const SOCKET_FILE: &str = "poste.sock";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// The first line: which account's worker to talk to.
    Attach {
        account: String,
    },
    Command(Command),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Attached { id: AccountId },
    Refused { reason: String },
    Event(Event),
}

/// Writes one value as a line.
pub async fn send<T: Serialize>(w: &mut (impl AsyncWriteExt + Unpin), value: &T) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    line.push(b'\n');
    w.write_all(&line).await?;
    w.flush().await
}

/// Reads one value; None at the end of the stream.
pub async fn recv<T: for<'de> Deserialize<'de>>(r: &mut (impl AsyncBufReadExt + Unpin)) -> std::io::Result<Option<T>> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line).map(Some).map_err(std::io::Error::other)
}
