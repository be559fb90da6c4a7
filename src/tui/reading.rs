//! Running the reader's requests: finding the next unread message in the store, opening an
//! attachment or a link. All of it off the UI task; the answers come back as messages.

use super::effects::Env;
use crate::app::Msg;
use crate::app::reader::{Answer, Request};
use crate::model::Summary;
use crate::store::{ListQuery, Store};

/// Starts `req`; its answer is sent to the event loop, or, without one (tests), pushed to
/// `queue` at once.
pub fn run(env: Env<'_>, req: Request, queue: &mut Vec<Msg>) {
    match req {
        Request::FindUnread { query, from, total } => {
            super::effects::read_later(env, queue, move |store| match find_unread(store, &query, from, total) {
                Ok(found) => Msg::Reading(Answer::UnreadFound { query, found }),
                Err(e) => Msg::Reading(Answer::Opened(Err(format!("local store: {e}")))),
            });
        }
        Request::OpenAttachment { raw, index, mime } => {
            let Some(opener) = env.opener.cloned() else {
                queue.push(Msg::Reading(Answer::Opened(Err("nothing opens attachments here".into()))));
                return;
            };
            off_task(env, queue, move || match opener.prepare(&raw, index, &mime) {
                Ok(launch) => super::open::launch(launch),
                Err(e) => Some(Answer::Opened(Err(e))),
            });
        }
        Request::OpenLink(url) => match env.opener {
            Some(_) => off_task(env, queue, move || Some(super::open::link(&url))),
            None => queue.push(Msg::Reading(Answer::Opened(Err("nothing opens links here".into())))),
        },
    }
}

/// Runs `work` on a thread of its own (a viewer may stay open as long as the user likes,
/// and must not hold poste when it quits), or at once in tests.
fn off_task(env: Env<'_>, queue: &mut Vec<Msg>, work: impl FnOnce() -> Option<Answer> + Send + 'static) {
    match env.later {
        Some(later) => {
            let later = later.clone();
            std::thread::spawn(move || {
                if let Some(a) = work() {
                    let _ = later.send(Msg::Reading(a));
                }
            });
        }
        None => queue.extend(work().map(Msg::Reading)),
    }
}

/// The first unread message of `query` at list position `from` or later (of `total`), read
/// in growing chunks.
pub fn find_unread(
    store: &Store,
    query: &ListQuery,
    from: usize,
    total: usize,
) -> crate::store::Result<Option<(usize, Summary)>> {
    let mut pos = from;
    let mut chunk = 200;
    while pos < total {
        let rows = store.list_window(query, total, pos, chunk)?;
        if rows.is_empty() {
            break;
        }
        if let Some(i) = rows.iter().position(|s| !s.flags.is_seen()) {
            return Ok(Some((pos + i, rows[i].clone())));
        }
        pos += rows.len();
        chunk = (chunk * 4).min(20_000);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use crate::store::{ListQuery, Store};

    #[test]
    fn the_first_unread_after_a_position_is_found_past_many_read_ones() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::instance::DataDir::lock(dir.path()).unwrap();
        let store = Store::open(&data).unwrap();
        let account = store.ensure_account("a").unwrap();
        let info = |n: &str| crate::store::folders::FolderInfo {
            name: n.into(),
            display: n.into(),
            delimiter: Some("/".into()),
            special_use: None,
            noselect: false,
        };
        let folder = store.set_folders(account, &[info("INBOX")]).unwrap()[0].id;
        let seen = crate::model::Flags(crate::model::Flags::SEEN);
        // newest first: positions 0..=1199 are read, 1200 is not, 1201 is read
        let raws: Vec<Vec<u8>> = (0..1202)
            .map(|i| {
                format!(
                    "Subject: m{i}\r\nDate: {}\r\n\r\nx\r\n",
                    chrono::DateTime::from_timestamp(1_700_000_000 - i * 60, 0).unwrap().to_rfc2822()
                )
                .into_bytes()
            })
            .collect();
        let batch: Vec<(&[u8], crate::model::Flags, i64)> = raws
            .iter()
            .enumerate()
            .map(|(i, r)| (r.as_slice(), if i == 1200 { Default::default() } else { seen }, 0))
            .collect();
        store.add_local_messages(folder, &batch).unwrap();
        let q = ListQuery { folder: Some(folder), ..Default::default() };
        let (pos, row) = super::find_unread(&store, &q, 3, 1202).unwrap().unwrap();
        assert_eq!((pos, row.subject.as_str()), (1200, "m1200"));
        assert!(super::find_unread(&store, &q, 1201, 1202).unwrap().is_none());
    }
}
