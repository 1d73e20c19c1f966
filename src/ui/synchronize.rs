//! The `update` arms of Transfer → Synchronize…: both folders the panes
//! show are walked all the way down (the server's by an engine job, the
//! disk's on the blocking pool, neither on the window's thread), planned by
//! [`crate::sync::plan`] as the walks finish, shown, and run.
//!
//! A run makes its folders first (remote ones by an engine job, local ones
//! on the blocking pool, parents before children), then puts every
//! transfer on the transfer queue as any other, and deletes where the
//! window's Delete does (the trash for local files; DELE/RMD on the
//! browsing connection, children first). Nothing here sends, draws, reads
//! the disk or the clock: it asks for [`Effect`]s and handles the answers.

use std::path::PathBuf;

use super::i18n::tr;
use super::local::{LocalError, LocalRequest};
use super::pane::Loc;
use super::sync_dialog::{SyncDialog, SyncOptions, SyncOutcome, SyncWay};
use super::sync_trees::{PendingRun, SyncRun, SyncTrees};
use super::update::{Effect, Model};
use crate::engine::ops::jobs::{JobId, OpsCommand};
use crate::engine::{BrowseCommand, LogKind, RemoteEntry};
use crate::sync::{Direction, Excludes, Plan, PlanOptions, Tree, plan};

impl Model {
    /// Opens the dialog and starts walking both folders; the plan is shown
    /// when both walks have ended.
    pub(super) fn open_synchronize(&mut self) {
        let (Some(Loc::Local(local)), Some(Loc::Remote(remote)), Some(site)) = (
            self.local.location.clone(),
            self.remote.location.clone(),
            self.connection.site.clone(),
        ) else {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        };
        self.stop_sync_walk();
        let job = self.ops.next_job();
        let connections = self.op_connections();
        self.effects.push(Effect::Ops(OpsCommand::Walk {
            job,
            config: Box::new(site),
            root: remote.clone(),
            connections,
        }));
        self.disk(LocalRequest::WalkTree(local.clone()));
        let shown = self.remote.path_edit.clone();
        self.view.sync_trees = Some(SyncTrees::new(local, remote, shown, job));
        self.view.sync_dialog = Some(self.sync_plan(SyncOptions::default()));
    }

    /// Cancels a walk still running (the dialog closed, or opened anew).
    fn stop_sync_walk(&mut self) {
        if let Some(trees) = self.view.sync_trees.take()
            && trees.remote_done.is_none()
        {
            self.effects
                .push(Effect::Ops(OpsCommand::Cancel(trees.job)));
        }
    }

    /// The dialog's content for `options`: the plan once both trees are
    /// walked, else how far the walk is, or why it failed.
    fn sync_plan(&self, options: SyncOptions) -> SyncDialog {
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
        let mut dialog = SyncDialog {
            options,
            plan: Plan::default(),
            summary: Default::default(),
            excludes_error,
            walking: None,
            error: None,
        };
        let Some(trees) = &self.view.sync_trees else {
            return dialog;
        };
        if let Some(why) = trees.error() {
            dialog.error = Some(tr!("sync-walk-failed", reason = why));
        } else if let (true, Some(Ok(local))) = (trees.walked(), &trees.local) {
            // Both ways without a state: the planner's first sync, which
            // deletes nothing.
            dialog.plan = plan(local, &trees.remote, direction, &plan_options, None);
            dialog.summary = dialog.plan.summary();
        } else {
            dialog.walking = Some(trees.listed);
        }
        dialog
    }

    /// Plans again with the dialog's options (a walk moved on or ended).
    fn replan_sync(&mut self) {
        if let Some(options) = self.view.sync_dialog.as_ref().map(|d| d.options.clone()) {
            self.view.sync_dialog = Some(self.sync_plan(options));
        }
    }

    /// A folder the server walk listed.
    pub(super) fn on_sync_listed(&mut self, job: JobId, folder: &[u8], entries: Vec<RemoteEntry>) {
        let Some(trees) = self.view.sync_trees.as_mut().filter(|t| t.job == job) else {
            return;
        };
        trees.add_folder(folder, entries);
        let listed = trees.listed;
        if let Some(dialog) = self.view.sync_dialog.as_mut() {
            dialog.walking = Some(listed);
        }
    }

    /// An engine job ended: the server walk, or the making of a run's
    /// remote folders. Returns whether it was one of those.
    pub(super) fn on_sync_job_finished(&mut self, job: JobId, error: Option<&str>) -> bool {
        if let Some(trees) = self.view.sync_trees.as_mut().filter(|t| t.job == job) {
            trees.remote_done = Some(error.map_or(Ok(()), |e| Err(e.to_string())));
            self.replan_sync();
            return true;
        }
        if let Some(pending) = self
            .view
            .sync_run
            .as_mut()
            .filter(|p| p.remote_job == Some(job))
        {
            pending.remote_job = None;
            if let Some(error) = error {
                self.log.status(LogKind::Error, error.to_string());
            }
            self.start_sync_run();
            return true;
        }
        false
    }

