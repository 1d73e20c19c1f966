//! The transfer queue: every download and upload, file or folder, runs here.
//!
//! A front end (the GUI's queue pane, the CLI's `get`/`put`) talks to one
//! actor through a [`QueueHandle`]: [`QueueCommand`]s in through an unbounded
//! channel (sending never blocks), [`QueueEvent`]s out, and the waker called
//! after each event so a sleeping UI repaints. The actor owns the list of
//! items; nothing else changes it.
//!
//! The files, one job each (imports go one way, from `core` down to `msg`):
//! - `core`: the actor; each command and report becomes changes to its parts.
//! - `table`: the item table: items, positions, children, ready sets and
//!   counts; plain data, no channels, no tokio.
//! - `journal`: the store handle, the changed items and the flush timers;
//!   the restore. `store`: the journal's file format and writer thread.
//! - `scheduler`: workers and walker as the actor sees them, site settings
//!   and limits, lent connections.
//! - `worker`, `walker`: the tasks that move files and expand folders.
//! - `msg`: the shared types: jobs, reports, the event sink.
//!
//! How work runs:
//! - N workers (default 2, FileZilla's; 1–32) each own one control
//!   connection per site and reuse it item after item; a worker asks the actor
//!   for the next runnable item in queue order when it is free.
//! - A folder item is expanded by a walker with a connection of its own
//!   (remote) or by walking the disk (local). Each listed folder's files are
//!   added as child items at once, so they start before the walk ends.
//!   Links are not followed; remote folders already visited are not listed
//!   again, and the walk stops [`crate::engine::tree::MAX_DEPTH`] levels down.
//!   While it lists, idle workers log in to the site; after its last folder
//!   the walker's connection goes to the worker that has none, so a walk
//!   with N workers costs N logins, made at the same time.
//! - An existing target under [`PolicyChoice::Ask`] parks its item as
//!   [`ItemState::Asking`] and emits [`QueueEvent::Ask`]; the worker goes on
//!   with other items. [`QueueCommand::Answer`] puts it back in the queue.
//! - Retries follow [`crate::engine::transfer`]: 2 retries, 5 s apart by
//!   default, and a failure after progress resumes without using one up.
//! - Every file moves as bytes (`TYPE I`) unless the front end configures
//!   text extensions for `TYPE A` ([`QueueOptions::ascii_extensions`]; the
//!   "Auto" choice is [`default_ascii_extensions`], FileZilla's list; a name
//!   without an extension is binary). An ASCII transfer is never resumed and its size is
//!   not checked byte for byte: the server converts line endings, so byte
//!   counts on the two sides differ.
//!
//! Invariants:
//! - A file item is `Done` only after the server confirmed the transfer, every
//!   expected byte arrived (binary mode) and, for downloads, the complete
//!   file was renamed from `NAME.skiffpart` to its name.
//! - Persistence ([`QueueOptions::store`]): the queue is an append-only
//!   journal of JSON lines, written in batches at least once a second while it
//!   changes (never once per change), and rewritten whole with
//!   [`crate::paths::write_atomic`] only when the journal has grown well past
//!   the live items. After a crash (SIGKILL included) the next start restores
//!   every unfinished item as `Paused`; partial files stay for resume. A torn
//!   last line (the crash hit a write) is ignored. Passwords are never stored:
//!   a [`SiteKey`] is host, port and user, and the password comes back with
//!   [`QueueCommand::SetSite`].
//! - Shutdown is confirmed, not timed out: [`QueueHandle::shutdown`]
//!   resolves once every journal record is on disk and the workers have
//!   stopped; a front end waits for it, within [`SHUTDOWN_DEADLINE`], before
//!   it drops the runtime.
//! - Every "now" and timer in the queue is [`tokio::time`], so tests run it
//!   with paused time.

mod core;
mod journal;
mod msg;
mod scheduler;
mod store;
mod table;
mod walker;
mod worker;

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::browser::Waker;
use super::config::SessionConfig;
use super::event::LogLine;
use super::policy::{ExistsPolicy, FileFacts};
use super::transfer::RetryPolicy;

