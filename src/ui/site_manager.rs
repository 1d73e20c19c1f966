//! The Site Manager dialog: a tree of saved sites in folders, and the
//! selected site's settings in four tabs (General, Advanced, Transfer
//! settings, Charset), as in FileZilla.
//!
//! The dialog edits a copy of the sites; nothing is written until OK or
//! Connect, and then only when every site is valid: an invalid field is
//! marked beside it and blocks saving. Passwords typed here travel in the
//! outcome to the app, which hands them to the keyring off the UI thread; the
//! dialog never reads a stored password.

use std::collections::HashMap;
use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::i18n::tr;
use super::site_choices::{CHARSETS, encryptions, logons, protocols, server_type_label};
use super::site_form::Form;
use crate::engine::config::Protocol;
use crate::engine::{CharsetChoice, Encryption};
use crate::protocol::listing::ServerType;
use crate::secret::Secret;
use crate::sites::model::split_path;
use crate::sites::{FieldError, LogonType, Site, SiteId, Sites, TransferMode};

/// What the user decided.
#[derive(Debug)]
pub enum SiteManagerOutcome {
    /// Closed without saving.
    Cancel,
    /// Save the sites and the changed passwords.
    Save(SavedSites),
    /// Save, then connect to this site.
    Connect(SavedSites, SiteId),
}

/// The edited sites and the passwords typed for them (`None`: cleared).
#[derive(Debug)]
pub struct SavedSites {
    /// Every site and folder.
    pub sites: Sites,
    /// Passwords changed in this session of the dialog.
    pub passwords: HashMap<SiteId, Option<Secret>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    General,
    Advanced,
    Transfer,
    Charset,
}

/// What is selected in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selected {
    Site(SiteId),
    Folder(Vec<String>),
}

/// The dialog's state.
#[derive(Debug)]
pub struct SiteManager {
    sites: Sites,
    selected: Option<Selected>,
    form: Form,
    tab: Tab,
    errors: Vec<FieldError>,
    passwords: HashMap<SiteId, Option<Secret>>,
    rename: Option<String>,
    message: Option<String>,
    /// Why no keyring answers, shown beside the password field.
    keyring_note: Option<String>,
}

impl SiteManager {
    /// Says beside the password field that no keyring answers (`why`).
    pub fn with_keyring_note(mut self, why: Option<String>) -> Self {
        self.keyring_note = why;
        self
    }

    /// Opens on a copy of `sites`, with the first site selected.
    pub fn new(sites: Sites) -> Self {
        let mut manager = Self {
            selected: None,
            sites,
            form: Form::default(),
            tab: Tab::General,
            errors: Vec::new(),
            passwords: HashMap::new(),
            rename: None,
            message: None,
            keyring_note: None,
        };
        if let Some(id) = manager.sites.sites.first().map(|s| s.id.clone()) {
            manager.select(Selected::Site(id));
        }
        manager
    }

    /// Shows a note at the bottom (an import summary, a keyring warning).
    pub fn set_message(&mut self, message: impl Into<String>) {
        self.message = Some(message.into());
    }

    fn select(&mut self, selected: Selected) {
        self.rename = None;
        if let Selected::Site(id) = &selected
            && let Some(site) = self.sites.get(id)
        {
            self.form = Form::of(site);
            if let Some(Some(password)) = self.passwords.get(id) {
                self.form.password = password.expose().to_string();
                self.form.password_changed = true;
            }
        }
        self.errors.clear();
        self.selected = Some(selected);
    }

    fn selected_site(&self) -> Option<&SiteId> {
        match &self.selected {
            Some(Selected::Site(id)) => Some(id),
            _ => None,
        }
    }

