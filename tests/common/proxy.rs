//! A TCP proxy to a test server that a test can take down and bring back, or have cut the
//! connection right after the client sends a given command, to play network faults.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub port: u16,
    /// How many connections it has taken.
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    down: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    cut_after: Arc<Mutex<Option<String>>>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `127.0.0.1:target`.
    pub async fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let (cut, cut_rx) = watch::channel(0u64);
        let cut_after: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let (d, ca) = (down.clone(), cut_after.clone());
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = connections.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                if d.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let mut rx = cut_rx.clone();
                rx.borrow_and_update();
                let ca = ca.clone();
                let mute = Arc::new(AtomicBool::new(false));
                let mute2 = mute.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else { return };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = async {
                        let mut buf = vec![0u8; 16384];
                        let mut seen = Vec::new();
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if sw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                            // cut once the client has sent the watched command
                            seen.extend_from_slice(&buf[..n]);
                            let pattern = ca.lock().unwrap().clone();
                            if let Some(p) = pattern
                                && String::from_utf8_lossy(&seen).contains(&p)
                            {
                                *ca.lock().unwrap() = None;
                                // the client hears nothing more; the server gets time to act
                                mute.store(true, Ordering::SeqCst);
                                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                                return;
                            }
                            if seen.len() > 65536 {
                                seen.drain(..seen.len() - 1024);
                            }
                        }
                    };
                    let down = async {
                        let mut buf = vec![0u8; 16384];
                        loop {
                            let n = match sr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if mute2.load(Ordering::SeqCst) {
                                continue;
                            }
                            if cw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    tokio::select! {
                        _ = up => {}
                        _ = down => {}
                        _ = rx.changed() => {}
                    }
                });
            }
        });
        Proxy { port, connections, down, cut, cut_after }
    }

    /// The server becomes unreachable: connections are cut and new ones refused.
    pub fn stop(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    /// The server is reachable again.
    pub fn resume(&self) {
        self.down.store(false, Ordering::SeqCst);
    }

    /// Cuts the connection (once) right after the client sends a line containing `pattern`:
    /// the server gets the command, the client never hears the answer.
    pub fn cut_after(&self, pattern: &str) {
        *self.cut_after.lock().unwrap() = Some(pattern.to_string());
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}
