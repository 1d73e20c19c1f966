//! Data-channel streaming for a [`FtpSession`]: downloads, uploads and the
//! listing's bytes, each over a data connection opened for one command.
//!
//! Owns opening the data connection (passive or active, falling back once to
//! the other mode), TLS on it, moving the bytes with the site's speed limits
//! and progress events, and keeping the control connection in sync around it
//! (the final reply, ABOR). A transfer succeeds only when the server confirmed
//! it and every expected byte arrived; the bytes that did arrive are always
//! handed on, never dropped.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::FtpSession;
use crate::engine::charset::Charset;
use crate::engine::config::DataMode;
use crate::engine::data::{DataFailure, channel_error, prepare_active, prepare_passive};
use crate::engine::disk::FileWriter;
use crate::engine::entry::RemoteEntry;
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{LogKind, ProgressThrottle};
use crate::engine::tls::{DATA_READ_BUFFER, NetStream, describe};
use crate::engine::transfer_spec::{Transfer, UploadStart};
use crate::protocol::listing::{ListEntry, ListingParser};
use crate::protocol::{Command, Reply};

/// Bytes gathered from a data connection before they are handed on; large,
/// so a disk write or parser call happens a few hundred times per GiB.
const CHUNK: usize = 1024 * 1024;

impl FtpSession {
    /// Downloads `transfer` into `sink`, starting at byte `offset` (REST)
    /// when it is not zero. A transfer that ends with fewer bytes than its
    /// known size is an error, never success; more bytes than announced, from
    /// byte 0, are kept with a warning. Returns the bytes received in this call.
    pub async fn download<W: AsyncWrite + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        sink: &mut W,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let mut sink = WriterSink { writer: sink };
        self.download_into(transfer, offset, &mut sink, cancel)
            .await
    }

    /// [`FtpSession::download`] into `file` at its current position, written
    /// by a thread of its own so the network is read while the disk writes.
    /// Every byte received is in the file when this returns, error or not.
    pub async fn download_to_file(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        file: std::fs::File,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let mut sink = FileSink(FileWriter::new(file));
        let result = self
            .download_into(transfer, offset, &mut sink, cancel)
            .await;
        // Already flushed on every path that got that far; this only waits.
        let stored = sink.flush().await;
        let got = result?;
        stored?;
        Ok(got)
    }

    async fn download_into<S: DataSink>(
        &mut self,
        transfer: Transfer<'_>,
        offset: u64,
        sink: &mut S,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let Transfer {
            remote,
            kind,
            size: expected,
        } = transfer;
        self.set_type(kind).await?;
        let display = self.decode(remote);
        let rest = (offset > 0).then_some(offset);
        let got = self
            .receive(
                &Command::Retr(remote.to_vec()),
                rest,
                sink,
                expected,
                &display,
                cancel,
            )
            .await?;
        let total = offset + got;
        if let Some(expected) = expected
            && total > expected
            && offset == 0
        {
            // The file grew, or the announced size was wrong: every byte the
            // server sent is kept, and the transfer is complete.
            self.control.log(
                LogKind::Warning,
                format!(
                    "The file is larger than the server announced ({total} bytes, not {expected}); kept whole: {display}"
                ),
            );
            return Ok(got);
        }
        if let Some(expected) = expected
            && total != expected
        {
            // Returned, not logged: whoever shows the error logs it, once.
            return Err(EngineError::Truncated {
                expected,
                got: total,
            });
        }
        Ok(got)
    }

    /// Uploads everything `source` yields to `transfer`'s remote file,
    /// starting as `start` says (a fresh file, APPE, or REST and STOR).
    pub async fn upload<R: AsyncRead + Unpin>(
        &mut self,
        transfer: Transfer<'_>,
        start: UploadStart,
        source: &mut R,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let Transfer {
            remote,
            kind,
            size: total,
        } = transfer;
        self.set_type(kind).await?;
        let display = self.decode(remote);
        let (command, rest, offset) = match start {
            UploadStart::Fresh => (Command::Stor(remote.to_vec()), None, 0),
            UploadStart::Append => (Command::Appe(remote.to_vec()), None, 0),
            UploadStart::Rest(n) => (Command::Stor(remote.to_vec()), Some(n), n),
        };
        let mut data = self.open_transfer(&command, rest).await?;
        // Small reads under a speed limit keep the rate smooth.
        let chunk = if self
            .config
            .upload_limit
            .as_ref()
            .is_some_and(|limit| limit.rate() > 0)
        {
            64 * 1024
        } else {
            CHUNK
        };
        let mut buf = vec![0u8; chunk];
        let mut sent: u64 = 0;
        let mut throttle = ProgressThrottle::new(offset);
        let timeout = self.config.timeout;
        let outcome: Result<()> = async {
            loop {
                if cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
                let n = source
                    .read(&mut buf)
                    .await
                    .map_err(|e| EngineError::Local {
                        path: display.clone().into(),
                        source: e,
                    })?;
                if n == 0 {
                    return Ok(());
                }
                match tokio::time::timeout(timeout, data.write_all(&buf[..n])).await {
                    Err(_) => {
                        return Err(EngineError::Timeout {
                            phase: "sending data",
                            secs: timeout.as_secs(),
                        });
                    }
                    Ok(Err(e)) => return Err(EngineError::Network(e)),
                    Ok(Ok(())) => {}
                }
                sent += n as u64;
                if let Some(limit) = &self.config.upload_limit {
                    limit.take(n).await;
                }
                if let Some(event) = throttle.tick(&display, offset + sent, total, false) {
                    self.control.events.send(event);
                }
            }
        }
        .await;
        match outcome {
            Ok(()) => {
                // TLS close_notify, then our FIN, then read the server's side to
                // its end: closing with unread session tickets makes the kernel
                // send a reset that servers (vsftpd on TLS 1.3) take for an abort.
                let _ = tokio::time::timeout(timeout, data.shutdown()).await;
                if data.is_tls() {
                    let mut sink = [0u8; 4096];
                    let drain = async {
                        while let Ok(n) = data.read(&mut sink).await {
                            if n == 0 {
                                break;
                            }
                        }
                    };
                    let _ = tokio::time::timeout(timeout, drain).await;
                }
                drop(data);
                let reply = self.control.final_reply().await?;
                if !reply.is_success() {
                    return Err(transfer_failed(offset + sent, &reply));
                }
                if let Some(event) = throttle.tick(&display, offset + sent, total, true) {
                    self.control.events.send(event);
                }
                Ok(sent)
            }
            Err(EngineError::Cancelled) => {
                drop(data);
                self.abort().await?;
                Err(EngineError::Cancelled)
            }
            Err(e) => {
                drop(data);
                // The server's own account of the failure is the better message.
                match self.control.final_reply().await {
                    Ok(reply) if !reply.is_success() => Err(transfer_failed(offset + sent, &reply)),
                    _ => Err(e),
                }
            }
        }
    }

    /// Runs a data command and streams what arrives into `sink`, keeping an
    /// eye on the control connection for the final reply. Returns bytes received.
    pub(super) async fn receive<S: DataSink>(
        &mut self,
        command: &Command,
        rest: Option<u64>,
        sink: &mut S,
        expected: Option<u64>,
        display: &str,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let offset = rest.unwrap_or(0);
        let mut data = self.open_transfer(command, rest).await?;
        let timeout = self.config.timeout;
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
        let mut received: u64 = 0;
        let mut final_reply: Option<Reply> = None;
        let mut data_error: Option<std::io::Error> = None;
        let mut throttle = ProgressThrottle::new(offset);
        // Under a speed limit, reads are small: a read of everything the
        // socket holds (a megabyte on loopback) would arrive at once and
        // then wait, so progress would jump and a pause would come late.
        let limited = S::REPORTS_PROGRESS && self.config.download_limit.is_some();
        let mut scratch = if limited {
            vec![0u8; LIMITED_READ]
        } else {
            Vec::new()
        };
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => {
                    drop(data);
                    // Settle the control connection first, so a disk error
                    // below leaves it in sync; but what arrived is written
                    // whatever the abort gave, so a pause keeps every byte
                    // (a server that answers ABOR badly costs the
                    // connection, never the partial file).
                    let settled = if final_reply.is_none() {
                        self.abort().await
                    } else {
                        Ok(())
                    };
                    sink.write(&mut buf).await?;
                    sink.flush().await?;
                    settled?;
                    return Err(EngineError::Cancelled);
                }
                read = tokio::time::timeout(
                    timeout,
                    read_some(&mut data, &mut buf, limited.then_some(&mut scratch[..])),
                ) => {
                    match read {
                        Err(_) => {
                            drop(data);
                            sink.write(&mut buf).await?;
                            sink.flush().await?;
                            return Err(EngineError::Timeout {
                                phase: "receiving data",
                                secs: timeout.as_secs(),
                            });
                        }
                        Ok(Ok(0)) => break,
                        Ok(Ok(n)) => {
                            received += n as u64;
                            if S::REPORTS_PROGRESS
                                && let Some(limit) = &self.config.download_limit
                            {
                                // A pause or cancel does not wait out the limit.
                                tokio::select! {
                                    () = limit.take(n) => {}
                                    () = cancel.cancelled() => {}
                                }
                            }
                            if buf.len() >= S::HANDOFF
                                && let Err(e) = sink.write(&mut buf).await
                            {
                                // A full disk or a listing over its cap: stop the
                                // transfer and get the control connection back in
                                // sync before reporting it.
                                drop(data);
                                if final_reply.is_none() {
                                    self.abort().await?;
                                }
                                return Err(e);
                            }
                            if let Some(event) =
                                throttle.tick(display, offset + received, expected, false)
                                && S::REPORTS_PROGRESS
                            {
                                self.control.events.send(event);
                            }
                        }
                        Ok(Err(e)) => {
                            if data.is_tls() && e.kind() == std::io::ErrorKind::UnexpectedEof {
                                self.control.log(
                                    LogKind::Error,
                                    "The data connection ended without TLS close_notify: the transfer may be truncated",
                                );
                            }
                            data_error = Some(e);
                            break;
                        }
                    }
                }
                reply = self.control.read_reply_untimed(), if final_reply.is_none() => {
                    // The final reply often overtakes the last data bytes: keep
                    // draining. A further 1xx is only "still working".
                    let reply = reply?;
                    if !reply.is_preliminary() {
                        final_reply = Some(reply);
                    }
                }
            }
        }
        drop(data);
        let stored = async {
            sink.write(&mut buf).await?;
            sink.flush().await
        }
        .await;
        // The final reply is read whatever happened to the bytes, to stay in sync.
        let reply = match final_reply {
            Some(reply) => reply,
            None => self.control.final_reply().await?,
        };
        stored?;
        if !reply.is_success() {
            return Err(transfer_failed(offset + received, &reply));
        }
        if let Some(e) = data_error {
            // The server says "complete" but our side of the data connection broke.
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                return Err(EngineError::DataChannel(
                    "the data connection ended without TLS close_notify: possibly truncated"
                        .to_string(),
                ));
            }
            return Err(EngineError::Network(e));
        }
        if S::REPORTS_PROGRESS
            && let Some(event) = throttle.tick(display, offset + received, expected, true)
        {
            self.control.events.send(event);
        }
        Ok(received)
    }

    /// Opens a data connection and sends `command` (after `REST` when given),
    /// falling back once to the other data mode when this one cannot connect.
    async fn open_transfer(&mut self, command: &Command, rest: Option<u64>) -> Result<NetStream> {
        let mut mode = self.mode;
        let mut fell_back = false;
        loop {
            match self.try_open(mode, command, rest).await {
                Ok(stream) => {
                    if mode != self.mode {
                        self.control.log(
                            LogKind::Status,
                            format!("Using {} mode for this session", mode_name(mode)),
                        );
                        self.mode = mode;
                    }
                    return Ok(stream);
                }
                Err(DataFailure::Fatal(e)) => return Err(e),
                Err(DataFailure::Channel(why)) => {
                    if self.config.mode_fallback && !fell_back {
                        self.control.log(
                            LogKind::Warning,
                            format!(
                                "{} mode failed ({why}); falling back to {} mode",
                                mode_name(mode),
                                mode_name(mode.other())
                            ),
                        );
                        mode = mode.other();
                        fell_back = true;
                    } else {
                        return Err(channel_error(why));
                    }
                }
            }
        }
    }

    async fn try_open(
        &mut self,
        mode: DataMode,
        command: &Command,
        rest: Option<u64>,
    ) -> Result<NetStream, DataFailure> {
        let prep = match mode {
            DataMode::Passive => {
                prepare_passive(
                    &mut self.control,
                    &mut self.passive,
                    self.config.trust_pasv_address,
                )
                .await?
            }
            DataMode::Active => prepare_active(&mut self.control, &self.config.active).await?,
        };
        if let Some(offset) = rest {
            let rest_command = Command::Rest(offset);
            let reply = self
                .control
                .command(&rest_command)
                .await
                .map_err(DataFailure::Fatal)?;
            if reply.code != 350 {
                return Err(DataFailure::Fatal(
                    self.control.refused(&rest_command, &reply),
                ));
            }
        }
        let reply = self
            .control
            .command(command)
            .await
            .map_err(DataFailure::Fatal)?;
        if !reply.is_preliminary() {
            // 425: the server could not open or accept the data connection.
            if reply.code == 425 {
                return Err(DataFailure::Channel(self.control.refused(command, &reply)));
            }
            return Err(DataFailure::Fatal(self.control.refused(command, &reply)));
        }
        match prep.establish(&self.control).await {
            Ok(stream) => self.protect(stream).await.map_err(DataFailure::Fatal),
            Err(why) => {
                let why = EngineError::DataChannel(why);
                // The server is still trying; its 425 (or whatever comes) ends the command.
                let reply = self
                    .control
                    .final_reply()
                    .await
                    .map_err(DataFailure::Fatal)?;
                if reply.is_success() {
                    return Err(DataFailure::Fatal(why));
                }
                Err(DataFailure::Channel(why))
            }
        }
    }

    /// Runs the TLS handshake on a data connection when `PROT P` is in force,
    /// resuming the control connection's session.
    async fn protect(&mut self, tcp: TcpStream) -> Result<NetStream> {
        let tls = match (&self.tls, self.protect_data) {
            (Some(tls), true) => tls.clone(),
            _ => return Ok(NetStream::Plain(tcp)),
        };
        let timeout = self.config.timeout;
        match tokio::time::timeout(timeout, tls.connect(tcp, DATA_READ_BUFFER)).await {
            Ok(Ok(stream)) => {
                let (_, resumed) = describe(&stream);
                self.control.log(
                    LogKind::Status,
                    if resumed {
                        "TLS data connection established, session resumed"
                    } else {
                        "TLS data connection established, new session (not resumed)"
                    },
                );
                Ok(NetStream::Tls(Box::new(stream)))
            }
            result => {
                let why = match result {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("timed out after {} s", timeout.as_secs()),
                };
                // The server ends the command with its own error; read it to stay in sync.
                if let Ok(reply) = self.control.final_reply().await {
                    return Err(EngineError::Tls(format!(
                        "data connection: {why} (server: {} {})",
                        reply.code,
                        reply.message()
                    )));
                }
                Err(EngineError::Tls(format!("data connection: {why}")))
            }
        }
    }

    /// Aborts a running transfer and gets the control connection back in sync.
    ///
    /// Servers answer ABOR with 426 then 226, 226 then 426, 225 alone, or a
    /// late 226 for a transfer that had just finished. Rather than guess how
    /// many replies will come, Skiff sends `PWD` after `ABOR` and reads until
    /// its 257, which nothing in the abort exchange can be mistaken for.
    pub async fn abort(&mut self) -> Result<()> {
        self.control.send(&Command::Abor).await?;
        self.control.send(&Command::Pwd).await?;
        for _ in 0..8 {
            let reply = self.control.read_reply().await?;
            if reply.code == 257 {
                self.control.log(LogKind::Status, "Transfer aborted");
                return Ok(());
            }
        }
        Err(EngineError::DataChannel(
            "the server did not settle after ABOR".to_string(),
        ))
    }
}

