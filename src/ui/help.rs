//! The help overlay: every action with its keys, as configured.

use crate::app::keymap::ACTIONS;
use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let w = area.width.min(64);
    let h = (ACTIONS.len() as u16 + 5).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line<'_>> = ACTIONS
        .iter()
        .map(|(a, _, help, _)| {
            Line::from(vec![Span::styled(format!("{:<18}", state.keymap.keys_of(*a)), key), Span::raw(*help)])
        })
        .collect();
    lines.push(Line::from(vec![Span::styled(format!("{:<18}", "1-9"), key), Span::raw("switch to account N")]));
    lines.push(Line::from(vec![
        Span::styled(format!("{:<18}", "mouse"), key),
        Span::raw("wheel scrolls, click selects"),
    ]));
    let block = Block::default().borders(Borders::ALL).title(" Keys (any key closes) ");
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
