//! The queue's scheduler: the workers and the walker as the actor sees
//! them, the site settings, the connections lent to the queue, and each
//! site's connection limit.
//!
//! It knows which worker runs what and which sites each may hold a
//! connection to, so it answers "which worker takes the next item of this
//! site" and "may a walk of this site start" without a scan of the items.
//! It starts and stops the worker and walker tasks and sends them their
//! jobs; it never looks at the item table (the actor passes what it needs)
//! and never records or reports anything.
//!
//! **Architecture invariant:** a site's `max_connections` caps the
//! connections the queue holds there: workers that keep one, the walker
//! while it walks the site, and lent connections all count.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::msg::{FileJob, Msg, QueueSink, WalkJob, WorkerJob};
use super::{ItemId, SiteKey, walker, worker};
use crate::engine::config::SessionConfig;
use crate::engine::limit::RateLimiter;
use crate::engine::session::Session;

/// How long a lent connection waits for a job before it is closed: a
/// server may drop an idle login, and a dead one would cost its job a retry.
pub(super) const LENT_FOR: Duration = Duration::from_secs(20);

/// A site's settings, with the version that made them.
pub(super) struct Site {
    pub config: Arc<SessionConfig>,
    /// Raised by every `SetSite`: a worker reconnects when it changed.
    pub generation: u64,
}

struct WorkerSlot {
    jobs: mpsc::UnboundedSender<WorkerJob>,
    current: Option<(ItemId, CancellationToken)>,
    retiring: bool,
    /// Sites this worker may hold a connection to (it keeps one per site
    /// for the next item), counted against each site's connection limit.
    holds: HashSet<Arc<SiteKey>>,
    task: JoinHandle<()>,
}

impl WorkerSlot {
    /// Drops the sender of the worker's jobs, which ends the worker once it
    /// has finished what it holds.
    fn close(&mut self) {
        let (closed, _) = mpsc::unbounded_channel();
        self.jobs = closed;
    }
}

/// Logged-in connections lent to the queue, each with its site and when it
/// was lent (on [`tokio::time`]'s clock). Generic so that tests can lend
/// anything.
pub(super) struct Lent<T> {
    conns: Vec<(SiteKey, T, Instant)>,
}

impl<T> Default for Lent<T> {
    fn default() -> Self {
        Lent { conns: Vec::new() }
    }
}

impl<T> Lent<T> {
    /// Lends `conn` for `site`, from now.
    pub(super) fn push(&mut self, site: SiteKey, conn: T) {
        self.conns.push((site, conn, Instant::now()));
    }

    /// A connection lent for `site`, if there is one.
    pub(super) fn take(&mut self, site: &SiteKey) -> Option<T> {
        let at = self.conns.iter().position(|(key, _, _)| key == site)?;
        Some(self.conns.swap_remove(at).1)
    }

    pub(super) fn count(&self, site: &SiteKey) -> usize {
        self.conns.iter().filter(|(key, _, _)| key == site).count()
    }

    pub(super) fn has(&self, site: &SiteKey) -> bool {
        self.conns.iter().any(|(key, _, _)| key == site)
    }

    /// Takes out every connection `keep` refuses (it is given the site and
    /// when the connection was lent).
    pub(super) fn take_unless(&mut self, keep: impl Fn(&SiteKey, Instant) -> bool) -> Vec<T> {
        let (kept, refused): (Vec<_>, Vec<_>) = std::mem::take(&mut self.conns)
            .into_iter()
            .partition(|(key, _, since)| keep(key, *since));
        self.conns = kept;
        refused.into_iter().map(|(_, conn, _)| conn).collect()
    }

    /// Takes out the connections lent [`LENT_FOR`] ago or longer.
    pub(super) fn expired(&mut self) -> Vec<T> {
        let now = Instant::now();
        self.take_unless(|_, since| now.duration_since(since) < LENT_FOR)
    }
}

