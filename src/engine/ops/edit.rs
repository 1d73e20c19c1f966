//! View/Edit's remote side: a file fetched for editing together with what
//! the server had when it was fetched (its [`RemoteBaseline`]), and the
//! edited file uploaded back only while the server's copy is still that one.
//!
//! The upload always goes to a temporary name and is renamed over the
//! original once it has arrived whole ([`FileMode::atomic`]), so a dropped
//! connection never leaves a cut-off file under the real name. The check
//! and the upload run on one connection, one after the other: the window
//! between them is one command's time, not the minutes a user spends in an
//! editor.
//!
//! Must not decide what a front end shows or asks: a changed server copy is
//! [`EngineError::RemoteChanged`], and the caller offers the choice.

use std::path::Path;

use crate::engine::error::{EngineError, Result};
use crate::engine::policy::{ExistsPolicy, FileFacts};
use crate::engine::session::Session;
use crate::engine::transfer::{
    FileMode, FileOutcome, TransferSettings, download_file_with, ensure_session, upload_file_with,
};
use crate::protocol::HashCommand;

/// Files up to this size get a server checksum in their baseline when the
/// server offers one; a larger file's digest could take the server longer
/// than the control connection's timeout.
pub const CHECKSUM_MAX: u64 = 64 * 1024 * 1024;

/// What the server had of a file at one moment: its size and time, and its
/// checksum when the server computes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteBaseline {
    /// `SIZE`, when the server answers it.
    pub size: Option<u64>,
    /// `MDTM` (UTC), when the server answers it.
    pub modified: Option<chrono::NaiveDateTime>,
    /// The server's digest (`HASH`, `XSHA256`…), for files up to
    /// [`CHECKSUM_MAX`] on servers that offer one.
    pub checksum: Option<(HashCommand, String)>,
}

impl RemoteBaseline {
    /// The server's facts of `path` now; `None` when the file is not there.
    pub async fn read(session: &mut Session, path: &[u8]) -> Result<Option<Self>> {
        let Some(size) = session.size(path).await? else {
            return Ok(None);
        };
        let modified = session.mdtm(path).await?;
        let checksum = if size <= CHECKSUM_MAX {
            session.checksum(path).await?
        } else {
            None
        };
        Ok(Some(Self {
            size: Some(size),
            modified,
            checksum,
        }))
    }

    /// Whether `now` is still the file this baseline describes: every fact
    /// both know is equal (a checksum only counts when both were made by
    /// the same command). Facts neither side knows cannot show a change.
    pub fn is_same_file(&self, now: &Self) -> bool {
        let size = match (self.size, now.size) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let time = match (self.modified, now.modified) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let digest = match (&self.checksum, &now.checksum) {
            (Some((how_a, a)), Some((how_b, b))) if how_a == how_b => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        size && time && digest
    }

    /// The size and time as the overwrite policy's facts.
    fn facts(&self) -> FileFacts {
        FileFacts {
            size: self.size,
            modified: self.modified,
        }
    }
}

/// Downloads `remote` to `target` (a private folder's file: it is replaced)
/// and returns the server's baseline of what was fetched. When the file
/// changes on the server while it is fetched, it is fetched again (three
/// times at most), so the baseline always describes the bytes on disk.
pub async fn fetch(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    remote: &[u8],
    target: &Path,
) -> Result<RemoteBaseline> {
    let display = String::from_utf8_lossy(remote).into_owned();
    if let Some(folder) = target.parent() {
        private_folder(folder).await?;
    }
    let settings = TransferSettings {
        exists: ExistsPolicy::Overwrite,
        ..settings.clone()
    };
    let mut last_error = None;
    for _ in 0..3 {
        let session = ensure_session(slot, &settings).await?;
        let Some(before) = RemoteBaseline::read(session, remote).await? else {
            return Err(EngineError::NotFound(display));
        };
        match download_file_with(
            slot,
            &settings,
            remote,
            Some(before.facts()),
            target,
            FileMode::default(),
        )
        .await?
        {
            FileOutcome::Done { .. } => {}
            _ => return Err(EngineError::Internal(format!("{display} was not fetched"))),
        }
        let session = ensure_session(slot, &settings).await?;
        match RemoteBaseline::read(session, remote).await? {
            Some(after) if before.is_same_file(&after) => return Ok(before),
            _ => last_error = Some(EngineError::RemoteChanged(display.clone())),
        }
    }
    Err(last_error.unwrap_or(EngineError::RemoteChanged(display)))
}

/// Makes `folder` and its missing parents readable by this user alone
/// (mode 0700 on Unix): what is being edited may be private.
async fn private_folder(folder: &Path) -> Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder
        .create(folder)
        .await
        .map_err(|source| EngineError::Local {
            path: folder.to_path_buf(),
            source,
        })
}

