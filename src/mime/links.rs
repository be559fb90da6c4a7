//! The links written out in a plain-text body (`https://…`, `mailto:…`), for the reader to
//! list and open.

/// Where a link may start.
const SCHEMES: &[&str] = &["https://", "http://", "ftp://", "mailto:"];

/// At most this many links are listed from one body.
const MAX_LINKS: usize = 1000;

/// The links in `text`, in order, each once. A link ends at white space, a quote or an
/// angle bracket; punctuation that ends a sentence, and a closing parenthesis with no
/// opening one in the link, are not part of it.
pub fn in_text(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while out.len() < MAX_LINKS {
        let Some((start, scheme)) =
            SCHEMES.iter().filter_map(|s| lower[at..].find(s).map(|i| (at + i, s.len()))).min_by_key(|(i, _)| *i)
        else {
            break;
        };
        let rest = &text[start..];
        let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'')).unwrap_or(rest.len());
        let mut link = &rest[..end];
        loop {
            let trimmed = link.trim_end_matches(['.', ',', ';', ':', '!', '?']);
            let trimmed = match trimmed.strip_suffix(')') {
                Some(t) if trimmed.matches('(').count() < trimmed.matches(')').count() => t,
                _ => trimmed,
            };
            if trimmed.len() == link.len() {
                break;
            }
            link = trimmed;
        }
        if link.len() > scheme && !out.iter().any(|l| l == link) {
            out.push(link.to_string());
        }
        at = start + end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::in_text;

    #[test]
    fn finds_links_in_prose() {
        let text = "See https://example.org/a?b=1. Or (http://x.example/wiki/Foo_(bar)), \
                    <mailto:ann@x.org>, HTTPS://UP.example/ and https://example.org/a?b=1 again; https:// alone.";
        assert_eq!(
            in_text(text),
            ["https://example.org/a?b=1", "http://x.example/wiki/Foo_(bar)", "mailto:ann@x.org", "HTTPS://UP.example/"]
        );
        assert!(in_text("no links here").is_empty());
    }
}