/// The bytes of a limited read: at most this many per read.
const LIMITED_READ: usize = 64 * 1024;

/// Reads what `data` has into `buf`'s free capacity; with a `scratch`
/// buffer (a speed limit), at most its size, through it. Cancel-safe: a
/// read dropped before it completes (a pause) leaves `buf` as it was.
async fn read_some(
    data: &mut NetStream,
    buf: &mut Vec<u8>,
    scratch: Option<&mut [u8]>,
) -> std::io::Result<usize> {
    let Some(scratch) = scratch else {
        return data.read_buf(buf).await;
    };
    let n = data.read(scratch).await?;
    buf.extend_from_slice(&scratch[..n]);
    Ok(n)
}

fn mode_name(mode: DataMode) -> &'static str {
    match mode {
        DataMode::Passive => "passive",
        DataMode::Active => "active",
    }
}

/// The error for a transfer the server ended with an error reply; the bytes
/// that arrived are in the message. Returned, not logged: whoever shows the
/// error logs it, once.
fn transfer_failed(got: u64, reply: &Reply) -> EngineError {
    EngineError::TransferFailed {
        got,
        code: reply.code,
        message: reply.message(),
    }
}

/// Where received data goes.
pub(super) trait DataSink {
    /// Whether bytes received count as transfer progress.
    const REPORTS_PROGRESS: bool;
    /// Bytes gathered before they are handed over: large for files (few
    /// system calls), small for listings, whose parsing then keeps pace with
    /// the transfer instead of starting on its last half megabyte at the end.
    const HANDOFF: usize = CHUNK / 2;
    /// Takes `buf`'s bytes and leaves it empty.
    async fn write(&mut self, buf: &mut Vec<u8>) -> Result<()>;
    /// Waits until everything taken is stored.
    async fn flush(&mut self) -> Result<()>;
}

