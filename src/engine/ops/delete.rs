//! Recursive delete: a plan (walk the tree, count what will go) that a front
//! end can show for confirmation, then its execution on several connections:
//! files and links first, then folders, deepest level first.
//!
//! Must not follow a link (a link is one `DELE`, whatever it points to),
//! touch a path outside the planned root, or stop at the first failure:
//! every path that could not be deleted is reported and the rest goes on.

use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use super::walk::{self, Listing};
use super::{BoxFuture, OpEvent, OpFailure, OpSink, failure, join_all};
use crate::engine::config::SessionConfig;
use crate::engine::error::Result;
use crate::engine::event::EventSink;
use crate::engine::session::Session;
use crate::protocol::listing::EntryKind;
use crate::protocol::path;

/// What a recursive delete will remove, counted before anything is deleted.
#[derive(Debug, Clone, Default)]
pub struct DeletePlan {
    /// The path the user chose.
    pub root: Vec<u8>,
    /// Files, links and other entries, deleted with `DELE`.
    files: Vec<Vec<u8>>,
    /// Folders with their depth below the root (the root is 0), `RMD`.
    folders: Vec<(Vec<u8>, usize)>,
    /// The listed sizes of the files (links count nothing).
    pub bytes: u64,
    /// What the walk could not list or refused to touch.
    pub failures: Vec<OpFailure>,
}

impl DeletePlan {
    /// How many folders will be removed, the root included when it is one.
    pub fn folder_count(&self) -> usize {
        self.folders.len()
    }

    /// How many files, links and other entries will be removed.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// "12 folders, 340 files, 1.2 GiB", for a confirmation.
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, {}, {}",
            plural(self.folder_count(), "folder", "folders"),
            plural(self.file_count(), "file", "files"),
            human_bytes(self.bytes)
        )
    }

    /// Adds the plan of another path of the same folder (a selection of
    /// several rows): its entries go in the same phases, each folder at its
    /// own depth below its own root.
    pub fn merge(&mut self, other: DeletePlan) {
        self.files.extend(other.files);
        self.folders.extend(other.folders);
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.failures.extend(other.failures);
    }
}

/// Bytes in binary units with one decimal: `1.2 GiB`, `512 B`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// What a recursive delete removed and what it could not.
#[derive(Debug, Clone, Default)]
pub struct DeleteReport {
    /// Files, links and other entries deleted.
    pub files: u64,
    /// Folders removed.
    pub folders: u64,
    /// Each path that could not be deleted (the plan's failures included).
    pub failures: Vec<OpFailure>,
}

/// Plans deleting `root`: looks it up in its parent's listing (a link or a
/// file is one `DELE`, never entered), and walks it when it is a folder, on
/// `session` and the `helpers` ([`connect_helpers`]) at once.
/// The server's top folder (`/`) is refused.
pub async fn plan_delete(
    session: &mut Session,
    helpers: &mut [Session],
    root: &[u8],
    cancel: &CancellationToken,
    sink: &OpSink,
) -> Result<DeletePlan> {
    let listed = walk::kind_of(session, root).await?;
    let mut plan = DeletePlan {
        root: root.to_vec(),
        ..DeletePlan::default()
    };
    if listed.kind() != EntryKind::Dir {
        plan.bytes = file_bytes(listed.kind(), listed.size());
        plan.files.push(root.to_vec());
        return Ok(plan);
    }
    plan.folders.push((root.to_vec(), 0));
    let (mut files, mut folders, mut bytes) = (Vec::new(), Vec::new(), 0u64);
    let mut failures = Vec::new();
    let mut sessions = vec![session];
    sessions.extend(helpers.iter_mut());
    walk::walk_on(
        sessions,
        root,
        Listing::ShowingLinks,
        cancel,
        sink,
        &mut failures,
        |dir, depth, entries| {
            for entry in entries {
                let full = path::join(dir, &entry.entry.name);
                if entry.kind() == EntryKind::Dir {
                    folders.push((full, depth + 1));
                } else {
                    bytes = bytes.saturating_add(file_bytes(entry.kind(), entry.size()));
                    files.push(full);
                }
            }
        },
    )
    .await?;
    plan.files = files;
    plan.folders.extend(folders);
    plan.bytes = bytes;
    plan.failures = failures;
    Ok(plan)
}

