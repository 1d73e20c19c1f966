//! The remote operations' state in the window: the recursive delete from
//! its plan to its report, the permissions dialog, the custom command's
//! text, and the messages their dialogs send.
//!
//! Plain data with the conversions the permissions dialog needs (a listed
//! mode, a typed one); must not import `update` (which holds these) nor
//! draw.

use crate::engine::ops::jobs::JobId;
use crate::engine::ops::{ChmodFilter, Found, OpFailure};

/// The remote operations' dialogs and jobs.
#[derive(Debug, Default)]
pub struct RemoteOps {
    /// The last job number given out.
    last_job: JobId,
    /// The recursive delete, from its plan to its report.
    pub delete: Option<DeleteJob>,
    /// The custom command dialog's text, while open.
    pub quote: Option<String>,
    /// The permissions dialog, while open.
    pub chmod: Option<ChmodDialog>,
    /// The Search remote files window, while open (not modal).
    pub search: Option<SearchWindow>,
}

impl RemoteOps {
    /// One of these dialogs has the keyboard.
    pub fn any_open(&self) -> bool {
        self.delete.is_some() || self.quote.is_some() || self.chmod.is_some()
    }

    pub(super) fn next_job(&mut self) -> JobId {
        self.last_job += 1;
        self.last_job
    }
}

/// Where a recursive delete is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteStage {
    /// Walking the selection; this many folders listed so far.
    Planning {
        /// Folders listed.
        listed: u64,
    },
    /// The plan, waiting for the user's yes.
    Confirm {
        /// Folders that will go.
        folders: usize,
        /// Files and links that will go.
        files: usize,
        /// Their listed bytes.
        bytes: u64,
    },
    /// Deleting: counts so far out of the plan's.
    Deleting {
        /// Files and links deleted.
        files: u64,
        /// Folders deleted.
        folders: u64,
        /// What the plan held, files and folders.
        total: u64,
        /// Cancel was pressed.
        cancelling: bool,
    },
    /// Done, with failures (a delete without any closes itself).
    Finished {
        /// Why it stopped early, if it did.
        error: Option<String>,
    },
}

/// A recursive delete on the server.
#[derive(Debug, Clone)]
pub struct DeleteJob {
    /// The engine's job.
    pub job: JobId,
    /// The folder it acts in, for display.
    pub folder: String,
    /// The names selected.
    pub names: Vec<String>,
    /// Where it is.
    pub stage: DeleteStage,
    /// Each path that could not be deleted.
    pub failures: Vec<OpFailure>,
}

/// The permissions dialog: one remote entry, its mode as bits and as text
/// kept in step.
#[derive(Debug, Clone)]
pub struct ChmodDialog {
    /// The entries' paths, as the server's bytes, each with whether it is
    /// a folder.
    pub targets: Vec<(Vec<u8>, bool)>,
    /// The first entry's name, for display.
    pub name: String,
    /// An entry is a folder (the recursion choices show).
    pub is_folder: bool,
    /// The entries' listed modes differ: all get the one chosen.
    pub mixed: bool,
    /// The mode's permission bits (`0o755`).
    pub mode: u32,
    /// The numeric field as typed.
    pub text: String,
    /// Recurse into subfolders.
    pub recurse: bool,
    /// Which entries a recursion changes.
    pub filter: ChmodFilter,
    /// The job running now.
    pub job: Option<JobId>,
    /// The last result, as a sentence.
    pub result: Option<String>,
}

impl ChmodDialog {
    /// Sets the mode from the checkboxes and writes the numeric field.
    pub fn set_mode(&mut self, mode: u32) {
        self.mode = mode & 0o7777;
        self.text = format!("{:03o}", self.mode);
    }

    /// Reads the numeric field; the checkboxes follow a valid one.
    pub fn typed(&mut self) {
        if let Some(mode) = parse_mode(&self.text) {
            self.mode = mode;
        }
    }
}

