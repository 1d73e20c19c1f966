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
use tokio_util::sync::CancellationToken;

use super::config::{Protocol, SessionConfig};
use super::disk::Folder;
use super::error::{EngineError, Result};
use super::event::{Event, EventSink, LogKind};
use super::policy::{Decision, ExistsPolicy, FileFacts, decide};
use super::session::Session;
use super::transfer_spec::Transfer;
use crate::protocol::TransferType;

mod upload;

pub use upload::{upload_file, upload_file_with};

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
    /// The target exists and [`FileMode::ask`] was set: nothing was moved.
    Exists {
        /// The source's size and time.
        source: FileFacts,
        /// The existing target's size and time.
        target: FileFacts,
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
    /// The destination of the folder download these files belong to: each
    /// file's folder is opened beneath it ([`super::disk::Folder`]), so no
    /// link, there before or swapped in during the transfer, carries a write
    /// outside it. `None` for a file the user aimed at directly.
    pub within: Option<PathBuf>,
}

/// The suffix of partial downloads. Skiff's own, so a server's real
/// `x.part` is never mistaken for the partial download of `x`.
pub const PART_SUFFIX: &str = ".skiffpart";

/// The partial-download file beside a download target.
pub fn part_path(target: &Path) -> PathBuf {
    target.with_file_name(part_name(target.file_name().unwrap_or_default()))
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
        settings.events.send(Event::Retrying {
            reason: error.to_string(),
            delay: settings.retry.delay,
        });
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
    download_file_with(
        slot,
        settings,
        remote,
        remote_facts,
        target,
        FileMode::default(),
    )
    .await
}

/// How one file of a queue is moved, beyond the job's [`TransferSettings`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileMode {
    /// `TYPE A`: the server converts line endings, so the byte count differs
    /// from the listed size: such a transfer is never resumed (it starts over)
    /// and its size is not checked byte for byte.
    pub ascii: bool,
    /// The target's folder was created by this job a moment ago, so neither
    /// the target nor a partial file can exist: no `stat` is spent on them.
    pub fresh_target: bool,
    /// An existing target is not decided by the policy but reported as
    /// [`FileOutcome::Exists`], for the user to answer.
    pub ask: bool,
    /// The target's folder is on a local disk: a small file (up to
    /// `disk::INLINE_STORE_MAX`) is written on the worker's own thread,
    /// while it waits for the server on the next file, rather than handed
    /// to the blocking pool.
    pub local_disk: bool,
    /// An upload goes to a temporary name beside the target (the target's
    /// name and [`PART_SUFFIX`]) and is renamed over the target once it has
    /// arrived whole: a dropped connection leaves the target as it was.
    /// View/Edit sets it; a site's `atomic_uploads` sets it for every upload.
    pub atomic: bool,
}

/// Text files (ASCII mode) up to this size are converted in memory; larger
/// ones are moved as binary.
pub const ASCII_MAX: u64 = 16 * 1024 * 1024;

/// ASCII mode's network form (CRLF) to this system's line endings.
fn from_network_text(bytes: &[u8]) -> Vec<u8> {
    if cfg!(windows) {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// This system's line endings to ASCII mode's network form (CRLF): a bare
/// LF becomes CRLF, an existing CRLF stays.
fn to_network_text(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Files up to this size (known from the listing) are gathered in memory and
/// written with one blocking call (create, write, set the time, rename): a
/// small file then costs one thread hop instead of about eight.
pub const SMALL_FILE: u64 = 1024 * 1024;

/// Runs `work` on the blocking pool: std::fs calls grouped in one hop.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| EngineError::Local {
            path: PathBuf::new(),
            source: std::io::Error::other(e.to_string()),
        })
}

fn std_local_facts(path: &Path) -> Option<FileFacts> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()
        .map(|t| chrono::DateTime::<chrono::Utc>::from(t).naive_utc());
    Some(FileFacts {
        size: Some(meta.len()),
        modified,
    })
}

fn free_name_blocking(target: &Path) -> PathBuf {
    for n in 1u32.. {
        let candidate = numbered(target, n);
        if std::fs::symlink_metadata(&candidate).is_err()
            && std::fs::symlink_metadata(part_path(&candidate)).is_err()
        {
            return candidate;
        }
    }
    target.to_path_buf()
}

