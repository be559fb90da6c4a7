//! Editing a line of text in a prompt, the picker or the filter: typed characters,
//! Backspace, and the readline keys Ctrl-U (the whole line) and Ctrl-W (the last word).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Applies an editing key to `text`; false when the key is not one.
pub fn edit(text: &mut String, k: &KeyEvent) -> bool {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char('w') if ctrl => {
            let kept = text.trim_end().rfind(char::is_whitespace).map_or(0, |i| i + 1);
            text.truncate(kept);
        }
        KeyCode::Char(c) if !ctrl => text.push(c),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn readline_keys_clear_the_line_and_the_last_word() {
        let mut t = "from:ann is:unred ".to_string();
        assert!(edit(&mut t, &key(KeyCode::Char('w'), KeyModifiers::CONTROL)));
        assert_eq!(t, "from:ann ");
        assert!(edit(&mut t, &key(KeyCode::Char('x'), KeyModifiers::NONE)));
        assert!(edit(&mut t, &key(KeyCode::Backspace, KeyModifiers::NONE)));
        assert_eq!(t, "from:ann ");
        assert!(edit(&mut t, &key(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        assert_eq!(t, "");
        assert!(!edit(&mut t, &key(KeyCode::Char('a'), KeyModifiers::CONTROL)));
        assert!(!edit(&mut t, &key(KeyCode::Up, KeyModifiers::NONE)));
    }
}
