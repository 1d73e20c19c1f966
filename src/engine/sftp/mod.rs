//! SFTP: one logged-in SSH connection with its `sftp` channel, and the
//! operations the engine's front ends need (list, stat, transfers from an
//! offset, mkdir, rename, delete, rmdir, chmod, set times).
//!
//! [`SftpSession`] alone reads and writes its channel, as `Control` does a
//! control connection: requests are encoded by [`crate::protocol::sftp`],
//! written whole, and responses framed out of one buffer and matched by id.
//! Transfers keep many requests in flight ([`stream`]); everything else is
//! one request and its answer. Names are the server's bytes throughout.
//!
//! Must not know about FTP's replies, terminals or windows. The SSH side
//! (host keys, logins) is [`ssh`]; `known_hosts` is read by [`known_hosts`].

pub mod known_hosts;
mod ssh;
mod stream;

use std::borrow::Cow;

use bytes::BytesMut;
use russh::ChannelMsg;
use russh::client::Handle;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::engine::charset::Charset;
use crate::engine::config::SessionConfig;
use crate::engine::entry::{RemoteEntry, RemoteListing};
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{EventSink, LogKind, next_conn_id};
use crate::protocol::listing::{EntryKind, ListEntry, ListTime, TimePrecision};
use crate::protocol::sftp::{self, Attrs, FileType, NameEntry, Request, Response, StatusCode};

pub use ssh::default_known_hosts;

/// Requests kept in flight by a transfer (OpenSSH's `sftp` default).
pub const IN_FLIGHT: usize = 64;

/// The largest read or write asked for when the server names no limit
/// (what every SFTP server accepts).
const DEFAULT_CHUNK: u32 = 32 * 1024;

/// The largest chunk asked for even when a server allows more: past this
/// size, more requests in flight help more than larger ones.
const MAX_CHUNK: u32 = 255 * 1024;

/// One logged-in SFTP session.
pub struct SftpSession {
    handle: Handle<ssh::Client>,
    /// The channel's data, drained by a task of its own
    /// ([`drain_channel`]).
    incoming: tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>,
    drain: tokio::task::JoinHandle<()>,
    writer: Box<dyn AsyncWrite + Send + Sync + Unpin>,
    /// Bytes from the channel not yet framed into packets.
    inbox: BytesMut,
    /// Packets being encoded, written in one go.
    outbox: BytesMut,
    next_id: u32,
    config: SessionConfig,
    events: EventSink,
    conn: u64,
    charset: Charset,
    /// The login folder (`REALPATH .`).
    home: Vec<u8>,
    /// The current folder, absolute: SFTP has none of its own, so the
    /// session keeps one (FTP's `CWD`/`PWD`) and resolves relative paths
    /// against it.
    cwd: Vec<u8>,
    read_len: u32,
    write_len: u32,
    posix_rename: bool,
    notes: Vec<String>,
}

impl std::fmt::Debug for SftpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftpSession")
            .field("host", &self.config.host)
            .field("port", &self.config.port)
            .field("user", &self.config.credentials.user)
            .field("conn", &self.conn)
            .finish_non_exhaustive()
    }
}

impl SftpSession {
    /// Connects, checks the host key, logs in, opens the `sftp` subsystem
    /// and agrees on version 3.
    pub async fn connect(config: SessionConfig, events: EventSink) -> Result<Self> {
        let conn = next_conn_id();
        let connected = ssh::connect(&config, &events, conn).await?;
        let (reader, write_half) = connected.channel.split();
        let (to_session, incoming) = tokio::sync::mpsc::unbounded_channel();
        let drain = tokio::spawn(drain_channel(reader, to_session));
        let writer: Box<dyn AsyncWrite + Send + Sync + Unpin> = Box::new(write_half.make_writer());
        let charset = match config.charset {
            crate::engine::CharsetChoice::Named(encoding) => Charset::new(encoding),
            crate::engine::CharsetChoice::Auto => Charset::utf8(),
        };
        let mut session = Self {
            handle: connected.handle,
            incoming,
            drain,
            writer,
            inbox: BytesMut::with_capacity(64 * 1024),
            outbox: BytesMut::with_capacity(64 * 1024),
            next_id: 1,
            config,
            events,
            conn,
            charset,
            home: b"/".to_vec(),
            cwd: b"/".to_vec(),
            read_len: DEFAULT_CHUNK,
            write_len: DEFAULT_CHUNK,
            posix_rename: false,
            notes: connected.notes,
        };
        session.init().await?;
        Ok(session)
    }