pub use store::{STORE_FILE, default_store};

/// An item's number, unique within one queue (and kept across restarts).
pub type ItemId = u64;

/// Which way an item moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// Server to local disk.
    Download,
    /// Local disk to server.
    Upload,
}

/// The site an item belongs to: host, port and user. Never a password.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SiteKey {
    /// Host name or address, as configured.
    pub host: String,
    /// Control port.
    pub port: u16,
    /// User name.
    pub user: String,
}

impl SiteKey {
    /// The key of a session config.
    pub fn of(config: &SessionConfig) -> Self {
        Self {
            host: config.host.clone(),
            port: config.port,
            user: config.credentials.user.clone(),
        }
    }
}

impl std::fmt::Display for SiteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}:{}", self.user, self.host, self.port)
    }
}

/// The overwrite choice for one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyChoice {
    /// Ask the user for each existing target ([`QueueEvent::Ask`]).
    Ask,
    /// Apply this policy.
    Fixed(ExistsPolicy),
}

impl Default for PolicyChoice {
    fn default() -> Self {
        PolicyChoice::Fixed(ExistsPolicy::Skip)
    }
}

/// One item to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    /// Download or upload.
    pub direction: Direction,
    /// The local file or folder (the target of a download, the source of an upload).
    pub local: PathBuf,
    /// The remote path, as the server's bytes.
    pub remote: Vec<u8>,
    /// The remote path decoded for display.
    pub remote_display: String,
    /// A folder, to be walked.
    pub is_dir: bool,
    /// The source's size, when known (a listing's for downloads).
    pub size: Option<u64>,
    /// The source's modification time (UTC), when known.
    pub modified: Option<chrono::NaiveDateTime>,
    /// What to do with an existing target, when the caller decided already
    /// (a sync's plan replaces what it found different): as if the user had
    /// answered the overwrite question. Not journaled: a restored item asks
    /// the queue's policy again.
    pub overwrite: Option<ExistsPolicy>,
}

impl NewItem {
    /// A file moving `direction` between `local` and `remote` (shown as
    /// `remote_display`), its size and time unknown: the worker asks.
    pub fn new(
        direction: Direction,
        local: PathBuf,
        remote: Vec<u8>,
        remote_display: String,
    ) -> Self {
        Self {
            direction,
            local,
            remote,
            remote_display,
            is_dir: false,
            size: None,
            modified: None,
            overwrite: None,
        }
    }

    /// A file from `remote` (shown as `remote_display`) to `local`.
    pub fn download(local: PathBuf, remote: Vec<u8>, remote_display: String) -> Self {
        Self::new(Direction::Download, local, remote, remote_display)
    }

    /// A file from `local` to `remote` (shown as `remote_display`).
    pub fn upload(local: PathBuf, remote: Vec<u8>, remote_display: String) -> Self {
        Self::new(Direction::Upload, local, remote, remote_display)
    }

    /// A folder to be walked when `is_dir`, else a file.
    pub fn folder(self, is_dir: bool) -> Self {
        Self { is_dir, ..self }
    }

    /// The source's size, when known.
    pub fn with_size(self, size: Option<u64>) -> Self {
        Self { size, ..self }
    }

    /// The source's modification time (UTC), when known.
    pub fn with_modified(self, modified: Option<chrono::NaiveDateTime>) -> Self {
        Self { modified, ..self }
    }

    /// An existing target gets `policy`, whatever the queue's policy is.
    pub fn with_overwrite(self, policy: ExistsPolicy) -> Self {
        Self {
            overwrite: Some(policy),
            ..self
        }
    }
}

/// Where an item is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ItemState {
    /// Waiting for a worker.
    Queued,
    /// Held by the user (or restored after a restart, or waiting for its site's settings).
    Paused,
    /// Moving (a folder: being walked).
    Running,
    /// Its target exists and the user is asked ([`QueueEvent::Ask`]).
    Asking,
    /// Finished (a folder: walked).
    Done,
    /// Left alone, with the reason (overwrite policy, unsafe name, link).
    Skipped(String),
    /// Failed, with the reason; [`QueueCommand::Retry`] queues it again.
    Failed(String),
}

