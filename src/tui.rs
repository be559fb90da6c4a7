//! Terminal setup and restore, and the event loop: terminal input and worker events in one
//! select, state changed only through `app::update`, a redraw only when something changed.

use crate::account::{self, AccountHandle, Command, Event};
use crate::app::{self, AppState, Effect, Msg, UiSettings, keymap::Keymap};
use crate::cli::Loaded;
use crate::config::{AccountConfig, UiConfig};
use crate::store::Store;
use anyhow::{Context, Result, anyhow};
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event as TermEvent, EventStream, KeyCode, KeyModifiers, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::Stdout;
use std::path::Path;
use std::time::Instant;
use tokio::sync::mpsc;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Runs the UI on the configured accounts.
pub async fn run(loaded: Loaded) -> Result<()> {
    let keymap = Keymap::from_config(&loaded.config.keys).map_err(|e| anyhow!("{}: {e}", loaded.path.display()))?;
    let settings = settings(&loaded.config.ui, &loaded.data_dir);
    session(&loaded.config.accounts, &loaded.data_dir, keymap, settings, true).await
}

/// Runs the UI on the bundled demo mailbox, in a temporary directory, offline.
pub async fn run_demo() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("poste-demo-").tempdir().context("creating the demo directory")?;
    let accounts = crate::demo::build(dir.path()).context("building the demo mailbox")?;
    let mut settings = settings(&UiConfig::default(), dir.path());
    settings.attachment_dir = dir.path().join("attachments");
    session(&accounts, dir.path(), Keymap::default(), settings, false).await
}

fn settings(ui: &UiConfig, data_dir: &Path) -> UiSettings {
    let attachment_dir = ui
        .attachment_dir
        .as_deref()
        .map(crate::paths::expand_home)
        .or_else(|| directories::UserDirs::new().and_then(|u| u.download_dir().map(Path::to_path_buf)))
        .unwrap_or_else(|| data_dir.join("attachments"));
    UiSettings {
        mark_read_on_open: ui.mark_read_on_open,
        prefetch: ui.prefetch,
        date_format: ui.date_format.clone(),
        attachment_dir,
        reader_fullscreen: ui.reader_fullscreen,
    }
}

async fn session(
    accounts: &[AccountConfig],
    data_dir: &Path,
    keymap: Keymap,
    settings: UiSettings,
    sync: bool,
) -> Result<()> {
    if accounts.is_empty() {
        return Err(anyhow!("the config has no [[accounts]]; see config.example.toml"));
    }
    let store = Store::open(data_dir).with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let mut handles = Vec::new();
    for a in accounts {
        let h = account::spawn(a, data_dir, tx.clone()).with_context(|| format!("starting account {}", a.name))?;
        if sync {
            h.send(Command::Sync { first: None });
        }
        handles.push(h);
    }
    drop(tx);
    let mut state = AppState::new(handles.iter().map(|h| (h.id, h.name.clone())).collect(), keymap, settings);
    for (view, cfg) in state.accounts.iter_mut().zip(accounts) {
        view.delete_expunges = cfg.imap.as_ref().is_some_and(|i| i.delete == crate::config::DeleteMode::Expunge);
    }

    let mut terminal = setup()?;
    let result = event_loop(&mut terminal, state, &store, &handles, rx).await;
    restore();
    for h in handles {
        h.shutdown().await;
    }
    result
}

fn setup() -> Result<Term> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    enable_raw_mode().context("switching the terminal to raw mode")?;
    let mut stdout = std::io::stdout();
    execute!(stdout, EnterAlternateScreen, EnableMouseCapture).context("setting up the terminal")?;
    Terminal::new(CrosstermBackend::new(stdout)).context("setting up the terminal")
}

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
}

