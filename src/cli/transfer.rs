//! `skiff get` and `skiff put`: one file or folder, run through the
//! transfer queue (memory-only, or `--queue FILE`) with the connection that
//! looked at the path lent to it, and the run's outcome as an exit code.
//!
//! Must not transfer bytes itself: the queue does, as for the window.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use super::target::{Answers, blocking_target, open};
use super::{CliError, Finish, Options, cancel_on_ctrl_c, print_log};
use crate::engine::event::EventSink;
use crate::engine::queue::{
    Direction, ItemId, ItemState, ItemView, NewItem, PolicyChoice, QueueCommand, QueueEvent,
    QueueHandle, QueueOptions, SHUTDOWN_DEADLINE, SiteKey,
};
use crate::engine::{EngineError, Session, SessionConfig, TreeReport};
use crate::names::local_name;
use crate::protocol::path;
use crate::protocol::text::scrub;

/// Reports skipped and failed items on standard error and picks the exit code.
fn finish(report: &TreeReport, single: bool) -> Finish {
    for skipped in &report.skipped {
        if single {
            eprintln!(
                "skiff: skipped: {} (use --overwrite to choose)",
                scrub(skipped)
            );
        } else {
            eprintln!("skiff: skipped: {}", scrub(skipped));
        }
    }
    for failed in &report.failed {
        eprintln!("skiff: failed: {}", scrub(failed));
    }
    if !report.failed.is_empty() {
        Finish::Failed
    } else if !report.skipped.is_empty() {
        Finish::Skipped
    } else {
        Finish::Ok
    }
}

/// The queue settings the options ask for.
fn queue_options(options: &Options) -> QueueOptions {
    QueueOptions {
        store: options.queue.clone(),
        workers: usize::from(options.parallel()),
        retry: options.retry(),
        download: PolicyChoice::Fixed(options.overwrite(Direction::Download)),
        upload: PolicyChoice::Fixed(options.overwrite(Direction::Upload)),
        preserve_times: options.preserve_times(),
        ascii_extensions: options.transfer_type().ascii_extensions(),
        process: true,
        // Commands and replies are printed only with --verbose.
        protocol_log: options.verbose,
    }
}

/// What the CLI asks of a queue run.
pub(super) enum Work {
    /// Add these items.
    Add(Vec<NewItem>),
    /// Resume everything paused.
    ResumeAll,
    /// Add each batch as it arrives; the work ends when the sender is
    /// dropped and every item added has finished.
    Stream(mpsc::UnboundedReceiver<Vec<NewItem>>),
}

/// The next batch of a streamed run (never, once the stream has ended).
async fn next_batch(
    stream: &mut Option<mpsc::UnboundedReceiver<Vec<NewItem>>>,
) -> Option<Vec<NewItem>> {
    match stream {
        Some(batches) => batches.recv().await,
        None => std::future::pending().await,
    }
}

/// A started queue for one site, before it has work.
pub(super) struct QueueRun {
    queue: QueueHandle,
    events: mpsc::UnboundedReceiver<QueueEvent>,
    site: SiteKey,
}

impl QueueRun {
    /// Gives the queue `config` as its site's settings again (after a change).
    pub(super) fn set_site(&self, config: &SessionConfig) {
        self.queue
            .send(QueueCommand::SetSite(Box::new(config.clone())));
    }

    /// Starts a queue (memory-only, or `--queue FILE`) that knows `config`'s
    /// site. With `recursive` (`-r`, before the path is looked at), all but
    /// one of the `--parallel` workers log in meanwhile (the connection that
    /// looks is the last one, and counts against the site's limit), so the
    /// transfers do not wait for logins one after the other.
    pub(super) fn start(config: &SessionConfig, options: &Options, recursive: bool) -> Self {
        let site = SiteKey::of(config);
        let (queue, events) = QueueHandle::start(
            &tokio::runtime::Handle::current(),
            queue_options(options),
            std::sync::Arc::new(|| {}),
        );
        queue.send(QueueCommand::SetLimits {
            download: options.limit_download(),
            upload: options.limit_upload(),
        });
        queue.send(QueueCommand::SetSite(Box::new(config.clone())));
        if recursive {
            let others = |n: usize| n.saturating_sub(1);
            let mut connections = others(usize::from(options.parallel()));
            if let Some(limit) = config.max_connections {
                connections = connections.min(others(usize::from(limit)));
            }
            queue.send(QueueCommand::Connect {
                site: site.clone(),
                connections,
            });
        }
        Self {
            queue,
            events,
            site,
        }
    }
}

