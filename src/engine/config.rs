//! What a session needs to know about a site: address, login, data mode, charset, timeouts.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::certs::{Encryption, TlsOptions};
use super::limit::RateLimiter;
use crate::protocol::listing::ServerType;
use crate::secret::Secret;

/// How data connections are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataMode {
    /// The client connects to the server: EPSV, falling back to PASV.
    #[default]
    Passive,
    /// The server connects to the client: PORT (IPv4) or EPRT (IPv6).
    Active,
}

impl DataMode {
    /// The other mode, for the one-time fallback.
    pub fn other(self) -> Self {
        match self {
            DataMode::Passive => DataMode::Active,
            DataMode::Active => DataMode::Passive,
        }
    }
}

/// Settings for active mode, for clients behind a firewall or NAT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiveConfig {
    /// Listen only on ports in this inclusive range (to match a firewall rule).
    pub port_range: Option<(u16, u16)>,
    /// The address to announce in PORT/EPRT instead of the local one (NAT).
    pub external_ip: Option<IpAddr>,
}

/// The charset of file names on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CharsetChoice {
    /// UTF-8, switched on with `OPTS UTF8 ON` when the server offers it.
    #[default]
    Auto,
    /// A named charset such as GBK or Shift_JIS.
    Named(&'static encoding_rs::Encoding),
}

impl CharsetChoice {
    /// Looks up a charset by its label (`gbk`, `shift_jis`, `windows-1251`, `utf-8`...).
    pub fn from_label(label: &str) -> Option<Self> {
        if label.eq_ignore_ascii_case("auto") {
            return Some(CharsetChoice::Auto);
        }
        encoding_rs::Encoding::for_label(label.trim().as_bytes()).map(CharsetChoice::Named)
    }
}

/// Which protocol a site speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// FTP, with or without TLS ([`SessionConfig::encryption`]).
    #[default]
    Ftp,
    /// SFTP over SSH (port 22 by default).
    Sftp,
}

/// How an SFTP session logs in and checks the server, beyond the user and
/// password of [`Credentials`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshOptions {
    /// A private key file (OpenSSH format, PEM, PuTTY's PPK), tried first.
    pub key_file: Option<std::path::PathBuf>,
    /// The passphrase of an encrypted key file.
    pub key_passphrase: Option<Secret>,
    /// The `known_hosts` file; `None`: `~/.ssh/known_hosts`.
    pub known_hosts: Option<std::path::PathBuf>,
    /// Try the keys of the ssh agent (`SSH_AUTH_SOCK`) when no key file and
    /// no password is given.
    pub agent: bool,
}

/// Who logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name; `anonymous` for anonymous logins.
    pub user: String,
    /// The password (for anonymous, an e-mail-like string).
    pub password: Secret,
    /// The account for servers that ask with 332.
    pub account: Option<Secret>,
}

impl Credentials {
    /// Anonymous login, with the customary e-mail-like password.
    pub fn anonymous() -> Self {
        Self {
            user: "anonymous".to_string(),
            password: Secret::new("anonymous@example.com"),
            account: None,
        }
    }
}

/// Everything needed to open a session with a site.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Host name or IP address.
    pub host: String,
    /// Control port (21 by default).
    pub port: u16,
    /// Login.
    pub credentials: Credentials,
    /// Whether and how TLS is used.
    pub encryption: Encryption,
    /// Certificate trust for TLS.
    pub tls: TlsOptions,
    /// Passive or active data connections.
    pub data_mode: DataMode,
    /// Fall back once to the other mode when the chosen one cannot open a data connection.
    pub mode_fallback: bool,
    /// Connect to the address in a 227 reply instead of the control connection's peer.
    pub trust_pasv_address: bool,
    /// Active-mode settings.
    pub active: ActiveConfig,
    /// Charset of remote names.
    pub charset: CharsetChoice,
    /// Idle timeout for every phase.
    pub timeout: Duration,
    /// Most entries a listing may have.
    pub max_listing_entries: usize,
    /// The listing format family; `Auto` guesses per line (and from SYST).
    pub server_type: ServerType,
    /// Download speed limit, shared by every connection that holds it.
    pub download_limit: Option<Arc<RateLimiter>>,
    /// Upload speed limit, shared likewise.
    pub upload_limit: Option<Arc<RateLimiter>>,
    /// Most connections the transfer queue opens to this server at once
    /// (the folder walker's included, the browsing connection not); `None`:
    /// as many as the queue has workers.
    pub max_connections: Option<u8>,
    /// Minutes added to the times of `LIST` listings, which servers print in
    /// their own zone (FileZilla's "adjust server time"). MLSD and MDTM times
    /// are UTC by RFC 3659 and are never shifted.
    pub timezone_offset_minutes: i32,
    /// Upload every file to a temporary name beside the target and rename
    /// it over the target once it has arrived whole (the site's "atomic
    /// uploads"; View/Edit always uploads so).
    pub atomic_uploads: bool,
    /// FTP or SFTP.
    pub protocol: Protocol,
    /// SFTP's keys, agent and known hosts.
    pub ssh: SshOptions,
}

impl SessionConfig {
    /// A config with FileZilla's defaults: TLS if available, passive, fallback on, 20 s timeout.
    pub fn new(host: impl Into<String>, port: u16, credentials: Credentials) -> Self {
        Self {
            host: host.into(),
            port,
            credentials,
            encryption: Encryption::default(),
            tls: TlsOptions::default(),
            data_mode: DataMode::Passive,
            mode_fallback: true,
            trust_pasv_address: false,
            active: ActiveConfig::default(),
            charset: CharsetChoice::Auto,
            timeout: Duration::from_secs(20),
            max_listing_entries: 1_000_000,
            server_type: ServerType::Auto,
            download_limit: None,
            upload_limit: None,
            max_connections: None,
            timezone_offset_minutes: 0,
            atomic_uploads: false,
            protocol: Protocol::Ftp,
            ssh: SshOptions {
                agent: true,
                ..SshOptions::default()
            },
        }
    }
}
