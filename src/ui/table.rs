//! The file table of a pane: virtualized rows, sortable headers, selection,
//! context menu and drag source.
//!
//! Only the rows on screen are laid out (`TableBody::rows`), so a folder of
//! 100,000 entries costs what a screenful costs. The table reports what the
//! user did as [`TableEvent`]s; the pane decides what they mean.

use eframe::egui::{self, Label, RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::action::Action;
use super::files::{FileList, RowKind, SortColumn, format_size};
use super::i18n::tr;
use super::icons::{file_icon_ui, paint_triangle};
use super::mark::mark_tag_ui;
use super::side::{DragRows, Side};

/// What the user did in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableEvent {
    /// Double-click or Enter on a row (`None`: the `..` row).
    Activate(Option<u32>),
    /// A context-menu action on the selection (or on the folder, with nothing selected).
    Action(Action),
    /// A drag of the selection began.
    DragStarted,
    /// The table was clicked and wants the keyboard focus.
    Focus,
}

/// The context-menu actions of a row, in menu order.
const ROW_MENU: [Action; 11] = [
    Action::Transfer,
    Action::AddToQueue,
    Action::OpenWithSystem,
    Action::ViewEdit,
    Action::MakeDir,
    Action::Rename,
    Action::Delete,
    Action::Permissions,
    Action::Refresh,
    Action::CopyUrl,
    Action::SelectAll,
];

/// Draws the table and returns what happened.
pub fn file_table_ui(
    ui: &mut egui::Ui,
    side: Side,
    list: &mut FileList,
    has_parent: bool,
    scroll_to_cursor: bool,
) -> Vec<TableEvent> {
    let mut events = Vec::new();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    let offset = usize::from(has_parent);
    let total = list.view().len() + offset;
    let modifiers = ui.input(|i| i.modifiers);
    let remote = side == Side::Remote;

    let width = ui.available_width().max(320.0);
    let mut builder = TableBuilder::new(ui)
        .id_salt(match side {
            Side::Local => "local-table",
            Side::Remote => "remote-table",
        })
        .striped(true)
        .min_scrolled_height(0.0)
        .resizable(true)
        .sense(Sense::click_and_drag())
        .auto_shrink([false, false])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
    // First widths in proportion to the pane, the last column taking what
    // is left: every column is on screen however narrow the window (at
    // 1024 px a pane is about 500 px wide). The user's drags are kept.
    let shares: &[f32] = if remote {
        &[0.3, 0.11, 0.13, 0.2, 0.12]
    } else {
        &[0.42, 0.14, 0.16]
    };
    // What the columns share once the spacing between them is taken off.
    let usable = width - 9.0 * (shares.len() + 1) as f32;
    for (i, share) in shares.iter().enumerate() {
        let column = Column::initial(usable * share).at_least(if i == 0 { 80.0 } else { 40.0 });
        builder = builder.column(if i == 1 { column } else { column.clip(true) });
    }
    builder = builder.column(Column::remainder().at_least(40.0).clip(true));
    if scroll_to_cursor && let Some(pos) = list.cursor_position() {
        builder = builder.scroll_to_row(pos + offset, None);
    }

    let sort = list.sort();
    let mut sort_clicked = None;
    let mut columns = vec![
        (tr!("column-name"), SortColumn::Name),
        (tr!("column-size"), SortColumn::Size),
        (tr!("column-type"), SortColumn::Type),
        (tr!("column-modified"), SortColumn::Modified),
    ];
    if remote {
        columns.push((tr!("column-permissions"), SortColumn::Permissions));
        columns.push((tr!("column-owner"), SortColumn::Owner));
    }
    let table = builder.header(row_height + 2.0, |mut header| {
        for (title, column) in &columns {
            header.col(|ui| {
                let text = RichText::new(title.as_str()).strong();
                let response = ui
                    .add(egui::Button::new(text).frame(false))
                    .on_hover_text(tr!("column-sort-by", column = title.to_lowercase()));
                if sort.column == *column {
                    let size = ui.text_style_height(&egui::TextStyle::Body);
                    let (rect, _) = ui.allocate_exact_size(egui::Vec2::splat(size), Sense::hover());
                    let color = ui.visuals().strong_text_color();
                    paint_triangle(
                        ui.painter(),
                        rect,
                        if sort.ascending { 3 } else { 1 },
                        color,
                    );
                }
                if response.clicked() {
                    sort_clicked = Some(*column);
                }
            });
        }
    });
    table.body(|body| {
        body.rows(row_height, total, |mut row| {
            let at = row.index();
            if at < offset {
                row.col(|ui| {
                    file_icon_ui(ui, RowKind::Folder);
                    ui.add(Label::new("..").selectable(false));
                });
                for _ in 1..columns.len() {
                    row.col(|_| {});
                }
                let response = row.response();
                if is_double_click(&response, None) {
                    events.push(TableEvent::Activate(None));
                }
                if response.clicked() {
                    list.clear_selection();
                    events.push(TableEvent::Focus);
                }
                return;
            }
            let Some(&index) = list.view().get(at - offset) else {
                return;
            };
            row.set_selected(list.is_selected(index));
            let Some(entry) = list.row(index) else {
                return;
            };
            let kind = entry.kind;
            let cells: [String; 6] = [
                entry.name.clone(),
                entry.size.map(format_size).unwrap_or_default(),
                entry.type_text(),
                entry
                    .modified
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                entry.permissions.clone(),
                entry.owner.clone(),
            ];
            let target = entry.target.clone();
            let mark = list.mark(index);
            row.col(|ui| {
                file_icon_ui(ui, kind);
                mark_tag_ui(ui, mark);
                let mut name = RichText::new(cells[0].as_str());
                if let Some(color) = mark.color(ui.visuals().dark_mode) {
                    name = name.color(color);
                }
                let label = ui.add(Label::new(name).selectable(false).truncate());
                if let Some(target) = &target {
                    label.on_hover_text(format!("→ {target}"));
                }
            });
            for cell in cells.iter().take(columns.len()).skip(1) {
                row.col(|ui| {
                    ui.add(Label::new(cell.as_str()).selectable(false).truncate());
                });
            }
            let response = row.response();
            if response.clicked() {
                list.click(index, modifiers.command, modifiers.shift);
                events.push(TableEvent::Focus);
            }
            if is_double_click(&response, Some(index)) {
                events.push(TableEvent::Activate(Some(index)));
            }
            if response.secondary_clicked() {
                list.ensure_selected(index);
                events.push(TableEvent::Focus);
            }
            if response.drag_started() {
                list.ensure_selected(index);
                events.push(TableEvent::DragStarted);
            }
            response.dnd_set_drag_payload(DragRows(side));
            response.context_menu(|ui| {
                for action in ROW_MENU {
                    let remote_only = matches!(action, Action::Permissions | Action::ViewEdit);
                    if remote_only != remote && (remote_only || action == Action::OpenWithSystem) {
                        continue;
                    }
                    if menu_item(ui, action, remote) {
                        events.push(TableEvent::Action(action));
                    }
                }
            });
        });
    });
    if let Some(column) = sort_clicked {
        list.sort_by(column);
    }
    events
}

