//! A scripted server for faults a real server will not produce on demand; it records every
//! byte the client sends.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One step of a script: send a line, or wait for a client line and answer it.
#[derive(Clone, Debug)]
pub enum Step {
    Send(String),
    /// Waits for a line from the client, then sends the reply with the client's tag put
    /// where `{tag}` stands.
    Reply(String),
    /// Reads (and records) a line without answering it.
    Read,
    /// Closes the connection.
    Close,
}

pub struct Fake {
    pub port: u16,
    pub received: Arc<Mutex<Vec<u8>>>,
    /// How many clients connected.
    pub connections: Arc<Mutex<usize>>,
}

impl Fake {
    /// Serves `script` to each client that connects.
    pub async fn start(script: Vec<Step>) -> Fake {
        Fake::start_each(vec![script]).await
    }

    /// Serves `scripts[i]` to the i-th client (the last one to any later client).
    pub async fn start_each(scripts: Vec<Vec<Step>>) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let rec = received.clone();
        let connections = Arc::new(Mutex::new(0usize));
        let conns = connections.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let n = {
                    let mut c = conns.lock().unwrap();
                    *c += 1;
                    *c - 1
                };
                let script = scripts[n.min(scripts.len() - 1)].clone();
                let rec = rec.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut r = BufReader::new(r);
                    let mut tag = "*".to_string();
                    for step in script {
                        match step {
                            Step::Send(l) => {
                                if w.write_all(format!("{l}\r\n").as_bytes()).await.is_err() {
                                    return;
                                }
                            }
                            Step::Reply(l) => {
                                let mut line = String::new();
                                if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                rec.lock().unwrap().extend_from_slice(line.as_bytes());
                                // a line without a space (an AUTHENTICATE payload) keeps the tag
                                if line.trim().contains(' ') {
                                    tag = line.split_whitespace().next().unwrap_or("*").to_string();
                                }
                                let reply = l.replace("{tag}", &tag);
                                if w.write_all(format!("{reply}\r\n").as_bytes()).await.is_err() {
                                    return;
                                }
                            }
                            Step::Read => {
                                let mut line = String::new();
                                if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                                    return;
                                }
                                rec.lock().unwrap().extend_from_slice(line.as_bytes());
                            }
                            Step::Close => return,
                        }
                    }
                    // record whatever else the client says
                    let mut line = String::new();
                    while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                        rec.lock().unwrap().extend_from_slice(line.as_bytes());
                        line.clear();
                    }
                });
            }
        });
        Fake { port, received, connections }
    }

    pub fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).to_string()
    }
}
