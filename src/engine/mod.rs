//! The engine: the only code that owns sockets.
//!
//! A [`Session`] is one logged-in connection, FTP ([`ftp::FtpSession`]: a
//! control connection that opens data connections as its commands need
//! them) or SFTP ([`sftp::SftpSession`]), behind one set of operations
//! ([`session`]: the seam every user of a connection goes through). [`transfer`] moves one file to
//! completion (overwrite policy, retries, resume); [`tree`] moves folders with
//! parallel connections. Everything reports through [`event::EventSink`]:
//! every command and reply (with `PASS ****`), warnings, and progress.
//!
//! Front ends talk to the browsing connection through [`browser`]: commands
//! in, events out, never a wait on the network.
//!
//! The engine must not block: all I/O is tokio, every wait has a timeout, and
//! files stream through fixed buffers rather than memory.

pub mod browser;
pub mod certs;
mod charset;
pub mod config;
mod control;
mod data;
mod disk;
pub mod entry;
pub mod error;
pub mod event;
pub mod ftp;
pub mod limit;
pub mod ops;
pub mod policy;
pub mod queue;
pub mod session;
pub mod sftp;
pub mod tls;
pub mod transfer;
pub mod transfer_spec;
pub mod tree;
pub mod wording;

pub use browser::{BrowseCommand, BrowserHandle, BrowserOptions, KeepAlive};
pub use certs::{CertInfo, Encryption, Fingerprint, TlsInfo, TlsOptions};
pub use charset::Charset;
pub use config::{
    ActiveConfig, CharsetChoice, Credentials, DataMode, Protocol, SessionConfig, SshOptions,
};
pub use entry::{RemoteEntry, RemoteListing};
pub use error::{EngineError, Result};
pub use event::{ConnectionState, Event, EventSink, LogKind, LogLine, Progress};
pub use ftp::{FtpSession, is_security_note};
pub use policy::ExistsPolicy;
pub use session::Session;
pub use transfer::{FileOutcome, RetryPolicy, TransferSettings};
pub use transfer_spec::{Transfer, UploadStart};
pub use tree::TreeReport;
