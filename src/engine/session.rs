//! A logged-in FTP session on one control connection.
//!
//! It owns the control connection and opens data connections as commands need
//! them. Every wait is bounded by the site's idle timeout. A transfer succeeds
//! only when the server confirmed it and every expected byte arrived; anything
//! less is an error, and the bytes that did arrive are left with the caller.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::certs::{Encryption, TlsInfo};
use super::charset::Charset;
use super::config::{CharsetChoice, DataMode, SessionConfig};
use super::control::Control;
use super::data::{DataFailure, PassiveState, prepare_active, prepare_passive};
use super::disk::FileWriter;
use super::entry::{RemoteEntry, RemoteListing};
use super::error::{EngineError, Result};
use super::event::{EventSink, LogKind, ProgressThrottle, next_conn_id};
use super::tls::{DATA_READ_BUFFER, NetStream, TlsContext, describe};
use crate::protocol::listing::{
    ListContext, ListFormat, ListTime, ListingParser, ServerType, TimePrecision,
};
use crate::protocol::{Command, Features, ProtectionLevel, Reply, TransferType, path};

/// Bytes gathered from a data connection before they are handed on; large,
/// so a disk write or parser call happens a few hundred times per GiB.
const CHUNK: usize = 1024 * 1024;

/// The security note of a server that offered TLS before and refuses it now.
const NOTE_TLS_GONE: &str = "This server offered TLS before and refuses it now: someone may be \
     tampering with the connection. Continuing without TLS";

/// The security note of a server that does not offer TLS to a login with a password.
const NOTE_NO_TLS: &str =
    "The server does not offer TLS: the password and files are sent in clear text";

/// Whether a log line is one of the security notes that
/// [`Session::security_notes`] also returns, so a front end that shows those
/// once can leave the log's copies out.
pub fn is_security_note(text: &str) -> bool {
    text == NOTE_TLS_GONE || text == NOTE_NO_TLS
}

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

/// A logged-in session.
#[derive(Debug)]
pub struct Session {
    control: Control,
    config: SessionConfig,
    features: Features,
    mode: DataMode,
    passive: PassiveState,
    use_mlsd: bool,
    server_type: ServerType,
    transfer_type: Option<TransferType>,
    tls: Option<TlsContext>,
    tls_info: Option<TlsInfo>,
    protect_data: bool,
    security_notes: Vec<String>,
}

impl Session {
    /// Takes this logged-in session over for `owner`: its speed limiters
    /// and its event sink from now on (the transfer queue adopting a
    /// connection a front end opened, so it need not log in again).
    pub(crate) fn adopt(&mut self, owner: &SessionConfig, events: EventSink) {
        self.config.download_limit = owner.download_limit.clone();
        self.config.upload_limit = owner.upload_limit.clone();
        self.config.max_connections = owner.max_connections;
        self.control.events = events;
    }

    /// Connects and logs in: greeting, USER/PASS(/ACCT), SYST, FEAT,
    /// `OPTS UTF8 ON` when offered, `TYPE I`.
    pub async fn connect(config: SessionConfig, events: EventSink) -> Result<Self> {
        let conn = next_conn_id();
        let tls = match config.encryption {
            Encryption::Plain => None,
            _ => Some(TlsContext::new(&config.host, &config.tls)?),
        };
        let control =
            Control::connect(&config.host, config.port, config.timeout, conn, events).await?;
        let mut session = Self {
            control,
            mode: config.data_mode,
            config,
            features: Features::default(),
            passive: PassiveState::default(),
            use_mlsd: false,
            server_type: ServerType::Auto,
            transfer_type: None,
            tls,
            tls_info: None,
            protect_data: false,
            security_notes: Vec::new(),
        };
        match session.login().await {
            Ok(()) => Ok(session),
            Err(e) => {
                session.control.log(LogKind::Error, e.to_string());
                session.control.shutdown().await;
                Err(e)
            }
        }
    }

