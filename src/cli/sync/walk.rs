//! The two walks of a sync: the local folder (the disk, on the blocking
//! pool) and the remote one (listings on one logged-in session), each into
//! a [`Tree`] of relative paths.
//!
//! Must not follow a link on either side, descend into an excluded folder,
//! or let a remote name become a path component without
//! [`crate::names::local_name`]: a name that fails it is kept in the tree
//! only as an unsafe entry, which the planner skips and reports.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use crate::engine::tree::MAX_DEPTH;
use crate::engine::{EngineError, Session};
use crate::names::local_name;
use crate::protocol::listing::{EntryKind, ListTime, TimePrecision};
use crate::protocol::path;
use crate::sync::clock::list_offset;
use crate::sync::{Entry, Excludes, Kind, Stamp, Tree};

/// The suffix of a download still arriving; never synced as a file.
const PART_SUFFIX: &str = ".skiffpart";

/// A walked remote folder.
#[derive(Clone)]
pub(super) struct RemoteTree {
    /// Every path below the root.
    pub tree: Tree,
    /// The server's bytes of every path in `tree`, by relative path.
    pub paths: HashMap<String, Vec<u8>>,
    /// What was found about the server's clock, for the user.
    pub clock_note: Option<String>,
    /// The minutes added to LIST times (given or found), so a later walk of
    /// the same server reads its times the same way.
    pub shift: i32,
}

/// Walks the remote folder `root`, folder by folder, at most
/// [`MAX_DEPTH`] levels down. LIST times are made UTC with `offset`
/// (minutes, the user's or the site's), or else with the offset found at the
/// first LIST listing that shows a file's time of day: that file's LIST time
/// against its MDTM, when the server has MDTM. Entries go into the tree as
/// they are listed (100,000 a side must fit in 100 MB).
pub(super) async fn walk_remote(
    session: &mut Session,
    root: &[u8],
    excludes: &Excludes,
    offset: Option<i32>,
) -> Result<RemoteTree, EngineError> {
    let mut tree = Tree::new();
    let mut paths = HashMap::new();
    let mut folders: Vec<(String, Vec<u8>, usize)> = vec![(String::new(), root.to_vec(), 0)];
    let mut shift = offset;
    let mut clock_note = None;
    while let Some((rel, remote, depth)) = folders.pop() {
        let listing = session.list(Some(&remote)).await?;
        let utc = session.lists_utc();
        if !utc && shift.is_none() {
            // Listings before this one showed no time of day (only dates,
            // which are never shifted), so nothing read so far changes.
            let probe = listing.entries.iter().find_map(|e| {
                let time = e.modified().filter(|t| t.precision != TimePrecision::Day)?;
                (e.kind() == EntryKind::File).then(|| (path::join(&remote, &e.entry.name), time))
            });
            if probe.is_some() {
                let (found, note) = detect_offset(session, probe).await?;
                (shift, clock_note) = (Some(found), note);
            }
        }
        // MLSD's times are UTC already; LIST's are moved by the offset.
        let minutes = if utc { 0 } else { shift.unwrap_or(0) };
        for item in listing.entries {
            let raw = &item.entry.name;
            let full = path::join(&remote, raw);
            let kind = match item.kind() {
                EntryKind::File => Kind::File,
                EntryKind::Dir => Kind::Folder,
                EntryKind::Symlink | EntryKind::Other => Kind::Link,
            };
            let safe = local_name(item.text(), raw)
                .ok()
                .and_then(|name| name.into_string().ok());
            let unsafe_name = safe.is_none();
            let name = safe.unwrap_or_else(|| item.name.clone());
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let walk = !unsafe_name
                && kind == Kind::Folder
                && depth + 1 < MAX_DEPTH
                && !excludes.matches(&child);
            if walk {
                folders.push((child.clone(), full.clone(), depth + 1));
            }
            paths.insert(child.clone(), full);
            tree.insert(
                child,
                Entry {
                    kind,
                    size: item.size(),
                    modified: item.modified().map(|t| stamp(t, minutes)),
                    checksum: None,
                    unsafe_name,
                },
            );
        }
    }
    Ok(RemoteTree {
        tree,
        paths,
        clock_note,
        shift: shift.unwrap_or(0),
    })
}

/// A listed time moved by `shift` minutes (a bare date stays: shifting
/// midnight would invent a time of day).
fn stamp(time: ListTime, shift: i32) -> Stamp {
    let at = if time.precision == TimePrecision::Day || shift == 0 {
        time.at
    } else {
        time.at
            .checked_add_signed(chrono::TimeDelta::minutes(i64::from(shift)))
            .unwrap_or(time.at)
    };
    Stamp {
        at,
        precision: time.precision,
    }
}

/// The LIST offset from one file's MDTM, with a sentence for the user.
async fn detect_offset(
    session: &mut Session,
    probe: Option<(Vec<u8>, ListTime)>,
) -> Result<(i32, Option<String>), EngineError> {
    let Some((file, listed)) = probe else {
        return Ok((0, None));
    };
    if !session.has_mdtm() {
        return Ok((
            0,
            Some("The server has no MDTM, so its LIST times are taken as UTC".to_string()),
        ));
    }
    let Some(mdtm) = session.mdtm(&file).await? else {
        return Ok((0, None));
    };
    let shown = session.decode(&file);
    let listed_stamp = Stamp {
        at: listed.at,
        precision: listed.precision,
    };
    Ok(match list_offset(listed_stamp, mdtm) {
        Some(0) => (
            0,
            Some(format!(
                "The server's LIST times are UTC (checked with MDTM): {shown}"
            )),
        ),
        Some(minutes) => (
            minutes,
            Some(format!(
                "The server's LIST times are {} from UTC (found with MDTM), and are compared as such: {shown}",
                offset_text(-minutes)
            )),
        ),
        None => (
            0,
            Some(format!(
                "The server's LIST time and MDTM of one file disagree, so LIST times are taken as UTC: {shown}"
            )),
        ),
    })
}

/// `+08:00`, `-05:30`: a time zone's distance from UTC.
pub(super) fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Walks the local folder `root` (links are listed, never followed;
/// unfinished downloads are left out). Blocking.
pub(super) fn walk_local(root: &Path, excludes: &Excludes) -> Result<Tree, EngineError> {
    let mut tree = Tree::new();
    let mut folders: Vec<(String, PathBuf, usize)> = vec![(String::new(), root.to_path_buf(), 0)];
    let local = |path: &Path, source| EngineError::Local {
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