/// Runs work on a queue until it is idle, then reports the items that moved
/// in this run. Ctrl-C stops the queue; with `--queue` its unfinished items
/// stay for `skiff queue resume`.
pub(super) async fn run_queue(
    run: QueueRun,
    options: &Options,
    work: Work,
    single: bool,
    lend: Option<Session>,
) -> Result<Finish, CliError> {
    let QueueRun {
        queue,
        mut events,
        site,
    } = run;
    // The connection that looked at the path does the first job: one login
    // fewer for every get and put.
    if let Some(session) = lend {
        queue.send(QueueCommand::Lend(Box::new(session)));
    }
    let resume_all = matches!(work, Work::ResumeAll);
    // A streamed run: how many items were added, so an `Idle` sent before
    // the last batch arrived is not taken for the end.
    let (mut stream, mut added) = (None, 0usize);
    match work {
        Work::Add(items) => {
            queue.send(QueueCommand::Add {
                site: site.clone(),
                items,
            });
        }
        Work::ResumeAll => {
            queue.send(QueueCommand::ResumeAll);
        }
        Work::Stream(batches) => stream = Some(batches),
    }
    let streamed = stream.is_some();
    let all_finished = |views: &HashMap<ItemId, ItemView>, active: &HashSet<ItemId>, added| {
        active.len() >= added
            && active.iter().all(|id| {
                views.get(id).is_some_and(|v| {
                    v.state.is_finished() || matches!(v.state, ItemState::Failed(_))
                })
            })
    };
    let mut views: HashMap<ItemId, ItemView> = HashMap::new();
    // What the store held comes before the queue's first totals; of those,
    // only items that run again in this run are reported.
    let mut restored: HashSet<ItemId> = HashSet::new();
    let mut active: HashSet<ItemId> = HashSet::new();
    let mut started = false;
    let interrupted = cancel_on_ctrl_c();
    let mut cancelled = false;
    // Asked to stop, the queue answers once its journal is written; until then
    // (one deadline at most) its events are read, then what it sent before.
    let stop = |queue: &QueueHandle| {
        queue.send(QueueCommand::Shutdown);
        tokio::time::Instant::now() + SHUTDOWN_DEADLINE
    };
    let (mut stop_by, mut stopped) = (None, false);
    loop {
        let by = stop_by.unwrap_or_else(tokio::time::Instant::now);
        let event = tokio::select! {
            event = events.recv() => event,
            batch = next_batch(&mut stream), if stream.is_some() => {
                match batch {
                    Some(items) => {
                        added += items.len();
                        queue.send(QueueCommand::Add { site: site.clone(), items });
                    }
                    None => {
                        stream = None;
                        if all_finished(&views, &active, added) {
                            stop_by.get_or_insert_with(|| stop(&queue));
                        }
                    }
                }
                continue;
            }
            _ = interrupted.cancelled(), if !cancelled => {
                cancelled = true;
                stop_by.get_or_insert_with(|| stop(&queue));
                continue;
            }
            _ = tokio::time::timeout_at(by, queue.stopped()), if stop_by.is_some() && !stopped => {
                stopped = true;
                events.close();
                continue;
            }
        };
        let Some(event) = event else { break };
        match event {
            QueueEvent::Upsert(items) => {
                for item in items {
                    if !started {
                        restored.insert(item.id);
                    } else if !restored.contains(&item.id)
                        || matches!(item.state, ItemState::Queued | ItemState::Running)
                    {
                        active.insert(item.id);
                    }
                    views.insert(item.id, item);
                }
            }
            QueueEvent::Log(line) => print_log(&line, options.verbose),
            // A streamed run ends when its stream has and all it added
            // finished (an `Idle` between two batches is not the end).
            QueueEvent::Idle
                if streamed && !(stream.is_none() && all_finished(&views, &active, added)) => {}
            QueueEvent::Idle => {
                stop_by.get_or_insert_with(|| stop(&queue));
            }
            QueueEvent::Totals { .. } if !started => {
                started = true;
                if resume_all && !views.values().any(|v| v.state == ItemState::Paused) {
                    // Nothing to resume.
                    stop_by.get_or_insert_with(|| stop(&queue));
                }
            }
            _ => {}
        }
    }
    if cancelled {
        return Err(EngineError::Cancelled.into());
    }
    let mut items: Vec<&ItemView> = views.values().filter(|v| active.contains(&v.id)).collect();
    items.sort_by_key(|v| v.id);
    Ok(finish(&TreeReport::from_items(items), single))
}

