//! Import of FileZilla's `sitemanager.xml`.
//!
//! Reads folders (nested `<Folder>`, the name being the folder's own text),
//! and per `<Server>`: `Host`, `Port`, `Protocol` (0 FTP with TLS if
//! available, 3 implicit FTPS, 4 explicit FTPS, 6 plain FTP), `Logontype`
//! (0 anonymous, 1 normal, 2 ask, 3 interactive = ask, 4 account), `User`,
//! `Pass`, `Account`, `PasvMode`, `EncodingType`/`CustomEncoding`, `Type`,
//! `TimezoneOffset`, `MaximumMultipleConnections`, `Comments`, `LocalDir` and
//! `RemoteDir` (FileZilla's "SafePath" form), and for SFTP sites (protocol 1)
//! the key file of a key-file logon (`Keyfile`). HTTP and the cloud protocols
//! are skipped with the reason.
//!
//! Passwords: `encoding="base64"` (and old plain-text ones) go into the
//! [`SecretStore`], never into a file; `encoding="crypt"` (FileZilla's master
//! password) cannot be read, so the site is imported as "ask for password".
//! Where no keyring answers, the site keeps its logon type and the password
//! is asked for at connect time; the report says so.
//!
//! Hostile input: files over [`MAX_FILE_BYTES`] are refused before parsing,
//! nesting is bounded, no DTD entity is ever expanded (only XML's five
//! predefined entities and character references), and no input panics.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use quick_xml::events::{BytesStart, Event};

use super::SitesError;
use super::keyring::{KeyringError, SecretStore};
use super::model::{
    Bookmark, LogonType, MAX_CONNECTIONS, MAX_TIMEZONE_OFFSET_MINUTES, Site, Sites, TransferMode,
};
use crate::engine::CharsetChoice;
use crate::engine::Encryption;
use crate::protocol::listing::ServerType;
use crate::secret::Secret;

/// Largest file read (a real site manager with thousands of sites is well under 1 MiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 64;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// How many sites were added.
    pub imported: usize,
    /// Sites not imported: (FileZilla path, reason).
    pub skipped: Vec<(String, String)>,
    /// Sites imported with a change the user should know of: (Skiff path, what).
    pub notes: Vec<(String, String)>,
    /// Set when the keyring did not answer: no password was saved.
    pub keyring_unavailable: Option<String>,
}

impl ImportReport {
    /// A one-line summary: `imported 5 sites, skipped 2`.
    pub fn summary(&self) -> String {
        let plural = if self.imported == 1 { "" } else { "s" };
        format!(
            "imported {} site{plural}, skipped {}",
            self.imported,
            self.skipped.len()
        )
    }
}

