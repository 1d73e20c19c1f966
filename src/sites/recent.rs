//! Recent quickconnect servers: host, port, user and encryption, never a
//! password; at most [`MAX_RECENT`], most recent first, in `recent.toml`
//! under the config folder. Written atomically; a corrupt file is set aside
//! and reported, like the sites file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::SitesError;
use crate::engine::Encryption;
use crate::paths::{set_aside, write_atomic};

/// How many servers are remembered.
pub const MAX_RECENT: usize = 10;

/// One server used from quickconnect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentServer {
    /// Host name or address.
    pub host: String,
    /// Control port.
    pub port: u16,
    /// User name; `None` for anonymous.
    #[serde(default)]
    pub user: Option<String>,
    /// Whether and how TLS was used.
    #[serde(default)]
    pub encryption: Encryption,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RecentFile {
    #[serde(default)]
    server: Vec<RecentServer>,
}

/// The recent servers list, loaded from and saved to one file.
#[derive(Debug, Clone)]
pub struct Recent {
    path: PathBuf,
    servers: Vec<RecentServer>,
}

impl Recent {
    /// `config_dir/recent.toml`.
    pub fn path_in(config_dir: &Path) -> PathBuf {
        config_dir.join("recent.toml")
    }

    /// An empty list that will be saved at `path`.
    pub fn empty_at(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            servers: Vec::new(),
        }
    }

    /// Loads the list; a missing file is an empty list, a corrupt one is set
    /// aside and reported.
    pub fn load(path: &Path) -> Result<Self, SitesError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    path: path.to_path_buf(),
                    servers: Vec::new(),
                });
            }
            Err(source) => {
                return Err(SitesError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        match toml::from_str::<RecentFile>(&text) {
            Ok(file) => {
                let mut servers = file.server;
                servers.truncate(MAX_RECENT);
                Ok(Self {
                    path: path.to_path_buf(),
                    servers,
                })
            }
            Err(e) => {
                let aside = set_aside(path).map_err(|source| SitesError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                Err(SitesError::Corrupt {
                    reason: e.message().to_string(),
                    aside,
                })
            }
        }
    }

    /// The servers, most recent first.
    pub fn servers(&self) -> &[RecentServer] {
        &self.servers
    }

    /// Puts a server first (moving it up if it was listed) and drops the oldest beyond ten.
    pub fn push(&mut self, server: RecentServer) {
        self.servers.retain(|s| s != &server);
        self.servers.insert(0, server);
        self.servers.truncate(MAX_RECENT);
    }

    /// Forgets every server.
    pub fn clear(&mut self) {
        self.servers.clear();
    }

    /// Saves the list atomically.
    pub fn save(&self) -> Result<(), SitesError> {
        let file = RecentFile {
            server: self.servers.clone(),
        };
        let text = toml::to_string_pretty(&file).map_err(|e| SitesError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        write_atomic(&self.path, text.as_bytes()).map_err(|source| SitesError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(n: u16) -> RecentServer {
        RecentServer {
            host: format!("h{n}.example"),
            port: 21 + n,
            user: n.is_multiple_of(2).then(|| format!("u{n}")),
            encryption: Encryption::RequireExplicit,
        }
    }

    #[test]
    fn keeps_ten_most_recent_first_without_duplicates() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = Recent::path_in(dir.path());
        let mut recent = Recent::load(&path).expect("empty");
        for n in 0..12 {
            recent.push(server(n));
        }
        recent.push(server(5));
        recent.save().expect("save");
        let loaded = Recent::load(&path).expect("load");
        let hosts: Vec<u16> = loaded.servers().iter().map(|s| s.port - 21).collect();
        assert_eq!(hosts, [5, 11, 10, 9, 8, 7, 6, 4, 3, 2]);
        assert_eq!(loaded.servers()[0], server(5));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.to_lowercase().contains("pass"), "{text}");
    }

    #[test]
    fn a_corrupt_file_is_set_aside() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = Recent::path_in(dir.path());
        std::fs::write(&path, "[[server]]\nport = \"x\"").expect("write");
        assert!(matches!(
            Recent::load(&path),
            Err(SitesError::Corrupt { .. })
        ));
        assert!(!path.exists());
    }
}
