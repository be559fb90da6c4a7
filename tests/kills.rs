//! SIGKILL at random moments against the real Dovecot: 20 kills during an IMAP sync of
//! 10,000 messages, and 20 during a move of 2,000. After each kill the store is sound, and
//! once a sync has run to the end it matches the server exactly: nothing lost, nothing twice,
//! no placeholder left behind.

mod common;

use common::*;
use futures::TryStreamExt;
use poste::store::ListQuery;
use std::collections::BTreeSet;
use std::time::Duration;

const RUNS: usize = 20;

/// A pseudo-random delay from `seed` (xorshift), between `lo` and `lo + span` ms.
fn delay(seed: &mut u64, lo: u64, span: u64) -> Duration {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    Duration::from_millis(lo + *seed % span)
}

/// UIDs of a folder on the server.
async fn server_uids(a: &mut Admin, folder: &str) -> BTreeSet<u32> {
    if a.select(folder).await.unwrap().exists == 0 {
        return BTreeSet::new();
    }
    a.uid_search("ALL").await.unwrap().into_iter().collect()
}

/// UIDs of a folder in the store (a placeholder would show as 0), after the recovery the
/// next start does; the store must be sound and its files and rows agree.
fn store_uids(setup: &Setup, folder: &str) -> Vec<u32> {
    setup.recover();
    let store = setup.store();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let Some((acct, _)) = store.accounts().unwrap().into_iter().next() else { return Vec::new() };
    let Some(f) = store.find_folder(acct, folder).unwrap() else { return Vec::new() };
    let q = ListQuery { folder: Some(f.id), ..Default::default() };
    let rows = store.list(&q, 0, 1_000_000).unwrap();
    assert_eq!(store.count(&q).unwrap(), rows.len(), "the folder's count agrees with its rows");
    let mut uids: Vec<u32> = rows.iter().map(|m| m.uid).collect();
    uids.sort_unstable();
    uids
}

fn sync_to_the_end(setup: &Setup) {
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_an_imap_sync_of_10000() {
    let user = user("killsync");
    fill_inbox(&user, (0..10_000).map(|i| message(i, &format!("s{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")));
    let mut a = admin(&user).await;
    let server = server_uids(&mut a, "INBOX").await;
    assert_eq!(server.len(), 10_000);
    let mut seed = 0x2545f4914f6cdd1d;
    for run in 0..RUNS {
        // a new data dir each run, so every kill lands in a first sync with work to do
        let setup = Setup::new(&user, None, "");
        setup.kill_after(&["sync"], delay(&mut seed, 100, 1500));
        let partial = store_uids(&setup, "INBOX");
        let unique: BTreeSet<u32> = partial.iter().copied().collect();
        assert_eq!(unique.len(), partial.len(), "run {run}: a message is stored twice");
        assert!(unique.is_subset(&server), "run {run}: the store has messages the server does not");
        eprintln!("run {run}: killed with {} of 10000 stored", partial.len());
        sync_to_the_end(&setup);
        let all: BTreeSet<u32> = store_uids(&setup, "INBOX").into_iter().collect();
        assert_eq!(all, server, "run {run}: after a whole sync the store matches the server");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_move_of_2000() {
    let user = user("killmove");
    fill_inbox(&user, (0..2000).map(|i| message(i, &format!("v{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")));
    let mut a = admin(&user).await;
    a.create("Archive").await.unwrap();
    let setup = Setup::new(&user, None, "");
    sync_to_the_end(&setup);
    let ids_in = |folder: &str| -> Vec<String> {
        let store = setup.store();
        let acct = store.accounts().unwrap()[0].0;
        let f = store.find_folder(acct, folder).unwrap().unwrap();
        let q = ListQuery { folder: Some(f.id), ..Default::default() };
        store.list(&q, 0, 10_000).unwrap().into_iter().map(|m| m.id.to_string()).collect()
    };
    let move_args = |ids: &[String], to: &'static str| -> Vec<String> {
        let mut args = vec!["move".to_string()];
        args.extend(ids.iter().cloned());
        args.extend(["--to".to_string(), to.to_string()]);
        args
    };
    let mut seed = 0x9e3779b97f4a7c15;
    for run in 0..RUNS {
        let (from, to) = if run % 2 == 0 { ("INBOX", "Archive") } else { ("Archive", "INBOX") };
        let args = move_args(&ids_in(from), to);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        setup.kill_after(&args, delay(&mut seed, 20, 600));
        // the next run finishes the queue (or the move never started), then resyncs
        sync_to_the_end(&setup);
        let rest = ids_in(from);
        if !rest.is_empty() {
            let args = move_args(&rest, to);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let moved = setup.poste(&args);
            assert!(moved.status.success(), "{}", String::from_utf8_lossy(&moved.stderr));
            sync_to_the_end(&setup);
        }
        for folder in ["INBOX", "Archive"] {
            let local: BTreeSet<u32> = store_uids(&setup, folder).into_iter().collect();
            assert!(!local.contains(&0), "run {run}: a placeholder is left in {folder}");
            assert_eq!(local, server_uids(&mut a, folder).await, "run {run}: {folder} matches the server");
        }
        assert_eq!(server_uids(&mut a, to).await.len(), 2000, "run {run}: all 2000 are in {to}, once");
        let store = setup.store();
        assert_eq!(store.pending_count(store.accounts().unwrap()[0].0).unwrap(), 0);
        let subjects: Vec<String> =
            store.list(&ListQuery::default(), 0, 10_000).unwrap().into_iter().map(|m| m.subject).collect();
        let unique: BTreeSet<&String> = subjects.iter().collect();
        assert_eq!((subjects.len(), unique.len()), (2000, 2000), "run {run}: every message once in the store");
        // a sanity check on the server too: one copy of each
        let found: Vec<_> = {
            a.select(to).await.unwrap();
            a.fetch("1:*", "ENVELOPE").await.unwrap().try_collect().await.unwrap()
        };
        assert_eq!(found.len(), 2000);
    }
}
