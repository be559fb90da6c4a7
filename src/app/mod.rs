//! The application state and the one place it changes: `update(state, msg) -> effects`.

mod act;
pub mod autosave;
pub mod compose;
pub mod conversation;
pub mod editor;
mod events;
mod feedback;
pub mod folder_tree;
pub mod keymap;
pub mod layout;
mod line;
pub mod list_view;
mod msg;
mod navigate;
pub mod newmail;
pub mod reader;
mod render;
pub mod seen;
pub mod state;
pub mod threads;
mod update;
pub mod views;

pub use act::picker_choices;
pub use feedback::quit_question;
pub use state::{AppState, Body, Pane, UiSettings};
pub use update::{ActKind, Effect, Msg, Timer, update};

/// The first folder row the folder pane shows (shared by drawing and mouse clicks).
pub fn navigate_folder_top(state: &AppState, height: u16) -> usize {
    navigate::folder_scroll_top(state, height)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod compose_tests;

#[cfg(test)]
mod reader_tests;

#[cfg(test)]
mod layer_tests;

#[cfg(test)]
mod views_tests;

#[cfg(test)]
mod threads_tests;

#[cfg(test)]
mod list_tests;
