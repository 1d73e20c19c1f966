//! One file, transferred to completion: overwrite policy, retries, resume.
//!
//! Downloads go to `<name>.skiffpart` beside the target and are renamed into place
//! only when every byte arrived, so a half file never takes a finished file's
//! name and an existing file is only replaced by a complete new one. A failed
//! download leaves its `.skiffpart` behind; the next attempt (a retry now, or a
//! later run) resumes from its size with `REST`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::fs;
use tokio::io::AsyncSeekExt;
use tokio_util::sync::CancellationToken;

use super::config::SessionConfig;
use super::error::{EngineError, Result};
use super::event::{EventSink, LogKind};
use super::policy::{Decision, ExistsPolicy, FileFacts, decide};
use super::session::{Session, UploadStart};

/// How failures are retried (FileZilla: 2 retries, 5 s apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after a failure that made no progress.
    pub retries: u32,
    /// Pause before each retry.
    pub delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: 2,
            delay: Duration::from_secs(5),
        }
    }
}

/// A failure that moved bytes does not use up a retry, but a transfer that
/// keeps failing after progress still ends after this many attempts.
const MAX_ATTEMPTS: u32 = 100;

/// How one file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// Transferred; the number of bytes moved in this run (a resumed prefix excluded).
    Done {
        /// Bytes moved.
        bytes: u64,
    },
    /// Left alone because of the overwrite policy.
    Skipped {
        /// Why, for the user.
        reason: String,
    },
}

/// Settings shared by every file of one job.
#[derive(Debug, Clone)]
pub struct TransferSettings {
    /// The site.
    pub session: SessionConfig,
    /// Retries.
    pub retry: RetryPolicy,
    /// What to do with existing targets.
    pub exists: ExistsPolicy,
    /// Where events go.
    pub events: EventSink,
    /// Cancels every transfer of the job.
    pub cancel: CancellationToken,
    /// Give downloaded files the remote modification time (off by default, as in FileZilla).
    pub preserve_times: bool,
}

/// The suffix of partial downloads. Skiff's own, so a server's real
/// `x.part` is never mistaken for the partial download of `x`.
pub const PART_SUFFIX: &str = ".skiffpart";

/// The partial-download file beside a download target.
pub fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(PART_SUFFIX);
    target.with_file_name(name)
}

/// A name beside `target` that does not exist yet: `name (1).ext`, `name (2).ext`...
pub async fn free_name(target: &Path) -> PathBuf {
    for n in 1u32.. {
        let candidate = numbered(target, n);
        if fs::symlink_metadata(&candidate).await.is_err()
            && fs::symlink_metadata(part_path(&candidate)).await.is_err()
        {
            return candidate;
        }
    }
    target.to_path_buf()
}

fn local_error(path: &Path) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Local {
        path: path.to_path_buf(),
        source,
    }
}

async fn local_facts(path: &Path) -> Option<FileFacts> {
    let meta = fs::metadata(path).await.ok()?;
    let modified = meta
        .modified()
        .ok()
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).naive_utc());
    Some(FileFacts {
        size: Some(meta.len()),
        modified,
    })
}

/// Makes sure `slot` holds a live session, connecting when it is empty.
pub async fn ensure_session<'a>(
    slot: &'a mut Option<Session>,
    settings: &TransferSettings,
) -> Result<&'a mut Session> {
    if slot.is_none() {
        *slot = Some(Session::connect(settings.session.clone(), settings.events.clone()).await?);
    }
    slot.as_mut().ok_or(EngineError::Closed)
}

/// Counts failures and decides whether to try again. A failure that moved
/// bytes does not use up a retry; a broken connection is dropped from the slot.
#[derive(Debug, Default)]
struct Retrier {
    failures: u32,
    attempts: u32,
}

