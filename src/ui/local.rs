//! The local side's disk work, run on the runtime's blocking pool so the UI
//! thread never waits on the disk: listing folders, creating, renaming,
//! moving to the trash, opening with the system's application.
//!
//! Results come back on a channel the app drains each frame, and each one
//! wakes the UI.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::{DateTime, Local};

use super::files::{FileRow, RowKind};
use super::i18n::tr;
use std::collections::HashMap;
use std::sync::Arc;

use crate::secret::Secret;
use crate::sites::recent::Recent;
use crate::sites::{KeyringError, SecretStore, Site, SiteId, Sites, SitesError};
use crate::trust::TrustStore;

/// Disk work the UI asks for. (Not `Debug`: it may carry the keyring.)
#[derive(Clone)]
pub enum LocalRequest {
    /// List a folder (`for_tree`: only to grow the folder tree).
    List {
        /// The folder.
        path: PathBuf,
        /// Only the tree wants it; the table keeps its folder.
        for_tree: bool,
    },
    /// Create a folder.
    MakeDir(PathBuf),
    /// Walk a folder's whole tree for Synchronize… (links listed, never
    /// followed).
    WalkTree(PathBuf),
    /// Create these folders in order, parents first (one there already is
    /// fine), for a sync's transfers.
    MakeDirs(Vec<PathBuf>),
    /// Rename within a folder.
    Rename {
        /// The current path.
        from: PathBuf,
        /// The new path.
        to: PathBuf,
    },
    /// Move to the trash (never a permanent delete).
    Trash(Vec<PathBuf>),
    /// Open with the system's default application.
    Open(PathBuf),
    /// View/Edit: open a fetched file with the editor from Settings (a
    /// program and its arguments) or, without one, the system's default
    /// application.
    Edit {
        /// The file.
        path: PathBuf,
        /// The editor's program and arguments, if one is set.
        editor: Option<(String, Vec<std::ffi::OsString>)>,
    },
    /// Read the trusted certificates (`trust.toml` in this config folder).
    LoadTrust(PathBuf),
    /// Write the trusted certificates.
    SaveTrust(Box<TrustStore>),
    /// Read `sites.toml` and `recent.toml` from this config folder.
    LoadSites(PathBuf),
    /// Write the sites and hand the changed passwords to the keyring.
    SaveSites {
        /// The config folder.
        dir: PathBuf,
        /// Every site.
        sites: Box<Sites>,
        /// Passwords changed in the dialog (`None`: forget it).
        passwords: HashMap<SiteId, Option<Secret>>,
        /// The keyring.
        secrets: Arc<dyn SecretStore>,
    },
    /// Read a site's password from the keyring, to connect.
    GetPassword {
        /// The site.
        site: Box<Site>,
        /// The keyring.
        secrets: Arc<dyn SecretStore>,
    },
    /// Write the recent servers.
    SaveRecent(Box<Recent>),
    /// Ask whether a keyring answers here.
    ProbeKeyring(Arc<dyn SecretStore>),
    /// Files dropped from the desktop: find which are folders, to upload them.
    Dropped(Vec<PathBuf>),
    /// Write the settings (atomically) to this file.
    SaveSettings {
        /// `settings.toml` in the config folder.
        path: PathBuf,
        /// The settings.
        settings: Box<crate::settings::Settings>,
    },
}

