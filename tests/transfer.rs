//! `poste import` and `poste export` through the binary: mbox and Maildir round trips give
//! back every message byte for byte, and the local folders are plain Maildirs.

mod common;

use poste::mbox;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Local {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Local {
    fn new() -> Local {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let text = format!(
            "data_dir = {:?}\n[[accounts]]\nname = \"home\"\nemail = \"me@example.org\"\nprotocol = \"pop3\"\n\
             [accounts.pop3]\nhost = \"127.0.0.1\"\nport = 9\nusername = \"me\"\npassword_command = \"echo x\"\n\
             [[accounts]]\nname = \"remote\"\nemail = \"me@example.org\"\nprotocol = \"imap\"\n\
             [accounts.imap]\nhost = \"127.0.0.1\"\nport = 9\nusername = \"me\"\npassword_command = \"echo x\"\n",
            dir.path().join("data")
        );
        std::fs::write(&config, text).unwrap();
        Local { dir, config }
    }

    fn poste(&self, args: &[&str]) -> Output {
        common::run_poste(&self.config, self.dir.path(), args, &[])
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.poste(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn originals() -> Vec<Vec<u8>> {
    vec![
        b"From: Ann <ann@example.org>\r\nSubject: one\r\nMessage-ID: <1@example.org>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nFrom the start of a line\r\n>From quoted\r\n\r\n".to_vec(),
        b"From: Bob <bob@example.org>\nSubject: two, LF only\nDate: Tue, 03 Nov 2026 10:00:00 +0000\n\nFrom here\n\n>>From deep\n".to_vec(),
        b"From: =?UTF-8?Q?J=C3=B6rg?= <j@example.de>\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nMessage-ID: <3@example.de>\r\nDate: Wed, 04 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=latin1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xfc\xdfe \xff\x00 binary-ish\r\n".to_vec(),
    ]
}

fn write_mbox(path: &Path, messages: &[Vec<u8>]) {
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        mbox::write_message(&mut out, "someone@example.org", 1_790_000_000 + i as i64, m).unwrap();
    }
    std::fs::write(path, out).unwrap();
}

fn read_mbox(path: &Path) -> Vec<Vec<u8>> {
    let f = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    mbox::Reader::new(f).map(|m| m.unwrap().raw).collect()
}

#[test]
fn mbox_import_and_export_round_trip_byte_for_byte() {
    let l = Local::new();
    let input = l.path("in.mbox");
    write_mbox(&input, &originals());
    let out = l.ok(&["import", "--account", "home", "--folder", "Archive/2026", input.to_str().unwrap()]);
    assert!(out.contains("imported 3 messages"), "{out}");
    // run again: messages are recognised by Message-ID, or by their content without one
    let out = l.ok(&["import", "--account", "home", "--folder", "Archive/2026", input.to_str().unwrap()]);
    assert!(out.contains("imported 0 messages") && out.contains("(3 already there)"), "{out}");
    let list = l.ok(&["list", "--account", "home", "--folder", "Archive/2026"]);
    assert!(list.contains("Grüße") && list.contains("two, LF only"), "{list}");

    // a fresh folder for a clean comparison
    let l = Local::new();
    l.ok(&["import", "--account", "home", "--folder", "Archive/2026", input.to_str().unwrap()]);
    let exported = l.path("out.mbox");
    let out = l.ok(&["export", "--account", "home", "--folder", "Archive/2026", "--mbox", exported.to_str().unwrap()]);
    assert!(out.contains("exported 3 messages"), "{out}");
    assert_eq!(read_mbox(&exported), originals(), "the same messages, byte for byte, in order");
    // export never overwrites
    let again =
        l.poste(&["export", "--account", "home", "--folder", "Archive/2026", "--mbox", exported.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // the folder itself is a plain Maildir other tools read
    let maildir = l.path("data/mail/home/Archive%2F2026/cur");
    assert_eq!(std::fs::read_dir(maildir).unwrap().count(), 3);
}

#[test]
fn maildir_import_and_export_keep_bytes_and_flags() {
    let l = Local::new();
    let input = l.path("in.mbox");
    write_mbox(&input, &originals());
    l.ok(&["import", "--account", "home", "--folder", "INBOX", input.to_str().unwrap()]);
    let ids: Vec<String> = l
        .ok(&["list", "--account", "home", "--folder", "INBOX", "--json"])
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].to_string())
        .collect();
    l.ok(&["flag", &ids[0], "--seen", "--flagged"]);
    // the flag change renamed the local file, as other Maildir tools expect
    let local: Vec<String> = std::fs::read_dir(l.path("data/mail/home/INBOX/cur"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert!(local.iter().any(|n| n.ends_with(":2,FS")), "{local:?}");

    let md = l.path("export-maildir");
    l.ok(&["export", "--account", "home", "--folder", "INBOX", "--maildir", md.to_str().unwrap()]);
    let names: Vec<String> =
        std::fs::read_dir(md.join("cur")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    assert_eq!(names.len(), 3);
    assert!(names.iter().any(|n| n.ends_with(":2,FS")), "{names:?}");

    let l2 = Local::new();
    l2.ok(&["import", "--account", "home", "--folder", "Moved", md.to_str().unwrap()]);
    let back = l2.path("back.mbox");
    l2.ok(&["export", "--account", "home", "--folder", "Moved", "--mbox", back.to_str().unwrap()]);
    assert_eq!(read_mbox(&back), originals());
    let json = l2.ok(&["list", "--account", "home", "--folder", "Moved", "--json"]);
    assert!(json.contains("\\\\Flagged") || json.contains("Flagged"), "{json}");
}

#[test]
fn import_mistakes_are_explained() {
    let l = Local::new();
    let not_mbox = l.path("notes.txt");
    std::fs::write(&not_mbox, "just some notes\n").unwrap();
    let out = l.poste(&["import", "--account", "home", "--folder", "X", not_mbox.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither an mbox file"), "{out:?}");
    let out = l.poste(&["import", "--account", "remote", "--folder", "X", not_mbox.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("IMAP account"), "{out:?}");
    let out = l.poste(&["import", "--account", "nobody", "--folder", "X", not_mbox.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account named"), "{out:?}");
    let out = l.poste(&["export", "--account", "home", "--folder", "Nope", "--mbox", "/tmp/x.mbox"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no mail here yet"), "{out:?}");
    let input = l.path("in.mbox");
    write_mbox(&input, &originals());
    l.ok(&["import", "--account", "home", "--folder", "INBOX", input.to_str().unwrap()]);
    let out = l.poste(&["export", "--account", "home", "--folder", "Nope", "--mbox", "/tmp/x.mbox"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no folder"), "{out:?}");
    let empty = l.path("empty-dir");
    std::fs::create_dir(&empty).unwrap();
    let out = l.poste(&["import", "--account", "home", "--folder", "X", empty.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Maildir"), "{out:?}");
}

#[test]
fn an_import_that_cannot_start_leaves_the_data_dir_alone() {
    let l = Local::new();
    let data = l.path("data");
    let missing = l.path("no-such.mbox");
    let out = l.poste(&["import", "--account", "home", "--folder", "Archive", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{} does not exist", missing.display())), "{err}");
    assert!(!data.exists(), "the data dir was not made: {:?}", common::data_files(&data));

    // the same for input that is not mail, a bad folder name and an IMAP account
    let notes = l.path("notes.txt");
    std::fs::write(&notes, "just some notes\n").unwrap();
    for (account, folder) in [("home", "Archive"), ("home", "a//b"), ("remote", "Archive")] {
        let out = l.poste(&["import", "--account", account, "--folder", folder, notes.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(!data.exists(), "{account}/{folder}: {:?}", common::data_files(&data));
    }

    // with a store there already: no folder is added
    let input = l.path("in.mbox");
    write_mbox(&input, &originals());
    l.ok(&["import", "--account", "home", "--folder", "INBOX", input.to_str().unwrap()]);
    let before = common::data_files(&data);
    let out = l.poste(&["import", "--account", "home", "--folder", "Archive", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(common::data_files(&data), before);
    let out = l.poste(&["import", "--account", "home", "--folder", "Archive", notes.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!l.path("data/mail/home/Archive").exists());
}
