//! A logged-in FTP session on one control connection: [`FtpSession`], the
//! FTP side of [`super::session::Session`].
//!
//! It owns the control connection and opens data connections as commands need
//! them. Every wait is bounded by the site's idle timeout. A transfer succeeds
//! only when the server confirmed it and every expected byte arrived; anything
//! less is an error, and the bytes that did arrive are left with the caller.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::certs::{Encryption, TlsInfo};
use super::charset::Charset;
use super::config::{CharsetChoice, DataMode, SessionConfig};
use super::control::Control;
use super::data::PassiveState;
use super::entry::{RemoteEntry, RemoteListing};
use super::error::{EngineError, Result};
use super::event::{EventSink, LogKind, next_conn_id};
use super::tls::TlsContext;
use crate::protocol::listing::{
    ListContext, ListFormat, ListTime, ListingParser, ServerType, TimePrecision,
};
use crate::protocol::{Command, Features, HashCommand, ProtectionLevel, Reply, TransferType, path};

mod stream;

use stream::ListingSink;

/// The security note of a server that offered TLS before and refuses it now.
const NOTE_TLS_GONE: &str = "This server offered TLS before and refuses it now: someone may be \
     tampering with the connection. Continuing without TLS";

/// The security note of a server that does not offer TLS to a login with a password.
const NOTE_NO_TLS: &str =
    "The server does not offer TLS: the password and files are sent in clear text";

/// Whether a log line is one of the security notes that
/// [`FtpSession::security_notes`] also returns, so a front end that shows those
/// once can leave the log's copies out.
pub fn is_security_note(text: &str) -> bool {
    text == NOTE_TLS_GONE || text == NOTE_NO_TLS
}

/// A logged-in session.
#[derive(Debug)]
pub struct FtpSession {
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

impl FtpSession {
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
                // Returned, not logged: the caller that shows it logs it, once.
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

