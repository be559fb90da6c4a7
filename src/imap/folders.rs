//! Listing an account's folders with their special use, tree delimiter and STATUS counts.

use super::{Connection, Result, timed};
use crate::model::SpecialUse;
use crate::store::folders::FolderInfo;
use async_imap::imap_proto::NameAttribute;
use futures::TryStreamExt;

/// A listed folder with its server counts (None for folders that cannot be selected).
#[derive(Debug, Clone)]
pub struct ListedFolder {
    pub info: FolderInfo,
    pub selectable: bool,
    /// What STATUS said.
    pub counts: Option<Status>,
}

/// A folder's STATUS: enough to tell whether anything changed since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    pub messages: u32,
    pub unseen: u32,
    pub uidnext: Option<u32>,
    pub uidvalidity: Option<u32>,
    pub highestmodseq: Option<u64>,
}

fn special_use(attrs: &[NameAttribute<'_>], name: &str) -> Option<SpecialUse> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Some(SpecialUse::Inbox);
    }
    attrs.iter().find_map(|a| match a {
        NameAttribute::Sent => Some(SpecialUse::Sent),
        NameAttribute::Trash => Some(SpecialUse::Trash),
        NameAttribute::Drafts => Some(SpecialUse::Drafts),
        NameAttribute::Junk => Some(SpecialUse::Junk),
        NameAttribute::Archive | NameAttribute::All => Some(SpecialUse::Archive),
        _ => None,
    })
}

/// Decodes a modified UTF-7 folder name (RFC 3501 §5.1.3) and makes it safe to show; a
/// name that is not valid modified UTF-7 is shown as the server sent it.
pub fn decode_name(name: &str) -> String {
    crate::sanitize::line(&super::utf7::decode(name))
}

/// LIST every folder, then STATUS each selectable one for its counts.
pub async fn list_folders(conn: &mut Connection) -> Result<Vec<ListedFolder>> {
    let condstore = conn.has("CONDSTORE");
    let items = if condstore {
        "MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ"
    } else {
        "MESSAGES UNSEEN UIDNEXT UIDVALIDITY"
    };
    if conn.has("LIST-STATUS") {
        return list_status(conn, items).await;
    }
    let secs = conn.timeout;
    let names: Vec<_> = timed(secs, "listing folders", async {
        conn.session.list(Some(""), Some("*")).await?.try_collect::<Vec<_>>().await
    })
    .await?;
    let mut out: Vec<ListedFolder> = names.iter().map(|n| listed(n.name(), n.delimiter(), n.attributes())).collect();
    for f in out.iter_mut().filter(|f| f.selectable) {
        let what = format!("asking STATUS of {}", f.info.display);
        match timed(secs, &what, conn.session.status(&f.info.name, format!("({items})"))).await {
            Ok(m) => {
                f.counts = Some(Status {
                    messages: m.exists,
                    unseen: m.unseen.unwrap_or(0),
                    uidnext: m.uid_next,
                    uidvalidity: m.uid_validity,
                    highestmodseq: m.highest_modseq,
                })
            }
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => tracing::warn!(folder = %f.info.display, error = %e, "STATUS failed"),
        }
    }
    Ok(out)
}

fn listed(name: &str, delimiter: Option<&str>, attrs: &[NameAttribute<'_>]) -> ListedFolder {
    // \NonExistent (LIST-EXTENDED, RFC 5258) implies \Noselect
    let noselect = attrs.iter().any(|a| match a {
        NameAttribute::NoSelect => true,
        NameAttribute::Extension(x) => x.eq_ignore_ascii_case("\\NonExistent"),
        _ => false,
    });
    ListedFolder {
        info: FolderInfo {
            name: name.to_string(),
            display: decode_name(name),
            delimiter: delimiter.map(str::to_string),
            special_use: special_use(attrs, name),
            noselect,
        },
        selectable: !noselect,
        counts: None,
    }
}

/// LIST with STATUS (RFC 5819): every folder and its counts in one round trip.
async fn list_status(conn: &mut Connection, items: &str) -> Result<Vec<ListedFolder>> {
    use async_imap::imap_proto::{MailboxDatum, Response, StatusAttribute};
    let mut out: Vec<ListedFolder> = Vec::new();
    let mut statuses: Vec<(String, Status)> = Vec::new();
    let cmd = format!("LIST \"\" \"*\" RETURN (SPECIAL-USE STATUS ({items}))");
    super::raw::run_with(conn, &cmd, |r| match r {
        Response::MailboxData(MailboxDatum::List(l)) => {
            out.push(listed(&l.name, l.delimiter.as_deref(), &l.name_attributes));
        }
        Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
            let mut st = Status::default();
            for a in status {
                match a {
                    StatusAttribute::Messages(n) => st.messages = *n,
                    StatusAttribute::Unseen(n) => st.unseen = *n,
                    StatusAttribute::UidNext(n) => st.uidnext = Some(*n),
                    StatusAttribute::UidValidity(n) => st.uidvalidity = Some(*n),
                    StatusAttribute::HighestModSeq(n) => st.highestmodseq = Some(*n),
                    _ => {}
                }
            }
            statuses.push((mailbox.to_string(), st));
        }
        _ => {}
    })
    .await?;
    for f in out.iter_mut().filter(|f| f.selectable) {
        f.counts = statuses.iter().find(|(n, _)| *n == f.info.name).map(|(_, s)| *s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn modified_utf7_names_decode() {
        assert_eq!(super::decode_name("Entw&APw-rfe"), "Entwürfe");
        assert_eq!(super::decode_name("&ZeVnLIqe-"), "日本語");
        assert_eq!(super::decode_name("A&-B"), "A&B");
        assert_eq!(super::decode_name("INBOX"), "INBOX");
        assert_eq!(super::decode_name("R&D-Team"), "R&D-Team");
        assert_eq!(super::decode_name("R&D\x1b[2J"), "R&D\u{241b}[2J");
    }
}