fn file_bytes(kind: EntryKind, size: Option<u64>) -> u64 {
    match kind {
        EntryKind::File => size.unwrap_or(0),
        _ => 0,
    }
}

/// Logs in the extra connections a parallel delete uses: `connections - 1`
/// of them, capped by the site's `max_connections` (their log lines go to
/// `events`). A front end opens them while the plan is made or confirmed,
/// so the logins cost no time of their own; one that fails is left out.
pub async fn connect_helpers(
    config: &SessionConfig,
    connections: usize,
    events: &EventSink,
) -> Vec<Session> {
    let limit = config.max_connections.map_or(usize::MAX, usize::from);
    let extra = connections.min(limit).max(1) - 1;
    join_all(
        (0..extra)
            .map(|_| -> BoxFuture<'_, _> {
                Box::pin(Session::connect(config.clone(), events.clone()))
            })
            .collect(),
    )
    .await
    .into_iter()
    .filter_map(Result::ok)
    .collect()
}

/// Deletes what `plan` lists on `session` and the `helpers`
/// ([`connect_helpers`]), which it closes at the end. Files and links go
/// first, pipelined on every connection at once; then folders, one depth
/// level at a time from the deepest. A path that fails is reported (`sink`
/// and the report) and the rest goes on; a connection that is lost stops
/// only its own share. Cancelling stops before the next batch.
pub async fn delete_planned(
    session: &mut Session,
    helpers: Vec<Session>,
    plan: DeletePlan,
    cancel: &CancellationToken,
    sink: &OpSink,
) -> DeleteReport {
    let mut extras: Vec<Option<Session>> = helpers.into_iter().map(Some).collect();
    let mut report = DeleteReport {
        failures: plan.failures,
        ..DeleteReport::default()
    };
    // The walk left the session inside the tree; a folder being removed
    // should not be anyone's current folder.
    let _ = session.cwd(&path::parent(&plan.root)).await;
    let mut first = Some(session);
    report.files = run_phase(
        &mut first,
        &mut extras,
        plan.files,
        false,
        cancel,
        sink,
        &mut report.failures,
    )
    .await;
    let mut folders = plan.folders;
    folders.sort_by_key(|(_, depth)| std::cmp::Reverse(*depth));
    let mut level_start = 0;
    while level_start < folders.len() {
        let depth = folders[level_start].1;
        let level_end = folders[level_start..]
            .iter()
            .position(|(_, d)| *d != depth)
            .map_or(folders.len(), |i| level_start + i);
        let level: Vec<Vec<u8>> = folders[level_start..level_end]
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        report.folders += run_phase(
            &mut first,
            &mut extras,
            level,
            true,
            cancel,
            sink,
            &mut report.failures,
        )
        .await;
        level_start = level_end;
    }
    for session in extras.into_iter().flatten() {
        session.quit().await;
    }
    report
}

