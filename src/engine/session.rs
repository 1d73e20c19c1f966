//! The one seam between the engine's users and the two protocols: a
//! [`Session`] is a logged-in FTP or SFTP connection, and its methods are
//! the protocol-neutral operations the browser, the queue, the transfers,
//! the tree walks, the remote operations and sync use (list, stat, read
//! from an offset, write from an offset or append, mkdir, rename, delete,
//! set mode, set time).
//!
//! Each method dispatches to [`FtpSession`] or [`SftpSession`]; what only
//! one protocol has becomes a neutral question ([`Session::can_resume_upload`],
//! [`Session::lists_utc`]) or an answer saying it is not there
//! ([`Session::checksum`] is `None` over SFTP, [`Session::quote`] refuses).
//! What is truly FTP's (FEAT, data modes, TLS on data connections) is
//! reached through [`Session::as_ftp`]. SFTP has no current folder: its
//! session keeps one, so `cwd`/`pwd` and relative paths mean the same on
//! both.
//!
//! Must not add behaviour of its own beyond that translation: the
//! protocols' rules (FTP's ABOR dance, SFTP's pipelining) stay in their
//! sessions.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

use super::certs::TlsInfo;
use super::charset::Charset;
use super::config::{Protocol, SessionConfig};
use super::entry::{RemoteEntry, RemoteListing};
use super::error::{EngineError, Result};
use super::event::EventSink;
use super::ftp::FtpSession;
use super::sftp::SftpSession;
use super::transfer_spec::{Transfer, UploadStart};
use crate::protocol::{HashCommand, Reply};

/// A logged-in session of either protocol.
#[derive(Debug)]
pub enum Session {
    /// FTP or FTPS: a control connection that opens data connections.
    Ftp(FtpSession),
    /// SFTP: one SSH connection and its `sftp` channel.
    Sftp(SftpSession),
}

impl Session {
    /// Connects and logs in with the protocol `config.protocol` names.
    pub async fn connect(config: SessionConfig, events: EventSink) -> Result<Self> {
        Ok(match config.protocol {
            Protocol::Ftp => Session::Ftp(FtpSession::connect(config, events).await?),
            Protocol::Sftp => Session::Sftp(SftpSession::connect(config, events).await?),
        })
    }

    /// Takes this logged-in session over for `owner`: its speed limiters
    /// and its event sink from now on (the transfer queue adopting a
    /// connection a front end opened, so it need not log in again).
    pub(crate) fn adopt(&mut self, owner: &SessionConfig, events: EventSink) {
        match self {
            Session::Ftp(s) => s.adopt(owner, events),
            Session::Sftp(s) => s.adopt(owner, events),
        }
    }

    /// The protocol this session speaks.
    pub fn protocol(&self) -> Protocol {
        match self {
            Session::Ftp(_) => Protocol::Ftp,
            Session::Sftp(_) => Protocol::Sftp,
        }
    }

    /// The FTP session, for what only FTP has (FEAT, data modes).
    pub fn as_ftp(&self) -> Option<&FtpSession> {
        match self {
            Session::Ftp(s) => Some(s),
            Session::Sftp(_) => None,
        }
    }

    /// Security warnings from connecting, for the user.
    pub fn security_notes(&self) -> &[String] {
        match self {
            Session::Ftp(s) => s.security_notes(),
            Session::Sftp(s) => s.security_notes(),
        }
    }

    /// FTP's control connection's TLS version and cipher, when encrypted;
    /// `None` over SFTP (SSH's encryption is not TLS).
    pub fn tls_info(&self) -> Option<&TlsInfo> {
        match self {
            Session::Ftp(s) => s.tls_info(),
            Session::Sftp(_) => None,
        }
    }

    /// Whether an upload can continue from an offset (`REST` + `STOR` on
    /// FTP when FEAT offers `REST STREAM`; always on SFTP). When not, a
    /// resumed upload appends.
    pub fn can_resume_upload(&self) -> bool {
        match self {
            Session::Ftp(s) => s.features().rest_stream(),
            Session::Sftp(_) => true,
        }
    }

    /// Whether listed times are UTC to the second or better (MLSD, SFTP),
    /// rather than the server's local clock as `LIST` prints it.
    pub fn lists_utc(&self) -> bool {
        match self {
            Session::Ftp(s) => s.uses_mlsd(),
            Session::Sftp(_) => true,
        }
    }

    /// Whether [`Session::mdtm`] can be asked (FTP: `MDTM` in FEAT).
    pub fn has_mdtm(&self) -> bool {
        match self {
            Session::Ftp(s) => s.features().has("MDTM"),
            Session::Sftp(_) => true,
        }
    }

    /// The checksum command [`Session::checksum`] would use; `None` when
    /// the server offers none (and always over SFTP, whose version 3 has
    /// no digest request).
    pub fn checksum_kind(&self) -> Option<HashCommand> {
        match self {
            Session::Ftp(s) => HashCommand::choose(s.features()),
            Session::Sftp(_) => None,
        }
    }

