//! Running a sync plan: folders made, conflicts set aside, deletions (on
//! the session that walked, and on the disk), then every transfer as one
//! item each on the transfer queue, as `get -r` and `put -r` run.
//!
//! Must not touch a local path through a link (every component below the
//! root is checked before a folder is made or anything is deleted), delete
//! what the plan does not name, or count a transfer done that the queue did
//! not report done.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::walk::RemoteTree;
use crate::engine::queue::NewItem;
use crate::engine::{EngineError, Session};
use crate::protocol::path;
use crate::sync::{Action, Kind, Plan, Reason, Stamp, Tree};

/// Where each relative path is on both sides.
pub(super) struct Places<'a> {
    /// The local folder (absolute).
    pub local_root: PathBuf,
    /// The remote folder (absolute, the server's bytes).
    pub remote_root: Vec<u8>,
    /// The remote walk.
    pub remote: &'a RemoteTree,
    /// The local walk.
    pub local: &'a Tree,
    /// Remote paths made in this run (new folders, conflict copies).
    made: HashMap<String, Vec<u8>>,
}

impl<'a> Places<'a> {
    /// The places of a plan's two walked roots.
    pub(super) fn new(
        local_root: PathBuf,
        remote_root: Vec<u8>,
        local: &'a Tree,
        remote: &'a RemoteTree,
    ) -> Self {
        Places {
            local_root,
            remote_root,
            remote,
            local,
            made: HashMap::new(),
        }
    }

    /// Remote paths this run made before the plan ran (the streaming
    /// walk's new folders), so they are named as they were made.
    pub(super) fn with_made(mut self, made: HashMap<String, Vec<u8>>) -> Self {
        self.made = made;
        self
    }

    /// The remote paths made so far, for the next [`Places::with_made`].
    pub(super) fn into_made(self) -> HashMap<String, Vec<u8>> {
        self.made
    }

    /// The local path of `rel` (its components were checked by the walks).
    pub(super) fn local_path(&self, rel: &str) -> PathBuf {
        local_path(&self.local_root, rel)
    }

    /// The remote path of `rel`: as listed, else its folder's and its name
    /// in the site's charset.
    pub(super) fn remote_path(
        &mut self,
        session: &Session,
        rel: &str,
    ) -> Result<Vec<u8>, EngineError> {
        remote_path(
            &self.remote.paths,
            &mut self.made,
            &self.remote_root,
            session,
            rel,
        )
    }

    /// Fails when a component of `path` below the local root is a link (or
    /// not there): nothing is made or deleted through one.
    fn check_beneath(&self, path: &Path) -> Result<(), EngineError> {
        check_beneath(&self.local_root, path)
    }
}

/// The local path of `rel` below `root` (its components were checked by
/// the walks).
pub(super) fn local_path(root: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(root.to_path_buf(), |path, part| path.join(part))
}

/// The remote path of `rel` below `root`: as `listed`, else as `made` in
/// this run, else its folder's and its name in the site's charset (then
/// remembered in `made`).
pub(super) fn remote_path(
    listed: &HashMap<String, Vec<u8>>,
    made: &mut HashMap<String, Vec<u8>>,
    root: &[u8],
    session: &Session,
    rel: &str,
) -> Result<Vec<u8>, EngineError> {
    if let Some(bytes) = listed.get(rel).or_else(|| made.get(rel)) {
        return Ok(bytes.clone());
    }
    let (parent, name) = match rel.rsplit_once('/') {
        Some((parent, name)) => (Some(parent), name),
        None => (None, rel),
    };
    let parent = match parent {
        Some(parent) => remote_path(listed, made, root, session, parent)?,
        None => root.to_vec(),
    };
    let bytes = path::join(&parent, &session.encode(name)?);
    made.insert(rel.to_string(), bytes.clone());
    Ok(bytes)
}

