//! The control connection: one socket, one read buffer, one reply decoder.
//!
//! It sends commands and reads replies, logging each (secrets masked), and
//! puts an idle timeout on every wait. It knows nothing of logins or files.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::certs::TlsInfo;
use super::charset::Charset;
use super::error::{EngineError, Result};
use super::event::{EventSink, LogKind};
use super::tls::{CONTROL_READ_BUFFER, NetStream, TlsContext, describe};
use crate::protocol::reply::discard;
use crate::protocol::{Command, Reply, ReplyDecoder, ReplyLimits};

/// An open control connection.
#[derive(Debug)]
pub(crate) struct Control {
    stream: NetStream,
    buf: BytesMut,
    decoder: ReplyDecoder,
    pub(crate) timeout: Duration,
    pub(crate) conn: u64,
    pub(crate) events: EventSink,
    pub(crate) charset: Charset,
    pub(crate) peer: SocketAddr,
    pub(crate) local: SocketAddr,
}

impl Control {
    /// Connects to `host:port` and returns the connection (the greeting is not read yet).
    pub(crate) async fn connect(
        host: &str,
        port: u16,
        timeout: Duration,
        conn: u64,
        events: EventSink,
    ) -> Result<Self> {
        let target = format!("{host}:{port}");
        events.log(conn, LogKind::Status, format!("Connecting to {target}"));
        let stream = tokio::time::timeout(timeout, TcpStream::connect(&target))
            .await
            .map_err(|_| EngineError::Timeout {
                phase: "connecting",
                secs: timeout.as_secs(),
            })?
            .map_err(|source| EngineError::Connect {
                host: target.clone(),
                source,
            })?;
        stream.set_nodelay(true).map_err(EngineError::Network)?;
        let peer = stream.peer_addr().map_err(EngineError::Network)?;
        let local = stream.local_addr().map_err(EngineError::Network)?;
        events.log(conn, LogKind::Status, format!("Connected to {peer}"));
        Ok(Self {
            stream: NetStream::Plain(stream),
            buf: BytesMut::with_capacity(8 * 1024),
            decoder: ReplyDecoder::new(ReplyLimits::default()),
            timeout,
            conn,
            events,
            charset: Charset::utf8(),
            peer,
            local,
        })
    }

    /// Whether TLS protects the control connection.
    pub(crate) fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// Upgrades the connection to TLS (after `AUTH TLS`, or at once for implicit FTPS).
    pub(crate) async fn start_tls(&mut self, tls: &TlsContext) -> Result<TlsInfo> {
        // Bytes buffered now came before the handshake: they must never be read
        // as replies (a man in the middle could have injected them).
        if !self.buf.is_empty() {
            self.log(
                LogKind::Warning,
                format!(
                    "Discarded {} bytes the server sent before TLS started",
                    self.buf.len()
                ),
            );
        }
        discard(&mut self.buf);
        self.decoder.reset();
        let NetStream::Plain(tcp) = std::mem::replace(&mut self.stream, NetStream::Detached) else {
            return Err(EngineError::Tls(
                "the connection is not plain TCP".to_string(),
            ));
        };
        self.log(LogKind::Status, "Starting TLS");
        let stream = tokio::time::timeout(self.timeout, tls.connect(tcp, CONTROL_READ_BUFFER))
            .await
            .map_err(|_| EngineError::Timeout {
                phase: "negotiating TLS",
                secs: self.timeout.as_secs(),
            })??;
        let (info, _) = describe(&stream);
        self.stream = NetStream::Tls(Box::new(stream));
        self.log(
            LogKind::Status,
            format!(
                "TLS connection established: {}, {}",
                info.version, info.cipher
            ),
        );
        Ok(info)
    }

    /// Logs a line on this connection.
    pub(crate) fn log(&self, kind: LogKind, text: impl Into<String>) {
        self.events.log(self.conn, kind, text);
    }

