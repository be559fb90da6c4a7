//! The saved searches made in the UI: kept in `views.toml` in the data dir (those of the
//! config's `[[views]]` stay in the config), read at start and written when one is saved.

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
    let path = data_dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the saved searches");
            return Vec::new();
        }
    };
    match toml::from_str::<File>(&text) {
        Ok(f) => f.views,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "the saved searches do not read");
            Vec::new()
        }
    }
}

/// Writes the saved searches, whole, in place of the file (written beside it first).
pub fn save(data_dir: &Path, views: &[ViewConfig]) -> Result<(), String> {
    let path = data_dir.join(FILE);
    let text = toml::to_string(&File { views: views.to_vec() }).map_err(|e| e.to_string())?;
    let tmp = data_dir.join(format!("{FILE}.tmp"));
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("cannot keep the saved searches in {}: {e}", path.display()))
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
}
