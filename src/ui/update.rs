//! The window's one update loop, in the Elm shape of egui_demo_app's
//! `run_cmd`: every input (a user [`Action`], a pane event, a dialog or Site
//! Manager outcome, an engine event, a queue event, a disk result, dropped
//! files, the frame's clock tick) is one [`Msg`], and [`Model::update`]
//! handles it.
//!
//! `update` only changes the [`Model`] and records what must happen outside
//! it as [`Effect`]s (a browse or queue command, disk work, the clipboard);
//! the engine link ([`super::link`]) carries them out after each message.
//! Nothing here draws, sends on a channel, spawns, or reads the clock, so
//! `update` is tested with plain `#[test]`s that inspect the effects.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::action::Action;
use super::dialogs::{Dialog, DialogOutcome};
use super::files::{FileRow, RowKind};
use super::items::{self, Folders};
use super::local::{LocalRequest, LocalResult};
use super::log::LogPane;
use super::pane::{Loc, Pane, PaneEvent};
use super::queue::QueueView;
use super::site_manager::{SiteManager, SiteManagerOutcome};
use super::state::{Connection, Modals, QuickConnect, SiteState, Stale, UiState};
use super::table::{Side, TableEvent};
use crate::engine::queue::{NewItem, QueueCommand, QueueEvent, SiteKey};
use crate::engine::{BrowseCommand, Event, LogKind, SessionConfig};
use crate::sites::Sites;
use crate::sites::recent::RecentServer;
use crate::url::{FtpUrl, scheme};

/// One input to the window.
#[derive(Debug)]
pub enum Msg {
    /// A user action (menu, toolbar, shortcut), in the focused pane.
    Action(Action),
    /// What the user did in a pane.
    Pane(Side, PaneEvent),
    /// A command from the queue pane (pause, cancel, move…).
    QueuePane(QueueCommand),
    /// A dialog closed with the user's decision (certificate answers too).
    Dialog(DialogOutcome),
    /// The Site Manager closed.
    SiteManager(SiteManagerOutcome),
    /// The Quickconnect button or Enter in its fields.
    Quickconnect,
    /// A server picked from the Recent menu.
    Recent(RecentServer),
    /// Recent → Clear history.
    ClearRecent,
    /// Arrow keys moved the focused table's cursor by this many rows.
    MoveCursor(isize),
    /// Files dropped from the desktop: their paths, and whether they landed
    /// on the remote pane.
    FilesDropped {
        /// The dropped paths.
        paths: Vec<PathBuf>,
        /// Dropped on the remote pane (or where the pointer is unknown).
        on_remote: bool,
    },
    /// Connect the browsing connection with these settings.
    Connect(Box<SessionConfig>),
    /// The browsing connection reported something.
    Browse(Event),
    /// The transfer queue reported something.
    QueueEvent(QueueEvent),
    /// Disk or keyring work finished.
    Local(LocalResult),
    /// The demo server started at this address, or could not start.
    DemoStarted(Result<std::net::SocketAddr, String>),
    /// A file picker could not be opened.
    PickerFailed(String),
    /// The start of a frame, after the engine's events: the time now.
    Tick(Instant),
}

/// What `update` asks the outside world to do, in order.
pub enum Effect {
    /// Send to the browsing connection.
    Browse(BrowseCommand),
    /// Send to the transfer queue.
    Queue(QueueCommand),
    /// Disk or keyring work on the blocking pool.
    Disk(LocalRequest),
    /// Put text on the clipboard.
    CopyText(String),
    /// Close the window.
    CloseWindow,
    /// Draw again after this long (a stale folder waits for its second).
    RepaintAfter(Duration),
    /// Start the embedded demo server; answered by [`Msg::DemoStarted`].
    StartDemo,
    /// Pick FileZilla's sitemanager.xml and merge it into the sites in `dir`.
    ImportSites {
        /// The config folder.
        dir: PathBuf,
        /// Where the imported passwords go.
        secrets: Arc<dyn crate::sites::SecretStore>,
    },
    /// Pick a file and export the sites to it.
    ExportSites(Box<Sites>),
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Disk requests may carry the keyring and are not `Debug`.
        match self {
            Effect::Browse(command) => write!(f, "Browse({command:?})"),
            Effect::Queue(command) => write!(f, "Queue({command:?})"),
            Effect::Disk(_) => write!(f, "Disk(..)"),
            Effect::CopyText(text) => write!(f, "CopyText({text:?})"),
            Effect::CloseWindow => write!(f, "CloseWindow"),
            Effect::RepaintAfter(after) => write!(f, "RepaintAfter({after:?})"),
            Effect::StartDemo => write!(f, "StartDemo"),
            Effect::ImportSites { dir, .. } => write!(f, "ImportSites({})", dir.display()),
            Effect::ExportSites(_) => write!(f, "ExportSites(..)"),
        }
    }
}

