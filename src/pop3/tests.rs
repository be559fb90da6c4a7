//! The POP3 client against a scripted server: the odd cases real servers rarely show.

use super::{Pop3Error, Settings, connect};
use crate::config::TlsMode;
use crate::secret::PasswordSource;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Serves `greeting`, then answers each client line with the next reply; hangs up after
/// the last one (or at a "" reply).
async fn fake(greeting: &str, replies: Vec<&'static str>) -> (u16, Arc<Mutex<String>>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(String::new()));
    let seen2 = seen.clone();
    let greeting = greeting.to_string();
    tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let (r, mut w) = s.into_split();
        let mut r = BufReader::new(r);
        w.write_all(greeting.as_bytes()).await.unwrap();
        for reply in replies {
            let mut line = String::new();
            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            seen2.lock().unwrap().push_str(&line);
            if reply.is_empty() {
                return;
            }
            if w.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
        // the script is over: the server hangs up
    });
    (port, seen)
}

fn settings(port: u16, tls: TlsMode, allow_plain: bool) -> Settings {
    Settings {
        host: "127.0.0.1".into(),
        port,
        tls,
        username: "me".into(),
        tls_settings: Default::default(),
        allow_plaintext_auth: allow_plain,
        timeout_secs: 5,
        max_message_bytes: 1 << 20,
        apop: false,
    }
}

fn pw() -> PasswordSource {
    PasswordSource::Inline("hunter2".into())
}

#[tokio::test]
async fn without_capa_or_uidl_user_pass_still_works() {
    let (port, seen) = fake(
        "+OK hello\r\n",
        vec!["-ERR what\r\n", "+OK\r\n", "+OK in\r\n", "-ERR what\r\n", "+OK 2 300\r\n", "-ERR no UIDL here\r\n"],
    )
    .await;
    let mut p = connect(&settings(port, TlsMode::None, true), &pw()).await.unwrap();
    assert!(p.caps.is_empty());
    assert_eq!(p.stat().await.unwrap(), (2, 300));
    assert_eq!(p.uidl().await.unwrap(), None);
    assert!(seen.lock().unwrap().contains("USER me\r\nPASS hunter2\r\n"));
}

#[tokio::test]
async fn multi_line_data_is_unstuffed_and_bare_lf_tolerated() {
    let (port, _) = fake(
        "+OK hi\r\n",
        vec![
            "+OK\r\nUSER\r\n.\r\n",
            "+OK\r\n",
            "+OK\r\n",
            "+OK\r\nUSER\r\nUIDL\r\n.\r\n",
            "+OK 120 octets\n..leading dot\nplain\r\n...\r\n.\r\n",
            "+OK\r\n1 aaa\r\n2 bbb\r\n.\r\n",
        ],
    )
    .await;
    let mut p = connect(&settings(port, TlsMode::None, true), &pw()).await.unwrap();
    assert!(p.has("uidl"));
    assert_eq!(p.retr(1).await.unwrap(), b".leading dot\r\nplain\r\n..\r\n");
    assert_eq!(p.uidl().await.unwrap().unwrap(), vec![(1, "aaa".into()), (2, "bbb".into())]);
}

#[tokio::test]
async fn err_mid_session_carries_the_server_text() {
    let (port, _) =
        fake("+OK\r\n", vec!["-ERR\r\n", "+OK\r\n", "+OK\r\n", "-ERR\r\n", "-ERR no such message\r\n"]).await;
    let mut p = connect(&settings(port, TlsMode::None, true), &pw()).await.unwrap();
    let e = p.retr(9).await.unwrap_err().to_string();
    assert!(e.contains("RETR") && e.contains("no such message"), "{e}");
}

#[tokio::test]
async fn a_connection_dropped_mid_retr_is_an_error() {
    let (port, _) =
        fake("+OK\r\n", vec!["-ERR\r\n", "+OK\r\n", "+OK\r\n", "-ERR\r\n", "+OK\r\nSubject: half\r\n"]).await;
    let mut p = connect(&settings(port, TlsMode::None, true), &pw()).await.unwrap();
    assert!(matches!(p.retr(1).await, Err(Pop3Error::Closed)));
}

#[tokio::test]
async fn a_long_line_in_a_message_is_content_not_an_error() {
    let long: &'static str = Box::leak(format!("+OK\r\n{}\r\n.\r\n", "x".repeat(200_000)).into_boxed_str());
    let (port, _) = fake("+OK\r\n", vec!["-ERR\r\n", "+OK\r\n", "+OK\r\n", "-ERR\r\n", long]).await;
    let mut p = connect(&settings(port, TlsMode::None, true), &pw()).await.unwrap();
    assert_eq!(p.retr(1).await.unwrap().len(), 200_002);
}

