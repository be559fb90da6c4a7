//! Extracting attachments and saving them safely inside the folder the user chose.

use mail_parser::MessageParser;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SaveError {
    #[error("the message could not be parsed")]
    Unparsable,
    #[error("the message has no attachment number {0}")]
    NoSuchAttachment(usize),
    #[error("cannot create {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no free file name for {0} in the attachment folder")]
    NoFreeName(String),
}

/// The decoded bytes and name of attachment `index`.
pub fn attachment_bytes(raw: &[u8], index: usize) -> Result<(String, Vec<u8>), SaveError> {
    let raw = super::nesting::bound(raw);
    let msg = MessageParser::default().parse(&raw).ok_or(SaveError::Unparsable)?;
    let part = msg.attachments().nth(index).ok_or(SaveError::NoSuchAttachment(index))?;
    let name = super::part_name(part, index);
    let bytes = match &part.body {
        mail_parser::PartType::Message(m) => m.raw_message().to_vec(),
        _ => part.contents().to_vec(),
    };
    Ok((name, bytes))
}

/// A file name that cannot leave the target folder: no separators, no `..`, no leading dot,
/// no control or bidi characters, not empty, at most 200 bytes.
pub fn safe_file_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c if c.is_control() => '_',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' => '_',
            c => c,
        })
        .collect();
    while s.contains("..") {
        s = s.replace("..", "_");
    }
    let trimmed = s.trim().trim_start_matches(['.', '-', ' ']).to_string();
    let mut out = if trimmed.is_empty() { "attachment".to_string() } else { trimmed };
    if out.len() > 200 {
        let mut cut = 200;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

/// Writes `bytes` as `name` (made safe) inside `dir`, never overwriting: an existing name
/// gets a ` (1)`, ` (2)`, ... suffix. Returns the path written.
pub fn save_attachment(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, SaveError> {
    std::fs::create_dir_all(dir).map_err(|source| SaveError::Io { path: dir.to_path_buf(), source })?;
    let safe = safe_file_name(name);
    let (stem, ext) = match safe.rfind('.') {
        Some(i) if i > 0 => (&safe[..i], &safe[i..]),
        _ => (safe.as_str(), ""),
    };
    for n in 0..1000 {
        let candidate = if n == 0 { safe.clone() } else { format!("{stem} ({n}){ext}") };
        let path = dir.join(&candidate);
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
        match file {
            Ok(mut f) => {
                f.write_all(bytes)
                    .and_then(|_| f.sync_all())
                    .map_err(|source| SaveError::Io { path: path.clone(), source })?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(SaveError::Io { path, source }),
        }
    }
    Err(SaveError::NoFreeName(safe))
}
