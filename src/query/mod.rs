//! The search language: a query's syntax tree, its parser, and its translations to SQL
//! over the store (FTS5 `MATCH` for text, plain conditions for the rest) and to IMAP
//! `SEARCH` keys. Pure: no store, no network, and "now" is a parameter.

mod imap;
mod parse;
mod sql;
mod values;

#[cfg(test)]
mod tests;

pub use imap::{Scope, to_imap};
pub use parse::parse;
pub use sql::{Compiled, FTS_COLUMNS, FTS_TABLE, fts_text, split_text, to_sql};
pub use values::{DateRange, Now};

use thiserror::Error;

/// A parsed query. `And(vec![])` (the empty query) matches every message.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    Term(Term),
}

/// One condition of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// Words in a part of the message; `exact` for a quoted phrase, else the last word
    /// is a prefix (`from:ali` finds alice).
    Text { field: Field, text: String, exact: bool },
    /// `has:attachment`
    Attachment,
    /// `is:...`: a flag is set (or, for `Unread`, \Seen is not).
    Is(FlagTerm),
    /// `in:FOLDER`: the folder's name or display name, or its role (`in:sent`).
    Folder(String),
    /// `account:NAME`
    Account(String),
    /// `before:` `after:` `date:`: the message's date against a time range.
    Date(DateCmp, DateRange),
    /// `larger:` (more than) and `smaller:` (less than) a size in bytes.
    Size(SizeCmp, u64),
}

/// Where text is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Every part: sender, recipients, subject, body and attachment names.
    Any,
    From,
    To,
    Cc,
    Subject,
    Body,
}

/// The flags `is:` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagTerm {
    Unread,
    Read,
    Flagged,
    Answered,
    Draft,
}

/// How a date compares with a range: before its start, at or after its start, inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateCmp {
    Before,
    After,
    On,
}

/// `larger:` or `smaller:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeCmp {
    Larger,
    Smaller,
}

/// A query that could not be read: the term (as typed), where it is in the text (in
/// characters, `start..end`), and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{term}: {detail}")]
pub struct QueryError {
    pub term: String,
    pub start: usize,
    pub end: usize,
    pub detail: String,
}

impl QueryError {
    /// Two lines pointing at the term: the query, and carets under the term.
    pub fn pointer(&self, text: &str) -> String {
        let pad: String = text.chars().take(self.start).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let width = self.end.saturating_sub(self.start).max(1);
        format!("{text}\n{pad}{}", "^".repeat(width))
    }
}

impl Query {
    /// True when the query has a text condition that looks in message bodies (a free word
    /// or `body:`), which the server can answer for bodies not stored here.
    pub fn searches_bodies(&self) -> bool {
        match self {
            Query::And(v) | Query::Or(v) => v.iter().any(Query::searches_bodies),
            Query::Not(q) => q.searches_bodies(),
            Query::Term(Term::Text { field, .. }) => matches!(field, Field::Any | Field::Body),
            Query::Term(_) => false,
        }
    }

    /// The `in:` and `account:` terms, whose names must be those of a folder or account.
    pub fn places(&self) -> Vec<&Term> {
        match self {
            Query::And(v) | Query::Or(v) => v.iter().flat_map(Query::places).collect(),
            Query::Not(q) => q.places(),
            Query::Term(t @ (Term::Folder(_) | Term::Account(_))) => vec![t],
            Query::Term(_) => Vec::new(),
        }
    }

    /// True for the empty query (every message).
    pub fn is_all(&self) -> bool {
        matches!(self, Query::And(v) if v.is_empty())
    }
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Any => "any",
            Field::From => "from",
            Field::To => "to",
            Field::Cc => "cc",
            Field::Subject => "subject",
            Field::Body => "body",
        }
    }
}

/// The normalized form of a query, for tests and logs: prefix notation, one term per node.
impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |f: &mut std::fmt::Formatter<'_>, op: &str, v: &[Query]| {
            write!(f, "({op}")?;
            for q in v {
                write!(f, " {q}")?;
            }
            write!(f, ")")
        };
        match self {
            Query::And(v) => list(f, "and", v),
            Query::Or(v) => list(f, "or", v),
            Query::Not(q) => write!(f, "(not {q})"),
            Query::Term(t) => match t {
                Term::Text { field, text, exact } => {
                    write!(f, "{}:{text:?}{}", field.name(), if *exact { "" } else { "*" })
                }
                Term::Attachment => write!(f, "has:attachment"),
                Term::Is(flag) => write!(f, "is:{}", format!("{flag:?}").to_lowercase()),
                Term::Folder(n) => write!(f, "in:{n:?}"),
                Term::Account(n) => write!(f, "account:{n:?}"),
                Term::Date(cmp, r) => {
                    let end = r.end.map_or("open".to_string(), |e| e.to_string());
                    write!(f, "date-{}:{}..{end}", format!("{cmp:?}").to_lowercase(), r.start)
                }
                Term::Size(cmp, n) => write!(f, "size-{}:{n}", format!("{cmp:?}").to_lowercase()),
            },
        }
    }
}
