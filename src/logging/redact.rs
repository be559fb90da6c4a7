//! Takes secrets out of log lines before they reach the file: the arguments of LOGIN, PASS,
//! APOP, AUTHENTICATE and AUTH, and the SASL answers a client writes after a challenge, in
//! the forms the IMAP, POP3 and SMTP code (ours, async-imap's and lettre's traces) log them.

use std::borrow::Cow;
use std::io::Write;

/// What a secret is replaced with.
pub const MARK: &str = "[redacted]";

/// Commands whose every argument may carry a secret (LOGIN user pass, PASS pass, APOP user
/// digest): everything after the command goes.
const SECRET_ARGS: [&str; 3] = ["LOGIN", "PASS", "APOP"];
/// SASL commands: the mechanism name stays, an initial response after it goes.
const SASL: [&str; 2] = ["AUTHENTICATE", "AUTH"];
/// The single-word lines a client writes that are not SASL answers.
const BARE_COMMANDS: [&str; 7] = ["DONE", "DATA", "QUIT", "RSET", "NOOP", "STARTTLS", "."];

/// The text with every secret replaced by `[redacted]`, line by line.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.contains('\n') {
        return line(s);
    }
    let mut changed = false;
    let mut out = String::with_capacity(s.len());
    for l in s.split_inclusive('\n') {
        let body = l.strip_suffix('\n').unwrap_or(l);
        let r = line(body);
        changed |= matches!(r, Cow::Owned(_));
        out.push_str(&r);
        if l.ends_with('\n') {
            out.push('\n');
        }
    }
    if changed { Cow::Owned(out) } else { Cow::Borrowed(s) }
}

/// One line with its secrets replaced.
pub fn line(l: &str) -> Cow<'_, str> {
    if let Some(r) = command(l) {
        return Cow::Owned(r);
    }
    if let Some(r) = sasl_answer(l) {
        return Cow::Owned(r);
    }
    Cow::Borrowed(l)
}

/// Where `word` starts in `l` as a whole word followed by a space. Protocol commands are
/// matched as poste and its libraries write them, in capitals, so prose such as "login
/// failed: …" or "a sync pass" keeps the server's words.
fn find_word(l: &str, word: &str) -> Option<usize> {
    let bytes = l.as_bytes();
    let n = word.len();
    (0..bytes.len().saturating_sub(n)).find(|&i| {
        &bytes[i..i + n] == word.as_bytes()
            && bytes[i + n] == b' '
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
    })
}