/// Runs one phase's deletes on every live connection at once; returns how
/// many succeeded. A connection whose error loses it is marked dead (`None`).
async fn run_phase(
    first: &mut Option<&mut Session>,
    extras: &mut [Option<Session>],
    items: Vec<Vec<u8>>,
    folders: bool,
    cancel: &CancellationToken,
    sink: &OpSink,
    failures: &mut Vec<OpFailure>,
) -> u64 {
    let total = items.len();
    let queue = Mutex::new(items);
    let found = Mutex::new(Vec::new());
    let mut workers: Vec<BoxFuture<'_, (bool, u64)>> = Vec::new();
    let (queue_ref, found_ref) = (&queue, &found);
    let first_alive = first.is_some();
    if let Some(session) = first.as_deref_mut() {
        workers.push(Box::pin(worker(
            session, queue_ref, folders, cancel, sink, found_ref,
        )));
    }
    let mut slots = Vec::new();
    for (index, slot) in extras.iter_mut().enumerate() {
        if let Some(session) = slot.as_mut() {
            slots.push(index);
            workers.push(Box::pin(worker(
                session, queue_ref, folders, cancel, sink, found_ref,
            )));
        }
    }
    let results = join_all(workers).await;
    let mut results = results.into_iter();
    let mut done = 0;
    if first_alive && let Some((alive, n)) = results.next() {
        done += n;
        if !alive {
            *first = None;
        }
    }
    for (index, (alive, n)) in slots.into_iter().zip(results) {
        done += n;
        if !alive {
            extras[index] = None;
        }
    }
    failures.extend(found.into_inner().unwrap_or_else(|e| e.into_inner()));
    let left = queue.into_inner().unwrap_or_else(|e| e.into_inner());
    let why = if cancel.is_cancelled() {
        "not deleted: the delete was cancelled"
    } else {
        "not deleted: no connection to the server was left"
    };
    for path in left {
        failures.push(OpFailure {
            display_path: String::from_utf8_lossy(&path).into_owned(),
            path,
            message: why.to_string(),
        });
    }
    debug_assert!(done as usize <= total);
    done
}

/// Paths sent in one pipelined batch: enough to hide the round trip, few
/// enough that the other connections still get a share of a small phase.
const BATCH: usize = 32;

/// One connection's share of a phase: takes up to [`BATCH`] paths at a time
/// and deletes them pipelined, until none is left; returns whether the
/// connection is still usable and how many paths it deleted. Paths left
/// unanswered by a lost connection go back to the others.
async fn worker(
    session: &mut Session,
    queue: &Mutex<Vec<Vec<u8>>>,
    folders: bool,
    cancel: &CancellationToken,
    sink: &OpSink,
    failures: &Mutex<Vec<OpFailure>>,
) -> (bool, u64) {
    let mut done = 0;
    loop {
        if cancel.is_cancelled() {
            return (true, done);
        }
        let batch: Vec<Vec<u8>> = {
            let mut queue = queue.lock().unwrap_or_else(|e| e.into_inner());
            let keep = queue.len().saturating_sub(BATCH);
            queue.split_off(keep)
        };
        if batch.is_empty() {
            return (true, done);
        }
        let (results, lost) = session.delete_pipelined(&batch, folders).await;
        let mut unanswered = Vec::new();
        for (target, result) in batch.into_iter().zip(results) {
            match result {
                Some(Ok(())) => {
                    done += 1;
                    sink(OpEvent::Done {
                        path: target,
                        is_folder: folders,
                    });
                }
                Some(Err(e)) => {
                    let failed = failure(session, &target, &e);
                    sink(OpEvent::Failed(failed.clone()));
                    failures
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(failed);
                }
                None => unanswered.push(target),
            }
        }
        if lost.is_some() {
            queue
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(unanswered);
            return (false, done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reads_as_a_confirmation() {
        let plan = DeletePlan {
            root: b"/d".to_vec(),
            files: vec![b"/d/a".to_vec(); 340],
            folders: vec![(b"/d".to_vec(), 0); 12],
            bytes: 1_288_490_189,
            failures: Vec::new(),
        };
        assert_eq!(plan.summary(), "12 folders, 340 files, 1.2 GiB");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        let one = DeletePlan {
            folders: vec![(b"/d".to_vec(), 0)],
            files: vec![b"/d/a".to_vec()],
            ..DeletePlan::default()
        };
        assert_eq!(one.summary(), "1 folder, 1 file, 0 B");
    }
}
