//! The status line: a notice, a message or key hints on the left, account states on the
//! right; a question of the prompt layer takes the left side while it is asked. A notice
//! too long for the line is shown whole, wrapped, in rows just above it.

use crate::app::keymap::Action;
use crate::app::state::{AppState, Prompt};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

fn hints(state: &AppState) -> String {
    let k = |a| state.keymap.key_of(a);
    if state.list.typing.is_some() {
        return format!("type to filter · {} keep · {} clear", k(Action::Submit), k(Action::Cancel));
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

/// What the status line says on the left when no question is asked; `room` is whether a
/// notice fits on it.
fn left(state: &AppState, room: bool) -> (String, Style) {
    let k = |a| state.keymap.key_of(a);
    if let Some(n) = state.notice.as_deref().filter(|_| room) {
        return (crate::sanitize::line(n), notice_style());
    }
    if let Some(s) = &state.status {
        return (s.clone(), Style::default().fg(Color::Yellow));
    }
    if !state.selection.is_empty() {
        let n = if state.selection.all { state.list.total } else { state.selection.ids.len() };
        let text = format!(
            "{n} selected · {} read · {} flag · {} delete · {} move · {} copy · {} clears",
            k(Action::ToggleRead),
            k(Action::ToggleFlag),
            k(Action::Delete),
            k(Action::Move),
            k(Action::Copy),
            k(Action::Back)
        );
        return (text, Style::default().fg(Color::Magenta));
    }
    (hints(state), Style::default().fg(Color::DarkGray))
}

/// The question a prompt asks.
fn question(state: &AppState, p: &Prompt) -> (String, Style) {
    let red = Style::default().fg(Color::LightRed);
    let cyan = Style::default().fg(Color::Cyan);
    let yes = state.keymap.key_of(Action::Yes);
    match p {
        Prompt::Confirm { question, .. } => (question.clone(), red),
        Prompt::Text { label, input, .. } => (format!("{label} {input}▏"), cyan),
        Prompt::DiscardDraft => (format!("Discard this message? ({yes}/n)"), red),
        Prompt::ResumeAutosave => (crate::app::autosave::question(state), red),
        Prompt::RemoveAttachment(n) => (format!("Remove which attachment? (1-{n})"), cyan),
        Prompt::Quit => (crate::app::quit_question(state).unwrap_or_else(|| format!("Quit? ({yes}/n)")), red),
        // the question is the status text `save` set
        Prompt::SaveAttachment => (state.status.clone().unwrap_or_default(), cyan),
        Prompt::OpenAttachment => (crate::app::reader::attachment_question(state), cyan),
    }
}

fn notice_style() -> Style {
    Style::default().fg(Color::LightRed)
}

/// The most rows a long notice takes above the status line; the message log has it whole.
const NOTICE_ROWS: u16 = 6;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let notice = state.notice.as_deref().map(crate::sanitize::line);
    let room = notice.as_ref().is_none_or(|n| n.width() <= left_width(state, area, Some(n.width())));
    let (text, style) = left(state, room);
    let message = (notice.is_some() && room) || state.status.is_some();
    line(frame, area, state, text, style, message);
    if let Some(n) = notice.filter(|_| !room) {
        let hint = format!(" {} lists the last messages ", state.keymap.key_of(Action::Messages));
        above(frame, area, n, notice_style(), hint);
    }
}

/// The status line with a prompt's question on the left; a question too long for it is
/// shown whole above it too.
pub fn draw_prompt(frame: &mut Frame<'_>, area: Rect, state: &AppState, p: &Prompt) {
    let (text, style) = question(state, p);
    if text.width() > left_width(state, area, Some(text.width())) {
        above(frame, area, text.clone(), style, String::new());
    }
    line(frame, area, state, text, style, true);
}

/// A text too long for the status line, whole and wrapped, in the rows just above it.
fn above(frame: &mut Frame<'_>, area: Rect, text: String, style: Style, title: String) {
    let w = area.width.max(1) as usize;
    // a word wrap takes a row or two more than the characters do
    let rows = ((text.width().div_ceil(w) + 1) as u16 + 1).min(NOTICE_ROWS).min(area.y);
    let rect = Rect { x: area.x, y: area.y - rows, width: area.width, height: rows };
    let block = Block::default().borders(Borders::TOP).border_style(style).title(title);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(text).style(style).block(block).wrap(Wrap { trim: true }), rect);
}

/// The account states on the right of the status line; `compact` (when the message on
/// the left would be cut) leaves out the new-mail summary, which the folder pane's counts
/// also show, and says each state in fewer columns.
fn right(state: &AppState, compact: bool) -> Vec<Span<'static>> {
    let mut right = Vec::new();
    if let Some(new) = crate::app::newmail::summary(state).filter(|_| !compact) {
        right.push(Span::styled(new, Style::default().fg(Color::LightGreen)));
    }
    for a in &state.accounts {
        let (mut label, color) = match &a.state {
            crate::model::AccountState::Downloading { done, total, bytes } => {
                (crate::format::download_progress(*done, *total, *bytes), Color::Yellow)
            }
            s => super::folders::state_label(s),
        };
        if compact {
            label = super::folders::short_label(&a.state, label);
        }
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
    right
}

/// The right side beside a message of `want` columns on the left (`None`: key hints,
/// which give way): whole when both fit, else compact.
fn right_for(state: &AppState, area: Rect, want: Option<usize>) -> Vec<Span<'static>> {
    let whole = right(state, false);
    let w: usize = whole.iter().map(|s| s.content.width()).sum();
    match want {
        Some(want) if want + 1 + w > area.width as usize => right(state, true),
        _ => whole,
    }
}

/// The columns the left side has for a message of `want` columns (`None`: key hints).
fn left_width(state: &AppState, area: Rect, want: Option<usize>) -> usize {
    room_beside(area, &right_for(state, area, want))
}

/// The columns left of the right side.
fn room_beside(area: Rect, right: &[Span<'_>]) -> usize {
    let right_w: usize = right.iter().map(|s| s.content.width()).sum();
    (area.width as usize).saturating_sub(right_w + 1)
}

/// Draws the status line; `message` when the left side is one (not the key hints).
fn line(frame: &mut Frame<'_>, area: Rect, state: &AppState, left: String, style: Style, message: bool) {
    let right = right_for(state, area, message.then(|| left.width()));
    let left_w = room_beside(area, &right);
    let mut spans = vec![Span::styled(super::text::fit(&left, left_w), style), Span::raw(" ")];
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
