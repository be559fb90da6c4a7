//! One intent, one command, against the real Dovecot and Postfix: an edited Outbox message
//! replaces the original in one step, a resumed draft leaves Drafts in the step that queues
//! the message, and a draft saved offline shows in Drafts at once and is uploaded, once,
//! when the account is back.

mod common;

use common::*;
use poste::account::{Command, Event, Replaces};
use poste::compose::Draft;
use poste::model::MessageId;
use poste::store::ListQuery;
use poste::store::outbox::OutState;

fn draft(from: &str, to: &str, subject: &str, body: &str) -> Draft {
    Draft {
        from: from.into(),
        to: to.into(),
        subject: subject.into(),
        body: body.into(),
        message_id: Some(poste::compose::new_message_id("localhost")),
        ..Default::default()
    }
}

/// Rows of a folder in the store: (UID, subject).
fn rows(setup: &Setup, folder: &str) -> Vec<(u32, String)> {
    let store = setup.store();
    let acct = store.accounts().unwrap()[0].0;
    let Some(f) = store.find_folder(acct, folder).unwrap() else { return Vec::new() };
    store
        .list(&ListQuery { folder: Some(f.id), ..Default::default() }, 0, 100)
        .unwrap()
        .into_iter()
        .map(|m| (m.uid, m.subject))
        .collect()
}

