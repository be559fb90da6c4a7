//! The screens of a message being composed: the built-in editor (with what is wrong in the
//! text, if anything), and the review: its headers, attachments, the start of its body, or
//! the user's own text with the line that is wrong marked, what went wrong last, the keys.

use crate::app::compose::Composer;
use crate::app::keymap::Action;
use crate::app::state::AppState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, c: &Composer) {
    let d = &c.draft;
    let k = |a| state.keymap.key_of(a);
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2).min(30);
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    let key = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    let line = crate::sanitize::line;
    let wrong = Style::default().fg(Color::LightRed);
    if let Some(editor) = &c.writing {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(if c.error.is_some() { Color::LightRed } else { Color::Cyan }))
            .title(Span::styled(" Write ", key))
            .title_bottom(Span::styled(
                format!(
                    " {}: done · {} on To/Cc/Bcc completes an address ",
                    k(Action::WriteDone),
                    k(Action::CompleteAddress)
                ),
                Style::default().fg(Color::Yellow),
            ));
        let mut inner = block.inner(rect);
        frame.render_widget(Clear, rect);
        frame.render_widget(block, rect);
        // what is wrong with the text, above it, in as many rows as it takes (up to 3)
        if let Some(e) = &c.error {
            let text = line(e);
            let rows = (text.chars().count() as u16).div_ceil(inner.width.max(1)).clamp(1, 3);
            let top = Rect { height: rows.min(inner.height), ..inner };
            let err = Paragraph::new(Span::styled(text, wrong.add_modifier(Modifier::BOLD))).wrap(Wrap { trim: false });
            frame.render_widget(err, top);
            inner.y += top.height;
            inner.height -= top.height;
        }
        frame.render_widget(&editor.area, inner);
        return;
    }
    let dim = Style::default().fg(Color::DarkGray);
    let mut lines = Vec::new();
    let show = |frame: &mut Frame<'_>, lines: Vec<Line<'_>>, title: &str, hints: &str, border: Color| {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(border))
            .title(Span::styled(title.to_string(), key))
            .title_bottom(Span::styled(hints.to_string(), Style::default().fg(Color::Yellow)));
        frame.render_widget(Clear, rect);
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
    };
    if let Some((text, at)) = &c.unparsed {
        // the user's own text, as written, the wrong line marked
        if let Some(e) = &c.error {
            lines.push(Line::from(Span::styled(line(e), wrong)));
        }
        lines.push(Line::from(Span::styled("─".repeat(w.saturating_sub(2) as usize), dim)));
        for (i, l) in text.lines().enumerate() {
            lines.push(if i == *at {
                Line::from(vec![Span::styled("▶ ", wrong), Span::styled(line(l), wrong)])
            } else {
                Line::from(format!("  {}", line(l)))
            });
        }
        let hints = format!(
            " {} edit your text · {} attach · {} cancel ({} and {} wait until it reads as a message) ",
            k(Action::EditAgain),
            k(Action::Attach),
            k(Action::CancelMessage),
            k(Action::Send),
            k(Action::SaveDraft)
        );
        show(frame, lines, " Review: your text, as written ", &hints, Color::LightRed);
        return;
    }
    let fields = [("From", &d.from), ("To", &d.to), ("Cc", &d.cc), ("Bcc", &d.bcc), ("Subject", &d.subject)];
    let extra = d.headers.iter().map(|(n, v)| (n.as_str(), v));
    for (name, value) in fields.into_iter().chain(extra) {
        if value.is_empty() && matches!(name, "Cc" | "Bcc") {
            continue;
        }
        lines.push(Line::from(vec![Span::styled(format!("{}: ", line(name)), key), Span::raw(line(value))]));
    }
    if d.in_reply_to.is_some() {
        lines.push(Line::from(Span::styled("(a reply: threaded with the original)", dim)));
    }
    for (i, a) in d.attachments.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("[{}] ", i + 1), key),
            Span::raw(format!(
                "{} ({}, {})",
                line(&a.name),
                line(&a.content_type),
                crate::format::size(a.data.len() as u64)
            )),
        ]));
    }
    if let Some(e) = &c.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(line(e), wrong)));
    }
    lines.push(Line::from(Span::styled("─".repeat(w.saturating_sub(2) as usize), dim)));
    for l in d.body.lines() {
        lines.push(Line::from(line(l)));
    }
    // the remove hint only with something to remove; the short words when the long ones
    // would not fit the box's border
    let remove = match d.attachments.is_empty() {
        true => String::new(),
        false => format!(" · {} remove attachment", k(Action::RemoveAttachment)),
    };
    let mut hints = format!(
        " {} send · {} edit · {} attach{remove} · {} save draft · {} cancel ",
        k(Action::Send),
        k(Action::EditAgain),
        k(Action::Attach),
        k(Action::SaveDraft),
        k(Action::CancelMessage)
    );
    if unicode_width::UnicodeWidthStr::width(hints.as_str()) + 4 > usize::from(w) {
        hints = hints.replace(" remove attachment", " remove").replace(" save draft", " draft");
    }
    show(frame, lines, " Review ", &hints, Color::Cyan);
}
