//! The FTP protocol, and SFTP's packets (`sftp`), as pure functions: bytes
//! in, values out, and back.
//!
//! Nothing here does I/O or knows about tokio; every function gives the same
//! answer for the same bytes, so all of it is tested with byte literals and
//! can be fuzzed. The engine owns the sockets and calls into this module.

pub mod address;
pub mod command;
pub mod feat;
pub mod hash;
pub mod listing;
pub mod path;
pub mod reply;
pub mod sftp;
pub mod text;

pub use address::{AddressError, parse_epsv, parse_pasv};
pub use command::{
    Command, CommandError, CustomCommandError, ProtectionLevel, TransferType, custom_command,
};
pub use feat::Features;
pub use hash::{HashAlgorithm, HashCommand};
pub use path::PathError;
pub use reply::{Reply, ReplyDecoder, ReplyError, ReplyLimits};
