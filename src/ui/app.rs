//! The main window: [`SkiffApp`] ties the [`Model`] to the engine link and
//! runs one frame: drain the engine into messages, update, draw the panels
//! (which collect the user's messages), then update with those.
//!
//! The frame's layout lives here; the toolbar and status bar are in
//! [`super::chrome`], what each message does is in [`super::update`], and
//! everything that talks to the engine is in [`super::link`]. Nothing here
//! waits on the network, the disk or the keyring, and no drawing code
//! changes state other than through a [`Msg`] (text fields aside).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui;

use super::action::Action;
use super::chrome;
use super::dialogs::Dialog;
use super::i18n::tr;
use super::link::EngineLink;
use super::pane::Loc;
use super::side::Side;
use super::state::SiteState;
pub use super::state::UiState;
use super::update::{Model, Msg};
use crate::engine::{ConnectionState, SessionConfig};
use crate::sites::SecretStore;

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
    /// The settings; default: read from `settings.toml` in the config folder.
    pub settings: Option<crate::settings::Settings>,
    /// The window's language; default: the system's (`i18n::system_locale`).
    pub locale: Option<super::i18n::Locale>,
}

impl std::fmt::Debug for StartOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartOptions")
            .field("url", &self.url)
            .field("site", &self.site)
            .field("demo", &self.demo)
            .field("local_dir", &self.local_dir)
            .field("config_dir", &self.config_dir)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// The application.
pub struct SkiffApp {
    /// Everything the window shows; changed only by [`Model::update`].
    pub model: Model,
    /// The runtime, the engine handles and their receivers.
    link: EngineLink,
    /// The remote pane's area, for files dropped from the desktop.
    remote_rect: egui::Rect,
    /// Passes drawn (a frame a click changed is drawn twice), for tests
    /// and the frame-time benchmark.
    pub frames: u64,
    /// The window title last set.
    title: String,
}

impl std::fmt::Debug for SkiffApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkiffApp")
            .field("connection", &self.model.connection.state)
            .field("quick", &self.model.quick)
            .finish_non_exhaustive()
    }
}

impl SkiffApp {
    /// Builds the app, starting its engine runtime, and acts on `start`.
    pub fn new(ctx: &egui::Context, start: StartOptions) -> std::io::Result<Self> {
        let mut link = EngineLink::start(ctx, start.data_dir.as_deref())?;
        link.pin_locale(start.locale);
        let state = start.state.unwrap_or_default();
        let sites = SiteState::new(
            start.config_dir.clone().or_else(crate::paths::config_dir),
            start
                .secrets
                .clone()
                .unwrap_or_else(|| Arc::new(crate::sites::OsKeyring::new())),
            start.site.clone(),
        );
        let local_dir = start
            .local_dir
            .or_else(|| state.local_dir.clone())
            .or_else(|| directories::UserDirs::new().map(|d| d.home_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from("."));
        let settings_path = sites
            .config_dir
            .as_ref()
            .map(|dir| dir.join(crate::settings::SETTINGS_FILE));
        // The one file read on this thread, before the first frame: the
        // language and theme must be known to draw it (as eframe reads its
        // own state). A corrupt file is set aside and reported.
        let (settings, problem) = match start.settings {
            Some(settings) => (settings, None),
            None => match &settings_path {
                Some(path) => {
                    let loaded = crate::settings::Settings::load(path);
                    (loaded.settings, loaded.problem)
                }
                None => (crate::settings::Settings::default(), None),
            },
        };
        let mut app = Self {
            model: Model::new(state, sites),
            link,
            remote_rect: egui::Rect::NOTHING,
            frames: 0,
            title: String::new(),
        };
        app.model.settings_path = settings_path;
        app.model.use_settings(settings);
        if let Some(problem) = problem {
            app.model
                .log
                .status(crate::engine::LogKind::Warning, problem.clone());
            app.model.modals.dialog = Some(Dialog::Message {
                title: super::i18n::tr!("settings-title"),
                text: problem,
            });
        }
        app.model.start(local_dir, start.demo);
        let first = if start.demo {
            None
        } else if let Some(config) = start.connect {
            Some(Msg::Connect(config))
        } else if let Some(url) = start.url {
            app.model.quick.host = url;
            Some(Msg::Quickconnect)
        } else {
            None
        };
        app.run(first.into_iter().collect());
        Ok(app)
    }

    /// The state to persist.
    pub fn state(&self) -> UiState {
        let model = &self.model;
        let mut state = model.state.clone();
        if let Some(Loc::Local(dir)) = &model.local.location {
            state.local_dir = Some(dir.clone());
        }
        state.local_sort = model.local.list.sort();
        state.remote_sort = model.remote.list.sort();
        state.quick_host = model.quick.host.clone();
        state.quick_user = model.quick.user.clone();
        state.quick_port = model.quick.port.clone();
        state
    }

    /// The connection state shown in the status bar.
    pub fn connection(&self) -> &ConnectionState {
        &self.model.connection.state
    }

    /// The pane with the keyboard focus.
    pub fn focused_side(&self) -> Side {
        self.model.focus
    }

    /// Whether the Site Manager is open.
    pub fn site_manager_open(&self) -> bool {
        self.model.modals.site_manager.is_some()
    }

    /// The open dialog, if any.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.model.modals.dialog.as_ref()
    }

