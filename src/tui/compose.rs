//! The composing effects: the draft a new message starts from, handing a built message to
//! the Outbox or to Drafts, path completion, and running the external editor.

use super::effects::Env;
use crate::account::{Command, Replaces};
use crate::app::Msg;
use crate::app::compose::ComposeKind;
use crate::compose::{self, Draft, ReplyKind};
use crate::model::{AccountId, MessageId};

/// The draft for a compose key, a resumed draft or a mailto: URL.
pub fn start(
    store: &crate::store::Store,
    cfg: Option<&crate::config::AccountConfig>,
    account: AccountId,
    kind: ComposeKind,
) -> Result<Msg, String> {
    let cfg = cfg.ok_or("this account has no settings to write from")?;
    let identity = compose::identity(cfg, &[]);
    let raw = |id: MessageId| -> Result<Vec<u8>, String> {
        store
            .body(id)
            .map_err(|e| format!("local store: {e}"))?
            .ok_or_else(|| "the message's body is not downloaded yet: open it first".to_string())
    };
    let mut outgoing = None;
    let (draft, resumed) = match kind {
        ComposeKind::New => (Draft { from: identity, ..Default::default() }, None),
        ComposeKind::Reply(id) => (compose::reply(&raw(id)?, id, cfg, ReplyKind::Sender), None),
        ComposeKind::ReplyAll(id) => (compose::reply(&raw(id)?, id, cfg, ReplyKind::All), None),
        ComposeKind::Forward(id) => (compose::forward(&raw(id)?, id, cfg, false), None),
        ComposeKind::ForwardAttached(id) => (compose::forward(&raw(id)?, id, cfg, true), None),
        ComposeKind::Resume(id) => {
            let mut d = compose::parse_draft(&raw(id)?);
            if d.from.trim().is_empty() {
                d.from = identity;
            }
            (d, Some(id))
        }
        ComposeKind::EditOutgoing(id) => {
            let m = store
                .outgoing(id)
                .map_err(|e| format!("local store: {e}"))?
                .ok_or("that message has left the Outbox")?;
            outgoing = Some(id);
            (compose::parse_draft(&m.saved), None)
        }
        ComposeKind::Mailto(url) => {
            let mut d = Draft { from: identity, ..Default::default() };
            compose::parse_mailto(&url, &mut d).map_err(|e| e.to_string())?;
            (d, None)
        }
    };
    Ok(Msg::Composing { account, draft: Box::new(draft), resumed, outgoing })
}

/// Builds the message and hands it to the account's Outbox in place of what it replaces
/// (the worker does both in one store transaction).
/// A From address of another account sends through that account (as `poste send` picks
/// the account by its From), so that one account's address never goes out through
/// another's server.
pub fn send(env: Env<'_>, account: AccountId, draft: &Draft, replaces: Option<Replaces>) -> Result<String, String> {
    let cfg = env.account(account).ok_or("this account has no settings to send with")?;
    let built = compose::build(draft, false).map_err(|e| e.to_string())?;
    let from = built.envelope.from.to_ascii_lowercase();
    let owner = env.accounts.iter().find(|a| a.name != cfg.name && a.addresses().contains(&from));
    let (account, cfg) = match owner {
        Some(other) if !cfg.addresses().contains(&from) => {
            let id = env.handles.iter().find(|h| h.name == other.name).map(|h| h.id);
            match (id, replaces) {
                (Some(id), None) => (id, other),
                // a draft or an Outbox message is its account's, and is replaced there
                _ => {
                    return Err(format!(
                        "{from} is account {}'s address, and this message is kept in account {}: \
                         write it from {} (or change From back); d saves a draft",
                        other.name, cfg.name, other.name
                    ));
                }
            }
        }
        _ => (account, cfg),
    };
    if cfg.smtp.is_none() {
        return Err(format!("account {} has no [accounts.smtp] table, so it cannot send; d saves a draft", cfg.name));
    }
    let message = Box::new(compose::outgoing(draft, built));
    env.send(account, Command::Send { message, replaces });
    Ok(format!("sending from {}…", cfg.name))
}

/// Builds the message as a draft and has the worker keep it in Drafts, in place of the
/// draft it continues.
pub fn save_draft(
    env: Env<'_>,
    account: AccountId,
    draft: &Draft,
    resumed: Option<MessageId>,
) -> Result<String, String> {
    let built = compose::build(draft, true).map_err(|e| e.to_string())?;
    env.send(account, Command::SaveDraft { raw: built.saved, replaces: resumed });
    Ok("draft saved".into())
}

/// Completes a path being typed: the one name that fits, or what all that fit share.
pub fn complete_path(input: &str) -> String {
    let expanded = crate::paths::expand_home(std::path::Path::new(input)).to_string_lossy().to_string();
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (&expanded[..=i], &expanded[i + 1..]),
        None => ("./", expanded.as_str()),
    };
    let Ok(entries) = std::fs::read_dir(dir) else { return input.to_string() };
    let mut names: Vec<(String, bool)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            (name.starts_with(prefix) && (prefix.starts_with('.') || !name.starts_with('.')))
                .then(|| (name, e.path().is_dir()))
        })
        .collect();
    names.sort();
    let base = if expanded.contains('/') { dir.to_string() } else { String::new() };
    match names.as_slice() {
        [] => input.to_string(),
        [(name, is_dir)] => format!("{base}{name}{}", if *is_dir { "/" } else { "" }),
        many => {
            let first = &many[0].0;
            let common = many.iter().fold(first.len(), |n, (name, _)| {
                first.chars().zip(name.chars()).take_while(|(a, b)| a == b).count().min(n)
            });
            format!("{base}{}", first.chars().take(common).collect::<String>())
        }
    }
}

/// Runs the external editor on `text` in a private temporary file; returns the edited
/// text. The terminal must be given back to the shell before, and taken again after.
pub fn run_editor(command: &str, text: &str) -> Result<String, String> {
    let file = tempfile::Builder::new()
        .prefix("poste-")
        .suffix(".eml")
        .tempfile()
        .map_err(|e| format!("cannot make a file to edit: {e}"))?;
    std::fs::write(file.path(), text).map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| format!("cannot run the editor {command:?}: {e}"))?;
    if !status.success() {
        return Err(format!("the editor {command:?} failed ({status}); the message is as it was"));
    }
    std::fs::read_to_string(file.path()).map_err(|e| format!("cannot read the edited file: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_complete_to_the_one_match_or_the_shared_start() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report-2026.pdf"), b"x").unwrap();
        std::fs::write(dir.path().join("report-2025.pdf"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("photos")).unwrap();
        let d = dir.path().display();
        assert_eq!(super::complete_path(&format!("{d}/ph")), format!("{d}/photos/"));
        assert_eq!(super::complete_path(&format!("{d}/rep")), format!("{d}/report-202"));
        assert_eq!(super::complete_path(&format!("{d}/zzz")), format!("{d}/zzz"));
    }

    #[test]
    fn the_editor_edits_the_file_and_a_failure_says_so() {
        let out = super::run_editor("sed -i 's/old/new/'", "Subject: old\n\nbody\n").unwrap();
        assert_eq!(out, "Subject: new\n\nbody\n");
        assert!(super::run_editor("false", "x").unwrap_err().contains("failed"));
    }
}
