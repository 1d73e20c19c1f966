//! The remote operations' dialogs: the recursive delete (counting,
//! confirmation with what will go, progress with Cancel, the paths that
//! could not be deleted), File permissions and Enter custom command.
//!
//! Drawing only: the state lives in [`RemoteOps`], edited in place as egui
//! fields are, and a decision comes back as an [`OpsMsg`] for `update`.

use eframe::egui::{self, RichText};

use super::i18n::tr;
use super::ops_state::{ChmodDialog, DeleteJob, DeleteStage, OpsMsg, RemoteOps};
use super::side::{Side, tint};
use crate::engine::ops::ChmodFilter;

/// Draws whichever of the dialogs is open; returns what the user decided.
pub fn ops_dialogs_ui(ctx: &egui::Context, ops: &mut RemoteOps) -> Vec<OpsMsg> {
    let mut msgs = Vec::new();
    if let Some(delete) = &mut ops.delete {
        msgs.extend(modal(ctx, "skiff-delete-job", OpsMsg::CancelDelete, |ui| {
            delete_ui(ui, delete)
        }));
    }
    if let Some(text) = &mut ops.quote {
        msgs.extend(modal(ctx, "skiff-quote", OpsMsg::CloseQuote, |ui| {
            quote_ui(ui, text)
        }));
    }
    if let Some(dialog) = &mut ops.chmod {
        msgs.extend(modal(ctx, "skiff-chmod", OpsMsg::CloseChmod, |ui| {
            chmod_ui(ui, dialog)
        }));
    }
    msgs
}

/// A modal with `contents`; closing it (Escape, a click outside) is `closed`.
fn modal(
    ctx: &egui::Context,
    id: &str,
    closed: OpsMsg,
    contents: impl FnOnce(&mut egui::Ui) -> Option<OpsMsg>,
) -> Option<OpsMsg> {
    let mut outcome = None;
    let shown = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(560.0);
        outcome = contents(ui);
    });
    if outcome.is_none() && shown.should_close() {
        outcome = Some(closed);
    }
    outcome
}

fn remote_where_ui(ui: &mut egui::Ui, folder: &str) {
    ui.label(
        RichText::new(tr!("dialog-where-remote", folder = folder))
            .color(tint(Side::Remote, ui.visuals().dark_mode))
            .strong(),
    );
}

fn delete_ui(ui: &mut egui::Ui, delete: &mut DeleteJob) -> Option<OpsMsg> {
    ui.heading(tr!("dialog-delete-title"));
    remote_where_ui(ui, &delete.folder);
    let count = delete.names.len();
    let name = delete.names.first().map_or("", String::as_str);
    let mut outcome = None;
    match &delete.stage {
        DeleteStage::Planning { listed } => {
            ui.label(tr!("delete-counting", count = count, name = name));
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr!("delete-listed", count = *listed));
            });
            if ui.button(tr!("dialog-cancel")).clicked() {
                outcome = Some(OpsMsg::CancelDelete);
            }
        }
        DeleteStage::Confirm {
            folders,
            files,
            bytes,
        } => {
            ui.label(tr!("dialog-delete-remote", count = count, name = name));
            ui.label(
                RichText::new(tr!(
                    "delete-summary",
                    folders = *folders,
                    files = *files,
                    size = crate::engine::ops::human_bytes(*bytes)
                ))
                .strong(),
            );
            ui.horizontal(|ui| {
                if ui.button(tr!("dialog-delete-ok")).clicked() {
                    outcome = Some(OpsMsg::ConfirmDelete);
                }
                if ui.button(tr!("dialog-cancel")).clicked() {
                    outcome = Some(OpsMsg::CancelDelete);
                }
            });
        }
        DeleteStage::Deleting {
            files,
            folders,
            total,
            cancelling,
        } => {
            let done = files + folders;
            ui.label(tr!(
                "delete-progress",
                files = *files,
                folders = *folders,
                done = done,
                total = *total
            ));
            let fraction = if *total == 0 {
                1.0
            } else {
                done as f32 / *total as f32
            };
            ui.add(egui::ProgressBar::new(fraction).show_percentage());
            if *cancelling {
                ui.label(tr!("delete-cancelling"));
            } else if ui.button(tr!("dialog-cancel")).clicked() {
                outcome = Some(OpsMsg::CancelDelete);
            }
        }
        DeleteStage::Finished { error } => {
            if let Some(error) = error {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    tr!("delete-stopped", reason = error.as_str()),
                );
            }
            ui.label(tr!("delete-failures", count = delete.failures.len()));
            egui::ScrollArea::vertical()
                .max_height(240.0)
                .show(ui, |ui| {
                    for failed in &delete.failures {
                        ui.label(tr!(
                            "note-op-failed",
                            reason = failed.message.as_str(),
                            path = failed.display_path.as_str()
                        ));
                    }
                });
            if ui.button(tr!("dialog-close")).clicked() {
                outcome = Some(OpsMsg::CloseDelete);
            }
        }
    }
    outcome
}

