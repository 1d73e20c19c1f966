//! The window's state that is neither a pane nor a widget, grouped by job:
//! what eframe persists ([`UiState`]), the quickconnect fields, the connection, the saved sites with trust and
//! recent servers, the open dialogs and the "list again" bookkeeping.
//!
//! Plain data with small pure helpers. Nothing here sends a command, touches
//! the disk or the keyring, or draws: [`super::update`] decides and the
//! engine link ([`super::link`]) acts.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::dialogs::Dialog;
use super::files::Sort;
use super::i18n::tr;
use super::site_manager::SiteManager;
use crate::engine::queue::SiteKey;
use crate::engine::{ConnectionState, Credentials, SessionConfig};
use crate::secret::Secret;
use crate::sites::recent::Recent;
use crate::sites::{SecretStore, Site, Sites};
use crate::trust::TrustStore;
use crate::url::FtpUrl;

/// What survives a restart (eframe's storage, under the platform's data folder).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The local folder shown last.
    pub local_dir: Option<PathBuf>,
    /// Sort of the local table.
    pub local_sort: Sort,
    /// Sort of the remote table.
    pub remote_sort: Sort,
    /// Quickconnect host, user and port (never the password).
    pub quick_host: String,
    /// Quickconnect user.
    pub quick_user: String,
    /// Quickconnect port.
    pub quick_port: String,
}

/// The quickconnect bar's fields. The password is masked in `Debug`.
#[derive(Default)]
pub struct QuickConnect {
    /// Host or URL.
    pub host: String,
    /// User name; empty means anonymous.
    pub user: String,
    /// Password as typed.
    pub password: String,
    /// Port; empty means the scheme's default.
    pub port: String,
}

impl std::fmt::Debug for QuickConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuickConnect")
            .field("host", &self.host)
            .field("user", &self.user)
            .field("password", &"****")
            .field("port", &self.port)
            .finish()
    }
}

impl QuickConnect {
    /// The session settings the fields describe.
    pub fn config(&self) -> Result<SessionConfig, String> {
        let host = self.host.trim();
        if host.is_empty() {
            return Err(tr!("quick-error-no-host"));
        }
        let text = if host.contains("://") {
            host.to_string()
        } else {
            format!("ftp://{host}")
        };
        let url = FtpUrl::parse(&text).map_err(|e| e.to_string())?;
        let port = match self.port.trim() {
            "" => url.port,
            text => text
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| tr!("quick-error-port", port = text))?,
        };
        let user = match (self.user.trim(), &url.user) {
            ("", Some(user)) => user.clone(),
            (user, _) => user.to_string(),
        };
        let credentials = if user.is_empty() || user == "anonymous" {
            Credentials::anonymous()
        } else {
            let password = if self.password.is_empty() {
                url.password.clone().unwrap_or_else(|| Secret::new(""))
            } else {
                Secret::new(self.password.clone())
            };
            Credentials {
                user,
                password,
                account: None,
            }
        };
        let mut config = SessionConfig::new(url.host, port, credentials);
        config.encryption = url.encryption;
        config.protocol = url.protocol;
        Ok(config)
    }
}

/// The browsing connection as the window knows it.
#[derive(Debug)]
pub struct Connection {
    /// What the status bar shows.
    pub state: ConnectionState,
    /// The settings of the site connected last (for Reconnect and transfers).
    pub site: Option<SessionConfig>,
    /// The site whose settings the queue has.
    pub queue_site: Option<SiteKey>,
    /// Why the last browse command failed, in the window's words.
    pub failure: Option<String>,
}

impl Default for Connection {
    fn default() -> Self {
        Self {
            state: ConnectionState::Disconnected { reason: None },
            site: None,
            queue_site: None,
            failure: None,
        }
    }
}

/// Saved sites, trusted certificates and recent servers, each `None` until
/// read from the config folder (off the UI thread).
pub struct SiteState {
    /// The config folder, when there is one.
    pub config_dir: Option<PathBuf>,
    /// Where site passwords live.
    pub secrets: Arc<dyn SecretStore>,
    /// Trusted certificates, once read.
    pub trust: Option<TrustStore>,
    /// Why no keyring answers here, when none does (the Site Manager says
    /// so beside the password field).
    pub keyring_missing: Option<String>,
    /// Passwords typed in this session (at connect, or in the Site Manager
    /// without a keyring), by site: asked once, never written anywhere.
    pub session_passwords: std::collections::HashMap<crate::sites::SiteId, crate::secret::Secret>,
    /// Certificates trusted "once": for the rest of this run of the window,
    /// by `host:port`, never written anywhere.
    pub trusted_once: Vec<(String, u16, crate::engine::Fingerprint)>,
    /// Saved sites, once read.
    pub sites: Option<Sites>,
    /// Recent quickconnect servers, once read.
    pub recent: Option<Recent>,
    /// A saved site to open as soon as the sites are read (`--site`).
    pub pending_site: Option<String>,
    /// The saved site connected last.
    pub current_site: Option<Site>,
    /// The Site Manager was asked for before the sites were read.
    pub open_manager_when_loaded: bool,
}

