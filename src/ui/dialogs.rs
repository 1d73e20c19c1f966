//! Modal dialogs: create folder, rename, confirm delete, a message, the
//! certificate dialog, and the existing-target (overwrite) question.
//!
//! A dialog is data ([`Dialog`]); drawing it returns a [`DialogOutcome`]
//! once the user decides, and the app acts on that. Nothing here does I/O.

use eframe::egui::{self, RichText};

use super::files::FileRow;
use super::side::Side;
use crate::engine::CertInfo;
use crate::engine::ExistsPolicy;
use crate::engine::policy::FileFacts;
use crate::engine::queue::{Direction, ItemId};

/// The certificate dialog's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertChoice {
    /// Trust it for this connection only.
    Once,
    /// Trust it for this host from now on (stored under the config folder).
    Always,
    /// Do not connect.
    Refuse,
}

/// An open dialog.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// A message with an OK button.
    Message {
        /// The title.
        title: String,
        /// The text.
        text: String,
    },
    /// Ask for a new folder's name.
    MakeDir {
        /// In which pane.
        side: Side,
        /// The name typed so far.
        name: String,
    },
    /// Ask for a new name.
    Rename {
        /// In which pane.
        side: Side,
        /// The row being renamed.
        row: Box<FileRow>,
        /// The name typed so far.
        name: String,
    },
    /// Confirm a delete.
    ConfirmDelete {
        /// In which pane.
        side: Side,
        /// What would be deleted.
        rows: Vec<FileRow>,
    },
    /// Ask for a saved site's password ("ask" logon, or none in the keyring).
    AskPassword {
        /// The site.
        site: Box<crate::sites::Site>,
        /// The password typed so far.
        password: String,
    },
    /// A transfer's target exists: what to do with it.
    Overwrite {
        /// The queue item.
        id: ItemId,
        /// Download or upload.
        direction: Direction,
        /// The local path.
        local: std::path::PathBuf,
        /// The remote path.
        remote_display: String,
        /// The file being transferred.
        source: FileFacts,
        /// The existing target.
        target: FileFacts,
        /// "Apply to all for this queue" is ticked.
        apply_to_all: bool,
    },
    /// An untrusted certificate.
    Certificate {
        /// The host as configured.
        host: String,
        /// The port.
        port: u16,
        /// The certificate and why it failed.
        info: Box<CertInfo>,
    },
}

/// What the user decided.
#[derive(Debug, Clone)]
pub enum DialogOutcome {
    /// Create a folder.
    MakeDir {
        /// In which pane.
        side: Side,
        /// Its name.
        name: String,
    },
    /// Rename a row.
    Rename {
        /// In which pane.
        side: Side,
        /// The row.
        row: Box<FileRow>,
        /// The new name.
        name: String,
    },
    /// Delete rows.
    Delete {
        /// In which pane.
        side: Side,
        /// The rows.
        rows: Vec<FileRow>,
    },
    /// The certificate answer.
    Certificate {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// The certificate.
        info: Box<CertInfo>,
        /// The answer.
        choice: CertChoice,
    },
    /// The overwrite dialog's answer.
    Overwrite {
        /// The queue item.
        id: ItemId,
        /// What to do.
        policy: ExistsPolicy,
        /// For the rest of this queue, in this direction.
        apply_to_all: bool,
    },
    /// Connect to a saved site with this password (used once, never stored).
    Password {
        /// The site.
        site: Box<crate::sites::Site>,
        /// The password.
        password: crate::secret::Secret,
    },
    /// Closed or cancelled.
    Closed,
}

