//! The byte stream under an IMAP session, guarded. A read or write that makes no progress
//! for the timeout fails: silence is timed, not the whole answer, so a large message at a
//! slow rate still arrives. Parentheses nested past `nesting::MAX_DEPTH` fail the read
//! before imap-proto's recursive parser sees them. Until login is done, a byte budget caps
//! what the server may send. While the client is in IDLE, the server may stay silent.

use super::nesting::Nesting;
use super::tls::BoxedIo;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// Why the guard failed a read or a write; carried inside the `io::Error`.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("the server sent nothing for {0} s")]
    Silent(u64),
    #[error("the server's answer nests parentheses more than {0} deep; poste does not parse it")]
    TooDeep(usize),
    #[error("the server sent more than {0} bytes before login was done")]
    Flood(u64),
}

impl GuardError {
    fn into_io(self) -> io::Error {
        let kind =
            if matches!(self, GuardError::Silent(_)) { io::ErrorKind::TimedOut } else { io::ErrorKind::InvalidData };
        io::Error::new(kind, self)
    }

    /// The guard's reason for an I/O error, when the guard raised it.
    pub fn of(e: &io::Error) -> Option<&GuardError> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<GuardError>())
    }
}

/// How many bytes the server may still send before login is done; lifted after it.
#[derive(Debug, Clone)]
pub struct Budget(Arc<AtomicU64>);

impl Budget {
    const NONE: u64 = u64::MAX;

    /// Lifts the budget: from now on the server may send any amount.
    pub fn lift(&self) {
        self.0.store(Self::NONE, Ordering::Relaxed);
    }

    /// Takes `n` bytes from the budget; Err with the budget's size when it is spent.
    fn take(&self, n: usize, size: u64) -> Result<(), GuardError> {
        let left = self.0.load(Ordering::Relaxed);
        if left == Self::NONE {
            return Ok(());
        }
        match left.checked_sub(n as u64) {
            Some(rest) => {
                self.0.store(rest, Ordering::Relaxed);
                Ok(())
            }
            None => Err(GuardError::Flood(size)),
        }
    }
}

/// Notices from what the client writes when it is in IDLE: after a line `<tag> IDLE`, up
/// to the next line it writes (`DONE`).
#[derive(Debug, Default)]
struct IdleWatch {
    line: Vec<u8>,
    idle: bool,
}

impl IdleWatch {
    fn wrote(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                let line = String::from_utf8_lossy(&self.line);
                let mut words = line.trim_end().split(' ');
                self.idle = matches!((words.next(), words.next(), words.next()), (Some(t), Some(c), None)
                    if !t.is_empty() && c.eq_ignore_ascii_case("IDLE"));
                self.line.clear();
            } else if self.line.len() < 64 {
                self.line.push(b);
            }
        }
    }
}

#[derive(Debug)]
pub struct Guard {
    inner: BoxedIo,
    secs: u64,
    read_wait: Option<Pin<Box<Sleep>>>,
    write_wait: Option<Pin<Box<Sleep>>>,
    nesting: Nesting,
    budget: Budget,
    budget_size: u64,
    idle: IdleWatch,
}

impl Guard {
    /// Guards `inner` with a silence timeout of `secs` and a budget of `budget` bytes until
    /// the returned handle lifts it.
    pub fn new(inner: BoxedIo, secs: u64, budget: u64) -> (Guard, Budget) {
        let handle = Budget(Arc::new(AtomicU64::new(budget)));
        let guard = Guard {
            inner,
            secs,
            read_wait: None,
            write_wait: None,
            nesting: Nesting::default(),
            budget: handle.clone(),
            budget_size: budget,
            idle: IdleWatch::default(),
        };
        (guard, handle)
    }

    fn check(&mut self, bytes: &[u8]) -> Result<(), GuardError> {
        self.budget.take(bytes.len(), self.budget_size)?;
        self.nesting.feed(bytes).map_err(GuardError::TooDeep)
    }
}

/// Pending while the deadline has not passed; an error once it has.
fn silence<T>(wait: &mut Option<Pin<Box<Sleep>>>, secs: u64, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
    let sleep = wait.get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_secs(secs))));
    match sleep.as_mut().poll(cx) {
        Poll::Ready(()) => {
            *wait = None;
            Poll::Ready(Err(GuardError::Silent(secs).into_io()))
        }
        Poll::Pending => Poll::Pending,
    }
}

impl AsyncRead for Guard {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                this.read_wait = None;
                if let Err(e) = this.check(&buf.filled()[before..]) {
                    buf.set_filled(before);
                    return Poll::Ready(Err(e.into_io()));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                this.read_wait = None;
                Poll::Ready(Err(e))
            }
            Poll::Pending if this.idle.idle => {
                this.read_wait = None;
                Poll::Pending
            }
            Poll::Pending => silence(&mut this.read_wait, this.secs, cx),
        }
    }
}

impl AsyncWrite for Guard {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                this.write_wait = None;
                this.idle.wrote(&buf[..n.min(buf.len())]);
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => {
                this.write_wait = None;
                Poll::Ready(Err(e))
            }
            Poll::Pending => silence(&mut this.write_wait, this.secs, cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(r) => {
                this.write_wait = None;
                Poll::Ready(r)
            }
            Poll::Pending => silence(&mut this.write_wait, this.secs, cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::IdleWatch;

    #[test]
    fn idle_is_seen_in_what_the_client_writes() {
        let mut w = IdleWatch::default();
        w.wrote(b"A7 ID");
        w.wrote(b"LE\r\n");
        assert!(w.idle);
        w.wrote(b"DONE\r\n");
        assert!(!w.idle);
        w.wrote(b"A8 UID FETCH 1 IDLE\r\n");
        assert!(!w.idle);
    }
}
