//! Keys to actions: one table of every action (the layer it works in, its config name, its
//! help text and its default keys), each overridable in the config's `[keys]`.

use crate::config::KeyBinding;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};

/// The layer a binding works in: the top layer looks its key up there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// The folder pane, the list and the reader (and the help and message log, which scroll
    /// with the movement keys).
    Main,
    /// The reader while it has the focus: its keys come before the same keys of `Main`.
    Reader,
    /// The built-in editor.
    Writing,
    /// The review screen before sending.
    Review,
    /// The Outbox overlay (it moves with the movement keys too).
    Outbox,
    /// The folder picker of move and copy.
    Picker,
    /// Questions and lines typed in the status line, and the list filter.
    Prompt,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Main,
        Context::Reader,
        Context::Writing,
        Context::Review,
        Context::Outbox,
        Context::Picker,
        Context::Prompt,
    ];

    /// The heading of its keys in the help and the README.
    pub fn title(self) -> &'static str {
        match self {
            Context::Main => "Folders, list and reader",
            Context::Reader => "The reader, when it has the focus (before the keys above)",
            Context::Writing => "Writing (the built-in editor)",
            Context::Review => "Review before sending",
            Context::Outbox => "Outbox",
            Context::Picker => "Pickers (the folder of move and copy, a link)",
            Context::Prompt => "Questions and typed lines",
        }
    }
}

/// What a key does, independent of which key it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    HalfDown,
    HalfUp,
    PageDown,
    PageUp,
    Open,
    Back,
    NextPane,
    Filter,
    Search,
    SaveSearch,
    Sync,
    Save,
    Help,
    Messages,
    Quit,
    NextAccount,
    /// Account `n` (from 0): the nth key of the `accounts` binding.
    Account(u8),
    ToggleRead,
    ToggleFlag,
    Delete,
    Undo,
    Move,
    Copy,
    Select,
    SelectRange,
    SelectAll,
    MarkFolderRead,
    NewFolder,
    RenameFolder,
    Subscribe,
    FetchWhole,
    Compose,
    Reply,
    ReplyAll,
    Forward,
    ForwardAttached,
    Outbox,
    NextMessage,
    PrevMessage,
    OpenAttachment,
    OpenLink,
    Pipe,
    Pager,
    Threads,
    ToggleThread,
    ToggleAllThreads,
    // the reader
    ReadOn,
    // the built-in editor
    WriteDone,
    CompleteAddress,
    // the review
    Send,
    EditAgain,
    Attach,
    RemoveAttachment,
    SaveDraft,
    CancelMessage,
    // the Outbox
    SendAgain,
    EditOutgoing,
    DiscardOutgoing,
    CloseOutbox,
    // the picker
    PickerDown,
    PickerUp,
    Pick,
    PickerCancel,
    // questions and typed lines
    Yes,
    Submit,
    Cancel,
    CompletePath,
    SaveAll,
    Resume,
    DiscardKept,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    /// The name in `[keys]`.
    pub name: &'static str,
    pub help: &'static str,
    pub keys: &'static [&'static str],
}

const fn b(
    context: Context,
    action: Action,
    name: &'static str,
    help: &'static str,
    keys: &'static [&'static str],
) -> Binding {
    Binding { context, action, name, help, keys }
}

use Context::{Main, Outbox as OutboxLayer, Picker, Prompt, Reader, Review, Writing};

