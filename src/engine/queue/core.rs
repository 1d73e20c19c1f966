//! The queue actor: takes commands and reports, decides what runs next.
//!
//! One task holds the queue's parts and is the only one to change them: the
//! item table ([`super::table`]), the journal side ([`super::journal`]) and
//! the scheduler ([`super::scheduler`]). Workers and the walker only report
//! to it (through [`Msg`]), and front ends only command it. Here each
//! command or report becomes changes to those parts; the parts keep their
//! own bookkeeping. Time comes from [`tokio::time`].
//!
//! **Architecture invariant:** shutdown is confirmed, not timed out. The
//! actor lets running items settle (for at most [`SETTLE`]), waits until
//! the store has written every record, ends the workers and the walker
//! (waiting [`STOP_WAIT`] at most for their logouts), and only then says
//! "stopped" on its watch channel ([`super::QueueHandle::shutdown`]).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::journal::{self, Journal};
use super::msg::{Child, FileJob, Hint, JobResult, JobTarget, Msg, QueueSink, WalkJob};
use super::scheduler::Scheduler;
use super::store::Record;
use super::table::{Item, Table};
use super::{
    Direction, ItemId, ItemState, NewItem, PolicyChoice, QueueCommand, QueueEvent, QueueOptions,
    SiteKey, is_ascii_name,
};
use crate::engine::config::SessionConfig;
use crate::engine::error::EngineError;
use crate::engine::event::LogKind;
use crate::engine::policy::{ExistsPolicy, FileFacts};
use crate::engine::transfer::{FileMode, FileOutcome, part_path};
use crate::protocol::path;

/// The actor's tick: batched upserts, totals, store hand-overs, expired
/// lent connections.
const TICK: Duration = Duration::from_millis(100);
/// How long running items may take to stop (ABOR, partial files flushed)
/// at shutdown.
pub(super) const SETTLE: Duration = Duration::from_secs(3);
/// How long the workers and the walker may take to log out at shutdown,
/// after the journal is written.
pub(super) const STOP_WAIT: Duration = Duration::from_secs(2);

// A front end's deadline must cover the queue's own settling.
const _: () =
    assert!(SETTLE.as_millis() + STOP_WAIT.as_millis() < super::SHUTDOWN_DEADLINE.as_millis());

/// The actor's state: its options and its parts.
struct Queue {
    options: QueueOptions,
    sink: QueueSink,
    table: Table,
    journal: Journal,
    sched: Scheduler,
    /// Whether new items are started.
    processing: bool,
    /// Partial files of cancelled downloads still running: deleted when
    /// their worker has let go of them.
    discard: HashMap<ItemId, PathBuf>,
}

/// Runs the actor until `Shutdown` or until every handle is dropped, then
/// stops and sets `stopped` to true.
pub(super) async fn run(
    mut options: QueueOptions,
    mut commands: mpsc::UnboundedReceiver<QueueCommand>,
    sink: QueueSink,
    stopped: watch::Sender<bool>,
) {
    options.workers = options.workers.clamp(1, 32);
    let (msgs, mut msg_rx) = mpsc::unbounded_channel();
    let sched = Scheduler::start(msgs, sink.clone());
    let (table, store) = match options.store.clone() {
        Some(path) => {
            let (table, store) = journal::restore(&path, &sink);
            (table, Some(store))
        }
        None => (Table::new(), None),
    };
    let mut queue = Queue {
        processing: options.process,
        discard: HashMap::new(),
        options,
        sink,
        table,
        journal: Journal::new(store),
        sched,
    };
    queue.sched.set_workers(queue.options.workers);
    queue.after_change(true);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(QueueCommand::Shutdown) | None => break,
                Some(command) => queue.command(command),
            },
            Some(msg) = msg_rx.recv() => queue.message(msg),
            _ = tick.tick() => queue.tick(),
        }
        queue.dispatch();
        queue.after_change(false);
    }
    queue.shutdown(&mut msg_rx).await;
    stopped.send_replace(true);
}

/// The policy for existing targets of `direction`.
fn policy(options: &QueueOptions, direction: Direction) -> PolicyChoice {
    match direction {
        Direction::Download => options.download,
        Direction::Upload => options.upload,
    }
}

