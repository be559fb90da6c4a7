//! Shared helpers for the real-server tests: the servers started by `tests/servers.sh`,
//! per-test users and configs, a second IMAP client, a stoppable proxy, and a scripted server.
#![allow(dead_code)]

pub mod fake;
pub mod proxy;
pub mod tmux;

use async_imap::Session;
use poste::account::{self, AccountHandle, Event};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::net::TcpStream;

/// Ports and files of the running test servers.
#[derive(Debug, Clone)]
pub struct Servers {
    pub dir: PathBuf,
    pub imap: u16,
    pub imaps: u16,
    pub pop3: u16,
    pub pop3s: u16,
    pub smtp: u16,
    pub submission: u16,
    pub ca: PathBuf,
    pub other_ca: PathBuf,
}

/// The servers `tests/run` started. A test that needs them and cannot find them fails:
/// it never passes silently.
pub fn servers() -> &'static Servers {
    static S: OnceLock<Servers> = OnceLock::new();
    S.get_or_init(|| {
        let env_file = std::env::var("POSTE_TEST_ENV").unwrap_or_else(|_| {
            panic!(
                "POSTE_TEST_ENV is not set: the real-server tests need the Dovecot and Postfix \
                 started by tests/run (run `tests/run`, or `tests/servers.sh start DIR` and set \
                 POSTE_TEST_ENV=DIR/env)"
            )
        });
        let text = std::fs::read_to_string(&env_file)
            .unwrap_or_else(|e| panic!("cannot read {env_file}: {e}; are the test servers running?"));
        let get = |k: &str| -> String {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .unwrap_or_else(|| panic!("{env_file} has no {k}"))
                .to_string()
        };
        let port = |k: &str| get(k).parse::<u16>().unwrap();
        let s = Servers {
            dir: get("POSTE_TEST_DIR").into(),
            imap: port("POSTE_TEST_IMAP_PORT"),
            imaps: port("POSTE_TEST_IMAPS_PORT"),
            pop3: port("POSTE_TEST_POP3_PORT"),
            pop3s: port("POSTE_TEST_POP3S_PORT"),
            smtp: port("POSTE_TEST_SMTP_PORT"),
            submission: port("POSTE_TEST_SUBMISSION_PORT"),
            ca: get("POSTE_TEST_CA").into(),
            other_ca: get("POSTE_TEST_OTHER_CA").into(),
        };
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", s.imaps)).is_ok(),
            "the test IMAP server on 127.0.0.1:{} is not answering",
            s.imaps
        );
        s
    })
}

/// A user name unique to this test run, so tests never see each other's mail.
pub fn user(test: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    format!("{test}-{}-{t}-{n}@localhost", std::process::id())
}

/// A temporary poste setup: a config file and a data dir.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub data: PathBuf,
    pub user: String,
}

impl Setup {
    /// A config with one IMAP account `test` for `user`; `extra` is appended to its
    /// `[accounts.imap]` table; `port` overrides the implicit-TLS port.
    pub fn new(user: &str, port: Option<u16>, extra: &str) -> Setup {
        let s = servers();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config = dir.path().join("config.toml");
        let text = format!(
            "data_dir = {data:?}\n\
             [ui]\nattachment_dir = {att:?}\n\
             [[accounts]]\nname = \"test\"\nemail = \"{user}\"\nprotocol = \"imap\"\n\
             [accounts.imap]\nhost = \"127.0.0.1\"\nport = {port}\nusername = \"{user}\"\n\
             password_command = \"echo secret\"\nca_file = {ca:?}\ntimeout_secs = 10\n{extra}\n",
            att = dir.path().join("attachments"),
            port = port.unwrap_or(s.imaps),
            ca = s.ca,
        );
        std::fs::write(&config, text).unwrap();
        Setup { dir, config, data, user: user.to_string() }
    }

    /// Rewrites the config for one POP3 account `post` on `port` (implicit TLS); `extra`
    /// is appended to its `[accounts.pop3]` table.
    pub fn pop3(&self, port: u16, extra: &str) {
        let text = format!(
            "data_dir = {data:?}\n[[accounts]]\nname = \"post\"\nemail = \"{user}\"\nprotocol = \"pop3\"\n\
             [accounts.pop3]\nhost = \"127.0.0.1\"\nport = {port}\nusername = \"{user}\"\n\
             password_command = \"echo secret\"\nca_file = {ca:?}\ntimeout_secs = 10\n{extra}\n",
            data = self.data,
            user = self.user,
            ca = servers().ca,
        );
        std::fs::write(&self.config, text).unwrap();
    }