/// `skiff get [-r] URL [DEST]`: as `cp`, into DEST when it is a folder, else as DEST.
pub(super) async fn get(
    text: &str,
    dest: Option<&Path>,
    recursive: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, mut config) = blocking_target(text, options).await?;
    let run = QueueRun::start(&config, options, recursive);
    let before = Answers::of(&config);
    let (mut session, remote) = open(&url, &mut config, &events).await?;
    if Answers::of(&config) != before {
        // The user trusted a certificate or host key, or gave a key's
        // passphrase, at the prompt: so do the workers.
        run.set_site(&config);
    }
    let is_dir = remote == b"/" || session.cwd(&remote).await.is_ok();
    let raw_name = path::file_name(&remote);
    let name = session.charset().decode_exact(raw_name);
    let remote_display = session.decode(&remote);
    let dest_dir_named = dest.is_some_and(|d| d.as_os_str().to_string_lossy().ends_with('/'));
    if dest_dir_named && !dest.is_some_and(Path::is_dir) {
        return Err(CliError::Usage(format!(
            "no such local folder: {}",
            dest.map(Path::display)
                .map(|d| d.to_string())
                .unwrap_or_default()
        )));
    }
    if is_dir {
        if !recursive {
            return Err(CliError::Usage(format!(
                "is a folder (use get -r): {remote_display}"
            )));
        }
        // As `cp -r SRC DEST`: into DEST/name when DEST is a folder, else as DEST.
        let local = if raw_name.is_empty() {
            None
        } else {
            match local_name(name.as_deref(), raw_name) {
                Ok(local) => Some(local),
                Err(_) => {
                    return Err(CliError::Usage(format!(
                        "unsafe folder name: {remote_display}"
                    )));
                }
            }
        };
        let target = match (dest, local) {
            (None, None) => PathBuf::from("."),
            (None, Some(local)) => PathBuf::from(local),
            (Some(d), Some(local)) if d.is_dir() => d.join(local),
            (Some(d), _) => d.to_path_buf(),
        };
        let item = NewItem::download(absolute(target), remote, remote_display).folder(true);
        return run_queue(run, options, Work::Add(vec![item]), false, Some(session)).await;
    }
    let local = local_name(name.as_deref(), raw_name)
        .map_err(|why| CliError::Usage(format!("{why}: {remote_display}")))?;
    let target = match dest {
        None => PathBuf::from(local),
        Some(d) if d.is_dir() => d.join(local),
        Some(d) => d.to_path_buf(),
    };
    // The worker asks SIZE and MDTM on its own connection.
    let item = NewItem::download(absolute(target), remote, remote_display);
    run_queue(run, options, Work::Add(vec![item]), true, Some(session)).await
}

/// A stored queue must not depend on the folder it was started from.
fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

/// `skiff put [-r] SRC URL`: into the URL's folder, or as the URL's name.
pub(super) async fn put(
    src: &Path,
    text: &str,
    recursive: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let meta = std::fs::metadata(src).map_err(|source| EngineError::Local {
        path: src.to_path_buf(),
        source,
    })?;
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (url, mut config) = blocking_target(text, options).await?;
    let run = QueueRun::start(&config, options, recursive && meta.is_dir());
    let before = Answers::of(&config);
    let (mut session, remote) = open(&url, &mut config, &events).await?;
    if Answers::of(&config) != before {
        // The user trusted a certificate or host key, or gave a key's
        // passphrase, at the prompt: so do the workers.
        run.set_site(&config);
    }
    let remote_is_dir = remote == b"/" || session.cwd(&remote).await.is_ok();
    if meta.is_dir() {
        if !recursive {
            return Err(CliError::Usage(format!(
                "is a folder (use put -r): {}",
                src.display()
            )));
        }
        let target = if remote_is_dir && !name.is_empty() {
            path::join(&remote, &session.encode(&name)?)
        } else {
            remote
        };
        let remote_display = session.decode(&target);
        let item =
            NewItem::upload(absolute(src.to_path_buf()), target, remote_display).folder(true);
        return run_queue(run, options, Work::Add(vec![item]), false, Some(session)).await;
    }
    let target = if remote_is_dir || url.trailing_slash {
        path::join(&remote, &session.encode(&name)?)
    } else {
        remote
    };
    let remote_display = session.decode(&target);
    let item = NewItem::upload(absolute(src.to_path_buf()), target, remote_display)
        .with_size(Some(meta.len()));
    run_queue(run, options, Work::Add(vec![item]), true, Some(session)).await
}