impl Queue {
    // ---- changes to items, recorded and marked ----------------------------

    /// Moves an item to `state`; the journal records it and sends it.
    fn set_state(&mut self, id: ItemId, state: ItemState) {
        if let Some(old) = self.table.set_state(id, state.clone()) {
            self.journal.record_state(id, &old, &state);
            self.journal.mark(id);
        }
    }

    /// Records and marks items the table just added.
    fn added(&mut self, ids: &[ItemId]) {
        for &id in ids {
            if let Some(item) = self.table.get(id) {
                self.journal.record_add(item);
            }
            self.journal.mark(id);
        }
    }

    /// Removes an item and its children, stopping what runs of them.
    fn remove(&mut self, id: ItemId, removed: &mut Vec<ItemId>) {
        let start = removed.len();
        self.table.remove(id, removed);
        for &gone in &removed[start..] {
            self.sched.stop_running(gone);
        }
        if removed.len() > start {
            self.journal.totals_changed();
        }
    }

    fn log(&self, kind: LogKind, text: impl Into<String>) {
        self.sink.log(kind, text);
    }

    // ---- commands -------------------------------------------------------

    fn command(&mut self, command: QueueCommand) {
        match command {
            QueueCommand::SetSite(config) => self.set_site(*config),
            QueueCommand::Lend(session) => self.sched.lend(session),
            QueueCommand::Connect { site, connections } => {
                let site = self.table.site_key(&site);
                self.sched.connect_ahead(&site, connections);
            }
            QueueCommand::Add { site, items } => self.add(site, items),
            QueueCommand::Pause(ids) => {
                for id in self.table.with_children(&ids) {
                    self.pause(id);
                }
            }
            QueueCommand::Resume(ids) => {
                for id in self.table.with_children(&ids) {
                    self.resume(id);
                }
            }
            QueueCommand::Cancel(ids) => self.cancel(ids),
            QueueCommand::Retry(ids) => {
                for id in ids {
                    if matches!(
                        self.table.get(id).map(|i| &i.state),
                        Some(ItemState::Failed(_))
                    ) {
                        self.queue_or_wait(id);
                    }
                }
            }
            QueueCommand::MoveToTop(ids) => self.move_items(ids, true),
            QueueCommand::MoveToBottom(ids) => self.move_items(ids, false),
            QueueCommand::PauseAll => {
                for id in self.table.ids_where(|_| true) {
                    self.pause(id);
                }
            }
            QueueCommand::ResumeAll => {
                for id in self
                    .table
                    .ids_in_order_where(|i| i.state == ItemState::Paused)
                {
                    self.resume(id);
                }
            }
            QueueCommand::CancelAll => self.cancel(self.table.ids_where(|_| true)),
            QueueCommand::SetProcessing(on) => {
                self.processing = on;
                self.log(
                    LogKind::Status,
                    if on {
                        "Processing the queue"
                    } else {
                        "Queue processing stopped; running transfers finish"
                    },
                );
            }
            QueueCommand::SetWorkers(n) => {
                self.options.workers = n.clamp(1, 32);
                self.sched.set_workers(self.options.workers);
            }
            QueueCommand::SetPolicies { download, upload } => {
                self.options.download = download;
                self.options.upload = upload;
            }
            QueueCommand::SetTransferDefaults {
                ascii_extensions,
                preserve_times,
                retry,
            } => {
                self.options.ascii_extensions = ascii_extensions;
                self.options.preserve_times = preserve_times;
                self.options.retry = retry;
            }
            QueueCommand::SetLimits { download, upload } => {
                self.sched.set_limits(download, upload);
            }
            QueueCommand::Answer {
                id,
                policy,
                apply_to_all,
            } => self.answer(id, policy, apply_to_all),
            QueueCommand::ClearFinished => {
                let mut removed = Vec::new();
                // A folder's unfinished children stay: remove only the item.
                for id in self.table.ids_where(|i| i.state.is_finished()) {
                    if self.table.remove_one(id) {
                        removed.push(id);
                    }
                }
                self.journal.totals_changed();
                self.journal.record(|| Record::Remove(removed.clone()));
                self.emit_removed(removed);
            }
            QueueCommand::Shutdown => {}
        }
    }