impl ItemState {
    /// Done or skipped: nothing more will happen to it.
    pub fn is_finished(&self) -> bool {
        matches!(self, ItemState::Done | ItemState::Skipped(_))
    }
}

/// An item as the front end sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    /// Its number.
    pub id: ItemId,
    /// The folder item it came from.
    pub parent: Option<ItemId>,
    /// Its site.
    pub site: SiteKey,
    /// Download or upload.
    pub direction: Direction,
    /// The local path.
    pub local: PathBuf,
    /// The remote path for display.
    pub remote_display: String,
    /// A folder.
    pub is_dir: bool,
    /// The size, when known.
    pub size: Option<u64>,
    /// Bytes done so far (a resumed prefix included).
    pub done: u64,
    /// Its state.
    pub state: ItemState,
    /// Why it failed, for a front end's own words (this run only; a
    /// restored failure has only its English reason in `state`).
    pub failure: Option<crate::engine::wording::UserMessage>,
}

/// How a queue starts.
#[derive(Debug, Clone)]
pub struct QueueOptions {
    /// The persistence file; `None` keeps the queue in memory only.
    pub store: Option<PathBuf>,
    /// Transfer workers, each with its own connection per site (clamped to 1..=32).
    pub workers: usize,
    /// Retries after failures.
    pub retry: RetryPolicy,
    /// Existing local targets of downloads.
    pub download: PolicyChoice,
    /// Existing remote targets of uploads.
    pub upload: PolicyChoice,
    /// Give downloads the remote time, uploads the local time (MFMT when offered).
    pub preserve_times: bool,
    /// Extensions (without the dot, any case) moved in ASCII mode. Empty by
    /// default: every file moves as bytes (`TYPE I`), in the window as in
    /// the CLI, since ASCII mode changes line ends on the way and a server
    /// that does not translate keeps them changed. [`default_ascii_extensions`]
    /// is FileZilla's list, for a front end's "Auto" choice.
    pub ascii_extensions: Vec<String>,
    /// Process the queue from the start (else it waits for `SetProcessing(true)`).
    pub process: bool,
    /// Send every command, reply and status line as `QueueEvent::Log` (the
    /// window's message log); when off, only warnings and errors are sent,
    /// sparing a front end that shows nothing else an event per command.
    pub protocol_log: bool,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            store: None,
            workers: 2,
            retry: RetryPolicy::default(),
            download: PolicyChoice::default(),
            upload: PolicyChoice::default(),
            preserve_times: false,
            ascii_extensions: Vec::new(),
            process: true,
            protocol_log: true,
        }
    }
}