    fn current_folder(&self) -> Vec<String> {
        match &self.selected {
            Some(Selected::Folder(folder)) => folder.clone(),
            Some(Selected::Site(id)) => self
                .sites
                .get(id)
                .map(|s| s.folder.clone())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// Applies the form to the selected site and validates it.
    fn sync(&mut self) {
        let Some(id) = self.selected_site().cloned() else {
            self.errors.clear();
            return;
        };
        if self.form.password_changed {
            let password =
                (!self.form.password.is_empty()).then(|| Secret::new(self.form.password.clone()));
            self.passwords.insert(id.clone(), password);
        }
        let Some(site) = self.sites.get_mut(&id) else {
            return;
        };
        let mut errors = self.form.apply(site);
        if let Err(more) = site.validate() {
            for e in more {
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(e);
                }
            }
        }
        self.errors = errors;
    }

    /// Draws the dialog; `Some` once the user decided.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<SiteManagerOutcome> {
        let mut outcome = None;
        let max_height = (ctx.content_rect().height() - 80.0).max(200.0);
        let modal = egui::Modal::new(egui::Id::unique("site-manager")).show(ctx, |ui| {
            ui.set_width(780.0);
            ui.heading(tr!("site-manager-title"));
            egui::ScrollArea::vertical()
                .id_salt("site-manager-body")
                .max_height(max_height - 110.0)
                // A steady height, so the centred dialog does not jump as tabs change.
                .min_scrolled_height((max_height - 110.0).min(420.0))
                .show(ui, |ui| {
                    // Content never shorter than the area: a short tab
                    // (Charset) keeps the dialog the size of a long one.
                    ui.set_min_height((max_height - 110.0).min(420.0));
                    ui.horizontal_top(|ui| {
                        ui.vertical(|ui| {
                            ui.set_width(230.0);
                            self.tree_ui(ui);
                        });
                        // Not a separator: in a scroll area its height would grow every frame.
                        ui.add_space(12.0);
                        ui.vertical(|ui| {
                            self.site_ui(ui);
                        });
                    })
                });
            if let Some(message) = &self.message {
                ui.separator();
                ui.label(message.as_str());
            }
            ui.separator();
            ui.horizontal(|ui| {
                let can_connect = self.selected_site().is_some();
                if ui
                    .add_enabled(can_connect, egui::Button::new(tr!("site-connect")))
                    .clicked()
                {
                    outcome = self.finish(true);
                }
                if ui.button(tr!("dialog-ok")).clicked() {
                    outcome = self.finish(false);
                }
                if ui.button(tr!("dialog-cancel")).clicked() {
                    outcome = Some(SiteManagerOutcome::Cancel);
                }
            });
        });
        if outcome.is_none() && modal.should_close() {
            outcome = Some(SiteManagerOutcome::Cancel);
        }
        outcome
    }

    /// Validates every site; saves only when all are valid.
    fn finish(&mut self, connect: bool) -> Option<SiteManagerOutcome> {
        self.sync();
        if !self.errors.is_empty() {
            // Name the fields: some may be on another tab.
            let fields: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
            self.message = Some(tr!("site-correct-fields", fields = fields.join("; ")));
            return None;
        }
        let invalid = self
            .sites
            .sites
            .iter()
            .find(|s| s.validate().is_err())
            .map(|s| s.id.clone());
        if let Some(id) = invalid {
            self.select(Selected::Site(id));
            self.sync();
            self.message = Some(tr!("site-invalid"));
            return None;
        }
        let saved = SavedSites {
            sites: self.sites.clone(),
            passwords: std::mem::take(&mut self.passwords),
        };
        Some(match (connect, self.selected_site().cloned()) {
            (true, Some(id)) => SiteManagerOutcome::Connect(saved, id),
            _ => SiteManagerOutcome::Save(saved),
        })
    }

