//! Reading query text: words, "phrases", `field:value` terms, `-`/`NOT`, `OR`, `AND`
//! and parentheses, into a `Query`. Errors name the term and where it is.

use super::values::{self, DATE_FORMS, SIZE_FORMS};
use super::{DateCmp, Field, FlagTerm, Now, Query, QueryError, SizeCmp, Term};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Or,
    And,
    /// `NOT`, or `-` directly before a term.
    Not,
    /// A word, a "phrase", or a `field:value`.
    Word {
        field: Option<String>,
        value: String,
        quoted: bool,
    },
}

#[derive(Debug, Clone)]
struct Spanned {
    tok: Tok,
    start: usize,
    end: usize,
}

const FIELDS: &str = "from, to, cc, subject, body, has, is, in, account, before, after, date, larger, smaller";

/// Parses query text; `now` is when relative dates (`7d`, `today`) count from.
pub fn parse(text: &str, now: &Now) -> Result<Query, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let toks = lex(&chars)?;
    let mut p = Parser { chars: &chars, toks: &toks, at: 0, now };
    let q = p.or()?;
    if let Some(t) = toks.get(p.at) {
        return Err(p.error(t, "no '(' to close"));
    }
    Ok(q)
}

fn lex(chars: &[char]) -> Result<Vec<Spanned>, QueryError> {
    let mut out = Vec::new();
    let mut i = 0;
    let stop = |c: char| c.is_whitespace() || c == '(' || c == ')';
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::Open
            }
            ')' => {
                i += 1;
                Tok::Close
            }
            '-' if chars.get(i + 1).is_some_and(|&n| !stop(n)) => {
                i += 1;
                Tok::Not
            }
            '"' => {
                let (value, end) = quoted(chars, i)?;
                i = end;
                Tok::Word { field: None, value, quoted: true }
            }
            _ => {
                let letters = chars[i..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                if letters > 0 && chars.get(i + letters) == Some(&':') {
                    let field: String = chars[i..i + letters].iter().collect::<String>().to_ascii_lowercase();
                    let v = i + letters + 1;
                    if chars.get(v) == Some(&'"') {
                        let (value, end) = quoted(chars, v)?;
                        i = end;
                        Tok::Word { field: Some(field), value, quoted: true }
                    } else {
                        let len = chars[v..].iter().take_while(|&&c| !stop(c)).count();
                        i = v + len;
                        Tok::Word { field: Some(field), value: chars[v..i].iter().collect(), quoted: false }
                    }
                } else {
                    let len = chars[i..].iter().take_while(|&&c| !stop(c)).count();
                    let word: String = chars[i..i + len].iter().collect();
                    i += len;
                    match word.as_str() {
                        "OR" => Tok::Or,
                        "AND" => Tok::And,
                        "NOT" => Tok::Not,
                        _ => Tok::Word { field: None, value: word, quoted: false },
                    }
                }
            }
        };
        out.push(Spanned { tok, start, end: i });
    }
    Ok(out)
}

/// The text of a quoted string starting at `open`, and the index after its closing quote.
fn quoted(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    match chars[open + 1..].iter().position(|&c| c == '"') {
        Some(len) => Ok((chars[open + 1..open + 1 + len].iter().collect(), open + len + 2)),
        None => {
            let start = chars[..open].iter().rposition(|c| c.is_whitespace() || *c == '(').map_or(0, |p| p + 1);
            Err(QueryError {
                term: chars[start..].iter().collect(),
                start,
                end: chars.len(),
                detail: "no closing quote".into(),
            })
        }
    }
}

struct Parser<'a> {
    chars: &'a [char],
    toks: &'a [Spanned],
    at: usize,
    now: &'a Now,
}

