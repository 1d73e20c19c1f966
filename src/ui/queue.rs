//! The transfer queue pane: tabs Queued / Failed / Successful, one virtualized
//! row per item with direction, paths, size, a progress bar, speed and ETA,
//! per-item controls in a context menu, and the queue's totals.
//!
//! [`QueueView`] mirrors the engine's queue from its events
//! ([`QueueEvent`]); the controls become [`QueueCommand`]s. The pane never
//! owns a transfer and never waits for one.

use std::collections::HashMap;

use eframe::egui::{self, Label, Sense};
use egui_extras::{Column, TableBuilder};

use super::files::format_size;
use super::i18n::tr;
use crate::engine::queue::{Direction, ItemId, ItemState, ItemView, QueueCommand, QueueEvent};

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

/// One item with its latest speed.
#[derive(Debug, Clone)]
struct Row {
    view: ItemView,
    rate: f64,
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
}

impl QueueView {
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
                    match self.rows.get_mut(&view.id) {
                        Some(row) => row.view = view,
                        None => {
                            self.order.push(view.id);
                            self.rows.insert(view.id, Row { view, rate: 0.0 });
                        }
                    }
                }
                self.shown = None;
            }
            QueueEvent::Removed(ids) => {
                for id in &ids {
                    self.rows.remove(id);
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
            QueueEvent::Ask { .. }
            | QueueEvent::Retrying { .. }
            | QueueEvent::Log(_)
            | QueueEvent::Idle => {}
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
            let size = format_size(totals.queued_bytes);
            ui.label(if totals.running > 0 {
                let rate = format_size(totals.rate as u64);
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
                    let cells = describe(view, item.rate);
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

fn describe(view: &ItemView, rate: f64) -> Cells {
    let running = view.state == ItemState::Running;
    let fraction = match (view.size, view.is_dir) {
        (Some(size), false) if size > 0 => {
            Some((view.done as f64 / size as f64).clamp(0.0, 1.0) as f32)
        }
        (Some(0), false) if view.state == ItemState::Done => Some(1.0),
        _ => None,
    };
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
            view.size.map(format_size).unwrap_or_default()
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
            ItemState::Running => tr!("queue-state-transferring"),
            ItemState::Asking => tr!("queue-state-asking"),
            ItemState::Done => tr!("queue-state-done"),
            ItemState::Skipped(reason) => tr!("queue-state-skipped", reason = reason.as_str()),
            ItemState::Failed(reason) => reason.clone(),
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
        let cells = describe(&running, 25.0);
        assert_eq!(cells.fraction, Some(0.25));
        assert_eq!(cells.eta, "0:03");
    }
}
