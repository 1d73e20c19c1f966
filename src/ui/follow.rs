//! Synchronized browsing (FileZilla's): when one pane changes folder, the
//! other makes the same move (into the same subfolders, up as many
//! levels); when the folder is missing there, the log and the pane say so
//! and the mode turns off.
//!
//! `update` arms only: a move is seen after the message that made it (a
//! pane's folder differs from the one last seen), so every way of changing
//! folder (double-click, `..`, Backspace, the tree, the path field) is
//! followed. Nothing here sends, draws or reads the clock.

use super::i18n::tr;
use super::pane::{Loc, Pane};
use super::side::Side;
use super::update::Model;
use crate::engine::LogKind;
use crate::engine::queue::SiteKey;
use crate::protocol::path as remote_path;

/// A move from one folder to another: levels up, then names down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// Levels up first.
    pub up: usize,
    /// Then these subfolders, outermost first.
    pub down: Vec<String>,
}

/// The move that goes from `from` to `to`.
pub fn move_between(from: &Loc, to: &Loc) -> Move {
    let (from, to) = (from.lineage(), to.lineage());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    Move {
        up: from.len() - common,
        down: to[common..].iter().map(Loc::name).collect(),
    }
}

/// Where `step` leads from `at` in `pane` (whose rows are `at`'s): `None`
/// when it goes above the root or into a subfolder `at` does not have. A
/// subfolder of the shown folder is taken from its row (the server's own
/// bytes); deeper ones are joined by name.
fn apply(pane: &Pane, at: &Loc, step: &Move) -> Option<Loc> {
    let mut loc = at.clone();
    for _ in 0..step.up {
        loc = loc.parent()?;
    }
    for (i, name) in step.down.iter().enumerate() {
        if i == 0 && step.up == 0 {
            let row = pane.list.rows().iter().find(|r| {
                r.text.as_deref().unwrap_or(&r.name) == name
                    && (r.is_dir()
                        || (pane.side == Side::Remote && r.kind == super::files::RowKind::Link))
            })?;
            loc = loc.child(row);
            continue;
        }
        loc = match loc {
            Loc::Local(path) => Loc::Local(path.join(name)),
            Loc::Remote(path) => Loc::Remote(remote_path::join(&path, name.as_bytes())),
        };
    }
    Some(loc)
}

/// A folder as the log names it.
fn shown(loc: &Loc) -> String {
    match loc {
        Loc::Local(path) => path.display().to_string(),
        Loc::Remote(path) => String::from_utf8_lossy(path).into_owned(),
    }
}

impl Model {
    /// View → Synchronized browsing: on only while both panes show a folder.
    pub(super) fn toggle_sync_browsing(&mut self) {
        if self.view.sync_browsing {
            self.view.sync_browsing = false;
            self.view.follow = None;
            return;
        }
        if self.local.location.is_none() || self.remote.location.is_none() {
            self.log
                .status(LogKind::Error, tr!("note-sync-browsing-needs-both"));
            return;
        }
        self.view.sync_browsing = true;
        self.view.follow = None;
        self.view.sync_site = self.connection.site.as_ref().map(SiteKey::of);
        self.view.seen = (self.local.location.clone(), self.remote.location.clone());
    }

