//! The queue actor: owns every item, decides what runs next, reports.
//!
//! One task holds the items, their order and their states; workers and the
//! walker only report to it (through [`Msg`]), and front ends only command it.
//! Order is a position `(major, minor)`: a new item takes the next major, a
//! folder's children share its major with rising minors (so they follow it),
//! and moving items gives them majors before the first or after the last.
//! The items ready to run are kept in ordered sets, so picking the next one
//! costs a lookup, not a scan, with 100,000 items queued.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::store::{self, Record, Store, StoredItem};
use super::worker::{self, Child, FileJob, JobResult, WalkJob, WorkerJob};
use super::{
    Direction, ItemId, ItemState, ItemView, NewItem, PolicyChoice, QueueCommand, QueueEvent,
    QueueOptions, SiteKey, is_ascii_name,
};
use crate::engine::browser::Waker;
use crate::engine::config::SessionConfig;
use crate::engine::error::EngineError;
use crate::engine::event::{LogKind, LogLine};
use crate::engine::limit::RateLimiter;
use crate::engine::policy::{ExistsPolicy, FileFacts};
use crate::engine::transfer::{FileMode, FileOutcome};
use crate::protocol::path;

/// Where queue events go, with the front end's waker.
#[derive(Clone)]
pub(crate) struct QueueSink {
    tx: mpsc::UnboundedSender<QueueEvent>,
    waker: Waker,
    /// Whether connections' command, reply and status lines are sent.
    pub(super) protocol_log: bool,
}

impl QueueSink {
    pub(super) fn new(
        tx: mpsc::UnboundedSender<QueueEvent>,
        waker: Waker,
        protocol_log: bool,
    ) -> Self {
        Self {
            tx,
            waker,
            protocol_log,
        }
    }

    /// Sends an event; a closed receiver is not an error.
    pub(crate) fn send(&self, event: QueueEvent) {
        if self.tx.send(event).is_ok() {
            (self.waker)();
        }
    }

    fn log(&self, kind: LogKind, text: impl Into<String>) {
        self.send(QueueEvent::Log(LogLine {
            conn: 0,
            kind,
            text: text.into(),
        }));
    }
}

/// What the queue knows about a file's target before it runs (not stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Nothing: the worker checks.
    Unknown,
    /// An upload's remote folder was just created: no target exists.
    FreshTarget,
    /// A download's local folder as the walk found it: `fresh` when the
    /// walk created it a moment ago (no target exists), `local_disk` when it
    /// is on a local disk (see [`FileMode::local_disk`]).
    LocalFolder { fresh: bool, local_disk: bool },
    /// An upload's remote target as listed (`None`: absent).
    Remote(Option<FileFacts>),
}

/// Reports from workers and the walker.
#[derive(Debug)]
pub(crate) enum Msg {
    /// A worker finished an item.
    Finished {
        worker: usize,
        id: ItemId,
        result: JobResult,
    },
    /// A worker received every byte of a small item and is free for the next
    /// one while the item is written to disk; `Finished` follows.
    Received { worker: usize, id: ItemId },
    /// Progress of a running item.
    Progress {
        id: ItemId,
        done: u64,
        total: Option<u64>,
        rate: f64,
    },
    /// A listed folder's entries.
    Expanded {
        parent: ItemId,
        children: Vec<Child>,
    },
    /// The walk of a folder item ended.
    WalkEnded {
        id: ItemId,
        result: Result<(), EngineError>,
    },
    /// The walker is done with its logged-in connection (made with the
    /// site settings of `generation`); a worker may have it.
    Spare {
        generation: u64,
        session: Box<crate::engine::Session>,
    },
}

type Pos = (i64, u64);

struct Item {
    id: ItemId,
    parent: Option<ItemId>,
    site: Arc<SiteKey>,
    direction: Direction,
    local: PathBuf,
    remote: Vec<u8>,
    /// The display form when it is not simply the remote bytes as UTF-8
    /// (saves a copy of every path with 100,000 items queued).
    remote_display: Option<Box<str>>,
    is_dir: bool,
    size: Option<u64>,
    modified: Option<chrono::NaiveDateTime>,
    done: u64,
    state: ItemState,
    pos: Pos,
    answer: Option<ExistsPolicy>,
    hint: Hint,
    /// Paused only because its site has no settings yet.
    waiting_site: bool,
    rate: f64,
    next_minor: u64,
}

/// Keeps a display form only when it differs from the bytes.
fn display_form(remote: &[u8], display: String) -> Option<Box<str>> {
    (std::str::from_utf8(remote) != Ok(display.as_str())).then(|| display.into_boxed_str())
}

impl Item {
    fn display(&self) -> String {
        match &self.remote_display {
            Some(display) => display.to_string(),
            None => String::from_utf8_lossy(&self.remote).into_owned(),
        }
    }

    /// An item read back from the store (state still as stored).
    fn restored(stored: StoredItem, site: Arc<SiteKey>) -> Self {
        Item {
            id: stored.i,
            parent: stored.p,
            site,
            direction: stored.d,
            local: store::decode_path(stored.l),
            remote: store::decode_bytes(stored.r),
            remote_display: stored.rd.map(String::into_boxed_str),
            is_dir: stored.f,
            size: stored.z,
            modified: stored
                .m
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|t| t.naive_utc()),
            done: 0,
            state: stored.s,
            pos: stored.o,
            answer: None,
            hint: Hint::Unknown,
            waiting_site: false,
            rate: 0.0,
            next_minor: 1,
        }
    }

    fn view(&self) -> ItemView {
        ItemView {
            id: self.id,
            parent: self.parent,
            site: (*self.site).clone(),
            direction: self.direction,
            local: self.local.clone(),
            remote_display: self.display(),
            is_dir: self.is_dir,
            size: self.size,
            done: self.done,
            state: self.state.clone(),
        }
    }

    fn stored(&self, site: u32) -> StoredItem {
        let r = store::encode_bytes(&self.remote);
        let rd = self.remote_display.as_deref().map(str::to_string);
        StoredItem {
            i: self.id,
            p: self.parent,
            n: site,
            d: self.direction,
            l: store::encode_path(&self.local),
            r,
            rd,
            f: self.is_dir,
            z: self.size,
            m: self.modified.map(|t| t.and_utc().timestamp()),
            s: self.state.clone(),
            o: self.pos,
        }
    }
}

