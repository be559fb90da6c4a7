//! POP3 accounts end to end against Dovecot: `poste sync` downloads into the local store
//! and deletes on the server as the policy says.

mod common;

use common::*;
use poste::store::ListQuery;

fn pop3_config(setup: &Setup, user: &str, extra: &str) {
    let s = servers();
    let text = format!(
        "data_dir = {data:?}\n[[accounts]]\nname = \"post\"\nemail = \"{user}\"\nprotocol = \"pop3\"\n\
         [accounts.pop3]\nhost = \"127.0.0.1\"\nport = {port}\nusername = \"{user}\"\n\
         password_command = \"echo secret\"\nca_file = {ca:?}\ntimeout_secs = 10\n{extra}\n",
        data = setup.data,
        port = s.pop3s,
        ca = s.ca,
    );
    std::fs::write(&setup.config, text).unwrap();
}

async fn server_count(a: &mut Admin) -> u32 {
    a.select("INBOX").await.unwrap().exists
}

fn local(setup: &Setup) -> Vec<String> {
    let store = setup.store();
    let acct = store.accounts().unwrap().into_iter().find(|(_, n)| n == "post").unwrap().0;
    let inbox = store.find_folder(acct, "INBOX").unwrap().unwrap();
    let mut v: Vec<String> = store
        .list(&ListQuery { folder: Some(inbox.id), ..Default::default() }, 0, 1000)
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_and_delete_leaves_the_server_empty_and_the_store_complete() {
    let user = user("popdl");
    let mut a = admin(&user).await;
    for i in 0..3 {
        append(&mut a, "INBOX", &message(i, &format!("p{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, &user, "");
    let out = setup.poste(&["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(local(&setup), ["p0", "p1", "p2"]);
    assert_eq!(server_count(&mut a).await, 0);
    // the local copies are real Maildir files, readable offline
    let store = setup.store();
    let all = store.list(&ListQuery::default(), 0, 10).unwrap();
    let raw = store.body(all[0].id).unwrap().expect("stored");
    assert!(String::from_utf8_lossy(&raw).contains("Body of message"));
    // local folders exist for sorting
    let acct = store.accounts().unwrap().into_iter().find(|(_, n)| n == "post").unwrap().0;
    let names: Vec<_> = store.folders(acct).unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["INBOX", "Drafts", "Sent", "Trash"]);
    // nothing new: a second sync changes nothing
    let out = setup.poste(&["sync"]);
    assert!(out.status.success());
    assert_eq!(local(&setup).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_on_server_downloads_each_message_once() {
    let user = user("popleave");
    let mut a = admin(&user).await;
    for i in 0..2 {
        append(&mut a, "INBOX", &message(i, &format!("l{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, &user, "leave_on_server = true");
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(local(&setup), ["l0", "l1"]);
    assert_eq!(server_count(&mut a).await, 2);
    append(&mut a, "INBOX", &message(5, "l5", "Mon, 02 Nov 2026 11:00:00 +0000")).await;
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(local(&setup), ["l0", "l1", "l5"], "only the new one was downloaded");
    assert_eq!(server_count(&mut a).await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_config_mistakes_and_bad_credentials_are_clear() {
    let user = user("popbad");
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, &user, "delete_after_days = 30");
    let out = setup.poste(&["sync"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("leave_on_server"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pop3_config(&setup, &user, "");
    let t = std::fs::read_to_string(&setup.config).unwrap().replace("echo secret", "echo wrong");
    std::fs::write(&setup.config, t).unwrap();
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("poste: account post:") && err.contains("login"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_when_deleted_locally_sends_dele_at_the_next_sync() {
    let user = user("popdel");
    let mut a = admin(&user).await;
    for i in 0..2 {
        append(&mut a, "INBOX", &message(i, &format!("d{i}"), "Mon, 02 Nov 2026 10:00:00 +0000")).await;
    }
    let setup = Setup::new(&user, None, "");
    pop3_config(&setup, &user, "leave_on_server = true\ndelete_when_deleted_locally = true");
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 2);
    let store = setup.store();
    let id = store.list(&ListQuery::default(), 0, 10).unwrap().into_iter().find(|m| m.subject == "d0").unwrap().id;
    // to the local Trash first: the server copy stays
    let out = setup.poste(&["delete", &id.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(local(&setup), ["d1"]);
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 2, "still in the local Trash");
    // emptied from Trash: gone here, and from the server at the next sync
    let out = setup.poste(&["delete", &id.to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(setup.poste(&["sync"]).status.success());
    assert_eq!(server_count(&mut a).await, 1);
    assert_eq!(local(&setup), ["d1"], "and it is not downloaded again");
}
