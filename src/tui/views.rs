//! The saved searches made in the UI: kept in `views.toml` in the data dir (those of the
//! config's `[[views]]` stay in the config), read at start and written when one is saved;
//! and which lists are threaded (`threads.toml`), the same way.

use crate::config::ViewConfig;
use std::path::Path;

/// The file, in the data dir.
pub const FILE: &str = "views.toml";

#[derive(serde::Deserialize, serde::Serialize, Default)]
struct File {
    #[serde(default)]
    views: Vec<ViewConfig>,
}

/// The saved searches in `views.toml` (none when there is no such file); a file that does
/// not read is said in the log and left as it is.
pub fn load(data_dir: &Path) -> Vec<ViewConfig> {
    read_toml::<File>(data_dir, FILE, "the saved searches").views
}

/// Writes the saved searches, whole, in place of the file (written beside it first).
pub fn save(data_dir: &Path, views: &[ViewConfig]) -> Result<(), String> {
    write_toml(data_dir, FILE, &File { views: views.to_vec() }, "the saved searches")
}

/// A TOML file of the data dir (the default when there is none); one that does not read
/// is said in the log and left as it is.
pub(super) fn read_toml<T: serde::de::DeserializeOwned + Default>(data_dir: &Path, file: &str, what: &str) -> T {
    let path = data_dir.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return T::default(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read {what}");
            return T::default();
        }
    };
    toml::from_str::<T>(&text).unwrap_or_else(|e| {
        tracing::warn!(path = %path.display(), error = %e, "{what} do not read");
        T::default()
    })
}

/// Writes a TOML file of the data dir, whole, in place of the file (written beside it
/// first).
pub(super) fn write_toml<T: serde::Serialize>(
    data_dir: &Path,
    file: &str,
    value: &T,
    what: &str,
) -> Result<(), String> {
    let path = data_dir.join(file);
    let text = toml::to_string(value).map_err(|e| e.to_string())?;
    let tmp = data_dir.join(format!("{file}.tmp"));
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("cannot keep {what} in {}: {e}", path.display()))
}

/// Which lists are threaded, in the data dir.
pub const THREADED: &str = "threads.toml";

#[derive(serde::Deserialize, serde::Serialize, Default)]
struct Threaded {
    #[serde(default)]
    threaded: std::collections::BTreeMap<String, bool>,
}

/// Whether each list the user threaded or flattened is threaded (`ListView::key`).
pub fn load_threaded(data_dir: &Path) -> std::collections::HashMap<String, bool> {
    read_toml::<Threaded>(data_dir, THREADED, "the threaded lists").threaded.into_iter().collect()
}

/// Keeps which lists are threaded.
pub fn save_threaded(data_dir: &Path, lists: &std::collections::HashMap<String, bool>) -> Result<(), String> {
    let threaded = lists.iter().map(|(k, v)| (k.clone(), *v)).collect();
    write_toml(data_dir, THREADED, &Threaded { threaded }, "the threaded lists")
}

#[cfg(test)]
mod tests {
    use crate::config::ViewConfig;

    #[test]
    fn saved_searches_are_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(super::load(dir.path()).is_empty());
        let views = vec![ViewConfig { name: "Bills".into(), query: "invoice \"quoted\"".into() }];
        super::save(dir.path(), &views).unwrap();
        assert_eq!(super::load(dir.path()), views);
    }

    #[test]
    fn threaded_lists_are_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(super::load_threaded(dir.path()).is_empty());
        let lists = [("folder:3".to_string(), true), ("search:a b".to_string(), false)].into_iter().collect();
        super::save_threaded(dir.path(), &lists).unwrap();
        assert_eq!(super::load_threaded(dir.path()), lists);
    }
}
