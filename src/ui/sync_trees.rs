//! The two trees Transfer → Synchronize… compares, gathered while they are
//! walked: the server's folder by an engine job ([`OpsCommand::Walk`], a
//! folder's entries at a time), the local folder on the blocking pool
//! ([`crate::sync::local::walk_local`]); and a plan of them turned into
//! what the window runs (folders to make, queue items, deletions).
//!
//! Plain data and pure functions: nothing here sends, draws, reads the disk
//! or the clock. A remote name becomes a relative path as the window's
//! comparison names it (its text); one that is not safe as a local file
//! name is kept only as an unsafe entry, which the planner skips.
//!
//! [`OpsCommand::Walk`]: crate::engine::ops::jobs::OpsCommand::Walk

use std::collections::HashMap;
use std::path::PathBuf;

use super::files::RowKind;
use super::items::{entry, match_name, remote_row};
use crate::engine::ExistsPolicy;
use crate::engine::RemoteEntry;
use crate::engine::ops::jobs::JobId;
use crate::engine::queue::NewItem;
use crate::protocol::path;
use crate::sync::{Action, Kind, Plan, Tree};

/// Both trees of a Synchronize…, while they are walked and after.
#[derive(Debug, Clone)]
pub struct SyncTrees {
    /// The local folder compared.
    pub local_root: PathBuf,
    /// The remote folder compared (the server's bytes).
    pub remote_root: Vec<u8>,
    /// The remote folder as the path field showed it.
    pub remote_shown: String,
    /// The engine job walking the server.
    pub job: JobId,
    /// The local tree, once walked (or why it could not be).
    pub local: Option<Result<Tree, String>>,
    /// The remote tree so far.
    pub remote: Tree,
    /// The remote walk ended: `Ok` when whole, else why not.
    pub remote_done: Option<Result<(), String>>,
    /// Remote folders listed so far.
    pub listed: usize,
    /// The server's bytes of every remote path, by relative path.
    paths: HashMap<String, Vec<u8>>,
    /// The relative path of every remote folder met, by its bytes.
    folders: HashMap<Vec<u8>, String>,
}

impl SyncTrees {
    /// Trees about to be walked from these two folders by `job`.
    pub fn new(
        local_root: PathBuf,
        remote_root: Vec<u8>,
        remote_shown: String,
        job: JobId,
    ) -> Self {
        let folders = HashMap::from([(remote_root.clone(), String::new())]);
        SyncTrees {
            local_root,
            remote_root,
            remote_shown,
            job,
            local: None,
            remote: Tree::new(),
            remote_done: None,
            listed: 0,
            paths: HashMap::new(),
            folders,
        }
    }

    /// Adds a listed remote folder's entries (a folder not met before,
    /// which the walk never sends, is ignored).
    pub fn add_folder(&mut self, folder: &[u8], entries: Vec<RemoteEntry>) {
        let Some(rel) = self.folders.get(folder).cloned() else {
            return;
        };
        self.listed += 1;
        for item in entries {
            let raw = item.entry.name.clone();
            let row = remote_row(item);
            let mut e = entry(&row);
            if row.kind == RowKind::Link {
                // Never followed, never synced (as `skiff sync`).
                e.kind = Kind::Link;
            }
            e.unsafe_name = crate::names::local_name(row.text.as_deref(), &raw).is_err();
            let name = match_name(&row);
            let child = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let full = path::join(folder, &raw);
            if e.kind == Kind::Folder {
                self.folders.insert(full.clone(), child.clone());
            }
            self.paths.insert(child.clone(), full);
            self.remote.insert(child, e);
        }
    }

    /// Both walks ended (whether or not they worked).
    pub fn walked(&self) -> bool {
        self.local.is_some() && self.remote_done.is_some()
    }

    /// Why the trees cannot be planned, when a walk failed.
    pub fn error(&self) -> Option<&str> {
        match (&self.local, &self.remote_done) {
            (Some(Err(why)), _) | (_, Some(Err(why))) => Some(why),
            _ => None,
        }
    }

    /// The local path of `rel`.
    fn local_path(&self, rel: &str) -> PathBuf {
        rel.split('/')
            .fold(self.local_root.clone(), |path, part| path.join(part))
    }

    /// The server path of `rel`: as listed, else its folder's and its name
    /// (a path the run makes; the window names uploads by their text).
    fn remote_path(&self, rel: &str) -> Vec<u8> {
        if let Some(bytes) = self.paths.get(rel) {
            return bytes.clone();
        }
        match rel.rsplit_once('/') {
            Some((parent, name)) => path::join(&self.remote_path(parent), name.as_bytes()),
            None => path::join(&self.remote_root, rel.as_bytes()),
        }
    }

    /// `rel` as the queue shows it: the shown folder and the path.
    fn remote_display(&self, rel: &str) -> String {
        format!("{}/{rel}", self.remote_shown.trim_end_matches('/'))
    }

