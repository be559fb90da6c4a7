//! What a hostile server (or a sender, through a server) can do to poste, played by scripted
//! servers: badly encoded folder names, deep nesting, floods, stalls and endless answers.
//! Each test names the finding it guards against.

mod common;
#[path = "hostile/servers.rs"]
mod servers;

use common::fake::{Fake, Step};
use common::*;
use poste::secret::PasswordSource;

/// A fake IMAP server's greeting and login, without a folder selected.
fn login() -> Vec<Step> {
    vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake".into()),
        Step::Reply("+ ".into()),
        Step::Reply("{tag} OK [CAPABILITY IMAP4rev1] logged in".into()),
        Step::Reply("* CAPABILITY IMAP4rev1\r\n{tag} OK done".into()),
    ]
}

/// The IMAP settings of a plain-text account on `port`, with `extra` keys.
fn imap_config(port: u16, extra: &str) -> (Setup, poste::config::ImapConfig) {
    let setup =
        Setup::new(&user("hostile"), Some(port), &format!("tls = \"none\"\nallow_plaintext_auth = true\n{extra}"));
    let cfg = setup.loaded().config.accounts[0].imap.clone().expect("an IMAP account");
    (setup, cfg)
}

fn pw() -> PasswordSource {
    PasswordSource::Inline("secret".into())
}

// 1. A folder name that is not modified UTF-7 panicked the decoder.
#[tokio::test]
async fn a_folder_name_that_is_not_utf7_is_listed_as_sent() {
    let mut script = login();
    script.push(Step::Reply(
        "* LIST () \"/\" INBOX\r\n* LIST () \"/\" \"R&D-Team\"\r\n* LIST () \"/\" \"Entw&APw-rfe\"\r\n{tag} OK listed"
            .into(),
    ));
    for _ in 0..3 {
        script.push(Step::Reply("* STATUS x (MESSAGES 0 UNSEEN 0 UIDNEXT 1)\r\n{tag} OK status".into()));
    }
    let fake = Fake::start(script).await;
    let (_setup, cfg) = imap_config(fake.port, "");
    let mut conn = poste::imap::connect(&cfg, &pw()).await.unwrap();
    let folders = poste::imap::list_folders(&mut conn).await.unwrap();
    let shown: Vec<&str> = folders.iter().map(|f| f.info.display.as_str()).collect();
    assert_eq!(shown, ["INBOX", "R&D-Team", "Entwürfe"]);
    assert_eq!(folders[1].info.name, "R&D-Team", "the server's name is kept for commands");
}

