//! The command line's syntax: the clap structs ([`Cli`], [`Options`],
//! [`CliCommand`] and its subcommands) and the parsers of flag values.
//!
//! Owns what `skiff --help` shows and what a flag accepts; scripts depend on
//! both, so they change only on purpose. Must not connect, read files or
//! decide what a command does with its arguments.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::engine::limit::parse_rate;
use crate::engine::queue::Direction;
use crate::engine::{DataMode, ExistsPolicy, Fingerprint, RetryPolicy};
use crate::protocol::listing::ServerType;
use crate::settings::{Settings, TransferType};

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
    /// Idle timeout for every network wait, in seconds [settings: 20].
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Retries after a failure that made no progress (one that did resumes
    /// for free) [settings: 2].
    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<u32>,
    /// Seconds to wait before a retry [settings: 5].
    #[arg(long, global = true, value_name = "SECS")]
    pub retry_delay: Option<f64>,
    /// Transfer connections for recursive transfers, 1-32 [settings: 2].
    #[arg(long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub parallel: Option<u16>,
    /// What to do when a target exists [settings, where "ask" means skip:
    /// skip].
    #[arg(long, global = true, value_enum, value_name = "POLICY")]
    pub overwrite: Option<ExistsPolicy>,
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
    /// Trust the server certificate (SHA256:AB:CD:...) or SSH host key
    /// (SHA256:base64, as `ssh-keygen -lf` prints it) with this fingerprint.
    #[arg(long, global = true, value_name = "FINGERPRINT", value_parser = parse_fingerprint)]
    pub trust_fingerprint: Vec<Fingerprint>,
    /// SFTP: log in with this private key file (OpenSSH, PEM or PuTTY
    /// format); an encrypted key's passphrase comes from
    /// SKIFF_KEY_PASSPHRASE, else it is asked on the terminal.
    #[arg(long, global = true, value_name = "FILE")]
    pub key: Option<PathBuf>,
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
    /// Transfer type: `binary` (every byte as it is), `auto` (ASCII for
    /// FileZilla's text extensions such as txt, html, php) or `ascii` (line
    /// ends converted for every file) [settings: binary].
    #[arg(long = "type", global = true, value_name = "TYPE", value_parser = parse_transfer_type)]
    pub transfer_type: Option<TransferType>,
    /// The defaults of the flags above, from `settings.toml` (the window's
    /// Settings); filled in by `main` before the command runs.
    #[arg(skip)]
    pub settings: Settings,
}

