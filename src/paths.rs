//! Where poste keeps its config, mail, cache and logs, following the XDG base directories.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl Paths {
    /// The config file: `--config`, else `$POSTE_CONFIG`, else `<XDG config dir>/poste/config.toml`.
    pub fn config_file(explicit: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        if let Some(p) = std::env::var_os("POSTE_CONFIG").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        Self::project().map(|d| d.config_dir().join("config.toml"))
    }

    fn project() -> Option<directories::ProjectDirs> {
        directories::ProjectDirs::from("", "", "poste")
    }

    /// The default data dir (mail is user data, so not the cache dir).
    pub fn default_data_dir() -> Option<PathBuf> {
        Self::project().map(|d| d.data_dir().to_path_buf())
    }

    pub fn default_cache_dir() -> Option<PathBuf> {
        Self::project().map(|d| d.cache_dir().to_path_buf())
    }
}

/// Creates a directory (and parents) readable only by the owner.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let mut perm = std::fs::metadata(dir)?.permissions();
    if perm.mode() & 0o077 != 0 {
        perm.set_mode(0o700);
        std::fs::set_permissions(dir, perm)?;
    }
    Ok(())
}

/// A path typed over a suggested one, as in a shell's or an editor's prompt: a `/` or `~/`
/// typed after the suggestion starts afresh (`/home/me//etc/x` is `/etc/x`, `/home/me/~/x`
/// is `~/x`).
pub fn typed_over(input: &str) -> PathBuf {
    let from_root = input.rfind("//").map(|i| i + 1);
    let from_home = input.rfind("/~/").map(|i| i + 1);
    match from_root.max(from_home) {
        Some(i) => PathBuf::from(&input[i..]),
        None => PathBuf::from(input),
    }
}

/// Expands a leading `~/` to the home directory.
pub fn expand_home(p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    p.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::typed_over;
    use std::path::PathBuf;

    #[test]
    fn a_path_typed_over_the_suggestion_starts_afresh() {
        assert_eq!(typed_over("/root//nonexistent/file.pdf"), PathBuf::from("/nonexistent/file.pdf"));
        assert_eq!(typed_over("/root/~/a.txt"), PathBuf::from("~/a.txt"));
        assert_eq!(typed_over("/root/docs/a.txt"), PathBuf::from("/root/docs/a.txt"));
        assert_eq!(typed_over("a.txt"), PathBuf::from("a.txt"));
    }
}
