//! The transfer queue pane: tabs Queued / Failed / Successful, one virtualized
//! row per item with direction, paths, size, a progress bar, speed and ETA,
//! per-item controls in a context menu, and the queue's totals.
//!
//! [`QueueView`] mirrors the engine's queue from its events
//! ([`QueueEvent`]); the controls become [`QueueCommand`]s. The pane never
//! owns a transfer and never waits for one.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use eframe::egui::{self, Label, Sense};
use egui_extras::{Column, TableBuilder};

use super::files::format_size;
use super::i18n::tr;
use crate::engine::queue::{
    Direction, ItemId, ItemState, ItemView, QueueCommand, QueueEvent, SiteKey,
};

/// Which tab is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueTab {
    /// Waiting, paused, asking or running.
    #[default]
    Queued,
    /// Failed, with the reason.
    Failed,
    /// Done or skipped.
    Successful,
}

impl QueueTab {
    fn holds(self, state: &ItemState) -> bool {
        match self {
            QueueTab::Queued => matches!(
                state,
                ItemState::Queued | ItemState::Paused | ItemState::Running | ItemState::Asking
            ),
            QueueTab::Failed => matches!(state, ItemState::Failed(_)),
            QueueTab::Successful => matches!(state, ItemState::Done | ItemState::Skipped(_)),
        }
    }
}

/// One item with its latest speed and what the queue said of its moving.
#[derive(Debug, Clone)]
struct Row {
    view: ItemView,
    rate: f64,
    /// Progress arrived since the last tick (stamped at the next tick,
    /// since `update` does not read the clock).
    fresh: bool,
    /// When progress last arrived (at a tick's time).
    last_progress: Option<Instant>,
    /// The transfer failed and is tried again: the reason and when.
    retrying: Option<(String, Instant)>,
    /// A retry was reported since the last tick: (reason, delay).
    retry_news: Option<(String, Duration)>,
}

impl Row {
    fn new(view: ItemView) -> Self {
        Row {
            view,
            rate: 0.0,
            fresh: false,
            last_progress: None,
            retrying: None,
            retry_news: None,
        }
    }

    /// How the row is moving at `now`.
    fn motion(&self, now: Option<Instant>) -> Motion {
        if self.view.state != ItemState::Running {
            return Motion::Still;
        }
        let Some(now) = now else {
            return Motion::Moving;
        };
        if let Some((reason, at)) = &self.retrying {
            return Motion::Reconnecting {
                reason: reason.clone(),
                in_secs: at.saturating_duration_since(now).as_secs(),
            };
        }
        match self.last_progress {
            Some(at) if now.saturating_duration_since(at) >= STALL_AFTER => Motion::Stalled {
                for_secs: now.saturating_duration_since(at).as_secs(),
            },
            _ => Motion::Moving,
        }
    }
}

/// No data for this long and a running transfer is shown as stalled.
pub const STALL_AFTER: Duration = Duration::from_secs(2);

/// How a running row is moving.
#[derive(Debug, Clone, PartialEq)]
enum Motion {
    /// Not running.
    Still,
    /// Data arrives.
    Moving,
    /// No data for `for_secs` seconds.
    Stalled { for_secs: u64 },
    /// Failed; the connection is made again in `in_secs` seconds.
    Reconnecting { reason: String, in_secs: u64 },
}

/// The queue's totals, as last reported.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Waiting items.
    pub queued: u64,
    /// Their known bytes.
    pub queued_bytes: u64,
    /// Running items.
    pub running: u64,
    /// Finished items.
    pub done: u64,
    /// Failed items.
    pub failed: u64,
    /// Bytes per second over all running items.
    pub rate: f64,
}

/// The front end's copy of the queue.
#[derive(Debug, Default)]
pub struct QueueView {
    rows: HashMap<ItemId, Row>,
    order: Vec<ItemId>,
    /// The ids of the shown tab, rebuilt after changes.
    shown: Option<(QueueTab, Vec<ItemId>)>,
    /// The shown tab.
    pub tab: QueueTab,
    /// The last totals.
    pub totals: Totals,
    /// Whether the queue takes new items.
    pub processing: bool,
    selected: Option<ItemId>,
    /// The time of the last tick.
    now: Option<Instant>,
    /// The running items: what every frame looks at (stalls, speed, what
    /// is left, the title's progress) without a pass over the whole queue.
    running: HashSet<ItemId>,
    /// How many items are paused (the header's Resume all).
    paused: usize,
}

