//! The folder picker overlay for move and copy: a filter line and the matching folders.

use crate::app::state::{AppState, PickFor};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(p) = &state.picker else { return };
    let choices = crate::app::picker_choices(state, p);
    let w = area.width.min(50);
    let h = (choices.len() as u16 + 4).clamp(5, area.height.max(5)).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let title = match p.purpose {
        PickFor::Move => " Move to (type to filter, Enter picks, Esc cancels) ",
        PickFor::Copy => " Copy to (type to filter, Enter picks, Esc cancels) ",
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", Style::default().fg(Color::Cyan)),
        Span::raw(format!("{}▏", p.input)),
    ])];
    let visible = h.saturating_sub(3) as usize;
    let first = p.cursor.saturating_sub(visible.saturating_sub(1));
    for (i, f) in choices.iter().enumerate().skip(first).take(visible) {
        let style = if i == p.cursor { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        lines.push(Line::from(Span::styled(super::text::fit(&f.display, w.saturating_sub(2) as usize), style)));
    }
    if choices.is_empty() {
        lines.push(Line::from(Span::styled("no folder matches", Style::default().fg(Color::DarkGray))));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)), popup);
}