/// A line with a LOGIN, PASS, APOP, AUTHENTICATE or AUTH command, its secret replaced.
fn command(l: &str) -> Option<String> {
    let first = SECRET_ARGS
        .iter()
        .map(|w| (w, false))
        .chain(SASL.iter().map(|w| (w, true)))
        .filter_map(|(w, sasl)| find_word(l, w).map(|i| (i, w.len(), sasl)))
        .min_by_key(|(i, _, _)| *i)?;
    let (at, len, sasl) = first;
    let after = at + len + 1;
    if !sasl {
        return Some(format!("{}{MARK}", &l[..after]));
    }
    // the mechanism name, then anything more is an initial response
    let mech_end = l[after..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .map(|i| after + i)
        .unwrap_or(l.len());
    let rest = &l[mech_end..];
    let tail = rest.trim_end_matches(['"', ')', ' ', '\r']).trim_end_matches("<CRLF>").trim_end_matches("\\r\\n");
    if tail.trim().is_empty() {
        return None;
    }
    Some(format!("{} {MARK}", &l[..mech_end]))
}

/// A SASL answer written on its own line: async-imap traces it as an untagged request
/// (`encode: input: None, Ok("...")`), lettre as `Wrote: ...<CRLF>`.
fn sasl_answer(l: &str) -> Option<String> {
    const IMAP: &str = "input: None, Ok(\"";
    if let Some(i) = l.find(IMAP) {
        let start = i + IMAP.len();
        let end = l.rfind("\")").filter(|&e| e >= start).unwrap_or(l.len());
        let payload = l[start..end].trim_end_matches("\\r\\n");
        if BARE_COMMANDS.contains(&payload) {
            return None;
        }
        return Some(format!("{}{MARK}{}", &l[..start], &l[end..]));
    }
    const SMTP: &str = "Wrote: ";
    let i = l.find(SMTP)?;
    let start = i + SMTP.len();
    let payload = l[start..].trim_end().trim_end_matches("<CRLF>");
    let single = !payload.is_empty() && !payload.contains([' ', '<']);
    (single && !BARE_COMMANDS.contains(&payload)).then(|| format!("{}{MARK}<CRLF>", &l[..start]))
}

/// A log writer that redacts each line before it reaches `inner`. A line is written once
/// it is complete, or when the writer is flushed or dropped.
pub struct Writer<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Writer<W> {
    pub fn new(inner: W) -> Self {
        Writer { inner, pending: Vec::new() }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        let s = String::from_utf8_lossy(&chunk);
        self.inner.write_all(text(&s).as_bytes())
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let n = self.pending.len();
        if n > 0 {
            self.emit(n)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Writer<W> {
    fn drop(&mut self) {
        // a log line that cannot be written is lost; logging never fails the program
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_about_a_login_keeps_the_servers_words() {
        for l in [
            "WARN sync failed account=2 error=login failed: [AUTHENTICATIONFAILED] Authentication failed.",
            "INFO the pass stored 3 messages",
            "WARN auth failed: 535 5.7.8 bad credentials",
        ] {
            assert_eq!(line(l), l);
        }
    }

    #[test]
    fn imap_login_and_authenticate_lose_their_secrets() {
        let l = r#"TRACE async_imap::imap_stream: encode: input: Some(RequestId("A0001")), Ok("LOGIN \"u@x\" \"hunter2\"")"#;
        let r = line(l);
        assert!(!r.contains("hunter2") && r.contains(r#"Ok("LOGIN [redacted]"#), "{r}");
        let l = r#"TRACE async_imap::imap_stream: encode: input: Some(RequestId("A0001")), Ok("AUTHENTICATE PLAIN")"#;
        assert_eq!(line(l), l, "no secret in the command itself");
        let l = r#"encode: input: Some(RequestId("A1")), Ok("AUTHENTICATE PLAIN AHUAaHVudGVyMg==")"#;
        assert_eq!(line(l), r#"encode: input: Some(RequestId("A1")), Ok("AUTHENTICATE PLAIN [redacted]"#);
        let l = r#"TRACE async_imap::imap_stream: encode: input: None, Ok("AHUAaHVudGVyMg==")"#;
        assert_eq!(line(l), r#"TRACE async_imap::imap_stream: encode: input: None, Ok("[redacted]")"#);
        let idle = r#"encode: input: None, Ok("DONE")"#;
        assert_eq!(line(idle), idle);
    }

    #[test]
    fn pop3_and_smtp_commands_and_continuations_lose_their_secrets() {
        assert_eq!(line("C: PASS hunter2"), "C: PASS [redacted]");
        assert_eq!(line("C: APOP me c4c9334bac560ecc979e58001b3e22fb"), "C: APOP [redacted]");
        assert_eq!(line("C: USER me"), "C: USER me");
        assert_eq!(line("Wrote: AUTH PLAIN AHUAaHVudGVyMg==<CRLF>"), "Wrote: AUTH PLAIN [redacted]");
        assert_eq!(line("Wrote: AUTH LOGIN<CRLF>"), "Wrote: AUTH LOGIN<CRLF>");
        assert_eq!(line("Wrote: aHVudGVyMg==<CRLF>"), "Wrote: [redacted]<CRLF>");
        assert_eq!(line("Wrote: HUNTER<CRLF>"), "Wrote: [redacted]<CRLF>", "even all capitals");
        assert_eq!(line("Wrote: DATA<CRLF>"), "Wrote: DATA<CRLF>");
        assert_eq!(line("Wrote: MAIL FROM:<a@x.org><CRLF>"), "Wrote: MAIL FROM:<a@x.org><CRLF>");
    }

    #[test]
    fn ordinary_lines_stay() {
        for l in [
            r#"decode: input: Ok("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS AUTH=PLAIN] ready.\r\n")"#,
            "folder synced in 3.1 ms folder=Sent",
            "authentication failed: [AUTHENTICATIONFAILED] Authentication failed.",
            "password_command failed",
        ] {
            assert_eq!(line(l), l);
        }
    }

    #[test]
    fn the_writer_redacts_lines_split_across_writes() {
        let mut out = Vec::new();
        {
            let mut w = Writer::new(&mut out);
            w.write_all(b"one\nC: PA").unwrap();
            w.write_all(b"SS hunter2\nC: PASS tail-without-newline").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "one\nC: PASS [redacted]\nC: PASS [redacted]");
    }
}
