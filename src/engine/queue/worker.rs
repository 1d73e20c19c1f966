//! The queue's hands: transfer workers and the folder walker.
//!
//! A worker owns at most one control connection per site and keeps it from
//! item to item; it runs one file at a time through
//! [`crate::engine::transfer`] and reports how it ended. The walker expands
//! folder items on a connection of its own (remote) or on the disk (local)
//! and reports each listed folder's entries as a batch, so the queue can hand
//! them to workers while the walk goes on; after its last folder it hands
//! its logged-in connection to the queue for a worker. Neither decides
//! anything about the queue: the actor does.
//!
//! Invariant (from the tree walker before it): a download never writes
//! outside its root. Every remote name passes
//! [`crate::names::local_name`]; unsafe names, links, duplicates and
//! names ending in `.skiffpart` become skipped items, never paths.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::core::{Hint, Msg, QueueSink};
use super::{Direction, ItemId, ItemState, NewItem, QueueEvent, SiteKey};
use crate::engine::config::SessionConfig;
use crate::engine::disk::{link_leaving, on_local_disk};
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{Event, EventSink, LogKind};
use crate::engine::policy::{ExistsPolicy, FileFacts};
use crate::engine::session::Session;
use crate::engine::transfer::{
    FileMode, FileOutcome, PART_SUFFIX, PendingStore, RetryPolicy, TransferSettings,
    download_file_deferred, ensure_session, upload_file_with,
};
use crate::engine::tree::MAX_DEPTH;
use crate::names::{Platform, local_name};
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

/// One file for a worker.
#[derive(Debug)]
pub(super) struct FileJob {
    pub id: ItemId,
    pub site: Arc<SessionConfig>,
    /// The site settings' version: a worker reconnects when it changed.
    pub generation: u64,
    pub direction: Direction,
    pub local: PathBuf,
    pub remote: Vec<u8>,
    pub facts: Option<FileFacts>,
    pub hint: Hint,
    pub mode: FileMode,
    pub exists: ExistsPolicy,
    pub retry: RetryPolicy,
    pub preserve_times: bool,
    pub cancel: CancellationToken,
    /// A logged-in connection lent to the queue, used if the worker has none.
    pub session: Option<Box<Session>>,
}

/// What the queue asks of a worker.
#[derive(Debug)]
pub(super) enum WorkerJob {
    /// Move one file.
    File(Box<FileJob>),
    /// Close the connection to this site, so another connection to it can
    /// open without passing the site's connection limit.
    Release(SiteKey),
    /// Log in to this site ahead of its files (a walk there has begun), so
    /// the login overlaps the listing instead of following it.
    Connect {
        site: Arc<SessionConfig>,
        generation: u64,
    },
}

/// One folder for the walker.
#[derive(Debug)]
pub(super) struct WalkJob {
    pub id: ItemId,
    pub site: Arc<SessionConfig>,
    pub generation: u64,
    pub direction: Direction,
    pub local: PathBuf,
    pub remote: Vec<u8>,
    /// Remote paths of children the queue has from an earlier walk.
    pub known: HashSet<Vec<u8>>,
    pub retry: RetryPolicy,
    pub cancel: CancellationToken,
    /// A logged-in connection lent to the queue, used if the walker has none.
    pub session: Option<Box<Session>>,
}

/// An entry the walker found.
#[derive(Debug)]
pub(super) struct Child {
    pub item: NewItem,
    pub hint: Hint,
    /// Skipped or failed at once (a link, an unsafe name, an unreadable folder).
    pub state: Option<ItemState>,
}

/// Connections per site, kept between items.
#[derive(Default)]
struct Connections {
    slots: HashMap<SiteKey, (u64, Option<Session>)>,
}

impl Connections {
    /// The slot for a site, emptied first when its settings changed. A
    /// connection `lent` to the queue fills it when it is empty (it takes the
    /// queue's limiters and `events`); otherwise the lent one is closed.
    async fn slot(
        &mut self,
        config: &SessionConfig,
        generation: u64,
        lent: Option<Box<Session>>,
        events: &EventSink,
    ) -> &mut Option<Session> {
        let entry = self
            .slots
            .entry(SiteKey::of(config))
            .or_insert((generation, None));
        if entry.0 != generation {
            entry.0 = generation;
            if let Some(old) = entry.1.take() {
                old.quit().await;
            }
        }
        if let Some(mut lent) = lent
            && entry.1.is_none()
        {
            lent.adopt(config, events.clone());
            entry.1 = Some(*lent);
        }
        &mut entry.1
    }

