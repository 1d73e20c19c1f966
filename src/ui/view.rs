//! What the View menu switches: directory comparison (on or off, by what,
//! identical files hidden) and synchronized browsing with the folder change
//! it waits for; and the Synchronize dialog while it is open.
//!
//! Plain data kept in the [`super::update::Model`]; the arms that change it
//! are in [`super::compare`].

use super::pane::Loc;
use super::side::Side;
use crate::sync::Compare;

/// The View menu's state.
#[derive(Debug, Default)]
pub struct ViewState {
    /// Directory comparison is on.
    pub comparing: bool,
    /// How files are compared (size and time, size, or time).
    pub compare: Compare,
    /// Files the same in both panes are hidden while comparing.
    pub hide_same: bool,
    /// What the marks were last computed from: (on, compare, hide, local
    /// rows' generation, remote rows' generation).
    pub(super) marked: Option<(bool, Compare, bool, u64, u64)>,
    /// Synchronized browsing is on.
    pub sync_browsing: bool,
    /// The folders each pane showed when last looked at (local, remote), to
    /// see which pane moved and how.
    pub(super) seen: (Option<Loc>, Option<Loc>),
    /// The site synchronized browsing was switched on with: another one
    /// switches it off.
    pub(super) sync_site: Option<crate::engine::queue::SiteKey>,
    /// The pane sent to follow the other, and where.
    pub(super) follow: Option<(Side, Loc)>,
    /// Transfer → Synchronize…, while open.
    pub sync_dialog: Option<super::sync_dialog::SyncDialog>,
    /// The trees it compares, while walked, shown, and until a run's
    /// folders are made and its transfers queued.
    pub sync_trees: Option<super::sync_trees::SyncTrees>,
    /// A Synchronize… run waiting for its folders to be made.
    pub(super) sync_run: Option<super::sync_trees::PendingRun>,
    /// A local folder being created for synchronized browsing: listed once
    /// the disk says it exists.
    pub(super) go_after_create: Option<Loc>,
}
