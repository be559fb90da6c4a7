//! Mail as it goes on the wire through the harness's Postfix and Dovecot: a message
//! forwarded as an attachment is a 7bit/8bit `message/rfc822` part that Python's email
//! package reads as a message, and a text attachment keeps its bytes through a draft saved
//! on the server, resumed and sent.

mod common;

use common::*;
use poste::account::{Command, Event};

/// What Python's email package makes of `raw`: per top-level part, its type, its transfer encoding,
/// and for a message/rfc822 part the subject of the message inside, else the size of the
/// decoded payload.
fn python_view(raw: &[u8]) -> String {
    use std::io::Write;
    let script = r#"
import email, sys
from email import policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
for p in m.iter_parts():
    cte = p.get("Content-Transfer-Encoding", "7bit").strip().lower()
    if p.get_content_type() == "message/rfc822":
        inner = p.get_payload()[0]
        print(p.get_content_type(), cte, "subject=" + str(inner["Subject"]))
        continue
    print(p.get_content_type(), cte, "size=%d" % len(p.get_payload(decode=True)))
"#;
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_as_attachment_is_a_message_and_text_attachments_keep_their_bytes() {
    let me = user("wire");
    let rcpt = user("wirercpt");
    let mut a = admin(&me).await;
    // a Latin-1 original: 8bit inside the forward
    let original = b"From: Other <other@example.org>\r\nTo: me@example.org\r\nSubject: caf\xe9 talk\r\n\
        Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <orig@example.org>\r\n\
        Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe!\r\n";
    append(&mut a, "INBOX", original).await;
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let id = setup.store().list(&poste::store::ListQuery::default(), 0, 10).unwrap()[0].id;
    h.send(Command::Open { id, mark_seen: false });
    let raw = wait_for(&mut rx, 30, |e| match e {
        Event::Body { id: got, raw } if *got == id => Some(raw.clone()),
        _ => None,
    })
    .await;
    let loaded = setup.loaded();
    let mut d = poste::compose::forward(&raw, id, &loaded.config.accounts[0], true);
    d.to = rcpt.clone();
    // 19 bytes with LF line ends
    let notes = b"first\nsecond\nthird\n".to_vec();
    assert_eq!(notes.len(), 19);
    d.attachments.push(poste::compose::Attachment {
        name: "notes.txt".into(),
        content_type: "text/plain".into(),
        data: notes.clone(),
    });

    // saved as a draft on the server, resumed from there, sent
    let saved = poste::compose::build(&d, true).unwrap().saved;
    append(&mut a, "Drafts", &saved).await;
    let drafts = wait_messages(&mut a, "Drafts", 1).await;
    let back = poste::compose::parse_draft(&drafts[0].0);
    let kept = back.attachments.iter().find(|x| x.name == "notes.txt").expect("the text attachment");
    assert_eq!(kept.data, notes, "the draft keeps the attachment's bytes");
    send_and_wait(&h, &mut rx, &back).await;
    h.shutdown().await;

    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    let view = python_view(&got[0].0);
    assert!(view.contains("text/plain base64 size=19"), "{view}");
    let fwd = view.lines().find(|l| l.starts_with("message/rfc822")).unwrap_or_else(|| panic!("{view}"));
    assert!(fwd.starts_with("message/rfc822 8bit subject=caf"), "{view}");
    let m = mail_parser::MessageParser::default().parse(&got[0].0).unwrap();
    let notes_part = m.attachments().find(|p| mail_parser::MimeHeaders::attachment_name(*p) == Some("notes.txt"));
    assert_eq!(notes_part.unwrap().contents(), notes);
}
