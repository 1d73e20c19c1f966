//! The two walks of a sync: the local folder (the disk, on the blocking
//! pool) and the remote one (listings on one logged-in session), each into
//! a [`Tree`] of relative paths.
//!
//! Must not follow a link on either side, descend into an excluded folder,
//! or let a remote name become a path component without
//! [`crate::names::local_name`]: a name that fails it is kept in the tree
//! only as an unsafe entry, which the planner skips and reports.

use std::collections::HashMap;

use crate::engine::tree::MAX_DEPTH;
use crate::engine::{EngineError, Session};
use crate::names::local_name;
use crate::protocol::listing::{EntryKind, ListTime, TimePrecision};
use crate::protocol::path;
use crate::sync::clock::list_offset;
use crate::sync::{Entry, Excludes, Kind, Stamp, Tree};

/// A walked remote folder.
#[derive(Clone, Default)]
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
    let mut walk = RemoteWalk::new(offset);
    let mut folders = vec![RemoteFolder::root(root)];
    while let Some(folder) = folders.pop() {
        folders.extend(walk.list(session, &folder, excludes).await?);
    }
    Ok(walk.finish())
}

/// A remote folder still to be listed.
pub(super) struct RemoteFolder {
    /// Its relative path (empty for the root).
    pub rel: String,
    /// Its path on the server.
    pub remote: Vec<u8>,
    /// How far below the root.
    pub depth: usize,
}

impl RemoteFolder {
    /// The root of a walk.
    pub(super) fn root(remote: &[u8]) -> Self {
        RemoteFolder {
            rel: String::new(),
            remote: remote.to_vec(),
            depth: 0,
        }
    }
}

/// A remote walk under way: the tree so far and the clock it reads times by.
pub(super) struct RemoteWalk {
    tree: RemoteTree,
    /// The offset given or found; `None` until a LIST time of day needs one.
    shift: Option<i32>,
}

impl RemoteWalk {
    /// A walk that moves LIST times by `offset` minutes, or finds the offset.
    pub(super) fn new(offset: Option<i32>) -> Self {
        RemoteWalk {
            tree: RemoteTree {
                tree: Tree::new(),
                paths: HashMap::new(),
                clock_note: None,
                shift: 0,
            },
            shift: offset,
        }
    }

    /// What has been listed so far.
    pub(super) fn so_far(&self) -> &RemoteTree {
        &self.tree
    }

    /// The walked tree.
    pub(super) fn finish(mut self) -> RemoteTree {
        self.tree.shift = self.shift.unwrap_or(0);
        self.tree
    }

    /// Lists `folder` into the tree; returns its folders to walk next (not
    /// links, unsafe names, excluded paths, nor past [`MAX_DEPTH`]).
    pub(super) async fn list(
        &mut self,
        session: &mut Session,
        folder: &RemoteFolder,
        excludes: &Excludes,
    ) -> Result<Vec<RemoteFolder>, EngineError> {
        let RemoteFolder { rel, remote, depth } = folder;
        let listing = session.list(Some(remote)).await?;
        let utc = session.lists_utc();
        if !utc && self.shift.is_none() {
            // Listings before this one showed no time of day (only dates,
            // which are never shifted), so nothing read so far changes.
            let probe = listing.entries.iter().find_map(|e| {
                let time = e.modified().filter(|t| t.precision != TimePrecision::Day)?;
                (e.kind() == EntryKind::File).then(|| (path::join(remote, &e.entry.name), time))
            });
            if probe.is_some() {
                let (found, note) = detect_offset(session, probe).await?;
                (self.shift, self.tree.clock_note) = (Some(found), note);
            }
        }
        // MLSD's times are UTC already; LIST's are moved by the offset.
        let minutes = if utc { 0 } else { self.shift.unwrap_or(0) };
        let mut next = Vec::new();
        for item in listing.entries {
            let raw = &item.entry.name;
            let full = path::join(remote, raw);
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
                next.push(RemoteFolder {
                    rel: child.clone(),
                    remote: full.clone(),
                    depth: depth + 1,
                });
            }
            self.tree.paths.insert(child.clone(), full);
            self.tree.tree.insert(
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
        Ok(next)
    }
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
