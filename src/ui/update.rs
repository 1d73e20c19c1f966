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
use super::i18n::tr;
use super::items::{self, Folders};
use super::local::{LocalRequest, LocalResult};
use super::log::LogPane;
use super::pane::{Loc, Pane, PaneEvent};
use super::queue::QueueView;
use super::side::Side;
use super::site_manager::{SiteManager, SiteManagerOutcome};
use super::state::{Connection, Modals, QuickConnect, SiteState, Stale, UiState};
use super::table::TableEvent;
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
    /// The Settings dialog closed.
    Settings(super::settings::SettingsOutcome),
    /// Transfer → Transfer type: a new default, applied and saved at once.
    SetTransferType(crate::settings::TransferType),
    /// The window's close button was pressed.
    CloseRequested,
    /// The window came to the front (true) or went behind others.
    WindowFocused(bool),
    /// The Add bookmark dialog closed.
    Bookmark(super::bookmark_dialog::BookmarkOutcome),
    /// A bookmark was picked from the Bookmarks menu.
    OpenBookmark(crate::sites::Bookmark),
    /// The Synchronize dialog changed an option, ran or closed.
    Synchronize(super::sync_dialog::SyncOutcome),
    /// A click in a remote operation's dialog (delete, permissions, command).
    Ops(super::ops_state::OpsMsg),
    /// A remote operation's job reported something.
    OpsEvent(crate::engine::ops::jobs::OpsEvent),
    /// A click in View/Edit's dialogs or list.
    Edit(super::edit_state::EditMsg),
    /// The watcher saw something of an edited file.
    EditTouched(super::edit_state::Touched),
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
    /// Keep the window open although its close button was pressed.
    CancelClose,
    /// A desktop notification.
    Notify {
        /// Its title.
        summary: String,
        /// Its text.
        body: String,
    },
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
    /// Use this language and theme from the next frame on.
    Interface {
        /// The language setting.
        language: crate::settings::Language,
        /// The theme setting.
        theme: crate::settings::Theme,
    },
    /// Write the message log to this file (rotated so), or stop writing it.
    LogFile(Option<(PathBuf, crate::logfile::Rotation)>),
    /// Start, confirm or cancel a remote operation's job.
    Ops(crate::engine::ops::jobs::OpsCommand),
    /// View/Edit's private folder (removed when the window closes).
    EditFolder(PathBuf),
    /// Watch an edited file; answered by [`Msg::EditTouched`].
    WatchEdit {
        /// The edited file's number.
        id: u64,
        /// The file.
        file: PathBuf,
    },
    /// Stop watching an edited file.
    UnwatchEdit(u64),
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
            Effect::CancelClose => write!(f, "CancelClose"),
            Effect::Notify { summary, body } => write!(f, "Notify({summary:?}, {body:?})"),
            Effect::RepaintAfter(after) => write!(f, "RepaintAfter({after:?})"),
            Effect::StartDemo => write!(f, "StartDemo"),
            Effect::ImportSites { dir, .. } => write!(f, "ImportSites({})", dir.display()),
            Effect::ExportSites(_) => write!(f, "ExportSites(..)"),
            Effect::Interface { language, theme } => {
                write!(f, "Interface({language:?}, {theme:?})")
            }
            Effect::LogFile(target) => write!(f, "LogFile({target:?})"),
            Effect::Ops(command) => write!(f, "Ops({command:?})"),
            Effect::EditFolder(dir) => write!(f, "EditFolder({})", dir.display()),
            Effect::WatchEdit { id, file } => write!(f, "WatchEdit({id}, {})", file.display()),
            Effect::UnwatchEdit(id) => write!(f, "UnwatchEdit({id})"),
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
    /// The user's settings (Edit → Settings…).
    pub settings: crate::settings::Settings,
    /// Where the settings are saved (`settings.toml` in the config folder).
    pub settings_path: Option<PathBuf>,
    /// The user chose to quit although transfers run.
    pub(super) quit_confirmed: bool,
    /// The window is in front (notifications are for when it is not).
    pub window_focused: bool,
    /// Files moved since the queue was last idle.
    pub(super) queue_worked: bool,
    /// Effects recorded by `update`, not yet carried out.
    pub(super) effects: Vec<Effect>,
    /// Directory comparison and synchronized browsing (the View menu).
    pub view: super::view::ViewState,
    /// The remote operations' dialogs and jobs.
    pub ops: super::ops_state::RemoteOps,
    /// View/Edit: the files being edited.
    pub edits: super::edit_state::Edits,
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
            settings: crate::settings::Settings::default(),
            settings_path: None,
            quit_confirmed: false,
            window_focused: true,
            queue_worked: false,
            effects: Vec::new(),
            view: super::view::ViewState::default(),
            ops: Default::default(),
            edits: Default::default(),
        }
    }

    /// What a new window does first: read trust and sites, list
    /// `local_dir`, and with `demo` start the demo server.
    pub fn start(&mut self, local_dir: PathBuf, demo: bool) {
        if let Some(dir) = self.sites.config_dir.clone() {
            self.disk(LocalRequest::LoadTrust(dir.clone()));
            self.disk(LocalRequest::LoadSites(dir));
        }
        self.disk(LocalRequest::ProbeKeyring(Arc::clone(&self.sites.secrets)));
        self.list_local(Loc::Local(local_dir), false);
        if demo {
            self.effects.push(Effect::StartDemo);
        }
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
            Msg::QueuePane(command) => self.queue_pane_command(command),
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
            Msg::PickerFailed(error) => self
                .log
                .status(LogKind::Error, tr!("note-picker-failed", error = error)),
            Msg::Tick(now) => {
                self.on_tick(now);
                self.edits_tick(now);
            }
            Msg::Settings(outcome) => self.on_settings(outcome),
            Msg::CloseRequested => self.quit(true),
            Msg::WindowFocused(focused) => self.window_focused = focused,
            Msg::Bookmark(outcome) => self.on_bookmark(outcome),
            Msg::OpenBookmark(bookmark) => self.open_bookmark(bookmark),
            Msg::Synchronize(outcome) => self.on_synchronize(outcome),
            Msg::Ops(msg) => self.on_ops_msg(msg),
            Msg::OpsEvent(event) => self.on_ops_event(event),
            Msg::Edit(msg) => self.on_edit_msg(msg),
            Msg::EditTouched(touched) => self.on_edit_touched(touched),
            Msg::SetTransferType(kind) => {
                let mut settings = self.settings.clone();
                settings.transfers.transfer_type = kind;
                self.on_settings(super::settings::SettingsOutcome::Save(Box::new(settings)));
            }
        }
        self.after_update();
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

    pub(super) fn go(&mut self, side: Side, loc: Loc) {
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
                Some(sites) => {
                    self.modals.site_manager = Some(
                        SiteManager::new(sites.clone())
                            .with_keyring_note(self.sites.keyring_missing.clone()),
                    )
                }
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
                    .status(LogKind::Error, tr!("note-no-config-for-import")),
            },
            Action::ExportSites => match self.sites.sites.clone() {
                Some(sites) => self.effects.push(Effect::ExportSites(Box::new(sites))),
                None => self
                    .log
                    .status(LogKind::Status, tr!("note-sites-still-reading")),
            },
            Action::Reconnect => {
                if self.connection.site.is_some() {
                    self.remote.busy = true;
                    self.browse(BrowseCommand::Reconnect);
                }
            }
            Action::Disconnect => self.browse(BrowseCommand::Disconnect),
            Action::AddBookmark => self.add_bookmark(),
            Action::Settings => {
                self.modals.settings = Some(super::settings::SettingsDialog::new(&self.settings));
            }
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
            // "Open" on a remote file is View/Edit.
            Action::OpenWithSystem if side == Side::Remote => self.view_edit(),
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
                        folder: self.pane(side).path_edit.clone(),
                        name: String::new(),
                    });
                }
            }
            Action::Rename => {
                if let [row] = self.selected_rows(side).as_slice() {
                    self.modals.dialog = Some(Dialog::Rename {
                        side,
                        folder: self.pane(side).path_edit.clone(),
                        name: row.name.clone(),
                        row: Box::new(row.clone()),
                    });
                }
            }
            Action::Delete => {
                let rows = self.selected_rows(side);
                if side == Side::Remote && self.delete_remote(&rows) {
                    return;
                }
                if !rows.is_empty() {
                    let folder = self.pane(side).path_edit.clone();
                    self.modals.dialog = Some(Dialog::ConfirmDelete { side, folder, rows });
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
            Action::Permissions | Action::CustomCommand | Action::SearchRemote => {
                self.run_ops_action(action)
            }
            Action::Quit => self.quit(false),
            Action::ViewEdit => self.view_edit(),
            Action::EditedFiles => self.edits.list_open = true,
            Action::ToggleComparison
            | Action::CompareSizeTime
            | Action::CompareSize
            | Action::CompareTime
            | Action::HideIdentical
            | Action::SyncBrowsing => self.run_view_action(action),
            Action::Synchronize => self.open_synchronize(),
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
    pub(super) fn transfer_rows(&mut self, side: Side, rows: Vec<FileRow>, start: bool) {
        let (Some(Loc::Local(local_dir)), Some(Loc::Remote(remote_dir)), Some(site)) = (
            self.local.location.clone(),
            self.remote.location.clone(),
            self.connection.site.clone(),
        ) else {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
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

    pub(super) fn enqueue(&mut self, site: &SessionConfig, items: Vec<NewItem>, start: bool) {
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
            self.log.status(LogKind::Status, tr!("note-drop-on-remote"));
            return;
        }
        if self.remote.location.is_none() || self.connection.site.is_none() {
            self.log
                .status(LogKind::Error, tr!("note-connect-then-drop"));
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
                            .status(LogKind::Error, tr!("note-invalid-folder-name", name = name));
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
                                .status(LogKind::Error, tr!("note-invalid-name", name = name));
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
                // Asked once: kept for this session's later connects.
                self.sites
                    .session_passwords
                    .insert(site.id.clone(), password.clone());
                self.connect_site(*site, Some(password));
            }
            outcome @ (DialogOutcome::SyncFolderCreate { .. }
            | DialogOutcome::SyncFolderStop { .. }) => self.on_sync_folder(outcome),
            DialogOutcome::Quit => self.quit_confirmed(),
            DialogOutcome::ConnectFor(site) => self.connect_for(site),
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

#[cfg(test)]
mod tests {
    //! `update` without a window or a runtime: each test feeds messages
    //! and checks the effects a working window must record, in order.

    use super::*;
    use crate::engine::queue::Direction;
    use crate::engine::{CertInfo, Credentials, Fingerprint, RemoteEntry};
    use crate::protocol::listing::{EntryKind, ListEntry};
    use crate::secret::Secret;
    use crate::sites::MemoryStore;
    use crate::sites::{LogonType, Site};
    use crate::ui::dialogs::CertChoice;

    const LOCAL: &str = "/home/me";

    pub(in crate::ui) fn model() -> Model {
        let sites = SiteState::new(None, Arc::new(MemoryStore::new()), None);
        Model::new(UiState::default(), sites)
    }

    fn site() -> SessionConfig {
        SessionConfig::new("ftp.example.org".to_string(), 21, Credentials::anonymous())
    }

    pub(in crate::ui) fn entry(
        raw: &[u8],
        text: Option<&str>,
        kind: EntryKind,
        size: Option<u64>,
    ) -> RemoteEntry {
        RemoteEntry::new(
            String::from_utf8_lossy(raw).into_owned(),
            text.map(str::to_string),
            ListEntry {
                name: raw.to_vec(),
                kind,
                size,
                modified: None,
                permissions: None,
                owner: None,
                group: None,
                target: None,
            },
        )
    }

    /// Connected to `site()`, the local pane in `/home/me` (notes.md) and
    /// the remote pane in `/pub` listing `entries`; effects so far dropped.
    pub(in crate::ui) fn connected(entries: Vec<RemoteEntry>) -> Model {
        let mut model = model();
        model.update(Msg::Connect(Box::new(site())));
        let mut notes = FileRow::new("notes.md".to_string(), RowKind::File);
        notes.size = Some(5);
        model.update(Msg::Local(LocalResult::Listed {
            path: PathBuf::from(LOCAL),
            for_tree: false,
            rows: Ok(vec![
                notes,
                FileRow::new("pics".to_string(), RowKind::Folder),
            ]),
        }));
        model.update(Msg::Browse(Event::Listing {
            path: b"/pub".to_vec(),
            display_path: "/pub".to_string(),
            entries,
        }));
        model.take_effects();
        model
    }

    pub(in crate::ui) fn file_and_folder() -> Vec<RemoteEntry> {
        vec![
            entry(b"a.txt", Some("a.txt"), EntryKind::File, Some(42)),
            entry(b"sub", Some("sub"), EntryKind::Dir, None),
        ]
    }

    /// Selects the row named `name` in `side`'s pane.
    pub(in crate::ui) fn select(model: &mut Model, side: Side, name: &str) {
        let list = &mut model.pane(side).list;
        let index = list.rows().iter().position(|r| r.name == name);
        let index = index.unwrap_or_else(|| panic!("no row {name}"));
        list.click(index as u32, false, false);
    }

    fn added(effects: &[Effect]) -> Vec<&NewItem> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Queue(QueueCommand::Add { items, .. }) => Some(items),
                _ => None,
            })
            .flatten()
            .collect()
    }

    pub(in crate::ui) fn errors(model: &Model) -> Vec<String> {
        model
            .log
            .lines()
            .filter(|l| l.kind == LogKind::Error)
            .map(|l| l.text.clone())
            .collect()
    }

    #[test]
    fn quickconnect_gives_the_queue_the_site_then_connects() {
        let mut model = model();
        model.quick = QuickConnect {
            host: "ftpes://alice@ftp.example.org".to_string(),
            user: String::new(),
            password: "pw".to_string(),
            port: "2121".to_string(),
        };
        model.update(Msg::Quickconnect);
        let effects = model.take_effects();
        let [
            Effect::Queue(QueueCommand::SetSite(queued)),
            Effect::Browse(BrowseCommand::Connect(config)),
        ] = effects.as_slice()
        else {
            panic!("SetSite, then Connect: {effects:?}")
        };
        for config in [queued, config] {
            assert_eq!(
                (config.host.as_str(), config.port),
                ("ftp.example.org", 2121)
            );
            assert_eq!(config.credentials.user, "alice");
            assert_eq!(config.credentials.password.expose(), "pw");
        }
        assert!(model.remote.busy, "the remote pane waits for the listing");
        assert_eq!(
            model.connection.queue_site,
            Some(SiteKey::of(config)),
            "the queue knows the site"
        );

        // A port that is not one: nothing is sent, the user is told.
        model.quick.port = "70000".to_string();
        model.update(Msg::Quickconnect);
        assert!(model.take_effects().is_empty());
        assert!(matches!(model.modals.dialog, Some(Dialog::Message { .. })));
    }

    #[test]
    fn a_saved_site_connects_with_the_typed_password_and_opens_its_folders() {
        let mut model = model();
        let site = Site {
            name: "Work".to_string(),
            host: "files.example.org".to_string(),
            port: 990,
            logon: LogonType::Normal,
            user: "bob".to_string(),
            local_dir: Some(PathBuf::from("/data/local")),
            remote_dir: Some("/srv/www".to_string()),
            ..Site::default()
        };
        model.update(Msg::Dialog(DialogOutcome::Password {
            site: Box::new(site),
            password: Secret::new("s3cret"),
        }));
        let effects = model.take_effects();
        let [
            Effect::Disk(LocalRequest::List {
                path,
                for_tree: false,
            }),
            Effect::Queue(QueueCommand::SetSite(_)),
            Effect::Browse(BrowseCommand::Connect(config)),
            Effect::Browse(BrowseCommand::List(remote)),
        ] = effects.as_slice()
        else {
            panic!("local listing, SetSite, Connect, List: {effects:?}")
        };
        assert_eq!(path, Path::new("/data/local"));
        assert_eq!(
            (config.host.as_str(), config.port),
            ("files.example.org", 990)
        );
        assert_eq!(config.credentials.user, "bob");
        assert_eq!(config.credentials.password.expose(), "s3cret");
        assert_eq!(remote, b"/srv/www");
        assert_eq!(model.quick.host, "files.example.org");
        assert!(model.quick.password.is_empty(), "never copied to the bar");
        assert_eq!(
            model.sites.current_site.as_ref().map(|s| s.name.as_str()),
            Some("Work")
        );
    }

    #[test]
    fn an_engine_failure_is_shown_in_the_windows_language() {
        let error = crate::engine::EngineError::Connect {
            host: "ftp.example.org:21".into(),
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        };
        let action = crate::engine::wording::UserMessage::new(
            "engine-action-connect",
            &[("host", "ftp.example.org:21".to_string())],
        );
        let failed = || {
            Msg::Browse(Event::Failed {
                what: "connect to ftp.example.org:21".into(),
                message: error.to_string(),
                action: action.clone(),
                error: error.user_message(),
            })
        };
        let _chinese = crate::ui::i18n::LocaleOverride::on_this_thread(
            crate::ui::i18n::Locale::ChineseSimplified,
        );
        let mut model = model();
        model.update(failed());
        let shown = model.remote.error.clone().unwrap_or_default();
        assert!(
            shown.contains("无法连接") && shown.contains("ftp.example.org:21"),
            "{shown}"
        );
        assert!(!shown.contains("could not connect"), "{shown}");
        drop(_chinese);
        let _english =
            crate::ui::i18n::LocaleOverride::on_this_thread(crate::ui::i18n::Locale::English);
        let mut model = super::tests::model();
        model.update(failed());
        let shown = model.remote.error.clone().unwrap_or_default();
        assert!(
            shown.starts_with("Could not connect to ftp.example.org:21: could not connect"),
            "{shown}"
        );
    }

    #[test]
    fn a_certificate_trusted_once_reconnects_with_its_fingerprint() {
        let mut model = model();
        model.update(Msg::Connect(Box::new(site())));
        model.take_effects();
        let info = Box::new(CertInfo {
            subject: "CN=ftp.example.org".to_string(),
            issuer: "CN=ftp.example.org".to_string(),
            not_before: String::new(),
            not_after: String::new(),
            fingerprint: Fingerprint([7; 32]),
            reason: "self-signed".to_string(),
            previously_trusted: None,
            host_key: None,
        });
        model.update(Msg::Browse(Event::Certificate {
            host: "ftp.example.org".to_string(),
            port: 21,
            info: info.clone(),
        }));
        assert!(matches!(
            model.modals.dialog,
            Some(Dialog::Certificate { .. })
        ));
        let answer = |choice| {
            Msg::Dialog(DialogOutcome::Certificate {
                host: "ftp.example.org".to_string(),
                port: 21,
                info: info.clone(),
                choice,
            })
        };
        model.update(answer(CertChoice::Refuse));
        assert!(model.take_effects().is_empty(), "refused: no reconnect");
        model.update(answer(CertChoice::Once));
        let effects = model.take_effects();
        let Some(Effect::Browse(BrowseCommand::Connect(config))) = effects.last() else {
            panic!("a reconnect: {effects:?}")
        };
        assert_eq!(config.tls.trusted, [Fingerprint([7; 32])]);
        // Once holds for the session: a later connection trusts it too.
        model.update(Msg::Action(Action::Disconnect));
        model.update(Msg::Connect(Box::new(site())));
        let effects = model.take_effects();
        let Some(Effect::Browse(BrowseCommand::Connect(config))) = effects
            .iter()
            .rev()
            .find(|e| matches!(e, Effect::Browse(BrowseCommand::Connect(_))))
        else {
            panic!("a connect: {effects:?}")
        };
        assert_eq!(config.tls.trusted, [Fingerprint([7; 32])]);
    }

    #[test]
    fn a_download_is_queued_with_the_rows_items() {
        let mut model = connected(file_and_folder());
        model.focus = Side::Remote;
        select(&mut model, Side::Remote, "a.txt");
        model.update(Msg::Action(Action::Transfer));
        let effects = model.take_effects();
        // The queue has the site already and is processing: only Add.
        let [Effect::Queue(QueueCommand::Add { site: key, items })] = effects.as_slice() else {
            panic!("one Add: {effects:?}")
        };
        assert_eq!(key, &SiteKey::of(&site()));
        let [item] = items.as_slice() else {
            panic!("one item: {items:?}")
        };
        assert_eq!(item.direction, Direction::Download);
        assert_eq!(item.local, Path::new(LOCAL).join("a.txt"));
        assert_eq!(item.remote, b"/pub/a.txt");
        assert_eq!(item.remote_display, "/pub/a.txt");
        assert_eq!((item.is_dir, item.size), (false, Some(42)));

        // Double-clicking a folder enters it instead.
        let index = model
            .remote
            .list
            .rows()
            .iter()
            .position(|r| r.name == "sub");
        let index = index.unwrap_or_else(|| panic!("no sub")) as u32;
        model.update(Msg::Pane(
            Side::Remote,
            PaneEvent::Table(TableEvent::Activate(Some(index))),
        ));
        let effects = model.take_effects();
        assert!(
            matches!(effects.as_slice(), [Effect::Browse(BrowseCommand::List(p))] if p == b"/pub/sub"),
            "{effects:?}"
        );
    }

    #[test]
    fn an_upload_is_queued_and_transfer_starts_a_stopped_queue() {
        let mut model = connected(file_and_folder());
        model.update(Msg::Action(Action::ToggleQueue));
        assert!(matches!(
            model.take_effects().as_slice(),
            [Effect::Queue(QueueCommand::SetProcessing(false))]
        ));
        model.focus = Side::Local;
        select(&mut model, Side::Local, "notes.md");

        // Add to queue leaves the queue stopped.
        model.update(Msg::Action(Action::AddToQueue));
        let effects = model.take_effects();
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::Queue(QueueCommand::Add { .. })]
            ),
            "{effects:?}"
        );
        let [item] = added(&effects)[..] else {
            panic!("one item: {effects:?}")
        };
        assert_eq!(item.direction, Direction::Upload);
        assert_eq!(item.local, Path::new(LOCAL).join("notes.md"));
        assert_eq!(item.remote, b"/pub/notes.md");
        assert_eq!(item.size, Some(5));

        // Upload (Transfer) starts it.
        model.update(Msg::Action(Action::Transfer));
        let effects = model.take_effects();
        assert!(
            matches!(
                effects.as_slice(),
                [
                    Effect::Queue(QueueCommand::Add { .. }),
                    Effect::Queue(QueueCommand::SetProcessing(true))
                ]
            ),
            "{effects:?}"
        );
        assert!(model.queue_view.processing);
    }

    #[test]
    fn transfers_need_a_connection_and_safe_names() {
        let mut model = model();
        model.update(Msg::Action(Action::Transfer));
        assert!(model.take_effects().is_empty());
        assert!(errors(&model)[0].starts_with("connect to a server first"));

        let mut model = connected(vec![
            entry(b"a\x01b", Some("a\u{1}b"), EntryKind::File, None),
            entry(b"ok", Some("ok"), EntryKind::File, None),
        ]);
        model.focus = Side::Remote;
        model.update(Msg::Action(Action::SelectAll));
        model.update(Msg::Action(Action::Transfer));
        let effects = model.take_effects();
        let items = added(&effects);
        assert_eq!(items.len(), 1, "only the safe name: {effects:?}");
        assert_eq!(items[0].remote, b"/pub/ok");
        assert!(
            errors(&model)
                .iter()
                .any(|e| e.starts_with("not downloaded, the name is unsafe here")),
            "{:?}",
            errors(&model)
        );
    }

    #[test]
    fn dropping_rows_on_the_other_pane_transfers_them() {
        let mut model = connected(file_and_folder());
        select(&mut model, Side::Remote, "sub");
        model.update(Msg::Pane(Side::Local, PaneEvent::Dropped(Side::Remote)));
        let effects = model.take_effects();
        let [item] = added(&effects)[..] else {
            panic!("one item: {effects:?}")
        };
        assert_eq!((item.direction, item.is_dir), (Direction::Download, true));
        assert_eq!(item.local, Path::new(LOCAL).join("sub"));
        // Dropped on the pane it came from: nothing.
        model.update(Msg::Pane(Side::Remote, PaneEvent::Dropped(Side::Remote)));
        assert!(model.take_effects().is_empty());
    }

    #[test]
    fn delete_asks_first_then_deletes_on_the_server() {
        let mut model = connected(vec![
            entry(b"a.txt", Some("a.txt"), EntryKind::File, Some(42)),
            entry(b"link", Some("link"), EntryKind::Symlink, None),
        ]);
        model.focus = Side::Remote;
        model.update(Msg::Action(Action::SelectAll));
        model.update(Msg::Action(Action::Delete));
        assert!(model.take_effects().is_empty(), "nothing before the answer");
        let Some(Dialog::ConfirmDelete { side, rows, .. }) = model.modals.dialog.take() else {
            panic!("the confirmation: {:?}", model.modals)
        };
        assert_eq!(side, Side::Remote);
        assert_eq!(rows.len(), 2);

        model.update(Msg::Dialog(DialogOutcome::Delete { side, rows }));
        let effects = model.take_effects();
        let deleted: Vec<(&[u8], bool)> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Browse(BrowseCommand::Delete { path, is_dir }) => {
                    Some((path.as_slice(), *is_dir))
                }
                _ => None,
            })
            .collect();
        // Files and links alone: DELE each on the browsing connection (a
        // link as the link it is); a folder is planned first (remote_ops).
        assert_eq!(
            deleted,
            [(&b"/pub/a.txt"[..], false), (&b"/pub/link"[..], false)]
        );
        assert_eq!(effects.len(), 2, "{effects:?}");

        // Closing the dialog deletes nothing.
        model.update(Msg::Dialog(DialogOutcome::Closed));
        assert!(model.take_effects().is_empty());
    }

    #[test]
    fn local_delete_moves_to_the_trash() {
        let mut model = connected(file_and_folder());
        model.focus = Side::Local;
        select(&mut model, Side::Local, "notes.md");
        model.update(Msg::Action(Action::Delete));
        let Some(Dialog::ConfirmDelete { side, rows, .. }) = model.modals.dialog.take() else {
            panic!("the confirmation")
        };
        model.update(Msg::Dialog(DialogOutcome::Delete { side, rows }));
        let effects = model.take_effects();
        let [Effect::Disk(LocalRequest::Trash(paths))] = effects.as_slice() else {
            panic!("one trash request: {effects:?}")
        };
        assert_eq!(paths, &[Path::new(LOCAL).join("notes.md")]);
    }

    #[test]
    fn rename_asks_for_the_name_then_renames_the_servers_bytes() {
        let mut model = connected(vec![
            entry(b"caf\xe9", None, EntryKind::File, None),
            entry(b"other", Some("other"), EntryKind::File, None),
        ]);
        model.focus = Side::Remote;
        model.update(Msg::Action(Action::SelectAll));
        model.update(Msg::Action(Action::Rename));
        assert!(model.modals.dialog.is_none(), "two rows: no rename");

        let shown = String::from_utf8_lossy(b"caf\xe9").into_owned();
        select(&mut model, Side::Remote, &shown);
        model.update(Msg::Action(Action::Rename));
        let Some(Dialog::Rename {
            side, row, name, ..
        }) = model.modals.dialog.take()
        else {
            panic!("the rename dialog")
        };
        assert_eq!((side, name.as_str()), (Side::Remote, shown.as_str()));
        assert!(model.take_effects().is_empty());

        model.update(Msg::Dialog(DialogOutcome::Rename {
            side,
            row,
            name: "café".to_string(),
        }));
        let effects = model.take_effects();
        let [Effect::Browse(BrowseCommand::RenameTo { from, name })] = effects.as_slice() else {
            panic!("one RenameTo: {effects:?}")
        };
        assert_eq!(
            from, b"/pub/caf\xe9",
            "the listed bytes, not the shown name"
        );
        assert_eq!(name, "café");
    }

    #[test]
    fn local_rename_refuses_names_that_leave_the_folder() {
        let mut model = connected(file_and_folder());
        let row = Box::new(FileRow::new("notes.md".to_string(), RowKind::File));
        model.update(Msg::Dialog(DialogOutcome::Rename {
            side: Side::Local,
            row: row.clone(),
            name: "../escape".to_string(),
        }));
        assert!(model.take_effects().is_empty());
        assert_eq!(errors(&model), ["not a valid name: ../escape"]);

        model.update(Msg::Dialog(DialogOutcome::Rename {
            side: Side::Local,
            row,
            name: "renamed.md".to_string(),
        }));
        let effects = model.take_effects();
        let [Effect::Disk(LocalRequest::Rename { from, to })] = effects.as_slice() else {
            panic!("one rename: {effects:?}")
        };
        assert_eq!(from, &Path::new(LOCAL).join("notes.md"));
        assert_eq!(to, &Path::new(LOCAL).join("renamed.md"));
    }

    #[test]
    fn finished_transfers_list_the_folder_again_at_most_once_a_second() {
        let mut model = connected(file_and_folder());
        let start = Instant::now();
        model.update(Msg::QueueEvent(QueueEvent::Idle));
        model.update(Msg::Tick(start));
        let effects = model.take_effects();
        assert!(
            matches!(effects.as_slice(), [Effect::Disk(LocalRequest::List { path, for_tree: false })] if path == Path::new(LOCAL)),
            "{effects:?}"
        );
        model.update(Msg::QueueEvent(QueueEvent::Idle));
        model.update(Msg::Tick(start + Duration::from_millis(400)));
        let effects = model.take_effects();
        assert!(
            matches!(effects.as_slice(), [Effect::RepaintAfter(_)]),
            "{effects:?}"
        );
        model.update(Msg::Tick(start + Duration::from_secs(1)));
        let effects = model.take_effects();
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::Disk(LocalRequest::List { .. })]
            ),
            "{effects:?}"
        );
    }

    #[test]
    fn files_dropped_off_the_remote_pane_are_not_uploaded() {
        let mut model = connected(file_and_folder());
        let paths = vec![PathBuf::from("/tmp/x")];
        model.update(Msg::FilesDropped {
            paths: paths.clone(),
            on_remote: false,
        });
        assert!(model.take_effects().is_empty());
        model.update(Msg::FilesDropped {
            paths,
            on_remote: true,
        });
        assert!(matches!(
            model.take_effects().as_slice(),
            [Effect::Disk(LocalRequest::Dropped(_))]
        ));
        model.update(Msg::Local(LocalResult::Dropped(vec![(
            PathBuf::from("/tmp/x"),
            false,
        )])));
        let effects = model.take_effects();
        let [item] = added(&effects)[..] else {
            panic!("one item: {effects:?}")
        };
        assert_eq!(item.remote, b"/pub/x");
    }

    #[test]
    fn local_names_cannot_escape_the_folder() {
        assert!(valid_local_name("new folder"));
        for bad in ["", ".", "..", "a/b", "../x"] {
            assert!(!valid_local_name(bad), "{bad}");
        }
    }
}

/// The update tests' helpers, for the arms kept in other files.
#[cfg(test)]
pub(in crate::ui) mod test_support {
    pub(in crate::ui) use super::tests::{
        connected, entry, errors, file_and_folder, model, select,
    };
}