impl Options {
    /// The idle timeout: the flag, else the settings.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(
            self.timeout
                .unwrap_or(self.settings.connection.timeout_secs)
                .max(1),
        )
    }

    /// The retry policy: the flags, else the settings.
    pub fn retry(&self) -> RetryPolicy {
        let base = self.settings.connection.retry();
        RetryPolicy {
            retries: self.retries.unwrap_or(base.retries),
            delay: self
                .retry_delay
                .filter(|d| d.is_finite())
                .map_or(base.delay, |d| {
                    Duration::from_secs_f64(d.clamp(0.0, 3600.0))
                }),
        }
    }

    /// Transfer connections: the flag, else the settings' simultaneous transfers.
    pub fn parallel(&self) -> u16 {
        self.parallel
            .unwrap_or(self.settings.transfers.simultaneous)
            .clamp(1, crate::settings::MAX_SIMULTANEOUS)
    }

    /// What a transfer in `direction` does with an existing target: the flag,
    /// else the settings' default for that direction ("ask" is skip here:
    /// a script cannot be asked).
    pub fn overwrite(&self, direction: Direction) -> ExistsPolicy {
        self.overwrite.unwrap_or_else(|| {
            let default = match direction {
                Direction::Download => self.settings.transfers.download_exists,
                Direction::Upload => self.settings.transfers.upload_exists,
            };
            default.policy().unwrap_or(ExistsPolicy::Skip)
        })
    }

    /// The transfer type: the flag, else the settings.
    pub fn transfer_type(&self) -> TransferType {
        self.transfer_type
            .unwrap_or(self.settings.transfers.transfer_type)
    }

    /// Active mode: the flag, else the settings (unless `--passive`).
    pub fn active_mode(&self) -> bool {
        self.active || (!self.passive && self.settings.connection.data_mode == DataMode::Active)
    }

    /// Whether a failed data mode falls back to the other.
    pub fn fallback(&self) -> bool {
        !self.no_fallback && self.settings.connection.fallback
    }

    /// The active port range: the flag, else the settings.
    pub fn active_ports(&self) -> Option<(u16, u16)> {
        self.active_ports
            .or_else(|| self.settings.connection.port_range())
    }

    /// The external address: the flag, else the settings.
    pub fn external_ip(&self) -> Option<IpAddr> {
        self.external_ip.or(self.settings.connection.external_ip)
    }

    /// Whether files get the source's time: the flag or the settings.
    pub fn preserve_times(&self) -> bool {
        self.preserve_times || self.settings.transfers.preserve_times
    }

    /// The download limit: the flag, else the settings when switched on.
    pub fn limit_download(&self) -> Option<u64> {
        self.limit_download
            .or_else(|| self.settings.transfers.download_limit())
    }

    /// The upload limit: the flag, else the settings when switched on.
    pub fn limit_upload(&self) -> Option<u64> {
        self.limit_upload
            .or_else(|| self.settings.transfers.upload_limit())
    }
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// List a remote folder.
    Ls {
        /// Print a JSON array instead of lines.
        #[arg(long)]
        json: bool,
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Download a file, or a folder with -r.
    Get {
        /// Copy a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
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
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Delete a file or link, or a folder and everything in it with -r
    /// (links are deleted, never followed).
    Rm {
        /// Delete a folder and everything in it.
        #[arg(short, long)]
        recursive: bool,
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Create a folder, and its missing parents with -p.
    Mkdir {
        /// Create missing parent folders; an existing folder is fine.
        #[arg(short, long)]
        parents: bool,
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Rename or move a file or folder on the server.
    Mv {
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
        /// A URL on the same server, an absolute path, or a bare name (a
        /// rename in the same folder).
        target: String,
    },
    /// Change permissions (SITE CHMOD), of everything under a folder with -R.
    Chmod {
        /// Also everything under the folder.
        #[arg(short = 'R', long)]
        recursive: bool,
        /// With -R: change only files or only folders.
        #[arg(long, value_name = "WHICH", default_value = "all",
              value_parser = ["all", "files", "folders"], requires = "recursive")]
        only: String,
        /// The mode in octal, e.g. 755 or 0640.
        #[arg(value_parser = parse_mode)]
        mode: u32,
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Search a folder and everything under it (links are not followed).
    Find {
        /// Names matching this glob (`*.log`, `report-??.csv`).
        #[arg(long, value_name = "GLOB")]
        name: Option<String>,
        /// Names containing this text (case-insensitive).
        #[arg(long, value_name = "TEXT", conflicts_with = "name")]
        contains: Option<String>,
        /// Files of at least this size (bytes; K, M, G suffixes).
        #[arg(long, value_name = "N", value_parser = parse_size)]
        min_size: Option<u64>,
        /// Files of at most this size (bytes; K, M, G suffixes).
        #[arg(long, value_name = "N", value_parser = parse_size)]
        max_size: Option<u64>,
        /// Modified after this date: YYYY-MM-DD, `YYYY-MM-DD HH:MM[:SS]` (UTC) or RFC 3339.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        newer: Option<chrono::NaiveDateTime>,
        /// One JSON object per line (the fields of `ls --json` and `path`).
        #[arg(long)]
        json: bool,
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Send one command on the control connection and print the reply
    /// (commands that need a data connection are refused).
    Quote {
        /// ftp://[user[:password]@]host[:port]/ (FTP only)
        url: String,
        /// The command, e.g. "SITE HELP".
        command: String,
    },
    /// Print a remote file on standard output.
    Cat {
        /// ftp:// or sftp://[user[:password]@]host[:port]/path
        url: String,
    },
    /// Make DEST like SRC (a local folder and a URL, either way), or both
    /// like each other with --two-way.
    Sync(super::sync::SyncArgs),
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

/// `--server-type`: a [`ServerType::name`] (or an alias), in any case.
fn parse_server_type(text: &str) -> Result<ServerType, String> {
    ServerType::from_name(text)
        .ok_or_else(|| format!("unknown server type: {}", text.to_ascii_lowercase()))
}

/// `--type`: a [`TransferType::name`].
fn parse_transfer_type(text: &str) -> Result<TransferType, String> {
    TransferType::from_name(&text.to_ascii_lowercase())
        .ok_or_else(|| "expected binary, auto or ascii".to_string())
}

/// `--trust-fingerprint`: `SHA256:` and 64 hex digits (a certificate), or
/// `SHA256:` and 43 base64 characters as `ssh-keygen -lf` prints a host key.
fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text).ok_or_else(|| {
        "expected SHA256: and 64 hex digits, or SHA256: and base64 as ssh-keygen -lf prints it"
            .to_string()
    })
}

/// A chmod mode: octal digits, at most 7777.
fn parse_mode(text: &str) -> Result<u32, String> {
    u32::from_str_radix(text, 8)
        .ok()
        .filter(|mode| *mode <= 0o7777 && !text.is_empty() && text.len() <= 5)
        .ok_or_else(|| "expected an octal mode such as 755 or 0640".to_string())
}

/// A size in bytes, with an optional K, M or G (1024-based) suffix.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, factor) = match text.chars().last() {
        Some('k' | 'K') => (&text[..text.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&text[..text.len() - 1], 1 << 20),
        Some('g' | 'G') => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| "expected a size such as 1500, 10K or 2M".to_string())
}

/// A date for `--newer`: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` (or with a
/// `T`), taken as UTC, or RFC 3339 with its offset.
fn parse_date(text: &str) -> Result<chrono::NaiveDateTime, String> {
    let text = text.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.naive_utc());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Ok(time);
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .ok_or_else(|| "expected a date such as 2026-01-31 or 2026-01-31 12:00".to_string())
}

