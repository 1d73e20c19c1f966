//! Compare and synchronize a local folder with a remote one.
//!
//! [`mod@plan`] is the pure planner (trees in, steps out); [`clock`] compares
//! times at the precision each side gave and finds a server's `LIST` offset
//! from one MDTM; [`tree`] holds the two trees; [`local`] walks the local
//! one on the disk; [`state`] keeps what both sides held after the last
//! two-way sync. None of them opens a socket: the CLI and the window walk
//! the remote side through the engine, ask the planner, and run the steps
//! through the transfer queue.

pub mod clock;
pub mod local;
pub mod plan;
pub mod state;
pub mod tree;

pub use clock::Stamp;
pub use plan::{
    Action, Compare, Difference, Direction, Entry, Excludes, Kind, Plan, PlanOptions, Reason, Step,
    Summary, Tree, difference, plan,
};
pub use state::SyncState;

#[cfg(test)]
mod tests;