/// A second click on the same row within egui's double-click delay. egui's
/// own `double_clicked` needs both clicks' events in one frame's input,
/// which a slow frame or a synthetic input can split; the row and time of
/// the last click are kept in egui's memory instead.
fn is_double_click(response: &egui::Response, row: Option<u32>) -> bool {
    if !response.clicked() {
        return false;
    }
    let ctx = &response.ctx;
    let id = response.id.with("last-click");
    let now = ctx.input(|i| i.time);
    let delay = ctx.options(|o| o.input_options.max_double_click_delay);
    let last: Option<(Option<u32>, f64)> = ctx.data(|d| d.get_temp(id));
    let double = response.double_clicked()
        || last.is_some_and(|(last_row, at)| last_row == row && now - at <= delay);
    // After a double-click the next click starts afresh.
    let remember: Option<(Option<u32>, f64)> = (!double).then_some((row, now));
    ctx.data_mut(|d| match remember {
        Some(value) => {
            d.insert_temp(id, value);
        }
        None => {
            d.remove::<(Option<u32>, f64)>(id);
        }
    });
    double
}

/// One menu entry with its shortcut; true when chosen.
pub fn menu_item(ui: &mut egui::Ui, action: Action, remote: bool) -> bool {
    let mut button = egui::Button::new(action.label_for(remote));
    if let Some(text) = action.shortcut_text(ui.ctx()) {
        button = button.shortcut_text(text);
    }
    let clicked = ui.add(button).clicked();
    if clicked {
        ui.close();
    }
    clicked
}