    async fn login(&mut self) -> Result<()> {
        if self.config.encryption == Encryption::RequireImplicit {
            let tls = self.tls.clone().ok_or(EngineError::Closed)?;
            self.tls_info = Some(self.control.start_tls(&tls).await?);
        }
        let greeting = self.control.final_reply().await?;
        if !greeting.is_success() {
            return Err(login_refused(&greeting));
        }
        self.negotiate_tls().await?;
        let credentials = self.config.credentials.clone();
        let mut reply = self
            .control
            .command(&Command::User(credentials.user.clone()))
            .await?;
        if reply.code == 331 {
            reply = self
                .control
                .command(&Command::Pass(credentials.password.clone()))
                .await?;
        }
        if reply.code == 332 {
            let account = credentials.account.ok_or(EngineError::AccountRequired)?;
            reply = self.control.command(&Command::Acct(account)).await?;
        }
        if !reply.is_success() {
            return Err(login_refused(&reply));
        }
        // SYST informs the listing parser's guess when the site sets no type.
        let syst = self.control.command(&Command::Syst).await?;
        self.server_type = match self.config.server_type {
            ServerType::Auto if syst.is_success() => server_type_from_syst(syst.first_text()),
            chosen => chosen,
        };
        let feat = self.control.command(&Command::Feat).await?;
        self.features = Features::parse(&feat);
        self.use_mlsd = self.features.has("MLST") || self.features.has("MLSD");
        let charset = match self.config.charset {
            CharsetChoice::Auto => {
                if self.features.has("UTF8") {
                    // Some servers need it, others refuse it; UTF-8 is used either way.
                    self.control.command(&Command::OptsUtf8On).await?;
                }
                Charset::utf8()
            }
            CharsetChoice::Named(encoding) => Charset::new(encoding),
        };
        self.control.charset = charset;
        if self.control.is_tls() {
            self.control.expect_ok(&Command::Pbsz).await?;
            self.control
                .expect_ok(&Command::Prot(ProtectionLevel::Private))
                .await?;
            self.protect_data = true;
        }
        self.set_type(TransferType::Binary).await?;
        self.control.log(LogKind::Status, "Logged in");
        Ok(())
    }

    /// `AUTH TLS` for the explicit modes. "Require" never gets past a refusal,
    /// so no user name or password is ever sent in clear.
    async fn negotiate_tls(&mut self) -> Result<()> {
        let anonymous = self.config.credentials.user == "anonymous";
        match self.config.encryption {
            Encryption::RequireImplicit => return Ok(()),
            Encryption::Plain => {
                if !anonymous {
                    self.note("Plain FTP: the password and files are sent in clear text");
                }
                return Ok(());
            }
            Encryption::ExplicitIfAvailable | Encryption::RequireExplicit => {}
        }
        let reply = self.control.command(&Command::AuthTls).await?;
        if reply.code == 234 {
            let tls = self.tls.clone().ok_or(EngineError::Closed)?;
            self.tls_info = Some(self.control.start_tls(&tls).await?);
            return Ok(());
        }
        if self.config.encryption == Encryption::RequireExplicit {
            return Err(EngineError::TlsRefused {
                code: reply.code,
                message: reply.message(),
            });
        }
        if self.config.tls.offered_before {
            self.note(NOTE_TLS_GONE);
        } else if !anonymous {
            self.note(NOTE_NO_TLS);
        }
        Ok(())
    }

    fn note(&mut self, text: &'static str) {
        self.control.log(LogKind::Warning, text);
        self.security_notes.push(text.to_string());
    }

    /// Security warnings from connecting (clear-text password, lost TLS), for the user.
    pub fn security_notes(&self) -> &[String] {
        &self.security_notes
    }

    /// The control connection's TLS version and cipher, when encrypted.
    pub fn tls_info(&self) -> Option<&TlsInfo> {
        self.tls_info.as_ref()
    }

    /// Whether data connections are protected (`PROT P`).
    pub fn data_protected(&self) -> bool {
        self.protect_data
    }

    /// The features the server announced.
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// The listing format family in use (the site's choice, or SYST's).
    pub fn server_type(&self) -> ServerType {
        self.server_type
    }

    /// The charset of remote names.
    pub fn charset(&self) -> Charset {
        self.control.charset
    }

