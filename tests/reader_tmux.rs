//! The reader's ways out of poste, in the real binary on the demo mailbox in tmux: piping a
//! message to a command, the pager, and opening an attachment and a link with the system's
//! opener (a stand-in `xdg-open` on PATH that notes what it was given).

mod common;

use common::tmux::Tmux;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn wait_for_file(path: &Path, secs: u64) -> String {
    let start = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && !s.is_empty()
        {
            return s;
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "{} was never written", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn pipe_hands_the_terminal_to_the_command_and_the_pager_gets_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let piped = dir.path().join("piped.eml");
    let paged = dir.path().join("paged.txt");
    let env = format!("PAGER='cat > {}'", paged.display());
    let ui = Tmux::start_args("pipe", &env, "--demo");
    ui.wait("All inboxes", 20);
    ui.wait("Weihnachtsmarkt", 20);
    // the newest of both accounts: a reply of the work account's
    ui.keys(&["Enter"]);
    ui.wait("From: Priya Raman", 10);
    ui.keys(&["|"]);
    ui.wait("Pipe the message to:", 5);
    let command = format!("cat > {}; echo PIPED-OK", piped.display());
    ui.run(&["send-keys", "-t", "poste", "-l", &command]);
    ui.keys(&["Enter"]);
    // the command has the terminal: its output shows, and poste waits for Enter
    let s = ui.wait("press Enter to go back to poste", 10);
    assert!(s.contains("PIPED-OK") && !s.contains("Folders"), "{s}");
    let raw = std::fs::read_to_string(&piped).unwrap();
    assert!(raw.starts_with("From: ") && raw.contains("\nMessage-ID: "), "the source is piped: {raw}");
    ui.keys(&["Enter"]);
    ui.wait("All inboxes", 10);
    // the pager gets the message as the reader shows it
    ui.keys(&["P"]);
    let text = wait_for_file(&paged, 10);
    assert!(text.starts_with("From: Priya Raman") && text.contains("Subject: Re: Q4 planning"), "{text}");
    ui.wait("All inboxes", 10);
}

#[test]
fn attachments_and_links_go_to_the_system_opener_from_a_private_copy() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&tmp).unwrap();
    let log = dir.path().join("opened.log");
    let seen = dir.path().join("seen");
    // the stand-in notes its arguments and the file's mode and start, as the viewer would see them
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" >> {log:?}\n[ -f \"$1\" ] && {{ stat -c %a \"$(dirname \"$(dirname \"$1\")\")\" > {seen:?}; head -c 5 \"$1\" >> {seen:?}; }}\nexit 0\n"
    );
    std::fs::write(bin.join("xdg-open"), script).unwrap();
    std::fs::set_permissions(bin.join("xdg-open"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::var("PATH").unwrap_or_default();
    let env = format!("PATH={}:{path} TMPDIR={} HOME={}", bin.display(), tmp.display(), dir.path().display());
    let ui = Tmux::start_args("open", &env, "--demo");
    ui.wait("All inboxes", 20);
    // the rows are there (a move before they come has nothing to move over)
    ui.wait("Weihnachtsmarkt", 20);
    // the invoice (the 14th of both accounts' inboxes), with a PDF and a PNG
    for _ in 0..13 {
        ui.keys(&["j"]);
    }
    ui.keys(&["Enter"]);
    ui.wait("invoice-2026-11.pdf", 10);
    ui.keys(&["o"]);
    ui.wait("Open which attachment? (1-2", 5);
    ui.keys(&["1"]);
    let opened = wait_for_file(&log, 10);
    let file = opened.lines().next().unwrap().to_string();
    assert!(file.ends_with("/invoice-2026-11.pdf"), "{opened}");
    let seen = wait_for_file(&seen, 5);
    assert_eq!(seen, "700\n%PDF-", "a private directory, the decoded attachment");
    // a link of the newsletter
    // (Escape alone: right before another key it would read as Alt and that key)
    ui.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    ui.keys(&["k", "k", "k", "k", "k", "Enter"]);
    ui.wait("[1] https://example.org/tui", 10);
    ui.keys(&["L"]);
    ui.wait("Links (a number", 5);
    ui.keys(&["2", "Enter"]);
    let start = Instant::now();
    while !std::fs::read_to_string(&log).unwrap().contains("https://example.org/rust") {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", std::fs::read_to_string(&log).unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }
    // the copies go when poste does
    let private = Path::new(&file).parent().unwrap().parent().unwrap().to_path_buf();
    assert!(private.starts_with(&tmp) && private.exists(), "{private:?}");
    ui.keys(&["q", "q", "q", "q"]);
    let start = Instant::now();
    while private.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "{private:?} is still there after poste quit");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn keys_typed_right_after_the_pager_key_do_not_act_on_the_mail() {
    let dir = tempfile::tempdir().unwrap();
    let paged = dir.path().join("paged.txt");
    let env = format!("PAGER='cat > {}; sleep 1'", paged.display());
    let ui = Tmux::start_args("pagerkeys", &env, "--demo");
    ui.wait("All inboxes", 20);
    let before = ui.wait("Weihnachtsmarkt", 20);
    let title = |s: &str| s.lines().next().unwrap_or_default().to_string();
    ui.keys(&["Enter"]);
    ui.wait("From: Priya Raman", 10);
    // a pager user scrolls at once: d there is not d here (delete)
    ui.keys(&["P", "d", "d"]);
    wait_for_file(&paged, 10);
    std::thread::sleep(Duration::from_millis(1500));
    let after = ui.wait("All inboxes", 10);
    assert_eq!(title(&after), title(&before), "{after}");
    assert!(!after.contains("Trash (u undoes)"), "{after}");
}