struct WorkerSlot {
    jobs: mpsc::UnboundedSender<WorkerJob>,
    current: Option<(ItemId, CancellationToken)>,
    retiring: bool,
    /// Sites this worker may hold a connection to (it keeps one per site
    /// for the next item), counted against each site's connection limit.
    holds: HashSet<Arc<SiteKey>>,
}

impl WorkerSlot {
    /// Drops the sender of the worker's jobs, which ends the worker once it
    /// has finished what it holds.
    fn close(&mut self) {
        let (closed, _) = mpsc::unbounded_channel();
        self.jobs = closed;
    }
}

/// Runnable items in queue order, one ordered set per site, so the first item
/// of a site that may open a connection is a lookup, not a scan past the
/// items of sites that are at their connection limit.
#[derive(Default)]
struct Ready {
    by_site: HashMap<Arc<SiteKey>, BTreeSet<(Pos, ItemId)>>,
}

impl Ready {
    fn insert(&mut self, site: &Arc<SiteKey>, key: (Pos, ItemId)) {
        self.by_site
            .entry(Arc::clone(site))
            .or_default()
            .insert(key);
    }

    fn remove(&mut self, site: &SiteKey, key: &(Pos, ItemId)) {
        if let Some(set) = self.by_site.get_mut(site) {
            set.remove(key);
            if set.is_empty() {
                self.by_site.remove(site);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.by_site.is_empty()
    }

    /// The first item, in queue order, of the sites `pick` allows, with
    /// what `pick` gave for its site (a worker to run it, say).
    fn first<T>(&self, mut pick: impl FnMut(&SiteKey) -> Option<T>) -> Option<(ItemId, T)> {
        self.by_site
            .iter()
            .filter_map(|(site, set)| Some((*set.first()?, pick(site)?)))
            .min_by_key(|(key, _)| *key)
            .map(|((_, id), picked)| (id, picked))
    }
}

struct Site {
    config: Arc<SessionConfig>,
    generation: u64,
}

struct Queue {
    options: QueueOptions,
    sink: QueueSink,
    msgs: mpsc::UnboundedSender<Msg>,
    items: HashMap<ItemId, Item>,
    children: HashMap<ItemId, Vec<ItemId>>,
    ready_files: Ready,
    ready_dirs: Ready,
    sites: HashMap<SiteKey, Site>,
    site_keys: HashMap<SiteKey, Arc<SiteKey>>,
    generation: u64,
    workers: Vec<WorkerSlot>,
    walker: mpsc::UnboundedSender<WalkJob>,
    /// The running walk: its item, its cancel token, and its site (whose
    /// connection limit the walker's connection counts against).
    walking: Option<(ItemId, CancellationToken, Arc<SiteKey>)>,
    /// Items received whole whose files are still being written.
    storing: HashSet<ItemId>,
    /// Logged-in connections lent by the front end or handed over by the
    /// walker, for the next job of their site; counted as held.
    lent: Lent,
    next_id: ItemId,
    min_major: i64,
    max_major: i64,
    processing: bool,
    download_limit: Arc<RateLimiter>,
    upload_limit: Arc<RateLimiter>,
    store: Option<Store>,
    dirty: Vec<ItemId>,
    dirty_set: HashSet<ItemId>,
    last_upsert: Instant,
    last_store: Instant,
    last_totals: Instant,
    totals_due: bool,
    busy: bool,
    counts: Counts,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    waiting: u64,
    waiting_bytes: u64,
    running: u64,
    done: u64,
    failed: u64,
}

impl Counts {
    fn apply(&mut self, state: &ItemState, size: Option<u64>, sign: i64) {
        let add = |v: &mut u64, by: u64| {
            *v = if sign > 0 {
                v.saturating_add(by)
            } else {
                v.saturating_sub(by)
            }
        };
        match state {
            ItemState::Queued | ItemState::Paused | ItemState::Asking => {
                add(&mut self.waiting, 1);
                add(&mut self.waiting_bytes, size.unwrap_or(0));
            }
            ItemState::Running => add(&mut self.running, 1),
            ItemState::Done | ItemState::Skipped(_) => add(&mut self.done, 1),
            ItemState::Failed(_) => add(&mut self.failed, 1),
        }
    }
}

/// The states a restart must know: everything else comes back `Paused`.
fn is_recorded(state: &ItemState) -> bool {
    matches!(
        state,
        ItemState::Done | ItemState::Skipped(_) | ItemState::Failed(_)
    )
}

const TICK: Duration = Duration::from_millis(100);
const UPSERT_CHUNK: usize = 1000;
const UPSERT_EVERY: Duration = Duration::from_millis(50);
const STORE_EVERY: Duration = Duration::from_millis(500);
const TOTALS_EVERY: Duration = Duration::from_millis(500);

/// Runs the actor until `Shutdown` or until every handle is dropped.
pub(super) async fn run(
    mut options: QueueOptions,
    mut commands: mpsc::UnboundedReceiver<QueueCommand>,
    sink: QueueSink,
) {
    options.workers = options.workers.clamp(1, 32);
    let (msgs, mut msg_rx) = mpsc::unbounded_channel();
    let (walker, walk_rx) = mpsc::unbounded_channel();
    tokio::spawn(worker::run_walker(walk_rx, msgs.clone(), sink.clone()));
    let now = Instant::now();
    let mut queue = Queue {
        processing: options.process,
        options,
        sink,
        msgs,
        items: HashMap::new(),
        children: HashMap::new(),
        ready_files: Ready::default(),
        ready_dirs: Ready::default(),
        sites: HashMap::new(),
        site_keys: HashMap::new(),
        generation: 0,
        workers: Vec::new(),
        walker,
        walking: None,
        storing: HashSet::new(),
        lent: Lent::default(),
        next_id: 1,
        min_major: 0,
        max_major: 0,
        download_limit: Arc::new(RateLimiter::unlimited()),
        upload_limit: Arc::new(RateLimiter::unlimited()),
        store: None,
        dirty: Vec::new(),
        dirty_set: HashSet::new(),
        last_upsert: now,
        // The first change is written at the next tick; later ones in batches.
        last_store: now.checked_sub(STORE_EVERY).unwrap_or(now),
        last_totals: now,
        totals_due: true,
        busy: false,
        counts: Counts::default(),
    };
    queue.restore();
    queue.set_workers(queue.options.workers);
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
}

/// How long a lent connection waits for a job before it is closed: a
/// server may drop an idle login, and a dead one would cost its job a retry.
const LENT_FOR: Duration = Duration::from_secs(20);

/// Logged-in connections lent to the queue, each with its site and when it
/// was lent.
#[derive(Default)]
struct Lent(Vec<(SiteKey, Box<crate::engine::Session>, Instant)>);

impl Lent {
    fn push(&mut self, site: SiteKey, session: Box<crate::engine::Session>) {
        self.0.push((site, session, Instant::now()));
    }

    /// A connection lent for `site`, if there is one.
    fn take(&mut self, site: &SiteKey) -> Option<Box<crate::engine::Session>> {
        let at = self.0.iter().position(|(key, _, _)| key == site)?;
        Some(self.0.swap_remove(at).1)
    }

    fn count(&self, site: &SiteKey) -> usize {
        self.0.iter().filter(|(key, _, _)| key == site).count()
    }

    fn has(&self, site: &SiteKey) -> bool {
        self.0.iter().any(|(key, _, _)| key == site)
    }

    /// Logs out (in the background) every connection `keep` refuses.
    fn close_unless(&mut self, keep: impl Fn(&SiteKey, Instant) -> bool) {
        let (kept, closed) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(key, _, since)| keep(key, *since));
        self.0 = kept;
        for (_, session, _) in closed {
            tokio::spawn(session.quit());
        }
    }
}

impl Queue {
    // ---- restore and persistence ----------------------------------------