    /// Whether listings come from MLSD (times in UTC) rather than LIST
    /// (times as the server's clock prints them). A refused MLSD turns it
    /// off at the first listing.
    pub fn uses_mlsd(&self) -> bool {
        self.use_mlsd
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

    /// The server's checksum of a file, with the best command FEAT offers
    /// (`HASH` in its selected algorithm, else `XSHA256`, `XSHA1`, `XMD5`,
    /// `XCRC`): `None` when it offers none, refuses, or answers with
    /// something that is not a digest.
    pub async fn checksum(&mut self, file: &[u8]) -> Result<Option<(HashCommand, String)>> {
        let Some(how) = HashCommand::choose(&self.features) else {
            return Ok(None);
        };
        let command = match how {
            HashCommand::Hash(_) => Command::Hash(file.to_vec()),
            HashCommand::X(algorithm) => Command::XHash(algorithm, file.to_vec()),
        };
        let reply = self.control.command(&command).await?;
        if !reply.is_success() {
            return Ok(None);
        }
        // proftpd says "213-Computing SHA-1 digest" first: the digest may be
        // on any line of the reply.
        let digest = reply
            .lines
            .iter()
            .find_map(|line| how.parse_reply(line.get(4..).unwrap_or_default()));
        Ok(digest.map(|digest| (how, digest)))
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

    /// `DELE` (or `RMD` when `folders`) of every path, sent in one write
    /// and answered in order (pipelined: one round trip for the batch, not
    /// one per path). Returns one slot per path: its result, or `None` when
    /// no answer came because the connection failed, with that error. A
    /// path that cannot be encoded (CR, LF, NUL) is refused alone, unsent.
    pub async fn delete_pipelined(
        &mut self,
        paths: &[Vec<u8>],
        folders: bool,
    ) -> (Vec<Option<Result<()>>>, Option<EngineError>) {
        let mut results: Vec<Option<Result<()>>> = Vec::with_capacity(paths.len());
        let mut sent = Vec::new();
        for (index, target) in paths.iter().enumerate() {
            let command = if folders {
                Command::Rmd(target.clone())
            } else {
                Command::Dele(target.clone())
            };
            match command.encode() {
                Ok(_) => {
                    results.push(None);
                    sent.push((index, command));
                }
                Err(e) => results.push(Some(Err(e.into()))),
            }
        }
        let commands: Vec<Command> = sent.iter().map(|(_, c)| c.clone()).collect();
        if let Err(e) = self.control.send_batch(&commands).await {
            return (results, Some(e));
        }
        for (index, command) in sent {
            match self.control.final_reply().await {
                Ok(reply) if reply.is_success() => results[index] = Some(Ok(())),
                Ok(reply) => {
                    let refused = self.control.refused(&command, &reply);
                    if !refused.keeps_connection() {
                        results[index] = Some(Err(self.control.refused(&command, &reply)));
                        return (results, Some(refused));
                    }
                    results[index] = Some(Err(refused));
                }
                Err(e) => return (results, Some(e)),
            }
        }
        (results, None)
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

    /// `SITE CHMOD mode path`: sets a path's Unix permissions (`mode` in
    /// octal, at most 0o7777). A refusal is [`EngineError::Refused`].
    pub async fn chmod(&mut self, path: &[u8], mode: u32) -> Result<()> {
        let mut argument = format!("CHMOD {:o} ", mode & 0o7777).into_bytes();
        argument.extend_from_slice(path);
        self.control.expect_ok(&Command::Site(argument)).await?;
        Ok(())
    }

    /// A command the user typed, checked by [`crate::protocol::custom_command`]
    /// before anything is sent (no data connection, no change to the
    /// session's login, encryption or type, no line break); returns the
    /// server's reply, whatever its code.
    pub async fn quote(&mut self, line: &[u8]) -> Result<Reply> {
        let command = crate::protocol::custom_command(line)?;
        self.control.command(&command).await
    }

    /// A harmless command that keeps an idle connection open: `NOOP`,
    /// `PWD` or `TYPE I` by `turn` (servers that count only some commands
    /// as activity see a mix, as FileZilla sends).
    pub async fn keep_alive(&mut self, turn: u32) -> Result<()> {
        match turn % 3 {
            0 => self.noop().await,
            1 => self.pwd().await.map(drop),
            _ => {
                self.control
                    .expect_ok(&Command::Type(TransferType::Binary))
                    .await?;
                self.transfer_type = Some(TransferType::Binary);
                Ok(())
            }
        }
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
        let mut entries = Vec::new();
        let skipped_lines = self
            .list_each(dir, &mut |entry| entries.push(entry))
            .await?;
        Ok(RemoteListing {
            entries,
            skipped_lines,
        })
    }

    /// [`FtpSession::list`] handing each entry to `each` as soon as it is
    /// parsed, while the rest of the listing arrives: a listing of any size
    /// costs the memory of one chunk (`ls` prints as it parses). Returns how
    /// many lines could not be parsed. An error after some entries were
    /// handed on means the listing is incomplete.
    pub async fn list_each(
        &mut self,
        dir: Option<&[u8]>,
        each: &mut (dyn FnMut(RemoteEntry) + Send),
    ) -> Result<usize> {
        if let Some(dir) = dir {
            self.cwd(dir).await?;
        }
        let today = chrono::Local::now().date_naive();
        if self.use_mlsd {
            match self.list_with(ListFormat::Mlsd, today, each).await {
                // A refusal comes before any data: nothing was handed on.
                Err(EngineError::Refused { code, .. }) if (500..=504).contains(&code) => {
                    self.control
                        .log(LogKind::Status, "MLSD refused; using LIST from now on");
                    self.use_mlsd = false;
                }
                other => return other,
            }
        }
        self.list_with(ListFormat::List, today, each).await
    }

    /// Lists a folder with `LIST` even where MLSD is offered: a Unix
    /// server's `ls -l` shows a link as a link, where some MLSD
    /// implementations (proftpd's default) give the type of what it points
    /// to. Walks that delete or change what they find use this, so that
    /// they never enter a link. The session stays in that folder.
    pub async fn list_showing_links(&mut self, dir: &[u8]) -> Result<RemoteListing> {
        self.cwd(dir).await?;
        let today = chrono::Local::now().date_naive();
        let mut entries = Vec::new();
        let skipped_lines = self
            .list_with(ListFormat::List, today, &mut |entry| entries.push(entry))
            .await?;
        Ok(RemoteListing {
            entries,
            skipped_lines,
        })
    }

    async fn list_with(
        &mut self,
        format: ListFormat,
        today: chrono::NaiveDate,
        each: &mut (dyn FnMut(RemoteEntry) + Send),
    ) -> Result<usize> {
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
            charset: self.control.charset,
            shift: match format {
                ListFormat::List => self.config.timezone_offset_minutes,
                ListFormat::Mlsd => 0,
            },
            foreign: Vec::new(),
            delivered: 0,
            each,
        };
        let token = CancellationToken::new();
        self.receive(&command, None, &mut sink, None, "", &token)
            .await?;
        let listing = sink.parser.take().ok_or(EngineError::Cancelled)?.finish()?;
        sink.deliver(listing.entries);
        let charset = self.control.charset;
        for line in listing.skipped.iter().take(10) {
            self.control.log(
                LogKind::Warning,
                format!("Unparsed listing line: {}", charset.decode(line)),
            );
        }
        if sink.delivered == 0 && !listing.skipped.is_empty() {
            self.control.log(
                LogKind::Error,
                format!(
                    "None of the {} listing lines could be parsed",
                    listing.skipped.len()
                ),
            );
        }
        if matches!(self.config.charset, CharsetChoice::Auto) {
            self.suggest_charset(&sink.foreign);
        }
        Ok(listing.skipped.len())
    }

    /// With no charset chosen for the site, names that are not UTF-8 are shown
    /// with `\xNN` escapes (and still sent back as the exact bytes): the log
    /// says so once per listing and names the legacy charset they most likely
    /// are in (chardetng, Firefox's detector, fed only those names).
    fn suggest_charset(&self, foreign: &[Vec<u8>]) {
        if foreign.is_empty() {
            return;
        }
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        for name in foreign {
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

fn login_refused(reply: &Reply) -> EngineError {
    EngineError::LoginRefused {
        code: reply.code,
        message: reply.message(),
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
