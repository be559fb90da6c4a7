//! The Outbox: outgoing messages kept in the index until the server has taken them, with
//! where each stands, so that a message is never lost and never sent twice.

use super::{Result, Store, StoreError};
use crate::model::{AccountId, MessageId, OutboxId};
use crate::smtp::Envelope;
use rusqlite::{OptionalExtension, params};

/// Where an outgoing message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OutState {
    /// Waiting to be sent (first try, or after a temporary failure).
    Queued,
    /// Taken by the worker, which is connecting: the server cannot have it yet.
    Claimed,
    /// Being handed to the server: it may have it.
    Sending,
    /// The server took it; the Sent copy and flags are still to do.
    Sent,
    /// The server refused it for good; the error says why.
    Failed,
    /// The program stopped while the message was being handed over: check before resending.
    Unknown,
}

impl OutState {
    fn as_str(self) -> &'static str {
        match self {
            OutState::Queued => "queued",
            OutState::Claimed => "claimed",
            OutState::Sending => "sending",
            OutState::Sent => "sent",
            OutState::Failed => "failed",
            OutState::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> OutState {
        match s {
            "queued" => OutState::Queued,
            "claimed" => OutState::Claimed,
            "sending" => OutState::Sending,
            "sent" => OutState::Sent,
            "failed" => OutState::Failed,
            _ => OutState::Unknown,
        }
    }
}

/// A message in the Outbox.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outgoing {
    pub id: OutboxId,
    pub state: OutState,
    pub error: Option<String>,
    pub envelope: Envelope,
    pub subject: String,
    /// What goes to the server (no Bcc), and what is kept in Sent (with Bcc).
    #[serde(with = "crate::model::base64_bytes")]
    pub sent: Vec<u8>,
    #[serde(with = "crate::model::base64_bytes")]
    pub saved: Vec<u8>,
    pub answers: Option<MessageId>,
    pub forwards: Option<MessageId>,
    pub created: i64,
}

impl Outgoing {
    /// A new message for the Outbox, queued.
    pub fn new(envelope: Envelope, subject: String, sent: Vec<u8>, saved: Vec<u8>) -> Outgoing {
        let created =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        Outgoing {
            id: OutboxId(0),
            state: OutState::Queued,
            error: None,
            envelope,
            subject,
            sent,
            saved,
            answers: None,
            forwards: None,
            created,
        }
    }
}

/// What a message put in the Outbox takes the place of (`queue_outgoing_replacing`).
#[derive(Debug, Clone, PartialEq)]
pub enum Replacing {
    Nothing,
    Outgoing(OutboxId),
    /// A draft, and the queued action that expunges it on the server (none for a local
    /// account, or a draft the server does not have yet).
    Draft {
        id: MessageId,
        expunge: Option<String>,
    },
}

/// One line of the Outbox, without the message itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutboxItem {
    pub id: OutboxId,
    pub subject: String,
    pub state: OutState,
    pub error: Option<String>,
}

const COLUMNS: &str = "id, state, error, envelope, subject, sent, saved, answers, forwards, created";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Outgoing> {
    let envelope: String = r.get(3)?;
    Ok(Outgoing {
        id: r.get(0)?,
        state: OutState::parse(&r.get::<_, String>(1)?),
        error: r.get(2)?,
        envelope: serde_json::from_str(&envelope).unwrap_or(Envelope { from: String::new(), to: Vec::new() }),
        subject: r.get(4)?,
        sent: r.get(5)?,
        saved: r.get(6)?,
        answers: r.get(7)?,
        forwards: r.get(8)?,
        created: r.get(9)?,
    })
}

impl Store {
    /// Puts a message in the Outbox, durably, before any attempt to send it.
    pub fn queue_outgoing(&self, account: AccountId, m: &Outgoing) -> Result<OutboxId> {
        Self::insert_outgoing(self.conn(), account, m)
    }

