//! A writer killed at a random moment leaves a store that opens and is consistent: whole
//! batches only, and every recorded body file present.

use poste::instance::DataDir;
use poste::model::{Flags, NewMessage};
use poste::store::folders::FolderInfo;
use poste::store::{ListQuery, Store};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BATCH: usize = 50;

/// Run by the test below in a child process, which it kills.
#[test]
#[ignore = "the child half of kill_mid_write_leaves_a_consistent_store"]
fn child_writer() {
    let Ok(dir) = std::env::var("POSTE_CRASH_DIR") else {
        return;
    };
    let store = Store::open(&DataDir::lock(std::path::Path::new(&dir)).unwrap()).unwrap();
    let acct = store.ensure_account("crash").unwrap();
    let folders = store
        .set_folders(
            acct,
            &[FolderInfo {
                name: "INBOX".into(),
                display: "INBOX".into(),
                delimiter: None,
                special_use: None,
                noselect: false,
            }],
        )
        .unwrap();
    let inbox = folders[0].id;
    for b in 0u32.. {
        let batch: Vec<NewMessage> = (0..BATCH as u32)
            .map(|i| NewMessage {
                uid: b * BATCH as u32 + i + 1,
                subject: format!("m{b}-{i}"),
                date: b as i64,
                flags: Flags(0),
                ..Default::default()
            })
            .collect();
        store.insert_messages(inbox, &batch).unwrap();
        let ids: Vec<_> = store.list(&ListQuery { folder: Some(inbox), ..Default::default() }, 0, BATCH).unwrap();
        for m in ids.iter().filter(|m| !m.cached).take(5) {
            store.store_body(m.id, format!("Subject: {}\r\n\r\nbody\r\n", m.subject).as_bytes()).unwrap();
        }
        println!("batch {b}");
    }
}

#[test]
fn kill_mid_write_leaves_a_consistent_store() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["child_writer", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env("POSTE_CRASH_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wanted = 3 + round * 4;
        let mut seen = 0;
        while seen < wanted {
            match lines.next() {
                Some(Ok(l)) if l.starts_with("batch ") => seen += 1,
                Some(Ok(_)) => {}
                _ => panic!("the writer stopped early"),
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let store = Store::open(&DataDir::lock(dir.path()).unwrap()).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let q = ListQuery::default();
        let total = store.count(&q).unwrap();
        assert!(total >= wanted * BATCH, "{total}");
        assert_eq!(total % BATCH, 0, "a batch was half written: {total}");
        let acct = store.accounts().unwrap()[0].0;
        let f = &store.folders(acct).unwrap()[0];
        assert_eq!(f.total as usize, total, "the counts agree with the rows");
        for m in store.list(&q, 0, total).unwrap() {
            if m.cached {
                assert!(store.body(m.id).unwrap().is_some(), "message {} points at a missing file", m.id);
            }
        }
        // and it keeps working
        store.insert_messages(f.id, &[NewMessage { uid: 1_000_000, ..Default::default() }]).unwrap();
    }
}
