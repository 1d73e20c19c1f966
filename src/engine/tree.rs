//! Recursive transfers as one call: a folder item on a private, memory-only
//! queue ([`crate::engine::queue`]), run to the end.
//!
//! There is one code path for folders: the queue's walker lists (or reads the
//! disk) and its workers move the files, each on its own connection, so
//! files start moving before the walk ends. This module only adds the item,
//! waits until the queue is idle and sums up what happened.
//!
//! Invariant: a recursive download never writes outside its root. Every
//! remote name is checked with [`crate::names::safe_local_name`] before it
//! becomes a path component; unsafe names, links and duplicates are skipped
//! and reported, never followed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::error::{EngineError, Result};
use super::event::{Event, Progress};
use super::queue::{
    Direction, ItemId, ItemState, ItemView, NewItem, PolicyChoice, QueueCommand, QueueEvent,
    QueueHandle, QueueOptions, SiteKey,
};
use super::transfer::TransferSettings;

/// Deepest folder a recursive transfer enters: a hostile server can invent
/// an endless tree whose paths never repeat, which a visited set cannot stop.
pub const MAX_DEPTH: usize = 100;

/// What a recursive transfer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeReport {
    /// Files transferred.
    pub files: u64,
    /// Bytes of the files transferred.
    pub bytes: u64,
    /// Folder items walked.
    pub folders: u64,
    /// Items left alone, each with the reason.
    pub skipped: Vec<String>,
    /// Items that failed, each with the error.
    pub failed: Vec<String>,
}

impl TreeReport {
    /// Sums up the final state of a queue's items.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a ItemView>) -> Self {
        let mut report = TreeReport::default();
        for item in items {
            match &item.state {
                ItemState::Done if item.is_dir => report.folders += 1,
                ItemState::Done => {
                    report.files += 1;
                    report.bytes += item.done;
                }
                ItemState::Skipped(reason) => report.skipped.push(reason.clone()),
                ItemState::Failed(reason) => {
                    let name = match item.direction {
                        Direction::Download => item.remote_display.clone(),
                        Direction::Upload => item.local.display().to_string(),
                    };
                    report.failed.push(format!("{reason}: {name}"));
                }
                _ => {}
            }
        }
        report
    }
}

/// Copies the remote folder `remote_root` into the local folder `local_root`
/// (created if missing), with `parallel` transfer connections.
pub async fn download_tree(
    settings: &TransferSettings,
    remote_root: &[u8],
    local_root: &Path,
    parallel: usize,
) -> Result<TreeReport> {
    let item = folder_item(Direction::Download, local_root, remote_root);
    run_items(settings, parallel, vec![item]).await
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
    let item = folder_item(Direction::Upload, local_root, remote_root);
    run_items(settings, parallel, vec![item]).await
}

/// A folder item between `local_root` and `remote_root`.
fn folder_item(direction: Direction, local_root: &Path, remote_root: &[u8]) -> NewItem {
    NewItem::new(
        direction,
        local_root.to_path_buf(),
        remote_root.to_vec(),
        String::from_utf8_lossy(remote_root).into_owned(),
    )
    .folder(true)
}

/// Runs `items` on a memory-only queue with `settings` (binary mode, the
/// settings' policy both ways) until it is idle, forwarding log lines and
/// progress to `settings.events`.
pub async fn run_items(
    settings: &TransferSettings,
    parallel: usize,
    items: Vec<NewItem>,
) -> Result<TreeReport> {
    let options = QueueOptions {
        store: None,
        workers: parallel,
        retry: settings.retry,
        download: PolicyChoice::Fixed(settings.exists),
        upload: PolicyChoice::Fixed(settings.exists),
        preserve_times: settings.preserve_times,
        ascii_extensions: Vec::new(),
        process: true,
        protocol_log: true,
    };
    let (queue, mut events) =
        QueueHandle::start(&tokio::runtime::Handle::current(), options, Arc::new(|| {}));
    let rate = |limit: &Option<Arc<super::limit::RateLimiter>>| {
        limit.as_ref().map(|l| l.rate()).filter(|&r| r > 0)
    };
    queue.send(QueueCommand::SetLimits {
        download: rate(&settings.session.download_limit),
        upload: rate(&settings.session.upload_limit),
    });
    queue.send(QueueCommand::SetSite(Box::new(settings.session.clone())));
    queue.send(QueueCommand::Add {
        site: SiteKey::of(&settings.session),
        items,
    });
    let mut views: HashMap<ItemId, ItemView> = HashMap::new();
    loop {
        let event = tokio::select! {
            event = events.recv() => event,
            _ = settings.cancel.cancelled() => {
                queue.send(QueueCommand::Shutdown);
                while events.recv().await.is_some() {}
                return Err(EngineError::Cancelled);
            }
        };
        let Some(event) = event else { break };
        match event {
            QueueEvent::Upsert(items) => {
                for item in items {
                    views.insert(item.id, item);
                }
            }
            QueueEvent::Log(line) => settings.events.send(Event::Log(line)),
            QueueEvent::Progress {
                id,
                done,
                total,
                rate,
                ..
            } => {
                let remote = views
                    .get(&id)
                    .map(|v| v.remote_display.clone())
                    .unwrap_or_default();
                settings.events.send(Event::Progress(Progress {
                    remote,
                    done,
                    total,
                    rate,
                }));
            }
            QueueEvent::Idle => {
                queue.send(QueueCommand::Shutdown);
            }
            _ => {}
        }
    }
    let mut items: Vec<&ItemView> = views.values().collect();
    items.sort_by_key(|v| v.id);
    Ok(TreeReport::from_items(items))
}
