//! The Settings dialog (Edit → Settings…, FileZilla's Options): a draft of
//! [`Settings`] edited on four pages, given back on OK.
//!
//! Drawing only: the dialog edits its own copy and returns a
//! [`SettingsOutcome`]; `update` applies and saves what OK returns. A value
//! that cannot be used (an address that is not one) keeps OK from closing
//! and says why beside the field.

use eframe::egui;

use crate::engine::DataMode;
use crate::settings::{
    ExistsDefault, Language, MAX_SIMULTANEOUS, QueueDone, Settings, Theme, TransferType,
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
            ui.heading("Settings");
            ui.horizontal(|ui| {
                for (page, label) in [
                    (Page::Connection, "Connection"),
                    (Page::Transfers, "Transfers"),
                    (Page::Interface, "Interface"),
                    (Page::Logging, "Logging"),
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
                });
            if let Some(problem) = &self.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem.as_str());
            }
            ui.separator();
            ui.horizontal(|ui| {
                if ui.button("OK").clicked() {
                    outcome = self.finish().map(|s| SettingsOutcome::Save(Box::new(s)));
                }
                if ui.button("Cancel").clicked() {
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
                    self.problem = Some(format!("The external address is not an IP address: {ip}"));
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
                number_row(ui, "Timeout in seconds:", &mut c.timeout_secs, 1..=3600);
                number_row(ui, "Retries after a failure:", &mut c.retries, 0..=99);
                let label = ui.label("Delay between retries (seconds):");
                ui.add(egui::DragValue::new(&mut c.retry_delay_secs).range(0.0..=3600.0))
                    .labelled_by(label.id);
                ui.end_row();
            });
        ui.checkbox(&mut c.keep_alive, "Send FTP keep-alive commands");
        ui.add_space(6.0);
        ui.strong("Default transfer mode");
        ui.horizontal(|ui| {
            ui.radio_value(&mut c.data_mode, DataMode::Passive, "Passive (recommended)");
            ui.radio_value(&mut c.data_mode, DataMode::Active, "Active");
        });
        ui.checkbox(
            &mut c.fallback,
            "Fall back to the other mode when the chosen one fails",
        );
        ui.add_space(6.0);
        ui.strong("Active mode");
        let mut limit_ports = c.active_ports.is_some();
        ui.checkbox(&mut limit_ports, "Limit the local ports active mode uses");
        match (limit_ports, c.active_ports.as_mut()) {
            (true, Some([low, high])) => {
                ui.horizontal(|ui| {
                    let label = ui.label("From port:");
                    ui.add(egui::DragValue::new(low).range(1..=65535))
                        .labelled_by(label.id);
                    let label = ui.label("to port:");
                    ui.add(egui::DragValue::new(high).range(1..=65535))
                        .labelled_by(label.id);
                });
            }
            (true, None) => c.active_ports = Some([50000, 50100]),
            (false, _) => c.active_ports = None,
        }
        ui.horizontal(|ui| {
            let label = ui.label("External IP address (behind NAT):");
            ui.add(
                egui::TextEdit::singleline(&mut self.external_ip)
                    .hint_text("none")
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
                    "Simultaneous transfers:",
                    &mut t.simultaneous,
                    1..=MAX_SIMULTANEOUS,
                );
                ui.checkbox(&mut t.limit_download, "Limit download speed (KiB/s):");
                ui.add_enabled(
                    t.limit_download,
                    egui::DragValue::new(&mut t.download_kib).range(1..=10_000_000),
                );
                ui.end_row();
                ui.checkbox(&mut t.limit_upload, "Limit upload speed (KiB/s):");
                ui.add_enabled(
                    t.limit_upload,
                    egui::DragValue::new(&mut t.upload_kib).range(1..=10_000_000),
                );
                ui.end_row();
                exists_row(ui, "When a downloaded file exists:", &mut t.download_exists);
                exists_row(ui, "When an uploaded file exists:", &mut t.upload_exists);
            });
        ui.add_space(6.0);
        ui.strong("Default transfer type");
        ui.horizontal(|ui| {
            for kind in TransferType::ALL {
                ui.radio_value(&mut t.transfer_type, kind, transfer_type_label(kind));
            }
        });
        if let Some(warning) = transfer_type_warning(t.transfer_type) {
            ui.colored_label(ui.visuals().warn_fg_color, warning);
        }
        ui.checkbox(
            &mut t.preserve_times,
            "Preserve the modification times of transferred files",
        );
    }

    fn interface_ui(&mut self, ui: &mut egui::Ui) {
        let i = &mut self.draft.interface;
        egui::Grid::new("settings-interface")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Language:");
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
                ui.label("Theme:");
                egui::ComboBox::from_id_salt("settings-theme")
                    .selected_text(theme_label(i.theme))
                    .show_ui(ui, |ui| {
                        for theme in Theme::ALL {
                            ui.selectable_value(&mut i.theme, theme, theme_label(theme));
                        }
                    });
                ui.end_row();
                ui.label("When the queue has finished:");
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
        ui.checkbox(
            &mut i.confirm_quit,
            "Ask before closing the window while transfers are running",
        );
    }

    fn logging_ui(&mut self, ui: &mut egui::Ui) {
        let l = &mut self.draft.logging;
        ui.checkbox(&mut l.to_file, "Also write the message log to a file");
        ui.add_enabled_ui(l.to_file, |ui| {
            egui::Grid::new("settings-logging")
                .num_columns(2)
                .show(ui, |ui| {
                    let label = ui.label("File:");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.log_file)
                            .hint_text("skiff.log in the data folder")
                            .desired_width(320.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                    number_row(
                        ui,
                        "Start a new file at (MiB):",
                        &mut l.max_size_mib,
                        1..=1024,
                    );
                    number_row(ui, "Older files kept:", &mut l.keep, 0..=20);
                });
        });
        ui.label("Passwords are never written: the log shows PASS ****.");
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
pub fn transfer_type_label(kind: TransferType) -> &'static str {
    match kind {
        TransferType::Binary => "Binary",
        TransferType::Auto => "Auto",
        TransferType::Ascii => "ASCII",
    }
}

