//! Which pane: the local or the remote one, its colour, and what a drag
//! between them carries. Shared by the table, the panes, the dialogs and
//! the update loop, so none of them imports another for it.

use eframe::egui::Color32;

/// Which pane, for labels and columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The local file system.
    Local,
    /// The server.
    Remote,
}

impl Side {
    /// The other pane.
    pub fn other(self) -> Side {
        match self {
            Side::Local => Side::Remote,
            Side::Remote => Side::Local,
        }
    }
}

/// The side's colour for text (its pane title, the dialogs that act on
/// it): blue for this computer, green for the server, readable on light
/// and dark backgrounds. Never the only cue: the words say it too.
pub fn tint(side: Side, dark: bool) -> Color32 {
    match (side, dark) {
        (Side::Local, false) => Color32::from_rgb(0x1d, 0x4f, 0x91),
        (Side::Local, true) => Color32::from_rgb(0x8c, 0xb8, 0xf0),
        (Side::Remote, false) => Color32::from_rgb(0x1e, 0x6b, 0x3a),
        (Side::Remote, true) => Color32::from_rgb(0x8c, 0xd8, 0xa4),
    }
}

/// The background of the active pane's header: a clear tint of the side's
/// colour, so which pane the keys act on shows at a glance.
pub fn header_fill(side: Side, dark: bool) -> Color32 {
    match (side, dark) {
        (Side::Local, false) => Color32::from_rgb(0xd6, 0xe6, 0xfa),
        (Side::Local, true) => Color32::from_rgb(0x1e, 0x33, 0x52),
        (Side::Remote, false) => Color32::from_rgb(0xd5, 0xf0, 0xdd),
        (Side::Remote, true) => Color32::from_rgb(0x1d, 0x40, 0x2a),
    }
}

/// What a drag from a file table carries: the pane it started in (its
/// selection is what moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DragRows(pub Side);
