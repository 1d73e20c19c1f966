//! Recursive transfers: a walker lists folders on its own connection and
//! hands files to N workers, each with its own connection, so files start
//! moving before the walk ends.
//!
//! Invariant: a recursive download never writes outside its root. Every
//! remote name is checked with [`crate::names::check_local_name`] before it
//! becomes a path component; unsafe names, links and duplicates are skipped
//! and reported, never followed.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use super::error::{EngineError, Result};
use super::event::LogKind;
use super::policy::FileFacts;
use super::session::Session;
use super::transfer::{
    FileOutcome, PART_SUFFIX, TransferSettings, download_file, ensure_session, upload_file,
};
use crate::names::{Platform, safe_local_name};
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

/// Deepest folder a recursive download enters: a hostile server can invent
/// an endless tree whose paths never repeat, which a visited set cannot stop.
pub const MAX_DEPTH: usize = 100;

/// What a recursive transfer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeReport {
    /// Files transferred.
    pub files: u64,
    /// Bytes moved.
    pub bytes: u64,
    /// Folders created.
    pub folders: u64,
    /// Items left alone, each with the reason.
    pub skipped: Vec<String>,
    /// Items that failed, each with the error.
    pub failed: Vec<String>,
}

impl TreeReport {
    fn merge(&mut self, other: TreeReport) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.folders += other.folders;
        self.skipped.extend(other.skipped);
        self.failed.extend(other.failed);
    }

    fn record(&mut self, name: &str, outcome: Result<FileOutcome>) {
        match outcome {
            Ok(FileOutcome::Done { bytes }) => {
                self.files += 1;
                self.bytes += bytes;
            }
            Ok(FileOutcome::Skipped { reason }) => self.skipped.push(reason),
            Err(e) => self.failed.push(format!("{e}: {name}")),
        }
    }
}

/// One file for a worker.
#[derive(Debug)]
enum Job {
    Download {
        remote: Vec<u8>,
        facts: FileFacts,
        local: PathBuf,
    },
    Upload {
        local: PathBuf,
        remote: Vec<u8>,
        existing: Option<FileFacts>,
    },
}

/// Runs `parallel` workers over the jobs the walker sends, and the walker.
async fn run_with_workers<W>(
    settings: &TransferSettings,
    parallel: usize,
    walk: W,
) -> Result<TreeReport>
where
    W: AsyncFnOnce(mpsc::Sender<Job>) -> Result<TreeReport>,
{
    let (tx, rx) = mpsc::channel::<Job>(1024);
    let rx = Arc::new(Mutex::new(rx));
    let mut workers = Vec::new();
    for _ in 0..parallel.clamp(1, 32) {
        let rx = Arc::clone(&rx);
        let settings = settings.clone();
        workers.push(tokio::spawn(async move {
            let mut slot: Option<Session> = None;
            let mut report = TreeReport::default();
            loop {
                let job = rx.lock().await.recv().await;
                let Some(job) = job else { break };
                match job {
                    Job::Download {
                        remote,
                        facts,
                        local,
                    } => {
                        let outcome =
                            download_file(&mut slot, &settings, &remote, Some(facts), &local).await;
                        report.record(&String::from_utf8_lossy(&remote), outcome);
                    }
                    Job::Upload {
                        local,
                        remote,
                        existing,
                    } => {
                        let outcome =
                            upload_file(&mut slot, &settings, &local, &remote, existing).await;
                        report.record(&local.display().to_string(), outcome);
                    }
                }
            }
            if let Some(session) = slot {
                session.quit().await;
            }
            report
        }));
    }
    let walked = walk(tx).await;
    let mut report = TreeReport::default();
    for worker in workers {
        match worker.await {
            Ok(r) => report.merge(r),
            Err(e) => report.failed.push(format!("worker stopped: {e}")),
        }
    }
    report.merge(walked?);
    Ok(report)
}

