//! The bundled demo mailbox: two local accounts built into a temporary store for `--demo`.

use crate::config::{AccountConfig, Protocol};
use crate::model::{Flags, SpecialUse};
use crate::store::folders::FolderInfo;
use crate::store::{Store, StoreError};
use std::collections::BTreeSet;

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

fn special(name: &str) -> Option<SpecialUse> {
    match name {
        "INBOX" => Some(SpecialUse::Inbox),
        "Sent" => Some(SpecialUse::Sent),
        "Trash" => Some(SpecialUse::Trash),
        "Drafts" => Some(SpecialUse::Drafts),
        "Archive" => Some(SpecialUse::Archive),
        _ => None,
    }
}

/// Flags from a demo file name: `012.SF.eml` is seen and flagged.
fn flags(file: &str) -> Flags {
    let letters = file.trim_end_matches(".eml").split('.').nth(1).unwrap_or("");
    let mut f = Flags::default();
    for c in letters.chars() {
        f = f.with(
            match c {
                'S' => Flags::SEEN,
                'F' => Flags::FLAGGED,
                'R' => Flags::ANSWERED,
                _ => 0,
            },
            true,
        );
    }
    f
}

/// Writes the demo mailbox into a new store in `dir`; returns the demo accounts.
pub fn build(data: &crate::instance::DataDir) -> Result<Vec<AccountConfig>, StoreError> {
    let store = Store::open(data)?;
    let accounts: BTreeSet<&str> = DEMO_FILES.iter().map(|f| f.0).collect();
    let mut configs = Vec::new();
    for acct in accounts {
        let id = store.ensure_account(acct)?;
        let mut names: BTreeSet<String> = BTreeSet::new();
        for (_, folder, _, _) in DEMO_FILES.iter().filter(|f| f.0 == acct) {
            // parents of nested folders exist too
            let parts: Vec<&str> = folder.split('/').collect();
            for i in 1..=parts.len() {
                names.insert(parts[..i].join("/"));
            }
        }
        names.insert("Trash".into());
        let infos: Vec<FolderInfo> = names
            .iter()
            .map(|n| FolderInfo {
                name: n.clone(),
                display: n.clone(),
                delimiter: Some("/".into()),
                special_use: special(n),
                noselect: false,
            })
            .collect();
        let folders = store.set_folders(id, &infos)?;
        for (_, folder, file, raw) in DEMO_FILES.iter().filter(|f| f.0 == acct) {
            if let Some(f) = folders.iter().find(|f| f.name == *folder) {
                store.add_local_message(f.id, raw, flags(file), 0)?;
            }
        }
        configs.push(AccountConfig {
            name: acct.to_string(),
            email: format!("robin@{acct}.example"),
            display_name: Some("Robin Example".into()),
            protocol: Protocol::Imap,
            aliases: Vec::new(),
            thread_by_subject: false,
            imap: None,
            pop3: None,
            smtp: None,
        });
    }
    Ok(configs)
}

#[cfg(test)]
mod tests {
    use crate::store::ListQuery;

    #[test]
    fn demo_has_enough_varied_mail() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::instance::DataDir::lock(dir.path()).unwrap();
        let accounts = super::build(&data).unwrap();
        assert!(accounts.len() >= 2);
        let store = crate::store::Store::open(&data).unwrap();
        let total = store.count(&ListQuery::default()).unwrap();
        assert!(total >= 40, "{total}");
        let folders: usize = store.accounts().unwrap().iter().map(|(id, _)| store.folders(*id).unwrap().len()).sum();
        assert!(folders >= 3);
        let all = store.list(&ListQuery::default(), 0, 100).unwrap();
        assert!(all.iter().any(|m| m.subject.contains("京都")));
        assert!(all.iter().any(|m| m.subject.contains("Grüße")));
        assert!(all.iter().any(|m| m.subject.contains('🎂')));
        assert!(all.iter().any(|m| m.has_attachments));
        assert!(all.iter().all(|m| m.cached));
    }
}