    /// Takes the connection to a site out, if there is one.
    fn take(&mut self, key: &SiteKey) -> Option<Session> {
        self.slots
            .get_mut(key)
            .and_then(|(_, session)| session.take())
    }

    /// Closes the connection to a site, if there is one.
    async fn release(&mut self, key: &SiteKey) {
        if let Some((_, Some(session))) = self.slots.remove(key) {
            session.quit().await;
        }
    }

    async fn close(self) {
        for (_, (_, session)) in self.slots {
            if let Some(session) = session {
                session.quit().await;
            }
        }
    }
}

const NO_ITEM: u64 = u64::MAX;

/// How long a held store (see [`PendingStore::is_held`]) waits for the
/// worker's next job before it runs on its own; the queue answers a
/// worker's report within microseconds when it has more for it.
const HELD_STORE_WAIT: std::time::Duration = std::time::Duration::from_millis(2);

/// Runs `work`, turning a panic inside it into [`EngineError::Internal`]: a
/// bug fails one item (and drops its connection) instead of silently ending
/// the worker while the queue waits for it forever.
async fn catch_panic<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                std::task::Poll::Ready(Err(EngineError::Internal(why)))
            }
        }
    })
    .await
}

/// An event sink for connections whose log lines go to the front end and
/// whose progress is reported for the item `current` names, mapped where
/// they happen (no task in between).
fn item_sink(
    sink: QueueSink,
    msgs: mpsc::UnboundedSender<Msg>,
    current: Arc<AtomicU64>,
) -> EventSink {
    let protocol_log = sink.protocol_log;
    EventSink::with_handler(Arc::new(move |event| match event {
        Event::Log(line)
            if protocol_log || matches!(line.kind, LogKind::Warning | LogKind::Error) =>
        {
            sink.send(QueueEvent::Log(line))
        }
        Event::Progress(progress) => {
            let id = current.load(Ordering::Relaxed);
            if id != NO_ITEM {
                let _ = msgs.send(Msg::Progress {
                    id,
                    done: progress.done,
                    total: progress.total,
                    rate: progress.rate,
                });
            }
        }
        _ => {}
    }))
}

