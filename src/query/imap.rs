//! A query as IMAP `SEARCH` keys for one folder: `in:` and `account:` are answered for
//! that folder (a folder they rule out gets no search at all), the rest becomes keys.

use super::sql::simplify;
use super::{DateCmp, Field, FlagTerm, Query, SizeCmp, Term};

/// The folder a search is for: its server name, display name, role and account.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub name: &'a str,
    pub display: &'a str,
    pub role: Option<crate::model::SpecialUse>,
    pub account: &'a str,
}

impl Scope<'_> {
    fn is_folder(&self, n: &str) -> bool {
        self.name.eq_ignore_ascii_case(n)
            || self.display.eq_ignore_ascii_case(n)
            || self.role.is_some_and(|r| r.as_str().eq_ignore_ascii_case(n))
    }
}

/// The search keys (after `UID SEARCH`, with `CHARSET UTF-8` before them when they are
/// not ASCII) of a query in a folder; None when no message of the folder can match.
pub fn to_imap(q: &Query, scope: &Scope<'_>) -> Option<String> {
    match simplify(&place(q, scope)) {
        Query::Or(v) if v.is_empty() => None,
        Query::And(v) if v.is_empty() => Some("ALL".into()),
        Query::And(v) => Some(v.iter().map(key).collect::<Vec<_>>().join(" ")),
        q => Some(key(&q)),
    }
}

/// The query with its folder and account terms answered for `scope`.
fn place(q: &Query, scope: &Scope<'_>) -> Query {
    let known = |yes: bool| if yes { Query::And(Vec::new()) } else { Query::Or(Vec::new()) };
    match q {
        Query::Term(Term::Folder(n)) => known(scope.is_folder(n)),
        Query::Term(Term::Account(n)) => known(scope.account.eq_ignore_ascii_case(n)),
        Query::Term(_) => q.clone(),
        Query::Not(inner) => Query::Not(Box::new(place(inner, scope))),
        Query::And(v) => Query::And(v.iter().map(|c| place(c, scope)).collect()),
        Query::Or(v) => Query::Or(v.iter().map(|c| place(c, scope)).collect()),
    }
}

/// One search key (a group in parentheses when it is several).
fn key(q: &Query) -> String {
    match q {
        Query::And(v) if v.is_empty() => "ALL".into(),
        Query::Or(v) if v.is_empty() => "NOT ALL".into(),
        Query::And(v) if v.len() == 1 => key(&v[0]),
        Query::And(v) => format!("({})", v.iter().map(key).collect::<Vec<_>>().join(" ")),
        Query::Or(v) => {
            // OR takes two keys: a OR b OR c is OR a (OR b c)
            let mut keys: Vec<String> = v.iter().map(key).collect();
            let mut acc = keys.pop().unwrap_or_else(|| "NOT ALL".into());
            while let Some(k) = keys.pop() {
                acc = format!("OR {k} {acc}");
            }
            acc
        }
        Query::Not(inner) => format!("NOT {}", key(inner)),
        Query::Term(t) => term(t),
    }
}

fn term(t: &Term) -> String {
    let day = |d: chrono::NaiveDate| d.format("%-d-%b-%Y").to_string();
    match t {
        Term::Text { field, text, .. } => {
            let k = match field {
                Field::Any => "TEXT",
                Field::From => "FROM",
                Field::To => "TO",
                Field::Cc => "CC",
                Field::Subject => "SUBJECT",
                Field::Body => "BODY",
            };
            format!("{k} {}", crate::imap::raw::quote(text))
        }
        Term::Attachment => "HEADER Content-Type \"multipart/mixed\"".into(),
        Term::Is(f) => match f {
            FlagTerm::Unread => "UNSEEN",
            FlagTerm::Read => "SEEN",
            FlagTerm::Flagged => "FLAGGED",
            FlagTerm::Answered => "ANSWERED",
            FlagTerm::Draft => "DRAFT",
        }
        .into(),
        // answered by `place`; kept true should one get here
        Term::Folder(_) | Term::Account(_) => "ALL".into(),
        Term::Date(cmp, r) => match (cmp, r.end_day) {
            (DateCmp::Before, _) => format!("SENTBEFORE {}", day(r.first_day)),
            (DateCmp::After, _) | (DateCmp::On, None) => format!("SENTSINCE {}", day(r.first_day)),
            (DateCmp::On, Some(end)) if r.first_day.succ_opt() == Some(end) => format!("SENTON {}", day(r.first_day)),
            (DateCmp::On, Some(end)) => format!("(SENTSINCE {} SENTBEFORE {})", day(r.first_day), day(end)),
        },
        Term::Size(SizeCmp::Larger, n) => format!("LARGER {n}"),
        Term::Size(SizeCmp::Smaller, n) => format!("SMALLER {n}"),
    }
}
