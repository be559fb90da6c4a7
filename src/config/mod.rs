//! The TOML configuration: typed structs, loading, and errors that name the file, line, column and key.

mod account;
mod offline;
mod ranges;
mod smtp;
mod words;

pub(crate) use account::default_timeout;
#[cfg(test)]
use account::parse_size;
pub use account::{AccountConfig, ByteSize, DeleteMode, ImapConfig, Pop3Config, Protocol, TlsMode};
pub use offline::{FolderConfig, Offline};
pub use smtp::{SmtpConfig, SmtpSettings};

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Parse { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// Several mistakes, one a line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<ConfigError>),
}

/// Mistakes in `[keys]` that the keymap found (the config does not know the actions), each
/// placed at its line: `(action, which of its keys when it is a list, message)`. None when
/// there are none.
pub fn keys_error<'a>(
    path: &Path,
    text: &str,
    problems: impl IntoIterator<Item = (&'a str, Option<usize>, String)>,
) -> Option<ConfigError> {
    let root = toml::de::DeTable::parse(text).ok();
    let keys = root.as_ref().and_then(|r| r.get_ref().get("keys")).and_then(|k| k.get_ref().as_table());
    let mut errors: Vec<ConfigError> = problems
        .into_iter()
        .map(|(action, key, message)| {
            let entry = keys.and_then(|t| t.iter().find(|(k, _)| k.get_ref() == action));
            let offset = entry.and_then(|(k, v)| match key {
                Some(i) => v.get_ref().as_array().and_then(|a| a.get(i)).map(|v| v.span().start),
                None => Some(k.span().start),
            });
            let (line, column) = offset.map(|o| line_col(text, o)).unwrap_or((0, 0));
            // a top-level setting written below `[keys]` belongs to that table in TOML
            let message = if TOP_LEVEL.contains(&action) && key.is_none() {
                format!(
                    "`{action}` is a top-level setting, but below [keys] it reads as a key binding: \
                     move it above the first [section]"
                )
            } else {
                message
            };
            ConfigError::Parse { path: path.to_path_buf(), line, column, message }
        })
        .collect();
    errors.sort_by_key(|e| match e {
        ConfigError::Parse { line, column, .. } => (*line, *column),
        _ => (usize::MAX, 0),
    });
    match errors.len() {
        0 => None,
        1 => errors.pop(),
        _ => Some(ConfigError::Several(errors)),
    }
}

/// The settings at the top of the file, outside any table.
const TOP_LEVEL: &[&str] = &["data_dir", "editor", "ui", "keys", "accounts"];

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where mail and the index are kept; defaults to the XDG data dir.
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub ui: UiConfig,
    /// Action name to one key or a list of keys, e.g. `down = ["j", "Down"]`.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyBinding>,
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// The editor for composing: a command (run with the file as its last argument), or
    /// "builtin". When unset, `$VISUAL`, then `$EDITOR`.
    pub editor: Option<String>,
    /// Saved searches, shown as folders of their own: a name and a query over every
    /// folder of every account.
    #[serde(default)]
    pub views: Vec<ViewConfig>,
}

/// A saved search (`[[views]]`).
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    pub name: String,
    pub query: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyBinding {
    One(String),
    Many(Vec<String>),
}

impl KeyBinding {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyBinding::One(k) => vec![k.as_str()],
            KeyBinding::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Mark a message \Seen on the server when it is opened.
    pub mark_read_on_open: bool,
    /// Seconds a message stays in the reader pane before it is marked read (full screen:
    /// at once; 0: at once everywhere), so skimming the list marks nothing.
    pub mark_read_delay: u64,
    /// Where `s` saves attachments.
    pub attachment_dir: Option<PathBuf>,
    /// How many messages around the cursor to fetch in the background.
    pub prefetch: usize,
    /// strftime format of the date column for messages older than today.
    pub date_format: String,
    /// Show the reader full screen when a message is opened.
    pub reader_fullscreen: bool,
    /// Ring the terminal bell when new mail comes into a folder.
    pub new_mail_bell: bool,
    /// A command run (by `sh -c`) when new mail comes into a folder, with POSTE_ACCOUNT,
    /// POSTE_FOLDER and POSTE_COUNT in its environment.
    pub new_mail_command: Option<String>,
    /// "All inboxes" at the top of the folder pane (with two accounts or more): every
    /// account's INBOX in one list.
    pub unified_inbox: bool,
    /// "All sent": every account's Sent folder in one list.
    pub unified_sent: bool,
    /// "All drafts": every account's Drafts folder in one list.
    pub unified_drafts: bool,
    /// Lists start threaded (one row per conversation); `T` turns a list threaded or flat
    /// (kept per list in the data dir).
    pub threaded: bool,
}