/// An octal mode as typed (`640`, `0755`); `None` for anything else.
pub fn parse_mode(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    u32::from_str_radix(text, 8).ok()
}

/// The mode bits of a listing's permissions (`drwxr-x---`, `rw-r--r--`):
/// the last nine characters; `None` when they are not `rwx` letters.
pub fn mode_of_listing(permissions: &str) -> Option<u32> {
    let chars: Vec<char> = permissions.chars().collect();
    let last = chars.get(chars.len().checked_sub(9)?..)?;
    let mut mode = 0;
    for (i, c) in last.iter().enumerate() {
        let bit = 1 << (8 - i);
        let want = ['r', 'w', 'x'][i % 3];
        match c {
            '-' => {}
            c if *c == want => mode |= bit,
            // setuid, setgid, sticky with execute.
            's' | 't' if i % 3 == 2 => mode |= bit,
            'S' | 'T' if i % 3 == 2 => {}
            _ => return None,
        }
    }
    Some(mode)
}

/// At most this many search results are kept: a search of a huge tree
/// must not fill the memory (the rest are counted, not kept).
pub const MAX_RESULTS: usize = 100_000;

/// The Search remote files window.
#[derive(Debug, Clone, Default)]
pub struct SearchWindow {
    /// The folder searched from, as the server's bytes.
    pub root: Vec<u8>,
    /// The same, for display.
    pub root_display: String,
    /// The name condition as typed (empty: any name).
    pub pattern: String,
    /// The pattern is a glob (`*.log`) rather than text the name contains.
    pub glob: bool,
    /// The minimum size in bytes as typed (empty: any size).
    pub min_size: String,
    /// Modified after this day, `YYYY-MM-DD` as typed (empty: any time).
    pub newer: String,
    /// The search running now.
    pub job: Option<JobId>,
    /// Folders listed by the search.
    pub listed: u64,
    /// Matches as they came, at most [`MAX_RESULTS`].
    pub results: Vec<Found>,
    /// Matches beyond [`MAX_RESULTS`], counted only.
    pub dropped: u64,
    /// Which results are selected.
    pub selected: Vec<bool>,
    /// The last outcome or error, as a sentence.
    pub status: Option<String>,
}

/// What the remote operations' dialogs report.
#[derive(Debug, Clone)]
pub enum OpsMsg {
    /// Delete what was planned.
    ConfirmDelete,
    /// Stop the delete (or its plan).
    CancelDelete,
    /// Close the delete's report.
    CloseDelete,
    /// Send the typed command.
    SendQuote(String),
    /// Close the custom command dialog.
    CloseQuote,
    /// Apply the permissions dialog.
    ApplyChmod,
    /// Close the permissions dialog.
    CloseChmod,
    /// Start a search with the window's conditions.
    StartSearch,
    /// Stop the running search.
    StopSearch,
    /// Close the search window (stopping its search).
    CloseSearch,
    /// Queue the selected results for download into the local folder.
    DownloadFound,
    /// Show the folder of the result at this index in the remote pane.
    OpenFoundFolder(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_permissions_give_the_mode() {
        for (text, mode) in [
            ("drwxr-xr-x", Some(0o755)),
            ("-rw-r-----", Some(0o640)),
            ("rw-r--r--", Some(0o644)),
            ("lrwxrwxrwx", Some(0o777)),
            ("drwxr-sr-t", Some(0o755)),
            ("", None),
            ("0644", None),
            ("adfr", None),
        ] {
            assert_eq!(mode_of_listing(text), mode, "{text}");
        }
    }

    #[test]
    fn typed_modes_are_octal() {
        assert_eq!(parse_mode("640"), Some(0o640));
        assert_eq!(parse_mode(" 0755 "), Some(0o755));
        assert_eq!(parse_mode("789"), None);
        assert_eq!(parse_mode(""), None);
        assert_eq!(parse_mode("12345"), None);
    }
}
