//! The main window: toolbar, quickconnect bar, message log, the local and
//! remote panes, the transfer queue and the status bar.
//!
//! [`SkiffApp`] owns a tokio runtime for the engine and talks to it only
//! through [`BrowserHandle`] commands and engine events, drained without
//! waiting at the start of each frame. Disk work for the local pane runs on
//! the runtime's blocking pool ([`super::local`]). Nothing here waits on the
//! network, the disk or the keyring.
//!
//! State that outlives a run (last local folder, sort orders) is the
//! serde [`UiState`]; everything else is rebuilt at start.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use eframe::egui;
use tokio::sync::mpsc::UnboundedReceiver;

use super::action::Action;
use super::dialogs::{CertChoice, Dialog, DialogOutcome};
use super::files::{FileRow, RowKind, Sort, format_size};
use super::local::{self, LocalRequest, LocalResult};
use super::log::LogPane;
use super::pane::{Loc, Pane, PaneEvent};
use super::queue::QueueView;
use super::site_manager::{SiteManager, SiteManagerOutcome};
use super::table::{Side, TableEvent, menu_item};
use crate::engine::browser::Waker;
use crate::engine::queue::{
    Direction, ItemState, NewItem, PolicyChoice, QueueCommand, QueueEvent, QueueHandle,
    QueueOptions, SiteKey,
};
use crate::engine::{
    BrowseCommand, BrowserHandle, ConnectionState, Credentials, Event, LogKind, RemoteEntry,
    SessionConfig,
};
use crate::protocol::listing::EntryKind;
use crate::secret::Secret;
use crate::sites::recent::{Recent, RecentServer};
use crate::sites::{LogonType, SecretStore, Site, Sites};
use crate::url::{FtpUrl, scheme};

/// What survives a restart (eframe's storage, under the platform's data folder).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The local folder shown last.
    pub local_dir: Option<PathBuf>,
    /// Sort of the local table.
    pub local_sort: Sort,
    /// Sort of the remote table.
    pub remote_sort: Sort,
    /// Quickconnect host, user and port (never the password).
    pub quick_host: String,
    /// Quickconnect user.
    pub quick_user: String,
    /// Quickconnect port.
    pub quick_port: String,
}

/// How the window starts.
#[derive(Default)]
pub struct StartOptions {
    /// Connect to this URL at once.
    pub url: Option<String>,
    /// Connect with these settings at once (a saved site, a test's server).
    pub connect: Option<Box<SessionConfig>>,
    /// Open this saved site (`"Folder/Name"`, from `skiff --site`) at once.
    pub site: Option<String>,
    /// Start the embedded demo server and connect to it.
    pub demo: bool,
    /// The local folder to show (overrides the remembered one).
    pub local_dir: Option<PathBuf>,
    /// Restored state.
    pub state: Option<UiState>,
    /// The config folder (trusted certificates, sites); default: the platform's.
    pub config_dir: Option<PathBuf>,
    /// Where site passwords live; default: the OS keyring.
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// The data folder (the queue); default: the platform's.
    pub data_dir: Option<PathBuf>,
}

impl std::fmt::Debug for StartOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartOptions")
            .field("url", &self.url)
            .field("site", &self.site)
            .field("demo", &self.demo)
            .field("local_dir", &self.local_dir)
            .field("config_dir", &self.config_dir)
            .finish_non_exhaustive()
    }
}

/// The quickconnect bar's fields. The password is masked in `Debug`.
#[derive(Default)]
pub struct QuickConnect {
    /// Host or URL.
    pub host: String,
    /// User name; empty means anonymous.
    pub user: String,
    /// Password as typed.
    pub password: String,
    /// Port; empty means the scheme's default.
    pub port: String,
}

impl std::fmt::Debug for QuickConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuickConnect")
            .field("host", &self.host)
            .field("user", &self.user)
            .field("password", &"****")
            .field("port", &self.port)
            .finish()
    }
}

impl QuickConnect {
    /// The session settings the fields describe.
    pub fn config(&self) -> Result<SessionConfig, String> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err("enter a host name or an ftp:// URL".to_string());
        }
        let text = if host.contains("://") {
            host.to_string()
        } else {
            format!("ftp://{host}")
        };
        let url = FtpUrl::parse(&text).map_err(|e| e.to_string())?;
        let port = match self.port.trim() {
            "" => url.port,
            text => text
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("the port must be a number from 1 to 65535: {text}"))?,
        };
        let user = match (self.user.trim(), &url.user) {
            ("", Some(user)) => user.clone(),
            (user, _) => user.to_string(),
        };
        let credentials = if user.is_empty() || user == "anonymous" {
            Credentials::anonymous()
        } else {
            let password = if self.password.is_empty() {
                url.password.clone().unwrap_or_else(|| Secret::new(""))
            } else {
                Secret::new(self.password.clone())
            };
            Credentials {
                user,
                password,
                account: None,
            }
        };
        let mut config = SessionConfig::new(url.host, port, credentials);
        config.encryption = url.encryption;
        Ok(config)
    }
}

/// The application.
pub struct SkiffApp {
    state: UiState,
    /// Owned when the app made its own runtime; dropped last.
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    ctx: egui::Context,
    browser: BrowserHandle,
    browse_events: UnboundedReceiver<Event>,
    local_tx: mpsc::Sender<LocalResult>,
    local_rx: mpsc::Receiver<LocalResult>,
    /// The local pane.
    pub local: Pane,
    /// The remote pane.
    pub remote: Pane,
    focus: Side,
    /// The quickconnect fields.
    pub quick: QuickConnect,
    connection: ConnectionState,
    /// The settings of the site connected last (for Reconnect and transfers).
    site: Option<SessionConfig>,
    /// The message log.
    pub log: LogPane,
    dialog: Option<Dialog>,
    demo: Option<super::demo::DemoServer>,
    /// Trusted certificates, once read from the config folder.
    trust: Option<crate::trust::TrustStore>,
    /// The config folder, when there is one.
    config_dir: Option<PathBuf>,
    /// Where site passwords live.
    secrets: Arc<dyn SecretStore>,
    /// Saved sites, once read.
    sites: Option<Sites>,
    /// Recent quickconnect servers, once read.
    recent: Option<Recent>,
    /// The site manager, while open.
    site_manager: Option<SiteManager>,
    /// A saved site to open as soon as the sites are read (`--site`).
    pending_site: Option<String>,
    /// The saved site connected last.
    current_site: Option<Site>,
    /// The site manager was asked for before the sites were read.
    open_manager_when_loaded: bool,
    queue: QueueHandle,
    queue_events: UnboundedReceiver<QueueEvent>,
    /// The queue as the pane shows it.
    pub queue_view: QueueView,
    /// Existing-target questions waiting for the overwrite dialog.
    asks: VecDeque<Dialog>,
    /// The site whose settings the queue has.
    queue_site: Option<SiteKey>,
    /// Finished downloads into the local folder: list it again (at most once a second).
    local_stale: bool,
    /// Finished uploads into the remote folder: list it again.
    remote_stale: bool,
    last_refresh: Option<std::time::Instant>,
    /// The remote pane's area, for files dropped from the desktop.
    remote_rect: egui::Rect,
    /// Frames drawn, for tests and the frame-time benchmark.
    pub frames: u64,
}

