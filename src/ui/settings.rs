//! The Settings dialog (Edit → Settings…, FileZilla's Options): a draft of
//! [`Settings`] edited on four pages, given back on OK.
//!
//! Drawing only: the dialog edits its own copy and returns a
//! [`SettingsOutcome`]; `update` applies and saves what OK returns. A value
//! that cannot be used (an address that is not one) keeps OK from closing
//! and says why beside the field.

use eframe::egui;

use super::i18n::tr;

use crate::engine::DataMode;
use crate::settings::{
    EditUpload, ExistsDefault, Language, MAX_SIMULTANEOUS, QueueDone, Settings, Theme, TransferType,
};

/// The dialog's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Page {
    /// Timeouts, retries, data mode.
    #[default]
    Connection,
    /// Simultaneous transfers, limits, existing files, type.
    Transfers,
    /// Language, theme, what happens when the queue is done.
    Interface,
    /// The log file.
    Logging,
    /// View/Edit: the editor, and whether a save is asked about.
    Editing,
}

/// The open dialog: the draft and the text fields that are parsed on OK.
#[derive(Debug, Clone)]
pub struct SettingsDialog {
    /// The settings as edited so far.
    pub draft: Settings,
    /// The page shown.
    pub page: Page,
    /// The external address as typed.
    external_ip: String,
    /// The log file as typed (empty: the default).
    log_file: String,
    /// Why OK did not close, shown beside the field.
    problem: Option<String>,
}

/// How the dialog closed.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsOutcome {
    /// OK: use and save these.
    Save(Box<Settings>),
    /// Cancel or closed: nothing changes.
    Cancel,
}

