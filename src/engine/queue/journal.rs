//! The queue's journal side: what it writes down and what it reports in
//! batches. It holds the store handle, the items changed since the last
//! `Upsert`, and when the upserts, the store and the totals were last
//! flushed; it restores the table from the store at start.
//!
//! Changes are never written or sent one by one: upserts go out at most
//! every [`UPSERT_EVERY`] (or per [`UPSERT_CHUNK`] items), records go to the
//! store's writer thread at the next tick after a quiet spell and then at
//! most every [`STORE_EVERY`], totals about twice a second while busy. Its
//! clock is [`tokio::time`], so tests run it with paused time.
//!
//! It does not change items (the table does) nor decide anything (the actor
//! does); it does not touch the disk itself: [`super::store`] does that, on a
//! thread of its own.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::msg::{Hint, QueueSink};
use super::store::{self, Record, Store, StoredItem};
use super::table::{Item, Live, Table, is_recorded};
use super::{ItemId, ItemState, QueueEvent, SiteKey};
use crate::engine::event::LogKind;

/// Items per `Upsert` event at most, so 100,000 new items never exist twice
/// over in one event; as many changed items send one at once.
pub(super) const UPSERT_CHUNK: usize = 1000;
/// Changed items are sent at most this often (the tick sends them anyway).
pub(super) const UPSERT_EVERY: Duration = Duration::from_millis(50);
/// Records go to the store's writer at most this often while the queue changes.
pub(super) const STORE_EVERY: Duration = Duration::from_millis(500);
/// Totals after a change at most this often.
const TOTALS_AFTER_CHANGE: Duration = Duration::from_millis(100);
/// Totals while busy at least this often (their rate changes).
const TOTALS_EVERY: Duration = Duration::from_millis(500);

/// The store handle, the changed items and the flush timers.
pub(super) struct Journal {
    store: Option<Store>,
    /// Items changed since the last `Upsert`, in the order they changed.
    dirty: Vec<ItemId>,
    dirty_set: HashSet<ItemId>,
    last_upsert: Instant,
    last_store: Instant,
    last_totals: Instant,
    totals_due: bool,
    /// Whether the queue had work at the last change (its end sends `Idle`).
    busy: bool,
}

impl Journal {
    /// A journal writing to `store` (`None`: the queue lives in memory only).
    pub(super) fn new(store: Option<Store>) -> Self {
        let now = Instant::now();
        Journal {
            store,
            dirty: Vec::new(),
            dirty_set: HashSet::new(),
            last_upsert: now,
            // The first change is written at the next tick; later ones in batches.
            last_store: now.checked_sub(STORE_EVERY).unwrap_or(now),
            last_totals: now,
            totals_due: true,
            busy: false,
        }
    }

    /// Adds a record for the store, made only when there is a store.
    pub(super) fn record(&mut self, make: impl FnOnce() -> Record) {
        if let Some(store) = self.store.as_mut() {
            store.record(&make());
        }
    }

    /// Records a new item (and its site, the first time).
    pub(super) fn record_add(&mut self, item: &Item) {
        if let Some(store) = self.store.as_mut() {
            let n = store.site(&item.site);
            store.record(&Record::Add(stored(item, n)));
        }
    }

    /// Records a state change when a restart must know it (finished,
    /// failed, or back from those).
    pub(super) fn record_state(&mut self, id: ItemId, old: &ItemState, new: &ItemState) {
        if is_recorded(new) || is_recorded(old) {
            self.record(|| Record::State {
                i: id,
                s: new.clone(),
            });
        }
    }

    /// Notes that item `id` changed: it goes out in the next `Upsert`.
    pub(super) fn mark(&mut self, id: ItemId) {
        if self.dirty_set.insert(id) {
            self.dirty.push(id);
        }
        self.totals_due = true;
    }

    /// Notes that the totals changed without an item to show (a removal).
    pub(super) fn totals_changed(&mut self) {
        self.totals_due = true;
    }

    /// Drops removed items from the next `Upsert`.
    pub(super) fn forget(&mut self, removed: &[ItemId]) {
        let gone: HashSet<ItemId> = removed.iter().copied().collect();
        self.dirty.retain(|id| !gone.contains(id));
        self.dirty_set.retain(|id| !gone.contains(id));
    }

