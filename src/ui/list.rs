//! The message list: only the visible rows of the loaded window are drawn, so a folder of
//! 100,000 messages costs what a folder of 100 does.

use super::text::fit;
use super::{cursor_style, pane_block};
use crate::app::state::{AppState, Pane, ThreadCell};
use crate::app::views::Virtual;
use crate::model::{Flags, Summary};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::borrow::Cow;

fn title(state: &AppState) -> String {
    let folder = state
        .current
        .and_then(|(a, f)| {
            let acct = state.accounts.iter().find(|x| x.id == a)?;
            Some(format!("{}: {}", acct.name, acct.folders.iter().find(|x| x.id == f)?.display))
        })
        .or_else(|| state.open_virtual.as_ref().map(|v| state.virtual_name(v)))
        .unwrap_or_else(|| "no folder".into());
    let l = &state.list;
    let folder = if l.threaded { format!("{folder} (threads)") } else { folder };
    let pos = if !l.loaded {
        // being read
        " …".into()
    } else if l.total > 0 {
        // rows shown before their count: at least this many, counting
        format!(" {}/{}{}", l.cursor + 1, l.total, if l.partial { "+" } else { "" })
    } else {
        " empty".into()
    };
    // in a search the filter is the search, which the title names already
    let searching = matches!(state.open_virtual, Some(Virtual::Search(_) | Virtual::Saved(_)));
    if searching {
        let note = state.search_note().map(|n| format!(" · {n}")).unwrap_or_default();
        return match &l.typing {
            Some(t) => format!(" search: {t}▏{pos} "),
            None => format!(" {folder}{pos}{note} "),
        };
    }
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

/// The first recipient of a `To` list as stored (`Name <addr>, ...`): the name, else the
/// address.
fn first_recipient(to: &str) -> &str {
    let first = match (to.find('<'), to.find('>')) {
        // a name may hold a comma; the first address ends the first recipient
        (Some(lt), Some(gt)) if lt < gt && !to[..lt].contains('@') => &to[..=gt],
        _ => to.split(',').next().unwrap_or(to),
    };
    match (first.find('<'), first.rfind('>')) {
        (Some(lt), Some(gt)) if lt < gt => match first[..lt].trim().trim_matches('"') {
            "" => first[lt + 1..gt].trim(),
            name => name,
        },
        _ => first.trim(),
    }
}

/// Who a row is from, or in a Sent folder whom it went to (`To: name`, as mutt's %F).
pub fn correspondent(s: &Summary, sent: bool) -> std::borrow::Cow<'_, str> {
    match first_recipient(&s.to) {
        r if sent && !r.is_empty() => format!("To: {r}").into(),
        _ => s.sender().into(),
    }
}

/// One list row, exactly `width` columns: flags, date, sender, subject, size. In a Sent
/// folder (`sent`) the sender column names the recipient.
pub fn row_text(s: &Summary, sent: bool, width: usize, now: chrono::DateTime<chrono::Local>, date_fmt: &str) -> String {
    let date = crate::format::list_date(s.date, now, date_fmt);
    let size = crate::format::size(s.size as u64);
    let sender_w = (width / 4).clamp(8, 24);
    // narrow terminals drop the size column first: the subject matters more
    let show_size = width >= 70;
    let fixed = 3 + 1 + 10 + 1 + sender_w + 1 + if show_size { 8 } else { 0 };
    let subject_w = width.saturating_sub(fixed);
    let mut text = format!(
        "{} {} {} {}",
        flag_marks(s),
        fit(&date, 10),
        fit(&correspondent(s, sent), sender_w),
        fit(&s.subject, subject_w)
    );
    if show_size {
        text.push_str(&format!(" {size:>7}"));
    }
    fit(&text, width)
}

