//! The window's chrome: the menu bar, the toolbar, the quickconnect bar
//! with its Recent menu, and the status bar.
//!
//! Drawing only: a click becomes a [`Msg`] pushed for `update`; the
//! quickconnect text fields are edited in place, as egui text fields are.
//! Nothing here sends a command or changes other state.

use eframe::egui;

use super::action::Action;
use super::files::format_size;
use super::i18n::tr;
use super::settings::{transfer_type_label, transfer_type_warning};
use super::side::Side;
use super::table::menu_item;
use super::update::{Model, Msg};
use crate::engine::ConnectionState;
use crate::settings::TransferType;
use crate::sites::recent::{Recent, RecentServer};
use crate::url::scheme;

/// The menu bar, the toolbar buttons and the quickconnect bar.
pub fn toolbar_ui(ui: &mut egui::Ui, model: &mut Model, msgs: &mut Vec<Msg>) {
    let remote_focus = model.focus == Side::Remote;
    egui::MenuBar::new().ui(ui, |ui| {
        // Only the Edit menu's labels depend on the focused pane.
        let menus: [(String, bool, &[Action]); 4] = [
            (
                tr!("menu-file"),
                false,
                &[
                    Action::SiteManager,
                    Action::EditedFiles,
                    Action::ImportSites,
                    Action::ExportSites,
                    Action::Quit,
                ],
            ),
            (
                tr!("menu-server"),
                false,
                &[
                    Action::Reconnect,
                    Action::Disconnect,
                    Action::Refresh,
                    Action::CustomCommand,
                    Action::SearchRemote,
                ],
            ),
            (
                tr!("menu-transfer"),
                false,
                &[Action::ToggleQueue, Action::CancelAll, Action::Synchronize],
            ),
            (
                tr!("menu-edit"),
                true,
                &[
                    Action::SelectAll,
                    Action::CopyUrl,
                    Action::ClearLog,
                    Action::Settings,
                ],
            ),
        ];
        for (title, by_pane, actions) in menus {
            let remote = by_pane && remote_focus;
            ui.menu_button(title, |ui| {
                for &action in actions {
                    if menu_item(ui, action, remote) {
                        msgs.push(Msg::Action(action));
                    }
                }
                if actions.contains(&Action::ToggleQueue) {
                    transfer_type_menu_ui(ui, model.settings.transfers.transfer_type, msgs);
                }
            });
        }
        super::bookmarks::menu_ui(ui, model, msgs);
        super::view_menu::view_menu_ui(ui, model, msgs);
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
                msgs.push(Msg::Action(action));
            }
        }
        ui.separator();
        super::view_menu::view_toggles_ui(ui, model, msgs);
    });
    ui.horizontal(|ui| quickconnect_ui(ui, model, msgs));
}

/// Transfer → Transfer type: Binary, Auto or ASCII, with what ASCII does.
fn transfer_type_menu_ui(ui: &mut egui::Ui, current: TransferType, msgs: &mut Vec<Msg>) {
    ui.separator();
    ui.menu_button(tr!("menu-transfer-type"), |ui| {
        for kind in TransferType::ALL {
            let button = ui.radio(current == kind, transfer_type_label(kind));
            let button = match transfer_type_warning(kind) {
                Some(warning) => button.on_hover_text(warning),
                None => button,
            };
            if button.clicked() {
                msgs.push(Msg::SetTransferType(kind));
                ui.close();
            }
        }
        if let Some(warning) = transfer_type_warning(current) {
            ui.separator();
            ui.colored_label(ui.visuals().warn_fg_color, warning);
        }
    });
}

/// The quickconnect fields, the button and the Recent menu.
fn quickconnect_ui(ui: &mut egui::Ui, model: &mut Model, msgs: &mut Vec<Msg>) {
    let mut go = false;
    let field = |ui: &mut egui::Ui, label: &str, text: &mut String, width: f32, password: bool| {
        let label = ui.label(label);
        let response = ui.add(
            egui::TextEdit::singleline(text)
                .password(password)
                .desired_width(width),
        );
        let response = response.labelled_by(label.id);
        response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
    };
    let quick = &mut model.quick;
    go |= field(ui, &tr!("quick-host"), &mut quick.host, 180.0, false);
    go |= field(ui, &tr!("quick-user"), &mut quick.user, 110.0, false);
    go |= field(ui, &tr!("quick-password"), &mut quick.password, 110.0, true);
    go |= field(ui, &tr!("quick-port"), &mut quick.port, 60.0, false);
    if ui.button(tr!("quick-connect")).clicked() || go {
        msgs.push(Msg::Quickconnect);
    }
    ui.menu_button(tr!("quick-recent"), |ui| {
        let servers = model
            .sites
            .recent
            .as_ref()
            .map(Recent::servers)
            .unwrap_or_default();
        if servers.is_empty() {
            ui.weak(tr!("quick-no-recent"));
        }
        for server in servers {
            if ui.button(recent_label(server)).clicked() {
                msgs.push(Msg::Recent(server.clone()));
                ui.close();
            }
        }
        ui.separator();
        if ui.button(tr!("quick-clear-history")).clicked() {
            msgs.push(Msg::ClearRecent);
            ui.close();
        }
    });
}

/// The status bar: the connection with its lock, then the focused pane's
/// selection or row count.
pub fn status_bar_ui(ui: &mut egui::Ui, model: &Model) {
    ui.horizontal(|ui| {
        match &model.connection.state {
            ConnectionState::Connected {
                host,
                tls,
                security_notes,
            } => {
                match tls {
                    Some(tls) => {
                        super::icons::lock_icon_ui(ui, true).on_hover_text(tr!(
                            "status-encrypted",
                            version = tls.version.as_str(),
                            cipher = tls.cipher.as_str()
                        ));
                        ui.label(tr!(
                            "status-connected-tls",
                            host = host.as_str(),
                            version = tls.version.as_str()
                        ));
                    }
                    None => {
                        super::icons::lock_icon_ui(ui, false)
                            .on_hover_text(tr!("status-not-encrypted"));
                        ui.label(tr!("status-connected-plain", host = host.as_str()));
                    }
                }
                if let Some(note) = security_notes.first() {
                    ui.colored_label(ui.visuals().warn_fg_color, note);
                }
            }
            ConnectionState::Connecting { host } => {
                ui.spinner();
                ui.label(tr!("status-connecting", host = host.as_str()));
            }
            ConnectionState::Disconnected { .. } => {
                ui.label(tr!("status-not-connected"));
            }
        }
        ui.separator();
        let pane = match model.focus {
            Side::Local => &model.local,
            Side::Remote => &model.remote,
        };
        let (count, bytes) = pane.list.selection_summary();
        if count > 0 {
            ui.label(tr!(
                "status-selected",
                count = count,
                size = format_size(bytes)
            ));
        } else {
            ui.label(tr!("status-items", count = pane.list.view().len()));
        }
    });
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
