//! The command line without servers: missing and broken configs, `list` from the store,
//! `read` of a cached message, and the example config.

use poste::model::{Flags, MessageId};
use poste::store::Store;
use poste::store::folders::FolderInfo;
use std::process::Command;

fn poste(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_poste"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("XDG_CACHE_HOME", config.parent().unwrap().join("cache"))
        .output()
        .unwrap()
}

/// A config with one IMAP account "home" whose server cannot be reached, and its store
/// (held: drop it before running poste).
fn offline_home() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = {data:?}\n[[accounts]]\nname = \"home\"\nemail = \"me@x\"\nprotocol = \"imap\"\n\
             [accounts.imap]\nhost = \"127.0.0.1\"\nport = 1\nusername = \"me\"\npassword_command = \"echo x\"\n"
        ),
    )
    .unwrap();
    let store = Store::open(&poste::instance::DataDir::lock(&data).unwrap()).unwrap();
    (dir, cfg, store)
}

#[test]
fn missing_config_says_where_and_how_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_poste"))
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path())
        .env_remove("POSTE_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let expected = dir.path().join("poste/config.toml");
    assert!(err.contains(&expected.display().to_string()), "{err}");
    assert!(err.contains("--demo") && err.contains("config.example.toml"), "{err}");
}

#[test]
fn broken_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprotocol = \"imap\"\nsignature = 1\n").unwrap();
    let out = poste(&cfg, &["list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:5:1", cfg.display())) && err.contains("signature"), "{err}");
}

#[test]
fn the_example_config_is_valid() {
    let p = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"));
    let c = poste::config::Config::load(p).unwrap();
    assert_eq!(c.accounts.len(), 1);
}

