//! The Search remote files window (FileZilla's): the conditions, Search
//! and Stop, and the results as they stream in, with Download and Open
//! folder.
//!
//! Drawing only: the conditions are edited in place in [`SearchWindow`],
//! as egui fields are, and everything else comes back as an [`OpsMsg`].
//! Not modal: the panes stay usable while a search runs.

use eframe::egui;

use super::files::format_size;
use super::i18n::tr;
use super::ops_state::{OpsMsg, SearchWindow};
use crate::protocol::listing::EntryKind;

/// Draws the window while it is open; returns what the user asked for.
pub fn search_window_ui(ctx: &egui::Context, search: &mut SearchWindow) -> Vec<OpsMsg> {
    let mut msgs = Vec::new();
    let mut open = true;
    egui::Window::new(tr!("search-title"))
        .id(egui::Id::unique("skiff-search-window"))
        .open(&mut open)
        .default_size([640.0, 420.0])
        .resizable(true)
        .show(ctx, |ui| contents_ui(ui, search, &mut msgs));
    if !open {
        msgs.push(OpsMsg::CloseSearch);
    }
    msgs
}

fn contents_ui(ui: &mut egui::Ui, search: &mut SearchWindow, msgs: &mut Vec<OpsMsg>) {
    let running = search.job.is_some();
    ui.label(tr!("search-in", folder = search.root_display.as_str()));
    egui::Grid::new("search-conditions")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label(tr!("search-name"));
            ui.horizontal(|ui| {
                ui.add_enabled(
                    !running,
                    egui::TextEdit::singleline(&mut search.pattern).desired_width(240.0),
                )
                .labelled_by(label.id);
                ui.radio_value(&mut search.glob, false, tr!("search-contains"));
                ui.radio_value(&mut search.glob, true, tr!("search-glob"));
            });
            ui.end_row();
            let label = ui.label(tr!("search-min-size"));
            ui.add_enabled(
                !running,
                egui::TextEdit::singleline(&mut search.min_size).desired_width(120.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr!("search-newer"));
            ui.add_enabled(
                !running,
                egui::TextEdit::singleline(&mut search.newer)
                    .hint_text(tr!("search-date-hint"))
                    .desired_width(120.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    ui.horizontal(|ui| {
        if running {
            ui.spinner();
            ui.label(tr!(
                "search-running",
                listed = search.listed,
                count = search.results.len()
            ));
            if ui.button(tr!("search-stop")).clicked() {
                msgs.push(OpsMsg::StopSearch);
            }
        } else if ui.button(tr!("search-start")).clicked() {
            msgs.push(OpsMsg::StartSearch);
        }
    });
    if let Some(status) = &search.status {
        ui.label(status.as_str());
    }
    if search.dropped > 0 {
        ui.label(tr!("search-dropped", count = search.dropped));
    }
    ui.separator();
    let chosen = search.selected.iter().filter(|s| **s).count();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(chosen > 0, egui::Button::new(tr!("search-download")))
            .clicked()
        {
            msgs.push(OpsMsg::DownloadFound);
        }
        let first = search.selected.iter().position(|s| *s);
        if ui
            .add_enabled(
                first.is_some(),
                egui::Button::new(tr!("search-open-folder")),
            )
            .clicked()
            && let Some(index) = first
        {
            msgs.push(OpsMsg::OpenFoundFolder(index));
        }
    });
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_rows(ui, row_height, search.results.len(), |ui, range| {
            for index in range {
                let (Some(found), Some(selected)) =
                    (search.results.get(index), search.selected.get_mut(index))
                else {
                    continue;
                };
                ui.horizontal(|ui| {
                    let size = found
                        .entry
                        .size()
                        .filter(|_| found.entry.kind() != EntryKind::Dir)
                        .map(format_size)
                        .unwrap_or_default();
                    let response = ui.selectable_label(*selected, found.display_path.as_str());
                    if response.clicked() {
                        *selected = !*selected;
                    }
                    if response.double_clicked() {
                        msgs.push(OpsMsg::OpenFoundFolder(index));
                    }
                    ui.weak(size);
                });
            }
        });
}
