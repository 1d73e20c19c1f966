//! One side of the window: a folder tree above a file table, with an
//! editable path field and a filter box.
//!
//! Local and remote panes share this code; a location is a [`Loc`] (a local
//! path, or a remote path as the server's bytes). The tree only grows from
//! what was listed, so the remote tree fills in as folders are visited.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use eframe::egui::{self, Label, RichText};

use super::files::{FileList, FileRow, RowKind};
use super::i18n::tr;
use super::icons::{file_icon_ui, toggle_ui};
use super::side::{DragRows, Side};
use super::table::{TableEvent, file_table_ui};
use crate::protocol::path as remote_path;

/// A folder on either side.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Loc {
    /// A local folder.
    Local(PathBuf),
    /// A remote folder, as the server's bytes.
    Remote(Vec<u8>),
}

impl Loc {
    /// The folder's parent, or `None` at the root.
    pub fn parent(&self) -> Option<Loc> {
        match self {
            Loc::Local(path) => path.parent().map(|p| Loc::Local(p.to_path_buf())),
            Loc::Remote(path) => {
                let parent = remote_path::parent(path);
                (parent != *path && !path.is_empty()).then_some(Loc::Remote(parent))
            }
        }
    }

    /// The child `name` of this folder (`raw` is the remote name's bytes).
    pub fn child(&self, row: &FileRow) -> Loc {
        match self {
            Loc::Local(path) => Loc::Local(path.join(&row.name)),
            Loc::Remote(path) => Loc::Remote(remote_path::join(
                path,
                row.raw.as_deref().unwrap_or(row.name.as_bytes()),
            )),
        }
    }

    /// Every folder from the root down to this one.
    pub fn lineage(&self) -> Vec<Loc> {
        let mut chain = vec![self.clone()];
        while let Some(parent) = chain.last().and_then(Loc::parent) {
            if chain.len() > 256 {
                break;
            }
            chain.push(parent);
        }
        chain.reverse();
        chain
    }

    /// The last component, for the tree.
    pub fn name(&self) -> String {
        match self {
            Loc::Local(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            Loc::Remote(path) => {
                let name = remote_path::file_name(path);
                if name.is_empty() {
                    String::from_utf8_lossy(path).into_owned()
                } else {
                    String::from_utf8_lossy(name).into_owned()
                }
            }
        }
    }
}

/// What the tree asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeEvent {
    /// Show this folder.
    Go(Loc),
    /// This folder was expanded and its subfolders are not known yet.
    Expand(Loc),
}

/// The folder tree: children as far as listed, and which nodes are open.
#[derive(Debug, Default)]
pub struct FolderTree {
    children: HashMap<Loc, Vec<(String, Loc)>>,
    /// Folders whose children hold only the path to a visited folder.
    partial: HashSet<Loc>,
    expanded: HashSet<Loc>,
    /// Scroll the current folder's node into view on the next frame.
    scroll_to_current: bool,
    /// The flattened visible rows from a root, rebuilt after any change.
    rows: Option<(Loc, Vec<TreeRow>)>,
}

/// Children listed per folder; a folder with more shows a note.
const MAX_TREE_CHILDREN: usize = 100_000;

impl FolderTree {
    /// Records the subfolders of `parent` from its rows.
    pub fn set_children(&mut self, parent: &Loc, rows: &[FileRow]) {
        let mut folders: Vec<(String, Loc)> = rows
            .iter()
            .filter(|r| r.kind == RowKind::Folder)
            .map(|r| (r.name.clone(), parent.child(r)))
            .collect();
        folders.sort_by_key(|(name, _)| name.to_lowercase());
        self.children.insert(parent.clone(), folders);
        self.partial.remove(parent);
        self.rows = None;
    }

