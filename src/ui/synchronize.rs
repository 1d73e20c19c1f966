//! The `update` arms of Transfer → Synchronize…: the plan of
//! [`crate::sync::plan`] for the two folders the panes show, made from
//! their listings (no I/O: both are in the model), and its run.
//!
//! The window plans one level, the rows the panes hold: a folder only the
//! source has is copied whole (one folder item on the queue, which walks
//! it), a folder both have is not compared inside. Transfers go on the
//! transfer queue as any other; deletions go where the window's Delete goes
//! (the trash for local files, DELE/RMD on the server). Nothing here sends,
//! draws or reads the clock.

use super::compare::entry;
use super::dialogs::DialogOutcome;
use super::files::FileRow;
use super::i18n::tr;
use super::side::Side;
use super::sync_dialog::{SyncDialog, SyncOptions, SyncOutcome, SyncWay};
use super::update::{Model, Msg};
use crate::engine::LogKind;
use crate::sync::{Action, Direction, Excludes, PlanOptions, Tree, plan};

/// A pane's rows as the planner's tree: one level, by name; a remote name
/// that is not safe as a local file name is marked so, and only skipped.
pub fn tree(rows: &[FileRow], remote: bool) -> Tree {
    let mut tree = Tree::new();
    for row in rows {
        let mut e = entry(row);
        if remote {
            let raw = row.raw.as_deref().unwrap_or(row.name.as_bytes());
            e.unsafe_name = crate::names::local_name(row.text.as_deref(), raw).is_err();
        }
        tree.insert(super::compare::match_name(row), e);
    }
    tree
}

impl Model {
    /// Opens the dialog with the plan for the folders shown, or says what
    /// is missing.
    pub(super) fn open_synchronize(&mut self) {
        if self.local.location.is_none()
            || self.remote.location.is_none()
            || self.connection.site.is_none()
        {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        }
        self.view.sync_dialog = Some(self.sync_plan(SyncOptions::default()));
    }

    /// The dialog's content for `options`.
    fn sync_plan(&self, options: SyncOptions) -> SyncDialog {
        let local = tree(self.local.list.rows(), false);
        let remote = tree(self.remote.list.rows(), true);
        let direction = match options.way {
            SyncWay::Upload => Direction::Upload,
            SyncWay::Download => Direction::Download,
            SyncWay::BothWays => Direction::TwoWay,
        };
        let globs: Vec<String> = options
            .excludes
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect();
        let (excludes, excludes_error) = match Excludes::new(&globs) {
            Ok(excludes) => (excludes, None),
            Err(why) => (
                Excludes::default(),
                Some(tr!("sync-excludes-bad", reason = why)),
            ),
        };
        let plan_options = PlanOptions {
            compare: options.compare,
            delete: options.delete && options.way != SyncWay::BothWays,
            excludes,
        };
        // Both ways without a state: the planner's first sync, which
        // deletes nothing.
        let plan = plan(&local, &remote, direction, &plan_options, None);
        let summary = plan.summary();
        SyncDialog {
            options,
            plan,
            summary,
            excludes_error,
        }
    }

    /// The dialog changed an option, ran or closed.
    pub(super) fn on_synchronize(&mut self, outcome: SyncOutcome) {
        match outcome {
            SyncOutcome::Options(options) => {
                self.view.sync_dialog = Some(self.sync_plan(options));
            }
            SyncOutcome::Cancel => self.view.sync_dialog = None,
            SyncOutcome::Run => {
                if let Some(dialog) = self.view.sync_dialog.take() {
                    self.run_sync_plan(&dialog);
                }
            }
        }
    }

