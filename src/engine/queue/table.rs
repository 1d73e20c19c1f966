//! The item table: every item, its state and its position, the folder
//! items' children, the runnable items in ordered sets and the counts.
//!
//! Order is a position `(major, minor)`: a new item takes the next major, a
//! folder's children share its major with rising minors (so they follow it),
//! and moving items gives them majors before the first or after the last.
//! The items ready to run are kept in one ordered set per site, so picking
//! the next one costs a lookup, not a scan, with 100,000 items queued.
//!
//! Plain data and bookkeeping: no channels, no tasks, no clock, no I/O. It
//! does not decide what runs (the actor does), nor record or report a change
//! (the journal side does, from what these methods return).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::msg::{Child, Hint};
use super::{Direction, ItemId, ItemState, ItemView, NewItem, SiteKey};
use crate::engine::policy::ExistsPolicy;

/// A position in the queue: major, minor.
pub(super) type Pos = (i64, u64);

/// An item moved: its number and new position, as the journal records it.
pub(super) type Move = (ItemId, i64, u64);

/// One item. Its `state` and `pos` change only through [`Table::set_state`]
/// and [`Table::set_pos`], which keep the ready sets and counts in step.
pub(super) struct Item {
    pub id: ItemId,
    pub parent: Option<ItemId>,
    pub site: Arc<SiteKey>,
    pub direction: super::Direction,
    pub local: PathBuf,
    pub remote: Vec<u8>,
    /// The display form when it is not simply the remote bytes as UTF-8
    /// (saves a copy of every path with 100,000 items queued).
    pub remote_display: Option<Box<str>>,
    pub is_dir: bool,
    pub size: Option<u64>,
    pub modified: Option<chrono::NaiveDateTime>,
    pub state: ItemState,
    pub pos: Pos,
    pub live: Live,
}

/// What only this run knows about an item: never stored, fresh after a
/// restart.
pub(super) struct Live {
    /// Bytes done so far (a resumed prefix included).
    pub done: u64,
    /// Bytes per second while it runs.
    pub rate: f64,
    /// The user's answer to the overwrite question, for its next run.
    pub answer: Option<ExistsPolicy>,
    /// What the walk found out about its target.
    pub hint: Hint,
    /// Paused only because its site has no settings yet.
    pub waiting_site: bool,
    /// Why it failed, worded for a front end (this run only).
    pub failure: Option<crate::engine::wording::UserMessage>,
    /// The minor of a folder's next child.
    pub next_minor: u64,
}

impl Live {
    /// Nothing done yet, with what the walk found.
    pub(super) fn new(hint: Hint) -> Self {
        Live {
            done: 0,
            rate: 0.0,
            answer: None,
            hint,
            waiting_site: false,
            failure: None,
            next_minor: 1,
        }
    }
}

/// Keeps a display form only when it differs from the bytes.
pub(super) fn display_form(remote: &[u8], display: String) -> Option<Box<str>> {
    (std::str::from_utf8(remote) != Ok(display.as_str())).then(|| display.into_boxed_str())
}

impl Item {
    /// A new item made of what a front end or the walker gave.
    pub(super) fn new(
        id: ItemId,
        parent: Option<ItemId>,
        site: Arc<SiteKey>,
        new: NewItem,
        state: ItemState,
        pos: Pos,
        hint: Hint,
    ) -> Self {
        Item {
            id,
            parent,
            site,
            direction: new.direction,
            local: new.local,
            remote_display: display_form(&new.remote, new.remote_display),
            remote: new.remote,
            is_dir: new.is_dir,
            size: new.size,
            modified: new.modified,
            state,
            pos,
            live: Live::new(hint),
        }
    }

    /// The remote path for display.
    pub(super) fn display(&self) -> String {
        match &self.remote_display {
            Some(display) => display.to_string(),
            None => String::from_utf8_lossy(&self.remote).into_owned(),
        }
    }

    /// The item as the front end sees it.
    /// The bytes still to move, when the size is known.
    pub(super) fn left(&self) -> Option<u64> {
        self.size.map(|size| size.saturating_sub(self.live.done))
    }

