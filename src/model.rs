//! The shared vocabulary of the mail side: ids, flags, folders and message summaries.

use serde::{Deserialize, Serialize};

/// Defines a store id: a row id kept apart from every other kind by its type, stored in
/// SQLite and written in JSON as the bare number.
macro_rules! store_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

store_id!(
    /// A row id of a message in the local store; stable for the life of the cached message.
    MessageId
);
store_id!(
    /// A row id of a folder in the local store.
    FolderId
);
store_id!(
    /// A row id of an account in the local store.
    AccountId
);
store_id!(
    /// A conversation thread of one account in the local store.
    ThreadId
);
store_id!(
    /// A row id of a message in the Outbox of the local store.
    OutboxId
);

/// An IMAP UID (or, for local folders, a store-assigned number).
pub type Uid = u32;

/// Message flags, as a compact bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash, Serialize, Deserialize)]
pub struct Flags(pub u32);

impl Flags {
    pub const SEEN: u32 = 1;
    pub const ANSWERED: u32 = 2;
    pub const FLAGGED: u32 = 4;
    pub const DELETED: u32 = 8;
    pub const DRAFT: u32 = 16;
    pub const FORWARDED: u32 = 32;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
    pub fn with(self, bit: u32, on: bool) -> Self {
        if on { Flags(self.0 | bit) } else { Flags(self.0 & !bit) }
    }
    pub fn is_seen(self) -> bool {
        self.has(Self::SEEN)
    }

    /// Builds flags from IMAP flag names (`\Seen`, `$Forwarded`, ...); unknown names are ignored.
    pub fn from_imap_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut f = 0;
        for n in names {
            f |= match n.to_ascii_lowercase().as_str() {
                "\\seen" => Self::SEEN,
                "\\answered" => Self::ANSWERED,
                "\\flagged" => Self::FLAGGED,
                "\\deleted" => Self::DELETED,
                "\\draft" => Self::DRAFT,
                "$forwarded" => Self::FORWARDED,
                _ => 0,
            };
        }
        Flags(f)
    }

    /// The flag names, IMAP style, for JSON output.
    pub fn names(self) -> Vec<&'static str> {
        let all = [
            (Self::SEEN, "\\Seen"),
            (Self::ANSWERED, "\\Answered"),
            (Self::FLAGGED, "\\Flagged"),
            (Self::DELETED, "\\Deleted"),
            (Self::DRAFT, "\\Draft"),
            (Self::FORWARDED, "$Forwarded"),
        ];
        all.iter().filter(|(b, _)| self.has(*b)).map(|(_, n)| *n).collect()
    }

    /// The Maildir info suffix letters (`D F P R S T`, sorted).
    pub fn maildir_letters(self) -> String {
        let mut s = String::new();
        if self.has(Self::DRAFT) {
            s.push('D');
        }
        if self.has(Self::FLAGGED) {
            s.push('F');
        }
        if self.has(Self::FORWARDED) {
            s.push('P');
        }
        if self.has(Self::ANSWERED) {
            s.push('R');
        }
        if self.has(Self::SEEN) {
            s.push('S');
        }
        if self.has(Self::DELETED) {
            s.push('T');
        }
        s
    }

    /// Flags from a Maildir file name's info (`...:2,FRS`); none without an info part.
    pub fn from_maildir_name(name: &str) -> Self {
        let Some((_, letters)) = name.rsplit_once(":2,") else { return Flags(0) };
        let mut f = Flags(0);
        for c in letters.chars() {
            let bit = match c {
                'D' => Self::DRAFT,
                'F' => Self::FLAGGED,
                'P' => Self::FORWARDED,
                'R' => Self::ANSWERED,
                'S' => Self::SEEN,
                'T' => Self::DELETED,
                _ => 0,
            };
            f = f.with(bit, true);
        }
        f
    }
}

/// The role a folder plays, from IMAP SPECIAL-USE attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpecialUse {
    Inbox,
    Sent,
    Trash,
    Drafts,
    Junk,
    Archive,
}

