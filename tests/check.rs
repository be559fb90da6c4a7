//! `poste check` against the harness's Dovecot and Postfix: the SMTP login is tested too,
//! `[keys]` mistakes are refused at their line by every command, a config without accounts
//! is an error, and certificate advice fits the `ca_file` in use.

mod common;

use common::*;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_logs_in_to_the_smtp_server_and_sends_nothing() {
    let me = user("checksmtp");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let out = setup.poste(&["check"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let port = servers().submission;
    assert!(text.contains(&format!("test: smtp: ok: 127.0.0.1:{port} over STARTTLS, logged in as {me}")), "{text}");
    assert!(text.contains("test: smtp: server ") && text.contains("AUTH PLAIN"), "{text}");
    assert!(text.contains("config: ") && text.contains("is valid (1 account)"), "{text}");
    // nothing was sent: no copy in Sent, nothing delivered to the account itself
    let mut a = admin(&me).await;
    assert_eq!(a.select("INBOX").await.unwrap().exists, 0);

    // a wrong SMTP password fails the check, and is not shown
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "password_command = \"echo wrong-smtp-pw\"");
    let out = setup.poste(&["check"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("test: ok: 127.0.0.1:"), "the IMAP login still passes: {text}");
    assert!(text.contains("test: smtp: FAILED: authentication failed"), "{text}");
    assert!(!text.contains("wrong-smtp-pw"), "{text}");

    // a server that is not there
    let setup = Setup::new(&me, None, "");
    setup.smtp(Some(1), "");
    let out = setup.poste(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("test: smtp: FAILED: cannot reach 127.0.0.1:1"), "{}", stdout(&out));
}

#[test]
fn a_config_without_accounts_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    for text in ["", "[ui]\nprefetch = 3\n"] {
        std::fs::write(&cfg, text).unwrap();
        let out = run_poste(&cfg, dir.path(), &["check"], &[]);
        assert_eq!(out.status.code(), Some(1), "{text:?}: {out:?}");
        let said = stdout(&out);
        assert!(said.contains(&format!("{} has no accounts", cfg.display())), "{said}");
        assert!(!said.contains("is valid"), "{said}");
    }
}

#[test]
fn keys_mistakes_are_refused_at_their_line_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = {:?}\n[keys]\ndwn = \"x\"\nup = [\"k\", \"Hyper-q\"]\ndown = [\"j\", \"n\"]\nnew_folder = \"n\"\n\
             [[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprotocol = \"imap\"\n[accounts.imap]\nhost = \"127.0.0.1\"\n\
             port = 1\nusername = \"u\"\npassword_command = \"echo x\"\n",
            dir.path().join("data")
        ),
    )
    .unwrap();
    let p = cfg.display();
    for args in [&["check"][..], &["list"], &["sync"]] {
        let out = run_poste(&cfg, dir.path(), args, &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let err = stderr(&out);
        assert!(err.contains(&format!("{p}:3:1: [keys] dwn: no such action")), "{args:?}: {err}");
        assert!(err.contains(&format!("{p}:4:12: [keys] up: unknown key \"Hyper-q\"")), "{args:?}: {err}");
        assert!(
            err.contains(&format!("{p}:6:1: [keys] new_folder: \"n\" is also the key of down: give each")),
            "{args:?}: {err}"
        );
    }
    // the UI refuses it the same way, before it takes the terminal
    let out = run_poste(&cfg, dir.path(), &[], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&format!("{p}:6:1: [keys] new_folder:")), "{}", stderr(&out));
    assert!(!dir.path().join("data").exists(), "nothing was started");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_advice_names_the_ca_file_in_use() {
    let me = user("caadvice");
    let s = servers();
    let setup = Setup::new(&me, None, "");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(&setup.config, text.replace(&format!("{:?}", s.ca), &format!("{:?}", s.other_ca))).unwrap();
    let out = setup.poste(&["check"]);
    let said = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "the ca_file {} was used, and it does not sign this server's certificate",
            s.other_ca.display()
        )),
        "{said}"
    );
    assert!(!said.contains("point ca_file at its certificate"), "ca_file is set already: {said}");

    let setup = Setup::new(&me, None, "");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let text: Vec<&str> = text.lines().filter(|l| !l.starts_with("ca_file")).collect();
    std::fs::write(&setup.config, text.join("\n")).unwrap();
    let out = setup.poste(&["check"]);
    let said = stdout(&out);
    assert!(said.contains("if you trust this server, point ca_file at its certificate or CA"), "{said}");
}
