//! The walk every recursive operation shares: list a folder, hand its plain
//! entries to the caller, go down into its folders (never its links), on
//! one connection or several at once.
//!
//! Must not join a listed name that is not a plain name, enter a link, or
//! go deeper than [`super::MAX_DEPTH`]: each such entry is a failure
//! reported, and the walk goes on.

use std::sync::Mutex;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{BoxFuture, MAX_DEPTH, OpEvent, OpFailure, OpSink, failure, is_plain_name, join_all};
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
/// on; the root's failure, cancellation and the loss of every connection
/// end it.
pub(super) async fn walk(
    session: &mut Session,
    root: &[u8],
    how: Listing,
    cancel: &CancellationToken,
    sink: &OpSink,
    failures: &mut Vec<OpFailure>,
    visit: impl FnMut(&[u8], usize, Vec<RemoteEntry>) + Send,
) -> Result<()> {
    walk_on(vec![session], root, how, cancel, sink, failures, visit).await
}

/// What the connections of one walk share.
struct Shared<F> {
    /// Folders waiting to be listed, with their depth.
    todo: Vec<(Vec<u8>, usize)>,
    /// Connections listing a folder right now.
    busy: usize,
    /// Connections still usable.
    alive: usize,
    /// What ends the walk: the root's failure, the last connection lost.
    error: Option<EngineError>,
    failures: Vec<OpFailure>,
    visit: F,
}

/// [`walk`] on several connections at once: each lists the next folder
/// waiting, so a wide tree is listed in parallel. A connection that is lost
/// puts its folder back for the others.
pub(super) async fn walk_on<F>(
    sessions: Vec<&mut Session>,
    root: &[u8],
    how: Listing,
    cancel: &CancellationToken,
    sink: &OpSink,
    failures: &mut Vec<OpFailure>,
    visit: F,
) -> Result<()>
where
    F: FnMut(&[u8], usize, Vec<RemoteEntry>) + Send,
{
    let shared = Mutex::new(Shared {
        todo: vec![(root.to_vec(), 0)],
        busy: 0,
        alive: sessions.len(),
        error: None,
        failures: Vec::new(),
        visit,
    });
    let changed = Notify::new();
    let workers: Vec<BoxFuture<'_, ()>> = sessions
        .into_iter()
        .map(|session| -> BoxFuture<'_, ()> {
            Box::pin(lister(session, how, cancel, sink, &shared, &changed))
        })
        .collect();
    join_all(workers).await;
    let shared = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.extend(shared.failures);
    if cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    match shared.error {
        Some(error) => Err(error),
        None if shared.todo.is_empty() => Ok(()),
        None => Err(EngineError::Closed),
    }
}

/// One connection's part of a walk: lists folders until none is waiting
/// and none is being listed (a folder being listed may bring more).
async fn lister<F>(
    session: &mut Session,
    how: Listing,
    cancel: &CancellationToken,
    sink: &OpSink,
    shared: &Mutex<Shared<F>>,
    changed: &Notify,
) where
    F: FnMut(&[u8], usize, Vec<RemoteEntry>) + Send,
{
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        // Registered before looking, so a change made meanwhile is not missed.
        let notified = changed.notified();
        let next = {
            let mut state = lock();
            if state.error.is_some() || cancel.is_cancelled() {
                return;
            }
            let next = state.todo.pop();
            match next {
                Some(_) => state.busy += 1,
                None if state.busy == 0 => return,
                None => {}
            }
            next
        };
        let Some((dir, depth)) = next else {
            tokio::select! {
                () = notified => {}
                () = cancel.cancelled() => return,
            }
            continue;
        };
        let listed = tokio::select! {
            listing = list(session, &dir, how) => Some(listing),
            () = cancel.cancelled() => None,
        };
        let mut state = lock();
        state.busy -= 1;
        let listing = match listed {
            None => {
                changed.notify_waiters();
                return;
            }
            Some(Ok(listing)) => listing,
            Some(Err(e)) if depth > 0 && e.keeps_connection() => {
                let failed = failure(session, &dir, &e);
                sink(OpEvent::Failed(failed.clone()));
                state.failures.push(failed);
                drop(state);
                changed.notify_waiters();
                continue;
            }
            Some(Err(e)) => {
                state.alive -= 1;
                if depth == 0 || state.alive == 0 {
                    state.error = Some(e);
                } else {
                    // Lost: the folder goes back to the connections left.
                    state.todo.push((dir, depth));
                }
                drop(state);
                changed.notify_waiters();
                return;
            }
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
                state.failures.push(failed);
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
                    state.failures.push(failed);
                    continue;
                }
                state.todo.push((child, depth + 1));
            }
            plain.push(entry);
        }
        (state.visit)(&dir, depth, plain);
        drop(state);
        changed.notify_waiters();
    }
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
