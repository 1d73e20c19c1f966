//! A one-way sync that transfers while it walks: each remote folder is
//! planned as soon as it is listed (the local side, a disk walk, is read
//! whole at the start, beside the first listing), its missing folders are
//! made and its transfers go to the queue at once, as `get -r`'s walker
//! hands the queue each folder's files before the walk goes on.
//!
//! One way needs nothing but the two sides of a folder to plan its files:
//! a file's step depends on its own two entries and on its folders being
//! walked (a folder excluded, skipped or in conflict is not gone into).
//! Deletions (a folder is deleted only when nothing below it stays) and
//! conflicts wait for the whole plan, which [`super::exec::prepare`] runs
//! after the walk, leaving out what was done here. Two-way sync, which
//! needs the last sync's state, and `--compare checksum`, which asks the
//! server per file, do not stream.
//!
//! Must not queue a transfer the whole plan would not make, or make a
//! folder it would not make: [`folder_steps`] plans a folder with the
//! planner itself, on that folder's entries alone.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tokio::sync::mpsc;

use super::exec::{self, Places, download, mkdir_local, upload};
use super::walk::{RemoteFolder, RemoteTree, RemoteWalk};
use super::{Ran, print_plan, report_left, report_prepared, walk_local_tree};
use crate::cli::transfer::{QueueRun, Work, run_queue};
use crate::cli::{CliError, Options};
use crate::engine::queue::NewItem;
use crate::engine::{EngineError, Session, SessionConfig};
use crate::protocol::text::scrub;
use crate::sync::{Action, Direction, Kind, PlanOptions, Step, Tree, plan};

/// Runs a one-way sync whose transfers start while its walk goes on: the
/// walk (on `session`, the connection that looked at the path) sends each
/// folder's transfers to a queue run started beside it; after the walk the
/// whole plan is printed and what it adds (deletions; anything the folders
/// did not plan) is run, and the queue's run ends once every item sent has
/// finished. The queue gets one connection fewer than the site allows, as
/// the walk holds one.
pub(super) async fn streamed(
    mut session: Session,
    (local_root, remote_root): (&Path, &[u8]),
    (direction, options, offset): (Direction, &PlanOptions, Option<i32>),
    config: &SessionConfig,
    queue_options: &Options,
    json: bool,
) -> Result<Ran, CliError> {
    let mut queue_config = config.clone();
    queue_config.max_connections = config.max_connections.map(|m| m.saturating_sub(1).max(1));
    let run = QueueRun::start(&queue_config, queue_options, true);
    let (batches, received) = mpsc::unbounded_channel();
    let walking = async move {
        let remote_exists = true;
        let local = walk_local_tree(local_root, true, &options.excludes).await?;
        let walk = StreamWalk {
            local_root,
            remote_root,
            direction,
            options,
            offset,
            batches: &batches,
        };
        let walked = walk.run(&mut session, &local, remote_exists).await?;
        if let Some(note) = &walked.remote.clock_note {
            eprintln!("skiff: note: {}", scrub(note));
        }
        let plan = plan(&local, &walked.remote.tree, direction, options, None);
        print_plan(&plan, json)?;
        report_left(&plan);
        let mut places = Places::new(
            local_root.to_path_buf(),
            remote_root.to_vec(),
            &local,
            &walked.remote,
        )
        .with_made(walked.made.clone());
        let mut prepared = exec::prepare(&plan, &mut places, &mut session, &walked.done).await;
        prepared.failed.splice(0..0, walked.failed.iter().cloned());
        report_prepared(&prepared);
        let items = std::mem::take(&mut prepared.items);
        if !items.is_empty() {
            // A closed run was interrupted; it says so itself.
            let _ = batches.send(items);
        }
        drop(batches);
        session.quit().await;
        Ok::<_, CliError>((local, walked.remote, plan, prepared))
    };
    let queued = run_queue(run, queue_options, Work::Stream(received), false, None);
    let (walked, transferred) = tokio::join!(walking, queued);
    let transferred = transferred?;
    let (local, remote, plan, prepared) = walked?;
    Ok(Ran {
        local,
        remote,
        plan,
        kept: prepared.kept,
        failures: prepared.failed.len(),
        transferred,
    })
}

/// What the streaming walk leaves for the whole plan.
pub(super) struct Walked {
    /// The remote tree, whole.
    pub remote: RemoteTree,
    /// Paths whose folder was made or whose transfer was queued.
    pub done: HashSet<String>,
    /// Remote folders made, by relative path.
    pub made: HashMap<String, Vec<u8>>,
    /// Steps that failed, as sentences with the path last.
    pub failed: Vec<String>,
}

/// Where a streaming walk is and what it has to do with each folder.
pub(super) struct StreamWalk<'a> {
    /// The local folder (absolute).
    pub local_root: &'a Path,
    /// The remote folder (the server's bytes).
    pub remote_root: &'a [u8],
    /// Upload or download (never two-way).
    pub direction: Direction,
    /// The plan's options (the exclusions also bound the walk).
    pub options: &'a PlanOptions,
    /// Minutes added to LIST times, when given.
    pub offset: Option<i32>,
    /// Where each folder's transfers go (the queue's run reads it).
    pub batches: &'a mpsc::UnboundedSender<Vec<NewItem>>,
}