    fn restore(&mut self) {
        let Some(path) = self.options.store.clone() else {
            return;
        };
        let mut sites: HashMap<u32, Arc<SiteKey>> = HashMap::new();
        let mut keys = std::mem::take(&mut self.site_keys);
        let mut items: HashMap<ItemId, Item> = HashMap::new();
        let replayed = store::replay(&path, |record| match record {
            Record::Site { n, key } => {
                let key = Arc::clone(keys.entry(key.clone()).or_insert_with(|| Arc::new(key)));
                sites.insert(n, key);
            }
            Record::Add(stored) => {
                if let Some(site) = sites.get(&stored.n) {
                    items.insert(stored.i, Item::restored(stored, Arc::clone(site)));
                }
            }
            Record::State { i, s } => {
                if let Some(item) = items.get_mut(&i) {
                    item.state = s;
                }
            }
            Record::Remove(ids) => {
                for id in ids {
                    items.remove(&id);
                }
            }
            Record::Order(moves) => {
                for (id, major, minor) in moves {
                    if let Some(item) = items.get_mut(&id) {
                        item.pos = (major, minor);
                    }
                }
            }
        });
        self.site_keys = keys;
        let replayed = match replayed {
            Ok(replayed) => replayed,
            Err(e) => {
                items.clear();
                self.sink.log(
                    LogKind::Error,
                    format!("could not read the queue ({e}): {}", path.display()),
                );
                match crate::paths::set_aside(&path) {
                    Ok(aside) => self.sink.log(
                        LogKind::Warning,
                        format!("the unreadable queue was kept as {}", aside.display()),
                    ),
                    Err(e) => self.sink.log(
                        LogKind::Error,
                        format!("could not set the queue aside ({e}): {}", path.display()),
                    ),
                }
                store::Replayed::default()
            }
        };
        if replayed.bad_lines > 0 {
            self.sink.log(
                LogKind::Warning,
                format!(
                    "{} unreadable line(s) in the queue were skipped (a write cut short): {}",
                    replayed.bad_lines,
                    path.display()
                ),
            );
        }
        let mut store = Store::open(path.clone(), replayed.records);
        let mut ids: Vec<ItemId> = items.keys().copied().collect();
        ids.sort_unstable();
        for item in items.values_mut() {
            // Whatever was waiting or running comes back paused.
            if !(item.state.is_finished() || matches!(item.state, ItemState::Failed(_))) {
                item.state = ItemState::Paused;
            }
            if item.state == ItemState::Done {
                item.done = item.size.unwrap_or(0);
            }
        }
        let mut minors: Vec<(ItemId, u64)> = Vec::new();
        for item in items.values() {
            self.next_id = self.next_id.max(item.id + 1);
            self.min_major = self.min_major.min(item.pos.0);
            self.max_major = self.max_major.max(item.pos.0);
            self.counts.apply(&item.state, item.size, 1);
            if let Some(parent) = item.parent {
                self.children.entry(parent).or_default().push(item.id);
                minors.push((parent, item.pos.1 + 1));
            }
        }
        for kids in self.children.values_mut() {
            kids.sort_unstable();
        }
        for (parent, minor) in minors {
            if let Some(p) = items.get_mut(&parent) {
                p.next_minor = p.next_minor.max(minor);
            }
        }
        self.items = items;
        if !ids.is_empty() {
            self.sink.log(
                LogKind::Status,
                format!(
                    "Restored {} queue item(s), unfinished ones paused: {}",
                    ids.len(),
                    path.display()
                ),
            );
            for chunk in ids.chunks(UPSERT_CHUNK) {
                let views: Vec<ItemView> = chunk
                    .iter()
                    .filter_map(|id| self.items.get(id).map(Item::view))
                    .collect();
                self.sink.send(QueueEvent::Upsert(views));
            }
        }
        if store.wants_compaction(self.items.len()) {
            self.rewrite_store(&mut store);
        }
        self.store = Some(store);
    }

    fn rewrite_store(&self, store: &mut Store) {
        let mut numbers: HashMap<SiteKey, u32> = HashMap::new();
        let mut ids: Vec<ItemId> = self.items.keys().copied().collect();
        ids.sort_unstable();
        let mut writer = store.rewriter();
        for id in ids {
            let Some(item) = self.items.get(&id) else {
                continue;
            };
            let n = match numbers.get(&*item.site) {
                Some(&n) => n,
                None => {
                    let n = numbers.len() as u32;
                    numbers.insert((*item.site).clone(), n);
                    writer.site(&item.site, n);
                    n
                }
            };
            writer.record(&Record::Add(item.stored(n)));
        }
        store.commit(writer);
    }

