//! Small text formatters shared by the CLI and the UI: sizes and dates.

use chrono::{DateTime, Local, TimeZone, Utc};

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
    fn sizes() {
        assert_eq!(super::size(532), "532 B");
        assert_eq!(super::size(14 * 1024 + 10), "14 K");
        assert_eq!(super::size(3_400_000), "3.2 M");
    }

    #[test]
    fn bad_date_format_does_not_panic() {
        let now = chrono::Local::now();
        assert!(!super::list_date(0, now, "%Q%").is_empty());
    }
}
