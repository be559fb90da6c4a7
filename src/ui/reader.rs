//! The reader: headers, the rendered body with quotes coloured by depth, links and
//! attachments, wrapped to the pane and scrolled. `lines` is also what scrolling counts.

use super::pane_block;
use super::text::wrap;
use crate::app::conversation::Conversation;
use crate::app::keymap::Action;
use crate::app::state::{AppState, Body, Pane, ReaderView};
use crate::model::Summary;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The colours of quoted lines, by depth (the deepest ones take them over again).
const QUOTE_COLOURS: &[Color] = &[Color::Green, Color::Yellow, Color::Magenta, Color::Blue, Color::Cyan];

/// A line's quote prefix (`>`s and the spaces among them) and its depth.
fn quote(line: &str) -> (&str, usize) {
    let end = line.find(|c| c != '>' && c != ' ').unwrap_or(line.len());
    let prefix = &line[..end];
    (prefix, prefix.matches('>').count())
}

fn quote_style(depth: usize) -> Style {
    match depth {
        0 => Style::default(),
        d => Style::default().fg(QUOTE_COLOURS[(d - 1) % QUOTE_COLOURS.len()]),
    }
}

/// Every line the reader shows for `r`, wrapped to `width` columns.
pub fn lines(state: &AppState, r: &ReaderView, width: usize) -> Vec<Line<'static>> {
    match &r.conversation {
        Some(c) => conversation_lines(state, c, width).0,
        None => body_lines(state, &r.summary, &r.body, width),
    }
}

/// A conversation's lines: a line per message (the cursor's highlighted), the unfolded
/// ones followed by their bodies; and where each message's line is.
fn conversation_lines(state: &AppState, c: &Conversation, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let dim = Style::default().fg(Color::DarkGray);
    if c.messages.is_empty() {
        return (vec![Line::from(Span::styled("loading…", dim))], Vec::new());
    }
    let (mut out, mut starts) = (Vec::new(), Vec::new());
    for (i, m) in c.messages.iter().enumerate() {
        starts.push(out.len());
        let mut style = Style::default().add_modifier(Modifier::BOLD);
        if !m.summary.flags.is_seen() {
            style = style.fg(Color::Cyan);
        }
        if i == c.cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        let date = crate::format::list_date(m.summary.date, chrono::Local::now(), &state.settings.date_format);
        let what = match (&m.body, &m.preview) {
            _ if m.unfolded => m.summary.subject.clone(),
            (Body::Ready { rendered, .. }, _) => crate::app::conversation::first_words(&rendered.body),
            (_, Some(p)) => p.clone(),
            _ => m.summary.subject.clone(),
        };
        let mark = if m.unfolded { '▾' } else { '▸' };
        let text = format!("{}{mark} {}  {date}  {}", " ".repeat(m.depth.min(12)), m.summary.sender(), what);
        out.push(Line::from(Span::styled(super::text::fit(&crate::sanitize::line(&text), width), style)));
        if m.unfolded {
            out.extend(body_lines(state, &m.summary, &m.body, width));
            out.push(Line::default());
        }
    }
    (out, starts)
}

/// Where message `i` of the open conversation begins in the reader.
pub fn message_line(state: &AppState, i: usize) -> usize {
    let Some(c) = state.reader.as_ref().and_then(|r| r.conversation.as_ref()) else { return 0 };
    conversation_lines(state, c, inner_width(state)).1.get(i).copied().unwrap_or(0)
}

/// A message's lines: its headers, the rendered body with quotes coloured, attachments.
fn body_lines(state: &AppState, summary: &Summary, body: &Body, width: usize) -> Vec<Line<'static>> {
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let dim = Style::default().fg(Color::DarkGray);
    let yellow = Style::default().fg(Color::Yellow);
    let mut out = Vec::new();
    let mut push = |spans: &[Span<'_>], continuation: &[Span<'_>]| out.extend(wrap(spans, width, continuation));
    match body {
        Body::Loading | Body::Rendering { .. } => push(&[Span::styled("loading…", dim)], &[]),
        Body::Unavailable(reason) => {
            // the stored header says what the message is, even when its body cannot come
            let date = chrono::DateTime::from_timestamp(summary.date, 0)
                .map(|d| d.with_timezone(&chrono::Local).to_rfc2822())
                .unwrap_or_default();
            let from = crate::compose::mailbox(Some(&summary.from_name), &summary.from_addr);
            for (k, v) in
                [("From", from), ("To", summary.to.clone()), ("Date", date), ("Subject", summary.subject.clone())]
            {
                if !v.is_empty() {
                    push(&[Span::styled(format!("{k}: "), key), Span::raw(crate::sanitize::line(&v))], &[]);
                }
            }
            push(&[], &[]);
            push(&[Span::styled("This message's body is not available.", yellow)], &[]);
            push(&[], &[]);
            push(&[Span::raw(reason.as_str())], &[]);
        }
        Body::Ready { rendered, .. } => {
            if summary.partial {
                let text = format!(
                    "Only the header was downloaded: the message is {} on the server. {} downloads it whole.",
                    crate::format::size(u64::from(summary.size)),
                    state.keymap.key_of(Action::FetchWhole)
                );
                push(&[Span::styled(text, yellow)], &[]);
                push(&[], &[]);
            }
            for (k, v) in &rendered.headers {
                push(&[Span::styled(format!("{k}: "), key), Span::raw(v.as_str())], &[]);
            }
            push(&[], &[]);
            for l in rendered.body.lines() {
                let (prefix, depth) = quote(l);
                let style = quote_style(depth);
                let continuation = if depth > 0 { vec![Span::styled(prefix, style)] } else { Vec::new() };
                push(&[Span::styled(l, style)], &continuation);
            }
            if !rendered.attachments.is_empty() {
                push(&[], &[]);
                let hint = format!(
                    "Attachments ({} saves, {} opens):",
                    state.keymap.key_of(Action::Save),
                    state.keymap.key_of(Action::OpenAttachment)
                );
                push(&[Span::styled(hint, key)], &[]);
                for a in &rendered.attachments {
                    let size = crate::format::size(a.size as u64);
                    let text = format!("  [{}] {} ({}, {size})", a.index + 1, a.name, a.mime_type);
                    push(&[Span::raw(text)], &[]);
                }
            }
        }
    }
    out
}

/// The reader pane's inner width for the current terminal size.
pub fn inner_width(state: &AppState) -> usize {
    crate::app::layout::areas(state).reader.width.saturating_sub(2).max(1) as usize
}

/// How many lines the open message takes in the reader as it is now.
pub fn line_count(state: &AppState) -> usize {
    state.reader.as_ref().map_or(0, |r| lines(state, r, inner_width(state)).len())
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let Some(r) = &state.reader else { return };
    let focused = state.focus == Pane::Reader;
    let subject = match &r.conversation {
        Some(c) if !c.messages.is_empty() => {
            format!("{} ({} of {})", r.summary.subject, c.cursor + 1, c.messages.len())
        }
        _ => r.summary.subject.clone(),
    };
    let title = format!(" {} ", super::text::fit(&subject, area.width.saturating_sub(4) as usize).trim_end());
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    let shown: Vec<Line<'static>> =
        lines(state, r, inner.width.max(1) as usize).into_iter().skip(r.scroll as usize).collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}
