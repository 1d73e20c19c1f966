//! The command line: `skiff ls|get|put`, headless, over the same engine as the GUI.
//!
//! Scripts, tests and benchmarks depend on its flags, output and exit codes,
//! so they are kept stable: 0 success, 1 error, 2 usage, 3 done but some
//! items were skipped (unsafe names, links, existing targets).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use std::collections::{HashMap, HashSet};

use crate::engine::event::{EventSink, LogLine};
use crate::engine::limit::{RateLimiter, parse_rate};
use crate::engine::queue::{
    Direction, ItemId, ItemState, ItemView, NewItem, PolicyChoice, QueueCommand, QueueEvent,
    QueueHandle, QueueOptions, SHUTDOWN_DEADLINE, SiteKey, default_ascii_extensions, default_store,
};
use crate::engine::tls::{Encryption, Fingerprint, certificates_from_pem};
use crate::engine::{
    CharsetChoice, Credentials, DataMode, EngineError, Event, ExistsPolicy, LogKind, RetryPolicy,
    Session, SessionConfig, TreeReport,
};
use crate::names::{Platform, check_local_name};
use crate::paths;
use crate::protocol::listing::{EntryKind, ServerType};
use crate::protocol::path;
use crate::secret::Secret;
use crate::sites::model::{charset_name, server_type_name};
use crate::sites::{
    LogonType, OsKeyring, SecretStore, Site, Sites, SitesError, TransferMode, filezilla, store,
};
use crate::trust::TrustStore;

/// Skiff: a fast, safe FTP client. Without a command it opens the window.
#[derive(Debug, Parser)]
#[command(name = "skiff", version, about)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub options: Options,
    /// The command; none opens the GUI.
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Open the GUI connected to this URL.
    pub url: Option<String>,
    /// Open the GUI connected to an embedded demo server on loopback that
    /// serves a generated sample folder: Skiff at work without a server.
    #[arg(long)]
    pub demo: bool,
    /// Open the GUI connected to this saved site ("Folder/Name").
    #[arg(long, value_name = "FOLDER/NAME", conflicts_with_all = ["url", "demo"])]
    pub site: Option<String>,
}

/// Options accepted before or after the command.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Active mode: the server connects to us (PORT/EPRT).
    #[arg(long, global = true, conflicts_with = "passive")]
    pub active: bool,
    /// Passive mode (the default): we connect to the server (EPSV, then PASV).
    #[arg(long, global = true)]
    pub passive: bool,
    /// Charset of remote names, e.g. GBK, Shift_JIS, windows-1251 (default: UTF-8).
    #[arg(long, global = true, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Idle timeout for every network wait, in seconds.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 20)]
    pub timeout: u64,
    /// Retries after a failure that made no progress (one that did resumes for free).
    #[arg(long, global = true, value_name = "N", default_value_t = 2)]
    pub retries: u32,
    /// Seconds to wait before a retry.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 5.0)]
    pub retry_delay: f64,
    /// Transfer connections for recursive transfers (1-32).
    #[arg(long, global = true, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub parallel: u16,
    /// What to do when a target exists.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "POLICY",
        default_value = "skip"
    )]
    pub overwrite: ExistsPolicy,
    /// Active mode: listen only on ports in this range, e.g. 50000-50100.
    #[arg(long, global = true, value_name = "LOW-HIGH", value_parser = parse_port_range)]
    pub active_ports: Option<(u16, u16)>,
    /// Active mode: announce this address instead of ours (behind NAT).
    #[arg(long, global = true, value_name = "IP")]
    pub external_ip: Option<IpAddr>,
    /// Passive mode: connect to the address in the PASV reply, not the server's.
    #[arg(long, global = true)]
    pub trust_pasv_address: bool,
    /// Do not fall back to the other data mode when the chosen one fails.
    #[arg(long, global = true)]
    pub no_fallback: bool,
    /// Give downloaded files the server's modification time.
    #[arg(long, global = true)]
    pub preserve_times: bool,
    /// Cap download speed (bytes per second; K, M suffixes), shared by all connections.
    #[arg(long, global = true, value_name = "RATE", value_parser = parse_rate)]
    pub limit_download: Option<u64>,
    /// Cap upload speed (bytes per second; K, M suffixes), shared by all connections.
    #[arg(long, global = true, value_name = "RATE", value_parser = parse_rate)]
    pub limit_upload: Option<u64>,
    /// Listing format: auto, unix, dos, vms, mvs, vxworks, zvm, nonstop (default: auto, from SYST).
    #[arg(long, global = true, value_name = "TYPE", value_parser = parse_server_type, default_value = "auto")]
    pub server_type: ServerType,
    /// Plain FTP even when the server offers TLS (passwords in clear text).
    #[arg(long, global = true)]
    pub no_tls: bool,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, global = true, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Trust the server certificate with this SHA-256 fingerprint (SHA256:AB:CD:...).
    #[arg(long, global = true, value_name = "FINGERPRINT", value_parser = parse_fingerprint)]
    pub trust_fingerprint: Vec<Fingerprint>,
    /// Accept any server certificate (insecure: a man in the middle can read everything).
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Print the control connection's log (commands and replies) on stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Keep `get`/`put` items in this queue file as they run (crash-safe): a
    /// run that is killed can be finished with `skiff queue resume FILE URL`.
    #[arg(long, global = true, value_name = "FILE")]
    pub queue: Option<PathBuf>,
    /// Transfer type: `binary` (default: every byte as it is), or `auto`
    /// (ASCII for FileZilla's text extensions such as txt, html, php).
    #[arg(long = "type", global = true, value_name = "TYPE", default_value = "binary",
          value_parser = ["binary", "auto"])]
    pub transfer_type: String,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// List a remote folder.
    Ls {
        /// Print a JSON array instead of lines.
        #[arg(long)]
        json: bool,
        /// ftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Download a file, or a folder with -r.
    Get {
        /// Copy a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        /// ftp://[user[:password]@]host[:port]/path
        url: String,
        /// Local file or folder (default: the current folder).
        dest: Option<PathBuf>,
    },
    /// Upload a file, or a folder with -r.
    Put {
        /// Copy a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        /// Local file or folder.
        src: PathBuf,
        /// ftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Saved sites: list them, import FileZilla's.
    Sites {
        /// What to do.
        #[command(subcommand)]
        action: SitesAction,
    },
    /// Show or finish a stored queue (see --queue).
    Queue {
        /// What to do.
        #[command(subcommand)]
        action: QueueAction,
    },
}

/// `skiff sites ...`.
#[derive(Debug, Subcommand)]
pub enum SitesAction {
    /// List saved sites as `Folder/Name  ftp://user@host:port`.
    List {
        /// Print a JSON array instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Import FileZilla's sitemanager.xml; passwords go to the OS keyring.
    Import {
        /// The file (FileZilla keeps it in ~/.config/filezilla or %APPDATA%\FileZilla).
        file: PathBuf,
    },
}

/// `skiff queue ...`.
#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Print every item of a queue file: state, direction, bytes, paths.
    Show {
        /// The queue file (default: the GUI's, under the data folder).
        file: Option<PathBuf>,
    },
    /// Resume every paused item of a queue file and run it to the end.
    Resume {
        /// The queue file.
        file: PathBuf,
        /// The site's URL or saved site (for its password and connection
        /// options; the path is ignored).
        url: String,
    },
}

fn parse_server_type(text: &str) -> Result<ServerType, String> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "auto" => ServerType::Auto,
        "unix" => ServerType::Unix,
        "dos" | "windows" => ServerType::Dos,
        "vms" => ServerType::Vms,
        "mvs" | "zos" => ServerType::Mvs,
        "vxworks" => ServerType::VxWorks,
        "zvm" => ServerType::ZVm,
        "nonstop" => ServerType::HpNonStop,
        "cygwin" => ServerType::Cygwin,
        other => return Err(format!("unknown server type: {other}")),
    })
}

fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text).ok_or_else(|| "expected SHA256: and 64 hex digits".to_string())
}

fn parse_port_range(text: &str) -> Result<(u16, u16), String> {
    let (low, high) = text
        .split_once('-')
        .ok_or_else(|| "expected LOW-HIGH".to_string())?;
    let low: u16 = low.trim().parse().map_err(|_| "bad low port".to_string())?;
    let high: u16 = high
        .trim()
        .parse()
        .map_err(|_| "bad high port".to_string())?;
    if low == 0 || low > high {
        return Err("expected 1 <= LOW <= HIGH".to_string());
    }
    Ok((low, high))
}

/// What the CLI can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The URL could not be used.
    #[error("bad URL: {0}")]
    Url(String),
    /// A usage problem found after parsing.
    #[error("{0}")]
    Usage(String),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Saved sites could not be read or written.
    #[error(transparent)]
    Sites(#[from] SitesError),
}

/// How a command ended, as an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Everything done.
    Ok,
    /// Done, but something was skipped.
    Skipped,
    /// Some items failed.
    Failed,
}

impl Finish {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Finish::Ok => 0,
            Finish::Failed => 1,
            Finish::Skipped => 3,
        }
    }
}

/// A parsed `ftp://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtpUrl {
    /// Host name or address (IPv6 in brackets).
    pub host: String,
    /// Control port.
    pub port: u16,
    /// TLS from the scheme: `ftp` if available, `ftpes` required, `ftps` implicit.
    pub encryption: Encryption,
    /// User, if given.
    pub user: Option<String>,
    /// Password, if given.
    pub password: Option<Secret>,
    /// The path's bytes, percent-decoded, without the leading `/`.
    pub path: Vec<u8>,
    /// `ftp://host//abs` or `ftp://host/%2Fabs`: the path is absolute, not
    /// relative to the login folder (RFC 1738).
    pub absolute: bool,
    /// The URL ends with `/`: it names a folder.
    pub trailing_slash: bool,
}

impl FtpUrl {
    /// Parses `ftp://[user[:password]@]host[:port]/path`.
    pub fn parse(text: &str) -> Result<Self, CliError> {
        let url = url::Url::parse(text).map_err(|e| CliError::Url(format!("{e}: {text}")))?;
        let (encryption, default_port) = match url.scheme() {
            "ftp" => (Encryption::ExplicitIfAvailable, 21),
            "ftpes" => (Encryption::RequireExplicit, 21),
            "ftps" => (Encryption::RequireImplicit, 990),
            other => {
                return Err(CliError::Url(format!(
                    "not an ftp://, ftpes:// or ftps:// URL: {other}"
                )));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| CliError::Url(format!("no host: {text}")))?
            .to_string();
        let user = (!url.username().is_empty())
            .then(|| String::from_utf8_lossy(&percent_decode(url.username())).into_owned());
        let password = url
            .password()
            .map(|p| Secret::new(String::from_utf8_lossy(&percent_decode(p)).into_owned()));
        let raw_path = url.path();
        let trailing_slash = raw_path.len() > 1 && raw_path.ends_with('/');
        let (absolute, rest) = if let Some(rest) = raw_path.strip_prefix("//") {
            (true, rest)
        } else if let Some(rest) = raw_path
            .strip_prefix("/%2F")
            .or_else(|| raw_path.strip_prefix("/%2f"))
        {
            (true, rest)
        } else {
            (false, raw_path.strip_prefix('/').unwrap_or(raw_path))
        };
        let mut path = percent_decode(rest);
        while path.ends_with(b"/") {
            path.pop();
        }
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            encryption,
            user,
            password,
            path,
            absolute,
            trailing_slash,
        })
    }
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(value) = u8::from_str_radix(&String::from_utf8_lossy(hex), 16)
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Builds the session config from a URL and the options; the password may
/// also come from `SKIFF_PASSWORD`.
pub fn session_config(url: &FtpUrl, options: &Options) -> Result<SessionConfig, CliError> {
    let credentials = match &url.user {
        None => Credentials::anonymous(),
        Some(user) => Credentials {
            user: user.clone(),
            password: url
                .password
                .clone()
                .or_else(|| std::env::var("SKIFF_PASSWORD").ok().map(Secret::new))
                .unwrap_or_default(),
            account: None,
        },
    };
    let mut config = SessionConfig::new(url.host.clone(), url.port, credentials);
    config.encryption = url.encryption;
    apply_options(&mut config, options)?;
    Ok(config)
}

