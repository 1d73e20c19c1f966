//! `sites.toml`: the saved sites on disk.
//!
//! The file lives in the config folder ([`crate::paths::config_dir`]), is
//! written atomically with the previous version kept as `sites.toml.bak`, and
//! never holds a password (the model has no field for one). A file that
//! cannot be read is moved aside as `sites.toml.corrupt` and reported, never
//! silently replaced by an empty list. Invalid sites are refused on save.
//!
//! Format (version 1):
//!
//! ```toml
//! version = 1
//! folders = [["Work"], ["Work", "Clients"]]
//!
//! [[site]]
//! id = "5b0c3c5e-8f0e-4c1e-9d55-0c2f4b5a6e71"
//! name = "web"
//! folder = ["Work"]
//! host = "ftp.example.org"
//! port = 21
//! encryption = "explicit-if-available"
//! logon = "normal"
//! user = "alice"
//! transfer_mode = "active"
//! charset = "auto"
//! server_type = "auto"
//!
//! [[site.bookmark]]          # the site's own bookmarks
//! name = "logs"
//! local_dir = "/home/alice/logs"
//! remote_dir = "/var/log/app"
//! sync_browsing = true
//!
//! [[bookmark]]               # bookmarks for every site
//! name = "downloads"
//! local_dir = "/home/alice/Downloads"
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::SitesError;
use super::model::{Bookmark, Site, Sites};
use crate::paths::{config_dir, set_aside, write_atomic};

/// The format version this code writes.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SitesFile {
    version: u32,
    #[serde(default)]
    folders: Vec<Vec<String>>,
    #[serde(default)]
    site: Vec<Site>,
    /// Global bookmarks (a site's own are under it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    bookmark: Vec<Bookmark>,
}

/// `config_dir/sites.toml`.
pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join("sites.toml")
}

/// The sites file in the platform's config folder (or `SKIFF_CONFIG_DIR`).
pub fn default_path() -> Result<PathBuf, SitesError> {
    config_dir()
        .map(|d| path_in(&d))
        .ok_or(SitesError::NoConfigDir)
}

/// Reads sites from TOML text; the error says what is wrong.
pub fn from_toml(text: &str) -> Result<Sites, String> {
    let file: SitesFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
    if file.version > VERSION {
        return Err(format!(
            "written by a newer Skiff (format {}, this one reads {VERSION})",
            file.version
        ));
    }
    let mut sites = Sites {
        folders: file.folders,
        sites: file.site,
        bookmarks: file.bookmark,
    };
    sites.check_consistent()?;
    sites.repair_folders();
    Ok(sites)
}

/// Writes sites as TOML text, refusing invalid sites.
pub fn to_toml(sites: &Sites) -> Result<String, SitesError> {
    for site in &sites.sites {
        if let Err(errors) = site.validate() {
            return Err(SitesError::Invalid {
                site: site.path_text(),
                errors,
            });
        }
    }
    if let Err(reason) = sites.check_consistent() {
        return Err(SitesError::Invalid {
            site: reason,
            errors: Vec::new(),
        });
    }
    let file = SitesFile {
        version: VERSION,
        folders: sites.folders.clone(),
        site: sites.sites.clone(),
        bookmark: sites.bookmarks.clone(),
    };
    toml::to_string_pretty(&file).map_err(|e| SitesError::Invalid {
        site: e.to_string(),
        errors: Vec::new(),
    })
}

