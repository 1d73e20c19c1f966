//! The window's link to the engine: the tokio runtime, the browsing and
//! queue handles with their event receivers, the channel disk work answers
//! on, the demo server, and the shutdown order.
//!
//! [`EngineLink::drain`] turns whatever arrived since the last frame into
//! [`Msg`]s without waiting; [`EngineLink::perform`] carries out one
//! [`Effect`] of `update`. This file must not decide anything about what the
//! window shows: that is [`super::update`]'s job. It never blocks the UI
//! thread: sends are on unbounded channels, disk work goes to the blocking
//! pool, and file pickers run on threads of their own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use eframe::egui;
use tokio::sync::mpsc::UnboundedReceiver;

use super::i18n::tr;
use super::i18n::{Locale, set_locale, system_locale};
use super::local::{self, LocalError, LocalRequest, LocalResult};
use super::update::{Effect, Msg};
use crate::engine::browser::Waker;
use crate::engine::ops::jobs::{OpsEvent, OpsHandle};
use crate::engine::queue::{PolicyChoice, QueueEvent, QueueHandle, QueueOptions};
use crate::engine::{BrowserHandle, Event};
use crate::settings::{Language, Theme};
use crate::sites::{SecretStore, Sites};

/// The engine side of the window.
pub struct EngineLink {
    /// Owned when the link made its own runtime; dropped last.
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    ctx: egui::Context,
    browser: BrowserHandle,
    browse_events: UnboundedReceiver<Event>,
    queue: QueueHandle,
    queue_events: UnboundedReceiver<QueueEvent>,
    /// Remote operations on connections of their own (delete, chmod).
    ops: OpsHandle,
    ops_events: UnboundedReceiver<OpsEvent>,
    local_tx: mpsc::Sender<LocalResult>,
    local_rx: mpsc::Receiver<LocalResult>,
    demo: Option<super::demo::DemoServer>,
    /// The message log's file, while Settings → Logging says so.
    log_file: Option<crate::logfile::LogFile>,
    /// A language chosen by the caller (`StartOptions::locale`), which the
    /// settings' language does not change.
    locale_pin: Option<Locale>,
    /// View/Edit's watch on the files being edited (started on first use).
    edit_watcher: Option<super::edit_watch::EditWatcher>,
    edit_tx: mpsc::Sender<super::edit_state::Touched>,
    edit_rx: mpsc::Receiver<super::edit_state::Touched>,
    /// View/Edit's private folder, removed when the window closes.
    edit_folder: Option<PathBuf>,
}

impl std::fmt::Debug for EngineLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineLink")
            .field("demo", &self.demo.as_ref().map(|d| d.addr))
            .finish_non_exhaustive()
    }
}

/// Shows a desktop notification on a thread of its own (D-Bus on Linux
/// may take a moment, and no notification service is not an error worth
/// more than a line in the tracing log).
fn notify(summary: String, body: String) {
    let spawned = std::thread::Builder::new()
        .name("skiff-notify".to_string())
        .spawn(move || {
            let shown = notify_rust::Notification::new()
                .appname("Skiff")
                .summary(&summary)
                .body(&body)
                .icon("skiff")
                .show();
            if let Err(e) = shown {
                tracing::info!("no desktop notification ({e}): {summary}");
            }
        });
    if let Err(e) = spawned {
        tracing::info!("cannot start the notification thread: {e}");
    }
}