impl std::fmt::Debug for SkiffApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkiffApp")
            .field("connection", &self.connection)
            .field("quick", &self.quick)
            .finish_non_exhaustive()
    }
}

impl SkiffApp {
    /// Builds the app, starting its engine runtime, and acts on `start`.
    pub fn new(ctx: &egui::Context, start: StartOptions) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("skiff-engine")
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let repaint = ctx.clone();
        let waker: Waker = Arc::new(move || repaint.request_repaint());
        let (browser, browse_events) = BrowserHandle::start(&handle, Arc::clone(&waker));
        let store = match &start.data_dir {
            Some(dir) => Some(dir.join(crate::engine::queue::STORE_FILE)),
            None => crate::engine::queue::default_store(),
        };
        let (queue, queue_events) = QueueHandle::start(
            &handle,
            QueueOptions {
                store,
                // As FileZilla: ask what to do with an existing target.
                download: PolicyChoice::Ask,
                upload: PolicyChoice::Ask,
                ..QueueOptions::default()
            },
            waker,
        );
        let (local_tx, local_rx) = mpsc::channel();
        let state = start.state.unwrap_or_default();
        let mut app = Self {
            quick: QuickConnect {
                host: state.quick_host.clone(),
                user: state.quick_user.clone(),
                password: String::new(),
                port: state.quick_port.clone(),
            },
            state,
            runtime: Some(runtime),
            handle,
            ctx: ctx.clone(),
            browser,
            browse_events,
            local_tx,
            local_rx,
            local: Pane::new(Side::Local),
            remote: Pane::new(Side::Remote),
            focus: Side::Remote,
            connection: ConnectionState::Disconnected { reason: None },
            site: None,
            log: LogPane::default(),
            dialog: None,
            demo: None,
            trust: None,
            config_dir: start.config_dir.clone().or_else(crate::paths::config_dir),
            secrets: start
                .secrets
                .clone()
                .unwrap_or_else(|| Arc::new(crate::sites::OsKeyring::new())),
            sites: None,
            recent: None,
            site_manager: None,
            pending_site: start.site.clone(),
            current_site: None,
            open_manager_when_loaded: false,
            queue,
            queue_events,
            queue_view: QueueView::processing(),
            asks: VecDeque::new(),
            queue_site: None,
            local_stale: false,
            remote_stale: false,
            last_refresh: None,
            remote_rect: egui::Rect::NOTHING,
            frames: 0,
        };
        if let Some(dir) = app.config_dir.clone() {
            app.local_request(LocalRequest::LoadTrust(dir.clone()));
            app.local_request(LocalRequest::LoadSites(dir));
        }
        app.local.list.set_sort(app.state.local_sort);
        app.remote.list.set_sort(app.state.remote_sort);
        let local_dir = start
            .local_dir
            .or_else(|| app.state.local_dir.clone())
            .or_else(|| directories::UserDirs::new().map(|d| d.home_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from("."));
        app.list_local(Loc::Local(local_dir), false);
        if start.demo {
            app.start_demo();
        } else if let Some(config) = start.connect {
            app.connect(*config);
        } else if let Some(url) = start.url {
            app.quick.host = url;
            app.quickconnect();
        }
        Ok(app)
    }

    /// The state to persist.
    pub fn state(&self) -> UiState {
        let mut state = self.state.clone();
        if let Some(Loc::Local(dir)) = &self.local.location {
            state.local_dir = Some(dir.clone());
        }
        state.local_sort = self.local.list.sort();
        state.remote_sort = self.remote.list.sort();
        state.quick_host = self.quick.host.clone();
        state.quick_user = self.quick.user.clone();
        state.quick_port = self.quick.port.clone();
        state
    }

    /// The connection state shown in the status bar.
    pub fn connection(&self) -> &ConnectionState {
        &self.connection
    }

    /// The pane with the keyboard focus.
    pub fn focused_side(&self) -> Side {
        self.focus
    }

    /// Whether the Site Manager is open.
    pub fn site_manager_open(&self) -> bool {
        self.site_manager.is_some()
    }