impl QueueView {
    /// The frame's clock: stamps the progress and retries that arrived
    /// since the last tick. Returns whether a row is running (the window
    /// then draws again soon, so a stall shows without an event).
    pub fn tick(&mut self, now: Instant) -> bool {
        self.now = Some(now);
        for id in &self.running {
            let Some(row) = self.rows.get_mut(id) else {
                continue;
            };
            if std::mem::take(&mut row.fresh) {
                row.last_progress = Some(now);
                row.retrying = None;
            }
            if let Some((reason, delay)) = row.retry_news.take() {
                row.retrying = Some((reason, now + delay));
                row.rate = 0.0;
            }
        }
        !self.running.is_empty()
    }

    /// The running rows.
    fn running_rows(&self) -> impl Iterator<Item = &Row> {
        self.running.iter().filter_map(|id| self.rows.get(id))
    }

    /// Keeps the running set and the paused count as a row goes from
    /// `old` to `new` (`None`: not in the view).
    fn track(&mut self, id: ItemId, old: Option<&ItemState>, new: Option<&ItemState>) {
        match old {
            Some(ItemState::Running) => {
                self.running.remove(&id);
            }
            Some(ItemState::Paused) => self.paused = self.paused.saturating_sub(1),
            _ => {}
        }
        match new {
            Some(ItemState::Running) => {
                self.running.insert(id);
            }
            Some(ItemState::Paused) => self.paused += 1,
            _ => {}
        }
    }

    /// Whether an item is paused.
    pub fn any_paused(&self) -> bool {
        self.paused > 0
    }

    /// How far the running files are, together (bytes done over their
    /// sizes); `None` when nothing with a known size runs.
    pub fn running_fraction(&self) -> Option<f32> {
        let (done, size) = self
            .running_rows()
            .filter(|row| !row.view.is_dir)
            .filter_map(|row| Some((row.view.done, row.view.size?)))
            .fold((0u64, 0u64), |(d, s), (done, size)| {
                (d.saturating_add(done.min(size)), s.saturating_add(size))
            });
        (size > 0).then(|| (done as f64 / size as f64) as f32)
    }

    /// The sites of paused items (of `ids`, or all), each with its count.
    pub fn paused_sites(&self, ids: Option<&[ItemId]>) -> Vec<(SiteKey, usize)> {
        let mut sites: Vec<(SiteKey, usize)> = Vec::new();
        let paused = self
            .rows
            .values()
            .filter(|row| row.view.state == ItemState::Paused)
            .filter(|row| ids.is_none_or(|ids| ids.contains(&row.view.id)));
        for row in paused {
            match sites.iter_mut().find(|(site, _)| *site == row.view.site) {
                Some((_, count)) => *count += 1,
                None => sites.push((row.view.site.clone(), 1)),
            }
        }
        sites
    }

    /// The speed over all rows that move now (the header's).
    pub fn rate(&self) -> f64 {
        self.running_rows()
            .filter(|row| row.motion(self.now) == Motion::Moving)
            .map(|row| row.rate)
            .sum()
    }

    /// The bytes left: the waiting items' (the engine's count) plus what the
    /// running ones have still to move.
    pub fn left(&self) -> u64 {
        let running: u64 = self
            .running_rows()
            .filter(|row| !row.view.is_dir)
            .filter_map(|row| Some(row.view.size?.saturating_sub(row.view.done)))
            .sum();
        self.totals.queued_bytes.saturating_add(running)
    }

    /// An empty view of a queue that is processing (the engine's default).
    pub fn processing() -> Self {
        Self {
            processing: true,
            ..Self::default()
        }
    }