impl StreamWalk<'_> {
    /// Walks the remote side (when `remote_exists`) folder by folder
    /// against the whole `local` tree, making each folder's missing folders
    /// and sending its transfers as soon as the folder is listed. Fails as
    /// the walk does (a listing that fails ends it); a folder that could not
    /// be made is a failure reported, and its files are left to the whole
    /// plan (which fails them, naming each).
    pub(super) async fn run(
        &self,
        session: &mut Session,
        local: &Tree,
        remote_exists: bool,
    ) -> Result<Walked, EngineError> {
        let mut walk = RemoteWalk::new(self.offset);
        let mut out = Walked {
            remote: RemoteTree::default(),
            done: HashSet::new(),
            made: HashMap::new(),
            failed: Vec::new(),
        };
        // (relative path, the remote folder to list when there is one).
        let mut folders: Vec<(String, Option<RemoteFolder>)> = vec![(
            String::new(),
            remote_exists.then(|| RemoteFolder::root(self.remote_root)),
        )];
        // Folders the walk lists but does not plan: excluded, skipped or in
        // conflict in their parent's plan (the whole plan settles them).
        let mut listed_only: Vec<RemoteFolder> = Vec::new();
        while let Some((rel, remote)) = folders.pop() {
            let mut walk_next: HashMap<String, RemoteFolder> = HashMap::new();
            if let Some(remote) = &remote {
                for next in walk.list(session, remote, &self.options.excludes).await? {
                    walk_next.insert(next.rel.clone(), next);
                }
            }
            let steps = folder_steps(local, &walk.so_far().tree, &rel, self);
            let mut planned: HashSet<&str> = HashSet::new();
            let mut items = Vec::new();
            let mut places = Places::new(
                self.local_root.to_path_buf(),
                self.remote_root.to_vec(),
                local,
                walk.so_far(),
            )
            .with_made(std::mem::take(&mut out.made));
            for step in &steps {
                let result = match step.action {
                    Action::MkdirLocal => mkdir_local(&places, &step.path),
                    Action::MkdirRemote => match places.remote_path(session, &step.path) {
                        Ok(path) => session.mkdir(&path).await,
                        Err(e) => Err(e),
                    },
                    Action::Upload => upload(&mut places, session, &step.path, step.size)
                        .map(|item| items.push(item)),
                    Action::Download => {
                        download(&mut places, session, &step.path, &step.path, step.size)
                            .map(|item| items.push(item))
                    }
                    // Settled here, done by the whole plan.
                    _ => continue,
                };
                match result {
                    Ok(()) => {
                        planned.insert(&step.path);
                        out.done.insert(step.path.clone());
                    }
                    Err(e) => {
                        let what = match step.action {
                            Action::MkdirLocal | Action::MkdirRemote => "making the folder",
                            _ => "queueing",
                        };
                        out.failed
                            .push(format!("{what} failed ({e}): {}", step.path));
                    }
                }
            }
            out.made = places.into_made();
            if !items.is_empty() && self.batches.send(items).is_err() {
                // The queue's run ended (interrupted): stop walking.
                return Err(EngineError::Cancelled);
            }
            // Into a folder both sides have, or one just made on DEST; not
            // into one its parent's plan settled (excluded, skipped, a file
            // on the other side). A folder DEST alone has is listed (for
            // --delete) but not planned.
            let settled: HashSet<&str> = steps
                .iter()
                .filter(|s| matches!(s.action, Action::Skip | Action::Conflict))
                .map(|s| s.path.as_str())
                .collect();
            let folder =
                |entry: Option<&crate::sync::Entry>| entry.is_some_and(|e| e.kind == Kind::Folder);
            let mut children: Vec<(String, Option<RemoteFolder>)> = Vec::new();
            if self.direction == Direction::Upload {
                // Made on the server just now: nothing there to list.
                for (path, entry) in local.children(&rel) {
                    let made = entry.kind == Kind::Folder
                        && planned.contains(path)
                        && walk.so_far().tree.get(path).is_none();
                    if made {
                        children.push((path.to_string(), None));
                    }
                }
            }
            for (path, next) in walk_next {
                let into = !settled.contains(path.as_str())
                    && (planned.contains(path.as_str()) || folder(local.get(&path)));
                if into {
                    children.push((path, Some(next)));
                } else {
                    listed_only.push(next);
                }
            }
            // Walked in path order, as the whole plan lists them.
            children.sort_by(|a, b| b.0.cmp(&a.0));
            folders.extend(children);
        }
        // What only the whole plan needs (a folder DEST alone has, under
        // --delete): listed after the transfers are under way.
        while let Some(folder) = listed_only.pop() {
            listed_only.extend(walk.list(session, &folder, &self.options.excludes).await?);
        }
        out.remote = walk.finish();
        Ok(out)
    }
}

/// The steps of the folder `rel`'s own entries, by the planner on those
/// entries alone (which is the whole plan's answer for them one way).
fn folder_steps(local: &Tree, remote: &Tree, rel: &str, walk: &StreamWalk<'_>) -> Vec<Step> {
    let part = |tree: &Tree| {
        let mut part = Tree::new();
        for (path, entry) in tree.children(rel) {
            part.insert(path, entry.clone());
        }
        part
    };
    plan(
        &part(local),
        &part(remote),
        walk.direction,
        walk.options,
        None,
    )
    .steps
}