    /// Removes items. A cancelled download's partial file is deleted (the
    /// user gave it up; pausing keeps it for a resume): at once when it is
    /// not moving, else when its worker has stopped writing it.
    fn cancel(&mut self, ids: Vec<ItemId>) {
        // Asked before the removal stops them: which ones are moving now.
        let parts: Vec<(ItemId, PathBuf, bool)> = self
            .table
            .with_children(&ids)
            .into_iter()
            .filter_map(|id| {
                let item = self.table.get(id)?;
                let download = item.direction == Direction::Download && !item.is_dir;
                download.then(|| (id, part_path(&item.local), self.sched.runs(id)))
            })
            .collect();
        let mut removed = Vec::new();
        for id in ids {
            self.remove(id, &mut removed);
        }
        for (id, part, running) in parts {
            if running {
                self.discard.insert(id, part);
            } else {
                discard_part(part);
            }
        }
        self.journal.record(|| Record::Remove(removed.clone()));
        self.emit_removed(removed);
    }

    fn emit_removed(&mut self, removed: Vec<ItemId>) {
        if removed.is_empty() {
            return;
        }
        self.journal.flush_upserts(&self.table, &self.sink);
        self.journal.forget(&removed);
        self.sink.send(QueueEvent::Removed(removed));
    }

    fn set_site(&mut self, config: SessionConfig) {
        let key = self.sched.set_site(config);
        // Items that waited for these settings go ahead.
        let waiting = self
            .table
            .ids_where(|i| *i.site == key && i.state == ItemState::Paused && i.live.waiting_site);
        for id in waiting {
            if let Some(item) = self.table.get_mut(id) {
                item.live.waiting_site = false;
            }
            self.set_state(id, ItemState::Queued);
        }
    }

    fn add(&mut self, site: SiteKey, items: Vec<NewItem>) {
        let known = self.sched.has_site(&site);
        if !known {
            self.log(
                LogKind::Warning,
                format!("No connection settings for {site}: its items wait, paused"),
            );
        }
        let key = self.table.site_key(&site);
        let state = if known {
            ItemState::Queued
        } else {
            ItemState::Paused
        };
        for new in items {
            let answer = new.overwrite;
            let id = self
                .table
                .append(Arc::clone(&key), new, state.clone(), !known);
            if let Some(item) = self.table.get_mut(id) {
                item.live.answer = answer;
            }
            self.added(&[id]);
        }
    }

    fn pause(&mut self, id: ItemId) {
        let Some(item) = self.table.get(id) else {
            return;
        };
        match item.state {
            ItemState::Queued | ItemState::Asking => self.set_state(id, ItemState::Paused),
            ItemState::Running => {
                self.sched.stop_running(id);
                self.set_state(id, ItemState::Paused);
            }
            _ => {}
        }
    }

    fn resume(&mut self, id: ItemId) {
        if self.table.get(id).map(|i| &i.state) == Some(&ItemState::Paused) {
            self.queue_or_wait(id);
        }
    }

    /// Queues an item, or leaves it paused when its site has no settings yet.
    fn queue_or_wait(&mut self, id: ItemId) {
        let Some(item) = self.table.get_mut(id) else {
            return;
        };
        if self.sched.has_site(&item.site) {
            item.live.waiting_site = false;
            self.set_state(id, ItemState::Queued);
        } else {
            item.live.waiting_site = true;
            let site = item.site.clone();
            self.set_state(id, ItemState::Paused);
            self.log(
                LogKind::Warning,
                format!("No connection settings for {site}: its items wait, paused"),
            );
        }
    }

    fn move_items(&mut self, ids: Vec<ItemId>, to_top: bool) {
        let Some((ids, moves)) = self.table.move_to(ids, to_top) else {
            return;
        };
        self.journal.record(|| Record::Order(moves));
        self.journal.flush_upserts(&self.table, &self.sink);
        self.sink.send(QueueEvent::Moved { ids, to_top });
    }

