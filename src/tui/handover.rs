//! Programs that get the terminal until they end, as the external editor does: a command
//! the message is piped to, the pager, a mailcap viewer that needs the terminal. The event
//! loop gives the terminal back to the shell before and takes it again after.

use crate::app::reader::Handover;
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

/// The pager: `$PAGER`, else `less`.
fn pager() -> String {
    std::env::var("PAGER").ok().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| "less".into())
}

/// Runs `h` on the terminal; says what came of it.
pub fn run(h: Handover) -> Result<String, String> {
    match h {
        Handover::Pipe { command, raw } => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&command);
            let status = feed(c, &raw, &command)?;
            // the command's output stays on the screen until the user has read it
            print!("\r\n[{}] press Enter to go back to poste ", ended(&command, status));
            let _ = std::io::stdout().flush();
            let _ = std::io::stdin().lock().read_line(&mut String::new());
            if status.success() { Ok(format!("piped to {command:?}")) } else { Err(ended(&command, status)) }
        }
        Handover::Pager { text } => {
            let pager = pager();
            let mut c = Command::new("sh");
            c.arg("-c").arg(&pager);
            let status = feed(c, text.as_bytes(), &pager)?;
            if status.success() { Ok(String::new()) } else { Err(ended(&pager, status)) }
        }
        Handover::Viewer { command, file, content_type, copious } => {
            let shown = command.clone();
            let text = if copious { format!("{command} | {}", pager()) } else { command };
            let mut c = super::mailcap::command(&text, &file, &content_type)?;
            let status = c.status().map_err(|e| format!("cannot run the viewer {shown:?}: {e}"))?;
            if status.success() { Ok(String::new()) } else { Err(ended(&shown, status)) }
        }
    }
}

/// Runs `c` with `input` on its standard input (from a thread, so a command that does not
/// read it all still ends); waits for it.
fn feed(mut c: Command, input: &[u8], what: &str) -> Result<std::process::ExitStatus, String> {
    let mut child = c.stdin(Stdio::piped()).spawn().map_err(|e| format!("cannot run {what:?}: {e}"))?;
    let stdin = child.stdin.take();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(mut s) = stdin {
            // a command that stops reading early is no error
            let _ = s.write_all(&input);
        }
    });
    let status = child.wait().map_err(|e| format!("{what:?} did not end cleanly: {e}"))?;
    let _ = writer.join();
    Ok(status)
}

fn ended(what: &str, status: std::process::ExitStatus) -> String {
    match status.code() {
        Some(0) => format!("{what} ended"),
        Some(n) => format!("{what} ended with exit status {n}"),
        None => format!("{what} was stopped ({status})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_viewer_with_copious_output_and_a_failing_one_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "x").unwrap();
        let out = dir.path().join("out");
        let command = format!("cat %s > {}", out.display());
        let viewer =
            Handover::Viewer { command, file: file.clone(), content_type: "text/plain".into(), copious: false };
        assert_eq!(run(viewer), Ok(String::new()));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "x");
        let failing =
            Handover::Viewer { command: "false".into(), file, content_type: "text/plain".into(), copious: false };
        assert!(run(failing).unwrap_err().contains("exit status 1"));
    }

    #[test]
    fn input_a_command_does_not_read_is_no_hang() {
        let c = {
            let mut c = Command::new("sh");
            c.arg("-c").arg("exit 3");
            c
        };
        let big = Arc::new(vec![b'x'; 1 << 20]);
        let status = feed(c, &big, "exit 3").unwrap();
        assert_eq!(status.code(), Some(3));
    }
}