    /// Connects the browsing connection with `config`.
    pub fn connect(&mut self, config: SessionConfig) {
        self.run(vec![Msg::Connect(Box::new(config))]);
    }

    /// Runs a user action in the focused pane.
    pub fn run_action(&mut self, action: Action) {
        self.run(vec![Msg::Action(action)]);
    }

    /// The one update loop: each message through `update`, then its effects
    /// through the link, whose answers are handled after the messages
    /// already waiting. Effects recorded before the first message go first.
    fn run(&mut self, msgs: Vec<Msg>) {
        let mut pending: VecDeque<Msg> = msgs.into();
        self.perform_effects(&mut pending);
        while let Some(msg) = pending.pop_front() {
            self.model.update(msg);
            self.perform_effects(&mut pending);
        }
    }

    fn perform_effects(&mut self, pending: &mut VecDeque<Msg>) {
        for effect in self.model.take_effects() {
            pending.extend(self.link.perform(effect));
        }
        let lines = self.model.log.take_for_file();
        if !lines.is_empty() {
            self.link.write_log(lines);
        }
    }

    /// Draws the whole window: call once per frame.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.frames += 1;
        let mut msgs = self.link.drain();
        msgs.push(Msg::Tick(Instant::now()));
        self.run(msgs);
        // Keys are read before anything is drawn (and after the engine's
        // news, which may have opened a dialog), so a shortcut's dialog or
        // cursor move shows in this frame and widgets never see the key.
        let mut msgs = Vec::new();
        if ui.ctx().input(|i| i.viewport().close_requested()) {
            msgs.push(Msg::CloseRequested);
        }
        let focused = ui.ctx().input(|i| i.viewport().focused).unwrap_or(true);
        if focused != self.model.window_focused {
            msgs.push(Msg::WindowFocused(focused));
        }
        self.keys(ui.ctx(), &mut msgs);
        self.dropped_files(ui.ctx(), &mut msgs);
        self.run(msgs);
        self.update_title(ui.ctx());
        let mut msgs = Vec::new();
        self.panels_ui(ui, &mut msgs);
        if !msgs.is_empty() {
            self.run(msgs);
            // What a click changed is drawn before anything is shown: egui
            // runs the frame's pass again (without its input), or, when it
            // already did, draws another frame.
            let ctx = ui.ctx();
            ctx.request_discard("a message changed the window");
            if !ctx.will_discard() {
                ctx.request_repaint();
            }
        }
    }

    /// The window title: the site, and while files move how far they are
    /// (`42% ftp.example.org - Skiff`), so a minimised window still tells.
    fn update_title(&mut self, ctx: &egui::Context) {
        let title = window_title(
            self.model.connection.site.as_ref().map(|s| s.host.as_str()),
            self.model.queue_view.running_fraction(),
        );
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The title the window shows now.
    pub fn title(&self) -> &str {
        &self.title
    }

    fn panels_ui(&mut self, ui: &mut egui::Ui, msgs: &mut Vec<Msg>) {
        let model = &mut self.model;
        egui::Panel::top("toolbar").show(ui, |ui| chrome::toolbar_ui(ui, model, msgs));
        egui::Panel::bottom("status-bar").show(ui, |ui| chrome::status_bar_ui(ui, model));
        egui::Panel::bottom("queue-pane")
            .resizable(true)
            .default_size(150.0)
            .min_size(60.0)
            .show(ui, |ui| {
                msgs.extend(model.queue_view.ui(ui).into_iter().map(Msg::QueuePane));
            });
        egui::Panel::top("message-log")
            .resizable(true)
            .default_size(120.0)
            .min_size(40.0)
            .show(ui, |ui| {
                model.log.ui(ui);
            });
        egui::Panel::left("local-pane")
            .resizable(true)
            .default_size(ui.available_width() / 2.0)
            .min_size(200.0)
            .show(ui, |ui| {
                let reading = tr!("pane-reading");
                let events = model
                    .local
                    .ui(ui, model.focus == Side::Local, Some(&reading));
                msgs.extend(events.into_iter().map(|e| Msg::Pane(Side::Local, e)));
            });
        let remote_rect = &mut self.remote_rect;
        egui::CentralPanel::default().show(ui, |ui| {
            let placeholder = match &model.connection.state {
                ConnectionState::Connecting { host } => {
                    tr!("status-connecting", host = host.as_str())
                }
                ConnectionState::Connected { .. } => tr!("pane-reading"),
                ConnectionState::Disconnected {
                    reason: Some(reason),
                } => tr!(
                    "pane-not-connected-because",
                    // The failure in the window's words when it was one.
                    reason = model.connection.failure.as_deref().unwrap_or(reason)
                ),
                ConnectionState::Disconnected { reason: None } => tr!("pane-not-connected"),
            };
            *remote_rect = ui.max_rect();
            let events = model
                .remote
                .ui(ui, model.focus == Side::Remote, Some(&placeholder));
            msgs.extend(events.into_iter().map(|e| Msg::Pane(Side::Remote, e)));
        });
        let modals = &mut model.modals;
        if let Some(manager) = &mut modals.site_manager
            && let Some(outcome) = manager.ui(ui.ctx())
        {
            modals.site_manager = None;
            msgs.push(Msg::SiteManager(outcome));
        }
        if let Some(dialog) = &mut modals.dialog
            && let Some(outcome) = dialog.ui(ui.ctx())
        {
            modals.dialog = None;
            msgs.push(Msg::Dialog(outcome));
        }
        if let Some(settings) = &mut modals.settings
            && let Some(outcome) = settings.ui(ui.ctx())
        {
            modals.settings = None;
            msgs.push(Msg::Settings(outcome));
        }
        if let Some(bookmark) = &mut modals.bookmark
            && let Some(outcome) = bookmark.ui(ui.ctx())
        {
            modals.bookmark = None;
            msgs.push(Msg::Bookmark(outcome));
        }
        if let Some(outcome) = model.view.sync_dialog.as_ref().and_then(|d| d.ui(ui.ctx())) {
            msgs.push(Msg::Synchronize(outcome));
        }
        let ops = super::ops_dialogs::ops_dialogs_ui(ui.ctx(), &mut model.ops);
        msgs.extend(ops.into_iter().map(Msg::Ops));
        if let Some(search) = &mut model.ops.search {
            let asked = super::search_window::search_window_ui(ui.ctx(), search);
            msgs.extend(asked.into_iter().map(Msg::Ops));
        }
        let edits = super::edit_window::edited_files_ui(ui.ctx(), &model.edits);
        msgs.extend(edits.into_iter().map(Msg::Edit));
        if model.modals.dialog.is_none()
            && let Some(answer) = super::edit_window::edit_question_ui(ui.ctx(), &model.edits)
        {
            msgs.push(Msg::Edit(answer));
        }
    }

    /// Shortcuts become actions; the arrow keys move the focused table's
    /// cursor. Nothing while a dialog has the keyboard.
    fn keys(&self, ctx: &egui::Context, msgs: &mut Vec<Msg>) {
        if self.model.modals.any_open()
            || self.model.view.sync_dialog.is_some()
            || self.model.ops.any_open()
            || self.model.edits.question().is_some()
        {
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
                msgs.push(Msg::Action(action));
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
                msgs.push(Msg::MoveCursor(delta));
            }
        }
    }

    /// Files dropped from the desktop's file manager, with whether they
    /// landed on the remote pane (where they are uploaded).
    fn dropped_files(&self, ctx: &egui::Context, msgs: &mut Vec<Msg>) {
        let (files, pointer) = ctx.input(|i| (i.raw.dropped_files.clone(), i.pointer.hover_pos()));
        if files.is_empty() {
            return;
        }
        let paths = files
            .into_iter()
            .map(|file| file.path().to_path_buf())
            .filter(|path| !path.as_os_str().is_empty())
            .collect();
        msgs.push(Msg::FilesDropped {
            paths,
            on_remote: pointer.is_none_or(|p| self.remote_rect.contains(p)),
        });
    }
}

/// `Skiff`, `host - Skiff`, or `42% host - Skiff` while files move.
fn window_title(host: Option<&str>, progress: Option<f32>) -> String {
    match (host, progress) {
        (Some(host), Some(p)) => tr!(
            "window-title-progress",
            percent = (p * 100.0).floor() as u32,
            host = host
        ),
        (Some(host), None) => tr!("window-title-site", host = host),
        (None, _) => "Skiff".to_string(),
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
