//! HTML to plain text, with links turned into numbered references below the text.

/// Renders HTML to wrapped text. Links are numbered from `first + 1`; the text carries
/// `[n]` markers and the returned list holds the targets in order.
pub fn to_text(html: &str, width: usize, first: usize) -> (String, Vec<String>) {
    let width = width.clamp(20, 200);
    let rendered = html2text::config::plain().link_footnotes(true).string_from_read(html.as_bytes(), width);
    let rendered = match rendered {
        Ok(t) => t,
        Err(e) => {
            return (format!("(the HTML part could not be rendered: {e})"), Vec::new());
        }
    };
    // html2text appends footnotes as lines "[n]: url"; lift them into the link list.
    let mut body = Vec::new();
    let mut links = Vec::new();
    for line in rendered.lines() {
        if let Some(url) = footnote(line) {
            links.push(url.to_string());
        } else {
            body.push(line);
        }
    }
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    let mut text = body.join("\n");
    if first > 0 {
        for i in (1..=links.len()).rev() {
            text = text.replace(&format!("[{i}]"), &format!("[{}]", i + first));
        }
    }
    if !links.is_empty() {
        text.push_str("\n\nLinks:\n");
        for (i, l) in links.iter().enumerate() {
            text.push_str(&format!("[{}] {}\n", i + 1 + first, l));
        }
    }
    (text, links)
}

fn footnote(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (num, url) = rest.split_once("]: ")?;
    num.chars().all(|c| c.is_ascii_digit()).then_some(url.trim())
}
