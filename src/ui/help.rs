//! The help overlay: every action with its keys, as configured; two columns when the
//! terminal is too short for one.

use crate::app::keymap::ACTIONS;
use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

fn entry(keys: String, help: &str, key_w: usize, width: usize) -> Line<'static> {
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    Line::from(vec![
        Span::styled(super::text::fit(&keys, key_w), key),
        Span::raw(super::text::fit(help, width.saturating_sub(key_w))),
    ])
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let mut entries: Vec<(String, &str)> =
        ACTIONS.iter().map(|(a, _, help, _)| (state.keymap.keys_of(*a), *help)).collect();
    entries.push(("1-9".into(), "switch to account N"));
    entries.push(("mouse".into(), "wheel scrolls, click selects"));
    let rows_fit = area.height.saturating_sub(2).max(1) as usize;
    let columns = if entries.len() <= rows_fit { 1 } else { 2 };
    let col_w = if columns == 1 { 62 } else { 58 };
    let w = ((col_w * columns + 2) as u16).min(area.width);
    let per_col = entries.len().div_ceil(columns);
    let h = (per_col as u16 + 2).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let inner_w = w.saturating_sub(2) as usize / columns;
    let key_w = 16.min(inner_w / 2);
    let mut lines = Vec::new();
    for row in 0..per_col {
        let mut spans = Vec::new();
        for c in 0..columns {
            if let Some((k, help)) = entries.get(c * per_col + row) {
                if c > 0 {
                    spans.push(Span::raw(" "));
                }
                spans.extend(entry(k.clone(), help, key_w, inner_w - 1).spans);
            }
        }
        lines.push(Line::from(spans));
    }
    let block = Block::default().borders(Borders::ALL).title(" Keys (any key closes) ");
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