    /// Sends every changed item now, in chunks.
    pub(super) fn flush_upserts(&mut self, table: &Table, sink: &QueueSink) {
        if self.dirty.is_empty() {
            return;
        }
        let dirty = std::mem::take(&mut self.dirty);
        self.dirty_set.clear();
        self.last_upsert = Instant::now();
        for chunk in dirty.chunks(UPSERT_CHUNK) {
            let views = table.views(chunk);
            if !views.is_empty() {
                sink.send(QueueEvent::Upsert(views));
            }
        }
    }

    /// Hands the waiting records to the writer thread when `force`d or
    /// when [`STORE_EVERY`] has passed since the last time; rewrites the
    /// whole store instead when the journal has grown well past the table.
    pub(super) fn flush_store(&mut self, table: &Table, sink: &QueueSink, force: bool) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        if store.wants_compaction(table.len()) {
            rewrite(table, store);
            self.last_store = Instant::now();
            return;
        }
        if store.has_pending() && (force || self.last_store.elapsed() >= STORE_EVERY) {
            store.flush();
            self.last_store = Instant::now();
        }
        if let Some(error) = store.take_error() {
            sink.log(LogKind::Error, format!("could not save the queue: {error}"));
        }
    }

    /// Sends what is due after a change: upserts (batched), totals, and
    /// `Idle` (with the store written) when the queue has no work left.
    /// `busy`: whether it has work now; `rate`: the bytes per second of
    /// the running items, asked only when totals go out.
    pub(super) fn after_change(
        &mut self,
        table: &Table,
        sink: &QueueSink,
        busy: bool,
        rate: impl FnOnce() -> f64,
        force: bool,
    ) {
        if force || self.last_upsert.elapsed() >= UPSERT_EVERY || self.dirty.len() >= UPSERT_CHUNK {
            self.flush_upserts(table, sink);
        }
        if self.totals_due && (force || self.last_totals.elapsed() >= TOTALS_AFTER_CHANGE)
            || (!busy && self.busy)
        {
            self.totals_due = false;
            self.last_totals = Instant::now();
            let counts = table.counts();
            sink.send(QueueEvent::Totals {
                queued: counts.waiting,
                queued_bytes: counts.waiting_bytes,
                running: counts.running,
                done: counts.done,
                failed: counts.failed,
                rate: rate(),
            });
        }
        if self.busy && !busy {
            self.flush_upserts(table, sink);
            self.flush_store(table, sink, true);
            sink.send(QueueEvent::Idle);
        }
        self.busy = busy;
    }

    /// The actor's tick: sends changed items, makes totals due while busy,
    /// and hands records to the store when [`STORE_EVERY`] has passed.
    pub(super) fn tick(&mut self, table: &Table, sink: &QueueSink) {
        self.flush_upserts(table, sink);
        if self.busy && self.last_totals.elapsed() >= TOTALS_EVERY {
            self.totals_due = true;
        }
        self.flush_store(table, sink, false);
    }

    /// Sends the last changes and waits until the store has written every
    /// record; the journal writes nothing after this.
    pub(super) fn close(&mut self, table: &Table, sink: &QueueSink) {
        self.flush_upserts(table, sink);
        if let Some(mut store) = self.store.take() {
            store.sync();
            if let Some(error) = store.take_error() {
                sink.log(LogKind::Error, format!("could not save the queue: {error}"));
            }
        }
    }

    /// Whether records wait for the writer thread.
    #[cfg(test)]
    fn store_pending(&self) -> bool {
        self.store.as_ref().is_some_and(Store::has_pending)
    }
}