    fn answer(&mut self, id: ItemId, policy: ExistsPolicy, apply_to_all: bool) {
        let Some(item) = self.table.get_mut(id) else {
            return;
        };
        if item.state != ItemState::Asking {
            return;
        }
        let direction = item.direction;
        item.live.answer = Some(policy);
        self.queue_or_wait(id);
        if apply_to_all {
            match direction {
                Direction::Download => self.options.download = PolicyChoice::Fixed(policy),
                Direction::Upload => self.options.upload = PolicyChoice::Fixed(policy),
            }
            let asking = self
                .table
                .ids_where(|i| i.state == ItemState::Asking && i.direction == direction);
            for other in asking {
                if let Some(item) = self.table.get_mut(other) {
                    item.live.answer = Some(policy);
                }
                self.queue_or_wait(other);
            }
        }
    }

    // ---- starting work ------------------------------------------------------

    fn dispatch(&mut self) {
        if !self.processing {
            return;
        }
        if !self.sched.is_walking()
            && let Some((id, ())) = self.table.first_ready_dir(|site| {
                (self.sched.has_site(site) && self.sched.walk_room(site)).then_some(())
            })
        {
            self.start_walk(id);
        }
        loop {
            let free = self.sched.free_workers();
            if free.is_empty() {
                break;
            }
            let Some((id, index)) = self.table.first_ready_file(|site| {
                self.sched
                    .has_site(site)
                    .then(|| self.sched.worker_for(site, &free))
                    .flatten()
            }) else {
                break;
            };
            if !self.start_file(index, id) {
                break;
            }
        }
    }

