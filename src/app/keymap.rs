//! Keys to actions: vim-style defaults, overridable per action in the config's `[keys]`.

use crate::config::KeyBinding;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::{BTreeMap, HashMap};

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
    Sync,
    Save,
    Help,
    Quit,
    NextAccount,
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
    ReadOn,
    NextMessage,
    PrevMessage,
    OpenAttachment,
    OpenLink,
    Pipe,
    Pager,
}

/// Every action with its config name, help text and default keys.
pub const ACTIONS: &[(Action, &str, &str, &[&str])] = &[
    (Action::Down, "down", "next line", &["j", "Down"]),
    (Action::Up, "up", "previous line", &["k", "Up"]),
    (Action::Top, "top", "first line", &["g", "Home"]),
    (Action::Bottom, "bottom", "last line", &["G", "End"]),
    (Action::HalfDown, "half_page_down", "half a page down", &["C-d"]),
    (Action::HalfUp, "half_page_up", "half a page up", &["C-u"]),
    (Action::PageDown, "page_down", "a page down", &["PageDown", "C-f"]),
    (Action::PageUp, "page_up", "a page up", &["PageUp", "C-b"]),
    (Action::Open, "open", "open; again: full screen", &["Enter", "l"]),
    (Action::Back, "back", "back: full screen, reader, list", &["Esc", "h"]),
    (Action::NextPane, "next_pane", "next pane", &["Tab"]),
    (Action::Filter, "filter", "filter by sender and subject", &["/"]),
    (Action::Sync, "sync", "sync now", &["R"]),
    (Action::Save, "save", "save an attachment", &["s"]),
    (Action::Help, "help", "this help", &["?"]),
    (Action::Quit, "quit", "back; quits from the folder pane", &["q"]),
    (Action::NextAccount, "next_account", "next account (1-9 jump to one)", &["A"]),
    (Action::ToggleRead, "toggle_read", "mark read / unread", &["N"]),
    (Action::ToggleFlag, "toggle_flag", "flag / unflag", &["!"]),
    (Action::Delete, "delete", "delete (to Trash); folder pane: folder", &["d"]),
    (Action::Undo, "undo", "undo the last delete or move", &["u"]),
    (Action::Move, "move", "move to a folder", &["m"]),
    (Action::Copy, "copy", "copy to a folder", &["C"]),
    (Action::Select, "select", "select / unselect", &["Space"]),
    (Action::SelectRange, "select_range", "select a range: v here, v there", &["v"]),
    (Action::SelectAll, "select_all", "select all in the current filter", &["*"]),
    (Action::MarkFolderRead, "mark_folder_read", "mark the whole folder read", &["M"]),
    (Action::NewFolder, "new_folder", "new folder (folder pane)", &["n"]),
    (Action::RenameFolder, "rename_folder", "rename folder (folder pane)", &["e"]),
    (Action::Subscribe, "subscribe", "(un)subscribe (folder pane)", &["S"]),
    (Action::FetchWhole, "fetch_whole", "download a partial (~) message", &["D"]),
    (Action::Compose, "compose", "write a new message", &["c"]),
    (Action::Reply, "reply", "reply", &["r"]),
    (Action::ReplyAll, "reply_all", "reply to all", &["a"]),
    (Action::Forward, "forward", "forward inline", &["f"]),
    (Action::ForwardAttached, "forward_attached", "forward as an attachment", &["F"]),
    (Action::Outbox, "outbox", "the Outbox: retry, edit, discard", &["O"]),
    (Action::ReadOn, "read_on", "reader: page down, then next unread", &["Space"]),
    (Action::NextMessage, "next_message", "next message (reader)", &["J"]),
    (Action::PrevMessage, "previous_message", "previous message (reader)", &["K"]),
    (Action::OpenAttachment, "open_attachment", "open an attachment in its viewer", &["o"]),
    (Action::OpenLink, "open_link", "open one of the message's links", &["L"]),
    (Action::Pipe, "pipe", "pipe the message to a command", &["|"]),
    (Action::Pager, "pager", "view the message in $PAGER", &["P"]),
];

/// Actions whose keys mean them only while the reader has the focus (there, before any
/// other action bound to the same key: Space pages the reader and selects in the list).
pub const READER_ACTIONS: &[Action] = &[Action::ReadOn];

/// A key with its modifiers, as bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord(pub KeyCode, pub KeyModifiers);

impl Chord {
    pub fn from_event(e: &KeyEvent) -> Chord {
        // Shift is part of the character for letters; keep only Control and Alt.
        let mods = e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match e.code {
            KeyCode::BackTab => KeyCode::Tab,
            c => c,
        };
        Chord(code, mods)
    }
}

/// Parses `j`, `G`, `C-d`, `Ctrl-d`, `A-x`, `Enter`, `Esc`, `Tab`, `Space`, `Up`, `PageDown`, `F5`.
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
    map: HashMap<Chord, Action>,
    /// The keys of `READER_ACTIONS`, looked up first while the reader has the focus.
    reader: HashMap<Chord, Action>,
    /// Keys per action, as written, for the help screen and status bar.
    names: HashMap<Action, Vec<String>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::from_config(&BTreeMap::new()).unwrap_or_else(|_| Keymap {
            map: HashMap::new(),
            reader: HashMap::new(),
            names: HashMap::new(),
        })
    }
}

