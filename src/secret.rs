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
    #[error("password_command `{command}` did not finish within {secs} s, so it was stopped")]
    TimedOut { command: String, secs: u64 },
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

    /// Runs the command (through `sh -c`, first line of stdout) or returns the inline
    /// password. A command that runs longer than `secs` is killed, with its children.
    pub async fn resolve_within(&self, secs: u64) -> Result<String, SecretError> {
        match self {
            PasswordSource::Inline(p) => Ok(p.clone()),
            PasswordSource::Command(cmd) => {
                let child = tokio::process::Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .process_group(0)
                    .kill_on_drop(true)
                    .spawn()
                    .map_err(SecretError::Spawn)?;
                let group = child.id();
                let out =
                    match tokio::time::timeout(std::time::Duration::from_secs(secs), child.wait_with_output()).await {
                        Ok(out) => out.map_err(SecretError::Spawn)?,
                        Err(_) => {
                            // dropping the child killed the shell; what it started goes too
                            if let Some(pgid) = group {
                                let _ = std::process::Command::new("kill")
                                    .args(["-s", "KILL", "--", &format!("-{pgid}")])
                                    .stderr(Stdio::null())
                                    .status();
                            }
                            let command = crate::imap::quoted(cmd.chars().take(80).collect::<String>().as_str());
                            return Err(SecretError::TimedOut { command, secs });
                        }
                    };
                if !out.status.success() {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let first = stderr.lines().next().unwrap_or("").trim();
                    return Err(SecretError::Failed {
                        status: out.status.to_string(),
                        stderr: crate::imap::quoted(first),
                    });
                }
                let stdout = String::from_utf8_lossy(&out.stdout);
                let line = stdout.lines().next().unwrap_or("").trim_end_matches('\r').to_string();
                if line.is_empty() { Err(SecretError::Empty) } else { Ok(line) }
            }
        }
    }

    /// Like `resolve_within`, with the default of 30 s.
    pub async fn resolve(&self) -> Result<String, SecretError> {
        self.resolve_within(crate::config::default_timeout()).await
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
    async fn a_command_that_hangs_is_stopped_and_named() {
        let marker = format!("/tmp/poste-secret-{}", std::process::id());
        let s = PasswordSource::Command(format!("sleep 31.7; touch {marker}"));
        let start = std::time::Instant::now();
        let e = s.resolve_within(1).await.unwrap_err().to_string();
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        assert!(e.contains("`sleep 31.7; touch") && e.contains("1 s"), "{e}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let ps = std::process::Command::new("pgrep").args(["-f", "sleep 31.7"]).output().unwrap();
        assert!(ps.stdout.is_empty(), "the command was killed: {}", String::from_utf8_lossy(&ps.stdout));
    }

    #[tokio::test]
    async fn empty_output_is_an_error() {
        let s = PasswordSource::Command("true".into());
        assert!(matches!(s.resolve().await, Err(SecretError::Empty)));
    }
}
