//! A TCP proxy to a test server that a test can cut, to play a server going away.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub port: u16,
    stop: watch::Sender<bool>,
    stopped: Arc<AtomicBool>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `127.0.0.1:target`.
    pub async fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, rx) = watch::channel(false);
        let stopped = Arc::new(AtomicBool::new(false));
        tokio::spawn(async move {
            loop {
                let mut rx2 = rx.clone();
                tokio::select! {
                    _ = rx2.changed() => break,
                    acc = listener.accept() => {
                        let Ok((mut client, _)) = acc else { break };
                        let mut rx3 = rx.clone();
                        tokio::spawn(async move {
                            let Ok(mut server) = TcpStream::connect(("127.0.0.1", target)).await else { return };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                                _ = rx3.changed() => {}
                            }
                        });
                    }
                }
            }
        });
        Proxy {
            port,
            stop,
            stopped,
        }
    }

    /// Closes the listener and every forwarded connection: the server is now unreachable.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = self.stop.send(true);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop();
    }
}