impl SettingsDialog {
    /// A dialog editing a copy of `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self {
            external_ip: settings
                .connection
                .external_ip
                .map(|ip| ip.to_string())
                .unwrap_or_default(),
            log_file: settings
                .logging
                .file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            draft: settings.clone(),
            page: Page::default(),
            problem: None,
        }
    }

    /// Draws the dialog; `Some` once the user pressed OK or Cancel.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<SettingsOutcome> {
        let mut outcome = None;
        let modal = egui::Modal::new(egui::Id::unique("skiff-settings")).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(tr!("settings-title"));
            ui.horizontal(|ui| {
                for (page, label) in [
                    (Page::Connection, tr!("settings-page-connection")),
                    (Page::Transfers, tr!("settings-page-transfers")),
                    (Page::Interface, tr!("settings-page-interface")),
                    (Page::Logging, tr!("settings-page-logging")),
                    (Page::Editing, tr!("settings-page-editing")),
                ] {
                    ui.selectable_value(&mut self.page, page, label);
                }
            });
            ui.separator();
            // A fixed height, so the dialog does not jump as pages change.
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .min_scrolled_height(320.0)
                .show(ui, |ui| match self.page {
                    Page::Connection => self.connection_ui(ui),
                    Page::Transfers => self.transfers_ui(ui),
                    Page::Interface => self.interface_ui(ui),
                    Page::Logging => self.logging_ui(ui),
                    Page::Editing => self.editing_ui(ui),
                });
            if let Some(problem) = &self.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem.as_str());
            }
            ui.separator();
            ui.horizontal(|ui| {
                if ui.button(tr!("dialog-ok")).clicked() {
                    outcome = self.finish().map(|s| SettingsOutcome::Save(Box::new(s)));
                }
                if ui.button(tr!("dialog-cancel")).clicked() {
                    outcome = Some(SettingsOutcome::Cancel);
                }
            });
        });
        if outcome.is_none() && modal.should_close() {
            outcome = Some(SettingsOutcome::Cancel);
        }
        outcome
    }

    /// The draft with its text fields parsed, or `None` with the problem set.
    fn finish(&mut self) -> Option<Settings> {
        let mut settings = self.draft.clone();
        let ip = self.external_ip.trim();
        settings.connection.external_ip = if ip.is_empty() {
            None
        } else {
            match ip.parse() {
                Ok(ip) => Some(ip),
                Err(_) => {
                    self.page = Page::Connection;
                    self.problem = Some(tr!("settings-bad-ip", address = ip.to_string()));
                    return None;
                }
            }
        };
        let file = self.log_file.trim();
        settings.logging.file = (!file.is_empty()).then(|| std::path::PathBuf::from(file));
        self.problem = None;
        Some(settings.normalized())
    }

    fn connection_ui(&mut self, ui: &mut egui::Ui) {
        let c = &mut self.draft.connection;
        egui::Grid::new("settings-connection")
            .num_columns(2)
            .show(ui, |ui| {
                number_row(ui, &tr!("settings-timeout"), &mut c.timeout_secs, 1..=3600);
                number_row(ui, &tr!("settings-retries"), &mut c.retries, 0..=99);
                let label = ui.label(tr!("settings-retry-delay"));
                ui.add(egui::DragValue::new(&mut c.retry_delay_secs).range(0.0..=3600.0))
                    .labelled_by(label.id);
                ui.end_row();
            });
        ui.checkbox(&mut c.keep_alive, tr!("settings-keep-alive"));
        ui.add_space(6.0);
        ui.strong(tr!("settings-data-mode"));
        ui.horizontal(|ui| {
            ui.radio_value(&mut c.data_mode, DataMode::Passive, tr!("settings-passive"));
            ui.radio_value(&mut c.data_mode, DataMode::Active, tr!("settings-active"));
        });
        ui.checkbox(&mut c.fallback, tr!("settings-fallback"));
        ui.add_space(6.0);
        ui.strong(tr!("settings-active-mode"));
        let mut limit_ports = c.active_ports.is_some();
        ui.checkbox(&mut limit_ports, tr!("settings-limit-ports"));
        match (limit_ports, c.active_ports.as_mut()) {
            (true, Some([low, high])) => {
                ui.horizontal(|ui| {
                    let label = ui.label(tr!("settings-port-from"));
                    ui.add(egui::DragValue::new(low).range(1..=65535))
                        .labelled_by(label.id);
                    let label = ui.label(tr!("settings-port-to"));
                    ui.add(egui::DragValue::new(high).range(1..=65535))
                        .labelled_by(label.id);
                });
            }
            (true, None) => c.active_ports = Some([50000, 50100]),
            (false, _) => c.active_ports = None,
        }
        ui.horizontal(|ui| {
            let label = ui.label(tr!("settings-external-ip"));
            ui.add(
                egui::TextEdit::singleline(&mut self.external_ip)
                    .hint_text(tr!("settings-none"))
                    .desired_width(160.0),
            )
            .labelled_by(label.id);
        });
    }

    fn transfers_ui(&mut self, ui: &mut egui::Ui) {
        let t = &mut self.draft.transfers;
        egui::Grid::new("settings-transfers")
            .num_columns(2)
            .show(ui, |ui| {
                number_row(
                    ui,
                    &tr!("settings-simultaneous"),
                    &mut t.simultaneous,
                    1..=MAX_SIMULTANEOUS,
                );
                ui.checkbox(&mut t.limit_download, tr!("settings-limit-download"));
                ui.add_enabled(
                    t.limit_download,
                    egui::DragValue::new(&mut t.download_kib).range(1..=10_000_000),
                );
                ui.end_row();
                ui.checkbox(&mut t.limit_upload, tr!("settings-limit-upload"));
                ui.add_enabled(
                    t.limit_upload,
                    egui::DragValue::new(&mut t.upload_kib).range(1..=10_000_000),
                );
                ui.end_row();
                exists_row(ui, &tr!("settings-download-exists"), &mut t.download_exists);
                exists_row(ui, &tr!("settings-upload-exists"), &mut t.upload_exists);
            });
        ui.add_space(6.0);
        ui.strong(tr!("settings-transfer-type"));
        ui.horizontal(|ui| {
            for kind in TransferType::ALL {
                ui.radio_value(&mut t.transfer_type, kind, transfer_type_label(kind));
            }
        });
        if let Some(warning) = transfer_type_warning(t.transfer_type) {
            ui.colored_label(ui.visuals().warn_fg_color, warning);
        }
        ui.checkbox(&mut t.preserve_times, tr!("settings-preserve-times"));
    }

    fn interface_ui(&mut self, ui: &mut egui::Ui) {
        let i = &mut self.draft.interface;
        egui::Grid::new("settings-interface")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label(tr!("settings-language"));
                egui::ComboBox::from_id_salt("settings-language")
                    .selected_text(language_label(i.language))
                    .show_ui(ui, |ui| {
                        for language in Language::ALL {
                            ui.selectable_value(
                                &mut i.language,
                                language,
                                language_label(language),
                            );
                        }
                    });
                ui.end_row();
                ui.label(tr!("settings-theme"));
                egui::ComboBox::from_id_salt("settings-theme")
                    .selected_text(theme_label(i.theme))
                    .show_ui(ui, |ui| {
                        for theme in Theme::ALL {
                            ui.selectable_value(&mut i.theme, theme, theme_label(theme));
                        }
                    });
                ui.end_row();
                ui.label(tr!("settings-queue-done"));
                egui::ComboBox::from_id_salt("settings-queue-done")
                    .selected_text(queue_done_label(i.when_queue_done))
                    .show_ui(ui, |ui| {
                        for done in QueueDone::ALL {
                            ui.selectable_value(
                                &mut i.when_queue_done,
                                done,
                                queue_done_label(done),
                            );
                        }
                    });
                ui.end_row();
            });
        ui.checkbox(&mut i.confirm_quit, tr!("settings-confirm-quit"));
    }

    fn editing_ui(&mut self, ui: &mut egui::Ui) {
        let e = &mut self.draft.editing;
        ui.strong(tr!("settings-edit-when-saved"));
        ui.radio_value(&mut e.upload, EditUpload::Ask, tr!("settings-edit-ask"));
        ui.radio_value(
            &mut e.upload,
            EditUpload::Always,
            tr!("settings-edit-always"),
        );
        ui.add_space(6.0);
        let label = ui.label(tr!("settings-editor"));
        ui.add(
            egui::TextEdit::singleline(&mut e.editor)
                .hint_text(tr!("settings-editor-default"))
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        ui.label(tr!("settings-editor-hint"));
        ui.add_space(6.0);
        ui.label(tr!("settings-edit-safety"));
    }

    fn logging_ui(&mut self, ui: &mut egui::Ui) {
        let l = &mut self.draft.logging;
        ui.checkbox(&mut l.to_file, tr!("settings-log-to-file"));
        ui.add_enabled_ui(l.to_file, |ui| {
            egui::Grid::new("settings-logging")
                .num_columns(2)
                .show(ui, |ui| {
                    let label = ui.label(tr!("settings-log-file"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.log_file)
                            .hint_text(tr!("settings-log-file-default"))
                            .desired_width(320.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    number_row(ui, &tr!("settings-log-max"), &mut l.max_size_mib, 1..=1024);
                    number_row(ui, &tr!("settings-log-keep"), &mut l.keep, 0..=20);
                });
        });
        ui.label(tr!("settings-log-no-passwords"));
    }
}

/// A labelled number field in a grid row.
fn number_row<T: egui::emath::Numeric>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    range: std::ops::RangeInclusive<T>,
) {
    let label = ui.label(label);
    ui.add(egui::DragValue::new(value).range(range))
        .labelled_by(label.id);
    ui.end_row();
}

/// A labelled choice of what to do with an existing file, in a grid row.
fn exists_row(ui: &mut egui::Ui, label: &str, value: &mut ExistsDefault) {
    ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(exists_label(*value))
        .width(260.0)
        .show_ui(ui, |ui| {
            for choice in ExistsDefault::ALL {
                ui.selectable_value(value, choice, exists_label(choice));
            }
        });
    ui.end_row();
}

/// How a transfer type is named in menus and the dialog.
pub fn transfer_type_label(kind: TransferType) -> String {
    match kind {
        TransferType::Binary => tr!("transfer-type-binary"),
        TransferType::Auto => tr!("transfer-type-auto"),
        TransferType::Ascii => tr!("transfer-type-ascii"),
    }
}

/// The one-line warning shown beside a transfer type that changes files.
pub fn transfer_type_warning(kind: TransferType) -> Option<String> {
    match kind {
        TransferType::Binary => None,
        TransferType::Auto => Some(tr!("transfer-type-auto-warning")),
        TransferType::Ascii => Some(tr!("transfer-type-ascii-warning")),
    }
}

fn exists_label(choice: ExistsDefault) -> String {
    match choice {
        ExistsDefault::Ask => tr!("exists-ask"),
        ExistsDefault::Overwrite => tr!("exists-overwrite"),
        ExistsDefault::Newer => tr!("exists-newer"),
        ExistsDefault::Size => tr!("exists-size"),
        ExistsDefault::SizeOrNewer => tr!("exists-size-or-newer"),
        ExistsDefault::Resume => tr!("exists-resume"),
        ExistsDefault::Rename => tr!("exists-rename"),
        ExistsDefault::Skip => tr!("exists-skip"),
    }
}

fn language_label(language: Language) -> String {
    match language {
        Language::System => tr!("settings-as-system"),
        Language::English => tr!("language-english"),
        Language::ChineseSimplified => tr!("language-chinese"),
    }
}

fn theme_label(theme: Theme) -> String {
    match theme {
        Theme::System => tr!("settings-as-system"),
        Theme::Light => tr!("theme-light"),
        Theme::Dark => tr!("theme-dark"),
    }
}

fn queue_done_label(done: QueueDone) -> String {
    match done {
        QueueDone::Nothing => tr!("queue-done-nothing"),
        QueueDone::Notify => tr!("queue-done-notify"),
        QueueDone::Quit => tr!("queue-done-quit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_parses_the_text_fields_and_refuses_a_bad_address() {
        let mut dialog = SettingsDialog::new(&Settings::default());
        dialog.external_ip = "203.0.113.9".to_string();
        dialog.log_file = " /tmp/skiff-test.log ".to_string();
        dialog.draft.transfers.simultaneous = 5;
        let settings = dialog.finish().expect("valid");
        assert_eq!(
            settings.connection.external_ip,
            Some("203.0.113.9".parse().expect("ip"))
        );
        assert_eq!(
            settings.logging.file.as_deref(),
            Some(std::path::Path::new("/tmp/skiff-test.log"))
        );
        assert_eq!(settings.transfers.simultaneous, 5);

        dialog.external_ip = "my.router".to_string();
        dialog.page = Page::Logging;
        assert!(dialog.finish().is_none());
        assert_eq!(
            dialog.page,
            Page::Connection,
            "the field with the problem is shown"
        );
        assert!(
            dialog
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("my.router"))
        );
    }
}