/// Where FileZilla keeps its site manager file on this platform, if it exists.
pub fn default_path() -> Option<PathBuf> {
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(|d| PathBuf::from(d).join("FileZilla"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .map(|d| d.join("filezilla"))
    }?;
    let path = base.join("sitemanager.xml");
    path.exists().then_some(path)
}

/// One `<Server>` element: its direct children's text, `Pass`'s encoding and
/// its own trailing text (old files' name).
#[derive(Debug, Default)]
struct RawServer {
    fields: Vec<(String, String)>,
    /// Each `<Bookmark>`'s children.
    bookmarks: Vec<Vec<(String, String)>>,
    pass_encoding: Option<String>,
    own_text: String,
}

impl RawServer {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One item of the file in document order.
#[derive(Debug)]
enum Item {
    Folder(Vec<String>),
    Server(Vec<String>, RawServer),
}

/// Resolves an entity reference without any DTD: the five XML ones and character references.
fn resolve_ref(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let value = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(value)
            .filter(|c| *c != '\0')
            .map(String::from);
    }
    quick_xml::escape::resolve_xml_entity(name).map(str::to_string)
}

fn attribute(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Where the parser is inside the document.
#[derive(Debug)]
enum Frame {
    /// `<Folder>`: its name so far; the index of its `Item::Folder`.
    Folder { name: String, item: usize },
    /// `<Server>`: the one being read.
    Server(RawServer),
    /// A direct child of `<Server>`: its name and text so far.
    Field(String, String),
    /// A `<Bookmark>` of the server: its children so far.
    Bookmark(Vec<(String, String)>),
    /// A child of `<Bookmark>`: its name and text so far.
    BookmarkField(String, String),
    /// Anything else (Bookmark, PostLoginCommands, FileZilla3, Servers...).
    Other,
}

/// Parses the XML into folders and servers, in document order.
fn parse(xml: &str) -> Result<Vec<Item>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Frame> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        let (text, start, empty) = match event {
            Event::Eof => break,
            Event::Start(s) => (None, Some(s), false),
            Event::Empty(s) => (None, Some(s), true),
            Event::Text(t) => (Some(t.xml10_content().into_owned()), None, false),
            Event::CData(c) => (Some(c.into_inner().into_owned()), None, false),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                match resolve_ref(name) {
                    Some(value) => (Some(value), None, false),
                    None => return Err(format!("unknown entity &{name};")),
                }
            }
            Event::DocType(_) => {
                return Err("a DOCTYPE is not allowed in sitemanager.xml".to_string());
            }
            Event::End(_) => {
                match stack.pop() {
                    Some(Frame::Folder { name, item }) => {
                        let name = clean_name(&name);
                        if let Some(Item::Folder(path)) = items.get_mut(item)
                            && let Some(last) = path.last_mut()
                        {
                            *last = name.clone();
                        }
                        // Sites and subfolders inside learnt the name only now.
                        let depth = stack
                            .iter()
                            .filter(|f| matches!(f, Frame::Folder { .. }))
                            .count();
                        for later in items.iter_mut().skip(item + 1) {
                            let path = match later {
                                Item::Folder(p) | Item::Server(p, _) => p,
                            };
                            if let Some(slot) = path.get_mut(depth) {
                                *slot = name.clone();
                            }
                        }
                    }
                    Some(Frame::Server(server)) => {
                        let folder = folder_path(&stack);
                        items.push(Item::Server(folder, server));
                    }
                    Some(Frame::Field(name, value)) => {
                        if let Some(Frame::Server(server)) = stack.last_mut() {
                            server.fields.push((name, value));
                        }
                    }
                    Some(Frame::Bookmark(fields)) => {
                        if let Some(Frame::Server(server)) = stack.last_mut() {
                            server.bookmarks.push(fields);
                        }
                    }
                    Some(Frame::BookmarkField(name, value)) => {
                        if let Some(Frame::Bookmark(fields)) = stack.last_mut() {
                            fields.push((name, value));
                        }
                    }
                    Some(Frame::Other) | None => {}
                }
                continue;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
        };
        if let Some(text) = text {
            match stack.last_mut() {
                Some(Frame::Folder { name, .. }) => name.push_str(&text),
                Some(Frame::Server(server)) => server.own_text.push_str(&text),
                Some(Frame::Field(_, value) | Frame::BookmarkField(_, value)) => {
                    value.push_str(&text)
                }
                Some(Frame::Bookmark(_) | Frame::Other) | None => {}
            }
            continue;
        }
        let Some(start) = start else { continue };
        if stack.len() >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} elements"));
        }
        let tag = start.local_name().as_ref().to_string();
        if stack.is_empty() {
            if saw_root || tag != "FileZilla3" {
                return Err(format!(
                    "not a FileZilla site manager file (root element <{tag}>)"
                ));
            }
            saw_root = true;
        }
        let in_servers_tree = stack.iter().any(|f| matches!(f, Frame::Other))
            && stack
                .iter()
                .all(|f| !matches!(f, Frame::Server(_) | Frame::Field(..)));
        let frame = match (stack.last(), tag.as_str()) {
            (Some(Frame::Server(_)), "Pass") => {
                if let Some(Frame::Server(server)) = stack.last_mut() {
                    server.pass_encoding = attribute(&start, "encoding");
                }
                Frame::Field(tag, String::new())
            }
            (Some(Frame::Server(_)), "Bookmark") => Frame::Bookmark(Vec::new()),
            (Some(Frame::Server(_)), _) => Frame::Field(tag, String::new()),
            (Some(Frame::Bookmark(_)), _) => Frame::BookmarkField(tag, String::new()),
            (_, "Folder")
                if in_servers_tree || matches!(stack.last(), Some(Frame::Folder { .. })) =>
            {
                let mut path = folder_path(&stack);
                path.push(String::new());
                items.push(Item::Folder(path));
                Frame::Folder {
                    name: String::new(),
                    item: items.len() - 1,
                }
            }
            (Some(Frame::Folder { .. }) | Some(Frame::Other), "Server") => {
                Frame::Server(RawServer::default())
            }
            _ => Frame::Other,
        };
        if empty {
            // `<Server/>` or `<Folder/>` hold nothing; an empty field is an empty value.
            match frame {
                Frame::Field(name, value) => {
                    if let Some(Frame::Server(server)) = stack.last_mut() {
                        server.fields.push((name, value));
                    }
                }
                Frame::Server(server) => items.push(Item::Server(folder_path(&stack), server)),
                Frame::BookmarkField(name, value) => {
                    if let Some(Frame::Bookmark(fields)) = stack.last_mut() {
                        fields.push((name, value));
                    }
                }
                Frame::Folder { .. } | Frame::Bookmark(_) | Frame::Other => {}
            }
        } else {
            stack.push(frame);
        }
    }
    if !saw_root {
        return Err("not a FileZilla site manager file (no <FileZilla3>)".to_string());
    }
    if !stack.is_empty() {
        return Err("the file ends inside an element".to_string());
    }
    Ok(items)
}

