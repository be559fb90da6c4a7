//! The mailbox commands of the CLI against the harness's Dovecot: they say what they did,
//! ask (or need `--yes`) before deleting for good, list folders as a tree, and `read --peek`
//! leaves a message unread.

mod common;

use common::tmux::Tmux;
use common::*;
use poste::model::MessageId;
use std::process::Output;

fn said(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

fn refused(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A synced account with the messages `subjects` in its INBOX; their store ids, in order.
async fn synced(name: &str, subjects: &[&str]) -> (Setup, Admin, Vec<String>) {
    let me = user(name);
    let mut a = admin(&me).await;
    for (i, s) in subjects.iter().enumerate() {
        append(&mut a, "INBOX", &message(i, s, "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&me, None, "");
    said(&setup.poste(&["sync"]));
    let store = setup.store();
    let rows = store.list(&poste::store::ListQuery::default(), 0, 100).unwrap();
    let ids = subjects
        .iter()
        .map(|s| rows.iter().find(|m| m.subject == *s).unwrap_or_else(|| panic!("{s} not synced")).id.to_string())
        .collect();
    (setup, a, ids)
}

async fn count(a: &mut Admin, folder: &str) -> u32 {
    a.select(folder).await.unwrap().exists
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailbox_commands_say_what_they_did_and_ask_before_deleting_for_good() {
    let (setup, mut a, ids) = synced("saydone", &["m0", "m1", "m2", "m3"]).await;
    let [i0, i1, i2, i3] = [&ids[0], &ids[1], &ids[2], &ids[3]].map(String::as_str);
    assert_eq!(said(&setup.poste(&["flag", i0, i1, "--seen", "--flagged"])), "2 messages marked read and flagged");
    assert_eq!(said(&setup.poste(&["flag", i0, "--unflagged"])), "1 message unflagged");
    assert_eq!(said(&setup.poste(&["move", i0, "--to", "Archive"])), "1 message moved to Archive");
    assert_eq!(count(&mut a, "Archive").await, 1);

    // to Trash needs no question; in Trash it is for good, and a script must say --yes
    assert_eq!(said(&setup.poste(&["delete", i1])), "1 message moved to Trash");
    let err = refused(&setup.poste(&["delete", i1]));
    assert!(
        err.contains("refusing to delete 1 message for good from Trash without --yes")
            && err.contains("nothing was deleted"),
        "{err}"
    );
    assert_eq!(count(&mut a, "Trash").await, 1, "still there");
    assert_eq!(said(&setup.poste(&["delete", i1, "--yes"])), "1 message deleted for good from Trash");
    assert_eq!(count(&mut a, "Trash").await, 0);
    let err = refused(&setup.poste(&["delete", i2, "--expunge"]));
    assert!(err.contains("refusing to delete 1 message for good from INBOX without --yes"), "{err}");
    assert_eq!(said(&setup.poste(&["delete", i2, "--expunge", "--yes"])), "1 message deleted for good from INBOX");

    // folders: one with mail is asked about, an empty one is not
    assert_eq!(said(&setup.poste(&["folder", "create", "Reports"])), "folder Reports created");
    assert_eq!(said(&setup.poste(&["folder", "create", "Empty"])), "folder Empty created");
    assert_eq!(said(&setup.poste(&["folder", "unsubscribe", "Empty"])), "unsubscribed from Empty");
    assert_eq!(said(&setup.poste(&["folder", "subscribe", "Empty"])), "subscribed to Empty");
    assert_eq!(said(&setup.poste(&["folder", "rename", "Empty", "Void"])), "folder Empty renamed to Void");
    assert_eq!(said(&setup.poste(&["folder", "delete", "Void"])), "folder Void deleted");
    assert_eq!(said(&setup.poste(&["move", i3, "--to", "Reports"])), "1 message moved to Reports");
    let err = refused(&setup.poste(&["folder", "delete", "Reports"]));
    assert!(err.contains("refusing to delete the folder Reports and its 1 message for good without --yes"), "{err}");
    assert_eq!(count(&mut a, "Reports").await, 1);
    assert_eq!(
        said(&setup.poste(&["folder", "delete", "Reports", "--yes"])),
        "folder Reports deleted, with its 1 message"
    );
    use futures::TryStreamExt;
    let listed: Vec<_> = a.list(None, Some("*")).await.unwrap().try_collect().await.unwrap();
    let names: Vec<&str> = listed.iter().map(|n| n.name()).collect();
    assert!(!names.iter().any(|n| ["Reports", "Void"].contains(n)), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_is_asked_before_deleting_for_good() {
    let (setup, mut a, ids) = synced("askterm", &["t0"]).await;
    said(&setup.poste(&["delete", &ids[0]]));
    let args = format!("--config {:?} delete {}", setup.config, ids[0]);
    let env = format!("XDG_CACHE_HOME={:?}", setup.dir.path().join("cache"));
    let tmux = Tmux::start_args("askno", &env, &args);
    tmux.wait("Delete 1 message for good from Trash? [y/N]", 20);
    tmux.keys(&["n", "Enter"]);
    tmux.wait("nothing was deleted", 10);
    assert_eq!(count(&mut a, "Trash").await, 1);
    drop(tmux);
    let tmux = Tmux::start_args("askyes", &env, &args);
    tmux.wait("Delete 1 message for good from Trash? [y/N]", 20);
    tmux.keys(&["y", "Enter"]);
    tmux.wait("1 message deleted for good from Trash", 20);
    assert_eq!(count(&mut a, "Trash").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_list_shows_the_tree_with_counts_roles_and_containers() {
    let me = user("foldertree");
    let mut a = admin(&me).await;
    a.create("Work/2027").await.unwrap();
    a.create("Lists").await.unwrap();
    a.create("Lists/rust").await.unwrap();
    for i in 0..3 {
        append(&mut a, "INBOX", &message(i, "hello", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    append(&mut a, "Work/2027", &message(9, "plan", "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    let setup = Setup::new(&me, None, "");
    said(&setup.poste(&["sync"]));
    let text = said(&setup.poste(&["folder", "list"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "test", "{text}");
    assert!(lines[1].contains("FOLDER") && lines[1].contains("UNREAD") && lines[1].contains("TOTAL"), "{text}");
    let row = |name: &str| -> Vec<&str> {
        let l = lines.iter().find(|l| l.trim_start().starts_with(name)).unwrap_or_else(|| panic!("{name}: {text}"));
        l.split_whitespace().collect()
    };
    assert!(lines[2].trim_start().starts_with("INBOX"), "INBOX first: {text}");
    assert_eq!(row("INBOX"), ["INBOX", "3", "3", "inbox"]);
    assert_eq!(row("Trash"), ["Trash", "0", "0", "trash"]);
    // Work only holds 2027 (\Noselect on the server); Lists is a folder of its own
    assert_eq!(row("Work")[..2], ["Work", "container"], "{text}");
    assert_eq!(row("Lists"), ["Lists", "0", "0"], "{text}");
    let work = lines.iter().position(|l| l.trim_start().starts_with("Work")).unwrap();
    assert!(lines[work + 1].starts_with("    2027 "), "2027 under Work, indented: {text}");
    assert_eq!(row("2027"), ["2027", "1", "1"]);
    let rust = lines.iter().position(|l| l.trim_start().starts_with("rust")).unwrap();
    assert_eq!(lines[rust - 1].split_whitespace().next(), Some("Lists"), "{text}");
    assert!(setup.poste(&["folder", "--account", "nope", "list"]).status.code() == Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_peek_leaves_a_message_unread_and_read_marks_it() {
    let (setup, mut a, ids) = synced("peek", &["p0"]).await;
    let id = ids[0].as_str();
    let out = said(&setup.poste(&["read", "--peek", id]));
    assert!(out.contains("Body of message 0."), "{out}");
    assert!(!seen_on_server(&mut a, "INBOX", 1).await, "fetched, not marked read");
    assert!(!setup.store().message(MessageId(id.parse().unwrap())).unwrap().summary.flags.is_seen());
    // now cached: --peek still leaves it, and read without it marks it
    said(&setup.poste(&["read", "--peek", id]));
    assert!(!seen_on_server(&mut a, "INBOX", 1).await);
    said(&setup.poste(&["read", id]));
    assert!(seen_on_server(&mut a, "INBOX", 1).await, "read marks it read, cached or not");
    assert!(setup.store().message(MessageId(id.parse().unwrap())).unwrap().summary.flags.is_seen());
}
