//! The message list as the UI holds it: the window of loaded rows (with, in a threaded
//! list, what each row stands for), the cursor and the list's query and shape.

use crate::model::{AccountId, MessageId, Summary, ThreadId};
use crate::store::ListQuery;

/// The rows of the message list that are loaded: `rows[i]` is list position `start + i`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    pub start: usize,
    pub rows: Vec<Summary>,
    /// In a threaded list, what each row stands for (`cells[i]` for `rows[i]`); empty in
    /// a flat one.
    pub cells: Vec<ThreadCell>,
}

/// What a row of a threaded list stands for: a whole thread (closed), or one message of an
/// open thread.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadCell {
    pub thread: ThreadId,
    /// Closed: the totals of the thread's messages the list has (its row shows the newest
    /// of them). None: the row is one message of the open thread.
    pub closed: Option<ThreadTotals>,
    /// The tree glyphs before the subject of a message of an open thread.
    pub glyphs: String,
}

/// The messages of a closed thread that the list has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadTotals {
    pub count: u32,
    pub unread: u32,
    pub flagged: u32,
}

impl Window {
    pub fn get(&self, pos: usize) -> Option<&Summary> {
        pos.checked_sub(self.start).and_then(|i| self.rows.get(i))
    }
    /// The list position of a loaded message.
    pub fn position(&self, id: MessageId) -> Option<usize> {
        self.rows.iter().position(|s| s.id == id).map(|i| self.start + i)
    }
    /// What the row at a list position stands for, in a threaded list.
    pub fn cell(&self, pos: usize) -> Option<&ThreadCell> {
        pos.checked_sub(self.start).and_then(|i| self.cells.get(i))
    }
    pub fn covers(&self, from: usize, to: usize, total: usize) -> bool {
        let end = self.start + self.rows.len();
        from >= self.start && (to.min(total) <= end)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListView {
    pub account: Option<AccountId>,
    pub query: ListQuery,
    pub total: usize,
    pub cursor: usize,
    /// First visible position.
    pub top: usize,
    pub window: Window,
    /// The filter being typed, when in filter mode.
    pub typing: Option<String>,
    /// The message the cursor was put on: when the list is read again (a message came back
    /// from a refused move, new mail arrived above), the cursor goes back to it.
    pub anchor: Option<MessageId>,
    /// The user put the cursor where it is (moved it, opened or acted on a message). Until
    /// then it stays on the first row however the list fills, rather than with the message
    /// that was first when it came.
    pub pinned: bool,
    /// Answers to list reads numbered below this are stale: asked for before this view was
    /// opened, or overtaken by an answer to a later read.
    pub fresh_from: u64,
    /// The list has been read since it was opened or its filter changed (before that, its
    /// count is not known: nothing says "no messages").
    pub loaded: bool,
    /// Why the last read of this list failed (a query the store cannot run), shown in the
    /// list pane until a read succeeds.
    pub error: Option<String>,
    /// Rows are threads (closed, or open with their messages as a tree), latest activity
    /// first.
    pub threaded: bool,
    /// The open threads; with `all_open`, the closed ones.
    pub open: std::collections::BTreeSet<ThreadId>,
    pub all_open: bool,
    /// The thread the cursor goes to when the list is read again (one just opened or
    /// closed).
    pub anchor_thread: Option<ThreadId>,
    /// Which list this is, for remembering whether it is threaded (`AppState::threaded_in`).
    pub key: String,
    /// The list read asked for that counts the list (`Effect::LoadList` without a total),
    /// until its count comes: `total` may be out of date or only a lower bound till then.
    pub counting: Option<u64>,
    /// `total` counts only the rows read so far: the list's count is on its way.
    pub partial: bool,
}

impl ListView {
    pub fn selected(&self) -> Option<&Summary> {
        self.window.get(self.cursor)
    }

    /// The thread whose row the cursor is on (closed, or a thread of one message in this
    /// list), not a message of an open thread.
    pub fn thread_row(&self) -> Option<ThreadId> {
        self.window.cell(self.cursor).filter(|c| c.closed.is_some()).map(|c| c.thread)
    }

    /// The closed thread of more than one message under the cursor: an action there is on
    /// all of them.
    pub fn closed_thread(&self) -> Option<(ThreadId, ThreadTotals)> {
        let c = self.window.cell(self.cursor)?;
        c.closed.filter(|t| t.count > 1).map(|t| (c.thread, t))
    }

    /// Whether a thread shows its messages.
    pub fn is_open(&self, t: ThreadId) -> bool {
        self.open.contains(&t) != self.all_open
    }
}
