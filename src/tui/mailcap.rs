//! The user's mailcap (RFC 1524, `~/.mailcap`): which viewer shows a type, and the shell
//! command that runs it. The file name and the type reach the command only as positional
//! arguments (`"$1"`, `"$2"`), never inside its text, so no name a message chooses can
//! run anything.

use std::path::Path;
use std::process::{Command, Stdio};

/// A mailcap entry for a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The view command as written, with `%s`, `%t`.
    pub command: String,
    /// It runs in the terminal (`needsterminal`).
    pub needs_terminal: bool,
    /// Its output is text to page through (`copiousoutput`).
    pub copious: bool,
    /// A command that must succeed for the entry to apply (`test=`).
    pub test: Option<String>,
}

/// The entries of a mailcap file for `mime` (`type/subtype`), best first: the exact type
/// before `type/*`, in file order.
pub fn entries(text: &str, mime: &str) -> Vec<Entry> {
    let mime = mime.to_ascii_lowercase();
    let major = mime.split('/').next().unwrap_or("");
    let mut exact = Vec::new();
    let mut wild = Vec::new();
    for line in logical_lines(text) {
        let fields = split_fields(&line);
        let [ty, command, flags @ ..] = fields.as_slice() else { continue };
        let ty = ty.trim().to_ascii_lowercase();
        let command = command.trim();
        if command.is_empty() {
            continue;
        }
        let mut e = Entry { command: command.to_string(), needs_terminal: false, copious: false, test: None };
        for f in flags {
            let f = f.trim();
            let (name, value) = f.split_once('=').map_or((f, None), |(n, v)| (n.trim(), Some(v.trim())));
            match name.to_ascii_lowercase().as_str() {
                "needsterminal" => e.needs_terminal = true,
                "copiousoutput" => e.copious = true,
                "test" => e.test = value.map(str::to_string),
                _ => {}
            }
        }
        if ty == mime || (!ty.contains('/') && ty == major) {
            exact.push(e);
        } else if ty == format!("{major}/*") {
            wild.push(e);
        }
    }
    exact.extend(wild);
    exact
}

/// The lines of a mailcap file with continuations (`\` at the end) joined, comments and
/// blank lines left out.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if cur.is_empty() && (line.trim_start().starts_with('#') || line.trim().is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => cur.push_str(part),
            None => {
                cur.push_str(line);
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// Splits an entry at the `;`s that are not escaped as `\;`.
fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => fields.push(String::new()),
            c => {
                let c = if c == '\\' && chars.peek() == Some(&';') { chars.next().unwrap_or(';') } else { c };
                if let Some(f) = fields.last_mut() {
                    f.push(c)
                }
            }
        }
    }
    fields
}

/// The shell text of a mailcap command, with `%s` as `"$1"` (the file), `%t` as `"$2"`
/// (the type), `%{...}` parameters as nothing, and `%%` as `%`. A `%s` already in quotes
/// loses them, so the file name is never inside another quote. False in the second place
/// when the command has no `%s` (it reads the file from its standard input).
pub fn script(command: &str) -> (String, bool) {
    let mut out = String::with_capacity(command.len() + 8);
    let mut names_file = false;
    let mut rest = command;
    while let Some(i) = rest.find(['%', '\'', '"']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("'%s'") || tail.starts_with("\"%s\"") {
            out.push_str("\"$1\"");
            names_file = true;
            rest = &tail[4..];
        } else if tail.starts_with("'%t'") || tail.starts_with("\"%t\"") {
            out.push_str("\"$2\"");
            rest = &tail[4..];
        } else if let Some(t) = tail.strip_prefix("%s") {
            out.push_str("\"$1\"");
            names_file = true;
            rest = t;
        } else if let Some(t) = tail.strip_prefix("%t") {
            out.push_str("\"$2\"");
            rest = t;
        } else if let Some(t) = tail.strip_prefix("%%") {
            out.push('%');
            rest = t;
        } else if let Some(t) = tail.strip_prefix("%{") {
            rest = t.find('}').map_or("", |e| &t[e + 1..]);
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    (out, names_file)
}

/// `sh -c SCRIPT sh FILE TYPE`: the command for an entry's text on `file`; a command that
/// does not name the file gets it on its standard input.
pub fn command(text: &str, file: &Path, mime: &str) -> Result<Command, String> {
    let (script, names_file) = script(text);
    let mut c = Command::new("sh");
    c.arg("-c").arg(script).arg("sh").arg(file).arg(mime);
    if !names_file {
        let f = std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        c.stdin(Stdio::from(f));
    }
    Ok(c)
}

/// The first entry for `mime` in `mailcap` that applies to `file` (its `test=`, if any,
/// succeeds).
pub fn find(mailcap: &str, mime: &str, file: &Path) -> Option<Entry> {
    entries(mailcap, mime).into_iter().find(|e| match &e.test {
        None => true,
        Some(test) => command(test, file, mime).is_ok_and(|mut c| {
            c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            c.status().is_ok_and(|s| s.success())
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAILCAP: &str = "# viewers\n\
        image/*; feh %s\n\
        image/png; pngview '%s'; test=true\n\
        text/html; w3m -T text/html -dump %s; copiousoutput\n\
        application/pdf; zathura \\\n  %s ; needsterminal\n\
        text/plain; cat; copiousoutput\n\
        video/*; mpv %s; test=false\n";

    #[test]
    fn entries_match_the_type_exact_first_then_wildcards() {
        let png = entries(MAILCAP, "image/PNG");
        assert_eq!(png.iter().map(|e| e.command.as_str()).collect::<Vec<_>>(), ["pngview '%s'", "feh %s"]);
        assert_eq!(png[0].test.as_deref(), Some("true"));
        let html = &entries(MAILCAP, "text/html")[0];
        assert!(html.copious && !html.needs_terminal);
        let pdf = &entries(MAILCAP, "application/pdf")[0];
        assert_eq!(pdf.command, "zathura   %s");
        assert!(pdf.needs_terminal);
        assert!(entries(MAILCAP, "audio/ogg").is_empty());
    }

    #[test]
    fn the_file_name_is_an_argument_never_part_of_the_script() {
        assert_eq!(script("feh %s"), ("feh \"$1\"".into(), true));
        assert_eq!(script("view '%s' --type=%t 100%%"), ("view \"$1\" --type=\"$2\" 100%".into(), true));
        assert_eq!(script("cat"), ("cat".into(), false));
        assert_eq!(script("x %{charset} y"), ("x  y".into(), false));
    }

    #[test]
    fn a_hostile_file_name_runs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("$(touch pwned)';touch pwned2;'.txt");
        std::fs::write(&file, "the attachment\n").unwrap();
        let out = dir.path().join("out");
        let text = format!("cat '%s' > {}; echo %t >> {}", out.display(), out.display());
        let status = command(&text, &file, "text/plain; x=$(touch pwned3)").unwrap().current_dir(dir.path()).status();
        assert!(status.unwrap().success());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "the attachment\ntext/plain; x=$(touch pwned3)\n");
        for p in ["pwned", "pwned2", "pwned3"] {
            assert!(!dir.path().join(p).exists(), "{p} was created");
        }
    }

    #[test]
    fn tests_pick_the_entry_and_stdin_feeds_a_command_without_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.mp4");
        std::fs::write(&file, "data").unwrap();
        assert_eq!(find(MAILCAP, "image/png", &file).unwrap().command, "pngview '%s'");
        assert!(find(MAILCAP, "video/mp4", &file).is_none());
        let out = command("cat", &file, "text/plain").unwrap().output().unwrap();
        assert_eq!(out.stdout, b"data");
    }
}
