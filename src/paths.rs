//! Where Skiff keeps its files, and how it writes them without losing them.
//!
//! Config (sites, trusted certificates) goes under the platform's config
//! folder, data (the queue) under its data folder; `SKIFF_CONFIG_DIR` and
//! `SKIFF_DATA_DIR` override them for tests and portable use. Every write is
//! atomic: a temp file, fsync, rename, with the previous version kept as
//! `NAME.bak`, so a crash mid-write never leaves a half file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("org", "Skiff", "Skiff")
}

/// The config folder (`~/.config/skiff` on Linux), or `SKIFF_CONFIG_DIR`.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("SKIFF_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.config_dir().to_path_buf()))
}

/// The data folder (`~/.local/share/skiff` on Linux), or `SKIFF_DATA_DIR`.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("SKIFF_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
}

/// Writes `bytes` to `path` atomically, keeping the previous version as `path.bak`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut temp = path.as_os_str().to_os_string();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    if path.exists() {
        let mut backup = path.as_os_str().to_os_string();
        backup.push(".bak");
        fs::copy(path, PathBuf::from(backup))?;
    }
    fs::rename(&temp, path)?;
    if let Some(parent) = path.parent()
        && let Ok(dir) = fs::File::open(parent)
    {
        // The rename itself must survive a crash too.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Moves an unreadable file aside as `NAME.corrupt` (never deleting it) and
/// returns where it went, so the user can be told.
pub fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let mut aside = path.as_os_str().to_os_string();
    aside.push(".corrupt");
    let aside = PathBuf::from(aside);
    fs::rename(path, &aside)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_keep_a_backup_and_corrupt_files_are_set_aside() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub/file.toml");
        write_atomic(&path, b"one").expect("first");
        write_atomic(&path, b"two").expect("second");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert_eq!(
            fs::read(dir.path().join("sub/file.toml.bak")).expect("bak"),
            b"one"
        );
        assert!(!dir.path().join("sub/file.toml.tmp").exists());
        let aside = set_aside(&path).expect("aside");
        assert!(!path.exists());
        assert_eq!(fs::read(aside).expect("kept"), b"two");
    }
}