    /// Applies an event; returns the items that finished with it (for refreshing panes).
    pub fn apply(&mut self, event: QueueEvent) -> Vec<ItemView> {
        let mut finished = Vec::new();
        match event {
            QueueEvent::Upsert(views) => {
                for view in views {
                    if view.state.is_finished()
                        && self
                            .rows
                            .get(&view.id)
                            .is_none_or(|r| !r.view.state.is_finished())
                    {
                        finished.push(view.clone());
                    }
                    let old = self.rows.get(&view.id).map(|r| r.view.state.clone());
                    self.track(view.id, old.as_ref(), Some(&view.state));
                    match self.rows.get_mut(&view.id) {
                        Some(row) => {
                            if view.state != ItemState::Running {
                                row.last_progress = None;
                                row.retrying = None;
                                row.rate = 0.0;
                            } else if row.view.state != ItemState::Running {
                                // Started: a stall counts from now.
                                row.fresh = true;
                            }
                            row.view = view;
                        }
                        None => {
                            self.order.push(view.id);
                            let mut row = Row::new(view);
                            row.fresh = row.view.state == ItemState::Running;
                            self.rows.insert(row.view.id, row);
                        }
                    }
                }
                self.shown = None;
            }
            QueueEvent::Removed(ids) => {
                for id in &ids {
                    if let Some(row) = self.rows.remove(id) {
                        self.track(*id, Some(&row.view.state), None);
                    }
                }
                self.order.retain(|id| self.rows.contains_key(id));
                self.shown = None;
            }
            QueueEvent::Moved { ids, to_top } => {
                self.order.retain(|id| !ids.contains(id));
                if to_top {
                    self.order.splice(0..0, ids);
                } else {
                    self.order.extend(ids);
                }
                self.shown = None;
            }
            QueueEvent::Progress {
                id,
                done,
                total,
                rate,
            } => {
                if let Some(row) = self.rows.get_mut(&id) {
                    row.view.done = done;
                    if total.is_some() {
                        row.view.size = total;
                    }
                    row.rate = rate;
                    row.fresh = true;
                }
            }
            QueueEvent::Retrying { id, reason, delay } => {
                if let Some(row) = self.rows.get_mut(&id) {
                    row.retry_news = Some((reason, delay));
                    row.fresh = false;
                }
            }
            QueueEvent::Totals {
                queued,
                queued_bytes,
                running,
                done,
                failed,
                rate,
            } => {
                self.totals = Totals {
                    queued,
                    queued_bytes,
                    running,
                    done,
                    failed,
                    rate,
                };
            }
            QueueEvent::Ask { .. } | QueueEvent::Log(_) | QueueEvent::Idle => {}
        }
        finished
    }

    /// The item, if known.
    pub fn item(&self, id: ItemId) -> Option<&ItemView> {
        self.rows.get(&id).map(|r| &r.view)
    }

    /// Items in `tab`, in queue order.
    pub fn ids_in(&mut self, tab: QueueTab) -> &[ItemId] {
        if self.shown.as_ref().is_none_or(|(t, _)| *t != tab) {
            let ids = self
                .order
                .iter()
                .copied()
                .filter(|id| self.rows.get(id).is_some_and(|r| tab.holds(&r.view.state)))
                .collect();
            self.shown = Some((tab, ids));
        }
        self.shown.as_ref().map_or(&[], |(_, ids)| ids.as_slice())
    }