    fn pane_of(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        }
    }

    fn seen_mut(&mut self, side: Side) -> &mut Option<Loc> {
        match side {
            Side::Local => &mut self.view.seen.0,
            Side::Remote => &mut self.view.seen.1,
        }
    }

    /// Turns synchronized browsing off, saying why in the log and above the
    /// pane that could not follow.
    /// The missing-folder question's answers: create it and follow into
    /// it, or stop synchronized browsing.
    pub(super) fn on_sync_folder(&mut self, outcome: super::dialogs::DialogOutcome) {
        use super::dialogs::DialogOutcome;
        match outcome {
            DialogOutcome::SyncFolderCreate { side, folder } => {
                match &folder {
                    Loc::Remote(path) => {
                        // One connection, in order: the folder exists before it is listed.
                        self.browse(crate::engine::BrowseCommand::MakeDir(path.clone()));
                        self.go(side, folder.clone());
                    }
                    Loc::Local(path) => {
                        self.view.go_after_create = Some(folder.clone());
                        self.disk(super::local::LocalRequest::MakeDir(path.clone()));
                    }
                }
                self.view.follow = Some((side, folder));
            }
            DialogOutcome::SyncFolderStop { side, shown } => {
                let text = tr!("note-sync-browsing-missing", folder = shown);
                self.stop_following(side, text);
            }
            _ => {}
        }
    }

    fn stop_following(&mut self, side: Side, text: String) {
        self.view.sync_browsing = false;
        self.view.follow = None;
        self.log.status(LogKind::Warning, text.clone());
        match side {
            Side::Local => self.local.error = Some(text),
            Side::Remote => self.remote.error = Some(text),
        }
    }

    /// With synchronized browsing on: a pane that moved is followed by the
    /// other; the pane sent to follow is watched until it moved (done) or
    /// stopped waiting without moving (the folder is missing there).
    pub(super) fn follow_browsing(&mut self) {
        if !self.view.sync_browsing {
            return;
        }
        if self.connection.site.as_ref().map(SiteKey::of) != self.view.sync_site {
            // Another server: its folders have nothing to do with these.
            self.view.sync_browsing = false;
            self.view.follow = None;
            self.log
                .status(LogKind::Status, tr!("note-sync-browsing-new-site"));
            return;
        }
        if let Some((side, target)) = self.view.follow.clone() {
            let pane = self.pane_of(side);
            let seen = match side {
                Side::Local => &self.view.seen.0,
                Side::Remote => &self.view.seen.1,
            };
            if pane.location != *seen {
                let now = pane.location.clone();
                *self.seen_mut(side) = now;
                self.view.follow = None;
            } else if !pane.busy {
                self.view.follow = None;
                let shown = shown(&target);
                if self.modals.dialog.is_some() {
                    let text = tr!("note-sync-browsing-missing", folder = shown);
                    self.stop_following(side, text);
                } else {
                    // As FileZilla: create it there, or stop browsing in step.
                    self.modals.dialog = Some(super::dialogs::Dialog::SyncFolderMissing {
                        side,
                        folder: target,
                        shown,
                    });
                }
                return;
            }
        }
        for side in [Side::Local, Side::Remote] {
            // Runs after every message, frames included: clone only on a change.
            let seen = match side {
                Side::Local => &self.view.seen.0,
                Side::Remote => &self.view.seen.1,
            };
            if self.pane_of(side).location == *seen {
                continue;
            }
            let now = self.pane_of(side).location.clone();
            let before = std::mem::replace(self.seen_mut(side), now.clone());
            let (Some(before), Some(now)) = (before, now) else {
                continue;
            };
            if before == now || self.view.follow.is_some() {
                continue;
            }
            let other = side.other();
            let Some(at) = self.pane_of(other).location.clone() else {
                continue;
            };
            let step = move_between(&before, &now);
            match apply(self.pane_of(other), &at, &step) {
                Some(target) if target == at => {}
                Some(target) => {
                    self.view.follow = Some((other, target.clone()));
                    self.go(other, target);
                }
                None => {
                    let missing = step.down.last().map(|name| match &at {
                        Loc::Local(path) => Loc::Local(path.join(name)),
                        Loc::Remote(path) => Loc::Remote(remote_path::join(path, name.as_bytes())),
                    });
                    let folder = shown(missing.as_ref().unwrap_or(&at));
                    match missing {
                        // One level down, and nothing else is asked: offer
                        // to create it there (FileZilla's question).
                        Some(missing)
                            if step.up == 0
                                && step.down.len() == 1
                                && self.modals.dialog.is_none() =>
                        {
                            self.modals.dialog = Some(super::dialogs::Dialog::SyncFolderMissing {
                                side: other,
                                folder: missing,
                                shown: folder,
                            });
                        }
                        _ => {
                            let text = tr!("note-sync-browsing-missing", folder = folder);
                            self.stop_following(other, text);
                        }
                    }
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BrowseCommand, Event, RemoteEntry};
    use crate::protocol::listing::{EntryKind, ListEntry};
    use crate::sites::MemoryStore;
    use crate::ui::action::Action;
    use crate::ui::files::{FileRow, RowKind};
    use crate::ui::local::{LocalRequest, LocalResult};
    use crate::ui::pane::PaneEvent;
    use crate::ui::state::{SiteState, UiState};
    use crate::ui::table::TableEvent;
    use crate::ui::update::{Effect, Msg};
    use std::path::PathBuf;
    use std::sync::Arc;

    fn folder_entry(name: &str) -> RemoteEntry {
        RemoteEntry::new(
            name.to_string(),
            Some(name.to_string()),
            ListEntry {
                name: name.as_bytes().to_vec(),
                kind: EntryKind::Dir,
                size: None,
                modified: None,
                permissions: None,
                owner: None,
                group: None,
                target: None,
            },
        )
    }

    fn local_listed(model: &mut Model, path: &str, folders: &[&str]) {
        let rows = folders
            .iter()
            .map(|n| FileRow::new(n.to_string(), RowKind::Folder))
            .collect();
        model.update(Msg::Local(LocalResult::Listed {
            path: PathBuf::from(path),
            for_tree: false,
            rows: Ok(rows),
        }));
    }

    fn remote_listed(model: &mut Model, path: &str, folders: &[&str]) {
        model.update(Msg::Browse(Event::Listing {
            path: path.as_bytes().to_vec(),
            display_path: path.to_string(),
            entries: folders.iter().map(|n| folder_entry(n)).collect(),
        }));
    }

    /// Local `/home/me` (pics, docs) and remote `/pub` (pics, other), with
    /// synchronized browsing on; effects so far dropped.
    fn synced() -> Model {
        let sites = SiteState::new(None, Arc::new(MemoryStore::new()), None);
        let mut model = Model::new(UiState::default(), sites);
        local_listed(&mut model, "/home/me", &["pics", "docs"]);
        remote_listed(&mut model, "/pub", &["pics", "other"]);
        model.update(Msg::Action(Action::SyncBrowsing));
        assert!(model.view.sync_browsing);
        model.take_effects();
        model
    }

    fn activate(model: &mut Model, side: Side, name: &str) {
        let pane = model.pane_of(side);
        let index = pane.list.rows().iter().position(|r| r.name == name);
        let index = index.unwrap_or_else(|| panic!("no row {name}")) as u32;
        model.update(Msg::Pane(
            side,
            PaneEvent::Table(TableEvent::Activate(Some(index))),
        ));
    }

    /// The folders the effects show (listings for the tree left out).
    fn moves(model: &mut Model) -> Vec<Loc> {
        model
            .take_effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Browse(BrowseCommand::List(path)) => Some(Loc::Remote(path)),
                Effect::Disk(LocalRequest::List {
                    path,
                    for_tree: false,
                }) => Some(Loc::Local(path)),
                _ => None,
            })
            .collect()
    }

    fn warnings(model: &Model) -> Vec<String> {
        model
            .log
            .lines()
            .filter(|l| l.kind == LogKind::Warning)
            .map(|l| l.text.clone())
            .collect()
    }

    #[test]
    fn the_other_pane_follows_into_a_subfolder_and_back_up() {
        let mut model = synced();
        activate(&mut model, Side::Local, "pics");
        assert_eq!(
            moves(&mut model),
            [Loc::Local(PathBuf::from("/home/me/pics"))]
        );
        local_listed(&mut model, "/home/me/pics", &[]);
        assert_eq!(moves(&mut model), [Loc::Remote(b"/pub/pics".to_vec())]);
        // The follower's own move is not followed back.
        remote_listed(&mut model, "/pub/pics", &[]);
        assert!(moves(&mut model).is_empty());
        assert!(model.view.sync_browsing);

        // Up on the remote side: the local pane goes up too.
        model.focus = Side::Remote;
        model.update(Msg::Action(Action::Up));
        assert_eq!(moves(&mut model), [Loc::Remote(b"/pub".to_vec())]);
        remote_listed(&mut model, "/pub", &["pics", "other"]);
        assert_eq!(moves(&mut model), [Loc::Local(PathBuf::from("/home/me"))]);
    }

    #[test]
    fn a_folder_missing_on_the_other_side_turns_it_off_and_says_so() {
        let mut model = synced();
        activate(&mut model, Side::Local, "docs");
        model.take_effects();
        local_listed(&mut model, "/home/me/docs", &[]);
        assert!(moves(&mut model).is_empty(), "the remote pane stays");
        // Asked first: create it there, or stop.
        let Some(super::super::dialogs::Dialog::SyncFolderMissing { side, shown, .. }) =
            model.modals.dialog.take()
        else {
            panic!("the question: {:?}", model.modals.dialog);
        };
        assert_eq!(side, Side::Remote);
        assert_eq!(shown, "/pub/docs");
        model.update(Msg::Dialog(
            super::super::dialogs::DialogOutcome::SyncFolderStop { side, shown },
        ));
        assert!(!model.view.sync_browsing);
        let said = warnings(&model);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("/pub/docs"), "{said:?}");
        assert_eq!(model.remote.error.as_deref(), Some(said[0].as_str()));
        // Off: further moves are not followed.
        local_listed(&mut model, "/home/me", &["pics", "docs"]);
        assert!(moves(&mut model).is_empty());
    }

    #[test]
    fn a_follow_the_server_refuses_turns_it_off() {
        let mut model = synced();
        activate(&mut model, Side::Local, "pics");
        local_listed(&mut model, "/home/me/pics", &[]);
        model.take_effects();
        model.update(Msg::Browse(Event::Failed {
            what: "list /pub/pics".to_string(),
            message: "550 No such directory".to_string(),
            action: crate::engine::wording::UserMessage::new(
                "engine-action-list",
                &[("path", "/pub/pics".to_string())],
            ),
            error: crate::engine::EngineError::NotFound("/pub/pics".into()).user_message(),
        }));
        let Some(super::super::dialogs::Dialog::SyncFolderMissing { side, shown, .. }) =
            model.modals.dialog.take()
        else {
            panic!("the question: {:?}", model.modals.dialog);
        };
        model.update(Msg::Dialog(
            super::super::dialogs::DialogOutcome::SyncFolderStop { side, shown },
        ));
        assert!(!model.view.sync_browsing);
        assert!(warnings(&model)[0].contains("/pub/pics"));
    }

    #[test]
    fn connecting_to_another_server_turns_it_off() {
        let mut model = synced();
        let other = crate::engine::SessionConfig::new(
            "other.example.org".to_string(),
            21,
            crate::engine::Credentials::anonymous(),
        );
        model.update(Msg::Connect(Box::new(other)));
        assert!(!model.view.sync_browsing);
        model.take_effects();
        remote_listed(&mut model, "/home/other", &[]);
        assert!(moves(&mut model).is_empty(), "the local pane stays");
    }

    #[test]
    fn it_needs_both_panes() {
        let sites = SiteState::new(None, Arc::new(MemoryStore::new()), None);
        let mut model = Model::new(UiState::default(), sites);
        local_listed(&mut model, "/home/me", &[]);
        model.update(Msg::Action(Action::SyncBrowsing));
        assert!(!model.view.sync_browsing);
        model.update(Msg::Action(Action::SyncBrowsing));
        assert!(!model.view.sync_browsing);
    }

    #[test]
    fn moves_between_folders() {
        let local = |p: &str| Loc::Local(PathBuf::from(p));
        let remote = |p: &str| Loc::Remote(p.as_bytes().to_vec());
        let cases = [
            (local("/home/me"), local("/home/me/pics"), 0, vec!["pics"]),
            (local("/home/me/pics"), local("/home/me"), 1, vec![]),
            (remote("/pub/a/b"), remote("/pub/c"), 2, vec!["c"]),
            (remote("/pub"), remote("/pub/x/y"), 0, vec!["x", "y"]),
        ];
        for (from, to, up, down) in cases {
            let step = move_between(&from, &to);
            assert_eq!(step.up, up, "{from:?} -> {to:?}");
            assert_eq!(step.down, down, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn a_missing_folder_can_be_created_and_browsing_goes_on() {
        let mut model = synced();
        activate(&mut model, Side::Local, "docs");
        model.take_effects();
        local_listed(&mut model, "/home/me/docs", &[]);
        let Some(super::super::dialogs::Dialog::SyncFolderMissing { side, folder, .. }) =
            model.modals.dialog.take()
        else {
            panic!("the question: {:?}", model.modals.dialog);
        };
        model.update(Msg::Dialog(
            super::super::dialogs::DialogOutcome::SyncFolderCreate { side, folder },
        ));
        let effects = format!("{:?}", model.take_effects());
        assert!(effects.contains("MakeDir("), "{effects}");
        let make = effects.find("MakeDir(").unwrap_or(usize::MAX);
        let list = effects.find("List(").unwrap_or(0);
        assert!(make < list, "created, then listed: {effects}");
        assert!(model.view.sync_browsing, "still in step");
    }
}
