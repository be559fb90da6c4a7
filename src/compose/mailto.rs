//! `mailto:` URLs (RFC 6068) into a draft: recipients, and the `subject`, `body`, `cc`,
//! `bcc` and `in-reply-to` fields.

use super::{ComposeError, Draft};

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).to_string()
}

fn append(list: &mut String, more: &str) {
    if more.trim().is_empty() {
        return;
    }
    if !list.is_empty() {
        list.push_str(", ");
    }
    list.push_str(more.trim());
}

/// Reads a `mailto:` URL into `d` (From and attachments are left alone).
pub fn parse_mailto(url: &str, d: &mut Draft) -> Result<(), ComposeError> {
    let Some(rest) = url.strip_prefix("mailto:").or_else(|| url.strip_prefix("MAILTO:")) else {
        return Err(ComposeError::Build(format!("{url:?} is not a mailto: URL")));
    };
    let (to, query) = rest.split_once('?').unwrap_or((rest, ""));
    append(&mut d.to, &decode(to));
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(v);
        match k.to_ascii_lowercase().as_str() {
            "to" => append(&mut d.to, &v),
            "cc" => append(&mut d.cc, &v),
            "bcc" => append(&mut d.bcc, &v),
            "subject" => d.subject = v,
            // RFC 6068: line breaks in a body are %0D%0A
            "body" => d.body = v.replace("\r\n", "\n"),
            "in-reply-to" => d.in_reply_to = Some(v),
            // other fields (and dangerous ones such as "attach") are ignored
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_recipients_and_fields() {
        let mut d = Draft::default();
        parse_mailto("mailto:bob@example.org,ann@x.org?subject=Hi%20there&body=line%201%0D%0Aline%202&cc=c@x.org&attach=/etc/passwd", &mut d)
            .unwrap();
        assert_eq!(d.to, "bob@example.org,ann@x.org");
        assert_eq!(d.subject, "Hi there");
        assert_eq!(d.body, "line 1\nline 2");
        assert_eq!(d.cc, "c@x.org");
        assert!(d.attachments.is_empty());
        assert!(parse_mailto("http://x", &mut d).is_err());
        let mut d = Draft::default();
        parse_mailto("mailto:?to=a@x.org&subject=%E2%98%95%zz", &mut d).unwrap();
        assert_eq!(d.to, "a@x.org");
        assert_eq!(d.subject, "☕%zz");
    }
}
