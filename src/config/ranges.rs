//! Range checks of the config's numeric keys: a value out of range is refused with the
//! file, line, column and key where it stands, before anything computes with it.

use super::{Config, ConfigError, line_col};
use std::path::Path;
use toml::de::DeValue;

/// The allowed values of one key, and how to say them.
struct Range {
    min: u64,
    max: u64,
    unit: &'static str,
}

const PORT: Range = Range { min: 1, max: 65535, unit: "" };
const TIMEOUT: Range = Range { min: 1, max: 3600, unit: " seconds" };
const POLL: Range = Range { min: 1, max: 86_400, unit: " seconds" };
const DAYS: Range = Range { min: 0, max: 36_500, unit: " days" };
/// The largest message poste downloads (the POP3 absolute cap).
const MESSAGE_SIZE: Range = Range { min: 1, max: 2 << 30, unit: " bytes (up to \"2G\")" };
const PREFETCH: Range = Range { min: 0, max: 100, unit: " messages" };
const DELAY: Range = Range { min: 0, max: 3600, unit: " seconds" };

/// What a numeric key wants, in words, for an error about a value of the wrong type:
/// `a port number (1–65535)`.
pub(super) fn wanted(key: &str) -> Option<String> {
    let (what, range) = match key {
        "port" => ("a port number", &PORT),
        "timeout_secs" => ("a whole number of seconds", &TIMEOUT),
        "poll_interval" => ("a whole number of seconds", &POLL),
        "delete_after_days" => ("a whole number of days", &DAYS),
        "prefetch" => ("a whole number of messages", &PREFETCH),
        "offline_max_size" => return Some("a size: a number of bytes, or a string such as \"2G\"".into()),
        "max_message_size" => {
            return Some("a size: a number of bytes, or a string such as \"10M\" (at most \"2G\")".into());
        }
        _ => return None,
    };
    Some(format!("{what} ({}–{})", range.min, range.max))
}

/// One numeric key as loaded: where it lives (`accounts[i].table.key`, or `ui.key`).
struct Value {
    account: Option<usize>,
    table: &'static str,
    key: &'static str,
    value: u64,
    range: &'static Range,
}

fn values(config: &Config) -> Vec<Value> {
    let ui = |key, value, range| Value { account: None, table: "ui", key, value, range };
    let mut out = vec![
        ui("prefetch", config.ui.prefetch as u64, &PREFETCH),
        ui("mark_read_delay", config.ui.mark_read_delay, &DELAY),
    ];
    for (i, a) in config.accounts.iter().enumerate() {
        let mut add = |table, key, value: Option<u64>, range| {
            if let Some(value) = value {
                out.push(Value { account: Some(i), table, key, value, range });
            }
        };
        if let Some(c) = &a.imap {
            add("imap", "port", c.port.map(u64::from), &PORT);
            add("imap", "timeout_secs", Some(c.timeout_secs), &TIMEOUT);
            add("imap", "poll_interval", Some(c.poll_interval), &POLL);
        }
        if let Some(c) = &a.pop3 {
            add("pop3", "port", c.port.map(u64::from), &PORT);
            add("pop3", "timeout_secs", Some(c.timeout_secs), &TIMEOUT);
            add("pop3", "delete_after_days", c.delete_after_days.map(u64::from), &DAYS);
            add("pop3", "poll_interval", Some(c.poll_interval), &POLL);
            add("pop3", "max_message_size", c.max_message_size.map(|m| m.0), &MESSAGE_SIZE);
        }
        if let Some(c) = &a.smtp {
            add("smtp", "port", c.port.map(u64::from), &PORT);
            add("smtp", "timeout_secs", Some(c.timeout_secs), &TIMEOUT);
        }
    }
    out
}

/// Refuses the first numeric key out of its range, naming the file, line and key.
pub(super) fn check(config: &Config, text: &str, path: &Path) -> Result<(), ConfigError> {
    let Some(bad) = values(config).into_iter().find(|v| v.value < v.range.min || v.value > v.range.max) else {
        return Ok(());
    };
    let Range { min, max, unit } = bad.range;
    let message = format!(
        "`{}.{}` = {} is out of range: it must be between {min} and {max}{unit}",
        bad.table, bad.key, bad.value
    );
    let (line, column) = locate(text, &bad).map(|offset| line_col(text, offset)).unwrap_or((0, 0));
    let message = match (&bad.account, line) {
        (Some(i), 0) => match config.accounts.get(*i) {
            Some(a) => format!("account {}: {message}", a.name),
            None => message,
        },
        _ => message,
    };
    Err(ConfigError::Parse { path: path.to_path_buf(), line, column, message })
}