impl Parser<'_> {
    fn error(&self, t: &Spanned, detail: impl Into<String>) -> QueryError {
        QueryError {
            term: self.chars[t.start..t.end].iter().collect(),
            start: t.start,
            end: t.end,
            detail: detail.into(),
        }
    }

    fn peek(&self) -> Option<&Spanned> {
        self.toks.get(self.at)
    }

    /// Whether nothing that could start a term comes next.
    fn at_end_of_terms(&self) -> bool {
        matches!(self.peek().map(|t| &t.tok), None | Some(Tok::Close | Tok::Or))
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut alts = vec![self.and()?];
        while let Some(t) = self.peek().filter(|t| t.tok == Tok::Or).cloned() {
            self.at += 1;
            if self.at_end_of_terms() {
                return Err(self.error(&t, "nothing after OR"));
            }
            alts.push(self.and()?);
        }
        Ok(if alts.len() == 1 { alts.remove(0) } else { Query::Or(alts) })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut all = Vec::new();
        while let Some(t) = self.peek().cloned() {
            match t.tok {
                Tok::Close => break,
                Tok::Or if all.is_empty() => return Err(self.error(&t, "nothing before OR")),
                Tok::Or => break,
                Tok::And => {
                    self.at += 1;
                    if all.is_empty() {
                        return Err(self.error(&t, "nothing before AND"));
                    }
                    if self.at_end_of_terms() {
                        return Err(self.error(&t, "nothing after AND"));
                    }
                }
                _ => all.push(self.unary()?),
            }
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Query::And(all) })
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        let Some(t) = self.peek().cloned() else { return Ok(Query::And(Vec::new())) };
        match &t.tok {
            Tok::Not => {
                self.at += 1;
                if self.at_end_of_terms() {
                    return Err(self.error(&t, "nothing after it to leave out"));
                }
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            Tok::Open => {
                self.at += 1;
                if self.peek().is_some_and(|n| n.tok == Tok::Close) {
                    return Err(QueryError {
                        term: "()".into(),
                        start: t.start,
                        end: t.end + 1,
                        detail: "empty parentheses".into(),
                    });
                }
                let inner = self.or()?;
                match self.peek() {
                    Some(c) if c.tok == Tok::Close => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err(self.error(&t, "this '(' is never closed")),
                }
            }
            Tok::Word { field, value, quoted } => {
                self.at += 1;
                self.term(&t, field.as_deref(), value, *quoted).map(Query::Term)
            }
            Tok::Close | Tok::Or | Tok::And => Err(self.error(&t, "unexpected here")),
        }
    }

    fn term(&self, t: &Spanned, field: Option<&str>, value: &str, quoted: bool) -> Result<Term, QueryError> {
        let text = |field| Term::Text { field, text: value.to_string(), exact: quoted };
        let Some(name) = field else { return Ok(text(Field::Any)) };
        if value.is_empty() {
            return Err(self.error(t, format!("needs a value ({name}:...)")));
        }
        let lower = value.to_lowercase();
        Ok(match name {
            "from" => text(Field::From),
            "to" => text(Field::To),
            "cc" => text(Field::Cc),
            "subject" => text(Field::Subject),
            "body" => text(Field::Body),
            "has" => match lower.as_str() {
                "attachment" | "attachments" => Term::Attachment,
                _ => return Err(self.error(t, format!("unknown value '{value}' (has:attachment)"))),
            },
            "is" => Term::Is(match lower.as_str() {
                "unread" | "unseen" | "new" => FlagTerm::Unread,
                "read" | "seen" => FlagTerm::Read,
                "flagged" | "starred" => FlagTerm::Flagged,
                "answered" | "replied" => FlagTerm::Answered,
                "draft" => FlagTerm::Draft,
                _ => {
                    return Err(
                        self.error(t, format!("unknown flag '{value}' (is:unread, read, flagged, answered, draft)"))
                    );
                }
            }),
            "in" | "folder" => Term::Folder(value.to_string()),
            "account" => Term::Account(value.to_string()),
            "before" | "after" | "date" => {
                let cmp = match name {
                    "before" => DateCmp::Before,
                    "after" => DateCmp::After,
                    _ => DateCmp::On,
                };
                match values::date(value, self.now) {
                    Some(r) => Term::Date(cmp, r),
                    None => return Err(self.error(t, format!("unreadable date '{value}' ({DATE_FORMS})"))),
                }
            }
            "larger" | "smaller" => {
                let cmp = if name == "larger" { SizeCmp::Larger } else { SizeCmp::Smaller };
                match values::size(value) {
                    Some(n) => Term::Size(cmp, n),
                    None => return Err(self.error(t, format!("unreadable size '{value}' ({SIZE_FORMS})"))),
                }
            }
            other => {
                return Err(self
                    .error(t, format!("unknown field '{other}' ({FIELDS}); put it in quotes to search for the text")));
            }
        })
    }
}
