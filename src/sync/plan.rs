//! The sync planner: two trees (and, for two-way, the last sync's state) in,
//! the list of steps out.
//!
//! Pure: it reads no disk, no network and no clock, so every case is a row
//! in a table test. Paths are relative and `/`-separated; a name that is not
//! safe as a local file name arrives marked (the walker decided, with
//! [`crate::names`]) and is only ever skipped.
//!
//! Rules, one way (SRC to DEST): a file missing on DEST, of another size,
//! or newer on SRC (at the coarser precision of the two times) is copied; a
//! folder missing on DEST is made; what DEST has and SRC has not is deleted
//! only with `--delete`. Two-way: with no state nothing is ever deleted and
//! the newer side wins; with state, a side is "changed" when it differs from
//! what the last sync recorded for it, a deletion since the last sync is
//! propagated unless the other side changed (the change wins, nothing is
//! lost), and a file changed on both sides is a conflict. A file on one side
//! and a folder on the other is never resolved here: it is a conflict.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::state::{Seen, SyncState};
pub use super::tree::{Entry, Kind, Tree};

/// How two files are found equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Compare {
    /// Same size and neither newer (the default).
    #[default]
    SizeTime,
    /// Same size.
    Size,
    /// Neither newer.
    Time,
    /// Same checksum, where both sides have one; else same size.
    Checksum,
}

/// Which way a sync goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Make the remote tree like the local one.
    Upload,
    /// Make the local tree like the remote one.
    Download,
    /// Both ways, with the last sync's state.
    TwoWay,
}

/// Names left alone: globs matched against the relative path, and (for a
/// glob without `/`) against each name, as rsync's patterns.
#[derive(Debug, Clone)]
pub struct Excludes {
    paths: globset::GlobSet,
    names: globset::GlobSet,
}

impl Default for Excludes {
    fn default() -> Self {
        Excludes {
            paths: globset::GlobSet::empty(),
            names: globset::GlobSet::empty(),
        }
    }
}

impl Excludes {
    /// Compiles the globs; the error names the bad one.
    pub fn new(globs: &[String]) -> Result<Self, String> {
        let mut paths = globset::GlobSetBuilder::new();
        let mut names = globset::GlobSetBuilder::new();
        for text in globs {
            let glob = globset::GlobBuilder::new(text.trim_start_matches('/'))
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad --exclude glob ({e}): {text}"))?;
            if text.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |set: globset::GlobSetBuilder| set.build().map_err(|e| e.to_string());
        Ok(Excludes {
            paths: build(paths)?,
            names: build(names)?,
        })
    }

    /// Whether `path` itself is excluded (not its folders).
    pub fn matches(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        self.paths.is_match(path) || self.names.is_match(name)
    }
}

/// What the planner is asked.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// How files are found equal.
    pub compare: Compare,
    /// One way with `--delete`: remove what DEST has and SRC has not.
    pub delete: bool,
    /// Paths left alone.
    pub excludes: Excludes,
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Make a local folder.
    MkdirLocal,
    /// Make a remote folder.
    MkdirRemote,
    /// Copy a file up.
    Upload,
    /// Copy a file down.
    Download,
    /// Delete a local file or folder.
    DeleteLocal,
    /// Delete a remote file or folder.
    DeleteRemote,
    /// Changed on both sides (or a file against a folder): both kept, reported.
    Conflict,
    /// Left alone.
    Skip,
}

impl Action {
    /// The name in the output (`delete-remote`).
    pub fn name(self) -> &'static str {
        match self {
            Action::MkdirLocal => "mkdir-local",
            Action::MkdirRemote => "mkdir-remote",
            Action::Upload => "upload",
            Action::Download => "download",
            Action::DeleteLocal => "delete-local",
            Action::DeleteRemote => "delete-remote",
            Action::Conflict => "conflict",
            Action::Skip => "skip",
        }
    }
}

