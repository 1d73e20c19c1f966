//! The browsing connection as an actor: the surface a front end talks to.
//!
//! A front end sends [`BrowseCommand`]s without waiting (an unbounded
//! sender's `send` is synchronous) and drains [`Event`]s each frame; the
//! engine calls the front end's waker after every event so a sleeping UI
//! repaints. One task owns the site's browsing [`Session`] and runs commands
//! in order; transfers use connections of their own. A lost connection is an
//! event, not a panic: the next command reconnects with the same settings.
//!
//! While idle, the connection is kept alive ([`KeepAlive`], on by default):
//! after about 30 s without a command it sends `NOOP`, `PWD` or `TYPE I` in
//! turn (FileZilla's way: some servers count only some commands as
//! activity), and it stops doing so 30 minutes after the user's last
//! command, so a forgotten window does not hold a login forever.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::certs::CertInfo;
use super::config::SessionConfig;
use super::error::EngineError;
use super::event::{ConnectionState, Event, EventSink, LogKind};
use super::session::Session;
use super::wording::UserMessage;
use crate::protocol::path;

/// What a front end can ask of the browsing connection.
#[derive(Debug, Clone)]
pub enum BrowseCommand {
    /// Connect (or reconnect) to a site and list its home folder.
    Connect(Box<SessionConfig>),
    /// Reconnect with the last site's settings and list the last folder.
    Reconnect,
    /// Close the connection.
    Disconnect,
    /// List a folder (absolute remote path, the server's bytes) and make it current.
    List(Vec<u8>),
    /// List the current folder again.
    Refresh,
    /// List the parent of the current folder.
    Parent,
    /// Create a folder, then refresh.
    MakeDir(Vec<u8>),
    /// Create the folder `name` (typed by the user, encoded with the site's
    /// charset) inside `parent`, then refresh.
    MakeDirNamed {
        /// The folder to create it in.
        parent: Vec<u8>,
        /// The new folder's name.
        name: String,
    },
    /// Rename or move, then refresh.
    Rename {
        /// The current path.
        from: Vec<u8>,
        /// The new path.
        to: Vec<u8>,
    },
    /// Give `from` the new name `name` in the same folder (typed by the
    /// user, encoded with the site's charset), then refresh.
    RenameTo {
        /// The current path.
        from: Vec<u8>,
        /// The new name.
        name: String,
    },
    /// Delete a file (or an empty folder when `is_dir`), then refresh.
    Delete {
        /// The path.
        path: Vec<u8>,
        /// A folder (RMD) rather than a file (DELE).
        is_dir: bool,
    },
    /// Change the keep-alive (`None`: off), e.g. from a Settings switch.
    /// Not a user action: it does not restart the 30 minutes.
    SetKeepAlive(Option<KeepAlive>),
    /// Check the idle connection now with a keep-alive command, as when a
    /// transfer found the server gone: a dead connection is reported as
    /// lost at once (the status bar stops saying Connected). Not a user
    /// action; nothing happens without a connection.
    Probe,
    /// A command the user typed (Server → Enter custom command), encoded
    /// with the site's charset and checked by
    /// [`crate::protocol::custom_command`] before it is sent; the reply
    /// goes to the log like every reply.
    Quote(String),
}

/// When the idle browsing connection sends a harmless command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlive {
    /// Idle time before a keep-alive command; each wait is this plus up to
    /// a fifth more, varied so that many clients do not beat in step.
    pub interval: Duration,
    /// No keep-alive once the user has sent no command for this long.
    pub stop_after: Duration,
}

impl Default for KeepAlive {
    /// FileZilla's: 30 s idle, for at most 30 minutes without user action.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30),
            stop_after: Duration::from_secs(30 * 60),
        }
    }
}

/// How the browsing actor behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrowserOptions {
    /// The keep-alive; `None`: off.
    pub keep_alive: Option<KeepAlive>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            keep_alive: Some(KeepAlive::default()),
        }
    }
}

/// Wakes a sleeping front end (egui's `request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The front end's handle on the browsing actor.
#[derive(Clone)]
pub struct BrowserHandle {
    commands: mpsc::UnboundedSender<BrowseCommand>,
}

impl std::fmt::Debug for BrowserHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserHandle").finish_non_exhaustive()
    }
}