/// Everything the window shows and `update` changes: no engine handles,
/// no runtime, no egui context.
#[derive(Debug)]
pub struct Model {
    /// What eframe persists.
    pub state: UiState,
    /// The local pane.
    pub local: Pane,
    /// The remote pane.
    pub remote: Pane,
    /// The pane with the keyboard focus.
    pub focus: Side,
    /// The quickconnect fields.
    pub quick: QuickConnect,
    /// The message log.
    pub log: LogPane,
    /// The queue as the pane shows it.
    pub queue_view: QueueView,
    /// The browsing connection and the site it uses.
    pub connection: Connection,
    /// Saved sites, trust and recent servers.
    pub sites: SiteState,
    /// The open dialogs.
    pub modals: Modals,
    /// Folders to list again after transfers.
    pub stale: Stale,
    /// Effects recorded by `update`, not yet carried out.
    pub(super) effects: Vec<Effect>,
}

impl Model {
    /// A window with nothing listed and nothing connected.
    pub fn new(state: UiState, sites: SiteState) -> Self {
        let mut local = Pane::new(Side::Local);
        local.list.set_sort(state.local_sort);
        let mut remote = Pane::new(Side::Remote);
        remote.list.set_sort(state.remote_sort);
        Self {
            quick: QuickConnect {
                host: state.quick_host.clone(),
                user: state.quick_user.clone(),
                password: String::new(),
                port: state.quick_port.clone(),
            },
            state,
            local,
            remote,
            focus: Side::Remote,
            log: LogPane::default(),
            queue_view: QueueView::processing(),
            connection: Connection::default(),
            sites,
            modals: Modals::default(),
            stale: Stale::default(),
            effects: Vec::new(),
        }
    }

    /// What a new window does first: read trust and sites, list `local_dir`.
    pub fn start(&mut self, local_dir: PathBuf) {
        if let Some(dir) = self.sites.config_dir.clone() {
            self.disk(LocalRequest::LoadTrust(dir.clone()));
            self.disk(LocalRequest::LoadSites(dir));
        }
        self.list_local(Loc::Local(local_dir), false);
    }