fn quote_ui(ui: &mut egui::Ui, text: &mut String) -> Option<OpsMsg> {
    ui.heading(tr!("quote-title"));
    ui.label(tr!("quote-explain"));
    let label = ui.label(tr!("quote-prompt"));
    let response = ui
        .add(egui::TextEdit::singleline(text).desired_width(420.0))
        .labelled_by(label.id);
    if !response.has_focus() && !response.lost_focus() {
        response.request_focus();
    }
    let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let mut outcome = enter.then(|| OpsMsg::SendQuote(text.clone()));
    ui.horizontal(|ui| {
        if ui.button(tr!("quote-send")).clicked() {
            outcome = Some(OpsMsg::SendQuote(text.clone()));
        }
        if ui.button(tr!("dialog-cancel")).clicked() {
            outcome = Some(OpsMsg::CloseQuote);
        }
    });
    outcome
}

fn chmod_ui(ui: &mut egui::Ui, dialog: &mut ChmodDialog) -> Option<OpsMsg> {
    ui.heading(tr!("chmod-title"));
    match dialog.targets.len() {
        1 => ui.label(tr!("chmod-for", name = dialog.name.as_str())),
        count => ui.label(tr!("chmod-for-many", count = count)),
    };
    if dialog.mixed {
        ui.label(tr!("chmod-mixed", name = dialog.name.as_str()));
    }
    let mut mode = dialog.mode;
    egui::Grid::new("chmod-bits").num_columns(4).show(ui, |ui| {
        ui.label("");
        ui.strong(tr!("chmod-read"));
        ui.strong(tr!("chmod-write"));
        ui.strong(tr!("chmod-execute"));
        ui.end_row();
        for (row, who) in [tr!("chmod-owner"), tr!("chmod-group"), tr!("chmod-public")]
            .into_iter()
            .enumerate()
        {
            ui.label(who.as_str());
            for (column, what) in [tr!("chmod-read"), tr!("chmod-write"), tr!("chmod-execute")]
                .into_iter()
                .enumerate()
            {
                let bit = 1 << (8 - (row * 3 + column));
                let mut on = mode & bit != 0;
                let label = tr!("chmod-bit", who = who.as_str(), what = what.as_str());
                if ui
                    .add(egui::Checkbox::without_text(&mut on))
                    .on_hover_text(label.as_str())
                    .changed()
                {
                    mode ^= bit;
                }
            }
            ui.end_row();
        }
    });
    if mode != dialog.mode {
        dialog.set_mode(mode);
    }
    ui.horizontal(|ui| {
        let label = ui.label(tr!("chmod-numeric"));
        let response = ui
            .add(egui::TextEdit::singleline(&mut dialog.text).desired_width(60.0))
            .labelled_by(label.id);
        if response.changed() {
            dialog.typed();
        }
    });
    if dialog.is_folder {
        ui.checkbox(&mut dialog.recurse, tr!("chmod-recurse"));
        ui.add_enabled_ui(dialog.recurse, |ui| {
            for (filter, label) in [
                (ChmodFilter::All, tr!("chmod-all")),
                (ChmodFilter::FilesOnly, tr!("chmod-files-only")),
                (ChmodFilter::FoldersOnly, tr!("chmod-folders-only")),
            ] {
                ui.radio_value(&mut dialog.filter, filter, label);
            }
        });
    }
    let valid = super::ops_state::parse_mode(&dialog.text).is_some();
    if !valid {
        ui.colored_label(ui.visuals().error_fg_color, tr!("chmod-invalid"));
    }
    if let Some(result) = &dialog.result {
        ui.label(RichText::new(result.as_str()).strong());
    }
    let mut outcome = None;
    ui.horizontal(|ui| {
        let busy = dialog.job.is_some();
        if busy {
            ui.spinner();
        }
        if ui
            .add_enabled(valid && !busy, egui::Button::new(tr!("chmod-apply")))
            .clicked()
        {
            outcome = Some(OpsMsg::ApplyChmod);
        }
        if ui.button(tr!("dialog-close")).clicked() {
            outcome = Some(OpsMsg::CloseChmod);
        }
    });
    outcome
}
