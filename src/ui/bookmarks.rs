//! Bookmarks (FileZilla's Bookmarks menu): the menu that opens them, the
//! "Add bookmark" dialog (Ctrl+B), and the `update` arms that save and
//! open them.
//!
//! A bookmark is a local folder, a remote folder or both; a site's own
//! bookmarks live under it in `sites.toml`, global ones beside the sites.
//! Opening one lists its folders in the panes (the remote one when
//! connected); saving goes through the disk pool like every sites write.

use std::collections::HashMap;
use std::sync::Arc;

use eframe::egui;

pub use super::bookmark_dialog::{BookmarkDialog, BookmarkOutcome};
use super::i18n::tr;
use super::local::LocalRequest;
use super::pane::Loc;
use super::update::{Model, Msg};
use crate::engine::{BrowseCommand, LogKind};
use crate::sites::Bookmark;

/// The Bookmarks menu: Add bookmark…, then the global bookmarks and the
/// connected site's own.
pub fn menu_ui(ui: &mut egui::Ui, model: &Model, msgs: &mut Vec<Msg>) {
    ui.menu_button(tr!("menu-bookmarks"), |ui| {
        if super::table::menu_item(ui, super::action::Action::AddBookmark, false) {
            msgs.push(Msg::Action(super::action::Action::AddBookmark));
        }
        let global = model
            .sites
            .sites
            .as_ref()
            .map(|s| s.bookmarks.clone())
            .unwrap_or_default();
        let own = model.current_site_bookmarks();
        if !global.is_empty() || !own.is_empty() {
            ui.separator();
        }
        for bookmark in global.iter().chain(own.iter()) {
            if ui.button(bookmark.name.as_str()).clicked() {
                msgs.push(Msg::OpenBookmark(bookmark.clone()));
                ui.close();
            }
        }
    });
}

impl Model {
    /// The bookmarks of the saved site connected now.
    pub fn current_site_bookmarks(&self) -> Vec<Bookmark> {
        let Some(current) = &self.sites.current_site else {
            return Vec::new();
        };
        self.sites
            .sites
            .as_ref()
            .and_then(|sites| sites.get(&current.id))
            .map(|site| site.bookmarks.clone())
            .unwrap_or_default()
    }

    /// Ctrl+B: the dialog, filled in with the panes' folders.
    pub(super) fn add_bookmark(&mut self) {
        let site = self
            .sites
            .current_site
            .as_ref()
            .map(|s| (s.id.clone(), s.name.clone()));
        self.modals.bookmark = Some(BookmarkDialog {
            name: String::new(),
            local: self.local.path_edit.clone(),
            remote: match self.remote.location {
                Some(Loc::Remote(_)) => self.remote.path_edit.clone(),
                _ => String::new(),
            },
            sync_browsing: false,
            site_specific: site.is_some(),
            site,
        });
    }

    /// The dialog closed: a bookmark is saved with its site or globally.
    pub(super) fn on_bookmark(&mut self, outcome: BookmarkOutcome) {
        let BookmarkOutcome::Save(bookmark, site) = outcome else {
            return;
        };
        let Some(sites) = &mut self.sites.sites else {
            self.log.status(LogKind::Error, tr!("note-sites-not-read"));
            return;
        };
        match site.and_then(|id| sites.get_mut(&id)) {
            Some(site) => site.bookmarks.push(bookmark),
            None => sites.bookmarks.push(bookmark),
        }
        let sites = Box::new(sites.clone());
        match self.sites.config_dir.clone() {
            Some(dir) => self.disk(LocalRequest::SaveSites {
                dir,
                sites,
                passwords: HashMap::new(),
                secrets: Arc::clone(&self.sites.secrets),
            }),
            None => self
                .log
                .status(LogKind::Error, tr!("note-no-config-for-save")),
        }
    }

    /// Opens a bookmark: its local folder, and its remote one when connected.
    pub(super) fn open_bookmark(&mut self, bookmark: Bookmark) {
        if let Some(dir) = bookmark.local_dir {
            self.list_local(Loc::Local(dir), false);
        }
        if let Some(dir) = bookmark.remote_dir {
            if self.connection.site.is_some() {
                self.remote.busy = true;
                self.browse(BrowseCommand::List(dir.into_bytes()));
            } else {
                self.log
                    .status(LogKind::Warning, tr!("note-bookmark-not-connected"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::{MemoryStore, Site, Sites};
    use crate::ui::state::{SiteState, UiState};

    fn model() -> Model {
        let dir = std::env::temp_dir().join("skiff-bookmark-test-unused");
        Model::new(
            UiState::default(),
            SiteState::new(Some(dir), Arc::new(MemoryStore::new()), None),
        )
    }

    #[test]
    fn a_bookmark_is_saved_with_its_site_or_globally_and_opens_both_panes() {
        let mut model = model();
        let mut sites = Sites::new();
        let mut site = Site::new("web", "ftp.example.org");
        site.logon = crate::sites::LogonType::Anonymous;
        let id = sites.add(site.clone()).expect("valid");
        model.sites.sites = Some(sites);
        let mut current = site;
        current.id = id.clone();
        model.sites.current_site = Some(current);
        let bookmark = Bookmark {
            name: "logs".into(),
            local_dir: Some("/tmp".into()),
            remote_dir: Some("/var/log".into()),
            sync_browsing: false,
        };
        model.update(Msg::Bookmark(BookmarkOutcome::Save(
            bookmark.clone(),
            Some(id.clone()),
        )));
        assert_eq!(
            model.current_site_bookmarks(),
            std::slice::from_ref(&bookmark)
        );
        assert!(
            format!("{:?}", model.take_effects()).contains("Disk"),
            "saved"
        );
        model.update(Msg::Bookmark(BookmarkOutcome::Save(bookmark.clone(), None)));
        assert_eq!(
            model.sites.sites.as_ref().map(|s| s.bookmarks.len()),
            Some(1)
        );
        model.take_effects();

        // Opening it lists the local folder; the remote one only when connected.
        model.update(Msg::OpenBookmark(bookmark.clone()));
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("Disk"), "{effects}");
        assert!(!effects.contains("List("), "{effects}");
        model.connection.site = Some(crate::engine::SessionConfig::new(
            "ftp.example.org",
            21,
            crate::engine::Credentials::anonymous(),
        ));
        model.update(Msg::OpenBookmark(bookmark));
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("List("), "{effects}");
    }
}
