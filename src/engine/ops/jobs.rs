//! Remote operations for a front end that must not wait: each job (plan
//! and delete, chmod, search) runs on a task of its own with connections
//! of its own, takes a [`CancellationToken`] and reports [`OpsEvent`]s on a
//! channel, waking the front end after each one.
//!
//! Owns the jobs' sessions and their cancel tokens; must not decide what
//! a front end shows (events carry counts and paths, never sentences made
//! for a widget) nor hold connections once a job has finished.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::edit::{self, RemoteBaseline};
use super::{
    ChmodFilter, DeletePlan, FindFilter, OpEvent, OpFailure, OpSink, connect_helpers,
    delete_planned, plan_delete,
};
use crate::engine::browser::Waker;
use crate::engine::config::SessionConfig;
use crate::engine::entry::RemoteEntry;
use crate::engine::error::EngineError;
use crate::engine::event::{Event, EventSink, LogLine};
use crate::engine::session::Session;
use crate::engine::transfer::{RetryPolicy, TransferSettings};
use crate::engine::wording::UserMessage;

/// A job's number, chosen by the front end.
pub type JobId = u64;

/// What a front end asks of the jobs.
#[derive(Debug)]
pub enum OpsCommand {
    /// Walk `paths` (in one folder) and report [`OpsEvent::Planned`]; the
    /// job then waits, its connections open, for
    /// [`OpsCommand::ConfirmDelete`] or [`OpsCommand::Cancel`].
    PlanDelete {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The paths to delete, as the server's bytes.
        paths: Vec<Vec<u8>>,
        /// Connections to use at most (the site's limit holds too).
        connections: usize,
    },
    /// Delete what the job planned.
    ConfirmDelete(JobId),
    /// `SITE CHMOD` on each target; into the folders among them when
    /// `recursive` says which entries.
    Chmod {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The paths, as the server's bytes, each with whether it is a
        /// folder (only folders are recursed into).
        targets: Vec<(Vec<u8>, bool)>,
        /// The mode (`0o640`).
        mode: u32,
        /// Into subfolders, and which entries.
        recursive: Option<ChmodFilter>,
    },
    /// Search the tree under `root`; matches come as [`OpEvent::Match`].
    Find {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The folder to search from.
        root: Vec<u8>,
        /// What to keep.
        filter: FindFilter,
        /// Connections to list on at most.
        connections: usize,
    },
    /// View/Edit: download `remote` to `target` (a file in a private
    /// folder, replaced) and report [`OpsEvent::Edit`] with the server's
    /// baseline of what was fetched.
    EditFetch {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The remote file, as the server's bytes.
        remote: Vec<u8>,
        /// Where it goes.
        target: std::path::PathBuf,
    },
    /// View/Edit: upload the edited `source` over `remote`, to a temporary
    /// name then renamed, only while the server's copy is still `expected`
    /// (`None`: overwrite whatever is there, the user's choice).
    EditUpload {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The edited file.
        source: std::path::PathBuf,
        /// The remote file, as the server's bytes.
        remote: Vec<u8>,
        /// What the server had when the file was fetched or last uploaded.
        expected: Option<RemoteBaseline>,
    },
    /// Walk the tree under `root` (links are listed, never entered); each
    /// listed folder comes as [`OpsEvent::Folder`], so a front end can
    /// compare trees without listing them itself.
    Walk {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The folder to walk.
        root: Vec<u8>,
        /// Connections to list on at most.
        connections: usize,
    },
    /// Make these folders, in order (parents first); one that exists
    /// already is fine. Each made is an [`OpEvent::Done`].
    MakeDirs {
        /// The job.
        job: JobId,
        /// The site.
        config: Box<SessionConfig>,
        /// The folders, as the server's bytes.
        paths: Vec<Vec<u8>>,
    },
    /// Stop a job between commands (a planned delete deletes nothing).
    Cancel(JobId),
}