    pub(super) fn view(&self) -> ItemView {
        ItemView {
            id: self.id,
            parent: self.parent,
            site: (*self.site).clone(),
            direction: self.direction,
            local: self.local.clone(),
            remote_display: self.display(),
            is_dir: self.is_dir,
            size: self.size,
            done: self.live.done,
            state: self.state.clone(),
            failure: match self.state {
                ItemState::Failed(_) => self.live.failure.clone(),
                _ => None,
            },
        }
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

/// Items per state, for [`crate::engine::queue::QueueEvent::Totals`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    /// Queued, paused or asking.
    pub waiting: u64,
    /// The bytes the waiting items have still to move (a paused file's
    /// done part not counted).
    pub waiting_bytes: u64,
    pub running: u64,
    /// Done or skipped.
    pub done: u64,
    pub failed: u64,
}

impl Counts {
    /// Adds (`sign` > 0) or removes an item in `state` with `left` bytes to go.
    fn apply(&mut self, state: &ItemState, left: Option<u64>, sign: i64) {
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
                add(&mut self.waiting_bytes, left.unwrap_or(0));
            }
            ItemState::Running => add(&mut self.running, 1),
            ItemState::Done | ItemState::Skipped(_) => add(&mut self.done, 1),
            ItemState::Failed(_) => add(&mut self.failed, 1),
        }
    }
}

/// The size of a download's partial file (`.skiffpart`), at most `size`;
/// 0 when there is none. One `stat`, at restore only.
fn partial_bytes(local: &std::path::Path, size: Option<u64>) -> u64 {
    let on_disk = std::fs::metadata(crate::engine::transfer::part_path(local))
        .map(|m| m.len())
        .unwrap_or(0);
    size.map_or(on_disk, |size| on_disk.min(size))
}

/// The states a restart must know: everything else comes back `Paused`.
pub(super) fn is_recorded(state: &ItemState) -> bool {
    matches!(
        state,
        ItemState::Done | ItemState::Skipped(_) | ItemState::Failed(_)
    )
}

/// Every item of one queue, with the indexes that keep picking and counting
/// cheap.
pub(super) struct Table {
    items: HashMap<ItemId, Item>,
    children: HashMap<ItemId, Vec<ItemId>>,
    ready_files: Ready,
    ready_dirs: Ready,
    /// One shared key per site, so 100,000 items hold pointers, not copies.
    site_keys: HashMap<SiteKey, Arc<SiteKey>>,
    next_id: ItemId,
    min_major: i64,
    max_major: i64,
    counts: Counts,
}

impl Default for Table {
    fn default() -> Self {
        Self::new()
    }
}

impl Table {
    /// An empty table; the first item is number 1.
    pub(super) fn new() -> Self {
        Table {
            items: HashMap::new(),
            children: HashMap::new(),
            ready_files: Ready::default(),
            ready_dirs: Ready::default(),
            site_keys: HashMap::new(),
            next_id: 1,
            min_major: 0,
            max_major: 0,
            counts: Counts::default(),
        }
    }

    /// A table of items read back from the store: whatever was waiting or
    /// running comes back paused, a done item counts its size as done, and
    /// numbers and positions go on after the highest restored.
    pub(super) fn restored(
        mut items: HashMap<ItemId, Item>,
        site_keys: HashMap<SiteKey, Arc<SiteKey>>,
    ) -> Self {
        let mut table = Table {
            site_keys,
            ..Table::new()
        };
        for item in items.values_mut() {
            if !(item.state.is_finished() || matches!(item.state, ItemState::Failed(_))) {
                item.state = ItemState::Paused;
            }
            if item.state == ItemState::Done {
                item.live.done = item.size.unwrap_or(0);
            } else if item.state == ItemState::Paused
                && item.direction == Direction::Download
                && !item.is_dir
            {
                // What a killed run left on disk: shown, and not counted as
                // still to move (the next run resumes from it).
                item.live.done = partial_bytes(&item.local, item.size);
            }
        }
        let mut minors: Vec<(ItemId, u64)> = Vec::new();
        for item in items.values() {
            table.next_id = table.next_id.max(item.id + 1);
            table.min_major = table.min_major.min(item.pos.0);
            table.max_major = table.max_major.max(item.pos.0);
            table.counts.apply(&item.state, item.left(), 1);
            if let Some(parent) = item.parent {
                table.children.entry(parent).or_default().push(item.id);
                minors.push((parent, item.pos.1 + 1));
            }
        }
        for kids in table.children.values_mut() {
            kids.sort_unstable();
        }
        for (parent, minor) in minors {
            if let Some(p) = items.get_mut(&parent) {
                p.live.next_minor = p.live.next_minor.max(minor);
            }
        }
        table.items = items;
        table
    }

