//! poste in tmux, driven like a person would: keys in, the screen read back.

use super::Setup;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// poste with `setup`'s config in a new 120×32 tmux session.
    pub fn start(name: &str, setup: &Setup) -> Tmux {
        Tmux::start_env(name, setup, "")
    }

    /// The same, with `env` (`NAME=value ...`) in poste's environment.
    pub fn start_env(name: &str, setup: &Setup, env: &str) -> Tmux {
        let tmux = Tmux { socket: format!("poste-e2e-{name}-{}", std::process::id()) };
        let cmd = format!(
            "env {env} XDG_CACHE_HOME={cache:?} {bin:?} --config {cfg:?}; sleep 60",
            cache = setup.dir.path().join("cache"),
            bin = env!("CARGO_BIN_EXE_poste"),
            cfg = setup.config,
        );
        tmux.run(&["new-session", "-d", "-s", "poste", "-x", "120", "-y", "32", &cmd]);
        tmux
    }

    /// poste with these arguments (and `env`), without a config, in a new 100×30 session.
    pub fn start_args(name: &str, env: &str, args: &str) -> Tmux {
        let tmux = Tmux { socket: format!("poste-e2e-{name}-{}", std::process::id()) };
        let cmd = format!("env {env} {bin:?} {args}; sleep 60", bin = env!("CARGO_BIN_EXE_poste"));
        tmux.run(&["new-session", "-d", "-s", "poste", "-x", "100", "-y", "30", &cmd]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed (tests/servers.sh install)");
        String::from_utf8_lossy(&out.stdout).to_string()
    }
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "poste"];
        args.extend_from_slice(keys);
        self.run(&args);
    }
    /// The pid of poste, the child of the pane's shell (env execs it).
    pub fn poste_pid(&self) -> String {
        let shell = self.run(&["list-panes", "-t", "poste", "-F", "#{pane_pid}"]).trim().to_string();
        let pid = children(&shell).into_iter().next().unwrap_or_default();
        assert!(!pid.is_empty(), "no poste process under the pane's shell {shell}");
        pid
    }
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "poste"])
    }
    /// Waits until the screen shows `text`.
    pub fn wait(&self, text: &str, secs: u64) -> String {
        self.wait_until(&format!("{text:?}"), secs, |s| s.contains(text))
    }
    pub fn wait_until(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(secs), "timed out waiting for {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

/// The pids whose parent is `ppid`, from /proc.
pub fn children(ppid: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
        let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
        if after.split_whitespace().nth(1) == Some(ppid) {
            out.push(name);
        }
    }
    out
}

/// An "editor" for poste to run on a message: it writes `answer` above the quote, as a
/// person replying would, and returns; its path goes in `EDITOR`.
pub fn answering_editor(dir: &std::path::Path, answer: &str) -> std::path::PathBuf {
    let editor = dir.join("editor.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\npython3 - \"$1\" <<'PY'\nimport sys\np = sys.argv[1]\nhead, body = open(p).read().split('\\n\\n', 1)\n\
             open(p, 'w').write(head + '\\n\\n{answer}\\n' + body)\nPY\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    editor
}
