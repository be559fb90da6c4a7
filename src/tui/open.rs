//! Opening an attachment or a link outside poste: the attachment is copied into a private
//! temporary directory (0700, removed when poste ends) and shown by the viewer the user's
//! `~/.mailcap` names for its type, else by the system's opener (`xdg-open`, `open`); a
//! link goes to the system's opener. Nothing goes through a shell with a name or a URL in
//! its text, and all of it runs off the UI task.

use super::mailcap;
use crate::app::reader::{Answer, Handover};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Where temporary copies go, and the mailcap to read. Cheap to clone; the directory goes
/// when the last clone does.
#[derive(Clone)]
pub struct Opener {
    inner: Arc<Inner>,
}

struct Inner {
    dir: Mutex<Option<tempfile::TempDir>>,
    copies: AtomicU64,
    mailcap: Option<PathBuf>,
}

/// How an attachment is to be shown.
#[derive(Debug)]
pub enum Launch {
    /// By the system's opener.
    System { file: PathBuf, name: String },
    /// By a mailcap viewer that runs beside poste.
    Beside { command: String, file: PathBuf, mime: String, name: String },
    /// By a mailcap viewer that needs the terminal.
    Terminal(Handover),
}

impl Opener {
    /// An opener reading `mailcap` (None: the system's opener only).
    pub fn new(mailcap: Option<PathBuf>) -> Opener {
        Opener { inner: Arc::new(Inner { dir: Mutex::new(None), copies: AtomicU64::new(0), mailcap }) }
    }

    /// An opener with the user's `~/.mailcap`.
    pub fn for_user() -> Opener {
        Opener::new(directories::BaseDirs::new().map(|b| b.home_dir().join(".mailcap")))
    }

    /// The private directory, made at the first use.
    fn dir(&self) -> Result<PathBuf, String> {
        let mut dir = self.inner.dir.lock().unwrap_or_else(|p| p.into_inner());
        if dir.is_none() {
            let made = tempfile::Builder::new()
                .prefix("poste-open-")
                .permissions(std::fs::Permissions::from_mode(0o700))
                .tempdir()
                .map_err(|e| format!("cannot make a private directory to open it from: {e}"))?;
            *dir = Some(made);
        }
        dir.as_ref().map(|d| d.path().to_path_buf()).ok_or_else(|| "no private directory".to_string())
    }

    /// Writes a temporary copy of attachment `index` of `raw` and says how to show it.
    pub fn prepare(&self, raw: &[u8], index: usize, mime: &str) -> Result<Launch, String> {
        let (name, bytes) = crate::mime::attachment_bytes(raw, index).map_err(|e| e.to_string())?;
        let n = self.inner.copies.fetch_add(1, Ordering::Relaxed);
        let dir = self.dir()?.join(n.to_string());
        std::fs::create_dir(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        let file = crate::mime::save_attachment(&dir, &copy_name(&name), &bytes).map_err(|e| e.to_string())?;
        let name = crate::sanitize::line(&name);
        let mime = plain_type(mime);
        let mailcap = self.inner.mailcap.as_deref().and_then(|p| std::fs::read_to_string(p).ok());
        let Some(entry) = mailcap.and_then(|m| mailcap::find(&m, &mime, &file)) else {
            return Ok(Launch::System { file, name });
        };
        Ok(if entry.needs_terminal || entry.copious {
            Launch::Terminal(Handover::Viewer {
                command: entry.command,
                file,
                content_type: mime,
                copious: entry.copious,
            })
        } else {
            Launch::Beside { command: entry.command, file, mime, name }
        })
    }
}

/// A name for the temporary copy that no shell reads as anything but a name: letters,
/// digits and `._-+`, the rest as `_` (the extension, which viewers go by, stays).
fn copy_name(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+') { c } else { '_' }).collect();
    let s = s.trim_start_matches(['.', '-']);
    if s.is_empty() { "attachment".into() } else { s.into() }
}

/// The type as a plain `type/subtype` of token characters, else `application/octet-stream`.
fn plain_type(mime: &str) -> String {
    let m = mime.trim().to_ascii_lowercase();
    let ok = m.split('/').count() == 2
        && m.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '+' | '-' | '_'));
    if ok { m } else { "application/octet-stream".into() }
}