/// The workers, the walker, the sites and the lent connections.
pub(super) struct Scheduler {
    msgs: mpsc::UnboundedSender<Msg>,
    sink: QueueSink,
    workers: Vec<WorkerSlot>,
    walker: mpsc::UnboundedSender<WalkJob>,
    walker_task: JoinHandle<()>,
    /// The running walk: its item, its cancel token, and its site (whose
    /// connection limit the walker's connection counts against).
    walking: Option<(ItemId, CancellationToken, Arc<SiteKey>)>,
    /// Items received whole whose files are still being written.
    storing: HashSet<ItemId>,
    /// Logged-in connections lent by the front end or handed over by the
    /// walker, for the next job of their site; counted as held.
    lent: Lent<Box<Session>>,
    /// Connections being logged out.
    closing: JoinSet<()>,
    sites: HashMap<SiteKey, Site>,
    generation: u64,
    download_limit: Arc<RateLimiter>,
    upload_limit: Arc<RateLimiter>,
}

impl Scheduler {
    /// Starts the walker (workers come with [`Scheduler::set_workers`]);
    /// every task reports on `msgs` and sends its events to `sink`.
    pub(super) fn start(msgs: mpsc::UnboundedSender<Msg>, sink: QueueSink) -> Self {
        let (walker, walk_rx) = mpsc::unbounded_channel();
        let walker_task = tokio::spawn(walker::run_walker(walk_rx, msgs.clone(), sink.clone()));
        Scheduler {
            msgs,
            sink,
            workers: Vec::new(),
            walker,
            walker_task,
            walking: None,
            storing: HashSet::new(),
            lent: Lent::default(),
            closing: JoinSet::new(),
            sites: HashMap::new(),
            generation: 0,
            download_limit: Arc::new(RateLimiter::unlimited()),
            upload_limit: Arc::new(RateLimiter::unlimited()),
        }
    }

    // ---- sites and lent connections --------------------------------------

    /// Takes a site's settings (with the queue's shared speed limiters);
    /// returns its key.
    pub(super) fn set_site(&mut self, mut config: SessionConfig) -> SiteKey {
        let key = SiteKey::of(&config);
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
        key
    }

    pub(super) fn has_site(&self, site: &SiteKey) -> bool {
        self.sites.contains_key(site)
    }

    pub(super) fn site(&self, site: &SiteKey) -> Option<&Site> {
        self.sites.get(site)
    }

    /// Speed limits in bytes per second, for every worker at once.
    pub(super) fn set_limits(&self, download: Option<u64>, upload: Option<u64>) {
        self.download_limit.set_rate(download);
        self.upload_limit.set_rate(upload);
    }

    /// A front end's connection, kept for the next job of its site (a site
    /// without settings cannot use it: it is dropped).
    pub(super) fn lend(&mut self, session: Box<Session>) {
        let key = SiteKey::of(session.config());
        if self.sites.contains_key(&key) {
            self.lent.push(key, session);
        }
    }

    /// The walker's connection after its walk: kept for a worker that has
    /// none there, if its settings are still current; else logged out.
    pub(super) fn spare(&mut self, generation: u64, session: Box<Session>) {
        let key = SiteKey::of(session.config());
        let current = self
            .sites
            .get(&key)
            .is_some_and(|site| site.generation == generation);
        if current && self.worker_without(&key) {
            self.lent.push(key, session);
        } else {
            self.close_sessions([session]);
        }
    }

    /// A lent connection for `site` if worker `index` has none there.
    pub(super) fn lent_for(&mut self, index: usize, site: &SiteKey) -> Option<Box<Session>> {
        if self.workers[index].holds.contains(site) {
            None
        } else {
            self.lent.take(site)
        }
    }

    fn close_sessions(&mut self, sessions: impl IntoIterator<Item = Box<Session>>) {
        for session in sessions {
            self.closing.spawn(session.quit());
        }
    }

    /// After a walk of `site`: a connection lent for it that no worker will
    /// take (no file of the site is `waiting`, or every worker has its own
    /// connection there) is closed rather than left idle.
    pub(super) fn close_unwanted_lent(&mut self, site: &SiteKey, waiting: bool) {
        if !(waiting && self.worker_without(site)) {
            let unwanted = self.lent.take_unless(|key, _| key != site);
            self.close_sessions(unwanted);
        }
    }

