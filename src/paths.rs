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

/// Expands a leading `~/` to the home directory.
pub fn expand_home(p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    p.to_path_buf()
}
