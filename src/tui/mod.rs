//! Terminal setup and restore, and the event loop: terminal input and worker events in one
//! select, state changed only through `app::update`, a redraw only when something changed.

mod autosave;
mod compose;
mod effects;
mod handover;
mod lists;
mod mailcap;
mod notify;
mod open;
mod readers;
mod reading;
mod threads;
mod views;

use effects::Env;
#[cfg(test)]
pub(crate) use effects::apply;

use crate::account::{self, Command, Event};
use crate::app::{self, AppState, Msg, UiSettings, keymap::Keymap};
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
use std::io::{Stdout, Write};
use std::path::Path;
use std::time::Instant;
use tokio::sync::mpsc;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Runs the UI on the configured accounts; with a `mailto:` URL, the composer opens on it.
pub async fn run(loaded: Loaded, mailto: Option<String>) -> Result<()> {
    let keymap = Keymap::from_config(&loaded.config.keys).map_err(|e| anyhow!("{}: {e}", loaded.path.display()))?;
    let settings = settings(&loaded.config.ui, &loaded.data_dir, loaded.config.editor.as_deref());
    let data = crate::instance::lock_for_ui(&loaded.data_dir).await.map_err(|e| match e {
        crate::instance::LockError::Busy { pid, .. } => anyhow!(
            "poste is already running on {}{}; use that one, or quit it first",
            loaded.data_dir.display(),
            pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
        ),
        e => anyhow!(e),
    })?;
    let views = loaded.config.views.clone();
    session(&loaded.config.accounts, &data, keymap, settings, Some(&loaded.path), mailto, views).await
}

/// Runs the UI on the bundled demo mailbox, in a temporary directory, offline.
pub async fn run_demo() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("poste-demo-").tempdir().context("creating the demo directory")?;
    let data = crate::instance::DataDir::lock(dir.path()).context("locking the demo directory")?;
    let accounts = crate::demo::build(&data).context("building the demo mailbox")?;
    let mut settings = settings(&UiConfig::default(), dir.path(), None);
    settings.attachment_dir = dir.path().join("attachments");
    session(&accounts, &data, Keymap::default(), settings, None, None, Vec::new()).await
}

fn settings(ui: &UiConfig, data_dir: &Path, editor: Option<&str>) -> UiSettings {
    let attachment_dir = ui
        .attachment_dir
        .as_deref()
        .map(crate::paths::expand_home)
        .or_else(|| directories::UserDirs::new().and_then(|u| u.download_dir().map(Path::to_path_buf)))
        .unwrap_or_else(|| data_dir.join("attachments"));
    UiSettings {
        mark_read_on_open: ui.mark_read_on_open,
        mark_read_delay: std::time::Duration::from_secs(ui.mark_read_delay),
        prefetch: ui.prefetch,
        date_format: ui.date_format.clone(),
        attachment_dir,
        reader_fullscreen: ui.reader_fullscreen,
        editor: crate::compose::editor_command(editor),
        new_mail_bell: ui.new_mail_bell,
        new_mail_command: ui.new_mail_command.clone(),
        threaded: ui.threaded,
        unified: ui.unified_roles(),
    }
}

