//! The open message (and a conversation's messages) rendered at the reader's width, off
//! the UI task, and the renderings that come back.

use super::state::{AppState, Body};
use super::update::Effect;
use crate::model::MessageId;

/// The width the open message is rendered at.
pub(super) fn reader_width(state: &AppState) -> usize {
    super::layout::areas(state).reader.width.saturating_sub(2).max(20) as usize
}

/// Has the open message (and a conversation's others) rendered again at the reader's current width (off the UI task;
/// the old rendering shows meanwhile).
pub(super) fn rerender(state: &mut AppState, fx: &mut Vec<Effect>) {
    let width = reader_width(state);
    let Some(r) = &state.reader else { return };
    if let Body::Ready { raw, .. } | Body::Rendering { raw } = &r.body {
        fx.push(Effect::Render { id: r.id, raw: raw.clone(), width });
    }
    // the other unfolded messages of a conversation
    for m in r.conversation.iter().flat_map(|c| &c.messages).filter(|m| m.summary.id != r.id) {
        if let Body::Ready { raw, .. } | Body::Rendering { raw } = &m.body {
            fx.push(Effect::Render { id: m.summary.id, raw: raw.clone(), width });
        }
    }
}

/// A rendering came back: shown if it is still of the open message at its width.
pub(super) fn rendered(state: &mut AppState, id: MessageId, width: usize, rendered: crate::mime::Rendered) {
    let current = reader_width(state);
    if width != current {
        return;
    }
    let Some(r) = &mut state.reader else { return };
    let ready = |body: &Body| match body {
        Body::Ready { raw, .. } | Body::Rendering { raw } => {
            Some(Body::Ready { raw: raw.clone(), rendered: rendered.clone() })
        }
        _ => None,
    };
    if r.id == id
        && let Some(b) = ready(&r.body)
    {
        r.body = b;
    }
    if let Some(m) = r.conversation.as_mut().and_then(|c| c.messages.iter_mut().find(|m| m.summary.id == id))
        && let Some(b) = ready(&m.body)
    {
        m.body = b;
    }
}