#[tokio::test]
async fn an_endless_protocol_line_is_refused() {
    let long: &'static str = Box::leak(format!("+OK\r\n1 {}\r\n.\r\n", "x".repeat(200_000)).into_boxed_str());
    let (port, _) = fake("+OK\r\n", vec!["-ERR\r\n", "+OK\r\n", "+OK\r\n", "-ERR\r\n", long]).await;
    let mut p = connect(&settings(port, TlsMode::None, true), &pw()).await.unwrap();
    assert!(matches!(p.uidl().await, Err(Pop3Error::LineTooLong(_))));
}

#[tokio::test]
async fn a_message_over_the_limit_stops_the_read_at_the_limit() {
    let big: &'static str = Box::leak(format!("+OK\r\n{}.\r\n", "0123456789\r\n".repeat(200)).into_boxed_str());
    let (port, _) = fake("+OK\r\n", vec!["-ERR\r\n", "+OK\r\n", "+OK\r\n", "-ERR\r\n", big, "+OK\r\n"]).await;
    let mut s = settings(port, TlsMode::None, true);
    s.max_message_bytes = 1000;
    let mut p = connect(&s, &pw()).await.unwrap();
    assert!(matches!(p.retr(1).await, Err(Pop3Error::TooLarge(1000))));
}

#[tokio::test]
async fn line_ends_and_dots_survive_any_split_of_the_stream() {
    // every way of cutting the answer into two reads gives the same message
    let answer = b"+OK\r\n..a\r\nb\rc\n\r\n.x\r\n.\r\n";
    for cut in 1..answer.len() {
        let (a, b) = answer.split_at(cut);
        let reader = tokio::io::BufReader::with_capacity(1, a).chain(b);
        let mut r = tokio::io::BufReader::new(reader);
        super::lines::status(&mut r, "RETR", 5).await.unwrap();
        let data = super::lines::multiline(&mut r, super::lines::Limit::content(1000), 5).await.unwrap();
        assert_eq!(data, b".a\r\nb\rc\r\n\r\n.x\r\n", "cut at {cut}");
    }
}

#[tokio::test]
async fn no_password_in_plain_text_and_no_fallback_without_stls() {
    let (port, seen) = fake("+OK\r\n", vec!["+OK\r\nUSER\r\n.\r\n"]).await;
    let e = connect(&settings(port, TlsMode::None, false), &pw()).await.err().unwrap();
    assert!(matches!(e, Pop3Error::PlaintextRefused));
    assert!(!seen.lock().unwrap().contains("hunter2"));
    let (port, seen) = fake("+OK\r\n", vec!["+OK\r\nUSER\r\n.\r\n"]).await;
    let e = connect(&settings(port, TlsMode::Starttls, true), &pw()).await.err().unwrap();
    assert!(matches!(e, Pop3Error::NoStls), "{e}");
    assert!(!seen.lock().unwrap().contains("USER me"));
}

#[tokio::test]
async fn data_injected_after_stls_is_refused() {
    let (port, _) = fake("+OK\r\n", vec!["+OK\r\nSTLS\r\n.\r\n", "+OK go ahead\r\n+OK injected\r\n"]).await;
    let e = connect(&settings(port, TlsMode::Starttls, true), &pw()).await.err().unwrap();
    assert!(matches!(e, Pop3Error::StlsInjection), "{e}");
}

#[tokio::test]
async fn apop_sends_the_digest_of_the_greeting_timestamp() {
    // the example of RFC 1939 §7: "tanstaaf" with this timestamp
    let (port, seen) = fake(
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        vec!["-ERR no CAPA\r\n", "+OK maildrop has 0 messages\r\n", "-ERR\r\n", "+OK bye\r\n"],
    )
    .await;
    let mut s = settings(port, TlsMode::None, true);
    s.apop = true;
    s.username = "mrose".into();
    let p = connect(&s, &PasswordSource::Inline("tanstaaf".into())).await.unwrap();
    p.quit().await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"), "{seen}");
    assert!(!seen.contains("tanstaaf"), "{seen}");
}

#[tokio::test]
async fn apop_without_a_timestamp_stops_before_the_password() {
    let (port, seen) = fake("+OK ready\r\n", vec!["-ERR no CAPA\r\n"]).await;
    let mut s = settings(port, TlsMode::None, true);
    s.apop = true;
    assert!(matches!(connect(&s, &pw()).await, Err(Pop3Error::NoApop)));
    assert!(!seen.lock().unwrap().contains("hunter2"));
}