    /// Draws the pane; returns the commands the user gave.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Vec<QueueCommand> {
        let mut commands = Vec::new();
        let counts = [
            (
                QueueTab::Queued,
                tr!(
                    "queue-tab-queued",
                    count = self.totals.queued + self.totals.running
                ),
            ),
            (
                QueueTab::Failed,
                tr!("queue-tab-failed", count = self.totals.failed),
            ),
            (
                QueueTab::Successful,
                tr!("queue-tab-successful", count = self.totals.done),
            ),
        ];
        ui.horizontal(|ui| {
            for (tab, label) in counts {
                ui.selectable_value(&mut self.tab, tab, label);
            }
            ui.separator();
            let totals = self.totals;
            let count = totals.queued + totals.running;
            let size = format_size(self.left());
            ui.label(if totals.running > 0 {
                let rate = format_size(self.rate() as u64);
                tr!(
                    "queue-summary-rate",
                    count = count,
                    size = size,
                    rate = rate
                )
            } else {
                tr!("queue-summary", count = count, size = size)
            });
            if !self.processing {
                ui.colored_label(ui.visuals().warn_fg_color, tr!("queue-stopped"));
            }
            if self.tab == QueueTab::Successful && ui.small_button(tr!("queue-clear")).clicked() {
                commands.push(QueueCommand::ClearFinished);
            }
            if self.any_paused() && ui.small_button(tr!("queue-resume-all")).clicked() {
                commands.push(QueueCommand::ResumeAll);
            }
            if totals.running > 0 && ui.small_button(tr!("queue-pause-all")).clicked() {
                commands.push(QueueCommand::PauseAll);
            }
            if self.tab == QueueTab::Failed && ui.small_button(tr!("queue-retry-all")).clicked() {
                let ids = self.ids_in(QueueTab::Failed).to_vec();
                commands.push(QueueCommand::Retry(ids));
            }
        });
        let tab = self.tab;
        let ids = self.ids_in(tab).to_vec();
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        TableBuilder::new(ui)
            .id_salt("queue-table")
            // The panel decides the height; the table's default minimum (200 px) would grow it.
            .min_scrolled_height(0.0)
            .striped(true)
            .resizable(true)
            .sense(Sense::click())
            .auto_shrink([false, false])
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(70.0))
            .column(Column::initial(260.0).clip(true))
            .column(Column::initial(220.0).clip(true))
            .column(Column::initial(80.0))
            .column(Column::initial(140.0))
            .column(Column::initial(80.0))
            .column(Column::initial(60.0))
            .column(Column::remainder().clip(true))
            .header(row_height, |mut header| {
                for title in [
                    tr!("queue-column-direction"),
                    tr!("queue-column-local"),
                    tr!("queue-column-remote"),
                    tr!("queue-column-size"),
                    tr!("queue-column-progress"),
                    tr!("queue-column-speed"),
                    tr!("queue-column-eta"),
                    tr!("queue-column-status"),
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, ids.len(), |mut row| {
                    let Some(item) = ids.get(row.index()).and_then(|id| self.rows.get(id)) else {
                        return;
                    };
                    let view = &item.view;
                    row.set_selected(self.selected == Some(view.id));
                    let cells = describe(view, item.rate, &item.motion(self.now));
                    row.col(|ui| {
                        ui.add(Label::new(cells.direction).selectable(false));
                    });
                    row.col(|ui| {
                        ui.add(
                            Label::new(view.local.display().to_string())
                                .selectable(false)
                                .truncate(),
                        );
                    });
                    row.col(|ui| {
                        ui.add(
                            Label::new(view.remote_display.as_str())
                                .selectable(false)
                                .truncate(),
                        );
                    });
                    row.col(|ui| {
                        ui.add(Label::new(cells.size).selectable(false));
                    });
                    row.col(|ui| {
                        if let Some(fraction) = cells.fraction {
                            ui.add(
                                egui::ProgressBar::new(fraction)
                                    .desired_height(row_height - 6.0)
                                    .show_percentage(),
                            );
                        }
                    });
                    row.col(|ui| {
                        ui.add(Label::new(cells.speed).selectable(false));
                    });
                    row.col(|ui| {
                        ui.add(Label::new(cells.eta).selectable(false));
                    });
                    row.col(|ui| {
                        ui.add(Label::new(cells.status).selectable(false).truncate());
                    });
                    let id = view.id;
                    let state = view.state.clone();
                    let response = row.response();
                    if response.clicked() || response.secondary_clicked() {
                        self.selected = Some(id);
                    }
                    response.context_menu(|ui| {
                        for (label, command, allowed) in [
                            (
                                tr!("queue-pause"),
                                QueueCommand::Pause(vec![id]),
                                matches!(state, ItemState::Queued | ItemState::Running),
                            ),
                            (
                                tr!("queue-resume"),
                                QueueCommand::Resume(vec![id]),
                                state == ItemState::Paused,
                            ),
                            (
                                tr!("queue-retry"),
                                QueueCommand::Retry(vec![id]),
                                matches!(state, ItemState::Failed(_)),
                            ),
                            (
                                tr!("queue-move-top"),
                                QueueCommand::MoveToTop(vec![id]),
                                tab == QueueTab::Queued,
                            ),
                            (
                                tr!("queue-move-bottom"),
                                QueueCommand::MoveToBottom(vec![id]),
                                tab == QueueTab::Queued,
                            ),
                            (
                                tr!("queue-cancel"),
                                QueueCommand::Cancel(vec![id]),
                                !state.is_finished(),
                            ),
                        ] {
                            if ui.add_enabled(allowed, egui::Button::new(label)).clicked() {
                                commands.push(command);
                                ui.close();
                            }
                        }
                    });
                });
            });
        commands
    }
}

