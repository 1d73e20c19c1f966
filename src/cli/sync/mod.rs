//! `skiff sync [OPTIONS] SRC DEST`: make DEST like SRC (one way), or both
//! sides like each other with memory (`--two-way`).
//!
//! Walks both sides at once, asks the pure planner ([`crate::sync`]),
//! prints the plan (lines, or one JSON object per action and a summary),
//! and unless `--dry-run` runs it: folders, conflicts set aside and
//! deletions here, every transfer through the transfer queue. A two-way
//! sync that ended without a failure records both sides for the next one.
//!
//! Must not transfer bytes itself, or write the state after a failed run
//! (its record would hide what is still out of sync).

pub mod args;
mod check;
mod exec;
mod stream;
mod walk;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::target::{blocking_target, open};
use super::transfer::{QueueRun, Work, run_queue};
use super::{CliError, Finish, Options};
use crate::engine::event::EventSink;
use crate::engine::{EngineError, ExistsPolicy};
use crate::protocol::text::scrub;
use crate::sync::local::walk_local;
use crate::sync::{
    Action, Compare, Direction, Excludes, Plan, PlanOptions, Reason, SyncState, Tree, plan,
};
use crate::url::FtpUrl;
pub use args::SyncArgs;
use exec::Places;
use stream::streamed;
use walk::walk_remote;

/// Whether a command-line side is remote: a URL or a saved site.
fn is_remote(text: &str) -> bool {
    [
        "ftp://",
        "ftps://",
        "ftpes://",
        "sftp://",
        super::SITE_PREFIX,
    ]
    .iter()
    .any(|p| text.len() >= p.len() && text[..p.len()].eq_ignore_ascii_case(p))
}

