//! Operations on a server's files beyond moving them: recursive delete
//! (with a plan to confirm first), permissions, folders with their parents,
//! rename, a typed command, search, and one file to a writer.
//!
//! Used by the CLI now and by the window later, so nothing here knows about
//! terminals or widgets: progress goes to an [`OpSink`] callback, a
//! [`CancellationToken`](tokio_util::sync::CancellationToken) stops a walk
//! or a delete between commands, and failures come back as data
//! ([`OpFailure`]), each path once, while the rest goes on.
//!
//! **Safety against a hostile listing:** a walk only ever joins names that
//! are plain names (not empty, `.`, `..`, nor holding `/` or NUL) to the
//! folder it listed, so every path it touches lies under the folder the user
//! chose; it never enters a symbolic link (walks that delete or change list
//! with `LIST`, which shows links as links where proftpd's MLSD reports a
//! link to a folder as a folder) (a link is deleted with `DELE` as
//! the link it is, and skipped by a recursive chmod, since `SITE CHMOD`
//! follows links), and it stops [`MAX_DEPTH`] levels down.

mod delete;
pub mod edit;
mod find;
pub mod jobs;
mod walk;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use tokio::io::AsyncWrite;
use tokio_util::sync::CancellationToken;

use super::entry::RemoteEntry;
use super::error::{EngineError, Result};
use super::session::Session;
use super::transfer_spec::Transfer;
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

pub use delete::{
    DeletePlan, DeleteReport, connect_helpers, delete_planned, human_bytes, plan_delete,
};
pub use find::{FindFilter, NameMatch, find};

/// How deep a walk goes before it stops: a server can invent an endless tree.
pub const MAX_DEPTH: usize = 100;

/// A path that could not be handled, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpFailure {
    /// The remote path, as the server's bytes.
    pub path: Vec<u8>,
    /// The path decoded for display (escaped).
    pub display_path: String,
    /// Why, as a sentence without the path.
    pub message: String,
}

impl std::fmt::Display for OpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.message, self.display_path)
    }
}

/// One listed entry with its full path.
#[derive(Debug, Clone)]
pub struct Found {
    /// The entry's full remote path, as the server's bytes.
    pub path: Vec<u8>,
    /// The full path decoded for display (escaped).
    pub display_path: String,
    /// The entry as listed.
    pub entry: RemoteEntry,
}

/// What an operation reports while it runs.
#[derive(Debug, Clone)]
pub enum OpEvent {
    /// A folder was listed (plan, find, recursive chmod).
    Listed {
        /// The folder's path.
        folder: Vec<u8>,
        /// How many entries it held.
        entries: usize,
    },
    /// A search match.
    Match(Found),
    /// A path was deleted or changed.
    Done {
        /// The path.
        path: Vec<u8>,
        /// Whether it was a folder.
        is_folder: bool,
    },
    /// A path could not be handled; the operation goes on.
    Failed(OpFailure),
}

/// Where an operation's events go: called on the engine's tasks, so it must
/// be quick (send on a channel, wake a window).
pub type OpSink = Arc<dyn Fn(OpEvent) + Send + Sync>;

/// An [`OpSink`] that drops every event.
pub fn no_events() -> OpSink {
    Arc::new(|_| {})
}

/// Which entries a recursive chmod changes (FileZilla's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChmodFilter {
    /// Files and folders.
    #[default]
    All,
    /// Files only: folder modes stay as they are.
    FilesOnly,
    /// Folders only.
    FoldersOnly,
}

/// What a walking operation did: how many paths it changed and what failed.
#[derive(Debug, Clone, Default)]
pub struct OpReport {
    /// Paths changed (or found).
    pub done: u64,
    /// Paths that could not be handled, each once.
    pub failures: Vec<OpFailure>,
}

/// Whether a listed name may be joined to its folder: a plain name, not
/// empty, `.`, `..`, and without `/` or NUL (which would leave the folder).
pub fn is_plain_name(name: &[u8]) -> bool {
    !name.is_empty() && name != b"." && name != b".." && !name.contains(&b'/') && !name.contains(&0)
}

