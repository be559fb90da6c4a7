//! Small text formatters shared by the CLI and the UI: counts, marks, sizes and dates.

use chrono::{DateTime, Local, TimeZone, Utc};

/// `1 message`, `3 messages`, `0 messages`: a count with its noun in the right number.
/// Nouns that do not just take an `s` say their plural: `count_of(n, "entry", "entries")`.
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {}{}", noun, if n == 1 { "" } else { "s" })
}

/// A count with a noun whose plural is not the noun and an `s`.
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

/// The word for `n` of something: `one` for 1, else `many` (`is`/`are`, `its`/`their`).
pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A message's three marks, as lists show them: `N` unread (or `r` answered), `!` flagged,
/// `@` with attachments (or `~` when only its header is downloaded).
pub fn marks(m: &crate::model::Summary) -> String {
    use crate::model::Flags;
    let f = m.flags;
    let read = match (f.is_seen(), f.has(Flags::ANSWERED)) {
        (false, _) => 'N',
        (true, true) => 'r',
        (true, false) => ' ',
    };
    let flagged = if f.has(Flags::FLAGGED) { '!' } else { ' ' };
    let attached = match (m.partial, m.has_attachments) {
        (true, _) => '~',
        (false, true) => '@',
        (false, false) => ' ',
    };
    [read, flagged, attached].iter().collect()
}

/// `532 B`, `14 K`, `3.2 M`.
pub fn size(bytes: u64) -> String {
    const K: f64 = 1024.0;
    let b = bytes as f64;
    if b < K {
        format!("{bytes} B")
    } else if b < K * K {
        format!("{:.0} K", (b / K).max(1.0))
    } else if b < K * K * K {
        format!("{:.1} M", b / K / K)
    } else {
        format!("{:.1} G", b / K / K / K)
    }
}

/// `2.3 MB`, `512 KB`, `80 B`: a byte count for progress lines.
pub fn bytes(n: u64) -> String {
    match n {
        n if n < 1000 => format!("{n} B"),
        n if n < 1_000_000 => format!("{:.0} KB", n as f64 / 1e3),
        n if n < 1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n => format!("{:.1} GB", n as f64 / 1e9),
    }
}

/// `Downloading 37/120 (2.3 MB)`.
pub fn download_progress(done: u64, total: u64, bytes: u64) -> String {
    format!("Downloading {done}/{total} ({})", self::bytes(bytes))
}

/// RFC 3339 in UTC, for JSON.
pub fn rfc3339(ts: i64) -> String {
    Utc.timestamp_opt(ts, 0).single().map(|d| d.to_rfc3339()).unwrap_or_default()
}

/// A list date: the time for today's messages, else `fmt` (strftime) in local time.
pub fn list_date(ts: i64, now: DateTime<Local>, fmt: &str) -> String {
    let Some(d) = Local.timestamp_opt(ts, 0).single() else {
        return String::new();
    };
    if d.date_naive() == now.date_naive() {
        d.format("%H:%M").to_string()
    } else {
        // strftime errors (a bad format in the config) must not panic while drawing
        let mut out = String::new();
        use std::fmt::Write;
        if write!(out, "{}", d.format(fmt)).is_err() {
            return d.format("%Y-%m-%d").to_string();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(super::count(1, "message"), "1 message");
        assert_eq!(super::count(0, "message"), "0 messages");
        assert_eq!(super::count(3, "account"), "3 accounts");
        assert_eq!(super::count_of(1, "entry", "entries"), "1 entry");
        assert_eq!(super::count_of(2, "entry", "entries"), "2 entries");
        assert_eq!(super::plural(1, "is", "are"), "is");
        assert_eq!(super::plural(5, "is", "are"), "are");
    }

    #[test]
    fn sizes() {
        assert_eq!(super::size(532), "532 B");
        assert_eq!(super::size(14 * 1024 + 10), "14 K");
        assert_eq!(super::size(3_400_000), "3.2 M");
    }

    #[test]
    fn download_progress_reads_like_a_sentence() {
        assert_eq!(super::download_progress(37, 120, 2_310_000), "Downloading 37/120 (2.3 MB)");
        assert_eq!(super::download_progress(1, 2, 512), "Downloading 1/2 (512 B)");
    }

    #[test]
    fn bad_date_format_does_not_panic() {
        let now = chrono::Local::now();
        assert!(!super::list_date(0, now, "%Q%").is_empty());
    }
}
