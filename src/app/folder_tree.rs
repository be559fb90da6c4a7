//! The folder pane's tree: an account's folders in tree order, each under its parent, and
//! a parent that does not exist (`Projekte` of `Projekte/2026`) made up as a container of
//! its own name, so a folder never shows under whatever folder sorts above it.

use super::state::FolderRow;
use crate::model::Folder;
use std::collections::HashSet;

/// A folder's path in the tree: its display name cut at its delimiter.
fn path(f: &Folder) -> Vec<&str> {
    match f.delimiter.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => f.display.split(d).collect(),
        None => vec![f.display.as_str()],
    }
}

/// The rows of account `ai` (whose folders are `folders`, in the store's order: INBOX and
/// the special folders first): each top-level tree in the order its first folder comes,
/// and inside it every folder right under its parent, parents made up where missing.
pub fn rows(ai: usize, folders: &[Folder]) -> Vec<FolderRow> {
    let paths: Vec<Vec<&str>> = folders.iter().map(path).collect();
    let mut roots: Vec<&str> = Vec::new();
    for p in &paths {
        if !roots.contains(&p[0]) {
            roots.push(p[0]);
        }
    }
    let mut order: Vec<usize> = (0..folders.len()).collect();
    order.sort_by_cached_key(|&i| {
        let p = &paths[i];
        let root = roots.iter().position(|r| *r == p[0]).unwrap_or(0);
        (root, p.iter().map(|s| s.to_lowercase()).collect::<Vec<_>>(), i)
    });
    let existing: HashSet<&[&str]> = paths.iter().map(Vec::as_slice).collect();
    let mut made: HashSet<&[&str]> = HashSet::new();
    let mut out = Vec::with_capacity(folders.len() + 1);
    for fi in order {
        let p = &paths[fi];
        for depth in 0..p.len() - 1 {
            let parent = &p[..=depth];
            if !existing.contains(parent) && made.insert(parent) {
                out.push(FolderRow::Container { account: ai, folder: fi, depth });
            }
        }
        out.push(FolderRow::Folder(ai, fi));
    }
    out
}

/// The name a made-up parent shows: the part of its first folder's path at `depth`.
pub fn container_name(f: &Folder, depth: usize) -> &str {
    path(f).get(depth).copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, FolderId};

    fn folder(id: i64, name: &str, delimiter: Option<&str>) -> Folder {
        Folder {
            id: FolderId(id),
            account: AccountId(1),
            name: name.into(),
            display: name.into(),
            delimiter: delimiter.map(str::to_string),
            special_use: None,
            unread: 0,
            total: 0,
            subscribed: true,
            noselect: false,
        }
    }

    /// The tree as text: a made-up parent in brackets, indented by depth.
    fn tree(folders: &[Folder]) -> Vec<String> {
        rows(0, folders)
            .into_iter()
            .map(|r| match r {
                FolderRow::Container { folder, depth, .. } => {
                    format!("{}[{}]", "  ".repeat(depth), container_name(&folders[folder], depth))
                }
                FolderRow::Folder(_, fi) => {
                    let (depth, leaf) = folders[fi].tree_parts();
                    format!("{}{leaf}", "  ".repeat(depth))
                }
                FolderRow::Account(_) | FolderRow::Virtual(_) => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn a_folder_without_its_parent_gets_a_made_up_one() {
        let s = Some("/");
        // the store's order: Projekte/2026 comes right after Lists/rust
        let f =
            [folder(1, "INBOX", s), folder(2, "Lists", s), folder(3, "Lists/rust", s), folder(4, "Projekte/2026", s)];
        assert_eq!(tree(&f), ["INBOX", "Lists", "  rust", "[Projekte]", "  2026"]);
        // POP3's local folders: Projects/2026 is not under Imported
        let f = [folder(1, "INBOX", None), folder(2, "Imported", s), folder(3, "Projects/2026", s)];
        assert_eq!(tree(&f), ["INBOX", "Imported", "[Projects]", "  2026"]);
    }

    #[test]
    fn children_follow_their_parent_whatever_the_delimiter_sorts_like() {
        let d = Some(".");
        // by the whole name, "A.B-x" sorts before "A.B.C" ('-' < '.'), which put C under B-x
        let f = [folder(1, "A", d), folder(2, "A.B", d), folder(3, "A.B-x", d), folder(4, "A.B.C", d)];
        assert_eq!(tree(&f), ["A", "  B", "    C", "  B-x"]);
        // one made-up parent for several children, and one per missing level
        let f = [folder(1, "X.Y.one", d), folder(2, "X.Y.two", d), folder(3, "X.Z", d)];
        assert_eq!(tree(&f), ["[X]", "  [Y]", "    one", "    two", "  Z"]);
    }
}