/// A future on the heap, so futures of different types share a list.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Polls every future on this task until all are done: the connections of
/// a phase wait on the network at the same time without a task each, so
/// they may borrow the caller's session.
async fn join_all<T>(futures: Vec<BoxFuture<'_, T>>) -> Vec<T> {
    let mut futures: Vec<Option<_>> = futures.into_iter().map(Some).collect();
    let mut outputs: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

fn failure(session: &Session, path: &[u8], error: &EngineError) -> OpFailure {
    OpFailure {
        path: path.to_vec(),
        display_path: session.decode(path),
        message: error.to_string(),
    }
}

/// `SITE CHMOD` on `root` and, when `recursive`, everything under it the
/// filter selects (`root` counts as a folder; a file root is changed alone).
/// With `recursive`, links are never changed (the server would change what
/// they point to), a link as the root included. Folders are
/// changed after the walk, deepest first, so a mode without `x` cannot stop
/// the walk halfway.
pub async fn chmod(
    session: &mut Session,
    root: &[u8],
    mode: u32,
    recursive: Option<ChmodFilter>,
    cancel: &CancellationToken,
    sink: &OpSink,
) -> Result<OpReport> {
    let mut report = OpReport::default();
    let Some(filter) = recursive else {
        session.chmod(root, mode).await?;
        report.done = 1;
        sink(OpEvent::Done {
            path: root.to_vec(),
            is_folder: false,
        });
        return Ok(report);
    };
    let listed = walk::kind_of(session, root).await?;
    match listed.kind() {
        EntryKind::Dir => {}
        EntryKind::File => return Box::pin(chmod(session, root, mode, None, cancel, sink)).await,
        // SITE CHMOD would change what the link points to, and -R would walk there.
        EntryKind::Symlink | EntryKind::Other => {
            let failed = OpFailure {
                path: root.to_vec(),
                display_path: session.decode(root),
                message: "a recursive chmod does not follow or change a link".to_string(),
            };
            sink(OpEvent::Failed(failed.clone()));
            report.failures.push(failed);
            return Ok(report);
        }
    }
    let mut files = Vec::new();
    let mut folders = vec![(root.to_vec(), 0usize)];
    let mut failures = Vec::new();
    walk::walk(
        session,
        root,
        walk::Listing::ShowingLinks,
        cancel,
        sink,
        &mut failures,
        |dir, depth, entries| {
            for entry in entries {
                let full = path::join(dir, &entry.entry.name);
                match entry.kind() {
                    EntryKind::Dir => folders.push((full, depth + 1)),
                    EntryKind::File => files.push(full),
                    EntryKind::Symlink | EntryKind::Other => {}
                }
            }
        },
    )
    .await?;
    let mut targets: Vec<(Vec<u8>, bool)> = Vec::new();
    if filter != ChmodFilter::FoldersOnly {
        targets.extend(files.into_iter().map(|f| (f, false)));
    }
    if filter != ChmodFilter::FilesOnly {
        folders.sort_by_key(|(_, depth)| std::cmp::Reverse(*depth));
        targets.extend(folders.into_iter().map(|(f, _)| (f, true)));
    }
    for (target, is_folder) in targets {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        match session.chmod(&target, mode).await {
            Ok(()) => {
                report.done += 1;
                sink(OpEvent::Done {
                    path: target,
                    is_folder,
                });
            }
            Err(e) if e.keeps_connection() => {
                let failed = failure(session, &target, &e);
                sink(OpEvent::Failed(failed.clone()));
                failures.push(failed);
            }
            Err(e) => return Err(e),
        }
    }
    report.failures = failures;
    Ok(report)
}

/// `MKD` of `dir` and, with `parents`, of each missing folder above it
/// (`mkdir -p`: a folder that exists already is fine). `dir` is absolute;
/// every component must be a plain name. The session's current folder
/// changes.
pub async fn mkdir(session: &mut Session, dir: &[u8], parents: bool) -> Result<()> {
    if !parents {
        return session.mkdir(dir).await;
    }
    let mut built = b"/".to_vec();
    for part in dir.split(|b| *b == b'/').filter(|p| !p.is_empty()) {
        if !is_plain_name(part) {
            return Err(EngineError::InvalidName(session.decode(dir)));
        }
        built = path::join(&built, part);
        // CWD tells an existing folder from a missing one on every server,
        // where MKD's refusal says nothing of why.
        if session.cwd(&built).await.is_err() {
            session.mkdir(&built).await?;
        }
    }
    Ok(())
}

/// Downloads one file (binary) to `writer`, checking its size when the
/// server tells it (SIZE): a short transfer is an error, never success.
/// Returns the bytes written.
pub async fn cat<W: AsyncWrite + Unpin>(
    session: &mut Session,
    file: &[u8],
    writer: &mut W,
    cancel: &CancellationToken,
) -> Result<u64> {
    let size = session.size(file).await?;
    session
        .download(Transfer::binary(file).with_size(size), 0, writer, cancel)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_joined() {
        for bad in [&b""[..], b".", b"..", b"a/b", b"/", b"../x", b"a\0"] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        for good in [&b"a"[..], b"...", b".hidden", b"a b", b"\xc4\xe3", b"a\\b"] {
            assert!(is_plain_name(good), "{good:?}");
        }
    }
}