/// Every action with its layer, config name, help text and default keys. The help overlay,
/// the README's key table and config.example.toml list them from here.
pub const ACTIONS: &[Binding] = &[
    b(Main, Action::Down, "down", "next line", &["j", "Down"]),
    b(Main, Action::Up, "up", "previous line", &["k", "Up"]),
    b(Main, Action::Top, "top", "first line", &["g", "Home"]),
    b(Main, Action::Bottom, "bottom", "last line", &["G", "End"]),
    b(Main, Action::HalfDown, "half_page_down", "half a page down", &["C-d"]),
    b(Main, Action::HalfUp, "half_page_up", "half a page up", &["C-u"]),
    b(Main, Action::PageDown, "page_down", "a page down", &["PageDown", "C-f"]),
    b(Main, Action::PageUp, "page_up", "a page up", &["PageUp", "C-b"]),
    b(Main, Action::Open, "open", "open the folder or message; again: full screen", &["Enter", "l"]),
    b(Main, Action::Back, "back", "back: full screen, reader, list, folders", &["Esc", "h"]),
    b(Main, Action::NextPane, "next_pane", "next pane", &["Tab"]),
    b(Main, Action::Filter, "filter", "filter the list (the search language)", &["/"]),
    b(Main, Action::Search, "search", "search every folder of every account", &["\\"]),
    b(Main, Action::SaveSearch, "save_search", "keep the search as a folder of its own", &["W"]),
    b(Main, Action::Sync, "sync", "sync now", &["R"]),
    b(Main, Action::Save, "save", "save an attachment", &["s"]),
    b(Main, Action::Help, "help", "this help", &["?"]),
    b(Main, Action::Messages, "messages", "the last messages and errors, in full", &["I"]),
    b(Main, Action::Quit, "quit", "close the reader; else quit", &["q"]),
    b(Main, Action::NextAccount, "next_account", "the next account", &["A"]),
    b(
        Main,
        Action::Account(0),
        "accounts",
        "jump to an account: the nth key, the nth account",
        &["1", "2", "3", "4", "5", "6", "7", "8", "9"],
    ),
    b(Main, Action::ToggleRead, "toggle_read", "mark read / unread", &["N"]),
    b(Main, Action::ToggleFlag, "toggle_flag", "flag / unflag", &["!"]),
    b(Main, Action::Delete, "delete", "delete (to Trash); in the folder pane: the folder", &["d"]),
    b(Main, Action::Undo, "undo", "undo the last delete, move or mark-folder-read", &["u"]),
    b(Main, Action::Move, "move", "move to a folder", &["m"]),
    b(Main, Action::Copy, "copy", "copy to a folder", &["C"]),
    b(Main, Action::Select, "select", "select / unselect", &["Space"]),
    b(Main, Action::SelectRange, "select_range", "select a range: here, then there", &["v"]),
    b(Main, Action::SelectAll, "select_all", "select all in the current filter", &["*"]),
    b(Main, Action::MarkFolderRead, "mark_folder_read", "mark the folder (or what the filter shows) read", &["M"]),
    b(Main, Action::NewFolder, "new_folder", "new folder (folder pane)", &["n"]),
    b(Main, Action::RenameFolder, "rename_folder", "rename folder (folder pane)", &["e"]),
    b(Main, Action::Subscribe, "subscribe", "(un)subscribe (folder pane)", &["S"]),
    b(Main, Action::FetchWhole, "fetch_whole", "download a partial (~) message whole", &["D"]),
    b(Main, Action::Compose, "compose", "write a new message", &["c"]),
    b(Main, Action::Reply, "reply", "reply", &["r"]),
    b(Main, Action::ReplyAll, "reply_all", "reply to all", &["a"]),
    b(Main, Action::Forward, "forward", "forward inline", &["f"]),
    b(Main, Action::ForwardAttached, "forward_attached", "forward as an attachment", &["F"]),
    b(Main, Action::Outbox, "outbox", "the Outbox: send again, edit, discard", &["O"]),
    b(
        Main,
        Action::NextMessage,
        "next_message",
        "the next message (the reader stays full screen; in a conversation, its next)",
        &["J"],
    ),
    b(Main, Action::PrevMessage, "previous_message", "the previous message", &["K"]),
    b(Main, Action::OpenAttachment, "open_attachment", "open an attachment in its viewer", &["o"]),
    b(Main, Action::OpenLink, "open_link", "list the message's links, to open one", &["L"]),
    b(Main, Action::Pipe, "pipe", "pipe the message to a command", &["|"]),
    b(Main, Action::Pager, "pager", "view the message in $PAGER", &["P"]),
    b(Main, Action::Threads, "threads", "threaded list / flat list (this list, from now on)", &["T"]),
    b(
        Main,
        Action::ToggleThread,
        "toggle_thread",
        "open / close the thread under the cursor; in a conversation: unfold / fold the message",
        &["z"],
    ),
    b(Main, Action::ToggleAllThreads, "toggle_all_threads", "open / close every thread", &["Z"]),
    b(Reader, Action::ReadOn, "read_on", "a page down; at the end, the next unread message", &["Space"]),
    b(Writing, Action::WriteDone, "write_done", "done: to the review", &["Esc", "C-x"]),
    b(Writing, Action::CompleteAddress, "complete_address", "complete the address (To, Cc, Bcc)", &["Tab"]),
    b(Review, Action::Send, "send", "send", &["y"]),
    b(Review, Action::EditAgain, "edit_again", "edit the message again", &["e"]),
    b(Review, Action::Attach, "attach", "attach a file", &["a"]),
    b(Review, Action::RemoveAttachment, "remove_attachment", "remove an attachment", &["D"]),
    b(Review, Action::SaveDraft, "save_draft", "save as a draft", &["d"]),
    b(Review, Action::CancelMessage, "cancel_message", "cancel the message (asks first)", &["q", "Esc"]),
    b(OutboxLayer, Action::SendAgain, "send_again", "send the message again", &["y"]),
    b(OutboxLayer, Action::EditOutgoing, "edit_outgoing", "edit the message, then send it", &["e"]),
    b(OutboxLayer, Action::DiscardOutgoing, "discard_outgoing", "discard the message (asks first)", &["d"]),
    b(OutboxLayer, Action::CloseOutbox, "close_outbox", "close the Outbox", &["Esc", "q"]),
    b(Picker, Action::PickerDown, "picker_down", "next folder", &["Down", "Tab", "C-n"]),
    b(Picker, Action::PickerUp, "picker_up", "previous folder", &["Up", "BackTab", "C-p"]),
    b(Picker, Action::Pick, "pick", "pick the folder", &["Enter"]),
    b(Picker, Action::PickerCancel, "picker_cancel", "cancel", &["Esc"]),
    b(Prompt, Action::Yes, "yes", "yes, to a question (any other key is no)", &["y", "Y"]),
    b(Prompt, Action::Submit, "submit", "take the typed line (a filter: keep it)", &["Enter"]),
    b(Prompt, Action::Cancel, "cancel", "cancel (a filter: clear it)", &["Esc"]),
    b(Prompt, Action::CompletePath, "complete_path", "complete the path being typed", &["Tab"]),
    b(Prompt, Action::SaveAll, "save_all", "save all attachments (digits pick one)", &["a"]),
    b(Prompt, Action::Resume, "resume", "resume a message kept from a crash", &["r"]),
    b(Prompt, Action::DiscardKept, "discard_kept", "discard a message kept from a crash", &["d"]),
];

