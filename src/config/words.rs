//! A value of the wrong type in the config, said in words: the key it stands at, what that
//! key wants and what was written there (`imap.port: expected a port number (1–65535),
//! found the string "35987"`), in place of serde's `expected u16`.

use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The words for a deserialization error about the value at `span`, or None when it is not
/// about a value (an unknown or missing key, broken TOML), which keeps the parser's words.
pub(super) fn explain(text: &str, span: Range<usize>, message: &str) -> Option<String> {
    const ABOUT_A_VALUE: [&str; 6] = [
        "invalid type:",
        "invalid value:",
        "data did not match any variant",
        "wanted string or table",
        "unknown variant",
        " is not a size",
    ];
    if !ABOUT_A_VALUE.iter().any(|m| message.starts_with(m) || m.starts_with(' ') && message.contains(m)) {
        return None;
    }
    let root = DeTable::parse(text).ok()?;
    let path = path_to(&root, &span)?;
    let expected = message.split_once(", expected ").map(|(_, e)| e.trim()).unwrap_or("");
    let (key, in_list) = match path.as_slice() {
        [.., key, Segment::Index(_)] => (key, true),
        [.., key] => (key, false),
        [] => return None,
    };
    let Segment::Key(key) = key else { return None };
    let parent = path.iter().rev().skip(if in_list { 2 } else { 1 }).find_map(Segment::key);
    let wanted = wanted(parent, key, expected);
    let found = found(text.get(span)?);
    let found = if in_list { format!("{found} in the list") } else { found };
    Some(format!("{}: expected {wanted}, found {found}", shown(&path)))
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Segment {
    fn key(&self) -> Option<&str> {
        match self {
            Segment::Key(k) => Some(k),
            Segment::Index(_) => None,
        }
    }
}

/// The keys (and list positions) from the top of the file to the value at `span`.
fn path_to(root: &Spanned<DeTable<'_>>, span: &Range<usize>) -> Option<Vec<Segment>> {
    fn walk(value: &Spanned<DeValue<'_>>, span: &Range<usize>, path: &mut Vec<Segment>) -> bool {
        if value.span() == *span {
            return true;
        }
        // the span of a table or list is its header or bracket, not its contents: walk them all
        match value.get_ref() {
            DeValue::Table(t) => table(t, span, path),
            DeValue::Array(a) => a.iter().enumerate().any(|(i, v)| {
                path.push(Segment::Index(i));
                let hit = walk(v, span, path);
                if !hit {
                    path.pop();
                }
                hit
            }),
            _ => false,
        }
    }
    fn table(t: &DeTable<'_>, span: &Range<usize>, path: &mut Vec<Segment>) -> bool {
        t.iter().any(|(k, v)| {
            path.push(Segment::Key(k.get_ref().to_string()));
            let hit = walk(v, span, path);
            if !hit {
                path.pop();
            }
            hit
        })
    }
    let mut path = Vec::new();
    table(root.get_ref(), span, &mut path).then_some(path)
}

/// The key as the user knows it: `imap.port`, `ui.prefetch`, `keys.down`, `accounts.email`
/// (the line number already says which account).
fn shown(path: &[Segment]) -> String {
    let keys: Vec<&str> = path.iter().filter_map(Segment::key).collect();
    match keys.as_slice() {
        ["accounts", rest @ ..] if rest.len() > 1 => rest.join("."),
        all => all.join("."),
    }
}

/// What a key wants, in words.
fn wanted(table: Option<&str>, key: &str, expected: &str) -> String {
    if table == Some("keys") {
        return "a key name in quotes (such as \"j\" or \"C-d\"), or a list of them".into();
    }
    if let Some(w) = super::ranges::wanted(key) {
        return w;
    }
    let words = match key {
        "tls" => "\"implicit\", \"starttls\" or \"none\"",
        "protocol" => "\"imap\" or \"pop3\"",
        "delete" => "\"trash\" or \"expunge\"",
        "aliases" | "ignore_capabilities" => "a list of strings in quotes, such as [\"a\", \"b\"]",
        "accounts" => "[[accounts]] tables",
        "ui" | "imap" | "pop3" | "smtp" | "keys" => "a table",
        _ => match expected {
            "a boolean" => "true or false",
            "a string" | "a borrowed string" => "a string in quotes",
            "path string" => "a path in quotes",
            "u8" => "a whole number from 0 to 255",
            "u16" => "a whole number from 0 to 65535",
            "u32" | "u64" | "usize" => "a whole number, 0 or more",
            "a sequence" => "a list",
            "" => "something else",
            other => other,
        },
    };
    words.to_string()
}

/// What was written, as the user wrote it: `the string "35987"`, `-1`, `the list [3]`.
fn found(written: &str) -> String {
    let w = written.trim();
    let short = w.chars().count() <= 40 && !w.contains('\n');
    match w.chars().next() {
        Some('"' | '\'') if short => format!("the string {w}"),
        Some('"' | '\'') => "a string".into(),
        Some('[') if short => format!("the list {w}"),
        Some('[') => "a list".into(),
        Some('{') => "a table".into(),
        _ if short => w.to_string(),
        _ => "a table".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::ranges::tests::{IMAP, POP3, error};

    #[test]
    fn a_port_written_as_a_string_says_what_a_port_is() {
        assert_eq!(
            error(&format!("{IMAP}port = \"35987\"\n")),
            "/etc/poste.toml:9:8: imap.port: expected a port number (1–65535), found the string \"35987\""
        );
    }

    #[test]
    fn numbers_out_of_their_type_say_what_is_wanted() {
        for (base, line, said) in [
            (IMAP, "port = 99999", "imap.port: expected a port number (1–65535), found 99999"),
            (IMAP, "port = -1", "imap.port: expected a port number (1–65535), found -1"),
            (IMAP, "port = 1.5", "imap.port: expected a port number (1–65535), found 1.5"),
            (IMAP, "timeout_secs = -5", "imap.timeout_secs: expected a whole number of seconds (1–3600), found -5"),
            (
                POP3,
                "delete_after_days = -4",
                "pop3.delete_after_days: expected a whole number of days (0–36500), found -4",
            ),
            (POP3, "max_message_size = -4", "pop3.max_message_size: expected a size: a number of bytes, or a string"),
        ] {
            let e = error(&format!("{base}{line}\n"));
            let at = format!("/etc/poste.toml:{}:", base.lines().count() + 1);
            assert!(e.starts_with(&at) && e.contains(said), "{line}: {e}");
        }
        let e = error(&format!("[ui]\nprefetch = -3\n{IMAP}"));
        assert_eq!(e, "/etc/poste.toml:2:12: ui.prefetch: expected a whole number of messages (0–100), found -3");
    }

    #[test]
    fn booleans_strings_lists_and_choices_are_named() {
        for (base, line, said) in [
            (
                IMAP,
                "accept_invalid_certs = \"yes\"",
                "imap.accept_invalid_certs: expected true or false, found the string \"yes\"",
            ),
            (IMAP, "allow_plaintext_auth = 1", "imap.allow_plaintext_auth: expected true or false, found 1"),
            (
                IMAP,
                "ignore_capabilities = \"QRESYNC\"",
                "imap.ignore_capabilities: expected a list of strings in quotes",
            ),
            (
                IMAP,
                "ignore_capabilities = [1]",
                "imap.ignore_capabilities: expected a list of strings in quotes, such as [\"a\", \"b\"], found 1 in the list",
            ),
            (IMAP, "tls = 3", "imap.tls: expected \"implicit\", \"starttls\" or \"none\", found 3"),
            (
                IMAP,
                "tls = \"sometimes\"",
                "imap.tls: expected \"implicit\", \"starttls\" or \"none\", found the string \"sometimes\"",
            ),
            (IMAP, "ca_file = 3", "imap.ca_file: expected a path in quotes, found 3"),
            (IMAP, "trash_folder = [\"a\"]", "imap.trash_folder: expected a string in quotes, found the list [\"a\"]"),
        ] {
            let e = error(&format!("{base}{line}\n"));
            assert!(e.contains(said), "{line}: {e}");
            assert!(e.starts_with(&format!("/etc/poste.toml:{}:", base.lines().count() + 1)), "{e}");
        }
        let e = error(&format!("{IMAP}[accounts.smtp]\nhost = \"s\"\nsave_sent = \"no\"\n"));
        assert!(e.contains("smtp.save_sent: expected true or false, found the string \"no\""), "{e}");
        let e = error("[ui]\nmark_read_on_open = \"no\"\n");
        assert!(
            e.starts_with("/etc/poste.toml:2:") && e.contains("ui.mark_read_on_open: expected true or false"),
            "{e}"
        );
        let e = error("[keys]\ndown = 3\n");
        assert!(
            e.contains(
                "keys.down: expected a key name in quotes (such as \"j\" or \"C-d\"), or a list of them, found 3"
            ),
            "{e}"
        );
        let e = error("data_dir = 3\n");
        assert_eq!(e, "/etc/poste.toml:1:12: data_dir: expected a path in quotes, found 3");
        let e = error("editor = [1]\n");
        assert!(e.contains("editor: expected a string in quotes, found the list [1]"), "{e}");
        let e = error(&IMAP.replace("email = \"a@b\"", "email = 7"));
        assert!(e.contains("accounts.email: expected a string in quotes, found 7"), "{e}");
    }
}
