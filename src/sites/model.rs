//! Saved sites and the folder tree that holds them: pure data, no I/O.
//!
//! A [`Site`] carries everything FileZilla's Site Manager asks for except the
//! password, which lives in the OS keyring under the site's [`SiteId`]. A
//! [`Sites`] collection keeps sites in folders, each site and folder named
//! uniquely within its parent, so `"Folder/Sub/Name"` finds at most one site.
//! In such a path a `/` inside a name is written `\/` and a backslash `\\`
//! (FileZilla's own syntax for `--site`).

use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::SitesError;
pub use super::bookmark::Bookmark;
use super::bookmark::has_control;
use crate::engine::Encryption;
use crate::engine::config::Protocol;
use crate::engine::{ActiveConfig, CharsetChoice, Credentials, DataMode, SessionConfig};

fn is_ftp(protocol: &Protocol) -> bool {
    *protocol == Protocol::Ftp
}
use crate::protocol::listing::ServerType;
use crate::secret::Secret;

/// A site's stable identity: a random UUID (v4) in text form, made once when
/// the site is created and never changed by renames or moves. It names the
/// site's keyring entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SiteId(String);

impl SiteId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// An id from its text form (as stored); any non-empty text without
    /// control characters is accepted, so hand-edited files keep working.
    pub fn from_text(text: &str) -> Option<Self> {
        (!text.is_empty() && !text.chars().any(char::is_control)).then(|| Self(text.to_string()))
    }

    /// The text form, as stored and as the keyring account name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SiteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a site logs in (FileZilla's logon types that FTP can use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogonType {
    /// `anonymous` with an e-mail-like password; no password stored.
    Anonymous,
    /// User and a password kept in the keyring.
    #[default]
    Normal,
    /// User; the password is asked for at each connect, never stored.
    Ask,
    /// User, a password in the keyring, and an account name (`ACCT`).
    Account,
    /// SFTP: user and a private key file; the key's passphrase, when it
    /// has one, is kept in the keyring like a password.
    #[serde(rename = "keyfile")]
    KeyFile,
}

impl LogonType {
    /// Whether a password (or a key's passphrase) is kept in the keyring
    /// for this logon type.
    pub fn stores_password(self) -> bool {
        matches!(
            self,
            LogonType::Normal | LogonType::Account | LogonType::KeyFile
        )
    }
}

/// Which data connections a site uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferMode {
    /// The application's default (passive, as FileZilla's).
    #[default]
    Default,
    /// The server connects to us: PORT/EPRT.
    Active,
    /// We connect to the server: EPSV/PASV.
    Passive,
}