/// A worker: takes file jobs until its channel closes.
pub(super) async fn run_worker(
    index: usize,
    mut jobs: mpsc::UnboundedReceiver<WorkerJob>,
    msgs: mpsc::UnboundedSender<Msg>,
    sink: QueueSink,
) {
    let current = Arc::new(AtomicU64::new(NO_ITEM));
    let events = item_sink(sink, msgs.clone(), Arc::clone(&current));
    let mut connections = Connections::default();
    // A small file received but still being written: its item is reported
    // when the write ends, while this worker already moves the next file.
    let mut storing: Option<(ItemId, PendingStore, JobResult)> = None;
    loop {
        let held = storing
            .as_ref()
            .is_some_and(|(_, store, _)| store.is_held());
        let job = if held {
            // A held store waits for the next job, to run while that job
            // waits for the server; with no job coming, it runs now.
            match tokio::time::timeout(HELD_STORE_WAIT, jobs.recv()).await {
                Ok(job) => job,
                Err(_) => {
                    if let Some((id, store, received)) = storing.take()
                        && !store_and_report(&msgs, index, id, store, received).await
                    {
                        break;
                    }
                    continue;
                }
            }
        } else {
            tokio::select! {
                biased;
                joined = async {
                    match storing.as_mut() {
                        Some((_, store, _)) => store.joined().await,
                        None => std::future::pending().await,
                    }
                }, if storing.is_some() => {
                    if let Some((id, store, received)) = storing.take()
                        && !report_stored(&msgs, index, id, store.settle(joined), received)
                    {
                        break;
                    }
                    continue;
                }
                job = jobs.recv() => job,
            }
        };
        let Some(job) = job else { break };
        // Only a file's transfer has a wait to hide a held store behind.
        if !matches!(job, WorkerJob::File(_))
            && let Some((id, store, received)) = storing.take_if(|(_, s, _)| s.is_held())
            && !store_and_report(&msgs, index, id, store, received).await
        {
            break;
        }
        let mut job = match job {
            WorkerJob::File(job) => job,
            WorkerJob::Release(key) => {
                connections.release(&key).await;
                continue;
            }
            WorkerJob::Connect { site, generation } => {
                let slot = connections.slot(&site, generation, None, &events).await;
                if slot.is_none() {
                    // A failure here is not an item's: the first file tries
                    // again and reports what happens then.
                    match Session::connect((*site).clone(), events.clone()).await {
                        Ok(session) => *slot = Some(session),
                        Err(e) => tracing::debug!("connecting ahead of work failed: {e}"),
                    }
                }
                continue;
            }
        };
        current.store(job.id, Ordering::Relaxed);
        let settings = TransferSettings {
            session: (*job.site).clone(),
            retry: job.retry,
            exists: job.exists,
            events: events.clone(),
            cancel: job.cancel.clone(),
            preserve_times: job.preserve_times,
        };
        let slot = connections
            .slot(&job.site, job.generation, job.session.take(), &events)
            .await;
        let mut deferred: Option<PendingStore> = None;
        let work = catch_panic(async {
            match job.direction {
                Direction::Download => {
                    download_file_deferred(
                        slot,
                        &settings,
                        &job.remote,
                        job.facts,
                        &job.local,
                        job.mode,
                        Some(&mut deferred),
                    )
                    .await
                }
                Direction::Upload => {
                    let remote_facts = match job.hint {
                        Hint::Remote(facts) => Some(facts),
                        Hint::FreshTarget => Some(None),
                        Hint::Unknown | Hint::LocalFolder { .. } => None,
                    };
                    upload_file_with(
                        slot,
                        &settings,
                        &job.local,
                        &job.remote,
                        remote_facts,
                        job.mode,
                    )
                    .await
                }
            }
        });
        let held = storing.take_if(|(_, store, _)| store.is_held());
        let Some(result) = overlap(work, held, &msgs, index).await else {
            break;
        };
        if result
            .as_ref()
            .is_err_and(|e| matches!(e, EngineError::Internal(_)))
        {
            // Whatever state the connection was left in is not to be trusted.
            slot.take();
        }
        current.store(NO_ITEM, Ordering::Relaxed);
        if let Some(store) = deferred.filter(|_| result.is_ok()) {
            // At most one file waits for the disk: the one before goes first.
            if let Some((id, previous, earlier)) = storing.take()
                && !store_and_report(&msgs, index, id, previous, earlier).await
            {
                break;
            }
            storing = Some((job.id, store, result));
            if msgs
                .send(Msg::Received {
                    worker: index,
                    id: job.id,
                })
                .is_err()
            {
                break;
            }
            continue;
        }
        if msgs
            .send(Msg::Finished {
                worker: index,
                id: job.id,
                result,
            })
            .is_err()
        {
            break;
        }
    }
    if let Some((id, store, result)) = storing.take() {
        store_and_report(&msgs, index, id, store, result).await;
    }
    connections.close().await;
}

/// Runs `work` (a job's transfer); when a `held` store of the file before
/// waits, the transfer is started first (its first command goes out) and
/// the file is written while the server answers, on this thread. `None`
/// when the queue is gone.
async fn overlap(
    work: impl Future<Output = JobResult>,
    held: Option<(ItemId, PendingStore, JobResult)>,
    msgs: &mpsc::UnboundedSender<Msg>,
    worker: usize,
) -> Option<JobResult> {
    let mut work = std::pin::pin!(work);
    let Some((id, store, received)) = held else {
        return Some(work.await);
    };
    let first = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
    if !store_and_report(msgs, worker, id, store, received).await {
        return None;
    }
    Some(match first {
        Poll::Ready(result) => result,
        Poll::Pending => work.await,
    })
}

/// Waits for the store of an item whose bytes were `received` (a held one
/// is written now, here; a panic in it fails the item), then reports the
/// item; false when the queue is gone.
async fn store_and_report(
    msgs: &mpsc::UnboundedSender<Msg>,
    worker: usize,
    id: ItemId,
    store: PendingStore,
    received: JobResult,
) -> bool {
    let stored = catch_panic(store.wait()).await;
    report_stored(msgs, worker, id, stored, received)
}

