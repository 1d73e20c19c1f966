//! What one transfer moves and where it starts, shared by both protocols'
//! sessions ([`super::ftp::FtpSession`], [`super::sftp::SftpSession`]) and
//! the transfers that drive them through [`super::session::Session`].
//!
//! Plain data: no I/O, and no import of either session, so both can use it
//! without an import cycle.

use crate::protocol::TransferType;

/// Where an upload starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStart {
    /// `STOR`: create or replace the remote file.
    Fresh,
    /// `APPE`: append to the remote file (resume from its size).
    Append,
    /// `REST n` + `STOR`: write from offset `n`.
    Rest(u64),
}

/// What one transfer moves: a remote file, in a representation type, with
/// its full size when known. Where it starts is the call's own argument (an
/// offset to resume a download from, an [`UploadStart`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer<'a> {
    /// The remote file, as the server's bytes.
    pub remote: &'a [u8],
    /// `TYPE I`, bytes as they are, or `TYPE A`: the server converts line
    /// endings, so such a transfer is neither resumed nor checked by size.
    pub kind: TransferType,
    /// The file's full size when known (a listing's, SIZE's): a download
    /// that ends short of it fails, never succeeds; an upload reports its
    /// progress against it.
    pub size: Option<u64>,
}

impl<'a> Transfer<'a> {
    /// `remote` in the representation type `kind`, its size unknown.
    pub fn new(kind: TransferType, remote: &'a [u8]) -> Self {
        Self {
            remote,
            kind,
            size: None,
        }
    }

    /// `remote` as bytes (`TYPE I`), its size unknown.
    pub fn binary(remote: &'a [u8]) -> Self {
        Self::new(TransferType::Binary, remote)
    }

    /// The same transfer with its full size known (or not).
    pub fn with_size(self, size: Option<u64>) -> Self {
        Self { size, ..self }
    }
}