    fn tree_ui(&mut self, ui: &mut egui::Ui) {
        ui.label(RichText::new(tr!("site-select-entry")).strong());
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("site-tree")
            .max_height(300.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                folder_ui(
                    ui,
                    &self.sites,
                    &[],
                    0,
                    self.selected.as_ref(),
                    &mut clicked,
                );
            });
        if let Some(selected) = clicked {
            self.sync();
            self.select(selected);
        }
        ui.horizontal_wrapped(|ui| {
            if ui.button(tr!("site-new-site")).clicked() {
                self.sync();
                let folder = self.current_folder();
                let name = self.sites.unique_name(&folder, &tr!("site-new-site"));
                let mut site = Site::new(name, "");
                site.folder = folder;
                match self.sites.add(site) {
                    Ok(id) => {
                        self.select(Selected::Site(id));
                        self.rename = None;
                    }
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
            if ui.button(tr!("site-new-folder")).clicked() {
                let parent = self.current_folder();
                let name = self.sites.unique_name(&parent, &tr!("site-new-folder"));
                match self.sites.new_folder(&parent, &name) {
                    Ok(folder) => self.select(Selected::Folder(folder)),
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
            if ui
                .add_enabled(
                    self.selected.is_some(),
                    egui::Button::new(tr!("site-rename")),
                )
                .clicked()
            {
                self.rename = Some(match &self.selected {
                    Some(Selected::Site(id)) => self
                        .sites
                        .get(id)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    Some(Selected::Folder(f)) => f.last().cloned().unwrap_or_default(),
                    None => String::new(),
                });
            }
            if ui
                .add_enabled(
                    self.selected_site().is_some(),
                    egui::Button::new(tr!("site-duplicate")),
                )
                .clicked()
                && let Some(id) = self.selected_site().cloned()
            {
                self.sync();
                match self.sites.duplicate_site(&id) {
                    Ok(copy) => self.select(Selected::Site(copy)),
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
            if ui
                .add_enabled(
                    self.selected.is_some(),
                    egui::Button::new(tr!("site-delete")),
                )
                .clicked()
            {
                let result = match self.selected.clone() {
                    Some(Selected::Site(id)) => {
                        self.passwords.insert(id.clone(), None);
                        self.sites.delete_site(&id).map(|_| ())
                    }
                    Some(Selected::Folder(folder)) => {
                        self.sites.delete_folder(&folder).map(|removed| {
                            for site in removed {
                                self.passwords.insert(site.id, None);
                            }
                        })
                    }
                    None => Ok(()),
                };
                if let Err(e) = result {
                    self.message = Some(e.to_string());
                }
                self.selected = None;
                self.errors.clear();
            }
        });
        if let Some(name) = &mut self.rename {
            let mut done = false;
            ui.horizontal(|ui| {
                let label = ui.label(tr!("site-new-name"));
                let response = ui.text_edit_singleline(name).labelled_by(label.id);
                done = ui.button(tr!("site-apply")).clicked()
                    || (response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
            });
            if done {
                let name = name.trim().to_string();
                let result = match self.selected.clone() {
                    Some(Selected::Site(id)) => self.sites.rename_site(&id, &name),
                    Some(Selected::Folder(folder)) => self
                        .sites
                        .rename_folder(&folder, &name)
                        .map(|renamed| self.selected = Some(Selected::Folder(renamed))),
                    None => Ok(()),
                };
                match result {
                    Ok(()) => self.rename = None,
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
        }
    }

    fn site_ui(&mut self, ui: &mut egui::Ui) {
        let Some(id) = self.selected_site().cloned() else {
            ui.weak(tr!("site-select-hint"));
            return;
        };
        ui.horizontal(|ui| {
            for (tab, label) in [
                (Tab::General, tr!("site-tab-general")),
                (Tab::Advanced, tr!("site-tab-advanced")),
                (Tab::Transfer, tr!("site-tab-transfer")),
                (Tab::Charset, tr!("site-tab-charset")),
            ] {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        ui.separator();
        let errors = self.errors.clone();
        let folders = self.sites.folders.clone();
        let keyring_note = self.keyring_note.clone();
        let Some(site) = self.sites.get_mut(&id) else {
            return;
        };
        let form = &mut self.form;
        let mut move_to = None;
        egui::Grid::new(("site-fields", self.tab as u8))
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| match self.tab {
                Tab::General => {
                    let was = site.protocol;
                    combo_row(ui, &tr!("site-protocol"), &mut site.protocol, &protocols());
                    if site.protocol != was {
                        // The other protocol's well-known port, and a logon
                        // type it has.
                        let (old_port, new_port) = match site.protocol {
                            Protocol::Sftp => ("21", "22"),
                            Protocol::Ftp => ("22", "21"),
                        };
                        if form.port.trim() == old_port {
                            form.port = new_port.to_string();
                        }
                        if matches!(site.logon, LogonType::Account | LogonType::KeyFile) {
                            site.logon = LogonType::Normal;
                        }
                    }
                    if site.protocol == Protocol::Ftp {
                        combo_row(
                            ui,
                            &tr!("site-encryption"),
                            &mut site.encryption,
                            &encryptions(),
                        );
                    }
                    if site.protocol == Protocol::Ftp && site.encryption == Encryption::Plain {
                        ui.label("");
                        ui.colored_label(ui.visuals().warn_fg_color, tr!("site-plain-warning"));
                        ui.end_row();
                    }
                    text_row(ui, &tr!("site-host"), &mut site.host, &errors, "host");
                    text_row(ui, &tr!("site-port"), &mut form.port, &errors, "port");
                    combo_row(
                        ui,
                        &tr!("site-logon"),
                        &mut site.logon,
                        &logons(site.protocol),
                    );
                    if site.logon != LogonType::Anonymous {
                        text_row(ui, &tr!("site-user"), &mut site.user, &errors, "user");
                    }
                    if site.logon == LogonType::KeyFile {
                        text_row(
                            ui,
                            &tr!("site-key-file"),
                            &mut form.key_file,
                            &errors,
                            "key_file",
                        );
                    }
                    if site.logon.stores_password() {
                        let label = ui.label(if site.logon == LogonType::KeyFile {
                            tr!("site-passphrase")
                        } else {
                            tr!("site-password")
                        });
                        let response = ui
                            .add(
                                egui::TextEdit::singleline(&mut form.password)
                                    .password(true)
                                    .hint_text(tr!("site-password-unchanged")),
                            )
                            .labelled_by(label.id);
                        if response.changed() {
                            form.password_changed = true;
                        }
                        ui.end_row();
                        if let Some(why) = &keyring_note {
                            ui.label("");
                            ui.colored_label(
                                ui.visuals().warn_fg_color,
                                tr!("site-no-keyring", reason = why.as_str()),
                            );
                            ui.end_row();
                        }
                    }
                    if site.logon == LogonType::Account {
                        text_row(
                            ui,
                            &tr!("site-account"),
                            &mut site.account,
                            &errors,
                            "account",
                        );
                    }
                    let mut folder = crate::sites::model::join_path(&site.folder);
                    let label = ui.label(tr!("site-folder"));
                    egui::ComboBox::from_id_salt("site-folder")
                        .selected_text(if folder.is_empty() {
                            tr!("site-folder-top")
                        } else {
                            folder.clone()
                        })
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut folder, String::new(), tr!("site-folder-top"));
                            for f in &folders {
                                let text = crate::sites::model::join_path(f);
                                ui.selectable_value(&mut folder, text.clone(), text);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    if folder != crate::sites::model::join_path(&site.folder) {
                        move_to = Some(split_path(&folder));
                    }
                    ui.end_row();
                    let label = ui.label(tr!("site-comments"));
                    ui.add(egui::TextEdit::multiline(&mut site.comments).desired_rows(3))
                        .labelled_by(label.id);
                    ui.end_row();
                }
                Tab::Advanced => {
                    let types = ServerType::ALL.map(|t| (t, server_type_label(t)));
                    combo_row(ui, &tr!("site-server-type"), &mut site.server_type, &types);
                    let label = ui.label(tr!("site-local-dir"));
                    ui.horizontal(|ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut form.local_dir).desired_width(260.0),
                        )
                        .labelled_by(label.id);
                        if ui.button(tr!("site-browse")).clicked() {
                            // rfd's picker runs on its own thread; the result arrives
                            // through egui memory on a later frame.
                            pick_folder_in_background(ui.ctx().clone());
                        }
                    });
                    ui.end_row();
                    if let Some(picked) =
                        ui.ctx().data_mut(|d| d.remove_temp::<PathBuf>(picked_id()))
                    {
                        form.local_dir = picked.display().to_string();
                    }
                    text_row(
                        ui,
                        &tr!("site-remote-dir"),
                        &mut form.remote_dir,
                        &errors,
                        "remote_dir",
                    );
                    text_row(
                        ui,
                        &tr!("site-timezone"),
                        &mut form.timezone,
                        &errors,
                        "timezone_offset_minutes",
                    );
                }
                Tab::Transfer => {
                    // Data connections are FTP's; SFTP has one SSH connection.
                    if site.protocol == Protocol::Ftp {
                        combo_row(
                            ui,
                            &tr!("site-transfer-mode"),
                            &mut site.transfer_mode,
                            &[
                                (TransferMode::Default, tr!("site-mode-default")),
                                (TransferMode::Active, tr!("site-mode-active")),
                                (TransferMode::Passive, tr!("site-mode-passive")),
                            ],
                        );
                        let label = ui.label(tr!("site-passive-mode"));
                        ui.checkbox(&mut site.trust_pasv_address, tr!("site-trust-pasv"))
                            .labelled_by(label.id);
                        ui.end_row();
                        let label = ui.label(tr!("site-active-ports"));
                        ui.horizontal(|ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut form.port_from)
                                    .desired_width(60.0)
                                    .hint_text(tr!("site-port-from")),
                            )
                            .labelled_by(label.id);
                            ui.label(tr!("site-port-to"));
                            ui.add(
                                egui::TextEdit::singleline(&mut form.port_to)
                                    .desired_width(60.0)
                                    .hint_text(tr!("site-port-to")),
                            )
                            .labelled_by(label.id);
                            error_ui(ui, &errors, "active_port_range");
                        });
                        ui.end_row();
                        text_row(
                            ui,
                            &tr!("site-external-ip"),
                            &mut form.external_ip,
                            &errors,
                            "external_ip",
                        );
                    }
                    let label = ui.label(tr!("site-connections"));
                    ui.horizontal(|ui| {
                        ui.checkbox(&mut form.limit_connections, tr!("site-limit-connections"))
                            .labelled_by(label.id);
                        ui.add_enabled(
                            form.limit_connections,
                            egui::TextEdit::singleline(&mut form.max_connections)
                                .desired_width(40.0),
                        )
                        .labelled_by(label.id);
                        error_ui(ui, &errors, "max_connections");
                    });
                    ui.end_row();
                    let label = ui.label(tr!("site-uploads"));
                    ui.checkbox(&mut site.atomic_uploads, tr!("site-atomic-uploads"))
                        .labelled_by(label.id)
                        .on_hover_text(tr!("site-atomic-uploads-hint"));
                    ui.end_row();
                }
                Tab::Charset => {
                    let label = ui.label(tr!("site-charset"));
                    ui.vertical(|ui| {
                        let auto = site.charset == CharsetChoice::Auto;
                        if ui
                            .radio(auto, tr!("site-charset-auto"))
                            .labelled_by(label.id)
                            .clicked()
                        {
                            site.charset = CharsetChoice::Auto;
                        }
                        if ui.radio(!auto, tr!("site-charset-custom")).clicked() && auto {
                            site.charset = CharsetChoice::from_label("GBK").unwrap_or_default();
                        }
                        if let CharsetChoice::Named(encoding) = site.charset {
                            let mut name = encoding.name().to_string();
                            egui::ComboBox::from_id_salt("site-charset")
                                .selected_text(name.clone())
                                .show_ui(ui, |ui| {
                                    for c in CHARSETS {
                                        ui.selectable_value(&mut name, c.to_string(), c);
                                    }
                                });
                            if let Some(choice) = CharsetChoice::from_label(&name) {
                                site.charset = choice;
                            }
                        }
                    });
                    ui.end_row();
                }
            });
        if let Some(folder) = move_to
            && let Err(e) = self.sites.move_site(&id, &folder)
        {
            self.message = Some(e.to_string());
        }
        self.sync();
    }
}

fn picked_id() -> egui::Id {
    egui::Id::unique("site-manager-picked-folder")
}

fn pick_folder_in_background(ctx: egui::Context) {
    let spawned = std::thread::Builder::new()
        .name("skiff-folder-picker".to_string())
        .spawn(move || {
            if let Some(folder) = rfd::FileDialog::new()
                .set_title(tr!("picker-local-dir-title"))
                .pick_folder()
            {
                ctx.data_mut(|d| d.insert_temp(picked_id(), folder));
                ctx.request_repaint();
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot open the folder picker: {e}");
    }
}

/// A labelled text field with its error beside it.
fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, errors: &[FieldError], field: &str) {
    let label = ui.label(label);
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(text).desired_width(260.0))
            .labelled_by(label.id);
        error_ui(ui, errors, field);
    });
    ui.end_row();
}

fn error_ui(ui: &mut egui::Ui, errors: &[FieldError], field: &str) {
    if let Some(error) = errors.iter().find(|e| e.field == field) {
        ui.colored_label(ui.visuals().error_fg_color, &error.message);
    }
}

fn combo_row<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
) {
    let label_response = ui.label(label);
    let current = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("", |(_, n)| n.as_str());
    egui::ComboBox::from_id_salt(label)
        .selected_text(current)
        .width(320.0)
        .show_ui(ui, |ui| {
            for (option, name) in options {
                ui.selectable_value(value, *option, name.as_str());
            }
        })
        .response
        .labelled_by(label_response.id);
    ui.end_row();
}

fn folder_ui(
    ui: &mut egui::Ui,
    sites: &Sites,
    folder: &[String],
    depth: usize,
    selected: Option<&Selected>,
    clicked: &mut Option<Selected>,
) {
    for sub in sites.subfolders(folder) {
        ui.horizontal(|ui| {
            ui.add_space(depth as f32 * 12.0);
            super::icons::file_icon_ui(ui, super::files::RowKind::Folder);
            let name = sub.last().map(String::as_str).unwrap_or("");
            let is_selected = selected == Some(&Selected::Folder(sub.clone()));
            if ui.selectable_label(is_selected, name).clicked() {
                *clicked = Some(Selected::Folder(sub.clone()));
            }
        });
        folder_ui(ui, sites, sub, depth + 1, selected, clicked);
    }
    for site in sites.sites_in(folder) {
        ui.horizontal(|ui| {
            ui.add_space(depth as f32 * 12.0 + 4.0);
            let is_selected = selected == Some(&Selected::Site(site.id.clone()));
            let name = if site.name.is_empty() {
                tr!("site-unnamed")
            } else {
                site.name.clone()
            };
            if ui.selectable_label(is_selected, name).clicked() {
                *clicked = Some(Selected::Site(site.id.clone()));
            }
        });
    }
}