fn folder_path(stack: &[Frame]) -> Vec<String> {
    stack
        .iter()
        .filter_map(|f| match f {
            Frame::Folder { name, .. } => Some(clean_name(name)),
            _ => None,
        })
        .collect()
}

/// A name without surrounding space or control characters; `(unnamed)` when nothing is left.
fn clean_name(text: &str) -> String {
    let name: String = text.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    if name.is_empty() {
        "(unnamed)".to_string()
    } else {
        name.to_string()
    }
}

/// FileZilla's cloud and other non-FTP protocols, by number.
fn protocol_name(number: i64) -> String {
    match number {
        1 => "SFTP".into(),
        2 => "HTTP".into(),
        5 => "HTTPS".into(),
        7 => "Amazon S3".into(),
        8 => "Storj".into(),
        9 => "WebDAV".into(),
        10 => "Azure File Storage".into(),
        11 => "Azure Blob Storage".into(),
        12 => "OpenStack Swift".into(),
        13 => "Google Cloud Storage".into(),
        14 => "Google Drive".into(),
        15 => "Dropbox".into(),
        16 => "Microsoft OneDrive".into(),
        17 => "Backblaze B2".into(),
        18 => "Box".into(),
        n => format!("protocol {n}"),
    }
}

/// Decodes a FileZilla SafePath (`"1 0 4 home 6 debian"` is `/home/debian`).
/// The first number is the server type + 1, then the prefix and segments,
/// each as its length in characters, a space and the text.
pub fn decode_safe_path(text: &str) -> Option<String> {
    let mut rest = text;
    fn number(rest: &mut &str) -> Option<usize> {
        let end = rest.find(' ').unwrap_or(rest.len());
        let value = rest[..end].parse().ok()?;
        *rest = rest.get(end + 1..).unwrap_or("");
        Some(value)
    }
    fn chunk<'a>(rest: &mut &'a str, len: usize) -> Option<&'a str> {
        let end = rest.char_indices().nth(len).map_or(rest.len(), |(i, _)| i);
        if rest[..end].chars().count() != len {
            return None;
        }
        let value = &rest[..end];
        let after = &rest[end..];
        *rest = match after.strip_prefix(' ') {
            Some(next) => next,
            None if after.is_empty() => after,
            None => return None,
        };
        Some(value)
    }
    let kind = number(&mut rest)?;
    let prefix_len = number(&mut rest)?;
    let prefix = if prefix_len > 0 {
        chunk(&mut rest, prefix_len)?
    } else {
        ""
    };
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let len = number(&mut rest)?;
        if len == 0 {
            return None;
        }
        segments.push(chunk(&mut rest, len)?);
    }
    let server_type = ServerType::from_filezilla_type(u32::try_from(kind).ok()?.checked_sub(1)?)?;
    Some(match server_type {
        ServerType::Vms => format!("{prefix}[{}]", segments.join(".")),
        ServerType::Mvs => format!("'{}'", segments.join(".")),
        ServerType::Dos => format!("{prefix}\\{}", segments.join("\\")),
        ServerType::DosVirtual => format!("\\{}", segments.join("\\")),
        _ => format!("{prefix}/{}", segments.join("/")),
    })
}

