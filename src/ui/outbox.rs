//! The Outbox overlay: what waits to be sent, what failed and why, and the keys to try
//! again, edit or discard.

use crate::app::keymap::Action;
use crate::app::state::AppState;
use crate::store::outbox::OutState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, cursor: usize) {
    let k = |a| state.keymap.key_of(a);
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2).min(20);
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    let mut lines = Vec::new();
    for (i, (account, o)) in state.outbox_items().into_iter().enumerate() {
        let name = state.account_index(account).map(|a| state.accounts[a].name.as_str()).unwrap_or("");
        let (word, color) = match o.state {
            OutState::Queued => ("waiting", Color::Yellow),
            OutState::Claimed | OutState::Sending => ("sending", Color::Yellow),
            OutState::Sent => ("sent, saving", Color::Green),
            OutState::Failed => ("not sent", Color::LightRed),
            OutState::Unknown => ("unknown", Color::LightRed),
        };
        let mut style = Style::default();
        if i == cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{word:<13}"), Style::default().fg(color)),
            Span::styled(format!("{name}: {}", crate::sanitize::line(&o.subject)), style),
        ]));
        if let Some(e) = &o.error {
            lines.push(Line::from(Span::styled(
                format!("             {}", crate::sanitize::line(e)),
                Style::default().fg(Color::DarkGray),
            )));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Cyan))
        .title(Span::styled(" Outbox ", Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)))
        .title_bottom(Span::styled(
            format!(
                " {} send again · {} edit · {} discard · {} close ",
                k(Action::SendAgain),
                k(Action::EditOutgoing),
                k(Action::DiscardOutgoing),
                k(Action::CloseOutbox)
            ),
            Style::default().fg(Color::Yellow),
        ));
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}