    /// The actor's tick: logs out lent connections unused for [`LENT_FOR`]
    /// and forgets those logged out.
    pub(super) fn tick(&mut self) {
        let expired = self.lent.expired();
        self.close_sessions(expired);
        while self.closing.try_join_next().is_some() {}
    }

    // ---- workers ------------------------------------------------------------

    /// Starts or retires workers until `n` stay.
    pub(super) fn set_workers(&mut self, n: usize) {
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
                let task = tokio::spawn(worker::run_worker(
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
                    task,
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

    /// Workers that stay and have no item.
    pub(super) fn free_workers(&self) -> Vec<usize> {
        (0..self.workers.len())
            .filter(|&i| !self.workers[i].retiring && self.workers[i].current.is_none())
            .collect()
    }

    /// The items the workers run.
    pub(super) fn running(&self) -> impl Iterator<Item = ItemId> + '_ {
        self.workers
            .iter()
            .filter_map(|w| w.current.as_ref().map(|(id, _)| *id))
    }

    /// Connections the queue may hold to `site`: its limit, or no limit.
    pub(super) fn site_limit(&self, site: &SiteKey) -> Option<usize> {
        self.sites
            .get(site)
            .and_then(|s| s.config.max_connections)
            .map(usize::from)
    }

    /// Connections the queue holds (or may still hold) to `site`: workers
    /// that served it and are not leaving idle, the walker while it walks
    /// there, and lent ones.
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
    pub(super) fn worker_for(&self, site: &SiteKey, free: &[usize]) -> Option<usize> {
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
    pub(super) fn walk_room(&self, site: &SiteKey) -> bool {
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

    /// Sends `job` to worker `index`, which then holds a connection to
    /// `site`; false when the worker is gone (it is retired).
    pub(super) fn send_file(&mut self, index: usize, job: FileJob, site: Arc<SiteKey>) -> bool {
        let (id, cancel) = (job.target.id, job.cancel.clone());
        let worker = &mut self.workers[index];
        if worker.jobs.send(WorkerJob::File(Box::new(job))).is_err() {
            worker.retiring = true;
            return false;
        }
        worker.current = Some((id, cancel));
        worker.holds.insert(site);
        true
    }

    /// Makes up to `connections` workers hold a connection to `site`,
    /// counting those that hold one already: idle workers without one log
    /// in now. The site's limit is kept.
    pub(super) fn connect_ahead(&mut self, site: &Arc<SiteKey>, connections: usize) {
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

    /// A worker received item `id` whole and is free; its file is written.
    pub(super) fn received(&mut self, worker: usize, id: ItemId) {
        self.free_worker(worker, id);
        self.storing.insert(id);
    }

    /// A worker finished item `id`.
    pub(super) fn finished(&mut self, worker: usize, id: ItemId) {
        self.free_worker(worker, id);
        self.storing.remove(&id);
    }

    // ---- the walker -----------------------------------------------------------

    pub(super) fn is_walking(&self) -> bool {
        self.walking.is_some()
    }

    /// A lent connection for `site`, for the walker.
    pub(super) fn take_lent(&mut self, site: &SiteKey) -> Option<Box<Session>> {
        self.lent.take(site)
    }

    /// Sends `job` to the walker, first asking an idle worker to give its
    /// connection back when `site` is at its limit; then idle workers log
    /// in while the walk lists. False when the walker is gone.
    pub(super) fn send_walk(&mut self, job: WalkJob, site: Arc<SiteKey>) -> bool {
        if self
            .site_limit(&site)
            .is_some_and(|limit| self.holders(&site) >= limit)
            && let Some(index) = self.idle_holder(&site)
        {
            let worker = &mut self.workers[index];
            worker.holds.remove(&site);
            let _ = worker.jobs.send(WorkerJob::Release((*site).clone()));
        }
        let (id, cancel) = (job.target.id, job.cancel.clone());
        if self.walker.send(job).is_err() {
            return false;
        }
        self.walking = Some((id, cancel, Arc::clone(&site)));
        // Idle workers log in while the walk lists the first folder, so
        // files start on every connection as soon as they are listed. One
        // is left for the walker's connection, handed over after the last
        // folder.
        let alive = self.workers.iter().filter(|w| !w.retiring).count();
        self.connect_ahead(&site, alive.saturating_sub(1));
        true
    }

    /// The walk of `id` ended; returns the walked site when it was the
    /// running walk.
    pub(super) fn walk_ended(&mut self, id: ItemId) -> Option<Arc<SiteKey>> {
        match &self.walking {
            Some((walked, _, site)) if *walked == id => {
                let site = Arc::clone(site);
                self.walking = None;
                Some(site)
            }
            _ => None,
        }
    }

    // ---- stopping ---------------------------------------------------------------

    /// Cancels the transfer or walk of `id`, if one runs (its partial file stays).
    /// Whether a worker is moving item `id` now.
    pub(super) fn runs(&self, id: ItemId) -> bool {
        self.workers.iter().any(|worker| {
            worker
                .current
                .as_ref()
                .is_some_and(|(current, _)| *current == id)
        })
    }

    pub(super) fn stop_running(&self, id: ItemId) {
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

    /// Cancels every running transfer and the walk.
    pub(super) fn cancel_all(&self) {
        for worker in &self.workers {
            if let Some((_, token)) = &worker.current {
                token.cancel();
            }
        }
        if let Some((_, token, _)) = &self.walking {
            token.cancel();
        }
    }

    /// Whether nothing runs, walks or is being written any more.
    pub(super) fn settled(&self) -> bool {
        self.workers.iter().all(|w| w.current.is_none())
            && self.walking.is_none()
            && self.storing.is_empty()
    }

    /// Ends the workers and the walker and waits, until `deadline`, for
    /// them to log out and stop, and for lent connections being logged out.
    pub(super) async fn stop(&mut self, deadline: Instant) {
        for worker in &mut self.workers {
            worker.close();
        }
        let (closed, _) = mpsc::unbounded_channel();
        self.walker = closed;
        let workers = &mut self.workers;
        let walker = &mut self.walker_task;
        let closing = &mut self.closing;
        let all = async {
            for worker in workers.iter_mut() {
                let _ = (&mut worker.task).await;
            }
            let _ = walker.await;
            while closing.join_next().await.is_some() {}
        };
        if tokio::time::timeout_at(deadline, all).await.is_err() {
            tracing::debug!("queue workers still logging out at shutdown");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(host: &str) -> SiteKey {
        SiteKey {
            host: host.into(),
            port: 21,
            user: "u".into(),
        }
    }

    /// A lent connection unused for 20 s is taken out to be logged out,
    /// and not a moment before; one lent later stays its own 20 s. A
    /// clock that paused time does not move (`std::time`), or a different
    /// timeout, fails here.
    #[tokio::test(start_paused = true)]
    async fn a_lent_connection_unused_for_20_s_expires() {
        let mut lent: Lent<&str> = Lent::default();
        lent.push(site("a"), "first");
        tokio::time::advance(Duration::from_secs(5)).await;
        lent.push(site("a"), "second");
        tokio::time::advance(LENT_FOR - Duration::from_secs(5) - Duration::from_millis(1)).await;
        assert!(lent.expired().is_empty(), "19.999 s is not idle enough");
        assert_eq!(lent.count(&site("a")), 2);
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(lent.expired(), vec!["first"]);
        assert_eq!(lent.count(&site("a")), 1);
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(lent.expired(), vec!["second"]);
        assert!(!lent.has(&site("a")));
        assert_eq!(LENT_FOR, Duration::from_secs(20));
    }

    /// A connection taken before it expires is the taker's; `take_unless`
    /// takes out exactly what `keep` refuses.
    #[tokio::test(start_paused = true)]
    async fn a_lent_connection_is_taken_by_site() {
        let mut lent: Lent<u32> = Lent::default();
        lent.push(site("a"), 1);
        lent.push(site("b"), 2);
        lent.push(site("a"), 3);
        tokio::time::advance(Duration::from_secs(19)).await;
        assert_eq!(lent.take(&site("b")), Some(2));
        assert_eq!(lent.take(&site("b")), None);
        let mut closed = lent.take_unless(|key, _| key.host != "a");
        closed.sort_unstable();
        assert_eq!(closed, vec![1, 3]);
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(lent.expired().is_empty());
    }
}