    /// Sends one command.
    pub(crate) async fn send(&mut self, command: &Command) -> Result<()> {
        self.send_batch(std::slice::from_ref(command)).await
    }

    /// Sends several commands in one write: pipelining, which RFC 959
    /// allows (a server reads commands in order and answers each in turn),
    /// and which saves a round trip per command. Every command must encode.
    pub(crate) async fn send_batch(&mut self, commands: &[Command]) -> Result<()> {
        let mut bytes = Vec::new();
        let charset = self.charset;
        for command in commands {
            bytes.extend_from_slice(&command.encode()?);
            self.log(LogKind::Command, command.log_text(|b| charset.decode(b)));
        }
        let write = async {
            self.stream.write_all(&bytes).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(self.timeout, write).await {
            Err(_) => Err(EngineError::Timeout {
                phase: "sending a command",
                secs: self.timeout.as_secs(),
            }),
            Ok(Err(e)) => Err(EngineError::Network(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Reads the next reply, waiting at most the idle timeout.
    pub(crate) async fn read_reply(&mut self) -> Result<Reply> {
        let timeout = self.timeout;
        match tokio::time::timeout(timeout, self.read_reply_untimed()).await {
            Ok(result) => result,
            Err(_) => Err(EngineError::Timeout {
                phase: "waiting for the server's reply",
                secs: timeout.as_secs(),
            }),
        }
    }

    /// Reads the next reply with no timeout of its own. Cancel-safe: bytes
    /// read before a cancellation stay buffered for the next call.
    pub(crate) async fn read_reply_untimed(&mut self) -> Result<Reply> {
        loop {
            if let Some(reply) = self.decoder.decode(&mut self.buf)? {
                let charset = self.charset;
                for line in &reply.lines {
                    self.log(LogKind::Reply, charset.decode(line));
                }
                return Ok(reply);
            }
            let n = self
                .stream
                .read_buf(&mut self.buf)
                .await
                .map_err(EngineError::Network)?;
            if n == 0 {
                // Returned, not logged: whoever shows the error logs it, once.
                return Err(EngineError::Closed);
            }
        }
    }

    /// Sends a command and reads its reply: the first one for a command that
    /// opens a data connection (its 1xx says the data is coming), the final
    /// one for any other. RFC 959 allows a 1xx before the final reply of every
    /// command, so such a "wait" is logged and skipped; the whole wait is
    /// bounded by one idle timeout, however many 1xx lines trickle in.
    pub(crate) async fn command(&mut self, command: &Command) -> Result<Reply> {
        self.send(command).await?;
        if command.opens_data() {
            return self.read_reply().await;
        }
        self.final_reply().await
    }

    /// Reads replies until one that is not 1xx, all within one idle timeout.
    pub(crate) async fn final_reply(&mut self) -> Result<Reply> {
        let timeout = self.timeout;
        let wait = async {
            loop {
                let reply = self.read_reply_untimed().await?;
                if !reply.is_preliminary() {
                    return Ok(reply);
                }
            }
        };
        match tokio::time::timeout(timeout, wait).await {
            Ok(result) => result,
            Err(_) => Err(EngineError::Timeout {
                phase: "waiting for the server's reply",
                secs: timeout.as_secs(),
            }),
        }
    }

    /// Sends a command and requires a reply of class 2 (or 3 where `intermediate_ok`).
    pub(crate) async fn expect_ok(&mut self, command: &Command) -> Result<Reply> {
        let reply = self.command(command).await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(self.refused(command, &reply))
        }
    }

    /// The error for a refused command, with the command as logged.
    pub(crate) fn refused(&self, command: &Command, reply: &Reply) -> EngineError {
        let charset = self.charset;
        EngineError::Refused {
            command: command.log_text(|b| charset.decode(b)),
            code: reply.code,
            message: charset.decode(reply.first_text()).trim().to_string(),
        }
    }

    /// Closes the socket without QUIT (used when the connection is broken).
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stream.shutdown().await;
    }
}