impl Dialog {
    /// Draws the dialog; `Some` once the user decided.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<DialogOutcome> {
        let mut outcome = None;
        let modal = egui::Modal::new(egui::Id::unique("skiff-dialog")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            outcome = self.contents_ui(ui);
        });
        if outcome.is_none() && modal.should_close() {
            // Closing the overwrite question is the safe answer: skip, never clobber.
            outcome = Some(match self {
                Dialog::Overwrite { id, .. } => DialogOutcome::Overwrite {
                    id: *id,
                    policy: ExistsPolicy::Skip,
                    apply_to_all: false,
                },
                _ => DialogOutcome::Closed,
            });
        }
        outcome
    }

    fn contents_ui(&mut self, ui: &mut egui::Ui) -> Option<DialogOutcome> {
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        match self {
            Dialog::Message { title, text } => {
                ui.heading(title.as_str());
                ui.label(text.as_str());
                ui.button("OK").clicked().then_some(DialogOutcome::Closed)
            }
            Dialog::MakeDir { side, name } => {
                ui.heading("Create directory");
                let ok = name_field_ui(ui, "Name of the new folder:", name, enter);
                buttons_ui(ui, "Create", ok && !name.trim().is_empty()).map(|create| {
                    if create {
                        DialogOutcome::MakeDir {
                            side: *side,
                            name: name.trim().to_string(),
                        }
                    } else {
                        DialogOutcome::Closed
                    }
                })
            }
            Dialog::Rename { side, row, name } => {
                ui.heading("Rename");
                let ok = name_field_ui(ui, &format!("New name for {}:", row.name), name, enter);
                buttons_ui(ui, "Rename", ok && !name.trim().is_empty()).map(|rename| {
                    if rename && name.trim() != row.name {
                        DialogOutcome::Rename {
                            side: *side,
                            row: row.clone(),
                            name: name.trim().to_string(),
                        }
                    } else {
                        DialogOutcome::Closed
                    }
                })
            }
            Dialog::ConfirmDelete { side, rows } => {
                ui.heading("Delete");
                let what = match rows.as_slice() {
                    [one] => format!("“{}”", one.name),
                    many => format!("{} items", many.len()),
                };
                ui.label(match side {
                    Side::Local => format!("Move {what} to the trash?"),
                    Side::Remote => {
                        format!("Delete {what} from the server? This cannot be undone.")
                    }
                });
                buttons_ui(ui, "Delete", enter).map(|delete| {
                    if delete {
                        DialogOutcome::Delete {
                            side: *side,
                            rows: std::mem::take(rows),
                        }
                    } else {
                        DialogOutcome::Closed
                    }
                })
            }
            Dialog::AskPassword { site, password } => {
                ui.heading("Enter password");
                ui.label(format!(
                    "Password for {}@{}:",
                    site.user,
                    site.connect_host()
                ));
                let label = ui.label("Password:");
                let response = ui
                    .add(egui::TextEdit::singleline(password).password(true))
                    .labelled_by(label.id);
                if !response.has_focus() && !response.lost_focus() {
                    response.request_focus();
                }
                let submit = response.lost_focus() && enter;
                buttons_ui(ui, "Connect", submit).map(|connect| {
                    if connect {
                        DialogOutcome::Password {
                            site: site.clone(),
                            password: crate::secret::Secret::new(std::mem::take(password)),
                        }
                    } else {
                        DialogOutcome::Closed
                    }
                })
            }
            Dialog::Overwrite {
                id,
                direction,
                local,
                remote_display,
                source,
                target,
                apply_to_all,
            } => {
                ui.heading("Target file already exists");
                let (what, target_name) = match direction {
                    Direction::Download => ("download", local.display().to_string()),
                    Direction::Upload => ("upload", remote_display.clone()),
                };
                ui.label(format!("The {what} target exists: {target_name}"));
                egui::Grid::new("overwrite-facts")
                    .num_columns(3)
                    .show(ui, |ui| {
                        ui.label("");
                        ui.strong("Size");
                        ui.strong("Modified");
                        ui.end_row();
                        for (label, facts) in [("Source:", source), ("Target:", target)] {
                            ui.label(label);
                            ui.label(
                                facts
                                    .size
                                    .map(super::files::format_size)
                                    .unwrap_or_else(|| "?".into()),
                            );
                            ui.label(
                                facts
                                    .modified
                                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                                    .unwrap_or_else(|| "?".into()),
                            );
                            ui.end_row();
                        }
                    });
                ui.checkbox(apply_to_all, "Apply to all for this queue");
                let mut choice = None;
                ui.horizontal_wrapped(|ui| {
                    for (label, policy) in [
                        ("Overwrite", ExistsPolicy::Overwrite),
                        ("Overwrite if newer", ExistsPolicy::OverwriteIfNewer),
                        (
                            "Overwrite if size differs",
                            ExistsPolicy::OverwriteIfSizeDiffers,
                        ),
                        ("Resume", ExistsPolicy::Resume),
                        ("Rename", ExistsPolicy::Rename),
                        ("Skip", ExistsPolicy::Skip),
                    ] {
                        if ui.button(label).clicked() {
                            choice = Some(policy);
                        }
                    }
                });
                choice.map(|policy| DialogOutcome::Overwrite {
                    id: *id,
                    policy,
                    apply_to_all: *apply_to_all,
                })
            }
            Dialog::Certificate { host, port, info } => certificate_ui(ui, host, *port, info),
        }
    }
}

