//! `[accounts.smtp]`: how an account sends, with the keys it may take from its incoming
//! server (username, password, certificate settings).

use super::{AccountConfig, TlsMode, default_timeout};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 465 with tls = "implicit", 587 with "starttls", 25 with "none".
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    /// Default: the incoming server's username. An empty string sends without logging in.
    pub username: Option<String>,
    /// Default: the incoming server's password keys.
    pub password_command: Option<String>,
    pub password: Option<String>,
    /// Default: the incoming server's `ca_file`.
    pub ca_file: Option<PathBuf>,
    /// Default: the incoming server's setting.
    pub accept_invalid_certs: Option<bool>,
    #[serde(default)]
    pub allow_plaintext_auth: bool,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Keep a copy of what is sent in the Sent folder (turn off for servers that do it).
    #[serde(default = "yes")]
    pub save_sent: bool,
}

fn yes() -> bool {
    true
}

/// The SMTP settings of an account with every default filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// None: send without logging in.
    pub username: Option<String>,
    pub password_command: Option<String>,
    pub password: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub accept_invalid_certs: bool,
    pub allow_plaintext_auth: bool,
    pub timeout_secs: u64,
    pub save_sent: bool,
}

impl AccountConfig {
    /// How this account sends, or None without an `[accounts.smtp]` table.
    pub fn smtp_settings(&self) -> Option<SmtpSettings> {
        let s = self.smtp.as_ref()?;
        let (user, pw_cmd, pw, ca, invalid) = match (&self.imap, &self.pop3) {
            (Some(i), _) => (Some(&i.username), &i.password_command, &i.password, &i.ca_file, i.accept_invalid_certs),
            (None, Some(p)) => {
                (Some(&p.username), &p.password_command, &p.password, &p.ca_file, p.accept_invalid_certs)
            }
            _ => (None, &None, &None, &None, false),
        };
        let username = match &s.username {
            Some(u) if u.is_empty() => None,
            Some(u) => Some(u.clone()),
            None => user.cloned(),
        };
        let (password_command, password) = if s.password_command.is_some() || s.password.is_some() {
            (s.password_command.clone(), s.password.clone())
        } else {
            (pw_cmd.clone(), pw.clone())
        };
        Some(SmtpSettings {
            host: s.host.clone(),
            port: s.port.unwrap_or(match s.tls {
                TlsMode::Implicit => 465,
                TlsMode::Starttls => 587,
                TlsMode::None => 25,
            }),
            tls: s.tls,
            username,
            password_command,
            password,
            // `~/` means the home directory here as it does for IMAP and POP3
            ca_file: s.ca_file.as_ref().or(ca.as_ref()).map(|p| crate::paths::expand_home(p)),
            accept_invalid_certs: s.accept_invalid_certs.unwrap_or(invalid),
            allow_plaintext_auth: s.allow_plaintext_auth,
            timeout_secs: s.timeout_secs,
            save_sent: s.save_sent,
        })
    }

    /// The account's own addresses: `email` and its `aliases`, lower-cased.
    pub fn addresses(&self) -> Vec<String> {
        std::iter::once(&self.email).chain(&self.aliases).map(|a| a.trim().to_ascii_lowercase()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(smtp_extra: &str) -> AccountConfig {
        let text = format!(
            "[[accounts]]\nname = \"w\"\nemail = \"me@x.org\"\nprotocol = \"imap\"\n[accounts.imap]\nhost = \"h\"\n\
             username = \"u\"\npassword_command = \"echo\"\nca_file = \"~/imap-ca.pem\"\n\
             [accounts.smtp]\nhost = \"s\"\n{smtp_extra}\n"
        );
        super::super::Config::parse(&text, std::path::Path::new("t.toml")).unwrap().accounts.remove(0)
    }

    #[test]
    fn ca_file_starting_with_a_tilde_is_in_the_home_directory() {
        let home = directories::BaseDirs::new().unwrap().home_dir().to_path_buf();
        let own = account("ca_file = \"~/certs/smtp-ca.pem\"").smtp_settings().unwrap();
        assert_eq!(own.ca_file, Some(home.join("certs/smtp-ca.pem")));
        let inherited = account("").smtp_settings().unwrap();
        assert_eq!(inherited.ca_file, Some(home.join("imap-ca.pem")));
        let absolute = account("ca_file = \"/etc/ca.pem\"").smtp_settings().unwrap();
        assert_eq!(absolute.ca_file, Some(PathBuf::from("/etc/ca.pem")));
    }
}
