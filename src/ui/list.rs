//! The message list: only the visible rows of the loaded window are drawn, so a folder of
//! 100,000 messages costs what a folder of 100 does.

use super::text::fit;
use super::{cursor_style, pane_block};
use crate::app::state::{AppState, Pane};
use crate::model::{Flags, Summary};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn title(state: &AppState) -> String {
    let folder = state
        .current
        .and_then(|(a, f)| {
            let acct = state.accounts.iter().find(|x| x.id == a)?;
            Some(format!("{}: {}", acct.name, acct.folders.iter().find(|x| x.id == f)?.display))
        })
        .unwrap_or_else(|| "no folder".into());
    let l = &state.list;
    let pos = if l.total > 0 { format!(" {}/{}", l.cursor + 1, l.total) } else { " empty".into() };
    match (&l.typing, &l.query.filter) {
        (Some(t), _) => format!(" {folder}{pos}  filter: {t}▏"),
        (None, Some(f)) => format!(" {folder}{pos}  filter: {f} "),
        _ => format!(" {folder}{pos} "),
    }
}

fn flag_marks(s: &Summary) -> String {
    let f = s.flags;
    let mut m = String::new();
    m.push(if !f.is_seen() {
        'N'
    } else if f.has(Flags::ANSWERED) {
        'r'
    } else {
        ' '
    });
    m.push(if f.has(Flags::FLAGGED) { '!' } else { ' ' });
    m.push(if s.partial {
        '~'
    } else if s.has_attachments {
        '@'
    } else {
        ' '
    });
    m
}

/// One list row, exactly `width` columns: flags, date, sender, subject, size.
pub fn row_text(s: &Summary, width: usize, now: chrono::DateTime<chrono::Local>, date_fmt: &str) -> String {
    let date = crate::format::list_date(s.date, now, date_fmt);
    let size = crate::format::size(s.size as u64);
    let sender_w = (width / 4).clamp(8, 24);
    // narrow terminals drop the size column first: the subject matters more
    let show_size = width >= 70;
    let fixed = 3 + 1 + 10 + 1 + sender_w + 1 + if show_size { 8 } else { 0 };
    let subject_w = width.saturating_sub(fixed);
    let mut text =
        format!("{} {} {} {}", flag_marks(s), fit(&date, 10), fit(s.sender(), sender_w), fit(&s.subject, subject_w));
    if show_size {
        text.push_str(&format!(" {size:>7}"));
    }
    fit(&text, width)
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focused = state.focus == Pane::List;
    let block = pane_block(title(state), focused);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let l = &state.list;
    let now = chrono::Local::now();
    let mut lines = Vec::with_capacity(inner.height as usize);
    for pos in l.top..(l.top + inner.height as usize).min(l.total) {
        let Some(s) = l.window.get(pos) else {
            lines.push(Line::from(Span::styled(fit("…", width), Style::default().fg(Color::DarkGray))));
            continue;
        };
        let mut style = Style::default();
        if !s.flags.is_seen() {
            style = style.add_modifier(Modifier::BOLD);
        }
        if s.flags.has(Flags::FLAGGED) {
            style = style.fg(Color::Yellow);
        }
        if pos == l.cursor {
            style = style.patch(cursor_style(focused));
        }
        let marked = state.selection.all || state.selection.ids.contains(&s.id);
        if marked {
            style = style.fg(Color::Magenta);
        }
        let mut text = row_text(s, width.saturating_sub(1), now, &state.settings.date_format);
        text.insert(0, if marked { '*' } else { ' ' });
        lines.push(Line::from(Span::styled(text, style)));
    }
    if l.total == 0 && state.current.is_some() {
        let msg = if l.query.filter.is_some() { "no message matches the filter" } else { "no messages" };
        lines.push(Line::from(Span::styled(msg, Style::default().fg(Color::DarkGray))));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::row_text;
    use crate::model::Summary;
    use crate::ui::text::width;

    #[test]
    fn emoji_sequences_keep_the_columns_aligned() {
        let now = chrono::Local::now();
        let row = |name: &str, subject: &str| {
            let s = Summary { from_name: name.into(), subject: subject.into(), size: 2048, ..Default::default() };
            row_text(&s, 90, now, "%Y-%m-%d")
        };
        let family = row("👩\u{200D}👩\u{200D}👧 Family", "👍\u{1F3FD} subject");
        let plain = row("Plain Name", "ok subject");
        assert_eq!(width(&family), 90, "{family}");
        let column = |row: &str, word: &str| width(&row[..row.find(word).unwrap()]);
        assert_eq!(column(&family, "subject"), column(&plain, "subject"), "{family}\n{plain}");
        assert_eq!(column(&family, "2 K"), column(&plain, "2 K"));
    }
}
