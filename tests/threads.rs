//! Conversation threads against the real Dovecot: a thread across INBOX and Sent, a
//! parent expunged and appended again, and `poste list --threads`.

mod common;

use common::*;
use futures::TryStreamExt;
use poste::store::ListQuery;

fn mail(id: &str, parent: Option<&str>, refs: &str, subject: &str, date: &str) -> Vec<u8> {
    let mut head = format!(
        "From: Someone <{id}@example.com>\r\nTo: rcpt@example.org\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: <{id}@example.com>\r\n"
    );
    if let Some(p) = parent {
        head.push_str(&format!("In-Reply-To: <{p}@example.com>\r\n"));
    }
    if !refs.is_empty() {
        head.push_str(&format!("References: {refs}\r\n"));
    }
    format!("{head}\r\nBody of {id}.\r\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_across_inbox_and_sent_survives_its_parent_going_and_coming_back() {
    let user = user("threads");
    let mut a = admin(&user).await;
    let root = mail("root", None, "", "Plans", "Mon, 02 Nov 2026 10:00:00 +0000");
    append(&mut a, "INBOX", &root).await;
    let sent = mail("mine", Some("root"), "<root@example.com>", "Re: Plans", "Mon, 02 Nov 2026 11:00:00 +0000");
    append(&mut a, "Sent", &sent).await;
    let refs = "<root@example.com> <mine@example.com>";
    append(&mut a, "INBOX", &mail("theirs", Some("mine"), refs, "Re: Plans", "Mon, 02 Nov 2026 12:00:00 +0000")).await;
    append(&mut a, "INBOX", &mail("other", None, "", "Other", "Mon, 02 Nov 2026 09:00:00 +0000")).await;

    let setup = Setup::new(&user, None, "");
    let (h, mut rx) = setup.worker();
    assert_eq!(sync(&h, &mut rx).await, None);
    let store = setup.store();
    let inbox = store.find_folder(h.id, "INBOX").unwrap().unwrap().id;
    let q = ListQuery { folder: Some(inbox), ..Default::default() };
    let rows = store.thread_window(&q, 0, 10).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0].count, rows[0].newest.subject.as_str()), (2, "Re: Plans"));
    let t = rows[0].thread;
    let tree: Vec<_> = store
        .thread_tree(t, &ListQuery::default())
        .unwrap()
        .iter()
        .map(|e| format!("{}{}", e.glyphs(), e.summary.from_addr))
        .collect();
    assert_eq!(tree, ["root@example.com", "└─mine@example.com", "  └─theirs@example.com"]);

    // the parent expunged on the server: the thread stays one
    a.select("INBOX").await.unwrap();
    let _: Vec<_> = a.uid_store("1", "+FLAGS (\\Deleted)").await.unwrap().try_collect().await.unwrap();
    let _: Vec<_> = a.expunge().await.unwrap().try_collect().await.unwrap();
    assert_eq!(sync(&h, &mut rx).await, None);
    assert_eq!(store.thread_tree(t, &ListQuery::default()).unwrap().len(), 2);
    assert_eq!(store.thread_window(&q, 0, 10).unwrap()[0].count, 1);
    // and it comes back into the same thread
    append(&mut a, "INBOX", &root).await;
    assert_eq!(sync(&h, &mut rx).await, None);
    let rows = store.thread_window(&q, 0, 10).unwrap();
    assert_eq!((rows[0].thread, rows[0].count), (t, 2));
    assert_eq!(store.thread_count(&q).unwrap(), 2);
    h.shutdown().await;
    drop(store);

    let out = setup.poste(&["list", "--threads", "--folder", "INBOX"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let subjects: Vec<_> = text.lines().map(|l| l.rsplit("  ").next().unwrap_or("")).collect();
    assert_eq!(subjects, ["Plans", "└─Re: Plans", "Other"], "{text}");
    let out = setup.poste(&["list", "--threads", "--json"]);
    let rows: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let depths: Vec<_> = rows.iter().map(|r| (r["subject"].as_str().unwrap(), r["depth"].as_u64().unwrap())).collect();
    assert_eq!(depths, [("Plans", 0), ("Re: Plans", 1), ("Re: Plans", 2), ("Other", 0)]);
    assert!(rows[..3].iter().all(|r| r["thread"] == rows[0]["thread"]));
    assert_ne!(rows[3]["thread"], rows[0]["thread"]);
}