/// Where the value stands in the text.
fn locate(text: &str, v: &Value) -> Option<usize> {
    let root = DeValue::Table(toml::de::DeTable::parse(text).ok()?.into_inner());
    let table = match v.account {
        Some(i) => root.get("accounts")?.get_ref().get(i)?.get_ref().get(v.table)?,
        None => root.get(v.table)?,
    };
    Some(table.get_ref().get(v.key)?.span().start)
}

#[cfg(test)]
pub(super) mod tests {
    use crate::config::Config;
    use std::path::Path;

    /// The error of a config that does not load.
    pub(in crate::config) fn error(text: &str) -> String {
        Config::parse(text, Path::new("/etc/poste.toml")).unwrap_err().to_string()
    }

    /// A minimal IMAP and a minimal POP3 account, for a key to be added at the end.
    pub(in crate::config) const IMAP: &str = "[[accounts]]\nname = \"w\"\nemail = \"a@b\"\nprotocol = \"imap\"\n[accounts.imap]\n\
                        host = \"h\"\nusername = \"u\"\npassword_command = \"true\"\n";
    pub(in crate::config) const POP3: &str = "[[accounts]]\nname = \"p\"\nemail = \"a@b\"\nprotocol = \"pop3\"\n[accounts.pop3]\n\
                        host = \"h\"\nusername = \"u\"\npassword_command = \"true\"\nleave_on_server = true\n";

    #[test]
    fn a_huge_poll_interval_is_refused_with_file_line_and_key() {
        let e = error(&format!("{IMAP}poll_interval = 18446744073709551615\n"));
        assert_eq!(
            e,
            "/etc/poste.toml:9:17: `imap.poll_interval` = 18446744073709551615 is out of range: it must be \
             between 1 and 86400 seconds"
        );
    }

    #[test]
    fn every_numeric_key_is_checked() {
        for (base, line, key) in [
            (IMAP, "port = 0", "imap.port"),
            (IMAP, "timeout_secs = 0", "imap.timeout_secs"),
            (IMAP, "timeout_secs = 99999999", "imap.timeout_secs"),
            (IMAP, "poll_interval = 0", "imap.poll_interval"),
            (POP3, "port = 0", "pop3.port"),
            (POP3, "timeout_secs = 0", "pop3.timeout_secs"),
            (POP3, "delete_after_days = 4000000000", "pop3.delete_after_days"),
            (POP3, "max_message_size = \"1000G\"", "pop3.max_message_size"),
            (POP3, "max_message_size = 0", "pop3.max_message_size"),
        ] {
            let e = error(&format!("{base}{line}\n"));
            let at = format!("/etc/poste.toml:{}:", base.lines().count() + 1);
            assert!(e.starts_with(&at) && e.contains(&format!("`{key}`")), "{line}: {e}");
        }
        let smtp = format!("{IMAP}[accounts.smtp]\nhost = \"s\"\nport = 0\n");
        assert!(error(&smtp).starts_with("/etc/poste.toml:11:") && error(&smtp).contains("`smtp.port`"));
        let smtp = format!("{IMAP}[accounts.smtp]\nhost = \"s\"\ntimeout_secs = 100000\n");
        assert!(error(&smtp).contains("`smtp.timeout_secs`"));
        let ui = format!("[ui]\nprefetch = 100000\n{IMAP}");
        assert!(error(&ui).starts_with("/etc/poste.toml:2:") && error(&ui).contains("`ui.prefetch`"));
        let ui = format!("[ui]\nmark_read_delay = 86400\n{IMAP}");
        assert!(error(&ui).starts_with("/etc/poste.toml:2:") && error(&ui).contains("`ui.mark_read_delay`"));
    }

    #[test]
    fn values_in_range_pass() {
        let t = format!("{POP3}port = 995\ntimeout_secs = 3600\ndelete_after_days = 0\nmax_message_size = \"2G\"\n");
        assert!(Config::parse(&t, Path::new("x")).is_ok());
        let t = format!("{IMAP}port = 65535\npoll_interval = 86400\n");
        assert!(Config::parse(&t, Path::new("x")).is_ok());
        let t = format!("[ui]\nmark_read_delay = 0\n{IMAP}");
        assert_eq!(Config::parse(&t, Path::new("x")).unwrap().ui.mark_read_delay, 0);
    }
}