    /// Opens every ancestor of `loc` so it is visible.
    /// Ancestors whose subfolders are not listed yet get the one child on
    /// the path, marked partial, so the path is always drawn; the partial
    /// ones are returned so the caller can list them.
    pub fn reveal(&mut self, loc: &Loc) -> Vec<Loc> {
        let lineage = loc.lineage();
        let mut partial = Vec::new();
        for pair in lineage.windows(2) {
            let (parent, child) = (&pair[0], &pair[1]);
            let known = self
                .children
                .get(parent)
                .is_some_and(|c| c.iter().any(|(_, l)| l == child));
            if !known {
                self.children
                    .entry(parent.clone())
                    .or_default()
                    .push((child.name(), child.clone()));
                self.partial.insert(parent.clone());
            }
            if self.partial.contains(parent) {
                partial.push(parent.clone());
            }
        }
        self.expanded.extend(lineage);
        self.scroll_to_current = true;
        self.rows = None;
        partial
    }

    /// Forgets everything (a new connection).
    pub fn clear(&mut self) {
        self.children.clear();
        self.partial.clear();
        self.expanded.clear();
        self.rows = None;
    }

    /// Draws the tree from `root`; returns what the user asked for. Only
    /// the visible rows are laid out, so a folder with thousands of
    /// subfolders costs what a screenful costs.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        root: &Loc,
        current: Option<&Loc>,
    ) -> Option<TreeEvent> {
        let mut event = None;
        if self.rows.as_ref().is_none_or(|(r, _)| r != root) {
            let rows = self.flatten(root);
            self.rows = Some((root.clone(), rows));
        }
        let Some((_, rows)) = &self.rows else {
            return None;
        };
        let row_height = ui.spacing().interact_size.y;
        let mut area = egui::ScrollArea::both()
            .id_salt("tree")
            .auto_shrink([false, false]);
        if std::mem::take(&mut self.scroll_to_current)
            && let Some(at) = rows.iter().position(|r| Some(&r.loc) == current)
        {
            let spacing = ui.spacing().item_spacing.y;
            area =
                area.vertical_scroll_offset(((at as f32) - 2.0).max(0.0) * (row_height + spacing));
        }
        let mut toggled = None;
        area.show_rows(ui, row_height, rows.len(), |ui, range| {
            for row in &rows[range] {
                ui.horizontal(|ui| {
                    ui.add_space(row.depth as f32 * 12.0);
                    if toggle_ui(ui, row.open, !row.leaf).clicked() && !row.leaf {
                        toggled = Some(row.loc.clone());
                    }
                    file_icon_ui(ui, RowKind::Folder);
                    let selected = current == Some(&row.loc);
                    if ui.selectable_label(selected, row.name.as_str()).clicked() {
                        event = Some(TreeEvent::Go(row.loc.clone()));
                    }
                    if row.more > 0 {
                        ui.weak(tr!("pane-more-folders", count = row.more));
                    }
                });
            }
        });
        if let Some(loc) = toggled {
            if self.expanded.remove(&loc) {
                self.rows = None;
            } else {
                let unknown = !self.children.contains_key(&loc) || self.partial.contains(&loc);
                self.expanded.insert(loc.clone());
                self.rows = None;
                if unknown {
                    event = Some(TreeEvent::Expand(loc));
                }
            }
        }
        event
    }

    /// The visible rows, depth first.
    fn flatten(&self, root: &Loc) -> Vec<TreeRow> {
        let mut rows = Vec::new();
        let mut stack = vec![(root.clone(), root.name(), 0usize, 0usize)];
        while let Some((loc, name, depth, more)) = stack.pop() {
            let open = self.expanded.contains(&loc);
            let children = self.children.get(&loc);
            let leaf = children.is_some_and(Vec::is_empty) && !self.partial.contains(&loc);
            rows.push(TreeRow {
                loc: loc.clone(),
                name,
                depth,
                open,
                leaf,
                more,
            });
            if !open || depth >= 256 {
                continue;
            }
            if let Some(children) = children {
                let shown = children.len().min(MAX_TREE_CHILDREN);
                let hidden = children.len() - shown;
                for (i, (child_name, child)) in children[..shown].iter().enumerate().rev() {
                    let more = if i + 1 == shown { hidden } else { 0 };
                    stack.push((child.clone(), child_name.clone(), depth + 1, more));
                }
            }
        }
        rows
    }
}