/// Reports an item whose bytes were `received` once its deferred store
/// ended with `stored`; false when the queue is gone.
fn report_stored(
    msgs: &mpsc::UnboundedSender<Msg>,
    worker: usize,
    id: ItemId,
    stored: Result<()>,
    received: JobResult,
) -> bool {
    let result = stored.and(received);
    msgs.send(Msg::Finished { worker, id, result }).is_ok()
}

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
            session: (*job.site).clone(),
            retry: job.retry,
            exists: ExistsPolicy::Skip,
            events: events.clone(),
            cancel: job.cancel.clone(),
            preserve_times: false,
        };
        let slot = connections
            .slot(&job.site, job.generation, job.session.take(), &events)
            .await;
        let result = catch_panic(async {
            match job.direction {
                Direction::Download => walk_remote(slot, &settings, &job, &msgs).await,
                Direction::Upload => walk_local(slot, &settings, &job, &msgs).await,
            }
        })
        .await;
        let key = SiteKey::of(&job.site);
        // A walk that went well gives its connection to the queue for a
        // worker (it may have done so before its last batch already).
        if result.is_ok()
            && let Some(session) = connections.take(&key)
        {
            hand_over(&msgs, job.generation, session);
        }
        // Otherwise a site with a connection limit gets its connection back
        // between walks: an idle walker must not hold one of the few allowed.
        if job.site.max_connections.is_some()
            || result
                .as_ref()
                .is_err_and(|e| matches!(e, EngineError::Internal(_)))
        {
            connections.release(&key).await;
        }
        if msgs.send(Msg::WalkEnded { id: job.id, result }).is_err() {
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
        item: NewItem {
            direction,
            local,
            remote,
            remote_display: shown,
            is_dir: false,
            size: None,
            modified: None,
        },
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
    pending.push_back((job.remote.clone(), job.local.clone(), 0));
    while let Some((remote_dir, local_dir, depth)) = pending.pop_front() {
        if settings.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        if !visited.insert(remote_dir.clone()) {
            continue;
        }
        let folder = match make_local_dir(job.local.clone(), local_dir.clone()).await? {
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
                    send_batch(msgs, job.id, vec![child])?;
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
                        item: NewItem {
                            direction: Direction::Download,
                            local: local_dir,
                            remote: remote_dir,
                            remote_display: shown,
                            is_dir: true,
                            size: None,
                            modified: None,
                        },
                        hint: Hint::Unknown,
                        state: Some(ItemState::Failed(e.to_string())),
                    });
                }
                send_batch(msgs, job.id, children)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut seen: HashSet<std::ffi::OsString> = HashSet::new();
        for item in listing.entries {
            let remote = path::join(&remote_dir, &item.entry.name);
            let shown = session.decode(&remote);
            let known = job.known.contains(&remote);
            let local_name = match local_name(item.text.as_deref(), &item.entry.name) {
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
                    item: NewItem {
                        direction: Direction::Download,
                        local,
                        remote,
                        remote_display: shown,
                        is_dir: false,
                        size: item.size(),
                        modified: item.modified().map(|t| t.at),
                    },
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
            hand_over(msgs, job.generation, session);
        }
        send_batch(msgs, job.id, children)?;
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
    pending.push_back((job.local.clone(), job.remote.clone(), 0));
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
                        item: NewItem {
                            direction: Direction::Upload,
                            local,
                            remote,
                            remote_display: shown,
                            is_dir: false,
                            size: facts.size,
                            modified: facts.modified,
                        },
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
        send_batch(msgs, job.id, children)?;
    }
    Ok(())
}

/// How a file job ended, for the actor.
pub(super) type JobResult = Result<FileOutcome>;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_in_a_job_becomes_an_internal_error() {
        let result: Result<u32> = catch_panic(async {
            tokio::task::yield_now().await;
            panic!("boom in a transfer");
        })
        .await;
        match result {
            Err(EngineError::Internal(why)) => assert!(why.contains("boom in a transfer")),
            other => panic!("expected an internal error, got {other:?}"),
        }
        // A job that does not panic is untouched.
        assert_eq!(catch_panic(async { Ok(7) }).await.ok(), Some(7));
    }
}