/// The table's row of an action.
pub fn binding(a: Action) -> Option<&'static Binding> {
    let a = row_action(a);
    ACTIONS.iter().find(|b| b.action == a)
}

/// The action a row is keyed by: every `Account(n)` is the one `accounts` row.
fn row_action(a: Action) -> Action {
    match a {
        Action::Account(_) => Action::Account(0),
        a => a,
    }
}

/// A key with its modifiers, as bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord(pub KeyCode, pub KeyModifiers);

impl Chord {
    pub fn from_event(e: &KeyEvent) -> Chord {
        // Shift is part of the character for letters; keep only Control and Alt.
        let mods = e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        Chord(e.code, mods)
    }
}

/// Parses `j`, `G`, `C-d`, `Ctrl-d`, `A-x`, `Enter`, `Esc`, `Tab`, `BackTab`, `Space`, `Up`,
/// `PageDown`, `F5`.
pub fn parse_key(s: &str) -> Result<Chord, String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        if let Some(r) =
            rest.strip_prefix("C-").or_else(|| rest.strip_prefix("Ctrl-")).or_else(|| rest.strip_prefix("ctrl-"))
        {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) =
            rest.strip_prefix("A-").or_else(|| rest.strip_prefix("Alt-")).or_else(|| rest.strip_prefix("alt-"))
        {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" | "s-tab" | "shift-tab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "delete" | "del" => KeyCode::Delete,
        f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => {
                    KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) { c.to_ascii_lowercase() } else { c })
                }
                _ => return Err(format!("unknown key {s:?}")),
            }
        }
    };
    Ok(Chord(code, mods))
}

