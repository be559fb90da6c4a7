//! Secrets stay out of the log: with `POSTE_LOG=trace`, a real IMAP login (AUTHENTICATE
//! PLAIN and its SASL answer), a POP3 login and an SMTP send leave no password, and no
//! base64 form of one, in the log file, which still shows the commands.

mod common;

use base64::Engine;
use common::*;

fn log_of(setup: &Setup) -> String {
    std::fs::read_to_string(setup.dir.path().join("cache/poste/poste.log")).unwrap_or_default()
}

/// The password and the base64 forms a login may write of it.
fn secret_forms(user: &str) -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec!["secret".into(), b64("secret"), b64(&format!("\0{user}\0secret")), b64(&format!("{user}\0{user}\0secret"))]
}

fn assert_clean(log: &str, user: &str) {
    for s in secret_forms(user) {
        assert!(!log.contains(&s), "the log holds {s:?}:\n{log}");
    }
}

#[test]
fn a_trace_log_of_imap_pop3_and_smtp_logins_holds_no_password() {
    let me = user("logtrace");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let trace = [("POSTE_LOG", "trace")];

    // IMAP: AUTHENTICATE PLAIN, then the SASL answer on a line of its own
    let out = setup.poste_with(&["check"], &trace);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = log_of(&setup);
    assert!(log.contains("TRACE async_imap"), "the IMAP library's trace is in the log:\n{log}");
    assert!(log.contains("AUTHENTICATE PLAIN"), "the command still shows:\n{log}");
    assert!(log.contains("input: None, Ok(\"[redacted]\")"), "the SASL answer is replaced:\n{log}");
    assert_clean(&log, &me);

    // SMTP (AUTH on the submission port) and the Sent copy over IMAP
    let out = setup
        .poste_with(&["compose", "--account", "test", "--to", &me, "--subject", "traced", "--allow-empty"], &trace);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_clean(&log_of(&setup), &me);

    // POP3: USER/PASS or AUTH PLAIN
    setup.pop3(servers().pop3s, "leave_on_server = true");
    let out = setup.poste_with(&["check"], &trace);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = log_of(&setup);
    assert!(log.lines().count() > 20, "{log}");
    assert_clean(&log, &me);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poste_send_never_sends_a_bcc_header_however_it_is_written() {
    let me = user("bccsend");
    let rcpt = user("bccrcpt");
    let hidden = [user("bcchid"), user("bcchid"), user("bcchid")];
    // Postfix drops Bcc lines itself, so what poste hands over is read in the Outbox: the
    // server is away when the message is sent, and back for the next sync
    let proxy = proxy::Proxy::start(servers().submission).await;
    let setup = Setup::new(&me, None, "");
    setup.smtp(Some(proxy.port), "");
    proxy.stop();
    // a space before the colon, capitals, a tab, and a folded list
    let raw = format!(
        "From: {me}\r\nTo: {rcpt}\r\nBcc : {}\r\nBCC:\t{},\r\n {}\r\nSubject: blind copies\r\n\r\nBcc: in the body stays\r\n",
        hidden[0], hidden[1], hidden[2]
    );
    let file = setup.dir.path().join("m.eml");
    std::fs::write(&file, raw).unwrap();
    let out = setup.poste(&["send", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let id = store.outbox_items(acct).unwrap()[0].id;
    let m = store.outgoing(id).unwrap().unwrap();
    let handed = String::from_utf8_lossy(&m.sent).to_string();
    assert!(!handed.contains("bcchid"), "a blind recipient is in what goes to the server:\n{handed}");
    assert!(handed.contains("Bcc: in the body stays"), "{handed}");
    assert_eq!(m.envelope.to.len(), 4, "every recipient, of both Bcc lines: {:?}", m.envelope.to);
    assert!(String::from_utf8_lossy(&m.saved).contains(&format!("Bcc : {}", hidden[0])));

    proxy.resume();
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for who in std::iter::once(&rcpt).chain(&hidden) {
        let mut a = admin(who).await;
        let got = wait_messages(&mut a, "INBOX", 1).await;
        assert_eq!(got.len(), 1, "{who} has it");
        let text = String::from_utf8_lossy(&got[0].0).to_string();
        assert!(!text.contains("bcchid"), "a blind recipient shows in what {who} got:\n{text}");
    }
    let mut a = admin(&me).await;
    let sent = wait_messages(&mut a, "Sent", 1).await;
    assert_eq!(sent.len(), 1);
    let text = String::from_utf8_lossy(&sent[0].0).to_string();
    assert!(
        text.contains(&format!("Bcc : {}", hidden[0])) && text.contains(&hidden[2]),
        "the Sent copy keeps Bcc:\n{text}"
    );
}

#[test]
fn a_readable_config_with_a_pop3_or_smtp_password_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let text = format!(
        "data_dir = {data:?}\n\
         [[accounts]]\nname = \"pop\"\nemail = \"p@x.org\"\nprotocol = \"pop3\"\n\
         [accounts.pop3]\nhost = \"h\"\nusername = \"p\"\npassword = \"pw1\"\n\
         [[accounts]]\nname = \"sender\"\nemail = \"s@x.org\"\nprotocol = \"imap\"\n\
         [accounts.imap]\nhost = \"h\"\nusername = \"s\"\npassword_command = \"echo x\"\n\
         [accounts.smtp]\nhost = \"h\"\npassword = \"pw2\"\n\
         [[accounts]]\nname = \"safe\"\nemail = \"q@x.org\"\nprotocol = \"imap\"\n\
         [accounts.imap]\nhost = \"h\"\nusername = \"q\"\npassword_command = \"echo x\"\n",
        data = dir.path().join("data"),
    );
    std::fs::write(&cfg, text).unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run_poste(&cfg, dir.path(), &["list"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: account pop keeps its POP3 password in"), "{err}");
    assert!(err.contains("warning: account sender keeps its SMTP password in"), "{err}");
    assert!(!err.contains("account safe"), "{err}");
    // private to its owner: no warning
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run_poste(&cfg, dir.path(), &["list"], &[]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}