// 6. An out-of-range number in the config panicked the worker, and `poste sync` exited 0.
#[test]
fn an_out_of_range_config_value_is_refused_with_file_line_and_key() {
    let setup = Setup::new(&user("range"), None, "poll_interval = 18446744073709551615");
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    let at = format!("{}:", setup.config.display());
    assert!(err.contains(&at) && err.contains("`imap.poll_interval`") && err.contains("out of range"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_survives_a_poll_interval_that_overflows_the_clock() {
    let setup = Setup::new(&user("overflow"), None, "");
    let mut account = setup.loaded().config.accounts[0].clone();
    if let Some(imap) = account.imap.as_mut() {
        imap.poll_interval = u64::MAX;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = poste::account::spawn(&account, &setup.data_dir(), tx).unwrap();
    assert_eq!(sync(&h, &mut rx).await, None);
    assert_eq!(sync(&h, &mut rx).await, None, "the worker is still there");
    h.shutdown().await;
}

// 2. A BODYSTRUCTURE nested 3,000 deep overflowed the parser's stack (SIGABRT). The guard
// refuses it before the parser sees it, and the batch is fetched again without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_structure_nested_3000_deep_neither_crashes_nor_stops_the_sync() {
    let port = servers::imap(|mut c, tag, cmd| async move {
        let deep = "(".repeat(3000) + "\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1" + &")".repeat(3000);
        let line = if cmd.contains("BODYSTRUCTURE") {
            servers::fetch_line(&format!(" BODYSTRUCTURE {deep} BODY[HEADER.FIELDS (REFERENCES)] {{2}}\r\n\r\n"))
        } else {
            let header = "Content-Type: multipart/mixed; boundary=x\r\n\r\n";
            servers::fetch_line(&format!(
                " BODY[HEADER.FIELDS (REFERENCES CONTENT-TYPE)] {{{}}}\r\n{header}",
                header.len()
            ))
        };
        (c.send(&line).await && c.send(&format!("{tag} OK fetched\r\n")).await).then_some(c)
    })
    .await;
    let (setup, _) = imap_config(port, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let list = setup.store().list(&poste::store::ListQuery::default(), 0, 10).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].subject, "deep");
    assert!(list[0].has_attachments, "told by its Content-Type");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_delivers_a_message_nested_1000_deep_and_poste_syncs_and_renders_it() {
    let user = user("deepmime");
    let mut a = admin(&user).await;
    let depth = 1000;
    let mut m = String::from("From: a@b.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
    for i in 0..depth {
        m.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nat the bottom\r\n");
    for i in (0..depth).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    append(&mut a, "INBOX", m.as_bytes()).await;
    append(&mut a, "INBOX", &message(1, "plain one", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let mut subjects: Vec<String> = setup
        .store()
        .list(&poste::store::ListQuery::default(), 0, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["nested", "plain one"]);
    h.shutdown().await;
    let out = setup.poste(&["read", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("nested") || text.contains("plain one"), "{text}");
}

// 4. A server that floods untagged lines before login hung the connection for good.
#[tokio::test]
async fn a_flood_before_login_is_cut_by_a_byte_budget() {
    let flood = |at_login: bool| {
        servers::serve(move |sock, _| async move {
            let mut c = servers::Client::new(sock);
            let greeting = if at_login { "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n" } else { "* OK hi\r\n" };
            c.send(greeting).await;
            c.line().await;
            if at_login {
                c.send("+ \r\n").await;
                c.line().await;
            }
            let lines = "* OK flood flood flood flood flood flood flood flood\r\n".repeat(1000);
            while c.send(&lines).await {}
        })
    };
    for at_login in [false, true] {
        let port = flood(at_login).await;
        let (_setup, cfg) = imap_config(port, "");
        let r = tokio::time::timeout(std::time::Duration::from_secs(20), poste::imap::connect(&cfg, &pw())).await;
        let e = r.expect("connect gave up by itself").err().expect("the flood is refused").to_string();
        assert!(e.contains("bytes before login"), "{e}");
    }
}

#[tokio::test]
async fn a_trickle_before_login_is_cut_by_a_deadline() {
    let port = servers::serve(|sock, _| async move {
        let mut c = servers::Client::new(sock);
        c.send("* OK hi\r\n").await;
        c.line().await;
        while c.send("* OK still thinking\r\n").await {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    })
    .await;
    let (_setup, mut cfg) = imap_config(port, "");
    cfg.timeout_secs = 2;
    let start = std::time::Instant::now();
    let r = tokio::time::timeout(std::time::Duration::from_secs(20), poste::imap::connect(&cfg, &pw())).await;
    let e = r.expect("connect gave up by itself").err().expect("the trickle is refused").to_string();
    assert!(e.contains("timed out after 2 s"), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
}

/// An IMAP server whose `UID FETCH ... BODY.PEEK[]` answer is a literal of `size` bytes, of
/// which it sends `sent` in 64 KiB pieces `pause` apart, then the rest of the answer.
async fn slow_body(size: usize, sent: usize, pause: std::time::Duration) -> u16 {
    servers::imap(move |mut c, tag, _cmd| async move {
        c.send(&format!("* 1 FETCH (UID 5 BODY[] {{{size}}}\r\n")).await;
        let piece = vec![b'x'; 64 * 1024];
        let mut left = sent;
        while left > 0 {
            let n = left.min(piece.len());
            if !c.send_bytes(&piece[..n]).await {
                return None;
            }
            left -= n;
            tokio::time::sleep(pause).await;
        }
        if sent < size {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            return None;
        }
        c.send(&format!(")\r\n{tag} OK fetched\r\n")).await.then_some(c)
    })
    .await
}

// 4. The IMAP timeout covered a whole response, so a large message at a slow rate never
// downloaded; silence is what times out now, mid-literal too.
#[tokio::test]
async fn a_message_slower_than_the_timeout_downloads_and_a_stall_times_out() {
    let size = 40 * 64 * 1024;
    let port = slow_body(size, size, std::time::Duration::from_millis(75)).await;
    let (_setup, mut cfg) = imap_config(port, "");
    cfg.timeout_secs = 1;
    let mut conn = poste::imap::connect(&cfg, &pw()).await.unwrap();
    let start = std::time::Instant::now();
    let body = poste::imap::fetch_body(&mut conn, "INBOX", 5).await.unwrap().expect("the body");
    assert_eq!(body.len(), size);
    assert!(start.elapsed() > std::time::Duration::from_secs(2), "longer than the timeout: {:?}", start.elapsed());

    let port = slow_body(size, 3 * 64 * 1024, std::time::Duration::from_millis(10)).await;
    let (_setup, mut cfg) = imap_config(port, "");
    cfg.timeout_secs = 1;
    let mut conn = poste::imap::connect(&cfg, &pw()).await.unwrap();
    let start = std::time::Instant::now();
    let e = poste::imap::fetch_body(&mut conn, "INBOX", 5).await.unwrap_err();
    assert!(matches!(e, poste::imap::ImapError::Timeout { secs: 1, .. }), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
}

// 3. One POP3 message with a line over 64 KiB blocked the account for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop3_message_with_a_100_kib_line_downloads_like_any_other() {
    let user = user("poplong");
    let mut a = admin(&user).await;
    let long = format!(
        "From: a@b.example\r\nSubject: long line\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\n{}\r\n",
        "y".repeat(100 * 1024)
    );
    append(&mut a, "INBOX", &message(1, "before", "Mon, 02 Nov 2026 09:00:00 +0000")).await;
    append(&mut a, "INBOX", long.as_bytes()).await;
    append(&mut a, "INBOX", &message(3, "after", "Mon, 02 Nov 2026 11:00:00 +0000")).await;
    let setup = Setup::new(&user, None, "");
    setup.pop3(servers().pop3s, "");
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(setup.subjects("post", "INBOX"), ["after", "before", "long line"]);
    let store = setup.store();
    let all = store.list(&poste::store::ListQuery::default(), 0, 10).unwrap();
    let long_one = all.iter().find(|m| m.subject == "long line").unwrap();
    assert_eq!(store.body(long_one.id).unwrap().expect("stored whole"), long.as_bytes());
}

fn plain(n: usize) -> servers::Pop3Message {
    servers::Pop3Message::Plain(message(n, &format!("m{n}"), "Mon, 02 Nov 2026 10:00:00 +0000"))
}

// 4 and 3. An endless RETR wrote 500 MB in 15 s and kept nothing; now it stops at a limit
// named in the error, and what came before it is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_retr_stops_at_a_limit_and_keeps_what_came_before() {
    let (port, deleted) = servers::pop3(vec![plain(1), servers::Pop3Message::Endless, plain(3)]).await;
    let setup = Setup::new(&user("endless"), None, "");
    setup.pop3(port, "tls = \"none\"\nallow_plaintext_auth = true");
    let start = std::time::Instant::now();
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("message 2 is listed at 100 bytes") && err.contains("1048776"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
    assert_eq!(setup.subjects("post", "INBOX"), ["m1"], "the message before it is kept");
    assert!(deleted.lock().unwrap().is_empty(), "nothing is deleted in a pass cut short");
    let files: u64 = data_files(&setup.data).iter().map(|f| f.metadata().map(|m| m.len()).unwrap_or(0)).sum();
    assert!(files < 20 << 20, "{files} bytes written");
}

// 3. A message the server refuses does not stop the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_pop3_message_is_reported_and_the_others_download() {
    let (port, deleted) = servers::pop3(vec![plain(1), servers::Pop3Message::Refused, plain(3)]).await;
    let setup = Setup::new(&user("refused"), None, "");
    setup.pop3(port, "tls = \"none\"\nallow_plaintext_auth = true");
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 message was not downloaded and stays on the server") && err.contains("message 2"), "{err}");
    assert_eq!(setup.subjects("post", "INBOX"), ["m1", "m3"]);
    assert_eq!(*deleted.lock().unwrap(), [1, 3], "the refused one stays on the server");
}

// 4. A POP3 server that trickles its capabilities before login held the connection.
#[tokio::test]
async fn a_pop3_capa_trickle_is_cut_by_a_deadline() {
    let port = servers::serve(|sock, _| async move {
        let mut c = servers::Client::new(sock);
        c.send("+OK hi\r\n").await;
        c.line().await;
        c.send("+OK\r\n").await;
        while c.send("X-WAIT\r\n").await {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    })
    .await;
    let settings = poste::pop3::Settings {
        host: "127.0.0.1".into(),
        port,
        tls: poste::config::TlsMode::None,
        username: "u".into(),
        tls_settings: Default::default(),
        allow_plaintext_auth: true,
        timeout_secs: 2,
        max_message_bytes: 1 << 20,
        apop: false,
    };
    let start = std::time::Instant::now();
    let r = tokio::time::timeout(std::time::Duration::from_secs(20), poste::pop3::connect(&settings, &pw())).await;
    let e = r.expect("connect gave up by itself").err().expect("the trickle is refused").to_string();
    assert!(e.contains("timed out after 2 s"), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
}

// 5. A server's answer went into errors whole (a 20 MB answer made a 100 MB message).
#[tokio::test]
async fn a_huge_smtp_refusal_is_quoted_in_a_few_hundred_bytes() {
    let port = servers::serve(|sock, _| async move {
        let mut c = servers::Client::new(sock);
        c.send("220 hostile ESMTP\r\n").await;
        c.line().await;
        c.send("250 hostile\r\n").await;
        c.line().await;
        let line = format!("550-{}\r\n", "no".repeat(250));
        c.send(&format!("{}550 no\r\n", line.repeat(16))).await;
        c.line().await;
    })
    .await;
    let s = poste::config::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: poste::config::TlsMode::None,
        username: None,
        password_command: None,
        password: None,
        ca_file: None,
        accept_invalid_certs: false,
        allow_plaintext_auth: false,
        timeout_secs: 5,
        save_sent: false,
    };
    let envelope = poste::smtp::Envelope { from: "a@b.example".into(), to: vec!["c@d.example".into()] };
    let e = poste::smtp::send(&s, None, &envelope, b"Subject: x\r\n\r\nx\r\n", async { true })
        .await
        .unwrap_err()
        .to_string();
    assert!(e.len() < 1000, "{} bytes: {}", e.len(), &e[..200]);
    assert!(e.contains("nonono"), "{e}");
}

// 4. A password_command that hung held `sync` and `check` for good.
#[test]
fn a_hanging_password_command_is_stopped_and_named() {
    let setup = Setup::new(&user("hangpw"), None, "");
    let text = std::fs::read_to_string(&setup.config).unwrap();
    let text = text.replace("password_command = \"echo secret\"", "password_command = \"sleep 47.3\"");
    std::fs::write(&setup.config, text.replace("timeout_secs = 10", "timeout_secs = 2")).unwrap();
    let start = std::time::Instant::now();
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("`sleep 47.3`") && err.contains("2 s"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(15), "{:?}", start.elapsed());
}