    /// The open dialog, if any.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    fn start_demo(&mut self) {
        match super::demo::start(&self.handle) {
            Ok(demo) => {
                self.log.status(
                    LogKind::Status,
                    format!("Demo server serving a sample folder at ftp://{}", demo.addr),
                );
                self.quick.host = demo.addr.ip().to_string();
                self.quick.port = demo.addr.port().to_string();
                self.quick.user = "anonymous".to_string();
                let mut config = SessionConfig::new(
                    demo.addr.ip().to_string(),
                    demo.addr.port(),
                    Credentials::anonymous(),
                );
                config.encryption = crate::engine::Encryption::Plain;
                self.demo = Some(demo);
                self.connect(config);
            }
            Err(e) => self
                .log
                .status(LogKind::Error, format!("cannot start the demo server: {e}")),
        }
    }

    fn quickconnect(&mut self) {
        match self.quick.config() {
            Ok(config) => {
                if let Some(recent) = &mut self.recent {
                    recent.push(RecentServer {
                        host: config.host.clone(),
                        port: config.port,
                        user: (config.credentials.user != "anonymous")
                            .then(|| config.credentials.user.clone()),
                        encryption: config.encryption,
                    });
                    let recent = Box::new(recent.clone());
                    self.local_request(LocalRequest::SaveRecent(recent));
                }
                self.current_site = None;
                self.connect(config);
            }
            Err(message) => {
                self.log.status(LogKind::Error, message.clone());
                self.dialog = Some(Dialog::Message {
                    title: "Quickconnect".to_string(),
                    text: message,
                });
            }
        }
    }

    /// Connects the browsing connection with `config`.
    pub fn connect(&mut self, mut config: SessionConfig) {
        if let Some(trust) = &self.trust {
            config
                .tls
                .trusted
                .extend(trust.trusted(&config.host, config.port));
            config.tls.offered_before |= trust.offered_tls_before(&config.host, config.port);
        }
        self.remote = Pane::new(Side::Remote);
        self.remote.list.set_sort(self.state.remote_sort);
        self.remote.busy = true;
        // The queue's workers connect with these settings, and restored
        // items of this site can resume.
        self.queue
            .send(QueueCommand::SetSite(Box::new(config.clone())));
        self.queue_site = Some(SiteKey::of(&config));
        self.site = Some(config.clone());
        self.browser.send(BrowseCommand::Connect(Box::new(config)));
    }

    fn list_local(&mut self, loc: Loc, for_tree: bool) {
        let Loc::Local(path) = loc else { return };
        if !for_tree {
            self.local.busy = true;
        }
        self.local_request(LocalRequest::List { path, for_tree });
    }

    fn local_request(&self, request: LocalRequest) {
        let ctx = self.ctx.clone();
        local::spawn(&self.handle, request, self.local_tx.clone(), move || {
            ctx.request_repaint()
        });
    }

    /// Applies every engine and disk result that arrived since the last frame.
    fn drain_events(&mut self) {
        while let Ok(event) = self.browse_events.try_recv() {
            self.on_browse_event(event);
        }
        while let Ok(result) = self.local_rx.try_recv() {
            self.on_local_result(result);
        }
        while let Ok(event) = self.queue_events.try_recv() {
            self.on_queue_event(event);
        }
        let due = self
            .last_refresh
            .is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(1));
        if due && (self.local_stale || self.remote_stale) {
            if std::mem::take(&mut self.local_stale) {
                self.refresh(Side::Local);
            }
            if std::mem::take(&mut self.remote_stale) {
                self.refresh(Side::Remote);
            }
            self.last_refresh = Some(std::time::Instant::now());
        } else if self.local_stale || self.remote_stale {
            self.ctx
                .request_repaint_after(std::time::Duration::from_millis(300));
        }
        if self.dialog.is_none()
            && let Some(ask) = self.asks.pop_front()
        {
            self.dialog = Some(ask);
        }
    }

    fn on_browse_event(&mut self, event: Event) {
        match event {
            Event::Log(line) => self.log.push(line),
            Event::State(state) => {
                if let ConnectionState::Disconnected {
                    reason: Some(reason),
                } = &state
                {
                    self.log
                        .status(LogKind::Error, format!("Disconnected: {reason}"));
                }
                if !matches!(state, ConnectionState::Connecting { .. }) {
                    self.remote.busy = false;
                }
                if let (ConnectionState::Connected { tls: Some(_), .. }, Some(site), Some(trust)) =
                    (&state, &self.site, &mut self.trust)
                    && trust.remember_tls(&site.host, site.port)
                {
                    let store = Box::new(trust.clone());
                    self.local_request(LocalRequest::SaveTrust(store));
                }
                self.connection = state;
            }
            Event::Listing {
                path,
                display_path,
                entries,
            } => {
                let rows = entries.into_iter().map(remote_row).collect();
                // Remote ancestors stay partial until visited: listing
                // them would change the browsing connection's folder.
                let _ = self
                    .remote
                    .show_listing(Loc::Remote(path), display_path, rows);
            }
            Event::Certificate { host, port, info } => {
                self.dialog = Some(Dialog::Certificate { host, port, info });
            }
            Event::Failed { what, message } => {
                self.remote.busy = false;
                self.remote.error = Some(format!("{what}: {message}"));
            }
            Event::Progress(_) => {}
        }
    }

    fn on_queue_event(&mut self, event: QueueEvent) {
        match event {
            QueueEvent::Log(line) => self.log.push(line),
            QueueEvent::Ask {
                id,
                direction,
                local,
                remote_display,
                source,
                target,
            } => self.asks.push_back(Dialog::Overwrite {
                id,
                direction,
                local,
                remote_display,
                source,
                target,
                apply_to_all: false,
            }),
            QueueEvent::Idle => {
                self.local_stale |= self.local.location.is_some();
            }
            other => {
                for item in self.queue_view.apply(other) {
                    if item.state != ItemState::Done {
                        continue;
                    }
                    match item.direction {
                        Direction::Download => {
                            let parent = item.local.parent().map(Path::to_path_buf);
                            if parent.map(Loc::Local) == self.local.location {
                                self.local_stale = true;
                            }
                        }
                        Direction::Upload => self.remote_stale = true,
                    }
                }
            }
        }
    }

    fn on_local_result(&mut self, result: LocalResult) {
        match result {
            LocalResult::Listed {
                path,
                for_tree: true,
                rows: Ok(rows),
            } => self.local.tree.set_children(&Loc::Local(path), &rows),
            LocalResult::Listed {
                path,
                for_tree: false,
                rows: Ok(rows),
            } => {
                let display = path.display().to_string();
                for ancestor in self.local.show_listing(Loc::Local(path), display, rows) {
                    self.list_local(ancestor, true);
                }
            }
            LocalResult::Listed {
                rows: Err(error), ..
            } => {
                self.local.busy = false;
                self.log.status(LogKind::Error, error.clone());
                self.local.error = Some(error);
            }
            LocalResult::TrustLoaded(result) => match *result {
                Ok(store) => self.trust = Some(store),
                Err(error) => self.log.status(LogKind::Warning, error),
            },
            LocalResult::SitesLoaded { sites, recent } => {
                self.recent = Some(*recent);
                match *sites {
                    Ok(sites) => self.sites = Some(sites),
                    Err(error) => {
                        self.log.status(LogKind::Error, error.clone());
                        self.dialog = Some(Dialog::Message {
                            title: "Saved sites".to_string(),
                            text: error,
                        });
                        self.sites = Some(Sites::new());
                    }
                }
                if std::mem::take(&mut self.open_manager_when_loaded) {
                    self.site_manager = self.sites.clone().map(SiteManager::new);
                }
                if let Some(path) = self.pending_site.take() {
                    match self.sites.as_ref().and_then(|s| s.find(&path)).cloned() {
                        Some(site) => self.open_site(site),
                        None => self
                            .log
                            .status(LogKind::Error, format!("no saved site named {path}")),
                    }
                }
            }
            LocalResult::Password { site, password } => match password {
                Ok(Some(password)) => self.connect_site(*site, Some(password)),
                Ok(None) => {
                    self.log.status(
                        LogKind::Warning,
                        format!("No saved password for {}; enter it", site.name),
                    );
                    self.dialog = Some(Dialog::AskPassword {
                        site,
                        password: String::new(),
                    });
                }
                Err(error) => {
                    self.log.status(
                        LogKind::Warning,
                        format!("The keyring did not answer ({error}); enter the password"),
                    );
                    self.dialog = Some(Dialog::AskPassword {
                        site,
                        password: String::new(),
                    });
                }
            },
            LocalResult::Dropped(dropped) => self.upload_dropped(dropped),
            LocalResult::Saved(error) => {
                if let Some(error) = error {
                    self.log.status(LogKind::Error, error);
                }
            }
            LocalResult::Changed { what, error } => {
                match error {
                    Some(error) => {
                        self.log.status(LogKind::Error, error.clone());
                        self.local.error = Some(error);
                    }
                    None => self.log.status(LogKind::Status, what),
                }
                if let Some(loc) = self.local.location.clone() {
                    self.list_local(loc, false);
                }
            }
        }
    }

    fn pane(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    fn go(&mut self, side: Side, loc: Loc) {
        match side {
            Side::Local => self.list_local(loc, false),
            Side::Remote => {
                if let Loc::Remote(path) = loc {
                    self.remote.busy = true;
                    self.browser.send(BrowseCommand::List(path));
                }
            }
        }
    }

    fn refresh(&mut self, side: Side) {
        if let Some(loc) = self.pane(side).location.clone() {
            self.go(side, loc);
        }
    }

    /// Runs a user action in the focused pane.
    pub fn run_action(&mut self, action: Action) {
        let side = self.focus;
        match action {
            Action::SiteManager => match &self.sites {
                Some(sites) => self.site_manager = Some(SiteManager::new(sites.clone())),
                // Opening on an empty list before the file is read could
                // save over it; open once it is read.
                None => self.open_manager_when_loaded = true,
            },
            Action::ImportSites => self.import_sites(),
            Action::ExportSites => self.export_sites(),
            Action::Reconnect => {
                if self.site.is_some() {
                    self.remote.busy = true;
                    self.browser.send(BrowseCommand::Reconnect);
                }
            }
            Action::Disconnect => {
                self.browser.send(BrowseCommand::Disconnect);
            }
            Action::Refresh => self.refresh(side),
            Action::ToggleQueue => {
                self.queue_view.processing = !self.queue_view.processing;
                self.queue
                    .send(QueueCommand::SetProcessing(self.queue_view.processing));
            }
            Action::CancelAll => {
                self.queue.send(QueueCommand::CancelAll);
            }
            Action::Open => self.open_selection(side),
            Action::Up => {
                if let Some(parent) = self.pane(side).location.as_ref().and_then(Loc::parent) {
                    self.go(side, parent);
                }
            }
            Action::Transfer | Action::AddToQueue => {
                let rows: Vec<FileRow> = self
                    .pane(side)
                    .list
                    .selected_rows()
                    .into_iter()
                    .cloned()
                    .collect();
                self.transfer_rows(side, rows, action == Action::Transfer);
            }
            Action::OpenWithSystem => {
                if side == Side::Local
                    && let Some(Loc::Local(dir)) = &self.local.location
                {
                    for row in self.local.list.selected_rows() {
                        self.local_request(LocalRequest::Open(dir.join(&row.name)));
                    }
                }
            }
            Action::MakeDir => {
                if self.pane(side).location.is_some() {
                    self.dialog = Some(Dialog::MakeDir {
                        side,
                        name: String::new(),
                    });
                }
            }
            Action::Rename => {
                let selected: Vec<FileRow> = self
                    .pane(side)
                    .list
                    .selected_rows()
                    .into_iter()
                    .cloned()
                    .collect();
                if let [row] = selected.as_slice() {
                    self.dialog = Some(Dialog::Rename {
                        side,
                        name: row.name.clone(),
                        row: Box::new(row.clone()),
                    });
                }
            }
            Action::Delete => {
                let rows: Vec<FileRow> = self
                    .pane(side)
                    .list
                    .selected_rows()
                    .into_iter()
                    .cloned()
                    .collect();
                if !rows.is_empty() {
                    self.dialog = Some(Dialog::ConfirmDelete { side, rows });
                }
            }
            Action::SelectAll => self.pane(side).list.select_all(),
            Action::SwitchPane => self.focus = side.other(),
            Action::CopyUrl => {
                let urls = self.urls_of_selection(side);
                if !urls.is_empty() {
                    self.ctx.copy_text(urls.join("\n"));
                }
            }
            Action::ClearLog => self.log.clear(),
            Action::Quit => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    /// Opens a saved site: its password comes from the keyring (off the UI
    /// thread) or is asked for, by its logon type.
    fn open_site(&mut self, site: Site) {
        match site.logon {
            LogonType::Anonymous => self.connect_site(site, None),
            LogonType::Ask => {
                self.dialog = Some(Dialog::AskPassword {
                    site: Box::new(site),
                    password: String::new(),
                })
            }
            LogonType::Normal | LogonType::Account => {
                self.local_request(LocalRequest::GetPassword {
                    site: Box::new(site),
                    secrets: Arc::clone(&self.secrets),
                })
            }
        }
    }

    fn connect_site(&mut self, site: Site, password: Option<Secret>) {
        let config = site.session_config(password);
        self.quick = QuickConnect {
            host: site.connect_host(),
            user: config.credentials.user.clone(),
            password: String::new(),
            port: site.port.to_string(),
        };
        if let Some(dir) = &site.local_dir {
            self.list_local(Loc::Local(dir.clone()), false);
        }
        self.connect(config);
        if let Some(dir) = &site.remote_dir {
            self.browser
                .send(BrowseCommand::List(dir.clone().into_bytes()));
        }
        self.current_site = Some(site);
    }

    /// File → Import: FileZilla's sitemanager.xml through rfd's picker, read
    /// and merged on a background thread.
    fn import_sites(&mut self) {
        let Some(dir) = self.config_dir.clone() else {
            self.log
                .status(LogKind::Error, "no config folder to import sites into");
            return;
        };
        let tx = self.local_tx.clone();
        let ctx = self.ctx.clone();
        let secrets = Arc::clone(&self.secrets);
        self.on_picker_thread("skiff-import", move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Import FileZilla sites")
                .add_filter("FileZilla Site Manager", &["xml"]);
            if let Some(start) = crate::sites::filezilla::default_path()
                .and_then(|p| p.parent().map(Path::to_path_buf))
            {
                dialog = dialog.set_directory(start);
            }
            let Some(file) = dialog.pick_file() else {
                return;
            };
            let result = crate::sites::filezilla::import_into_store(&file, &dir, secrets.as_ref());
            let _ = tx.send(LocalResult::Changed {
                what: match &result {
                    Ok(summary) => summary.clone(),
                    Err(_) => String::new(),
                },
                error: result.err(),
            });
            // The merged file replaces the sites in memory; if it cannot
            // be read back, the ones in memory stay and the error is shown.
            let _ = tx.send(match local::load_sites(&dir) {
                LocalResult::SitesLoaded { sites, .. } if sites.is_err() => {
                    LocalResult::Saved((*sites).err())
                }
                loaded => loaded,
            });
            ctx.request_repaint();
        });
    }

    /// Runs `work` (a native file picker and what follows it) on a thread of
    /// its own, so the UI thread never waits on the dialog; a failure to
    /// start it is logged.
    fn on_picker_thread(&mut self, name: &str, work: impl FnOnce() + Send + 'static) {
        if let Err(e) = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(work)
        {
            self.log
                .status(LogKind::Error, format!("cannot open the file picker: {e}"));
        }
    }

    /// File → Export: the saved sites in Skiff's own format (never a
    /// password), to a file picked with rfd, written on a background thread.
    fn export_sites(&mut self) {
        let Some(sites) = self.sites.clone() else {
            self.log
                .status(LogKind::Status, "The saved sites are still being read");
            return;
        };
        let tx = self.local_tx.clone();
        let ctx = self.ctx.clone();
        self.on_picker_thread("skiff-export", move || {
            let Some(file) = rfd::FileDialog::new()
                .set_title("Export sites")
                .set_file_name("skiff-sites.toml")
                .save_file()
            else {
                return;
            };
            let result = crate::sites::store::export(&sites, &file);
            let _ = tx.send(LocalResult::Saved(
                result
                    .err()
                    .map(|e| format!("cannot export the sites: {e}")),
            ));
            ctx.request_repaint();
        });
    }

    fn on_site_manager(&mut self, outcome: SiteManagerOutcome) {
        let (saved, connect) = match outcome {
            SiteManagerOutcome::Cancel => return,
            SiteManagerOutcome::Save(saved) => (saved, None),
            SiteManagerOutcome::Connect(saved, id) => (saved, Some(id)),
        };
        let connect_now = connect.as_ref().and_then(|id| {
            let site = saved.sites.get(id)?.clone();
            let typed = saved.passwords.get(id).cloned().flatten();
            Some((site, typed))
        });
        self.sites = Some(saved.sites.clone());
        match self.config_dir.clone() {
            Some(dir) => self.local_request(LocalRequest::SaveSites {
                dir,
                sites: Box::new(saved.sites),
                passwords: saved.passwords,
                secrets: Arc::clone(&self.secrets),
            }),
            None => self
                .log
                .status(LogKind::Error, "no config folder: the sites were not saved"),
        }
        if let Some((site, typed)) = connect_now {
            match (site.logon, typed) {
                (LogonType::Normal | LogonType::Account, Some(password)) => {
                    self.connect_site(site, Some(password))
                }
                _ => self.open_site(site),
            }
        }
    }

    fn open_selection(&mut self, side: Side) {
        let pane = self.pane(side);
        let target = pane
            .list
            .cursor()
            .filter(|&c| pane.list.is_selected(c))
            .and_then(|c| pane.list.row(c).cloned())
            .or_else(|| pane.list.selected_rows().first().map(|r| (*r).clone()));
        if let Some(row) = target {
            self.activate(side, &row);
        }
    }

    fn activate(&mut self, side: Side, row: &FileRow) {
        let Some(dir) = self.pane(side).location.clone() else {
            return;
        };
        let enterable =
            row.kind == RowKind::Folder || (side == Side::Remote && row.kind == RowKind::Link);
        if enterable {
            self.go(side, dir.child(row));
        } else {
            self.transfer_rows(side, vec![row.clone()], true);
        }
    }

    /// Transfers `rows` of `side` into the other pane's folder.
    /// Queues `rows` of `side` for the other pane's folder; `start` also
    /// switches queue processing on (Download/Upload, double-click, drag),
    /// while Add to queue leaves it as it is.
    fn transfer_rows(&mut self, side: Side, rows: Vec<FileRow>, start: bool) {
        let (Some(Loc::Local(local_dir)), Some(Loc::Remote(remote_dir)), Some(site)) = (
            self.local.location.clone(),
            self.remote.location.clone(),
            self.site.clone(),
        ) else {
            self.log.status(
                LogKind::Error,
                "connect to a server first: transfers need both folders",
            );
            return;
        };
        let mut items = Vec::new();
        for row in rows {
            let remote = remote_dir_child(&remote_dir, &row);
            let remote_display = self.remote_display(&row);
            let is_dir = row.kind == RowKind::Folder;
            match side {
                Side::Remote => match crate::names::local_name(
                    row.text.as_deref(),
                    row.raw.as_deref().unwrap_or(row.name.as_bytes()),
                ) {
                    Ok(name) => items.push(
                        NewItem::download(local_dir.join(name), remote, remote_display)
                            .folder(is_dir)
                            .with_size(row.size)
                            .with_modified(row.modified),
                    ),
                    Err(e) => self.log.status(
                        LogKind::Error,
                        format!("not downloaded, the name is unsafe here: {e}: {}", row.name),
                    ),
                },
                Side::Local => items.push(
                    NewItem::upload(local_dir.join(&row.name), remote, remote_display)
                        .folder(is_dir)
                        .with_size(row.size)
                        .with_modified(row.modified),
                ),
            }
        }
        self.enqueue(&site, items, start);
    }

    fn enqueue(&mut self, site: &SessionConfig, items: Vec<NewItem>, start: bool) {
        if items.is_empty() {
            return;
        }
        let key = SiteKey::of(site);
        if self.queue_site.as_ref() != Some(&key) {
            self.queue
                .send(QueueCommand::SetSite(Box::new(site.clone())));
            self.queue_site = Some(key.clone());
        }
        self.queue.send(QueueCommand::Add { site: key, items });
        if start && !self.queue_view.processing {
            self.queue_view.processing = true;
            self.queue.send(QueueCommand::SetProcessing(true));
        }
    }

    /// Files dropped from the desktop's file manager onto the remote pane are uploaded.
    fn on_dropped_files(&mut self, ctx: &egui::Context) {
        let (files, pointer) = ctx.input(|i| (i.raw.dropped_files.clone(), i.pointer.hover_pos()));
        if files.is_empty() {
            return;
        }
        if pointer.is_some_and(|p| !self.remote_rect.contains(p)) {
            self.log.status(
                LogKind::Status,
                "Drop files on the remote pane to upload them",
            );
            return;
        }
        if self.remote.location.is_none() || self.site.is_none() {
            self.log.status(
                LogKind::Error,
                "connect to a server first, then drop files to upload them",
            );
            return;
        }
        // Whether each is a folder is a disk question: asked off the UI thread.
        let paths = files
            .into_iter()
            .map(|file| file.path().to_path_buf())
            .filter(|path| !path.as_os_str().is_empty())
            .collect();
        self.local_request(LocalRequest::Dropped(paths));
    }

    /// Uploads dropped files into the remote folder shown now.
    fn upload_dropped(&mut self, dropped: Vec<(PathBuf, bool)>) {
        let (Some(Loc::Remote(remote_dir)), Some(site)) =
            (self.remote.location.clone(), self.site.clone())
        else {
            return;
        };
        let items = dropped
            .into_iter()
            .filter_map(|(path, is_dir)| {
                let name = path.file_name()?.to_string_lossy().into_owned();
                let row = FileRow::new(name, RowKind::File);
                let remote = remote_dir_child(&remote_dir, &row);
                Some(NewItem::upload(path, remote, self.remote_display(&row)).folder(is_dir))
            })
            .collect();
        self.enqueue(&site, items, true);
    }

    /// A row of the remote folder, for display: `/shown/folder/name`.
    fn remote_display(&self, row: &FileRow) -> String {
        format!(
            "{}/{}",
            self.remote.path_edit.trim_end_matches('/'),
            row.name
        )
    }

    fn urls_of_selection(&mut self, side: Side) -> Vec<String> {
        let pane = match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        };
        let Some(dir) = &pane.location else {
            return Vec::new();
        };
        pane.list
            .selected_rows()
            .into_iter()
            .map(|row| match (dir.child(row), &self.site) {
                (Loc::Local(path), _) => format!("file://{}", path.display()),
                (Loc::Remote(path), Some(site)) => FtpUrl::of_remote(site, &path).to_string(),
                (Loc::Remote(path), None) => String::from_utf8_lossy(&path).into_owned(),
            })
            .collect()
    }

    fn on_dialog_outcome(&mut self, outcome: DialogOutcome) {
        match outcome {
            DialogOutcome::MakeDir { side, name } => match (side, self.pane(side).location.clone())
            {
                (Side::Local, Some(Loc::Local(dir))) => {
                    if valid_local_name(&name) {
                        self.local_request(LocalRequest::MakeDir(dir.join(name)));
                    } else {
                        self.log
                            .status(LogKind::Error, format!("not a valid folder name: {name}"));
                    }
                }
                (Side::Remote, Some(Loc::Remote(parent))) => {
                    self.browser
                        .send(BrowseCommand::MakeDirNamed { parent, name });
                }
                _ => {}
            },
            DialogOutcome::Rename { side, row, name } => {
                match (side, self.pane(side).location.clone()) {
                    (Side::Local, Some(Loc::Local(dir))) => {
                        if valid_local_name(&name) {
                            self.local_request(LocalRequest::Rename {
                                from: dir.join(&row.name),
                                to: dir.join(name),
                            });
                        } else {
                            self.log
                                .status(LogKind::Error, format!("not a valid name: {name}"));
                        }
                    }
                    (Side::Remote, Some(dir @ Loc::Remote(_))) => {
                        if let Loc::Remote(from) = dir.child(&row) {
                            self.browser.send(BrowseCommand::RenameTo { from, name });
                        }
                    }
                    _ => {}
                }
            }
            DialogOutcome::Delete { side, rows } => {
                match (side, self.pane(side).location.clone()) {
                    (Side::Local, Some(Loc::Local(dir))) => {
                        let paths = rows.iter().map(|r| dir.join(&r.name)).collect();
                        self.local_request(LocalRequest::Trash(paths));
                    }
                    (Side::Remote, Some(dir @ Loc::Remote(_))) => {
                        for row in rows {
                            if let Loc::Remote(path) = dir.child(&row) {
                                self.browser.send(BrowseCommand::Delete {
                                    path,
                                    is_dir: row.kind == RowKind::Folder,
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            DialogOutcome::Certificate {
                host,
                port,
                info,
                choice,
            } => {
                self.on_certificate(host, port, &info, choice);
            }
            DialogOutcome::Overwrite {
                id,
                policy,
                apply_to_all,
            } => {
                self.queue.send(QueueCommand::Answer {
                    id,
                    policy,
                    apply_to_all,
                });
                if apply_to_all {
                    // The engine answers the waiting ones of that direction itself.
                    self.asks.clear();
                }
            }
            DialogOutcome::Password { site, password } => {
                self.connect_site(*site, Some(password));
            }
            DialogOutcome::Closed => {}
        }
    }

    fn on_certificate(
        &mut self,
        host: String,
        port: u16,
        info: &crate::engine::CertInfo,
        choice: CertChoice,
    ) {
        if choice == CertChoice::Refuse {
            self.log.status(
                LogKind::Warning,
                format!("Certificate refused for {host}:{port}"),
            );
            return;
        }
        if choice == CertChoice::Always
            && let Some(trust) = &mut self.trust
        {
            trust.trust(&host, port, info);
            let store = Box::new(trust.clone());
            self.local_request(LocalRequest::SaveTrust(store));
        }
        if let Some(mut site) = self.site.clone()
            && site.host == host
            && site.port == port
        {
            site.tls.trusted.push(info.fingerprint);
            self.log.status(
                LogKind::Status,
                format!(
                    "Trusting certificate {} for {host}:{port}",
                    info.fingerprint
                ),
            );
            self.connect(site);
        }
    }

    /// Draws the whole window: call once per frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.frames += 1;
        self.drain_events();
        self.handle_keys(ui.ctx());
        self.on_dropped_files(ui.ctx());
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_bar_ui(ui));
        egui::Panel::bottom("queue-pane")
            .resizable(true)
            .default_size(150.0)
            .min_size(60.0)
            .show(ui, |ui| {
                for command in self.queue_view.ui(ui) {
                    self.queue.send(command);
                }
            });
        egui::Panel::top("message-log")
            .resizable(true)
            .default_size(120.0)
            .min_size(40.0)
            .show(ui, |ui| {
                self.log.ui(ui);
            });
        egui::Panel::left("local-pane")
            .resizable(true)
            .default_size(ui.available_width() / 2.0)
            .min_size(200.0)
            .show(ui, |ui| {
                let events =
                    self.local
                        .ui(ui, self.focus == Side::Local, Some("Reading the folder…"));
                self.on_pane_events(Side::Local, events);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let placeholder = match &self.connection {
                ConnectionState::Connecting { host } => format!("Connecting to {host}…"),
                ConnectionState::Connected { .. } => "Reading the folder…".to_string(),
                ConnectionState::Disconnected {
                    reason: Some(reason),
                } => {
                    format!("Not connected: {reason}")
                }
                ConnectionState::Disconnected { reason: None } => {
                    "Not connected. Enter a host above and press Quickconnect".to_string()
                }
            };
            self.remote_rect = ui.max_rect();
            let events = self
                .remote
                .ui(ui, self.focus == Side::Remote, Some(&placeholder));
            self.on_pane_events(Side::Remote, events);
        });
        if let Some(manager) = &mut self.site_manager
            && let Some(outcome) = manager.ui(ui.ctx())
        {
            self.site_manager = None;
            self.on_site_manager(outcome);
        }
        if let Some(dialog) = &mut self.dialog
            && let Some(outcome) = dialog.ui(ui.ctx())
        {
            self.dialog = None;
            self.on_dialog_outcome(outcome);
        }
    }

    fn handle_keys(&mut self, ctx: &egui::Context) {
        if self.dialog.is_some() || self.site_manager.is_some() {
            return;
        }
        let typing = ctx.egui_wants_keyboard_input();
        for action in Action::ALL {
            let Some(shortcut) = action.shortcut() else {
                continue;
            };
            if typing && !action.works_while_typing() {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                if action == Action::SwitchPane {
                    // Tab also asks egui to move the keyboard focus to the
                    // next widget; here it switches panes instead.
                    ctx.memory_mut(|m| {
                        m.stop_text_input();
                        m.move_focus(egui::FocusDirection::None);
                    });
                }
                self.run_action(action);
            }
        }
        if !typing {
            let (up, down) = ctx.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                )
            });
            let delta = isize::from(down) - isize::from(up);
            if delta != 0 {
                let pane = self.pane(self.focus);
                pane.list.move_cursor(delta);
                pane.scroll_to_cursor = true;
            }
        }
    }

    fn on_pane_events(&mut self, side: Side, events: Vec<PaneEvent>) {
        for event in events {
            match event {
                PaneEvent::Go(loc) => {
                    self.focus = side;
                    self.go(side, loc);
                }
                PaneEvent::Expand(loc) => match side {
                    Side::Local => self.list_local(loc, true),
                    Side::Remote => self.go(side, loc),
                },
                PaneEvent::Table(TableEvent::Focus) => self.focus = side,
                PaneEvent::Table(TableEvent::Activate(Some(index))) => {
                    self.focus = side;
                    if let Some(row) = self.pane(side).list.row(index).cloned() {
                        self.activate(side, &row);
                    }
                }
                PaneEvent::Table(TableEvent::Activate(None)) => {}
                PaneEvent::Table(TableEvent::Action(action)) => {
                    self.focus = side;
                    self.run_action(action);
                }
                PaneEvent::Table(TableEvent::DragStarted) => self.focus = side,
                PaneEvent::Dropped(from) if from != side => {
                    let rows: Vec<FileRow> = self
                        .pane(from)
                        .list
                        .selected_rows()
                        .into_iter()
                        .cloned()
                        .collect();
                    self.transfer_rows(from, rows, true);
                }
                PaneEvent::Dropped(_) => {}
            }
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                for action in [
                    Action::SiteManager,
                    Action::ImportSites,
                    Action::ExportSites,
                    Action::Quit,
                ] {
                    if menu_item(ui, action, false) {
                        self.run_action(action);
                    }
                }
            });
            ui.menu_button("Server", |ui| {
                for action in [Action::Reconnect, Action::Disconnect, Action::Refresh] {
                    if menu_item(ui, action, false) {
                        self.run_action(action);
                    }
                }
            });
            ui.menu_button("Transfer", |ui| {
                for action in [Action::ToggleQueue, Action::CancelAll] {
                    if menu_item(ui, action, false) {
                        self.run_action(action);
                    }
                }
            });
            ui.menu_button("Edit", |ui| {
                for action in [Action::SelectAll, Action::CopyUrl, Action::ClearLog] {
                    if menu_item(ui, action, self.focus == Side::Remote) {
                        self.run_action(action);
                    }
                }
            });
        });
        ui.horizontal(|ui| {
            for action in [
                Action::SiteManager,
                Action::Reconnect,
                Action::Disconnect,
                Action::Refresh,
                Action::ToggleQueue,
                Action::CancelAll,
            ] {
                let mut button = ui.button(action.label());
                if let Some(text) = action.shortcut_text(ui.ctx()) {
                    button = button.on_hover_text(text);
                }
                if button.clicked() {
                    self.run_action(action);
                }
            }
        });
        ui.horizontal(|ui| {
            let mut go = false;
            let field =
                |ui: &mut egui::Ui, label: &str, text: &mut String, width: f32, password: bool| {
                    let label = ui.label(label);
                    let response = ui.add(
                        egui::TextEdit::singleline(text)
                            .password(password)
                            .desired_width(width),
                    );
                    let response = response.labelled_by(label.id);
                    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
                };
            go |= field(ui, "Host:", &mut self.quick.host, 180.0, false);
            go |= field(ui, "Username:", &mut self.quick.user, 110.0, false);
            go |= field(ui, "Password:", &mut self.quick.password, 110.0, true);
            go |= field(ui, "Port:", &mut self.quick.port, 45.0, false);
            if ui.button("Quickconnect").clicked() || go {
                self.quickconnect();
            }
            let mut chosen = None;
            let mut clear = false;
            ui.menu_button("Recent", |ui| {
                let servers = self
                    .recent
                    .as_ref()
                    .map(Recent::servers)
                    .unwrap_or_default();
                if servers.is_empty() {
                    ui.weak("No recent servers");
                }
                for server in servers {
                    if ui.button(recent_label(server)).clicked() {
                        chosen = Some(server.clone());
                        ui.close();
                    }
                }
                ui.separator();
                if ui.button("Clear history").clicked() {
                    clear = true;
                    ui.close();
                }
            });
            if let Some(server) = chosen {
                // Never a password: it is typed again (or comes from a saved site).
                self.quick = QuickConnect {
                    host: format!("{}://{}", scheme(server.encryption), server.host),
                    user: server.user.clone().unwrap_or_default(),
                    password: String::new(),
                    port: server.port.to_string(),
                };
                self.quickconnect();
            }
            if clear && let Some(recent) = &mut self.recent {
                recent.clear();
                let recent = Box::new(recent.clone());
                self.local_request(LocalRequest::SaveRecent(recent));
            }
        });
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            match &self.connection {
                ConnectionState::Connected {
                    host,
                    tls,
                    security_notes,
                } => {
                    match tls {
                        Some(tls) => {
                            super::icons::lock_icon_ui(ui, true).on_hover_text(format!(
                                "Encrypted: {} {}",
                                tls.version, tls.cipher
                            ));
                            ui.label(format!("Connected to {host} ({})", tls.version));
                        }
                        None => {
                            super::icons::lock_icon_ui(ui, false).on_hover_text(
                                "Not encrypted: the password and files travel in clear text",
                            );
                            ui.label(format!("Connected to {host} (not encrypted)"));
                        }
                    }
                    if let Some(note) = security_notes.first() {
                        ui.colored_label(ui.visuals().warn_fg_color, note);
                    }
                }
                ConnectionState::Connecting { host } => {
                    ui.spinner();
                    ui.label(format!("Connecting to {host}…"));
                }
                ConnectionState::Disconnected { .. } => {
                    ui.label("Not connected");
                }
            }
            ui.separator();
            let pane = match self.focus {
                Side::Local => &self.local,
                Side::Remote => &self.remote,
            };
            let (count, bytes) = pane.list.selection_summary();
            if count > 0 {
                ui.label(format!("Selected {count} item(s), {}", format_size(bytes)));
            } else {
                ui.label(format!("{} item(s)", pane.list.view().len()));
            }
        });
    }
}