/// The active bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: HashMap<(Context, Chord), Action>,
    /// Keys per action (by its row), as written, for the help screen and hints.
    names: HashMap<Action, Vec<String>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_config(&BTreeMap::new()).unwrap_or_else(|_| Keymap { map: HashMap::new(), names: HashMap::new() })
    }
}

/// A mistake in `[keys]`, in plain words (no terminal types), for the config loader to
/// place at its line: the action it is about, which of its keys (the position in its list,
/// when it is about one key), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    pub action: String,
    pub key: Option<usize>,
    pub text: String,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[keys] {}: {}", self.action, self.text)
    }
}

/// Every mistake in `[keys]`: an action that does not exist, a key name that does not
/// parse, and a key the config gives to two actions of one layer. (A key the config gives
/// to one action is taken from the action it was a default of: that is no mistake.)
pub fn problems(keys: &BTreeMap<String, KeyBinding>) -> Vec<KeyProblem> {
    let mut out = Vec::new();
    for name in keys.keys() {
        if !ACTIONS.iter().any(|b| b.name == name) {
            let known: Vec<_> = ACTIONS.iter().map(|b| b.name).collect();
            let text = format!("no such action (actions: {})", known.join(", "));
            out.push(KeyProblem { action: name.clone(), key: None, text });
        }
    }
    // every key the config gives: (layer, chord, action, as written, position in its list)
    let mut given: Vec<(Context, Chord, &str, &str, usize)> = Vec::new();
    for b in ACTIONS {
        let Some(binding) = keys.get(b.name) else { continue };
        let many = matches!(binding, KeyBinding::Many(_));
        for (i, k) in binding.keys().into_iter().enumerate() {
            match parse_key(k) {
                Ok(chord) => given.push((b.context, chord, b.name, k, i)),
                Err(e) => out.push(KeyProblem { action: b.name.to_string(), key: many.then_some(i), text: e }),
            }
        }
    }
    for (n, (context, chord, name, written, i)) in given.iter().enumerate() {
        let others: Vec<&str> =
            given[..n].iter().filter(|g| g.0 == *context && g.1 == *chord && g.2 != *name).map(|g| g.2).collect();
        if let Some(other) = others.first() {
            let many = matches!(keys.get(*name), Some(KeyBinding::Many(_)));
            out.push(KeyProblem {
                action: name.to_string(),
                key: many.then_some(*i),
                text: format!("{written:?} is also the key of {other}: give each action keys of its own"),
            });
        }
    }
    // an action left without any key, every default taken by the config's bindings
    for b in ACTIONS.iter().filter(|b| !keys.contains_key(b.name) && !b.keys.is_empty()) {
        let takers: Vec<&(Context, Chord, &str, &str, usize)> = b
            .keys
            .iter()
            .filter_map(|k| parse_key(k).ok())
            .filter_map(|chord| given.iter().find(|g| g.0 == b.context && g.1 == chord))
            .collect();
        if takers.len() == b.keys.len()
            && let Some((_, _, name, written, i)) = takers.first()
        {
            let many = matches!(keys.get(*name), Some(KeyBinding::Many(_)));
            out.push(KeyProblem {
                action: name.to_string(),
                key: many.then_some(*i),
                text: format!(
                    "{written:?} leaves {} without a key (it was its default): give {} a key of its own too",
                    b.name, b.name
                ),
            });
        }
    }
    out
}