/// Copies the remote folder `remote_root` into the local folder `local_root`
/// (created if missing), with `parallel` transfer connections.
pub async fn download_tree(
    settings: &TransferSettings,
    remote_root: &[u8],
    local_root: &Path,
    parallel: usize,
) -> Result<TreeReport> {
    let remote_root = remote_root.to_vec();
    let local_root = local_root.to_path_buf();
    run_with_workers(settings, parallel, async move |tx| {
        let mut report = TreeReport::default();
        let mut slot: Option<Session> = None;
        let mut visited: HashSet<Vec<u8>> = HashSet::new();
        let mut queue: VecDeque<(Vec<u8>, PathBuf, usize)> = VecDeque::new();
        queue.push_back((remote_root, local_root, 0));
        while let Some((remote_dir, local_dir, depth)) = queue.pop_front() {
            if settings.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            if !visited.insert(remote_dir.clone()) {
                continue;
            }
            tokio::fs::create_dir_all(&local_dir)
                .await
                .map_err(|source| EngineError::Local {
                    path: local_dir.clone(),
                    source,
                })?;
            report.folders += 1;
            let session = ensure_session(&mut slot, settings).await?;
            let listing = match session.list(Some(&remote_dir)).await {
                Ok(listing) => listing,
                Err(e) if e.keeps_connection() => {
                    report
                        .failed
                        .push(format!("{e}: {}", session.decode(&remote_dir)));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut seen: HashSet<String> = HashSet::new();
            for item in listing.entries {
                let shown = format!("{}/{}", session.decode(&remote_dir), item.name);
                let local_name = match safe_local_name(&item.name, Platform::current()) {
                    Ok(name) => name,
                    Err(why) => {
                        settings.events.log(
                            session.conn_id(),
                            LogKind::Warning,
                            format!("Skipped: {why}: {shown:?}"),
                        );
                        report.skipped.push(format!("{why}: {shown:?}"));
                        continue;
                    }
                };
                // Two entries that map to one local name (a link and a folder both
                // called "x", or "a:b" and "a_b" on Windows) would write through
                // each other: the first wins, the rest are reported.
                // A remote "x.skiffpart" would share its file with the partial
                // download of "x": one of them would corrupt the other.
                if local_name.ends_with(PART_SUFFIX) {
                    report
                        .skipped
                        .push(format!("name reserved for partial downloads: {shown}"));
                    continue;
                }
                let key = match Platform::current() {
                    Platform::Windows => local_name.to_lowercase(),
                    Platform::Unix => local_name.clone(),
                };
                if !seen.insert(key) {
                    report
                        .skipped
                        .push(format!("duplicate name in listing: {shown}"));
                    continue;
                }
                let remote = path::join(&remote_dir, &item.entry.name);
                let local = local_dir.join(&local_name);
                match item.kind() {
                    EntryKind::Dir if depth >= MAX_DEPTH => report
                        .skipped
                        .push(format!("folder deeper than {MAX_DEPTH} levels: {shown}")),
                    EntryKind::Dir => queue.push_back((remote, local, depth + 1)),
                    EntryKind::File => {
                        let facts = FileFacts {
                            size: item.size(),
                            modified: item.modified().map(|t| t.at),
                        };
                        let job = Job::Download {
                            remote,
                            facts,
                            local,
                        };
                        if tx.send(job).await.is_err() {
                            return Err(EngineError::Cancelled);
                        }
                    }
                    EntryKind::Symlink => report
                        .skipped
                        .push(format!("symbolic link not followed: {shown}")),
                    EntryKind::Other => report.skipped.push(format!("not a file: {shown}")),
                }
            }
        }
        if let Some(session) = slot {
            session.quit().await;
        }
        Ok(report)
    })
    .await
}

/// Copies the local folder `local_root` into the remote folder `remote_root`
/// (created if missing), with `parallel` transfer connections. Symbolic links
/// are not followed.
pub async fn upload_tree(
    settings: &TransferSettings,
    local_root: &Path,
    remote_root: &[u8],
    parallel: usize,
) -> Result<TreeReport> {
    let remote_root = remote_root.to_vec();
    let local_root = local_root.to_path_buf();
    run_with_workers(settings, parallel, async move |tx| {
        let mut report = TreeReport::default();
        let mut slot: Option<Session> = None;
        let mut queue: VecDeque<(PathBuf, Vec<u8>)> = VecDeque::new();
        queue.push_back((local_root, remote_root));
        while let Some((local_dir, remote_dir)) = queue.pop_front() {
            if settings.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            let session = ensure_session(&mut slot, settings).await?;
            // The folder may exist already; CWD tells, MKD makes it.
            let existing = if session.cwd(&remote_dir).await.is_ok() {
                session.list(None).await?.entries
            } else {
                session.mkdir(&remote_dir).await?;
                report.folders += 1;
                Vec::new()
            };
            let mut dir =
                tokio::fs::read_dir(&local_dir)
                    .await
                    .map_err(|source| EngineError::Local {
                        path: local_dir.clone(),
                        source,
                    })?;
            while let Some(item) = dir
                .next_entry()
                .await
                .map_err(|source| EngineError::Local {
                    path: local_dir.clone(),
                    source,
                })?
            {
                let local = item.path();
                let Some(name) = item.file_name().to_str().map(str::to_string) else {
                    report
                        .skipped
                        .push(format!("name is not valid Unicode: {}", local.display()));
                    continue;
                };
                let remote = path::join(&remote_dir, &session.encode(&name)?);
                let kind = item
                    .file_type()
                    .await
                    .map_err(|source| EngineError::Local {
                        path: local.clone(),
                        source,
                    })?;
                if kind.is_dir() {
                    queue.push_back((local, remote));
                } else if kind.is_file() {
                    let existing = existing
                        .iter()
                        .find(|e| e.entry.name == path::file_name(&remote))
                        .map(|e| FileFacts {
                            size: e.size(),
                            modified: e.modified().map(|t| t.at),
                        });
                    if tx
                        .send(Job::Upload {
                            local,
                            remote,
                            existing,
                        })
                        .await
                        .is_err()
                    {
                        return Err(EngineError::Cancelled);
                    }
                } else {
                    report
                        .skipped
                        .push(format!("not a regular file: {}", local.display()));
                }
            }
        }
        if let Some(session) = slot {
            session.quit().await;
        }
        Ok(report)
    })
    .await
}
