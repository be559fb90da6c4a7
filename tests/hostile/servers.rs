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
