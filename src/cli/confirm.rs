//! Asking before what cannot be undone: `--yes` goes ahead, a terminal is asked, and with
//! neither the command refuses (a script never deletes for good by accident).

use anyhow::{Context, Result, bail};
use std::io::{BufRead, IsTerminal, Write};

/// Whether to go ahead and `action` ("delete 3 messages for good from Trash"): yes with
/// `--yes`; else the answer typed on the terminal; without a terminal on stdin, an error
/// that says how to go ahead and that `nothing` happened ("nothing was deleted").
pub fn confirm(action: &str, nothing: &str, yes: bool) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("refusing to {action} without --yes: stdin is not a terminal to ask on ({nothing})");
    }
    let mut chars = action.chars();
    let question: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "poste: {question}? [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).context("reading the answer")?;
    let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    if !yes {
        let _ = writeln!(err, "poste: {nothing}");
    }
    Ok(yes)
}
