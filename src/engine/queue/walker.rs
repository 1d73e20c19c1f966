//! The queue's folder walker: expands folder items, one at a time.
//!
//! A remote folder is listed breadth first on the walker's own connection;
//! a local one is read from the disk while each remote folder is made (MKD)
//! or listed. Each listed folder's entries go to the actor at once as one
//! batch ([`Msg::Expanded`]), so its files start before the walk ends; after
//! the last folder the logged-in connection is handed over for a worker
//! ([`Msg::Spare`]). The walker decides nothing about the queue: it never
//! sees the item table, only the remote paths it already holds
//! ([`WalkJob::known`]).
//!
//! **Architecture invariant** (from the tree walker before it): a download
//! never writes outside its root. Every remote name passes
//! [`crate::names::local_name`]; unsafe names, links, duplicates and
//! names ending in `.skiffpart` become skipped items, never paths. Links are
//! not followed, and the walk stops [`MAX_DEPTH`] levels down.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tokio::sync::mpsc;

use super::msg::{Child, Hint, Msg, QueueSink, WalkJob};
use super::worker::{Connections, NO_ITEM, catch_panic, item_sink};
use super::{Direction, ItemId, ItemState, NewItem, SiteKey};
use crate::engine::disk::{link_leaving, on_local_disk};
use crate::engine::error::{EngineError, Result};
use crate::engine::event::LogKind;
use crate::engine::policy::{ExistsPolicy, FileFacts};
use crate::engine::session::Session;
use crate::engine::transfer::{PART_SUFFIX, TransferSettings, ensure_session};
use crate::engine::tree::MAX_DEPTH;
use crate::names::{Platform, local_name};
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

/// The walker: expands folder jobs one at a time until its channel closes.
pub(super) async fn run_walker(
    mut jobs: mpsc::UnboundedReceiver<WalkJob>,
    msgs: mpsc::UnboundedSender<Msg>,
    sink: QueueSink,
) {
    let current = Arc::new(AtomicU64::new(NO_ITEM));
    let events = item_sink(sink, msgs.clone(), Arc::clone(&current));
    let mut connections = Connections::default();
    while let Some(mut job) = jobs.recv().await {
        let settings = TransferSettings {
            session: (*job.target.site).clone(),
            retry: job.retry,
            exists: ExistsPolicy::Skip,
            events: events.clone(),
            cancel: job.cancel.clone(),
            preserve_times: false,
            within: None,
        };
        let slot = connections
            .slot(
                &job.target.site,
                job.target.generation,
                job.session.take(),
                &events,
            )
            .await;
        let result = catch_panic(async {
            match job.target.direction {
                Direction::Download => walk_remote(slot, &settings, &job, &msgs).await,
                Direction::Upload => walk_local(slot, &settings, &job, &msgs).await,
            }
        })
        .await;
        let key = SiteKey::of(&job.target.site);
        // A walk that went well gives its connection to the queue for a
        // worker (it may have done so before its last batch already).
        if result.is_ok()
            && let Some(session) = connections.take(&key)
        {
            hand_over(&msgs, job.target.generation, session);
        }
        // Otherwise a site with a connection limit gets its connection back
        // between walks: an idle walker must not hold one of the few allowed.
        if job.target.site.max_connections.is_some()
            || result
                .as_ref()
                .is_err_and(|e| matches!(e, EngineError::Internal(_)))
        {
            connections.release(&key).await;
        }
        if msgs
            .send(Msg::WalkEnded {
                id: job.target.id,
                result,
            })
            .is_err()
        {
            break;
        }
    }
    connections.close().await;
}

/// Gives the walker's logged-in connection to the queue, which lends it to
/// the next worker without one (or closes it): one login fewer per walk.
fn hand_over(msgs: &mpsc::UnboundedSender<Msg>, generation: u64, session: Session) {
    let _ = msgs.send(Msg::Spare {
        generation,
        session: Box::new(session),
    });
}

fn send_batch(
    msgs: &mpsc::UnboundedSender<Msg>,
    parent: ItemId,
    children: Vec<Child>,
) -> Result<()> {
    if children.is_empty() {
        return Ok(());
    }
    msgs.send(Msg::Expanded { parent, children })
        .map_err(|_| EngineError::Cancelled)
}

fn skipped(
    direction: Direction,
    local: PathBuf,
    remote: Vec<u8>,
    shown: String,
    why: String,
) -> Child {
    Child {
        item: NewItem::new(direction, local, remote, shown),
        hint: Hint::Unknown,
        state: Some(ItemState::Skipped(why)),
    }
}

/// Creates `dir` (and its parents) and tells what the files that go in it
/// need to know: `fresh` when it did not exist before (so nothing inside it
/// needs checking), and whether it is on a local disk. `Ok(Err(link))` when
/// a link at or below `root` on the way to `dir` leads outside `root`:
/// nothing is created or written through it.
async fn make_local_dir(root: PathBuf, dir: PathBuf) -> Result<std::result::Result<Hint, PathBuf>> {
    let probe = dir.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(link) = link_leaving(&root, &probe) {
            return Ok(Err(link));
        }
        let fresh = if probe.is_dir() {
            false
        } else {
            std::fs::create_dir_all(&probe)?;
            true
        };
        Ok(Ok(Hint::LocalFolder {
            fresh,
            local_disk: on_local_disk(&probe),
        }))
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))
    .and_then(|r| r)
    .map_err(|source| EngineError::Local { path: dir, source })
}