/// Loads the sites at `path`: a missing file is an empty list; a corrupt one
/// is set aside and reported with where it went.
pub fn load(path: &Path) -> Result<Sites, SitesError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Sites::new()),
        Err(source) => {
            return Err(SitesError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let parsed = String::from_utf8(text)
        .map_err(|_| "not UTF-8 text".to_string())
        .and_then(|text| from_toml(&text));
    match parsed {
        Ok(sites) => Ok(sites),
        Err(reason) => {
            let aside = set_aside(path).map_err(|source| SitesError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Err(SitesError::Corrupt { reason, aside })
        }
    }
}

/// Saves the sites to `path` atomically (the old file kept as `.bak`).
pub fn save(path: &Path, sites: &Sites) -> Result<(), SitesError> {
    let text = to_toml(sites)?;
    write_atomic(path, text.as_bytes()).map_err(|source| SitesError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Exports the sites to a file of Skiff's own format (the same as `sites.toml`).
pub fn export(sites: &Sites, path: &Path) -> Result<(), SitesError> {
    save(path, sites)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_round_trip_per_site_and_global() {
        let mut sites = Sites::new();
        let mut site = Site::new("web", "ftp.example.org");
        site.logon = crate::sites::LogonType::Anonymous;
        site.bookmarks.push(Bookmark {
            name: "logs".into(),
            local_dir: Some("/home/alice/logs".into()),
            remote_dir: Some("/var/log/app".into()),
            sync_browsing: true,
        });
        sites.add(site).expect("valid");
        sites.bookmarks.push(Bookmark {
            name: "downloads".into(),
            local_dir: Some("/home/alice/Downloads".into()),
            remote_dir: None,
            sync_browsing: false,
        });
        let text = to_toml(&sites).expect("writes");
        assert!(
            text.contains("[[site.bookmark]]") && text.contains("[[bookmark]]"),
            "{text}"
        );
        assert_eq!(from_toml(&text).expect("reads"), sites);
        // A file without bookmarks (an older Skiff's) still reads.
        let plain = to_toml(&Sites::new()).expect("writes");
        assert!(!plain.contains("bookmark"));
    }
    use crate::engine::CharsetChoice;
    use crate::engine::Encryption;
    use crate::protocol::listing::ServerType;
    use crate::sites::model::{LogonType, TransferMode};

    /// A site with every field away from its default.
    fn full_site() -> Site {
        Site {
            name: "web/1".into(),
            folder: vec!["Work".into(), "Clients".into()],
            host: "ftp.example.org".into(),
            port: 2121,
            encryption: Encryption::RequireImplicit,
            logon: LogonType::Account,
            user: "alice".into(),
            account: "dept-7".into(),
            comments: "line one\nline \"two\"".into(),
            local_dir: Some(PathBuf::from("/home/alice/www")),
            remote_dir: Some("/var/www".into()),
            server_type: ServerType::DosForwardSlashes,
            timezone_offset_minutes: -90,
            transfer_mode: TransferMode::Active,
            trust_pasv_address: true,
            active_port_range: Some((50000, 50100)),
            external_ip: Some("2001:db8::1".parse().expect("ip")),
            max_connections: Some(3),
            charset: CharsetChoice::from_label("Shift_JIS").expect("sjis"),
            ..Site::default()
        }
    }

    #[test]
    fn every_field_round_trips() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = path_in(dir.path());
        let mut sites = Sites::new();
        sites.new_folder(&[], "Empty").expect("folder");
        let full = full_site();
        sites.add(full.clone()).expect("add");
        let plain = Site::new("plain", "h");
        sites
            .add(Site {
                logon: LogonType::Anonymous,
                ..plain
            })
            .expect("add");
        save(&path, &sites).expect("save");
        let loaded = load(&path).expect("load");
        assert_eq!(loaded, sites);
        assert_eq!(loaded.get(&full.id), Some(&full));
        assert!(loaded.has_folder(&["Empty".to_string()]));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("version = 1"), "{text}");
        assert!(text.contains("charset = \"Shift_JIS\""), "{text}");
        assert!(!text.to_lowercase().contains("pass"), "{text}");
    }

    #[test]
    fn every_enum_value_round_trips() {
        for encryption in [
            Encryption::ExplicitIfAvailable,
            Encryption::RequireExplicit,
            Encryption::RequireImplicit,
            Encryption::Plain,
        ] {
            for (i, logon) in [
                LogonType::Anonymous,
                LogonType::Normal,
                LogonType::Ask,
                LogonType::Account,
            ]
            .into_iter()
            .enumerate()
            {
                let mode = [
                    TransferMode::Default,
                    TransferMode::Active,
                    TransferMode::Passive,
                ][i % 3];
                let mut sites = Sites::new();
                let fz = (i as u32) * 3 + 1;
                sites
                    .add(Site {
                        encryption,
                        logon,
                        transfer_mode: mode,
                        user: "u".into(),
                        account: "a".into(),
                        server_type: ServerType::from_filezilla_type(fz).expect("type"),
                        ..Site::new("s", "h")
                    })
                    .expect("add");
                let text = to_toml(&sites).expect("to");
                assert_eq!(from_toml(&text), Ok(sites), "{text}");
            }
        }
    }

    #[test]
    fn invalid_sites_are_never_saved() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = path_in(dir.path());
        let mut sites = Sites::new();
        sites.add(Site::new("x", "")).expect("add");
        let err = save(&path, &sites).unwrap_err();
        assert!(matches!(err, SitesError::Invalid { .. }), "{err:?}");
        assert!(err.to_string().contains("host"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = path_in(dir.path());
        let cases = [
            "this is [not toml",
            "version = 1\n[[site]]\nid = \"a\"\nname = \"x\"\nhost = \"h\"\nport = 70000\n",
            "version = 1\n[[site]]\nid = \"a\"\nname = \"x\"\n[[site]]\nid = \"a\"\nname = \"y\"\n",
            "version = 1\n[[site]]\nname = \"x\"\ncharset = \"klingon\"\n",
            "version = 99\n",
        ];
        for case in cases {
            std::fs::write(&path, case).expect("write");
            let err = load(&path).unwrap_err();
            let SitesError::Corrupt { aside, reason } = err else {
                panic!("expected Corrupt for {case:?}, got {err:?}");
            };
            assert!(!reason.is_empty());
            assert_eq!(std::fs::read_to_string(&aside).expect("kept"), case);
            assert!(!path.exists());
        }
    }

    #[test]
    fn a_missing_file_is_empty_and_hand_written_files_get_defaults() {
        let dir = tempfile::tempdir().expect("tmp");
        assert_eq!(load(&path_in(dir.path())).expect("empty"), Sites::new());
        let sites = from_toml(
            "version = 1\n[[site]]\nid = \"x1\"\nname = \"n\"\nhost = \"h\"\nfolder = [\"A\", \"B\"]\n",
        )
        .expect("minimal");
        let site = &sites.sites[0];
        assert_eq!((site.port, site.transfer_mode), (21, TransferMode::Default));
        assert!(
            sites.has_folder(&["A".to_string()])
                && sites.has_folder(&["A".to_string(), "B".to_string()])
        );
    }
}