/// What came back.
#[derive(Debug)]
pub enum LocalResult {
    /// A folder's rows, or why it could not be read.
    Listed {
        /// The folder.
        path: PathBuf,
        /// Only for the tree.
        for_tree: bool,
        /// The rows.
        rows: Result<Vec<FileRow>, LocalError>,
    },
    /// A folder's tree, walked for Synchronize….
    TreeWalked {
        /// The folder.
        root: PathBuf,
        /// The tree, or why it could not be read.
        tree: Result<Box<crate::sync::Tree>, LocalError>,
    },
    /// A sync's local folders were made, with what failed.
    DirsMade(Vec<LocalError>),
    /// The trust store was read.
    TrustLoaded(Box<Result<TrustStore, LocalError>>),
    /// The saved sites and recent servers were read.
    SitesLoaded {
        /// The sites, or why they could not be read.
        sites: Box<Result<Sites, LocalError>>,
        /// The recent servers (an unreadable file gives an empty list).
        recent: Box<Recent>,
    },
    /// The dropped files, each with whether it is a folder.
    Dropped(Vec<(PathBuf, bool)>),
    /// A site's password was looked up.
    Password {
        /// The site.
        site: Box<Site>,
        /// The password, `None` when none is stored, or the keyring's error.
        password: Result<Option<Secret>, KeyringError>,
    },
    /// A write that needs no refresh finished, with what went wrong (none:
    /// it worked).
    Saved(Vec<LocalError>),
    /// Whether a keyring answers here.
    Keyring(Result<(), KeyringError>),
    /// A change finished; the folder should be listed again.
    Changed {
        /// What was done, for the log.
        what: String,
        /// The error, if it failed.
        error: Option<LocalError>,
    },
}