    /// The local tree was walked.
    pub(super) fn on_sync_local_tree(
        &mut self,
        root: PathBuf,
        tree: Result<Box<Tree>, LocalError>,
    ) {
        let Some(trees) = self
            .view
            .sync_trees
            .as_mut()
            .filter(|t| t.local_root == root && t.local.is_none())
        else {
            return;
        };
        trees.local = Some(tree.map(|t| *t).map_err(|e| e.to_string()));
        self.replan_sync();
    }

    /// A run's local folders were made.
    pub(super) fn on_sync_local_dirs(&mut self, errors: Vec<LocalError>) {
        for error in errors {
            self.log.status(LogKind::Error, error.to_string());
        }
        if let Some(pending) = self.view.sync_run.as_mut() {
            pending.local_pending = false;
            self.start_sync_run();
        }
    }

    /// The dialog changed an option, ran or closed.
    pub(super) fn on_synchronize(&mut self, outcome: SyncOutcome) {
        match outcome {
            SyncOutcome::Options(options) => {
                self.view.sync_dialog = Some(self.sync_plan(options));
            }
            SyncOutcome::Cancel => {
                self.view.sync_dialog = None;
                self.stop_sync_walk();
            }
            SyncOutcome::Run => {
                if let (Some(dialog), Some(trees)) =
                    (self.view.sync_dialog.take(), self.view.sync_trees.take())
                {
                    self.run_sync_plan(&dialog, &trees);
                }
            }
        }
    }

    /// Makes the plan's folders, then (in [`Self::start_sync_run`]) queues
    /// its transfers and carries out its deletions.
    fn run_sync_plan(&mut self, dialog: &SyncDialog, trees: &SyncTrees) {
        let Some(site) = self.connection.site.clone() else {
            self.log.status(LogKind::Error, tr!("note-connect-first"));
            return;
        };
        let mut run = trees.run_of(&dialog.plan);
        let total = dialog.plan.steps.len();
        self.log
            .status(LogKind::Status, tr!("note-sync-running", count = total));
        let remote_job = (!run.remote_dirs.is_empty()).then(|| {
            let job = self.ops.next_job();
            self.effects.push(Effect::Ops(OpsCommand::MakeDirs {
                job,
                config: Box::new(site),
                paths: std::mem::take(&mut run.remote_dirs),
            }));
            job
        });
        let local_pending = !run.local_dirs.is_empty();
        if local_pending {
            self.disk(LocalRequest::MakeDirs(std::mem::take(&mut run.local_dirs)));
        }
        self.view.sync_run = Some(PendingRun {
            remote_job,
            local_pending,
            run,
        });
        self.start_sync_run();
    }