/// The texts of one row.
struct Cells {
    direction: String,
    size: String,
    fraction: Option<f32>,
    speed: String,
    eta: String,
    status: String,
}

fn describe(view: &ItemView, rate: f64, motion: &Motion) -> Cells {
    // Speed and time left only while data moves: a stalled or reconnecting
    // row never shows the last speed it had.
    let running = *motion == Motion::Moving;
    // A bar only for what runs or is done: a waiting row has none, and a
    // paused or restored one says how much is there in words.
    let fraction = match (view.size, view.is_dir, &view.state) {
        (Some(size), false, ItemState::Running) if size > 0 => {
            Some((view.done as f64 / size as f64).clamp(0.0, 1.0) as f32)
        }
        (Some(_), false, ItemState::Done) => Some(1.0),
        _ => None,
    };
    let waiting = matches!(view.state, ItemState::Queued | ItemState::Paused);
    let eta = match (running, view.size, rate > 1.0) {
        (true, Some(size), true) => format_eta(size.saturating_sub(view.done) as f64 / rate),
        _ => String::new(),
    };
    Cells {
        direction: match view.direction {
            Direction::Download => tr!("queue-download"),
            Direction::Upload => tr!("queue-upload"),
        },
        size: if view.is_dir {
            tr!("queue-folder")
        } else {
            match view.size {
                Some(size) if waiting && view.done > 0 => tr!(
                    "queue-size-partial",
                    done = format_size(view.done),
                    size = format_size(size)
                ),
                Some(size) => format_size(size),
                None => String::new(),
            }
        },
        fraction,
        speed: if running && rate > 0.0 {
            format!("{}/s", format_size(rate as u64))
        } else {
            String::new()
        },
        eta,
        status: match &view.state {
            ItemState::Queued => tr!("queue-state-queued"),
            ItemState::Paused => tr!("queue-state-paused"),
            ItemState::Running => match motion {
                Motion::Stalled { for_secs } => tr!("queue-state-stalled", seconds = *for_secs),
                Motion::Reconnecting { reason, in_secs } => tr!(
                    "queue-state-reconnecting",
                    seconds = *in_secs,
                    reason = reason.as_str()
                ),
                Motion::Still | Motion::Moving => tr!("queue-state-transferring"),
            },
            ItemState::Asking => tr!("queue-state-asking"),
            ItemState::Done => tr!("queue-state-done"),
            ItemState::Skipped(reason) => tr!("queue-state-skipped", reason = reason.as_str()),
            // In the window's words when the engine gave them.
            ItemState::Failed(reason) => view
                .failure
                .as_ref()
                .map_or_else(|| reason.clone(), super::i18n::message),
        },
    }
}