impl BrowserHandle {
    /// Starts the actor on `runtime` with the default options (keep-alive
    /// on); events arrive on the returned receiver, and `waker` is called
    /// after each one.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        waker: Waker,
    ) -> (Self, mpsc::UnboundedReceiver<Event>) {
        Self::start_with(runtime, waker, BrowserOptions::default())
    }

    /// [`BrowserHandle::start`] with chosen options.
    pub fn start_with(
        runtime: &tokio::runtime::Handle,
        waker: Waker,
        options: BrowserOptions,
    ) -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let sink = EventSink::with_waker(event_tx, waker);
        runtime.spawn(run(command_rx, sink, options));
        (Self { commands }, events)
    }

    /// Queues a command; never blocks. Returns false when the engine has stopped.
    pub fn send(&self, command: BrowseCommand) -> bool {
        self.commands.send(command).is_ok()
    }
}

struct Browser {
    events: EventSink,
    config: Option<SessionConfig>,
    session: Option<Session>,
    current: Option<Vec<u8>>,
    keep_alive: Option<KeepAlive>,
    /// When the user's last command came.
    last_user: Instant,
    /// When the connection last carried a command (the user's or ours).
    last_activity: Instant,
    /// How many keep-alive commands were sent (picks the next one).
    beats: u32,
}

async fn run(
    mut commands: mpsc::UnboundedReceiver<BrowseCommand>,
    events: EventSink,
    options: BrowserOptions,
) {
    let now = Instant::now();
    let mut browser = Browser {
        events,
        config: None,
        session: None,
        current: None,
        keep_alive: options.keep_alive,
        last_user: now,
        last_activity: now,
        beats: 0,
    };
    loop {
        let beat = browser.next_beat();
        tokio::select! {
            command = commands.recv() => {
                let Some(command) = command else { break };
                if let BrowseCommand::SetKeepAlive(keep_alive) = command {
                    browser.keep_alive = keep_alive;
                    continue;
                }
                if let BrowseCommand::Probe = command {
                    browser.beat().await;
                    continue;
                }
                browser.last_user = Instant::now();
                browser.handle(command).await;
                browser.last_activity = Instant::now();
            }
            () = sleep_until(beat), if beat.is_some() => browser.beat().await,
        }
    }
    if let Some(session) = browser.session.take() {
        session.quit().await;
    }
}