/// One drawn line of the tree.
#[derive(Debug, Clone)]
struct TreeRow {
    loc: Loc,
    name: String,
    depth: usize,
    open: bool,
    leaf: bool,
    /// Subfolders beyond the cap, noted after the last one shown.
    more: usize,
}

/// One pane's state.
#[derive(Debug)]
pub struct Pane {
    /// Local or remote.
    pub side: Side,
    /// The folder's rows.
    pub list: FileList,
    /// The folder shown, once one was listed.
    pub location: Option<Loc>,
    /// The editable path field.
    pub path_edit: String,
    /// The filter box.
    pub filter: String,
    /// The folder tree.
    pub tree: FolderTree,
    /// A listing is on its way.
    pub busy: bool,
    /// The last listing error, shown above the table.
    pub error: Option<String>,
    /// Scroll the table to the cursor on the next frame.
    pub scroll_to_cursor: bool,
}

/// What the user did in a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneEvent {
    /// Something in the table.
    Table(TableEvent),
    /// Go to a folder (tree click, path field, `..`).
    Go(Loc),
    /// List a folder for the tree only.
    Expand(Loc),
    /// Rows dragged from a pane (this or the other) were dropped here.
    Dropped(Side),
}

impl Pane {
    /// An empty pane.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            list: FileList::default(),
            location: None,
            path_edit: String::new(),
            filter: String::new(),
            tree: FolderTree::default(),
            busy: false,
            error: None,
            scroll_to_cursor: false,
        }
    }

    /// A listing arrived for `loc` with its display path.
    /// Returns the ancestors whose subfolders the tree still lacks.
    pub fn show_listing(&mut self, loc: Loc, display: String, rows: Vec<FileRow>) -> Vec<Loc> {
        self.tree.set_children(&loc, &rows);
        let partial = self.tree.reveal(&loc);
        if self.location.as_ref() != Some(&loc) {
            self.filter.clear();
            self.list.set_filter("");
        }
        self.list.set_rows(rows);
        self.location = Some(loc);
        self.path_edit = display;
        self.busy = false;
        self.error = None;
        partial
    }

    /// The pane's title line.
    fn title(&self) -> String {
        match self.side {
            Side::Local => tr!("pane-local-title"),
            Side::Remote => tr!("pane-remote-title"),
        }
    }

    /// Draws the pane. `placeholder` is shown instead of the table when there
    /// is nothing to show (not connected).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        focused: bool,
        placeholder: Option<&str>,
    ) -> Vec<PaneEvent> {
        let mut events = Vec::new();
        let side_id = match self.side {
            Side::Local => "local",
            Side::Remote => "remote",
        };
        let dark = ui.visuals().dark_mode;
        let header = egui::Frame::new()
            .fill(if focused {
                super::side::header_fill(self.side, dark)
            } else {
                egui::Color32::TRANSPARENT
            })
            .inner_margin(egui::Margin::symmetric(4, 3))
            .corner_radius(3.0);
        header.show(ui, |ui| {
            ui.horizontal(|ui| {
                let mut title = RichText::new(self.title())
                    .strong()
                    .color(super::side::tint(self.side, dark));
                if focused {
                    title = title.underline();
                }
                let title = ui.label(title);
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut self.path_edit)
                        .id_salt((side_id, "path"))
                        .desired_width(f32::INFINITY),
                );
                let edit = edit.labelled_by(title.id);
                if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    let text = self.path_edit.trim().to_string();
                    if !text.is_empty() {
                        events.push(PaneEvent::Go(match self.side {
                            Side::Local => Loc::Local(PathBuf::from(text)),
                            Side::Remote => Loc::Remote(text.into_bytes()),
                        }));
                    }
                }
            })
        });
        let root = self
            .location
            .as_ref()
            .and_then(|l| l.lineage().into_iter().next());
        egui::Panel::top((side_id, "tree-panel"))
            .resizable(true)
            .default_size(140.0)
            .min_size(40.0)
            .show(ui, |ui| {
                // Fill the panel: egui keeps a panel's height as its
                // content's, so a pane first drawn with a one-line
                // placeholder (the remote one, before connecting) would keep
                // a tree 2.5 rows high.
                ui.set_min_height(ui.available_height());
                match &root {
                    Some(root) => {
                        if let Some(event) = self.tree.ui(ui, root, self.location.as_ref()) {
                            events.push(match event {
                                TreeEvent::Go(loc) => PaneEvent::Go(loc),
                                TreeEvent::Expand(loc) => PaneEvent::Expand(loc),
                            });
                        }
                    }
                    None => {
                        ui.weak(placeholder.unwrap_or(""));
                    }
                }
            });
        ui.horizontal(|ui| {
            let label = ui.label(tr!("pane-filter"));
            let filter = ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .id_salt((side_id, "filter"))
                    .hint_text(tr!("pane-filter-hint"))
                    .desired_width(160.0),
            );
            filter.labelled_by(label.id);
            self.list.set_filter(&self.filter);
            let count = self.list.view().len();
            if self.busy {
                ui.spinner();
            }
            ui.weak(tr!("pane-entries", count = count));
        });
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        let frame = egui::Frame::new().stroke(if focused {
            ui.visuals().selection.stroke
        } else {
            egui::Stroke::NONE
        });
        let shown = frame.show(ui, |ui| {
            if self.location.is_none() {
                ui.add_sized(
                    ui.available_size(),
                    Label::new(RichText::new(placeholder.unwrap_or("")).weak()),
                );
                return;
            }
            let has_parent = self.location.as_ref().and_then(Loc::parent).is_some();
            let scroll = std::mem::take(&mut self.scroll_to_cursor);
            let list = &mut self.list;
            let side = self.side;
            let table_events = egui::ScrollArea::horizontal()
                .id_salt((side_id, "table-hscroll"))
                .auto_shrink([false, false])
                .show(ui, |ui| file_table_ui(ui, side, list, has_parent, scroll))
                .inner;
            for event in table_events {
                match event {
                    TableEvent::Activate(None) => {
                        if let Some(parent) = self.location.as_ref().and_then(Loc::parent) {
                            events.push(PaneEvent::Go(parent));
                        }
                    }
                    other => events.push(PaneEvent::Table(other)),
                }
            }
        });
        // Rows dragged from the other pane: outline this one while they hover, take them on release.
        if shown
            .response
            .dnd_hover_payload::<DragRows>()
            .is_some_and(|p| p.0 != self.side)
        {
            let stroke = ui.visuals().selection.stroke;
            ui.painter().rect_stroke(
                shown.response.rect,
                2.0,
                egui::Stroke::new(stroke.width * 2.0, stroke.color),
                egui::StrokeKind::Inside,
            );
        }
        if let Some(payload) = shown.response.dnd_release_payload::<DragRows>() {
            events.push(PaneEvent::Dropped(payload.0));
        }
        self.drag_label_ui(ui);
        events
    }

    /// While this pane's rows are dragged, what is dragged, under the
    /// pointer: the name, or how many items and the first names.
    fn drag_label_ui(&self, ui: &egui::Ui) {
        let ctx = ui.ctx();
        let dragging =
            egui::DragAndDrop::payload::<DragRows>(ctx).is_some_and(|p| p.0 == self.side);
        let Some(pointer) = ctx.pointer_latest_pos().filter(|_| dragging) else {
            return;
        };
        let rows = self.list.selected_rows();
        let text = match rows.as_slice() {
            [] => return,
            [one] => one.name.clone(),
            [first, second, ..] => tr!(
                "pane-dragging",
                count = rows.len(),
                first = first.name.as_str(),
                second = second.name.as_str()
            ),
        };
        egui::Area::new(egui::Id::unique(("drag-label", self.side == Side::Local)))
            .order(egui::Order::Tooltip)
            .fixed_pos(pointer + egui::vec2(14.0, 10.0))
            .interactable(false)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(text);
                });
            });
    }
}
