//! View/Edit's dialogs and list: the question when an edited file was
//! saved ("upload it?"), the warning when the server's copy changed since
//! it was opened (overwrite, or not now), and File → Show files being
//! edited…, each file with its state and Upload, Open and Stop editing.
//!
//! Drawing only: the state lives in [`Edits`], and every decision comes
//! back as an [`EditMsg`] for `update`. The list is not modal: the panes
//! stay usable while files are edited.

use eframe::egui::{self, RichText};

use super::edit_state::{EditMsg, EditState, EditedFile, Edits};
use super::i18n::tr;

/// The question about the first file that has one, as a modal.
pub fn edit_question_ui(ctx: &egui::Context, edits: &Edits) -> Option<EditMsg> {
    let file = edits.question()?;
    let mut outcome = None;
    let shown =
        egui::Modal::new(egui::Id::unique(("skiff-edit-question", file.id))).show(ctx, |ui| {
            ui.set_max_width(560.0);
            let name = file.name();
            let host = file.site.host.as_str();
            if file.state == EditState::ServerChanged {
                ui.heading(tr!("edit-changed-title"));
                ui.label(tr!(
                    "edit-changed-question",
                    name = name.as_str(),
                    path = file.remote_display.as_str(),
                    host = host
                ));
                ui.horizontal(|ui| {
                    if ui.button(tr!("edit-overwrite")).clicked() {
                        outcome = Some(EditMsg::Overwrite(file.id));
                    }
                    if ui.button(tr!("edit-not-now")).clicked() {
                        outcome = Some(EditMsg::NotNow(file.id));
                    }
                });
            } else {
                ui.heading(tr!("edit-saved-title"));
                ui.label(tr!(
                    "edit-saved-question",
                    name = name.as_str(),
                    path = file.remote_display.as_str(),
                    host = host
                ));
                ui.horizontal(|ui| {
                    let upload = ui.button(tr!("edit-upload"));
                    if upload.clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        outcome = Some(EditMsg::Upload(file.id));
                    }
                    if ui.button(tr!("edit-not-now")).clicked() {
                        outcome = Some(EditMsg::NotNow(file.id));
                    }
                });
            }
        });
    if outcome.is_none() && shown.should_close() {
        outcome = Some(EditMsg::NotNow(file.id));
    }
    outcome
}

/// The state of a file, in words.
fn state_label(file: &EditedFile) -> String {
    match &file.state {
        EditState::Downloading => tr!("edit-state-downloading"),
        EditState::Open => tr!("edit-state-open"),
        EditState::Edited => tr!("edit-state-edited"),
        EditState::Uploading => tr!("edit-state-uploading"),
        EditState::Uploaded => tr!("edit-state-uploaded"),
        EditState::ServerChanged => tr!("edit-state-server-changed"),
        EditState::Failed(why) => tr!("edit-state-failed", reason = why.as_str()),
    }
}

/// File → Show files being edited…, while open.
pub fn edited_files_ui(ctx: &egui::Context, edits: &Edits) -> Vec<EditMsg> {
    let mut msgs = Vec::new();
    if !edits.list_open {
        return msgs;
    }
    let mut open = true;
    egui::Window::new(tr!("edit-list-title"))
        .id(egui::Id::unique("skiff-edited-files"))
        .open(&mut open)
        .default_size([620.0, 240.0])
        .resizable(true)
        .show(ctx, |ui| {
            if edits.files.is_empty() {
                ui.label(tr!("edit-list-empty"));
                return;
            }
            egui::Grid::new("skiff-edited-grid")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(tr!("edit-list-file"));
                    ui.strong(tr!("edit-list-server"));
                    ui.strong(tr!("edit-list-state"));
                    ui.allocate_space(egui::Vec2::ZERO);
                    ui.end_row();
                    for file in &edits.files {
                        ui.label(file.remote_display.as_str());
                        ui.label(file.site.host.as_str());
                        let state = state_label(file);
                        match file.state {
                            EditState::Failed(_) | EditState::ServerChanged => {
                                ui.label(RichText::new(state).color(ui.visuals().error_fg_color))
                            }
                            _ => ui.label(state),
                        };
                        ui.horizontal(|ui| {
                            let idle = file.job.is_none() && file.baseline.is_some();
                            if ui
                                .add_enabled(idle, egui::Button::new(tr!("edit-upload")))
                                .clicked()
                            {
                                msgs.push(EditMsg::Upload(file.id));
                            }
                            if ui
                                .add_enabled(idle, egui::Button::new(tr!("edit-open")))
                                .clicked()
                            {
                                msgs.push(EditMsg::Reopen(file.id));
                            }
                            if ui
                                .add_enabled(
                                    file.job.is_none(),
                                    egui::Button::new(tr!("edit-forget")),
                                )
                                .clicked()
                            {
                                msgs.push(EditMsg::Forget(file.id));
                            }
                        });
                        ui.end_row();
                    }
                });
        });
    if !open {
        msgs.push(EditMsg::CloseList);
    }
    msgs
}