/// A labelled text field that has the focus; true when Enter was pressed in it.
fn name_field_ui(ui: &mut egui::Ui, label: &str, name: &mut String, enter: bool) -> bool {
    let label = ui.label(label);
    let response = ui
        .add(egui::TextEdit::singleline(name).desired_width(360.0))
        .labelled_by(label.id);
    if !response.has_focus() && !response.lost_focus() {
        response.request_focus();
    }
    response.lost_focus() && enter
}

/// OK and Cancel: `Some(true)` for OK (or `submit`), `Some(false)` for Cancel.
fn buttons_ui(ui: &mut egui::Ui, ok: &str, submit: bool) -> Option<bool> {
    let mut result = submit.then_some(true);
    ui.horizontal(|ui| {
        if ui.button(ok).clicked() {
            result = Some(true);
        }
        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            result = Some(false);
        }
    });
    result
}

fn certificate_ui(
    ui: &mut egui::Ui,
    host: &str,
    port: u16,
    info: &CertInfo,
) -> Option<DialogOutcome> {
    ui.heading("Unknown certificate");
    if let Some(previous) = &info.previously_trusted {
        ui.colored_label(
            ui.visuals().error_fg_color,
            RichText::new(format!(
                "WARNING: the certificate of {host}:{port} has CHANGED since you trusted it. \
                 Someone may be intercepting the connection.\nTrusted before: {previous}\nOffered now: {}",
                info.fingerprint
            ))
            .strong(),
        );
    } else {
        ui.label(format!(
            "The server's certificate could not be verified: {}. Check its fingerprint with the server's administrator before trusting it.",
            info.reason
        ));
    }
    egui::Grid::new("certificate-details")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, value) in [
                ("Host:", format!("{host}:{port}")),
                ("Subject:", info.subject.clone()),
                ("Issuer:", info.issuer.clone()),
                ("Valid from:", info.not_before.clone()),
                ("Valid until:", info.not_after.clone()),
                ("SHA-256 fingerprint:", info.fingerprint.to_string()),
                ("Problem:", info.reason.clone()),
            ] {
                ui.label(label);
                ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
                ui.end_row();
            }
        });
    let mut choice = None;
    ui.horizontal(|ui| {
        if ui.button("Trust once").clicked() {
            choice = Some(CertChoice::Once);
        }
        if ui.button("Always trust this certificate").clicked() {
            choice = Some(CertChoice::Always);
        }
        if ui.button("Refuse").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            choice = Some(CertChoice::Refuse);
        }
    });
    choice.map(|choice| DialogOutcome::Certificate {
        host: host.to_string(),
        port,
        info: Box::new(info.clone()),
        choice,
    })
}