/// FileZilla's default ASCII extensions.
pub fn default_ascii_extensions() -> Vec<String> {
    "am asp bat c cfm cgi conf cpp css cs dhtml diz h hpp htm html in inc java js jsp lua m4 mak \
     md5 nfo nsh nsi pas patch pem php phtml pl po proj py qmail sh sha1 sha256 sha512 shtml sql \
     svg tcl tpl txt vbs xhtml xml xrc"
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// What a front end can ask of the queue.
#[derive(Debug)]
pub enum QueueCommand {
    /// Connection settings (with the password) for items of this site. Items
    /// of a site without settings wait, paused, with a line in the log.
    SetSite(Box<SessionConfig>),
    /// A logged-in connection a front end opened to a site whose settings
    /// were set (the CLI's, after it looked at what a path is): the next walk
    /// or file of that site uses it instead of logging in again. It takes the
    /// queue's speed limits and events from then on.
    Lend(Box<crate::engine::Session>),
    /// Logs up to `connections` idle workers in to a site whose settings were
    /// set, ahead of the items that will need them (within the site's
    /// connection limit): the CLI asks this for `-r` while it still looks at
    /// the path, so the logins overlap its own.
    Connect {
        /// The site.
        site: SiteKey,
        /// How many workers to log in at most.
        connections: usize,
    },
    /// Adds items at the end of the queue.
    Add {
        /// Their site.
        site: SiteKey,
        /// The items.
        items: Vec<NewItem>,
    },
    /// Holds items (a running transfer stops; its partial file is kept).
    Pause(Vec<ItemId>),
    /// Queues held items again.
    Resume(Vec<ItemId>),
    /// Removes items; a running transfer is aborted. A download's
    /// `.skiffpart` is deleted (the user gave it up; [`QueueCommand::Pause`]
    /// keeps it for a resume).
    Cancel(Vec<ItemId>),
    /// Queues failed items again.
    Retry(Vec<ItemId>),
    /// Moves items to the head of the queue, in the order given.
    MoveToTop(Vec<ItemId>),
    /// Moves items to the end of the queue, in the order given.
    MoveToBottom(Vec<ItemId>),
    /// Pauses everything not finished.
    PauseAll,
    /// Resumes everything paused.
    ResumeAll,
    /// Removes every item.
    CancelAll,
    /// Starts or stops taking new items (running ones finish).
    SetProcessing(bool),
    /// Changes the number of workers (1..=32).
    SetWorkers(usize),
    /// Changes the overwrite policies.
    SetPolicies {
        /// For downloads.
        download: PolicyChoice,
        /// For uploads.
        upload: PolicyChoice,
    },
    /// Changes how later files move: the ASCII extensions (see
    /// [`QueueOptions::ascii_extensions`]), timestamps and retries.
    SetTransferDefaults {
        /// Extensions moved in ASCII mode (`*`: every file).
        ascii_extensions: Vec<String>,
        /// Give transferred files the source's time.
        preserve_times: bool,
        /// Retries after failures.
        retry: RetryPolicy,
    },
    /// Speed limits in bytes per second, shared by all workers; `None` = off.
    SetLimits {
        /// Downloads.
        download: Option<u64>,
        /// Uploads.
        upload: Option<u64>,
    },
    /// The reply to [`QueueEvent::Ask`]; `apply_to_all` makes it that
    /// direction's policy for the rest of this queue (pending asks included).
    Answer {
        /// The item asked about.
        id: ItemId,
        /// What to do with its target.
        policy: ExistsPolicy,
        /// Use it for every later existing target of this direction.
        apply_to_all: bool,
    },
    /// Drops done and skipped items.
    ClearFinished,
    /// Flushes the store and stops the workers. Sent alone it is not
    /// confirmed; [`QueueHandle::shutdown`] sends it and waits for the
    /// queue's "written".
    Shutdown,
}

/// What the queue reports.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueEvent {
    /// New or changed items (batched).
    Upsert(Vec<ItemView>),
    /// Items removed.
    Removed(Vec<ItemId>),
    /// Items moved to the top or the bottom, in this order.
    Moved {
        /// The items.
        ids: Vec<ItemId>,
        /// Top (else bottom).
        to_top: bool,
    },
    /// A running item's progress, about 10 per second at most.
    Progress {
        /// The item.
        id: ItemId,
        /// Bytes done, a resumed prefix included.
        done: u64,
        /// The size, when known (ETA = (total - done) / rate).
        total: Option<u64>,
        /// Bytes per second in this run.
        rate: f64,
    },
    /// A running item's transfer failed and will be tried again after
    /// `delay` (its connection is re-made); its next `Progress` means it
    /// moves again.
    Retrying {
        /// The item.
        id: ItemId,
        /// The failure, as a sentence.
        reason: String,
        /// The wait before the next attempt.
        delay: Duration,
    },
    /// A target exists and the policy is "ask".
    Ask {
        /// The item.
        id: ItemId,
        /// Its direction.
        direction: Direction,
        /// The local path.
        local: PathBuf,
        /// The remote path for display.
        remote_display: String,
        /// The source's facts.
        source: FileFacts,
        /// The existing target's facts.
        target: FileFacts,
    },
    /// The queue's totals: about twice a second while busy, and after changes.
    Totals {
        /// Items waiting (queued, paused, asking).
        queued: u64,
        /// Their known bytes.
        queued_bytes: u64,
        /// Items running.
        running: u64,
        /// Items finished: done or skipped.
        done: u64,
        /// Items failed.
        failed: u64,
        /// Bytes per second over all running items.
        rate: f64,
    },
    /// A log line (every command and reply of the transfer connections, and the queue's own notes).
    Log(LogLine),
    /// Nothing is queued or running any more.
    Idle,
}