/// `1:05:09`, `4:02`, `0:07`.
fn format_eta(secs: f64) -> String {
    let secs = secs.round().clamp(0.0, 359_999.0) as u64;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::queue::SiteKey;
    use std::path::PathBuf;

    fn item(id: ItemId, state: ItemState) -> ItemView {
        ItemView {
            id,
            parent: None,
            site: SiteKey {
                host: "h".into(),
                port: 21,
                user: "u".into(),
            },
            direction: Direction::Download,
            local: PathBuf::from(format!("/tmp/{id}")),
            remote_display: format!("/{id}"),
            is_dir: false,
            size: Some(100),
            done: 0,
            state,
            failure: None,
        }
    }

    #[test]
    fn events_fill_the_tabs_in_queue_order() {
        let mut view = QueueView::default();
        view.apply(QueueEvent::Upsert(vec![
            item(1, ItemState::Queued),
            item(2, ItemState::Queued),
            item(3, ItemState::Failed("550 nope".into())),
        ]));
        assert_eq!(view.ids_in(QueueTab::Queued), [1, 2]);
        assert_eq!(view.ids_in(QueueTab::Failed), [3]);
        view.apply(QueueEvent::Moved {
            ids: vec![2],
            to_top: true,
        });
        assert_eq!(view.ids_in(QueueTab::Queued), [2, 1]);
        let finished = view.apply(QueueEvent::Upsert(vec![item(2, ItemState::Done)]));
        assert_eq!(finished.len(), 1);
        assert_eq!(view.ids_in(QueueTab::Successful), [2]);
        assert_eq!(view.ids_in(QueueTab::Queued), [1]);
        view.apply(QueueEvent::Progress {
            id: 1,
            done: 50,
            total: Some(100),
            rate: 10.0,
        });
        assert_eq!(view.item(1).map(|i| i.done), Some(50));
        view.apply(QueueEvent::Removed(vec![1]));
        assert!(view.ids_in(QueueTab::Queued).is_empty());
    }

    #[test]
    fn eta_and_progress_read_right() {
        assert_eq!(format_eta(7.0), "0:07");
        assert_eq!(format_eta(242.0), "4:02");
        assert_eq!(format_eta(3909.0), "1:05:09");
        let mut running = item(1, ItemState::Running);
        running.done = 25;
        let cells = describe(&running, 25.0, &Motion::Moving);
        assert_eq!(cells.fraction, Some(0.25));
        assert_eq!(cells.eta, "0:03");
    }

    #[test]
    fn a_waiting_row_has_no_bar_and_a_paused_one_says_what_is_there() {
        let _english =
            crate::ui::i18n::LocaleOverride::on_this_thread(crate::ui::i18n::Locale::English);
        let queued = describe(&item(1, ItemState::Queued), 0.0, &Motion::Still);
        assert_eq!(queued.fraction, None);
        let mut paused = item(2, ItemState::Paused);
        paused.size = Some(1 << 30);
        paused.done = 588 << 20;
        let cells = describe(&paused, 0.0, &Motion::Still);
        assert_eq!(cells.fraction, None);
        assert!(
            cells.size.contains("588") && cells.size.contains("1.0 GiB"),
            "{}",
            cells.size
        );
    }

    #[test]
    fn a_dead_server_shows_stalled_then_reconnecting_never_the_old_speed() {
        let _english =
            crate::ui::i18n::LocaleOverride::on_this_thread(crate::ui::i18n::Locale::English);
        let mut view = QueueView::default();
        let t0 = Instant::now();
        let mut a = item(1, ItemState::Running);
        a.size = Some(1000);
        let mut b = item(2, ItemState::Running);
        b.size = Some(1000);
        view.apply(QueueEvent::Upsert(vec![a, b]));
        view.tick(t0);
        for (id, rate) in [(1, 300.0), (2, 100.0)] {
            view.apply(QueueEvent::Progress {
                id,
                done: 100,
                total: Some(1000),
                rate,
            });
        }
        assert!(view.tick(t0 + Duration::from_millis(100)), "running rows");
        assert_eq!(view.rate(), 400.0, "the header's speed is the rows' sum");
        assert_eq!(view.left(), 1800);

        // Item 1's server went quiet: 2 s later it is stalled, and its
        // speed no longer counts or shows.
        view.apply(QueueEvent::Progress {
            id: 2,
            done: 200,
            total: Some(1000),
            rate: 100.0,
        });
        let later = t0 + Duration::from_millis(2200);
        view.tick(later);
        let row = &view.rows[&1];
        let cells = describe(&row.view, row.rate, &row.motion(view.now));
        assert!(cells.status.starts_with("Stalled"), "{}", cells.status);
        assert!(cells.speed.is_empty() && cells.eta.is_empty());
        assert_eq!(view.rate(), 100.0);

        // The queue retries it: Reconnecting, with the reason.
        view.apply(QueueEvent::Retrying {
            id: 1,
            reason: "the connection was closed".into(),
            delay: Duration::from_secs(5),
        });
        view.tick(later + Duration::from_millis(50));
        let row = &view.rows[&1];
        let cells = describe(&row.view, row.rate, &row.motion(view.now));
        assert!(
            cells.status.contains("Reconnecting") && cells.status.contains("closed"),
            "{}",
            cells.status
        );
        // Data again: moving.
        view.apply(QueueEvent::Progress {
            id: 1,
            done: 150,
            total: Some(1000),
            rate: 50.0,
        });
        view.tick(later + Duration::from_secs(6));
        assert_eq!(view.rows[&1].motion(view.now), Motion::Moving);
    }
}
