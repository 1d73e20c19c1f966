//! `skiff sites list|import`: saved sites as lines or JSON, and the
//! FileZilla import.
//!
//! Files and the keyring only, so it runs on a blocking thread. Must not
//! print a password, or anything from the keyring.

use super::target::load_sites;
use super::{CliError, Finish, SitesAction, print_list};
use crate::engine::Encryption;
use crate::sites::model::charset_name;
use crate::sites::{LogonType, OsKeyring, Site, TransferMode, filezilla, store};
use crate::url::scheme;

/// One `sites list --json` entry: everything but secrets.
#[derive(serde::Serialize)]
struct JsonSite<'a> {
    id: &'a str,
    path: String,
    name: &'a str,
    folder: &'a [String],
    host: &'a str,
    port: u16,
    protocol: crate::engine::config::Protocol,
    encryption: Encryption,
    logon: LogonType,
    key_file: Option<String>,
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
            protocol: site.protocol,
            encryption: site.encryption,
            logon: site.logon,
            key_file: site
                .key_file
                .as_ref()
                .map(|f| f.to_string_lossy().into_owned()),
            user: &site.user,
            transfer_mode: site.transfer_mode,
            remote_dir: site.remote_dir.as_deref(),
            local_dir: site
                .local_dir
                .as_ref()
                .map(|d| d.to_string_lossy().into_owned()),
            server_type: site.server_type.name(),
            charset: charset_name(site.charset),
            comments: &site.comments,
        }
    }
}

/// One `sites list` line: `Folder/Name`, a tab, the URL without a path, and the data mode if set.
fn site_line(site: &Site) -> String {
    let sftp = site.protocol == crate::engine::config::Protocol::Sftp;
    let scheme = if sftp {
        "sftp"
    } else {
        scheme(site.encryption)
    };
    let user = match site.logon {
        LogonType::Anonymous => String::new(),
        _ => format!("{}@", site.user),
    };
    let mode = match site.transfer_mode {
        _ if sftp => "",
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
pub(super) fn sites_command(action: SitesAction) -> Result<Finish, CliError> {
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
