//! Rendering tests over the fixture messages in `tests/fixtures`.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name))
    };
}

#[test]
fn plain_text_message() {
    let r = render(fixture!("plain.eml"), 80);
    assert_eq!(r.subject, "Plain hello");
    assert!(r.body.contains("this is plain text."));
    assert!(!r.body.contains('\r'));
    assert_eq!(r.headers[0], ("From".into(), "Alice Example <alice@example.com>".into()));
    assert!(r.attachments.is_empty());
}

#[test]
fn html_only_becomes_text_with_numbered_links() {
    let r = render(fixture!("html.eml"), 80);
    assert!(r.body.contains("Weekly news"), "{}", r.body);
    assert!(!r.body.contains("<p>"));
    assert_eq!(r.links, vec!["https://example.com/story", "https://example.com/more"]);
    assert!(r.body.contains("[1]") && r.body.contains("[2] https://example.com/more"), "{}", r.body);
}

#[test]
fn alternative_prefers_plain() {
    let r = render(fixture!("alternative.eml"), 80);
    assert!(r.body.contains("The plain version."));
    assert!(!r.body.contains("HTML"));
}

#[test]
fn attachments_are_listed_with_type_and_size() {
    let r = render(fixture!("attachments.eml"), 80);
    assert!(r.body.contains("See the report."));
    assert_eq!(r.attachments.len(), 2);
    assert_eq!(r.attachments[0].name, "report.pdf");
    assert_eq!(r.attachments[0].mime_type, "application/pdf");
    assert_eq!(r.attachments[0].size, 26 * 20);
    assert!(summarize(fixture!("attachments.eml")).has_attachments);
}

#[test]
fn iso_8859_1_headers_and_body() {
    let r = render(fixture!("latin1.eml"), 80);
    assert_eq!(r.subject, "Grüße aus Köln");
    assert!(r.headers[0].1.starts_with("Jörg Müller"));
    assert!(r.body.contains("Schöne Grüße!"));
}

#[test]
fn shift_jis_headers_and_body() {
    let r = render(fixture!("shiftjis.eml"), 80);
    assert_eq!(r.subject, "会議の件");
    assert!(r.headers[0].1.starts_with("田中"));
    assert!(r.body.contains("日本語のメールです。"), "{}", r.body);
}

#[test]
fn utf8_encoded_words_join() {
    let s = summarize(fixture!("utf8words.eml"));
    assert_eq!(s.subject, "Café 🎉 tonight");
    assert_eq!(s.from_name, "🎉 Party");
}

#[test]
fn malformed_mime_renders_without_panic() {
    let r = render(fixture!("malformed.eml"), 80);
    assert_eq!(r.subject, "Broken MIME");
    let _ = render(b"", 80);
    let _ = render(b"\xff\xfe\x00garbage", 80);
    let _ = render(b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\n", 80);
}

#[test]
fn hostile_message_is_defused() {
    let r = render(fixture!("hostile.eml"), 80);
    let all = format!("{:?}{}{}", r.headers, r.subject, r.body);
    for bad in ['\x1b', '\x07', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}'] {
        assert!(!all.contains(bad), "{bad:?} survived in {all:?}");
    }
    assert!(r.subject.contains("<RLO>"));
    assert!(r.body.contains("<LRI>isolated<PDI>"));
}

#[test]
fn attachment_named_dotdot_bashrc_is_saved_inside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("downloads");
    let raw = fixture!("attachments.eml");
    let (name, bytes) = attachment_bytes(raw, 1).unwrap();
    assert_eq!(name, "../../.bashrc");
    let p = save_attachment(&target, &name, &bytes).unwrap();
    assert_eq!(p.parent().unwrap(), target);
    let file = p.file_name().unwrap().to_str().unwrap();
    assert!(!file.starts_with('.') && !file.contains(".."), "{file}");
    assert!(!dir.path().join(".bashrc").exists());
    // a second save never overwrites
    let p2 = save_attachment(&target, &name, &bytes).unwrap();
    assert_ne!(p, p2);
    assert_eq!(std::fs::read(&p).unwrap(), bytes);
}

#[test]
fn safe_names() {
    assert_eq!(safe_file_name("a/b\\c"), "a_b_c");
    assert_eq!(safe_file_name("..."), "_.");
    assert_eq!(safe_file_name(""), "attachment");
    assert_eq!(safe_file_name(".hidden"), "hidden");
    assert_eq!(safe_file_name("x\u{202e}gpj.exe"), "x_gpj.exe");
    assert_eq!(safe_file_name("tab\tname\x1b"), "tab_name_");
}

/// Runs `f` on a thread with the 2 MiB stack of a tokio worker.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().expect("no stack overflow");
}

#[test]
fn messages_nested_ten_thousand_deep_render_on_a_small_stack() {
    let mut m = String::new();
    for i in 0..10_000 {
        m.push_str(&format!("From: a@b.example\r\nSubject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n"));
    }
    m.push_str("From: a@b.example\r\nSubject: bottom\r\n\r\nhello\r\n");
    on_small_stack(move || {
        let r = render(m.as_bytes(), 80);
        assert_eq!(r.subject, "level 0");
        assert_eq!(r.attachments.len(), 1);
        assert!(summarize(m.as_bytes()).has_attachments);
        assert!(attachment_bytes(m.as_bytes(), 0).is_ok());
    });
}

#[test]
fn multiparts_nested_ten_thousand_deep_render_on_a_small_stack() {
    let depth = 10_000;
    let mut m = String::from("From: a@b.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    for i in 0..depth {
        m.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nat the bottom\r\n");
    for i in (0..depth).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    on_small_stack(move || {
        let r = render(m.as_bytes(), 80);
        assert!(r.body.contains("at the bottom"), "{}", r.body);
    });
}

#[test]
fn reply_to_shows_when_it_is_not_the_sender_and_missing_headers_are_left_out() {
    let r = render(b"From: Ann <ann@x.org>\r\nReply-To: list@x.org\r\nSubject: hi\r\n\r\nbody\r\n", 80);
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["From", "Reply-To", "Subject"]);
    assert_eq!(r.headers[1].1, "list@x.org");
    // the same address (in another case) is not shown twice
    let r = render(
        b"From: Ann <ann@x.org>\r\nReply-To: \"Ann E.\" <ANN@x.org>\r\nTo: bo@y.org\r\n\
Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nSubject: hi\r\n\r\nbody\r\n",
        80,
    );
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["From", "To", "Date", "Subject"]);
}

#[test]
fn flowed_text_is_reflowed_at_the_width() {
    let raw = b"From: a@x.org\r\nSubject: flowed\r\nContent-Type: text/plain; charset=utf-8; Format=Flowed; DelSp=Yes\r\n\r\n\
One paragraph that the sender's client broke at a short wid \r\nth for sending.  \r\n\
It goes on here.\r\n\r\n> A quoted one, also bro \r\n> ken.\r\n";
    let r = render(raw, 40);
    assert_eq!(
        r.body,
        "One paragraph that the sender's client\nbroke at a short width for sending. It\ngoes on here.\n\n\
> A quoted one, also broken.\n"
    );
    // not flowed: the lines stay as they were sent
    let plain = render(b"Subject: x\r\n\r\nshort \r\nlines\r\n", 40);
    assert_eq!(plain.body, "short \nlines\n");
}

#[test]
fn plain_text_links_are_listed() {
    let r = render(b"Subject: x\r\n\r\nThe agenda: https://x.example/agenda.\r\n", 80);
    assert_eq!(r.links, ["https://x.example/agenda"]);
}
