//! The help overlay: every layer's keys as the keymap has them, under headings, in one
//! column that scrolls when the terminal is too short for it.

use crate::app::keymap::{Action, HelpLine, help_lines};
use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The widest key column; longer key lists are cut.
const KEY_W: usize = 18;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, scroll: usize) {
    let all = help_lines(&state.keymap);
    let visible = crate::app::layout::overlay_rows(state);
    let w = area.width.saturating_sub(2).min(78);
    let h = (all.len().min(visible) as u16 + 2).min(area.height);
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    let inner_w = w.saturating_sub(2) as usize;
    let top = scroll.min(all.len().saturating_sub(visible));
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let heading = Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let lines: Vec<Line<'_>> = all
        .iter()
        .skip(top)
        .take(visible)
        .map(|l| match l {
            HelpLine::Heading(t) => Line::from(Span::styled(super::text::fit(t, inner_w), heading)),
            HelpLine::Entry { keys, help } => Line::from(vec![
                Span::styled(super::text::fit(keys, KEY_W.min(inner_w / 2)), key),
                Span::raw(" "),
                Span::raw(super::text::fit(help, inner_w.saturating_sub(KEY_W.min(inner_w / 2) + 1))),
            ]),
        })
        .collect();
    let k = |a| state.keymap.key_of(a);
    let bottom = if all.len() > visible {
        format!(
            " {}/{} scroll ({}-{} of {}) · any other key closes ",
            k(Action::Down),
            k(Action::Up),
            top + 1,
            (top + visible).min(all.len()),
            all.len()
        )
    } else {
        " any key closes ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Keys ")
        .title_bottom(Span::styled(bottom, Style::default().fg(Color::Yellow)));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
