//! A query as a SQL condition on `messages m`: text terms become one FTS5 `MATCH` per
//! group of text terms (never `LIKE`, so the index is used), the rest plain conditions.

use super::{DateCmp, Field, FlagTerm, Query, SizeCmp, Term};
use rusqlite::types::Value;
use std::borrow::Cow;

/// The full-text table, keyed by message row id.
pub const FTS_TABLE: &str = "search";
/// Its columns, in order.
pub const FTS_COLUMNS: [&str; 6] = ["sender", "recipients", "cc", "subject", "body", "attachments"];

/// A SQL boolean expression over `messages m`, with its `?` arguments in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub sql: String,
    pub args: Vec<Value>,
}

/// Text as the index holds it: every character of a script written without spaces
/// (Han, kana) stands alone, so a word of two or more of them is found as a phrase of
/// single characters.
///
/// Chosen over a second, trigram table: trigrams cannot find the many two-character
/// words of Chinese and Japanese, and would store about three index entries per
/// character of every message; single characters cost one entry each, and a phrase
/// query on them needs their positions to be adjacent, which keeps it precise.
pub fn fts_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unspaced) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        if unspaced(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters of scripts written without spaces between words.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // hiragana, katakana
        | 0x31F0..=0x31FF      // katakana extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xF900..=0xFAFF      // compatibility ideographs
        | 0xFF66..=0xFF9F      // half-width katakana
        | 0x20000..=0x3134F) // CJK extensions B to G
}

/// Turns a query into a condition. The empty query is `1`.
pub fn to_sql(q: &Query) -> Compiled {
    let mut out = Compiled { sql: String::new(), args: Vec::new() };
    out.sql = cond(&simplify(q), &mut out.args);
    out
}

/// A query split for a read driven by the full-text index: the FTS5 expression every
/// match must satisfy, and the condition on `messages m` left for the rest. `None` when
/// the query's text terms are not all required (under OR or NOT), or it has none.
pub fn split_text(q: &Query) -> Option<(String, Compiled)> {
    let q = simplify(q);
    if let Some(expr) = fts(&q) {
        return Some((expr, Compiled { sql: "1".into(), args: Vec::new() }));
    }
    let Query::And(v) = &q else { return None };
    let (text, rest): (Vec<Query>, Vec<Query>) = v.iter().cloned().partition(|c| fts(c).is_some());
    let expr = match text.len() {
        0 => return None,
        1 => fts(&text[0])?,
        _ => fts(&Query::And(text))?,
    };
    let mut out = Compiled { sql: String::new(), args: Vec::new() };
    out.sql = cond(&Query::And(rest), &mut out.args);
    Some((expr, out))
}

/// Drops text terms with nothing to search for (only punctuation), as true; And([]) is
/// true and Or([]) false.
pub(super) fn simplify(q: &Query) -> Query {
    match q {
        Query::Term(Term::Text { text, .. }) if !text.chars().any(char::is_alphanumeric) => Query::And(Vec::new()),
        Query::Term(_) => q.clone(),
        Query::Not(inner) => match simplify(inner) {
            Query::And(v) if v.is_empty() => Query::Or(Vec::new()),
            Query::Or(v) if v.is_empty() => Query::And(Vec::new()),
            s => Query::Not(Box::new(s)),
        },
        Query::And(v) => {
            let mut kept = Vec::new();
            for s in v.iter().map(simplify) {
                match s {
                    Query::And(inner) if inner.is_empty() => {}
                    Query::Or(inner) if inner.is_empty() => return Query::Or(Vec::new()),
                    s => kept.push(s),
                }
            }
            if kept.len() == 1 { kept.remove(0) } else { Query::And(kept) }
        }
        Query::Or(v) => {
            let mut kept = Vec::new();
            for s in v.iter().map(simplify) {
                match s {
                    Query::And(inner) if inner.is_empty() => return Query::And(Vec::new()),
                    Query::Or(inner) if inner.is_empty() => {}
                    s => kept.push(s),
                }
            }
            if kept.len() == 1 { kept.remove(0) } else { Query::Or(kept) }
        }
    }
}

