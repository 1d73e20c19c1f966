//! The local side of a sync: a folder walked on the disk into a [`Tree`],
//! for the CLI's `skiff sync` and the window's Synchronize… alike.
//!
//! Blocking (callers run it on the blocking pool, never on an async worker
//! or the window's thread). Must not follow a link (a link is listed as
//! one, and the planner skips it), descend into an excluded folder, or list
//! a download still arriving (`NAME.skiffpart`).

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::clock::Stamp;
use super::plan::Excludes;
use super::tree::{Entry, Kind, Tree};
use crate::engine::tree::MAX_DEPTH;

/// The suffix of a download still arriving; never synced as a file.
const PART_SUFFIX: &str = ".skiffpart";

/// A local folder or entry could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the folder could not be read ({source}): {}", path.display())]
pub struct WalkError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

/// Walks the local folder `root` (links are listed, never followed;
/// unfinished downloads are left out). Blocking.
pub fn walk_local(root: &Path, excludes: &Excludes) -> Result<Tree, WalkError> {
    let mut tree = Tree::new();
    let mut folders: Vec<(String, PathBuf, usize)> = vec![(String::new(), root.to_path_buf(), 0)];
    let local = |path: &Path, source| WalkError {
        path: path.to_path_buf(),
        source,
    };
    while let Some((rel, dir, depth)) = folders.pop() {
        let read = std::fs::read_dir(&dir).map_err(|e| local(&dir, e))?;
        for item in read {
            let item = item.map_err(|e| local(&dir, e))?;
            let full = item.path();
            let meta = std::fs::symlink_metadata(&full).map_err(|e| local(&full, e))?;
            let name = item.file_name();
            let (name, unsafe_name) = match name.into_string() {
                Ok(name) => (name, false),
                Err(raw) => (raw.to_string_lossy().into_owned(), true),
            };
            if name.ends_with(PART_SUFFIX) {
                continue;
            }
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = if meta.file_type().is_symlink() {
                Kind::Link
            } else if meta.is_dir() {
                Kind::Folder
            } else if meta.is_file() {
                Kind::File
            } else {
                Kind::Link
            };
            let modified = meta
                .modified()
                .ok()
                .map(|t| Stamp::seconds(utc(t)))
                .filter(|_| kind == Kind::File);
            if kind == Kind::Folder
                && !unsafe_name
                && depth + 1 < MAX_DEPTH
                && !excludes.matches(&child)
            {
                folders.push((child.clone(), full, depth + 1));
            }
            tree.insert(
                child,
                Entry {
                    kind,
                    size: (kind == Kind::File).then_some(meta.len()),
                    modified,
                    checksum: None,
                    unsafe_name,
                },
            );
        }
    }
    Ok(tree)
}

/// A file time as UTC.
fn utc(time: std::time::SystemTime) -> NaiveDateTime {
    chrono::DateTime::<chrono::Utc>::from(time).naive_utc()
}
