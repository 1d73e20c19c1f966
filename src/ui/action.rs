//! Every user action, once: its label and its keyboard shortcut.
//!
//! Menus, context menus, toolbar buttons and the keyboard all go through
//! [`Action`], so a menu item and its shortcut cannot drift apart (rerun's
//! `UICommand`). The app decides what an action means in the pane that has
//! the focus; this module only names them.

use eframe::egui::{Key, KeyboardShortcut, Modifiers};

use super::i18n::tr;

/// A user action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Open the site manager.
    SiteManager,
    /// Connect again to the last site.
    Reconnect,
    /// Close the connection.
    Disconnect,
    /// List the focused pane's folder again.
    Refresh,
    /// Start or stop processing the queue.
    ToggleQueue,
    /// Cancel every transfer and pause the queue.
    CancelAll,
    /// Enter the selected folder, or transfer the selected file.
    Open,
    /// Go to the parent folder.
    Up,
    /// Transfer the selection to the other pane's folder now.
    Transfer,
    /// Add the selection to the queue without starting it.
    AddToQueue,
    /// Open a local file with the system's default application.
    OpenWithSystem,
    /// Create a folder in the focused pane.
    MakeDir,
    /// Rename the selected entry.
    Rename,
    /// Delete the selection (asks first; local files go to the trash).
    Delete,
    /// Select every row of the focused pane.
    SelectAll,
    /// Move the focus to the other pane.
    SwitchPane,
    /// Copy the selection's `ftp://` URL.
    CopyUrl,
    /// Clear the message log.
    ClearLog,
    /// Import sites from FileZilla.
    ImportSites,
    /// Write the saved sites to a file of Skiff's format (no passwords).
    ExportSites,
    /// Open the Settings dialog.
    Settings,
    /// Add a bookmark for the panes' folders.
    AddBookmark,
    /// Leave Skiff.
    Quit,
    /// View → Directory comparison: mark what differs in both panes.
    ToggleComparison,
    /// Compare files by size and time.
    CompareSizeTime,
    /// Compare files by size only.
    CompareSize,
    /// Compare files by time only.
    CompareTime,
    /// Hide the files that are the same in both panes.
    HideIdentical,
    /// View → Synchronized browsing: the other pane follows folder changes.
    SyncBrowsing,
    /// Transfer → Synchronize…: plan and run a sync of the two folders.
    Synchronize,
    /// File permissions… of the selected remote entry (`SITE CHMOD`).
    Permissions,
    /// Server → Enter custom command…
    CustomCommand,
    /// Server → Search remote files… from the remote pane's folder.
    SearchRemote,
    /// View/Edit the selected remote files: fetched, opened in the editor,
    /// uploaded back when saved.
    ViewEdit,
    /// File → Show files being edited…
    EditedFiles,
}

impl Action {
    /// Every action, in menu order.
    pub const ALL: [Action; 35] = [
        Action::SiteManager,
        Action::Reconnect,
        Action::Disconnect,
        Action::Refresh,
        Action::ToggleQueue,
        Action::CancelAll,
        Action::Open,
        Action::Up,
        Action::Transfer,
        Action::AddToQueue,
        Action::OpenWithSystem,
        Action::MakeDir,
        Action::Rename,
        Action::Delete,
        Action::SelectAll,
        Action::SwitchPane,
        Action::CopyUrl,
        Action::ClearLog,
        Action::ImportSites,
        Action::ExportSites,
        Action::Settings,
        Action::AddBookmark,
        Action::Quit,
        Action::ToggleComparison,
        Action::CompareSizeTime,
        Action::CompareSize,
        Action::CompareTime,
        Action::HideIdentical,
        Action::SyncBrowsing,
        Action::Synchronize,
        Action::Permissions,
        Action::CustomCommand,
        Action::SearchRemote,
        Action::ViewEdit,
        Action::EditedFiles,
    ];

    /// The label on menus and buttons, in the window's language. Transfer
    /// reads "Download" or "Upload" by pane: see [`Self::label_for`].
    pub fn label(self) -> String {
        match self {
            Action::SiteManager => tr!("action-site-manager"),
            Action::Reconnect => tr!("action-reconnect"),
            Action::Disconnect => tr!("action-disconnect"),
            Action::Refresh => tr!("action-refresh"),
            Action::ToggleQueue => tr!("action-toggle-queue"),
            Action::CancelAll => tr!("action-cancel-all"),
            Action::Open => tr!("action-open"),
            Action::Up => tr!("action-up"),
            Action::Transfer => tr!("action-transfer"),
            Action::AddToQueue => tr!("action-add-to-queue"),
            Action::OpenWithSystem => tr!("action-open-with-system"),
            Action::MakeDir => tr!("action-make-dir"),
            Action::Rename => tr!("action-rename"),
            Action::Delete => tr!("action-delete"),
            Action::SelectAll => tr!("action-select-all"),
            Action::SwitchPane => tr!("action-switch-pane"),
            Action::CopyUrl => tr!("action-copy-url"),
            Action::ClearLog => tr!("action-clear-log"),
            Action::ImportSites => tr!("action-import-sites"),
            Action::ExportSites => tr!("action-export-sites"),
            Action::Settings => tr!("action-settings"),
            Action::AddBookmark => tr!("action-add-bookmark"),
            Action::Quit => tr!("action-quit"),
            Action::ToggleComparison => tr!("action-compare"),
            Action::CompareSizeTime => tr!("action-compare-size-time"),
            Action::CompareSize => tr!("action-compare-size"),
            Action::CompareTime => tr!("action-compare-time"),
            Action::HideIdentical => tr!("action-hide-identical"),
            Action::SyncBrowsing => tr!("action-sync-browsing"),
            Action::Synchronize => tr!("action-synchronize"),
            Action::Permissions => tr!("action-permissions"),
            Action::CustomCommand => tr!("action-custom-command"),
            Action::SearchRemote => tr!("action-search-remote"),
            Action::ViewEdit => tr!("action-view-edit"),
            Action::EditedFiles => tr!("action-edited-files"),
        }
    }