async fn session(
    accounts: &[AccountConfig],
    data: &crate::instance::DataDir,
    keymap: Keymap,
    settings: UiSettings,
    config: Option<&std::path::Path>,
    mailto: Option<String>,
    views: Vec<crate::config::ViewConfig>,
) -> Result<()> {
    // with a config file (not the demo): sync at once, serve the socket, follow the file
    let sync = config.is_some();
    if accounts.is_empty() {
        return Err(anyhow!("the config has no [[accounts]]; see config.example.toml"));
    }
    let store = Store::open(data).with_context(|| format!("opening the store in {}", data.path().display()))?;
    let (tx, rx) = mpsc::unbounded_channel();
    let mut handles = Vec::new();
    for a in accounts {
        let h = account::spawn(a, data, tx.clone()).with_context(|| format!("starting account {}", a.name))?;
        if sync {
            h.send(Command::Sync { first: None });
        }
        handles.push(h);
    }
    let config_watch = config.map(|path| {
        let workers = handles.iter().filter_map(account::AccountHandle::port).collect();
        account::watch_config(path.to_path_buf(), accounts.to_vec(), workers, tx.clone())
    });
    drop(tx);
    // a `poste sync` or `poste send` started beside the UI hands its work to these workers
    let server = if sync {
        let ports = handles.iter().filter_map(account::AccountHandle::port).collect();
        match crate::instance::Server::start(data, ports, Vec::new()) {
            Ok(server) => Some(server),
            Err(e) => {
                tracing::warn!(error = %e, "cannot serve the data dir's socket; other poste commands will wait");
                None
            }
        }
    } else {
        None
    };
    let mut state = AppState::new(handles.iter().map(|h| (h.id, h.name.clone())).collect(), keymap, settings);
    state.threaded_in = views::load_threaded(data.path());
    // the config's saved searches, then those kept from the UI
    let kept = views::load(data.path()).into_iter().map(|v| (v, false));
    for (v, from_config) in views.into_iter().map(|v| (v, true)).chain(kept) {
        state.views.push(app::views::SavedView { name: v.name, query: v.query, unread: None, from_config });
    }
    for (view, cfg) in state.accounts.iter_mut().zip(accounts) {
        view.delete_expunges = cfg.imap.as_ref().is_some_and(|i| i.delete == crate::config::DeleteMode::Expunge);
        view.bodies_on_server = cfg.imap.as_ref().is_some_and(|i| i.offline != crate::config::Offline::All);
    }

    let (mut terminal, guard) = setup()?;
    let autosaver = autosave::Autosaver::start(data.path());
    let (later_tx, later) = mpsc::unbounded_channel();
    // copies of attachments being opened live in a private directory until poste ends
    let opener = open::Opener::for_user();
    let readers = readers::Readers::new(data.path().to_path_buf());
    let env = Env {
        store: &store,
        handles: &handles,
        accounts,
        autosave: Some(&autosaver),
        later: Some(&later_tx),
        opener: Some(&opener),
        readers: Some(&readers),
    };
    let first = mailto.and_then(|url| {
        let account = handles.first()?.id;
        Some(Msg::Start(Box::new(app::Effect::StartCompose { account, kind: app::compose::ComposeKind::Mailto(url) })))
    });
    // what a crash left is offered first
    let first: Vec<Msg> = std::iter::once(autosaver.found(&store)).chain(first).collect();
    let result = event_loop(&mut terminal, state, env, Inputs { workers: rx, later }, first).await;
    // the guard gives the terminal back; ratatui's own drop would write to it once more,
    // and panic if it is gone (its window closed, a hangup)
    std::mem::forget(terminal);
    drop(autosaver);
    drop(opener);
    drop(guard);
    if let Some(server) = server {
        server.abort();
    }
    if let Some(task) = config_watch {
        task.abort();
    }
    for h in handles {
        h.shutdown().await;
    }
    result
}

/// The last panic's message, printed once the terminal is back if the UI itself panicked.
static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The terminal as the UI has it. Dropping it gives the terminal back, also when a panic of
/// the UI unwinds through the session (then the panic is said, after the terminal is back).
struct TermGuard;

impl Drop for TermGuard {
    fn drop(&mut self) {
        restore();
        if std::thread::panicking()
            && let Some(text) = PANIC.lock().unwrap_or_else(|p| p.into_inner()).take()
        {
            // (the terminal may be gone: a failed write is no reason to panic again)
            let _ = writeln!(std::io::stderr(), "poste: internal error: {text} (see the log)");
        }
    }
}

fn setup() -> Result<(Term, TermGuard)> {
    // a panic goes to the log, never to the screen the UI draws on; one in a worker is
    // caught and reported as that account's error, and the UI goes on
    std::panic::set_hook(Box::new(|info| {
        let text = format!("{info}");
        tracing::error!(target: "poste::panic", "{text}\n{}", std::backtrace::Backtrace::force_capture());
        *PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(crate::sanitize::line(&text));
    }));
    enter()?;
    let guard = TermGuard;
    let term = Terminal::new(CrosstermBackend::new(std::io::stdout())).context("setting up the terminal")?;
    Ok((term, guard))
}

/// Raw mode, the alternate screen and the mouse: the terminal as the UI needs it.
fn enter() -> Result<()> {
    enable_raw_mode().context("switching the terminal to raw mode")?;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture).context("setting up the terminal")
}

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(std::io::stdout(), DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
}

/// What the loop hears besides the terminal: the workers' events, and the answers of work
/// done off the UI task.
struct Inputs {
    workers: mpsc::UnboundedReceiver<Event>,
    later: mpsc::UnboundedReceiver<Msg>,
}