    /// Adds an `[accounts.smtp]` table (the submission port with STARTTLS unless `port`
    /// and `extra` say otherwise) to the config's last account.
    pub fn smtp(&self, port: Option<u16>, extra: &str) {
        let mut text = std::fs::read_to_string(&self.config).unwrap();
        let tls = if extra.contains("tls =") { String::new() } else { "tls = \"starttls\"\n".into() };
        text.push_str(&format!(
            "[accounts.smtp]\nhost = \"127.0.0.1\"\nport = {}\n{tls}timeout_secs = 10\n{extra}\n",
            port.unwrap_or(servers().submission)
        ));
        std::fs::write(&self.config, text).unwrap();
    }

    pub fn loaded(&self) -> poste::cli::Loaded {
        poste::cli::load(Some(&self.config)).unwrap()
    }

    /// Starts the account worker with its event channel.
    pub fn worker(&self) -> (AccountHandle, tokio::sync::mpsc::UnboundedReceiver<Event>) {
        let loaded = self.loaded();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let h = account::spawn(&loaded.config.accounts[0], &self.data_dir(), tx).unwrap();
        (h, rx)
    }

    /// The data dir, locked by this test process (as the poste binary would): release it
    /// (drop it and every worker) before running the binary on it.
    pub fn data_dir(&self) -> poste::instance::DataDir {
        // as the binary does, wait a moment for a poste that is still ending
        let start = std::time::Instant::now();
        loop {
            match poste::instance::DataDir::lock(&self.data) {
                Err(poste::instance::LockError::Busy { .. })
                    if start.elapsed() < std::time::Duration::from_secs(10) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(100))
                }
                other => return other.unwrap(),
            }
        }
    }

    /// The store, for reading beside whichever process writes it.
    pub fn store(&self) -> poste::store::Store {
        poste::store::Store::open_reader(&self.data).unwrap()
    }

    /// Finishes what a killed poste left half done, as the next start does first.
    pub fn recover(&self) {
        let store = self.store_writer();
        for (id, _) in store.accounts().unwrap() {
            store.recover_files(id).unwrap();
        }
    }

    /// The store, for writing: it holds the data dir's lock while it lives.
    pub fn store_writer(&self) -> poste::store::Store {
        poste::store::Store::open(&self.data_dir()).unwrap()
    }

    /// Subjects of the messages of account `name`'s `folder` in the store, sorted (empty when
    /// the store does not have them).
    pub fn subjects(&self, name: &str, folder: &str) -> Vec<String> {
        let store = self.store();
        let Some((acct, _)) = store.accounts().unwrap().into_iter().find(|(_, n)| n == name) else {
            return Vec::new();
        };
        let Some(f) = store.find_folder(acct, folder).unwrap() else { return Vec::new() };
        let q = poste::store::ListQuery { folder: Some(f.id), ..Default::default() };
        let mut v: Vec<String> = store.list(&q, 0, 1_000_000).unwrap().into_iter().map(|m| m.subject).collect();
        v.sort();
        v
    }

    /// Runs the poste binary with this config.
    pub fn poste(&self, args: &[&str]) -> std::process::Output {
        self.poste_with(args, &[])
    }

    /// Runs the poste binary with this config and extra environment.
    pub fn poste_with(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        run_poste(&self.config, self.dir.path(), args, env)
    }
}

