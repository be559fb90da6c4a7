//! Purpose-built hostile servers for the tests in hostile.rs: each serves every client
//! that connects with a handler of its own, on a loopback port.
#![allow(dead_code)]

use std::future::Future;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Serves each client that connects with `handler`; returns the port.
pub async fn serve<F, Fut>(handler: F) -> u16
where
    F: Fn(TcpStream, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(handler(sock, n));
            n += 1;
        }
    });
    port
}

/// A line-oriented view of a client connection.
pub struct Client {
    pub r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    pub w: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    pub fn new(sock: TcpStream) -> Client {
        let (r, w) = sock.into_split();
        Client { r: BufReader::new(r), w }
    }

    /// The next line the client sends, without its line end; None when it hangs up.
    pub async fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.r.read_line(&mut line).await {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end().to_string()),
        }
    }

    /// Sends `text` as it is; false when the client is gone.
    pub async fn send(&mut self, text: &str) -> bool {
        self.w.write_all(text.as_bytes()).await.is_ok()
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) -> bool {
        self.w.write_all(bytes).await.is_ok()
    }
}

/// An IMAP server that logs anyone in (AUTH=PLAIN), answers CAPABILITY, SELECT, LIST and
/// LOGOUT, and hands every other command to `other` with its tag.
pub async fn imap<F, Fut>(other: F) -> u16
where
    F: Fn(Client, String, String) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Option<Client>> + Send + 'static,
{
    serve(move |sock, _| {
        let other = other.clone();
        async move {
            let mut c = Client::new(sock);
            c.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hostile\r\n").await;
            while let Some(line) = c.line().await {
                let (tag, cmd) = line.split_once(' ').unwrap_or((line.as_str(), ""));
                let (tag, cmd) = (tag.to_string(), cmd.to_string());
                let verb = cmd.split(' ').next().unwrap_or("").to_ascii_uppercase();
                let reply = match verb.as_str() {
                    "AUTHENTICATE" => {
                        c.send("+ \r\n").await;
                        c.line().await;
                        format!("{tag} OK logged in\r\n")
                    }
                    "CAPABILITY" => format!("* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n"),
                    "SELECT" | "EXAMINE" => {
                        format!("* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 6] n\r\n{tag} OK selected\r\n")
                    }
                    "LIST" => format!("* LIST () \"/\" INBOX\r\n{tag} OK listed\r\n"),
                    "STATUS" => format!("* STATUS INBOX (MESSAGES 1 UNSEEN 1 UIDNEXT 6)\r\n{tag} OK status\r\n"),
                    "LOGOUT" => format!("* BYE\r\n{tag} OK bye\r\n"),
                    _ => match other(c, tag, cmd).await {
                        Some(back) => {
                            c = back;
                            continue;
                        }
                        None => return,
                    },
                };
                if !c.send(&reply).await {
                    return;
                }
            }
        }
    })
    .await
}

/// One FETCH response for UID 5 with these items between `UID 5` and the end.
pub fn fetch_line(items: &str) -> String {
    format!(
        "* 1 FETCH (UID 5 FLAGS () RFC822.SIZE 10 INTERNALDATE \"01-Jan-2026 00:00:00 +0000\" \
         ENVELOPE (NIL \"deep\" NIL NIL NIL NIL NIL NIL NIL NIL){items})\r\n"
    )
}

/// What a scripted POP3 server does when asked for one message.
#[derive(Clone, Debug)]
pub enum Pop3Message {
    /// Sends these bytes (dot-stuffed as needed by the caller), listed at their size.
    Plain(Vec<u8>),
    /// Listed at 100 bytes, sends data forever.
    Endless,
    /// Answers RETR with -ERR.
    Refused,
}

/// A POP3 server with `messages` that logs anyone in (USER/PASS), with UIDL; the message
/// numbers it was asked to DELE are recorded.
pub async fn pop3(messages: Vec<Pop3Message>) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u32>>>) {
    let deleted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let dels = deleted.clone();
    let port = serve(move |sock, _| {
        let (messages, dels) = (messages.clone(), dels.clone());
        async move {
            let mut c = Client::new(sock);
            c.send("+OK hostile\r\n").await;
            while let Some(line) = c.line().await {
                let mut words = line.split(' ');
                let verb = words.next().unwrap_or("").to_ascii_uppercase();
                let n: usize = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
                let size = |m: &Pop3Message| match m {
                    Pop3Message::Plain(b) => b.len(),
                    _ => 100,
                };
                let reply = match verb.as_str() {
                    "CAPA" => "+OK\r\nUIDL\r\nUSER\r\n.\r\n".to_string(),
                    "USER" | "PASS" | "NOOP" | "RSET" => "+OK\r\n".to_string(),
                    "QUIT" => {
                        c.send("+OK bye\r\n").await;
                        return;
                    }
                    "STAT" => format!("+OK {} 0\r\n", messages.len()),
                    "LIST" => {
                        let lines: String =
                            messages.iter().enumerate().map(|(i, m)| format!("{} {}\r\n", i + 1, size(m))).collect();
                        format!("+OK\r\n{lines}.\r\n")
                    }
                    "UIDL" => {
                        let lines: String = (1..=messages.len()).map(|i| format!("{i} uid-{i}\r\n")).collect();
                        format!("+OK\r\n{lines}.\r\n")
                    }
                    "DELE" => {
                        dels.lock().unwrap().push(n as u32);
                        "+OK\r\n".to_string()
                    }
                    "RETR" | "TOP" => match messages.get(n.wrapping_sub(1)) {
                        Some(Pop3Message::Plain(b)) => {
                            c.send("+OK\r\n").await;
                            c.send_bytes(b).await;
                            ".\r\n".to_string()
                        }
                        Some(Pop3Message::Endless) => {
                            c.send("+OK\r\n").await;
                            let chunk = "endless endless endless endless endless endless\r\n".repeat(1000);
                            while c.send(&chunk).await {}
                            return;
                        }
                        _ => "-ERR no such message here\r\n".to_string(),
                    },
                    _ => "-ERR unknown\r\n".to_string(),
                };
                if !c.send(&reply).await {
                    return;
                }
            }
        }
    })
    .await;
    (port, deleted)
}
