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
];

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
    /// Keys per action, as written, for the help screen and status bar.
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

/// Where an action's keys are looked up: actions of different layers (say, the reader's
/// and the list's) may share a key, actions of one layer may not. Every action is in the
/// one layer today.
fn layer(_action: &str) -> u8 {
    0
}

/// Every mistake in `[keys]`: an action that does not exist, a key name that does not parse,
/// and a key that two actions would share (a key given to one action is taken from the
/// action it was a default of, so that one needs another key too), or one of `1`–`9`, which
/// jump to accounts.
pub fn problems(keys: &BTreeMap<String, KeyBinding>) -> Vec<KeyProblem> {
    let mut out = Vec::new();
    for name in keys.keys() {
        if !ACTIONS.iter().any(|(_, n, _, _)| n == name) {
            let known: Vec<_> = ACTIONS.iter().map(|(_, n, _, _)| *n).collect();
            let text = format!("no such action (actions: {})", known.join(", "));
            out.push(KeyProblem { action: name.clone(), key: None, text });
        }
    }
    // every key in use: (chord, action, as written, position in the config's list or None
    // for a default)
    let mut bound: Vec<(Chord, &str, String, Option<usize>)> = Vec::new();
    for (_, name, _, defaults) in ACTIONS {
        match keys.get(*name) {
            Some(b) => {
                for (i, k) in b.keys().into_iter().enumerate() {
                    let at = matches!(b, KeyBinding::Many(_)).then_some(i);
                    match parse_key(k) {
                        Ok(Chord(KeyCode::Char('1'..='9'), KeyModifiers::NONE)) => out.push(KeyProblem {
                            action: name.to_string(),
                            key: at,
                            text: format!("{k:?} cannot be bound: 1–9 jump to the accounts"),
                        }),
                        Ok(chord) => bound.push((chord, name, k.to_string(), Some(i))),
                        Err(e) => out.push(KeyProblem { action: name.to_string(), key: at, text: e }),
                    }
                }
            }
            None => {
                for k in *defaults {
                    if let Ok(chord) = parse_key(k) {
                        bound.push((chord, name, k.to_string(), None));
                    }
                }
            }
        }
    }
    let clash = |a: &str, b: &str| a != b && layer(a) == layer(b);
    for (n, (chord, name, written, at)) in bound.iter().enumerate() {
        let Some(i) = at else { continue };
        // each shared key is told once, at the first action the config gives it to
        let earlier = bound[..n].iter().any(|(c, other, _, at)| c == chord && at.is_some() && clash(name, other));
        let others: Vec<String> = bound
            .iter()
            .filter(|(c, other, _, _)| c == chord && clash(name, other))
            .map(|(_, other, _, at)| if at.is_some() { other.to_string() } else { format!("{other} (by default)") })
            .collect();
        if earlier || others.is_empty() {
            continue;
        }
        let is_many = matches!(keys.get(*name), Some(KeyBinding::Many(_)));
        out.push(KeyProblem {
            action: name.to_string(),
            key: is_many.then_some(*i),
            text: format!("{written:?} is also the key of {}: give each action keys of its own", others.join(", ")),
        });
    }
    out
}

impl Keymap {
    /// Defaults, with each action named in `[keys]` bound to the keys given instead; the
    /// first of `problems` is the error.
    pub fn from_config(keys: &BTreeMap<String, KeyBinding>) -> Result<Keymap, String> {
        if let Some(p) = problems(keys).into_iter().next() {
            return Err(p.to_string());
        }
        let mut map = HashMap::new();
        let mut names = HashMap::new();
        for (action, name, _, defaults) in ACTIONS {
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
        Ok(Keymap { map, names })
    }

    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        self.map.get(&Chord::from_event(e)).copied()
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
        keys.insert("down".to_string(), KeyBinding::One("x".into()));
        let km = Keymap::from_config(&keys).unwrap();
        let ev = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(km.action(&ev('x')), Some(Action::Down));
        assert_eq!(km.action(&ev('j')), None);
        keys.insert("dwn".to_string(), KeyBinding::One("z".into()));
        assert!(Keymap::from_config(&keys).unwrap_err().contains("dwn"));
        keys.remove("dwn");
        keys.insert("up".to_string(), KeyBinding::Many(vec!["k".into(), "C-".into()]));
        assert!(Keymap::from_config(&keys).unwrap_err().contains("[keys] up"));
    }

    #[test]
    fn the_defaults_have_no_problems() {
        assert_eq!(problems(&BTreeMap::new()), Vec::new());
    }

    #[test]
    fn problems_name_the_action_the_key_and_the_other_action() {
        let mut keys = BTreeMap::new();
        keys.insert("dwn".to_string(), KeyBinding::One("x".into()));
        keys.insert("up".to_string(), KeyBinding::Many(vec!["k".into(), "C-".into()]));
        // `n` is new_folder's by default; `z` is given to two actions
        keys.insert("down".to_string(), KeyBinding::Many(vec!["j".into(), "n".into()]));
        keys.insert("compose".to_string(), KeyBinding::One("z".into()));
        keys.insert("reply".to_string(), KeyBinding::Many(vec!["z".into(), "3".into()]));
        let p = problems(&keys);
        let text: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert_eq!(
            p.iter().map(|p| (p.action.as_str(), p.key)).collect::<Vec<_>>(),
            [("dwn", None), ("up", Some(1)), ("reply", Some(1)), ("down", Some(1)), ("compose", None)],
            "{text:#?}"
        );
        assert!(text[0].starts_with("[keys] dwn: no such action (actions: down, up,"), "{}", text[0]);
        assert_eq!(text[1], "[keys] up: unknown key \"C-\"");
        assert_eq!(text[2], "[keys] reply: \"3\" cannot be bound: 1–9 jump to the accounts");
        assert_eq!(
            text[3],
            "[keys] down: \"n\" is also the key of new_folder (by default): give each action keys of its own"
        );
        assert_eq!(text[4], "[keys] compose: \"z\" is also the key of reply: give each action keys of its own");
        assert!(Keymap::from_config(&keys).is_err());
    }
}