impl Setup {
    /// Runs poste with `args`, and SIGKILLs it after `after`.
    pub fn kill_after(&self, args: &[&str], after: Duration) {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poste"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Runs poste with `args` and SIGKILLs it once `ready` says so (it is asked every
    /// 10 ms), or after `at_most`; true when `ready` did. A kill at a point of progress,
    /// where a kill after a fixed time lands early or late as fast as the machine is.
    pub fn kill_when(&self, args: &[&str], at_most: Duration, mut ready: impl FnMut() -> bool) -> bool {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_poste"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let mut hit = false;
        while start.elapsed() < at_most && matches!(child.try_wait(), Ok(None)) {
            if ready() {
                hit = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        hit
    }
}

/// Runs the poste binary with `config`, its log under `home`, and extra environment.
pub fn run_poste(config: &Path, home: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_poste"))
        .envs(env.iter().copied())
        .arg("--config")
        .arg(config)
        .args(args)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .output()
        .unwrap()
}

/// The raw messages of a folder, in UID order, once there are at least `n` (up to 30 s).
pub async fn wait_messages(a: &mut Admin, folder: &str, n: usize) -> Vec<(Vec<u8>, Vec<String>)> {
    use futures::TryStreamExt;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let exists = a.select(folder).await.unwrap().exists;
        let got: Vec<_> = if exists == 0 {
            Vec::new()
        } else {
            a.fetch("1:*", "(FLAGS BODY.PEEK[])").await.unwrap().try_collect().await.unwrap_or_default()
        };
        let msgs: Vec<(Vec<u8>, Vec<String>)> = got
            .iter()
            .filter_map(|m| {
                let flags = m.flags().map(|f| format!("{f:?}")).collect();
                Some((m.body()?.to_vec(), flags))
            })
            .collect();
        if msgs.len() >= n || std::time::Instant::now() > deadline {
            return msgs;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for an event that `f` picks, up to `secs` seconds.
pub async fn wait_for<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    secs: u64,
    mut f: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("timed out waiting for an event")
            .expect("the worker stopped");
        if std::env::var_os("POSTE_TEST_EVENTS").is_some() {
            eprintln!("event: {ev:?}");
        }
        if let Some(t) = f(&ev) {
            return t;
        }
    }
}

/// Runs a full sync and returns its error, if any.
pub async fn sync(h: &AccountHandle, rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Option<String> {
    h.send(account::Command::Sync { first: None });
    wait_for(rx, 120, |e| match e {
        Event::SyncDone { error, .. } => Some(error.clone()),
        _ => None,
    })
    .await
}

pub type Admin = Session<async_native_tls::TlsStream<TcpStream>>;

/// A second IMAP connection, as another mail client of the same user.
pub async fn admin(user: &str) -> Admin {
    let s = servers();
    let tcp = TcpStream::connect(("127.0.0.1", s.imaps)).await.unwrap();
    let pem = std::fs::read(&s.ca).unwrap();
    let tls = async_native_tls::TlsConnector::new()
        .add_root_certificate(async_native_tls::Certificate::from_pem(&pem).unwrap())
        .connect("127.0.0.1", tcp)
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tls);
    client.read_response().await.unwrap().unwrap();
    client.login(user, "secret").await.map_err(|(e, _)| e).unwrap()
}

/// A small RFC 5322 message.
pub fn message(n: usize, subject: &str, date: &str) -> Vec<u8> {
    format!(
        "From: Sender {n} <sender{n}@example.com>\r\nTo: rcpt@example.org\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: <m{n}@example.com>\r\n\r\nBody of message {n}.\r\n"
    )
    .into_bytes()
}

/// True when another client sees \\Seen on the message.
pub async fn seen_on_server(admin: &mut Admin, folder: &str, uid: u32) -> bool {
    use futures::TryStreamExt;
    admin.select(folder).await.unwrap();
    let f: Vec<_> = admin.uid_fetch(uid.to_string(), "FLAGS").await.unwrap().try_collect().await.unwrap();
    f[0].flags().any(|f| f == async_imap::types::Flag::Seen)
}

pub async fn append(admin: &mut Admin, folder: &str, raw: &[u8]) {
    admin.append(folder, None, None, raw).await.unwrap();
}

/// Writes messages straight into the user's INBOX Maildir (much faster than APPEND), owned
/// by the mail user, for Dovecot to index on the next access.
pub fn fill_inbox(user: &str, messages: impl Iterator<Item = Vec<u8>>) {
    use std::os::unix::fs::chown;
    let s = servers();
    let root = s.dir.join("mail").join(user);
    let (uid, gid) = vmail_ids();
    for sub in ["", "cur", "new", "tmp"] {
        let d = root.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        chown(&d, Some(uid), Some(gid)).unwrap();
    }
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    for (i, raw) in messages.enumerate() {
        let name = format!("{}.M{i}P{}.poste-test,S={}:2,", t, std::process::id(), raw.len());
        let p = root.join("cur").join(name);
        std::fs::write(&p, &raw).unwrap();
        chown(&p, Some(uid), Some(gid)).unwrap();
    }
}

fn vmail_ids() -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(servers().dir.join("mail")).unwrap();
    (m.uid(), m.gid())
}

pub fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() { stack.push(p) } else { out.push(p) }
            }
        }
    }
    out
}

/// Builds `d`, hands it to the worker to send, and waits until it is sent.
pub async fn send_and_wait(
    h: &AccountHandle,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    d: &poste::compose::Draft,
) {
    let built = poste::compose::build(d, false).unwrap();
    h.send(account::Command::Send { message: Box::new(poste::compose::outgoing(d, built)), replaces: None });
    wait_for(rx, 60, |e| match e {
        Event::SendDone { state, error, .. } => {
            assert_eq!((*state, error.clone()), (poste::store::outbox::OutState::Sent, None));
            Some(())
        }
        _ => None,
    })
    .await;
}