    /// The data mode in use (after any fallback).
    pub fn data_mode(&self) -> DataMode {
        self.mode
    }

    /// This connection's number in the log.
    pub fn conn_id(&self) -> u64 {
        self.control.conn
    }

    /// The config this session was opened with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Encodes a user-typed path in the site's charset.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>> {
        self.control.charset.encode(text)
    }

    /// Decodes server bytes for display.
    pub fn decode(&self, bytes: &[u8]) -> String {
        self.control.charset.decode(bytes)
    }

    async fn set_type(&mut self, kind: TransferType) -> Result<()> {
        if self.transfer_type != Some(kind) {
            self.control.expect_ok(&Command::Type(kind)).await?;
            self.transfer_type = Some(kind);
        }
        Ok(())
    }

    /// `PWD`: the current remote folder.
    pub async fn pwd(&mut self) -> Result<Vec<u8>> {
        let reply = self.control.expect_ok(&Command::Pwd).await?;
        Ok(path::parse_257(reply.first_text())?)
    }

    /// `CWD`: changes the remote folder.
    pub async fn cwd(&mut self, dir: &[u8]) -> Result<()> {
        self.control.expect_ok(&Command::Cwd(dir.to_vec())).await?;
        Ok(())
    }

    /// `CDUP`: goes to the parent folder.
    pub async fn cdup(&mut self) -> Result<()> {
        self.control.expect_ok(&Command::Cdup).await?;
        Ok(())
    }

    /// `SIZE`: the size of a file, or `None` when the server will not say.
    pub async fn size(&mut self, file: &[u8]) -> Result<Option<u64>> {
        let reply = self.control.command(&Command::Size(file.to_vec())).await?;
        Ok(if reply.code == 213 {
            path::parse_size(reply.first_text())
        } else {
            None
        })
    }

    /// `MDTM`: the modification time (UTC) of a file, or `None`.
    pub async fn mdtm(&mut self, file: &[u8]) -> Result<Option<chrono::NaiveDateTime>> {
        let reply = self.control.command(&Command::Mdtm(file.to_vec())).await?;
        Ok(if reply.code == 213 {
            path::parse_mdtm(reply.first_text())
        } else {
            None
        })
    }

    /// `MFMT`: sets a remote file's modification time (UTC) when the server
    /// offers it in FEAT; returns whether it was set.
    pub async fn mfmt(&mut self, file: &[u8], time: chrono::NaiveDateTime) -> Result<bool> {
        if !self.features.has("MFMT") {
            return Ok(false);
        }
        let reply = self
            .control
            .command(&Command::Mfmt(time, file.to_vec()))
            .await?;
        Ok(reply.is_success())
    }

    /// `MKD`: creates a folder.
    pub async fn mkdir(&mut self, dir: &[u8]) -> Result<()> {
        self.control.expect_ok(&Command::Mkd(dir.to_vec())).await?;
        Ok(())
    }

    /// `RMD`: removes an empty folder.
    pub async fn rmdir(&mut self, dir: &[u8]) -> Result<()> {
        self.control.expect_ok(&Command::Rmd(dir.to_vec())).await?;
        Ok(())
    }

    /// `DELE`: deletes a file.
    pub async fn delete(&mut self, file: &[u8]) -> Result<()> {
        self.control
            .expect_ok(&Command::Dele(file.to_vec()))
            .await?;
        Ok(())
    }

    /// `RNFR` + `RNTO`: renames or moves.
    pub async fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<()> {
        let rnfr = Command::Rnfr(from.to_vec());
        let reply = self.control.command(&rnfr).await?;
        if reply.code != 350 {
            return Err(self.control.refused(&rnfr, &reply));
        }
        self.control.expect_ok(&Command::Rnto(to.to_vec())).await?;
        Ok(())
    }

    /// `NOOP`: keeps the connection alive and proves it is in sync.
    pub async fn noop(&mut self) -> Result<()> {
        self.control.expect_ok(&Command::Noop).await?;
        Ok(())
    }

    /// `QUIT`, then closes the connection.
    pub async fn quit(mut self) {
        let _ = self.control.command(&Command::Quit).await;
        self.control.shutdown().await;
    }

    /// Lists a folder (the current one when `dir` is `None`): `CWD` there, then
    /// MLSD where offered, else LIST. The session stays in that folder.
    pub async fn list(&mut self, dir: Option<&[u8]>) -> Result<RemoteListing> {
        if let Some(dir) = dir {
            self.cwd(dir).await?;
        }
        let today = chrono::Local::now().date_naive();
        if self.use_mlsd {
            match self.list_with(ListFormat::Mlsd, today).await {
                Err(EngineError::Refused { code, .. }) if (500..=504).contains(&code) => {
                    self.control
                        .log(LogKind::Status, "MLSD refused; using LIST from now on");
                    self.use_mlsd = false;
                }
                other => return other,
            }
        }
        self.list_with(ListFormat::List, today).await
    }

    async fn list_with(
        &mut self,
        format: ListFormat,
        today: chrono::NaiveDate,
    ) -> Result<RemoteListing> {
        let command = match format {
            ListFormat::Mlsd => Command::Mlsd(None),
            ListFormat::List => Command::List(None),
        };
        // Listings are text, but ASCII mode would rewrite names' bytes on some servers.
        self.set_type(TransferType::Binary).await?;
        let parser = ListingParser::new(format, ListContext { today })
            .with_max_entries(self.config.max_listing_entries)
            .with_server_type(self.server_type);
        let mut sink = ListingSink {
            parser: Some(parser),
        };
        let token = CancellationToken::new();
        self.receive(&command, None, &mut sink, None, "", &token)
            .await?;
        let listing = sink.parser.take().ok_or(EngineError::Cancelled)?.finish()?;
        let charset = self.control.charset;
        for line in listing.skipped.iter().take(10) {
            self.control.log(
                LogKind::Warning,
                format!("Unparsed listing line: {}", charset.decode(line)),
            );
        }
        if listing.entries.is_empty() && !listing.skipped.is_empty() {
            self.control.log(
                LogKind::Error,
                format!(
                    "None of the {} listing lines could be parsed",
                    listing.skipped.len()
                ),
            );
        }
        let shift = match format {
            ListFormat::List => self.config.timezone_offset_minutes,
            ListFormat::Mlsd => 0,
        };
        let entries: Vec<RemoteEntry> = listing
            .entries
            .into_iter()
            .map(|mut entry| {
                if shift != 0 {
                    entry.modified = entry.modified.map(|t| shift_time(t, shift));
                }
                RemoteEntry {
                    name: charset.decode(&entry.name),
                    text: charset.decode_exact(&entry.name),
                    entry,
                }
            })
            .collect();
        if matches!(self.config.charset, CharsetChoice::Auto) {
            self.suggest_charset(&entries);
        }
        Ok(RemoteListing {
            entries,
            skipped_lines: listing.skipped.len(),
        })
    }

    /// With no charset chosen for the site, names that are not UTF-8 are shown
    /// with `\xNN` escapes (and still sent back as the exact bytes): the log
    /// says so once per listing and names the legacy charset they most likely
    /// are in (chardetng, Firefox's detector, fed only those names).
    fn suggest_charset(&self, entries: &[RemoteEntry]) {
        let foreign: Vec<&[u8]> = entries
            .iter()
            .filter(|e| e.text.is_none())
            .map(|e| &e.entry.name[..])
            .collect();
        if foreign.is_empty() {
            return;
        }
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        for name in &foreign {
            detector.feed(name, false);
            detector.feed(b"\n", false);
        }
        detector.feed(b"", true);
        let likely = detector.guess(None, chardetng::Utf8Detection::Deny);
        let count = foreign.len();
        let names = if count == 1 { "name is" } else { "names are" };
        self.control.log(
            LogKind::Warning,
            format!(
                "{count} {names} not valid UTF-8 and shown with \\x escapes; they look like {}: set the site's charset to read them",
                likely.name()
            ),
        );
    }

    /// Downloads `remote` into `sink`, starting at byte `offset` (REST) when it
    /// is not zero. `expected` is the full size when known (from a listing or
    /// SIZE): a transfer that ends with fewer bytes is an error, never success.
    /// Returns the bytes received in this call.
    pub async fn download<W: AsyncWrite + Unpin>(
        &mut self,
        remote: &[u8],
        sink: &mut W,
        offset: u64,
        expected: Option<u64>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        self.download_as(TransferType::Binary, remote, sink, offset, expected, cancel)
            .await
    }

    /// [`Session::download`] in a chosen representation type: `TYPE A` for
    /// text files the server converts (callers then pass neither an offset nor
    /// an expected size: converted bytes do not match the server's count).
    pub async fn download_as<W: AsyncWrite + Unpin>(
        &mut self,
        kind: TransferType,
        remote: &[u8],
        sink: &mut W,
        offset: u64,
        expected: Option<u64>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let mut sink = WriterSink { writer: sink };
        self.download_into(kind, remote, &mut sink, offset, expected, cancel)
            .await
    }

    /// [`Session::download_as`] into `file` at its current position, written
    /// by a thread of its own so the network is read while the disk writes.
    /// Every byte received is in the file when this returns, error or not.
    pub async fn download_to_file(
        &mut self,
        kind: TransferType,
        remote: &[u8],
        file: std::fs::File,
        offset: u64,
        expected: Option<u64>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        let mut sink = FileSink(FileWriter::new(file));
        let result = self
            .download_into(kind, remote, &mut sink, offset, expected, cancel)
            .await;
        // Already flushed on every path that got that far; this only waits.
        let stored = sink.flush().await;
        let got = result?;
        stored?;
        Ok(got)
    }

    async fn download_into<S: DataSink>(
        &mut self,
        kind: TransferType,
        remote: &[u8],
        sink: &mut S,
        offset: u64,
        expected: Option<u64>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
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
            self.control.log(
                LogKind::Error,
                format!("Size mismatch: got {total} of {expected} bytes"),
            );
            return Err(EngineError::Truncated {
                expected,
                got: total,
            });
        }
        Ok(got)
    }

    /// Uploads everything `source` yields to `remote`.
    pub async fn upload<R: AsyncRead + Unpin>(
        &mut self,
        source: &mut R,
        remote: &[u8],
        start: UploadStart,
        total: Option<u64>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
        self.upload_as(TransferType::Binary, source, remote, start, total, cancel)
            .await
    }

    /// [`Session::upload`] in a chosen representation type (`TYPE A`: the
    /// server converts line endings; such an upload always starts fresh).
    pub async fn upload_as<R: AsyncRead + Unpin>(
        &mut self,
        kind: TransferType,
        source: &mut R,
        remote: &[u8],
        start: UploadStart,
        total: Option<u64>,
        cancel: &CancellationToken,
    ) -> Result<u64> {
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
                    return Err(transfer_failed(&self.control, offset + sent, &reply));
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
                    Ok(reply) if !reply.is_success() => {
                        Err(transfer_failed(&self.control, offset + sent, &reply))
                    }
                    _ => Err(e),
                }
            }
        }
    }

    /// Runs a data command and streams what arrives into `sink`, keeping an
    /// eye on the control connection for the final reply. Returns bytes received.
    async fn receive<S: DataSink>(
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
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => {
                    drop(data);
                    // Settle the control connection first, so any error below leaves it in sync.
                    if final_reply.is_none() {
                        self.abort().await?;
                    }
                    sink.write(&mut buf).await?;
                    sink.flush().await?;
                    return Err(EngineError::Cancelled);
                }
                read = tokio::time::timeout(timeout, data.read_buf(&mut buf)) => {
                    match read {
                        Err(_) => {
                            drop(data);
                            sink.write(&mut buf).await?;
                            sink.flush().await?;
                            self.control.log(LogKind::Error, "Data connection timed out");
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
                                limit.take(n).await;
                            }
                            if buf.len() >= CHUNK / 2
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
            return Err(transfer_failed(&self.control, offset + received, &reply));
        }
        if let Some(e) = data_error {
            // The server says "complete" but our side of the data connection broke.
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                return Err(EngineError::DataChannel(
                    "the data connection ended without TLS close_notify: possibly truncated"
                        .to_string(),
                ));
            }
            self.control
                .log(LogKind::Error, format!("Data connection error: {e}"));
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
                        self.control.log(LogKind::Error, why.clone());
                        return Err(EngineError::DataChannel(why));
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
                return Err(DataFailure::Channel(format!(
                    "{} {}",
                    reply.code,
                    reply.message()
                )));
            }
            return Err(DataFailure::Fatal(self.control.refused(command, &reply)));
        }
        match prep.establish(&self.control).await {
            Ok(stream) => self.protect(stream).await.map_err(DataFailure::Fatal),
            Err(why) => {
                // The server is still trying; its 425 (or whatever comes) ends the command.
                let reply = self
                    .control
                    .final_reply()
                    .await
                    .map_err(DataFailure::Fatal)?;
                if reply.is_success() {
                    return Err(DataFailure::Fatal(EngineError::DataChannel(why)));
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
                self.control.log(
                    LogKind::Error,
                    format!("TLS on the data connection failed: {why}"),
                );
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

/// A `LIST` time moved by the site's timezone offset. A date without a time
/// of day stays as it is: shifting midnight by hours would invent a time.
fn shift_time(time: ListTime, minutes: i32) -> ListTime {
    if time.precision == TimePrecision::Day {
        return time;
    }
    let at = time
        .at
        .checked_add_signed(chrono::TimeDelta::minutes(i64::from(minutes)))
        .unwrap_or(time.at);
    ListTime { at, ..time }
}

/// The listing family a SYST reply names, for the systems whose listings
/// cannot be told apart line by line; anything else stays `Auto`.
fn server_type_from_syst(text: &[u8]) -> ServerType {
    let text = String::from_utf8_lossy(text).to_ascii_uppercase();
    if text.starts_with("VMS") {
        ServerType::Vms
    } else if text.starts_with("MVS") || text.contains("Z/OS") {
        ServerType::Mvs
    } else if text.starts_with("VM/") || text.starts_with("Z/VM") || text.starts_with("VM ") {
        ServerType::ZVm
    } else if text.starts_with("NONSTOP") || text.contains("TANDEM") {
        ServerType::HpNonStop
    } else {
        ServerType::Auto
    }
}

fn mode_name(mode: DataMode) -> &'static str {
    match mode {
        DataMode::Passive => "passive",
        DataMode::Active => "active",
    }
}

fn login_refused(reply: &Reply) -> EngineError {
    EngineError::LoginRefused {
        code: reply.code,
        message: reply.message(),
    }
}

fn transfer_failed(control: &Control, got: u64, reply: &Reply) -> EngineError {
    control.log(
        LogKind::Error,
        format!("Transfer failed after {got} bytes: {}", reply.message()),
    );
    EngineError::TransferFailed {
        got,
        code: reply.code,
        message: reply.message(),
    }
}

/// Where received data goes.
trait DataSink {
    /// Whether bytes received count as transfer progress.
    const REPORTS_PROGRESS: bool;
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

struct ListingSink {
    parser: Option<ListingParser>,
}

impl DataSink for ListingSink {
    const REPORTS_PROGRESS: bool = false;

    async fn write(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        let fed = match self.parser.as_mut() {
            Some(parser) => parser.feed(buf),
            None => Ok(()),
        };
        buf.clear();
        Ok(fed?)
    }

    async fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The default idle timeout (FileZilla's).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn the_timezone_offset_moves_list_times_but_not_bare_dates() {
        let minute = ListTime {
            at: at("2026-01-01 00:30"),
            precision: TimePrecision::Minute,
        };
        // A server two hours east of UTC prints 00:30 for 22:30 UTC the day before.
        let moved = shift_time(minute, -120);
        assert_eq!(moved.at, at("2025-12-31 22:30"));
        assert_eq!(moved.precision, TimePrecision::Minute);
        assert_eq!(shift_time(minute, 90).at, at("2026-01-01 02:00"));
        let day = ListTime {
            at: at("2020-05-01 00:00"),
            precision: TimePrecision::Day,
        };
        assert_eq!(shift_time(day, -120), day);
    }
}