/// Fails when a component of `path` below the local `root` is a link (or
/// not there): nothing is made or deleted through one.
pub(super) fn check_beneath(root: &Path, path: &Path) -> Result<(), EngineError> {
    let Ok(rest) = path.strip_prefix(root) else {
        return Err(outside(path));
    };
    let mut at = root.to_path_buf();
    for part in rest.parent().into_iter().flat_map(Path::components) {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).map_err(|source| EngineError::Local {
            path: at.clone(),
            source,
        })?;
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err(outside(path));
        }
    }
    Ok(())
}

/// The error of a local path that would go through a link.
fn outside(path: &Path) -> EngineError {
    EngineError::Local {
        path: path.to_path_buf(),
        source: std::io::Error::other("a folder on the way is a link or not a folder"),
    }
}

/// What the steps before the transfers left to do, and what failed.
pub(super) struct Prepared {
    /// The transfers, one queue item each.
    pub items: Vec<NewItem>,
    /// Steps that failed, as sentences with the path last.
    pub failed: Vec<String>,
    /// Conflicts set aside: (path, where the other side's version went).
    pub kept: Vec<(String, String)>,
}

/// Makes folders, sets conflicts aside, deletes, and lists the transfers,
/// in that order: parents before children, children deleted before their
/// folder. Folders made and transfers queued already (`done`, by the
/// streaming walk) are left out.
pub(super) async fn prepare(
    plan: &Plan,
    places: &mut Places<'_>,
    session: &mut Session,
    done: &HashSet<String>,
) -> Prepared {
    let mut out = Prepared {
        items: Vec::new(),
        failed: Vec::new(),
        kept: Vec::new(),
    };
    let fail = |out: &mut Prepared, what: &str, error: EngineError, rel: &str| {
        out.failed.push(format!("{what} failed ({error}): {rel}"));
    };
    for step in plan
        .steps
        .iter()
        .filter(|s| is_mkdir(s.action) && !done.contains(&s.path))
    {
        let result = match step.action {
            Action::MkdirLocal => mkdir_local(places, &step.path),
            _ => match places.remote_path(session, &step.path) {
                Ok(remote) => session.mkdir(&remote).await,
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            fail(&mut out, "making the folder", e, &step.path);
        }
    }
    // A conflict keeps both: the remote version is renamed beside it on the
    // server and downloaded under that name; the local version is uploaded
    // under the original name. Both sides then hold both.
    let mut conflicts = Vec::new();
    for step in plan.steps.iter().filter(|s| s.action == Action::Conflict) {
        if step.reason == Reason::Kind {
            continue;
        }
        let copy = conflict_name(&step.path, places);
        let renamed = match (
            places.remote_path(session, &step.path),
            places.remote_path(session, &copy),
        ) {
            (Ok(from), Ok(to)) => session.rename(&from, &to).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        match renamed {
            Ok(()) => {
                conflicts.push((step.path.clone(), copy.clone()));
                out.kept.push((step.path.clone(), copy));
            }
            Err(e) => fail(&mut out, "setting the conflict aside", e, &step.path),
        }
    }
    for step in plan.steps.iter().rev().filter(|s| is_delete(s.action)) {
        let result = match step.action {
            Action::DeleteLocal => delete_local(places, &step.path),
            _ => {
                let folder = places
                    .remote
                    .tree
                    .get(&step.path)
                    .is_some_and(|e| e.kind == Kind::Folder);
                match places.remote_path(session, &step.path) {
                    Ok(remote) if folder => session.rmdir(&remote).await,
                    Ok(remote) => session.delete(&remote).await,
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(e) = result {
            fail(&mut out, "deleting", e, &step.path);
        }
    }
    for step in plan.steps.iter().filter(|s| !done.contains(&s.path)) {
        let item = match step.action {
            Action::Upload => upload(places, session, &step.path, step.size),
            Action::Download => download(places, session, &step.path, &step.path, step.size),
            _ => continue,
        };
        match item {
            Ok(item) => out.items.push(item),
            Err(e) => fail(&mut out, "queueing", e, &step.path),
        }
    }
    for (rel, copy) in conflicts {
        let size = places.remote.tree.get(&rel).and_then(|e| e.size);
        let local_size = places.local.get(&rel).and_then(|e| e.size);
        let items = [
            download(places, session, &copy, &rel, size),
            upload(places, session, &rel, local_size),
        ];
        for item in items {
            match item {
                Ok(item) => out.items.push(item),
                Err(e) => fail(&mut out, "queueing", e, &rel),
            }
        }
    }
    out
}

fn is_mkdir(action: Action) -> bool {
    matches!(action, Action::MkdirLocal | Action::MkdirRemote)
}

fn is_delete(action: Action) -> bool {
    matches!(action, Action::DeleteLocal | Action::DeleteRemote)
}

/// The queue item uploading `rel`.
pub(super) fn upload(
    places: &mut Places<'_>,
    session: &Session,
    rel: &str,
    size: Option<u64>,
) -> Result<NewItem, EngineError> {
    let remote = places.remote_path(session, rel)?;
    let local = places.local_path(rel);
    places.check_beneath(&local)?;
    Ok(NewItem::upload(local, remote.clone(), session.decode(&remote)).with_size(size))
}

/// The queue item downloading the remote `from` to the local `to`, with
/// the listed size (so a short file is never taken for a whole one).
pub(super) fn download(
    places: &mut Places<'_>,
    session: &Session,
    to: &str,
    from: &str,
    size: Option<u64>,
) -> Result<NewItem, EngineError> {
    // A conflict's copy was renamed to `to` on the server too.
    let remote = places.remote_path(session, to)?;
    let local = places.local_path(to);
    places.check_beneath(&local)?;
    let modified = places
        .remote
        .tree
        .get(from)
        .and_then(|e| e.modified)
        .map(|m| m.at);
    Ok(
        NewItem::download(local, remote.clone(), session.decode(&remote))
            .with_size(size)
            .with_modified(modified),
    )
}

/// Makes a local folder (one that is there already is fine).
pub(super) fn mkdir_local(places: &Places<'_>, rel: &str) -> Result<(), EngineError> {
    let path = places.local_path(rel);
    places.check_beneath(&path)?;
    match std::fs::create_dir(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            Err(EngineError::Local { path, source: e })
        }
        _ => Ok(()),
    }
}

/// Deletes a local file, or a folder the plan emptied (never its contents
/// wholesale: what the plan did not name stays, and the folder with it).
fn delete_local(places: &Places<'_>, rel: &str) -> Result<(), EngineError> {
    let path = places.local_path(rel);
    places.check_beneath(&path)?;
    let meta = std::fs::symlink_metadata(&path).map_err(|source| EngineError::Local {
        path: path.clone(),
        source,
    })?;
    let result = if meta.is_dir() {
        std::fs::remove_dir(&path)
    } else {
        std::fs::remove_file(&path)
    };
    result.map_err(|source| EngineError::Local { path, source })
}

/// `name (remote 2026-12-06 0915).ext` beside `rel`: the remote version's
/// time (UTC), and a number when that is taken on either side.
fn conflict_name(rel: &str, places: &Places<'_>) -> String {
    let (folder, name) = match rel.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, rel),
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
        _ => (name, None),
    };
    let when = places
        .remote
        .tree
        .get(rel)
        .and_then(|e| e.modified)
        .map(|m: Stamp| m.at.format("%Y-%m-%d %H%M").to_string())
        .unwrap_or_else(|| "version".to_string());
    let taken = |candidate: &str| {
        places.local.get(candidate).is_some() || places.remote.tree.get(candidate).is_some()
    };
    let mut n = 1;
    loop {
        let tag = if n == 1 {
            format!("remote {when}")
        } else {
            format!("remote {when} {n}")
        };
        let copy = match ext {
            Some(ext) => format!("{stem} ({tag}).{ext}"),
            None => format!("{stem} ({tag})"),
        };
        let full = match folder {
            Some(folder) => format!("{folder}/{copy}"),
            None => copy,
        };
        if !taken(&full) {
            return full;
        }
        n += 1;
    }
}
