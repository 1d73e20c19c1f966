//! The `FEAT` reply (RFC 2389): what the server says it supports.
//!
//! Pure. Feature names are matched case-insensitively; unknown ones are kept
//! so the log and later features can use them.

use std::collections::BTreeMap;

use super::reply::Reply;

/// The features a server announced, by upper-case name, with their parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    map: BTreeMap<String, String>,
}

impl Features {
    /// Reads a `211` FEAT reply; any other reply means "no features".
    pub fn parse(reply: &Reply) -> Self {
        let mut map = BTreeMap::new();
        if reply.code == 211 && reply.lines.len() > 2 {
            for line in &reply.lines[1..reply.lines.len() - 1] {
                let text = String::from_utf8_lossy(line);
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                let (name, params) = text.split_once(' ').unwrap_or((text, ""));
                map.insert(name.to_ascii_uppercase(), params.trim().to_string());
            }
        }
        Self { map }
    }

    /// Whether the feature `name` (any case) was announced.
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(&name.to_ascii_uppercase())
    }

    /// The parameters of feature `name`, such as the facts after `MLST`.
    pub fn params(&self, name: &str) -> Option<&str> {
        self.map.get(&name.to_ascii_uppercase()).map(String::as_str)
    }

    /// Whether `AUTH TLS` is offered.
    pub fn auth_tls(&self) -> bool {
        self.params("AUTH")
            .is_some_and(|p| p.split(';').any(|m| m.trim().eq_ignore_ascii_case("TLS")))
    }

    /// Whether `REST STREAM` is offered (resume).
    pub fn rest_stream(&self) -> bool {
        self.params("REST")
            .is_some_and(|p| p.eq_ignore_ascii_case("STREAM"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(lines: &[&str]) -> Reply {
        Reply {
            code: lines[0][..3].parse().expect("code"),
            lines: lines.iter().map(|l| l.as_bytes().to_vec()).collect(),
        }
    }

    #[test]
    fn parses_vsftpd_and_proftpd_style() {
        let f = Features::parse(&reply(&[
            "211-Features:",
            " EPRT",
            " EPSV",
            " MDTM",
            " mlst type*;size*;modify*;",
            " PASV",
            " REST STREAM",
            " SIZE",
            " UTF8",
            " AUTH TLS;TLS-C;SSL",
            "211 End",
        ]));
        for name in ["EPRT", "epsv", "MDTM", "MLST", "SIZE", "UTF8"] {
            assert!(f.has(name), "{name}");
        }
        assert!(!f.has("MLSD"));
        assert!(!f.has("MFMT"));
        assert_eq!(f.params("MLST"), Some("type*;size*;modify*;"));
        assert!(f.rest_stream());
        assert!(f.auth_tls());
    }

    #[test]
    fn refused_feat_is_empty() {
        let f = Features::parse(&reply(&["500 Unknown command"]));
        assert!(!f.has("SIZE"));
        assert!(!f.auth_tls());
        assert!(!f.rest_stream());
    }
}