    /// The charset of remote names.
    pub fn charset(&self) -> Charset {
        match self {
            Session::Ftp(s) => s.charset(),
            Session::Sftp(s) => s.charset(),
        }
    }

    /// This connection's number in the log.
    pub fn conn_id(&self) -> u64 {
        match self {
            Session::Ftp(s) => s.conn_id(),
            Session::Sftp(s) => s.conn_id(),
        }
    }

    /// The config this session was opened with.
    pub fn config(&self) -> &SessionConfig {
        match self {
            Session::Ftp(s) => s.config(),
            Session::Sftp(s) => s.config(),
        }
    }

    /// Encodes a user-typed path in the site's charset.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>> {
        match self {
            Session::Ftp(s) => s.encode(text),
            Session::Sftp(s) => s.encode(text),
        }
    }

    /// Decodes server bytes for display.
    pub fn decode(&self, bytes: &[u8]) -> String {
        match self {
            Session::Ftp(s) => s.decode(bytes),
            Session::Sftp(s) => s.decode(bytes),
        }
    }

    /// The current remote folder, absolute.
    pub async fn pwd(&mut self) -> Result<Vec<u8>> {
        match self {
            Session::Ftp(s) => s.pwd().await,
            Session::Sftp(s) => Ok(s.pwd().to_vec()),
        }
    }

    /// Changes the current folder; an error when `dir` is not one.
    pub async fn cwd(&mut self, dir: &[u8]) -> Result<()> {
        match self {
            Session::Ftp(s) => s.cwd(dir).await,
            Session::Sftp(s) => s.cwd(dir).await,
        }
    }

    /// Goes to the parent folder.
    pub async fn cdup(&mut self) -> Result<()> {
        match self {
            Session::Ftp(s) => s.cdup().await,
            Session::Sftp(s) => s.cwd(b"..").await,
        }
    }

    /// The size of a file, or `None` when the server will not say (or,
    /// over SFTP, there is no such file).
    pub async fn size(&mut self, file: &[u8]) -> Result<Option<u64>> {
        match self {
            Session::Ftp(s) => s.size(file).await,
            Session::Sftp(s) => {
                let path = s.resolve(file);
                s.size(&path).await
            }
        }
    }

    /// The modification time (UTC) of a file, or `None`.
    pub async fn mdtm(&mut self, file: &[u8]) -> Result<Option<chrono::NaiveDateTime>> {
        match self {
            Session::Ftp(s) => s.mdtm(file).await,
            Session::Sftp(s) => {
                let path = s.resolve(file);
                s.mdtm(&path).await
            }
        }
    }

    /// The server's checksum of a file (FTP's `HASH` and `X*` commands);
    /// `None` when it offers none, and over SFTP.
    pub async fn checksum(&mut self, file: &[u8]) -> Result<Option<(HashCommand, String)>> {
        match self {
            Session::Ftp(s) => s.checksum(file).await,
            Session::Sftp(_) => Ok(None),
        }
    }

    /// Sets a remote file's modification time (UTC); returns whether it was
    /// set (FTP: only where FEAT offers `MFMT`).
    pub async fn set_mtime(&mut self, file: &[u8], time: chrono::NaiveDateTime) -> Result<bool> {
        match self {
            Session::Ftp(s) => s.mfmt(file, time).await,
            Session::Sftp(s) => {
                let path = s.resolve(file);
                s.set_mtime(&path, time).await.map(|()| true)
            }
        }
    }

    /// Creates a folder.
    pub async fn mkdir(&mut self, dir: &[u8]) -> Result<()> {
        match self {
            Session::Ftp(s) => s.mkdir(dir).await,
            Session::Sftp(s) => {
                let path = s.resolve(dir);
                s.mkdir(&path).await
            }
        }
    }

    /// Removes an empty folder.
    pub async fn rmdir(&mut self, dir: &[u8]) -> Result<()> {
        match self {
            Session::Ftp(s) => s.rmdir(dir).await,
            Session::Sftp(s) => {
                let path = s.resolve(dir);
                s.rmdir(&path).await
            }
        }
    }

    /// Deletes a file (a link itself, never what it points to).
    pub async fn delete(&mut self, file: &[u8]) -> Result<()> {
        match self {
            Session::Ftp(s) => s.delete(file).await,
            Session::Sftp(s) => {
                let path = s.resolve(file);
                s.delete(&path).await
            }
        }
    }

    /// Deletes every path (folders, when `folders`), all requests sent
    /// before the first answer is read. One slot per path: its result, or
    /// `None` when the connection failed first, with that error.
    pub async fn delete_pipelined(
        &mut self,
        paths: &[Vec<u8>],
        folders: bool,
    ) -> (Vec<Option<Result<()>>>, Option<EngineError>) {
        match self {
            Session::Ftp(s) => s.delete_pipelined(paths, folders).await,
            Session::Sftp(s) => {
                let resolved: Vec<Vec<u8>> =
                    paths.iter().map(|p| s.resolve(p).into_owned()).collect();
                s.remove_pipelined(&resolved, folders).await
            }
        }
    }

    /// Renames or moves; an existing target is replaced where the server
    /// allows (FTP on Unix servers; SFTP with `posix-rename@openssh.com`).
    pub async fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<()> {
        match self {
            Session::Ftp(s) => s.rename(from, to).await,
            Session::Sftp(s) => {
                let (from, to) = (s.resolve(from), s.resolve(to));
                s.rename(&from, &to).await
            }
        }
    }

    /// Sets a path's Unix permissions (`mode` in octal, at most 0o7777).
    pub async fn chmod(&mut self, path: &[u8], mode: u32) -> Result<()> {
        match self {
            Session::Ftp(s) => s.chmod(path, mode).await,
            Session::Sftp(s) => {
                let path = s.resolve(path);
                s.chmod(&path, mode).await
            }
        }
    }

    /// A command the user typed (FTP only, checked before it is sent);
    /// over SFTP refused with [`EngineError::NotOverSftp`], nothing sent.
    pub async fn quote(&mut self, line: &[u8]) -> Result<Reply> {
        match self {
            Session::Ftp(s) => s.quote(line).await,
            Session::Sftp(_) => Err(EngineError::NotOverSftp("custom commands")),
        }
    }

    /// A harmless request that keeps an idle connection open (FTP varies
    /// the command by `turn`; SFTP asks for the current folder's attributes).
    pub async fn keep_alive(&mut self, turn: u32) -> Result<()> {
        match self {
            Session::Ftp(s) => s.keep_alive(turn).await,
            Session::Sftp(s) => s.keep_alive().await,
        }
    }

    /// Proves the connection answers.
    pub async fn noop(&mut self) -> Result<()> {
        match self {
            Session::Ftp(s) => s.noop().await,
            Session::Sftp(s) => s.keep_alive().await,
        }
    }

    /// Logs out and closes the connection.
    pub async fn quit(self) {
        match self {
            Session::Ftp(s) => s.quit().await,
            Session::Sftp(s) => s.quit().await,
        }
    }

    /// Lists a folder (the current one when `dir` is `None`); the session's
    /// current folder becomes that folder.
    pub async fn list(&mut self, dir: Option<&[u8]>) -> Result<RemoteListing> {
        let mut entries = Vec::new();
        let skipped_lines = self
            .list_each(dir, &mut |entry| entries.push(entry))
            .await?;
        Ok(RemoteListing {
            entries,
            skipped_lines,
        })
    }

    /// [`Session::list`] handing each entry to `each` as soon as it is
    /// parsed; returns how many listing lines could not be parsed.
    pub async fn list_each(
        &mut self,
        dir: Option<&[u8]>,
        each: &mut (dyn FnMut(RemoteEntry) + Send),
    ) -> Result<usize> {
        match self {
            Session::Ftp(s) => s.list_each(dir, each).await,
            Session::Sftp(s) => {
                if let Some(dir) = dir {
                    s.cwd(dir).await?;
                }
                let dir = s.pwd().to_vec();
                s.list_each(&dir, each).await
            }
        }
    }

    /// Lists a folder showing links as links (FTP: `LIST` even where MLSD
    /// is offered; SFTP's listings always do). Walks that delete or change
    /// what they find use this, so they never enter a link.
    pub async fn list_showing_links(&mut self, dir: &[u8]) -> Result<RemoteListing> {
        match self {
            Session::Ftp(s) => s.list_showing_links(dir).await,
            Session::Sftp(_) => self.list(Some(dir)).await,
        }
    }

    /// Downloads `transfer` into `sink` from byte `offset`; returns the bytes
    /// received in this call. Ending short of a known size is an error.
    pub async fn download<W: AsyncWrite + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        sink: &mut W,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        match self {
            Session::Ftp(s) => s.download(transfer, offset, sink, cancel).await,
            Session::Sftp(s) => {
                let path = s.resolve(transfer.remote);
                let transfer = Transfer {
                    remote: &path,
                    ..transfer
                };
                s.download(transfer, offset, sink, cancel).await
            }
        }
    }

    /// [`Session::download`] into `file` at its current position, written by
    /// a thread of its own; every byte received is in the file when this
    /// returns, error or not.
    pub async fn download_to_file(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        file: std::fs::File,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        match self {
            Session::Ftp(s) => s.download_to_file(transfer, offset, file, cancel).await,
            Session::Sftp(s) => {
                let path = s.resolve(transfer.remote);
                let transfer = Transfer {
                    remote: &path,
                    ..transfer
                };
                s.download_to_file(transfer, offset, file, cancel).await
            }
        }
    }

    /// Uploads everything `source` yields to `transfer`'s remote file,
    /// starting as `start` says (a new file, appended, or from an offset).
    pub async fn upload<R: AsyncRead + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        start: UploadStart,
        source: &mut R,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        match self {
            Session::Ftp(s) => s.upload(transfer, start, source, cancel).await,
            Session::Sftp(s) => {
                let path = s.resolve(transfer.remote);
                let transfer = Transfer {
                    remote: &path,
                    ..transfer
                };
                s.upload(transfer, start, source, cancel).await
            }
        }
    }
}
