//! The folder pane: accounts with their state, and each account's folder tree with counts;
//! a parent the account does not have is drawn as a container.

use super::text::fit;
use super::{cursor_style, pane_block};
use crate::app::state::{AppState, FolderRow, Pane};
use crate::model::AccountState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A short word for an account's connection state.
pub fn state_label(s: &AccountState) -> (String, Color) {
    match s {
        AccountState::Online => ("online".into(), Color::Green),
        AccountState::Connecting => ("connecting".into(), Color::Yellow),
        AccountState::Offline(_) => ("offline".into(), Color::Red),
        AccountState::LoginFailed(_) => ("login failed".into(), Color::LightRed),
        AccountState::Local => ("local".into(), Color::Blue),
        AccountState::Downloading { done, total, .. } => {
            let pct = if *total > 0 { done * 100 / total } else { 100 };
            (format!("get {pct}%"), Color::Yellow)
        }
        AccountState::Syncing { done, total, .. } => {
            let pct = if *total > 0 { done * 100 / total } else { 100 };
            (format!("sync {pct}%"), Color::Yellow)
        }
    }
}

/// The label in fewer columns, for an account row whose name would be cut by the whole
/// one, or a status line whose message would be.
pub(super) fn short_label(s: &AccountState, label: String) -> String {
    match s {
        AccountState::Online => "on".into(),
        AccountState::Connecting => "…".into(),
        AccountState::Offline(_) => "off".into(),
        AccountState::LoginFailed(_) => "login!".into(),
        AccountState::Local => label,
        // "sync 42%" and "get 42%": the figure
        AccountState::Downloading { .. } | AccountState::Syncing { .. } => match label.split_once(' ') {
            Some((_, pct)) => pct.to_string(),
            None => label,
        },
    }
}

/// A row that holds folders and no messages.
fn container_style() -> Style {
    Style::default().fg(Color::DarkGray).add_modifier(Modifier::ITALIC)
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState) {
    let focused = state.focus == Pane::Folders;
    let block = pane_block(" Folders ".into(), focused);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let rows = state.folder_rows();
    let top = crate::app::navigate_folder_top(state, area.height);
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(top).take(inner.height as usize) {
        match *row {
            FolderRow::Virtual(vi) => {
                let Some(v) = state.virtual_rows().into_iter().nth(vi) else { continue };
                let count = state.virtual_unread(&v).filter(|n| *n > 0).map(|n| n.to_string()).unwrap_or_default();
                let name_w = width.saturating_sub(count.len() + 2);
                let mut style = Style::default().fg(Color::LightBlue);
                if !count.is_empty() {
                    style = style.add_modifier(Modifier::BOLD);
                }
                if state.open_virtual.as_ref() == Some(&v) {
                    style = style.fg(Color::Cyan);
                }
                if i == state.folder_cursor {
                    style = style.patch(cursor_style(focused));
                }
                let text = format!("{} {count}", fit(&state.virtual_name(&v), name_w));
                lines.push(Line::from(Span::styled(fit(&text, width), style)));
            }
            FolderRow::Account(ai) => {
                let a = &state.accounts[ai];
                let (mut label, color) = state_label(&a.state);
                if super::text::width(&a.name) + 1 + label.len() > width {
                    label = short_label(&a.state, label);
                }
                let name_w = width.saturating_sub(super::text::width(&label) + 1);
                lines.push(Line::from(vec![
                    Span::styled(fit(&a.name, name_w), Style::default().add_modifier(Modifier::BOLD)),
                    Span::raw(" "),
                    Span::styled(label, Style::default().fg(color)),
                ]));
            }
            FolderRow::Folder(ai, fi) => {
                let a = &state.accounts[ai];
                let f = &a.folders[fi];
                let (depth, leaf) = f.tree_parts();
                let count = if f.unread > 0 && !f.noselect { format!("{}", f.unread) } else { String::new() };
                let indent = "  ".repeat(depth + 1);
                let name_w = width.saturating_sub(indent.len() + count.len() + 1);
                let open = state.current == Some((a.id, f.id));
                let mut style = Style::default();
                if f.unread > 0 {
                    style = style.add_modifier(Modifier::BOLD);
                }
                if f.noselect {
                    // it only holds folders (IMAP \Noselect): drawn as a made-up parent is
                    style = container_style();
                } else if open {
                    style = style.fg(Color::Cyan);
                } else if !f.subscribed {
                    style = style.fg(Color::DarkGray);
                }
                if i == state.folder_cursor {
                    style = style.patch(cursor_style(focused));
                }
                let text = format!("{indent}{} {count}", fit(leaf, name_w));
                lines.push(Line::from(Span::styled(fit(&text, width), style)));
            }
            FolderRow::Container { account, folder, depth } => {
                // a parent the account does not have: a name to hold its folders, nothing to open
                let f = &state.accounts[account].folders[folder];
                let text = format!("{}{}", "  ".repeat(depth + 1), crate::app::folder_tree::container_name(f, depth));
                let style = container_style();
                lines.push(Line::from(Span::styled(fit(&text, width), style)));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