    async fn init(&mut self) -> Result<()> {
        Request::Init.encode(0, &mut self.outbox);
        self.flush().await?;
        let Response::Version {
            version,
            extensions,
        } = self.next_response().await?
        else {
            return Err(EngineError::Ssh(
                "the server did not start SFTP with its version".to_string(),
            ));
        };
        if version < sftp::VERSION {
            return Err(EngineError::Ssh(format!(
                "the server speaks SFTP version {version}, Skiff needs 3"
            )));
        }
        let has = |name: &[u8]| extensions.iter().any(|(n, _)| n == name);
        self.posix_rename = has(b"posix-rename@openssh.com");
        if has(b"limits@openssh.com") {
            let id = self.take_id();
            sftp::encode_limits_request(id, &mut self.outbox);
            self.flush().await?;
            if let Response::ExtendedReply { data, .. } = self.response_to(id).await?
                && let Ok(limits) = sftp::Limits::decode(&data)
            {
                let fit = |n: u64| u32::try_from(n).unwrap_or(MAX_CHUNK).clamp(1, MAX_CHUNK);
                if limits.max_read > 0 {
                    self.read_len = fit(limits.max_read);
                }
                if limits.max_write > 0 {
                    self.write_len = fit(limits.max_write);
                }
            }
        }
        self.home = self.realpath(b".").await?;
        self.cwd = self.home.clone();
        self.log(
            LogKind::Status,
            format!(
                "SFTP version {version}; reads of {} KiB, writes of {} KiB, {IN_FLIGHT} in flight",
                self.read_len / 1024,
                self.write_len / 1024
            ),
        );
        Ok(())
    }

    /// The settings this session was made with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The connection number its log lines carry.
    pub fn conn_id(&self) -> u64 {
        self.conn
    }

    /// The charset of names (UTF-8 unless the site names another).
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// Security warnings from connecting (a host key trusted by fingerprint).
    pub fn security_notes(&self) -> &[String] {
        &self.notes
    }

    /// A name for display, escaped.
    pub fn decode(&self, bytes: &[u8]) -> String {
        self.charset.decode(bytes)
    }