/// The one-line warning shown beside a transfer type that changes files.
pub fn transfer_type_warning(kind: TransferType) -> Option<&'static str> {
    match kind {
        TransferType::Binary => None,
        TransferType::Auto => Some(
            "Auto moves text files (txt, html, php…) in ASCII mode: their line ends are converted on the way.",
        ),
        TransferType::Ascii => Some(
            "ASCII mode converts line ends on the way: a server that does not convert them back leaves the file changed.",
        ),
    }
}

fn exists_label(choice: ExistsDefault) -> &'static str {
    match choice {
        ExistsDefault::Ask => "Ask",
        ExistsDefault::Overwrite => "Overwrite",
        ExistsDefault::Newer => "Overwrite if the source is newer",
        ExistsDefault::Size => "Overwrite if the size differs",
        ExistsDefault::SizeOrNewer => "Overwrite if the size differs or the source is newer",
        ExistsDefault::Resume => "Resume",
        ExistsDefault::Rename => "Keep both (rename the new file)",
        ExistsDefault::Skip => "Skip",
    }
}

fn language_label(language: Language) -> &'static str {
    match language {
        Language::System => "As the system",
        Language::English => "English",
        Language::ChineseSimplified => "简体中文",
    }
}

fn theme_label(theme: Theme) -> &'static str {
    match theme {
        Theme::System => "As the system",
        Theme::Light => "Light",
        Theme::Dark => "Dark",
    }
}

fn queue_done_label(done: QueueDone) -> &'static str {
    match done {
        QueueDone::Nothing => "Do nothing",
        QueueDone::Notify => "Show a desktop notification",
        QueueDone::Quit => "Close Skiff",
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
