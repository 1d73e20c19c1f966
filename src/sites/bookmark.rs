//! A bookmark (FileZilla's): a local folder, a remote folder or both,
//! per site or global, stored in `sites.toml`.
//!
//! Pure data; must not import the rest of `sites`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Whether `text` holds a control character (never valid in a name).
pub(super) fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// A bookmark: a local folder, a remote folder or both, opened together;
/// with synchronized browsing on, the panes then move together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bookmark {
    /// The name in the Bookmarks menu.
    pub name: String,
    /// The local folder, if any.
    pub local_dir: Option<PathBuf>,
    /// The remote folder (absolute, as typed), if any.
    pub remote_dir: Option<String>,
    /// Turn synchronized browsing on when it is opened.
    pub sync_browsing: bool,
}

impl Bookmark {
    /// Whether it can be saved: a name without control characters and at
    /// least one folder.
    pub fn is_valid(&self) -> bool {
        !self.name.trim().is_empty()
            && !has_control(&self.name)
            && (self.local_dir.is_some() || self.remote_dir.is_some())
    }
}
