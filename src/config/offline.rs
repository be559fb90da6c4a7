//! The offline mirror settings of an IMAP account: which bodies to keep on disk (`offline`,
//! per account and per folder) and how much room they may take (`offline_max_size`).

use serde::Deserialize;
use std::fmt;

/// Which message bodies an IMAP account keeps on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offline {
    /// Only what was opened or prefetched (bodies are downloaded when needed).
    #[default]
    Opened,
    /// Every message no older than this many days.
    Recent { days: u32 },
    /// Every message.
    All,
}

impl Offline {
    /// Parses `"opened"`, `"all"` or `"recent:N"` with a unit `d`, `w`, `m` (30 days) or
    /// `y` (365 days); the error says what is wrong with the text.
    pub fn parse(text: &str) -> Result<Offline, String> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "opened" => return Ok(Offline::Opened),
            "all" => return Ok(Offline::All),
            _ => {}
        }
        let usage = "write \"opened\", \"all\", or \"recent:\" with a number of days, weeks, months or \
                     years, e.g. \"recent:90d\", \"recent:6m\"";
        let Some(span) = t.strip_prefix("recent:").or_else(|| t.strip_prefix("RECENT:")) else {
            return Err(format!("{text:?} is not an offline mode: {usage}"));
        };
        let span = span.trim();
        let Some(unit) = span.chars().last().filter(char::is_ascii_alphabetic) else {
            return Err(format!("{text:?} has no unit: {usage}"));
        };
        let per = match unit.to_ascii_lowercase() {
            'd' => 1,
            'w' => 7,
            'm' => 30,
            'y' => 365,
            _ => return Err(format!("{text:?}: {unit:?} is not a unit (d, w, m or y): {usage}")),
        };
        let n: u32 = span[..span.len() - 1]
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: {:?} is not a whole number: {usage}", &span[..span.len() - 1]))?;
        match n.checked_mul(per) {
            Some(0) => Err(format!("{text:?} keeps nothing: the number must be at least 1")),
            Some(days) if days <= 36_500 => Ok(Offline::Recent { days }),
            _ => Err(format!("{text:?} is more than 100 years; use \"all\"")),
        }
    }

    /// True when the mirror downloads bodies for this mode.
    pub fn mirrors(self) -> bool {
        self != Offline::Opened
    }

    /// Whether a message dated `date` is kept, at `now` (both Unix seconds).
    pub fn keeps(self, date: i64, now: i64) -> bool {
        match self {
            Offline::Opened => false,
            Offline::All => true,
            Offline::Recent { days } => date >= now - i64::from(days) * 86_400,
        }
    }
}

impl fmt::Display for Offline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Offline::Opened => f.write_str("opened"),
            Offline::All => f.write_str("all"),
            Offline::Recent { days } => write!(f, "recent:{days}d"),
        }
    }
}

impl<'de> Deserialize<'de> for Offline {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Offline::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The settings of one folder, `[accounts.imap.folders."Name"]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FolderConfig {
    /// This folder's offline mode, in place of the account's.
    pub offline: Option<Offline>,
}

#[cfg(test)]
mod tests {
    use super::Offline;

    #[test]
    fn modes_parse_with_units() {
        assert_eq!(Offline::parse("opened"), Ok(Offline::Opened));
        assert_eq!(Offline::parse("ALL"), Ok(Offline::All));
        assert_eq!(Offline::parse("recent:90d"), Ok(Offline::Recent { days: 90 }));
        assert_eq!(Offline::parse("recent:2w"), Ok(Offline::Recent { days: 14 }));
        assert_eq!(Offline::parse("recent:6m"), Ok(Offline::Recent { days: 180 }));
        assert_eq!(Offline::parse("recent: 1y"), Ok(Offline::Recent { days: 365 }));
    }

    #[test]
    fn bad_modes_say_why() {
        let e = Offline::parse("everything").unwrap_err();
        assert!(e.contains("\"everything\" is not an offline mode") && e.contains("recent:90d"), "{e}");
        assert!(Offline::parse("recent:90").unwrap_err().contains("has no unit"));
        assert!(Offline::parse("recent:90x").unwrap_err().contains("'x' is not a unit"));
        assert!(Offline::parse("recent:ad").unwrap_err().contains("not a whole number"));
        assert!(Offline::parse("recent:0d").unwrap_err().contains("keeps nothing"));
        assert!(Offline::parse("recent:200y").unwrap_err().contains("100 years"));
    }

    #[test]
    fn recent_keeps_by_date() {
        let now = 1_000 * 86_400;
        let m = Offline::Recent { days: 90 };
        assert!(m.keeps(now - 89 * 86_400, now));
        assert!(!m.keeps(now - 91 * 86_400, now));
        assert!(!Offline::Opened.keeps(now, now));
        assert!(Offline::All.keeps(0, now));
    }

    const ACCOUNT: &str = "[[accounts]]\nname = \"work\"\nemail = \"me@example.com\"\nprotocol = \"imap\"\n\
        [accounts.imap]\nhost = \"imap.example.com\"\nusername = \"me\"\npassword_command = \"true\"\n";

    fn parse(extra: &str) -> Result<crate::config::Config, String> {
        crate::config::Config::parse(&format!("{ACCOUNT}{extra}"), std::path::Path::new("/p.toml"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn account_and_folder_settings() {
        let c = parse(
            "offline = \"recent:90d\"\noffline_max_size = \"2G\"\n\
             [accounts.imap.folders.Archive]\noffline = \"opened\"\n\
             [accounts.imap.folders.\"Lists/rust\"]\noffline = \"all\"\n",
        )
        .unwrap();
        let imap = c.accounts[0].imap.as_ref().unwrap();
        assert_eq!(imap.offline_max_size, Some(crate::config::ByteSize(2 << 30)));
        assert_eq!(imap.offline_for("INBOX"), Offline::Recent { days: 90 });
        assert_eq!(imap.offline_for("Archive"), Offline::Opened);
        assert_eq!(imap.offline_for("Lists/rust"), Offline::All);
        assert!(imap.mirrors());
        let plain = parse("").unwrap();
        let imap = plain.accounts[0].imap.as_ref().unwrap();
        assert_eq!(imap.offline_for("INBOX"), Offline::Opened);
        assert!(!imap.mirrors());
        let inbox = parse("[accounts.imap.folders.inbox]\noffline = \"all\"\n").unwrap();
        assert_eq!(inbox.accounts[0].imap.as_ref().unwrap().offline_for("INBOX"), Offline::All);
    }

    #[test]
    fn bad_values_name_the_line_and_the_cause() {
        let e = parse("offline = \"recent:90\"\n").unwrap_err();
        assert!(e.starts_with("/p.toml:9:") && e.contains("has no unit"), "{e}");
        let e = parse("offline_max_size = \"lots\"\n").unwrap_err();
        assert!(e.contains(":9:") && e.contains("offline_max_size"), "{e}");
        let e = parse("offline_max_size = 0\n").unwrap_err();
        assert!(e.contains("keeps nothing"), "{e}");
        let e = parse("[accounts.imap.folders.Archive]\noffline = \"sometimes\"\n").unwrap_err();
        assert!(e.contains(":10:") && e.contains("not an offline mode"), "{e}");
        let e = parse("[accounts.imap.folders.Archive]\noffline_max_size = \"1G\"\n").unwrap_err();
        assert!(e.contains(":10:") && e.contains("offline_max_size"), "{e}");
    }
}
