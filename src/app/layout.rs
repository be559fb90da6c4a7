//! Where each pane goes for a terminal size; shared by drawing and mouse hit-testing.

use super::state::AppState;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub folders: Rect,
    pub list: Rect,
    pub reader: Rect,
    pub status: Rect,
}

/// Folder pane on the left (hidden when narrow or in full-screen reading), the list on the
/// right, the reader under the list when a message is open, one status line at the bottom.
pub fn areas(state: &AppState) -> Areas {
    let (w, h) = state.size;
    let status = Rect::new(0, h.saturating_sub(1), w, h.min(1));
    let body = Rect::new(0, 0, w, h.saturating_sub(1));
    let reader_open = state.reader.is_some();
    if reader_open && state.reader.as_ref().is_some_and(|r| r.fullscreen) {
        return Areas { reader: body, status, ..Default::default() };
    }
    let folder_w = if folders_shown(state) { (w / 5).clamp(18, 32) } else { 0 };
    let folders = Rect::new(0, 0, folder_w, body.height);
    let right = Rect::new(folder_w, 0, w.saturating_sub(folder_w), body.height);
    if reader_open {
        let list_h = (right.height * 2 / 5).max(5).min(right.height);
        let list = Rect::new(right.x, 0, right.width, list_h);
        let reader = Rect::new(right.x, list_h, right.width, right.height.saturating_sub(list_h));
        Areas { folders, list, reader, status }
    } else {
        Areas { folders, list: right, reader: Rect::default(), status }
    }
}

/// Whether the folder pane has room: the terminal is at least 60 columns wide.
pub fn folders_shown(state: &AppState) -> bool {
    state.size.0 >= 60
}

/// The rows of text an overlay the height of the screen shows (the help, the message log):
/// the screen less a row above and below and the overlay's borders.
pub fn overlay_rows(state: &AppState) -> usize {
    state.size.1.saturating_sub(4).max(1) as usize
}