impl Retrier {
    /// Returns the error when it is final, or waits the retry delay and returns `Ok`.
    async fn failed(
        &mut self,
        slot: &mut Option<Session>,
        settings: &TransferSettings,
        what: &str,
        error: EngineError,
        progressed: bool,
    ) -> Result<()> {
        self.attempts += 1;
        if !error.keeps_connection() {
            slot.take();
        }
        if !error.is_transient() || settings.cancel.is_cancelled() {
            return Err(error);
        }
        if !progressed {
            self.failures += 1;
        }
        if self.failures > settings.retry.retries || self.attempts >= MAX_ATTEMPTS {
            return Err(error);
        }
        settings.events.log(
            0,
            LogKind::Warning,
            format!(
                "{error}; retrying {what} in {} s{}",
                settings.retry.delay.as_secs_f32(),
                if progressed { " (resuming)" } else { "" }
            ),
        );
        tokio::select! {
            _ = tokio::time::sleep(settings.retry.delay) => Ok(()),
            _ = settings.cancel.cancelled() => Err(EngineError::Cancelled),
        }
    }
}

/// Downloads one remote file to `target`, honouring the overwrite policy,
/// retrying and resuming. `remote_facts` come from a listing when there was
/// one; otherwise SIZE and MDTM are asked.
pub async fn download_file(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    remote: &[u8],
    remote_facts: Option<FileFacts>,
    target: &Path,
) -> Result<FileOutcome> {
    let facts = match remote_facts {
        Some(facts) => facts,
        None => {
            let session = ensure_session(slot, settings).await?;
            FileFacts {
                size: session.size(remote).await?,
                modified: session.mdtm(remote).await?,
            }
        }
    };
    let mut target = target.to_path_buf();
    if let Some(existing) = local_facts(&target).await {
        match decide(settings.exists, facts, existing) {
            Decision::Skip => {
                return Ok(FileOutcome::Skipped {
                    reason: format!("{} exists", target.display()),
                });
            }
            Decision::Rename => target = free_name(&target).await,
            Decision::Replace => {}
            Decision::Resume(_) => {
                // Continue the existing file: it becomes the partial download.
                let part = part_path(&target);
                fs::rename(&target, &part)
                    .await
                    .map_err(local_error(&target))?;
            }
        }
    }
    let part = part_path(&target);
    let remote_name = String::from_utf8_lossy(remote).into_owned();
    let mut resume_ok = true;
    let mut retrier = Retrier::default();
    let bytes = loop {
        let before = fs::metadata(&part).await.map(|m| m.len()).unwrap_or(0);
        let result =
            download_attempt(slot, settings, remote, facts.size, &part, &mut resume_ok).await;
        let after = fs::metadata(&part).await.map(|m| m.len()).unwrap_or(0);
        match result {
            Ok(bytes) => break bytes,
            Err(e) => {
                retrier
                    .failed(slot, settings, &remote_name, e, after > before)
                    .await?
            }
        }
    };
    fs::rename(&part, &target)
        .await
        .map_err(local_error(&target))?;
    if let Some(modified) = facts.modified.filter(|_| settings.preserve_times) {
        set_mtime(&target, modified);
    }
    Ok(FileOutcome::Done { bytes })
}

/// One try at a download into `part`, resuming from its size when allowed.
async fn download_attempt(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    remote: &[u8],
    size: Option<u64>,
    part: &Path,
    resume_ok: &mut bool,
) -> Result<u64> {
    let session = ensure_session(slot, settings).await?;
    let mut offset = match fs::metadata(part).await {
        Ok(meta) if *resume_ok => meta.len(),
        _ => 0,
    };
    if size.is_some_and(|size| offset > size) {
        offset = 0;
    }
    let mut file = fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(offset == 0)
        .open(part)
        .await
        .map_err(local_error(part))?;
    if offset > 0 {
        file.set_len(offset).await.map_err(local_error(part))?;
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(local_error(part))?;
    }
    let result = session
        .download(remote, &mut file, offset, size, &settings.cancel)
        .await;
    match result {
        Err(EngineError::Refused {
            ref command, code, ..
        }) if command.starts_with("REST") && code >= 500 => {
            // No resume on this server: the next attempt starts over.
            *resume_ok = false;
            Err(EngineError::DataChannel(
                "the server refused to resume (REST)".to_string(),
            ))
        }
        Err(EngineError::Local { source, .. }) => Err(EngineError::Local {
            path: part.to_path_buf(),
            source,
        }),
        other => other,
    }
}

