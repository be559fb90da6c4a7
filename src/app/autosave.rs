//! Keeping the message being written on disk, the pure side: when to write it (every few
//! seconds while it changes, and on leaving the editor or quitting), what goes in it, its
//! removal once sent, saved as a draft or discarded, and at start the offer of what a crash
//! left behind, resumed in the composer.

use super::compose::Composer;
use super::keymap::{Action, Context};
use super::state::{AppState, Layer, Prompt};
use super::update::Effect;
use crate::compose::autosave::{self, Kept, Meta};
use crate::model::AccountId;
use crossterm::event::KeyEvent;
use std::time::Duration;

/// How often the event loop asks whether the text needs writing again.
pub const EVERY: Duration = Duration::from_secs(2);

fn account_name(state: &AppState, id: AccountId) -> String {
    state.accounts.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_else(|| format!("account{id}"))
}

/// The file a new message is kept in.
pub fn next_file(state: &mut AppState, account: AccountId) -> String {
    let n = state.autosave_next;
    state.autosave_next += 1;
    autosave::file_name(&account_name(state, account), n)
}

/// What the file holds: where the message comes from, and its text as it stands.
fn content(state: &AppState, c: &Composer) -> String {
    let text = match (&c.writing, &c.unparsed) {
        (Some(editor), _) => editor.text(),
        (None, Some((text, _))) => text.clone(),
        (None, None) => crate::compose::to_editor_text(&c.draft),
    };
    let d = &c.draft;
    let meta = Meta {
        answers: d.answers,
        forwards: d.forwards,
        resumed: c.resumed,
        outgoing: c.outgoing,
        in_reply_to: d.in_reply_to.clone(),
        references: d.references.clone(),
        message_id: d.message_id.clone(),
        attachments: d.attachments.iter().map(|a| a.name.clone()).collect(),
    };
    autosave::render(&account_name(state, c.account), &meta, &text)
}

/// Writes the message now if it changed since it was last written.
pub fn save_now(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some(c) = state.compose().filter(|c| c.unsaved) else { return };
    fx.push(Effect::Autosave { file: c.autosave.clone(), content: content(state, c) });
    if let Some(c) = state.compose_mut() {
        c.unsaved = false;
    }
}

/// The message is sent, saved as a draft or discarded: the composer closes and its file
/// goes. Another message a crash left, if one waits, is offered then.
pub fn forget(state: &mut AppState, fx: &mut Vec<Effect>) {
    if let Some(c) = state.compose() {
        fx.push(Effect::DropAutosave(c.autosave.clone()));
    }
    state.close(|l| matches!(l, Layer::Compose(_)));
    offer(state);
}

/// At start: the messages a crash left, and the next free file number. The first is offered.
pub fn found(state: &mut AppState, kept: Vec<Kept>, next: u64) {
    state.autosave_next = state.autosave_next.max(next);
    state.kept = kept;
    offer(state);
}

fn offer(state: &mut AppState) {
    if !state.kept.is_empty() {
        state.ask(Prompt::ResumeAutosave);
    }
}

/// The question for the first kept message.
pub fn question(state: &AppState) -> String {
    let Some(k) = state.kept.first() else { return String::new() };
    let subject = k
        .text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.trim().eq_ignore_ascii_case("subject")))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .unwrap_or("no subject");
    let more = match state.kept.len() {
        1 => String::new(),
        n => format!(" (1 of {n})"),
    };
    let key = |a| state.keymap.key_of(a);
    format!(
        "A message you were writing when poste stopped was kept{more}: {} resumes it, {} discards it, \
         {} keeps it for later ({}: {})",
        key(Action::Resume),
        key(Action::DiscardKept),
        key(Action::Cancel),
        crate::sanitize::line(&k.account),
        crate::sanitize::line(subject)
    )
}

/// The answer to the offer.
pub fn offer_key(state: &mut AppState, k: KeyEvent, fx: &mut Vec<Effect>) {
    match state.keymap.action(Context::Prompt, &k) {
        Some(Action::Resume) => {
            if state.compose().is_some() {
                state.notify("finish the message being written first; the kept one is offered again next time");
                return;
            }
            let kept = state.kept.remove(0);
            resume(state, kept);
        }
        Some(Action::DiscardKept) => {
            let kept = state.kept.remove(0);
            fx.push(Effect::DropAutosave(kept.file));
            state.status = Some("the kept message was discarded".into());
            offer(state);
        }
        Some(Action::Cancel) => {
            state.kept.clear();
            state.status = Some("the kept message stays; it is offered again at the next start".into());
        }
        // anything else: the question stays until it is answered
        _ => state.ask(Prompt::ResumeAutosave),
    }
}

/// Opens a kept message in the composer, in the same file, with what it came from.
fn resume(state: &mut AppState, k: Kept) {
    let Some(account) = state.accounts.iter().find(|a| a.name == k.account).map(|a| a.id) else {
        state.notify(format!(
            "the kept message is for account {}, which the config no longer has; its file stays in the autosave folder",
            crate::sanitize::line(&k.account)
        ));
        return;
    };
    let m = &k.meta;
    let mut draft = crate::compose::Draft {
        answers: m.answers,
        forwards: m.forwards,
        in_reply_to: m.in_reply_to.clone(),
        references: m.references.clone(),
        message_id: m.message_id.clone(),
        ..Default::default()
    };
    let parsed = crate::compose::parse_editor_text(&k.text, &mut draft);
    let mut c = Composer {
        writing: None,
        account,
        draft,
        resumed: m.resumed,
        outgoing: m.outgoing,
        error: None,
        unparsed: None,
        autosave: k.file.clone(),
        unsaved: false,
    };
    // text that did not read as a message yet comes back as it was, with its mistake
    if let Err(e) = parsed {
        super::compose::keep_unparsed(&mut c, k.text.clone(), &e, state.settings.editor.is_none());
    }
    state.close(|l| matches!(l, Layer::Outbox { .. }));
    state.layers.push(Layer::Compose(Box::new(c)));
    if !m.attachments.is_empty() {
        let names: Vec<String> = m.attachments.iter().map(|a| crate::sanitize::line(a)).collect();
        state.status = Some(format!("its attachments were not kept ({}): a attaches them again", names.join(", ")));
    }
    super::compose::edit(state);
}