impl SiteState {
    /// Nothing read yet; sites and trust come from `config_dir`.
    pub fn new(
        config_dir: Option<PathBuf>,
        secrets: Arc<dyn SecretStore>,
        pending_site: Option<String>,
    ) -> Self {
        Self {
            config_dir,
            secrets,
            trust: None,
            keyring_missing: None,
            session_passwords: std::collections::HashMap::new(),
            trusted_once: Vec::new(),
            sites: None,
            recent: None,
            pending_site,
            current_site: None,
            open_manager_when_loaded: false,
        }
    }
}

impl std::fmt::Debug for SiteState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteState")
            .field("config_dir", &self.config_dir)
            .field("sites_read", &self.sites.is_some())
            .field("pending_site", &self.pending_site)
            .finish_non_exhaustive()
    }
}

/// The dialogs: at most one modal dialog and the Site Manager, plus the
/// overwrite questions waiting for their turn.
#[derive(Default)]
pub struct Modals {
    /// The open dialog, if any.
    pub dialog: Option<Dialog>,
    /// Existing-target questions waiting for the overwrite dialog.
    pub asks: VecDeque<Dialog>,
    /// The Site Manager, while open.
    pub site_manager: Option<SiteManager>,
    /// The Settings dialog, while open.
    pub settings: Option<super::settings::SettingsDialog>,
    /// The Add bookmark dialog, while open.
    pub bookmark: Option<super::bookmark_dialog::BookmarkDialog>,
}

impl std::fmt::Debug for Modals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A dialog may hold a typed password: only whether one is open.
        f.debug_struct("Modals")
            .field("dialog", &self.dialog.is_some())
            .field("asks", &self.asks.len())
            .field("site_manager", &self.site_manager.is_some())
            .field("settings", &self.settings.is_some())
            .finish()
    }
}

impl Modals {
    /// A dialog or the Site Manager has the keyboard.
    pub fn any_open(&self) -> bool {
        self.dialog.is_some()
            || self.site_manager.is_some()
            || self.settings.is_some()
            || self.bookmark.is_some()
    }
}

/// Folders to list again after transfers finished in them, at most once a second.
#[derive(Debug, Default)]
pub struct Stale {
    /// Finished downloads into the local folder.
    pub local: bool,
    /// Finished uploads into the remote folder.
    pub remote: bool,
    /// When the last such listing was asked for.
    pub last_refresh: Option<Instant>,
}

impl Stale {
    /// How long a stale folder waits before it is listed again.
    pub const INTERVAL: Duration = Duration::from_secs(1);

    /// Whether a folder is stale and its second has passed at `now`.
    pub fn due(&self, now: Instant) -> bool {
        (self.local || self.remote)
            && self
                .last_refresh
                .is_none_or(|t| now.saturating_duration_since(t) >= Self::INTERVAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quickconnect_reads_hosts_urls_and_ports() {
        let quick = QuickConnect {
            host: "ftpes://alice@example.org:2121/dir".into(),
            password: "pw".into(),
            ..Default::default()
        };
        let config = quick.config().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((config.host.as_str(), config.port), ("example.org", 2121));
        assert_eq!(config.credentials.user, "alice");
        assert_eq!(config.credentials.password.expose(), "pw");
        assert_eq!(
            config.encryption,
            crate::engine::Encryption::RequireExplicit
        );
        let sftp = QuickConnect {
            host: "sftp://bob@example.org".into(),
            ..Default::default()
        };
        let config = sftp.config().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.protocol, crate::engine::config::Protocol::Sftp);
        assert_eq!((config.port, config.credentials.user.as_str()), (22, "bob"));
        let bad = QuickConnect {
            host: "example.org".into(),
            port: "70000".into(),
            ..Default::default()
        };
        assert!(bad.config().is_err());
        assert!(QuickConnect::default().config().is_err());
        let anonymous = QuickConnect {
            host: "example.org".into(),
            ..Default::default()
        };
        assert_eq!(
            anonymous
                .config()
                .map(|c| c.credentials.user)
                .ok()
                .as_deref(),
            Some("anonymous")
        );
        let shown = format!(
            "{:?}",
            QuickConnect {
                password: "hunter2".into(),
                ..Default::default()
            }
        );
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn stale_folders_wait_a_second_between_listings() {
        let start = Instant::now();
        let mut stale = Stale::default();
        assert!(!stale.due(start), "nothing stale");
        stale.local = true;
        assert!(stale.due(start), "never listed: at once");
        stale.last_refresh = Some(start);
        assert!(!stale.due(start + Duration::from_millis(500)));
        assert!(stale.due(start + Duration::from_secs(1)));
    }
}
