//! Queries and what they become: the normalized tree, the SQL condition with its
//! arguments, the IMAP keys; and bad queries with their errors.

use super::*;
use chrono::TimeZone;

fn now() -> Now {
    chrono::FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap()
}

fn ts(y: i32, m: u32, d: u32) -> i64 {
    chrono::FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap().timestamp()
}

fn inbox() -> Scope<'static> {
    Scope { name: "INBOX", display: "INBOX", role: Some(crate::model::SpecialUse::Inbox), account: "work" }
}

fn args(c: &Compiled) -> String {
    c.args
        .iter()
        .map(|a| match a {
            rusqlite::types::Value::Text(t) => format!("{t:?}"),
            rusqlite::types::Value::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

const M: &str = "m.id IN (SELECT rowid FROM search WHERE search MATCH ?)";

#[test]
fn queries_become_trees_sql_and_imap_keys() {
    let folder_in = "m.folder_id IN (SELECT id FROM folders WHERE name = ? COLLATE NOCASE \
             OR display = ? COLLATE NOCASE OR special_use = lower(?))";
    let table: Vec<(&str, String, String, String, Option<&str>)> = vec![
        ("", "(and)".to_string(), "1".into(), "".into(), Some("ALL")),
        ("alice", r#"any:"alice"*"#.to_string(), M.into(), r#""\"alice\"*""#.into(), Some(r#"TEXT "alice""#)),
        (
            "hello world",
            r#"(and any:"hello"* any:"world"*)"#.to_string(),
            M.into(),
            r#""(\"hello\"*) AND (\"world\"*)""#.into(),
            Some(r#"TEXT "hello" TEXT "world""#),
        ),
        (
            r#""hello world""#,
            r#"any:"hello world""#.to_string(),
            M.into(),
            r#""\"hello world\"""#.into(),
            Some(r#"TEXT "hello world""#),
        ),
        ("from:ali", r#"from:"ali"*"#.to_string(), M.into(), r#""sender : \"ali\"*""#.into(), Some(r#"FROM "ali""#)),
        (
            r#"subject:"q3 report" to:bob cc:carol body:budget"#,
            r#"(and subject:"q3 report" to:"bob"* cc:"carol"* body:"budget"*)"#.to_string(),
            M.into(),
            r#""(subject : \"q3 report\") AND (recipients : \"bob\"*) AND (cc : \"carol\"*) AND (body : \"budget\"*)""#
                .into(),
            Some(r#"SUBJECT "q3 report" TO "bob" CC "carol" BODY "budget""#),
        ),
        (
            "has:attachment",
            "has:attachment".to_string(),
            "m.has_attachments = 1".into(),
            "".into(),
            Some("HEADER Content-Type \"multipart/mixed\""),
        ),
        ("is:unread", "is:unread".to_string(), "(m.flags & 1) = 0".into(), "".into(), Some("UNSEEN")),
        ("is:read", "is:read".to_string(), "(m.flags & 1) != 0".into(), "".into(), Some("SEEN")),
        ("is:flagged", "is:flagged".to_string(), "(m.flags & 4) != 0".into(), "".into(), Some("FLAGGED")),
        ("is:answered", "is:answered".to_string(), "(m.flags & 2) != 0".into(), "".into(), Some("ANSWERED")),
        ("is:draft", "is:draft".to_string(), "(m.flags & 16) != 0".into(), "".into(), Some("DRAFT")),
        ("in:inbox", r#"in:"inbox""#.to_string(), folder_in.into(), r#""inbox", "inbox", "inbox""#.into(), Some("ALL")),
        ("in:Sent", r#"in:"Sent""#.to_string(), folder_in.into(), r#""Sent", "Sent", "Sent""#.into(), None),
        (
            "account:work",
            r#"account:"work""#.to_string(),
            "m.folder_id IN (SELECT f.id FROM folders f JOIN accounts a ON a.id = f.account_id \
             WHERE a.name = ? COLLATE NOCASE)"
                .into(),
            r#""work""#.into(),
            Some("ALL"),
        ),
        (
            "before:2026-02-01",
            format!("date-before:{}..{}", ts(2026, 2, 1), ts(2026, 2, 2)),
            "m.date < ?".into(),
            ts(2026, 2, 1).to_string(),
            Some("SENTBEFORE 1-Feb-2026"),
        ),
        (
            "after:2026-02",
            format!("date-after:{}..{}", ts(2026, 2, 1), ts(2026, 3, 1)),
            "m.date >= ?".into(),
            ts(2026, 2, 1).to_string(),
            Some("SENTSINCE 1-Feb-2026"),
        ),
        (
            "date:2025",
            format!("date-on:{}..{}", ts(2025, 1, 1), ts(2026, 1, 1)),
            "(m.date >= ? AND m.date < ?)".into(),
            format!("{}, {}", ts(2025, 1, 1), ts(2026, 1, 1)),
            Some("(SENTSINCE 1-Jan-2025 SENTBEFORE 1-Jan-2026)"),
        ),
        (
            "date:today",
            format!("date-on:{}..{}", ts(2026, 3, 15), ts(2026, 3, 16)),
            "(m.date >= ? AND m.date < ?)".into(),
            format!("{}, {}", ts(2026, 3, 15), ts(2026, 3, 16)),
            Some("SENTON 15-Mar-2026"),
        ),
        (
            "date:yesterday",
            format!("date-on:{}..{}", ts(2026, 3, 14), ts(2026, 3, 15)),
            "(m.date >= ? AND m.date < ?)".into(),
            format!("{}, {}", ts(2026, 3, 14), ts(2026, 3, 15)),
            Some("SENTON 14-Mar-2026"),
        ),
        (
            "after:7d",
            format!("date-after:{}..open", ts(2026, 3, 8)),
            "m.date >= ?".into(),
            ts(2026, 3, 8).to_string(),
            Some("SENTSINCE 8-Mar-2026"),
        ),
        (
            "date:2w",
            format!("date-on:{}..open", ts(2026, 3, 1)),
            "m.date >= ?".into(),
            ts(2026, 3, 1).to_string(),
            Some("SENTSINCE 1-Mar-2026"),
        ),
        (
            "before:3m",
            format!("date-before:{}..open", ts(2025, 12, 15)),
            "m.date < ?".into(),
            ts(2025, 12, 15).to_string(),
            Some("SENTBEFORE 15-Dec-2025"),
        ),
        (
            "after:1y",
            format!("date-after:{}..open", ts(2025, 3, 15)),
            "m.date >= ?".into(),
            ts(2025, 3, 15).to_string(),
            Some("SENTSINCE 15-Mar-2025"),
        ),
        ("larger:100k", "size-larger:102400".to_string(), "m.size > ?".into(), "102400".into(), Some("LARGER 102400")),
        (
            "smaller:5M",
            "size-smaller:5242880".to_string(),
            "m.size < ?".into(),
            "5242880".into(),
            Some("SMALLER 5242880"),
        ),
        ("larger:2kb", "size-larger:2048".to_string(), "m.size > ?".into(), "2048".into(), Some("LARGER 2048")),
        (
            "alice OR bob",
            r#"(or any:"alice"* any:"bob"*)"#.to_string(),
            M.into(),
            r#""(\"alice\"*) OR (\"bob\"*)""#.into(),
            Some(r#"OR TEXT "alice" TEXT "bob""#),
        ),
        (
            "a OR b OR c",
            r#"(or any:"a"* any:"b"* any:"c"*)"#.to_string(),
            M.into(),
            r#""(\"a\"*) OR (\"b\"*) OR (\"c\"*)""#.into(),
            Some(r#"OR TEXT "a" OR TEXT "b" TEXT "c""#),
        ),
        (
            "-spam",
            r#"(not any:"spam"*)"#.to_string(),
            format!("NOT {M}"),
            r#""\"spam\"*""#.into(),
            Some(r#"NOT TEXT "spam""#),
        ),
        ("NOT is:read", "(not is:read)".to_string(), "NOT (m.flags & 1) != 0".into(), "".into(), Some("NOT SEEN")),
        (
            "report is:unread -from:bob",
            r#"(and any:"report"* is:unread (not from:"bob"*))"#.to_string(),
            format!("({M} AND (m.flags & 1) = 0 AND NOT {M})"),
            r#""\"report\"*", "sender : \"bob\"*""#.into(),
            Some(r#"TEXT "report" UNSEEN NOT FROM "bob""#),
        ),
        (
            "(from:alice OR is:flagged) larger:1M",
            r#"(and (or from:"alice"* is:flagged) size-larger:1048576)"#.to_string(),
            format!("(({M} OR (m.flags & 4) != 0) AND m.size > ?)"),
            r#""sender : \"alice\"*", 1048576"#.into(),
            Some(r#"OR FROM "alice" FLAGGED LARGER 1048576"#),
        ),
        (
            "(in:inbox OR in:archive) invoice",
            r#"(and (or in:"inbox" in:"archive") any:"invoice"*)"#.to_string(),
            format!("({M} AND ({folder_in} OR {folder_in}))"),
            r#""\"invoice\"*", "inbox", "inbox", "inbox", "archive", "archive", "archive""#.into(),
            Some(r#"TEXT "invoice""#),
        ),
        (
            "in:Sent OR x",
            r#"(or in:"Sent" any:"x"*)"#.to_string(),
            format!("({M} OR {folder_in})"),
            r#""\"x\"*", "Sent", "Sent", "Sent""#.into(),
            Some(r#"TEXT "x""#),
        ),
        (
            "-in:inbox x",
            r#"(and (not in:"inbox") any:"x"*)"#.to_string(),
            format!("({M} AND NOT {folder_in})"),
            r#""\"x\"*", "inbox", "inbox", "inbox""#.into(),
            None,
        ),
        // diacritics and quotes reach the index's tokenizer as typed
        ("Müller", r#"any:"Müller"*"#.to_string(), M.into(), r#""\"Müller\"*""#.into(), Some(r#"TEXT "Müller""#)),
        (
            r#"subject:say"hi"#,
            r#"subject:"say\"hi"*"#.to_string(),
            M.into(),
            r#""subject : \"say\"\"hi\"*""#.into(),
            Some(r#"SUBJECT "say\"hi""#),
        ),
        // a word of characters written without spaces: a phrase of single characters
        ("東京都", r#"any:"東京都"*"#.to_string(), M.into(), r#""\" 東  京  都 \"*""#.into(), Some(r#"TEXT "東京都""#)),
        // only punctuation: nothing to look for
        ("- @ ...", r#"(and any:"-"* any:"@"* any:"..."*)"#.to_string(), "1".into(), "".into(), Some("ALL")),
        ("e-mail", r#"any:"e-mail"*"#.to_string(), M.into(), r#""\"e-mail\"*""#.into(), Some(r#"TEXT "e-mail""#)),
        (
            "x AND y",
            r#"(and any:"x"* any:"y"*)"#.to_string(),
            M.into(),
            r#""(\"x\"*) AND (\"y\"*)""#.into(),
            Some(r#"TEXT "x" TEXT "y""#),
        ),
        (
            "or and not",
            r#"(and any:"or"* any:"and"* any:"not"*)"#.to_string(),
            M.into(),
            r#""(\"or\"*) AND (\"and\"*) AND (\"not\"*)""#.into(),
            Some(r#"TEXT "or" TEXT "and" TEXT "not""#),
        ),
    ];
    for (text, tree, sql, sql_args, imap) in &table {
        let q = parse(text, &now()).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(q.to_string(), *tree, "tree of {text}");
        let c = to_sql(&q);
        assert_eq!(&c.sql, sql, "SQL of {text}");
        assert_eq!(&args(&c), sql_args, "SQL arguments of {text}");
        assert_eq!(to_imap(&q, &inbox()).as_deref(), *imap, "IMAP keys of {text}");
    }
}

#[test]
fn bad_queries_name_and_point_at_the_term() {
    let table = [
        ("is:unred", "is:unred: unknown flag 'unred' (is:unread, read, flagged, answered, draft)", 0, 8),
        ("from:bob is:unred", "is:unred: unknown flag 'unred' (is:unread, read, flagged, answered, draft)", 9, 17),
        ("has:pdf", "has:pdf: unknown value 'pdf' (has:attachment)", 0, 7),
        (
            "foo:bar",
            "foo:bar: unknown field 'foo' (from, to, cc, subject, body, has, is, in, account, before, after, \
             date, larger, smaller); put it in quotes to search for the text",
            0,
            7,
        ),
        (
            "x before:2026-13-01",
            "before:2026-13-01: unreadable date '2026-13-01' (YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d, 2w, 3m, 1y)",
            2,
            19,
        ),
        (
            "after:soon",
            "after:soon: unreadable date 'soon' (YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d, 2w, 3m, 1y)",
            0,
            10,
        ),
        ("larger:10q", "larger:10q: unreadable size '10q' (bytes, or with k, M, G: 500, 100k, 5M)", 0, 10),
        ("smaller:k", "smaller:k: unreadable size 'k' (bytes, or with k, M, G: 500, 100k, 5M)", 0, 9),
        ("from:", "from:: needs a value (from:...)", 0, 5),
        ("a \"open phrase", "\"open phrase: no closing quote", 2, 14),
        ("subject:\"x", "subject:\"x: no closing quote", 0, 10),
        ("(a OR b", "(: this '(' is never closed", 0, 1),
        ("a)", "): no '(' to close", 1, 2),
        ("a () b", "(): empty parentheses", 2, 4),
        ("OR a", "OR: nothing before OR", 0, 2),
        ("a OR", "OR: nothing after OR", 2, 4),
        ("a OR )", "OR: nothing after OR", 2, 4),
        ("a NOT", "NOT: nothing after it to leave out", 2, 5),
        ("AND a", "AND: nothing before AND", 0, 3),
        ("ö is:x", "is:x: unknown flag 'x' (is:unread, read, flagged, answered, draft)", 2, 6),
    ];
    for (text, message, start, end) in table {
        let e = parse(text, &now()).expect_err(text);
        assert_eq!(e.to_string(), message, "error of {text}");
        assert_eq!((e.start, e.end), (start, end), "place of the error in {text}");
    }
    let e = parse("from:bob is:unred", &now()).unwrap_err();
    assert_eq!(e.pointer("from:bob is:unred"), "from:bob is:unred\n         ^^^^^^^^");
}

#[test]
fn searches_bodies_is_true_for_free_words_and_body_terms() {
    let q = |t| parse(t, &now()).unwrap();
    assert!(q("alice").searches_bodies());
    assert!(q("from:bob -body:x").searches_bodies());
    assert!(!q("from:bob subject:x is:unread").searches_bodies());
}

#[test]
fn text_without_spaces_is_split_for_the_index() {
    assert_eq!(fts_text("plain text"), "plain text");
    assert_eq!(fts_text("会議は明日"), " 会  議  は  明  日 ");
    assert_eq!(fts_text("iPhone15を"), "iPhone15 を ");
}