    /// The label in a pane: remote transfers are downloads, local ones uploads.
    pub fn label_for(self, remote: bool) -> String {
        match (self, remote) {
            (Action::Transfer, true) => tr!("action-download"),
            (Action::Transfer, false) => tr!("action-upload"),
            _ => self.label(),
        }
    }

    /// The keyboard shortcut, if it has one.
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let key = |modifiers, key| Some(KeyboardShortcut::new(modifiers, key));
        match self {
            Action::SiteManager => key(Modifiers::COMMAND, Key::S),
            Action::Reconnect => key(Modifiers::COMMAND, Key::R),
            Action::Disconnect => key(Modifiers::COMMAND, Key::D),
            Action::Refresh => key(Modifiers::NONE, Key::F5),
            Action::ToggleQueue => key(Modifiers::COMMAND, Key::P),
            Action::Open => key(Modifiers::NONE, Key::Enter),
            Action::Up => key(Modifiers::NONE, Key::Backspace),
            Action::MakeDir => key(Modifiers::NONE, Key::F7),
            Action::Rename => key(Modifiers::NONE, Key::F2),
            Action::Delete => key(Modifiers::NONE, Key::Delete),
            Action::SelectAll => key(Modifiers::COMMAND, Key::A),
            Action::SwitchPane => key(Modifiers::NONE, Key::Tab),
            Action::Quit => key(Modifiers::COMMAND, Key::Q),
            Action::AddBookmark => key(Modifiers::COMMAND, Key::B),
            // FileZilla's keys for the two View toggles.
            Action::ToggleComparison => key(Modifiers::COMMAND, Key::O),
            Action::SyncBrowsing => key(Modifiers::COMMAND, Key::Y),
            // FileZilla's key for its list of files being edited.
            Action::EditedFiles => key(Modifiers::COMMAND, Key::E),
            Action::CancelAll
            | Action::Transfer
            | Action::AddToQueue
            | Action::OpenWithSystem
            | Action::CopyUrl
            | Action::ClearLog
            | Action::ImportSites
            | Action::ExportSites
            | Action::Settings
            | Action::CompareSizeTime
            | Action::CompareSize
            | Action::CompareTime
            | Action::HideIdentical
            | Action::Synchronize
            | Action::Permissions
            | Action::CustomCommand
            | Action::SearchRemote
            | Action::ViewEdit => None,
        }
    }

    /// Does the shortcut work while a text field has the keyboard? Plain
    /// keys (Enter, Backspace, Delete, Tab, Ctrl+A) belong to the text field then.
    pub fn works_while_typing(self) -> bool {
        self.shortcut().is_some_and(|s| {
            s.modifiers.command && s.logical_key != Key::A || is_function_key(s.logical_key)
        })
    }

    /// "Ctrl+S", for menus.
    pub fn shortcut_text(self, ctx: &eframe::egui::Context) -> Option<String> {
        self.shortcut().map(|s| ctx.format_shortcut(&s))
    }
}

fn is_function_key(key: Key) -> bool {
    matches!(key, Key::F2 | Key::F5 | Key::F7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_action_is_listed_once_and_shortcuts_are_unique() {
        let all: HashSet<Action> = Action::ALL.into_iter().collect();
        assert_eq!(all.len(), Action::ALL.len());
        let mut seen = HashSet::new();
        for action in Action::ALL {
            if let Some(s) = action.shortcut() {
                assert!(
                    seen.insert((s.modifiers.command, s.logical_key)),
                    "{action:?}"
                );
            }
            assert!(!action.label().is_empty());
        }
    }

    #[test]
    fn the_issue_keys_are_bound() {
        let key = |a: Action| a.shortcut().map(|s| s.logical_key);
        assert_eq!(key(Action::Refresh), Some(Key::F5));
        assert_eq!(key(Action::Open), Some(Key::Enter));
        assert_eq!(key(Action::Up), Some(Key::Backspace));
        assert_eq!(key(Action::Delete), Some(Key::Delete));
        assert_eq!(key(Action::Rename), Some(Key::F2));
        assert_eq!(key(Action::SelectAll), Some(Key::A));
        assert_eq!(key(Action::SwitchPane), Some(Key::Tab));
        assert!(!Action::Up.works_while_typing());
        assert!(Action::Refresh.works_while_typing());
        assert!(Action::SiteManager.works_while_typing());
    }
}
