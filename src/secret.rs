//! Obtains account passwords from a command (`password_command`) or, with a warning, the config.

use std::path::Path;
use std::process::Stdio;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SecretError {
    #[error("password_command could not be started: {0}")]
    Spawn(std::io::Error),
    #[error("password_command failed ({status}): {stderr}")]
    Failed { status: String, stderr: String },
    #[error("password_command printed nothing on its first line")]
    Empty,
    #[error("no password is configured (set password_command)")]
    Missing,
}

/// Where a password comes from.
#[derive(Debug, Clone)]
pub enum PasswordSource {
    Command(String),
    Inline(String),
}

impl PasswordSource {
    pub fn from_keys(command: Option<&str>, inline: Option<&str>) -> Option<Self> {
        command
            .map(|c| PasswordSource::Command(c.to_string()))
            .or_else(|| inline.map(|p| PasswordSource::Inline(p.to_string())))
    }

    /// Runs the command (through `sh -c`, first line of stdout) or returns the inline password.
    pub async fn resolve(&self) -> Result<String, SecretError> {
        match self {
            PasswordSource::Inline(p) => Ok(p.clone()),
            PasswordSource::Command(cmd) => {
                let out = tokio::process::Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(Stdio::null())
                    .output()
                    .await
                    .map_err(SecretError::Spawn)?;
                if !out.status.success() {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let first = stderr.lines().next().unwrap_or("").trim();
                    return Err(SecretError::Failed {
                        status: out.status.to_string(),
                        stderr: crate::sanitize::line(first),
                    });
                }
                let stdout = String::from_utf8_lossy(&out.stdout);
                let line = stdout.lines().next().unwrap_or("").trim_end_matches('\r').to_string();
                if line.is_empty() { Err(SecretError::Empty) } else { Ok(line) }
            }
        }
    }
}

/// A warning for an account that keeps a password (for IMAP, POP3 or SMTP) in a config
/// file other users can read.
pub fn inline_password_warning(config_path: &Path, account: &crate::config::AccountConfig) -> Option<String> {
    let inline = [
        ("IMAP", account.imap.as_ref().and_then(|i| i.password.as_ref())),
        ("POP3", account.pop3.as_ref().and_then(|p| p.password.as_ref())),
        ("SMTP", account.smtp.as_ref().and_then(|s| s.password.as_ref())),
    ];
    let servers: Vec<&str> = inline.iter().filter(|(_, p)| p.is_some()).map(|(name, _)| *name).collect();
    if servers.is_empty() || !crate::config::readable_by_others(config_path) {
        return None;
    }
    Some(format!(
        "warning: account {} keeps its {} password in {}, which other users can read; \
         use password_command or chmod 600",
        account.name,
        servers.join(" and "),
        config_path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn command_first_line_is_the_password() {
        let s = PasswordSource::Command("printf 'hunter2\\nsecond\\n'".into());
        assert_eq!(s.resolve().await.unwrap(), "hunter2");
    }

    #[tokio::test]
    async fn failing_command_reports_its_stderr() {
        let s = PasswordSource::Command("echo nope >&2; exit 3".into());
        let e = s.resolve().await.unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("3"), "{e}");
    }

    #[tokio::test]
    async fn empty_output_is_an_error() {
        let s = PasswordSource::Command("true".into());
        assert!(matches!(s.resolve().await, Err(SecretError::Empty)));
    }
}