#[test]
fn list_json_and_read_from_the_store_offline() {
    let (_dir, cfg, store) = offline_home();
    let acct = store.ensure_account("home").unwrap();
    let f = store
        .set_folders(
            acct,
            &[FolderInfo {
                name: "INBOX".into(),
                display: "INBOX".into(),
                delimiter: Some("/".into()),
                special_use: None,
                noselect: false,
            }],
        )
        .unwrap();
    let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/latin1.eml")).unwrap();
    let id = store.add_local_message(f[0].id, &raw, Flags(Flags::SEEN), 0).unwrap();
    let hostile = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile.eml")).unwrap();
    let hid = store.add_local_message(f[0].id, &hostile, Flags(0), 0).unwrap();
    drop(store);

    let out = poste(&cfg, &["list", "--json", "--limit", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for k in ["id", "account", "folder", "uid", "date", "from", "to", "subject", "flags", "size", "has_attachments"] {
        assert!(v.get(k).is_some(), "missing {k} in {v}");
    }
    assert_eq!(v["id"], hid.0, "newest first");
    let out = poste(&cfg, &["list", "--json", "--folder", "INBOX", "--account", "home"]);
    let all: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let latin = all.iter().find(|v| v["id"] == id.0).unwrap();
    assert_eq!(latin["subject"], "Grüße aus Köln");
    assert_eq!(latin["from"], "Jörg Müller <joerg@example.de>");
    assert_eq!(latin["flags"], serde_json::json!(["\\Seen"]));
    assert_eq!(latin["date"], "2026-11-02T13:00:00+00:00");

    let out = poste(&cfg, &["read", &id.to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Subject: Grüße aus Köln") && text.contains("Schöne Grüße!"), "{text}");
    let out = poste(&cfg, &["read", &id.to_string(), "--raw"]);
    assert_eq!(out.stdout, raw);

    // a hostile message cannot reach the terminal through `read`
    let out = poste(&cfg, &["read", &hid.to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}'), "{text:?}");

    let out = poste(&cfg, &["list", "--account", "nope"]);
    assert!(!out.status.success());
    let out = poste(&cfg, &["read", "999999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("999999"));
}

#[test]
fn list_says_where_each_message_is_marks_it_and_pads_by_display_width() {
    use unicode_width::UnicodeWidthStr;
    let (_dir, cfg, store) = offline_home();
    let folder = |name: &str| FolderInfo {
        name: name.into(),
        display: name.into(),
        delimiter: Some("/".into()),
        special_use: None,
        noselect: false,
    };
    let home = store.ensure_account("home").unwrap();
    let work = store.ensure_account("work").unwrap();
    let hf = store.set_folders(home, &[folder("INBOX"), folder("Archive/2026")]).unwrap();
    let wf = store.set_folders(work, &[folder("INBOX")]).unwrap();
    let msg = |from: &str, subject: &str, extra: &str| {
        format!(
            "From: {from}\r\nTo: me@x\r\nSubject: {subject}\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n{extra}\r\nbody\r\n"
        )
        .into_bytes()
    };
    let attached = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
                    hi\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\nx\r\n--b--";
    let plain = store.add_local_message(hf[0].id, &msg("Ann <ann@x>", "plain", ""), Flags(Flags::SEEN), 10).unwrap();
    let cjk = store
        .add_local_message(
            hf[1].id,
            &msg("=?UTF-8?B?5bGx55Sw5aSq6YOO?= <y@x>", "☕ Kaffee", ""),
            Flags(Flags::SEEN | Flags::FLAGGED),
            20,
        )
        .unwrap();
    let att = store.add_local_message(wf[0].id, &msg("Bob <bob@x>", "with a file", attached), Flags(0), 30).unwrap();
    drop(store);

    let out = poste(&cfg, &["list"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let line =
        |id: MessageId| text.lines().find(|l| l.trim_start().starts_with(&format!("{id} "))).unwrap().to_string();
    let (plain, cjk, att) = (line(plain), line(cjk), line(att));
    assert!(plain.contains("home/INBOX ") && cjk.contains("home/Archive/2026") && att.contains("work/INBOX"), "{text}");
    assert!(cjk.contains("山田太郎"), "{text}");
    // marks after the id: unread, flagged, with attachments
    assert_eq!(&att[8..11], "N @", "{text}");
    assert_eq!(&cjk[8..11], " ! ", "{text}");
    assert_eq!(&plain[8..11], "   ", "{text}");
    // the subject starts at the same column on every line, wide characters or not
    let at = |l: &str, subject: &str| l[..l.find(subject).unwrap()].width();
    assert_eq!(at(&plain, "plain"), at(&cjk, "☕ Kaffee"), "{text}");
    assert_eq!(at(&plain, "plain"), at(&att, "with a file"), "{text}");

    // with --folder and one account, no place column
    let out = poste(&cfg, &["list", "--account", "home", "--folder", "INBOX"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.contains("home/") && text.contains("plain"), "{text}");

    // typos: the folders there are, the accounts configured
    let err = |args: &[&str]| {
        let out = poste(&cfg, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let e = err(&["list", "--account", "home", "--folder", "Inbx"]);
    assert!(e.contains("no folder named \"Inbx\"") && e.contains("(folders: Archive/2026, INBOX)"), "{e}");
    let e = err(&["list", "--account", "hom"]);
    assert!(e.contains("no account named \"hom\" in the config (accounts: home)"), "{e}");
}

#[test]
fn a_folder_where_an_id_goes_is_told_to_go_after_to() {
    let (_dir, cfg, store) = offline_home();
    drop(store);
    let out = poste(&cfg, &["move", "10", "Archive"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a message id") && err.contains("poste move ID... --to Archive"), "{err}");
    let out = poste(&cfg, &["delete", "0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a message id") && !err.contains("--to"), "{err}");
}

#[test]
fn folder_takes_the_account_before_or_after_its_command() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let account = |name: &str| {
        format!(
            "[[accounts]]\nname = \"{name}\"\nemail = \"{name}@x\"\nprotocol = \"imap\"\n[accounts.imap]\n\
             host = \"127.0.0.1\"\nport = 1\nusername = \"u\"\npassword_command = \"echo x\"\n"
        )
    };
    let data = dir.path().join("data");
    std::fs::write(&cfg, format!("data_dir = {data:?}\n{}{}", account("a"), account("b"))).unwrap();
    for args in [["folder", "delete", "X", "--account", "b"], ["folder", "--account", "b", "delete", "X"]] {
        let err = String::from_utf8_lossy(&poste(&cfg, &args).stderr).to_string();
        assert!(err.contains("account \"b\" has not been synced yet"), "{args:?}: {err}");
    }
}