/// Why local work failed. Kept typed until the update loop shows it, once.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// A file-system call failed on `path`.
    #[error("{action}: {source}: {}", path.display())]
    Io {
        /// What was being done ("cannot create the folder"), in the
        /// window's language.
        action: String,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A rename's target exists already.
    #[error("{}", tr!("local-name-taken", path = .0.display().to_string()))]
    NameTaken(PathBuf),
    /// The system's trash refused.
    #[error("{}", tr!("local-cannot-trash", cause = .0.to_string()))]
    Trash(#[from] trash::Error),
    /// The trusted certificates could not be read.
    #[error("{0}")]
    LoadTrust(crate::trust::TrustError),
    /// The trusted certificates could not be saved.
    #[error("{}", tr!("local-cannot-save-trust", cause = .0.to_string()))]
    SaveTrust(crate::trust::TrustError),
    /// The saved sites could not be read.
    #[error("{0}")]
    LoadSites(SitesError),
    /// The saved sites could not be saved.
    #[error("{}", tr!("local-cannot-save-sites", cause = .0.to_string()))]
    SaveSites(SitesError),
    /// The recent servers could not be saved.
    #[error("{}", tr!("local-cannot-save-recent", cause = .0.to_string()))]
    SaveRecent(SitesError),
    /// The settings could not be saved.
    #[error("cannot save the settings: {source}: {}", path.display())]
    SaveSettings {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The sites could not be exported.
    #[error("{}", tr!("local-cannot-export", cause = .0.to_string()))]
    Export(SitesError),
    /// A password could not be stored.
    #[error("{}", tr!("local-password-not-saved", cause = .0.to_string()))]
    SavePassword(KeyringError),
    /// FileZilla's sites could not be imported (the importer says why).
    #[error("{0}")]
    Import(String),
}

/// Runs `request` on `runtime`'s blocking pool and sends the result to `tx`,
/// then calls `wake`.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    request: LocalRequest,
    tx: mpsc::Sender<LocalResult>,
    wake: impl Fn() + Send + 'static,
) {
    runtime.spawn_blocking(move || {
        let result = run(request);
        let _ = tx.send(result);
        wake();
    });
}

fn run(request: LocalRequest) -> LocalResult {
    match request {
        LocalRequest::List { path, for_tree } => LocalResult::Listed {
            rows: list(&path).map_err(|source| LocalError::Io {
                action: tr!("local-cannot-read-folder"),
                path: path.clone(),
                source,
            }),
            path,
            for_tree,
        },
        LocalRequest::WalkTree(root) => LocalResult::TreeWalked {
            tree: crate::sync::local::walk_local(&root, &crate::sync::Excludes::default())
                .map(Box::new)
                .map_err(|e| LocalError::Io {
                    action: tr!("local-cannot-read-folder"),
                    path: e.path,
                    source: e.source,
                }),
            root,
        },
        LocalRequest::MakeDirs(paths) => LocalResult::DirsMade(
            paths
                .into_iter()
                .filter_map(|path| match std::fs::create_dir(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                        Some(LocalError::Io {
                            action: tr!("local-cannot-create-folder"),
                            path,
                            source: e,
                        })
                    }
                    _ => None,
                })
                .collect(),
        ),
        LocalRequest::MakeDir(path) => changed(
            tr!("note-created", path = path.display().to_string()),
            std::fs::create_dir(&path).map_err(|source| LocalError::Io {
                action: tr!("local-cannot-create-folder"),
                path: path.clone(),
                source,
            }),
        ),
        LocalRequest::Rename { from, to } => {
            let result = if to.exists() {
                Err(LocalError::NameTaken(to.clone()))
            } else {
                std::fs::rename(&from, &to).map_err(|source| LocalError::Io {
                    action: tr!("local-cannot-rename"),
                    path: from.clone(),
                    source,
                })
            };
            changed(
                tr!(
                    "note-renamed",
                    from = from.display().to_string(),
                    to = to.display().to_string()
                ),
                result,
            )
        }
        LocalRequest::Trash(paths) => changed(
            tr!("note-trashed", count = paths.len()),
            trash::delete_all(&paths).map_err(LocalError::from),
        ),
        LocalRequest::LoadTrust(dir) => {
            let path = TrustStore::path_in(&dir);
            LocalResult::TrustLoaded(Box::new(
                TrustStore::load(&path).map_err(LocalError::LoadTrust),
            ))
        }
        LocalRequest::SaveTrust(store) => LocalResult::Saved(
            store
                .save()
                .err()
                .map(LocalError::SaveTrust)
                .into_iter()
                .collect(),
        ),
        LocalRequest::LoadSites(dir) => load_sites(&dir),
        LocalRequest::SaveSettings { path, settings } => LocalResult::Saved(
            settings
                .save(&path)
                .err()
                .map(|source| LocalError::SaveSettings { path, source })
                .into_iter()
                .collect(),
        ),
        LocalRequest::Dropped(paths) => LocalResult::Dropped(
            paths
                .into_iter()
                .map(|path| {
                    let is_dir = path.is_dir();
                    (path, is_dir)
                })
                .collect(),
        ),
        LocalRequest::SaveSites {
            dir,
            sites,
            passwords,
            secrets,
        } => {
            let mut problems = Vec::new();
            if let Err(e) = crate::sites::store::save(&crate::sites::store::path_in(&dir), &sites) {
                problems.push(LocalError::SaveSites(e));
            }
            for (id, password) in passwords {
                let result = match (sites.get(&id), &password) {
                    (Some(site), _) => {
                        crate::sites::store_password(secrets.as_ref(), site, password.as_ref())
                    }
                    (None, _) => secrets.delete(&id),
                };
                if let Err(e) = result {
                    problems.push(LocalError::SavePassword(e));
                    break;
                }
            }
            LocalResult::Saved(problems)
        }
        LocalRequest::ProbeKeyring(secrets) => LocalResult::Keyring(secrets.probe()),
        LocalRequest::GetPassword { site, secrets } => LocalResult::Password {
            password: secrets.get(&site.id),
            site,
        },
        LocalRequest::SaveRecent(recent) => LocalResult::Saved(
            recent
                .save()
                .err()
                .map(LocalError::SaveRecent)
                .into_iter()
                .collect(),
        ),
        LocalRequest::Open(path) => changed(
            tr!("note-opened", path = path.display().to_string()),
            open::that_detached(&path).map_err(|source| LocalError::Io {
                action: tr!("local-cannot-open"),
                path: path.clone(),
                source,
            }),
        ),
        LocalRequest::Edit { path, editor } => changed(
            tr!("note-editing", path = path.display().to_string()),
            open_editor(&path, editor).map_err(|source| LocalError::Io {
                action: tr!("local-cannot-open"),
                path: path.clone(),
                source,
            }),
        ),
    }
}