fn system_time(modified: chrono::NaiveDateTime) -> Option<std::time::SystemTime> {
    let secs = u64::try_from(modified.and_utc().timestamp()).ok()?;
    Some(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

/// [`download_file`] with a [`FileMode`].
pub async fn download_file_with(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    remote: &[u8],
    remote_facts: Option<FileFacts>,
    target: &Path,
    mode: FileMode,
) -> Result<FileOutcome> {
    download_file_deferred(slot, settings, remote, remote_facts, target, mode, None).await
}

/// Writing a small download to disk, not yet done.
#[derive(Debug)]
pub(crate) struct PendingStore {
    work: StoreWork,
    target: PathBuf,
}

/// Where a pending store runs.
enum StoreWork {
    /// On the blocking pool, already started.
    Spawned(tokio::task::JoinHandle<std::io::Result<()>>),
    /// Not started: the caller runs it on its own thread while it waits
    /// for something else (a very small file on a local disk, see
    /// [`FileMode::local_disk`]): no hand-off to another thread.
    Held(Box<dyn FnOnce() -> std::io::Result<()> + Send>),
}

impl std::fmt::Debug for StoreWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreWork::Spawned(_) => "Spawned",
            StoreWork::Held(_) => "Held",
        })
    }
}

/// What a store on the blocking pool ended with.
pub(crate) type Joined = std::result::Result<std::io::Result<()>, tokio::task::JoinError>;

impl PendingStore {
    /// Whether the store waits for its caller to run it ([`PendingStore::wait`]).
    pub(crate) fn is_held(&self) -> bool {
        matches!(self.work, StoreWork::Held(_))
    }

    /// Waits until the file is in place; a held store runs now, on this
    /// thread (blocking, briefly: a small file on a local disk). Its error
    /// if it could not be.
    pub(crate) async fn wait(self) -> Result<()> {
        let joined = match self.work {
            StoreWork::Held(store) => Ok(store()),
            StoreWork::Spawned(handle) => handle.await,
        };
        settled(self.target, joined)
    }

    /// Waits for a store on the blocking pool to end without consuming it
    /// (cancel-safe, for `select!`); [`PendingStore::settle`] then gives the
    /// result. A held store never ends this way: wait for it.
    pub(crate) async fn joined(&mut self) -> Joined {
        match &mut self.work {
            StoreWork::Spawned(handle) => handle.await,
            StoreWork::Held(_) => std::future::pending().await,
        }
    }

    /// The result of an ended store, as [`PendingStore::joined`] gave it.
    pub(crate) fn settle(self, joined: Joined) -> Result<()> {
        settled(self.target, joined)
    }
}

/// A store of `target` that ended with `joined`, as the engine's result.
fn settled(target: PathBuf, joined: Joined) -> Result<()> {
    match joined {
        Ok(stored) => stored.map_err(|source| EngineError::Local {
            path: target,
            source,
        }),
        Err(e) => Err(EngineError::Internal(format!(
            "storing {}: {e}",
            target.display()
        ))),
    }
}

