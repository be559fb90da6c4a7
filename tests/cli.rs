//! The command line without servers: missing and broken configs, `list` from the store,
//! `read` of a cached message, and the example config.

use poste::model::Flags;
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

    let out = poste(&cfg, &["list", "--json", "--limit", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for k in ["id", "account", "folder", "uid", "date", "from", "to", "subject", "flags", "size", "has_attachments"] {
        assert!(v.get(k).is_some(), "missing {k} in {v}");
    }
    assert_eq!(v["id"], hid, "newest first");
    let out = poste(&cfg, &["list", "--json", "--folder", "INBOX", "--account", "home"]);
    let all: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let latin = all.iter().find(|v| v["id"] == id).unwrap();
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
