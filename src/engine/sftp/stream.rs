//! SFTP transfers with many requests in flight, as OpenSSH's `sftp` does:
//! a download keeps [`super::IN_FLIGHT`] `READ`s outstanding and writes
//! the answers in order of offset whatever order they come in; an upload
//! keeps as many `WRITE`s unacknowledged. Both start at an offset (resume),
//! and an upload may append.
//!
//! The rules of FTP's transfers hold: a download that ends short of the
//! size it was promised fails ([`EngineError::Truncated`]); progress is
//! reported about ten times a second; the site's speed limits and the
//! cancel token are obeyed between requests.

use std::collections::{BTreeMap, HashMap, VecDeque};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use super::{IN_FLIGHT, SftpSession};
use crate::engine::disk::FileWriter;
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{LogKind, ProgressThrottle};
use crate::engine::transfer_spec::{Transfer, UploadStart};
use crate::protocol::sftp::{Attrs, Request, Response, StatusCode, open_flags};

/// Bytes gathered before they are handed to the disk.
const HANDOFF: usize = 1024 * 1024;

/// Where downloaded bytes go.
enum Sink<'a, W> {
    Writer(&'a mut W),
    File(FileWriter),
}

impl<W: AsyncWrite + Unpin> Sink<'_, W> {
    async fn write(&mut self, buf: &mut Vec<u8>) -> std::io::Result<()> {
        match self {
            Sink::Writer(writer) => {
                writer.write_all(buf).await?;
                buf.clear();
                Ok(())
            }
            Sink::File(file) => file.write(buf).await,
        }
    }

    async fn finish(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Writer(writer) => writer.flush().await,
            Sink::File(file) => file.finish().await,
        }
    }
}