/// Uploads the edited `source` over `remote`, atomically, when the server's
/// copy is still `expected` (`None`: the user chose to overwrite whatever is
/// there). Returns the baseline of what is on the server afterwards, for the
/// next save's check. A changed or vanished server copy is
/// [`EngineError::RemoteChanged`] and nothing is sent.
pub async fn upload_edited(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    source: &Path,
    remote: &[u8],
    expected: Option<&RemoteBaseline>,
) -> Result<RemoteBaseline> {
    let display = String::from_utf8_lossy(remote).into_owned();
    let settings = TransferSettings {
        exists: ExistsPolicy::Overwrite,
        ..settings.clone()
    };
    let session = ensure_session(slot, &settings).await?;
    let now = RemoteBaseline::read(session, remote).await?;
    if let Some(expected) = expected {
        match &now {
            Some(now) if expected.is_same_file(now) => {}
            _ => return Err(EngineError::RemoteChanged(display)),
        }
    }
    let mode = FileMode {
        atomic: true,
        ..FileMode::default()
    };
    let facts = now.as_ref().map(RemoteBaseline::facts);
    match upload_file_with(slot, &settings, source, remote, Some(facts), mode).await? {
        FileOutcome::Done { .. } => {}
        _ => return Err(EngineError::Internal(format!("{display} was not uploaded"))),
    }
    let session = ensure_session(slot, &settings).await?;
    RemoteBaseline::read(session, remote)
        .await?
        .ok_or(EngineError::NotFound(display))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::HashAlgorithm;

    fn at(secs: i64) -> Option<chrono::NaiveDateTime> {
        chrono::DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc())
    }

    fn baseline(size: u64, secs: i64, digest: Option<&str>) -> RemoteBaseline {
        RemoteBaseline {
            size: Some(size),
            modified: at(secs),
            checksum: digest.map(|d| (HashCommand::Hash(HashAlgorithm::Sha256), d.to_string())),
        }
    }

    #[test]
    fn any_known_fact_that_differs_is_a_changed_file() {
        let opened = baseline(10, 1_000, Some("ab"));
        assert!(opened.is_same_file(&baseline(10, 1_000, Some("AB"))));
        assert!(
            !opened.is_same_file(&baseline(11, 1_000, Some("ab"))),
            "size"
        );
        assert!(
            !opened.is_same_file(&baseline(10, 1_060, Some("ab"))),
            "time"
        );
        // Same size in the same second: only the digest tells.
        assert!(
            !opened.is_same_file(&baseline(10, 1_000, Some("cd"))),
            "digest"
        );
        // A digest made by another command cannot be compared.
        let other = RemoteBaseline {
            checksum: Some((HashCommand::X(HashAlgorithm::Md5), "cd".into())),
            ..baseline(10, 1_000, None)
        };
        assert!(opened.is_same_file(&other));
        // A server without MDTM still has sizes.
        let untimed = RemoteBaseline {
            modified: None,
            ..baseline(10, 0, None)
        };
        assert!(untimed.is_same_file(&baseline(10, 5, None)));
        assert!(!untimed.is_same_file(&baseline(12, 5, None)));
    }
}