/// Lays the command-line options over a config from a URL or a saved site:
/// what the options set explicitly wins, the rest is kept.
fn apply_options(config: &mut SessionConfig, options: &Options) -> Result<(), CliError> {
    if options.no_tls {
        if config.encryption != Encryption::ExplicitIfAvailable {
            return Err(CliError::Usage(
                "--no-tls contradicts an ftpes:// or ftps:// URL or a site that requires TLS"
                    .to_string(),
            ));
        }
        config.encryption = Encryption::Plain;
    }
    if let Some(path) = &options.ca_file {
        let pem = std::fs::read(path).map_err(|source| EngineError::Local {
            path: path.clone(),
            source,
        })?;
        config.tls.extra_roots = certificates_from_pem(&pem);
        if config.tls.extra_roots.is_empty() {
            return Err(CliError::Usage(format!(
                "no PEM certificate in {}",
                path.display()
            )));
        }
    }
    config.tls.trusted = options.trust_fingerprint.clone();
    if options.server_type != ServerType::Auto {
        config.server_type = options.server_type;
    }
    if let Some(store) = trust_store() {
        let (host, port) = (config.host.clone(), config.port);
        config.tls.trusted.extend(store.trusted(&host, port));
        config.tls.offered_before = store.offered_tls_before(&host, port);
    }
    config.tls.insecure = options.insecure;
    if options.active {
        config.data_mode = DataMode::Active;
    } else if options.passive {
        config.data_mode = DataMode::Passive;
    }
    config.mode_fallback = !options.no_fallback;
    config.trust_pasv_address |= options.trust_pasv_address;
    if options.active_ports.is_some() {
        config.active.port_range = options.active_ports;
    }
    if options.external_ip.is_some() {
        config.active.external_ip = options.external_ip;
    }
    if let Some(label) = &options.encoding {
        config.charset = CharsetChoice::from_label(label)
            .ok_or_else(|| CliError::Usage(format!("unknown charset: {label}")))?;
    }
    config.timeout = Duration::from_secs(options.timeout.max(1));
    config.download_limit = options
        .limit_download
        .map(|rate| std::sync::Arc::new(RateLimiter::new(rate)));
    config.upload_limit = options
        .limit_upload
        .map(|rate| std::sync::Arc::new(RateLimiter::new(rate)));
    Ok(())
}

/// The prefix of a saved-site target: `site:Folder/Name/path`.
pub const SITE_PREFIX: &str = "site:";

/// Splits `site:Folder/Name/path` (or `site:"Folder/Name"/path`, quotes kept
/// by the shell) into the site and the rest (`""`, `"/"`, `"/rel/x"`,
/// `"//abs"`). Without quotes the longest `Folder/Name` that is a saved site wins.
pub fn split_site_target<'a, 's>(
    text: &'a str,
    sites: &'s Sites,
) -> Result<(&'s Site, &'a str), CliError> {
    let spec = text.strip_prefix(SITE_PREFIX).unwrap_or(text);
    if let Some(quoted) = spec.strip_prefix('"') {
        let (name, rest) = quoted
            .split_once('"')
            .ok_or_else(|| CliError::Url(format!("no closing quote: {text}")))?;
        let site = sites
            .find(name)
            .ok_or_else(|| CliError::Usage(format!("no such saved site: {name}")))?;
        return Ok((site, rest));
    }
    // Every unescaped `/` is a place the site's path may end, longest first.
    let mut cuts = Vec::new();
    let mut chars = spec.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '/' => cuts.push(i),
            _ => {}
        }
    }
    cuts.push(spec.len());
    for &cut in cuts.iter().rev() {
        // `Name//abs` is the site `Name` and an absolute path, never `Name/`.
        if cut == 0 || spec[..cut].ends_with('/') {
            continue;
        }
        if let Some(site) = sites.find(&spec[..cut]) {
            return Ok((site, &spec[cut..]));
        }
    }
    Err(CliError::Usage(format!("no such saved site: {spec}")))
}