    /// What running `plan` takes, in the order it must happen: folders
    /// first (parents before children), then the transfers (which replace
    /// what they find: the plan compared it already), and the
    /// deletions (children before their folder; a local folder goes to
    /// the trash whole, its contents being deleted by the plan too).
    pub fn run_of(&self, plan: &Plan) -> SyncRun {
        let mut run = SyncRun::default();
        let mut trashed: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let modified_of = |tree: Option<&Tree>, rel: &str| tree.and_then(|t| t.get(rel)?.modified);
        let local = self.local.as_ref().and_then(|l| l.as_ref().ok());
        for step in &plan.steps {
            let rel = step.path.as_str();
            match step.action {
                Action::MkdirLocal => run.local_dirs.push(self.local_path(rel)),
                Action::MkdirRemote => run.remote_dirs.push(self.remote_path(rel)),
                Action::Upload => run.items.push(
                    NewItem::upload(
                        self.local_path(rel),
                        self.remote_path(rel),
                        self.remote_display(rel),
                    )
                    .with_size(step.size)
                    .with_modified(modified_of(local, rel).map(|m| m.at))
                    .with_overwrite(ExistsPolicy::Overwrite),
                ),
                Action::Download => run.items.push(
                    NewItem::download(
                        self.local_path(rel),
                        self.remote_path(rel),
                        self.remote_display(rel),
                    )
                    .with_size(step.size)
                    .with_modified(modified_of(Some(&self.remote), rel).map(|m| m.at))
                    .with_overwrite(ExistsPolicy::Overwrite),
                ),
                Action::DeleteLocal => {
                    let mut above = rel.match_indices('/').map(|(i, _)| &rel[..i]);
                    if !above.any(|folder| trashed.contains(folder)) {
                        trashed.insert(rel);
                        run.trash.push(self.local_path(rel));
                    }
                }
                Action::DeleteRemote => {
                    let is_dir = self.remote.get(rel).is_some_and(|e| e.kind == Kind::Folder);
                    run.remote_deletes.push((self.remote_path(rel), is_dir));
                }
                Action::Conflict | Action::Skip => {}
            }
        }
        // The plan lists a folder before what is in it: RMD after DELE.
        run.remote_deletes.reverse();
        run
    }
}

/// A plan as the window runs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncRun {
    /// Local folders to make, parents first.
    pub local_dirs: Vec<PathBuf>,
    /// Remote folders to make, parents first.
    pub remote_dirs: Vec<Vec<u8>>,
    /// The transfers, one queue item each.
    pub items: Vec<NewItem>,
    /// Local paths to move to the trash, the top ones only (a folder goes
    /// whole).
    pub trash: Vec<PathBuf>,
    /// Remote paths to delete, children first: (path, is a folder).
    pub remote_deletes: Vec<(Vec<u8>, bool)>,
}

/// A run whose folders are being made; its transfers and deletions wait.
#[derive(Debug, Clone)]
pub struct PendingRun {
    /// The engine job making the remote folders, until it ends.
    pub remote_job: Option<JobId>,
    /// The local folders are still being made.
    pub local_pending: bool,
    /// The rest of the run.
    pub run: SyncRun,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::listing::EntryKind;
    use crate::sync::{Direction, PlanOptions, plan};

    fn remote(name: &str, kind: EntryKind, size: Option<u64>) -> RemoteEntry {
        crate::ui::update::test_support::entry(name.as_bytes(), Some(name), kind, size)
    }

    #[test]
    fn a_walked_server_tree_plans_and_runs_nested_steps() {
        let mut trees = SyncTrees::new("/l".into(), b"/pub".to_vec(), "/pub".into(), 7);
        trees.add_folder(
            b"/pub",
            vec![
                remote("sub", EntryKind::Dir, None),
                remote("old.txt", EntryKind::File, Some(1)),
                remote("ln", EntryKind::Symlink, None),
            ],
        );
        trees.add_folder(b"/pub/sub", vec![remote("x.txt", EntryKind::File, Some(4))]);
        trees.add_folder(b"/elsewhere", vec![remote("y", EntryKind::File, Some(1))]);
        assert_eq!(trees.listed, 2, "a folder never met is ignored");
        assert!(!trees.walked());
        trees.remote_done = Some(Ok(()));
        let mut local = Tree::new();
        local.insert("sub", crate::sync::Entry::folder());
        local.insert("sub/new", crate::sync::Entry::folder());
        local.insert("sub/new/n.txt", crate::sync::Entry::file(2, None));
        local.insert("sub/x.txt", crate::sync::Entry::file(5, None));
        trees.local = Some(Ok(local));
        assert!(trees.walked() && trees.error().is_none());
        let options = PlanOptions {
            delete: true,
            ..PlanOptions::default()
        };
        let Some(Ok(local)) = &trees.local else {
            panic!("walked")
        };
        let plan = plan(local, &trees.remote, Direction::Upload, &options, None);
        let run = trees.run_of(&plan);
        assert_eq!(run.remote_dirs, [b"/pub/sub/new".to_vec()]);
        let items: Vec<(&str, &str)> = run
            .items
            .iter()
            .map(|i| (i.remote_display.as_str(), i.local.to_str().expect("utf-8")))
            .collect();
        assert_eq!(
            items,
            [
                ("/pub/sub/new/n.txt", "/l/sub/new/n.txt"),
                ("/pub/sub/x.txt", "/l/sub/x.txt"),
            ]
        );
        assert_eq!(run.remote_deletes, [(b"/pub/old.txt".to_vec(), false)]);
        assert!(
            plan.steps
                .iter()
                .any(|s| s.path == "ln" && s.action == Action::Skip),
            "a link is skipped"
        );
    }
}
