//! The desktop window (eframe/egui): a FileZilla-style two-pane browser.
//!
//! The UI talks to the engine only through its command and event types
//! ([`crate::engine::BrowseCommand`], [`crate::engine::Event`]), never by
//! waiting on the network, the disk or the keyring. Every input becomes one
//! [`update::Msg`] handled by [`update::Model::update`], which records
//! [`update::Effect`]s for [`link::EngineLink`] to carry out.
//! [`app::SkiffApp`] is exported so tests drive the real app with
//! egui_kittest.

pub mod action;
pub mod app;
pub mod bookmark_dialog;
pub mod bookmarks;
pub mod chrome;
pub mod connect;
pub mod demo;
pub mod dialogs;
pub mod edit;
pub mod edit_state;
pub mod edit_watch;
pub mod edit_window;
pub mod events;
pub mod files;
pub mod fonts;
pub mod i18n;
pub mod icons;
pub mod items;
pub mod lifecycle;
pub mod link;
pub mod local;
pub mod log;
pub mod ops_dialogs;
pub mod ops_state;
pub mod pane;
pub mod preferences;
pub mod queue;
pub mod remote_ops;
pub mod remote_search;
pub mod search_window;
pub mod settings;
pub mod side;
pub mod site_choices;
pub mod site_form;
pub mod site_manager;
pub mod state;
pub mod table;
pub mod update;
// Directory comparison and synchronized browsing (issue 16).
pub mod compare;
pub mod follow;
pub mod mark;
pub mod sync_dialog;
pub mod sync_trees;
pub mod synchronize;
pub mod view;
pub mod view_menu;

pub use app::{SkiffApp, StartOptions};
pub use state::UiState;

use eframe::egui;

/// The window icon: the 256 px rendering of `assets/skiff.svg`.
fn icon() -> Option<egui::IconData> {
    let png = include_bytes!("../../assets/icons/hicolor/256x256/apps/skiff.png");
    match eframe::icon_data::from_png_bytes(png) {
        Ok(icon) => Some(icon),
        Err(e) => {
            tracing::warn!("cannot decode the window icon: {e}");
            None
        }
    }
}

/// Opens the window and runs it until it is closed.
pub fn run(mut start: StartOptions) -> eframe::Result {
    i18n::set_locale(start.locale.unwrap_or_else(i18n::system_locale));
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Skiff")
        // The desktop file's id, so Wayland and X11 docks match the window to it.
        .with_app_id("io.github.skiff_ftp.Skiff")
        .with_inner_size([1200.0, 800.0])
        .with_min_inner_size([640.0, 420.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        "Skiff",
        options,
        Box::new(move |cc| {
            fonts::load_cjk_font_in_background(&cc.egui_ctx);
            if start.state.is_none() {
                start.state = cc
                    .storage
                    .and_then(|s| eframe::get_value::<UiState>(s, eframe::APP_KEY));
            }
            let app = SkiffApp::new(&cc.egui_ctx, start)?;
            Ok(Box::new(app))
        }),
    )
}
