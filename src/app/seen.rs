//! When an opened message becomes read: at once full screen (or with no delay), else after
//! `mark_read_delay` in the reader pane, so skimming the list with the reader open marks
//! nothing. The delay is a timer the event loop runs (`Effect::Timer`); no sleeping here.

use super::state::{AppState, Body};
use super::update::{Effect, Timer};
use crate::account::{self, Command};
use crate::model::{AccountId, Flags, MessageId};

/// The messages waiting for the delay (the open one, or a conversation's unread ones), and
/// the number of its timer.
#[derive(Debug, Clone, Default)]
pub struct SeenWait {
    /// Numbers timers so that one set for an earlier opening does nothing.
    pub timer: u64,
    pub waiting: Option<(AccountId, Vec<MessageId>)>,
    /// The message the reader last marked read. When that takes it out of a filtered
    /// list (`is:unread`), the reader keeps it rather than going on to the next row, which
    /// it would mark read in turn.
    pub marked: Option<MessageId>,
}

/// The reader has just been given a message: whether the worker is to mark it read as it
/// opens it, else the timer to set if it waits for the delay.
pub fn on_open(state: &mut AppState) -> (bool, Option<Effect>) {
    state.seen.waiting = None;
    let Some(r) = &state.reader else { return (false, None) };
    if !state.settings.mark_read_on_open || r.summary.flags.is_seen() {
        return (false, None);
    }
    if r.fullscreen || state.settings.mark_read_delay.is_zero() {
        state.seen.marked = Some(r.id);
        return (true, None);
    }
    let (account, id) = (r.account, r.id);
    (false, Some(wait(state, account, vec![id])))
}

/// Whether messages opened now are marked read at once (full screen, or no delay).
pub fn at_once(state: &AppState) -> bool {
    state.reader.as_ref().is_some_and(|r| r.fullscreen) || state.settings.mark_read_delay.is_zero()
}

/// `ids` wait for the delay: the timer to set.
pub fn wait(state: &mut AppState, account: AccountId, ids: Vec<MessageId>) -> Effect {
    state.seen.timer += 1;
    state.seen.waiting = Some((account, ids));
    Effect::Timer { after: state.settings.mark_read_delay, timer: Timer::MarkSeen(state.seen.timer) }
}

/// The reader went full screen: the message waiting for its delay is read now.
pub fn now(state: &mut AppState, fx: &mut Vec<Effect>) {
    let Some((account, mut ids)) = state.seen.waiting.take() else { return };
    let Some(r) = &state.reader else { return };
    // still in the reader: the open message, or the conversation they are of; one whose
    // body could not come (offline, never downloaded) has not been read
    let unavailable = |body: &Body| matches!(body, Body::Unavailable(_));
    let shown = match &r.conversation {
        Some(c) => {
            let at = |id: &MessageId| c.messages.iter().find(|m| m.summary.id == *id);
            let all = ids.iter().all(|id| at(id).is_some());
            ids.retain(|id| at(id).is_some_and(|m| !unavailable(&m.body)));
            all
        }
        None => ids == [r.id] && !unavailable(&r.body),
    };
    if shown && !ids.is_empty() {
        state.seen.marked = Some(r.id);
        mark(account, ids, fx);
    }
}

/// A `MarkSeen` timer went off: the message is marked if it is still the one in the reader.
pub fn due(state: &mut AppState, timer: u64, fx: &mut Vec<Effect>) {
    if timer == state.seen.timer {
        now(state, fx);
    }
}

fn mark(account: AccountId, ids: Vec<MessageId>, fx: &mut Vec<Effect>) {
    let action = account::Action::Flags { ids, add: Flags(Flags::SEEN), remove: Flags(0) };
    fx.push(Effect::Send(account, Command::Act(action)));
}

#[cfg(test)]
mod tests {
    use super::super::state::UiSettings;
    use super::super::tests::{key, opened, opened_with};
    use super::super::update::{Effect, Msg, Timer, update};
    use crate::account::{Action, Command};
    use crate::model::{AccountId, Flags, MessageId};
    use crossterm::event::KeyCode;
    use std::time::Duration;

