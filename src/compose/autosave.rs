//! A message being written, kept on disk while it is written so that a crash loses nothing:
//! `DATA_DIR/autosave/<account>-<n>.eml`, private to the user, written whole or not at all
//! (a temporary file renamed over the old one). It holds a small header saying which
//! account it is for and what it answers, forwards or continues, then a blank line, then
//! the text exactly as the editor has it (which may not read as a message yet).

use crate::model::{MessageId, OutboxId};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &str = "Poste-Autosave: 1";

/// What the text alone does not say: where the message came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// The stored message it replies to, or forwards.
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
    /// The stored draft it continues, or the Outbox message it is an edit of.
    pub resumed: Option<MessageId>,
    pub outgoing: Option<OutboxId>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    pub message_id: Option<String>,
    /// The names of its attachments (their bytes are not kept here).
    pub attachments: Vec<String>,
}

/// A message found kept in the autosave directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    /// Its file name in the directory.
    pub file: String,
    pub account: String,
    pub meta: Meta,
    pub text: String,
}

/// Where the kept messages live.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("autosave")
}

/// The file name for message `n` of `account` (the name made safe for a file name).
pub fn file_name(account: &str, n: u64) -> String {
    let safe: String =
        account.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    format!("{}-{n}.eml", safe.trim_start_matches('.'))
}

/// The `n` of a file name made by `file_name`.
fn number(file: &str) -> Option<u64> {
    file.strip_suffix(".eml")?.rsplit_once('-')?.1.parse().ok()
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The file's content.
pub fn render(account: &str, meta: &Meta, text: &str) -> String {
    let mut out = format!("{MAGIC}\nAccount: {}\n", one_line(account));
    let ids = [
        ("Answers", meta.answers.map(|id| id.0)),
        ("Forwards", meta.forwards.map(|id| id.0)),
        ("Resumes", meta.resumed.map(|id| id.0)),
        ("Outgoing", meta.outgoing.map(|id| id.0)),
    ];
    for (name, id) in ids {
        if let Some(id) = id {
            out.push_str(&format!("{name}: {id}\n"));
        }
    }
    let texts =
        [("In-Reply-To", &meta.in_reply_to), ("References", &meta.references), ("Message-ID", &meta.message_id)];
    for (name, value) in texts {
        if let Some(v) = value {
            out.push_str(&format!("{name}: {}\n", one_line(v)));
        }
    }
    for a in &meta.attachments {
        out.push_str(&format!("Attachment: {}\n", one_line(a)));
    }
    out.push('\n');
    out.push_str(text);
    out
}

/// Reads a file's content back; None when it is not one of these files.
pub fn parse(file: &str, content: &str) -> Option<Kept> {
    let (head, text) = content.split_once("\n\n")?;
    let mut lines = head.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let mut account = None;
    let mut meta = Meta::default();
    for line in lines {
        let (name, value) = line.split_once(": ").unwrap_or((line, ""));
        let value = value.to_string();
        let id = || value.parse::<i64>().ok();
        match name {
            "Account" => account = Some(value.clone()),
            "Answers" => meta.answers = id().map(MessageId),
            "Forwards" => meta.forwards = id().map(MessageId),
            "Resumes" => meta.resumed = id().map(MessageId),
            "Outgoing" => meta.outgoing = id().map(OutboxId),
            "In-Reply-To" => meta.in_reply_to = Some(value),
            "References" => meta.references = Some(value),
            "Message-ID" => meta.message_id = Some(value),
            "Attachment" => meta.attachments.push(value),
            _ => {}
        }
    }
    Some(Kept { file: file.to_string(), account: account?, meta, text: text.to_string() })
}

/// Writes `content` as `dir/file`, private to the user, replacing what was there in one
/// step: a crash leaves the old version or the new, never half of one.
pub fn write(dir: &Path, file: &str, content: &str) -> std::io::Result<()> {
    crate::paths::create_private_dir(dir)?;
    // a temporary file is created readable by its owner only
    let mut tmp = tempfile::Builder::new().prefix(".writing-").tempfile_in(dir)?;
    tmp.write_all(content.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(dir.join(file)).map_err(|e| e.error)?;
    Ok(())
}

/// Removes `dir/file`; one already gone is fine.
pub fn remove(dir: &Path, file: &str) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(file)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The messages kept in `dir`, oldest first, and the next free file number. A file that
/// cannot be read is left where it is (and logged).
pub fn list(dir: &Path) -> (Vec<Kept>, u64) {
    let mut found: Vec<(u64, Kept)> = Vec::new();
    let mut next = 1;
    let Ok(entries) = std::fs::read_dir(dir) else { return (Vec::new(), next) };
    for e in entries.flatten() {
        let Some(file) = e.file_name().to_str().map(str::to_string) else { continue };
        let Some(n) = number(&file) else { continue };
        next = next.max(n + 1);
        match std::fs::read_to_string(e.path()).ok().and_then(|c| parse(&file, &c)) {
            Some(k) => found.push((n, k)),
            None => tracing::warn!(file = %e.path().display(), "an autosaved message that cannot be read stays"),
        }
    }
    found.sort_by_key(|(n, _)| *n);
    (found.into_iter().map(|(_, k)| k).collect(), next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_messages_read_back_with_where_they_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("autosave");
        let meta = Meta {
            answers: Some(MessageId(7)),
            resumed: Some(MessageId(9)),
            in_reply_to: Some("<m1@y.org>".into()),
            attachments: vec!["map.pdf".into()],
            ..Default::default()
        };
        let text = "To: a@x.org\nno colon, not yet a message\n\nbody\n\nmore\n";
        write(&d, &file_name("work mail", 3), &render("work mail", &meta, text)).unwrap();
        write(&d, &file_name("home", 12), &render("home", &Meta::default(), "Subject: x\n\ny")).unwrap();
        std::fs::write(d.join("junk-5.eml"), "not one of ours").unwrap();
        let (kept, next) = list(&d);
        assert_eq!(next, 13);
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert_eq!(
            kept[0],
            Kept { file: "work_mail-3.eml".into(), account: "work mail".into(), meta, text: text.into() }
        );
        assert_eq!(kept[1].account, "home");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("work_mail-3.eml")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700);
        // written again in place; removed, twice
        write(&d, "home-12.eml", &render("home", &Meta::default(), "Subject: y\n\nz")).unwrap();
        assert_eq!(list(&d).0[1].text, "Subject: y\n\nz");
        remove(&d, "home-12.eml").unwrap();
        remove(&d, "home-12.eml").unwrap();
        assert_eq!(list(&d).0.len(), 1);
        assert_eq!(list(&dir.path().join("none")), (Vec::new(), 1));
    }
}