/// Starts a launch (blocking: run it off the UI task); the answer says what became of it,
/// None when a viewer beside poste did its job. A viewer that needs the terminal comes
/// back to be run by the event loop.
pub fn launch(l: Launch) -> Option<Answer> {
    match l {
        Launch::System { file, name } => {
            Some(Answer::Opened(system(file.as_os_str()).map(|_| format!("opened {name}"))))
        }
        Launch::Terminal(h) => Some(Answer::NeedsTerminal(h)),
        Launch::Beside { command, file, mime, name } => {
            let run = mailcap::command(&command, &file, &mime).and_then(|mut c| {
                c.stdout(Stdio::null()).stderr(Stdio::null());
                if mailcap::script(&command).1 {
                    c.stdin(Stdio::null());
                }
                c.status().map_err(|e| format!("cannot run the viewer {command:?}: {e}"))
            });
            match run {
                Ok(s) if s.success() => None,
                Ok(s) => Some(Answer::Opened(Err(format!("the viewer {command:?} for {name} failed ({s})")))),
                Err(e) => Some(Answer::Opened(Err(e))),
            }
        }
    }
}

/// A link, opened by the system's opener.
pub fn link(url: &str) -> Answer {
    Answer::Opened(system(std::ffi::OsStr::new(url)).map(|_| format!("opened {url}")))
}

/// The system's opener on a file or URL (`xdg-open` and the like, `open` on macOS), its
/// output kept off the screen.
fn system(target: &std::ffi::OsStr) -> Result<(), String> {
    open::that_detached(target).map_err(|e| format!("the system's opener could not open it: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn is_private(dir: &Path) -> bool {
        std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
    }

    const RAW: &[u8] = b"From: a@x.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n\
Content-Type: text/plain; name=\"$(touch pwned);x.txt\"\r\nContent-Disposition: attachment; filename=\"$(touch pwned);x.txt\"\r\n\r\n\
the attachment\r\n--b--\r\n";

    #[test]
    fn copies_are_private_safely_named_and_removed_with_the_opener() {
        let work = tempfile::tempdir().unwrap();
        let out = work.path().join("seen");
        let mailcap = work.path().join("mailcap");
        std::fs::write(&mailcap, format!("text/plain; cp %s {}\n", out.display())).unwrap();
        let opener = Opener::new(Some(mailcap));
        let Launch::Beside { command, file, mime, .. } = opener.prepare(RAW, 0, "text/plain").unwrap() else {
            panic!("the mailcap entry applies")
        };
        let dir = file.parent().unwrap().parent().unwrap().to_path_buf();
        assert!(is_private(&dir), "{dir:?}");
        assert_eq!(file.file_name().unwrap(), "__touch_pwned__x.txt");
        assert!(launch(Launch::Beside { command, file, mime, name: "x".into() }).is_none());
        assert_eq!(std::fs::read_to_string(&out).unwrap().trim_end(), "the attachment");
        assert!(!work.path().join("pwned").exists() && !Path::new("pwned").exists());
        drop(opener);
        assert!(!dir.exists(), "the private directory goes with poste");
    }

    #[test]
    fn terminal_viewers_come_back_to_the_event_loop_and_odd_types_are_not_passed_on() {
        let work = tempfile::tempdir().unwrap();
        let mailcap = work.path().join("mailcap");
        std::fs::write(&mailcap, "text/*; less %s; needsterminal\n").unwrap();
        let opener = Opener::new(Some(mailcap));
        let l = opener.prepare(RAW, 0, "text/plain").unwrap();
        assert!(
            matches!(l, Launch::Terminal(Handover::Viewer { ref content_type, .. }) if content_type == "text/plain")
        );
        assert_eq!(plain_type("text/plain; x=$(id)"), "application/octet-stream");
        assert_eq!(plain_type("Image/SVG+XML"), "image/svg+xml");
        let none = Opener::new(None);
        assert!(matches!(none.prepare(RAW, 0, "text/plain").unwrap(), Launch::System { .. }));
    }
}
