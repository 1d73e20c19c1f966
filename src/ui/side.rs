//! Which pane: the local or the remote one, and what a drag between them
//! carries. Shared by the table, the panes, the dialogs and the update loop,
//! so none of them imports another for it.

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

/// What a drag from a file table carries: the pane it started in (its
/// selection is what moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DragRows(pub Side);
