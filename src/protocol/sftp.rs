//! SFTP version 3 (draft-ietf-secsh-filexfer-02, what OpenSSH speaks) as
//! pure functions: requests encoded to bytes, packets framed and responses
//! decoded from bytes.
//!
//! Names and paths are the server's bytes (`Vec<u8>`), never `String`: a
//! name that is not UTF-8 is listed, shown escaped and sent back exactly as
//! it came, as the FTP side does. Nothing here does I/O or reads a clock; no
//! input makes a function panic, and a packet's declared length is checked
//! against [`MAX_PACKET`] before anything is allocated for it.

use bytes::{Buf, BufMut, BytesMut};

/// The protocol version Skiff asks for and needs.
pub const VERSION: u32 = 3;

/// The largest packet accepted from a server (OpenSSH's sftp-server sends at
/// most 256 KiB of data in one packet, and its limit is the same).
pub const MAX_PACKET: u32 = 256 * 1024 + 1024;

/// `SSH_FXF_*` open flags.
pub mod open_flags {
    /// Open for reading.
    pub const READ: u32 = 0x01;
    /// Open for writing.
    pub const WRITE: u32 = 0x02;
    /// Every write goes to the end (offsets ignored).
    pub const APPEND: u32 = 0x04;
    /// Create the file if it does not exist.
    pub const CREATE: u32 = 0x08;
    /// Cut an existing file to length 0.
    pub const TRUNCATE: u32 = 0x10;
    /// Fail if the file exists.
    pub const EXCLUSIVE: u32 = 0x20;
}

const ATTR_SIZE: u32 = 0x01;
const ATTR_UIDGID: u32 = 0x02;
const ATTR_PERMISSIONS: u32 = 0x04;
const ATTR_ACMODTIME: u32 = 0x08;
const ATTR_EXTENDED: u32 = 0x8000_0000;

/// File attributes (`ATTRS`): each field only when the server sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    /// Size in bytes.
    pub size: Option<u64>,
    /// Owner and group ids.
    pub uid_gid: Option<(u32, u32)>,
    /// `st_mode`: the file type bits and the permissions.
    pub permissions: Option<u32>,
    /// Access and modification times, seconds since 1970 (UTC).
    pub atime_mtime: Option<(u32, u32)>,
}

/// The kind of file `st_mode` bits describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link.
    Link,
    /// Anything else (device, socket, FIFO), or unknown.
    Other,
}

impl Attrs {
    /// The type from the permissions' `S_IFMT` bits; `Other` when there are none.
    pub fn file_type(&self) -> FileType {
        match self.permissions.map(|mode| mode & 0o170_000) {
            Some(0o100_000) => FileType::File,
            Some(0o040_000) => FileType::Dir,
            Some(0o120_000) => FileType::Link,
            _ => FileType::Other,
        }
    }

    fn encode(&self, out: &mut BytesMut) {
        let mut flags = 0;
        if self.size.is_some() {
            flags |= ATTR_SIZE;
        }
        if self.uid_gid.is_some() {
            flags |= ATTR_UIDGID;
        }
        if self.permissions.is_some() {
            flags |= ATTR_PERMISSIONS;
        }
        if self.atime_mtime.is_some() {
            flags |= ATTR_ACMODTIME;
        }
        out.put_u32(flags);
        if let Some(size) = self.size {
            out.put_u64(size);
        }
        if let Some((uid, gid)) = self.uid_gid {
            out.put_u32(uid);
            out.put_u32(gid);
        }
        if let Some(mode) = self.permissions {
            out.put_u32(mode);
        }
        if let Some((atime, mtime)) = self.atime_mtime {
            out.put_u32(atime);
            out.put_u32(mtime);
        }
    }

