//! The mbox format (mboxrd): reading messages out of an mbox file and writing them into one,
//! so that a round trip gives back every message byte for byte.
//!
//! A message starts at a `From ` line. Lines of a message that begin with `From `, after
//! any number of `>`, get one more `>` when written and lose one when read. The blank line
//! that separates messages is not part of either message.

use std::io::{BufRead, Write};

/// One message read from an mbox: its bytes and the date of its `From ` line.
#[derive(Debug, Clone, PartialEq)]
pub struct MboxMessage {
    pub raw: Vec<u8>,
    /// Seconds since the epoch from the `From ` line, when it has a readable date.
    pub from_date: Option<i64>,
}

/// Reads the messages of an mbox one at a time.
pub struct Reader<R> {
    input: R,
    /// The `From ` line that starts the next message, once it has been read.
    next_from: Option<Vec<u8>>,
    line: Vec<u8>,
    started: bool,
}

/// Whether a file starts like an mbox.
pub fn looks_like_mbox(start: &[u8]) -> bool {
    start.starts_with(b"From ")
}

fn is_from_line(line: &[u8]) -> bool {
    line.starts_with(b"From ")
}

/// `>From `, `>>From `, ...: a quoted From line.
fn quoted_from(line: &[u8]) -> bool {
    let n = line.iter().take_while(|&&b| b == b'>').count();
    n > 0 && line[n..].starts_with(b"From ")
}

/// The date of a `From sender Sat Nov 21 23:53:47 2026` line.
fn from_line_date(line: &[u8]) -> Option<i64> {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end();
    let words: Vec<&str> = text.split_whitespace().collect();
    // the date is the last five words: weekday, month, day, time, year
    let date = words.get(words.len().checked_sub(5)?..)?.join(" ");
    chrono::NaiveDateTime::parse_from_str(&date, "%a %b %e %H:%M:%S %Y").ok().map(|d| d.and_utc().timestamp())
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader { input, next_from: None, line: Vec::new(), started: false }
    }

    /// The next message, or None at the end of the file.
    pub fn next_message(&mut self) -> std::io::Result<Option<MboxMessage>> {
        if !self.started {
            self.started = true;
            // anything before the first From line is not a message
            loop {
                self.line.clear();
                if self.input.read_until(b'\n', &mut self.line)? == 0 {
                    return Ok(None);
                }
                if is_from_line(&self.line) {
                    self.next_from = Some(std::mem::take(&mut self.line));
                    break;
                }
            }
        }
        let Some(from) = self.next_from.take() else { return Ok(None) };
        let mut raw = Vec::new();
        loop {
            self.line.clear();
            if self.input.read_until(b'\n', &mut self.line)? == 0 {
                break;
            }
            if is_from_line(&self.line) && ends_with_blank_line(&raw) {
                self.next_from = Some(std::mem::take(&mut self.line));
                break;
            }
            if quoted_from(&self.line) {
                raw.extend_from_slice(&self.line[1..]);
            } else {
                raw.extend_from_slice(&self.line);
            }
        }
        // the blank line before the next From line (or the end) separates messages
        if raw.ends_with(b"\r\n\r\n") {
            raw.truncate(raw.len() - 2);
        } else if raw.ends_with(b"\n\n") {
            raw.truncate(raw.len() - 1);
        }
        Ok(Some(MboxMessage { raw, from_date: from_line_date(&from) }))
    }
}

fn ends_with_blank_line(raw: &[u8]) -> bool {
    raw.is_empty() || raw.ends_with(b"\n\n") || raw.ends_with(b"\n\r\n")
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = std::io::Result<MboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_message().transpose()
    }
}

/// Appends one message to an mbox: a `From ` line with `sender` and `date` (seconds since
/// the epoch), the message with From lines quoted, and the separating blank line.
pub fn write_message<W: Write>(out: &mut W, sender: &str, date: i64, raw: &[u8]) -> std::io::Result<()> {
    let when = chrono::DateTime::from_timestamp(date, 0).unwrap_or_default().format("%a %b %e %H:%M:%S %Y");
    let sender: String = sender.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let sender = if sender.is_empty() { "MAILER-DAEMON".to_string() } else { sender };
    writeln!(out, "From {sender} {when}")?;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if is_from_line(line) || quoted_from(line) {
            out.write_all(b">")?;
        }
        out.write_all(line)?;
    }
    if !raw.ends_with(b"\n") {
        // a message must end in a line break before the separator; this one did not, and a
        // reader gives it back with one (the only change a round trip can make)
        out.write_all(b"\n")?;
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(messages: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for m in messages {
            write_message(&mut out, "a@example.org", 1_700_000_000, m).unwrap();
        }
        Reader::new(&out[..]).map(|m| m.unwrap().raw).collect()
    }

    #[test]
    fn round_trips_are_byte_for_byte() {
        let msgs: Vec<&[u8]> = vec![
            b"Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n>>From twice\r\n\r\n",
            b"Subject: two\n\nlf only\nFrom here\n",
            b"Subject: three\r\n\r\n\r\n\r\n",
            b"Subject: four\r\n\r\nFrom \r\n",
        ];
        assert_eq!(round_trip(&msgs), msgs);
    }

    #[test]
    fn reads_a_foreign_mbox_with_dates_and_a_preamble() {
        let text = b"junk before\nFrom bob@example.org Sat Nov 21 23:53:47 2026\nSubject: x\n\nhi\n>From a quote\n\n\
From MAILER-DAEMON Mon Jan  5 01:02:03 2015\nSubject: y\n\nbye\n";
        let got: Vec<MboxMessage> = Reader::new(&text[..]).map(|m| m.unwrap()).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].raw, b"Subject: x\n\nhi\nFrom a quote\n");
        assert_eq!(got[0].from_date, Some(1795305227));
        assert_eq!(got[1].raw, b"Subject: y\n\nbye\n");
        assert!(got[1].from_date.is_some());
    }

    #[test]
    fn a_from_line_inside_a_paragraph_is_not_a_new_message() {
        let text = b"From a Sat Nov 21 23:53:47 2026\nSubject: x\n\nline\nFrom inside\n\n";
        let got: Vec<MboxMessage> = Reader::new(&text[..]).map(|m| m.unwrap()).collect();
        assert_eq!(got.len(), 1);
        assert!(looks_like_mbox(text));
    }
}
