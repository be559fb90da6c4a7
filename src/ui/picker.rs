//! The folder picker overlay for move and copy: a filter line and the matching folders.

use crate::app::keymap::Action;
use crate::app::state::{AppState, PickFor, Picker};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, p: &Picker) {
    let choices = crate::app::picker_choices(state, p);
    let w = area.width.min(50);
    let h = (choices.len() as u16 + 4).clamp(5, area.height.max(5)).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    // the title says what for; the keys go below, so both fit a narrow terminal
    let title = match p.purpose {
        PickFor::Move => " Move to (type to filter) ",
        PickFor::Copy => " Copy to (type to filter) ",
    };
    let k = |a| state.keymap.key_of(a);
    let hints =
        format!(" {} picks · {} next · {} cancels ", k(Action::Pick), k(Action::PickerDown), k(Action::PickerCancel));
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
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(Span::styled(hints, Style::default().fg(Color::Yellow)));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