impl Keymap {
    /// Defaults, with each action named in `[keys]` bound to the keys given instead; the
    /// first of `problems` is the error. A default key that an explicit binding takes goes
    /// to that one.
    pub fn from_config(keys: &BTreeMap<String, KeyBinding>) -> Result<Keymap, String> {
        if let Some(p) = problems(keys).into_iter().next() {
            return Err(p.to_string());
        }
        // explicit bindings first, so they win over the defaults
        let mut rows: Vec<(&Binding, Vec<String>, bool)> = ACTIONS
            .iter()
            .map(|b| match keys.get(b.name) {
                Some(k) => (b, k.keys().into_iter().map(str::to_string).collect(), true),
                None => (b, b.keys.iter().map(|s| s.to_string()).collect(), false),
            })
            .collect();
        rows.sort_by_key(|(_, _, explicit)| !explicit);
        let mut map = HashMap::new();
        let mut explicit_of: HashMap<(Context, Chord), &str> = HashMap::new();
        let mut names: HashMap<Action, Vec<String>> = HashMap::new();
        for (b, chosen, explicit) in rows {
            let mut kept = Vec::new();
            for (i, k) in chosen.iter().enumerate() {
                let chord = parse_key(k).map_err(|e| format!("[keys] {}: {e}", b.name))?;
                let slot = (b.context, chord);
                if explicit {
                    if let Some(other) = explicit_of.insert(slot, b.name) {
                        return Err(format!("[keys] {}: {k:?} is bound to {other} too", b.name));
                    }
                } else if map.contains_key(&slot) {
                    // taken by an explicit binding (or an earlier row)
                    continue;
                }
                let action = match b.action {
                    Action::Account(_) => Action::Account(u8::try_from(i).unwrap_or(u8::MAX)),
                    a => a,
                };
                map.insert(slot, action);
                kept.push(k.clone());
            }
            names.insert(b.action, kept);
        }
        Ok(Keymap { map, names })
    }

    /// The action of a key in a layer. Shift-Tab is Tab where it is not bound itself.
    pub fn action(&self, context: Context, e: &KeyEvent) -> Option<Action> {
        let chord = Chord::from_event(e);
        self.map.get(&(context, chord)).copied().or_else(|| match chord {
            Chord(KeyCode::BackTab, m) => self.map.get(&(context, Chord(KeyCode::Tab, m))).copied(),
            _ => None,
        })
    }

    /// The first key bound to an action, for hints.
    pub fn key_of(&self, a: Action) -> &str {
        self.names.get(&row_action(a)).and_then(|v| v.first()).map(String::as_str).unwrap_or("(unbound)")
    }

    /// Every key bound to an action, as written.
    pub fn keys_of(&self, a: Action) -> String {
        self.names.get(&row_action(a)).map(|v| v.join(" ")).unwrap_or_default()
    }
}

/// A line of the key list the help overlay and the README show.
#[derive(Debug, Clone, PartialEq)]
pub enum HelpLine {
    Heading(&'static str),
    Entry { keys: String, help: &'static str },
}

/// Every layer's keys as bound, under the layer's heading, in table order; then what is not
/// a binding (the mouse, Ctrl-C).
pub fn help_lines(k: &Keymap) -> Vec<HelpLine> {
    let mut out = Vec::new();
    for context in Context::ALL {
        out.push(HelpLine::Heading(context.title()));
        for b in ACTIONS.iter().filter(|b| b.context == context) {
            out.push(HelpLine::Entry { keys: k.keys_of(b.action), help: b.help });
        }
        if context == Context::Main {
            out.push(HelpLine::Entry { keys: "mouse".into(), help: "the wheel scrolls, a click selects" });
            out.push(HelpLine::Entry { keys: "C-c".into(), help: "quit (asks while a message is written)" });
        }
    }
    out
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
