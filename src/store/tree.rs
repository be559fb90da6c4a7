//! The tree of one thread, built from its messages' headers when the thread is shown:
//! each message under the one it answers, ids not stored leave their replies in their
//! place, and no header (a loop, a message naming itself) can make a cycle.

use super::threads::{ThreadEntry, ancestors};
use crate::model::Summary;
use std::collections::HashMap;

/// A message of the thread with the headers that place it.
pub(super) struct Node {
    pub summary: Summary,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
}

#[derive(Default)]
struct Container {
    /// Indexes into the messages (two copies of one message in two folders share one).
    messages: Vec<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
    /// The earliest date in the subtree, for ordering siblings.
    date: i64,
}

struct Tree {
    ids: HashMap<String, usize>,
    cs: Vec<Container>,
}

impl Tree {
    fn container(&mut self, id: &str) -> usize {
        if let Some(&c) = self.ids.get(id) {
            return c;
        }
        self.cs.push(Container { date: i64::MAX, ..Default::default() });
        self.ids.insert(id.to_string(), self.cs.len() - 1);
        self.cs.len() - 1
    }

    /// Whether `from` is `target` or below it (following parents up from `from`).
    fn below(&self, from: usize, target: usize) -> bool {
        let mut at = Some(from);
        for _ in 0..=self.cs.len() {
            match at {
                Some(c) if c == target => return true,
                Some(c) => at = self.cs[c].parent,
                None => return false,
            }
        }
        true
    }

    fn link(&mut self, parent: usize, child: usize, replace: bool) {
        if (replace || self.cs[child].parent.is_none()) && !self.below(parent, child) {
            self.cs[child].parent = Some(parent);
        }
    }
}

/// The display order of a thread's messages (given oldest first).
pub(super) fn build(nodes: Vec<Node>) -> Vec<ThreadEntry> {
    let mut t = Tree { ids: HashMap::new(), cs: Vec::new() };
    let mut own = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let c = match n.message_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => t.container(id.trim_start_matches('<').trim_end_matches('>')),
            None => {
                t.cs.push(Container { date: i64::MAX, ..Default::default() });
                t.cs.len() - 1
            }
        };
        t.cs[c].messages.push(i);
        own.push(c);
    }
    for (i, n) in nodes.iter().enumerate() {
        let own_id = n.message_id.as_deref().map(|s| s.trim().trim_start_matches('<').trim_end_matches('>'));
        let chain: Vec<usize> = ancestors(own_id, n.in_reply_to.as_deref(), n.references.as_deref())
            .into_iter()
            .map(|id| t.container(id))
            .collect();
        for w in chain.windows(2) {
            t.link(w[0], w[1], false);
        }
        // a message's own parent outranks what other messages' References guessed
        if let Some(&p) = chain.last() {
            t.link(p, own[i], true);
        }
    }
    // each subtree's earliest date, carried up from the messages
    for (i, n) in nodes.iter().enumerate() {
        let mut at = Some(own[i]);
        for _ in 0..=t.cs.len() {
            let Some(c) = at else { break };
            if t.cs[c].date <= n.summary.date {
                break;
            }
            t.cs[c].date = n.summary.date;
            at = t.cs[c].parent;
        }
    }
    let mut roots = Vec::new();
    for c in 0..t.cs.len() {
        match t.cs[c].parent {
            Some(p) => t.cs[p].children.push(c),
            None => roots.push(c),
        }
    }
    for c in 0..t.cs.len() {
        let mut kids = std::mem::take(&mut t.cs[c].children);
        kids.sort_by_key(|&k| t.cs[k].date);
        t.cs[c].children = kids;
    }
    roots.sort_by_key(|&k| t.cs[k].date);

    let mut out = Vec::with_capacity(nodes.len());
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    // (container, depth, the `more` flags of its level and above)
    let mut stack: Vec<(usize, usize, Vec<bool>)> = Vec::new();
    push_level(&visible(&t, &roots), 0, &[], &mut stack);
    while let Some((c, depth, more)) = stack.pop() {
        for &m in &t.cs[c].messages {
            if let Some(n) = slots[m].take() {
                out.push(ThreadEntry { summary: n.summary, depth, more: more.clone() });
            }
        }
        push_level(&visible(&t, &t.cs[c].children), depth + 1, &more, &mut stack);
    }
    out
}

/// Pushes one level's containers (in order, so the first pops first) with their flags.
fn push_level(level: &[usize], depth: usize, above: &[bool], stack: &mut Vec<(usize, usize, Vec<bool>)>) {
    for (i, &c) in level.iter().enumerate().rev() {
        let mut more = above.to_vec();
        if depth > 0 {
            more.push(i + 1 < level.len());
        }
        stack.push((c, depth, more));
    }
}

/// The containers with messages that stand at a level: a placeholder is replaced by its
/// children (in date order), recursively.
fn visible(t: &Tree, level: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut todo: Vec<usize> = level.iter().rev().copied().collect();
    let mut steps = 0;
    while let Some(c) = todo.pop() {
        steps += 1;
        if steps > t.cs.len() * 2 + 2 {
            break;
        }
        if t.cs[c].messages.is_empty() {
            todo.extend(t.cs[c].children.iter().rev());
        } else {
            out.push(c);
        }
    }
    out
}
