//! `poste send` and `poste compose` through the harness's Postfix: which account sends a
//! message whose From is none of them or missing, and where compose takes its body from
//! (the editor on a terminal, else stdin; an empty one is refused).

mod common;

use common::tmux::Tmux;
use common::*;
use std::io::Write;
use std::process::{Output, Stdio};

/// A second account, that has no server to reach, after the `test` account and its SMTP.
fn with_second_account(setup: &Setup) {
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    text.push_str(
        "[[accounts]]\nname = \"other\"\nemail = \"other@example.org\"\nprotocol = \"imap\"\n\
         [accounts.imap]\nhost = \"127.0.0.1\"\nport = 1\nusername = \"o\"\npassword_command = \"echo x\"\n",
    );
    std::fs::write(&setup.config, text).unwrap();
}

/// poste with `args`, `input` on its stdin.
fn poste_stdin(setup: &Setup, args: &[&str], input: &[u8]) -> Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poste"))
        .arg("--config")
        .arg(&setup.config)
        .args(args)
        .env("XDG_CACHE_HOME", setup.dir.path().join("cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_needs_an_account_for_a_stranger_from_and_adds_a_missing_from() {
    let me = user("fromless");
    let rcpt = user("fromrcpt");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    with_second_account(&setup);
    let file = setup.dir.path().join("m.eml");

    std::fs::write(&file, format!("From: stranger@example.org\r\nTo: {rcpt}\r\nSubject: who\r\n\r\nbody\r\n")).unwrap();
    let out = setup.poste(&["send", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("stranger@example.org is none of the accounts' addresses") && err.contains("--account"),
        "{err}"
    );

    std::fs::write(&file, format!("From: {me}\r\nTo: bob@@x\r\nSubject: bad\r\n\r\nbody\r\n")).unwrap();
    let out = setup.poste(&["send", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"bob@@x\" is not a valid address: nothing was sent"), "{}", stderr(&out));
    let store = setup.store();
    for (id, _) in store.accounts().unwrap() {
        assert!(store.outbox_items(id).unwrap().is_empty(), "not in the Outbox");
    }
    drop(store);

    std::fs::write(&file, "\n").unwrap();
    let out = setup.poste(&["send", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the message is empty"), "{}", stderr(&out));

    std::fs::write(&file, format!("To: {rcpt}\r\nSubject: fromless\r\n\r\nno From here\r\n")).unwrap();
    let out = setup.poste(&["send", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("the message has no From header: give --account NAME"), "{}", stderr(&out));

    let out = setup.poste(&["send", "--account", "test", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("no From header: sending it from {me} (account test)")), "{}", stderr(&out));
    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    assert_eq!(got.len(), 1, "only the message with an account went");
    let text = String::from_utf8_lossy(&got[0].0).to_string();
    assert!(text.contains(&format!("From: {me}\r\n")) && text.contains("no From here"), "{text}");
    let mut a = admin(&me).await;
    let sent = wait_messages(&mut a, "Sent", 1).await;
    assert!(String::from_utf8_lossy(&sent[0].0).contains(&format!("From: {me}\r\n")), "the Sent copy has it too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_reads_the_body_from_stdin_and_refuses_an_empty_one() {
    let me = user("stdinbody");
    let rcpt = user("stdinrcpt");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let args = ["compose", "--account", "test", "--to", &rcpt, "--subject", "piped"];
    let out = poste_stdin(&setup, &args, b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("the body is empty: nothing was sent (give --allow-empty"), "{}", stderr(&out));
    let out = poste_stdin(&setup, &args, "Grüße from a pipe\n".as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    assert_eq!(got.len(), 1, "the empty one was not sent");
    let m = mail_parser::MessageParser::default().parse(&got[0].0).unwrap();
    assert_eq!(m.body_text(0).unwrap().trim_end(), "Grüße from a pipe");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_on_a_terminal_opens_the_editor_for_the_body() {
    let me = user("editorbody");
    let rcpt = user("editorrcpt");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let editor = setup.dir.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf 'written in the editor\\n' > \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let env = format!("XDG_CACHE_HOME={:?} VISUAL= EDITOR={editor:?}", setup.dir.path().join("cache"));
    let args = format!("--config {:?} compose --account test --to {rcpt} --subject edited", setup.config);
    let tmux = Tmux::start_args("composeedit", &env, &args);
    tmux.wait("sent: edited", 30);
    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    let m = mail_parser::MessageParser::default().parse(&got[0].0).unwrap();
    assert_eq!(m.body_text(0).unwrap().trim_end(), "written in the editor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_ui_shows_what_the_cli_left_in_the_outbox() {
    let me = user("uioutbox");
    let setup = Setup::new(&me, None, "");
    // nothing listens there: the message stays in the Outbox
    setup.smtp(Some(1), "");
    let ui = Tmux::start("uioutbox", &setup);
    ui.wait("test:online", 30);
    // (once the first sync has said so, which would cover the answer)
    ui.wait("up to date", 30);
    ui.keys(&["O"]);
    ui.wait("the Outbox is empty", 10);
    let out =
        setup.poste(&["compose", "--account", "test", "--to", "x@localhost", "--subject", "fromcli", "--allow-empty"]);
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("handing this to it") && err.contains("kept in the Outbox"), "{err}");
    ui.keys(&["O"]);
    let screen = ui.wait("test: fromcli", 20);
    assert!(screen.contains("waiting"), "{screen}");
}
