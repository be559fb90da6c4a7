//! Sending through the harness's Postfix (submission, STARTTLS, AUTH), which delivers into
//! Dovecot: round trips read back over IMAP, Sent copies, threading, the Outbox.

mod common;

use common::*;
use mail_parser::MimeHeaders;
use poste::account::{Command, Event};
use poste::store::outbox::OutState;

fn subject_of(raw: &[u8]) -> String {
    mail_parser::MessageParser::default().parse(raw).and_then(|m| m.subject().map(str::to_string)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_round_trip_keeps_utf8_and_attachment_bytes_and_saves_to_sent() {
    let sender = user("sender");
    let rcpt = user("rcpt");
    let setup = Setup::new(&sender, None, "");
    let cfg = std::fs::read_to_string(&setup.config)
        .unwrap()
        .replace("protocol = \"imap\"", "display_name = \"Jörg Müller\"\nprotocol = \"imap\"");
    std::fs::write(&setup.config, cfg).unwrap();
    setup.smtp(None, "");
    let attachment: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let att_path = setup.dir.path().join("data.bin");
    std::fs::write(&att_path, &attachment).unwrap();
    let body = setup.dir.path().join("body.txt");
    std::fs::write(&body, "Grüße aus Köln!\nZweite Zeile.\n").unwrap();
    let out = setup.poste(&[
        "compose",
        "--account",
        "test",
        "--to",
        &rcpt,
        "--subject",
        "Grüße ☕ über SMTP",
        "--attach",
        att_path.to_str().unwrap(),
        "--body-file",
        body.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    assert_eq!(got.len(), 1, "delivered once");
    let m = mail_parser::MessageParser::default().parse(&got[0].0).unwrap();
    assert_eq!(m.subject(), Some("Grüße ☕ über SMTP"));
    let from = m.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Jörg Müller"));
    assert_eq!(from.address(), Some(sender.as_str()));
    assert!(m.body_text(0).unwrap().contains("Grüße aus Köln!"));
    let att = m.attachment(0).unwrap();
    assert_eq!(att.attachment_name(), Some("data.bin"));
    assert!(att.contents() == attachment.as_slice(), "the attachment, byte for byte");
    assert!(m.date().is_some());
    assert!(m.message_id().unwrap().ends_with("@localhost"));

    // the copy in Sent, on the server, read
    let mut s = admin(&sender).await;
    let sent = wait_messages(&mut s, "Sent", 1).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(subject_of(&sent[0].0), "Grüße ☕ über SMTP");
    assert!(sent[0].1.iter().any(|f| f.contains("Seen")), "{:?}", sent[0].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop3_account_keeps_what_it_sends_in_its_local_sent_folder() {
    let sender = user("popsend");
    let rcpt = user("poprcpt");
    let setup = Setup::new(&sender, None, "");
    setup.pop3(servers().pop3s, "");
    setup.smtp(None, "");
    let raw = format!("From: {sender}\r\nTo: {rcpt}\r\nBcc: hidden-{rcpt}\r\nSubject: from pop3\r\n\r\nhello\r\n");
    let file = setup.dir.path().join("m.eml");
    std::fs::write(&file, raw).unwrap();
    let out = setup.poste(&["send", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    assert_eq!(subject_of(&got[0].0), "from pop3");
    assert!(!String::from_utf8_lossy(&got[0].0).contains("hidden-"), "Bcc is not sent");
    assert!(String::from_utf8_lossy(&got[0].0).contains("Message-ID:"), "a Message-ID was added");
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let sent = store.find_folder(acct, "Sent").unwrap().unwrap();
    let rows = store.list(&poste::store::ListQuery { folder: Some(sent.id), ..Default::default() }, 0, 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].flags.is_seen());
    let saved = store.body(rows[0].id).unwrap().unwrap();
    assert!(String::from_utf8_lossy(&saved).contains("Bcc: hidden-"), "the Sent copy keeps Bcc");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_all_threads_reaches_everyone_else_and_marks_the_original_answered() {
    let me = user("replier");
    let other = user("other");
    let third = user("third");
    let mut a = admin(&me).await;
    let original = format!(
        "From: Other <{other}>\r\nTo: {me}\r\nCc: {third}, Other <{other}>, {}\r\nSubject: Re: Re: question\r\n\
         Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <q2@example.org>\r\nReferences: <q1@example.org>\r\n\r\nWhat do you think?\r\n",
        me.to_uppercase()
    );
    append(&mut a, "INBOX", original.as_bytes()).await;
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let id = store.list(&poste::store::ListQuery::default(), 0, 10).unwrap()[0].id;
    h.send(Command::Open { id, mark_seen: false });
    let raw = wait_for(&mut rx, 30, |e| match e {
        Event::Body { id: got, raw } if *got == id => Some(raw.clone()),
        _ => None,
    })
    .await;
    let loaded = setup.loaded();
    let mut d = poste::compose::reply(&raw, id, &loaded.config.accounts[0], poste::compose::ReplyKind::All);
    assert_eq!(d.subject, "Re: question");
    // the sender once, the others in Cc, and none of my own addresses
    assert_eq!(d.to, format!("Other <{other}>"));
    assert_eq!(d.cc, third);
    d.body = format!("I agree.{}", d.body);
    send_and_wait(&h, &mut rx, &d).await;
    h.shutdown().await;

    let mut o = admin(&other).await;
    let got = wait_messages(&mut o, "INBOX", 1).await;
    let text = String::from_utf8_lossy(&got[0].0).to_string();
    assert!(text.contains("In-Reply-To: <q2@example.org>"), "{text}");
    assert!(text.contains("References: <q1@example.org> <q2@example.org>"), "{text}");
    assert!(text.contains("> What do you think?"), "{text}");
    let mut t = admin(&third).await;
    let got = wait_messages(&mut t, "INBOX", 1).await;
    assert_eq!(got.len(), 1, "the other recipient has it too");
    // delivered to the others by now: a copy to me would be here too
    let inbox = wait_messages(&mut a, "INBOX", 1).await;
    assert_eq!(inbox.len(), 1, "not sent to myself");
    assert!(inbox[0].1.iter().any(|f| f.contains("Answered")), "{:?}", inbox[0].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_keeps_a_message_until_the_server_is_back_and_sends_it_once() {
    let me = user("outbox");
    let rcpt = user("outrcpt");
    let proxy = proxy::Proxy::start(servers().submission).await;
    let setup = Setup::new(&me, None, "");
    setup.smtp(Some(proxy.port), "");
    proxy.stop();
    let out = setup.poste(&["compose", "--account", "test", "--to", &rcpt, "--subject", "queued", "--allow-empty"]);
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kept in the Outbox"));
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    assert_eq!(store.outbox_items(acct).unwrap().len(), 1);
    // still down: a sync leaves it waiting
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(store.outbox_items(acct).unwrap()[0].state, OutState::Queued);
    proxy.resume();
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut r = admin(&rcpt).await;
    assert_eq!(wait_messages(&mut r, "INBOX", 1).await.len(), 1);
    assert!(store.outbox_items(acct).unwrap().is_empty());
    assert!(setup.poste(&["sync"]).status.success());
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(wait_messages(&mut r, "INBOX", 2).await.len(), 1, "delivered exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_rejection_stays_in_the_outbox_with_the_server_text() {
    let me = user("reject");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let out = setup.poste(&[
        "compose",
        "--account",
        "test",
        "--to",
        "rejected@localhost",
        "--subject",
        "no",
        "--allow-empty",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rejected the recipient rejected@localhost") && err.contains("no such mailbox here"), "{err}");
    assert!(err.contains("kept in the Outbox: "), "{err}");
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let ob = store.outbox_items(acct).unwrap();
    assert_eq!(ob[0].state, OutState::Failed);
    assert!(ob[0].error.as_deref().unwrap().contains("no such mailbox here"));
    // a sync does not retry it
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(store.outbox_items(acct).unwrap()[0].state, OutState::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_required_and_no_password_goes_without_it() {
    use fake::Step::*;
    let fake = fake::Fake::start(vec![
        Send("220 fake ESMTP".into()),
        Reply("250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME".into()),
        Reply("221 bye".into()),
        Read,
    ])
    .await;
    let me = user("nostarttls");
    let setup = Setup::new(&me, None, "");
    setup.smtp(Some(fake.port), "");
    let out = setup.poste(&["compose", "--account", "test", "--to", "x@localhost", "--subject", "s", "--allow-empty"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("does not offer STARTTLS"), "{err}");
    let seen = String::from_utf8_lossy(&fake.received.lock().unwrap()).to_string();
    assert!(!seen.contains("AUTH") && !seen.contains("MAIL FROM"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_saved_to_the_server_and_resumed_in_place() {
    let me = user("drafts");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let d = poste::compose::Draft {
        from: me.clone(),
        to: "someone@example.org".into(),
        subject: "unfinished".into(),
        body: "first thoughts\n".into(),
        message_id: Some(poste::compose::new_message_id("localhost")),
        ..Default::default()
    };
    let built = poste::compose::build(&d, true).unwrap();
    h.send(Command::SaveDraft { raw: built.saved, replaces: None });
    let mut a = admin(&me).await;
    let drafts = wait_messages(&mut a, "Drafts", 1).await;
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].1.iter().any(|f| f.contains("Draft")), "{:?}", drafts[0].1);

    // resumed: read back, changed, saved again in its place
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let folder = store.find_folder(acct, "Drafts").unwrap().unwrap();
    let id =
        store.list(&poste::store::ListQuery { folder: Some(folder.id), ..Default::default() }, 0, 5).unwrap()[0].id;
    let mut back = poste::compose::parse_draft(&drafts[0].0);
    assert_eq!((back.subject.as_str(), back.to.as_str()), ("unfinished", "someone@example.org"));
    assert_eq!(back.message_id, d.message_id, "the same draft");
    back.body.push_str("second thoughts\n");
    let built = poste::compose::build(&back, true).unwrap();
    h.send(Command::SaveDraft { raw: built.saved, replaces: Some(id) });
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let drafts = wait_messages(&mut a, "Drafts", 1).await;
    assert_eq!(drafts.len(), 1, "the new version replaced the old");
    assert!(String::from_utf8_lossy(&drafts[0].0).contains("second thoughts"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_cut_short_is_kept_as_unknown_and_never_resent() {
    use fake::Step::*;
    let fake = fake::Fake::start(vec![
        Send("220 fake ESMTP".into()),
        Reply("250-fake\r\n250 8BITMIME".into()),
        Reply("250 sender ok".into()),
        Reply("250 recipient ok".into()),
        Reply("354 go ahead".into()),
        Read,
        Read,
        // the connection drops before the server says whether it took the message
        Close,
    ])
    .await;
    let me = user("unknown");
    let setup = Setup::new(&me, None, "");
    setup.smtp(Some(fake.port), "tls = \"none\"\nusername = \"\"");
    let out =
        setup.poste(&["compose", "--account", "test", "--to", "x@localhost", "--subject", "maybe", "--allow-empty"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("check before resending") && err.contains("kept in the Outbox: "), "{err}");
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    assert_eq!(store.outbox_items(acct).unwrap()[0].state, OutState::Unknown);
    // a later sync does not send it again
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(*fake.connections.lock().unwrap(), 1);
    assert_eq!(store.outbox_items(acct).unwrap()[0].state, OutState::Unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_certificate_failures_name_their_cause() {
    let me = user("smtpbad");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "password_command = \"echo wrong\"");
    let out = setup.poste(&["compose", "--account", "test", "--to", "x@localhost", "--subject", "s", "--allow-empty"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("authentication failed") && err.contains("kept in the Outbox: "), "{err}");
    assert!(!err.contains("wrong"), "the password is not shown: {err}");

    let setup = Setup::new(&me, None, "");
    setup.smtp(None, &format!("ca_file = {:?}", servers().other_ca));
    let out = setup.poste(&["compose", "--account", "test", "--to", "x@localhost", "--subject", "s", "--allow-empty"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("TLS with 127.0.0.1 failed"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_is_given_up_on_and_the_message_kept() {
    use fake::Step::*;
    // it takes the connection and says nothing
    let fake = fake::Fake::start(vec![Read]).await;
    let me = user("silent");
    let setup = Setup::new(&me, None, "");
    setup.smtp(Some(fake.port), "tls = \"none\"\nusername = \"\"");
    let started = std::time::Instant::now();
    let out =
        setup.poste(&["compose", "--account", "test", "--to", "x@localhost", "--subject", "later", "--allow-empty"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "kept in the Outbox: {err}");
    assert!(err.contains("did not answer within 10 s"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "it gave up in time");
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    assert_eq!(store.outbox_items(acct).unwrap()[0].state, OutState::Queued);
}