    fn decode(input: &mut &[u8]) -> Result<Self, SftpError> {
        let flags = get_u32(input)?;
        let mut attrs = Attrs::default();
        if flags & ATTR_SIZE != 0 {
            attrs.size = Some(get_u64(input)?);
        }
        if flags & ATTR_UIDGID != 0 {
            attrs.uid_gid = Some((get_u32(input)?, get_u32(input)?));
        }
        if flags & ATTR_PERMISSIONS != 0 {
            attrs.permissions = Some(get_u32(input)?);
        }
        if flags & ATTR_ACMODTIME != 0 {
            attrs.atime_mtime = Some((get_u32(input)?, get_u32(input)?));
        }
        if flags & ATTR_EXTENDED != 0 {
            // Pairs of strings nobody here needs; skipped, bounded by the packet.
            let count = get_u32(input)?;
            for _ in 0..count {
                get_string(input)?;
                get_string(input)?;
            }
        }
        Ok(attrs)
    }
}

/// A client request. Each but `Init` carries the id its response echoes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request<'a> {
    /// `SSH_FXP_INIT`: the first packet, asking for a version.
    Init,
    /// Open a file with `open_flags` and, when created, `attrs`.
    Open {
        /// The path.
        path: &'a [u8],
        /// [`open_flags`] or'ed.
        flags: u32,
        /// Attributes of a created file (its mode).
        attrs: Attrs,
    },
    /// Close a file or folder handle.
    Close(&'a [u8]),
    /// Read up to `len` bytes at `offset`.
    Read {
        /// The file handle.
        handle: &'a [u8],
        /// Where.
        offset: u64,
        /// How many bytes at most.
        len: u32,
    },
    /// Write `data` at `offset`.
    Write {
        /// The file handle.
        handle: &'a [u8],
        /// Where.
        offset: u64,
        /// What.
        data: &'a [u8],
    },
    /// Attributes of a path, not following a final link.
    Lstat(&'a [u8]),
    /// Attributes of an open handle.
    Fstat(&'a [u8]),
    /// Attributes of a path, following links.
    Stat(&'a [u8]),
    /// Set a path's attributes (mode, times, size).
    SetStat {
        /// The path.
        path: &'a [u8],
        /// Only the fields that are `Some` are set.
        attrs: Attrs,
    },
    /// Open a folder for `ReadDir`.
    OpenDir(&'a [u8]),
    /// The next batch of a folder's entries.
    ReadDir(&'a [u8]),
    /// Delete a file or link.
    Remove(&'a [u8]),
    /// Create a folder.
    MkDir {
        /// The path.
        path: &'a [u8],
        /// Its mode, when given.
        attrs: Attrs,
    },
    /// Delete an empty folder.
    RmDir(&'a [u8]),
    /// The canonical absolute form of a path (`.` is the login folder).
    RealPath(&'a [u8]),
    /// Rename; fails when the target exists (version 3).
    Rename {
        /// From.
        from: &'a [u8],
        /// To.
        to: &'a [u8],
    },
    /// `posix-rename@openssh.com`: rename, replacing an existing target.
    PosixRename {
        /// From.
        from: &'a [u8],
        /// To.
        to: &'a [u8],
    },
    /// A link's target.
    ReadLink(&'a [u8]),
}

const FXP_INIT: u8 = 1;
const FXP_VERSION: u8 = 2;
const FXP_OPEN: u8 = 3;
const FXP_CLOSE: u8 = 4;
const FXP_READ: u8 = 5;
const FXP_WRITE: u8 = 6;
const FXP_LSTAT: u8 = 7;
const FXP_FSTAT: u8 = 8;
const FXP_SETSTAT: u8 = 9;
const FXP_OPENDIR: u8 = 11;
const FXP_READDIR: u8 = 12;
const FXP_REMOVE: u8 = 13;
const FXP_MKDIR: u8 = 14;
const FXP_RMDIR: u8 = 15;
const FXP_REALPATH: u8 = 16;
const FXP_STAT: u8 = 17;
const FXP_RENAME: u8 = 18;
const FXP_READLINK: u8 = 19;
const FXP_STATUS: u8 = 101;
const FXP_HANDLE: u8 = 102;
const FXP_DATA: u8 = 103;
const FXP_NAME: u8 = 104;
const FXP_ATTRS: u8 = 105;
const FXP_EXTENDED: u8 = 200;
const FXP_EXTENDED_REPLY: u8 = 201;

impl Request<'_> {
    /// Appends the whole packet (length, type, id, fields) to `out`.
    pub fn encode(&self, id: u32, out: &mut BytesMut) {
        let start = out.len();
        out.put_u32(0);
        match self {
            Request::Init => {
                out.put_u8(FXP_INIT);
                out.put_u32(VERSION);
            }
            Request::Open { path, flags, attrs } => {
                head(out, FXP_OPEN, id);
                put_string(out, path);
                out.put_u32(*flags);
                attrs.encode(out);
            }
            Request::Close(handle) => one(out, FXP_CLOSE, id, handle),
            Request::Read {
                handle,
                offset,
                len,
            } => {
                head(out, FXP_READ, id);
                put_string(out, handle);
                out.put_u64(*offset);
                out.put_u32(*len);
            }
            Request::Write {
                handle,
                offset,
                data,
            } => {
                head(out, FXP_WRITE, id);
                put_string(out, handle);
                out.put_u64(*offset);
                put_string(out, data);
            }
            Request::Lstat(path) => one(out, FXP_LSTAT, id, path),
            Request::Fstat(handle) => one(out, FXP_FSTAT, id, handle),
            Request::Stat(path) => one(out, FXP_STAT, id, path),
            Request::SetStat { path, attrs } => {
                head(out, FXP_SETSTAT, id);
                put_string(out, path);
                attrs.encode(out);
            }
            Request::OpenDir(path) => one(out, FXP_OPENDIR, id, path),
            Request::ReadDir(handle) => one(out, FXP_READDIR, id, handle),
            Request::Remove(path) => one(out, FXP_REMOVE, id, path),
            Request::MkDir { path, attrs } => {
                head(out, FXP_MKDIR, id);
                put_string(out, path);
                attrs.encode(out);
            }
            Request::RmDir(path) => one(out, FXP_RMDIR, id, path),
            Request::RealPath(path) => one(out, FXP_REALPATH, id, path),
            Request::Rename { from, to } => {
                head(out, FXP_RENAME, id);
                put_string(out, from);
                put_string(out, to);
            }
            Request::PosixRename { from, to } => {
                head(out, FXP_EXTENDED, id);
                put_string(out, b"posix-rename@openssh.com");
                put_string(out, from);
                put_string(out, to);
            }
            Request::ReadLink(path) => one(out, FXP_READLINK, id, path),
        }
        let len = (out.len() - start - 4) as u32;
        out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    }
}

fn head(out: &mut BytesMut, kind: u8, id: u32) {
    out.put_u8(kind);
    out.put_u32(id);
}

fn one(out: &mut BytesMut, kind: u8, id: u32, field: &[u8]) {
    head(out, kind, id);
    put_string(out, field);
}

fn put_string(out: &mut BytesMut, bytes: &[u8]) {
    out.put_u32(bytes.len() as u32);
    out.put_slice(bytes);
}

/// `SSH_FX_*` status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCode {
    /// Success.
    Ok,
    /// End of file, or of a folder's entries.
    Eof,
    /// No such file or folder.
    NoSuchFile,
    /// Permission denied.
    PermissionDenied,
    /// A failure the server did not explain (OpenSSH: an existing target,
    /// a folder not empty, and most others).
    Failure,
    /// The server could not parse the request.
    BadMessage,
    /// No connection.
    NoConnection,
    /// The connection was lost.
    ConnectionLost,
    /// The server does not do this.
    Unsupported,
    /// A code from a later version of the protocol.
    Other(u32),
}

impl StatusCode {
    fn from_u32(code: u32) -> Self {
        match code {
            0 => StatusCode::Ok,
            1 => StatusCode::Eof,
            2 => StatusCode::NoSuchFile,
            3 => StatusCode::PermissionDenied,
            4 => StatusCode::Failure,
            5 => StatusCode::BadMessage,
            6 => StatusCode::NoConnection,
            7 => StatusCode::ConnectionLost,
            8 => StatusCode::Unsupported,
            other => StatusCode::Other(other),
        }
    }

    /// What the code means, for a message (the server's own text may be empty).
    pub fn meaning(self) -> &'static str {
        match self {
            StatusCode::Ok => "success",
            StatusCode::Eof => "end of file",
            StatusCode::NoSuchFile => "no such file",
            StatusCode::PermissionDenied => "permission denied",
            StatusCode::Failure => "failure",
            StatusCode::BadMessage => "bad message",
            StatusCode::NoConnection => "no connection",
            StatusCode::ConnectionLost => "connection lost",
            StatusCode::Unsupported => "operation unsupported",
            StatusCode::Other(_) => "unknown status",
        }
    }
}

/// One entry of a `NAME` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameEntry {
    /// The file name (for `READDIR`) or path (`REALPATH`, `READLINK`), as
    /// the server's bytes.
    pub name: Vec<u8>,
    /// The `ls -l` line the server made (version 3 only; informational).
    pub long_name: Vec<u8>,
    /// Its attributes (`READDIR` gives `lstat`'s: a link is a link).
    pub attrs: Attrs,
}

/// A server packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// `SSH_FXP_VERSION`: the version and the extensions (name, data).
    Version {
        /// The server's version.
        version: u32,
        /// Extensions it offers (`posix-rename@openssh.com`, `limits@openssh.com`...).
        extensions: Vec<(Vec<u8>, Vec<u8>)>,
    },
    /// `SSH_FXP_STATUS`.
    Status {
        /// The request's id.
        id: u32,
        /// The code.
        code: StatusCode,
        /// The server's message (may be empty).
        message: Vec<u8>,
    },
    /// `SSH_FXP_HANDLE`: an open file's or folder's handle.
    Handle {
        /// The request's id.
        id: u32,
        /// The opaque handle.
        handle: Vec<u8>,
    },
    /// `SSH_FXP_DATA`: bytes read.
    Data {
        /// The request's id.
        id: u32,
        /// The bytes.
        data: bytes::Bytes,
    },
    /// `SSH_FXP_NAME`: folder entries or one resolved path.
    Name {
        /// The request's id.
        id: u32,
        /// The entries.
        entries: Vec<NameEntry>,
    },
    /// `SSH_FXP_ATTRS`.
    Attrs {
        /// The request's id.
        id: u32,
        /// The attributes.
        attrs: Attrs,
    },
    /// `SSH_FXP_EXTENDED_REPLY`: an extension's answer.
    ExtendedReply {
        /// The request's id.
        id: u32,
        /// Its data.
        data: Vec<u8>,
    },
}

impl Response {
    /// The request id this answers (`None` for `Version`).
    pub fn id(&self) -> Option<u32> {
        match self {
            Response::Version { .. } => None,
            Response::Status { id, .. }
            | Response::Handle { id, .. }
            | Response::Data { id, .. }
            | Response::Name { id, .. }
            | Response::Attrs { id, .. }
            | Response::ExtendedReply { id, .. } => Some(*id),
        }
    }
}

/// Why bytes from the server are not an SFTP packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SftpError {
    /// The packet ended before one of its fields.
    #[error("a truncated SFTP packet")]
    Truncated,
    /// A packet longer than [`MAX_PACKET`].
    #[error("an SFTP packet of {0} bytes, more than allowed")]
    TooLong(u32),
    /// A packet type a client never receives.
    #[error("an unexpected SFTP packet type {0}")]
    UnknownType(u8),
}

/// Takes one whole packet (without its length) off the front of `buf`;
/// `Ok(None)` when more bytes are needed. A declared length over
/// [`MAX_PACKET`] (or zero) is an error before anything is buffered for it.
pub fn take_packet(buf: &mut BytesMut) -> Result<Option<BytesMut>, SftpError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    if len == 0 {
        return Err(SftpError::Truncated);
    }
    if len > MAX_PACKET {
        return Err(SftpError::TooLong(len));
    }
    let total = 4 + len as usize;
    if buf.len() < total {
        buf.reserve(total - buf.len());
        return Ok(None);
    }
    buf.advance(4);
    Ok(Some(buf.split_to(len as usize)))
}

impl Response {
    /// Decodes one packet as [`take_packet`] gave it. `DATA` keeps its bytes
    /// without a copy.
    pub fn decode(packet: BytesMut) -> Result<Self, SftpError> {
        let packet = packet.freeze();
        let Some((&kind, body)) = packet.split_first() else {
            return Err(SftpError::Truncated);
        };
        let mut input = body;
        let input = &mut input;
        if kind == FXP_VERSION {
            let version = get_u32(input)?;
            let mut extensions = Vec::new();
            while !input.is_empty() {
                let name = get_string(input)?.to_vec();
                let data = get_string(input)?.to_vec();
                extensions.push((name, data));
            }
            return Ok(Response::Version {
                version,
                extensions,
            });
        }
        let id = get_u32(input)?;
        Ok(match kind {
            FXP_STATUS => {
                let code = StatusCode::from_u32(get_u32(input)?);
                // Some old servers leave out the message and language.
                let message = if input.is_empty() {
                    Vec::new()
                } else {
                    get_string(input)?.to_vec()
                };
                Response::Status { id, code, message }
            }
            FXP_HANDLE => Response::Handle {
                id,
                handle: get_string(input)?.to_vec(),
            },
            FXP_DATA => {
                let len = get_u32(input)? as usize;
                if input.len() < len {
                    return Err(SftpError::Truncated);
                }
                // 1 type byte + 4 id + 4 length before the data.
                Response::Data {
                    id,
                    data: packet.slice(9..9 + len),
                }
            }
            FXP_NAME => {
                let count = get_u32(input)?;
                // Each entry takes at least 12 bytes: the count cannot
                // reserve more than the packet could hold.
                let mut entries = Vec::with_capacity((count as usize).min(input.len() / 12));
                for _ in 0..count {
                    let name = get_string(input)?.to_vec();
                    let long_name = get_string(input)?.to_vec();
                    let attrs = Attrs::decode(input)?;
                    entries.push(NameEntry {
                        name,
                        long_name,
                        attrs,
                    });
                }
                Response::Name { id, entries }
            }
            FXP_ATTRS => Response::Attrs {
                id,
                attrs: Attrs::decode(input)?,
            },
            FXP_EXTENDED_REPLY => Response::ExtendedReply {
                id,
                data: input.to_vec(),
            },
            other => return Err(SftpError::UnknownType(other)),
        })
    }
}

/// The `limits@openssh.com` reply: the server's largest packet, read, write
/// and open-handle count (0: no limit given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest packet.
    pub max_packet: u64,
    /// Largest read.
    pub max_read: u64,
    /// Largest write.
    pub max_write: u64,
    /// Most open handles.
    pub max_handles: u64,
}

impl Limits {
    /// Decodes the reply's data.
    pub fn decode(data: &[u8]) -> Result<Self, SftpError> {
        let mut input = data;
        let input = &mut input;
        Ok(Self {
            max_packet: get_u64(input)?,
            max_read: get_u64(input)?,
            max_write: get_u64(input)?,
            max_handles: get_u64(input)?,
        })
    }
}

/// The `limits@openssh.com` request (an `EXTENDED` packet with no data).
pub fn encode_limits_request(id: u32, out: &mut BytesMut) {
    let start = out.len();
    out.put_u32(0);
    head(out, FXP_EXTENDED, id);
    put_string(out, b"limits@openssh.com");
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
}

fn get_u32(input: &mut &[u8]) -> Result<u32, SftpError> {
    if input.len() < 4 {
        return Err(SftpError::Truncated);
    }
    Ok(input.get_u32())
}

fn get_u64(input: &mut &[u8]) -> Result<u64, SftpError> {
    if input.len() < 8 {
        return Err(SftpError::Truncated);
    }
    Ok(input.get_u64())
}

fn get_string<'a>(input: &mut &'a [u8]) -> Result<&'a [u8], SftpError> {
    let len = get_u32(input)? as usize;
    if input.len() < len {
        return Err(SftpError::Truncated);
    }
    let (field, rest) = input.split_at(len);
    *input = rest;
    Ok(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(request: Request<'_>, id: u32) -> Vec<u8> {
        let mut out = BytesMut::new();
        request.encode(id, &mut out);
        out.to_vec()
    }

    fn decoded(bytes: &[u8]) -> Result<Response, SftpError> {
        let mut buf = BytesMut::from(bytes);
        let packet = take_packet(&mut buf)?.ok_or(SftpError::Truncated)?;
        assert!(buf.is_empty(), "one packet, nothing left");
        Response::decode(packet)
    }

    #[test]
    fn requests_encode_to_the_drafts_bytes() {
        let cases: Vec<(Request<'_>, Vec<u8>)> = vec![
            (Request::Init, vec![0, 0, 0, 5, 1, 0, 0, 0, 3]),
            (
                Request::Stat(b"/a"),
                vec![0, 0, 0, 11, 17, 0, 0, 0, 7, 0, 0, 0, 2, b'/', b'a'],
            ),
            (
                Request::Read {
                    handle: b"h",
                    offset: 0x1_0000_0000,
                    len: 32768,
                },
                vec![
                    0, 0, 0, 22, 5, 0, 0, 0, 7, 0, 0, 0, 1, b'h', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                    0x80, 0,
                ],
            ),
            (
                Request::SetStat {
                    path: b"f",
                    attrs: Attrs {
                        permissions: Some(0o644),
                        atime_mtime: Some((1, 2)),
                        ..Attrs::default()
                    },
                },
                vec![
                    0, 0, 0, 26, 9, 0, 0, 0, 7, 0, 0, 0, 1, b'f', 0, 0, 0, 12, 0, 0, 1, 0xa4, 0, 0,
                    0, 1, 0, 0, 0, 2,
                ],
            ),
            (
                Request::Open {
                    path: b"\xe9",
                    flags: open_flags::WRITE | open_flags::CREATE,
                    attrs: Attrs::default(),
                },
                vec![
                    0, 0, 0, 18, 3, 0, 0, 0, 7, 0, 0, 0, 1, 0xe9, 0, 0, 0, 10, 0, 0, 0, 0,
                ],
            ),
        ];
        for (request, want) in cases {
            assert_eq!(encoded(request.clone(), 7), want, "{request:?}");
        }
        let rename = encoded(
            Request::PosixRename {
                from: b"a",
                to: b"b",
            },
            1,
        );
        assert_eq!(&rename[4..5], &[200]);
        assert!(rename.windows(24).any(|w| w == b"posix-rename@openssh.com"));
    }

    #[test]
    fn responses_decode() {
        let version = decoded(&[
            0, 0, 0, 22, 2, 0, 0, 0, 3, 0, 0, 0, 5, b'a', b'@', b'b', b'.', b'c', 0, 0, 0, 4, b'1',
            b'.', b'0', b'0',
        ])
        .expect("version");
        assert_eq!(
            version,
            Response::Version {
                version: 3,
                extensions: vec![(b"a@b.c".to_vec(), b"1.00".to_vec())]
            }
        );
        let status = decoded(&[
            0, 0, 0, 21, 101, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0, 0, 4, b'g', b'o', b'n', b'e', 0, 0, 0,
            0,
        ])
        .expect("status");
        assert_eq!(
            status,
            Response::Status {
                id: 9,
                code: StatusCode::NoSuchFile,
                message: b"gone".to_vec()
            }
        );
        // An old server's status without message and language.
        let bare = decoded(&[0, 0, 0, 9, 101, 0, 0, 0, 1, 0, 0, 0, 1]).expect("bare status");
        assert_eq!(bare.id(), Some(1));
        let data = decoded(&[0, 0, 0, 12, 103, 0, 0, 0, 3, 0, 0, 0, 3, 1, 2, 3]).expect("data");
        assert_eq!(
            data,
            Response::Data {
                id: 3,
                data: bytes::Bytes::from_static(&[1, 2, 3])
            }
        );
        // A link and a name that is not UTF-8, with every attribute.
        let mut name = vec![104, 0, 0, 0, 4, 0, 0, 0, 1];
        name.extend([0, 0, 0, 2, 0xff, b'x', 0, 0, 0, 1, b'l']);
        name.extend([0x80, 0, 0, 0x0f]);
        name.extend(5u64.to_be_bytes());
        name.extend([0, 0, 0, 1, 0, 0, 0, 2]);
        name.extend(0o120_777u32.to_be_bytes());
        name.extend([0, 0, 0, 3, 0, 0, 0, 4]);
        name.extend([0, 0, 0, 1, 0, 0, 0, 1, b'k', 0, 0, 0, 0]);
        let mut packet = (name.len() as u32).to_be_bytes().to_vec();
        packet.extend(name);
        let Response::Name { id, entries } = decoded(&packet).expect("name") else {
            panic!("not a name");
        };
        assert_eq!(id, 4);
        assert_eq!(entries[0].name, b"\xffx");
        assert_eq!(entries[0].attrs.size, Some(5));
        assert_eq!(entries[0].attrs.uid_gid, Some((1, 2)));
        assert_eq!(entries[0].attrs.atime_mtime, Some((3, 4)));
        assert_eq!(entries[0].attrs.file_type(), FileType::Link);
    }

    #[test]
    fn framing_waits_for_whole_packets_and_refuses_huge_ones() {
        let mut buf = BytesMut::from(&[0u8, 0, 0, 9, 101, 0][..]);
        assert_eq!(take_packet(&mut buf), Ok(None));
        buf.extend_from_slice(&[0, 0, 1, 0, 0, 0, 0, 0]);
        let packet = take_packet(&mut buf).expect("ok").expect("whole");
        assert_eq!(packet.len(), 9);
        assert_eq!(buf.len(), 1, "the next packet's first byte stays");
        let mut huge = BytesMut::from(&[0x7f, 0xff, 0xff, 0xff][..]);
        assert_eq!(take_packet(&mut huge), Err(SftpError::TooLong(0x7fff_ffff)));
        let mut empty = BytesMut::from(&[0u8, 0, 0, 0][..]);
        assert_eq!(take_packet(&mut empty), Err(SftpError::Truncated));
    }

    #[test]
    fn no_prefix_or_junk_makes_the_decoder_panic() {
        let mut packet = vec![104, 0, 0, 0, 1, 0, 0, 0, 2];
        packet.extend([0, 0, 0, 1, b'a', 0, 0, 0, 0, 0x80, 0, 0, 0x0f]);
        packet.extend([0xff; 40]);
        for cut in 0..packet.len() {
            let _ = Response::decode(BytesMut::from(&packet[..cut]));
            let mut junk = packet.clone();
            junk[cut] ^= 0xff;
            let _ = Response::decode(BytesMut::from(&junk[..]));
        }
        // A count of four billion entries in a short packet allocates nothing big.
        let lie = [104, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            Response::decode(BytesMut::from(&lie[..])),
            Err(SftpError::Truncated)
        );
    }

    #[test]
    fn limits_decode() {
        let mut data = Vec::new();
        for n in [262_144u64, 261_120, 261_120, 0] {
            data.extend(n.to_be_bytes());
        }
        let limits = Limits::decode(&data).expect("limits");
        assert_eq!(limits.max_read, 261_120);
        assert_eq!(Limits::decode(&data[..8]), Err(SftpError::Truncated));
    }
}