/// What the jobs report.
#[derive(Debug, Clone)]
pub enum OpsEvent {
    /// A line for the message log (the jobs' connections).
    Log(LogLine),
    /// A delete's plan, waiting for confirmation.
    Planned {
        /// The job.
        job: JobId,
        /// Folders that will be removed.
        folders: usize,
        /// Files and links that will be removed.
        files: usize,
        /// The listed bytes of those files.
        bytes: u64,
    },
    /// Progress: a path done, failed, listed or found.
    Progress {
        /// The job.
        job: JobId,
        /// What happened.
        event: OpEvent,
    },
    /// A folder a [`OpsCommand::Walk`] listed, with its plain entries.
    Folder {
        /// The job.
        job: JobId,
        /// The folder, as the server's bytes.
        folder: Vec<u8>,
        /// Its entries (names that are not plain names are failures).
        entries: Vec<RemoteEntry>,
    },
    /// The job ended; its connections are closed.
    Finished {
        /// The job.
        job: JobId,
        /// Paths deleted, changed or found.
        done: u64,
        /// Each path that could not be handled.
        failures: Vec<OpFailure>,
        /// Why the job stopped early, if it did (cancelled, no connection).
        error: Option<String>,
    },
    /// A View/Edit job ended (no [`OpsEvent::Finished`] follows).
    Edit {
        /// The job.
        job: JobId,
        /// How.
        outcome: EditOutcome,
        /// A fetch's file on disk as it was written (size, time), so a
        /// save made before the front end watches it still counts.
        fetched: Option<(u64, std::time::SystemTime)>,
    },
}

/// How a View/Edit job ended.
#[derive(Debug, Clone)]
pub enum EditOutcome {
    /// The file is on disk (fetch) or on the server (upload); this is what
    /// the server has now.
    Done(RemoteBaseline),
    /// The server's copy is not the one that was opened: nothing was sent.
    Changed,
    /// It failed, for the reason given in the front end's words.
    Failed(UserMessage),
}

/// A running job's controls.
struct Control {
    cancel: CancellationToken,
    confirm: Option<oneshot::Sender<()>>,
}

/// The front end's handle on the jobs.
#[derive(Clone)]
pub struct OpsHandle {
    runtime: tokio::runtime::Handle,
    events: mpsc::UnboundedSender<OpsEvent>,
    waker: Waker,
    jobs: Arc<Mutex<HashMap<JobId, Control>>>,
}

impl std::fmt::Debug for OpsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpsHandle").finish_non_exhaustive()
    }
}

/// Sends events for one job, waking the front end after each.
#[derive(Clone)]
struct Reporter {
    events: mpsc::UnboundedSender<OpsEvent>,
    waker: Waker,
}

impl Reporter {
    fn send(&self, event: OpsEvent) {
        if self.events.send(event).is_ok() {
            (self.waker)();
        }
    }

    /// Where the jobs' sessions log: into the same channel.
    fn log_sink(&self) -> EventSink {
        let reporter = self.clone();
        EventSink::with_handler(Arc::new(move |event| {
            if let Event::Log(line) = event {
                reporter.send(OpsEvent::Log(line));
            }
        }))
    }

    /// Progress events of `job` (a folder listed, a path done or failed, a match).
    fn op_sink(&self, job: JobId) -> OpSink {
        let reporter = self.clone();
        Arc::new(move |event| reporter.send(OpsEvent::Progress { job, event }))
    }

    fn finished(&self, job: JobId, done: u64, failures: Vec<OpFailure>, error: Option<String>) {
        self.send(OpsEvent::Finished {
            job,
            done,
            failures,
            error,
        });
    }

    /// The job ended with `error` before it did anything.
    fn failed(&self, job: JobId, error: &EngineError) {
        self.finished(job, 0, Vec::new(), Some(error.to_string()));
    }

    /// A walking operation's end: what it did, or why it stopped.
    fn report(&self, job: JobId, result: crate::engine::Result<super::OpReport>) {
        match result {
            Ok(report) => self.finished(job, report.done, report.failures, None),
            Err(e) => self.failed(job, &e),
        }
    }
}