/// Starts the editor on `path` (or the system's default application) and
/// leaves it running; a thread of its own waits for a started editor, so
/// it never lingers as a zombie process.
fn open_editor(
    path: &Path,
    editor: Option<(String, Vec<std::ffi::OsString>)>,
) -> std::io::Result<()> {
    let Some((program, args)) = editor else {
        return open::that_detached(path);
    };
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .spawn()?;
    std::thread::Builder::new()
        .name("skiff-editor".to_string())
        .spawn(move || {
            let _ = child.wait();
        })?;
    Ok(())
}

/// Reads `sites.toml` and `recent.toml` from the config folder `dir`
/// (blocking: call it off the UI thread).
pub fn load_sites(dir: &Path) -> LocalResult {
    let sites = crate::sites::store::load(&crate::sites::store::path_in(dir))
        .map_err(LocalError::LoadSites);
    let recent = Recent::load(&Recent::path_in(dir)).unwrap_or_else(|e| {
        tracing::warn!("recent servers unreadable, starting afresh: {e}");
        Recent::empty_at(&Recent::path_in(dir))
    });
    LocalResult::SitesLoaded {
        sites: Box::new(sites),
        recent: Box::new(recent),
    }
}

fn changed(what: String, result: Result<(), LocalError>) -> LocalResult {
    LocalResult::Changed {
        what,
        error: result.err(),
    }
}

/// Reads a folder into rows; links to folders are folders (they can be entered).
pub fn list(path: &Path) -> std::io::Result<Vec<FileRow>> {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let is_link = meta.file_type().is_symlink();
        let followed = if is_link {
            std::fs::metadata(entry.path()).ok()
        } else {
            None
        };
        let effective = followed.as_ref().unwrap_or(&meta);
        let kind = if effective.is_dir() {
            RowKind::Folder
        } else if is_link {
            RowKind::Link
        } else {
            RowKind::File
        };
        let mut row = FileRow::new(name, kind);
        if kind != RowKind::Folder {
            row.size = Some(effective.len());
        }
        row.modified = effective
            .modified()
            .ok()
            .map(|t| DateTime::<Local>::from(t).naive_local());
        row.stamp = effective
            .modified()
            .ok()
            .map(|t| crate::sync::Stamp::seconds(DateTime::<chrono::Utc>::from(t).naive_utc()));
        row.permissions = permissions(effective);
        if is_link {
            row.target = std::fs::read_link(entry.path())
                .ok()
                .map(|t| t.display().to_string());
        }
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(unix)]
fn permissions(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    let mut text = String::with_capacity(9);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        text.push(if bits & 4 != 0 { 'r' } else { '-' });
        text.push(if bits & 2 != 0 { 'w' } else { '-' });
        text.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    text
}

#[cfg(not(unix))]
fn permissions(meta: &std::fs::Metadata) -> String {
    if meta.permissions().readonly() {
        tr!("file-read-only")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_errors_stay_typed_and_read_cause_first_path_last() {
        let dir = tempfile::tempdir().expect("tmp");
        let missing = dir.path().join("missing");
        let LocalResult::Listed {
            rows: Err(error), ..
        } = run(LocalRequest::List {
            path: missing.clone(),
            for_tree: false,
        })
        else {
            panic!("a missing folder lists as an error");
        };
        assert!(
            matches!(&error, LocalError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.starts_with("cannot read the folder: "), "{text}");
        assert!(text.ends_with(&missing.display().to_string()), "{text}");

        std::fs::write(dir.path().join("a"), b"a").expect("seed");
        std::fs::write(dir.path().join("b"), b"b").expect("seed");
        let LocalResult::Changed {
            error: Some(error), ..
        } = run(LocalRequest::Rename {
            from: dir.path().join("a"),
            to: dir.path().join("b"),
        })
        else {
            panic!("a taken name is an error");
        };
        assert!(matches!(error, LocalError::NameTaken(_)), "{error:?}");
        assert_eq!(std::fs::read(dir.path().join("b")).expect("b kept"), b"b");
    }
}