/// Why a step is planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// The other side has no such path.
    Missing,
    /// This side's file is newer (or, two-way, changed since the last sync).
    Newer,
    /// The sizes differ.
    Size,
    /// The checksums differ.
    Checksum,
    /// Deleted on the other side since the last sync.
    Deleted,
    /// Changed on both sides since the last sync.
    ChangedBoth,
    /// An `--exclude` glob matched.
    Excluded,
    /// The name is not safe as a local file name.
    UnsafeName,
    /// A file on one side and a folder on the other.
    Kind,
    /// A symbolic link, which sync does not follow.
    Link,
}

impl Reason {
    /// The name in the output (`changed-both`).
    pub fn name(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::Newer => "newer",
            Reason::Size => "size",
            Reason::Checksum => "checksum",
            Reason::Deleted => "deleted",
            Reason::ChangedBoth => "changed-both",
            Reason::Excluded => "excluded",
            Reason::UnsafeName => "unsafe-name",
            Reason::Kind => "kind",
            Reason::Link => "link",
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// What to do.
    pub action: Action,
    /// The relative, `/`-separated path.
    pub path: String,
    /// The bytes it moves or deletes, when known.
    pub size: Option<u64>,
    /// Why.
    pub reason: Reason,
}

/// The plan: steps in path order (parents before children).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The steps.
    pub steps: Vec<Step>,
}

/// Counts and bytes per action.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files to upload.
    pub upload: u64,
    /// Bytes to upload.
    pub upload_bytes: u64,
    /// Files to download.
    pub download: u64,
    /// Bytes to download.
    pub download_bytes: u64,
    /// Local files and folders to delete.
    pub delete_local: u64,
    /// Remote files and folders to delete.
    pub delete_remote: u64,
    /// Local folders to make.
    pub mkdir_local: u64,
    /// Remote folders to make.
    pub mkdir_remote: u64,
    /// Conflicts.
    pub conflict: u64,
    /// Skipped for a reason other than an exclusion.
    pub skip: u64,
    /// Left alone by `--exclude`.
    pub excluded: u64,
}

impl Plan {
    /// Counts and bytes per action.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for step in &self.steps {
            let bytes = step.size.unwrap_or(0);
            match step.action {
                Action::Upload => {
                    (s.upload, s.upload_bytes) = (s.upload + 1, s.upload_bytes + bytes)
                }
                Action::Download => {
                    (s.download, s.download_bytes) = (s.download + 1, s.download_bytes + bytes)
                }
                Action::DeleteLocal => s.delete_local += 1,
                Action::DeleteRemote => s.delete_remote += 1,
                Action::MkdirLocal => s.mkdir_local += 1,
                Action::MkdirRemote => s.mkdir_remote += 1,
                Action::Conflict => s.conflict += 1,
                Action::Skip if step.reason == Reason::Excluded => s.excluded += 1,
                Action::Skip => s.skip += 1,
            }
        }
        s
    }

    /// Whether the plan changes nothing (exclusions aside).
    pub fn is_empty(&self) -> bool {
        self.steps
            .iter()
            .all(|s| s.action == Action::Skip && s.reason == Reason::Excluded)
    }

    /// Whether something will be left unresolved: a conflict, or a skip
    /// that was not asked for (an unsafe name, a link).
    pub fn leaves_something(&self) -> bool {
        self.steps.iter().any(|s| {
            s.action == Action::Conflict
                || (s.action == Action::Skip && s.reason != Reason::Excluded)
        })
    }
}

/// The two sides by role, for one way.
#[derive(Clone, Copy)]
struct Roles {
    /// Copying from SRC to DEST.
    copy: Action,
    /// Deleting from DEST.
    delete: Action,
}

const UP: Roles = Roles {
    copy: Action::Upload,
    delete: Action::DeleteRemote,
};
const DOWN: Roles = Roles {
    copy: Action::Download,
    delete: Action::DeleteLocal,
};

