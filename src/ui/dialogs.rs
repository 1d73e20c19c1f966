//! Modal dialogs: create folder, rename, confirm delete, a message, the
//! certificate dialog, and the existing-target (overwrite) question.
//!
//! A dialog is data ([`Dialog`]); drawing it returns a [`DialogOutcome`]
//! once the user decides, and the app acts on that. Nothing here does I/O.

use eframe::egui::{self, RichText};

use super::files::FileRow;
use super::i18n::tr;
use super::pane::Loc;
use super::side::Side;
use crate::engine::CertInfo;
use crate::engine::ExistsPolicy;
use crate::engine::policy::FileFacts;
use crate::engine::queue::{Direction, ItemId, SiteKey};

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
        /// The folder it acts in, for display.
        folder: String,
        /// The name typed so far.
        name: String,
    },
    /// Ask for a new name.
    Rename {
        /// In which pane.
        side: Side,
        /// The folder it acts in, for display.
        folder: String,
        /// The row being renamed.
        row: Box<FileRow>,
        /// The name typed so far.
        name: String,
    },
    /// Confirm a delete.
    ConfirmDelete {
        /// In which pane.
        side: Side,
        /// The folder it acts in, for display.
        folder: String,
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
    /// Synchronized browsing found no such folder on the other side:
    /// create it, or stop synchronized browsing?
    SyncFolderMissing {
        /// The side that lacks it.
        side: Side,
        /// The folder.
        folder: Loc,
        /// The folder for display.
        shown: String,
    },
    /// Quit while transfers run?
    ConfirmQuit {
        /// Transfers running now.
        running: u64,
        /// Edited files whose last save is not on the server.
        edited: usize,
    },
    /// Resumed items belong to a site that is not connected: connect?
    ConnectFor {
        /// The site.
        site: SiteKey,
        /// How many of the resumed items are its.
        count: usize,
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
    /// Create the missing folder and go on browsing in step.
    SyncFolderCreate {
        /// The side that lacks it.
        side: Side,
        /// The folder.
        folder: Loc,
    },
    /// Stop synchronized browsing (the folder is missing on `side`).
    SyncFolderStop {
        /// The side that lacks it.
        side: Side,
        /// The folder for display.
        shown: String,
    },
    /// Quit although transfers run (they resume at the next start).
    Quit,
    /// Connect to this site, for its resumed items.
    ConnectFor(SiteKey),
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
                // Closing it creates nothing: browsing in step stops.
                Dialog::SyncFolderMissing { side, shown, .. } => DialogOutcome::SyncFolderStop {
                    side: *side,
                    shown: shown.clone(),
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
                ui.button(tr!("dialog-ok"))
                    .clicked()
                    .then_some(DialogOutcome::Closed)
            }
            Dialog::MakeDir { side, folder, name } => {
                ui.heading(tr!("dialog-make-dir-title"));
                where_ui(ui, *side, folder);
                let ok = name_field_ui(ui, &tr!("dialog-make-dir-prompt"), name, enter);
                let create = tr!("dialog-make-dir-create");
                buttons_ui(ui, &create, ok && !name.trim().is_empty()).map(|create| {
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
            Dialog::Rename {
                side,
                folder,
                row,
                name,
            } => {
                ui.heading(tr!("dialog-rename-title"));
                where_ui(ui, *side, folder);
                let prompt = tr!("dialog-rename-prompt", name = row.name.as_str());
                let ok = name_field_ui(ui, &prompt, name, enter);
                let rename = tr!("dialog-rename-ok");
                buttons_ui(ui, &rename, ok && !name.trim().is_empty()).map(|rename| {
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
            Dialog::ConfirmDelete { side, folder, rows } => {
                ui.heading(tr!("dialog-delete-title"));
                where_ui(ui, *side, folder);
                let count = rows.len();
                let name = rows.first().map_or("", |r| r.name.as_str());
                ui.label(match side {
                    Side::Local => tr!("dialog-delete-local", count = count, name = name),
                    Side::Remote => tr!("dialog-delete-remote", count = count, name = name),
                });
                buttons_ui(ui, &tr!("dialog-delete-ok"), enter).map(|delete| {
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
                let key = site.logon == crate::sites::LogonType::KeyFile;
                if key {
                    ui.heading(tr!("dialog-passphrase-title"));
                    ui.label(tr!(
                        "dialog-passphrase-prompt",
                        file = site
                            .key_file
                            .as_ref()
                            .map(|f| f.display().to_string())
                            .unwrap_or_default()
                    ));
                } else {
                    ui.heading(tr!("dialog-password-title"));
                    ui.label(tr!(
                        "dialog-password-prompt",
                        user = site.user.as_str(),
                        host = site.connect_host()
                    ));
                }
                let label = ui.label(if key {
                    tr!("dialog-passphrase-label")
                } else {
                    tr!("dialog-password-label")
                });
                let response = ui
                    .add(egui::TextEdit::singleline(password).password(true))
                    .labelled_by(label.id);
                if !response.has_focus() && !response.lost_focus() {
                    response.request_focus();
                }
                let submit = response.lost_focus() && enter;
                buttons_ui(ui, &tr!("dialog-connect"), submit).map(|connect| {
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
                ui.heading(tr!("overwrite-title"));
                ui.label(match direction {
                    Direction::Download => {
                        tr!(
                            "overwrite-download-target",
                            path = local.display().to_string()
                        )
                    }
                    Direction::Upload => {
                        tr!("overwrite-upload-target", path = remote_display.as_str())
                    }
                });
                egui::Grid::new("overwrite-facts")
                    .num_columns(3)
                    .show(ui, |ui| {
                        ui.label("");
                        ui.strong(tr!("overwrite-size"));
                        ui.strong(tr!("overwrite-modified"));
                        ui.end_row();
                        for (label, facts) in [
                            (tr!("overwrite-source"), source),
                            (tr!("overwrite-target"), target),
                        ] {
                            ui.label(label);
                            ui.label(facts.size.map(exact_size).unwrap_or_else(|| "?".into()));
                            ui.label(
                                facts
                                    .modified
                                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                                    .unwrap_or_else(|| "?".into()),
                            );
                            ui.end_row();
                        }
                    });
                ui.checkbox(apply_to_all, tr!("overwrite-apply-to-all"));
                let mut choice = None;
                ui.horizontal_wrapped(|ui| {
                    for (label, policy) in [
                        (tr!("overwrite-overwrite"), ExistsPolicy::Overwrite),
                        (tr!("overwrite-if-newer"), ExistsPolicy::OverwriteIfNewer),
                        (
                            tr!("overwrite-if-size-differs"),
                            ExistsPolicy::OverwriteIfSizeDiffers,
                        ),
                        (tr!("overwrite-resume"), ExistsPolicy::Resume),
                        (tr!("overwrite-rename"), ExistsPolicy::Rename),
                        (tr!("overwrite-skip"), ExistsPolicy::Skip),
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
            Dialog::SyncFolderMissing {
                side,
                folder,
                shown,
            } => {
                ui.heading(tr!("sync-missing-title"));
                where_ui(ui, *side, shown);
                ui.label(tr!("sync-missing-question"));
                let mut outcome = None;
                ui.horizontal(|ui| {
                    if ui.button(tr!("sync-missing-create")).clicked() {
                        outcome = Some(DialogOutcome::SyncFolderCreate {
                            side: *side,
                            folder: folder.clone(),
                        });
                    }
                    if ui.button(tr!("sync-missing-stop")).clicked() {
                        outcome = Some(DialogOutcome::SyncFolderStop {
                            side: *side,
                            shown: shown.clone(),
                        });
                    }
                });
                outcome
            }
            Dialog::ConfirmQuit { running, edited } => {
                ui.heading(tr!("quit-title"));
                if *running > 0 {
                    ui.label(tr!("quit-question", count = *running));
                }
                if *edited > 0 {
                    ui.label(tr!("quit-edited", count = *edited));
                }
                buttons_ui(ui, &tr!("quit-button"), enter).map(|quit| {
                    if quit {
                        DialogOutcome::Quit
                    } else {
                        DialogOutcome::Closed
                    }
                })
            }
            Dialog::ConnectFor { site, count } => {
                ui.heading(tr!("connect-for-title"));
                ui.label(tr!(
                    "connect-for-question",
                    count = *count,
                    site = format!("{}@{}:{}", site.user, site.host, site.port)
                ));
                buttons_ui(ui, &tr!("connect-for-button"), enter).map(|connect| {
                    if connect {
                        DialogOutcome::ConnectFor(site.clone())
                    } else {
                        DialogOutcome::Closed
                    }
                })
            }
            Dialog::Certificate { host, port, info } => certificate_ui(ui, host, *port, info),
        }
    }
}

/// A size as the overwrite question shows it: `1.2 MiB (1,234,567 bytes)`,
/// so two files a few bytes apart never look the same.
fn exact_size(bytes: u64) -> String {
    tr!(
        "overwrite-size-exact",
        size = super::files::format_size(bytes),
        bytes = super::files::group_digits(bytes),
        count = bytes
    )
}

/// Which side and folder a dialog acts on, in the side's colour, so a
/// rename on the server is never mistaken for one on this computer.
fn where_ui(ui: &mut egui::Ui, side: Side, folder: &str) {
    let text = match side {
        Side::Local => tr!("dialog-where-local", folder = folder),
        Side::Remote => tr!("dialog-where-remote", folder = folder),
    };
    ui.label(
        RichText::new(text)
            .color(super::side::tint(side, ui.visuals().dark_mode))
            .strong(),
    );
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
        if ui.button(tr!("dialog-cancel")).clicked()
            || ui.input(|i| i.key_pressed(egui::Key::Escape))
        {
            result = Some(false);
        }
    });
    result
}

/// An SSH host key `known_hosts` does not vouch for: its type and
/// fingerprint as `ssh-keygen -lf` prints it; a changed key is a warning
/// with both fingerprints.
fn host_key_ui(ui: &mut egui::Ui, host: &str, port: u16, key_type: &str, info: &CertInfo) {
    match &info.previously_trusted {
        Some(recorded) => {
            ui.heading(tr!("host-key-changed-title"));
            ui.colored_label(
                ui.visuals().error_fg_color,
                RichText::new(tr!(
                    "host-key-changed",
                    host = host,
                    port = port,
                    recorded = recorded.openssh(),
                    offered = info.fingerprint.openssh()
                ))
                .strong(),
            );
        }
        None => {
            ui.heading(tr!("host-key-title"));
            ui.label(tr!("host-key-unknown", host = host, port = port));
        }
    }
    egui::Grid::new("host-key-details")
        .num_columns(2)
        .show(ui, |ui| {
            let mut rows = vec![(tr!("certificate-host"), format!("{host}:{port}"))];
            if !key_type.is_empty() {
                rows.push((tr!("host-key-type"), key_type.to_string()));
            }
            rows.push((tr!("certificate-fingerprint"), info.fingerprint.openssh()));
            for (label, value) in rows {
                ui.label(label);
                ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
                ui.end_row();
            }
        });
    ui.label(tr!("host-key-check"));
}

fn certificate_ui(
    ui: &mut egui::Ui,
    host: &str,
    port: u16,
    info: &CertInfo,
) -> Option<DialogOutcome> {
    if let Some(key_type) = &info.host_key {
        host_key_ui(ui, host, port, key_type, info);
    } else {
        certificate_details_ui(ui, host, port, info);
    }
    let mut choice = None;
    ui.horizontal(|ui| {
        if ui.button(tr!("certificate-trust-once")).clicked() {
            choice = Some(CertChoice::Once);
        }
        if ui.button(tr!("certificate-trust-always")).clicked() {
            choice = Some(CertChoice::Always);
        }
        if ui.button(tr!("certificate-refuse")).clicked()
            || ui.input(|i| i.key_pressed(egui::Key::Escape))
        {
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

fn certificate_details_ui(ui: &mut egui::Ui, host: &str, port: u16, info: &CertInfo) {
    ui.heading(tr!("certificate-title"));
    if let Some(previous) = &info.previously_trusted {
        ui.colored_label(
            ui.visuals().error_fg_color,
            RichText::new(tr!(
                "certificate-changed",
                host = host,
                port = port,
                previous = previous.to_string(),
                offered = info.fingerprint.to_string()
            ))
            .strong(),
        );
    } else {
        ui.label(tr!("certificate-unverified", reason = info.reason.as_str()));
    }
    egui::Grid::new("certificate-details")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, value) in [
                (tr!("certificate-host"), format!("{host}:{port}")),
                (tr!("certificate-subject"), info.subject.clone()),
                (tr!("certificate-issuer"), info.issuer.clone()),
                (tr!("certificate-valid-from"), info.not_before.clone()),
                (tr!("certificate-valid-until"), info.not_after.clone()),
                (tr!("certificate-fingerprint"), info.fingerprint.to_string()),
                (tr!("certificate-problem"), info.reason.clone()),
            ] {
                ui.label(label);
                ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_exact_to_the_byte() {
        let _english =
            crate::ui::i18n::LocaleOverride::on_this_thread(crate::ui::i18n::Locale::English);
        assert_eq!(exact_size(1), "1 (1 byte)");
        assert!(
            exact_size(1_234_567).ends_with("(1,234,567 bytes)"),
            "{}",
            exact_size(1_234_567)
        );
    }
}
