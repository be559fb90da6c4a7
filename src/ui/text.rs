//! Text for the screen: fitting to columns and wrapping styled lines, with widths per
//! grapheme cluster (`crate::width`), as the terminal draws them.

use crate::width::Cell;
pub use crate::width::{fit, width};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Wraps a styled line to `width` columns, at spaces where it can, inside a word where it
/// must. Tabs become spaces to the next tab stop. Lines after the first start with
/// `continuation` (a quote's `> `), unless that leaves no room.
pub fn wrap(spans: &[Span<'_>], width: usize, continuation: &[Span<'_>]) -> Vec<Line<'static>> {
    let mut cells = Vec::new();
    let mut col = 0;
    for span in spans {
        crate::width::push_cells(&mut cells, &span.content, span.style, &mut col);
    }
    let indent: usize = continuation.iter().map(|s| self::width(&s.content)).sum();
    let continuation = if indent + 1 < width { continuation } else { &[] };
    let indent = if continuation.is_empty() { 0 } else { indent };
    crate::width::break_lines(&cells, width, indent, crate::width::LongWords::Cut)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut out: Vec<Span<'static>> = Vec::new();
            if i > 0 {
                out.extend(continuation.iter().map(|s| Span::styled(s.content.to_string(), s.style)));
            }
            push_runs(&mut out, &cells[r]);
            Line::from(out)
        })
        .collect()
}

/// Appends cells as spans, one per run of the same style.
fn push_runs(out: &mut Vec<Span<'static>>, cells: &[Cell<'_, Style>]) {
    let mut text = String::new();
    let mut style = None;
    for c in cells {
        if style.is_some_and(|s| s != c.tag) {
            out.push(Span::styled(std::mem::take(&mut text), style.unwrap_or_default()));
        }
        style = Some(c.tag);
        text.push_str(c.text);
    }
    if let Some(style) = style {
        out.push(Span::styled(text, style));
    }
}

#[cfg(test)]
mod tests {
    use super::{fit, width, wrap};
    use ratatui::style::{Color, Style};
    use ratatui::text::Span;

    #[test]
    fn fits_wide_characters() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        let s = fit("日本語のメール", 6);
        assert_eq!(width(&s), 6, "{s:?}");
        assert_eq!(s, "日本… ");
        assert_eq!(width(&fit("🎉🎉🎉", 5)), 5);
        assert_eq!(fit("x", 0), "");
    }

    #[test]
    fn zwj_sequences_and_skin_tones_take_their_drawn_width() {
        let family = "👩\u{200D}👩\u{200D}👧";
        let thumbs = "👍\u{1F3FD}";
        // padded to the columns the terminal gives them, not one per code point
        assert_eq!(fit(&format!("{family} Fam"), 10), format!("{family} Fam    "));
        assert_eq!(fit(&format!("{thumbs}{thumbs}{thumbs}"), 5), format!("{thumbs}{thumbs}…"));
        // never cut inside a cluster
        assert_eq!(fit(&format!("ab{family}"), 3), "ab…");
    }

    fn texts(lines: &[ratatui::text::Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn wraps_at_spaces_keeps_styles_and_continues_quotes() {
        let red = Style::default().fg(Color::Red);
        let spans = [Span::raw("Subject: "), Span::styled("a fairly long subject line", red)];
        let lines = wrap(&spans, 16, &[]);
        assert_eq!(texts(&lines), ["Subject: a", "fairly long", "subject line"]);
        assert_eq!(lines[1].spans[0].style, red);
        let green = Style::default().fg(Color::Green);
        let quoted = wrap(&[Span::styled("> one two three four", green)], 10, &[Span::styled("> ", green)]);
        assert_eq!(texts(&quoted), ["> one two", "> three", "> four"]);
        assert!(quoted.iter().all(|l| l.spans.iter().all(|s| s.style == green)));
    }
}
