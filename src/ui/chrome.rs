//! The window's chrome: the menu bar, the toolbar, the quickconnect bar
//! with its Recent menu, and the status bar.
//!
//! Drawing only: a click becomes a [`Msg`] pushed for `update`; the
//! quickconnect text fields are edited in place, as egui text fields are.
//! Nothing here sends a command or changes other state.

use eframe::egui;

use super::action::Action;
use super::files::format_size;
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
        let menus: [(&str, &[Action]); 4] = [
            (
                "File",
                &[
                    Action::SiteManager,
                    Action::ImportSites,
                    Action::ExportSites,
                    Action::Quit,
                ],
            ),
            (
                "Server",
                &[Action::Reconnect, Action::Disconnect, Action::Refresh],
            ),
            ("Transfer", &[Action::ToggleQueue, Action::CancelAll]),
            (
                "Edit",
                &[
                    Action::SelectAll,
                    Action::CopyUrl,
                    Action::ClearLog,
                    Action::Settings,
                ],
            ),
        ];
        for (title, actions) in menus {
            // Only the Edit menu's labels depend on the focused pane.
            let remote = title == "Edit" && remote_focus;
            ui.menu_button(title, |ui| {
                for &action in actions {
                    if menu_item(ui, action, remote) {
                        msgs.push(Msg::Action(action));
                    }
                }
                if title == "Transfer" {
                    transfer_type_menu_ui(ui, model.settings.transfers.transfer_type, msgs);
                }
            });
        }
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
    });
    ui.horizontal(|ui| quickconnect_ui(ui, model, msgs));
}

/// Transfer → Transfer type: Binary, Auto or ASCII, with what ASCII does.
fn transfer_type_menu_ui(ui: &mut egui::Ui, current: TransferType, msgs: &mut Vec<Msg>) {
    ui.separator();
    ui.menu_button("Transfer type", |ui| {
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
    go |= field(ui, "Host:", &mut quick.host, 180.0, false);
    go |= field(ui, "Username:", &mut quick.user, 110.0, false);
    go |= field(ui, "Password:", &mut quick.password, 110.0, true);
    go |= field(ui, "Port:", &mut quick.port, 45.0, false);
    if ui.button("Quickconnect").clicked() || go {
        msgs.push(Msg::Quickconnect);
    }
    ui.menu_button("Recent", |ui| {
        let servers = model
            .sites
            .recent
            .as_ref()
            .map(Recent::servers)
            .unwrap_or_default();
        if servers.is_empty() {
            ui.weak("No recent servers");
        }
        for server in servers {
            if ui.button(recent_label(server)).clicked() {
                msgs.push(Msg::Recent(server.clone()));
                ui.close();
            }
        }
        ui.separator();
        if ui.button("Clear history").clicked() {
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
                        super::icons::lock_icon_ui(ui, true)
                            .on_hover_text(format!("Encrypted: {} {}", tls.version, tls.cipher));
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
        let pane = match model.focus {
            Side::Local => &model.local,
            Side::Remote => &model.remote,
        };
        let (count, bytes) = pane.list.selection_summary();
        if count > 0 {
            ui.label(format!("Selected {count} item(s), {}", format_size(bytes)));
        } else {
            ui.label(format!("{} item(s)", pane.list.view().len()));
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