impl SftpSession {
    /// Downloads `transfer` into `sink` from byte `offset`. Returns the
    /// bytes received in this call. ASCII transfers move bytes as they are
    /// (SFTP version 3 has no text mode).
    pub async fn download<W: AsyncWrite + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        sink: &mut W,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let mut sink = Sink::Writer(sink);
        let result = self
            .download_into(transfer, offset, &mut sink, cancel)
            .await;
        let flushed = sink.finish().await;
        let got = result?;
        flushed.map_err(|source| local(transfer.remote, self, source))?;
        Ok(got)
    }

    /// [`SftpSession::download`] into `file` at its current position,
    /// written by a thread of its own; every byte received is in the file
    /// when this returns, error or not.
    pub async fn download_to_file(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        file: std::fs::File,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let mut sink: Sink<'_, tokio::io::Sink> = Sink::File(FileWriter::new(file));
        let result = self
            .download_into(transfer, offset, &mut sink, cancel)
            .await;
        let stored = sink.finish().await;
        let got = result?;
        stored.map_err(|source| local(transfer.remote, self, source))?;
        Ok(got)
    }

    async fn download_into<W: AsyncWrite + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        sink: &mut Sink<'_, W>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let remote = transfer.remote;
        let expected = transfer.size;
        let display = self.decode(remote);
        let handle = self.open(remote, open_flags::READ, "OPEN").await?;
        let result = self
            .read_all(&handle, remote, offset, expected, sink, cancel)
            .await;
        // A failed transfer still closes its handle when the channel is alive.
        let closed = match &result {
            Ok(_) | Err(EngineError::SftpStatus { .. }) | Err(EngineError::Local { .. }) => {
                self.call_ok(Request::Close(&handle), "CLOSE", remote).await
            }
            Err(_) => Ok(()),
        };
        let got = result?;
        closed?;
        let total = offset + got;
        if let Some(expected) = expected {
            if total > expected && offset == 0 {
                self.log(
                    LogKind::Warning,
                    format!(
                        "The file is larger than the server announced ({total} bytes, not {expected}); kept whole: {display}"
                    ),
                );
            } else if total != expected {
                return Err(EngineError::Truncated {
                    expected,
                    got: total,
                });
            }
        }
        Ok(got)
    }

    /// The pipelined read loop: returns the bytes written to `sink`.
    async fn read_all<W: AsyncWrite + Unpin>(
        &mut self,
        handle: &[u8],
        remote: &[u8],
        offset: u64,
        expected: Option<u64>,
        sink: &mut Sink<'_, W>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let display = &self.decode(remote);
        let chunk = self.read_len;
        // Requests beyond the announced size are not worth sending, but one
        // is: its EOF (or its data, when the file grew) ends the transfer.
        let stop_at = expected.map(|size| size.saturating_add(u64::from(chunk)));
        let mut next = offset;
        let mut eof_at: Option<u64> = None;
        let mut in_flight: HashMap<u32, (u64, u32)> = HashMap::with_capacity(IN_FLIGHT);
        let mut again: VecDeque<(u64, u32)> = VecDeque::new();
        let mut ready: BTreeMap<u64, Bytes> = BTreeMap::new();
        let mut pos = offset;
        let mut buf: Vec<u8> = Vec::with_capacity(HANDOFF + chunk as usize);
        let mut throttle = ProgressThrottle::new(offset);
        let limit = self.config.download_limit.clone();
        loop {
            if cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            while in_flight.len() < IN_FLIGHT {
                let (at, len) = if let Some(range) = again.pop_front() {
                    range
                } else if eof_at.is_none() && stop_at.is_none_or(|stop| next < stop) {
                    let range = (next, chunk);
                    next += u64::from(chunk);
                    range
                } else {
                    break;
                };
                let id = self.take_id();
                Request::Read {
                    handle,
                    offset: at,
                    len,
                }
                .encode(id, &mut self.outbox);
                in_flight.insert(id, (at, len));
            }
            self.flush().await?;
            if in_flight.is_empty() {
                break;
            }
            let response = self.next_response().await?;
            let Some(id) = response.id() else { continue };
            let Some((at, len)) = in_flight.remove(&id) else {
                continue;
            };
            match response {
                Response::Data { data, .. } => {
                    let n = data.len() as u64;
                    if n == 0 {
                        eof_at = Some(eof_at.map_or(at, |e| e.min(at)));
                        continue;
                    }
                    if n < u64::from(len) {
                        // A short read: the rest of this range is asked again.
                        again.push_back((at + n, len - n as u32));
                    }
                    if let Some(limit) = &limit {
                        limit.take(data.len()).await;
                    }
                    ready.insert(at, data);
                }
                Response::Status {
                    code: StatusCode::Eof,
                    ..
                } => {
                    eof_at = Some(eof_at.map_or(at, |e| e.min(at)));
                }
                other => {
                    self.status_error(other, "READ", remote)?;
                    return Err(EngineError::Ssh("an unexpected answer to READ".into()));
                }
            }
            while let Some(data) = ready.remove(&pos) {
                pos += data.len() as u64;
                buf.extend_from_slice(&data);
            }
            if buf.len() >= HANDOFF {
                sink.write(&mut buf)
                    .await
                    .map_err(|source| local(remote, self, source))?;
            }
            if let Some(event) = throttle.tick(display, pos, expected, false) {
                self.events.send(event);
            }
        }
        sink.write(&mut buf)
            .await
            .map_err(|source| local(remote, self, source))?;
        if let Some(event) = throttle.tick(display, pos, expected, true) {
            self.events.send(event);
        }
        Ok(pos - offset)
    }

    /// Uploads everything `source` yields to `transfer`'s remote file,
    /// starting as `start` says: a new file, the end of the existing one, or
    /// an offset (resume). Returns the bytes sent.
    pub async fn upload<R: AsyncRead + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        start: UploadStart,
        source: &mut R,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let remote = transfer.remote;
        let flags = open_flags::WRITE
            | open_flags::CREATE
            | match start {
                UploadStart::Fresh => open_flags::TRUNCATE,
                UploadStart::Append => open_flags::APPEND,
                UploadStart::Rest(_) => 0,
            };
        let handle = self.open(remote, flags, "OPEN").await?;
        let offset = match start {
            UploadStart::Fresh => 0,
            UploadStart::Rest(n) => n,
            // Offsets from the file's size, so a server that ignores the
            // append flag still writes at the end.
            UploadStart::Append => match self.call(Request::Fstat(&handle), "FSTAT", remote).await?
            {
                Response::Attrs { attrs, .. } => attrs.size.unwrap_or(0),
                _ => 0,
            },
        };
        let result = self
            .write_all(&handle, remote, offset, transfer.size, source, cancel)
            .await;
        let closed = match &result {
            Ok(_) | Err(EngineError::SftpStatus { .. }) | Err(EngineError::Local { .. }) => {
                self.call_ok(Request::Close(&handle), "CLOSE", remote).await
            }
            Err(_) => Ok(()),
        };
        let sent = result?;
        // The server's answer to CLOSE is where a full disk shows.
        closed?;
        Ok(sent)
    }

    async fn write_all<R: AsyncRead + Unpin>(
        &mut self,
        handle: &[u8],
        remote: &[u8],
        offset: u64,
        total: Option<u64>,
        source: &mut R,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let display = &self.decode(remote);
        let chunk = self.write_len as usize;
        let mut data = vec![0u8; chunk];
        let mut at = offset;
        let mut in_flight: HashMap<u32, u64> = HashMap::with_capacity(IN_FLIGHT);
        let mut done = false;
        let mut acked: u64 = 0;
        let mut throttle = ProgressThrottle::new(offset);
        let limit = self.config.upload_limit.clone();
        loop {
            if cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            while !done && in_flight.len() < IN_FLIGHT {
                let n = fill(source, &mut data)
                    .await
                    .map_err(|source| local(remote, self, source))?;
                if n == 0 {
                    done = true;
                    break;
                }
                let id = self.take_id();
                Request::Write {
                    handle,
                    offset: at,
                    data: &data[..n],
                }
                .encode(id, &mut self.outbox);
                in_flight.insert(id, n as u64);
                at += n as u64;
                if let Some(limit) = &limit {
                    self.flush().await?;
                    limit.take(n).await;
                }
                // Whole windows, not one packet per call.
                if self.outbox.len() >= 4 * chunk {
                    self.flush().await?;
                }
            }
            self.flush().await?;
            if in_flight.is_empty() {
                break;
            }
            let response = self.next_response().await?;
            let Some(id) = response.id() else { continue };
            let Some(n) = in_flight.remove(&id) else {
                continue;
            };
            self.status_error(response, "WRITE", remote)?;
            acked += n;
            if let Some(event) = throttle.tick(display, offset + acked, total, false) {
                self.events.send(event);
            }
        }
        if let Some(event) = throttle.tick(display, offset + acked, total, true) {
            self.events.send(event);
        }
        Ok(at - offset)
    }

    /// Opens a file and returns its handle.
    async fn open(&mut self, path: &[u8], flags: u32, name: &'static str) -> Result<Vec<u8>> {
        let request = Request::Open {
            path,
            flags,
            attrs: Attrs::default(),
        };
        match self.call(request, name, path).await? {
            Response::Handle { handle, .. } => Ok(handle),
            _ => Err(EngineError::Ssh("an unexpected answer to OPEN".into())),
        }
    }
}

/// A local read or write failure, naming the remote file it was for.
fn local(remote: &[u8], session: &SftpSession, source: std::io::Error) -> EngineError {
    EngineError::Local {
        path: session.decode(remote).into(),
        source,
    }
}

/// Reads until `buf` is full or the source ends; the count read.
async fn fill<R: AsyncRead + Unpin>(source: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = source.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}