/// Sleeps until `at`; never returns for `None` (the select arm is off then).
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Browser {
    /// When the next keep-alive command is due: `None` with no connection,
    /// with keep-alive off, or once the user has been away too long.
    fn next_beat(&self) -> Option<Instant> {
        let keep_alive = self.keep_alive?;
        self.session.as_ref()?;
        let due =
            self.last_activity + keep_alive.interval + jitter(keep_alive.interval, self.beats);
        (due <= self.last_user + keep_alive.stop_after).then_some(due)
    }

    /// Sends one keep-alive command. A connection found dead is reported as
    /// lost (the next command reconnects), not as a failed user action.
    async fn beat(&mut self) {
        let turn = self.beats;
        self.beats = self.beats.wrapping_add(1);
        self.last_activity = Instant::now();
        let Some(session) = self.session.as_mut() else {
            return;
        };
        if let Err(error) = session.keep_alive(turn).await
            && !error.keeps_connection()
            && self.session.take().is_some()
        {
            self.events.log(
                0,
                LogKind::Status,
                format!("The idle connection was lost: {error}"),
            );
            self.events
                .send(Event::State(ConnectionState::Disconnected {
                    reason: Some(error.to_string()),
                }));
        }
    }

    async fn handle(&mut self, command: BrowseCommand) {
        let what = describe(&command);
        let action = action_message(&command);
        let result = match command {
            BrowseCommand::Connect(config) => {
                self.config = Some(*config);
                self.current = None;
                self.reconnect().await
            }
            BrowseCommand::Reconnect => self.reconnect().await,
            BrowseCommand::Disconnect => {
                if let Some(session) = self.session.take() {
                    session.quit().await;
                }
                self.events
                    .send(Event::State(ConnectionState::Disconnected { reason: None }));
                Ok(())
            }
            BrowseCommand::List(dir) => self.list(Some(dir)).await,
            BrowseCommand::Refresh => self.list(self.current.clone()).await,
            BrowseCommand::Parent => {
                let parent = self.current.as_deref().map(path::parent);
                self.list(parent).await
            }
            BrowseCommand::MakeDir(dir) => self.then_refresh(Op::Mkdir(dir)).await,
            BrowseCommand::MakeDirNamed { parent, name } => match self.encode_name(&name).await {
                Ok(name) => {
                    self.then_refresh(Op::Mkdir(path::join(&parent, &name)))
                        .await
                }
                Err(e) => Err(e),
            },
            BrowseCommand::Rename { from, to } => self.then_refresh(Op::Rename(from, to)).await,
            BrowseCommand::RenameTo { from, name } => match self.encode_name(&name).await {
                Ok(name) => {
                    let to = path::join(&path::parent(&from), &name);
                    self.then_refresh(Op::Rename(from, to)).await
                }
                Err(e) => Err(e),
            },
            BrowseCommand::Delete { path, is_dir } => {
                self.then_refresh(Op::Delete(path, is_dir)).await
            }
            BrowseCommand::SetKeepAlive(keep_alive) => {
                self.keep_alive = keep_alive;
                Ok(())
            }
            BrowseCommand::Probe => {
                self.beat().await;
                Ok(())
            }
            BrowseCommand::Quote(text) => self.quote(&text).await,
        };
        if let Err(error) = result {
            self.failed(&what, action, error);
        }
    }

    /// A name the user typed, as the server's bytes; a name with a slash
    /// would reach another folder, so it is refused.
    async fn encode_name(&mut self, name: &str) -> Result<Vec<u8>, EngineError> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return Err(EngineError::InvalidName(name.to_string()));
        }
        self.session().await?.encode(name)
    }

    fn failed(&mut self, what: &str, action: UserMessage, error: EngineError) {
        let message = error.to_string();
        let asked = match &error {
            EngineError::Certificate { info, .. } => Some(info.clone()),
            // SSH host keys are asked about as certificates are.
            EngineError::HostKeyUnknown {
                key_type,
                fingerprint,
                ..
            } => Some(Box::new(CertInfo::host_key(
                key_type,
                *fingerprint,
                "not in known_hosts".to_string(),
                None,
            ))),
            EngineError::HostKeyChanged {
                recorded, offered, ..
            } => Some(Box::new(CertInfo::host_key(
                "",
                *offered,
                "a different key than known_hosts records".to_string(),
                Some(*recorded),
            ))),
            _ => None,
        };
        if let Some(info) = asked
            && let Some(config) = &self.config
        {
            self.events.send(Event::Certificate {
                host: config.host.clone(),
                port: config.port,
                info,
            });
        }
        self.events
            .log(0, LogKind::Error, format!("{what}: {message}"));
        if !error.keeps_connection() && self.session.take().is_some() {
            self.events
                .send(Event::State(ConnectionState::Disconnected {
                    reason: Some(message.clone()),
                }));
        }
        self.events.send(Event::Failed {
            what: what.to_string(),
            message,
            action,
            error: error.user_message(),
        });
    }

    /// Connects afresh and lists the last folder (the home folder at first).
    async fn reconnect(&mut self) -> Result<(), EngineError> {
        if let Some(session) = self.session.take() {
            session.quit().await;
        }
        self.connect().await?;
        let folder = self.current.clone();
        self.list(folder).await
    }

    async fn connect(&mut self) -> Result<(), EngineError> {
        let config = self.config.clone().ok_or(EngineError::Closed)?;
        let host = format!("{}:{}", config.host, config.port);
        self.events.send(Event::State(ConnectionState::Connecting {
            host: host.clone(),
        }));
        match Session::connect(config, self.events.clone()).await {
            Ok(session) => {
                self.events.send(Event::State(ConnectionState::Connected {
                    host,
                    tls: session.tls_info().cloned(),
                    security_notes: session.security_notes().to_vec(),
                }));
                self.session = Some(session);
                Ok(())
            }
            Err(e) => {
                self.events
                    .send(Event::State(ConnectionState::Disconnected {
                        reason: Some(e.to_string()),
                    }));
                Err(e)
            }
        }
    }

    /// The live session, reconnecting first when the last one was lost.
    async fn session(&mut self) -> Result<&mut Session, EngineError> {
        if self.session.is_none() {
            self.connect().await?;
        }
        self.session.as_mut().ok_or(EngineError::Closed)
    }

    async fn list(&mut self, dir: Option<Vec<u8>>) -> Result<(), EngineError> {
        let session = self.session().await?;
        let dir = match dir {
            Some(dir) => dir,
            None => session.pwd().await?,
        };
        let listing = session.list(Some(&dir)).await?;
        let display_path = session.decode(&dir);
        self.current = Some(dir.clone());
        self.events.send(Event::Listing {
            path: dir,
            display_path,
            entries: listing.entries,
        });
        Ok(())
    }

    async fn quote(&mut self, text: &str) -> Result<(), EngineError> {
        // Refused before connecting: a refused command is never sent.
        crate::protocol::custom_command(text.as_bytes())?;
        let session = self.session().await?;
        let line = session.encode(text)?;
        session.quote(&line).await.map(drop)
    }

    async fn then_refresh(&mut self, op: Op) -> Result<(), EngineError> {
        let session = self.session().await?;
        match &op {
            Op::Mkdir(dir) => session.mkdir(dir).await?,
            Op::Rename(from, to) => session.rename(from, to).await?,
            Op::Delete(path, true) => session.rmdir(path).await?,
            Op::Delete(path, false) => session.delete(path).await?,
        }
        self.list(self.current.clone()).await
    }
}

