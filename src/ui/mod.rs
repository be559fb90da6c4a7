//! Drawing: the state becomes a frame, and nothing else happens here.

mod compose;
mod folders;
mod help;
mod links;
mod list;
mod messages;
mod outbox;
mod picker;
pub(crate) mod reader;
mod status;
pub mod text;

use crate::app::AppState;
use crate::app::layout::areas;
use crate::app::state::Layer;
use ratatui::Frame;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType, Borders};

/// Draws the whole screen: the panes and the status line, then the layers, bottom to top.
pub fn draw(frame: &mut Frame<'_>, state: &AppState) {
    let a = areas(state);
    if a.folders.width > 0 {
        folders::draw(frame, a.folders, state);
    }
    if a.list.width > 0 {
        list::draw(frame, a.list, state);
    }
    if a.reader.width > 0 {
        reader::draw(frame, a.reader, state);
    }
    status::draw(frame, a.status, state);
    let full = frame.area();
    for layer in &state.layers {
        match layer {
            Layer::Compose(c) => compose::draw(frame, full, state, c),
            Layer::Outbox { cursor } => outbox::draw(frame, full, state, *cursor),
            Layer::Picker(p) => picker::draw(frame, full, state, p),
            Layer::Prompt(p) => status::draw_prompt(frame, a.status, state, p),
            // the list shows the filter being typed, the status line its keys
            Layer::Filter => {}
            Layer::Help { scroll } => help::draw(frame, full, state, *scroll),
            Layer::Messages { scroll } => messages::draw(frame, full, state, *scroll),
            Layer::Links(l) => links::draw(frame, full, state, l),
        }
    }
}

/// A pane's frame, highlighted when it has the focus.
pub(crate) fn pane_block(title: String, focused: bool) -> Block<'static> {
    let style = if focused { Style::default().fg(Color::Cyan) } else { Style::default().fg(Color::DarkGray) };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(style)
        .title(title)
        .title_style(Style::default().add_modifier(Modifier::BOLD))
}

/// The style of the row under a cursor.
pub(crate) fn cursor_style(focused: bool) -> Style {
    if focused { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default().bg(Color::DarkGray) }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod views_tests;