impl SpecialUse {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecialUse::Inbox => "inbox",
            SpecialUse::Sent => "sent",
            SpecialUse::Trash => "trash",
            SpecialUse::Drafts => "drafts",
            SpecialUse::Junk => "junk",
            SpecialUse::Archive => "archive",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim_start_matches('\\').to_ascii_lowercase().as_str() {
            "inbox" => SpecialUse::Inbox,
            "sent" => SpecialUse::Sent,
            "trash" => SpecialUse::Trash,
            "drafts" => SpecialUse::Drafts,
            "junk" => SpecialUse::Junk,
            "archive" | "all" => SpecialUse::Archive,
            _ => return None,
        })
    }
}

/// A folder as the store knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Folder {
    pub id: FolderId,
    pub account: AccountId,
    /// The name on the server (modified UTF-7 for IMAP), used in commands.
    pub name: String,
    /// The decoded name, for display.
    pub display: String,
    pub delimiter: Option<String>,
    pub special_use: Option<SpecialUse>,
    pub unread: u32,
    pub total: u32,
    pub subscribed: bool,
    /// It only holds folders (IMAP \Noselect): it has no messages of its own.
    pub noselect: bool,
}

impl Folder {
    /// Depth in the folder tree and the last path segment, for the tree view.
    pub fn tree_parts(&self) -> (usize, &str) {
        match self.delimiter.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => {
                let depth = self.display.matches(d).count();
                let leaf = self.display.rsplit(d).next().unwrap_or(&self.display);
                (depth, leaf)
            }
            None => (0, self.display.as_str()),
        }
    }
}

/// One line of the message list: what a headers-first sync stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub id: MessageId,
    pub folder: FolderId,
    pub uid: Uid,
    /// Seconds since the epoch, UTC.
    pub date: i64,
    pub from_name: String,
    pub from_addr: String,
    pub to: String,
    pub subject: String,
    pub flags: Flags,
    pub size: u32,
    pub has_attachments: bool,
    pub cached: bool,
    /// Only the header is stored (a POP3 message over `max_message_size`); `size` is the
    /// whole message's size on the server.
    pub partial: bool,
}

/// An empty line: ids 0 (no row has them) and every field blank, to fill in field by field.
impl Default for Summary {
    fn default() -> Summary {
        Summary {
            id: MessageId(0),
            folder: FolderId(0),
            uid: 0,
            date: 0,
            from_name: String::new(),
            from_addr: String::new(),
            to: String::new(),
            subject: String::new(),
            flags: Flags::default(),
            size: 0,
            has_attachments: false,
            cached: false,
            partial: false,
        }
    }
}

impl Summary {
    /// The sender as shown in lists: the name, else the address.
    pub fn sender(&self) -> &str {
        if self.from_name.trim().is_empty() { &self.from_addr } else { &self.from_name }
    }
}

/// Headers gathered by a headers-first fetch, ready to be stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewMessage {
    pub uid: Uid,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub date: i64,
    pub from_name: String,
    pub from_addr: String,
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub flags: Flags,
    pub size: u32,
    pub has_attachments: bool,
}

/// The connection state of an account, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AccountState {
    Offline(String),
    /// The server refused the login (or the password could not be had); tried again only
    /// when the user asks.
    LoginFailed(String),
    Connecting,
    Online,
    Syncing {
        folder: String,
        done: u64,
        total: u64,
    },
    /// Bodies being downloaded (a POP3 pass, or an IMAP account's offline mirror): messages
    /// done of those to download, and bytes so far.
    Downloading {
        done: u64,
        total: u64,
        bytes: u64,
    },
    /// An account with no server (demo or local folders).
    Local,
}

/// Bytes as base64 in serialized form (a message body in JSON).
pub mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }

    /// The same for shared bytes.
    pub mod shared {
        use std::sync::Arc;

        pub fn serialize<S: serde::Serializer>(bytes: &Arc<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
            super::serialize(bytes, s)
        }

        pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Arc<Vec<u8>>, D::Error> {
            super::deserialize(d).map(Arc::new)
        }
    }
}
