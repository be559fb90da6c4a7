//! Where a window of an ordered list is read from: the sort keys of rows seen at known
//! places in the list, so that a window next to one already read starts from its key (a
//! keyset seek along the index) instead of counting an OFFSET from either end. Paging
//! through the middle of a million-row list then costs what paging at its top does.

use rusqlite::types::Value;
use std::collections::{BTreeMap, HashMap};

/// A row's place in the list's order: (date or latest activity, id), compared as a pair.
pub(super) type Key = (i64, i64);

/// How a window's first row is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seek {
    /// `skip` rows from the top.
    Front { skip: usize },
    /// Oldest first, `skip` rows from the bottom (the rows come back reversed).
    Back { skip: usize },
    /// Down from a row with this key: the rows after it, `skip` of them passed first.
    After { key: Key, skip: usize },
    /// Up from a row with this key (oldest first, reversed like `Back`).
    Before { key: Key, skip: usize },
}

impl Seek {
    /// Whether the rows are read oldest first and must be reversed.
    pub(super) fn upward(self) -> bool {
        matches!(self, Seek::Back { .. } | Seek::Before { .. })
    }

    /// How many rows to read for the window `offset..offset + limit` of a list of `total`
    /// rows: from the bottom, only those the list has.
    pub(super) fn rows(self, total: Option<usize>, offset: usize, limit: usize) -> usize {
        match (self, total) {
            (Seek::Back { .. }, Some(t)) => offset.saturating_add(limit).min(t).saturating_sub(offset),
            _ => limit,
        }
    }

    pub(super) fn skip(self) -> usize {
        match self {
            Seek::Front { skip } | Seek::Back { skip } | Seek::After { skip, .. } | Seek::Before { skip, .. } => skip,
        }
    }

    /// The condition that starts the window at the key (`cols` names the pair of sort
    /// columns), with its arguments.
    pub(super) fn condition(self, cols: &str) -> Option<(String, [Value; 2])> {
        let (op, (a, b)) = match self {
            Seek::After { key, .. } => ("<", key),
            Seek::Before { key, .. } => (">", key),
            _ => return None,
        };
        Some((format!("({cols}) {op} (?, ?)"), [Value::Integer(a), Value::Integer(b)]))
    }
}

/// At most this many lists keep anchors, and a list this many (then it starts over).
const MAX_LISTS: usize = 32;
const MAX_ANCHORS: usize = 4096;

/// The anchors of the lists read on one connection, valid while nothing in the database
/// changes (`stamp`: SQLite's data version, which other connections' commits move, and
/// this connection's own change count).
#[derive(Debug, Default)]
pub(super) struct Anchors {
    stamp: (i64, i64),
    lists: HashMap<String, BTreeMap<usize, Key>>,
}

impl Anchors {
    /// Drops every anchor if the database changed since they were taken.
    pub(super) fn refresh(&mut self, stamp: (i64, i64)) {
        if stamp != self.stamp {
            self.lists.clear();
            self.stamp = stamp;
        }
    }

    /// The cheapest way to the window `offset..offset + limit` of a list of `total` rows
    /// (`None`: not known), counted in rows passed over.
    pub(super) fn seek(&self, list: &str, total: Option<usize>, offset: usize, limit: usize) -> Seek {
        let mut best = Seek::Front { skip: offset };
        let mut consider = |s: Seek| {
            if s.skip() < best.skip() {
                best = s;
            }
        };
        if let Some(total) = total {
            let end = offset.saturating_add(limit).min(total);
            if end > offset {
                consider(Seek::Back { skip: total - end });
            }
        }
        if let Some(anchors) = self.lists.get(list) {
            if let Some((&at, &key)) = anchors.range(..offset).next_back() {
                consider(Seek::After { key, skip: offset - at - 1 });
            }
            let end = offset.saturating_add(limit);
            if total.is_some_and(|t| end <= t)
                && let Some((&at, &key)) = anchors.range(end..).next()
            {
                consider(Seek::Before { key, skip: at - end });
            }
        }
        best
    }

    /// Notes the keys of a window's first and last rows, at `offset` and after.
    pub(super) fn note(&mut self, list: &str, offset: usize, first: Option<Key>, last: Option<Key>, len: usize) {
        if len == 0 {
            return;
        }
        if self.lists.len() >= MAX_LISTS && !self.lists.contains_key(list) {
            self.lists.clear();
        }
        let anchors = self.lists.entry(list.to_string()).or_default();
        if anchors.len() >= MAX_ANCHORS {
            anchors.clear();
        }
        if let Some(k) = first {
            anchors.insert(offset, k);
        }
        if let Some(k) = last {
            anchors.insert(offset + len - 1, k);
        }
    }
}

/// The name a list's anchors are kept under: its statement and arguments.
pub(super) fn list_name(sql: &str, args: &[Value]) -> String {
    format!("{sql}\u{0}{args:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_next_to_one_read_starts_from_its_key() {
        let mut a = Anchors::default();
        a.refresh((1, 0));
        assert_eq!(a.seek("l", Some(1000), 400, 50), Seek::Front { skip: 400 });
        a.note("l", 400, Some((9, 9)), Some((5, 5)), 50);
        // the next window down: from the last row of this one
        assert_eq!(a.seek("l", Some(1000), 450, 50), Seek::After { key: (5, 5), skip: 0 });
        // the one above: up from its first row
        assert_eq!(a.seek("l", Some(1000), 350, 50), Seek::Before { key: (9, 9), skip: 0 });
        // near the bottom, the end is nearer
        assert_eq!(a.seek("l", Some(1000), 940, 50), Seek::Back { skip: 10 });
        // another list knows nothing of these
        assert_eq!(a.seek("m", Some(1000), 450, 50), Seek::Front { skip: 450 });
        // a change in the database drops them
        a.refresh((2, 0));
        assert_eq!(a.seek("l", Some(1000), 450, 50), Seek::Front { skip: 450 });
    }

    #[test]
    fn without_a_total_only_anchors_below_are_used() {
        let mut a = Anchors::default();
        a.note("l", 0, Some((9, 9)), Some((5, 5)), 100);
        assert_eq!(a.seek("l", None, 120, 50), Seek::After { key: (5, 5), skip: 20 });
        a.note("l", 500, Some((3, 3)), None, 1);
        assert_eq!(a.seek("l", None, 450, 10), Seek::After { key: (5, 5), skip: 350 });
    }
}
