//! Opening a folder: SELECT, with CONDSTORE or QRESYNC when the server has them, collecting
//! what changed since the last sync (vanished UIDs, changed flags, the new mod-sequence).

use super::raw::{self, quote};
use super::{Connection, Result};
use crate::model::{Flags, Uid};
use crate::store::folders::SyncState;
use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response, ResponseCode};

/// What a SELECT told us.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selected {
    pub exists: u32,
    pub uidvalidity: Option<u32>,
    pub uidnext: Option<u32>,
    pub highestmodseq: Option<u64>,
    /// With QRESYNC: UIDs expunged since the known mod-sequence.
    pub vanished: Vec<Uid>,
    /// With QRESYNC: UIDs changed (or added) since the known mod-sequence, with their flags.
    pub changed: Vec<(Uid, Flags)>,
    /// The server answered a QRESYNC parameter, so `vanished` and `changed` are complete.
    pub resynced: bool,
}

/// Enables QRESYNC once per connection, when the server has it.
async fn enable_qresync(conn: &mut Connection) -> Result<bool> {
    if !conn.has("QRESYNC") {
        return Ok(false);
    }
    if !conn.qresync {
        raw::run(conn, "ENABLE QRESYNC").await?;
        conn.qresync = true;
    }
    Ok(true)
}

/// SELECTs `folder`; with QRESYNC and a known state, asks for the changes since then.
pub async fn select(conn: &mut Connection, folder: &str, known: &SyncState) -> Result<Selected> {
    let qresync = enable_qresync(conn).await?;
    let cmd = match (qresync, known.uidvalidity, known.highestmodseq) {
        (true, Some(v), Some(m)) => format!("SELECT {} (QRESYNC ({v} {m}))", quote(folder)),
        (false, _, _) if conn.has("CONDSTORE") => format!("SELECT {} (CONDSTORE)", quote(folder)),
        _ => format!("SELECT {}", quote(folder)),
    };
    let asked_resync = cmd.contains("QRESYNC");
    conn.selected = None;
    let mut s = Selected::default();
    raw::run_with(conn, &cmd, |r| match r {
        Response::MailboxData(MailboxDatum::Exists(n)) => s.exists = *n,
        Response::Data { outcome, .. } | Response::Done { outcome, .. } => match &outcome.code {
            Some(ResponseCode::UidValidity(v)) => s.uidvalidity = Some(*v),
            Some(ResponseCode::UidNext(n)) => s.uidnext = Some(*n),
            Some(ResponseCode::HighestModSeq(m)) => s.highestmodseq = Some(*m),
            _ => {}
        },
        Response::Vanished { uids, .. } => {
            for r in uids {
                s.vanished.extend(r.clone());
            }
        }
        Response::Fetch(_, attrs) => {
            let mut uid = None;
            let mut flags = Flags::default();
            for a in attrs {
                match a {
                    AttributeValue::Uid(u) => uid = Some(*u),
                    AttributeValue::Flags(f) => flags = Flags::from_imap_names(f.iter().map(|x| x.as_ref())),
                    _ => {}
                }
            }
            if let Some(u) = uid {
                s.changed.push((u, flags));
            }
        }
        _ => {}
    })
    .await
    .map_err(|e| match e {
        super::ImapError::No { text, .. } => super::ImapError::No { command: format!("SELECT {folder}"), text },
        e => e,
    })?;
    conn.selected = Some(folder.to_string());
    conn.selected_validity = s.uidvalidity;
    // the server resynced only if the UIDVALIDITY we sent still holds
    s.resynced = asked_resync && s.uidvalidity.is_some() && s.uidvalidity == known.uidvalidity;
    Ok(s)
}

/// Selects `folder` unless it already is; returns its UIDVALIDITY.
pub async fn ensure(conn: &mut Connection, folder: &str) -> Result<Option<u32>> {
    if conn.selected.as_deref() == Some(folder) {
        return Ok(conn.selected_validity);
    }
    Ok(select(conn, folder, &SyncState::default()).await?.uidvalidity)
}
