//! The message log overlay: the last notices (refusals, failures), newest first, each in
//! full, wrapped.

use crate::app::keymap::Action;
use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, scroll: usize) {
    let w = area.width.saturating_sub(2).min(100);
    let h = (crate::app::layout::overlay_rows(state) as u16 + 2).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let mut lines = Vec::new();
    if state.log.is_empty() {
        lines.push(Line::from(Span::styled("nothing yet", Style::default().fg(Color::DarkGray))));
    }
    let dim = Style::default().fg(Color::DarkGray);
    for (i, text) in state.log.iter().rev().enumerate().skip(scroll) {
        if i > scroll {
            lines.push(Line::from(Span::styled("─".repeat(w.saturating_sub(2) as usize), dim)));
        }
        lines.push(Line::from(crate::sanitize::line(text)));
    }
    let k = |a| state.keymap.key_of(a);
    let bottom = format!(" {}/{} older, newer · any other key closes ", k(Action::Down), k(Action::Up));
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Messages, newest first ", Style::default().add_modifier(Modifier::BOLD)))
        .title_bottom(Span::styled(bottom, Style::default().fg(Color::Yellow)));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), popup);
}