    /// Sends item `id` to worker `index`; false when nothing was started
    /// and nothing else can be (a worker that is gone lets another try).
    fn start_file(&mut self, index: usize, id: ItemId) -> bool {
        let Some(item) = self.table.get(id) else {
            return false;
        };
        let Some(site) = self.sched.site(&item.site) else {
            return false;
        };
        let (config, generation) = (Arc::clone(&site.config), site.generation);
        let (exists, ask) = match (item.live.answer, policy(&self.options, item.direction)) {
            (Some(answer), _) => (answer, false),
            (None, PolicyChoice::Fixed(policy)) => (policy, false),
            (None, PolicyChoice::Ask) => (ExistsPolicy::Skip, true),
        };
        let name = match item.direction {
            Direction::Download => {
                String::from_utf8_lossy(path::file_name(&item.remote)).into_owned()
            }
            Direction::Upload => item
                .local
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let mode = FileMode {
            ascii: is_ascii_name(&name, &self.options.ascii_extensions),
            fresh_target: matches!(
                item.live.hint,
                Hint::FreshTarget | Hint::LocalFolder { fresh: true, .. }
            ),
            local_disk: matches!(
                item.live.hint,
                Hint::LocalFolder {
                    local_disk: true,
                    ..
                }
            ),
            ask,
            // The site's `atomic_uploads` reaches the upload through its
            // session settings.
            atomic: false,
        };
        let facts = match item.direction {
            Direction::Download if item.size.is_some() => Some(FileFacts {
                size: item.size,
                modified: item.modified,
            }),
            _ => None,
        };
        // A file a folder download found is written beneath that folder.
        let within = match (item.direction, item.parent) {
            (Direction::Download, Some(parent)) => self
                .table
                .get(parent)
                .filter(|folder| folder.is_dir)
                .map(|folder| folder.local.clone()),
            _ => None,
        };
        let site_key = Arc::clone(&item.site);
        let job = FileJob {
            target: job_target(id, item, config, generation),
            facts,
            hint: item.live.hint,
            mode,
            exists,
            retry: self.options.retry,
            preserve_times: self.options.preserve_times,
            within,
            cancel: CancellationToken::new(),
            session: self.sched.lent_for(index, &site_key),
        };
        if self.sched.send_file(index, job, site_key) {
            self.set_state(id, ItemState::Running);
        }
        true
    }

    fn start_walk(&mut self, id: ItemId) {
        let Some(item) = self.table.get(id) else {
            return;
        };
        let Some(site) = self.sched.site(&item.site) else {
            return;
        };
        let (config, generation) = (Arc::clone(&site.config), site.generation);
        let known: HashSet<Vec<u8>> = self
            .table
            .children(id)
            .iter()
            .filter_map(|&k| self.table.get(k))
            .map(|k| k.remote.clone())
            .collect();
        let site_key = Arc::clone(&item.site);
        let job = WalkJob {
            target: job_target(id, item, config, generation),
            known,
            retry: self.options.retry,
            cancel: CancellationToken::new(),
            session: self.sched.take_lent(&site_key),
        };
        if self.sched.send_walk(job, site_key) {
            self.set_state(id, ItemState::Running);
        }
    }

    // ---- reports ------------------------------------------------------------

    fn message(&mut self, msg: Msg) {
        match msg {
            Msg::Received { worker, id } => self.sched.received(worker, id),
            Msg::Finished { worker, id, result } => {
                self.sched.finished(worker, id);
                if let Some(part) = self.discard.remove(&id) {
                    discard_part(part);
                }
                self.finished(id, result);
            }
            Msg::Retrying { id, reason, delay } => {
                if let Some(item) = self.table.get_mut(id)
                    && item.state == ItemState::Running
                {
                    item.live.rate = 0.0;
                    self.sink.send(QueueEvent::Retrying { id, reason, delay });
                }
            }
            Msg::Progress {
                id,
                done,
                total,
                rate,
            } => {
                if let Some(item) = self.table.get_mut(id)
                    && item.state == ItemState::Running
                {
                    item.live.done = done;
                    item.live.rate = rate;
                    self.sink.send(QueueEvent::Progress {
                        id,
                        done,
                        total,
                        rate,
                    });
                }
            }
            Msg::Expanded { parent, children } => self.expanded(parent, children),
            Msg::Spare {
                generation,
                session,
            } => self.sched.spare(generation, session),
            Msg::WalkEnded { id, result } => {
                if let Some(site) = self.sched.walk_ended(id) {
                    let waiting = self.table.has_ready_files(&site);
                    self.sched.close_unwanted_lent(&site, waiting);
                }
                let running = self
                    .table
                    .get(id)
                    .is_some_and(|i| i.state == ItemState::Running);
                match result {
                    Ok(()) if running => self.set_state(id, ItemState::Done),
                    Err(EngineError::Cancelled) if running => self.set_state(id, ItemState::Paused),
                    Err(e) if running => {
                        self.log(LogKind::Error, format!("{e}"));
                        if let Some(item) = self.table.get_mut(id) {
                            item.live.failure = Some(e.user_message());
                        }
                        self.set_state(id, ItemState::Failed(e.to_string()));
                    }
                    _ => {}
                }
            }
        }
    }

    fn finished(&mut self, id: ItemId, result: JobResult) {
        let Some(item) = self.table.get_mut(id) else {
            return; // cancelled: removed already
        };
        let was_running = item.state == ItemState::Running;
        match result {
            Ok(FileOutcome::Done { bytes }) => {
                item.live.done = item.size.unwrap_or(bytes).max(bytes);
                item.live.answer = None;
                self.set_state(id, ItemState::Done);
            }
            Ok(FileOutcome::Skipped { reason }) => {
                self.set_state(id, ItemState::Skipped(reason));
            }
            Ok(FileOutcome::Exists { source, target }) if was_running => {
                let event = QueueEvent::Ask {
                    id,
                    direction: item.direction,
                    local: item.local.clone(),
                    remote_display: item.display(),
                    source,
                    target,
                };
                self.set_state(id, ItemState::Asking);
                self.journal.flush_upserts(&self.table, &self.sink);
                self.sink.send(event);
            }
            Ok(FileOutcome::Exists { .. }) => {}
            Err(EngineError::Cancelled) if was_running => self.set_state(id, ItemState::Paused),
            Err(EngineError::Cancelled) => {}
            Err(e) => {
                let what = item.display();
                item.live.failure = Some(e.user_message());
                self.log(LogKind::Error, format!("{e}: {what}"));
                self.set_state(id, ItemState::Failed(e.to_string()));
            }
        }
    }

    fn expanded(&mut self, parent: ItemId, children: Vec<Child>) {
        let ids = self.table.expand(parent, children);
        self.added(&ids);
    }

    // ---- events and time ------------------------------------------------------

    /// Sends what is due: upserts (batched), totals, idle; writes the store.
    fn after_change(&mut self, force: bool) {
        let busy = self.table.counts().running > 0
            || self.sched.is_walking()
            || (self.processing && self.table.has_ready());
        let (table, sched) = (&self.table, &self.sched);
        let rate = || {
            sched
                .running()
                .filter_map(|id| table.get(id))
                .map(|i| i.live.rate)
                .sum::<f64>()
        };
        self.journal
            .after_change(table, &self.sink, busy, rate, force);
    }

    fn tick(&mut self) {
        self.sched.tick();
        self.journal.tick(&self.table, &self.sink);
    }

    /// Stops: cancels what runs, lets it settle, writes the journal, ends
    /// the workers and the walker. Whatever was running comes back paused
    /// on the next start.
    async fn shutdown(mut self, msgs: &mut mpsc::UnboundedReceiver<Msg>) {
        self.processing = false;
        self.sched.cancel_all();
        // Let running items settle (ABOR, partial files flushed) for a moment.
        let deadline = Instant::now() + SETTLE;
        while !self.sched.settled() {
            match tokio::time::timeout_at(deadline, msgs.recv()).await {
                Ok(Some(msg)) => self.message(msg),
                _ => break,
            }
        }
        self.journal.close(&self.table, &self.sink);
        self.sched.stop(Instant::now() + STOP_WAIT).await;
    }
}

/// Deletes a cancelled download's partial file, off the actor's thread.
fn discard_part(part: PathBuf) {
    tokio::task::spawn_blocking(move || {
        // Gone already (never started, or finished meanwhile) is fine.
        let _ = std::fs::remove_file(&part);
    });
}

/// What a job for item `id` names, with its site's settings of `generation`.
fn job_target(id: ItemId, item: &Item, site: Arc<SessionConfig>, generation: u64) -> JobTarget {
    JobTarget {
        id,
        site,
        generation,
        direction: item.direction,
        local: item.local.clone(),
        remote: item.remote.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The actor itself, with paused time: three items added at once go out
    /// as one `Upsert` at the next tick (not one event each), their records
    /// reach the file without a shutdown, and a shutdown is answered.
    #[tokio::test(start_paused = true)]
    async fn the_actor_batches_upserts_and_writes_the_store_without_a_shutdown() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("q.jsonl");
        let (event_tx, mut events) = mpsc::unbounded_channel();
        let sink = QueueSink::new(event_tx, Arc::new(|| {}), true);
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (stopped_tx, mut stopped) = watch::channel(false);
        let options = QueueOptions {
            store: Some(path.clone()),
            ..QueueOptions::default()
        };
        tokio::spawn(run(options, command_rx, sink, stopped_tx));
        // The first totals: the actor runs, its immediate first tick spent.
        while !matches!(events.recv().await, Some(QueueEvent::Totals { .. })) {}
        // A site without settings: its items wait, paused; nothing connects.
        let site = SiteKey {
            host: "127.0.0.1".into(),
            port: 9,
            user: "nobody".into(),
        };
        let start = Instant::now();
        for n in 0..3 {
            let item = NewItem::new(
                Direction::Download,
                dir.path().join(format!("f{n}")),
                format!("/f{n}").into_bytes(),
                format!("/f{n}"),
            )
            .with_size(Some(1));
            let add = QueueCommand::Add {
                site: site.clone(),
                items: vec![item],
            };
            assert!(commands.send(add).is_ok());
        }
        let upserted = loop {
            match events.recv().await {
                Some(QueueEvent::Upsert(views)) => break views,
                Some(_) => {}
                None => panic!("the queue stopped"),
            }
        };
        let ids: Vec<ItemId> = upserted.iter().map(|v| v.id).collect();
        assert_eq!(ids, vec![1, 2, 3], "one Upsert for the three");
        assert!(
            start.elapsed() <= TICK,
            "at the next tick: {:?}",
            start.elapsed()
        );
        // The records went to the writer thread in that tick; it is real
        // time that it needs to write them.
        let written = std::time::Instant::now();
        while std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .count()
            < 4
        {
            assert!(written.elapsed() < Duration::from_secs(5), "not written");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(commands.send(QueueCommand::Shutdown).is_ok());
        assert!(stopped.wait_for(|done| *done).await.is_ok());
    }
}
