//! The walk every recursive operation shares: list a folder, hand its plain
//! entries to the caller, go down into its folders (never its links), one
//! connection, depth first.
//!
//! Must not join a listed name that is not a plain name, enter a link, or
//! go deeper than [`super::MAX_DEPTH`]: each such entry is a failure
//! reported, and the walk goes on.

use tokio_util::sync::CancellationToken;

use super::{MAX_DEPTH, OpEvent, OpFailure, OpSink, failure, is_plain_name};
use crate::engine::entry::{RemoteEntry, RemoteListing};
use crate::engine::error::{EngineError, Result};
use crate::engine::session::Session;
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

/// How a walk lists folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    /// The session's best listing (MLSD where offered): for searching.
    Best,
    /// `LIST`, which shows links as links on Unix servers: for walks that
    /// delete or change what they find.
    ShowingLinks,
}

/// Walks the tree under `root` (a folder). `visit` gets each listed folder's
/// path, its depth (`root` is 0) and its plain entries. A folder below the
/// root that cannot be listed is a failure in `failures`, and the walk goes
/// on; the root's failure, a lost connection and cancellation end it.
pub(super) async fn walk(
    session: &mut Session,
    root: &[u8],
    how: Listing,
    cancel: &CancellationToken,
    sink: &OpSink,
    failures: &mut Vec<OpFailure>,
    mut visit: impl FnMut(&[u8], usize, Vec<RemoteEntry>),
) -> Result<()> {
    let mut stack = vec![(root.to_vec(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let listing = tokio::select! {
            listing = list(session, &dir, how) => listing,
            () = cancel.cancelled() => return Err(EngineError::Cancelled),
        };
        let listing = match listing {
            Ok(listing) => listing,
            Err(e) if depth > 0 && e.keeps_connection() => {
                let failed = failure(session, &dir, &e);
                sink(OpEvent::Failed(failed.clone()));
                failures.push(failed);
                continue;
            }
            Err(e) => return Err(e),
        };
        sink(OpEvent::Listed {
            folder: dir.clone(),
            entries: listing.entries.len(),
        });
        let mut plain = Vec::with_capacity(listing.entries.len());
        for entry in listing.entries {
            let name = &entry.entry.name;
            if !is_plain_name(name) {
                // A hostile or broken listing: joining it would leave the folder.
                let failed = OpFailure {
                    path: path::join(&dir, name),
                    display_path: format!("{}/{}", session.decode(&dir), entry.name),
                    message: "a listed name that is not a plain name was left alone".to_string(),
                };
                sink(OpEvent::Failed(failed.clone()));
                failures.push(failed);
                continue;
            }
            if entry.kind() == EntryKind::Dir {
                let child = path::join(&dir, name);
                if depth + 1 > MAX_DEPTH {
                    let failed = OpFailure {
                        display_path: session.decode(&child),
                        path: child,
                        message: format!("the folder is more than {MAX_DEPTH} levels down"),
                    };
                    sink(OpEvent::Failed(failed.clone()));
                    failures.push(failed);
                    continue;
                }
                stack.push((child, depth + 1));
            }
            plain.push(entry);
        }
        visit(&dir, depth, plain);
    }
    Ok(())
}

async fn list(session: &mut Session, dir: &[u8], how: Listing) -> Result<RemoteListing> {
    match how {
        Listing::Best => session.list(Some(dir)).await,
        Listing::ShowingLinks => session.list_showing_links(dir).await,
    }
}

/// What `path` is, as its parent's listing (with `LIST`, so a link shows as
/// a link) says: a recursive operation enters only a real folder, never a
/// link the user named. The server's top folder and a path whose last
/// component is not a plain name are refused.
pub(super) async fn kind_of(session: &mut Session, path: &[u8]) -> Result<RemoteEntry> {
    let name = path::file_name(path);
    if name.is_empty() || !is_plain_name(name) {
        return Err(EngineError::DeleteTop(session.decode(path)));
    }
    let parent = session.list_showing_links(&path::parent(path)).await?;
    parent
        .entries
        .into_iter()
        .find(|e| e.entry.name == name)
        .ok_or_else(|| EngineError::NotFound(session.decode(path)))
}