/// The password for a saved site: from the keyring, else `SKIFF_PASSWORD`,
/// else an error saying how to give one. Blocking (the keyring); the
/// keyring call runs on a thread of its own.
fn site_password(site: &Site, keyring: &dyn SecretStore) -> Result<Option<Secret>, CliError> {
    let env = || std::env::var("SKIFF_PASSWORD").ok().map(Secret::new);
    match site.logon {
        LogonType::Anonymous => Ok(None),
        LogonType::Ask => env().map(Some).ok_or_else(|| {
            CliError::Usage(format!(
                "the site asks for its password each time (set SKIFF_PASSWORD): {}",
                site.path_text()
            ))
        }),
        LogonType::Normal | LogonType::Account => {
            // SKIFF_PASSWORD set means the user chose it: no word about the keyring then.
            let (saved, keyring_error) = match keyring.get(&site.id) {
                Ok(saved) => (saved, None),
                Err(e) => (None, Some(e)),
            };
            if let Some(password) = saved.or_else(env) {
                return Ok(Some(password));
            }
            let why = match keyring_error {
                Some(e) => format!("{e}; set SKIFF_PASSWORD"),
                None => "save one in the Site Manager or set SKIFF_PASSWORD".to_string(),
            };
            Err(CliError::Usage(format!(
                "no saved password ({why}): {}",
                site.path_text()
            )))
        }
    }
}

/// Loads the saved sites (a missing file is none; a corrupt one is an error).
fn load_sites() -> Result<Sites, CliError> {
    Ok(store::load(&store::default_path()?)?)
}

/// The URL and session config for a target: an `ftp://` URL or a saved
/// site's `site:Folder/Name/path`.
fn target(text: &str, options: &Options) -> Result<(FtpUrl, SessionConfig), CliError> {
    if !text.starts_with(SITE_PREFIX) {
        let url = FtpUrl::parse(text)?;
        let config = session_config(&url, options)?;
        return Ok((url, config));
    }
    let sites = load_sites()?;
    let (site, rest) = split_site_target(text, &sites)?;
    let password = site_password(site, &OsKeyring::new())?;
    let mut config = site.session_config(password);
    apply_options(&mut config, options)?;
    let trailing_slash = rest.len() > 1 && rest.ends_with('/');
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let (absolute, relative) = match rest.strip_prefix('/') {
        Some(abs) => (true, abs.trim_end_matches('/').to_string()),
        None => {
            let rel = rest.trim_end_matches('/');
            match site.remote_dir.as_deref() {
                // The site's remote folder is where relative paths start.
                Some(dir) if dir.starts_with('/') => {
                    let dir = dir.trim_matches('/');
                    let joined = [dir, rel]
                        .iter()
                        .filter(|p| !p.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("/");
                    (true, joined)
                }
                Some(dir) if !rel.is_empty() => (false, format!("{dir}/{rel}")),
                Some(dir) => (false, dir.to_string()),
                None => (false, rel.to_string()),
            }
        }
    };
    let url = FtpUrl {
        host: config.host.clone(),
        port: config.port,
        encryption: config.encryption,
        user: Some(config.credentials.user.clone()),
        password: None,
        path: relative.into_bytes(),
        absolute,
        trailing_slash,
    };
    Ok((url, config))
}

/// Runs one CLI command to completion.
pub async fn run(command: CliCommand, options: Options) -> Result<Finish, CliError> {
    if let CliCommand::Sites { action } = command {
        // Files and the keyring only: blocking work, off the async workers.
        return tokio::task::spawn_blocking(move || sites_command(action))
            .await
            .map_err(|e| CliError::Usage(format!("internal error: {e}")))?;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(print_events(rx, options.verbose));
    let events = EventSink::new(tx);
    let result = match command {
        CliCommand::Ls { json, url } => ls(&url, json, &options, events).await,
        CliCommand::Get {
            recursive,
            url,
            dest,
        } => get(&url, dest.as_deref(), recursive, &options, events).await,
        CliCommand::Put {
            recursive,
            src,
            url,
        } => put(&src, &url, recursive, &options, events).await,
        CliCommand::Sites { .. } => Ok(Finish::Ok),
        CliCommand::Queue { action } => queue_command(action, &options, events).await,
    };
    // The sink's senders are gone now, so the printer drains and ends.
    let _ = printer.await;
    result
}

async fn print_events(mut rx: mpsc::UnboundedReceiver<Event>, verbose: bool) {
    while let Some(event) = rx.recv().await {
        if let Event::Log(line) = event {
            print_log(&line, verbose);
        }
    }
}

fn cancel_on_ctrl_c() -> CancellationToken {
    let token = CancellationToken::new();
    let child = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            child.cancel();
        }
    });
    token
}

/// The trust store under the config folder; a corrupt one is reported once
/// (it has been set aside) and the run goes on without it.
fn trust_store() -> Option<TrustStore> {
    let path = TrustStore::path_in(&paths::config_dir()?);
    match TrustStore::load(&path) {
        Ok(store) => Some(store),
        Err(e) => {
            eprintln!("skiff: warning: {e}");
            None
        }
    }
}

/// Remembers that a host offered TLS, so losing it later is noticed.
fn remember_tls(host: &str, port: u16) {
    if let Some(mut store) = trust_store()
        && store.remember_tls(host, port)
        && let Err(e) = store.save()
    {
        eprintln!("skiff: warning: could not save the trust store: {e}");
    }
}

/// [`target`] off the async workers: a saved site's password comes from the
/// keyring, which blocks.
async fn blocking_target(
    text: &str,
    options: &Options,
) -> Result<(FtpUrl, SessionConfig), CliError> {
    let (text, options) = (text.to_string(), options.clone());
    tokio::task::spawn_blocking(move || target(&text, &options))
        .await
        .map_err(|e| CliError::Usage(format!("internal error: {e}")))?
}