impl EngineLink {
    /// Starts a runtime with the browsing connection and the transfer queue
    /// (its journal in `data_dir`, or the platform's data folder); both wake
    /// `ctx` when they report.
    pub fn start(ctx: &egui::Context, data_dir: Option<&Path>) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("skiff-engine")
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let repaint = ctx.clone();
        let waker: Waker = Arc::new(move || repaint.request_repaint());
        let (browser, browse_events) = BrowserHandle::start(&handle, Arc::clone(&waker));
        let (ops, ops_events) = OpsHandle::new(&handle, Arc::clone(&waker));
        let store = match data_dir {
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
        let (edit_tx, edit_rx) = mpsc::channel();
        Ok(Self {
            runtime: Some(runtime),
            handle,
            ctx: ctx.clone(),
            browser,
            browse_events,
            queue,
            queue_events,
            ops,
            ops_events,
            local_tx,
            local_rx,
            demo: None,
            log_file: None,
            locale_pin: None,
            edit_watcher: None,
            edit_tx,
            edit_rx,
            edit_folder: None,
        })
    }

    /// Everything the engine and the disk reported since the last call, as
    /// messages: browse events, then disk results, then queue events.
    pub fn drain(&mut self) -> Vec<Msg> {
        let mut msgs = Vec::new();
        while let Ok(event) = self.browse_events.try_recv() {
            msgs.push(Msg::Browse(event));
        }
        while let Ok(result) = self.local_rx.try_recv() {
            msgs.push(Msg::Local(result));
        }
        while let Ok(event) = self.queue_events.try_recv() {
            msgs.push(Msg::QueueEvent(event));
        }
        while let Ok(event) = self.ops_events.try_recv() {
            msgs.push(Msg::OpsEvent(event));
        }
        while let Ok(touched) = self.edit_rx.try_recv() {
            msgs.push(Msg::EditTouched(touched));
        }
        msgs
    }