/// A row as a threaded list shows it: a closed thread of several messages with their
/// count and its unread ones before the subject (`(5, 2 new)`), marked unread or flagged
/// when any of them is; a message of an open thread after its tree glyphs.
fn threaded_row<'a>(s: &'a Summary, cell: Option<&ThreadCell>) -> Cow<'a, Summary> {
    let Some(cell) = cell else { return Cow::Borrowed(s) };
    let mut shown = s.clone();
    match cell.closed {
        Some(t) if t.count > 1 => {
            let new = if t.unread > 0 { format!(", {} new", t.unread) } else { String::new() };
            shown.subject = format!("({}{new}) {}", t.count, s.subject);
            shown.flags = Flags(s.flags.0 | Flags::SEEN);
            if t.unread > 0 {
                shown.flags = Flags(shown.flags.0 & !Flags::SEEN);
            }
            if t.flagged > 0 {
                shown.flags = Flags(shown.flags.0 | Flags::FLAGGED);
            }
        }
        Some(_) => return Cow::Borrowed(s),
        None => shown.subject = format!("{}{}", cell.glyphs, s.subject),
    }
    Cow::Owned(shown)
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focused = state.focus == Pane::List;
    let block = pane_block(title(state), focused);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let l = &state.list;
    let now = chrono::Local::now();
    let is_sent =
        |folder| state.folder_by_id(folder).is_some_and(|(_, f)| f.special_use == Some(crate::model::SpecialUse::Sent));
    // a list over several accounts shows each row's account (and, for a search, folder:
    // narrower below 90 columns, where the subject needs the room)
    let place_w = match &state.open_virtual {
        None => 0,
        Some(Virtual::Role(_)) => 9,
        Some(_) if width >= 90 => 16,
        Some(_) => 12,
    };
    let mut lines = Vec::with_capacity(inner.height as usize);
    for pos in l.top..(l.top + inner.height as usize).min(l.total) {
        let Some(s) = l.window.get(pos) else {
            // after a failed read, only what was there: no rows still to come
            if l.error.is_some() {
                continue;
            }
            lines.push(Line::from(Span::styled(fit("…", width), Style::default().fg(Color::DarkGray))));
            continue;
        };
        let s = &*threaded_row(s, l.window.cell(pos));
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
        let sent = is_sent(s.folder);
        let mut text = row_text(s, sent, width.saturating_sub(1 + place_w), now, &state.settings.date_format);
        if place_w > 0 {
            text.insert_str(0, &format!("{} ", place(state, s, place_w > 9, place_w - 1)));
        }
        text.insert(0, if marked { '*' } else { ' ' });
        lines.push(Line::from(Span::styled(text, style)));
    }
    if let Some(e) = &l.error {
        // the read that failed (a query the store cannot run) says why, above what was there
        let text = crate::sanitize::line(e);
        lines.insert(0, Line::from(Span::styled(fit(&text, width), Style::default().fg(Color::Red))));
        lines.truncate(inner.height as usize);
    } else if l.total == 0 && l.loaded && state.list_open() {
        let msg = if l.query.filter.is_some() { "no message matches the filter" } else { "no messages" };
        lines.push(Line::from(Span::styled(msg, Style::default().fg(Color::DarkGray))));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Where a row of a list over several accounts lives, in `w` columns: its account, and
/// with `folder` the folder too (`work/Archive`). When both do not fit, the account is cut
/// first (`pers…/INBOX`): the folder is what tells rows of one account apart.
fn place(state: &AppState, s: &Summary, folder: bool, w: usize) -> String {
    let Some((account, f)) = state.folder_by_id(s.folder) else { return fit("", w) };
    let name = state.accounts.iter().find(|a| a.id == account).map(|a| a.name.as_str()).unwrap_or_default();
    let name = crate::sanitize::line(name);
    if !folder {
        return fit(&name, w);
    }
    let display = crate::sanitize::line(&f.display);
    let whole = format!("{name}/{display}");
    let room = w.saturating_sub(crate::ui::text::width(&display) + 1);
    if crate::ui::text::width(&whole) <= w || room < 2 {
        return fit(&whole, w);
    }
    fit(&format!("{}/{display}", fit(&name, room).trim_end()), w)
}

#[cfg(test)]
mod tests {
    use super::{place, row_text};
    use crate::model::Summary;
    use crate::ui::text::width;

    #[test]
    fn emoji_sequences_keep_the_columns_aligned() {
        let now = chrono::Local::now();
        let row = |name: &str, subject: &str| {
            let s = Summary { from_name: name.into(), subject: subject.into(), size: 2048, ..Default::default() };
            row_text(&s, false, 90, now, "%Y-%m-%d")
        };
        let family = row("👩\u{200D}👩\u{200D}👧 Family", "👍\u{1F3FD} subject");
        let plain = row("Plain Name", "ok subject");
        assert_eq!(width(&family), 90, "{family}");
        let column = |row: &str, word: &str| width(&row[..row.find(word).unwrap()]);
        assert_eq!(column(&family, "subject"), column(&plain, "subject"), "{family}\n{plain}");
        assert_eq!(column(&family, "2 K"), column(&plain, "2 K"));
    }

    #[test]
    fn sent_rows_name_the_recipient() {
        let s = |to: &str| Summary { from_name: "Robin".into(), to: to.into(), ..Default::default() };
        let who = |to: &str, sent| super::correspondent(&s(to), sent).into_owned();
        assert_eq!(who("Jörg Müller <joerg@beispiel.de>, ann@x.org", true), "To: Jörg Müller");
        assert_eq!(who("Doe, Jane <jane@x.org>", true), "To: Doe, Jane");
        assert_eq!(who("\"Ann\" <ann@x.org>", true), "To: Ann");
        assert_eq!(who("<ann@x.org>", true), "To: ann@x.org");
        assert_eq!(who("ann@x.org, bo@y.org", true), "To: ann@x.org");
        assert_eq!(who("ann@x.org", false), "Robin");
        // nobody to name: the sender, as elsewhere
        assert_eq!(who("", true), "Robin");
    }

    #[test]
    fn rows_shown_before_their_count_say_so() {
        let mut s = crate::app::AppState::new(vec![], Default::default(), Default::default());
        s.list.loaded = true;
        s.list.total = 87;
        assert!(super::title(&s).ends_with(" 1/87 "), "{}", super::title(&s));
        s.list.partial = true;
        assert!(super::title(&s).ends_with(" 1/87+ "), "{}", super::title(&s));
    }

    #[test]
    fn a_failed_read_shows_its_error_without_rows_to_come() {
        let mut s = crate::app::AppState::new(vec![], Default::default(), Default::default());
        (s.list.loaded, s.list.total) = (true, 31);
        s.list.error = Some("search: from: needs a value".into());
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(40, 6)).unwrap();
        term.draw(|f| super::draw(f, f.area(), &s)).unwrap();
        let text: String = term.backend().buffer().content().iter().map(|c| c.symbol()).collect();
        assert!(text.contains("from: needs a value"), "{text}");
        assert!(!text.contains('…'), "{text}");
    }

    #[test]
    fn a_place_too_long_cuts_the_account_before_the_folder() {
        use crate::app::{AppState, UiSettings};
        use crate::model::{AccountId, Folder, FolderId};
        let mut state =
            AppState::new(vec![(AccountId(1), "personal".into())], Default::default(), UiSettings::default());
        for (id, name) in [(1, "INBOX"), (2, "Lists/rust-announcements")] {
            let f = Folder {
                id: FolderId(id),
                account: AccountId(1),
                name: name.into(),
                display: name.into(),
                delimiter: Some("/".into()),
                special_use: None,
                unread: 0,
                total: 0,
                subscribed: true,
                noselect: false,
            };
            state.accounts[0].folders.push(f);
        }
        let row = |folder| Summary { folder: FolderId(folder), ..Default::default() };
        assert_eq!(place(&state, &row(1), true, 15), "personal/INBOX ");
        assert_eq!(place(&state, &row(1), true, 11), "pers…/INBOX");
        assert_eq!(place(&state, &row(1), false, 8), "personal");
        // a folder that leaves the account no room is cut itself
        assert_eq!(place(&state, &row(2), true, 11), "personal/L…");
        assert_eq!(width(&place(&state, &row(2), true, 11)), 11);
    }
}