impl OpsHandle {
    /// Jobs will run on `runtime`; events arrive on the returned receiver,
    /// and `waker` is called after each one.
    pub fn new(
        runtime: &tokio::runtime::Handle,
        waker: Waker,
    ) -> (Self, mpsc::UnboundedReceiver<OpsEvent>) {
        let (events, rx) = mpsc::unbounded_channel();
        (
            Self {
                runtime: runtime.clone(),
                events,
                waker,
                jobs: Arc::default(),
            },
            rx,
        )
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Control>> {
        // A poisoned map still holds valid tokens.
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn reporter(&self) -> Reporter {
        Reporter {
            events: self.events.clone(),
            waker: Arc::clone(&self.waker),
        }
    }

    /// Starts, confirms or cancels a job; never blocks.
    pub fn send(&self, command: OpsCommand) {
        let reporter = self.reporter();
        match command {
            OpsCommand::PlanDelete {
                job,
                config,
                paths,
                connections,
            } => {
                let (confirm, confirmed) = oneshot::channel();
                self.spawn_job(job, Some(confirm), move |cancel| async move {
                    plan_then_delete(
                        job,
                        *config,
                        paths,
                        connections,
                        confirmed,
                        &cancel,
                        &reporter,
                    )
                    .await;
                });
            }
            OpsCommand::ConfirmDelete(job) => {
                if let Some(confirm) = self.jobs().get_mut(&job).and_then(|c| c.confirm.take()) {
                    let _ = confirm.send(());
                }
            }
            OpsCommand::Chmod {
                job,
                config,
                targets,
                mode,
                recursive,
            } => self.spawn_job(job, None, move |cancel| async move {
                let events = reporter.log_sink();
                let sink = reporter.op_sink(job);
                let result = match Session::connect(*config, events).await {
                    Ok(mut session) => {
                        let result =
                            chmod_each(&mut session, &targets, mode, recursive, &cancel, &sink)
                                .await;
                        session.quit().await;
                        result
                    }
                    Err(e) => Err(e),
                };
                reporter.report(job, result);
            }),
            OpsCommand::Find {
                job,
                config,
                root,
                filter,
                connections,
            } => self.spawn_job(job, None, move |cancel| async move {
                let events = reporter.log_sink();
                let sink = reporter.op_sink(job);
                let result = match Session::connect((*config).clone(), events.clone()).await {
                    Ok(mut session) => {
                        let mut helpers = connect_helpers(&config, connections, &events).await;
                        let result =
                            super::find(&mut session, &mut helpers, &root, &filter, &cancel, &sink)
                                .await;
                        for helper in helpers {
                            helper.quit().await;
                        }
                        session.quit().await;
                        result
                    }
                    Err(e) => Err(e),
                };
                reporter.report(job, result);
            }),
            OpsCommand::EditFetch {
                job,
                config,
                remote,
                target,
            } => self.spawn_job(job, None, move |cancel| async move {
                let settings = edit_settings(*config, &reporter, &cancel);
                let mut slot = None;
                let result = edit::fetch(&mut slot, &settings, &remote, &target).await;
                if let Some(session) = slot {
                    session.quit().await;
                }
                let fetched = match (&result, tokio::fs::metadata(&target).await) {
                    (Ok(_), Ok(meta)) => meta.modified().ok().map(|at| (meta.len(), at)),
                    _ => None,
                };
                reporter.send(OpsEvent::Edit {
                    job,
                    outcome: edit_outcome(result),
                    fetched,
                });
            }),
            OpsCommand::EditUpload {
                job,
                config,
                source,
                remote,
                expected,
            } => self.spawn_job(job, None, move |cancel| async move {
                let settings = edit_settings(*config, &reporter, &cancel);
                let mut slot = None;
                let result =
                    edit::upload_edited(&mut slot, &settings, &source, &remote, expected.as_ref())
                        .await;
                if let Some(session) = slot {
                    session.quit().await;
                }
                reporter.send(OpsEvent::Edit {
                    job,
                    outcome: edit_outcome(result),
                    fetched: None,
                });
            }),
            OpsCommand::Walk {
                job,
                config,
                root,
                connections,
            } => self.spawn_job(job, None, move |cancel| async move {
                walk_tree(job, *config, root, connections, &cancel, &reporter).await;
            }),
            OpsCommand::MakeDirs { job, config, paths } => {
                self.spawn_job(job, None, move |cancel| async move {
                    make_dirs(job, *config, paths, &cancel, &reporter).await;
                })
            }
            OpsCommand::Cancel(job) => {
                if let Some(control) = self.jobs().remove(&job) {
                    control.cancel.cancel();
                }
            }
        }
    }

    /// Registers `job` (with the sender of its confirmation, for a planned
    /// delete) and runs `work` with its cancel token on a task of its own;
    /// the job is forgotten when the work ends.
    fn spawn_job<F, Fut>(&self, job: JobId, confirm: Option<oneshot::Sender<()>>, work: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let cancel = CancellationToken::new();
        self.jobs().insert(
            job,
            Control {
                cancel: cancel.clone(),
                confirm,
            },
        );
        let jobs = Arc::clone(&self.jobs);
        let running = work(cancel);
        self.runtime.spawn(async move {
            running.await;
            forget(&jobs, job);
        });
    }

    /// Cancels every job (the window is closing).
    pub fn cancel_all(&self) {
        for (_, control) in self.jobs().drain() {
            control.cancel.cancel();
        }
    }
}

/// `SITE CHMOD` on each target (folders recursively when asked), one
/// after the other: a target the server refuses is a failure and the rest
/// go on; a lost connection or a cancel ends it.
async fn chmod_each(
    session: &mut Session,
    targets: &[(Vec<u8>, bool)],
    mode: u32,
    recursive: Option<super::ChmodFilter>,
    cancel: &CancellationToken,
    sink: &super::OpSink,
) -> crate::engine::Result<super::OpReport> {
    let mut total = super::OpReport::default();
    for (path, is_folder) in targets {
        let recursive = recursive.filter(|_| *is_folder);
        match super::chmod(session, path, mode, recursive, cancel, sink).await {
            Ok(report) => {
                total.done += report.done;
                total.failures.extend(report.failures);
            }
            Err(e) if e.keeps_connection() && !matches!(e, EngineError::Cancelled) => {
                let failed = super::failure(session, path, &e);
                sink(OpEvent::Failed(failed.clone()));
                total.failures.push(failed);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

/// A View/Edit job's transfer settings: the site, the log, the job's
/// cancel token, the usual retries.
fn edit_settings(
    config: SessionConfig,
    reporter: &Reporter,
    cancel: &CancellationToken,
) -> TransferSettings {
    TransferSettings {
        session: config,
        retry: RetryPolicy::default(),
        exists: crate::engine::ExistsPolicy::Overwrite,
        events: reporter.log_sink(),
        cancel: cancel.clone(),
        preserve_times: false,
        within: None,
    }
}

fn edit_outcome(result: crate::engine::Result<RemoteBaseline>) -> EditOutcome {
    match result {
        Ok(baseline) => EditOutcome::Done(baseline),
        Err(EngineError::RemoteChanged(_)) => EditOutcome::Changed,
        Err(error) => EditOutcome::Failed(error.user_message()),
    }
}

fn forget(jobs: &Mutex<HashMap<JobId, Control>>, job: JobId) {
    jobs.lock().unwrap_or_else(|e| e.into_inner()).remove(&job);
}

/// How long the connections of a planned delete may sit idle while the
/// user reads the confirmation before a keep-alive command: below the
/// usual server idle limits (vsftpd's default is 300 s, some are 60 s).
const CONFIRM_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(25);

/// Waits for the user's yes (true) or a cancel (false), keeping the
/// connections alive meanwhile; a connection lost here only leaves its
/// share to the others (the delete reports what was left).
async fn wait_for_confirmation(
    session: &mut Session,
    helpers: &mut [Session],
    mut confirmed: oneshot::Receiver<()>,
    cancel: &CancellationToken,
) -> bool {
    let mut turn = 0u32;
    loop {
        tokio::select! {
            answer = &mut confirmed => return answer.is_ok(),
            () = cancel.cancelled() => return false,
            () = tokio::time::sleep(CONFIRM_KEEP_ALIVE) => {
                let _ = session.keep_alive(turn).await;
                for helper in helpers.iter_mut() {
                    let _ = helper.keep_alive(turn).await;
                }
                turn = turn.wrapping_add(1);
            }
        }
    }
}

/// Plans deleting `paths` on a session and its helpers, reports the plan,
/// waits for the confirmation (or a cancel), then deletes on them all.
async fn plan_then_delete(
    job: JobId,
    config: SessionConfig,
    paths: Vec<Vec<u8>>,
    connections: usize,
    confirmed: oneshot::Receiver<()>,
    cancel: &CancellationToken,
    reporter: &Reporter,
) {
    let events = reporter.log_sink();
    let sink = reporter.op_sink(job);
    let mut session = match Session::connect(config.clone(), events.clone()).await {
        Ok(session) => session,
        Err(e) => return reporter.failed(job, &e),
    };
    let mut helpers = connect_helpers(&config, connections, &events).await;
    let mut plan: Option<DeletePlan> = None;
    let mut failures = Vec::new();
    let mut stopped = None;
    for path in paths {
        match plan_delete(&mut session, &mut helpers, &path, cancel, &sink).await {
            Ok(one) => match &mut plan {
                Some(all) => all.merge(one),
                None => plan = Some(one),
            },
            Err(e) if e.keeps_connection() && !matches!(e, EngineError::Cancelled) => {
                failures.push(OpFailure {
                    display_path: session.decode(&path),
                    path,
                    message: e.to_string(),
                });
            }
            Err(e) => {
                stopped = Some(e.to_string());
                break;
            }
        }
    }
    let plan = match (stopped, plan) {
        (None, Some(plan)) => plan,
        (stopped, _) => {
            for helper in helpers {
                helper.quit().await;
            }
            session.quit().await;
            return reporter.finished(job, 0, failures, stopped);
        }
    };
    reporter.send(OpsEvent::Planned {
        job,
        folders: plan.folder_count(),
        files: plan.file_count(),
        bytes: plan.bytes,
    });
    let go = wait_for_confirmation(&mut session, &mut helpers, confirmed, cancel).await;
    if !go {
        for helper in helpers {
            helper.quit().await;
        }
        session.quit().await;
        return reporter.finished(job, 0, Vec::new(), Some(EngineError::Cancelled.to_string()));
    }
    let report = delete_planned(&mut session, helpers, plan, cancel, &sink).await;
    session.quit().await;
    failures.extend(report.failures);
    let error = cancel
        .is_cancelled()
        .then(|| EngineError::Cancelled.to_string());
    reporter.finished(job, report.files + report.folders, failures, error);
}

/// Walks the tree under `root` on a session and its helpers, sending each
/// listed folder's entries as they come.
async fn walk_tree(
    job: JobId,
    config: SessionConfig,
    root: Vec<u8>,
    connections: usize,
    cancel: &CancellationToken,
    reporter: &Reporter,
) {
    let events = reporter.log_sink();
    let sink = reporter.op_sink(job);
    let mut session = match Session::connect(config.clone(), events.clone()).await {
        Ok(session) => session,
        Err(e) => return reporter.failed(job, &e),
    };
    let mut helpers = connect_helpers(&config, connections, &events).await;
    let mut failures = Vec::new();
    let mut folders = 0u64;
    let mut sessions = vec![&mut session];
    sessions.extend(helpers.iter_mut());
    let result = super::walk::walk_on(
        sessions,
        &root,
        super::walk::Listing::Best,
        cancel,
        &sink,
        &mut failures,
        |folder, _, entries| {
            folders += 1;
            reporter.send(OpsEvent::Folder {
                job,
                folder: folder.to_vec(),
                entries,
            });
        },
    )
    .await;
    for helper in helpers {
        helper.quit().await;
    }
    session.quit().await;
    let error = result.err().map(|e| e.to_string());
    reporter.finished(job, folders, failures, error);
}

/// Makes `paths` in order on one session (a folder there already is not a
/// failure: CWD tells, as `mkdir -p` does).
async fn make_dirs(
    job: JobId,
    config: SessionConfig,
    paths: Vec<Vec<u8>>,
    cancel: &CancellationToken,
    reporter: &Reporter,
) {
    let events = reporter.log_sink();
    let sink = reporter.op_sink(job);
    let mut session = match Session::connect(config, events).await {
        Ok(session) => session,
        Err(e) => return reporter.failed(job, &e),
    };
    let (mut made, mut failures) = (0u64, Vec::new());
    let mut error = None;
    for path in paths {
        if cancel.is_cancelled() {
            error = Some(EngineError::Cancelled.to_string());
            break;
        }
        let result = match session.mkdir(&path).await {
            Err(e) if e.keeps_connection() && session.cwd(&path).await.is_ok() => Ok(()),
            other => other,
        };
        match result {
            Ok(()) => {
                made += 1;
                sink(OpEvent::Done {
                    path,
                    is_folder: true,
                });
            }
            Err(e) if e.keeps_connection() => failures.push(OpFailure {
                display_path: session.decode(&path),
                path,
                message: e.to_string(),
            }),
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    session.quit().await;
    reporter.finished(job, made, failures, error);
}