/// One saved site. Never holds a password: see [`super::SecretStore`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Site {
    /// Stable identity, the keyring account.
    pub id: SiteId,
    /// Name shown in the tree; unique within its folder.
    pub name: String,
    /// The folder path from the root, e.g. `["Work", "Clients"]`; empty at the top.
    pub folder: Vec<String>,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Control port (22 for SFTP).
    pub port: u16,
    /// FTP (with [`Site::encryption`]) or SFTP.
    #[serde(skip_serializing_if = "is_ftp")]
    pub protocol: Protocol,
    /// Whether and how TLS is used (FTP only).
    pub encryption: Encryption,
    /// How the site logs in.
    pub logon: LogonType,
    /// User name (unused for anonymous logins).
    pub user: String,
    /// Account for `ACCT` (logon type account). Like FileZilla, Skiff takes it
    /// for a name, not a secret: it is stored in the sites file.
    pub account: String,
    /// SFTP's private key file (logon type key file).
    pub key_file: Option<PathBuf>,
    /// Free text.
    pub comments: String,
    /// Local folder to open on connect.
    pub local_dir: Option<PathBuf>,
    /// Remote folder to open on connect, as the server spells it.
    pub remote_dir: Option<String>,
    /// Listing format hint.
    #[serde(with = "server_type_text")]
    pub server_type: ServerType,
    /// Minutes to add to the server's times (FileZilla: ±24 h).
    pub timezone_offset_minutes: i32,
    /// Active, passive or the default.
    pub transfer_mode: TransferMode,
    /// Connect to the address a 227 reply names instead of the server's (off:
    /// a NATed server's private address is replaced by the one we connected to).
    pub trust_pasv_address: bool,
    /// Active mode: listen only on ports in this inclusive range.
    pub active_port_range: Option<(u16, u16)>,
    /// Active mode: the address to announce (NAT).
    pub external_ip: Option<IpAddr>,
    /// Most simultaneous connections to this site (1-10); none = the application's setting.
    pub max_connections: Option<u8>,
    /// Charset of remote names.
    #[serde(with = "charset_text")]
    pub charset: CharsetChoice,
    /// Upload every file to a temporary name and rename it over the target
    /// when it has arrived whole, so a dropped connection never leaves a
    /// truncated file under the real name (off by default: some servers
    /// refuse to rename over a file, and a web server may serve the
    /// temporary name for a moment).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub atomic_uploads: bool,
    /// This site's bookmarks (FileZilla's site-specific bookmarks).
    #[serde(rename = "bookmark", skip_serializing_if = "Vec::is_empty")]
    pub bookmarks: Vec<Bookmark>,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            id: SiteId::random(),
            name: String::new(),
            folder: Vec::new(),
            host: String::new(),
            port: 21,
            protocol: Protocol::Ftp,
            encryption: Encryption::default(),
            logon: LogonType::default(),
            user: String::new(),
            account: String::new(),
            key_file: None,
            comments: String::new(),
            local_dir: None,
            remote_dir: None,
            server_type: ServerType::Auto,
            timezone_offset_minutes: 0,
            transfer_mode: TransferMode::Default,
            trust_pasv_address: false,
            active_port_range: None,
            external_ip: None,
            max_connections: None,
            charset: CharsetChoice::Auto,
            atomic_uploads: false,
            bookmarks: Vec::new(),
        }
    }
}

/// A problem with one field of a site, for the dialog to show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in [`Site`] (`host`, `port`, `active_port_range`...).
    pub field: &'static str,
    /// What is wrong, for the user.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Most minutes a timezone offset may have (FileZilla's bound: a day).
pub const MAX_TIMEZONE_OFFSET_MINUTES: i32 = 24 * 60;

/// Most simultaneous connections a site may ask for (FileZilla's bound).
pub const MAX_CONNECTIONS: u8 = 10;

/// Parses a port typed into a field: a number in 1-65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u32>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        Ok(_) => Err("must be between 1 and 65535".to_string()),
        Err(_) => Err("must be a number".to_string()),
    }
}

