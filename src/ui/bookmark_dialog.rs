//! The "Add bookmark" dialog (Ctrl+B): the fields as typed and how it
//! closed. Drawing only; `bookmarks.rs` acts on the outcome.

use std::path::PathBuf;

use eframe::egui;

use super::i18n::tr;
use crate::sites::{Bookmark, SiteId};

/// The "Add bookmark" dialog as typed so far.
#[derive(Debug, Clone, PartialEq)]
pub struct BookmarkDialog {
    /// The bookmark's name.
    pub name: String,
    /// The local folder (empty: none).
    pub local: String,
    /// The remote folder (empty: none).
    pub remote: String,
    /// Turn synchronized browsing on when opened.
    pub sync_browsing: bool,
    /// The saved site connected now, for a site-specific bookmark.
    pub site: Option<(SiteId, String)>,
    /// Keep it with that site (else for every site).
    pub site_specific: bool,
}

/// How the dialog closed.
#[derive(Debug, Clone, PartialEq)]
pub enum BookmarkOutcome {
    /// Save it: with this site, or global (`None`).
    Save(Bookmark, Option<SiteId>),
    /// Closed without saving.
    Cancel,
}

impl BookmarkDialog {
    /// Draws the dialog; `Some` once the user decided.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<BookmarkOutcome> {
        let mut outcome = None;
        let modal = egui::Modal::new(egui::Id::unique("skiff-bookmark")).show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading(tr!("bookmark-add-title"));
            egui::Grid::new("bookmark-fields")
                .num_columns(2)
                .show(ui, |ui| {
                    for (label, text) in [
                        (tr!("bookmark-name"), &mut self.name),
                        (tr!("bookmark-local"), &mut self.local),
                        (tr!("bookmark-remote"), &mut self.remote),
                    ] {
                        let label = ui.label(label);
                        ui.add(egui::TextEdit::singleline(text).desired_width(300.0))
                            .labelled_by(label.id);
                        ui.end_row();
                    }
                });
            ui.checkbox(&mut self.sync_browsing, tr!("bookmark-sync-browsing"));
            match &self.site {
                Some((_, name)) => {
                    ui.radio_value(
                        &mut self.site_specific,
                        true,
                        tr!("bookmark-site-specific", site = name.as_str()),
                    );
                    ui.radio_value(&mut self.site_specific, false, tr!("bookmark-global"));
                }
                None => {
                    ui.label(tr!("bookmark-global-only"));
                }
            }
            let bookmark = self.bookmark();
            if !bookmark.is_valid() {
                ui.colored_label(ui.visuals().warn_fg_color, tr!("bookmark-needs"));
            }
            ui.horizontal(|ui| {
                let ok = ui.add_enabled(bookmark.is_valid(), egui::Button::new(tr!("dialog-ok")));
                if ok.clicked() {
                    let site = self
                        .site
                        .as_ref()
                        .filter(|_| self.site_specific)
                        .map(|(id, _)| id.clone());
                    outcome = Some(BookmarkOutcome::Save(bookmark, site));
                }
                if ui.button(tr!("dialog-cancel")).clicked() {
                    outcome = Some(BookmarkOutcome::Cancel);
                }
            });
        });
        if outcome.is_none() && modal.should_close() {
            outcome = Some(BookmarkOutcome::Cancel);
        }
        outcome
    }

    /// The bookmark the fields describe.
    fn bookmark(&self) -> Bookmark {
        let local = self.local.trim();
        let remote = self.remote.trim();
        Bookmark {
            name: self.name.trim().to_string(),
            local_dir: (!local.is_empty()).then(|| PathBuf::from(local)),
            remote_dir: (!remote.is_empty()).then(|| remote.to_string()),
            sync_browsing: self.sync_browsing,
        }
    }
}
