//! Transfer → Synchronize…: the dialog that shows the plan of
//! [`crate::sync::plan`] for the two folders the panes show (which way,
//! whether to delete what the source lacks, how files compare), its counts
//! and bytes per action and every step, before anything runs.
//!
//! While both folders are walked (all the way down) it says how far the
//! walk is, and Run waits.
//!
//! Drawing only: a changed option, Run or Cancel is a [`SyncOutcome`] for
//! `update`, which plans again or queues the plan
//! ([`super::synchronize`]).

use eframe::egui;

use super::files::format_size;
use super::i18n::tr;
use crate::sync::{Action, Compare, Plan, Reason, Summary};

/// Which way the dialog syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncWay {
    /// Make the server's folder like the local one.
    Upload,
    /// Make the local folder like the server's.
    Download,
    /// Both ways: the newer file wins, nothing is deleted (the window keeps
    /// no state between syncs, so a file missing on one side is copied,
    /// never taken for deleted; `skiff sync --two-way` remembers).
    BothWays,
}

/// What the user chose in the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Which way.
    pub way: SyncWay,
    /// Delete what the destination has and the source has not (one way).
    pub delete: bool,
    /// How files are found equal.
    pub compare: Compare,
    /// Names left alone: globs separated by spaces or commas (`*.tmp .git`).
    pub excludes: String,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            way: SyncWay::Upload,
            delete: false,
            compare: Compare::SizeTime,
            excludes: String::new(),
        }
    }
}

/// How the dialog closed, or an option it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// An option changed: plan again.
    Options(SyncOptions),
    /// Run the plan shown.
    Run,
    /// Closed without running.
    Cancel,
}

/// The open dialog: the options and the plan they give.
#[derive(Debug, Clone)]
pub struct SyncDialog {
    /// The options the plan was made with.
    pub options: SyncOptions,
    /// The plan for the two folders.
    pub plan: Plan,
    /// Its counts and bytes.
    pub summary: Summary,
    /// Why the exclusions could not be used (a bad glob), when so.
    pub excludes_error: Option<String>,
    /// While the folders are walked: how many the server walk has listed
    /// (the plan is empty until both walks end).
    pub walking: Option<usize>,
    /// Why the folders could not be compared, when a walk failed.
    pub error: Option<String>,
}

/// The words for a step's action (a file against a folder says so).
fn action_text(action: Action, reason: Reason) -> String {
    match action {
        Action::Conflict if reason == Reason::Kind => tr!("sync-action-kind-conflict"),
        Action::Upload => tr!("sync-action-upload"),
        Action::Download => tr!("sync-action-download"),
        Action::MkdirLocal | Action::MkdirRemote => tr!("sync-action-folder"),
        Action::DeleteLocal | Action::DeleteRemote => tr!("sync-action-delete"),
        Action::Conflict => tr!("sync-action-conflict"),
        Action::Skip => tr!("sync-action-skip"),
    }
}

impl SyncDialog {
    /// Draws the dialog; returns what the user did, if anything.
    pub fn ui(&self, ctx: &egui::Context) -> Option<SyncOutcome> {
        let mut outcome = None;
        let mut options = self.options.clone();
        let modal = egui::Modal::new(egui::Id::unique("skiff-synchronize")).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(tr!("sync-title"));
            ui.radio_value(
                &mut options.way,
                SyncWay::Upload,
                tr!("sync-direction-upload"),
            );
            ui.radio_value(
                &mut options.way,
                SyncWay::Download,
                tr!("sync-direction-download"),
            );
            ui.radio_value(
                &mut options.way,
                SyncWay::BothWays,
                tr!("sync-direction-both"),
            );
            ui.add_enabled(
                options.way != SyncWay::BothWays,
                egui::Checkbox::new(&mut options.delete, tr!("sync-delete")),
            );
            ui.horizontal(|ui| {
                let label = ui.label(tr!("sync-excludes"));
                ui.add(
                    egui::TextEdit::singleline(&mut options.excludes)
                        .hint_text(tr!("sync-excludes-hint"))
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            });
            if let Some(error) = &self.excludes_error {
                ui.colored_label(ui.visuals().error_fg_color, error.as_str());
            }
            ui.horizontal(|ui| {
                ui.label(tr!("sync-compare-by"));
                for (compare, key) in [
                    (Compare::SizeTime, tr!("action-compare-size-time")),
                    (Compare::Size, tr!("action-compare-size")),
                    (Compare::Time, tr!("action-compare-time")),
                ] {
                    ui.radio_value(&mut options.compare, compare, key);
                }
            });
            ui.weak(tr!("sync-recursive"));
            ui.separator();
            self.summary_ui(ui);
            ui.separator();
            let steps = &self.plan.steps;
            let row_height = ui.text_style_height(&egui::TextStyle::Body);
            egui::ScrollArea::vertical()
                .max_height(220.0)
                .auto_shrink([false, true])
                .show_rows(ui, row_height, steps.len(), |ui, range| {
                    for step in &steps[range] {
                        ui.label(tr!(
                            "sync-step",
                            action = action_text(step.action, step.reason),
                            path = step.path.as_str()
                        ));
                    }
                });
            ui.separator();
            ui.horizontal(|ui| {
                let runnable = !self.plan.is_empty() && self.walking.is_none();
                if ui
                    .add_enabled(runnable, egui::Button::new(tr!("sync-run")))
                    .clicked()
                {
                    outcome = Some(SyncOutcome::Run);
                }
                if ui.button(tr!("dialog-cancel")).clicked() {
                    outcome = Some(SyncOutcome::Cancel);
                }
            });
        });
        if outcome.is_none() && options != self.options {
            outcome = Some(SyncOutcome::Options(options));
        }
        if outcome.is_none() && modal.should_close() {
            outcome = Some(SyncOutcome::Cancel);
        }
        outcome
    }

    /// Counts and bytes per action.
    fn summary_ui(&self, ui: &mut egui::Ui) {
        let s = &self.summary;
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error.as_str());
            return;
        }
        if let Some(count) = self.walking {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr!("sync-walking", count = count));
            });
            return;
        }
        if self.plan.is_empty() {
            ui.label(tr!("sync-nothing"));
            return;
        }
        let lines = [
            (
                s.upload,
                tr!(
                    "sync-count-upload",
                    count = s.upload,
                    size = format_size(s.upload_bytes)
                ),
            ),
            (
                s.download,
                tr!(
                    "sync-count-download",
                    count = s.download,
                    size = format_size(s.download_bytes)
                ),
            ),
            (
                s.mkdir_local + s.mkdir_remote,
                tr!("sync-count-folder", count = s.mkdir_local + s.mkdir_remote),
            ),
            (
                s.delete_local + s.delete_remote,
                tr!(
                    "sync-count-delete",
                    count = s.delete_local + s.delete_remote
                ),
            ),
            (
                s.conflict + s.skip,
                tr!("sync-count-skip", count = s.conflict + s.skip),
            ),
        ];
        for (count, line) in lines {
            if count > 0 {
                ui.label(line);
            }
        }
    }
}
