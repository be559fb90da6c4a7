//! The values of `before:` `after:` `date:` (calendar days and relative spans, read in
//! the local time of "now") and of `larger:` `smaller:` (sizes with k, M, G).

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, TimeZone};

/// The moment a query is read at, in the user's time zone (relative dates count from it).
pub type Now = DateTime<FixedOffset>;

/// A span of time in seconds since the epoch: `start` inclusive, `end` exclusive (None:
/// open, for "the last 7 days").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub start: i64,
    pub end: Option<i64>,
    /// The calendar days of `start` and `end` (for IMAP, whose dates are days).
    pub first_day: NaiveDate,
    pub end_day: Option<NaiveDate>,
}

impl DateRange {
    fn days(first: NaiveDate, end: Option<NaiveDate>, now: &Now) -> Option<DateRange> {
        let end_ts = match end {
            Some(e) => Some(midnight(e, now)?),
            None => None,
        };
        Some(DateRange { start: midnight(first, now)?, end: end_ts, first_day: first, end_day: end })
    }
}

/// What `before:` and friends accept, for error messages.
pub(super) const DATE_FORMS: &str = "YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d, 2w, 3m, 1y";

/// What `larger:` and `smaller:` accept, for error messages.
pub(super) const SIZE_FORMS: &str = "bytes, or with k, M, G: 500, 100k, 5M";

fn midnight(day: NaiveDate, now: &Now) -> Option<i64> {
    let t = day.and_hms_opt(0, 0, 0)?;
    now.offset().from_local_datetime(&t).single().map(|d| d.timestamp())
}

/// Reads a date value: a day, a month or a year (their whole span), `today`,
/// `yesterday`, or `Nd` `Nw` `Nm` `Ny` (from the start of that day until now and on).
pub(super) fn date(text: &str, now: &Now) -> Option<DateRange> {
    let today = now.date_naive();
    let day = |d: NaiveDate| DateRange::days(d, Some(d.succ_opt()?), now);
    let since = |d: NaiveDate| DateRange::days(d, None, now);
    match text.to_ascii_lowercase().as_str() {
        "today" => return day(today),
        "yesterday" => return day(today.pred_opt()?),
        _ => {}
    }
    if let Some((n, unit)) = relative(text) {
        let back = match unit {
            'd' => today.checked_sub_signed(Duration::days(n))?,
            'w' => today.checked_sub_signed(Duration::weeks(n))?,
            'm' => today.checked_sub_months(Months::new(u32::try_from(n).ok()?))?,
            'y' => today.checked_sub_months(Months::new(u32::try_from(n).ok()?.checked_mul(12)?))?,
            _ => return None,
        };
        return since(back);
    }
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    match parts.as_slice() {
        [y, m, d] => day(NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)?),
        [y, m] => {
            let first = NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, 1)?;
            DateRange::days(first, Some(first.checked_add_months(Months::new(1))?), now)
        }
        [y] => {
            let first = NaiveDate::from_ymd_opt(num(y, 4)? as i32, 1, 1)?;
            DateRange::days(first, Some(NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?), now)
        }
        _ => None,
    }
}

/// `7d` → (7, 'd').
fn relative(text: &str) -> Option<(i64, char)> {
    let unit = text.chars().last()?.to_ascii_lowercase();
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !"dwmy".contains(unit) {
        return None;
    }
    Some((digits.parse().ok()?, unit))
}

/// Reads a size: bytes, or a number with `k`, `M`, `G` (powers of 1024, case and a
/// trailing `b` ignored).
pub(super) fn size(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let t = lower
        .strip_suffix('b')
        .filter(|t| !t.is_empty() && !t.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(&lower);
    let (digits, mult) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1u64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(mult)
}