/// A server turned into a site, or the reason it cannot be.
struct Converted {
    site: Site,
    password: Option<Secret>,
    notes: Vec<String>,
}

fn convert(folder: &[String], raw: &RawServer) -> Result<Converted, String> {
    let mut notes = Vec::new();
    let text = |name: &str| raw.field(name).map(str::trim).unwrap_or("");
    let number =
        |name: &str| -> Option<i64> { raw.field(name).and_then(|v| v.trim().parse().ok()) };

    let protocol = match raw.field("Protocol") {
        None => 0,
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("unreadable protocol {v:?}"))?,
    };
    let (encryption, sftp) = match protocol {
        0 => (Encryption::ExplicitIfAvailable, false),
        1 => (Encryption::default(), true),
        3 => (Encryption::RequireImplicit, false),
        4 => (Encryption::RequireExplicit, false),
        6 => (Encryption::Plain, false),
        other => {
            return Err(format!(
                "{} is not supported (Skiff speaks FTP, FTPS and SFTP)",
                protocol_name(other)
            ));
        }
    };
    let host = text("Host").to_string();
    if host.is_empty() {
        return Err("no host".to_string());
    }
    let port = match raw.field("Port") {
        None => match protocol {
            1 => 22,
            3 => 990,
            _ => 21,
        },
        Some(v) => match v.trim().parse::<u32>() {
            Ok(p @ 1..=65535) => p as u16,
            _ => return Err(format!("port {:?} is outside 1-65535", v.trim())),
        },
    };
    let user = text("User").to_string();
    let logon = match number("Logontype") {
        None if user.is_empty() => LogonType::Anonymous,
        None | Some(1) => LogonType::Normal,
        Some(0) => LogonType::Anonymous,
        Some(2) => LogonType::Ask,
        Some(3) => {
            notes.push("interactive logon imported as ask for password".to_string());
            LogonType::Ask
        }
        Some(4) if sftp => return Err("an account logon needs FTP".to_string()),
        Some(4) => LogonType::Account,
        Some(5) if sftp => LogonType::KeyFile,
        Some(5) => return Err("key file logon needs SFTP".to_string()),
        Some(n) => return Err(format!("logon type {n} is not supported")),
    };
    let key_file = text("Keyfile");
    if logon == LogonType::KeyFile && key_file.is_empty() {
        return Err("key file logon without a key file".to_string());
    }
    if matches!(
        logon,
        LogonType::Normal | LogonType::Account | LogonType::KeyFile
    ) && user.is_empty()
    {
        return Err("no user name".to_string());
    }
    let mut site = Site {
        name: String::new(),
        folder: folder.to_vec(),
        host,
        port,
        protocol: if sftp {
            crate::engine::config::Protocol::Sftp
        } else {
            crate::engine::config::Protocol::Ftp
        },
        encryption,
        logon,
        key_file: (logon == LogonType::KeyFile).then(|| PathBuf::from(key_file)),
        user: if logon == LogonType::Anonymous {
            String::new()
        } else {
            user
        },
        account: text("Account").to_string(),
        comments: raw.field("Comments").unwrap_or("").to_string(),
        ..Site::default()
    };
    let name = match raw.field("Name") {
        Some(name) => name,
        None => raw.own_text.as_str(),
    };
    site.name = clean_name(name);
    if name.trim().is_empty() {
        return Err("no name".to_string());
    }

    let mut password = None;
    // FileZilla keeps no passphrase for a key file: it asks.
    if logon.stores_password() && logon != LogonType::KeyFile {
        let pass = raw.field("Pass").unwrap_or("");
        match raw.pass_encoding.as_deref() {
            Some("crypt") => {
                notes.push(
                    "password encrypted with FileZilla's master password: it will be asked for"
                        .to_string(),
                );
                site.logon = if logon == LogonType::Normal {
                    LogonType::Ask
                } else {
                    logon
                };
            }
            Some("base64") => {
                let cleaned: String = pass.chars().filter(|c| !c.is_whitespace()).collect();
                match base64::engine::general_purpose::STANDARD
                    .decode(cleaned)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                {
                    Some(p) if !p.is_empty() => password = Some(Secret::new(p)),
                    Some(_) => {}
                    None => notes.push("unreadable password: it will be asked for".to_string()),
                }
            }
            None | Some("") | Some("plain") => {
                if !pass.is_empty() {
                    password = Some(Secret::new(pass));
                }
            }
            Some(other) => notes.push(format!(
                "password in unknown encoding {other:?}: it will be asked for"
            )),
        }
    }

    site.transfer_mode = match text("PasvMode") {
        "MODE_ACTIVE" => TransferMode::Active,
        "MODE_PASSIVE" => TransferMode::Passive,
        _ => TransferMode::Default,
    };
    site.charset = match text("EncodingType") {
        "Custom" => {
            let label = text("CustomEncoding");
            match CharsetChoice::from_label(label) {
                Some(charset) => charset,
                None => {
                    notes.push(format!("unknown charset {label:?}: using auto"));
                    CharsetChoice::Auto
                }
            }
        }
        _ => CharsetChoice::Auto,
    };
    if let Some(kind) = number("Type") {
        match u32::try_from(kind)
            .ok()
            .and_then(ServerType::from_filezilla_type)
        {
            Some(server_type) => site.server_type = server_type,
            None => notes.push(format!("unknown server type {kind}: using auto")),
        }
    }
    if let Some(offset) = number("TimezoneOffset") {
        if offset.abs() <= i64::from(MAX_TIMEZONE_OFFSET_MINUTES) {
            site.timezone_offset_minutes = offset as i32;
        } else {
            notes.push(format!(
                "timezone offset {offset} minutes is out of range: using 0"
            ));
        }
    }
    if let Some(n) = number("MaximumMultipleConnections")
        && n > 0
    {
        site.max_connections = Some(n.min(i64::from(MAX_CONNECTIONS)) as u8);
    }
    let local = raw.field("LocalDir").unwrap_or("");
    if !local.trim().is_empty() {
        site.local_dir = Some(PathBuf::from(local));
    }
    let remote = text("RemoteDir");
    if !remote.is_empty() {
        match decode_safe_path(remote) {
            Some(path) => site.remote_dir = Some(path),
            None => notes.push(format!("unreadable remote folder {remote:?}: not set")),
        }
    }
    for fields in &raw.bookmarks {
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim())
                .unwrap_or("")
        };
        let remote = field("RemoteDir");
        let bookmark = Bookmark {
            name: clean_name(field("Name")),
            local_dir: (!field("LocalDir").is_empty()).then(|| PathBuf::from(field("LocalDir"))),
            remote_dir: if remote.is_empty() {
                None
            } else {
                decode_safe_path(remote)
            },
            sync_browsing: field("SyncBrowsing") == "1",
        };
        if bookmark.is_valid() {
            site.bookmarks.push(bookmark);
        } else {
            notes.push(format!(
                "bookmark {:?} has no usable folder: skipped",
                bookmark.name
            ));
        }
    }
    if let Err(errors) = site.validate() {
        let why: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(why.join("; "));
    }
    Ok(Converted {
        site,
        password,
        notes,
    })
}