impl eframe::App for SkiffApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state());
    }
}

impl Drop for SkiffApp {
    fn drop(&mut self) {
        // The queue writes what is left of its journal and says so; items
        // still running come back paused next time, their partial files
        // kept. One deadline bounds the wait and the runtime's end.
        let stopped = self.queue.shutdown();
        self.demo = None;
        if let Some(runtime) = self.runtime.take() {
            let deadline = std::time::Instant::now() + crate::engine::queue::SHUTDOWN_DEADLINE;
            let _ =
                runtime.block_on(async { tokio::time::timeout_at(deadline.into(), stopped).await });
            runtime.shutdown_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
        }
    }
}

use crate::protocol::text::{escape, escape_bytes};

/// The remote path of `row` inside `dir`.
fn remote_dir_child(dir: &[u8], row: &FileRow) -> Vec<u8> {
    crate::protocol::path::join(dir, row.raw.as_deref().unwrap_or(row.name.as_bytes()))
}

/// A remote listing entry as a table row.
fn remote_row(entry: RemoteEntry) -> FileRow {
    let kind = match entry.entry.kind {
        EntryKind::Dir => RowKind::Folder,
        EntryKind::Symlink => RowKind::Link,
        EntryKind::File | EntryKind::Other => RowKind::File,
    };
    // Every column the server wrote is shown escaped, never interpreted.
    let shown = |text: &str| escape(text).into_owned();
    let mut row = FileRow::new(entry.name, kind);
    row.size = entry.entry.size.filter(|_| kind != RowKind::Folder);
    row.modified = entry.entry.modified.map(|t| t.at);
    row.permissions = shown(&entry.entry.permissions.unwrap_or_default());
    row.owner = shown(&match (entry.entry.owner, entry.entry.group) {
        (Some(o), Some(g)) => format!("{o} {g}"),
        (Some(o), None) => o,
        (None, Some(g)) => g,
        (None, None) => String::new(),
    });
    row.target = entry.entry.target.map(|t| escape_bytes(&t).into_owned());
    row.raw = Some(entry.entry.name);
    row.text = entry.text;
    row
}

