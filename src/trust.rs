//! What Skiff remembers about servers' TLS: certificates the user chose to
//! trust, and hosts that offered TLS before.
//!
//! Both live in `trust.toml` under the config folder. A certificate is
//! trusted per `host:port` by its SHA-256 fingerprint; a changed certificate
//! for a known host is then reported with both fingerprints. A host that
//! offered TLS once and stops is warned about loudly (a possible downgrade).
//! A corrupt file is set aside and reported, never silently replaced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::{CertInfo, Fingerprint};
use crate::paths::{set_aside, write_atomic};

/// Why the trust file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// Reading or writing failed.
    #[error("{source}: {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file was not valid; it was moved aside.
    #[error("the trust file was unreadable ({reason}) and was kept as {}", aside.display())]
    Corrupt {
        /// What was wrong.
        reason: String,
        /// Where the old file now is.
        aside: PathBuf,
    },
}

/// One trusted certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedCert {
    /// `SHA256:AB:CD:...`.
    pub fingerprint: String,
    /// The certificate's subject, for the user's eyes.
    pub subject: String,
    /// Its end of validity.
    pub not_after: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TrustFile {
    #[serde(default)]
    certificates: BTreeMap<String, Vec<TrustedCert>>,
    #[serde(default)]
    tls_hosts: Vec<String>,
}

/// The trust store, loaded from and saved to one file.
#[derive(Debug, Clone)]
pub struct TrustStore {
    path: PathBuf,
    file: TrustFile,
}

fn key(host: &str, port: u16) -> String {
    format!("{host}:{port}")
}

impl TrustStore {
    /// The store at `config_dir/trust.toml`.
    pub fn path_in(config_dir: &Path) -> PathBuf {
        config_dir.join("trust.toml")
    }

    /// Loads the store; a missing file is an empty store, a corrupt one is
    /// set aside and reported (the returned store is then empty).
    pub fn load(path: &Path) -> Result<Self, TrustError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    path: path.to_path_buf(),
                    file: TrustFile::default(),
                });
            }
            Err(source) => {
                return Err(TrustError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        match toml::from_str(&text) {
            Ok(file) => Ok(Self {
                path: path.to_path_buf(),
                file,
            }),
            Err(e) => {
                let aside = set_aside(path).map_err(|source| TrustError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                Err(TrustError::Corrupt {
                    reason: e.message().to_string(),
                    aside,
                })
            }
        }
    }

    /// Saves the store atomically.
    pub fn save(&self) -> Result<(), TrustError> {
        let text = toml::to_string_pretty(&self.file).map_err(|e| TrustError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        write_atomic(&self.path, text.as_bytes()).map_err(|source| TrustError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Fingerprints trusted for `host:port`.
    pub fn trusted(&self, host: &str, port: u16) -> Vec<Fingerprint> {
        self.file
            .certificates
            .get(&key(host, port))
            .map(|certs| {
                certs
                    .iter()
                    .filter_map(|c| Fingerprint::parse(&c.fingerprint))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Trusts a certificate for `host:port` from now on ("always trust").
    pub fn trust(&mut self, host: &str, port: u16, info: &CertInfo) {
        let entry = self.file.certificates.entry(key(host, port)).or_default();
        let fingerprint = info.fingerprint.to_string();
        if !entry.iter().any(|c| c.fingerprint == fingerprint) {
            entry.push(TrustedCert {
                fingerprint,
                subject: info.subject.clone(),
                not_after: info.not_after.clone(),
            });
        }
    }

    /// Whether `host:port` offered TLS before.
    pub fn offered_tls_before(&self, host: &str, port: u16) -> bool {
        self.file.tls_hosts.contains(&key(host, port))
    }

    /// Records that `host:port` offers TLS; true when this is news (save then).
    pub fn remember_tls(&mut self, host: &str, port: u16) -> bool {
        let key = key(host, port);
        if self.file.tls_hosts.contains(&key) {
            return false;
        }
        self.file.tls_hosts.push(key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(byte: u8) -> CertInfo {
        CertInfo {
            subject: "CN=example".into(),
            issuer: "CN=example".into(),
            not_before: "2026".into(),
            not_after: "2027".into(),
            fingerprint: Fingerprint([byte; 32]),
            reason: "self-signed or unknown issuer".into(),
            previously_trusted: None,
            host_key: None,
        }
    }

    #[test]
    fn round_trips_trust_and_tls_memory() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = TrustStore::path_in(dir.path());
        let mut store = TrustStore::load(&path).expect("empty");
        assert!(store.trusted("h", 21).is_empty());
        store.trust("h", 21, &info(1));
        store.trust("h", 21, &info(1));
        assert!(store.remember_tls("h", 21));
        assert!(!store.remember_tls("h", 21));
        store.save().expect("save");
        let store = TrustStore::load(&path).expect("load");
        assert_eq!(store.trusted("h", 21), vec![Fingerprint([1; 32])]);
        assert!(store.trusted("h", 990).is_empty());
        assert!(store.offered_tls_before("h", 21));
        assert!(!store.offered_tls_before("other", 21));
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = TrustStore::path_in(dir.path());
        std::fs::write(&path, "this is [not toml").expect("write");
        let err = TrustStore::load(&path).unwrap_err();
        let TrustError::Corrupt { aside, .. } = err else {
            panic!("expected Corrupt, got {err:?}");
        };
        assert_eq!(
            std::fs::read_to_string(aside).expect("kept"),
            "this is [not toml"
        );
        assert!(!path.exists());
    }
}