/// Connects and turns the URL's path into an absolute remote path.
async fn open(
    url: &FtpUrl,
    config: &SessionConfig,
    events: &EventSink,
) -> Result<(Session, Vec<u8>), CliError> {
    let mut session = Session::connect(config.clone(), events.clone()).await?;
    for note in session.security_notes() {
        eprintln!("skiff: warning: {note}");
    }
    if config.tls.insecure && session.tls_info().is_some() {
        eprintln!("skiff: warning: --insecure: the server's certificate was not checked");
    }
    if session.tls_info().is_some() && !config.tls.offered_before {
        remember_tls(&config.host, config.port);
    }
    let mut relative = url.path.clone();
    // A user-typed UTF-8 path is re-encoded for a server in another charset.
    if let Ok(text) = std::str::from_utf8(&url.path) {
        relative = session.encode(text)?;
    }
    let full = if url.absolute {
        path::join(b"/", &relative)
    } else if relative.is_empty() {
        session.pwd().await?
    } else {
        let home = session.pwd().await?;
        path::join(&home, &relative)
    };
    Ok((session, full))
}

async fn ls(
    text: &str,
    json: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, config) = blocking_target(text, options).await?;
    let (mut session, dir) = open(&url, &config, &events).await?;
    let listing = match session.list(Some(&dir)).await {
        Ok(listing) => listing.entries,
        Err(EngineError::Refused { .. }) if !url.trailing_slash => {
            // Not a folder: list its parent and show just this entry, as `ls FILE` does.
            let name = path::file_name(&dir).to_vec();
            let parent = session.list(Some(&path::parent(&dir))).await?;
            let found: Vec<_> = parent
                .entries
                .into_iter()
                .filter(|e| e.entry.name == name)
                .collect();
            if found.is_empty() {
                return Err(CliError::Usage(format!(
                    "no such file or folder: {}",
                    session.decode(&dir)
                )));
            }
            found
        }
        Err(e) => return Err(e.into()),
    };
    session.quit().await;
    print_list(&listing, json, JsonEntry::new, entry_line)
}

/// Prints `items` to standard output: a pretty JSON array (each item as
/// `to_json` makes it) and a newline, or one `to_line` per item. A closed
/// pipe (`skiff ls | head`) is not an error worth a message.
fn print_list<'a, T, J: serde::Serialize>(
    items: &'a [T],
    json: bool,
    to_json: impl Fn(&'a T) -> J,
    to_line: impl Fn(&'a T) -> String,
) -> Result<Finish, CliError> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if json {
        let items: Vec<J> = items.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut out, &items)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        items
            .iter()
            .try_for_each(|item| writeln!(out, "{}", to_line(item)))
    };
    if let Err(e) = written.and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(EngineError::Local {
            path: "standard output".into(),
            source: e,
        }
        .into());
    }
    Ok(Finish::Ok)
}

/// One `sites list --json` entry: everything but secrets.
#[derive(serde::Serialize)]
struct JsonSite<'a> {
    id: &'a str,
    path: String,
    name: &'a str,
    folder: &'a [String],
    host: &'a str,
    port: u16,
    encryption: crate::engine::tls::Encryption,
    logon: LogonType,
    user: &'a str,
    transfer_mode: TransferMode,
    remote_dir: Option<&'a str>,
    local_dir: Option<String>,
    server_type: &'static str,
    charset: String,
    comments: &'a str,
}

impl<'a> JsonSite<'a> {
    fn new(site: &'a Site) -> Self {
        Self {
            id: site.id.as_str(),
            path: site.path_text(),
            name: &site.name,
            folder: &site.folder,
            host: &site.host,
            port: site.port,
            encryption: site.encryption,
            logon: site.logon,
            user: &site.user,
            transfer_mode: site.transfer_mode,
            remote_dir: site.remote_dir.as_deref(),
            local_dir: site
                .local_dir
                .as_ref()
                .map(|d| d.to_string_lossy().into_owned()),
            server_type: server_type_name(site.server_type),
            charset: charset_name(site.charset),
            comments: &site.comments,
        }
    }
}

fn site_line(site: &Site) -> String {
    let scheme = match site.encryption {
        crate::engine::tls::Encryption::RequireExplicit => "ftpes",
        crate::engine::tls::Encryption::RequireImplicit => "ftps",
        _ => "ftp",
    };
    let user = match site.logon {
        LogonType::Anonymous => String::new(),
        _ => format!("{}@", site.user),
    };
    let mode = match site.transfer_mode {
        TransferMode::Default => "",
        TransferMode::Active => " (active)",
        TransferMode::Passive => " (passive)",
    };
    format!(
        "{}\t{scheme}://{user}{}:{}{mode}",
        site.path_text(),
        site.connect_host(),
        site.port
    )
}

/// `skiff sites list|import`: files and the keyring, so it runs on a blocking thread.
fn sites_command(action: SitesAction) -> Result<Finish, CliError> {
    match action {
        SitesAction::List { json } => {
            let sites = load_sites()?;
            print_list(&sites.sites, json, JsonSite::new, site_line)
        }
        SitesAction::Import { file } => {
            let path = store::default_path()?;
            let mut sites = store::load(&path)?;
            let keyring = OsKeyring::new();
            let report = filezilla::import(&file, &mut sites, &keyring)?;
            store::save(&path, &sites)?;
            println!("{}", report.summary());
            for (site, reason) in &report.skipped {
                println!("skipped: {site}: {reason}");
            }
            for (site, note) in &report.notes {
                println!("note: {site}: {note}");
            }
            if let Some(why) = &report.keyring_unavailable {
                eprintln!(
                    "skiff: warning: no keyring is available ({why}); passwords were not saved and will be asked for"
                );
            }
            Ok(if report.skipped.is_empty() {
                Finish::Ok
            } else {
                Finish::Skipped
            })
        }
    }
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Other => "other",
    }
}

/// One `ls --json` entry, serialized straight from the listing (no
/// intermediate JSON tree, so a huge listing costs little extra memory).
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    size: Option<u64>,
    modified: Option<String>,
    permissions: Option<&'a str>,
    target: Option<std::borrow::Cow<'a, str>>,
}

