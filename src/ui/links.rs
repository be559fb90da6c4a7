//! The link list overlay: the open message's links, numbered as in its text, one to open.

use crate::app::keymap::Action;
use crate::app::reader::LinkChooser;
use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, l: &LinkChooser) {
    let k = |a| state.keymap.key_of(a);
    let w = area.width.min(90);
    let h = (l.links.len() as u16 + 2).clamp(3, area.height.max(3)).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let title = match l.typed.as_str() {
        "" => format!(
            " Links (a number or {}/{}, {} opens, {} closes) ",
            k(Action::Down),
            k(Action::Up),
            k(Action::Pick),
            k(Action::PickerCancel)
        ),
        n => format!(" Links: {n}▏ "),
    };
    let visible = h.saturating_sub(2) as usize;
    let first = l.cursor.saturating_sub(visible.saturating_sub(1));
    let num_w = l.links.len().to_string().len();
    let inner = w.saturating_sub(2) as usize;
    let mut lines = Vec::with_capacity(visible);
    for (i, url) in l.links.iter().enumerate().skip(first).take(visible) {
        let style = if i == l.cursor { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        let number = format!("[{:>num_w$}] ", i + 1);
        let text = super::text::fit(&crate::sanitize::line(url), inner.saturating_sub(number.len()));
        lines.push(Line::from(vec![Span::styled(number, style.fg(Color::Cyan)), Span::styled(text, style)]));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)), popup);
}