/// Waits until the worker has tried to send the action queue.
async fn settled(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> usize {
    wait_for(rx, 60, |e| match e {
        Event::Pending { count, settled: true, .. } => Some(*count),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_outbox_message_replaces_the_original_in_one_step() {
    let me = user("edit");
    let rcpt = user("edit-rcpt");
    let setup = Setup::new(&me, None, "");
    let smtp = proxy::Proxy::start(servers().submission).await;
    setup.smtp(Some(smtp.port), "");
    smtp.stop();
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let send = |d: &Draft, replaces| {
        let built = poste::compose::build(d, false).unwrap();
        Command::Send { message: Box::new(poste::compose::outgoing(d, built)), replaces }
    };
    h.send(send(&draft(&me, &rcpt, "first version", "one\n"), None));
    let items = wait_for(&mut rx, 30, |e| match e {
        Event::Outbox { items, .. } if !items.is_empty() => Some(items.clone()),
        _ => None,
    })
    .await;
    assert_eq!(items.len(), 1);
    let old = items[0].id;
    wait_for(&mut rx, 30, |e| matches!(e, Event::SendDone { state: OutState::Queued, .. }).then_some(())).await;

    // while the original is being handed over it cannot be replaced: nothing changes
    let store = setup.store_writer();
    let acct = store.accounts().unwrap()[0].0;
    assert_eq!(store.claim_outgoing(acct).unwrap().map(|m| m.id), Some(old));
    assert!(store.start_handover(old).unwrap());
    h.send(send(&draft(&me, &rcpt, "second version", "two\n"), Some(Replaces::Outgoing(old))));
    let why = wait_for(&mut rx, 30, |e| match e {
        Event::Notice { text, .. } if text.contains("being handed") => Some(text.clone()),
        _ => None,
    })
    .await;
    assert!(why.contains("nothing was changed"), "{why}");
    let items = store.outbox_items(acct).unwrap();
    assert_eq!(items.iter().map(|i| i.subject.as_str()).collect::<Vec<_>>(), ["first version"]);

    // once it is back in the queue, the edit takes its place in one step
    store.set_outgoing_state(old, OutState::Queued, None).unwrap();
    drop(store);
    h.send(send(&draft(&me, &rcpt, "second version", "two\n"), Some(Replaces::Outgoing(old))));
    let items = wait_for(&mut rx, 30, |e| match e {
        Event::Outbox { items, .. } if items.iter().any(|i| i.subject == "second version") => Some(items.clone()),
        _ => None,
    })
    .await;
    assert_eq!(items.iter().map(|i| i.subject.as_str()).collect::<Vec<_>>(), ["second version"]);
    smtp.resume();
    let new = items[0].id;
    h.send(Command::RetryOutgoing(new));
    wait_for(&mut rx, 30, |e| matches!(e, Event::SendDone { state: OutState::Sent, .. }).then_some(())).await;
    let mut r = admin(&rcpt).await;
    let got = wait_messages(&mut r, "INBOX", 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let got = if got.len() == 1 { wait_messages(&mut r, "INBOX", 1).await } else { got };
    assert_eq!(got.len(), 1, "only the edit went");
    assert!(String::from_utf8_lossy(&got[0].0).contains("second version"));
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_draft_leaves_drafts_in_the_step_that_queues_the_message() {
    let me = user("resume");
    let rcpt = user("resume-rcpt");
    let setup = Setup::new(&me, None, "");
    setup.smtp(None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let d = draft(&me, &rcpt, "from a draft", "written earlier\n");
    h.send(Command::SaveDraft { raw: poste::compose::build(&d, true).unwrap().saved, replaces: None });
    assert_eq!(settled(&mut rx).await, 0);
    let mut a = admin(&me).await;
    assert_eq!(wait_messages(&mut a, "Drafts", 1).await.len(), 1);
    let drafts = rows(&setup, "Drafts");
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].0 > 0, "the draft has the server's UID: {drafts:?}");
    let id = {
        let store = setup.store();
        let acct = store.accounts().unwrap()[0].0;
        let f = store.find_folder(acct, "Drafts").unwrap().unwrap();
        store.list(&ListQuery { folder: Some(f.id), ..Default::default() }, 0, 5).unwrap()[0].id
    };
    let built = poste::compose::build(&d, false).unwrap();
    h.send(Command::Send {
        message: Box::new(poste::compose::outgoing(&d, built)),
        replaces: Some(Replaces::Draft(id)),
    });
    wait_for(&mut rx, 30, |e| matches!(e, Event::SendDone { state: OutState::Sent, .. }).then_some(())).await;
    assert!(rows(&setup, "Drafts").is_empty(), "the draft left the store with the send");
    let mut r = admin(&rcpt).await;
    assert_eq!(wait_messages(&mut r, "INBOX", 1).await.len(), 1);
    settled(&mut rx).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while a.select("Drafts").await.unwrap().exists > 0 {
        assert!(std::time::Instant::now() < deadline, "the draft is still on the server");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_offline_shows_at_once_and_is_uploaded_once_when_back() {
    let me = user("offdraft");
    let imap = proxy::Proxy::start(servers().imaps).await;
    let setup = Setup::new(&me, Some(imap.port), "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    imap.stop();
    let first = draft(&me, "a@example.org", "written offline", "first\n");
    h.send(Command::SaveDraft { raw: poste::compose::build(&first, true).unwrap().saved, replaces: None });
    assert_eq!(settled(&mut rx).await, 1, "the upload waits in the queue");
    let shown = rows(&setup, "Drafts");
    assert_eq!(shown.len(), 1, "in Drafts at once");
    assert_eq!(shown[0].1, "written offline");
    // saved again, still offline: one draft, the newer one
    let id = {
        let store = setup.store();
        let acct = store.accounts().unwrap()[0].0;
        let f = store.find_folder(acct, "Drafts").unwrap().unwrap();
        store.list(&ListQuery { folder: Some(f.id), ..Default::default() }, 0, 5).unwrap()[0].id
    };
    let mut second = first.clone();
    second.body.push_str("second\n");
    h.send(Command::SaveDraft { raw: poste::compose::build(&second, true).unwrap().saved, replaces: Some(id) });
    settled(&mut rx).await;
    assert_eq!(rows(&setup, "Drafts").len(), 1);
    assert!(!setup.data.join("unsaved-drafts").exists());

    imap.resume();
    assert_eq!(sync(&h, &mut rx).await, None);
    let mut a = admin(&me).await;
    let on_server = wait_messages(&mut a, "Drafts", 1).await;
    assert_eq!(on_server.len(), 1, "uploaded once");
    assert!(String::from_utf8_lossy(&on_server[0].0).contains("second"));
    assert!(on_server[0].1.iter().any(|f| f.contains("Draft")));
    let here = rows(&setup, "Drafts");
    assert_eq!(here.len(), 1);
    assert!(here[0].0 > 0 && u64::from(here[0].0) < 1 << 32, "it has the server's UID now: {here:?}");
    assert_eq!(setup.store().pending_count(h.id).unwrap(), 0);
    h.shutdown().await;
}

/// The local account's drafts, polled until `want` holds: (id, subject).
async fn local_drafts(setup: &Setup, want: impl Fn(&[(MessageId, String)]) -> bool) -> Vec<(MessageId, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let store = setup.store();
        let acct = store.accounts().unwrap()[0].0;
        let rows: Vec<_> = match store.find_folder(acct, "Drafts").unwrap() {
            Some(f) => store
                .list(&ListQuery { folder: Some(f.id), ..Default::default() }, 0, 100)
                .unwrap()
                .into_iter()
                .map(|m| (m.id, m.subject))
                .collect(),
            None => Vec::new(),
        };
        if want(&rows) || std::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_draft_saved_again_unchanged_or_as_long_is_kept_once_with_the_last_text() {
    let me = user("popdraft");
    let setup = Setup::new(&me, None, "");
    setup.pop3(servers().pop3s, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let first = draft(&me, "a@example.org", "draft v1", "the text\n");
    let raw = poste::compose::build(&first, true).unwrap().saved;
    h.send(Command::SaveDraft { raw: raw.clone(), replaces: None });
    let rows = local_drafts(&setup, |r| r.len() == 1).await;
    assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["draft v1"]);
    // opened and saved again without a change: the same Message-ID and size as the one it
    // replaces, which must not count as already kept
    h.send(Command::SaveDraft { raw, replaces: Some(rows[0].0) });
    let rows = local_drafts(&setup, |r| r.len() == 1 && r[0].0 != rows[0].0).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    // edited to a text of the same length: the edit is what is kept
    let mut second = first.clone();
    second.subject = "draft v2".into();
    let raw = poste::compose::build(&second, true).unwrap().saved;
    h.send(Command::SaveDraft { raw, replaces: Some(rows[0].0) });
    let rows = local_drafts(&setup, |r| r.len() == 1 && r[0].1 == "draft v2").await;
    assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["draft v2"]);
    h.shutdown().await;
}
