//! The text an editor opens: a header block (From, To, Cc, Bcc, Subject, then any other
//! header the user adds, such as Reply-To or X-Whatever), a blank line, then the body; and
//! reading it back, with a mistake reported at its line so the text can be fixed there.

use super::{ComposeError, Draft};

const FIELDS: [&str; 5] = ["From", "To", "Cc", "Bcc", "Subject"];

/// Headers poste writes itself (the MIME structure, Date, Message-ID): a user may not set them.
pub fn written_by_poste(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n.starts_with("content-") || ["mime-version", "date", "message-id"].contains(&n.as_str())
}

/// The text for the editor.
pub fn to_editor_text(d: &Draft) -> String {
    let values = [&d.from, &d.to, &d.cc, &d.bcc, &d.subject];
    let mut out = String::new();
    for (name, value) in FIELDS.iter().zip(values) {
        out.push_str(&format!("{name}: {}\n", value.replace('\n', " ")));
    }
    for (name, value) in &d.headers {
        out.push_str(&format!("{name}: {}\n", value.replace('\n', " ")));
    }
    out.push('\n');
    out.push_str(&d.body);
    out
}

fn at(line: usize, text: String) -> ComposeError {
    ComposeError::EditorLine { line, text }
}

/// Reads the edited text back into `d`: the header block is what the text says (a field
/// left out is empty, except From, which stays the sender), other headers are kept in
/// order, `In-Reply-To` and `References` set the threading; attachments stay as they were.
/// A mistake is an `EditorLine` error naming the line (from 1) and `d` is left unchanged.
pub fn parse_editor_text(text: &str, d: &mut Draft) -> Result<(), ComposeError> {
    let text = text.replace("\r\n", "\n");
    // (line number, name as written, value), continuations joined
    let mut fields: Vec<(usize, String, String)> = Vec::new();
    let mut body = String::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\n');
        offset += raw.len();
        if line.trim().is_empty() {
            body = text[offset..].to_string();
            break;
        }
        if line.starts_with([' ', '\t']) {
            let Some(f) = fields.last_mut() else {
                return Err(at(n, "the first header starts with a space; a header line starts with its name".into()));
            };
            f.2.push(' ');
            f.2.push_str(line.trim());
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(at(
                n,
                format!(
                    "{line:?} is not a \"Name: value\" header (a blank line goes between the headers and the body)"
                ),
            ));
        };
        let name = name.trim_end();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(at(n, format!("{name:?} is not a header name (letters, digits and dashes, then a colon)")));
        }
        if written_by_poste(name) {
            return Err(at(n, format!("poste writes the {name} header itself; take this line out")));
        }
        fields.push((n, name.to_string(), value.trim().to_string()));
    }

    let mut out = Draft {
        to: String::new(),
        cc: String::new(),
        bcc: String::new(),
        subject: String::new(),
        headers: Vec::new(),
        body,
        ..d.clone()
    };
    let mut seen_once: Vec<&str> = Vec::new();
    for (n, name, value) in fields {
        let known = FIELDS.iter().chain(&["In-Reply-To", "References"]).find(|f| f.eq_ignore_ascii_case(&name));
        match known.copied() {
            Some(f @ ("From" | "Subject" | "In-Reply-To" | "References")) => {
                if seen_once.contains(&f) {
                    return Err(at(n, format!("a second {f} header; a message has one")));
                }
                seen_once.push(f);
                match f {
                    "From" => {
                        super::build::check_addresses("From", &value).map_err(|e| at(n, e.to_string()))?;
                        out.from = value
                    }
                    "Subject" => out.subject = value,
                    "In-Reply-To" => out.in_reply_to = Some(value).filter(|v| !v.is_empty()),
                    _ => out.references = Some(value).filter(|v| !v.is_empty()),
                }
            }
            Some(f) => {
                // a list written twice is one list: no address is dropped
                let (field, list) = match f {
                    "To" => ("To", &mut out.to),
                    "Cc" => ("Cc", &mut out.cc),
                    _ => ("Bcc", &mut out.bcc),
                };
                super::build::check_addresses(field, &value).map_err(|e| at(n, e.to_string()))?;
                if !list.trim().trim_end_matches(',').is_empty() && !value.is_empty() {
                    *list = format!("{}, {value}", list.trim().trim_end_matches(','));
                } else if !value.is_empty() {
                    *list = value;
                }
            }
            None => {
                if name.eq_ignore_ascii_case("Reply-To") {
                    super::build::check_addresses("Reply-To", &value).map_err(|e| at(n, e.to_string()))?;
                }
                out.headers.push((name, value));
            }
        }
    }
    *d = out;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(r: Result<(), ComposeError>) -> (usize, String) {
        match r {
            Err(ComposeError::EditorLine { line, text }) => (line, text),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn round_trips_and_reports_mistakes() {
        let d = Draft {
            from: "Me <me@x.org>".into(),
            to: "a@x.org, B <b@x.org>".into(),
            subject: "Grüße".into(),
            body: "Hello\n\nsecond paragraph\n".into(),
            ..Default::default()
        };
        let mut back = Draft::default();
        parse_editor_text(&to_editor_text(&d), &mut back).unwrap();
        assert_eq!(back, d);
        let mut e = Draft::default();
        parse_editor_text("To: a@x.org,\n  c@x.org\nsubject: folded\n\nbody", &mut e).unwrap();
        assert_eq!(e.to, "a@x.org, c@x.org");
        assert_eq!(e.subject, "folded");
    }

    #[test]
    fn other_headers_are_kept_in_order_and_threading_is_set() {
        let mut d = Draft { from: "me@x.org".into(), ..Default::default() };
        let text = "From: me@x.org\nTo: a@x.org\nX-Custom: one\n two\nReply-To: \"Lee, Ann\" <ann@y.org>\n\
                    In-Reply-To: <m1@y.org>\nReferences: <m0@y.org> <m1@y.org>\nSubject: s\n\nbody\n";
        parse_editor_text(text, &mut d).unwrap();
        assert_eq!(
            d.headers,
            [("X-Custom".to_string(), "one two".to_string()), ("Reply-To".into(), "\"Lee, Ann\" <ann@y.org>".into())]
        );
        assert_eq!(d.in_reply_to.as_deref(), Some("<m1@y.org>"));
        assert_eq!(d.references.as_deref(), Some("<m0@y.org> <m1@y.org>"));
        // written back, they come after Subject, and read back the same
        let again = to_editor_text(&d);
        assert!(again.contains("Subject: s\nX-Custom: one two\nReply-To: \"Lee, Ann\" <ann@y.org>\n\nbody"), "{again}");
        let mut back = d.clone();
        parse_editor_text(&again, &mut back).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn a_mistake_names_its_line_and_leaves_the_draft_alone() {
        let before = Draft { to: "old@x.org".into(), body: "old".into(), ..Default::default() };
        let cases = [
            ("To: a@x.org\nno colon here\nbody", 2, "is not a \"Name: value\" header"),
            (" To: a@x.org\n\nbody", 1, "starts with a space"),
            ("To: a@x.org\nContent-Type: text/html\n\nbody", 2, "poste writes the Content-Type header itself"),
            ("To: a@x.org\nmime-version: 1.0\n\nb", 2, "poste writes the mime-version header"),
            ("Subject: a\nTo: a@x.org\nSubject: b\n\nb", 3, "a second Subject"),
            ("Subject: a\nCc: not an address at all\n\nb", 2, "Cc: \"not an address at all\" is not a list"),
            ("Subject: a\nReply-To: nope nope\n\nb", 2, "Reply-To"),
            ("Bad Name: x\n\nb", 1, "is not a header name"),
        ];
        for (text, line, says) in cases {
            let mut d = before.clone();
            let (n, msg) = line_of(parse_editor_text(text, &mut d));
            assert_eq!(n, line, "{text:?}: {msg}");
            assert!(msg.contains(says), "{text:?}: {msg}");
            assert_eq!(d, before, "unchanged on a mistake");
        }
    }

    #[test]
    fn the_text_is_the_truth_and_no_address_is_dropped() {
        let mut d = Draft { from: "me@x.org".into(), bcc: "hidden@x.org".into(), ..Default::default() };
        // the Bcc line taken out: no Bcc; To written twice: both
        parse_editor_text("To: a@x.org\nTo: b@x.org,\nSubject: s\n\nb", &mut d).unwrap();
        assert_eq!(d.bcc, "");
        assert_eq!(d.to, "a@x.org, b@x.org,");
        assert_eq!(d.from, "me@x.org", "the sender stays when its line is gone");
        // a blank line of spaces ends the headers; no blank line at all: all headers
        parse_editor_text("To: a@x.org\n   \nbody", &mut d).unwrap();
        assert_eq!(d.body, "body");
        parse_editor_text("To: a@x.org\nSubject: only", &mut d).unwrap();
        assert_eq!((d.subject.as_str(), d.body.as_str()), ("only", ""));
    }
}
