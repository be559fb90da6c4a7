//! The status line: a message or key hints on the left, account states on the right.

use crate::app::keymap::Action;
use crate::app::state::{AppState, Prompt};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn hints(state: &AppState) -> String {
    let k = |a| state.keymap.key_of(a);
    if state.list.typing.is_some() {
        return "type to filter · Enter keep · Esc clear".into();
    }
    format!(
        "{} help · {}/{} move · {} open · {} back · {} pane · {} filter · {} sync · {} quit",
        k(Action::Help),
        k(Action::Down),
        k(Action::Up),
        k(Action::Open),
        k(Action::Back),
        k(Action::NextPane),
        k(Action::Filter),
        k(Action::Sync),
        k(Action::Quit)
    )
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let mut right = Vec::new();
    if let Some(new) = crate::app::newmail::summary(state) {
        right.push(Span::styled(new, Style::default().fg(Color::LightGreen)));
    }
    for a in &state.accounts {
        let (label, color) = match &a.state {
            crate::model::AccountState::Downloading { done, total, bytes } => {
                (crate::format::download_progress(*done, *total, *bytes), Color::Yellow)
            }
            s => super::folders::state_label(s),
        };
        if !right.is_empty() {
            right.push(Span::raw(" "));
        }
        right.push(Span::styled(format!("{}:{label}", a.name), Style::default().fg(color)));
        if a.pending > 0 {
            right.push(Span::styled(format!(" ({} pending)", a.pending), Style::default().fg(Color::Yellow)));
        }
        if !a.outbox.is_empty() {
            use crate::store::outbox::OutState;
            let stuck = a.outbox.iter().filter(|o| matches!(o.state, OutState::Failed | OutState::Unknown)).count();
            let waiting = a.outbox.len() - stuck;
            if waiting > 0 {
                right.push(Span::styled(format!(" ({waiting} to send)"), Style::default().fg(Color::Yellow)));
            }
            if stuck > 0 {
                right.push(Span::styled(format!(" ({stuck} not sent)"), Style::default().fg(Color::LightRed)));
            }
        }
    }
    let right_w: usize = right.iter().map(|s| super::text::width(&s.content)).sum();
    let left_w = (area.width as usize).saturating_sub(right_w + 1);
    let (left, style) = match (&state.prompt, &state.status) {
        (Some(Prompt::Confirm { question, .. }), _) => (question.clone(), Style::default().fg(Color::LightRed)),
        (Some(Prompt::Text { label, input, .. }), _) => (format!("{label} {input}▏"), Style::default().fg(Color::Cyan)),
        (Some(Prompt::DiscardDraft), _) => {
            ("Discard this message? (y/n)".to_string(), Style::default().fg(Color::LightRed))
        }
        (Some(Prompt::ResumeAutosave), _) => {
            (crate::app::autosave::question(state), Style::default().fg(Color::LightRed))
        }
        (Some(Prompt::RemoveAttachment(n)), _) => {
            (format!("Remove which attachment? (1-{n})"), Style::default().fg(Color::Cyan))
        }
        (_, Some(s)) => (s.clone(), Style::default().fg(Color::Yellow)),
        _ if !state.selection.is_empty() => {
            let n = if state.selection.all { state.list.total } else { state.selection.ids.len() };
            (
                format!("{n} selected · N read · F flag · d delete · m move · c copy · Esc clears"),
                Style::default().fg(Color::Magenta),
            )
        }
        _ => (hints(state), Style::default().fg(Color::DarkGray)),
    };
    let mut spans = vec![Span::styled(super::text::fit(&left, left_w), style), Span::raw(" ")];
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