impl<'a> JsonEntry<'a> {
    fn new(item: &'a crate::engine::RemoteEntry) -> Self {
        Self {
            name: &item.name,
            kind: kind_name(item.kind()),
            size: item.size(),
            modified: item.modified().map(|t| {
                t.at.and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }),
            permissions: item.entry.permissions.as_deref(),
            target: item.entry.target.as_deref().map(String::from_utf8_lossy),
        }
    }
}

fn entry_line(item: &crate::engine::RemoteEntry) -> String {
    let kind = match item.kind() {
        EntryKind::File => '-',
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::Other => '?',
    };
    let size = item.size().map(|s| s.to_string()).unwrap_or_default();
    let modified = item
        .modified()
        .map(|t| t.at.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let mut line = format!("{kind} {size:>12} {modified:>16} {}", item.name);
    if let Some(target) = &item.entry.target {
        line.push_str(" -> ");
        line.push_str(&String::from_utf8_lossy(target));
    }
    line
}

fn finish(report: &TreeReport, single: bool) -> Finish {
    for skipped in &report.skipped {
        if single {
            eprintln!("skiff: skipped: {skipped} (use --overwrite to choose)");
        } else {
            eprintln!("skiff: skipped: {skipped}");
        }
    }
    for failed in &report.failed {
        eprintln!("skiff: failed: {failed}");
    }
    if !report.failed.is_empty() {
        Finish::Failed
    } else if !report.skipped.is_empty() {
        Finish::Skipped
    } else {
        Finish::Ok
    }
}

fn queue_options(options: &Options) -> QueueOptions {
    QueueOptions {
        store: options.queue.clone(),
        workers: usize::from(options.parallel),
        retry: RetryPolicy {
            retries: options.retries,
            delay: Duration::from_secs_f64(options.retry_delay.clamp(0.0, 3600.0)),
        },
        download: PolicyChoice::Fixed(options.overwrite),
        upload: PolicyChoice::Fixed(options.overwrite),
        preserve_times: options.preserve_times,
        ascii_extensions: if options.transfer_type == "auto" {
            default_ascii_extensions()
        } else {
            Vec::new()
        },
        process: true,
        // Commands and replies are printed only with --verbose.
        protocol_log: options.verbose,
    }
}

/// What the CLI asks of a queue run.
enum Work {
    /// Add these items.
    Add(Vec<NewItem>),
    /// Resume everything paused.
    ResumeAll,
}

/// A started queue for one site, before it has work.
struct QueueRun {
    queue: QueueHandle,
    events: mpsc::UnboundedReceiver<QueueEvent>,
    site: SiteKey,
}

impl QueueRun {
    /// Starts a queue (memory-only, or `--queue FILE`) that knows `config`'s
    /// site. With `recursive` (`-r`, before the path is looked at), all but
    /// one of the `--parallel` workers log in meanwhile (the connection that
    /// looks is the last one, and counts against the site's limit), so the
    /// transfers do not wait for logins one after the other.
    fn start(config: &SessionConfig, options: &Options, recursive: bool) -> Self {
        let site = SiteKey::of(config);
        let (queue, events) = QueueHandle::start(
            &tokio::runtime::Handle::current(),
            queue_options(options),
            std::sync::Arc::new(|| {}),
        );
        queue.send(QueueCommand::SetLimits {
            download: options.limit_download,
            upload: options.limit_upload,
        });
        queue.send(QueueCommand::SetSite(Box::new(config.clone())));
        if recursive {
            let others = |n: usize| n.saturating_sub(1);
            let mut connections = others(usize::from(options.parallel));
            if let Some(limit) = config.max_connections {
                connections = connections.min(others(usize::from(limit)));
            }
            queue.send(QueueCommand::Connect {
                site: site.clone(),
                connections,
            });
        }
        Self {
            queue,
            events,
            site,
        }
    }
}

/// Runs work on a queue until it is idle, then reports the items that moved
/// in this run. Ctrl-C stops the queue; with `--queue` its unfinished items
/// stay for `skiff queue resume`.
async fn run_queue(
    run: QueueRun,
    options: &Options,
    work: Work,
    single: bool,
    lend: Option<Session>,
) -> Result<Finish, CliError> {
    let QueueRun {
        queue,
        mut events,
        site,
    } = run;
    // The connection that looked at the path does the first job: one login
    // fewer for every get and put.
    if let Some(session) = lend {
        queue.send(QueueCommand::Lend(Box::new(session)));
    }
    let resume_all = matches!(work, Work::ResumeAll);
    match work {
        Work::Add(items) => {
            queue.send(QueueCommand::Add { site, items });
        }
        Work::ResumeAll => {
            queue.send(QueueCommand::ResumeAll);
        }
    }
    let mut views: HashMap<ItemId, ItemView> = HashMap::new();
    // What the store held comes before the queue's first totals; of those,
    // only items that run again in this run are reported.
    let mut restored: HashSet<ItemId> = HashSet::new();
    let mut active: HashSet<ItemId> = HashSet::new();
    let mut started = false;
    let interrupted = cancel_on_ctrl_c();
    let mut cancelled = false;
    // Asked to stop, the queue answers once its journal is written; until then
    // (one deadline at most) its events are read, then what it sent before.
    let stop = |queue: &QueueHandle| {
        queue.send(QueueCommand::Shutdown);
        tokio::time::Instant::now() + SHUTDOWN_DEADLINE
    };
    let (mut stop_by, mut stopped) = (None, false);
    loop {
        let by = stop_by.unwrap_or_else(tokio::time::Instant::now);
        let event = tokio::select! {
            event = events.recv() => event,
            _ = interrupted.cancelled(), if !cancelled => {
                cancelled = true;
                stop_by.get_or_insert_with(|| stop(&queue));
                continue;
            }
            _ = tokio::time::timeout_at(by, queue.stopped()), if stop_by.is_some() && !stopped => {
                stopped = true;
                events.close();
                continue;
            }
        };
        let Some(event) = event else { break };
        match event {
            QueueEvent::Upsert(items) => {
                for item in items {
                    if !started {
                        restored.insert(item.id);
                    } else if !restored.contains(&item.id)
                        || matches!(item.state, ItemState::Queued | ItemState::Running)
                    {
                        active.insert(item.id);
                    }
                    views.insert(item.id, item);
                }
            }
            QueueEvent::Log(line) => print_log(&line, options.verbose),
            QueueEvent::Idle => {
                stop_by.get_or_insert_with(|| stop(&queue));
            }
            QueueEvent::Totals { .. } if !started => {
                started = true;
                if resume_all && !views.values().any(|v| v.state == ItemState::Paused) {
                    // Nothing to resume.
                    stop_by.get_or_insert_with(|| stop(&queue));
                }
            }
            _ => {}
        }
    }
    if cancelled {
        return Err(EngineError::Cancelled.into());
    }
    let mut items: Vec<&ItemView> = views.values().filter(|v| active.contains(&v.id)).collect();
    items.sort_by_key(|v| v.id);
    Ok(finish(&TreeReport::from_items(items), single))
}

fn print_log(line: &LogLine, verbose: bool) {
    if !verbose {
        return;
    }
    let mark = match line.kind {
        LogKind::Status => "*",
        LogKind::Command => ">",
        LogKind::Reply => "<",
        LogKind::Warning | LogKind::Error => "!",
    };
    eprintln!("[{}] {mark} {}", line.conn, line.text);
}

async fn get(
    text: &str,
    dest: Option<&Path>,
    recursive: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let (url, config) = blocking_target(text, options).await?;
    let run = QueueRun::start(&config, options, recursive);
    let (mut session, remote) = open(&url, &config, &events).await?;
    let is_dir = remote == b"/" || session.cwd(&remote).await.is_ok();
    let name = session.decode(path::file_name(&remote));
    let remote_display = session.decode(&remote);
    let dest_dir_named = dest.is_some_and(|d| d.as_os_str().to_string_lossy().ends_with('/'));
    if dest_dir_named && !dest.is_some_and(Path::is_dir) {
        return Err(CliError::Usage(format!(
            "no such local folder: {}",
            dest.map(Path::display)
                .map(|d| d.to_string())
                .unwrap_or_default()
        )));
    }
    if is_dir {
        if !recursive {
            return Err(CliError::Usage(format!(
                "is a folder (use get -r): {remote_display}"
            )));
        }
        // As `cp -r SRC DEST`: into DEST/name when DEST is a folder, else as DEST.
        let target = match dest {
            None => PathBuf::from(if name.is_empty() { "." } else { &name }),
            Some(d) if d.is_dir() && !name.is_empty() => d.join(&name),
            Some(d) => d.to_path_buf(),
        };
        if !name.is_empty() && check_local_name(&name, Platform::current()).is_err() {
            return Err(CliError::Usage(format!("unsafe folder name: {name:?}")));
        }
        let item = NewItem {
            direction: Direction::Download,
            local: absolute(target),
            remote,
            remote_display,
            is_dir: true,
            size: None,
            modified: None,
        };
        return run_queue(run, options, Work::Add(vec![item]), false, Some(session)).await;
    }
    if let Err(why) = check_local_name(&name, Platform::current()) {
        return Err(CliError::Usage(format!("{why}: {name:?}")));
    }
    let target = match dest {
        None => PathBuf::from(&name),
        Some(d) if d.is_dir() => d.join(&name),
        Some(d) => d.to_path_buf(),
    };
    let item = NewItem {
        direction: Direction::Download,
        local: absolute(target),
        remote,
        remote_display,
        is_dir: false,
        // The worker asks SIZE and MDTM on its own connection.
        size: None,
        modified: None,
    };
    run_queue(run, options, Work::Add(vec![item]), true, Some(session)).await
}

/// A stored queue must not depend on the folder it was started from.
fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

async fn put(
    src: &Path,
    text: &str,
    recursive: bool,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    let meta = std::fs::metadata(src).map_err(|source| EngineError::Local {
        path: src.to_path_buf(),
        source,
    })?;
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (url, config) = blocking_target(text, options).await?;
    let run = QueueRun::start(&config, options, recursive && meta.is_dir());
    let (mut session, remote) = open(&url, &config, &events).await?;
    let remote_is_dir = remote == b"/" || session.cwd(&remote).await.is_ok();
    if meta.is_dir() {
        if !recursive {
            return Err(CliError::Usage(format!(
                "is a folder (use put -r): {}",
                src.display()
            )));
        }
        let target = if remote_is_dir && !name.is_empty() {
            path::join(&remote, &session.encode(&name)?)
        } else {
            remote
        };
        let remote_display = session.decode(&target);
        let item = NewItem {
            direction: Direction::Upload,
            local: absolute(src.to_path_buf()),
            remote: target,
            remote_display,
            is_dir: true,
            size: None,
            modified: None,
        };
        return run_queue(run, options, Work::Add(vec![item]), false, Some(session)).await;
    }
    let target = if remote_is_dir || url.trailing_slash {
        path::join(&remote, &session.encode(&name)?)
    } else {
        remote
    };
    let remote_display = session.decode(&target);
    let item = NewItem {
        direction: Direction::Upload,
        local: absolute(src.to_path_buf()),
        remote: target,
        remote_display,
        is_dir: false,
        size: Some(meta.len()),
        modified: None,
    };
    run_queue(run, options, Work::Add(vec![item]), true, Some(session)).await
}

async fn queue_command(
    action: QueueAction,
    options: &Options,
    events: EventSink,
) -> Result<Finish, CliError> {
    match action {
        QueueAction::Show { file } => {
            let file = file
                .or_else(default_store)
                .ok_or_else(|| CliError::Usage("no data folder: name the queue file".into()))?;
            show_queue(&file).await
        }
        QueueAction::Resume { file, url } => {
            // A URL or a saved site ("site:Folder/Name").
            let (url, config) = blocking_target(&url, options).await?;
            // Connect once first, so a wrong password or host fails here, loudly.
            let (session, _) = open(&url, &config, &events).await?;
            session.quit().await;
            let mut options = options.clone();
            options.queue = Some(file);
            run_queue(
                QueueRun::start(&config, &options, false),
                &options,
                Work::ResumeAll,
                false,
                None,
            )
            .await
        }
    }
}

/// Prints a queue file's items: `STATE DIRECTION DONE/SIZE LOCAL REMOTE`.
async fn show_queue(file: &Path) -> Result<Finish, CliError> {
    let options = QueueOptions {
        store: Some(file.to_path_buf()),
        process: false,
        ..QueueOptions::default()
    };
    let (queue, mut events) = QueueHandle::start(
        &tokio::runtime::Handle::current(),
        options,
        std::sync::Arc::new(|| {}),
    );
    queue.send(QueueCommand::Shutdown);
    let mut views: Vec<ItemView> = Vec::new();
    while let Some(event) = events.recv().await {
        match event {
            QueueEvent::Upsert(items) => views.extend(items),
            QueueEvent::Log(line) if line.kind != LogKind::Status => {
                eprintln!("skiff: {}", line.text)
            }
            _ => {}
        }
    }
    views.sort_by_key(|v| v.id);
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for v in &views {
        let state = match &v.state {
            ItemState::Queued => "queued".to_string(),
            ItemState::Paused => "paused".to_string(),
            ItemState::Running => "running".to_string(),
            ItemState::Asking => "asking".to_string(),
            ItemState::Done => "done".to_string(),
            ItemState::Skipped(why) => format!("skipped ({why})"),
            ItemState::Failed(why) => format!("failed ({why})"),
        };
        let direction = match v.direction {
            Direction::Download => "get",
            Direction::Upload => "put",
        };
        let size = v.size.map(|s| s.to_string()).unwrap_or_else(|| "?".into());
        let kind = if v.is_dir { "dir" } else { "file" };
        let line = writeln!(
            out,
            "{}\t{state}\t{direction}\t{kind}\t{}/{size}\t{}\t{}\t{}",
            v.id,
            v.done,
            v.site,
            v.local.display(),
            v.remote_display
        );
        if let Err(e) = line
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            return Ok(Finish::Ok);
        }
    }
    let _ = out.flush();
    Ok(Finish::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls_table() {
        let u = FtpUrl::parse("ftp://alice:p%40ss@example.org:2121/pub/a%20b.txt").expect("valid");
        assert_eq!(u.host, "example.org");
        assert_eq!(u.port, 2121);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_ref().map(Secret::expose), Some("p@ss"));
        assert_eq!(u.path, b"pub/a b.txt");
        assert!(!u.absolute && !u.trailing_slash);

        let u = FtpUrl::parse("ftp://h//etc/x/").expect("valid");
        assert_eq!(u.path, b"etc/x");
        assert!(u.absolute && u.trailing_slash);
        assert_eq!(u.port, 21);
        assert!(u.user.is_none());

        let u = FtpUrl::parse("ftp://h/%2Fvar/%C4%E3").expect("valid");
        assert!(u.absolute);
        assert_eq!(u.path, b"var/\xc4\xe3");

        let u = FtpUrl::parse("ftp://[::1]:2121/").expect("valid");
        assert_eq!(u.host, "[::1]");
        assert!(u.path.is_empty());

        assert!(matches!(FtpUrl::parse("http://h/"), Err(CliError::Url(_))));
        let u = FtpUrl::parse("ftps://h/").expect("implicit");
        assert_eq!((u.encryption, u.port), (Encryption::RequireImplicit, 990));
        let u = FtpUrl::parse("ftpes://h:2121/").expect("explicit");
        assert_eq!((u.encryption, u.port), (Encryption::RequireExplicit, 2121));
        assert!(matches!(FtpUrl::parse("sftp://h/"), Err(CliError::Url(_))));
        assert!(matches!(FtpUrl::parse("not a url"), Err(CliError::Url(_))));
    }

    #[test]
    fn options_before_or_after_the_command() {
        let a = Cli::try_parse_from(["skiff", "--active", "ls", "ftp://h/"]).expect("valid");
        let b = Cli::try_parse_from(["skiff", "ls", "ftp://h/", "--active"]).expect("valid");
        assert!(a.options.active && b.options.active);
        let c = Cli::try_parse_from(["skiff", "get", "-r", "ftp://h/d", "out", "--parallel", "8"])
            .expect("valid");
        assert_eq!(c.options.parallel, 8);
        assert!(Cli::try_parse_from(["skiff", "--active", "--passive", "ls", "ftp://h/"]).is_err());
        assert!(Cli::try_parse_from(["skiff", "get", "ftp://h/x", "--parallel", "0"]).is_err());
        let d = Cli::try_parse_from(["skiff", "ftp://h/"]).expect("valid");
        assert_eq!(d.url.as_deref(), Some("ftp://h/"));
        assert!(d.command.is_none());
        assert_eq!(parse_port_range("50000-50010"), Ok((50000, 50010)));
        assert!(parse_port_range("5-1").is_err());
    }
}