async fn event_loop(
    terminal: &mut Term,
    mut state: AppState,
    env: Env<'_>,
    inputs: Inputs,
    first: Vec<Msg>,
) -> Result<()> {
    let Inputs { workers: mut rx, mut later } = inputs;
    let size = terminal.size().context("reading the terminal size")?;
    let mut pending = vec![Msg::Resize(size.width, size.height)];
    pending.extend(first);
    let mut input = EventStream::new();
    let mut term_signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut autosave_tick = tokio::time::interval(app::autosave::EVERY);
    autosave_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut first_list_frame = true;
    let mut key_at: Option<Instant> = None;
    loop {
        for msg in pending.drain(..) {
            // keys typed after one that hands the terminal to another program (an editor,
            // the pager) were meant for that program: they must not act on the mail here
            if (state.handover.is_some() || state.editor_request.is_some())
                && matches!(msg, Msg::Key(_) | Msg::Mouse(_))
            {
                continue;
            }
            dirty |= effects::apply_env(&mut state, msg, env);
        }
        if state.quit {
            return Ok(());
        }
        if let Some(text) = state.editor_request.take() {
            let result = match state.settings.editor.clone() {
                Some(cmd) => {
                    let (r, i) = hand_over(terminal, input, || compose::run_editor(&cmd, &text))?;
                    input = i;
                    r
                }
                None => Err("no editor is set: set $EDITOR, or editor in the config".into()),
            };
            pending.push(Msg::Edited(result));
            dirty = true;
            continue;
        }
        if let Some(job) = state.handover.take() {
            let (result, i) = hand_over(terminal, input, || handover::run(job))?;
            input = i;
            pending.push(Msg::Reading(app::reader::Answer::HandedBack(result)));
            dirty = true;
            continue;
        }
        if dirty {
            if let Err(e) = terminal.draw(|f| crate::ui::draw(f, &state)) {
                // the terminal went away (its window was closed): stop as on a hangup
                tracing::warn!(error = %e, "cannot draw; the terminal is gone");
                return Ok(());
            }
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
            ev = input.next() => {
                // a paste or a burst of keys is taken whole before the next frame
                let mut ev = ev;
                let burst = Instant::now();
                loop {
                    match ev {
                        Some(Ok(e)) => {
                            if matches!(e, TermEvent::Key(_)) {
                                key_at.get_or_insert_with(Instant::now);
                            }
                            pending.extend(terminal_msg(e));
                        }
                        Some(Err(e)) => {
                            // the terminal went away: stop as on a hangup (the text being
                            // written is in its autosave file, offered back at the next start)
                            tracing::warn!(error = %e, "cannot read the terminal; it is gone");
                            return Ok(());
                        }
                        None => return Ok(()),
                    }
                    if pending.len() >= BURST_KEYS || burst.elapsed() >= BURST_TIME {
                        break;
                    }
                    match tokio::time::timeout(BURST_GAP, input.next()).await {
                        Ok(next) => ev = next,
                        Err(_) => break,
                    }
                }
            }
            ev = rx.recv() => {
                if let Some(ev) = ev {
                    pending.push(Msg::Worker(ev));
                    // take every event already waiting, so a sync redraws once per burst
                    while let Ok(ev) = rx.try_recv() {
                        pending.push(Msg::Worker(ev));
                    }
                }
            }
            Some(msg) = later.recv() => pending.push(msg),
            _ = autosave_tick.tick(), if state.compose().is_some() => pending.push(Msg::Tick),
            _ = recv(&mut term_signal) => pending.push(Msg::Quit),
            _ = recv(&mut hangup) => pending.push(Msg::Quit),
        }
    }
}

/// Gives the terminal to `f` (the editor, a pager...) and takes it back after, with a new
/// input stream: the old one goes first, so that nothing reads the terminal meanwhile (and
/// a new one can be made: crossterm's reader is free only once the old one has stopped).
fn hand_over<T>(terminal: &mut Term, input: EventStream, f: impl FnOnce() -> T) -> Result<(T, EventStream)> {
    drop(input);
    restore();
    let r = f();
    enter()?;
    // a new terminal draws everything afresh (clear() would query the cursor)
    *terminal = Terminal::new(CrosstermBackend::new(std::io::stdout())).context("redrawing")?;
    Ok((r, EventStream::new()))
}

/// Input already read when a key is taken is one burst with it, drawn once (a paste):
/// up to this many events, or this long. Nothing waits for input still to come, so a key
/// typed alone is drawn at once.
const BURST_GAP: std::time::Duration = std::time::Duration::ZERO;
const BURST_KEYS: usize = 512;
const BURST_TIME: std::time::Duration = std::time::Duration::from_millis(30);

/// What a terminal event means to `update`.
fn terminal_msg(e: TermEvent) -> Option<Msg> {
    match e {
        TermEvent::Key(k) if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') => {
            Some(Msg::Interrupt)
        }
        TermEvent::Key(k) => Some(Msg::Key(k)),
        TermEvent::Mouse(m) if !matches!(m.kind, MouseEventKind::Moved | MouseEventKind::Drag(_)) => {
            Some(Msg::Mouse(m))
        }
        TermEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
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
