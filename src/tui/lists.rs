//! The read of a flat list window, off the UI task: its count and its rows, or for a new
//! filtered or virtual list, whose count is a slow read of every match, the rows first and
//! the count after.

use crate::model::Summary;
use crate::store::{ListQuery, Result, Store};

/// Reads past this many rows from the top count first: the count says from which end to
/// read them.
const ROWS_FIRST_WITHIN: usize = 1000;

/// Whether a read of `q` from row `start`, whose count is not known, sends its rows before
/// counting them: a folder's count is kept in the store, a filter's or a virtual folder's
/// is a read of every match.
pub(super) fn rows_first(q: &ListQuery, start: usize) -> bool {
    (q.filter.is_some() || q.folder.is_none()) && start <= ROWS_FIRST_WITHIN
}

/// The count of a flat list (`total` when it is known still) and `len` rows from `start`;
/// `early` gets the rows first, with the count of the rows up to them, when they can come
/// before the count.
pub(super) fn flat(
    store: &Store,
    q: &ListQuery,
    (start, len): (usize, usize),
    total: Option<usize>,
    early: &mut dyn FnMut(usize, Vec<Summary>),
) -> Result<(usize, Vec<Summary>)> {
    if let Some(total) = total {
        return Ok((total, store.list_window(q, total, start, len)?));
    }
    if !rows_first(q, start) {
        let total = store.count(q)?;
        return Ok((total, store.list_window(q, total, start, len)?));
    }
    let rows = store.list(q, start, len)?;
    if let Some(total) = counted_by(start, len, rows.len()) {
        return Ok((total, rows));
    }
    early(start + rows.len(), rows.clone());
    Ok((store.count(q)?, rows))
}

/// The count of a list whose read of `len` rows from `start` gave `got`, when that tells
/// it: fewer than asked for are the rest of the list.
pub(super) fn counted_by(start: usize, len: usize, got: usize) -> Option<usize> {
    (got < len && (start == 0 || got > 0)).then_some(start + got)
}

#[cfg(test)]
mod tests {
    use crate::store::{ListQuery, Store};

    #[test]
    fn a_filtered_read_sends_its_rows_before_its_count_unless_they_are_all_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::instance::DataDir::lock(dir.path()).unwrap();
        crate::demo::build(&data).unwrap();
        let store = Store::open(&data).unwrap();
        let all = ListQuery::default();
        let n = store.count(&all).unwrap();
        assert!(n > 5);
        let mut early = Vec::new();
        let (total, rows) = super::flat(&store, &all, (0, 3), None, &mut |t, r| early.push((t, r.len()))).unwrap();
        assert_eq!((total, rows.len(), early), (n, 3, vec![(3, 3)]));
        // fewer rows than asked for are the whole list: no count, nothing early
        let mut early = 0;
        let (total, rows) = super::flat(&store, &all, (2, n), None, &mut |_, _| early += 1).unwrap();
        assert_eq!((total, rows.len(), early), (n, n - 2, 0));
        // a count known still is not read again, and a folder's comes with its rows
        let (total, _) = super::flat(&store, &all, (0, 3), Some(1234), &mut |_, _| panic!()).unwrap();
        assert_eq!(total, 1234);
        let folder = ListQuery { folder: rows.first().map(|r| r.folder), ..Default::default() };
        super::flat(&store, &folder, (0, 1), None, &mut |_, _| panic!("a folder counts first")).unwrap();
        assert_eq!(super::counted_by(5, 10, 0), None, "past the end: the count is not known");
    }
}