impl UiConfig {
    /// The roles of the unified folders turned on, in the folder pane's order.
    pub fn unified_roles(&self) -> Vec<crate::model::SpecialUse> {
        use crate::model::SpecialUse;
        [
            (self.unified_inbox, SpecialUse::Inbox),
            (self.unified_sent, SpecialUse::Sent),
            (self.unified_drafts, SpecialUse::Drafts),
        ]
        .into_iter()
        .filter_map(|(on, role)| on.then_some(role))
        .collect()
    }
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            mark_read_on_open: true,
            mark_read_delay: 2,
            attachment_dir: None,
            prefetch: 2,
            date_format: "%Y-%m-%d".into(),
            reader_fullscreen: false,
            new_mail_bell: false,
            new_mail_command: None,
            unified_inbox: true,
            unified_sent: false,
            unified_drafts: false,
            threaded: false,
        }
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Self::parse(&text, path)
    }

    /// Parses and validates config text; `path` is used in errors only.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            let key = e
                .span()
                .map(|s| text[s.clone()].trim().to_string())
                .filter(|k| !k.is_empty() && k.len() < 60 && !k.contains('\n'));
            let mut message = e.message().trim().to_string();
            if let Some(words) = e.span().and_then(|s| words::explain(text, s, &message)) {
                message = words;
            } else if let Some(k) = key
                && !message.contains(&k)
            {
                message = format!("at `{k}`: {message}");
            }
            ConfigError::Parse { path: path.to_path_buf(), line, column, message }
        })?;
        config.validate(path)?;
        ranges::check(&config, text, path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        let mut seen = std::collections::HashSet::new();
        for (i, a) in self.accounts.iter().enumerate() {
            let label = if a.name.is_empty() { format!("accounts[{i}]") } else { a.name.clone() };
            if a.name.trim().is_empty() {
                return Err(invalid(format!("account {label}: `name` must not be empty")));
            }
            if !seen.insert(a.name.as_str()) {
                return Err(invalid(format!("account name `{}` is used twice", a.name)));
            }
            let addresses = std::iter::once(("email", &a.email)).chain(a.aliases.iter().map(|x| ("aliases", x)));
            for (key, address) in addresses {
                if address.trim().parse::<lettre::Address>().is_err() {
                    return Err(invalid(format!(
                        "account {label}: `{key}` = {address:?} is not an email address (name@example.com)"
                    )));
                }
            }
            match a.protocol {
                Protocol::Imap => {
                    let imap = a.imap.as_ref().ok_or_else(|| {
                        invalid(format!(
                            "account {label}: protocol = \"imap\" needs an [accounts.imap] table (missing key `imap`)"
                        ))
                    })?;
                    if imap.host.trim().is_empty() {
                        return Err(invalid(format!("account {label}: `imap.host` must not be empty")));
                    }
                    if imap.password.is_some() && imap.password_command.is_some() {
                        return Err(invalid(format!(
                            "account {label}: set only one of `imap.password_command` and `imap.password`"
                        )));
                    }
                    if imap.password.is_none() && imap.password_command.is_none() {
                        return Err(invalid(format!(
                            "account {label}: missing key `imap.password_command` (or `imap.password`)"
                        )));
                    }
                    if imap.offline_max_size == Some(ByteSize(0)) {
                        return Err(invalid(format!(
                            "account {label}: `imap.offline_max_size` is 0, which keeps nothing; leave it out \
                             for no limit, or use offline = \"opened\""
                        )));
                    }
                    if let Some(name) = imap.folders.keys().find(|k| k.trim().is_empty()) {
                        return Err(invalid(format!(
                            "account {label}: `imap.folders.{name:?}`: a folder name is empty"
                        )));
                    }
                }
                Protocol::Pop3 => {
                    let pop = a.pop3.as_ref().ok_or_else(|| {
                        invalid(format!(
                            "account {label}: protocol = \"pop3\" needs an [accounts.pop3] table (missing key `pop3`)"
                        ))
                    })?;
                    if pop.host.trim().is_empty() {
                        return Err(invalid(format!("account {label}: `pop3.host` must not be empty")));
                    }
                    if pop.password.is_some() == pop.password_command.is_some() {
                        return Err(invalid(format!(
                            "account {label}: set exactly one of `pop3.password_command` and `pop3.password`"
                        )));
                    }
                    if pop.delete_after_days.is_some() && !pop.leave_on_server {
                        return Err(invalid(format!(
                            "account {label}: `pop3.delete_after_days` needs `leave_on_server = true` \
                             (without it mail is deleted from the server right after download)"
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The account that `address` belongs to (its email or an alias), if any.
    pub fn account_for_address(&self, address: &str) -> Option<&AccountConfig> {
        let a = address.trim().to_ascii_lowercase();
        self.accounts.iter().find(|acct| acct.addresses().contains(&a))
    }

    pub fn account(&self, name: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| a.name == name)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

/// True when a file can be read by users other than its owner.
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o044 != 0).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<Config, ConfigError> {
        Config::parse(t, Path::new("/etc/poste.toml"))
    }

    const GOOD: &str = r#"
[[accounts]]
name = "work"
email = "me@example.com"
protocol = "imap"
[accounts.imap]
host = "imap.example.com"
username = "me"
password_command = "pass show mail"
"#;

    #[test]
    fn good_config_parses_with_defaults() {
        let c = parse(GOOD).unwrap();
        let imap = c.accounts[0].imap.as_ref().unwrap();
        assert_eq!(imap.tls, TlsMode::Implicit);
        assert_eq!(imap.port(), 993);
        assert!(c.ui.mark_read_on_open);
        assert_eq!(c.ui.mark_read_delay, 2, "skimming marks nothing read");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let t = GOOD.replace("username = \"me\"", "username = \"me\"\nusernme = \"x\"");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.starts_with("/etc/poste.toml:9:1:"), "{e}");
        assert!(e.contains("usernme"), "{e}");
    }

    #[test]
    fn wrong_type_is_explained() {
        let t = GOOD.replace("host = \"imap.example.com\"", "host = \"h\"\nport = \"993\"");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains(":8:"), "{e}");
        assert!(e.contains("imap.port: expected a port number (1–65535), found the string \"993\""), "{e}");
    }

    #[test]
    fn bad_enum_value_is_named() {
        let t = GOOD.replace("username = \"me\"", "username = \"me\"\ntls = \"sometimes\"");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("sometimes") || e.contains("tls"), "{e}");
        assert!(e.contains("implicit"), "{e}");
    }

    #[test]
    fn missing_required_key_is_named() {
        let t = GOOD.replace("email = \"me@example.com\"\n", "");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("email"), "{e}");
        let t = GOOD.replace("password_command = \"pass show mail\"\n", "");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("password_command"), "{e}");
        let t = GOOD.split("[accounts.imap]").next().unwrap().to_string();
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("[accounts.imap]"), "{e}");
    }

    #[test]
    fn an_address_that_is_not_one_is_named() {
        let t = GOOD.replace("email = \"me@example.com\"", "email = \"me@@example..com\"");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("`email` = \"me@@example..com\" is not an email address"), "{e}");
        let t = GOOD.replace("email = \"me@example.com\"", "email = \"me@example.com\"\naliases = [\"me\"]");
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("`aliases` = \"me\""), "{e}");
    }

    #[test]
    fn duplicate_account_names_are_rejected() {
        let t = format!("{GOOD}\n{}", GOOD.trim());
        let e = parse(&t).unwrap_err().to_string();
        assert!(e.contains("used twice"), "{e}");
    }

    #[test]
    fn sizes_parse_as_numbers_or_with_units() {
        assert_eq!(super::parse_size("10M"), Some(10 << 20));
        assert_eq!(super::parse_size("512 kB"), Some(512 << 10));
        assert_eq!(super::parse_size("1.5G"), Some(3 << 29));
        assert_eq!(super::parse_size("2000"), Some(2000));
        assert_eq!(super::parse_size("ten"), None);
    }

    #[test]
    fn keys_mistakes_are_placed_at_their_lines() {
        let text = "[keys]\ndwn = \"x\"\nup = [\"k\", \"C-\"]\n";
        let p = Path::new("/etc/poste.toml");
        let e = keys_error(p, text, [("dwn", None, "no such action".into()), ("up", Some(1), "unknown key".into())]);
        assert_eq!(e.unwrap().to_string(), "/etc/poste.toml:2:1: no such action\n/etc/poste.toml:3:12: unknown key");
        assert!(keys_error(p, text, []).is_none());
        // reported in the order of the file, and a top-level setting below [keys] is named
        let text = "[keys]\nup = \"k\"\ndata_dir = \"/srv/mail\"\n";
        let e = keys_error(p, text, [("data_dir", None, "no such action".into()), ("up", None, "taken".into())]);
        let e = e.unwrap().to_string();
        assert!(e.starts_with("/etc/poste.toml:2:1: taken\n/etc/poste.toml:3:1: `data_dir` is a top-level"), "{e}");
    }

    #[test]
    fn broken_toml_names_line() {
        let e = parse("[[accounts]\nname=").unwrap_err().to_string();
        assert!(e.starts_with("/etc/poste.toml:1:"), "{e}");
    }
}
