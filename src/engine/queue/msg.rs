//! The queue's shared types: what the actor sends its hands (jobs), what
//! they send back ([`Msg`]), and where events go ([`QueueSink`]).
//!
//! Every other file of the queue may import from here; this file imports
//! from none of them but `mod.rs`'s public types, so no two of the queue's
//! files import from each other. It holds types and no behaviour beyond
//! sending an event: no decision, no state, no I/O.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Direction, ItemId, ItemState, NewItem, QueueEvent, SiteKey};
use crate::engine::browser::Waker;
use crate::engine::config::SessionConfig;
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{LogKind, LogLine};
use crate::engine::policy::{ExistsPolicy, FileFacts};
use crate::engine::session::Session;
use crate::engine::transfer::{FileMode, FileOutcome, RetryPolicy};

/// Where queue events go, with the front end's waker.
#[derive(Clone)]
pub(crate) struct QueueSink {
    tx: mpsc::UnboundedSender<QueueEvent>,
    waker: Waker,
    /// Whether connections' command, reply and status lines are sent.
    pub(super) protocol_log: bool,
}

impl QueueSink {
    pub(super) fn new(
        tx: mpsc::UnboundedSender<QueueEvent>,
        waker: Waker,
        protocol_log: bool,
    ) -> Self {
        Self {
            tx,
            waker,
            protocol_log,
        }
    }

    /// Sends an event; a closed receiver is not an error.
    pub(crate) fn send(&self, event: QueueEvent) {
        if self.tx.send(event).is_ok() {
            (self.waker)();
        }
    }

    /// Sends one of the queue's own log lines.
    pub(super) fn log(&self, kind: LogKind, text: impl Into<String>) {
        self.send(QueueEvent::Log(LogLine {
            conn: 0,
            kind,
            text: text.into(),
        }));
    }
}

/// What the queue knows about a file's target before it runs (not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Nothing: the worker checks.
    Unknown,
    /// An upload's remote folder was just created: no target exists.
    FreshTarget,
    /// A download's local folder as the walk found it: `fresh` when the
    /// walk created it a moment ago (no target exists), `local_disk` when it
    /// is on a local disk (see [`FileMode::local_disk`]).
    LocalFolder { fresh: bool, local_disk: bool },
    /// An upload's remote target as listed (`None`: absent).
    Remote(Option<FileFacts>),
}

/// How a file job ended, for the actor.
pub(super) type JobResult = Result<FileOutcome>;

/// Reports from workers and the walker.
#[derive(Debug)]
pub(crate) enum Msg {
    /// A worker finished an item.
    Finished {
        worker: usize,
        id: ItemId,
        result: JobResult,
    },
    /// A worker received every byte of a small item and is free for the next
    /// one while the item is written to disk; `Finished` follows.
    Received { worker: usize, id: ItemId },
    /// Progress of a running item.
    Progress {
        id: ItemId,
        done: u64,
        total: Option<u64>,
        rate: f64,
    },
    /// A running item's transfer failed and is tried again after `delay`.
    Retrying {
        id: ItemId,
        reason: String,
        delay: std::time::Duration,
    },
    /// A listed folder's entries.
    Expanded {
        parent: ItemId,
        children: Vec<Child>,
    },
    /// The walk of a folder item ended.
    WalkEnded {
        id: ItemId,
        result: Result<(), EngineError>,
    },
    /// The walker is done with its logged-in connection (made with the
    /// site settings of `generation`); a worker may have it.
    Spare {
        generation: u64,
        session: Box<Session>,
    },
}

/// What every job names: its item, the site's settings and their version,
/// and the two ends of the transfer.
#[derive(Debug, Clone)]
pub(super) struct JobTarget {
    pub id: ItemId,
    pub site: Arc<SessionConfig>,
    /// The site settings' version: a worker reconnects when it changed.
    pub generation: u64,
    pub direction: Direction,
    pub local: PathBuf,
    pub remote: Vec<u8>,
}

/// One file for a worker.
#[derive(Debug)]
pub(super) struct FileJob {
    pub target: JobTarget,
    pub facts: Option<FileFacts>,
    pub hint: Hint,
    pub mode: FileMode,
    pub exists: ExistsPolicy,
    pub retry: RetryPolicy,
    pub preserve_times: bool,
    /// The destination of the folder download this file belongs to (its
    /// folder item's local path): the file is written beneath it.
    pub within: Option<PathBuf>,
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
    pub target: JobTarget,
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