/// Imports FileZilla's XML text into `sites`, passwords into `secrets`.
/// The caller saves `sites` afterwards. Fails only when the text is not a
/// FileZilla site manager file; single bad sites are skipped and reported.
pub fn import_str(
    xml: &str,
    sites: &mut Sites,
    secrets: &dyn SecretStore,
) -> Result<ImportReport, String> {
    let items = parse(xml)?;
    let mut report = ImportReport::default();
    for item in items {
        match item {
            Item::Folder(path) => {
                // Empty folders are kept too. A clash with a site's name is
                // left to `Sites::add`, which creates the folder as needed.
                for depth in 1..=path.len() {
                    if !sites.has_folder(&path[..depth]) {
                        let _ = sites.new_folder(&path[..depth - 1], &path[depth - 1]);
                    }
                }
            }
            Item::Server(folder, raw) => {
                let label = {
                    let name = raw.field("Name").unwrap_or(&raw.own_text);
                    let mut path = folder.clone();
                    path.push(clean_name(name));
                    super::model::join_path(&path)
                };
                let converted = match convert(&folder, &raw) {
                    Ok(c) => c,
                    Err(reason) => {
                        report.skipped.push((label, reason));
                        continue;
                    }
                };
                let mut site = converted.site;
                let mut notes = converted.notes;
                let unique = sites.unique_name(&site.folder, &site.name);
                if unique != site.name {
                    notes.push(format!("renamed from {:?}: the name was taken", site.name));
                    site.name = unique;
                }
                if let Some(password) = converted.password {
                    if report.keyring_unavailable.is_some() {
                        notes.push(
                            "password not saved (no keyring): it will be asked for".to_string(),
                        );
                    } else {
                        match secrets.set(&site.id, &password) {
                            Ok(()) => {}
                            Err(KeyringError::Unavailable(why)) => {
                                report.keyring_unavailable = Some(why);
                                notes.push(
                                    "password not saved (no keyring): it will be asked for"
                                        .to_string(),
                                );
                            }
                            Err(e) => notes
                                .push(format!("password not saved ({e}): it will be asked for")),
                        }
                    }
                }
                let path = site.path_text();
                match sites.add(site) {
                    Ok(_) => {
                        report.imported += 1;
                        report
                            .notes
                            .extend(notes.into_iter().map(|n| (path.clone(), n)));
                    }
                    Err(e) => report.skipped.push((label, e.to_string())),
                }
            }
        }
    }
    Ok(report)
}