/// Plans a sync of `local` and `remote` in `direction`; `state` is the last
/// two-way sync's (ignored one way; `None` for a first two-way sync, which
/// then deletes nothing).
pub fn plan(
    local: &Tree,
    remote: &Tree,
    direction: Direction,
    options: &PlanOptions,
    state: Option<&SyncState>,
) -> Plan {
    let paths: BTreeSet<&String> = local
        .entries()
        .chain(remote.entries())
        .map(|(p, _)| p)
        .collect();
    let mut steps: Vec<Step> = Vec::new();
    // Folders decided after their contents: (path, local, remote).
    let mut folders: Vec<(&str, Option<&Entry>, Option<&Entry>)> = Vec::new();
    // Excluded, skipped and conflicting paths: nothing below them is planned.
    let mut settled: BTreeSet<&str> = BTreeSet::new();
    for path in paths {
        let (l, r) = (local.get(path), remote.get(path));
        if ancestors(path).any(|a| settled.contains(a)) {
            continue;
        }
        let size = l.and_then(|e| e.size).or(r.and_then(|e| e.size));
        let skip = |reason| Step {
            action: Action::Skip,
            path: path.clone(),
            size,
            reason,
        };
        if options.excludes.matches(path) {
            steps.push(skip(Reason::Excluded));
            settled.insert(path);
            continue;
        }
        if l.is_some_and(|e| e.unsafe_name) || r.is_some_and(|e| e.unsafe_name) {
            steps.push(skip(Reason::UnsafeName));
            settled.insert(path);
            continue;
        }
        if l.is_some_and(|e| e.kind == Kind::Link) || r.is_some_and(|e| e.kind == Kind::Link) {
            steps.push(skip(Reason::Link));
            settled.insert(path);
            continue;
        }
        let kinds = (l.map(|e| e.kind), r.map(|e| e.kind));
        match kinds {
            (Some(a), Some(b)) if a != b => {
                steps.push(Step {
                    action: Action::Conflict,
                    path: path.clone(),
                    size,
                    reason: Reason::Kind,
                });
                settled.insert(path);
            }
            (Some(Kind::Folder), _) | (_, Some(Kind::Folder)) => folders.push((path, l, r)),
            _ => {
                let step = match direction {
                    Direction::Upload => one_way(path, l, r, UP, options),
                    Direction::Download => one_way(path, r, l, DOWN, options),
                    Direction::TwoWay => two_way(
                        path,
                        l,
                        r,
                        state.and_then(|s| s.paths.get(path.as_str())),
                        options,
                    ),
                };
                steps.extend(step);
            }
        }
    }
    plan_folders(
        &mut steps, &folders, direction, options, state, local, remote,
    );
    steps.sort_by(|a, b| a.path.cmp(&b.path).then(a.action.cmp(&b.action)));
    Plan { steps }
}

/// The folders above `path`, nearest first (`a/b/c`: `a/b`, `a`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .rev()
        .filter(|&(_, c)| c == '/')
        .map(move |(i, _)| &path[..i])
}

/// One file, one way: SRC `src` to DEST `dest`.
fn one_way(
    path: &str,
    src: Option<&Entry>,
    dest: Option<&Entry>,
    roles: Roles,
    options: &PlanOptions,
) -> Option<Step> {
    let step = |action, entry: &Entry, reason| Step {
        action,
        path: path.to_string(),
        size: entry.size,
        reason,
    };
    match (src, dest) {
        (Some(s), None) => Some(step(roles.copy, s, Reason::Missing)),
        (None, Some(d)) if options.delete => Some(step(roles.delete, d, Reason::Missing)),
        (None, _) => None,
        (Some(s), Some(d)) => {
            differs(s, d, options.compare).map(|reason| step(roles.copy, s, reason))
        }
    }
}