struct WriterSink<'a, W> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin> DataSink for WriterSink<'_, W> {
    const REPORTS_PROGRESS: bool = true;

    async fn write(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        let written = self.writer.write_all(buf).await;
        buf.clear();
        written.map_err(local_write_error)
    }

    async fn flush(&mut self) -> Result<()> {
        self.writer.flush().await.map_err(local_write_error)
    }
}

/// A file written by a thread of its own ([`FileWriter`]).
struct FileSink(FileWriter);

impl DataSink for FileSink {
    const REPORTS_PROGRESS: bool = true;

    async fn write(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        self.0.write(buf).await.map_err(local_write_error)
    }

    async fn flush(&mut self) -> Result<()> {
        self.0.finish().await.map_err(local_write_error)
    }
}

fn local_write_error(source: std::io::Error) -> EngineError {
    EngineError::Local {
        path: "local file".into(),
        source,
    }
}

/// How many names that do not decode a listing keeps for the charset hint.
const MAX_FOREIGN_NAMES: usize = 1000;

/// Feeds a listing's bytes to its parser as they arrive and hands each
/// parsed entry on at once (its time shifted, its name decoded), so a
/// listing is never held whole unless the caller keeps it.
pub(super) struct ListingSink<'a> {
    pub(super) parser: Option<ListingParser>,
    pub(super) charset: Charset,
    /// Minutes added to listed times (a `LIST` in the server's zone).
    pub(super) shift: i32,
    /// Names that do not decode in `charset` (at most [`MAX_FOREIGN_NAMES`]).
    pub(super) foreign: Vec<Vec<u8>>,
    /// Entries handed on so far.
    pub(super) delivered: usize,
    pub(super) each: &'a mut (dyn FnMut(RemoteEntry) + Send),
}

impl ListingSink<'_> {
    /// Hands `entries` on, in order.
    pub(super) fn deliver(&mut self, entries: Vec<ListEntry>) {
        for mut entry in entries {
            if self.shift != 0 {
                entry.modified = entry.modified.map(|t| super::shift_time(t, self.shift));
            }
            let entry = RemoteEntry::decoded(entry, self.charset);
            if entry.text().is_none() && self.foreign.len() < MAX_FOREIGN_NAMES {
                self.foreign.push(entry.entry.name.clone());
            }
            self.delivered += 1;
            (self.each)(entry);
        }
    }
}

impl DataSink for ListingSink<'_> {
    const REPORTS_PROGRESS: bool = false;
    const HANDOFF: usize = 64 * 1024;

    async fn write(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        let fed = match self.parser.as_mut() {
            Some(parser) => parser.feed(buf).map(|()| parser.take_entries()),
            None => Ok(Vec::new()),
        };
        buf.clear();
        self.deliver(fed?);
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}
