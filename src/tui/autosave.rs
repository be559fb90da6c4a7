//! Writing and removing autosave files off the event loop: one thread takes the jobs in
//! order (only the latest text of a file is written when several wait), so the UI never
//! waits for the disk; dropping the writer finishes what is queued.

use crate::compose::autosave::{self, Kept};
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

enum Job {
    Write(String, String),
    Remove(String),
}

/// The autosave writer of one UI session.
pub(crate) struct Autosaver {
    dir: PathBuf,
    tx: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Autosaver {
    /// A writer for `DATA_DIR/autosave`.
    pub fn start(data_dir: &Path) -> Autosaver {
        let dir = autosave::dir(data_dir);
        let (tx, rx) = mpsc::channel::<Job>();
        let d = dir.clone();
        let thread = std::thread::Builder::new()
            .name("autosave".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    let mut jobs = vec![job];
                    jobs.extend(rx.try_iter());
                    run(&d, jobs);
                }
            })
            .map_err(|e| tracing::error!(error = %e, "cannot start the autosave thread; messages are not kept"))
            .ok();
        Autosaver { dir, tx: thread.is_some().then_some(tx), thread }
    }

    /// What a crash left here, for the offer at start, checked against the store.
    pub fn found(&self, store: &Store) -> crate::app::Msg {
        let (kept, next) = autosave::list(&self.dir);
        let kept = kept.into_iter().map(|k| checked(store, k)).collect();
        crate::app::Msg::AutosavesFound { kept, next }
    }

    pub fn write(&self, file: String, content: String) {
        self.send(Job::Write(file, content));
    }

    pub fn remove(&self, file: String) {
        self.send(Job::Remove(file));
    }

    fn send(&self, job: Job) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }
}

/// A kept message with the store ids it names checked: one that no longer names the same
/// message (gone, or its number taken by another since) is dropped, so that sending it
/// later deletes, discards or flags nothing by mistake.
fn checked(store: &Store, mut k: Kept) -> Kept {
    let bare =
        |id: &Option<String>| id.as_deref().map(|i| i.trim().trim_start_matches('<').trim_end_matches('>').to_string());
    let own = bare(&k.meta.message_id);
    let stored_id = |id| store.message(id).ok().map(|m| m.message_id);
    let m = &mut k.meta;
    // the draft it continues carries its own Message-ID; the message it answers, In-Reply-To
    if m.resumed.is_some_and(|id| own.is_none() || stored_id(id) != Some(own.clone())) {
        m.resumed = None;
    }
    if let Some(id) = m.answers {
        match stored_id(id) {
            Some(found) if bare(&m.in_reply_to).is_none() || found == bare(&m.in_reply_to) => {}
            _ => m.answers = None,
        }
    }
    if m.forwards.is_some_and(|id| stored_id(id).is_none()) {
        m.forwards = None;
    }
    let outgoing_id = |id| -> Option<String> {
        let saved = store.outgoing(id).ok()??.saved;
        bare(&crate::compose::parse_draft(&saved).message_id)
    };
    if m.outgoing.is_some_and(|id| own.is_none() || outgoing_id(id) != own) {
        m.outgoing = None;
    }
    k
}

/// Runs queued jobs in order, skipping a write that a later job of the same file replaces.
fn run(dir: &Path, jobs: Vec<Job>) {
    let file_of = |j: &Job| match j {
        Job::Write(f, _) | Job::Remove(f) => f.clone(),
    };
    for (i, job) in jobs.iter().enumerate() {
        let superseded = jobs[i + 1..].iter().any(|later| file_of(later) == file_of(job));
        let result = match job {
            Job::Write(..) if superseded => Ok(()),
            Job::Write(file, content) => autosave::write(dir, file, content),
            Job::Remove(file) => autosave::remove(dir, file),
        };
        if let Err(e) = result {
            tracing::warn!(file = %file_of(job), error = %e, "autosave failed");
        }
    }
}

impl Drop for Autosaver {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageId;

    #[test]
    fn ids_that_no_longer_name_the_same_message_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::instance::DataDir::lock(dir.path()).unwrap();
        crate::demo::build(&data).unwrap();
        let store = Store::open(&data).unwrap();
        let rows = store.list(&Default::default(), 0, 50).unwrap();
        let (id, mid) = rows
            .iter()
            .find_map(|r| Some((r.id, store.message(r.id).ok()?.message_id?)))
            .expect("a demo message with a Message-ID");
        let account = store.accounts().unwrap()[0].0;
        let raw = format!("From: a@x.org\r\nTo: b@x.org\r\nMessage-ID: <{mid}>\r\n\r\nx\r\n").into_bytes();
        let env = crate::smtp::Envelope { from: "a@x.org".into(), to: vec!["b@x.org".into()] };
        let outgoing = store
            .queue_outgoing(account, &crate::store::outbox::Outgoing::new(env, "s".into(), raw.clone(), raw))
            .unwrap();
        let meta = |own: &str, replied: &str| autosave::Meta {
            resumed: Some(id),
            answers: Some(id),
            forwards: Some(id),
            outgoing: Some(outgoing),
            message_id: Some(format!("<{own}>")),
            in_reply_to: Some(format!("<{replied}>")),
            ..Default::default()
        };
        let kept = |m| Kept { file: "f-1.eml".into(), account: "a".into(), meta: m, text: String::new() };
        // all still what they were
        let same = checked(&store, kept(meta(&mid, &mid)));
        assert_eq!(same.meta, meta(&mid, &mid));
        // another message under those numbers: nothing to delete, discard or flag
        let other = checked(&store, kept(meta("other@x.org", "else@x.org"))).meta;
        assert_eq!((other.resumed, other.answers, other.outgoing, other.forwards), (None, None, None, Some(id)));
        // gone altogether
        let gone = autosave::Meta {
            resumed: Some(MessageId(999_999)),
            forwards: Some(MessageId(999_999)),
            ..meta(&mid, &mid)
        };
        let gone = checked(&store, kept(gone)).meta;
        assert_eq!((gone.resumed, gone.forwards), (None, None));
    }

    #[test]
    fn jobs_run_in_order_and_dropping_finishes_them() {
        let dir = tempfile::tempdir().unwrap();
        let a = Autosaver::start(dir.path());
        let text = |s: &str| autosave::render("work", &Default::default(), s);
        a.write("work-1.eml".into(), text("first"));
        a.write("work-1.eml".into(), text("second"));
        a.write("work-2.eml".into(), text("gone soon"));
        a.remove("work-2.eml".into());
        drop(a);
        let (kept, next) = autosave::list(&autosave::dir(dir.path()));
        assert_eq!(kept.len(), 1);
        assert_eq!((kept[0].file.as_str(), kept[0].text.as_str(), next), ("work-1.eml", "second", 2));
    }
}
