//! The two trees a sync compares: every path below each root, with its
//! kind, size and time, as the walkers found them.
//!
//! Plain data shared by the planner and the state file, so neither imports
//! the other.

use std::collections::BTreeMap;

use super::clock::Stamp;

/// What a path is on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Folder,
    /// A symbolic link (never followed, never synced).
    Link,
}

/// One path on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File, folder or link.
    pub kind: Kind,
    /// The size in bytes, when known.
    pub size: Option<u64>,
    /// The modification time (UTC) and its precision, when known.
    pub modified: Option<Stamp>,
    /// The file's checksum (`ALGORITHM:hex`), when it was asked for.
    pub checksum: Option<String>,
    /// The name is not safe as a local file name (or not text): skipped.
    pub unsafe_name: bool,
}

impl Entry {
    /// A file of `size` bytes changed at `modified`.
    pub fn file(size: u64, modified: Option<Stamp>) -> Self {
        Entry {
            kind: Kind::File,
            size: Some(size),
            modified,
            checksum: None,
            unsafe_name: false,
        }
    }

    /// A folder.
    pub fn folder() -> Self {
        Entry {
            kind: Kind::Folder,
            size: None,
            modified: None,
            checksum: None,
            unsafe_name: false,
        }
    }
}

/// One side's tree: every path below the root, by relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    entries: BTreeMap<String, Entry>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Self {
        Tree::default()
    }

    /// Adds (or replaces) `path`.
    pub fn insert(&mut self, path: impl Into<String>, entry: Entry) {
        self.entries.insert(path.into(), entry);
    }

    /// The entry at `path`.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// Every entry, parents before children.
    pub fn entries(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.entries.iter()
    }

    /// Every path strictly below the folder `root`.
    pub fn below<'a>(&'a self, root: &str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = format!("{root}/");
        self.entries
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .map(|(p, _)| p.as_str())
            .take_while(move |p| p.starts_with(&prefix))
    }

    /// The entries directly in the folder `folder` (`""`: the root), in
    /// path order. Each subfolder's contents are skipped by one range
    /// lookup, so listing a folder costs its own entries, not its subtree.
    pub fn children<'a>(&'a self, folder: &str) -> Vec<(&'a str, &'a Entry)> {
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let mut out = Vec::new();
        let mut from = prefix.clone();
        loop {
            let next = self
                .entries
                .range::<str, _>((
                    std::ops::Bound::Included(from.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .next();
            let Some((path, entry)) = next.filter(|(p, _)| p.starts_with(&prefix)) else {
                break;
            };
            let rest = &path[prefix.len()..];
            match rest.split_once('/') {
                // Below a child: every path from `child/` sorts before
                // `child0` ('0' follows '/'), so skip to there.
                Some((name, _)) => from = format!("{prefix}{name}0"),
                None => {
                    out.push((path.as_str(), entry));
                    // The next path after this one.
                    from = format!("{path}\0");
                }
            }
        }
        out
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
