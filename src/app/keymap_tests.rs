//! The keymap: key names, config overrides and their mistakes, one binding per key and
//! layer, and the README's key table, which is made from the table.

use super::*;

fn ev(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn parses_keys() {
    assert_eq!(parse_key("j").unwrap(), Chord(KeyCode::Char('j'), KeyModifiers::NONE));
    assert_eq!(parse_key("C-d").unwrap(), Chord(KeyCode::Char('d'), KeyModifiers::CONTROL));
    assert_eq!(parse_key("Ctrl-D").unwrap(), Chord(KeyCode::Char('d'), KeyModifiers::CONTROL));
    assert_eq!(parse_key("PageDown").unwrap(), Chord(KeyCode::PageDown, KeyModifiers::NONE));
    assert_eq!(parse_key("F5").unwrap(), Chord(KeyCode::F(5), KeyModifiers::NONE));
    assert_eq!(parse_key("BackTab").unwrap(), Chord(KeyCode::BackTab, KeyModifiers::NONE));
    assert!(parse_key("nonsense").is_err());
}

#[test]
fn config_overrides_and_errors_name_the_action() {
    let mut keys = BTreeMap::new();
    keys.insert("down".to_string(), KeyBinding::One("n".into()));
    // n was new_folder's only key: left without one, it is a mistake
    let e = Keymap::from_config(&keys).unwrap_err();
    assert!(e.contains("[keys] down: \"n\" leaves new_folder without a key"), "{e}");
    keys.insert("new_folder".to_string(), KeyBinding::One("C-n".into()));
    let km = Keymap::from_config(&keys).unwrap();
    assert_eq!(km.action(Context::Main, &ev('n')), Some(Action::Down));
    assert_eq!(km.action(Context::Main, &ev('j')), None);
    assert_eq!(km.keys_of(Action::NewFolder), "C-n");
    keys.insert("dwn".to_string(), KeyBinding::One("x".into()));
    assert!(Keymap::from_config(&keys).unwrap_err().contains("dwn"));
    keys.remove("dwn");
    keys.insert("up".to_string(), KeyBinding::Many(vec!["k".into(), "C-".into()]));
    assert!(Keymap::from_config(&keys).unwrap_err().contains("[keys] up"));
    // one key for two actions of one layer is a mistake
    keys.insert("up".to_string(), KeyBinding::One("n".into()));
    let e = Keymap::from_config(&keys).unwrap_err();
    assert!(e.contains("\"n\" is also the key of down") && e.contains("[keys] up"), "{e}");
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
    // `n` is new_folder's only key by default: given to down, new_folder has none left
    keys.insert("down".to_string(), KeyBinding::Many(vec!["j".into(), "n".into()]));
    keys.insert("compose".to_string(), KeyBinding::One("x".into()));
    keys.insert("reply".to_string(), KeyBinding::Many(vec!["r".into(), "x".into()]));
    let p = problems(&keys);
    let text: Vec<String> = p.iter().map(ToString::to_string).collect();
    let mut found: Vec<_> = p.iter().map(|p| (p.action.as_str(), p.key)).collect();
    found.sort();
    let conflict = if text[2].contains("[keys] reply") { ("reply", Some(1)) } else { ("compose", None) };
    let mut want = vec![("dwn", None), ("up", Some(1)), conflict, ("down", Some(1))];
    want.sort();
    assert_eq!(found, want, "{text:#?}");
    assert!(text[0].starts_with("[keys] dwn: no such action (actions: down, up,"), "{}", text[0]);
    assert_eq!(text[1], "[keys] up: unknown key \"C-\"");
    assert!(text[2].contains("\"x\" is also the key of"), "{}", text[2]);
    assert!(text[3].starts_with("[keys] down: \"n\" leaves new_folder without a key"), "{}", text[3]);
    assert!(Keymap::from_config(&keys).is_err());
}

#[test]
fn every_layer_has_its_own_keys_and_none_is_bound_twice() {
    let km = Keymap::default();
    let y = ev('y');
    assert_eq!(km.action(Context::Review, &y), Some(Action::Send));
    assert_eq!(km.action(Context::Outbox, &y), Some(Action::SendAgain));
    assert_eq!(km.action(Context::Prompt, &y), Some(Action::Yes));
    assert_eq!(km.action(Context::Main, &y), None);
    assert_eq!(km.action(Context::Main, &ev('3')), Some(Action::Account(2)));
    let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(km.action(Context::Picker, &back_tab), Some(Action::PickerUp));
    assert_eq!(km.action(Context::Main, &back_tab), Some(Action::NextPane), "Shift-Tab is Tab where unbound");
    // every default key of every row is in effect: no two rows of a layer share one
    for b in ACTIONS {
        assert_eq!(km.keys_of(b.action), b.keys.join(" "), "{} lost a default key", b.name);
    }
    let mut names: Vec<_> = ACTIONS.iter().map(|b| b.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), ACTIONS.len(), "config names are unique");
}

