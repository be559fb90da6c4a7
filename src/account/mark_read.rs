//! Marking messages read so that `u` can take it back: what was unread is recorded, and
//! undoing marks just those unread again, through the action queue like `N`.

use super::Action;
use super::actions::UndoEntry;
use super::worker::Worker;
use crate::model::{Flags, MessageId};

impl Worker {
    /// Marks these messages read (`M` with a filter on); the ones that were unread are what
    /// `u` takes back.
    pub(super) fn mark_read(&mut self, ids: Vec<MessageId>) -> Result<(), String> {
        let unread = self.store.unread_among(&ids).map_err(|e| e.to_string())?;
        if !unread.is_empty() {
            self.plan_flags(unread.clone(), Flags(Flags::SEEN), Flags(0))?;
        }
        self.undo.push(UndoEntry::MarkedRead { ids: unread });
        Ok(())
    }

    /// Marks unread again what a mark-read marked.
    pub(super) fn undo_mark_read(&mut self, ids: Vec<MessageId>) -> Result<(), String> {
        if ids.is_empty() {
            return Ok(());
        }
        self.plan_flags(ids, Flags(0), Flags(Flags::SEEN))
    }

    fn plan_flags(&mut self, ids: Vec<MessageId>, add: Flags, remove: Flags) -> Result<(), String> {
        self.plan(Action::Flags { ids, add, remove })
    }
}