impl Site {
    /// A site with Skiff's defaults (port 21, TLS if available, passive).
    pub fn new(name: impl Into<String>, host: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            host: host.into(),
            ..Self::default()
        }
    }

    /// Every field problem, so the dialog can mark each one; `Ok` when the site can be saved.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        } else if has_control(&self.name) {
            errors.push(FieldError::new(
                "name",
                "must not contain control characters",
            ));
        }
        let host = self.host.trim();
        if host.is_empty() {
            errors.push(FieldError::new("host", "must not be empty"));
        } else if host
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '/')
        {
            errors.push(FieldError::new(
                "host",
                "must be a host name or address, without spaces or /",
            ));
        }
        if self.port == 0 {
            errors.push(FieldError::new("port", "must be between 1 and 65535"));
        }
        match (self.protocol, self.logon) {
            (Protocol::Ftp, LogonType::KeyFile) => errors.push(FieldError::new(
                "logon",
                "a key file logs in to SFTP sites only",
            )),
            (Protocol::Sftp, LogonType::Account) => errors.push(FieldError::new(
                "logon",
                "an account (ACCT) is for FTP sites only",
            )),
            (_, LogonType::KeyFile) if self.key_file.is_none() => errors.push(FieldError::new(
                "key_file",
                "must name the private key file",
            )),
            _ => {}
        }
        if matches!(
            self.logon,
            LogonType::Normal | LogonType::Ask | LogonType::Account | LogonType::KeyFile
        ) && self.user.trim().is_empty()
        {
            errors.push(FieldError::new(
                "user",
                "must not be empty for this logon type",
            ));
        }
        if has_control(&self.user) {
            errors.push(FieldError::new(
                "user",
                "must not contain control characters",
            ));
        }
        if self.logon == LogonType::Account && self.account.trim().is_empty() {
            errors.push(FieldError::new(
                "account",
                "must not be empty for logon type account",
            ));
        }
        if has_control(&self.account) {
            errors.push(FieldError::new(
                "account",
                "must not contain control characters",
            ));
        }
        if let Some(dir) = &self.remote_dir
            && (dir.is_empty() || has_control(dir))
        {
            errors.push(FieldError::new(
                "remote_dir",
                "must not be empty or contain control characters",
            ));
        }
        if self.timezone_offset_minutes.abs() > MAX_TIMEZONE_OFFSET_MINUTES {
            errors.push(FieldError::new(
                "timezone_offset_minutes",
                "must be within 24 hours either way",
            ));
        }
        if let Some((low, high)) = self.active_port_range
            && (low == 0 || low > high)
        {
            errors.push(FieldError::new(
                "active_port_range",
                "must be LOW-HIGH with 1 <= LOW <= HIGH <= 65535",
            ));
        }
        if let Some(ip) = self.external_ip
            && (ip.is_unspecified() || ip.is_multicast())
        {
            errors.push(FieldError::new(
                "external_ip",
                "must be an address others can connect to",
            ));
        }
        if let Some(n) = self.max_connections
            && !(1..=MAX_CONNECTIONS).contains(&n)
        {
            errors.push(FieldError::new(
                "max_connections",
                format!("must be between 1 and {MAX_CONNECTIONS}"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The data mode this site asks for (the default is passive).
    pub fn data_mode(&self) -> DataMode {
        match self.transfer_mode {
            TransferMode::Active => DataMode::Active,
            TransferMode::Default | TransferMode::Passive => DataMode::Passive,
        }
    }

    /// The session settings for this site. `password` comes from the keyring
    /// or from asking; it is ignored for anonymous logins.
    pub fn session_config(&self, password: Option<Secret>) -> SessionConfig {
        let credentials = match self.logon {
            LogonType::Anonymous => Credentials::anonymous(),
            LogonType::Normal | LogonType::Ask | LogonType::Account => Credentials {
                user: self.user.clone(),
                password: password.clone().unwrap_or_default(),
                account: (self.logon == LogonType::Account).then(|| Secret::new(&*self.account)),
            },
            // The keyring's secret is the key's passphrase, not a password.
            LogonType::KeyFile => Credentials {
                user: self.user.clone(),
                password: Secret::default(),
                account: None,
            },
        };
        let mut config = SessionConfig::new(self.connect_host(), self.port, credentials);
        config.protocol = self.protocol;
        if self.logon == LogonType::KeyFile {
            config.ssh.key_file = self.key_file.clone();
            config.ssh.key_passphrase = password.filter(|p| !p.expose().is_empty());
        }
        config.encryption = self.encryption;
        config.data_mode = self.data_mode();
        config.trust_pasv_address = self.trust_pasv_address;
        config.active = ActiveConfig {
            port_range: self.active_port_range,
            external_ip: self.external_ip,
        };
        config.charset = self.charset;
        config.server_type = self.server_type;
        config.max_connections = self.max_connections.filter(|&n| n > 0);
        config.timezone_offset_minutes = self.timezone_offset_minutes;
        config.atomic_uploads = self.atomic_uploads;
        config
    }

    /// The host as the engine connects to it: an IPv6 address in brackets.
    pub fn connect_host(&self) -> String {
        let host = self.host.trim();
        if host.parse::<std::net::Ipv6Addr>().is_ok() {
            format!("[{host}]")
        } else {
            host.to_string()
        }
    }

    /// The site's path as `"Folder/Sub/Name"`, with `/` and `\` in names escaped.
    pub fn path_text(&self) -> String {
        join_path(self.folder.iter().chain(std::iter::once(&self.name)))
    }
}

/// Joins names into a `"A/B/C"` path, escaping `/` and `\` inside names.
pub fn join_path<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names
        .into_iter()
        .map(|n| n.replace('\\', "\\\\").replace('/', "\\/"))
        .collect::<Vec<_>>()
        .join("/")
}

/// Splits `"A/B\/C"` into `["A", "B/C"]`; empty segments (a leading, trailing
/// or doubled `/`) are dropped.
pub fn split_path(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => current.push(next),
                None => current.push('\\'),
            },
            '/' => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// The saved sites and their folders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sites {
    /// Every folder, as its path from the root (parents are listed too).
    pub folders: Vec<Vec<String>>,
    /// Every site, in the order the user sees them.
    pub sites: Vec<Site>,
    /// Bookmarks for every site (FileZilla's global bookmarks).
    pub bookmarks: Vec<Bookmark>,
}

impl Sites {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// The site with this id.
    pub fn get(&self, id: &SiteId) -> Option<&Site> {
        self.sites.iter().find(|s| &s.id == id)
    }

    /// The site with this id, to edit (keep names unique: rename with [`Sites::rename_site`]).
    pub fn get_mut(&mut self, id: &SiteId) -> Option<&mut Site> {
        self.sites.iter_mut().find(|s| &s.id == id)
    }

    /// The site at `"Folder/Name"` (see [`split_path`]).
    pub fn find(&self, path: &str) -> Option<&Site> {
        let parts = split_path(path);
        let (name, folder) = parts.split_last()?;
        self.sites
            .iter()
            .find(|s| &s.name == name && s.folder == folder)
    }

    /// Whether this folder exists (the root always does).
    pub fn has_folder(&self, folder: &[String]) -> bool {
        folder.is_empty() || self.folders.iter().any(|f| f == folder)
    }

    /// The folders directly inside `folder`, in order.
    pub fn subfolders(&self, folder: &[String]) -> Vec<&Vec<String>> {
        self.folders
            .iter()
            .filter(|f| f.len() == folder.len() + 1 && f.starts_with(folder))
            .collect()
    }

    /// The sites directly inside `folder`, in order.
    pub fn sites_in(&self, folder: &[String]) -> Vec<&Site> {
        self.sites.iter().filter(|s| s.folder == folder).collect()
    }

    fn name_taken(&self, folder: &[String], name: &str, except: Option<&SiteId>) -> bool {
        self.sites
            .iter()
            .any(|s| s.folder == folder && s.name == name && Some(&s.id) != except)
            || self.folders.iter().any(|f| {
                f.len() == folder.len() + 1 && f.starts_with(folder) && f[folder.len()] == name
            })
    }

    /// `name`, or `name (2)`, `name (3)`... whichever is free in `folder`.
    pub fn unique_name(&self, folder: &[String], name: &str) -> String {
        if !self.name_taken(folder, name, None) {
            return name.to_string();
        }
        (2..)
            .map(|n| format!("{name} ({n})"))
            .find(|candidate| !self.name_taken(folder, candidate, None))
            .unwrap_or_else(|| name.to_string())
    }

    fn check_name(
        &self,
        folder: &[String],
        name: &str,
        except: Option<&SiteId>,
    ) -> Result<(), SitesError> {
        if name.trim().is_empty() || has_control(name) {
            return Err(SitesError::BadName(name.to_string()));
        }
        if self.name_taken(folder, name, except) {
            return Err(SitesError::NameTaken(join_path(
                folder.iter().chain(std::iter::once(&name.to_string())),
            )));
        }
        Ok(())
    }

    fn ensure_folder(&mut self, folder: &[String]) {
        for depth in 1..=folder.len() {
            let prefix = &folder[..depth];
            if !self.has_folder(prefix) {
                self.folders.push(prefix.to_vec());
            }
        }
    }

    /// Adds a site (its folders are created as needed). Fails when its name is
    /// taken in its folder or its id is already used.
    pub fn add(&mut self, site: Site) -> Result<SiteId, SitesError> {
        if self.get(&site.id).is_some() {
            return Err(SitesError::DuplicateId(site.id.to_string()));
        }
        self.check_name(&site.folder, &site.name, None)?;
        self.ensure_folder(&site.folder);
        let id = site.id.clone();
        self.sites.push(site);
        Ok(id)
    }

    /// Creates a folder named `name` inside `parent` and returns its path.
    pub fn new_folder(&mut self, parent: &[String], name: &str) -> Result<Vec<String>, SitesError> {
        if !self.has_folder(parent) {
            return Err(SitesError::NoSuchFolder(join_path(parent)));
        }
        self.check_name(parent, name, None)?;
        let mut path = parent.to_vec();
        path.push(name.to_string());
        self.folders.push(path.clone());
        Ok(path)
    }

    /// Renames a site within its folder.
    pub fn rename_site(&mut self, id: &SiteId, name: &str) -> Result<(), SitesError> {
        let folder = self
            .get(id)
            .ok_or_else(|| SitesError::NoSuchSite(id.to_string()))?
            .folder
            .clone();
        self.check_name(&folder, name, Some(id))?;
        if let Some(site) = self.get_mut(id) {
            site.name = name.to_string();
        }
        Ok(())
    }

    /// Moves a site into another (existing) folder, keeping its name.
    pub fn move_site(&mut self, id: &SiteId, to: &[String]) -> Result<(), SitesError> {
        if !self.has_folder(to) {
            return Err(SitesError::NoSuchFolder(join_path(to)));
        }
        let name = self
            .get(id)
            .ok_or_else(|| SitesError::NoSuchSite(id.to_string()))?
            .name
            .clone();
        self.check_name(to, &name, Some(id))?;
        if let Some(site) = self.get_mut(id) {
            site.folder = to.to_vec();
        }
        Ok(())
    }

    /// Copies a site into the same folder as `NAME (2)` with a new id (the
    /// caller copies its keyring entry) and returns the copy's id.
    pub fn duplicate_site(&mut self, id: &SiteId) -> Result<SiteId, SitesError> {
        let mut copy = self
            .get(id)
            .ok_or_else(|| SitesError::NoSuchSite(id.to_string()))?
            .clone();
        copy.id = SiteId::random();
        copy.name = self.unique_name(&copy.folder, &copy.name);
        let new_id = copy.id.clone();
        let at = self
            .sites
            .iter()
            .position(|s| &s.id == id)
            .map_or(self.sites.len(), |i| i + 1);
        self.sites.insert(at, copy);
        Ok(new_id)
    }

    /// Removes a site and returns it (the caller deletes its keyring entry).
    pub fn delete_site(&mut self, id: &SiteId) -> Result<Site, SitesError> {
        let at = self
            .sites
            .iter()
            .position(|s| &s.id == id)
            .ok_or_else(|| SitesError::NoSuchSite(id.to_string()))?;
        Ok(self.sites.remove(at))
    }

    /// Renames a folder; everything inside follows.
    pub fn rename_folder(
        &mut self,
        folder: &[String],
        name: &str,
    ) -> Result<Vec<String>, SitesError> {
        let Some((_, parent)) = folder.split_last() else {
            return Err(SitesError::BadName(String::new()));
        };
        if !self.has_folder(folder) {
            return Err(SitesError::NoSuchFolder(join_path(folder)));
        }
        if folder.last().is_some_and(|old| old == name) {
            return Ok(folder.to_vec());
        }
        self.check_name(parent, name, None)?;
        let mut to = parent.to_vec();
        to.push(name.to_string());
        self.reparent(folder, &to);
        Ok(to)
    }

    /// Moves a folder (and everything inside) into another folder.
    pub fn move_folder(
        &mut self,
        folder: &[String],
        into: &[String],
    ) -> Result<Vec<String>, SitesError> {
        let Some(name) = folder.last() else {
            return Err(SitesError::BadName(String::new()));
        };
        if !self.has_folder(folder) {
            return Err(SitesError::NoSuchFolder(join_path(folder)));
        }
        if !self.has_folder(into) {
            return Err(SitesError::NoSuchFolder(join_path(into)));
        }
        if into.starts_with(folder) {
            return Err(SitesError::FolderIntoItself(join_path(folder)));
        }
        let mut to = into.to_vec();
        to.push(name.clone());
        if to == folder {
            return Ok(to);
        }
        self.check_name(into, name, None)?;
        self.reparent(folder, &to);
        Ok(to)
    }

    fn reparent(&mut self, from: &[String], to: &[String]) {
        let moved = |path: &Vec<String>| -> Option<Vec<String>> {
            path.starts_with(from).then(|| {
                let mut new = to.to_vec();
                new.extend_from_slice(&path[from.len()..]);
                new
            })
        };
        for f in &mut self.folders {
            if let Some(new) = moved(f) {
                *f = new;
            }
        }
        for s in &mut self.sites {
            if let Some(new) = moved(&s.folder) {
                s.folder = new;
            }
        }
    }

    /// Deletes a folder with everything inside and returns the sites removed
    /// (the caller deletes their keyring entries).
    pub fn delete_folder(&mut self, folder: &[String]) -> Result<Vec<Site>, SitesError> {
        if folder.is_empty() || !self.has_folder(folder) {
            return Err(SitesError::NoSuchFolder(join_path(folder)));
        }
        self.folders.retain(|f| !f.starts_with(folder));
        let (gone, kept) = std::mem::take(&mut self.sites)
            .into_iter()
            .partition(|s| s.folder.starts_with(folder));
        self.sites = kept;
        Ok(gone)
    }

    /// Checks what a loaded file must hold: unique ids, unique names per
    /// folder, every site's folder listed. Returns the first problem.
    pub fn check_consistent(&self) -> Result<(), String> {
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for site in &self.sites {
            if !ids.insert(&site.id) {
                return Err(format!("two sites share the id {}", site.id));
            }
            if !names.insert((&site.folder, &site.name)) {
                return Err(format!("two sites are named {}", site.path_text()));
            }
        }
        Ok(())
    }

    /// Adds folders that sites name but the folder list lacks (hand-edited files).
    pub fn repair_folders(&mut self) {
        let needed: Vec<Vec<String>> = self.sites.iter().map(|s| s.folder.clone()).collect();
        let listed: Vec<Vec<String>> = self.folders.clone();
        for f in needed.iter().chain(listed.iter()) {
            self.ensure_folder(f);
        }
    }
}

/// `ServerType` as text in the sites file: [`ServerType::name`], read back
/// with [`ServerType::from_name`].
mod server_type_text {
    use super::ServerType;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &ServerType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ServerType, D::Error> {
        let text = String::deserialize(d)?;
        ServerType::from_name(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown server type: {text}")))
    }
}

/// `CharsetChoice` as text: `auto` or the WHATWG name (`GBK`, `Shift_JIS`...).
mod charset_text {
    use super::CharsetChoice;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &CharsetChoice, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::charset_name(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CharsetChoice, D::Error> {
        let text = String::deserialize(d)?;
        CharsetChoice::from_label(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown charset: {text}")))
    }
}

/// A charset choice as text: `auto` or the encoding's name.
pub fn charset_name(value: CharsetChoice) -> String {
    match value {
        CharsetChoice::Auto => "auto".to_string(),
        CharsetChoice::Named(encoding) => encoding.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn paths_escape_slashes_and_backslashes() {
        let cases: &[(&[&str], &str)] = &[
            (&["a"], "a"),
            (&["Work", "web"], "Work/web"),
            (&["a/b", "c\\d"], "a\\/b/c\\\\d"),
        ];
        for (parts, text) in cases {
            let parts = names(parts);
            assert_eq!(join_path(&parts), *text);
            assert_eq!(split_path(text), parts, "{text}");
        }
        assert_eq!(split_path("/a//b/"), names(&["a", "b"]));
        assert_eq!(split_path("a\\"), names(&["a\\"]));
    }

    #[test]
    fn validation_names_every_bad_field() {
        let ok = Site::new("web", "example.org");
        assert_eq!(
            ok.validate(),
            Err(vec![FieldError::new(
                "user",
                "must not be empty for this logon type"
            )])
        );
        let mut ok = ok;
        ok.user = "alice".into();
        assert_eq!(ok.validate(), Ok(()));
        let bad = Site {
            name: " ".into(),
            host: "".into(),
            port: 0,
            logon: LogonType::Account,
            user: "".into(),
            account: "".into(),
            remote_dir: Some("a\nb".into()),
            timezone_offset_minutes: 1441,
            active_port_range: Some((2000, 1000)),
            external_ip: Some("0.0.0.0".parse().expect("ip")),
            max_connections: Some(0),
            ..Site::default()
        };
        let fields: Vec<&str> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "host",
                "port",
                "user",
                "account",
                "remote_dir",
                "timezone_offset_minutes",
                "active_port_range",
                "external_ip",
                "max_connections"
            ]
        );
        let anon = Site {
            logon: LogonType::Anonymous,
            host: "h o".into(),
            ..Site::new("a", "")
        };
        assert_eq!(
            anon.validate()
                .unwrap_err()
                .iter()
                .map(|e| e.field)
                .collect::<Vec<_>>(),
            ["host"]
        );
        assert_eq!(parse_port("21"), Ok(21));
        assert!(
            parse_port("0").is_err() && parse_port("65536").is_err() && parse_port("x").is_err()
        );
    }

    #[test]
    fn session_config_carries_the_site_settings() {
        let site = Site {
            user: "alice".into(),
            logon: LogonType::Account,
            account: "acct".into(),
            port: 2121,
            encryption: Encryption::RequireExplicit,
            transfer_mode: TransferMode::Active,
            trust_pasv_address: true,
            active_port_range: Some((50000, 50010)),
            external_ip: Some("203.0.113.5".parse().expect("ip")),
            charset: CharsetChoice::from_label("gbk").expect("gbk"),
            server_type: ServerType::Vms,
            max_connections: Some(3),
            timezone_offset_minutes: -90,
            ..Site::new("s", " example.org ")
        };
        let config = site.session_config(Some(Secret::new("pw")));
        assert_eq!(config.host, "example.org");
        assert_eq!(config.port, 2121);
        assert_eq!(config.credentials.user, "alice");
        assert_eq!(config.credentials.password.expose(), "pw");
        assert_eq!(
            config.credentials.account.as_ref().map(Secret::expose),
            Some("acct")
        );
        assert_eq!(config.encryption, Encryption::RequireExplicit);
        assert_eq!(config.data_mode, DataMode::Active);
        assert!(config.trust_pasv_address);
        assert_eq!(config.active.port_range, Some((50000, 50010)));
        assert_eq!(config.active.external_ip, site.external_ip);
        assert_eq!(config.charset, site.charset);
        assert_eq!(config.server_type, ServerType::Vms);
        assert_eq!(config.max_connections, Some(3));
        assert_eq!(config.timezone_offset_minutes, -90);

        let anon = Site {
            logon: LogonType::Anonymous,
            user: "ignored".into(),
            ..Site::new("a", "h")
        };
        let config = anon.session_config(Some(Secret::new("pw")));
        assert_eq!(config.credentials, Credentials::anonymous());
        let v6 = Site::new("v6", "2001:db8::1");
        assert_eq!(v6.session_config(None).host, "[2001:db8::1]");
        assert_eq!(config.data_mode, DataMode::Passive);
        let passive = Site {
            transfer_mode: TransferMode::Passive,
            ..anon
        };
        assert_eq!(passive.session_config(None).data_mode, DataMode::Passive);
    }

    #[test]
    fn folders_rename_move_duplicate_delete() {
        let mut sites = Sites::new();
        let work = sites.new_folder(&[], "Work").expect("folder");
        let clients = sites.new_folder(&work, "Clients").expect("sub");
        assert!(matches!(
            sites.new_folder(&[], "Work"),
            Err(SitesError::NameTaken(_))
        ));
        assert!(matches!(
            sites.new_folder(&names(&["Nope"]), "x"),
            Err(SitesError::NoSuchFolder(_))
        ));
        let a = sites
            .add(Site {
                folder: clients.clone(),
                ..Site::new("web", "a.example")
            })
            .expect("add");
        let b = sites
            .add(Site::new("web", "b.example"))
            .expect("same name, other folder");
        assert!(matches!(
            sites.add(Site {
                folder: clients.clone(),
                ..Site::new("web", "c")
            }),
            Err(SitesError::NameTaken(_))
        ));
        assert_eq!(sites.find("Work/Clients/web").map(|s| &s.id), Some(&a));
        assert_eq!(sites.find("web").map(|s| &s.id), Some(&b));
        assert!(sites.find("Work/web").is_none());

        let copy = sites.duplicate_site(&a).expect("dup");
        assert_ne!(copy, a);
        assert_eq!(sites.get(&copy).map(|s| s.name.as_str()), Some("web (2)"));
        assert_eq!(sites.get(&copy).map(|s| s.host.as_str()), Some("a.example"));

        let renamed = sites.rename_folder(&work, "Job").expect("rename");
        assert_eq!(renamed, names(&["Job"]));
        assert_eq!(sites.find("Job/Clients/web").map(|s| &s.id), Some(&a));
        assert!(sites.has_folder(&names(&["Job", "Clients"])));
        assert!(!sites.has_folder(&work));

        let moved = sites
            .move_folder(&names(&["Job", "Clients"]), &[])
            .expect("move");
        assert_eq!(moved, names(&["Clients"]));
        assert_eq!(sites.find("Clients/web (2)").map(|s| &s.id), Some(&copy));
        assert!(matches!(
            sites.move_folder(&names(&["Job"]), &names(&["Job"])),
            Err(SitesError::FolderIntoItself(_))
        ));

        assert!(matches!(
            sites.move_site(&a, &[]),
            Err(SitesError::NameTaken(_))
        ));
        sites.rename_site(&a, "web-a").expect("rename site");
        sites.move_site(&a, &names(&["Job"])).expect("move site");
        assert_eq!(sites.find("Job/web-a").map(|s| &s.id), Some(&a));

        let gone = sites.delete_folder(&names(&["Clients"])).expect("delete");
        assert_eq!(gone.iter().map(|s| &s.id).collect::<Vec<_>>(), [&copy]);
        assert!(sites.get(&copy).is_none());
        assert_eq!(sites.delete_site(&b).expect("del").host, "b.example");
        assert_eq!(sites.sites.len(), 1);
        assert_eq!(sites.subfolders(&[]).len(), 1);
        assert_eq!(sites.sites_in(&names(&["Job"])).len(), 1);
        assert_eq!(sites.check_consistent(), Ok(()));
    }

    #[test]
    fn sftp_sites_log_in_with_a_key_file_and_never_with_an_account() {
        let mut site = Site {
            name: "box".into(),
            host: "sftp.example.org".into(),
            port: 22,
            protocol: Protocol::Sftp,
            logon: LogonType::KeyFile,
            user: "gina".into(),
            ..Site::default()
        };
        let fields = |site: &Site| -> Vec<&'static str> {
            site.validate()
                .err()
                .unwrap_or_default()
                .iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(&site), ["key_file"]);
        site.key_file = Some(PathBuf::from("/home/gina/.ssh/id_ed25519"));
        assert!(site.validate().is_ok());
        let config = site.session_config(Some(Secret::new("phrase")));
        assert_eq!(config.protocol, Protocol::Sftp);
        assert_eq!(config.ssh.key_file, site.key_file);
        assert_eq!(
            config.ssh.key_passphrase.as_ref().map(Secret::expose),
            Some("phrase"),
            "the keyring's secret is the passphrase"
        );
        assert!(config.credentials.password.expose().is_empty());
        site.logon = LogonType::Account;
        assert!(fields(&site).contains(&"logon"));
        site.protocol = Protocol::Ftp;
        site.logon = LogonType::KeyFile;
        assert_eq!(fields(&site), ["logon"]);
        // An FTP site's file keeps no protocol line.
        let text = toml::to_string(&Site::default()).expect("toml");
        assert!(!text.contains("protocol"), "{text}");
    }
}
