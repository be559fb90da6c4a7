//! The file an external editor opens: a header block (From, To, Cc, Bcc, Subject), a blank
//! line, then the body; and reading it back.

use super::{ComposeError, Draft};

const FIELDS: [&str; 5] = ["From", "To", "Cc", "Bcc", "Subject"];

/// The text for the editor.
pub fn to_editor_text(d: &Draft) -> String {
    let values = [&d.from, &d.to, &d.cc, &d.bcc, &d.subject];
    let mut out = String::new();
    for (name, value) in FIELDS.iter().zip(values) {
        out.push_str(&format!("{name}: {}\n", value.replace('\n', " ")));
    }
    out.push('\n');
    out.push_str(&d.body);
    out
}

/// Reads the edited text back into `d` (attachments and threading stay as they were).
pub fn parse_editor_text(text: &str, d: &mut Draft) -> Result<(), ComposeError> {
    let text = text.replace("\r\n", "\n");
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h.to_string(), b.to_string()),
        None if text.lines().all(|l| l.contains(':')) => (text.trim_end().to_string(), String::new()),
        None => return Err(ComposeError::EditorFile("no blank line between the headers and the body".into())),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for (i, line) in head.lines().enumerate() {
        if line.starts_with([' ', '\t']) {
            match fields.last_mut() {
                Some(f) => {
                    f.1.push(' ');
                    f.1.push_str(line.trim());
                }
                None => return Err(ComposeError::EditorFile(format!("line {}: a continuation of nothing", i + 1))),
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(ComposeError::EditorFile(format!("line {}: {line:?} is not a \"Name: value\" header", i + 1)));
        };
        let name = name.trim();
        let Some(known) = FIELDS.iter().find(|f| f.eq_ignore_ascii_case(name)) else {
            return Err(ComposeError::EditorFile(format!(
                "line {}: unknown header {name:?} (the headers are {})",
                i + 1,
                FIELDS.join(", ")
            )));
        };
        fields.push((known.to_string(), value.trim().to_string()));
    }
    for (name, value) in fields {
        match name.as_str() {
            "From" => d.from = value,
            "To" => d.to = value,
            "Cc" => d.cc = value,
            "Bcc" => d.bcc = value,
            _ => d.subject = value,
        }
    }
    d.body = body;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let err = parse_editor_text("To: a@x.org\nX-Nope: 1\n\nbody", &mut e).unwrap_err();
        assert!(err.to_string().contains("unknown header \"X-Nope\""), "{err}");
        parse_editor_text("To: a@x.org,\n  c@x.org\nsubject: folded\n\nbody", &mut e).unwrap();
        assert_eq!(e.to, "a@x.org, c@x.org");
        assert_eq!(e.subject, "folded");
    }
}