/// A recent server as the drop-down shows it: `ftpes://alice@host:21`.
fn recent_label(server: &RecentServer) -> String {
    let user = server
        .user
        .as_deref()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    format!(
        "{}://{user}{}:{}",
        scheme(server.encryption),
        server.host,
        server.port
    )
}

fn valid_local_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains(std::path::MAIN_SEPARATOR)
        && Path::new(name).components().count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quickconnect_reads_hosts_urls_and_ports() {
        let quick = QuickConnect {
            host: "ftpes://alice@example.org:2121/dir".into(),
            password: "pw".into(),
            ..Default::default()
        };
        let config = quick.config().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((config.host.as_str(), config.port), ("example.org", 2121));
        assert_eq!(config.credentials.user, "alice");
        assert_eq!(config.credentials.password.expose(), "pw");
        assert_eq!(
            config.encryption,
            crate::engine::Encryption::RequireExplicit
        );
        let bad = QuickConnect {
            host: "example.org".into(),
            port: "70000".into(),
            ..Default::default()
        };
        assert!(bad.config().is_err());
        assert!(QuickConnect::default().config().is_err());
        let anonymous = QuickConnect {
            host: "example.org".into(),
            ..Default::default()
        };
        assert_eq!(
            anonymous
                .config()
                .map(|c| c.credentials.user)
                .ok()
                .as_deref(),
            Some("anonymous")
        );
        let shown = format!(
            "{:?}",
            QuickConnect {
                password: "hunter2".into(),
                ..Default::default()
            }
        );
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn local_names_cannot_escape_the_folder() {
        assert!(valid_local_name("new folder"));
        for bad in ["", ".", "..", "a/b", "../x"] {
            assert!(!valid_local_name(bad), "{bad}");
        }
    }
}
