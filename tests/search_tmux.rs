//! Search in the real binary, in tmux, against the real Dovecot and Postfix: one search
//! over an IMAP and a POP3 account finds mail in both; a result is opened and answered,
//! and the answer joins the conversation of the message it answers.

mod common;

use common::tmux::Tmux;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_two_accounts_open_a_result_reply_and_the_reply_is_threaded() {
    let me = user("tmuxsearch");
    let box_user = user("tmuxsearchpop");
    let other = user("tmuxsearchother");
    let mut a = admin(&me).await;
    let original = format!(
        "From: Olga Other <{other}>\r\nTo: {me}\r\nSubject: Budget for the trip\r\n\
         Date: Wed, 04 Nov 2026 10:00:00 +0000\r\nMessage-ID: <budget-trip@example.org>\r\n\r\n\
         Can we keep the hotel under 300 euros?\r\n"
    );
    append(&mut a, "INBOX", original.as_bytes()).await;
    append(&mut a, "INBOX", &message(1, "Unrelated news", "Tue, 03 Nov 2026 10:00:00 +0000")).await;
    let mut p = admin(&box_user).await;
    let posted = b"From: Pete Post <pete@example.com>\r\nTo: box@example.org\r\nSubject: The budget spreadsheet\r\n\
Date: Thu, 05 Nov 2026 10:00:00 +0000\r\nMessage-ID: <sheet@example.com>\r\n\r\nAttached is nothing yet.\r\n";
    append(&mut p, "INBOX", posted).await;

    // two accounts: IMAP with SMTP, and POP3
    let setup = Setup::new(&me, None, "");
    let s = servers();
    let mut text = std::fs::read_to_string(&setup.config).unwrap();
    text.push_str(&format!(
        "[accounts.smtp]\nhost = \"127.0.0.1\"\nport = {sub}\ntls = \"starttls\"\ntimeout_secs = 10\n\
         [[accounts]]\nname = \"post\"\nemail = \"{box_user}\"\nprotocol = \"pop3\"\n\
         [accounts.pop3]\nhost = \"127.0.0.1\"\nport = {pop}\nusername = \"{box_user}\"\n\
         password_command = \"echo secret\"\nca_file = {ca:?}\ntimeout_secs = 10\n",
        sub = s.submission,
        pop = s.pop3s,
        ca = s.ca,
    ));
    std::fs::write(&setup.config, text).unwrap();
    let editor = common::tmux::answering_editor(setup.dir.path(), "Yes, 280 is the best offer.");
    let tmux = Tmux::start_env("search", &setup, &format!("EDITOR={} VISUAL=", editor.display()));
    tmux.wait("test:online", 30);
    tmux.wait("post:online", 30);

    // one search over both accounts
    tmux.keys(&["\\"]);
    tmux.wait("Search", 5);
    tmux.keys(&["-l", "budget"]);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_until("results of both accounts", 20, |s| {
        s.contains("search: budget") && s.contains("Budget for the trip") && s.contains("The budget spreadsheet")
    });
    assert!(s.contains("test/INBOX") && s.contains("post/INBOX"), "{s}");
    assert!(!s.contains("Unrelated news"), "{s}");

    // the IMAP result (the second: the POP3 one is newer), opened and answered
    tmux.keys(&["g", "j", "Enter"]);
    tmux.wait("Can we keep the hotel under 300 euros?", 20);
    tmux.keys(&["r"]);
    let s = tmux.wait("Review", 20);
    assert!(s.contains("Subject: Re: Budget for the trip") && s.contains(&format!("From: {me}")), "{s}");
    tmux.keys(&["y"]);
    tmux.wait_until("the review closed", 10, |s| !s.contains("Review"));

    let mut o = admin(&other).await;
    let got = wait_messages(&mut o, "INBOX", 1).await;
    assert!(String::from_utf8_lossy(&got[0].0).contains("In-Reply-To: <budget-trip@example.org>"));
    wait_messages(&mut a, "Sent", 1).await;
    // out of the reader and the search, then quit (yes, should a change still be on its way)
    for _ in 0..8 {
        let s = tmux.screen();
        if !s.contains("test:") {
            break;
        }
        tmux.keys(&[if s.contains("(y/n)") { "y" } else { "q" }]);
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    tmux.wait_until("poste ended", 10, |s| !s.contains("test:"));

    // the reply in Sent is in the thread of the message in INBOX
    let sync = setup.poste(&["sync", "--account", "test"]);
    assert!(sync.status.success(), "{}", String::from_utf8_lossy(&sync.stderr));
    let out = setup.poste(&["list", "--account", "test", "--threads", "--json"]);
    let rows: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let find = |subject: &str| rows.iter().find(|r| r["subject"] == subject).unwrap_or_else(|| panic!("{rows:?}"));
    let (orig, reply) = (find("Budget for the trip"), find("Re: Budget for the trip"));
    assert_eq!(orig["thread"], reply["thread"], "{rows:?}");
    assert_eq!((orig["depth"].as_u64(), reply["depth"].as_u64()), (Some(0), Some(1)), "{rows:?}");
    assert_eq!(reply["folder"], "Sent");
}