/// Reads the store at `path` back into a table (see [`Table::restored`]),
/// sends the restored items, and opens the store for appending; an
/// unreadable store is set aside and the queue starts empty.
pub(super) fn restore(path: &Path, sink: &QueueSink) -> (Table, Store) {
    let mut sites: HashMap<u32, Arc<SiteKey>> = HashMap::new();
    let mut keys: HashMap<SiteKey, Arc<SiteKey>> = HashMap::new();
    let mut items: HashMap<ItemId, Item> = HashMap::new();
    let replayed = store::replay(path, |record| match record {
        Record::Site { n, key } => {
            let key = Arc::clone(keys.entry(key.clone()).or_insert_with(|| Arc::new(key)));
            sites.insert(n, key);
        }
        Record::Add(stored) => {
            if let Some(site) = sites.get(&stored.n) {
                items.insert(stored.i, restored(stored, Arc::clone(site)));
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
    let replayed = match replayed {
        Ok(replayed) => replayed,
        Err(e) => {
            items.clear();
            sink.log(
                LogKind::Error,
                format!("could not read the queue ({e}): {}", path.display()),
            );
            match crate::paths::set_aside(path) {
                Ok(aside) => sink.log(
                    LogKind::Warning,
                    format!("the unreadable queue was kept as {}", aside.display()),
                ),
                Err(e) => sink.log(
                    LogKind::Error,
                    format!("could not set the queue aside ({e}): {}", path.display()),
                ),
            }
            store::Replayed::default()
        }
    };
    if replayed.bad_lines > 0 {
        sink.log(
            LogKind::Warning,
            format!(
                "{} unreadable line(s) in the queue were skipped (a write cut short): {}",
                replayed.bad_lines,
                path.display()
            ),
        );
    }
    let mut store = Store::open(path.to_path_buf(), replayed.records);
    let mut ids: Vec<ItemId> = items.keys().copied().collect();
    ids.sort_unstable();
    let table = Table::restored(items, keys);
    if !ids.is_empty() {
        sink.log(
            LogKind::Status,
            format!(
                "Restored {} queue item(s), unfinished ones paused: {}",
                ids.len(),
                path.display()
            ),
        );
        for chunk in ids.chunks(UPSERT_CHUNK) {
            sink.send(QueueEvent::Upsert(table.views(chunk)));
        }
    }
    if store.wants_compaction(table.len()) {
        rewrite(&table, &mut store);
    }
    (table, store)
}

/// Replaces the store's file with the live table, atomically.
fn rewrite(table: &Table, store: &mut Store) {
    let mut numbers: HashMap<SiteKey, u32> = HashMap::new();
    let mut items: Vec<&Item> = table.items().collect();
    items.sort_unstable_by_key(|item| item.id);
    let mut writer = store.rewriter();
    for item in items {
        let n = match numbers.get(&*item.site) {
            Some(&n) => n,
            None => {
                let n = numbers.len() as u32;
                numbers.insert((*item.site).clone(), n);
                writer.site(&item.site, n);
                n
            }
        };
        writer.record(&Record::Add(stored(item, n)));
    }
    store.commit(writer);
}

/// An item read back from the store (state still as stored).
fn restored(stored: StoredItem, site: Arc<SiteKey>) -> Item {
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
        state: stored.s,
        pos: stored.o,
        live: Live::new(Hint::Unknown),
    }
}

/// An item as the store keeps it, its site numbered `site`.
fn stored(item: &Item, site: u32) -> StoredItem {
    StoredItem {
        i: item.id,
        p: item.parent,
        n: site,
        d: item.direction,
        l: store::encode_path(&item.local),
        r: store::encode_bytes(&item.remote),
        rd: item.remote_display.as_deref().map(str::to_string),
        f: item.is_dir,
        z: item.size,
        m: item.modified.map(|t| t.and_utc().timestamp()),
        s: item.state.clone(),
        o: item.pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::queue::{Direction, NewItem};
    use tokio::sync::mpsc;
    use tokio::time::advance;

    fn sink() -> (QueueSink, mpsc::UnboundedReceiver<QueueEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (QueueSink::new(tx, Arc::new(|| {}), true), rx)
    }

    /// Adds an item the way the actor does: table, store record, mark.
    fn add(table: &mut Table, journal: &mut Journal, name: &str) -> ItemId {
        let site = table.site_key(&SiteKey {
            host: "h".into(),
            port: 21,
            user: "u".into(),
        });
        let new = NewItem::new(
            Direction::Download,
            name.into(),
            name.as_bytes().to_vec(),
            name.into(),
        )
        .with_size(Some(1));
        let id = table.append(site, new, ItemState::Paused, false);
        if let Some(item) = table.get(id) {
            journal.record_add(item);
        }
        journal.mark(id);
        id
    }

    /// The ids of each `Upsert` sent so far, one list per event.
    fn upserts(events: &mut mpsc::UnboundedReceiver<QueueEvent>) -> Vec<Vec<ItemId>> {
        let mut out = Vec::new();
        while let Ok(event) = events.try_recv() {
            if let QueueEvent::Upsert(views) = event {
                out.push(views.iter().map(|v| v.id).collect());
            }
        }
        out
    }

    /// Changes less than 50 ms apart go out as one `Upsert`, and one goes
    /// out once 50 ms have passed. Sending one event per change, or timing
    /// with a clock that paused time does not move, fails here.
    #[tokio::test(start_paused = true)]
    async fn changes_within_50_ms_go_out_as_one_upsert() {
        let (sink, mut events) = sink();
        let mut table = Table::new();
        let mut journal = Journal::new(None);
        let a = add(&mut table, &mut journal, "a");
        journal.after_change(&table, &sink, false, || 0.0, false);
        advance(Duration::from_millis(20)).await;
        let b = add(&mut table, &mut journal, "b");
        journal.after_change(&table, &sink, false, || 0.0, false);
        assert_eq!(upserts(&mut events), Vec::<Vec<ItemId>>::new());
        advance(Duration::from_millis(30)).await;
        journal.after_change(&table, &sink, false, || 0.0, false);
        assert_eq!(upserts(&mut events), vec![vec![a, b]]);
        // The next change waits its 50 ms again.
        let c = add(&mut table, &mut journal, "c");
        advance(Duration::from_millis(49)).await;
        journal.after_change(&table, &sink, false, || 0.0, false);
        assert_eq!(upserts(&mut events), Vec::<Vec<ItemId>>::new());
        advance(Duration::from_millis(1)).await;
        journal.after_change(&table, &sink, false, || 0.0, false);
        assert_eq!(upserts(&mut events), vec![vec![c]]);
        // A removed item is not sent.
        let d = add(&mut table, &mut journal, "d");
        journal.forget(&[d]);
        journal.after_change(&table, &sink, false, || 0.0, true);
        assert_eq!(upserts(&mut events), Vec::<Vec<ItemId>>::new());
    }

    /// The first change after a quiet spell goes to the writer at the next
    /// tick; later ones wait for the half second to pass, so a burst of
    /// changes is one write, and every change is handed over within a
    /// second of the tick after it. Closing writes everything to the file.
    #[tokio::test(start_paused = true)]
    async fn the_store_is_handed_over_at_the_next_tick_then_every_half_second() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("q.jsonl");
        let (sink, _events) = sink();
        let mut table = Table::new();
        let mut journal = Journal::new(Some(Store::open(path.clone(), 0)));
        add(&mut table, &mut journal, "a");
        assert!(journal.store_pending());
        journal.tick(&table, &sink);
        assert!(!journal.store_pending(), "the first change waits no batch");
        let handed = Instant::now();
        advance(Duration::from_millis(100)).await;
        add(&mut table, &mut journal, "b");
        let changed = Instant::now();
        let mut written = None;
        while changed.elapsed() <= Duration::from_secs(1) {
            journal.tick(&table, &sink);
            if !journal.store_pending() {
                written = Some(handed.elapsed());
                break;
            }
            advance(Duration::from_millis(100)).await;
        }
        let written = written.expect("handed over within a second");
        assert!(
            written >= STORE_EVERY,
            "batched, not per change: {written:?}"
        );
        journal.close(&table, &sink);
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.lines().count(), 3, "a site and two items: {text}");
    }

    /// What the store holds comes back: finished items as they were, the
    /// rest paused, in the same positions.
    #[tokio::test]
    async fn a_closed_journal_restores_its_table() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("q.jsonl");
        let (sink, mut events) = sink();
        let mut table = Table::new();
        let mut journal = Journal::new(Some(Store::open(path.clone(), 0)));
        let a = add(&mut table, &mut journal, "a");
        let b = add(&mut table, &mut journal, "b");
        let old = table.set_state(b, ItemState::Done).expect("changed");
        journal.record_state(b, &old, &ItemState::Done);
        if let Some((_, moves)) = table.move_to(vec![b], true) {
            journal.record(|| Record::Order(moves));
        }
        journal.close(&table, &sink);
        upserts(&mut events);
        let (restored, _store) = restore(&path, &sink);
        let state = |id| restored.get(id).map(|i| (i.state.clone(), i.pos));
        assert_eq!(state(a), Some((ItemState::Paused, (1, 0))));
        assert_eq!(state(b), Some((ItemState::Done, (-1, 0))));
        assert_eq!(upserts(&mut events), vec![vec![a, b]]);
    }
}
