//! Queued operations: what the server must do, by folder name, UIDVALIDITY and UID, stored
//! as JSON in the store's queue so they survive a restart.

use crate::model::{MessageId, Uid};
use crate::store::pending::Origin;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Flags on `uids` (every message when None) of `folder`.
    Flags {
        folder: String,
        uidvalidity: Option<u32>,
        uids: Option<Vec<Uid>>,
        add: u32,
        remove: u32,
    },
    /// `items` are the moved rows (now placeholders in `to`) with where they came from.
    Move {
        from: String,
        uidvalidity: Option<u32>,
        to: String,
        items: Vec<Origin>,
    },
    /// `items`: (new placeholder row, source UID, Message-ID).
    Copy {
        from: String,
        uidvalidity: Option<u32>,
        to: String,
        items: Vec<(MessageId, Uid, Option<String>)>,
    },
    /// With `others`, also whatever else is marked \Deleted (servers without UIDPLUS),
    /// which the user agreed to.
    Expunge {
        folder: String,
        uidvalidity: Option<u32>,
        uids: Vec<Uid>,
        #[serde(default)]
        others: bool,
    },
    /// Upload the stored message `id` (a draft saved offline or not, with a placeholder
    /// UID until the server has it) into `folder` with `flags`.
    Append {
        folder: String,
        id: MessageId,
        flags: u32,
        /// The folder's UIDNEXT when the upload was queued: only a message at or above it
        /// can be this upload (the draft it replaces, with the same Message-ID, is below).
        #[serde(default)]
        since: Option<u32>,
    },
    CreateFolder {
        name: String,
    },
    /// With the subscription (`subscribed`: the folder was subscribed) moved along.
    RenameFolder {
        from: String,
        to: String,
        #[serde(default = "yes")]
        subscribed: bool,
    },
    DeleteFolder {
        name: String,
    },
    Subscribe {
        name: String,
        on: bool,
    },
}

fn yes() -> bool {
    true
}

impl Op {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Option<Op> {
        serde_json::from_str(s).ok()
    }

    /// The UIDs this queued action takes out of `folder` (moved away or deleted here),
    /// which the server still shows there until the action has run.
    pub fn leaving(&self, folder: &str) -> Vec<Uid> {
        match self {
            Op::Move { from, items, .. } if from == folder => items.iter().map(|o| o.uid).collect(),
            Op::Expunge { folder: f, uids, .. } if f == folder => uids.clone(),
            _ => Vec::new(),
        }
    }

    /// A short description for notices.
    pub fn describe(&self) -> String {
        let folder = |s: &str| crate::imap::decode_folder_name(s);
        let n = |k: usize| crate::format::count(k as u64, "message");
        match self {
            Op::Flags { folder: f, uids, .. } => match uids {
                Some(u) => format!("changing flags of {} in {}", n(u.len()), folder(f)),
                None => format!("marking {} read", folder(f)),
            },
            Op::Move { from, to, items, .. } => {
                format!("moving {} from {} to {}", n(items.len()), folder(from), folder(to))
            }
            Op::Copy { from, to, items, .. } => {
                format!("copying {} from {} to {}", n(items.len()), folder(from), folder(to))
            }
            Op::Expunge { folder: f, uids, .. } => format!("deleting {} from {}", n(uids.len()), folder(f)),
            Op::Append { folder: f, .. } => format!("saving a message in {}", folder(f)),
            Op::CreateFolder { name } => format!("creating folder {}", folder(name)),
            Op::RenameFolder { from, to, .. } => format!("renaming {} to {}", folder(from), folder(to)),
            Op::DeleteFolder { name } => format!("deleting folder {}", folder(name)),
            Op::Subscribe { name, on } => {
                format!("{} {}", if *on { "subscribing to" } else { "unsubscribing from" }, folder(name))
            }
        }
    }
}