/// Why SRC's file `s` should replace DEST's `d` under `compare`, or `None`
/// when DEST already has it.
fn differs(s: &Entry, d: &Entry, compare: Compare) -> Option<Reason> {
    let size = match (s.size, d.size) {
        (Some(a), Some(b)) if a != b => Some(Reason::Size),
        _ => None,
    };
    let newer = match (s.modified, d.modified) {
        (Some(a), Some(b)) if a.compare(&b) == Ordering::Greater => Some(Reason::Newer),
        _ => None,
    };
    match compare {
        Compare::Size => size,
        Compare::Time => newer,
        Compare::SizeTime => size.or(newer),
        Compare::Checksum => match (&s.checksum, &d.checksum) {
            (Some(a), Some(b)) if a != b => Some(Reason::Checksum),
            (Some(_), Some(_)) => None,
            _ => size,
        },
    }
}

/// How one file compares with the file of the same path on the other side,
/// by the planner's own rules (times at the coarser precision of the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    /// Equal under the comparison asked for.
    Same,
    /// The sizes (or, with checksums, the contents) differ.
    Size,
    /// This side's file is newer.
    Newer,
    /// The other side's file is newer.
    Older,
}

/// How file `this` compares with `other` under `compare`; a size
/// difference wins over a time difference, as in the planner.
pub fn difference(this: &Entry, other: &Entry, compare: Compare) -> Difference {
    match (differs(this, other, compare), differs(other, this, compare)) {
        (Some(Reason::Newer), None) => Difference::Newer,
        (None, Some(Reason::Newer)) => Difference::Older,
        (None, None) => Difference::Same,
        _ => Difference::Size,
    }
}

/// Whether two files are the same under `compare`, either way round.
fn same(a: &Entry, b: &Entry, compare: Compare) -> bool {
    differs(a, b, compare).is_none() && differs(b, a, compare).is_none()
}

/// Whether a side changed since the last sync recorded it as `seen`.
fn changed(now: &Entry, seen: &Seen) -> bool {
    now.size != seen.size || now.modified.map(|m| m.at) != seen.modified.map(|m| m.at)
}

/// One file, both ways, against the last sync's record of it.
fn two_way(
    path: &str,
    l: Option<&Entry>,
    r: Option<&Entry>,
    seen: Option<&super::state::Pair>,
    options: &PlanOptions,
) -> Option<Step> {
    let step = |action, entry: &Entry, reason| {
        Some(Step {
            action,
            path: path.to_string(),
            size: entry.size,
            reason,
        })
    };
    match (l, r, seen) {
        (Some(l), None, None) => step(Action::Upload, l, Reason::Missing),
        (None, Some(r), None) => step(Action::Download, r, Reason::Missing),
        // Gone on the other side since the last sync: gone here too, unless
        // this side changed meanwhile (then the change wins; nothing is lost).
        (Some(l), None, Some(seen)) if changed(l, &seen.local) => {
            step(Action::Upload, l, Reason::Newer)
        }
        (Some(l), None, Some(_)) => step(Action::DeleteLocal, l, Reason::Deleted),
        (None, Some(r), Some(seen)) if changed(r, &seen.remote) => {
            step(Action::Download, r, Reason::Newer)
        }
        (None, Some(r), Some(_)) => step(Action::DeleteRemote, r, Reason::Deleted),
        (Some(l), Some(r), None) => {
            if same(l, r, options.compare) {
                return None;
            }
            match (l.modified, r.modified) {
                (Some(a), Some(b)) if a.compare(&b) == Ordering::Greater => {
                    step(Action::Upload, l, Reason::Newer)
                }
                (Some(a), Some(b)) if a.compare(&b) == Ordering::Less => {
                    step(Action::Download, r, Reason::Newer)
                }
                _ => step(Action::Conflict, r, Reason::Size),
            }
        }
        (Some(l), Some(r), Some(seen)) => {
            match (changed(l, &seen.local), changed(r, &seen.remote)) {
                (false, false) => None,
                (true, false) => step(Action::Upload, l, Reason::Newer),
                (false, true) => step(Action::Download, r, Reason::Newer),
                (true, true) if l.size == r.size && same(l, r, options.compare) => None,
                (true, true) => step(Action::Conflict, r, Reason::ChangedBoth),
            }
        }
        (None, None, _) => None,
    }
}

