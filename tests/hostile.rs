//! What a hostile server (or a sender, through a server) can do to poste, played by scripted
//! servers: badly encoded folder names, deep nesting, floods, stalls and endless answers.
//! Each test names the finding it guards against.

mod common;
#[path = "hostile/servers.rs"]
mod servers;

use common::fake::{Fake, Step};
use common::*;
use poste::secret::PasswordSource;

/// A fake IMAP server's greeting and login, without a folder selected.
fn login() -> Vec<Step> {
    vec![
        Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake".into()),
        Step::Reply("+ ".into()),
        Step::Reply("{tag} OK [CAPABILITY IMAP4rev1] logged in".into()),
        Step::Reply("* CAPABILITY IMAP4rev1\r\n{tag} OK done".into()),
    ]
}

/// The IMAP settings of a plain-text account on `port`, with `extra` keys.
fn imap_config(port: u16, extra: &str) -> (Setup, poste::config::ImapConfig) {
    let setup =
        Setup::new(&user("hostile"), Some(port), &format!("tls = \"none\"\nallow_plaintext_auth = true\n{extra}"));
    let cfg = setup.loaded().config.accounts[0].imap.clone().expect("an IMAP account");
    (setup, cfg)
}

fn pw() -> PasswordSource {
    PasswordSource::Inline("secret".into())
}

// 1. A folder name that is not modified UTF-7 panicked the decoder.
#[tokio::test]
async fn a_folder_name_that_is_not_utf7_is_listed_as_sent() {
    let mut script = login();
    script.push(Step::Reply(
        "* LIST () \"/\" INBOX\r\n* LIST () \"/\" \"R&D-Team\"\r\n* LIST () \"/\" \"Entw&APw-rfe\"\r\n{tag} OK listed"
            .into(),
    ));
    for _ in 0..3 {
        script.push(Step::Reply("* STATUS x (MESSAGES 0 UNSEEN 0 UIDNEXT 1)\r\n{tag} OK status".into()));
    }
    let fake = Fake::start(script).await;
    let (_setup, cfg) = imap_config(fake.port, "");
    let mut conn = poste::imap::connect(&cfg, &pw()).await.unwrap();
    let folders = poste::imap::list_folders(&mut conn).await.unwrap();
    let shown: Vec<&str> = folders.iter().map(|f| f.info.display.as_str()).collect();
    assert_eq!(shown, ["INBOX", "R&D-Team", "Entwürfe"]);
    assert_eq!(folders[1].info.name, "R&D-Team", "the server's name is kept for commands");
}

// 6. An out-of-range number in the config panicked the worker, and `poste sync` exited 0.
#[test]
fn an_out_of_range_config_value_is_refused_with_file_line_and_key() {
    let setup = Setup::new(&user("range"), None, "poll_interval = 18446744073709551615");
    let out = setup.poste(&["sync"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    let at = format!("{}:", setup.config.display());
    assert!(err.contains(&at) && err.contains("`imap.poll_interval`") && err.contains("out of range"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_survives_a_poll_interval_that_overflows_the_clock() {
    let setup = Setup::new(&user("overflow"), None, "");
    let mut account = setup.loaded().config.accounts[0].clone();
    if let Some(imap) = account.imap.as_mut() {
        imap.poll_interval = u64::MAX;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let h = poste::account::spawn(&account, &setup.data, tx).unwrap();
    assert_eq!(sync(&h, &mut rx).await, None);
    assert_eq!(sync(&h, &mut rx).await, None, "the worker is still there");
    h.shutdown().await;
}