/// [`download_file_with`], the queue's one path for downloads. With `defer`,
/// a small file's bytes are handed to the blocking pool to be stored and the
/// call returns without waiting for the disk: the store is left in `defer`,
/// and `Done` means "received" until the caller has waited for it. The
/// worker meanwhile starts its next file, so the network and the disk
/// overlap even on one connection. A very small file whose folder is on a
/// local disk ([`FileMode::local_disk`]) is not handed to another thread:
/// its store is held in `defer` for the caller to run on its own thread
/// while it waits for the server on its next file.
pub(crate) async fn download_file_deferred(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    remote: &[u8],
    remote_facts: Option<FileFacts>,
    target: &Path,
    mode: FileMode,
    defer: Option<&mut Option<PendingStore>>,
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
    let mut mode = mode;
    // Text is converted in memory; a text file too large for that (or of
    // unknown size) goes as binary, and so does everything over SFTP,
    // which has no text mode.
    mode.ascii = mode.ascii && text_mode(settings) && facts.size.is_some_and(|s| s <= ASCII_MAX);
    let expected = if mode.ascii { None } else { facts.size };
    let mut target = target.to_path_buf();
    // One blocking call for both: is there a target, is there a partial file?
    let (existing, part_len) = if mode.fresh_target {
        (None, 0)
    } else {
        let probe = target.clone();
        blocking(move || {
            let part = std::fs::metadata(part_path(&probe)).map_or(0, |m| m.len());
            (std_local_facts(&probe), part)
        })
        .await?
    };
    let mut resuming = part_len > 0 && !mode.ascii;
    // Known not to exist: it can be created whole rather than renamed into place.
    let mut absent = existing.is_none();
    if let Some(existing) = existing {
        let shown = || format!("{} exists", target.display());
        let decision = match settle_existing(settings, mode, facts, existing, shown) {
            Ok(decision) => decision,
            Err(outcome) => return Ok(outcome),
        };
        match decision {
            // A skip ended the item above.
            Decision::Skip | Decision::Replace => {}
            Decision::Rename => {
                let probe = target.clone();
                target = blocking(move || free_name_blocking(&probe)).await?;
                resuming = false;
                absent = true;
            }
            Decision::Resume(_) => {
                // Continue the existing file: it becomes the partial download.
                let (from, to) = (target.clone(), part_path(&target));
                let within = settings.within.clone();
                blocking(move || rename_in(&from, &to, within.as_deref()))
                    .await?
                    .map_err(local_error(&target))?;
                resuming = true;
            }
        }
    }
    let small = facts.size.is_some_and(|size| size <= SMALL_FILE) || mode.ascii;
    if small && (!resuming || mode.ascii) {
        let how = SmallFile {
            mode,
            absent,
            expected,
        };
        return download_small(slot, settings, remote, facts, &target, how, defer).await;
    }
    let kind = transfer_type(mode);
    let part = part_path(&target);
    let remote_name = String::from_utf8_lossy(remote).into_owned();
    // A converted (ASCII) file cannot be continued: its byte count is not the server's.
    let mut resume_ok = !mode.ascii;
    let mut retrier = Retrier::default();
    let bytes = loop {
        let before = fs::metadata(&part).await.map(|m| m.len()).unwrap_or(0);
        let result = download_attempt(
            slot,
            settings,
            kind,
            remote,
            expected,
            &part,
            &mut resume_ok,
        )
        .await;
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
    let (placed, within) = (target.clone(), settings.within.clone());
    let modified = facts.modified.filter(|_| settings.preserve_times);
    blocking(move || {
        rename_in(&part, &placed, within.as_deref())?;
        if let Some(modified) = modified {
            set_mtime(&placed, within.as_deref(), modified);
        }
        Ok(())
    })
    .await?
    .map_err(local_error(&target))?;
    Ok(FileOutcome::Done { bytes })
}

/// The overwrite question for an existing target, one answer for both
/// directions: `Err` ends the item here (the user is asked, or the policy
/// skips it, `skipped` saying what exists), `Ok` is the decision to carry out
/// (rename, replace or resume; never `Skip`).
fn settle_existing(
    settings: &TransferSettings,
    mode: FileMode,
    source: FileFacts,
    target: FileFacts,
    skipped: impl FnOnce() -> String,
) -> std::result::Result<Decision, FileOutcome> {
    if mode.ask {
        return Err(FileOutcome::Exists { source, target });
    }
    match decide(settings.exists, source, target) {
        Decision::Skip => Err(FileOutcome::Skipped { reason: skipped() }),
        decision => Ok(decision),
    }
}

/// Whether the site's protocol has a text mode (FTP's `TYPE A`; SFTP
/// version 3 moves bytes as they are).
fn text_mode(settings: &TransferSettings) -> bool {
    settings.session.protocol == Protocol::Ftp
}

fn transfer_type(mode: FileMode) -> TransferType {
    if mode.ascii {
        TransferType::Ascii
    } else {
        TransferType::Binary
    }
}

/// How a small file is fetched and stored.
#[derive(Debug, Clone, Copy)]
struct SmallFile {
    mode: FileMode,
    /// The target is known not to exist (no file there, or a fresh name).
    absent: bool,
    /// The size the file must have, when known and checkable.
    expected: Option<u64>,
}

/// A small file: received into memory, then created, written, given its
/// time and put in place in one blocking call: linked in whole where the
/// target is absent and the system allows ([`super::disk::create_whole`]),
/// else renamed from a partial file. Nothing reaches the disk before every
/// byte arrived, so a failure leaves no partial file to resume (there is
/// little to resume), and the target is never half written.
async fn download_small(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    remote: &[u8],
    facts: FileFacts,
    target: &Path,
    how: SmallFile,
    defer: Option<&mut Option<PendingStore>>,
) -> Result<FileOutcome> {
    let mode = how.mode;
    let expected = how.expected;
    let kind = transfer_type(mode);
    let remote_name = String::from_utf8_lossy(remote).into_owned();
    let capacity = facts.size.unwrap_or(0).min(SMALL_FILE) as usize;
    let mut buf: Vec<u8> = Vec::with_capacity(capacity);
    let mut retrier = Retrier::default();
    // As on disk: a failure after bytes arrived resumes with REST from what
    // is held (binary only; converted text starts over).
    let mut resume_ok = !mode.ascii;
    let bytes = loop {
        if !resume_ok {
            buf.clear();
        }
        let held = buf.len();
        let result = async {
            let session = ensure_session(slot, settings).await?;
            let transfer = Transfer::new(kind, remote).with_size(expected);
            session
                .download(transfer, held as u64, &mut buf, &settings.cancel)
                .await
        }
        .await;
        match result {
            Ok(got) => break got,
            Err(EngineError::Refused { command, code, .. })
                if command.starts_with("REST") && code >= 500 =>
            {
                resume_ok = false;
                let error =
                    EngineError::DataChannel("the server refused to resume (REST)".to_string());
                retrier
                    .failed(slot, settings, &remote_name, error, false)
                    .await?
            }
            Err(e) => {
                let progressed = buf.len() > held;
                retrier
                    .failed(slot, settings, &remote_name, e, progressed)
                    .await?
            }
        }
    };
    if mode.ascii {
        buf = from_network_text(&buf);
    }
    let mtime = facts
        .modified
        .filter(|_| settings.preserve_times)
        .and_then(system_time);
    let target = target.to_path_buf();
    let written = target.clone();
    let absent = how.absent;
    let inline = mode.local_disk && buf.len() <= super::disk::INLINE_STORE_MAX;
    let within = settings.within.clone();
    let store = move || -> std::io::Result<()> {
        use std::io::Write;
        let (dir, name) = split(&target)?;
        let folder = Folder::open(dir, within.as_deref())?;
        if absent {
            match folder.create_whole(name, &buf, mtime) {
                Ok(true) => return Ok(()),
                // Not possible here, or a file appeared meanwhile: the usual way.
                Ok(false) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        let part = part_name(name);
        let placed = (|| {
            let mut file = folder.open_file(&part, true)?;
            file.write_all(&buf)?;
            if let Some(time) = mtime {
                // Best effort, as for large files.
                let _ = file.set_modified(time);
            }
            drop(file);
            folder.rename(&part, name)
        })();
        if placed.is_err() {
            // Whole or not, it is not worth resuming: nothing is left behind.
            let _ = folder.remove(&part);
        }
        placed
    };
    match defer {
        Some(slot) => {
            let work = if inline {
                StoreWork::Held(Box::new(store))
            } else {
                StoreWork::Spawned(tokio::task::spawn_blocking(store))
            };
            *slot = Some(PendingStore {
                work,
                target: written,
            });
        }
        None => blocking(store).await?.map_err(local_error(&written))?,
    }
    Ok(FileOutcome::Done { bytes })
}

/// One try at a download into `part`, resuming from its size when allowed.
async fn download_attempt(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    kind: TransferType,
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
    let opened = part.to_path_buf();
    let within = settings.within.clone();
    let file = blocking(move || -> std::io::Result<std::fs::File> {
        use std::io::Seek;
        let (dir, name) = split(&opened)?;
        let mut file = Folder::open(dir, within.as_deref())?.open_file(name, offset == 0)?;
        if offset > 0 {
            file.set_len(offset)?;
            file.seek(std::io::SeekFrom::Start(offset))?;
        }
        Ok(file)
    })
    .await?
    .map_err(local_error(part))?;
    let result = session
        .download_to_file(
            Transfer::new(kind, remote).with_size(size),
            offset,
            file,
            &settings.cancel,
        )
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

/// Gives a downloaded file the remote modification time (best effort),
/// through its folder opened beneath `within`. Blocking.
fn set_mtime(path: &Path, within: Option<&Path>, modified: chrono::NaiveDateTime) {
    let Ok(offset) = u64::try_from(modified.and_utc().timestamp()) else {
        return;
    };
    let time = std::time::UNIX_EPOCH + Duration::from_secs(offset);
    let opened =
        split(path).and_then(|(dir, name)| Folder::open(dir, within)?.open_file(name, false));
    if let Ok(file) = opened {
        let _ = file.set_modified(time);
    }
}

/// `path`'s folder (`.` for a bare name) and file name.
fn split(path: &Path) -> std::io::Result<(&Path, &std::ffi::OsStr)> {
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a file name: {}", path.display()),
        )
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    Ok((dir, name))
}

/// The partial download's name for the file `name`.
fn part_name(name: &std::ffi::OsStr) -> std::ffi::OsString {
    let mut part = name.to_os_string();
    part.push(PART_SUFFIX);
    part
}

/// Renames `from` to `to` in one folder, opened beneath `within`. Blocking.
fn rename_in(from: &Path, to: &Path, within: Option<&Path>) -> std::io::Result<()> {
    let (dir, from) = split(from)?;
    let (_, to) = split(to)?;
    Folder::open(dir, within)?.rename(from, to)
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