/// How long a front end waits for [`QueueHandle::shutdown`] before it drops
/// the runtime: longer than the queue's own settling and logging out (5 s
/// at most), so the wait ends with the queue's answer, not the deadline.
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);

/// The front end's handle on the queue actor.
#[derive(Clone)]
pub struct QueueHandle {
    commands: mpsc::UnboundedSender<QueueCommand>,
    /// True once the queue has stopped: its journal written, its workers ended.
    stopped: watch::Receiver<bool>,
}

impl std::fmt::Debug for QueueHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueHandle").finish_non_exhaustive()
    }
}

impl QueueHandle {
    /// Starts the queue on `runtime`, restoring `options.store` (every
    /// unfinished item restored comes back `Paused`); events arrive on the
    /// returned receiver and `waker` is called after each one.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        options: QueueOptions,
        waker: Waker,
    ) -> (QueueHandle, mpsc::UnboundedReceiver<QueueEvent>) {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let (stopped_tx, stopped) = watch::channel(false);
        let sink = msg::QueueSink::new(event_tx, waker, options.protocol_log);
        runtime.spawn(core::run(options, command_rx, sink, stopped_tx));
        (QueueHandle { commands, stopped }, events)
    }

    /// Sends a command; never blocks. False when the queue has stopped.
    pub fn send(&self, command: QueueCommand) -> bool {
        self.commands.send(command).is_ok()
    }

    /// Asks the queue to stop ([`QueueCommand::Shutdown`], sent now) and
    /// returns its answer: the future resolves to true once the queue has
    /// written every journal record to disk and its workers have stopped
    /// (items still running come back paused on the next start), and to
    /// false if the queue ended without answering (its runtime went away).
    /// The future borrows nothing, so a caller can wait for it on a runtime
    /// it is about to drop, bounded by [`SHUTDOWN_DEADLINE`].
    pub fn shutdown(&self) -> impl Future<Output = bool> + Send + 'static {
        let _ = self.commands.send(QueueCommand::Shutdown);
        self.stopped()
    }

    /// Resolves as [`QueueHandle::shutdown`] does, without asking the queue
    /// to stop: for a caller that sent [`QueueCommand::Shutdown`] itself.
    pub fn stopped(&self) -> impl Future<Output = bool> + Send + 'static {
        let mut stopped = self.stopped.clone();
        async move { stopped.wait_for(|done| *done).await.is_ok() }
    }
}

/// Whether `name` (a file name) is moved in ASCII mode under `extensions`
/// (`*` in the list: every file).
pub fn is_ascii_name(name: &str, extensions: &[String]) -> bool {
    if extensions.iter().any(|e| e == "*") {
        return true;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            extensions.iter().any(|e| e.eq_ignore_ascii_case(ext))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_by_extension_only() {
        let list = default_ascii_extensions();
        assert!(is_ascii_name("index.HTML", &list));
        assert!(is_ascii_name("a.b.txt", &list));
        assert!(!is_ascii_name("Makefile", &list));
        assert!(!is_ascii_name(".txt", &list));
        assert!(!is_ascii_name("photo.jpg", &list));
        assert!(!is_ascii_name("txt", &list));
    }

    #[test]
    fn site_key_shows_no_password() {
        let key = SiteKey {
            host: "h".into(),
            port: 21,
            user: "u".into(),
        };
        assert_eq!(key.to_string(), "u@h:21");
    }
}
