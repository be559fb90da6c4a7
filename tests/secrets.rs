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
    let out = setup.poste_with(&["compose", "--account", "test", "--to", &me, "--subject", "traced"], &trace);
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
