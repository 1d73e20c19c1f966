//! Remote search: a walk from a folder that reports each entry matching a
//! filter (name, size, date) as soon as its folder is listed.
//!
//! Must not follow links into other folders (the walk does not) nor hold
//! the results: each match goes to the caller's sink and is forgotten.

use tokio_util::sync::CancellationToken;

use super::walk::{self, Listing};
use super::{Found, OpEvent, OpFailure, OpReport, OpSink};
use crate::engine::entry::RemoteEntry;
use crate::engine::error::Result;
use crate::engine::session::Session;
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

/// How a name is matched.
#[derive(Debug, Clone)]
pub enum NameMatch {
    /// A glob over the whole name (`*.log`, `report-??.csv`), by `globset`.
    Glob(globset::GlobMatcher),
    /// The name contains this text (case-insensitive).
    Contains(String),
}

impl NameMatch {
    /// A glob pattern; `None` when it does not parse.
    pub fn glob(pattern: &str) -> Option<Self> {
        globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .ok()
            .map(|glob| NameMatch::Glob(glob.compile_matcher()))
    }

    fn is_match(&self, entry: &RemoteEntry) -> bool {
        let name = entry.text().unwrap_or(&entry.name);
        match self {
            NameMatch::Glob(glob) => glob.is_match(name),
            NameMatch::Contains(text) => name.to_lowercase().contains(&text.to_lowercase()),
        }
    }
}

/// What a search keeps. Every condition set must hold; size conditions
/// match only files (a folder's listed size is not its contents').
#[derive(Debug, Clone, Default)]
pub struct FindFilter {
    /// The name condition.
    pub name: Option<NameMatch>,
    /// At least this many bytes.
    pub min_size: Option<u64>,
    /// At most this many bytes.
    pub max_size: Option<u64>,
    /// Modified after this time (as listed: UTC for MLSD).
    pub newer_than: Option<chrono::NaiveDateTime>,
}

impl FindFilter {
    /// Whether `entry` matches.
    pub fn matches(&self, entry: &RemoteEntry) -> bool {
        if let Some(name) = &self.name
            && !name.is_match(entry)
        {
            return false;
        }
        if self.min_size.is_some() || self.max_size.is_some() {
            let Some(size) = entry.size().filter(|_| entry.kind() == EntryKind::File) else {
                return false;
            };
            if self.min_size.is_some_and(|min| size < min)
                || self.max_size.is_some_and(|max| size > max)
            {
                return false;
            }
        }
        if let Some(newer) = self.newer_than {
            match entry.modified() {
                Some(time) if time.at > newer => {}
                _ => return false,
            }
        }
        true
    }
}

/// Searches the tree under `root` (a folder), listing on `session` and the
/// `helpers` ([`super::connect_helpers`]) at once: each match goes to `sink` as
/// [`OpEvent::Match`] when its folder has been listed. The report counts
/// the matches and holds the folders that could not be listed.
pub async fn find(
    session: &mut Session,
    helpers: &mut [Session],
    root: &[u8],
    filter: &FindFilter,
    cancel: &CancellationToken,
    sink: &OpSink,
) -> Result<OpReport> {
    let mut failures: Vec<OpFailure> = Vec::new();
    let mut done = 0u64;
    let charset = session.charset();
    let mut sessions = vec![session];
    sessions.extend(helpers.iter_mut());
    walk::walk_on(
        sessions,
        root,
        Listing::Best,
        cancel,
        sink,
        &mut failures,
        |dir, _, entries| {
            for entry in entries {
                if filter.matches(&entry) {
                    let full = path::join(dir, &entry.entry.name);
                    done += 1;
                    sink(OpEvent::Match(Found {
                        display_path: charset.decode(&full),
                        path: full,
                        entry,
                    }));
                }
            }
        },
    )
    .await?;
    Ok(OpReport { done, failures })
}