    /// Queues the plan's transfers and carries out its deletions.
    fn run_sync_plan(&mut self, dialog: &SyncDialog) {
        let row_of = |rows: &[FileRow], path: &str| {
            rows.iter()
                .find(|r| super::compare::match_name(r) == path)
                .cloned()
        };
        let (mut up, mut down, mut gone_local, mut gone_remote) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for step in &dialog.plan.steps {
            let (rows, into) = match step.action {
                Action::Upload | Action::MkdirRemote => (self.local.list.rows(), &mut up),
                Action::Download | Action::MkdirLocal => (self.remote.list.rows(), &mut down),
                Action::DeleteLocal => (self.local.list.rows(), &mut gone_local),
                Action::DeleteRemote => (self.remote.list.rows(), &mut gone_remote),
                Action::Conflict | Action::Skip => continue,
            };
            into.extend(row_of(rows, &step.path));
        }
        let total = dialog.plan.steps.len();
        self.log
            .status(LogKind::Status, tr!("note-sync-running", count = total));
        self.transfer_rows(Side::Local, up, true);
        self.transfer_rows(Side::Remote, down, true);
        for (side, rows) in [(Side::Local, gone_local), (Side::Remote, gone_remote)] {
            if !rows.is_empty() {
                self.update(Msg::Dialog(DialogOutcome::Delete { side, rows }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::queue::{Direction as QueueDirection, QueueCommand};
    use crate::engine::{BrowseCommand, Credentials, Event, RemoteEntry, SessionConfig};
    use crate::protocol::listing::{EntryKind, ListEntry};
    use crate::sites::MemoryStore;
    use crate::ui::files::RowKind;
    use crate::ui::local::LocalResult;
    use crate::ui::state::{SiteState, UiState};
    use crate::ui::update::Effect;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn remote_file(name: &str, size: u64) -> RemoteEntry {
        RemoteEntry::new(
            name.to_string(),
            Some(name.to_string()),
            ListEntry {
                name: name.as_bytes().to_vec(),
                kind: EntryKind::File,
                size: Some(size),
                modified: None,
                permissions: None,
                owner: None,
                group: None,
                target: None,
            },
        )
    }

    /// Local `/home/me`: a.txt (3 bytes), b.txt (5), pics/; remote `/pub`:
    /// b.txt (4), old.txt (1).
    fn model() -> Model {
        let sites = SiteState::new(None, Arc::new(MemoryStore::new()), None);
        let mut model = Model::new(UiState::default(), sites);
        model.update(Msg::Connect(Box::new(SessionConfig::new(
            "ftp.example.org".to_string(),
            21,
            Credentials::anonymous(),
        ))));
        let file = |name: &str, size| {
            let mut row = FileRow::new(name.to_string(), RowKind::File);
            row.size = Some(size);
            row
        };
        model.update(Msg::Local(LocalResult::Listed {
            path: PathBuf::from("/home/me"),
            for_tree: false,
            rows: Ok(vec![
                file("a.txt", 3),
                file("b.txt", 5),
                FileRow::new("pics".to_string(), RowKind::Folder),
            ]),
        }));
        model.update(Msg::Browse(Event::Listing {
            path: b"/pub".to_vec(),
            display_path: "/pub".to_string(),
            entries: vec![remote_file("b.txt", 4), remote_file("old.txt", 1)],
        }));
        model.take_effects();
        model
    }

    #[test]
    fn the_dialog_shows_the_plan_and_run_queues_it() {
        let mut model = model();
        model.update(Msg::Action(crate::ui::action::Action::Synchronize));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert_eq!((dialog.summary.upload, dialog.summary.upload_bytes), (2, 8));
        assert_eq!(dialog.summary.mkdir_remote, 1);
        assert_eq!(dialog.summary.delete_remote, 0, "no delete unless asked");

        let options = SyncOptions {
            delete: true,
            ..dialog.options.clone()
        };
        model.update(Msg::Synchronize(SyncOutcome::Options(options)));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert_eq!(dialog.summary.delete_remote, 1);
        assert!(model.take_effects().is_empty(), "nothing runs before Run");

        model.update(Msg::Synchronize(SyncOutcome::Run));
        assert!(model.view.sync_dialog.is_none());
        let effects = model.take_effects();
        let items: Vec<(String, bool, QueueDirection)> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Queue(QueueCommand::Add { items, .. }) => Some(items),
                _ => None,
            })
            .flatten()
            .map(|i| (i.remote_display.clone(), i.is_dir, i.direction))
            .collect();
        assert_eq!(
            items,
            [
                ("/pub/a.txt".to_string(), false, QueueDirection::Upload),
                ("/pub/b.txt".to_string(), false, QueueDirection::Upload),
                ("/pub/pics".to_string(), true, QueueDirection::Upload),
            ]
        );
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::Browse(BrowseCommand::Delete { path, is_dir: false }) if path == b"/pub/old.txt"
            )),
            "{effects:?}"
        );
    }

    #[test]
    fn both_ways_deletes_nothing_and_exclusions_leave_names_alone() {
        let mut model = model();
        model.update(Msg::Action(crate::ui::action::Action::Synchronize));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        let both = SyncOptions {
            way: SyncWay::BothWays,
            delete: true,
            ..dialog.options.clone()
        };
        model.update(Msg::Synchronize(SyncOutcome::Options(both.clone())));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        let summary = &dialog.summary;
        assert_eq!(
            summary.delete_remote + summary.delete_local,
            0,
            "{summary:?}"
        );
        assert!(
            summary.download >= 1,
            "the server's own file comes down: {summary:?}"
        );
        // a.txt goes up; b.txt (other sizes, no time to tell) is a conflict.
        let uploads = summary.upload;
        assert!(uploads >= 1, "{summary:?}");
        assert!(summary.conflict >= 1, "{summary:?}");

        let excluded = SyncOptions {
            excludes: "a.txt, *.nothing".to_string(),
            ..both.clone()
        };
        model.update(Msg::Synchronize(SyncOutcome::Options(excluded)));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert_eq!(dialog.summary.upload, uploads - 1);
        assert!(dialog.excludes_error.is_none());

        let bad = SyncOptions {
            excludes: "[".to_string(),
            ..both
        };
        model.update(Msg::Synchronize(SyncOutcome::Options(bad)));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert!(dialog.excludes_error.is_some());
        assert_eq!(dialog.summary.upload, uploads, "no exclusion applied");
    }
}
