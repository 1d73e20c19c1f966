//! Skiff: an FTP/FTPS client library with a desktop front end and a command line.
//!
//! - [`protocol`]: pure FTP codecs (replies, commands, addresses, listings); no I/O.
//! - [`engine`]: the only code that owns sockets: control and data connections, transfers.
//! - [`cli`]: the headless `skiff ls|get|put|sync|sites|queue` front end over the engine.
//! - [`ui`]: the desktop window.
//! - [`logfile`]: the message log written to a rotated file.
//! - [`names`]: whether a remote name is safe as a local file name.
//! - [`secret`]: the password type that never prints.
//! - [`paths`]: the config and data folders, and atomic writes.
//! - [`trust`]: trusted certificates and hosts that offered TLS.
//! - [`sites`]: saved sites, their file, the keyring, FileZilla import.
//! - [`settings`]: the user's settings (`settings.toml`), shared by the window and the CLI.
//! - [`sync`]: compare and synchronize folders: the pure planner, time comparison, two-way state.
//! - [`url`]: `ftp://` URLs parsed and written, percent-decoding and -encoding.

pub mod cli;
pub mod engine;
pub mod logfile;
pub mod names;
pub mod paths;
pub mod protocol;
pub mod secret;
pub mod settings;
pub mod sites;
pub mod sync;
pub mod trust;
#[cfg(feature = "gui")]
pub mod ui;
pub mod url;