/// The README's key table, as the keymap makes it.
fn readme_table() -> String {
    let km = Keymap::default();
    let mut out = String::new();
    for line in help_lines(&km) {
        match line {
            HelpLine::Heading(h) => out.push_str(&format!("\n**{h}**\n\n| keys | action |\n| --- | --- |\n")),
            HelpLine::Entry { keys, help } => {
                // a | in a table cell is escaped, code span or not
                let keys: Vec<String> = keys.split(' ').map(|k| format!("`{}`", k.replace('|', "\\|"))).collect();
                out.push_str(&format!("| {} | {help} |\n", keys.join(" ")));
            }
        }
    }
    out
}

const BEGIN: &str = "<!-- keys: made from src/app/keymap.rs by its tests -->\n";
const END: &str = "<!-- end of keys -->";

#[test]
fn the_readme_lists_the_keys_of_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (Some(a), Some(b)) = (readme.find(BEGIN), readme.find(END)) else { panic!("README.md lacks the key markers") };
    let want = readme_table();
    let have = &readme[a + BEGIN.len()..b];
    if have != want {
        if std::env::var_os("POSTE_UPDATE_README").is_some() {
            let new = format!("{}{BEGIN}{want}{}", &readme[..a], &readme[b..]);
            std::fs::write(path, new).unwrap();
        } else {
            panic!("README.md's key table is not the keymap's; POSTE_UPDATE_README=1 writes it:\n{want}");
        }
    }
}

#[test]
fn config_example_names_every_action_with_its_default_keys() {
    let example = include_str!("../../config.example.toml");
    for b in ACTIONS {
        let keys = match b.keys {
            [one] => format!("{one:?}"),
            many => format!("[{}]", many.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")),
        };
        let line = format!("# {} = {keys}", b.name);
        assert!(example.lines().any(|l| l == line), "config.example.toml lacks {line:?}");
    }
}

#[test]
fn reader_keys_come_first_in_the_reader_only() {
    let km = Keymap::default();
    assert_eq!(km.action(Context::Reader, &ev(' ')), Some(Action::ReadOn));
    assert_eq!(km.action(Context::Main, &ev(' ')), Some(Action::Select));
    assert_eq!(km.action(Context::Reader, &ev('j')), None);
    assert_eq!(
        km.action(Context::Main, &KeyEvent::new(KeyCode::Char('J'), KeyModifiers::SHIFT)),
        Some(Action::NextMessage)
    );
    assert_eq!(km.action(Context::Main, &ev('|')), Some(Action::Pipe));
    let mut keys = BTreeMap::new();
    keys.insert("read_on".to_string(), KeyBinding::One("n".into()));
    keys.insert("next_message".to_string(), KeyBinding::One("C-n".into()));
    let km = Keymap::from_config(&keys).unwrap();
    assert_eq!(km.action(Context::Reader, &ev('n')), Some(Action::ReadOn));
    assert_eq!(km.action(Context::Reader, &ev(' ')), None);
    let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(km.action(Context::Main, &ctrl_n), Some(Action::NextMessage));
}
