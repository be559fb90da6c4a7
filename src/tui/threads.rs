//! The read of a threaded list window, off the UI task: where its first row falls, the
//! threads from there, and the trees of the open ones among them only; and the first words
//! of a conversation's messages.

use crate::app::state::{ThreadCell, ThreadTotals};
use crate::model::{Summary, ThreadId};
use crate::store::{ListQuery, Result, Store, ThreadEntry};

/// The rows of a threaded list: its number of rows, and `len` rows from row `start` with
/// what each stands for.
pub(super) fn window(
    store: &Store,
    q: &ListQuery,
    open: &[ThreadId],
    all_open: bool,
    start: usize,
    len: usize,
) -> Result<(usize, Vec<Summary>, Vec<ThreadCell>)> {
    let shape = Shape { open, all_open, start, len, total: None };
    window_with(store, q, shape, &mut |_, _, _| {})
}

/// What a threaded list read asks for: the open threads (with `all_open`, the closed
/// ones), `len` rows from `start`, and the list's rows in all when they are known still.
pub(super) struct Shape<'a> {
    pub open: &'a [ThreadId],
    pub all_open: bool,
    pub start: usize,
    pub len: usize,
    pub total: Option<usize>,
}

/// As `window`; with every thread closed, a known total is not counted again, and for a
/// filtered or virtual list `early` gets the rows before they are counted.
pub(super) fn window_with(
    store: &Store,
    q: &ListQuery,
    s: Shape<'_>,
    early: &mut dyn FnMut(usize, Vec<Summary>, Vec<ThreadCell>),
) -> Result<(usize, Vec<Summary>, Vec<ThreadCell>)> {
    // every thread closed: a row each, so row `start` is thread `start`
    if s.open.is_empty() && !s.all_open {
        if let Some(total) = s.total {
            let (rows, cells) = rows_from(store, q, &s, s.start.min(total), 0)?;
            return Ok((total, rows, cells));
        }
        if super::lists::rows_first(q, s.start) {
            let (rows, cells) = rows_from(store, q, &s, s.start, 0)?;
            if let Some(total) = super::lists::counted_by(s.start, s.len, rows.len()) {
                return Ok((total, rows, cells));
            }
            early(s.start + rows.len(), rows.clone(), cells.clone());
            return Ok((store.thread_count(q)?, rows, cells));
        }
    }
    let span = store.thread_span(q, s.open, s.all_open, s.start)?;
    let (rows, cells) = rows_from(store, q, &s, span.thread, span.skip)?;
    Ok((span.rows, rows, cells))
}

/// `s.len` rows from the thread at `offset`, after the first `skip` rows of that thread.
fn rows_from(
    store: &Store,
    q: &ListQuery,
    s: &Shape<'_>,
    mut offset: usize,
    mut skip: usize,
) -> Result<(Vec<Summary>, Vec<ThreadCell>)> {
    let (len, open, all_open) = (s.len, s.open, s.all_open);
    let (mut rows, mut cells) = (Vec::with_capacity(len), Vec::with_capacity(len));
    while rows.len() < len {
        let heads = store.thread_window(q, offset, len)?;
        if heads.is_empty() {
            break;
        }
        offset += heads.len();
        for h in heads {
            if open.contains(&h.thread) != all_open {
                for e in store.thread_tree(h.thread, q)? {
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    cells.push(ThreadCell { thread: h.thread, closed: None, glyphs: e.glyphs() });
                    rows.push(e.summary);
                }
            } else if skip > 0 {
                skip = 0;
            } else {
                let closed = Some(ThreadTotals { count: h.count, unread: h.unread, flagged: h.flagged });
                cells.push(ThreadCell { thread: h.thread, closed, glyphs: String::new() });
                rows.push(h.newest);
            }
            if rows.len() >= len {
                break;
            }
        }
    }
    rows.truncate(len);
    cells.truncate(len);
    Ok((rows, cells))
}

/// The ids of rows of a threaded list (read by `window`): a closed thread's row stands
/// for all of its messages the query matches.
pub(super) fn row_ids(
    store: &Store,
    q: &ListQuery,
    (_, rows, cells): (usize, Vec<Summary>, Vec<ThreadCell>),
) -> Result<Vec<crate::model::MessageId>> {
    let mut ids = Vec::with_capacity(rows.len());
    for (row, cell) in rows.iter().zip(&cells) {
        match cell.closed {
            Some(t) if t.count > 1 => ids.extend(store.thread_message_ids(cell.thread, q)?),
            _ => ids.push(row.id),
        }
    }
    Ok(ids)
}

/// Most messages of a conversation given the first words of their bodies.
const PREVIEWS: usize = 100;

/// The first words of each read message of a conversation whose body the store has (the
/// unread ones unfold, with their whole bodies).
pub(super) fn previews(store: &Store, entries: Vec<ThreadEntry>) -> Vec<(ThreadEntry, Option<String>)> {
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let wanted = i < PREVIEWS && e.summary.cached && e.summary.flags.is_seen();
            let raw = wanted.then(|| store.body(e.summary.id).ok().flatten()).flatten();
            let preview = raw.map(|raw| crate::app::conversation::first_words(&crate::mime::render(&raw, 200).body));
            (e, preview)
        })
        .collect()
}
