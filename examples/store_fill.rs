//! Benchmark: the store's cost of writing new header rows (threads, counts and the
//! full-text index with them) as a folder grows, in batches as the IMAP sync writes them.
//!
//! `cargo run --release --example store_fill -- N DIR [long]`: N messages into a new
//! store in DIR, the time of each 100,000. The mix is that of `tests/bench/populate.py`
//! (a third are replies naming their thread's recent messages); `long` instead makes
//! replies name messages far back, so that the threads merge into one long one.
use anyhow::{Context, Result};
use poste::model::{Flags, NewMessage};
use std::time::Instant;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().context("N")?.parse().context("N is a number")?;
    let dir = std::path::PathBuf::from(args.next().context("DIR")?);
    let long = args.next().as_deref() == Some("long");
    if dir.exists() {
        anyhow::bail!("{} exists: give a new directory", dir.display());
    }
    std::fs::create_dir_all(&dir)?;
    let data = poste::instance::DataDir::lock(&dir)?;
    let store = poste::store::Store::open(&data)?;
    let account = store.ensure_account("bench")?;
    let info = poste::store::folders::FolderInfo {
        name: "INBOX".into(),
        display: "INBOX".into(),
        delimiter: Some("/".into()),
        special_use: None,
        noselect: false,
    };
    let folder = store.set_folders(account, &[info])?[0].id;
    let words = ["invoice", "meeting", "report", "lunch", "project", "café", "über", "review", "budget", "status"];
    let mut rng: u64 = 42;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut t, mut uid) = (Instant::now(), 0u32);
    // each message's thread root, for the References of a reply to it
    let mut roots: Vec<u32> = vec![0];
    while (uid as usize) < n {
        let batch: Vec<NewMessage> = (0..10_000.min(n - uid as usize))
            .map(|_| {
                uid += 1;
                let r = next();
                let reply = if long { r % 10 < 6 && uid > 10 } else { r % 100 < 35 && uid > 250 };
                let back = next() % if long { 1000 } else { 200 };
                let parent = if reply { uid - 1 - back.min(uid as u64 - 2) as u32 } else { 0 };
                let root = if !reply {
                    uid
                } else if long {
                    parent / 2
                } else {
                    roots[parent as usize]
                };
                roots.push(root);
                NewMessage {
                    uid,
                    message_id: Some(format!("m{uid}@bench")),
                    in_reply_to: reply.then(|| format!("m{parent}@bench")),
                    references: reply.then(|| format!("<m{root}@bench> <m{parent}@bench>")),
                    date: 1_600_000_000 + uid as i64 * 60,
                    from_name: format!("Person {}", r % 300),
                    from_addr: format!("p{}@example.com", r % 300),
                    to: "bench@localhost".into(),
                    cc: String::new(),
                    subject: format!(
                        "{}{} {} {}",
                        if reply { "Re: " } else { "" },
                        words[(r >> 8) as usize % words.len()],
                        words[(r >> 16) as usize % words.len()],
                        parent.max(uid) / 7
                    ),
                    flags: Flags(if r % 3 == 0 { 0 } else { Flags::SEEN }),
                    size: 2000,
                    has_attachments: r % 4 == 0,
                }
            })
            .collect();
        store.insert_messages(folder, &batch)?;
        if uid % 100_000 == 0 || uid as usize == n {
            println!("{uid}: {:.2} s", t.elapsed().as_secs_f64());
            t = Instant::now();
        }
    }
    Ok(())
}