impl Keymap {
    /// Defaults, with each action named in `[keys]` bound to the keys given instead.
    pub fn from_config(keys: &BTreeMap<String, KeyBinding>) -> Result<Keymap, String> {
        for name in keys.keys() {
            if !ACTIONS.iter().any(|(_, n, _, _)| n == name) {
                let known: Vec<_> = ACTIONS.iter().map(|(_, n, _, _)| *n).collect();
                return Err(format!("[keys] {name}: no such action (actions: {})", known.join(", ")));
            }
        }
        let mut map = HashMap::new();
        let mut reader = HashMap::new();
        let mut names = HashMap::new();
        for (action, name, _, defaults) in ACTIONS {
            let map = if READER_ACTIONS.contains(action) { &mut reader } else { &mut map };
            let chosen: Vec<String> = match keys.get(*name) {
                Some(b) => b.keys().into_iter().map(str::to_string).collect(),
                None => defaults.iter().map(|s| s.to_string()).collect(),
            };
            for k in &chosen {
                let chord = parse_key(k).map_err(|e| format!("[keys] {name}: {e}"))?;
                if keys.contains_key(*name) {
                    // an explicit binding wins over a default one
                    map.insert(chord, *action);
                } else {
                    map.entry(chord).or_insert(*action);
                }
            }
            names.insert(*action, chosen);
        }
        Ok(Keymap { map, reader, names })
    }

    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        self.map.get(&Chord::from_event(e)).copied()
    }

    /// The action of a key where the reader has the focus (`in_reader`) or not.
    pub fn action_for(&self, e: &KeyEvent, in_reader: bool) -> Option<Action> {
        let chord = Chord::from_event(e);
        in_reader.then(|| self.reader.get(&chord).copied()).flatten().or_else(|| self.map.get(&chord).copied())
    }

    /// The first key bound to an action, for hints.
    pub fn key_of(&self, a: Action) -> &str {
        self.names.get(&a).and_then(|v| v.first()).map(String::as_str).unwrap_or("?")
    }

    pub fn keys_of(&self, a: Action) -> String {
        self.names.get(&a).map(|v| v.join(" ")).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys() {
        assert_eq!(parse_key("j").unwrap(), Chord(KeyCode::Char('j'), KeyModifiers::NONE));
        assert_eq!(parse_key("C-d").unwrap(), Chord(KeyCode::Char('d'), KeyModifiers::CONTROL));
        assert_eq!(parse_key("Ctrl-D").unwrap(), Chord(KeyCode::Char('d'), KeyModifiers::CONTROL));
        assert_eq!(parse_key("PageDown").unwrap(), Chord(KeyCode::PageDown, KeyModifiers::NONE));
        assert_eq!(parse_key("F5").unwrap(), Chord(KeyCode::F(5), KeyModifiers::NONE));
        assert!(parse_key("nonsense").is_err());
    }

    #[test]
    fn config_overrides_and_errors_name_the_action() {
        let mut keys = BTreeMap::new();
        keys.insert("down".to_string(), KeyBinding::One("n".into()));
        let km = Keymap::from_config(&keys).unwrap();
        let ev = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(km.action(&ev('n')), Some(Action::Down));
        assert_eq!(km.action(&ev('j')), None);
        keys.insert("dwn".to_string(), KeyBinding::One("x".into()));
        assert!(Keymap::from_config(&keys).unwrap_err().contains("dwn"));
        keys.remove("dwn");
        keys.insert("up".to_string(), KeyBinding::Many(vec!["k".into(), "C-".into()]));
        assert!(Keymap::from_config(&keys).unwrap_err().contains("[keys] up"));
    }

    #[test]
    fn reader_keys_come_first_in_the_reader_only() {
        let ev = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let km = Keymap::default();
        assert_eq!(km.action_for(&ev(' '), true), Some(Action::ReadOn));
        assert_eq!(km.action_for(&ev(' '), false), Some(Action::Select));
        assert_eq!(km.action_for(&ev('j'), true), Some(Action::Down));
        assert_eq!(km.action(&KeyEvent::new(KeyCode::Char('J'), KeyModifiers::SHIFT)), Some(Action::NextMessage));
        assert_eq!(km.action(&ev('|')), Some(Action::Pipe));
        let mut keys = BTreeMap::new();
        keys.insert("read_on".to_string(), KeyBinding::One("n".into()));
        keys.insert("next_message".to_string(), KeyBinding::One("C-n".into()));
        let km = Keymap::from_config(&keys).unwrap();
        assert_eq!(km.action_for(&ev('n'), true), Some(Action::ReadOn));
        assert_eq!(km.action_for(&ev(' '), true), Some(Action::Select));
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(km.action_for(&ctrl_n, true), Some(Action::NextMessage));
    }
}
