//! One account's settings: its protocol, its IMAP or POP3 server, how it keeps and
//! deletes mail, and the sizes and intervals those take.

use super::{FolderConfig, Offline, SmtpConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Imap,
    Pop3,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub name: String,
    pub email: String,
    pub display_name: Option<String>,
    pub protocol: Protocol,
    /// Other addresses that are this account's (replies to them go out from them).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A message without References or In-Reply-To joins a thread of the account with
    /// the same subject (reply and forward prefixes aside) from the last 7 days.
    #[serde(default)]
    pub thread_by_subject: bool,
    pub imap: Option<ImapConfig>,
    pub pop3: Option<Pop3Config>,
    pub smtp: Option<SmtpConfig>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pop3Config {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub username: String,
    pub password_command: Option<String>,
    pub password: Option<String>,
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub accept_invalid_certs: bool,
    #[serde(default)]
    pub allow_plaintext_auth: bool,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Keep downloaded mail on the server (default: delete it once stored locally).
    #[serde(default)]
    pub leave_on_server: bool,
    /// With `leave_on_server`: delete the server copy this many days after download.
    pub delete_after_days: Option<u32>,
    /// Delete the server copy when the message is deleted in poste.
    #[serde(default)]
    pub delete_when_deleted_locally: bool,
    /// Larger messages are downloaded headers-only (`TOP n 0`) and marked partial; the
    /// whole message is fetched on request. Bytes, or a string such as "10M".
    pub max_message_size: Option<ByteSize>,
    /// Log in with APOP (the password never crosses the wire, only an MD5 digest of it).
    #[serde(default)]
    pub apop: bool,
    /// Seconds between checks for new mail while poste runs.
    #[serde(default = "default_poll")]
    pub poll_interval: u64,
}

/// A size in bytes, written as a number or as a string with a K, M or G suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) => Ok(ByteSize(n)),
            Raw::Text(t) => parse_size(&t).map(ByteSize).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{t:?} is not a size: write a number of bytes, or e.g. \"512K\", \"10M\", \"1G\""
                ))
            }),
        }
    }
}

pub(super) fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t.strip_suffix('B').unwrap_or(&t).trim_end();
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1u64 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some((n * mult as f64) as u64)
}

impl Pop3Config {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 995,
            _ => 110,
        })
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Implicit,
    Starttls,
    None,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit TLS",
            TlsMode::Starttls => "STARTTLS",
            TlsMode::None => "no TLS",
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub username: String,
    pub password_command: Option<String>,
    pub password: Option<String>,
    pub ca_file: Option<PathBuf>,
    #[serde(default)]
    pub accept_invalid_certs: bool,
    #[serde(default)]
    pub allow_plaintext_auth: bool,
    /// Seconds to wait for a connect or a command before giving up.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Server capabilities to act as if absent (e.g. `["QRESYNC"]` for a server whose
    /// implementation misbehaves).
    #[serde(default)]
    pub ignore_capabilities: Vec<String>,
    /// The folder deleted messages go to; default: the server's \\Trash folder.
    pub trash_folder: Option<String>,
    /// `"trash"` moves deleted messages to Trash; `"expunge"` deletes them for good.
    #[serde(default)]
    pub delete: DeleteMode,
    /// Seconds between unread-count refreshes of the folders not being watched.
    #[serde(default = "default_poll")]
    pub poll_interval: u64,
    /// Which bodies are kept on disk: `"opened"` (default), `"recent:90d"`, `"all"`.
    #[serde(default)]
    pub offline: Offline,
    /// The room the offline mirror may take: the newest messages first until it is used.
    pub offline_max_size: Option<ByteSize>,
    /// Settings of single folders, by name as poste shows it (e.g. `"Lists/rust"`).
    #[serde(default)]
    pub folders: BTreeMap<String, FolderConfig>,
}

impl ImapConfig {
    /// The offline mode of the folder poste shows as `display` (`INBOX` in any case).
    pub fn offline_for(&self, display: &str) -> Offline {
        let own = self.folders.get(display).or_else(|| {
            display
                .eq_ignore_ascii_case("inbox")
                .then(|| self.folders.iter().find(|(k, _)| k.eq_ignore_ascii_case("inbox")).map(|(_, v)| v))
                .flatten()
        });
        own.and_then(|f| f.offline).unwrap_or(self.offline)
    }

    /// True when some folder keeps more than what was opened.
    pub fn mirrors(&self) -> bool {
        self.offline.mirrors() || self.folders.values().any(|f| f.offline.is_some_and(Offline::mirrors))
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DeleteMode {
    #[default]
    Trash,
    Expunge,
}

fn default_poll() -> u64 {
    60
}

pub(crate) fn default_timeout() -> u64 {
    30
}

impl ImapConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 993,
            _ => 143,
        })
    }
}
