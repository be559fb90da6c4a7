//! The review screen of a message being composed: its headers, attachments, the start of
//! its body, what went wrong last, and the keys.

use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(c) = &state.compose else { return };
    let d = &c.draft;
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2).min(30);
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    if let Some(editor) = &c.writing {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(Color::Cyan))
            .title(Span::styled(" Write ", key))
            .title_bottom(Span::styled(
                " Esc: done · Tab on To/Cc/Bcc completes an address ",
                Style::default().fg(Color::Yellow),
            ));
        let inner = block.inner(rect);
        frame.render_widget(Clear, rect);
        frame.render_widget(block, rect);
        frame.render_widget(editor.as_ref(), inner);
        return;
    }
    let dim = Style::default().fg(Color::DarkGray);
    let line = crate::sanitize::line;
    let mut lines = Vec::new();
    for (name, value) in [("From", &d.from), ("To", &d.to), ("Cc", &d.cc), ("Bcc", &d.bcc), ("Subject", &d.subject)] {
        if value.is_empty() && matches!(name, "Cc" | "Bcc") {
            continue;
        }
        lines.push(Line::from(vec![Span::styled(format!("{name}: "), key), Span::raw(line(value))]));
    }
    if d.in_reply_to.is_some() {
        lines.push(Line::from(Span::styled("(a reply: threaded with the original)", dim)));
    }
    for (i, a) in d.attachments.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("[{}] ", i + 1), key),
            Span::raw(format!(
                "{} ({}, {})",
                line(&a.name),
                line(&a.content_type),
                crate::format::size(a.data.len() as u64)
            )),
        ]));
    }
    if let Some(e) = &c.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(line(e), Style::default().fg(Color::LightRed))));
    }
    lines.push(Line::from(Span::styled("─".repeat(w.saturating_sub(2) as usize), dim)));
    for l in d.body.lines() {
        lines.push(Line::from(line(l)));
    }
    let hints = " y send · e edit · a attach · D remove attachment · d save draft · q cancel ";
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Cyan))
        .title(Span::styled(" Review ", key))
        .title_bottom(Span::styled(hints, Style::default().fg(Color::Yellow)));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}