    fn record(&mut self, record: impl FnOnce(&mut Store) -> Record) {
        if let Some(store) = self.store.as_mut() {
            let record = record(store);
            store.record(&record);
        }
    }

    fn record_add(&mut self, id: ItemId) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        if let Some(item) = self.items.get(&id) {
            let n = store.site(&item.site);
            store.record(&Record::Add(item.stored(n)));
        }
    }

    fn flush_store(&mut self, force: bool) {
        let live = self.items.len();
        let compact = self
            .store
            .as_ref()
            .is_some_and(|s| s.wants_compaction(live));
        if compact && let Some(mut store) = self.store.take() {
            self.rewrite_store(&mut store);
            self.store = Some(store);
            self.last_store = Instant::now();
            return;
        }
        if let Some(store) = self.store.as_mut()
            && store.has_pending()
            && (force || self.last_store.elapsed() >= STORE_EVERY)
        {
            store.flush();
            self.last_store = Instant::now();
        }
        if let Some(error) = self.store.as_ref().and_then(Store::take_error) {
            self.sink
                .log(LogKind::Error, format!("could not save the queue: {error}"));
        }
    }

    // ---- state bookkeeping ---------------------------------------------

    fn site_key(&mut self, key: &SiteKey) -> Arc<SiteKey> {
        Arc::clone(
            self.site_keys
                .entry(key.clone())
                .or_insert_with(|| Arc::new(key.clone())),
        )
    }

    fn mark(&mut self, id: ItemId) {
        if self.dirty_set.insert(id) {
            self.dirty.push(id);
        }
        self.totals_due = true;
    }

    /// Moves an item to `state`, keeping counts, ready sets and the store in step.
    fn set_state(&mut self, id: ItemId, state: ItemState) {
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        if item.state == state {
            return;
        }
        let old = std::mem::replace(&mut item.state, state.clone());
        self.counts.apply(&old, item.size, -1);
        self.counts.apply(&state, item.size, 1);
        let key = (item.pos, id);
        let ready = if item.is_dir {
            &mut self.ready_dirs
        } else {
            &mut self.ready_files
        };
        if old == ItemState::Queued {
            ready.remove(&item.site, &key);
        }
        if state == ItemState::Queued {
            ready.insert(&item.site, key);
        }
        if state != ItemState::Running {
            item.rate = 0.0;
        }
        if is_recorded(&state) || is_recorded(&old) {
            self.record(|_| Record::State { i: id, s: state });
        }
        self.mark(id);
    }

    fn set_pos(&mut self, id: ItemId, pos: Pos) {
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        let ready = if item.is_dir {
            &mut self.ready_dirs
        } else {
            &mut self.ready_files
        };
        if item.state == ItemState::Queued {
            ready.remove(&item.site, &(item.pos, id));
            ready.insert(&item.site, (pos, id));
        }
        item.pos = pos;
    }

    fn insert(&mut self, item: Item) {
        let id = item.id;
        self.counts.apply(&item.state, item.size, 1);
        if item.state == ItemState::Queued {
            if item.is_dir {
                self.ready_dirs.insert(&item.site, (item.pos, id));
            } else {
                self.ready_files.insert(&item.site, (item.pos, id));
            }
        }
        if let Some(parent) = item.parent {
            self.children.entry(parent).or_default().push(id);
        }
        self.items.insert(id, item);
        self.record_add(id);
        self.mark(id);
    }

    fn remove(&mut self, id: ItemId, removed: &mut Vec<ItemId>) {
        if let Some(kids) = self.children.remove(&id) {
            for kid in kids {
                self.remove(kid, removed);
            }
        }
        let Some(item) = self.items.remove(&id) else {
            return;
        };
        self.counts.apply(&item.state, item.size, -1);
        self.ready_files.remove(&item.site, &(item.pos, id));
        self.ready_dirs.remove(&item.site, &(item.pos, id));
        self.stop_running(id);
        if let Some(parent) = item.parent
            && let Some(siblings) = self.children.get_mut(&parent)
        {
            siblings.retain(|&s| s != id);
        }
        self.totals_due = true;
        removed.push(id);
    }

    /// Cancels the transfer or walk of `id`, if one runs (its partial file stays).
    fn stop_running(&mut self, id: ItemId) {
        for worker in &self.workers {
            if let Some((current, token)) = &worker.current
                && *current == id
            {
                token.cancel();
            }
        }
        if let Some((current, token, _)) = &self.walking
            && *current == id
        {
            token.cancel();
        }
    }

    /// `ids` and, for folder items, their children.
    fn with_children(&self, ids: &[ItemId]) -> Vec<ItemId> {
        let mut out = Vec::with_capacity(ids.len());
        let mut seen = HashSet::new();
        for &id in ids {
            if seen.insert(id) {
                out.push(id);
            }
            if let Some(kids) = self.children.get(&id) {
                for &kid in kids {
                    if seen.insert(kid) {
                        out.push(kid);
                    }
                }
            }
        }
        out
    }

    fn policy(&self, direction: Direction) -> PolicyChoice {
        match direction {
            Direction::Download => self.options.download,
            Direction::Upload => self.options.upload,
        }
    }

    fn log(&self, kind: LogKind, text: impl Into<String>) {
        self.sink.log(kind, text);
    }

    // ---- commands -------------------------------------------------------

