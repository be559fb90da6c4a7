//! The POP3 client against Dovecot's POP3, over STLS and implicit TLS.

mod common;

use common::*;
use poste::config::TlsMode;
use poste::pop3::{Pop3Error, Settings, connect};
use poste::secret::PasswordSource;

fn settings(user: &str, port: u16, tls: TlsMode) -> Settings {
    Settings {
        host: "127.0.0.1".into(),
        port,
        tls,
        username: user.into(),
        tls_settings: poste::imap::tls::TlsSettings {
            ca_file: Some(servers().ca.clone()),
            accept_invalid_certs: false,
        },
        allow_plaintext_auth: false,
        timeout_secs: 10,
        max_message_bytes: 50 << 20,
        apop: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_and_delete_over_stls_and_implicit_tls() {
    let s = servers();
    for (port, tls) in [(s.pop3, TlsMode::Starttls), (s.pop3s, TlsMode::Implicit)] {
        let user = user("pop3");
        let mut a = admin(&user).await;
        let originals: Vec<Vec<u8>> =
            (0..3).map(|i| message(i, &format!("pop {i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).collect();
        for m in &originals {
            append(&mut a, "INBOX", m).await;
        }
        let pw = PasswordSource::Inline("secret".into());
        let mut p = connect(&settings(&user, port, tls), &pw).await.unwrap();
        assert!(p.has("UIDL") && p.has("TOP"), "{:?}", p.caps);
        let (n, size) = p.stat().await.unwrap();
        assert_eq!(n, 3);
        assert_eq!(p.list().await.unwrap().iter().map(|x| x.1).sum::<u64>(), size);
        let uidl = p.uidl().await.unwrap().expect("Dovecot has UIDL");
        assert_eq!(uidl.len(), 3);
        let top = p.top(1, 0).await.unwrap();
        assert!(String::from_utf8_lossy(&top).contains("Subject: pop 0"));
        for (i, orig) in originals.iter().enumerate() {
            assert_eq!(&p.retr(i as u32 + 1).await.unwrap(), orig, "byte for byte");
        }
        for i in 1..=3 {
            p.dele(i).await.unwrap();
        }
        p.quit().await.unwrap();
        let mut p = connect(&settings(&user, port, tls), &pw).await.unwrap();
        assert_eq!(p.stat().await.unwrap().0, 0, "the server is empty after QUIT");
        p.quit().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rset_and_a_dropped_session_keep_everything() {
    let s = servers();
    let user = user("pop3rset");
    let mut a = admin(&user).await;
    append(&mut a, "INBOX", &message(1, "keep", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let pw = PasswordSource::Inline("secret".into());
    let mut p = connect(&settings(&user, s.pop3s, TlsMode::Implicit), &pw).await.unwrap();
    p.dele(1).await.unwrap();
    p.rset().await.unwrap();
    p.quit().await.unwrap();
    let mut p = connect(&settings(&user, s.pop3s, TlsMode::Implicit), &pw).await.unwrap();
    p.dele(1).await.unwrap();
    drop(p); // no QUIT: the deletion never happens
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut p = connect(&settings(&user, s.pop3s, TlsMode::Implicit), &pw).await.unwrap();
    assert_eq!(p.stat().await.unwrap().0, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_and_an_unknown_ca_are_clear_errors() {
    let s = servers();
    let user = user("pop3bad");
    let e = connect(&settings(&user, s.pop3s, TlsMode::Implicit), &PasswordSource::Inline("wrong".into()))
        .await
        .err()
        .unwrap();
    assert!(matches!(e, Pop3Error::Auth(_)), "{e}");
    assert!(e.to_string().contains("login"), "{e}");
    let mut st = settings(&user, s.pop3s, TlsMode::Implicit);
    st.tls_settings.ca_file = Some(s.other_ca.clone());
    let e = connect(&st, &PasswordSource::Inline("secret".into())).await.err().unwrap();
    assert!(e.to_string().contains("certificate"), "{e}");
    let mut st = settings(&user, s.pop3, TlsMode::None);
    st.allow_plaintext_auth = false;
    assert!(matches!(connect(&st, &PasswordSource::Inline("secret".into())).await, Err(Pop3Error::PlaintextRefused)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apop_logs_in_without_sending_the_password() {
    let s = servers();
    let user = user("pop3apop");
    let mut st = settings(&user, s.pop3s, TlsMode::Implicit);
    st.apop = true;
    let mut p = connect(&st, &PasswordSource::Inline("secret".into())).await.unwrap();
    assert_eq!(p.stat().await.unwrap().0, 0);
    p.quit().await.unwrap();
    let e = connect(&st, &PasswordSource::Inline("wrong".into())).await.err().unwrap();
    assert!(e.to_string().contains("login"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_message_streams_to_a_writer_byte_for_byte() {
    let s = servers();
    let user = user("pop3stream");
    let mut a = admin(&user).await;
    let mut big = message(1, "big", "Mon, 02 Nov 2026 10:00:00 +0000");
    for i in 0..20_000 {
        big.extend_from_slice(format!(".line {i} starts with a dot and is long enough to matter\r\n").as_bytes());
    }
    append(&mut a, "INBOX", &big).await;
    let pw = PasswordSource::Inline("secret".into());
    let mut p = connect(&settings(&user, s.pop3s, TlsMode::Implicit), &pw).await.unwrap();
    let mut out = Vec::new();
    let n = p.retr_to(1, &mut out).await.unwrap();
    assert_eq!(n as usize, big.len());
    assert!(out == big, "dot-unstuffed, byte for byte");
    let mut head = Vec::new();
    p.top_to(1, 0, &mut head).await.unwrap();
    assert!(head.ends_with(b"\r\n\r\n") && head.len() < 1000, "{}", String::from_utf8_lossy(&head));
    p.quit().await.unwrap();
}