    fn marks(fx: &[Effect]) -> Vec<MessageId> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Send(AccountId(1), Command::Act(Action::Flags { ids, add, .. })) if add.has(Flags::SEEN) => {
                    Some(ids[0])
                }
                _ => None,
            })
            .collect()
    }

    fn opens(fx: &[Effect]) -> Vec<(MessageId, bool)> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Send(AccountId(1), Command::Open { id, mark_seen }) => Some((*id, *mark_seen)),
                _ => None,
            })
            .collect()
    }

    fn timer(fx: &[Effect]) -> Option<(Duration, Timer)> {
        fx.iter().find_map(|e| match e {
            Effect::Timer { after, timer } => Some((*after, *timer)),
            _ => None,
        })
    }

    #[test]
    fn a_message_whose_body_could_not_come_is_not_marked_read() {
        let mut s = opened(10);
        let fx = key(&mut s, KeyCode::Enter);
        let (_, t) = timer(&fx).unwrap();
        let reason = "not downloaded yet, and the server cannot be reached".to_string();
        update(
            &mut s,
            Msg::Worker(crate::account::Event::BodyUnavailable { id: MessageId(1000), reason, offline: true }),
        );
        assert!(marks(&update(&mut s, Msg::Timer(t))).is_empty());
    }

    #[test]
    fn skimming_with_the_reader_open_marks_nothing_until_a_message_stays() {
        let mut s = opened(10);
        let fx = key(&mut s, KeyCode::Enter);
        assert_eq!(opens(&fx), [(MessageId(1000), false)]);
        let (after, first) = timer(&fx).expect("a timer for the delay");
        assert_eq!(after, Duration::from_secs(2));
        // j, j: each message is shown, none is marked
        key(&mut s, KeyCode::Char('j'));
        let fx = key(&mut s, KeyCode::Char('j'));
        assert_eq!(opens(&fx), [(MessageId(1002), false)]);
        let (_, last) = timer(&fx).unwrap();
        // the timers of the messages passed do nothing
        assert!(marks(&update(&mut s, Msg::Timer(first))).is_empty());
        // the one that stayed is marked when its time is up, once
        assert_eq!(marks(&update(&mut s, Msg::Timer(last))), [MessageId(1002)]);
        assert!(marks(&update(&mut s, Msg::Timer(last))).is_empty());
    }

    #[test]
    fn full_screen_marks_at_once_and_a_closed_reader_marks_nothing() {
        let mut s = opened(10);
        let (_, t) = timer(&key(&mut s, KeyCode::Enter)).unwrap();
        // Enter again: full screen, read now
        assert_eq!(marks(&key(&mut s, KeyCode::Enter)), [MessageId(1000)]);
        assert!(marks(&update(&mut s, Msg::Timer(t))).is_empty(), "not twice");
        // closed before its time: not marked
        key(&mut s, KeyCode::Esc);
        key(&mut s, KeyCode::Esc);
        assert!(s.reader.is_none());
        key(&mut s, KeyCode::Char('j'));
        let (_, t) = timer(&key(&mut s, KeyCode::Enter)).unwrap();
        key(&mut s, KeyCode::Esc);
        assert!(s.reader.is_none());
        assert!(marks(&update(&mut s, Msg::Timer(t))).is_empty());
    }

    #[test]
    fn no_delay_a_full_screen_reader_read_messages_and_no_marking() {
        let no_delay = UiSettings { mark_read_delay: Duration::ZERO, ..Default::default() };
        let mut s = opened_with(5, Default::default(), no_delay);
        let fx = key(&mut s, KeyCode::Enter);
        assert_eq!((opens(&fx), timer(&fx)), (vec![(MessageId(1000), true)], None));

        let full = UiSettings { reader_fullscreen: true, ..Default::default() };
        let mut s = opened_with(5, Default::default(), full);
        let fx = key(&mut s, KeyCode::Enter);
        assert!(s.reader.as_ref().unwrap().fullscreen);
        assert_eq!(marks(&fx), [MessageId(1000)]);

        let never = UiSettings { mark_read_on_open: false, ..Default::default() };
        let mut s = opened_with(5, Default::default(), never);
        let fx = key(&mut s, KeyCode::Enter);
        assert_eq!((opens(&fx), timer(&fx)), (vec![(MessageId(1000), false)], None));
        assert!(marks(&key(&mut s, KeyCode::Enter)).is_empty());

        // a message already read needs no timer
        let mut s = opened(5);
        s.list.window.rows[0].flags = Flags(Flags::SEEN);
        let fx = key(&mut s, KeyCode::Enter);
        assert_eq!((opens(&fx), timer(&fx)), (vec![(MessageId(1000), false)], None));
    }

    #[test]
    fn a_message_the_reader_marked_read_stays_when_it_leaves_an_unread_list() {
        use super::super::tests::{reread, rows};
        let mut s = opened(10);
        let (_, t) = timer(&key(&mut s, KeyCode::Enter)).unwrap();
        assert_eq!(marks(&update(&mut s, Msg::Timer(t))), [MessageId(1000)]);
        // read, it leaves a list of unread mail: the reader keeps it and opens nothing
        // (the next one would be marked read in turn, and so on down the list)
        let fx = reread(&mut s, 9, rows(1, 9));
        assert!(opens(&fx).is_empty(), "{fx:?}");
        assert_eq!(s.reader.as_ref().map(|r| r.id), Some(MessageId(1000)));
        // deleted by the user, a message the reader shows is followed by the next
        let (_, t) = timer(&key(&mut s, KeyCode::Char('j'))).unwrap();
        update(&mut s, Msg::Timer(t));
        let shown = s.reader.as_ref().map(|r| r.id).unwrap();
        key(&mut s, KeyCode::Char('d'));
        let left: Vec<_> = rows(1, 9).into_iter().filter(|r| r.id != shown).collect();
        let fx = reread(&mut s, 8, left);
        assert_eq!(opens(&fx).len(), 1, "{fx:?}");
        assert_ne!(s.reader.as_ref().map(|r| r.id), Some(shown));
    }
}