    /// The effects recorded since the last call, oldest first.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Handles one input.
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Action(action) => self.run_action(action),
            Msg::Pane(side, event) => self.on_pane_event(side, event),
            Msg::QueuePane(command) => self.queue(command),
            Msg::Dialog(outcome) => self.on_dialog_outcome(outcome),
            Msg::SiteManager(outcome) => self.on_site_manager(outcome),
            Msg::Quickconnect => self.quickconnect(),
            Msg::Recent(server) => {
                // Never a password: it is typed again (or comes from a saved site).
                self.quick = QuickConnect {
                    host: format!("{}://{}", scheme(server.encryption), server.host),
                    user: server.user.clone().unwrap_or_default(),
                    password: String::new(),
                    port: server.port.to_string(),
                };
                self.quickconnect();
            }
            Msg::ClearRecent => {
                if let Some(recent) = &mut self.sites.recent {
                    recent.clear();
                    let recent = Box::new(recent.clone());
                    self.disk(LocalRequest::SaveRecent(recent));
                }
            }
            Msg::MoveCursor(delta) => {
                let pane = self.pane(self.focus);
                pane.list.move_cursor(delta);
                pane.scroll_to_cursor = true;
            }
            Msg::FilesDropped { paths, on_remote } => self.on_files_dropped(paths, on_remote),
            Msg::Connect(config) => self.connect(*config),
            Msg::Browse(event) => self.on_browse_event(event),
            Msg::QueueEvent(event) => self.on_queue_event(event),
            Msg::Local(result) => self.on_local_result(result),
            Msg::DemoStarted(started) => self.on_demo_started(started),
            Msg::PickerFailed(error) => self.log.status(
                LogKind::Error,
                format!("cannot open the file picker: {error}"),
            ),
            Msg::Tick(now) => self.on_tick(now),
        }
    }

    pub(super) fn browse(&mut self, command: BrowseCommand) {
        self.effects.push(Effect::Browse(command));
    }

    pub(super) fn queue(&mut self, command: QueueCommand) {
        self.effects.push(Effect::Queue(command));
    }

    pub(super) fn disk(&mut self, request: LocalRequest) {
        self.effects.push(Effect::Disk(request));
    }

    fn pane(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    fn selected_rows(&self, side: Side) -> Vec<FileRow> {
        let pane = match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        };
        pane.list.selected_rows().into_iter().cloned().collect()
    }

    pub(super) fn list_local(&mut self, loc: Loc, for_tree: bool) {
        let Loc::Local(path) = loc else { return };
        if !for_tree {
            self.local.busy = true;
        }
        self.disk(LocalRequest::List { path, for_tree });
    }

    fn go(&mut self, side: Side, loc: Loc) {
        match side {
            Side::Local => self.list_local(loc, false),
            Side::Remote => {
                if let Loc::Remote(path) = loc {
                    self.remote.busy = true;
                    self.browse(BrowseCommand::List(path));
                }
            }
        }
    }

    pub(super) fn refresh(&mut self, side: Side) {
        if let Some(loc) = self.pane(side).location.clone() {
            self.go(side, loc);
        }
    }

    /// Runs a user action in the focused pane.
    fn run_action(&mut self, action: Action) {
        let side = self.focus;
        match action {
            Action::SiteManager => match &self.sites.sites {
                Some(sites) => self.modals.site_manager = Some(SiteManager::new(sites.clone())),
                // Opening on an empty list before the file is read could
                // save over it; open once it is read.
                None => self.sites.open_manager_when_loaded = true,
            },
            Action::ImportSites => match self.sites.config_dir.clone() {
                Some(dir) => self.effects.push(Effect::ImportSites {
                    dir,
                    secrets: Arc::clone(&self.sites.secrets),
                }),
                None => self
                    .log
                    .status(LogKind::Error, "no config folder to import sites into"),
            },
            Action::ExportSites => match self.sites.sites.clone() {
                Some(sites) => self.effects.push(Effect::ExportSites(Box::new(sites))),
                None => self
                    .log
                    .status(LogKind::Status, "The saved sites are still being read"),
            },
            Action::Reconnect => {
                if self.connection.site.is_some() {
                    self.remote.busy = true;
                    self.browse(BrowseCommand::Reconnect);
                }
            }
            Action::Disconnect => self.browse(BrowseCommand::Disconnect),
            Action::Refresh => self.refresh(side),
            Action::ToggleQueue => {
                self.queue_view.processing = !self.queue_view.processing;
                self.queue(QueueCommand::SetProcessing(self.queue_view.processing));
            }
            Action::CancelAll => self.queue(QueueCommand::CancelAll),
            Action::Open => self.open_selection(side),
            Action::Up => {
                if let Some(parent) = self.pane(side).location.as_ref().and_then(Loc::parent) {
                    self.go(side, parent);
                }
            }
            Action::Transfer | Action::AddToQueue => {
                let rows = self.selected_rows(side);
                self.transfer_rows(side, rows, action == Action::Transfer);
            }
            Action::OpenWithSystem => {
                if side == Side::Local
                    && let Some(Loc::Local(dir)) = self.local.location.clone()
                {
                    for row in self.selected_rows(side) {
                        self.disk(LocalRequest::Open(dir.join(&row.name)));
                    }
                }
            }
            Action::MakeDir => {
                if self.pane(side).location.is_some() {
                    self.modals.dialog = Some(Dialog::MakeDir {
                        side,
                        name: String::new(),
                    });
                }
            }
            Action::Rename => {
                if let [row] = self.selected_rows(side).as_slice() {
                    self.modals.dialog = Some(Dialog::Rename {
                        side,
                        name: row.name.clone(),
                        row: Box::new(row.clone()),
                    });
                }
            }
            Action::Delete => {
                let rows = self.selected_rows(side);
                if !rows.is_empty() {
                    self.modals.dialog = Some(Dialog::ConfirmDelete { side, rows });
                }
            }
            Action::SelectAll => self.pane(side).list.select_all(),
            Action::SwitchPane => self.focus = side.other(),
            Action::CopyUrl => {
                let urls = self.urls_of_selection(side);
                if !urls.is_empty() {
                    self.effects.push(Effect::CopyText(urls.join("\n")));
                }
            }
            Action::ClearLog => self.log.clear(),
            Action::Quit => self.effects.push(Effect::CloseWindow),
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

    /// Queues `rows` of `side` for the other pane's folder; `start` also
    /// switches queue processing on (Download/Upload, double-click, drag),
    /// while Add to queue leaves it as it is.
    fn transfer_rows(&mut self, side: Side, rows: Vec<FileRow>, start: bool) {
        let (Some(Loc::Local(local_dir)), Some(Loc::Remote(remote_dir)), Some(site)) = (
            self.local.location.clone(),
            self.remote.location.clone(),
            self.connection.site.clone(),
        ) else {
            self.log.status(
                LogKind::Error,
                "connect to a server first: transfers need both folders",
            );
            return;
        };
        let folders = Folders {
            local: &local_dir,
            remote: &remote_dir,
            remote_shown: &self.remote.path_edit,
        };
        let items = match side {
            Side::Remote => {
                let out = items::downloads(folders, &rows);
                for refused in out.refused {
                    self.log.status(LogKind::Error, refused);
                }
                out.items
            }
            Side::Local => items::uploads(folders, &rows),
        };
        self.enqueue(&site, items, start);
    }

    fn enqueue(&mut self, site: &SessionConfig, items: Vec<NewItem>, start: bool) {
        if items.is_empty() {
            return;
        }
        let key = SiteKey::of(site);
        if self.connection.queue_site.as_ref() != Some(&key) {
            self.queue(QueueCommand::SetSite(Box::new(site.clone())));
            self.connection.queue_site = Some(key.clone());
        }
        self.queue(QueueCommand::Add { site: key, items });
        if start && !self.queue_view.processing {
            self.queue_view.processing = true;
            self.queue(QueueCommand::SetProcessing(true));
        }
    }

    /// Files dropped from the desktop's file manager onto the remote pane are uploaded.
    fn on_files_dropped(&mut self, paths: Vec<PathBuf>, on_remote: bool) {
        if !on_remote {
            self.log.status(
                LogKind::Status,
                "Drop files on the remote pane to upload them",
            );
            return;
        }
        if self.remote.location.is_none() || self.connection.site.is_none() {
            self.log.status(
                LogKind::Error,
                "connect to a server first, then drop files to upload them",
            );
            return;
        }
        // Whether each is a folder is a disk question: asked off the UI thread.
        self.disk(LocalRequest::Dropped(paths));
    }

    /// Uploads dropped files into the remote folder shown now.
    pub(super) fn upload_dropped(&mut self, dropped: Vec<(PathBuf, bool)>) {
        let (Some(Loc::Remote(remote_dir)), Some(site)) =
            (self.remote.location.clone(), self.connection.site.clone())
        else {
            return;
        };
        let items = items::dropped_uploads(&remote_dir, &self.remote.path_edit, dropped);
        self.enqueue(&site, items, true);
    }

    fn urls_of_selection(&self, side: Side) -> Vec<String> {
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
            .map(|row| match (dir.child(row), &self.connection.site) {
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
                        self.disk(LocalRequest::MakeDir(dir.join(name)));
                    } else {
                        self.log
                            .status(LogKind::Error, format!("not a valid folder name: {name}"));
                    }
                }
                (Side::Remote, Some(Loc::Remote(parent))) => {
                    self.browse(BrowseCommand::MakeDirNamed { parent, name });
                }
                _ => {}
            },
            DialogOutcome::Rename { side, row, name } => {
                match (side, self.pane(side).location.clone()) {
                    (Side::Local, Some(Loc::Local(dir))) => {
                        if valid_local_name(&name) {
                            self.disk(LocalRequest::Rename {
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
                            self.browse(BrowseCommand::RenameTo { from, name });
                        }
                    }
                    _ => {}
                }
            }
            DialogOutcome::Delete { side, rows } => {
                match (side, self.pane(side).location.clone()) {
                    (Side::Local, Some(Loc::Local(dir))) => {
                        let paths = rows.iter().map(|r| dir.join(&r.name)).collect();
                        self.disk(LocalRequest::Trash(paths));
                    }
                    (Side::Remote, Some(dir @ Loc::Remote(_))) => {
                        for row in rows {
                            if let Loc::Remote(path) = dir.child(&row) {
                                self.browse(BrowseCommand::Delete {
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
            } => self.on_certificate(host, port, &info, choice),
            DialogOutcome::Overwrite {
                id,
                policy,
                apply_to_all,
            } => {
                self.queue(QueueCommand::Answer {
                    id,
                    policy,
                    apply_to_all,
                });
                if apply_to_all {
                    // The engine answers the waiting ones of that direction itself.
                    self.modals.asks.clear();
                }
            }
            DialogOutcome::Password { site, password } => {
                self.connect_site(*site, Some(password));
            }
            DialogOutcome::Closed => {}
        }
    }

    fn on_pane_event(&mut self, side: Side, event: PaneEvent) {
        match event {
            PaneEvent::Go(loc) => {
                self.focus = side;
                self.go(side, loc);
            }
            PaneEvent::Expand(loc) => match side {
                Side::Local => self.list_local(loc, true),
                Side::Remote => self.go(side, loc),
            },
            PaneEvent::Table(TableEvent::Focus | TableEvent::DragStarted) => self.focus = side,
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
            PaneEvent::Dropped(from) if from != side => {
                let rows = self.selected_rows(from);
                self.transfer_rows(from, rows, true);
            }
            PaneEvent::Dropped(_) => {}
        }
    }
}

/// Whether `name`, typed by the user, names one entry of a local folder.
fn valid_local_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.contains(std::path::MAIN_SEPARATOR)
        && Path::new(name).components().count() == 1
}