    fn insert_outgoing(conn: &rusqlite::Connection, account: AccountId, m: &Outgoing) -> Result<OutboxId> {
        let envelope = serde_json::to_string(&m.envelope).unwrap_or_default();
        conn.execute(
            "INSERT INTO outbox(account_id, created, state, error, envelope, subject, sent, saved, answers, forwards)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                account,
                m.created,
                m.state.as_str(),
                m.error,
                envelope,
                m.subject,
                m.sent,
                m.saved,
                m.answers,
                m.forwards
            ],
        )?;
        Ok(OutboxId(conn.last_insert_rowid()))
    }

    /// Puts a message in the Outbox in place of what it replaces, in one transaction: an
    /// Outbox message it is an edit of (refused while that one is being handed over), or a
    /// draft it was written from (its row and file go, with the queued expunge `expunge`).
    /// Returns the new id.
    pub fn queue_outgoing_replacing(&self, account: AccountId, m: &Outgoing, replaces: Replacing) -> Result<OutboxId> {
        let tx = self.tx()?;
        let removed = Self::replace_in(&tx, account, replaces)?;
        let new = Self::insert_outgoing(&tx, account, m)?;
        tx.commit()?;
        self.finish_removals(&removed)?;
        Ok(new)
    }

    /// Inside `tx`, removes what a new message replaces; returns the files to remove once
    /// `tx` commits.
    pub(super) fn replace_in(
        tx: &rusqlite::Connection,
        account: AccountId,
        replaces: Replacing,
    ) -> Result<Vec<std::path::PathBuf>> {
        match replaces {
            Replacing::Nothing => Ok(Vec::new()),
            Replacing::Outgoing(old) => {
                let state: Option<String> =
                    tx.query_row("SELECT state FROM outbox WHERE id = ?1", [old], |r| r.get(0)).optional()?;
                if state.as_deref() == Some(OutState::Sending.as_str()) {
                    return Err(StoreError::Refused(
                        "the message it replaces is being handed to the server right now; \
                         nothing was changed: look in the Outbox again in a moment"
                            .into(),
                    ));
                }
                tx.execute("DELETE FROM outbox WHERE id = ?1", [old])?;
                Ok(Vec::new())
            }
            Replacing::Draft { id, expunge } => {
                let removed = Self::delete_rows(tx, &[id])?;
                if let Some(op) = expunge {
                    Self::queue_in(tx, account, &op)?;
                }
                Ok(removed)
            }
        }
    }

    /// Puts a message that failed, or whose handover is uncertain, back in the queue (the
    /// user checked). False when it is not in such a state (it is being sent already).
    pub fn retry_outgoing(&self, id: OutboxId) -> Result<bool> {
        Ok(self.conn().execute(
            "UPDATE outbox SET state = 'queued', error = NULL WHERE id = ?1 AND state IN ('failed', 'unknown', 'queued')",
            [id],
        )? == 1)
    }

    /// Removes a message from the Outbox unless it is being handed to the server (then it
    /// may arrive, and its Sent copy is still to come). False when it was not removed.
    pub fn discard_outgoing(&self, id: OutboxId) -> Result<bool> {
        Ok(self.conn().execute("DELETE FROM outbox WHERE id = ?1 AND state != 'sending'", [id])? == 1)
    }

    /// The account's Outbox as a list, oldest first, without the messages' bytes.
    pub fn outbox_items(&self, account: AccountId) -> Result<Vec<OutboxItem>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT id, subject, state, error FROM outbox WHERE account_id = ?1 ORDER BY id")?;
        let rows = st.query_map([account], |r| {
            Ok(OutboxItem {
                id: r.get(0)?,
                subject: r.get(1)?,
                state: OutState::parse(&r.get::<_, String>(2)?),
                error: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The oldest message of the account's Outbox in `state`.
    pub fn next_outgoing(&self, account: AccountId, state: OutState) -> Result<Option<Outgoing>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE account_id = ?1 AND state = ?2 ORDER BY id LIMIT 1"
        ))?;
        Ok(st.query_row(params![account, state.as_str()], row).optional()?)
    }

    pub fn outgoing(&self, id: OutboxId) -> Result<Option<Outgoing>> {
        let mut st = self.conn().prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"))?;
        Ok(st.query_row([id], row).optional()?)
    }

    pub fn set_outgoing_state(&self, id: OutboxId, state: OutState, error: Option<&str>) -> Result<()> {
        self.conn()
            .execute("UPDATE outbox SET state = ?2, error = ?3 WHERE id = ?1", params![id, state.as_str(), error])?;
        Ok(())
    }

    pub fn remove_outgoing(&self, id: OutboxId) -> Result<()> {
        self.conn().execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Takes the oldest queued message of the account to send it: one statement, so no
    /// other sender can take it too.
    pub fn claim_outgoing(&self, account: AccountId) -> Result<Option<Outgoing>> {
        let mut st = self.conn().prepare_cached(&format!(
            "UPDATE outbox SET state = 'claimed', error = NULL
             WHERE id = (SELECT id FROM outbox WHERE account_id = ?1 AND state = 'queued' ORDER BY id LIMIT 1)
               AND state = 'queued'
             RETURNING {COLUMNS}"
        ))?;
        Ok(st.query_row([account], row).optional()?)
    }

    /// Marks a claimed message as being handed over, just before the server can take it.
    /// False when it is no longer claimed (discarded or replaced meanwhile): then it must
    /// not go.
    pub fn start_handover(&self, id: OutboxId) -> Result<bool> {
        Ok(self.conn().execute("UPDATE outbox SET state = 'sending' WHERE id = ?1 AND state = 'claimed'", [id])? == 1)
    }

    /// Sets what a stopped sender left: a message that was being handed over may have
    /// reached the server, so it is marked unknown, never resent by itself; one that was only
    /// claimed goes back to the queue, unless `restarted` (a worker of this process panicked,
    /// and its send may still be under way). Actions being replayed go back to the queue
    /// (replaying them again is safe). Returns how many messages are now unknown.
    pub fn recover_claims(&self, account: AccountId, restarted: bool) -> Result<usize> {
        const WHY: &str = "poste stopped while handing this message to the server: check the recipient's copy \
                           or your Sent folder before resending";
        let tx = self.tx()?;
        tx.execute("UPDATE pending_ops SET state = 'queued' WHERE account_id = ?1 AND state = 'working'", [account])?;
        let stuck = if restarted { "('claimed', 'sending')" } else { "('sending')" };
        let unknown = tx.execute(
            &format!("UPDATE outbox SET state = 'unknown', error = ?2 WHERE account_id = ?1 AND state IN {stuck}"),
            params![account, WHY],
        )?;
        tx.execute("UPDATE outbox SET state = 'queued' WHERE account_id = ?1 AND state = 'claimed'", [account])?;
        tx.commit()?;
        Ok(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_handover_becomes_unknown_and_the_rest_stays() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&crate::instance::DataDir::lock(dir.path()).unwrap()).unwrap();
        let acct = store.ensure_account("a").unwrap();
        let m = Outgoing {
            id: OutboxId(0),
            state: OutState::Queued,
            error: None,
            envelope: Envelope { from: "a@x.org".into(), to: vec!["b@x.org".into()] },
            subject: "s".into(),
            sent: b"x".to_vec(),
            saved: b"y".to_vec(),
            answers: None,
            forwards: None,
            created: 1,
        };
        let one = store.queue_outgoing(acct, &m).unwrap();
        let two = store.queue_outgoing(acct, &m).unwrap();
        let three = store.queue_outgoing(acct, &m).unwrap();
        assert_eq!(store.claim_outgoing(acct).unwrap().unwrap().id, one);
        assert!(store.start_handover(one).unwrap());
        assert_eq!(store.claim_outgoing(acct).unwrap().unwrap().id, two);
        // a claimed message that was discarded meanwhile does not go
        store.remove_outgoing(two).unwrap();
        assert!(!store.start_handover(two).unwrap());
        assert_eq!(store.claim_outgoing(acct).unwrap().unwrap().id, three);
        assert_eq!(store.recover_claims(acct, false).unwrap(), 1);
        let all = store.outbox_items(acct).unwrap();
        assert_eq!(all[0].state, OutState::Unknown);
        assert!(all[0].error.as_deref().unwrap().contains("check"));
        // claimed but never handed over: sent again
        assert_eq!(all[1].state, OutState::Queued);
        assert_eq!(store.claim_outgoing(acct).unwrap().unwrap().envelope, m.envelope);
        assert_eq!(store.claim_outgoing(acct).unwrap(), None);
        // after a panic in this process the claimed one may still be under way
        assert_eq!(store.recover_claims(acct, true).unwrap(), 1);
        assert_eq!(store.outbox_items(acct).unwrap()[1].state, OutState::Unknown);
    }
}