    fn command(&mut self, command: QueueCommand) {
        match command {
            QueueCommand::SetSite(config) => self.set_site(*config),
            QueueCommand::Lend(session) => {
                let key = SiteKey::of(session.config());
                if self.sites.contains_key(&key) {
                    self.lent.push(key, session);
                }
            }
            QueueCommand::Connect { site, connections } => {
                let site = self.site_key(&site);
                self.connect_ahead(&site, connections);
            }
            QueueCommand::Add { site, items } => self.add(site, items),
            QueueCommand::Pause(ids) => {
                for id in self.with_children(&ids) {
                    self.pause(id);
                }
            }
            QueueCommand::Resume(ids) => {
                for id in self.with_children(&ids) {
                    self.resume(id);
                }
            }
            QueueCommand::Cancel(ids) => {
                let mut removed = Vec::new();
                for id in ids {
                    self.remove(id, &mut removed);
                }
                self.record(|_| Record::Remove(removed.clone()));
                self.emit_removed(removed);
            }
            QueueCommand::Retry(ids) => {
                for id in ids {
                    if matches!(
                        self.items.get(&id).map(|i| &i.state),
                        Some(ItemState::Failed(_))
                    ) {
                        self.queue_or_wait(id);
                    }
                }
            }
            QueueCommand::MoveToTop(ids) => self.move_items(ids, true),
            QueueCommand::MoveToBottom(ids) => self.move_items(ids, false),
            QueueCommand::PauseAll => {
                let ids: Vec<ItemId> = self.items.keys().copied().collect();
                for id in ids {
                    self.pause(id);
                }
            }
            QueueCommand::ResumeAll => {
                let mut ids: Vec<(Pos, ItemId)> = self
                    .items
                    .values()
                    .filter(|i| i.state == ItemState::Paused)
                    .map(|i| (i.pos, i.id))
                    .collect();
                ids.sort_unstable();
                for (_, id) in ids {
                    self.resume(id);
                }
            }
            QueueCommand::CancelAll => {
                let mut removed = Vec::new();
                let ids: Vec<ItemId> = self.items.keys().copied().collect();
                for id in ids {
                    self.remove(id, &mut removed);
                }
                self.record(|_| Record::Remove(removed.clone()));
                self.emit_removed(removed);
            }
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
                self.set_workers(self.options.workers);
            }
            QueueCommand::SetPolicies { download, upload } => {
                self.options.download = download;
                self.options.upload = upload;
            }
            QueueCommand::SetLimits { download, upload } => {
                self.download_limit.set_rate(download);
                self.upload_limit.set_rate(upload);
            }
            QueueCommand::Answer {
                id,
                policy,
                apply_to_all,
            } => self.answer(id, policy, apply_to_all),
            QueueCommand::ClearFinished => {
                let ids: Vec<ItemId> = self
                    .items
                    .values()
                    .filter(|i| i.state.is_finished())
                    .map(|i| i.id)
                    .collect();
                let mut removed = Vec::new();
                for id in ids {
                    // A folder's unfinished children stay: remove only the item.
                    if let Some(item) = self.items.remove(&id) {
                        self.counts.apply(&item.state, item.size, -1);
                        if let Some(parent) = item.parent
                            && let Some(siblings) = self.children.get_mut(&parent)
                        {
                            siblings.retain(|&s| s != id);
                        }
                        removed.push(id);
                    }
                }
                self.totals_due = true;
                self.record(|_| Record::Remove(removed.clone()));
                self.emit_removed(removed);
            }
            QueueCommand::Shutdown => {}
        }
    }

    fn emit_removed(&mut self, removed: Vec<ItemId>) {
        if removed.is_empty() {
            return;
        }
        self.flush_upserts();
        let gone: HashSet<ItemId> = removed.iter().copied().collect();
        self.dirty.retain(|id| !gone.contains(id));
        self.dirty_set.retain(|id| !gone.contains(id));
        self.sink.send(QueueEvent::Removed(removed));
    }

    fn set_site(&mut self, mut config: SessionConfig) {
        let key = SiteKey::of(&config);
        // The queue's limiters are the ones every worker shares.
        config.download_limit = Some(Arc::clone(&self.download_limit));
        config.upload_limit = Some(Arc::clone(&self.upload_limit));
        self.generation += 1;
        self.sites.insert(
            key.clone(),
            Site {
                config: Arc::new(config),
                generation: self.generation,
            },
        );
        // Items that waited for these settings go ahead.
        let waiting: Vec<ItemId> = self
            .items
            .values()
            .filter(|i| *i.site == key && i.state == ItemState::Paused && i.waiting_site)
            .map(|i| i.id)
            .collect();
        for id in waiting {
            if let Some(item) = self.items.get_mut(&id) {
                item.waiting_site = false;
            }
            self.set_state(id, ItemState::Queued);
        }
    }

    fn add(&mut self, site: SiteKey, items: Vec<NewItem>) {
        let known = self.sites.contains_key(&site);
        if !known {
            self.log(
                LogKind::Warning,
                format!("No connection settings for {site}: its items wait, paused"),
            );
        }
        let key = self.site_key(&site);
        for new in items {
            self.max_major += 1;
            let id = self.next_id;
            self.next_id += 1;
            let item = Item {
                id,
                parent: None,
                site: Arc::clone(&key),
                direction: new.direction,
                local: new.local,
                remote_display: display_form(&new.remote, new.remote_display),
                remote: new.remote,
                is_dir: new.is_dir,
                size: new.size,
                modified: new.modified,
                done: 0,
                state: if known {
                    ItemState::Queued
                } else {
                    ItemState::Paused
                },
                pos: (self.max_major, 0),
                answer: None,
                hint: Hint::Unknown,
                waiting_site: !known,
                rate: 0.0,
                next_minor: 1,
            };
            self.insert(item);
        }
    }

    fn pause(&mut self, id: ItemId) {
        let Some(item) = self.items.get(&id) else {
            return;
        };
        match item.state {
            ItemState::Queued | ItemState::Asking => self.set_state(id, ItemState::Paused),
            ItemState::Running => {
                self.stop_running(id);
                self.set_state(id, ItemState::Paused);
            }
            _ => {}
        }
    }

    fn resume(&mut self, id: ItemId) {
        if self.items.get(&id).map(|i| &i.state) == Some(&ItemState::Paused) {
            self.queue_or_wait(id);
        }
    }

    /// Queues an item, or leaves it paused when its site has no settings yet.
    fn queue_or_wait(&mut self, id: ItemId) {
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        if self.sites.contains_key(&*item.site) {
            item.waiting_site = false;
            self.set_state(id, ItemState::Queued);
        } else {
            item.waiting_site = true;
            let site = item.site.clone();
            self.set_state(id, ItemState::Paused);
            self.log(
                LogKind::Warning,
                format!("No connection settings for {site}: its items wait, paused"),
            );
        }
    }

    fn move_items(&mut self, ids: Vec<ItemId>, to_top: bool) {
        let ids: Vec<ItemId> = ids
            .into_iter()
            .filter(|id| self.items.contains_key(id))
            .collect();
        if ids.is_empty() {
            return;
        }
        let count = ids.len() as i64;
        let mut moves = Vec::new();
        for (n, &id) in ids.iter().enumerate() {
            let major = if to_top {
                self.min_major - count + n as i64
            } else {
                self.max_major + 1 + n as i64
            };
            let mut members = vec![id];
            members.extend(self.children.get(&id).cloned().unwrap_or_default());
            for member in members {
                let minor = self.items.get(&member).map_or(0, |i| i.pos.1);
                self.set_pos(member, (major, minor));
                moves.push((member, major, minor));
            }
        }
        if to_top {
            self.min_major -= count;
        } else {
            self.max_major += count;
        }
        self.record(|_| Record::Order(moves));
        self.flush_upserts();
        self.sink.send(QueueEvent::Moved { ids, to_top });
    }

    fn answer(&mut self, id: ItemId, policy: ExistsPolicy, apply_to_all: bool) {
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        if item.state != ItemState::Asking {
            return;
        }
        let direction = item.direction;
        item.answer = Some(policy);
        self.queue_or_wait(id);
        if apply_to_all {
            match direction {
                Direction::Download => self.options.download = PolicyChoice::Fixed(policy),
                Direction::Upload => self.options.upload = PolicyChoice::Fixed(policy),
            }
            let asking: Vec<ItemId> = self
                .items
                .values()
                .filter(|i| i.state == ItemState::Asking && i.direction == direction)
                .map(|i| i.id)
                .collect();
            for other in asking {
                if let Some(item) = self.items.get_mut(&other) {
                    item.answer = Some(policy);
                }
                self.queue_or_wait(other);
            }
        }
    }

    // ---- workers ----------------------------------------------------------

    fn set_workers(&mut self, n: usize) {
        let alive = self.workers.iter().filter(|w| !w.retiring).count();
        if n > alive {
            // Revive retiring workers first, then start new ones.
            let mut wanted = n - alive;
            for worker in self.workers.iter_mut().filter(|w| w.retiring) {
                if wanted == 0 {
                    break;
                }
                if !worker.jobs.is_closed() && worker.current.is_some() {
                    worker.retiring = false;
                    wanted -= 1;
                }
            }
            for _ in 0..wanted {
                let (tx, rx) = mpsc::unbounded_channel();
                let index = self.workers.len();
                tokio::spawn(worker::run_worker(
                    index,
                    rx,
                    self.msgs.clone(),
                    self.sink.clone(),
                ));
                self.workers.push(WorkerSlot {
                    jobs: tx,
                    current: None,
                    retiring: false,
                    holds: HashSet::new(),
                });
            }
        } else {
            let mut extra = alive - n;
            // Idle ones go first; busy ones after their item.
            for idle_first in [true, false] {
                for worker in self.workers.iter_mut().filter(|w| !w.retiring) {
                    if extra == 0 {
                        break;
                    }
                    if worker.current.is_none() == idle_first {
                        worker.retiring = true;
                        extra -= 1;
                        if idle_first {
                            worker.close();
                        }
                    }
                }
            }
        }
    }

    fn dispatch(&mut self) {
        if !self.processing {
            return;
        }
        if self.walking.is_none()
            && let Some((id, ())) = self
                .ready_dirs
                .first(|site| (self.sites.contains_key(site) && self.walk_room(site)).then_some(()))
        {
            self.start_walk(id);
        }
        loop {
            let free: Vec<usize> = (0..self.workers.len())
                .filter(|&i| !self.workers[i].retiring && self.workers[i].current.is_none())
                .collect();
            if free.is_empty() {
                break;
            }
            let Some((id, index)) = self.ready_files.first(|site| {
                self.sites
                    .contains_key(site)
                    .then(|| self.worker_for(site, &free))
                    .flatten()
            }) else {
                break;
            };
            if !self.start_file(index, id) {
                break;
            }
        }
    }

    /// Connections the queue may hold to `site`: its limit, or no limit.
    fn site_limit(&self, site: &SiteKey) -> Option<usize> {
        self.sites
            .get(site)
            .and_then(|s| s.config.max_connections)
            .map(usize::from)
    }

    /// Connections the queue holds (or may still hold) to `site`: workers
    /// that served it and are not leaving idle, and the walker while it walks there.
    fn holders(&self, site: &SiteKey) -> usize {
        let workers = self
            .workers
            .iter()
            .filter(|w| !(w.retiring && w.current.is_none()))
            .filter(|w| w.holds.contains(site))
            .count();
        let walker = self
            .walking
            .as_ref()
            .is_some_and(|(_, _, walked)| **walked == *site);
        workers + usize::from(walker) + self.lent.count(site)
    }

    /// Which free worker takes the next item of `site`: one that already has
    /// a connection to it, else any, if the site's limit leaves room.
    fn worker_for(&self, site: &SiteKey, free: &[usize]) -> Option<usize> {
        if let Some(&index) = free.iter().find(|&&i| self.workers[i].holds.contains(site)) {
            return Some(index);
        }
        // A lent connection moves to the worker: no new one opens.
        if self.lent.has(site) {
            return free.first().copied();
        }
        match self.site_limit(site) {
            Some(limit) if self.holders(site) >= limit => None,
            _ => free.first().copied(),
        }
    }

    /// Whether a walk of `site` may open a connection, asking an idle worker
    /// to give its connection back when that makes room. A walk waits while
    /// every connection the limit allows is busy transferring.
    fn walk_room(&self, site: &SiteKey) -> bool {
        let Some(limit) = self.site_limit(site) else {
            return true;
        };
        // A lent connection is the walk's to take.
        self.holders(site) < limit || self.idle_holder(site).is_some() || self.lent.has(site)
    }

    /// Whether a worker that stays has no connection to `site` (and could
    /// take a lent one).
    fn worker_without(&self, site: &SiteKey) -> bool {
        self.workers
            .iter()
            .any(|w| !w.retiring && !w.holds.contains(site))
    }

    fn idle_holder(&self, site: &SiteKey) -> Option<usize> {
        self.workers
            .iter()
            .position(|w| w.current.is_none() && !w.retiring && w.holds.contains(site))
    }

    /// Sends item `id` to worker `index`; false when nothing was started.
    fn start_file(&mut self, index: usize, id: ItemId) -> bool {
        let Some(item) = self.items.get(&id) else {
            return false;
        };
        let Some(site) = self.sites.get(&*item.site) else {
            return false;
        };
        let site_key = Arc::clone(&item.site);
        let policy = self.policy(item.direction);
        let (exists, ask) = match (item.answer, policy) {
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
                item.hint,
                Hint::FreshTarget | Hint::LocalFolder { fresh: true, .. }
            ),
            local_disk: matches!(
                item.hint,
                Hint::LocalFolder {
                    local_disk: true,
                    ..
                }
            ),
            ask,
        };
        let facts = match item.direction {
            Direction::Download if item.size.is_some() => Some(FileFacts {
                size: item.size,
                modified: item.modified,
            }),
            _ => None,
        };
        let cancel = CancellationToken::new();
        let session = if self.workers[index].holds.contains(&*item.site) {
            None
        } else {
            self.lent.take(&item.site)
        };
        let job = FileJob {
            id,
            site: Arc::clone(&site.config),
            generation: site.generation,
            direction: item.direction,
            local: item.local.clone(),
            remote: item.remote.clone(),
            facts,
            hint: item.hint,
            mode,
            exists,
            retry: self.options.retry,
            preserve_times: self.options.preserve_times,
            cancel: cancel.clone(),
            session,
        };
        if self.workers[index]
            .jobs
            .send(WorkerJob::File(Box::new(job)))
            .is_err()
        {
            self.workers[index].retiring = true;
            // Another worker may take it.
            return true;
        }
        self.workers[index].current = Some((id, cancel));
        self.workers[index].holds.insert(site_key);
        self.set_state(id, ItemState::Running);
        true
    }

    fn start_walk(&mut self, id: ItemId) {
        let Some(item) = self.items.get(&id) else {
            return;
        };
        let Some(site) = self.sites.get(&*item.site) else {
            return;
        };
        let known: HashSet<Vec<u8>> = self
            .children
            .get(&id)
            .map(|kids| {
                kids.iter()
                    .filter_map(|k| self.items.get(k))
                    .map(|k| k.remote.clone())
                    .collect()
            })
            .unwrap_or_default();
        let cancel = CancellationToken::new();
        let job = WalkJob {
            id,
            site: Arc::clone(&site.config),
            generation: site.generation,
            direction: item.direction,
            local: item.local.clone(),
            remote: item.remote.clone(),
            known,
            retry: self.options.retry,
            cancel: cancel.clone(),
            session: self.lent.take(&item.site),
        };
        let site_key = Arc::clone(&item.site);
        if self
            .site_limit(&site_key)
            .is_some_and(|limit| self.holders(&site_key) >= limit)
            && let Some(index) = self.idle_holder(&site_key)
        {
            let worker = &mut self.workers[index];
            worker.holds.remove(&site_key);
            let _ = worker.jobs.send(WorkerJob::Release((*site_key).clone()));
        }
        if self.walker.send(job).is_ok() {
            self.walking = Some((id, cancel, Arc::clone(&site_key)));
            self.set_state(id, ItemState::Running);
            // Idle workers log in while the walk lists the first folder, so
            // files start on every connection as soon as they are listed.
            // One is left for the walker's connection, handed over after the
            // last folder.
            let alive = self.workers.iter().filter(|w| !w.retiring).count();
            self.connect_ahead(&site_key, alive.saturating_sub(1));
        }
    }

    /// Makes up to `connections` workers hold a connection to `site`,
    /// counting those that hold one already: idle workers without one log
    /// in now. The site's limit is kept.
    fn connect_ahead(&mut self, site: &Arc<SiteKey>, connections: usize) {
        let Some(config) = self.sites.get(&**site) else {
            return;
        };
        let (config, generation) = (Arc::clone(&config.config), config.generation);
        let holding = self
            .workers
            .iter()
            .filter(|w| !w.retiring && w.holds.contains(site))
            .count();
        let mut wanted = connections.saturating_sub(holding);
        if let Some(limit) = self.site_limit(site) {
            wanted = wanted.min(limit.saturating_sub(self.holders(site)));
        }
        for worker in &mut self.workers {
            if wanted == 0 {
                break;
            }
            if worker.retiring || worker.current.is_some() || worker.holds.contains(site) {
                continue;
            }
            let job = WorkerJob::Connect {
                site: Arc::clone(&config),
                generation,
            };
            if worker.jobs.send(job).is_ok() {
                worker.holds.insert(Arc::clone(site));
                wanted -= 1;
            }
        }
    }

    /// After a walk of `site`: a connection lent for it that no worker will
    /// take (nothing of the site is waiting, or every worker has its own
    /// connection there) is closed rather than left idle.
    fn close_unwanted_lent(&mut self, site: &SiteKey) {
        let waiting = self.ready_files.by_site.contains_key(site);
        if !(waiting && self.worker_without(site)) {
            self.lent.close_unless(|key, _| key != site);
        }
    }

    // ---- reports ------------------------------------------------------------

    /// Worker `worker` is done with item `id` (it may hold a newer one by now).
    fn free_worker(&mut self, worker: usize, id: ItemId) {
        if let Some(slot) = self.workers.get_mut(worker)
            && slot
                .current
                .as_ref()
                .is_some_and(|(current, _)| *current == id)
        {
            slot.current = None;
            if slot.retiring {
                slot.close();
            }
        }
    }

    fn message(&mut self, msg: Msg) {
        match msg {
            Msg::Received { worker, id } => {
                self.free_worker(worker, id);
                self.storing.insert(id);
            }
            Msg::Finished { worker, id, result } => {
                self.free_worker(worker, id);
                self.storing.remove(&id);
                self.finished(id, result);
            }
            Msg::Progress {
                id,
                done,
                total,
                rate,
            } => {
                if let Some(item) = self.items.get_mut(&id)
                    && item.state == ItemState::Running
                {
                    item.done = done;
                    item.rate = rate;
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
            } => {
                let key = SiteKey::of(session.config());
                let current = self
                    .sites
                    .get(&key)
                    .is_some_and(|site| site.generation == generation);
                if current && self.worker_without(&key) {
                    self.lent.push(key, session);
                } else {
                    tokio::spawn(session.quit());
                }
            }
            Msg::WalkEnded { id, result } => {
                if let Some((w, _, site)) = &self.walking
                    && *w == id
                {
                    let site = Arc::clone(site);
                    self.walking = None;
                    self.close_unwanted_lent(&site);
                }
                let running = self
                    .items
                    .get(&id)
                    .is_some_and(|i| i.state == ItemState::Running);
                match result {
                    Ok(()) if running => self.set_state(id, ItemState::Done),
                    Err(EngineError::Cancelled) if running => self.set_state(id, ItemState::Paused),
                    Err(e) if running => {
                        self.log(LogKind::Error, format!("{e}"));
                        self.set_state(id, ItemState::Failed(e.to_string()));
                    }
                    _ => {}
                }
            }
        }
    }

    fn finished(&mut self, id: ItemId, result: JobResult) {
        let Some(item) = self.items.get_mut(&id) else {
            return; // cancelled: removed already
        };
        let was_running = item.state == ItemState::Running;
        match result {
            Ok(FileOutcome::Done { bytes }) => {
                item.done = item.size.unwrap_or(bytes).max(bytes);
                item.answer = None;
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
                self.flush_upserts();
                self.sink.send(event);
            }
            Ok(FileOutcome::Exists { .. }) => {}
            Err(EngineError::Cancelled) if was_running => self.set_state(id, ItemState::Paused),
            Err(EngineError::Cancelled) => {}
            Err(e) => {
                let what = item.display();
                self.log(LogKind::Error, format!("{e}: {what}"));
                self.set_state(id, ItemState::Failed(e.to_string()));
            }
        }
    }

    fn expanded(&mut self, parent: ItemId, children: Vec<Child>) {
        let Some(folder) = self.items.get_mut(&parent) else {
            return;
        };
        let follow = folder.state == ItemState::Running;
        let major = folder.pos.0;
        let first = folder.next_minor;
        folder.next_minor += children.len() as u64;
        let site = Arc::clone(&folder.site);
        for (minor, child) in (first..).zip(children) {
            let id = self.next_id;
            self.next_id += 1;
            let state = child.state.unwrap_or(if follow {
                ItemState::Queued
            } else {
                ItemState::Paused
            });
            let item = Item {
                id,
                parent: Some(parent),
                site: Arc::clone(&site),
                direction: child.item.direction,
                local: child.item.local,
                remote_display: display_form(&child.item.remote, child.item.remote_display),
                remote: child.item.remote,
                is_dir: child.item.is_dir,
                size: child.item.size,
                modified: child.item.modified,
                done: 0,
                state,
                pos: (major, minor),
                answer: None,
                hint: child.hint,
                waiting_site: false,
                rate: 0.0,
                next_minor: 1,
            };
            self.insert(item);
        }
    }

    // ---- events ---------------------------------------------------------------

    fn flush_upserts(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        // In chunks, so 100,000 new items never exist twice over in one event.
        let dirty = std::mem::take(&mut self.dirty);
        self.dirty_set.clear();
        self.last_upsert = Instant::now();
        for chunk in dirty.chunks(UPSERT_CHUNK) {
            let views: Vec<ItemView> = chunk
                .iter()
                .filter_map(|id| self.items.get(id).map(Item::view))
                .collect();
            if !views.is_empty() {
                self.sink.send(QueueEvent::Upsert(views));
            }
        }
    }

    fn totals(&self) -> QueueEvent {
        let rate = self.items_running().map(|i| i.rate).sum::<f64>();
        QueueEvent::Totals {
            queued: self.counts.waiting,
            queued_bytes: self.counts.waiting_bytes,
            running: self.counts.running,
            done: self.counts.done,
            failed: self.counts.failed,
            rate,
        }
    }

    fn items_running(&self) -> impl Iterator<Item = &Item> {
        self.workers
            .iter()
            .filter_map(|w| w.current.as_ref())
            .filter_map(|(id, _)| self.items.get(id))
    }

    /// Sends what is due: upserts (batched), totals, idle; writes the store.
    fn after_change(&mut self, force: bool) {
        if force || self.last_upsert.elapsed() >= UPSERT_EVERY || self.dirty.len() >= 1000 {
            self.flush_upserts();
        }
        let busy = self.counts.running > 0
            || self.walking.is_some()
            || (self.processing && !(self.ready_files.is_empty() && self.ready_dirs.is_empty()));
        if self.totals_due && (force || self.last_totals.elapsed() >= Duration::from_millis(100))
            || (!busy && self.busy)
        {
            self.totals_due = false;
            self.last_totals = Instant::now();
            let totals = self.totals();
            self.sink.send(totals);
        }
        if self.busy && !busy {
            self.flush_upserts();
            self.flush_store(true);
            self.sink.send(QueueEvent::Idle);
        }
        self.busy = busy;
    }

    fn tick(&mut self) {
        self.lent
            .close_unless(|_, since| since.elapsed() < LENT_FOR);
        self.flush_upserts();
        if self.busy && self.last_totals.elapsed() >= TOTALS_EVERY {
            self.totals_due = true;
        }
        self.flush_store(false);
    }

    async fn shutdown(mut self, msgs: &mut mpsc::UnboundedReceiver<Msg>) {
        self.processing = false;
        for worker in &self.workers {
            if let Some((_, token)) = &worker.current {
                token.cancel();
            }
        }
        if let Some((_, token, _)) = &self.walking {
            token.cancel();
        }
        // Let running items settle (ABOR, partial files flushed) for a moment.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while self.workers.iter().any(|w| w.current.is_some())
            || self.walking.is_some()
            || !self.storing.is_empty()
        {
            match tokio::time::timeout_at(deadline, msgs.recv()).await {
                Ok(Some(msg)) => self.message(msg),
                _ => break,
            }
        }
        // Whatever was running comes back paused on the next start.
        self.flush_upserts();
        if let Some(mut store) = self.store.take() {
            store.sync();
            if let Some(error) = store.take_error() {
                self.log(LogKind::Error, format!("could not save the queue: {error}"));
            }
        }
        for worker in &mut self.workers {
            worker.close();
        }
        let (closed, _) = mpsc::unbounded_channel();
        self.walker = closed;
    }
}