/// Where a folder to delete is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Local,
    Remote,
}

/// Folders on one side only, after their contents: made on the other side,
/// or deleted (one way with `--delete`; two-way when the other side deleted
/// it since the last sync) when nothing below them stays on their side. A
/// deleted folder that something below is copied into is made again
/// instead (two-way: a change wins over a deletion).
fn plan_folders(
    steps: &mut Vec<Step>,
    folders: &[(&str, Option<&Entry>, Option<&Entry>)],
    direction: Direction,
    options: &PlanOptions,
    state: Option<&SyncState>,
    local: &Tree,
    remote: &Tree,
) {
    let of = |action| -> BTreeSet<String> {
        steps
            .iter()
            .filter(|s| s.action == action)
            .map(|s| s.path.clone())
            .collect()
    };
    let mut gone_local = of(Action::DeleteLocal);
    let mut gone_remote = of(Action::DeleteRemote);
    let to_local = of(Action::Download);
    let to_remote = of(Action::Upload);
    let mut new_steps = Vec::new();
    // Children sort after their parent: reversed, every folder comes after
    // what is below it.
    for &(path, l, r) in folders.iter().rev() {
        let recorded = state.is_some_and(|s| s.paths.contains_key(path));
        let (side, reason) = match (l.is_some(), r.is_some(), direction) {
            (true, false, Direction::Upload) => {
                new_steps.push(folder_step(Action::MkdirRemote, path, Reason::Missing));
                continue;
            }
            (false, true, Direction::Download) => {
                new_steps.push(folder_step(Action::MkdirLocal, path, Reason::Missing));
                continue;
            }
            (false, true, Direction::Upload) if options.delete => (Side::Remote, Reason::Missing),
            (true, false, Direction::Download) if options.delete => (Side::Local, Reason::Missing),
            (true, false, Direction::TwoWay) if recorded => (Side::Local, Reason::Deleted),
            (false, true, Direction::TwoWay) if recorded => (Side::Remote, Reason::Deleted),
            (true, false, Direction::TwoWay) => {
                new_steps.push(folder_step(Action::MkdirRemote, path, Reason::Missing));
                continue;
            }
            (false, true, Direction::TwoWay) => {
                new_steps.push(folder_step(Action::MkdirLocal, path, Reason::Missing));
                continue;
            }
            _ => continue,
        };
        let (tree, gone, incoming, mkdir, delete) = match side {
            Side::Local => (
                local,
                &mut gone_local,
                &to_remote,
                Action::MkdirRemote,
                Action::DeleteLocal,
            ),
            Side::Remote => (
                remote,
                &mut gone_remote,
                &to_local,
                Action::MkdirLocal,
                Action::DeleteRemote,
            ),
        };
        if any_below(incoming, path) {
            new_steps.push(folder_step(mkdir, path, Reason::Newer));
            continue;
        }
        let stays = tree.below(path).any(|p| !gone.contains(p));
        if stays {
            continue;
        }
        gone.insert(path.to_string());
        new_steps.push(folder_step(delete, path, reason));
    }
    steps.extend(new_steps);
}

/// Whether any path of `paths` is below the folder `root`.
fn any_below(paths: &BTreeSet<String>, root: &str) -> bool {
    let prefix = format!("{root}/");
    paths
        .range::<str, _>((
            std::ops::Bound::Included(prefix.as_str()),
            std::ops::Bound::Unbounded,
        ))
        .next()
        .is_some_and(|p| p.starts_with(&prefix))
}

/// A folder step (no size).
fn folder_step(action: Action, path: &str, reason: Reason) -> Step {
    Step {
        action,
        path: path.to_string(),
        size: None,
        reason,
    }
}
