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

/// Decodes a modified UTF-7 folder name (RFC 3501 §5.1.3) and makes it safe to show.
pub fn decode_name(name: &str) -> String {
    let decoded = if name.contains('&') { utf7_imap::decode_utf7_imap(name.to_string()) } else { name.to_string() };
    crate::sanitize::line(&decoded)
}

/// LIST every folder, then STATUS each selectable one for its counts.
pub async fn list_folders(conn: &mut Connection) -> Result<Vec<ListedFolder>> {
    let secs = conn.timeout;
    let names: Vec<_> = timed(secs, "listing folders", async {
        conn.session.list(Some(""), Some("*")).await?.try_collect::<Vec<_>>().await
    })
    .await?;
    let mut out = Vec::with_capacity(names.len());
    for n in &names {
        let attrs = n.attributes();
        let selectable = !attrs.iter().any(|a| matches!(a, NameAttribute::NoSelect));
        out.push(ListedFolder {
            info: FolderInfo {
                name: n.name().to_string(),
                display: decode_name(n.name()),
                delimiter: n.delimiter().map(str::to_string),
                special_use: special_use(attrs, n.name()),
            },
            selectable,
            counts: None,
        });
    }
    let condstore = conn.has("CONDSTORE");
    for f in out.iter_mut().filter(|f| f.selectable) {
        let what = format!("asking STATUS of {}", f.info.display);
        let items = if condstore { "(MESSAGES UNSEEN UIDNEXT HIGHESTMODSEQ)" } else { "(MESSAGES UNSEEN UIDNEXT)" };
        match timed(secs, &what, conn.session.status(&f.info.name, items)).await {
            Ok(m) => {
                f.counts = Some(Status {
                    messages: m.exists,
                    unseen: m.unseen.unwrap_or(0),
                    uidnext: m.uid_next,
                    highestmodseq: m.highest_modseq,
                })
            }
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => tracing::warn!(folder = %f.info.display, error = %e, "STATUS failed"),
        }
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
    }
}