    /// The shared key of a site.
    pub(super) fn site_key(&mut self, key: &SiteKey) -> Arc<SiteKey> {
        Arc::clone(
            self.site_keys
                .entry(key.clone())
                .or_insert_with(|| Arc::new(key.clone())),
        )
    }

    pub(super) fn get(&self, id: ItemId) -> Option<&Item> {
        self.items.get(&id)
    }

    /// An item to change; not its state or position (see [`Item`]).
    pub(super) fn get_mut(&mut self, id: ItemId) -> Option<&mut Item> {
        self.items.get_mut(&id)
    }

    pub(super) fn contains(&self, id: ItemId) -> bool {
        self.items.contains_key(&id)
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// Every item, in no order.
    pub(super) fn items(&self) -> impl Iterator<Item = &Item> {
        self.items.values()
    }

    /// The ids of the items `keep` accepts, in no order.
    pub(super) fn ids_where(&self, keep: impl Fn(&Item) -> bool) -> Vec<ItemId> {
        self.items
            .values()
            .filter(|i| keep(i))
            .map(|i| i.id)
            .collect()
    }

    /// The ids of the items `keep` accepts, in queue order.
    pub(super) fn ids_in_order_where(&self, keep: impl Fn(&Item) -> bool) -> Vec<ItemId> {
        let mut ids: Vec<(Pos, ItemId)> = self
            .items
            .values()
            .filter(|i| keep(i))
            .map(|i| (i.pos, i.id))
            .collect();
        ids.sort_unstable();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// A folder item's children, as far as it was walked.
    pub(super) fn children(&self, id: ItemId) -> &[ItemId] {
        self.children.get(&id).map_or(&[], Vec::as_slice)
    }

    pub(super) fn counts(&self) -> Counts {
        self.counts
    }

    /// The views of `ids` that exist.
    pub(super) fn views(&self, ids: &[ItemId]) -> Vec<ItemView> {
        ids.iter()
            .filter_map(|id| self.items.get(id).map(Item::view))
            .collect()
    }

    /// Adds `new` at the end of the queue; returns its number.
    pub(super) fn append(
        &mut self,
        site: Arc<SiteKey>,
        new: NewItem,
        state: ItemState,
        waiting_site: bool,
    ) -> ItemId {
        self.max_major += 1;
        let id = self.next_id;
        self.next_id += 1;
        let mut item = Item::new(
            id,
            None,
            site,
            new,
            state,
            (self.max_major, 0),
            Hint::Unknown,
        );
        item.live.waiting_site = waiting_site;
        self.insert(item);
        id
    }

    /// Adds a listed folder's entries right after its earlier children; they
    /// wait paused unless the folder runs (or the walker decided their
    /// state). Returns their numbers; none when the folder is gone.
    pub(super) fn expand(&mut self, parent: ItemId, children: Vec<Child>) -> Vec<ItemId> {
        let Some(folder) = self.items.get_mut(&parent) else {
            return Vec::new();
        };
        let follow = folder.state == ItemState::Running;
        let major = folder.pos.0;
        let first = folder.live.next_minor;
        folder.live.next_minor += children.len() as u64;
        let site = Arc::clone(&folder.site);
        let mut added = Vec::with_capacity(children.len());
        for (minor, child) in (first..).zip(children) {
            let id = self.next_id;
            self.next_id += 1;
            let state = child.state.unwrap_or(if follow {
                ItemState::Queued
            } else {
                ItemState::Paused
            });
            let item = Item::new(
                id,
                Some(parent),
                Arc::clone(&site),
                child.item,
                state,
                (major, minor),
                child.hint,
            );
            self.insert(item);
            added.push(id);
        }
        added
    }

    fn ready_for(&mut self, is_dir: bool) -> &mut Ready {
        if is_dir {
            &mut self.ready_dirs
        } else {
            &mut self.ready_files
        }
    }

    fn insert(&mut self, item: Item) {
        let id = item.id;
        self.counts.apply(&item.state, item.left(), 1);
        if item.state == ItemState::Queued {
            let (site, key) = (Arc::clone(&item.site), (item.pos, id));
            self.ready_for(item.is_dir).insert(&site, key);
        }
        if let Some(parent) = item.parent {
            self.children.entry(parent).or_default().push(id);
        }
        self.items.insert(id, item);
    }

    /// Moves an item to `state`, keeping counts and ready sets in step.
    /// Returns the state it left; `None` when there is no such item or it
    /// is in `state` already.
    pub(super) fn set_state(&mut self, id: ItemId, state: ItemState) -> Option<ItemState> {
        let item = self.items.get_mut(&id)?;
        if item.state == state {
            return None;
        }
        let old = std::mem::replace(&mut item.state, state.clone());
        self.counts.apply(&old, item.left(), -1);
        self.counts.apply(&state, item.left(), 1);
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
            item.live.rate = 0.0;
        }
        Some(old)
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

    /// Removes an item and, for a folder, its children; appends what was
    /// removed (children first) to `removed`.
    pub(super) fn remove(&mut self, id: ItemId, removed: &mut Vec<ItemId>) {
        if let Some(kids) = self.children.remove(&id) {
            for kid in kids {
                self.remove(kid, removed);
            }
        }
        let Some(item) = self.items.remove(&id) else {
            return;
        };
        self.counts.apply(&item.state, item.left(), -1);
        self.ready_files.remove(&item.site, &(item.pos, id));
        self.ready_dirs.remove(&item.site, &(item.pos, id));
        self.unlink(&item);
        removed.push(id);
    }

    /// Removes only the item, not a folder's children; false when there
    /// is no such item. For finished items, which no ready set holds.
    pub(super) fn remove_one(&mut self, id: ItemId) -> bool {
        let Some(item) = self.items.remove(&id) else {
            return false;
        };
        self.counts.apply(&item.state, item.left(), -1);
        self.unlink(&item);
        true
    }

    /// Takes `item` out of its folder's children.
    fn unlink(&mut self, item: &Item) {
        if let Some(parent) = item.parent
            && let Some(siblings) = self.children.get_mut(&parent)
        {
            siblings.retain(|&s| s != item.id);
        }
    }

    /// `ids` and, for folder items, their children.
    pub(super) fn with_children(&self, ids: &[ItemId]) -> Vec<ItemId> {
        let mut out = Vec::with_capacity(ids.len());
        let mut seen = HashSet::new();
        for &id in ids {
            if seen.insert(id) {
                out.push(id);
            }
            for &kid in self.children(id) {
                if seen.insert(kid) {
                    out.push(kid);
                }
            }
        }
        out
    }

    /// Moves items (with their children) to the head or the end of the
    /// queue, in the order given. Returns the items that exist and the
    /// moves as `(id, major, minor)`; `None` when none exists.
    pub(super) fn move_to(
        &mut self,
        ids: Vec<ItemId>,
        to_top: bool,
    ) -> Option<(Vec<ItemId>, Vec<Move>)> {
        let ids: Vec<ItemId> = ids.into_iter().filter(|id| self.contains(*id)).collect();
        if ids.is_empty() {
            return None;
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
            members.extend_from_slice(self.children(id));
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
        Some((ids, moves))
    }

    /// The first queued folder, in queue order, of the sites `pick` allows.
    pub(super) fn first_ready_dir<T>(
        &self,
        pick: impl FnMut(&SiteKey) -> Option<T>,
    ) -> Option<(ItemId, T)> {
        self.ready_dirs.first(pick)
    }

    /// The first queued file, in queue order, of the sites `pick` allows,
    /// with what `pick` gave for its site.
    pub(super) fn first_ready_file<T>(
        &self,
        pick: impl FnMut(&SiteKey) -> Option<T>,
    ) -> Option<(ItemId, T)> {
        self.ready_files.first(pick)
    }

    /// Whether a file of `site` is queued.
    pub(super) fn has_ready_files(&self, site: &SiteKey) -> bool {
        self.ready_files.by_site.contains_key(site)
    }

    /// Whether anything is queued.
    pub(super) fn has_ready(&self) -> bool {
        !(self.ready_files.is_empty() && self.ready_dirs.is_empty())
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

    fn new(name: &str, is_dir: bool, size: Option<u64>) -> NewItem {
        NewItem::download(
            PathBuf::from(name),
            format!("/{name}").into_bytes(),
            format!("/{name}"),
        )
        .folder(is_dir)
        .with_size(size)
    }

    fn child(name: &str) -> Child {
        Child {
            item: new(name, false, Some(1)),
            hint: Hint::Unknown,
            state: None,
        }
    }

    fn add(table: &mut Table, host: &str, name: &str, is_dir: bool) -> ItemId {
        let key = table.site_key(&site(host));
        table.append(key, new(name, is_dir, Some(10)), ItemState::Queued, false)
    }

    /// Runs the queue by hand: takes the first ready file, marks it
    /// running, until none is left; returns the order.
    fn drain_files(table: &mut Table) -> Vec<ItemId> {
        let mut order = Vec::new();
        while let Some((id, ())) = table.first_ready_file(|_| Some(())) {
            assert_eq!(
                table.set_state(id, ItemState::Running),
                Some(ItemState::Queued)
            );
            order.push(id);
        }
        order
    }

    #[test]
    fn a_folders_children_follow_it_in_queue_order() {
        let mut table = Table::new();
        let a = add(&mut table, "h", "a", false);
        let folder = add(&mut table, "h", "f", true);
        let b = add(&mut table, "h", "b", false);
        assert_eq!(table.first_ready_dir(|_| Some(())), Some((folder, ())));
        table.set_state(folder, ItemState::Running);
        let first = table.expand(folder, vec![child("f/1"), child("f/2")]);
        // A second listing of the same walk goes after the first one's.
        let second = table.expand(folder, vec![child("f/3")]);
        assert_eq!(
            table.children(folder),
            [first.clone(), second.clone()].concat()
        );
        let order = drain_files(&mut table);
        assert_eq!(order, vec![a, first[0], first[1], second[0], b]);
        // Children of a folder that does not run wait, paused.
        table.set_state(folder, ItemState::Paused);
        let later = table.expand(folder, vec![child("f/4")]);
        assert_eq!(
            table.get(later[0]).map(|i| &i.state),
            Some(&ItemState::Paused)
        );
        assert!(table.expand(999, vec![child("x")]).is_empty());
    }

    #[test]
    fn counts_follow_every_change() {
        let mut table = Table::new();
        let a = add(&mut table, "h", "a", false);
        let b = add(&mut table, "h", "b", false);
        let c = add(&mut table, "h", "c", false);
        let counts = |t: &Table| {
            let c = t.counts();
            (c.waiting, c.waiting_bytes, c.running, c.done, c.failed)
        };
        assert_eq!(counts(&table), (3, 30, 0, 0, 0));
        table.set_state(a, ItemState::Running);
        table.set_state(b, ItemState::Skipped("exists".into()));
        assert_eq!(counts(&table), (1, 10, 1, 1, 0));
        table.set_state(a, ItemState::Failed("refused".into()));
        // The same state again changes nothing and says so.
        assert_eq!(
            table.set_state(a, ItemState::Failed("refused".into())),
            None
        );
        assert_eq!(counts(&table), (1, 10, 0, 1, 1));
        let mut removed = Vec::new();
        table.remove(c, &mut removed);
        table.remove(a, &mut removed);
        assert_eq!(removed, vec![c, a]);
        assert_eq!(counts(&table), (0, 0, 0, 1, 0));
        assert!(table.remove_one(b));
        assert_eq!(counts(&table), (0, 0, 0, 0, 0));
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn removing_a_folder_removes_its_children_from_the_ready_sets() {
        let mut table = Table::new();
        let folder = add(&mut table, "h", "f", true);
        let other = add(&mut table, "h", "o", false);
        table.set_state(folder, ItemState::Running);
        let kids = table.expand(folder, vec![child("f/1"), child("f/2")]);
        let mut removed = Vec::new();
        table.remove(folder, &mut removed);
        assert_eq!(removed, vec![kids[0], kids[1], folder]);
        assert_eq!(drain_files(&mut table), vec![other]);
        assert!(!table.has_ready());
        // Clearing a finished folder alone keeps its children.
        let folder = add(&mut table, "h", "g", true);
        table.set_state(folder, ItemState::Running);
        let kids = table.expand(folder, vec![child("g/1")]);
        table.set_state(folder, ItemState::Done);
        assert!(table.remove_one(folder));
        assert!(table.contains(kids[0]));
        assert!(!table.remove_one(folder));
    }

    #[test]
    fn moving_reorders_and_takes_children_along() {
        let mut table = Table::new();
        let a = add(&mut table, "h", "a", false);
        let folder = add(&mut table, "h", "f", true);
        let b = add(&mut table, "h", "b", false);
        let c = add(&mut table, "h", "c", false);
        table.set_state(folder, ItemState::Running);
        let kids = table.expand(folder, vec![child("f/1")]);
        let (ids, moves) = table.move_to(vec![c, 404, folder], true).expect("moved");
        assert_eq!(ids, vec![c, folder]);
        // The folder's child moves with it, keeping its minor.
        assert_eq!(moves.len(), 3);
        assert!(table.move_to(vec![404], false).is_none());
        table.move_to(vec![a], false);
        assert_eq!(drain_files(&mut table), vec![c, kids[0], b, a]);
    }

    #[test]
    fn the_first_ready_item_is_of_a_site_the_picker_allows() {
        let mut table = Table::new();
        let full = add(&mut table, "full", "a", false);
        let free = add(&mut table, "free", "b", false);
        let picked = table.first_ready_file(|s| (s.host == "free").then_some(7));
        assert_eq!(picked, Some((free, 7)));
        assert_eq!(table.first_ready_file(|_| Some(())), Some((full, ())));
        assert!(table.has_ready_files(&site("full")));
        table.set_state(full, ItemState::Paused);
        assert!(!table.has_ready_files(&site("full")));
        assert_eq!(table.first_ready_file(|_| None::<()>), None);
    }

    #[test]
    fn a_restored_download_shows_its_partial_file_and_counts_only_what_is_left() {
        let dir = tempfile::tempdir().expect("tmp");
        let local = dir.path().join("big.iso");
        std::fs::write(crate::engine::transfer::part_path(&local), vec![0u8; 588]).expect("part");
        let key = Arc::new(site("h"));
        let mut items = HashMap::new();
        let mut add_item = |id: ItemId, path: PathBuf, size| {
            let mut new_item = new("x", false, Some(size));
            new_item.local = path;
            let item = Item::new(
                id,
                None,
                Arc::clone(&key),
                new_item,
                ItemState::Queued,
                (id as i64, 0),
                Hint::Unknown,
            );
            items.insert(id, item);
        };
        add_item(1, local.clone(), 1024);
        add_item(2, dir.path().join("fresh.iso"), 100);
        let mut table = Table::restored(items, HashMap::new());
        assert_eq!(table.get(1).map(|i| i.live.done), Some(588));
        assert_eq!(table.views(&[1])[0].done, 588);
        assert_eq!(table.get(2).map(|i| i.live.done), Some(0));
        assert_eq!(table.counts().waiting_bytes, (1024 - 588) + 100);

        // Run, progress, pause: "left" is what the file still needs.
        table.set_state(2, ItemState::Running);
        assert_eq!(table.counts().waiting_bytes, 1024 - 588);
        if let Some(item) = table.get_mut(2) {
            item.live.done = 60;
        }
        table.set_state(2, ItemState::Paused);
        assert_eq!(table.counts().waiting_bytes, (1024 - 588) + 40);
        table.set_state(2, ItemState::Queued);
        table.set_state(1, ItemState::Running);
        assert_eq!(table.counts().waiting_bytes, 40);
    }

    #[test]
    fn a_restored_table_pauses_what_was_unfinished_and_numbers_on() {
        let mut items = HashMap::new();
        let key = Arc::new(site("h"));
        let states = [
            ItemState::Queued,
            ItemState::Running,
            ItemState::Done,
            ItemState::Failed("no".into()),
            ItemState::Asking,
        ];
        for (n, state) in states.into_iter().enumerate() {
            let id = n as ItemId + 5;
            let item = Item::new(
                id,
                None,
                Arc::clone(&key),
                new(&format!("i{id}"), false, Some(4)),
                state,
                (n as i64 - 2, 0),
                Hint::Unknown,
            );
            items.insert(id, item);
        }
        let folder = Item::new(
            20,
            None,
            Arc::clone(&key),
            new("f", true, None),
            ItemState::Running,
            (9, 0),
            Hint::Unknown,
        );
        items.insert(20, folder);
        let kid = Item::new(
            21,
            Some(20),
            Arc::clone(&key),
            new("f/k", false, Some(1)),
            ItemState::Done,
            (9, 4),
            Hint::Unknown,
        );
        items.insert(21, kid);
        let mut table = Table::restored(items, HashMap::new());
        let state = |t: &Table, id| t.get(id).map(|i| i.state.clone());
        assert_eq!(state(&table, 5), Some(ItemState::Paused));
        assert_eq!(state(&table, 6), Some(ItemState::Paused));
        assert_eq!(state(&table, 7), Some(ItemState::Done));
        assert_eq!(table.get(7).map(|i| i.live.done), Some(4));
        assert_eq!(state(&table, 8), Some(ItemState::Failed("no".into())));
        assert_eq!(state(&table, 9), Some(ItemState::Paused));
        assert_eq!(state(&table, 20), Some(ItemState::Paused));
        assert!(!table.has_ready());
        assert_eq!(table.counts().waiting, 4);
        assert_eq!(table.children(20), &[21]);
        // New items take the next number and the end of the queue; a walk
        // of the folder again puts its new children after the restored one.
        let next = add(&mut table, "h", "n", false);
        assert_eq!(next, 22);
        assert_eq!(table.get(next).map(|i| i.pos), Some((10, 0)));
        table.set_state(20, ItemState::Running);
        let kids = table.expand(20, vec![child("f/new")]);
        assert_eq!(table.get(kids[0]).map(|i| i.pos), Some((9, 5)));
        // Moving to the top goes before the lowest restored position.
        let (_, moves) = table.move_to(vec![next], true).expect("moved");
        assert_eq!(moves, vec![(next, -3, 0)]);
    }

    #[test]
    fn with_children_lists_each_item_once() {
        let mut table = Table::new();
        let folder = add(&mut table, "h", "f", true);
        table.set_state(folder, ItemState::Running);
        let kids = table.expand(folder, vec![child("f/1"), child("f/2")]);
        let all = table.with_children(&[kids[1], folder, folder]);
        assert_eq!(all, vec![kids[1], folder, kids[0]]);
    }

    #[test]
    fn a_display_form_is_kept_only_when_it_differs() {
        assert_eq!(display_form(b"/a", "/a".into()), None);
        assert_eq!(
            display_form(b"/\xc4\xe3", "/你".into()).as_deref(),
            Some("/你")
        );
        let mut table = Table::new();
        let id = add(&mut table, "h", "x y", false);
        assert_eq!(table.views(&[id, 404])[0].remote_display, "/x y");
    }
}
