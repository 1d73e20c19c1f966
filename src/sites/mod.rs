//! Saved sites: the model and folder tree, their TOML file, passwords in the
//! OS keyring, FileZilla import, and recent quickconnect servers.
//!
//! - [`model`]: [`Site`], [`SiteId`], [`Sites`] (folders), validation; pure.
//! - [`store`]: `sites.toml` under the config folder, written atomically; never a password.
//! - [`keyring`]: [`SecretStore`], the OS keyring (service `skiff`, account =
//!   site id) and an in-memory store for tests. Blocking: never call it on the
//!   UI thread or a tokio worker.
//! - [`filezilla`]: import of FileZilla's `sitemanager.xml`.
//! - [`recent`]: the last ten quickconnect servers, without passwords.
//!
//! This module does no network I/O and knows nothing of windows or argument
//! syntax; front ends turn a [`Site`] into a session with
//! [`Site::session_config`].

mod bookmark;
pub mod filezilla;
pub mod keyring;
pub mod model;
pub mod recent;
pub mod store;

use std::path::PathBuf;

pub use keyring::{KeyringError, MemoryStore, OsKeyring, SecretStore, store_password};
pub use model::{Bookmark, FieldError, LogonType, Site, SiteId, Sites, TransferMode};

/// What working with saved sites can fail with.
#[derive(Debug, thiserror::Error)]
pub enum SitesError {
    /// Reading or writing a file failed.
    #[error("{source}: {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The sites file was not valid; it was moved aside, never replaced.
    #[error("the sites file was unreadable ({reason}) and was kept as {}", aside.display())]
    Corrupt {
        /// What was wrong.
        reason: String,
        /// Where the old file now is.
        aside: PathBuf,
    },
    /// A file to import could not be read as what it claims to be.
    #[error("cannot import ({reason}): {}", path.display())]
    Import {
        /// What was wrong.
        reason: String,
        /// The file.
        path: PathBuf,
    },
    /// A site has invalid fields and was not saved.
    #[error("invalid site ({}): {site}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The site's path.
        site: String,
        /// Its problems.
        errors: Vec<FieldError>,
    },
    /// No site has this id or path.
    #[error("no such site: {0}")]
    NoSuchSite(String),
    /// No folder has this path.
    #[error("no such folder: {0}")]
    NoSuchFolder(String),
    /// A site or folder of this name is already in the folder.
    #[error("the name is taken: {0}")]
    NameTaken(String),
    /// An empty name, or one with control characters.
    #[error("a name must be non-empty and without control characters: {0:?}")]
    BadName(String),
    /// Two sites with one id.
    #[error("the site id is already used: {0}")]
    DuplicateId(String),
    /// A folder cannot move into itself or its own subfolder.
    #[error("a folder cannot move into itself: {0}")]
    FolderIntoItself(String),
    /// There is no config folder on this platform (no home folder).
    #[error("no config folder (set SKIFF_CONFIG_DIR)")]
    NoConfigDir,
    /// The keyring failed.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
}
