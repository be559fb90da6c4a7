//! The reader: headers, the rendered body, links and attachments, scrolled.

use super::pane_block;
use crate::app::state::{AppState, Body, Pane};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(r) = &state.reader else { return };
    let focused = state.focus == Pane::Reader;
    let title = format!(" {} ", super::text::fit(&r.summary.subject, area.width.saturating_sub(4) as usize).trim_end());
    let block = pane_block(title, focused);
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let dim = Style::default().fg(Color::DarkGray);
    let lines: Vec<Line<'_>> = match &r.body {
        Body::Loading | Body::Rendering { .. } => vec![Line::from(Span::styled("loading…", dim))],
        Body::Unavailable(reason) => vec![
            Line::from(Span::styled("This message's body is not available.", Style::default().fg(Color::Yellow))),
            Line::from(""),
            Line::from(reason.as_str()),
        ],
        Body::Ready { rendered, .. } => {
            let mut lines = Vec::new();
            if r.summary.partial {
                let text = format!(
                    "Only the header was downloaded: the message is {} on the server. {} downloads it whole.",
                    crate::format::size(u64::from(r.summary.size)),
                    state.keymap.key_of(crate::app::keymap::Action::FetchWhole)
                );
                lines.push(Line::from(Span::styled(text, Style::default().fg(Color::Yellow))));
                lines.push(Line::from(""));
            }
            for (k, v) in &rendered.headers {
                lines.push(Line::from(vec![Span::styled(format!("{k}: "), key), Span::raw(v.as_str())]));
            }
            lines.push(Line::from(""));
            for l in rendered.body.lines() {
                lines.push(Line::from(l));
            }
            if !rendered.attachments.is_empty() {
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled("Attachments (s saves):", key)));
                for a in &rendered.attachments {
                    lines.push(Line::from(format!(
                        "  [{}] {} ({}, {})",
                        a.index + 1,
                        a.name,
                        a.mime_type,
                        crate::format::size(a.size as u64)
                    )));
                }
            }
            lines
        }
    };
    let p = Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((r.scroll, 0));
    frame.render_widget(p, area);
}
