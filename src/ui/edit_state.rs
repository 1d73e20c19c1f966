//! View/Edit's state in the window: each file being edited (where it came
//! from, where it is on disk, what the server had, what the disk had when
//! it was last uploaded), its state, and the messages its dialogs send.
//!
//! Plain data; must not import `update` (which holds it) nor draw.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use crate::engine::SessionConfig;
use crate::engine::ops::edit::RemoteBaseline;
use crate::engine::ops::jobs::JobId;

/// How long a saved file must stay unchanged before it is uploaded or the
/// user is asked: editors write a file in several steps.
pub const SETTLE: std::time::Duration = std::time::Duration::from_millis(800);

/// A local file's size and time, as the watcher read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalFacts {
    /// Bytes.
    pub size: u64,
    /// Last modification.
    pub modified: SystemTime,
}

/// What the watcher saw of one edited file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// Its size and time now (`None`: it is gone), on a change in its
    /// folder and once when the watch starts.
    Facts {
        /// The edited file's number.
        id: u64,
        /// Its size and time.
        facts: Option<LocalFacts>,
    },
    /// It cannot be watched, for this reason (the system's words).
    Failed {
        /// The edited file's number.
        id: u64,
        /// Why.
        error: String,
    },
}

/// Where an edited file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditState {
    /// Being fetched into the private folder.
    Downloading,
    /// Open in the editor, unchanged since it was fetched or uploaded.
    Open,
    /// Saved in the editor; not uploaded (waiting to settle, for the
    /// user's answer, or declined).
    Edited,
    /// Being uploaded.
    Uploading,
    /// The last save is on the server.
    Uploaded,
    /// The server's copy changed since it was opened: the user chooses.
    ServerChanged,
    /// The last fetch or upload failed, for this reason.
    Failed(String),
}

/// One file being edited.
#[derive(Debug, Clone)]
pub struct EditedFile {
    /// Its number (also the name of its private folder).
    pub id: u64,
    /// The site it came from (it goes back there, whatever the window is
    /// connected to by then).
    pub site: SessionConfig,
    /// The remote path, as the server's bytes.
    pub remote: Vec<u8>,
    /// The remote path for display.
    pub remote_display: String,
    /// The file on disk.
    pub local: PathBuf,
    /// Where it is.
    pub state: EditState,
    /// The fetch or upload running for it.
    pub job: Option<JobId>,
    /// What the server had when it was fetched or last uploaded.
    pub baseline: Option<RemoteBaseline>,
    /// The disk's facts when it was fetched or last uploaded.
    pub known: Option<LocalFacts>,
    /// The disk's facts now, when they differ from `known`.
    pub latest: Option<LocalFacts>,
    /// A change was seen since the last frame (its settling starts then).
    pub touched: bool,
    /// Since when the last change has settled.
    pub settling: Option<Instant>,
    /// The user is being asked whether to upload it.
    pub asking: bool,
    /// What is being uploaded (becomes `known` when it is on the server).
    pub sending: Option<LocalFacts>,
}

impl EditedFile {
    /// Its name, for dialogs.
    pub fn name(&self) -> String {
        self.local
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Saved changes that are not on the server.
    pub fn has_unsent_changes(&self) -> bool {
        matches!(
            self.state,
            EditState::Edited | EditState::ServerChanged | EditState::Uploading
        ) || matches!(self.state, EditState::Failed(_)) && self.latest.is_some()
    }
}

/// The files being edited.
#[derive(Debug, Default)]
pub struct Edits {
    /// The private folder they are fetched into (`skiff-edit-…` in the
    /// system's temporary folder), made when the first one is fetched.
    pub root: Option<PathBuf>,
    /// The last number given out.
    last_id: u64,
    /// Each file, in the order it was opened.
    pub files: Vec<EditedFile>,
    /// The Files being edited window is open.
    pub list_open: bool,
}

impl Edits {
    /// A new file's number.
    pub(super) fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    /// The file with this number.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut EditedFile> {
        self.files.iter_mut().find(|f| f.id == id)
    }

    /// The file whose fetch or upload is `job`.
    pub fn by_job(&mut self, job: JobId) -> Option<&mut EditedFile> {
        self.files.iter_mut().find(|f| f.job == Some(job))
    }

    /// The file the window asks about now (one question at a time).
    pub fn question(&self) -> Option<&EditedFile> {
        self.files
            .iter()
            .find(|f| f.asking || f.state == EditState::ServerChanged)
    }

    /// How many files hold saved changes that are not on the server.
    pub fn unsent(&self) -> usize {
        self.files.iter().filter(|f| f.has_unsent_changes()).count()
    }
}

/// What the user did in View/Edit's dialogs and list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditMsg {
    /// Upload the file (checked against the server's copy first).
    Upload(u64),
    /// Not now: the file stays edited, to be uploaded from the list.
    NotNow(u64),
    /// The server's copy changed: upload over it anyway.
    Overwrite(u64),
    /// Open the file in the editor again.
    Reopen(u64),
    /// Stop watching the file and forget it.
    Forget(u64),
    /// Close the Files being edited window.
    CloseList,
}
