//! HTML to plain text, with links turned into numbered references below the text.

/// Renders HTML to wrapped text. Links are numbered from `first + 1`; the text carries
/// `[n]` markers and the returned list holds the targets in order.
pub fn to_text(html: &str, width: usize, first: usize) -> (String, Vec<String>) {
    let width = width.clamp(20, 200);
    let html = super::html_depth::flatten(html);
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
        text = renumber(&text, links.len(), first);
    }
    if !links.is_empty() {
        text.push_str("\n\nLinks:\n");
        for (i, l) in links.iter().enumerate() {
            text.push_str(&format!("[{}] {}\n", i + 1 + first, l));
        }
    }
    (text, links)
}

/// Shifts every link marker `[n]` (1 <= n <= count) of `text` to `[n + first]`, in one pass.
fn renumber(text: &str, count: usize, first: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let n: Option<usize> = after[..digits].parse().ok().filter(|n| (1..=count).contains(n));
        match n {
            Some(n) if after[digits..].starts_with(']') => {
                out.push_str(&format!("[{}]", n + first));
                rest = &after[digits + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn footnote(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (num, url) = rest.split_once("]: ")?;
    num.chars().all(|c| c.is_ascii_digit()).then_some(url.trim())
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_markers_shift_in_one_pass() {
        assert_eq!(super::renumber("a [1] b [2] [3] [x] [ [12", 2, 5), "a [6] b [7] [3] [x] [ [12");
    }

    #[test]
    fn forty_thousand_links_renumber_quickly() {
        // the text html2text makes of 40,000 links, as the second HTML part of a message
        let plain: String = (1..=40_000).map(|i| format!("link {i}[{i}] ")).collect();
        let start = std::time::Instant::now();
        let shifted = super::renumber(&plain, 40_000, 3);
        assert!(start.elapsed() < std::time::Duration::from_millis(250), "{:?}", start.elapsed());
        assert!(shifted.starts_with("link 1[4] link 2[5] ") && shifted.ends_with("link 40000[40003] "));
    }

    #[test]
    fn links_of_a_later_part_continue_the_numbers() {
        let (text, links) =
            super::to_text("<a href=\"https://a.example/\">a</a> <a href=\"https://b.example/\">b</a>", 80, 2);
        assert_eq!(links, ["https://a.example/", "https://b.example/"]);
        assert!(
            text.contains("[a][3]") && text.contains("[b][4]") && text.contains("[4] https://b.example/"),
            "{text}"
        );
    }

    #[test]
    fn deep_nesting_renders_quickly() {
        let deep = 100_000;
        let html = format!("{}deep inside{}", "<div>".repeat(deep), "</div>".repeat(deep));
        let start = std::time::Instant::now();
        let (text, _) = super::to_text(&html, 80, 0);
        assert!(text.contains("deep inside"), "{text}");
        assert!(start.elapsed() < std::time::Duration::from_secs(3), "{:?}", start.elapsed());
    }
}