/// The FTS5 expression of a query made only of text terms (and AND/OR of them).
fn fts(q: &Query) -> Option<String> {
    match q {
        Query::Term(Term::Text { field, text, exact }) => {
            let column = match field {
                Field::Any => "",
                Field::From => "sender : ",
                Field::To => "recipients : ",
                Field::Cc => "cc : ",
                Field::Subject => "subject : ",
                Field::Body => "body : ",
            };
            let phrase = fts_text(text).replace('"', "\"\"");
            Some(format!("{column}\"{phrase}\"{}", if *exact { "" } else { "*" }))
        }
        Query::And(v) | Query::Or(v) if !v.is_empty() => {
            let op = if matches!(q, Query::And(_)) { " AND " } else { " OR " };
            let parts = v.iter().map(fts).collect::<Option<Vec<_>>>()?;
            Some(parts.iter().map(|p| format!("({p})")).collect::<Vec<_>>().join(op))
        }
        _ => None,
    }
}

fn matching(expr: String, args: &mut Vec<Value>) -> String {
    args.push(Value::Text(expr));
    format!("m.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)")
}

fn cond(q: &Query, args: &mut Vec<Value>) -> String {
    if let Some(expr) = fts(q) {
        return matching(expr, args);
    }
    match q {
        Query::And(v) if v.is_empty() => "1".into(),
        Query::Or(v) if v.is_empty() => "0".into(),
        Query::And(v) | Query::Or(v) => {
            let and = matches!(q, Query::And(_));
            // the text terms of a group go to the index as one expression
            let (text, rest): (Vec<&Query>, Vec<&Query>) = v.iter().partition(|c| fts(c).is_some());
            let mut parts = Vec::new();
            match text.len() {
                0 => {}
                1 => parts.push(cond(text[0], args)),
                _ => {
                    let group = if and {
                        Query::And(text.into_iter().cloned().collect())
                    } else {
                        Query::Or(text.into_iter().cloned().collect())
                    };
                    parts.push(cond(&group, args));
                }
            }
            parts.extend(rest.into_iter().map(|c| cond(c, args)));
            format!("({})", parts.join(if and { " AND " } else { " OR " }))
        }
        Query::Not(inner) => format!("NOT {}", cond(inner, args)),
        Query::Term(t) => term(t, args),
    }
}

fn term(t: &Term, args: &mut Vec<Value>) -> String {
    let mut arg = |v: Value| args.push(v);
    match t {
        Term::Text { .. } => unreachable_text(),
        Term::Attachment => "m.has_attachments = 1".into(),
        Term::Is(flag) => {
            let (bit, set) = match flag {
                FlagTerm::Unread => (crate::model::Flags::SEEN, false),
                FlagTerm::Read => (crate::model::Flags::SEEN, true),
                FlagTerm::Flagged => (crate::model::Flags::FLAGGED, true),
                FlagTerm::Answered => (crate::model::Flags::ANSWERED, true),
                FlagTerm::Draft => (crate::model::Flags::DRAFT, true),
            };
            format!("(m.flags & {bit}) {} 0", if set { "!=" } else { "=" })
        }
        Term::Folder(name) => {
            for _ in 0..3 {
                arg(Value::Text(name.clone()));
            }
            "m.folder_id IN (SELECT id FROM folders WHERE name = ? COLLATE NOCASE \
             OR display = ? COLLATE NOCASE OR special_use = lower(?))"
                .into()
        }
        Term::Account(name) => {
            arg(Value::Text(name.clone()));
            "m.folder_id IN (SELECT f.id FROM folders f JOIN accounts a ON a.id = f.account_id \
             WHERE a.name = ? COLLATE NOCASE)"
                .into()
        }
        Term::Date(cmp, r) => match (cmp, r.end) {
            (DateCmp::Before, _) => {
                arg(Value::Integer(r.start));
                "m.date < ?".into()
            }
            (DateCmp::After, _) | (DateCmp::On, None) => {
                arg(Value::Integer(r.start));
                "m.date >= ?".into()
            }
            (DateCmp::On, Some(end)) => {
                arg(Value::Integer(r.start));
                arg(Value::Integer(end));
                "(m.date >= ? AND m.date < ?)".into()
            }
        },
        Term::Size(cmp, n) => {
            arg(Value::Integer(i64::try_from(*n).unwrap_or(i64::MAX)));
            match cmp {
                SizeCmp::Larger => "m.size > ?".into(),
                SizeCmp::Smaller => "m.size < ?".into(),
            }
        }
    }
}

/// A text term always has an FTS form (`cond` takes it first); this keeps the SQL valid
/// should that ever change.
fn unreachable_text() -> String {
    "0".into()
}