/// Runs `skiff sync`.
pub(super) async fn sync(
    args: &SyncArgs,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (remote_text, local_text, direction) = match (is_remote(&args.src), is_remote(&args.dest)) {
        (true, false) if args.two_way => (&args.src, &args.dest, Direction::TwoWay),
        (false, true) if args.two_way => (&args.dest, &args.src, Direction::TwoWay),
        (true, false) => (&args.src, &args.dest, Direction::Download),
        (false, true) => (&args.dest, &args.src, Direction::Upload),
        _ => {
            return Err(CliError::Usage(
                "exactly one side of a sync must be remote (ftp://, ftpes://, ftps://, sftp:// or site:)"
                    .to_string(),
            ));
        }
    };
    let excludes = Excludes::new(&args.exclude).map_err(CliError::Usage)?;
    let local_root = std::path::absolute(local_text).map_err(|source| EngineError::Local {
        path: PathBuf::from(local_text),
        source,
    })?;
    let local_exists = local_root.is_dir();
    if !local_exists && (direction == Direction::Upload || local_root.exists()) {
        return Err(CliError::Usage(format!(
            "no such local folder: {}",
            local_root.display()
        )));
    }
    let (url, mut config) = blocking_target(remote_text, options).await?;
    if let Some(minutes) = args.list_offset {
        config.timezone_offset_minutes = minutes;
    }
    // An offset the user or the site gave was applied by the session.
    let offset = (config.timezone_offset_minutes != 0 || args.list_offset.is_some()).then_some(0);
    let (mut session, remote_root) = open(&url, &mut config, &events).await?;
    let remote_exists = remote_root == b"/" || session.cwd(&remote_root).await.is_ok();
    if !remote_exists {
        if direction == Direction::Download {
            return Err(CliError::Usage(format!(
                "no such remote folder: {}",
                session.decode(&remote_root)
            )));
        }
        if !args.dry_run {
            session.mkdir(&remote_root).await?;
        }
    }
    if !local_exists && !args.dry_run {
        std::fs::create_dir_all(&local_root).map_err(|source| EngineError::Local {
            path: local_root.clone(),
            source,
        })?;
    }
    let pair = (
        local_root.display().to_string(),
        FtpUrl::of_remote(&config, &remote_root).to_string(),
    );
    let state_file = match direction {
        Direction::TwoWay => Some(state_file(&pair)?),
        _ => None,
    };
    let options_plan = PlanOptions {
        compare: args.compare,
        delete: args.delete,
        excludes: excludes.clone(),
    };
    // The plan decided what to replace: the queue overwrites (through
    // `.skiffpart` files, so a replaced file is only ever whole).
    let mut queue_options = options.clone();
    queue_options.overwrite = Some(ExistsPolicy::Overwrite);
    // One way, the transfers start while the walk goes on, on a connection
    // of its own beside the queue's (so only where the site allows two).
    let streams = !args.dry_run
        && direction != Direction::TwoWay
        && args.compare != Compare::Checksum
        && config.max_connections.is_none_or(|m| m >= 2);
    let ran = if streams {
        let roots = (local_root.as_path(), remote_root.as_slice());
        let ways = (direction, &options_plan, offset);
        streamed(session, roots, ways, &config, &queue_options, args.json).await?
    } else {
        let (mut local, mut remote) = walk_both(
            &mut session,
            &local_root,
            &remote_root,
            (
                local_exists || !args.dry_run,
                remote_exists || !args.dry_run,
            ),
            &excludes,
            offset,
        )
        .await?;
        if let Some(note) = &remote.clock_note {
            eprintln!("skiff: note: {}", scrub(note));
        }
        if args.compare == Compare::Checksum {
            let (walked_local, walked_remote) = (local.clone(), remote.clone());
            let mut places = Places::new(
                local_root.clone(),
                remote_root.clone(),
                &walked_local,
                &walked_remote,
            );
            let note = check::fill(&mut local, &mut remote.tree, &mut places, &mut session).await?;
            eprintln!("skiff: note: {}", scrub(&note));
        }
        let last = match &state_file {
            Some(path) => load_state(path),
            None => None,
        };
        let plan = plan(
            &local,
            &remote.tree,
            direction,
            &options_plan,
            last.as_ref(),
        );
        print_plan(&plan, args.json)?;
        report_left(&plan);
        if args.dry_run {
            session.quit().await;
            print_summary(&plan, args.json, 0)?;
            return Ok(Finish::Ok);
        }
        let mut places = Places::new(local_root.clone(), remote_root.clone(), &local, &remote);
        let prepared = exec::prepare(&plan, &mut places, &mut session, &HashSet::new()).await;
        report_prepared(&prepared);
        let transferred = if prepared.items.is_empty() {
            session.quit().await;
            Finish::Ok
        } else {
            let run = QueueRun::start(&config, &queue_options, true);
            let items = Work::Add(prepared.items);
            run_queue(run, &queue_options, items, false, Some(session)).await?
        };
        Ran {
            local,
            remote,
            plan,
            kept: prepared.kept,
            failures: prepared.failed.len(),
            transferred,
        }
    };
    let Ran {
        local,
        remote,
        plan,
        kept,
        mut failures,
        transferred,
    } = ran;
    let mut places = Places::new(local_root.clone(), remote_root.clone(), &local, &remote);
    if transferred == Finish::Failed {
        failures += 1;
    }
    let mut moved: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Upload | Action::Download))
        .map(|s| s.path.clone())
        .collect();
    for (path, copy) in &kept {
        moved.extend([path.clone(), copy.clone()]);
    }
    let verify = args.verify && !moved.is_empty();
    if verify || (state_file.is_some() && failures == 0) {
        let (mut session, _) = open(&url, &mut config, &events).await?;
        if verify {
            let (note, failed) = check::verify(&moved, &mut places, &mut session).await;
            eprintln!("skiff: note: {}", scrub(&note));
            for failed in &failed {
                eprintln!("skiff: failed: {}", scrub(failed));
            }
            failures += failed.len();
        }
        if let (Some(path), 0) = (&state_file, failures) {
            // Both sides as they are now, so the next sync sees only what
            // changes after this one; LIST times read as the first walk did.
            let (local, remote) = walk_both(
                &mut session,
                &local_root,
                &remote_root,
                (true, true),
                &excludes,
                Some(offset.unwrap_or(remote.shift)),
            )
            .await?;
            let state = SyncState::of(&pair.0, &pair.1, &local, &remote.tree);
            state
                .save(path)
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
        session.quit().await;
    }
    print_summary(&plan, args.json, failures)?;
    Ok(if failures > 0 {
        Finish::Failed
    } else if plan.leaves_something() || transferred == Finish::Skipped {
        Finish::Skipped
    } else {
        Finish::Ok
    })
}

/// What a run did, streamed or not, for what follows the transfers.
struct Ran {
    /// The local walk.
    local: Tree,
    /// The remote walk.
    remote: walk::RemoteTree,
    /// The whole plan.
    plan: Plan,
    /// Conflicts set aside: (path, where the other side's version went).
    kept: Vec<(String, String)>,
    /// How many steps before the transfers failed.
    failures: usize,
    /// How the queue's run ended.
    transferred: Finish,
}

/// Says what the steps before the transfers did about conflicts, and what
/// failed.
fn report_prepared(prepared: &exec::Prepared) {
    for (path, copy) in &prepared.kept {
        eprintln!(
            "skiff: conflict: changed on both sides; the local version keeps the name, the remote one is kept as {}: {}",
            scrub(copy),
            scrub(path)
        );
    }
    for failed in &prepared.failed {
        eprintln!("skiff: failed: {}", scrub(failed));
    }
}