async fn event_loop(
    terminal: &mut Term,
    mut state: AppState,
    store: &Store,
    handles: &[AccountHandle],
    mut rx: mpsc::UnboundedReceiver<Event>,
) -> Result<()> {
    let size = terminal.size().context("reading the terminal size")?;
    let mut pending = vec![Msg::Resize(size.width, size.height)];
    let mut input = EventStream::new();
    let mut term_signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut dirty = true;
    let mut first_list_frame = true;
    let mut key_at: Option<Instant> = None;
    loop {
        for msg in pending.drain(..) {
            dirty |= apply(&mut state, msg, store, handles);
        }
        if state.quit {
            return Ok(());
        }
        if dirty {
            terminal.draw(|f| crate::ui::draw(f, &state)).context("drawing")?;
            dirty = false;
            // timings for the benchmark (tests/bench.sh reads them from the log)
            if first_list_frame && state.list.total > 0 {
                first_list_frame = false;
                let ms = crate::logging::since_start().as_secs_f64() * 1000.0;
                tracing::info!(target: "poste::timing", "first frame with messages after {ms:.1} ms");
            }
            if let Some(t) = key_at.take() {
                tracing::debug!(target: "poste::timing", "key to frame {} us", t.elapsed().as_micros());
            }
        }
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => {
                    key_at = Some(Instant::now());
                    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
                        pending.push(Msg::Quit);
                    } else {
                        pending.push(Msg::Key(k));
                    }
                }
                Some(Ok(TermEvent::Mouse(m))) if !matches!(m.kind, MouseEventKind::Moved | MouseEventKind::Drag(_)) => {
                    pending.push(Msg::Mouse(m));
                }
                Some(Ok(TermEvent::Resize(w, h))) => pending.push(Msg::Resize(w, h)),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => return Ok(()),
            },
            ev = rx.recv() => {
                if let Some(ev) = ev {
                    pending.push(Msg::Worker(ev));
                    // take every event already waiting, so a sync redraws once per burst
                    while let Ok(ev) = rx.try_recv() {
                        pending.push(Msg::Worker(ev));
                    }
                }
            }
            _ = recv(&mut term_signal) => pending.push(Msg::Quit),
            _ = recv(&mut hangup) => pending.push(Msg::Quit),
        }
    }
}

async fn recv(sig: &mut Option<tokio::signal::unix::Signal>) {
    match sig {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Runs `update` and then its effects, feeding their results back in. True when the state
/// may have changed.
pub(crate) fn apply(state: &mut AppState, msg: Msg, store: &Store, handles: &[AccountHandle]) -> bool {
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for effect in app::update(state, msg) {
            match effect {
                Effect::Send(account, cmd) => {
                    if let Some(h) = handles.iter().find(|h| h.id == account) {
                        h.send(cmd);
                    }
                }
                Effect::LoadList { query, start, len } => {
                    let loaded = store
                        .count(&query)
                        .and_then(|total| Ok((total, store.list_window(&query, total, start, len)?)));
                    match loaded {
                        Ok((total, rows)) => queue.push(Msg::ListLoaded { query, total, start, rows }),
                        Err(e) => state.status = Some(format!("local store: {e}")),
                    }
                }
                Effect::SaveAttachments { raw, indexes, dir } => {
                    let saved: Result<Vec<_>, String> = indexes
                        .iter()
                        .map(|i| {
                            let (name, bytes) = crate::mime::attachment_bytes(&raw, *i).map_err(|e| e.to_string())?;
                            crate::mime::save_attachment(&dir, &name, &bytes).map_err(|e| e.to_string())
                        })
                        .collect();
                    queue.push(Msg::Saved(saved));
                }
                Effect::Act { account, targets, kind } => {
                    let ids = match targets {
                        app::state::Targets::Ids(ids) => Ok(ids),
                        app::state::Targets::Query(q) => store.ids(&q),
                    };
                    match ids {
                        Ok(ids) if !ids.is_empty() => {
                            if let Some(h) = handles.iter().find(|h| h.id == account) {
                                h.send(Command::Act(kind.with_ids(ids)));
                            }
                        }
                        Ok(_) => {}
                        Err(e) => state.status = Some(format!("local store: {e}")),
                    }
                }
                Effect::SelectRange { query, from, len } => match store.list_window(&query, usize::MAX, from, len) {
                    Ok(rows) => queue.push(Msg::Selected(rows.into_iter().map(|r| r.id).collect())),
                    Err(e) => state.status = Some(format!("local store: {e}")),
                },
            }
        }
    }
    true
}
