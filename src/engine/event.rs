//! Events the engine reports: log lines (every command and reply) and progress.
//!
//! Events go through an unbounded channel so the engine never waits on a slow
//! reader; the receiver (GUI, CLI, test) drains it. Passwords never reach an
//! event: commands are logged through [`crate::protocol::Command::log_text`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

/// What a log line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// Engine status ("Connecting to ...", "Falling back to active mode").
    Status,
    /// A command the client sent.
    Command,
    /// A reply the server sent.
    Reply,
    /// Something the user should know that did not fail the operation.
    Warning,
    /// An error.
    Error,
}

/// One line of the message log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The connection it happened on (each control connection has its own number).
    pub conn: u64,
    /// The kind of line.
    pub kind: LogKind,
    /// The text; secrets are already masked.
    pub text: String,
}

/// Progress of one file transfer, coalesced to about ten per second.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The remote path, decoded for display.
    pub remote: String,
    /// Bytes done, including a resumed prefix.
    pub done: u64,
    /// The file's size, when known.
    pub total: Option<u64>,
    /// Bytes per second over the transfer so far.
    pub rate: f64,
}

/// The browsing connection's state, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Connecting or logging in.
    Connecting {
        /// `host:port`.
        host: String,
    },
    /// Logged in.
    Connected {
        /// `host:port`.
        host: String,
        /// TLS version and cipher when encrypted (the status bar's lock).
        tls: Option<super::certs::TlsInfo>,
        /// Warnings such as a clear-text password.
        security_notes: Vec<String>,
    },
    /// Not connected; `reason` when the connection failed or was lost.
    Disconnected {
        /// Why, when it was not the user's choice.
        reason: Option<String>,
    },
}

/// An engine event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A message-log line.
    Log(LogLine),
    /// Transfer progress.
    Progress(Progress),
    /// A transfer failed and is tried again after `delay`: the connection
    /// is being re-made (a front end shows "Reconnecting", not a stale speed).
    Retrying {
        /// The failure, as a sentence.
        reason: String,
        /// The wait before the next attempt.
        delay: std::time::Duration,
    },
    /// The browsing connection's state changed.
    State(ConnectionState),
    /// A folder's listing; that folder is now the current one.
    Listing {
        /// The folder, as the server's bytes.
        path: Vec<u8>,
        /// The folder, decoded for display.
        display_path: String,
        /// Its entries.
        entries: Vec<super::entry::RemoteEntry>,
    },
    /// The server's certificate is not trusted; a front end asks the user
    /// (trust once, always, or refuse) and reconnects with the answer.
    Certificate {
        /// The host as configured.
        host: String,
        /// The control port.
        port: u16,
        /// The certificate, with the reason it failed.
        info: Box<super::certs::CertInfo>,
    },
    /// A command failed; the message names the cause first.
    Failed {
        /// What was asked ("create folder /x").
        what: String,
        /// Why it failed.
        message: String,
        /// What was asked, for a front end's own words.
        action: super::wording::UserMessage,
        /// Why it failed, for a front end's own words.
        error: super::wording::UserMessage,
    },
}

/// The sending side of the event channel.
pub type EventSender = mpsc::UnboundedSender<Event>;

/// Where a connection sends its events; a no-op when nobody listens.
#[derive(Clone, Default)]
pub struct EventSink {
    tx: Option<EventSender>,
    waker: Option<std::sync::Arc<dyn Fn() + Send + Sync>>,
    handler: Option<EventHandler>,
}

/// A function that takes each event where it happens (no channel, no task
/// hop): the transfer queue tags them with the item they belong to.
pub type EventHandler = std::sync::Arc<dyn Fn(Event) + Send + Sync>;

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSink")
            .field("connected", &(self.tx.is_some() || self.handler.is_some()))
            .finish_non_exhaustive()
    }
}

impl EventSink {
    /// A sink sending to `tx`.
    pub fn new(tx: EventSender) -> Self {
        Self {
            tx: Some(tx),
            waker: None,
            handler: None,
        }
    }

    /// A sink that hands each event to `handler`, on the sender's thread.
    pub fn with_handler(handler: EventHandler) -> Self {
        Self {
            tx: None,
            waker: None,
            handler: Some(handler),
        }
    }

    /// A sink sending to `tx` that calls `waker` after each event (a UI's repaint request).
    pub fn with_waker(tx: EventSender, waker: std::sync::Arc<dyn Fn() + Send + Sync>) -> Self {
        Self {
            tx: Some(tx),
            waker: Some(waker),
            handler: None,
        }
    }

    /// A sink that drops everything.
    pub fn none() -> Self {
        Self {
            tx: None,
            waker: None,
            handler: None,
        }
    }

    /// Sends an event; a closed receiver is not an error for the engine.
    pub fn send(&self, event: Event) {
        if let Some(handler) = &self.handler {
            handler(event);
            return;
        }
        if let Some(tx) = &self.tx {
            let _ = tx.send(event);
            if let Some(waker) = &self.waker {
                waker();
            }
        }
    }

    /// Sends a log line.
    pub fn log(&self, conn: u64, kind: LogKind, text: impl Into<String>) {
        if self.tx.is_some() || self.handler.is_some() {
            self.send(Event::Log(LogLine {
                conn,
                kind,
                text: text.into(),
            }));
        }
    }
}

/// Hands out connection numbers for the log.
pub(crate) fn next_conn_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Limits progress events to about ten per second per transfer.
#[derive(Debug)]
pub(crate) struct ProgressThrottle {
    started: Instant,
    last: Instant,
    start_offset: u64,
}

impl ProgressThrottle {
    const EVERY: Duration = Duration::from_millis(100);

    /// The first event is due one interval after the start (or at the end):
    /// a file that takes less than that reports its progress once.
    pub(crate) fn new(start_offset: u64) -> Self {
        let started = Instant::now();
        Self {
            started,
            last: started,
            start_offset,
        }
    }

    /// A progress event if one is due (or `force`), else `None`.
    pub(crate) fn tick(
        &mut self,
        remote: &str,
        done: u64,
        total: Option<u64>,
        force: bool,
    ) -> Option<Event> {
        let now = Instant::now();
        if !force && now.duration_since(self.last) < Self::EVERY {
            return None;
        }
        self.last = now;
        let secs = now.duration_since(self.started).as_secs_f64().max(1e-6);
        Some(Event::Progress(Progress {
            remote: remote.to_string(),
            done,
            total,
            rate: done.saturating_sub(self.start_offset) as f64 / secs,
        }))
    }
}
