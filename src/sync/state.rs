//! The memory of a two-way sync: what both sides held after the last one.
//!
//! One file per pair (local folder, remote URL without password) under the
//! data folder's `sync/`, named by a hash of the pair, so a pair's state is
//! found again whatever the current folder. The file is JSON, written
//! atomically ([`crate::paths::write_atomic`]); one that cannot be read is
//! set aside (`NAME.corrupt`) and the sync runs as a first one: it deletes
//! nothing.
//!
//! Must not decide anything: the planner reads the state, this only keeps it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::Digest;

use super::clock::Stamp;
use super::tree::{Entry, Kind, Tree};

/// The state file's format version.
const VERSION: u32 = 1;

/// One side of a path as the last sync left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seen {
    /// The size, when known.
    pub size: Option<u64>,
    /// The time, when known.
    pub modified: Option<Stamp>,
}

impl Seen {
    /// What a tree's entry says now.
    pub fn of(entry: &Entry) -> Self {
        Seen {
            size: entry.size,
            modified: entry.modified,
        }
    }
}

/// A path both sides held after the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pair {
    /// A folder (else a file).
    pub folder: bool,
    /// The local side.
    pub local: Seen,
    /// The remote side.
    pub remote: Seen,
}

/// What both sides held after the last sync of a pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncState {
    /// The format version.
    pub version: u32,
    /// The local folder, for a person reading the file.
    pub local: String,
    /// The remote URL (never with a password), for a person reading the file.
    pub remote: String,
    /// Every path (relative, `/`-separated) both sides held, by path.
    pub paths: BTreeMap<String, Pair>,
}

impl SyncState {
    /// The state of two trees after a sync: every path of the same kind on
    /// both sides (a path on one side only, or a link, is not remembered,
    /// so the next sync treats it as new, never as deleted).
    pub fn of(local_folder: &str, remote_url: &str, local: &Tree, remote: &Tree) -> Self {
        let mut paths = BTreeMap::new();
        for (path, l) in local.entries() {
            let Some(r) = remote.get(path) else { continue };
            if l.kind != r.kind || l.kind == Kind::Link || l.unsafe_name || r.unsafe_name {
                continue;
            }
            paths.insert(
                path.clone(),
                Pair {
                    folder: l.kind == Kind::Folder,
                    local: Seen::of(l),
                    remote: Seen::of(r),
                },
            );
        }
        SyncState {
            version: VERSION,
            local: local_folder.to_string(),
            remote: remote_url.to_string(),
            paths,
        }
    }

    /// The state file of a pair under `data_dir`: `sync/` and a hash of
    /// both, so neither a path nor a host name becomes a file name.
    pub fn path_in(data_dir: &Path, local_folder: &str, remote_url: &str) -> PathBuf {
        let mut hash = sha2::Sha256::new();
        hash.update(local_folder.as_bytes());
        hash.update([0]);
        hash.update(remote_url.as_bytes());
        let digest = hash.finalize();
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        data_dir.join("sync").join(format!("{name}.json"))
    }

    /// Reads a state file: `Ok(None)` when there is none yet.
    pub fn load(path: &Path) -> Result<Option<Self>, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        match serde_json::from_slice::<SyncState>(&bytes) {
            Ok(state) if state.version == VERSION => Ok(Some(state)),
            _ => {
                let aside = crate::paths::set_aside(path).map_err(|source| StateError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                Err(StateError::Corrupt { aside })
            }
        }
    }

    /// Writes the state file atomically.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| StateError::Io {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        crate::paths::write_atomic(path, &bytes).map_err(|source| StateError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// What can go wrong with a state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// It could not be read or written.
    #[error("the sync state could not be read or written ({source}): {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It did not parse; it was set aside.
    #[error("the sync state was unreadable and was set aside; this sync deletes nothing: {}", aside.display())]
    Corrupt {
        /// Where it went.
        aside: PathBuf,
    },
}