/// Walks the local folder on the blocking pool (empty when it does not
/// exist yet).
async fn walk_local_tree(root: &Path, exists: bool, excludes: &Excludes) -> Result<Tree, CliError> {
    let (root, excludes) = (root.to_path_buf(), excludes.clone());
    let local = tokio::task::spawn_blocking(move || {
        if exists {
            walk_local(&root, &excludes).map_err(|e| EngineError::Local {
                path: e.path,
                source: e.source,
            })
        } else {
            Ok(Tree::new())
        }
    });
    Ok(local
        .await
        .map_err(|e| CliError::Usage(format!("internal error: {e}")))??)
}

/// Walks both sides at once (a side that does not exist yet is empty).
async fn walk_both(
    session: &mut crate::engine::Session,
    local_root: &Path,
    remote_root: &[u8],
    (local_exists, remote_exists): (bool, bool),
    excludes: &Excludes,
    offset: Option<i32>,
) -> Result<(Tree, walk::RemoteTree), CliError> {
    let local = walk_local_tree(local_root, local_exists, excludes);
    let remote = async {
        if remote_exists {
            walk_remote(session, remote_root, excludes, offset).await
        } else {
            Ok(walk::RemoteTree {
                tree: Tree::new(),
                paths: Default::default(),
                clock_note: None,
                shift: offset.unwrap_or(0),
            })
        }
    };
    let (local, remote) = tokio::join!(local, remote);
    Ok((local?, remote?))
}

/// The state file of a pair, under the data folder.
fn state_file((local, remote): &(String, String)) -> Result<PathBuf, CliError> {
    let dir = crate::paths::data_dir().ok_or_else(|| {
        CliError::Usage("no data folder for the two-way sync state (set SKIFF_DATA_DIR)".into())
    })?;
    Ok(SyncState::path_in(&dir, local, remote))
}

/// The last sync's state; an unreadable one is reported and the sync runs
/// as a first one (which deletes nothing).
fn load_state(path: &Path) -> Option<SyncState> {
    match SyncState::load(path) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("skiff: warning: {}", scrub(&e.to_string()));
            None
        }
    }
}

/// Says on standard error what the plan leaves alone that the user did
/// not ask for (an exclusion is asked for), cause first, path last.
fn report_left(plan: &Plan) {
    for step in &plan.steps {
        let why = match (step.action, step.reason) {
            (Action::Skip, Reason::UnsafeName) => {
                "skipped: the name is not safe as a local file name"
            }
            (Action::Skip, Reason::Link) => "skipped: a link, which sync does not follow",
            (Action::Conflict, Reason::Kind) => {
                "conflict: a file on one side and a folder on the other; neither is touched"
            }
            _ => continue,
        };
        eprintln!("skiff: {why}: {}", scrub(&step.path));
    }
}

/// Prints each step: a line, or one JSON object.
fn print_plan(plan: &Plan, json: bool) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for step in &plan.steps {
        let written = if json {
            let value = serde_json::json!({
                "action": step.action.name(),
                "path": step.path,
                "size": step.size,
                "reason": step.reason.name(),
            });
            writeln!(out, "{value}")
        } else {
            let size = step
                .size
                .map(|s| format!("{s} bytes, "))
                .unwrap_or_default();
            writeln!(
                out,
                "{:<13} {} ({size}{})",
                step.action.name(),
                scrub(&step.path),
                step.reason.name()
            )
        };
        written.map_err(stdout_error)?;
    }
    out.flush().map_err(stdout_error)
}

/// Prints the counts and bytes, and how many steps failed.
fn print_summary(plan: &Plan, json: bool, failed: usize) -> Result<(), CliError> {
    let summary = plan.summary();
    let mut out = std::io::stdout().lock();
    let written = if json {
        let mut value = serde_json::to_value(&summary).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("failed".into(), failed.into());
        }
        writeln!(out, "{}", serde_json::json!({ "summary": value }))
    } else if plan.is_empty() {
        writeln!(out, "In sync: nothing to do")
    } else {
        writeln!(
            out,
            "{} up ({} bytes), {} down ({} bytes), {} deleted here, {} deleted there, {} folders made, {} conflicts, {} skipped, {} excluded, {failed} failed",
            summary.upload,
            summary.upload_bytes,
            summary.download,
            summary.download_bytes,
            summary.delete_local,
            summary.delete_remote,
            summary.mkdir_local + summary.mkdir_remote,
            summary.conflict,
            summary.skip,
            summary.excluded,
        )
    };
    written.map_err(stdout_error)
}

/// A failed write to standard output (a closed pipe included: the plan is
/// the output, and a script that stopped reading it must not get exit 0).
fn stdout_error(source: std::io::Error) -> CliError {
    EngineError::Local {
        path: "standard output".into(),
        source,
    }
    .into()
}