    /// Carries out one effect; some answer at once with a message.
    pub fn perform(&mut self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::Browse(command) => {
                self.browser.send(command);
            }
            Effect::Queue(command) => {
                self.queue.send(command);
            }
            Effect::Ops(command) => self.ops.send(command),
            Effect::EditFolder(dir) => self.edit_folder = Some(dir),
            Effect::WatchEdit { id, file } => {
                let ctx = self.ctx.clone();
                let tx = self.edit_tx.clone();
                let watcher = self.edit_watcher.get_or_insert_with(|| {
                    super::edit_watch::EditWatcher::start(tx, move || ctx.request_repaint())
                });
                if let Err(error) = watcher.watch(id, file) {
                    return Some(Msg::EditTouched(super::edit_state::Touched::Failed {
                        id,
                        error,
                    }));
                }
            }
            Effect::UnwatchEdit(id) => {
                if let Some(watcher) = &self.edit_watcher {
                    watcher.unwatch(id);
                }
            }
            Effect::Disk(request) => self.disk(request),
            Effect::CopyText(text) => self.ctx.copy_text(text),
            Effect::CloseWindow => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Effect::Notify { summary, body } => notify(summary, body),
            Effect::CancelClose => self
                .ctx
                .send_viewport_cmd(egui::ViewportCommand::CancelClose),
            Effect::RepaintAfter(after) => self.ctx.request_repaint_after(after),
            Effect::StartDemo => {
                return Some(Msg::DemoStarted(match super::demo::start(&self.handle) {
                    Ok(demo) => {
                        let addr = demo.addr;
                        self.demo = Some(demo);
                        Ok(addr)
                    }
                    Err(e) => Err(e.to_string()),
                }));
            }
            Effect::ImportSites { dir, secrets } => return self.import_sites(dir, secrets),
            Effect::ExportSites(sites) => return self.export_sites(*sites),
            Effect::Interface { language, theme } => {
                set_locale(self.locale_pin.unwrap_or(match language {
                    Language::System => system_locale(),
                    Language::English => Locale::English,
                    Language::ChineseSimplified => Locale::ChineseSimplified,
                }));
                self.ctx.set_theme(match theme {
                    Theme::System => egui::ThemePreference::System,
                    Theme::Light => egui::ThemePreference::Light,
                    Theme::Dark => egui::ThemePreference::Dark,
                });
            }
            Effect::LogFile(target) => {
                // Dropping the old writer flushes it (on its own thread).
                self.log_file = None;
                if let Some((path, rotation)) = target {
                    self.log_file = Some(crate::logfile::LogFile::open(&path, rotation));
                }
            }
        }
        None
    }

    /// Keeps the window in `locale` whatever the settings say (tests, and
    /// a caller's explicit choice).
    pub fn pin_locale(&mut self, locale: Option<Locale>) {
        self.locale_pin = locale;
    }

    /// Hands the message log's new lines to the log file, if one is open.
    pub fn write_log(&self, lines: Vec<String>) {
        if let Some(file) = &self.log_file {
            for line in lines {
                file.write(&line);
            }
        }
    }

    fn disk(&self, request: LocalRequest) {
        let ctx = self.ctx.clone();
        local::spawn(&self.handle, request, self.local_tx.clone(), move || {
            ctx.request_repaint()
        });
    }

    /// File → Import: FileZilla's sitemanager.xml through rfd's picker, read
    /// and merged on a background thread; the merged sites come back as
    /// disk results.
    fn import_sites(&self, dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Option<Msg> {
        let tx = self.local_tx.clone();
        let ctx = self.ctx.clone();
        on_picker_thread("skiff-import", move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title(tr!("picker-import-title"))
                .add_filter(tr!("picker-import-filter"), &["xml"]);
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
                error: result.err().map(LocalError::Import),
            });
            // The merged file replaces the sites in memory; if it cannot
            // be read back, the ones in memory stay and the error is shown.
            let _ = tx.send(match local::load_sites(&dir) {
                LocalResult::SitesLoaded { sites, .. } if sites.is_err() => {
                    LocalResult::Saved((*sites).err().into_iter().collect())
                }
                loaded => loaded,
            });
            ctx.request_repaint();
        })
    }

    /// File → Export: the saved sites in Skiff's own format (never a
    /// password), to a file picked with rfd, written on a background thread.
    fn export_sites(&self, sites: Sites) -> Option<Msg> {
        let tx = self.local_tx.clone();
        let ctx = self.ctx.clone();
        on_picker_thread("skiff-export", move || {
            let Some(file) = rfd::FileDialog::new()
                .set_title(tr!("picker-export-title"))
                .set_file_name("skiff-sites.toml")
                .save_file()
            else {
                return;
            };
            let result = crate::sites::store::export(&sites, &file);
            let _ = tx.send(LocalResult::Saved(
                result.err().map(LocalError::Export).into_iter().collect(),
            ));
            ctx.request_repaint();
        })
    }

    /// The shutdown order: the queue is told to write what is left of its
    /// journal and the window waits for its "written" (items still running
    /// come back paused next time, their partial files kept), the demo server
    /// stops, then the runtime ends; one deadline bounds it all.
    fn shut_down(&mut self) {
        // The queue writes what is left of its journal and says so; items
        // still running come back paused next time, their partial files
        // kept. One deadline bounds the wait and the runtime's end.
        let stopped = self.queue.shutdown();
        self.ops.cancel_all();
        self.demo = None;
        self.edit_watcher = None;
        if let Some(dir) = self.edit_folder.take() {
            // The files being edited go with the window (quitting with
            // saves not on the server was asked about).
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(runtime) = self.runtime.take() {
            let deadline = std::time::Instant::now() + crate::engine::queue::SHUTDOWN_DEADLINE;
            let _ =
                runtime.block_on(async { tokio::time::timeout_at(deadline.into(), stopped).await });
            runtime.shutdown_timeout(deadline.saturating_duration_since(std::time::Instant::now()));
        }
    }
}

impl Drop for EngineLink {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Runs `work` (a native file picker and what follows it) on a thread of
/// its own, so the UI thread never waits on the dialog; a failure to start
/// it comes back as a message for the log.
fn on_picker_thread(name: &str, work: impl FnOnce() + Send + 'static) -> Option<Msg> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(work)
        .err()
        .map(|e| Msg::PickerFailed(e.to_string()))
}