/// Imports `file` into the sites stored in `config_dir` and saves them;
/// returns the summary for the user (with each skipped site's reason).
pub fn import_into_store(
    file: &Path,
    config_dir: &Path,
    secrets: &dyn SecretStore,
) -> Result<String, String> {
    let path = super::store::path_in(config_dir);
    let mut sites = super::store::load(&path).map_err(|e| e.to_string())?;
    let report = import(file, &mut sites, secrets).map_err(|e| e.to_string())?;
    super::store::save(&path, &sites).map_err(|e| e.to_string())?;
    let mut text = report.summary();
    for (site, reason) in &report.skipped {
        text.push_str(&format!("; skipped {site}: {reason}"));
    }
    if let Some(why) = &report.keyring_unavailable {
        text.push_str(&format!(
            "; no keyring is available ({why}): passwords will be asked for"
        ));
    }
    Ok(text)
}

/// Imports FileZilla's `sitemanager.xml` at `path` (see [`import_str`]).
pub fn import(
    path: &Path,
    sites: &mut Sites,
    secrets: &dyn SecretStore,
) -> Result<ImportReport, SitesError> {
    let io = |source| SitesError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |reason: String| SitesError::Import {
        reason,
        path: path.to_path_buf(),
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(bad(format!(
            "the file is {size} bytes, more than the {MAX_FILE_BYTES} a site manager file can be"
        )));
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(bad(
            "the file grew past the size limit while being read".to_string()
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".to_string()))?;
    import_str(text.trim_start_matches('\u{feff}'), sites, secrets).map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::keyring::MemoryStore;

    #[test]
    fn safe_paths_decode_table() {
        let cases = [
            ("1 0 4 home 6 debian", Some("/home/debian")),
            ("1 0", Some("/")),
            ("1 0 7 a b c d 1 x", Some("/a b c d/x")),
            ("1 0 4 中文目录 2 ab", Some("/中文目录/ab")),
            ("1 0 5 中文目录 2 ab", None),
            ("3 0 4 DISK 3 USR", Some("[DISK.USR]")),
            ("4 2 C: 3 www", Some("C:\\www")),
            ("11 2 C: 3 www", Some("C:/www")),
            ("", None),
            ("x", None),
            ("1 0 9 short", None),
            ("1 0 2 abc", None),
            ("1 0 0 ", None),
            ("99 0 1 a", None),
            ("1 18446744073709551615 a", None),
            ("1 0 3 abc 4", None),
        ];
        for (text, want) in cases {
            let got = decode_safe_path(text);
            assert_eq!(got.as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn hostile_xml_is_refused_without_panic_or_expansion() {
        let cases = [
            "",
            "<",
            "<FileZilla3>",
            "<Other/>",
            "<FileZilla3></FileZilla3><FileZilla3/>",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]><FileZilla3><Servers><Server><Host>&b;</Host></Server></Servers></FileZilla3>",
            "<FileZilla3><Servers><Server><Host>&unknown;</Host></Server></Servers></FileZilla3>",
            "<FileZilla3><Servers><Server><Host>a</Hostx></Server></Servers></FileZilla3>",
        ];
        for case in cases {
            let mut sites = Sites::new();
            let result = import_str(case, &mut sites, &MemoryStore::new());
            assert!(result.is_err(), "{case:?} gave {result:?}");
            assert!(sites.sites.is_empty());
        }
        let deep = format!(
            "<FileZilla3><Servers>{}{}</Servers></FileZilla3>",
            "<Folder>f".repeat(1000),
            "</Folder>".repeat(1000)
        );
        let err = import_str(&deep, &mut Sites::new(), &MemoryStore::new()).unwrap_err();
        assert!(err.contains("nested deeper"), "{err}");
    }

    #[test]
    fn every_prefix_of_a_file_is_handled() {
        let xml = include_str!("../../tests/fixtures/filezilla/sitemanager.xml");
        for end in (0..xml.len())
            .filter(|i| xml.is_char_boundary(*i))
            .step_by(7)
        {
            let _ = import_str(&xml[..end], &mut Sites::new(), &MemoryStore::new());
        }
    }

    #[test]
    fn entities_and_old_style_names() {
        let xml = "<FileZilla3><Servers><Server><Host>h&#46;example</Host><User>a&amp;b</User>\
                   <Pass>plain&lt;pw</Pass><Logontype>1</Logontype>Old &quot;name&quot;</Server></Servers></FileZilla3>";
        let mut sites = Sites::new();
        let store = MemoryStore::new();
        let report = import_str(xml, &mut sites, &store).expect("import");
        assert_eq!(report.imported, 1, "{report:?}");
        let site = sites.find("Old \"name\"").expect("found");
        assert_eq!(
            (site.host.as_str(), site.user.as_str()),
            ("h.example", "a&b")
        );
        assert_eq!(
            store
                .get(&site.id)
                .expect("get")
                .as_ref()
                .map(Secret::expose),
            Some("plain<pw")
        );
    }
}