/// Lists a remote tree breadth first and reports its files folder by folder.
async fn walk_remote(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    job: &WalkJob,
    msgs: &mpsc::UnboundedSender<Msg>,
) -> Result<()> {
    let mut visited: HashSet<Vec<u8>> = HashSet::new();
    let mut pending: VecDeque<(Vec<u8>, PathBuf, usize)> = VecDeque::new();
    pending.push_back((job.target.remote.clone(), job.target.local.clone(), 0));
    while let Some((remote_dir, local_dir, depth)) = pending.pop_front() {
        if settings.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        if !visited.insert(remote_dir.clone()) {
            continue;
        }
        let folder = match make_local_dir(job.target.local.clone(), local_dir.clone()).await? {
            Ok(folder) => folder,
            Err(link) => {
                // A link (left by an earlier run, or made by the user) would
                // carry this folder's files outside the destination.
                let shown = crate::protocol::text::escape(&link.to_string_lossy()).into_owned();
                if !job.known.contains(&remote_dir) {
                    let why = format!(
                        "the local folder is a link that leads outside the destination: {shown}"
                    );
                    let child = skipped(
                        Direction::Download,
                        local_dir,
                        remote_dir.clone(),
                        shown,
                        why,
                    );
                    send_batch(msgs, job.target.id, vec![child])?;
                }
                continue;
            }
        };
        let session = ensure_session(slot, settings).await?;
        let mut children = Vec::new();
        let listing = match session.list(Some(&remote_dir)).await {
            Ok(listing) => listing,
            Err(e) if e.keeps_connection() && depth > 0 => {
                // One unreadable subfolder fails as an item of its own; Retry walks it again.
                let shown = session.decode(&remote_dir);
                if !job.known.contains(&remote_dir) {
                    children.push(Child {
                        item: NewItem::new(Direction::Download, local_dir, remote_dir, shown)
                            .folder(true),
                        hint: Hint::Unknown,
                        state: Some(ItemState::Failed(e.to_string())),
                    });
                }
                send_batch(msgs, job.target.id, children)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut seen: HashSet<std::ffi::OsString> = HashSet::new();
        for item in listing.entries {
            let remote = path::join(&remote_dir, &item.entry.name);
            let shown = session.decode(&remote);
            let known = job.known.contains(&remote);
            let local_name = match local_name(item.text(), &item.entry.name) {
                Ok(name) => name,
                Err(why) => {
                    // The item's own Skipped state reports it (the CLI prints
                    // it, the queue pane lists it): the log only records it.
                    settings.events.log(
                        session.conn_id(),
                        LogKind::Status,
                        format!("Skipped: {why}: {shown}"),
                    );
                    if !known {
                        children.push(skipped(
                            Direction::Download,
                            local_dir.clone(),
                            remote,
                            shown.clone(),
                            format!("{why}: {shown}"),
                        ));
                    }
                    continue;
                }
            };
            let local = local_dir.join(&local_name);
            // A remote "x.skiffpart" would share its file with the partial
            // download of "x": one of them would corrupt the other.
            if local_name
                .as_encoded_bytes()
                .ends_with(PART_SUFFIX.as_bytes())
            {
                if !known {
                    children.push(skipped(
                        Direction::Download,
                        local,
                        remote,
                        shown.clone(),
                        format!("name reserved for partial downloads: {shown}"),
                    ));
                }
                continue;
            }
            // Two entries that map to one local name (a link and a folder both
            // called "x", or "a:b" and "a_b" on Windows) would write through
            // each other: the first wins, the rest are reported.
            let key = match Platform::current() {
                Platform::Windows => local_name.to_string_lossy().to_lowercase().into(),
                Platform::Unix => local_name.clone(),
            };
            if !seen.insert(key) {
                if !known {
                    children.push(skipped(
                        Direction::Download,
                        local,
                        remote,
                        shown.clone(),
                        format!("duplicate name in listing: {shown}"),
                    ));
                }
                continue;
            }
            match item.kind() {
                EntryKind::Dir if depth >= MAX_DEPTH => {
                    if !known {
                        children.push(skipped(
                            Direction::Download,
                            local,
                            remote,
                            shown.clone(),
                            format!("folder deeper than {MAX_DEPTH} levels: {shown}"),
                        ));
                    }
                }
                EntryKind::Dir => pending.push_back((remote, local, depth + 1)),
                EntryKind::File if known => {}
                EntryKind::File => children.push(Child {
                    item: NewItem::new(Direction::Download, local, remote, shown)
                        .with_size(item.size())
                        .with_modified(item.modified().map(|t| t.at)),
                    hint: folder,
                    state: None,
                }),
                EntryKind::Symlink if !known => children.push(skipped(
                    Direction::Download,
                    local,
                    remote,
                    shown.clone(),
                    format!("symbolic link not followed: {shown}"),
                )),
                EntryKind::Other if !known => children.push(skipped(
                    Direction::Download,
                    local,
                    remote,
                    shown.clone(),
                    format!("not a file: {shown}"),
                )),
                EntryKind::Symlink | EntryKind::Other => {}
            }
        }
        // The last folder is listed: the connection goes to a worker before
        // the files that worker will take, not after them.
        if pending.is_empty()
            && let Some(session) = slot.take()
        {
            hand_over(msgs, job.target.generation, session);
        }
        send_batch(msgs, job.target.id, children)?;
    }
    Ok(())
}

/// What one local folder holds, read in one blocking call.
enum LocalKind {
    Dir,
    File(FileFacts),
    Other,
}

fn read_local_dir(dir: PathBuf) -> std::io::Result<Vec<(std::ffi::OsString, PathBuf, LocalKind)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        // file_type() does not follow links: a link is "other", never walked.
        let kind = entry.file_type()?;
        let local = entry.path();
        let kind = if kind.is_dir() {
            LocalKind::Dir
        } else if kind.is_file() {
            let meta = entry.metadata()?;
            LocalKind::File(FileFacts {
                size: Some(meta.len()),
                modified: meta
                    .modified()
                    .ok()
                    .map(|t| chrono::DateTime::<chrono::Utc>::from(t).naive_utc()),
            })
        } else {
            LocalKind::Other
        };
        out.push((entry.file_name(), local, kind));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Walks a local tree breadth first, creating each remote folder (MKD) or
/// listing the one that exists, and reports its files folder by folder.
async fn walk_local(
    slot: &mut Option<Session>,
    settings: &TransferSettings,
    job: &WalkJob,
    msgs: &mpsc::UnboundedSender<Msg>,
) -> Result<()> {
    let mut pending: VecDeque<(PathBuf, Vec<u8>, usize)> = VecDeque::new();
    pending.push_back((job.target.local.clone(), job.target.remote.clone(), 0));
    while let Some((local_dir, remote_dir, depth)) = pending.pop_front() {
        if settings.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let session = ensure_session(slot, settings).await?;
        // The folder may exist already; CWD tells, MKD makes it.
        let (existing, fresh) = if session.cwd(&remote_dir).await.is_ok() {
            (session.list(None).await?.entries, false)
        } else {
            session.mkdir(&remote_dir).await?;
            (Vec::new(), true)
        };
        let existing: HashMap<Vec<u8>, FileFacts> = existing
            .into_iter()
            .map(|e| {
                let facts = FileFacts {
                    size: e.size(),
                    modified: e.modified().map(|t| t.at),
                };
                (e.entry.name, facts)
            })
            .collect();
        let dir = local_dir.clone();
        let entries = tokio::task::spawn_blocking(move || read_local_dir(dir))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|r| r)
            .map_err(|source| EngineError::Local {
                path: local_dir.clone(),
                source,
            })?;
        let mut children = Vec::new();
        for (name, local, kind) in entries {
            let Some(name) = name.to_str().map(str::to_string) else {
                let shown = local.display().to_string();
                children.push(skipped(
                    Direction::Upload,
                    local,
                    remote_dir.clone(),
                    shown.clone(),
                    format!("name is not valid Unicode: {shown}"),
                ));
                continue;
            };
            let encoded = match session.encode(&name) {
                Ok(encoded) => encoded,
                Err(e) => {
                    let shown = local.display().to_string();
                    children.push(skipped(
                        Direction::Upload,
                        local,
                        remote_dir.clone(),
                        shown,
                        e.to_string(),
                    ));
                    continue;
                }
            };
            let remote = path::join(&remote_dir, &encoded);
            if job.known.contains(&remote) {
                if matches!(kind, LocalKind::Dir) && depth < MAX_DEPTH {
                    pending.push_back((local, remote, depth + 1));
                }
                continue;
            }
            let shown = session.decode(&remote);
            match kind {
                LocalKind::Dir if depth >= MAX_DEPTH => children.push(skipped(
                    Direction::Upload,
                    local,
                    remote,
                    shown.clone(),
                    format!("folder deeper than {MAX_DEPTH} levels: {shown}"),
                )),
                LocalKind::Dir => pending.push_back((local, remote, depth + 1)),
                LocalKind::File(facts) => {
                    let hint = if fresh {
                        Hint::FreshTarget
                    } else {
                        Hint::Remote(existing.get(&encoded).copied())
                    };
                    children.push(Child {
                        item: NewItem::new(Direction::Upload, local, remote, shown)
                            .with_size(facts.size)
                            .with_modified(facts.modified),
                        hint,
                        state: None,
                    });
                }
                LocalKind::Other => {
                    let why = format!("not a regular file: {}", local.display());
                    children.push(skipped(Direction::Upload, local, remote, shown, why));
                }
            }
        }
        send_batch(msgs, job.target.id, children)?;
    }
    Ok(())
}