/// Up to a fifth of `interval`, varied from beat to beat (a fixed sequence:
/// what matters is that clients do not all beat in step, and tests stay
/// repeatable).
fn jitter(interval: Duration, beat: u32) -> Duration {
    const STEPS: [u32; 7] = [3, 17, 9, 20, 1, 12, 6];
    interval * STEPS[beat as usize % STEPS.len()] / 100
}

enum Op {
    Mkdir(Vec<u8>),
    Rename(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>, bool),
}

/// What a browse command asked, as a catalog key and its arguments.
pub(crate) fn action_message(command: &BrowseCommand) -> UserMessage {
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    let m = UserMessage::new;
    match command {
        BrowseCommand::Connect(config) => m(
            "engine-action-connect",
            &[("host", format!("{}:{}", config.host, config.port))],
        ),
        BrowseCommand::Reconnect => m("engine-action-reconnect", &[]),
        BrowseCommand::Disconnect => m("engine-action-disconnect", &[]),
        BrowseCommand::List(dir) => m("engine-action-list", &[("path", text(dir))]),
        BrowseCommand::Refresh => m("engine-action-refresh", &[]),
        BrowseCommand::Parent => m("engine-action-parent", &[]),
        BrowseCommand::MakeDir(dir) => m("engine-action-mkdir", &[("path", text(dir))]),
        BrowseCommand::MakeDirNamed { name, .. } => {
            m("engine-action-mkdir", &[("path", name.clone())])
        }
        BrowseCommand::Rename { from, to } => m(
            "engine-action-rename",
            &[("from", text(from)), ("to", text(to))],
        ),
        BrowseCommand::RenameTo { from, name } => m(
            "engine-action-rename",
            &[("from", text(from)), ("to", name.clone())],
        ),
        BrowseCommand::Delete { path, .. } => m("engine-action-delete", &[("path", text(path))]),
        BrowseCommand::SetKeepAlive(_) | BrowseCommand::Probe => m("engine-action-settings", &[]),
        BrowseCommand::Quote(text) => m("engine-action-quote", &[("command", text.clone())]),
    }
}

fn describe(command: &BrowseCommand) -> String {
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    match command {
        BrowseCommand::Connect(config) => format!("connect to {}:{}", config.host, config.port),
        BrowseCommand::Reconnect => "reconnect".to_string(),
        BrowseCommand::Disconnect => "disconnect".to_string(),
        BrowseCommand::List(dir) => format!("list {}", text(dir)),
        BrowseCommand::Refresh => "refresh".to_string(),
        BrowseCommand::Parent => "go to the parent folder".to_string(),
        BrowseCommand::MakeDir(dir) => format!("create folder {}", text(dir)),
        BrowseCommand::MakeDirNamed { name, .. } => format!("create folder {name}"),
        BrowseCommand::Rename { from, to } => format!("rename {} to {}", text(from), text(to)),
        BrowseCommand::RenameTo { from, name } => format!("rename {} to {name}", text(from)),
        BrowseCommand::Delete { path, .. } => format!("delete {}", text(path)),
        BrowseCommand::SetKeepAlive(_) => "change the keep-alive".to_string(),
        BrowseCommand::Probe => "check the connection".to_string(),
        BrowseCommand::Quote(text) => format!("send {text}"),
    }
}