/// `--active-ports`: `LOW-HIGH`, with 1 <= LOW <= HIGH.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_before_or_after_the_command() {
        let a = Cli::try_parse_from(["skiff", "--active", "ls", "ftp://h/"]).expect("valid");
        let b = Cli::try_parse_from(["skiff", "ls", "ftp://h/", "--active"]).expect("valid");
        assert!(a.options.active && b.options.active);
        let c = Cli::try_parse_from(["skiff", "get", "-r", "ftp://h/d", "out", "--parallel", "8"])
            .expect("valid");
        assert_eq!(c.options.parallel(), 8);
        assert!(Cli::try_parse_from(["skiff", "--active", "--passive", "ls", "ftp://h/"]).is_err());
        assert!(Cli::try_parse_from(["skiff", "get", "ftp://h/x", "--parallel", "0"]).is_err());
        let d = Cli::try_parse_from(["skiff", "ftp://h/"]).expect("valid");
        assert_eq!(d.url.as_deref(), Some("ftp://h/"));
        assert!(d.command.is_none());
        assert_eq!(parse_port_range("50000-50010"), Ok((50000, 50010)));
        assert!(parse_port_range("5-1").is_err());
    }

    #[test]
    fn flags_override_the_settings_which_override_the_built_in_defaults() {
        let bare = Cli::try_parse_from(["skiff", "get", "ftp://h/x"]).expect("valid");
        assert_eq!(bare.options.parallel(), 2);
        assert_eq!(bare.options.timeout(), Duration::from_secs(20));
        assert_eq!(
            bare.options.overwrite(Direction::Download),
            ExistsPolicy::Skip
        );
        assert_eq!(bare.options.transfer_type(), TransferType::Binary);
        assert!(!bare.options.active_mode() && bare.options.fallback());

        let mut options = bare.options.clone();
        options.settings.transfers.simultaneous = 6;
        options.settings.transfers.upload_exists = crate::settings::ExistsDefault::Overwrite;
        options.settings.transfers.transfer_type = TransferType::Auto;
        options.settings.transfers.limit_download = true;
        options.settings.transfers.download_kib = 100;
        options.settings.connection.data_mode = DataMode::Active;
        options.settings.connection.timeout_secs = 7;
        assert_eq!(options.parallel(), 6);
        assert_eq!(options.timeout(), Duration::from_secs(7));
        assert_eq!(
            options.overwrite(Direction::Upload),
            ExistsPolicy::Overwrite
        );
        assert_eq!(options.overwrite(Direction::Download), ExistsPolicy::Skip);
        assert_eq!(options.transfer_type(), TransferType::Auto);
        assert_eq!(options.limit_download(), Some(100 * 1024));
        assert!(options.active_mode());

        let flags = Cli::try_parse_from([
            "skiff",
            "get",
            "ftp://h/x",
            "--parallel",
            "3",
            "--passive",
            "--type",
            "binary",
            "--overwrite",
            "resume",
            "--timeout",
            "9",
        ])
        .expect("valid");
        let mut options = flags.options;
        options.settings.transfers.simultaneous = 6;
        options.settings.transfers.transfer_type = TransferType::Auto;
        options.settings.connection.data_mode = DataMode::Active;
        assert_eq!(options.parallel(), 3);
        assert_eq!(options.timeout(), Duration::from_secs(9));
        assert_eq!(options.transfer_type(), TransferType::Binary);
        assert_eq!(options.overwrite(Direction::Upload), ExistsPolicy::Resume);
        assert!(!options.active_mode());
    }

    #[test]
    fn remote_operation_values_parse() {
        assert_eq!(parse_mode("755"), Ok(0o755));
        assert_eq!(parse_mode("0640"), Ok(0o640));
        for bad in ["", "8", "rwx", "77777", "-1"] {
            assert!(parse_mode(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_size("1500"), Ok(1500));
        assert_eq!(parse_size("10K"), Ok(10 * 1024));
        assert!(parse_size("x").is_err());
        let day = parse_date("2026-01-31").expect("date");
        assert_eq!(day.to_string(), "2026-01-31 00:00:00");
        assert_eq!(
            parse_date("2026-01-31T12:00:00+02:00")
                .expect("rfc3339")
                .to_string(),
            "2026-01-31 10:00:00"
        );
        assert!(parse_date("yesterday").is_err());
        let cli = Cli::try_parse_from([
            "skiff",
            "chmod",
            "-R",
            "--only",
            "files",
            "640",
            "ftp://h/d",
        ])
        .expect("valid");
        assert!(matches!(
            cli.command,
            Some(CliCommand::Chmod {
                mode: 0o640,
                recursive: true,
                ..
            })
        ));
        assert!(
            Cli::try_parse_from(["skiff", "chmod", "--only", "files", "640", "ftp://h/d"]).is_err()
        );
    }

    #[test]
    fn every_server_type_name_is_a_server_type_flag() {
        for server_type in ServerType::ALL {
            let name = server_type.name();
            let cli = Cli::try_parse_from(["skiff", "ls", "ftp://h/", "--server-type", name])
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(cli.options.server_type, server_type, "{name}");
        }
        let cli = Cli::try_parse_from(["skiff", "--server-type", "dos-virtual", "ls", "ftp://h/"])
            .expect("dos-virtual");
        assert_eq!(cli.options.server_type, ServerType::DosVirtual);
        for (alias, server_type) in [("windows", ServerType::Dos), ("ZOS", ServerType::Mvs)] {
            assert_eq!(parse_server_type(alias), Ok(server_type), "{alias}");
        }
        assert_eq!(
            parse_server_type("Bogus"),
            Err("unknown server type: bogus".to_string())
        );
    }
}
