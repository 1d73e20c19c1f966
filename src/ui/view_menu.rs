//! The View menu (directory comparison, what it compares, hiding
//! identical files, synchronized browsing) and the toolbar's two toggles.
//!
//! Drawing only: a click becomes a [`Msg`] for `update`, nothing else.

use eframe::egui;

use super::action::Action;
use super::i18n::tr;
use super::update::{Model, Msg};
use crate::sync::Compare;

/// The View menu: directory comparison (on, by what, hide identical) and
/// synchronized browsing.
pub fn view_menu_ui(ui: &mut egui::Ui, model: &Model, msgs: &mut Vec<Msg>) {
    let view = &model.view;
    ui.menu_button(tr!("menu-view"), |ui| {
        let mut check = |ui: &mut egui::Ui, on: bool, action: Action| {
            let mut button = egui::Button::selectable(on, action.label());
            if let Some(text) = action.shortcut_text(ui.ctx()) {
                button = button.shortcut_text(text);
            }
            if ui.add(button).clicked() {
                msgs.push(Msg::Action(action));
                ui.close();
            }
        };
        check(ui, view.comparing, Action::ToggleComparison);
        for (compare, action) in [
            (Compare::SizeTime, Action::CompareSizeTime),
            (Compare::Size, Action::CompareSize),
            (Compare::Time, Action::CompareTime),
        ] {
            check(ui, view.compare == compare, action);
        }
        check(ui, view.hide_same, Action::HideIdentical);
        ui.separator();
        check(ui, view.sync_browsing, Action::SyncBrowsing);
    });
}

/// The toolbar's toggles: directory comparison and synchronized browsing.
pub fn view_toggles_ui(ui: &mut egui::Ui, model: &Model, msgs: &mut Vec<Msg>) {
    for (on, action) in [
        (model.view.comparing, Action::ToggleComparison),
        (model.view.sync_browsing, Action::SyncBrowsing),
    ] {
        let mut button = ui.add(egui::Button::selectable(on, action.label()));
        if let Some(text) = action.shortcut_text(ui.ctx()) {
            button = button.on_hover_text(text);
        }
        if button.clicked() {
            msgs.push(Msg::Action(action));
        }
    }
}