    /// Text as the server's bytes.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>> {
        self.charset.encode(text)
    }

    /// The login folder, absolute.
    pub fn home(&self) -> &[u8] {
        &self.home
    }

    /// Takes this logged-in session over for `owner`: its speed limiters
    /// and its event sink from now on (the transfer queue adopting a
    /// connection a front end opened).
    pub(crate) fn adopt(&mut self, owner: &SessionConfig, events: EventSink) {
        self.config.download_limit = owner.download_limit.clone();
        self.config.upload_limit = owner.upload_limit.clone();
        self.config.max_connections = owner.max_connections;
        self.events = events;
    }

    /// The current folder (the login folder until [`SftpSession::cwd`]).
    pub fn pwd(&self) -> &[u8] {
        &self.cwd
    }

    /// `path` made absolute against the current folder; an absolute path
    /// is returned as it is.
    pub fn resolve<'p>(&self, path: &'p [u8]) -> Cow<'p, [u8]> {
        if path.starts_with(b"/") {
            Cow::Borrowed(path)
        } else if path.is_empty() || path == b"." {
            Cow::Owned(self.cwd.clone())
        } else {
            Cow::Owned(crate::protocol::path::join(&self.cwd, path))
        }
    }

    /// Makes `dir` (absolute, or relative to the current folder) the
    /// current folder, as FTP's `CWD`: an error when it is not a folder.
    pub async fn cwd(&mut self, dir: &[u8]) -> Result<()> {
        let target = self.resolve(dir).into_owned();
        let canonical = self.realpath(&target).await?;
        match self.stat(&canonical).await? {
            Some(attrs) if attrs.file_type() == FileType::Dir => {
                self.cwd = canonical;
                Ok(())
            }
            _ => Err(EngineError::NotAFolder(self.decode(&target))),
        }
    }

    /// A cheap request that keeps an idle connection open and proves it
    /// answers (FTP's `NOOP`).
    pub async fn keep_alive(&mut self) -> Result<()> {
        let cwd = self.cwd.clone();
        self.stat(&cwd).await.map(drop)
    }

    /// `REMOVE` (or `RMDIR` when `folders`) of every path, all sent before
    /// the first answer is read (one round trip for the batch). One slot per
    /// path: its result, or `None` when the connection failed first, with
    /// that error.
    pub async fn remove_pipelined(
        &mut self,
        paths: &[Vec<u8>],
        folders: bool,
    ) -> (Vec<Option<Result<()>>>, Option<EngineError>) {
        let mut results: Vec<Option<Result<()>>> = paths.iter().map(|_| None).collect();
        let name = if folders { "RMDIR" } else { "REMOVE" };
        let mut waiting = std::collections::HashMap::with_capacity(paths.len());
        for (index, path) in paths.iter().enumerate() {
            let id = self.take_id();
            if folders {
                Request::RmDir(path).encode(id, &mut self.outbox);
            } else {
                Request::Remove(path).encode(id, &mut self.outbox);
            }
            waiting.insert(id, index);
        }
        if let Err(e) = self.flush().await {
            return (results, Some(e));
        }
        while !waiting.is_empty() {
            let response = match self.next_response().await {
                Ok(response) => response,
                Err(e) => return (results, Some(e)),
            };
            let Some(index) = response.id().and_then(|id| waiting.remove(&id)) else {
                continue;
            };
            let result = match self.status_error(response, name, &paths[index]) {
                Ok(Response::Status { .. }) => Ok(()),
                Ok(other) => Err(unexpected(&other)),
                Err(e) => Err(e),
            };
            results[index] = Some(result);
        }
        (results, None)
    }

    /// The canonical absolute form of `path`.
    pub async fn realpath(&mut self, path: &[u8]) -> Result<Vec<u8>> {
        match self.call(Request::RealPath(path), "REALPATH", path).await? {
            Response::Name { mut entries, .. } if !entries.is_empty() => {
                Ok(entries.swap_remove(0).name)
            }
            other => Err(unexpected(&other)),
        }
    }

    /// `path`'s attributes following links; `None` when there is no such file.
    pub async fn stat(&mut self, path: &[u8]) -> Result<Option<Attrs>> {
        self.attrs(Request::Stat(path), "STAT", path).await
    }

    /// `path`'s attributes, a link's own; `None` when there is no such file.
    pub async fn lstat(&mut self, path: &[u8]) -> Result<Option<Attrs>> {
        self.attrs(Request::Lstat(path), "LSTAT", path).await
    }

    async fn attrs(
        &mut self,
        request: Request<'_>,
        name: &'static str,
        path: &[u8],
    ) -> Result<Option<Attrs>> {
        match self.call(request, name, path).await {
            Ok(Response::Attrs { attrs, .. }) => Ok(Some(attrs)),
            Ok(other) => Err(unexpected(&other)),
            Err(EngineError::SftpStatus {
                code: StatusCode::NoSuchFile,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A file's size, `None` when it does not exist (FTP's `SIZE`).
    pub async fn size(&mut self, path: &[u8]) -> Result<Option<u64>> {
        Ok(self.stat(path).await?.and_then(|a| a.size))
    }

    /// A file's modification time in UTC (FTP's `MDTM`).
    pub async fn mdtm(&mut self, path: &[u8]) -> Result<Option<chrono::NaiveDateTime>> {
        Ok(self
            .stat(path)
            .await?
            .and_then(|a| a.atime_mtime)
            .and_then(|(_, mtime)| utc(mtime)))
    }

    /// Whether `path` is a folder (following links).
    pub async fn is_dir(&mut self, path: &[u8]) -> Result<bool> {
        Ok(self
            .stat(path)
            .await?
            .is_some_and(|a| a.file_type() == FileType::Dir))
    }

    /// Creates a folder.
    pub async fn mkdir(&mut self, path: &[u8]) -> Result<()> {
        let request = Request::MkDir {
            path,
            attrs: Attrs::default(),
        };
        self.call_ok(request, "MKDIR", path).await
    }

    /// Deletes an empty folder.
    pub async fn rmdir(&mut self, path: &[u8]) -> Result<()> {
        self.call_ok(Request::RmDir(path), "RMDIR", path).await
    }

    /// Deletes a file or a link (never what a link points to).
    pub async fn delete(&mut self, path: &[u8]) -> Result<()> {
        self.call_ok(Request::Remove(path), "REMOVE", path).await
    }

    /// Renames `from` to `to`, replacing an existing `to` where the server
    /// offers `posix-rename@openssh.com` (as FTP's RNFR/RNTO do on Unix).
    pub async fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<()> {
        if self.posix_rename {
            self.call_ok(Request::PosixRename { from, to }, "RENAME", from)
                .await
        } else {
            self.call_ok(Request::Rename { from, to }, "RENAME", from)
                .await
        }
    }

    /// Sets the permission bits (`0o644`).
    pub async fn chmod(&mut self, path: &[u8], mode: u32) -> Result<()> {
        let attrs = Attrs {
            permissions: Some(mode & 0o7777),
            ..Attrs::default()
        };
        self.call_ok(Request::SetStat { path, attrs }, "SETSTAT", path)
            .await
    }

    /// Sets the modification (and access) time, UTC.
    pub async fn set_mtime(&mut self, path: &[u8], time: chrono::NaiveDateTime) -> Result<()> {
        let secs = u32::try_from(time.and_utc().timestamp()).unwrap_or(0);
        let attrs = Attrs {
            atime_mtime: Some((secs, secs)),
            ..Attrs::default()
        };
        self.call_ok(Request::SetStat { path, attrs }, "SETSTAT", path)
            .await
    }

    /// A folder's entries, without `.` and `..`. Links are links (READDIR
    /// gives `lstat`'s attributes), with their targets read.
    pub async fn list(&mut self, dir: &[u8]) -> Result<RemoteListing> {
        let mut entries = Vec::new();
        self.list_each(dir, &mut |entry| entries.push(entry))
            .await?;
        Ok(RemoteListing {
            entries,
            skipped_lines: 0,
        })
    }

    /// [`SftpSession::list`] handing each entry on as its batch arrives.
    pub async fn list_each(
        &mut self,
        dir: &[u8],
        each: &mut (dyn FnMut(RemoteEntry) + Send),
    ) -> Result<usize> {
        let handle = match self.call(Request::OpenDir(dir), "OPENDIR", dir).await? {
            Response::Handle { handle, .. } => handle,
            other => return Err(unexpected(&other)),
        };
        let mut count = 0usize;
        let result: Result<()> = async {
            loop {
                let batch = match self.call(Request::ReadDir(&handle), "READDIR", dir).await {
                    Ok(Response::Name { entries, .. }) => entries,
                    Ok(other) => return Err(unexpected(&other)),
                    Err(EngineError::SftpStatus {
                        code: StatusCode::Eof,
                        ..
                    }) => return Ok(()),
                    Err(e) => return Err(e),
                };
                for entry in batch {
                    if entry.name == b"." || entry.name == b".." || entry.name.is_empty() {
                        continue;
                    }
                    count += 1;
                    if count > self.config.max_listing_entries {
                        return Err(EngineError::Ssh(format!(
                            "the folder has more than {} entries",
                            self.config.max_listing_entries
                        )));
                    }
                    let mut listed = list_entry(entry);
                    if listed.kind == EntryKind::Symlink {
                        let path = crate::protocol::path::join(dir, &listed.name);
                        if let Ok(Response::Name { mut entries, .. }) =
                            self.call(Request::ReadLink(&path), "READLINK", &path).await
                            && !entries.is_empty()
                        {
                            listed.target = Some(entries.swap_remove(0).name);
                        }
                    }
                    each(RemoteEntry::decoded(listed, self.charset));
                }
            }
        }
        .await;
        let closed = self.call_ok(Request::Close(&handle), "CLOSE", dir).await;
        result?;
        closed?;
        Ok(0)
    }

    /// Ends the session: the channel, then the SSH connection.
    pub async fn quit(mut self) {
        let _ = self.writer.shutdown().await;
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }

    // ---- requests and responses ------------------------------------------

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        id
    }

    fn log(&self, kind: LogKind, text: impl Into<String>) {
        self.events.log(self.conn, kind, text);
    }

    /// Sends one request and waits for its answer; an error status is an
    /// [`EngineError::SftpStatus`] naming `name` and `path`.
    async fn call(
        &mut self,
        request: Request<'_>,
        name: &'static str,
        path: &[u8],
    ) -> Result<Response> {
        let id = self.take_id();
        request.encode(id, &mut self.outbox);
        self.flush().await?;
        let response = self.response_to(id).await?;
        self.status_error(response, name, path)
    }

    /// [`SftpSession::call`] for requests answered by a status alone.
    async fn call_ok(
        &mut self,
        request: Request<'_>,
        name: &'static str,
        path: &[u8],
    ) -> Result<()> {
        match self.call(request, name, path).await? {
            Response::Status { .. } => Ok(()),
            other => Err(unexpected(&other)),
        }
    }

    /// A status other than OK as the error it is; anything else as it is.
    fn status_error(
        &self,
        response: Response,
        name: &'static str,
        path: &[u8],
    ) -> Result<Response> {
        match response {
            Response::Status { code, message, .. } if code != StatusCode::Ok => {
                Err(EngineError::SftpStatus {
                    request: name,
                    code,
                    message: self.charset.decode(&message),
                    path: self.charset.decode(path),
                })
            }
            other => Ok(other),
        }
    }

    /// Writes what is encoded in the outbox.
    async fn flush(&mut self) -> Result<()> {
        if self.outbox.is_empty() {
            return Ok(());
        }
        let timeout = self.config.timeout;
        let written = tokio::time::timeout(timeout, self.writer.write_all(&self.outbox)).await;
        self.outbox.clear();
        match written {
            Err(_) => Err(EngineError::Timeout {
                phase: "sending a command",
                secs: timeout.as_secs(),
            }),
            Ok(Err(e)) => Err(EngineError::Network(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Waits for the answer to `id`; answers to other ids (none are in
    /// flight outside transfers) are dropped.
    async fn response_to(&mut self, id: u32) -> Result<Response> {
        loop {
            let response = self.next_response().await?;
            if response.id() == Some(id) {
                return Ok(response);
            }
        }
    }

    /// The next packet from the server, within the idle timeout.
    async fn next_response(&mut self) -> Result<Response> {
        loop {
            if let Some(packet) =
                sftp::take_packet(&mut self.inbox).map_err(|e| EngineError::Ssh(e.to_string()))?
            {
                return Response::decode(packet).map_err(|e| EngineError::Ssh(e.to_string()));
            }
            let timeout = self.config.timeout;
            let data = tokio::time::timeout(timeout, self.incoming.recv())
                .await
                .map_err(|_| EngineError::Timeout {
                    phase: "waiting for the server's reply",
                    secs: timeout.as_secs(),
                })?
                .ok_or(EngineError::Closed)?;
            self.inbox.extend_from_slice(&data);
        }
    }
}

impl Drop for SftpSession {
    fn drop(&mut self) {
        self.drain.abort();
    }
}

/// Reads the channel for as long as it is open and hands its data on.
///
/// A task of its own because russh delivers every channel message,
/// window adjustments included, through a bounded queue: a session that
/// stopped reading while it waits for window to write (an upload) would
/// stall russh's connection loop, which is what would bring that window.
/// What it holds is bounded by the requests in flight.
async fn drain_channel(
    mut reader: russh::ChannelReadHalf,
    to_session: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
) {
    while let Some(message) = reader.wait().await {
        match message {
            ChannelMsg::Data { data } if to_session.send(data.to_vec()).is_err() => return,
            ChannelMsg::Eof | ChannelMsg::Close => return,
            _ => {}
        }
    }
}

fn unexpected(response: &Response) -> EngineError {
    EngineError::Ssh(format!(
        "an unexpected SFTP answer ({})",
        match response {
            Response::Version { .. } => "VERSION",
            Response::Status { .. } => "STATUS",
            Response::Handle { .. } => "HANDLE",
            Response::Data { .. } => "DATA",
            Response::Name { .. } => "NAME",
            Response::Attrs { .. } => "ATTRS",
            Response::ExtendedReply { .. } => "EXTENDED_REPLY",
        }
    ))
}

/// Seconds since 1970 as a UTC time.
fn utc(secs: u32) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp(i64::from(secs), 0).map(|t| t.naive_utc())
}

/// A `READDIR` entry as a listing entry: kind and permissions from the
/// mode, times in UTC to the second, owner and group from the long name
/// (`ls -l`'s third and fourth fields) or else the numbers.
fn list_entry(entry: NameEntry) -> ListEntry {
    let NameEntry {
        name,
        long_name,
        attrs,
    } = entry;
    let kind = match attrs.file_type() {
        FileType::File => EntryKind::File,
        FileType::Dir => EntryKind::Dir,
        FileType::Link => EntryKind::Symlink,
        FileType::Other if attrs.permissions.is_none() => EntryKind::File,
        FileType::Other => EntryKind::Other,
    };
    let long = String::from_utf8_lossy(&long_name);
    let mut fields = long.split_whitespace();
    let (owner, group) = match (fields.nth(2), fields.next()) {
        (Some(owner), Some(group)) => (Some(owner.to_string()), Some(group.to_string())),
        _ => match attrs.uid_gid {
            Some((uid, gid)) => (Some(uid.to_string()), Some(gid.to_string())),
            None => (None, None),
        },
    };
    ListEntry {
        name,
        kind,
        size: attrs.size.filter(|_| kind != EntryKind::Dir),
        modified: attrs
            .atime_mtime
            .and_then(|(_, mtime)| utc(mtime))
            .map(|at| ListTime {
                at,
                precision: TimePrecision::Second,
            }),
        permissions: attrs.permissions.map(rwx),
        owner,
        group,
        target: None,
    }
}

/// The nine `ls -l` permission letters of a mode, with setuid, setgid and
/// sticky shown as `ls` shows them.
fn rwx(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for (shift, special, letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let exec = bits & 1 != 0;
        out.push(match (mode & special != 0, exec) {
            (true, true) => letter,
            (true, false) => letter.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_as_ls_prints_them() {
        for (mode, want) in [
            (0o100_644, "rw-r--r--"),
            (0o040_755, "rwxr-xr-x"),
            (0o104_755, "rwsr-xr-x"),
            (0o102_640, "rw-r-S---"),
            (0o041_777, "rwxrwxrwt"),
            (0, "---------"),
        ] {
            assert_eq!(rwx(mode), want, "{mode:o}");
        }
    }

    #[test]
    fn readdir_entries_become_listing_entries() {
        let link = list_entry(NameEntry {
            name: b"l".to_vec(),
            long_name: b"lrwxrwxrwx    1 alice    staff          1 Jan  1 00:00 l -> x".to_vec(),
            attrs: Attrs {
                size: Some(1),
                uid_gid: Some((1000, 50)),
                permissions: Some(0o120_777),
                atime_mtime: Some((0, 86_400)),
            },
        });
        assert_eq!(link.kind, EntryKind::Symlink);
        assert_eq!(link.owner.as_deref(), Some("alice"));
        assert_eq!(link.group.as_deref(), Some("staff"));
        assert_eq!(link.permissions.as_deref(), Some("rwxrwxrwx"));
        let at = link.modified.expect("time").at;
        assert_eq!(at.to_string(), "1970-01-02 00:00:00");
        let bare = list_entry(NameEntry {
            name: b"d".to_vec(),
            long_name: Vec::new(),
            attrs: Attrs {
                size: Some(4096),
                uid_gid: Some((1, 2)),
                permissions: Some(0o040_700),
                atime_mtime: None,
            },
        });
        assert_eq!(bare.kind, EntryKind::Dir);
        assert_eq!(bare.size, None, "a folder's size is not a file size");
        assert_eq!(bare.owner.as_deref(), Some("1"));
    }
}
