//! New mail, announced as the user asked: the terminal bell, and `new_mail_command` run
//! beside poste (by `sh -c`, the names in its environment, never in the command text).

use std::io::Write;
use std::process::Stdio;

/// Rings and runs, without waiting: the command's end is only logged.
pub fn new_mail(bell: bool, command: Option<String>, account: &str, folder: &str, count: u32) {
    if bell {
        // BEL moves nothing on the screen; the next frame is drawn as before
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x07").and_then(|()| out.flush());
    }
    let Some(command) = command else { return };
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .env("POSTE_ACCOUNT", account)
        .env("POSTE_FOLDER", folder)
        .env("POSTE_COUNT", count.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(false)
        .spawn();
    match child {
        Ok(mut child) => {
            tokio::spawn(async move {
                match child.wait().await {
                    Ok(s) if s.success() => {}
                    Ok(s) => tracing::warn!(status = %s, "new_mail_command failed"),
                    Err(e) => tracing::warn!(error = %e, "new_mail_command failed"),
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "cannot run new_mail_command"),
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_command_gets_the_names_in_its_environment_not_in_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let cmd = format!("printf '%s|%s|%s' \"$POSTE_ACCOUNT\" \"$POSTE_FOLDER\" \"$POSTE_COUNT\" > {out:?}");
        super::new_mail(false, Some(cmd), "work", "Lists/$(touch pwned)", 3);
        for _ in 0..100 {
            if std::fs::read_to_string(&out).is_ok_and(|s| s.ends_with('3')) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "work|Lists/$(touch pwned)|3");
        assert!(!std::path::Path::new("pwned").exists());
    }
}