    /// Once a run's folders are there: its transfers go on the queue and
    /// its deletions are sent.
    fn start_sync_run(&mut self) {
        let ready = self
            .view
            .sync_run
            .as_ref()
            .is_some_and(|p| p.remote_job.is_none() && !p.local_pending);
        if !ready {
            return;
        }
        let Some(PendingRun { run, .. }) = self.view.sync_run.take() else {
            return;
        };
        let SyncRun {
            items,
            trash,
            remote_deletes,
            ..
        } = run;
        if let Some(site) = self.connection.site.clone() {
            self.enqueue(&site, items, true);
        }
        if !trash.is_empty() {
            self.disk(LocalRequest::Trash(trash));
        }
        for (path, is_dir) in remote_deletes {
            self.browse(BrowseCommand::Delete { path, is_dir });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ops::jobs::OpsEvent;
    use crate::engine::queue::{Direction as QueueDirection, QueueCommand};
    use crate::engine::{Credentials, Event, SessionConfig};
    use crate::protocol::listing::EntryKind;
    use crate::sites::MemoryStore;
    use crate::sync::Entry;
    use crate::ui::files::{FileRow, RowKind};
    use crate::ui::local::LocalResult;
    use crate::ui::state::{SiteState, UiState};
    use crate::ui::update::Msg;
    use std::sync::Arc;

    fn remote(name: &str, kind: EntryKind, size: Option<u64>) -> RemoteEntry {
        crate::ui::update::test_support::entry(name.as_bytes(), Some(name), kind, size)
    }

    /// Local `/home/me`, remote `/pub`, both shown; Synchronize… opened.
    /// Returns the model and the walk's job.
    fn opened() -> (Model, JobId) {
        let sites = SiteState::new(None, Arc::new(MemoryStore::new()), None);
        let mut model = Model::new(UiState::default(), sites);
        model.update(Msg::Connect(Box::new(SessionConfig::new(
            "ftp.example.org".to_string(),
            21,
            Credentials::anonymous(),
        ))));
        model.update(Msg::Local(LocalResult::Listed {
            path: PathBuf::from("/home/me"),
            for_tree: false,
            rows: Ok(vec![FileRow::new("a.txt".to_string(), RowKind::File)]),
        }));
        model.update(Msg::Browse(Event::Listing {
            path: b"/pub".to_vec(),
            display_path: "/pub".to_string(),
            entries: vec![],
        }));
        model.take_effects();
        model.update(Msg::Action(crate::ui::action::Action::Synchronize));
        let effects = model.take_effects();
        let job = effects
            .iter()
            .find_map(|e| match e {
                Effect::Ops(OpsCommand::Walk { job, root, .. }) if root == b"/pub" => Some(*job),
                _ => None,
            })
            .expect("the server walk is an engine job");
        assert!(
            effects.iter().any(|e| matches!(
                e,
                Effect::Disk(LocalRequest::WalkTree(root)) if root == &PathBuf::from("/home/me")
            )),
            "the local walk runs off the window's thread"
        );
        (model, job)
    }

    /// The server: b.txt (4), old.txt (1), sub/ with x.txt (4); the disk:
    /// a.txt (3), b.txt (5), pics/p.txt (1), sub/x.txt (5).
    fn walked(model: &mut Model, job: JobId) {
        let folder = |folder: &[u8], entries| {
            Msg::OpsEvent(OpsEvent::Folder {
                job,
                folder: folder.to_vec(),
                entries,
            })
        };
        model.update(folder(
            b"/pub",
            vec![
                remote("b.txt", EntryKind::File, Some(4)),
                remote("old.txt", EntryKind::File, Some(1)),
                remote("sub", EntryKind::Dir, None),
            ],
        ));
        model.update(folder(
            b"/pub/sub",
            vec![remote("x.txt", EntryKind::File, Some(4))],
        ));
        model.update(Msg::OpsEvent(OpsEvent::Finished {
            job,
            done: 2,
            failures: vec![],
            error: None,
        }));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert_eq!(dialog.walking, Some(2), "the local walk is not in yet");
        assert!(dialog.plan.steps.is_empty());
        let mut local = Tree::new();
        local.insert("a.txt", Entry::file(3, None));
        local.insert("b.txt", Entry::file(5, None));
        local.insert("pics", Entry::folder());
        local.insert("pics/p.txt", Entry::file(1, None));
        local.insert("sub", Entry::folder());
        local.insert("sub/x.txt", Entry::file(5, None));
        model.update(Msg::Local(LocalResult::TreeWalked {
            root: PathBuf::from("/home/me"),
            tree: Ok(Box::new(local)),
        }));
    }

    #[test]
    fn the_dialog_walks_both_trees_shows_the_plan_and_run_queues_it() {
        let (mut model, job) = opened();
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert_eq!(dialog.walking, Some(0));
        walked(&mut model, job);
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert_eq!(dialog.walking, None);
        // a.txt, b.txt, pics/p.txt and sub/x.txt (inside a folder both have).
        assert_eq!(
            (dialog.summary.upload, dialog.summary.upload_bytes),
            (4, 14)
        );
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
        let make = effects.iter().find_map(|e| match e {
            Effect::Ops(OpsCommand::MakeDirs { job, paths, .. }) => Some((*job, paths.clone())),
            _ => None,
        });
        let (make_job, paths) = make.expect("the folders are made first");
        assert_eq!(paths, [b"/pub/pics".to_vec()]);
        assert!(
            !effects.iter().any(|e| matches!(e, Effect::Queue(_))),
            "no transfer before its folder"
        );
        model.update(Msg::OpsEvent(OpsEvent::Finished {
            job: make_job,
            done: 1,
            failures: vec![],
            error: None,
        }));
        let effects = model.take_effects();
        let items: Vec<(String, QueueDirection)> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Queue(QueueCommand::Add { items, .. }) => Some(items),
                _ => None,
            })
            .flatten()
            .map(|i| (i.remote_display.clone(), i.direction))
            .collect();
        let up = |p: &str| (p.to_string(), QueueDirection::Upload);
        assert_eq!(
            items,
            [
                up("/pub/a.txt"),
                up("/pub/b.txt"),
                up("/pub/pics/p.txt"),
                up("/pub/sub/x.txt")
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
        let (mut model, job) = opened();
        walked(&mut model, job);
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

    #[test]
    fn a_failed_walk_is_said_and_closing_cancels_the_walk() {
        let (mut model, job) = opened();
        model.update(Msg::OpsEvent(OpsEvent::Finished {
            job,
            done: 0,
            failures: vec![],
            error: Some("the connection was lost".to_string()),
        }));
        let dialog = model.view.sync_dialog.clone().expect("the dialog");
        assert!(
            dialog
                .error
                .as_deref()
                .is_some_and(|e| e.contains("the connection was lost")),
            "{dialog:?}"
        );
        let (mut model, job) = opened();
        model.update(Msg::Synchronize(SyncOutcome::Cancel));
        assert!(
            model
                .take_effects()
                .iter()
                .any(|e| matches!(e, Effect::Ops(OpsCommand::Cancel(j)) if *j == job)),
            "a walk nobody waits for is stopped"
        );
    }
}