/// Gives a downloaded file the remote modification time (best effort).
fn set_mtime(path: &Path, modified: chrono::NaiveDateTime) {
    let Ok(offset) = u64::try_from(modified.and_utc().timestamp()) else {
        return;
    };
    let time = std::time::UNIX_EPOCH + Duration::from_secs(offset);
    if let Ok(file) = std::fs::File::options().write(true).open(path) {
        let _ = file.set_modified(time);
    }
}

/// Uploads one local file to `remote`, honouring the overwrite policy against
/// `remote_facts` (`None`: the remote file does not exist), retrying and
/// resuming with APPE or REST+STOR when the server keeps a partial upload.
pub async fn upload_file(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    source: &Path,
    remote: &[u8],
    remote_facts: Option<FileFacts>,
) -> Result<FileOutcome> {
    let local = local_facts(source)
        .await
        .ok_or_else(|| EngineError::Local {
            path: source.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        })?;
    let mut remote = remote.to_vec();
    let mut start_offset = 0;
    if let Some(existing) = remote_facts {
        match decide(settings.exists, local, existing) {
            Decision::Skip => {
                return Ok(FileOutcome::Skipped {
                    reason: format!("{} exists on the server", String::from_utf8_lossy(&remote)),
                });
            }
            Decision::Rename => {
                let session = ensure_session(slot, settings).await?;
                remote = free_remote_name(session, &remote).await?;
            }
            Decision::Replace => {}
            Decision::Resume(offset) => start_offset = offset,
        }
    }
    let remote_name = String::from_utf8_lossy(&remote).into_owned();
    let mut offset = start_offset;
    let mut retrier = Retrier::default();
    loop {
        let result = upload_attempt(slot, settings, source, &remote, offset, local.size).await;
        let progressed = match &result {
            Ok(_) => return result.map(|bytes| FileOutcome::Done { bytes }),
            Err(EngineError::TransferFailed { got, .. }) => *got > offset,
            // Progress is unknown: count it as a failure, so a dead server ends the retries.
            Err(_) => false,
        };
        let Err(error) = result else { continue };
        retrier
            .failed(slot, settings, &remote_name, error, progressed)
            .await?;
        // After a failure, what the server kept is where the upload resumes.
        offset = match ensure_session(slot, settings).await {
            Ok(session) => session.size(&remote).await.ok().flatten().unwrap_or(0),
            Err(_) => 0,
        };
    }
}

/// One try at an upload from `offset` (0: a fresh STOR).
async fn upload_attempt(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    source: &Path,
    remote: &[u8],
    offset: u64,
    total: Option<u64>,
) -> Result<u64> {
    let session = ensure_session(slot, settings).await?;
    let start = if offset == 0 {
        UploadStart::Fresh
    } else if session.features().rest_stream() {
        UploadStart::Rest(offset)
    } else {
        UploadStart::Append
    };
    let mut file = fs::File::open(source).await.map_err(local_error(source))?;
    if offset > 0 {
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(local_error(source))?;
    }
    session
        .upload(&mut file, remote, start, total, &settings.cancel)
        .await
}

/// A remote name beside `remote` that SIZE says does not exist.
async fn free_remote_name(session: &mut Session, remote: &[u8]) -> Result<Vec<u8>> {
    let text = String::from_utf8_lossy(remote).into_owned();
    let path = Path::new(&text);
    for n in 1u32..1000 {
        let candidate = numbered(path, n).to_string_lossy().into_owned();
        let bytes = session.encode(&candidate)?;
        if session.size(&bytes).await?.is_none() {
            return Ok(bytes);
        }
    }
    Ok(remote.to_vec())
}

/// `name (n).ext` beside `path`: the "keep both" name, locally and remotely.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!("{stem} ({n}){ext}"))
}
