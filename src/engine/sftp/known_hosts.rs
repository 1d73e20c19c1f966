//! OpenSSH's `known_hosts`, read: is this host key the one recorded for the
//! host, another one (changed), or not recorded at all?
//!
//! Pure: the file's text in, a verdict out. Understands plain names and
//! `[host]:port`, comma lists, `*`/`?` wildcards, `!` negations, hashed
//! names (`|1|salt|hash`, HMAC-SHA1, OpenSSH's `HashKnownHosts`), comments,
//! and the `@revoked` marker; `@cert-authority` lines are skipped (host
//! certificates are not supported). Keys are compared as their base64 text's
//! bytes, so a key type Skiff cannot parse never makes the file unreadable.

use base64::Engine;
use hmac::{Hmac, Mac};

use crate::engine::Fingerprint;

/// What `known_hosts` says about a host's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyVerdict {
    /// The key is recorded for the host.
    Known,
    /// A key of the same type, but another one, is recorded for the host:
    /// its fingerprint and the line.
    Changed {
        /// The recorded key's fingerprint.
        recorded: Fingerprint,
        /// Its line (1-based).
        line: usize,
    },
    /// The key is marked `@revoked`.
    Revoked {
        /// The line (1-based).
        line: usize,
    },
    /// Nothing about this host and key type.
    Unknown,
}

/// The name `known_hosts` records a host under: `host`, or `[host]:port`
/// when the port is not 22.
pub fn host_entry_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// Checks `key_type` (`ssh-ed25519`...) and `blob` (the key's wire encoding)
/// for `host:port` against the text of a `known_hosts` file.
pub fn check(text: &str, host: &str, port: u16, key_type: &str, blob: &[u8]) -> HostKeyVerdict {
    let name = host_entry_name(host, port);
    let mut changed = None;
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let Some(mut hosts) = fields.next() else {
            continue;
        };
        let mut revoked = false;
        if let Some(marker) = hosts.strip_prefix('@') {
            match marker {
                "revoked" => revoked = true,
                _ => continue,
            }
            let Some(next) = fields.next() else { continue };
            hosts = next;
        }
        let (Some(kind), Some(key)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Ok(recorded) = base64::engine::general_purpose::STANDARD.decode(key) else {
            continue;
        };
        if revoked {
            // A revoked key is refused whichever host it is listed for.
            if recorded == blob {
                return HostKeyVerdict::Revoked { line: line_no };
            }
            continue;
        }
        if !hosts_match(hosts, &name) || kind != key_type {
            continue;
        }
        if recorded == blob {
            return HostKeyVerdict::Known;
        }
        changed.get_or_insert(HostKeyVerdict::Changed {
            recorded: Fingerprint::of(&recorded),
            line: line_no,
        });
    }
    changed.unwrap_or(HostKeyVerdict::Unknown)
}

/// Whether a comma list of patterns names `name`: one pattern matches and
/// no negated one does.
fn hosts_match(patterns: &str, name: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.split(',') {
        if let Some(hashed) = pattern.strip_prefix("|1|") {
            matched |= hashed_match(hashed, name);
        } else if let Some(negated) = pattern.strip_prefix('!') {
            if wildcard_match(negated.as_bytes(), name.as_bytes()) {
                return false;
            }
        } else {
            matched |= wildcard_match(pattern.as_bytes(), name.as_bytes());
        }
    }
    matched
}

/// `salt|hash`, both base64: the HMAC-SHA1 of `name` keyed with the salt.
fn hashed_match(hashed: &str, name: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    let Some((salt, hash)) = hashed.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (engine.decode(salt), engine.decode(hash)) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// `*` (any run) and `?` (one byte) against `text`, case-insensitive as
/// OpenSSH compares host names. Iterative, so no pattern costs more than
/// pattern length times text length.
fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p].eq_ignore_ascii_case(&text[t])) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIEHkVkDUmN8zCp1/8Mh5pbZNS2Pmp0ku1X3y7ZTKnN1Y";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIBbD7pYgTKiwbIQTJNEnT6wm5JrHvWCtj9IRlVxiB8Ku";

    fn blob(key: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(key)
            .expect("test key")
    }

    #[test]
    fn verdicts_by_host_port_type_and_key() {
        let file = format!(
            "# comment\n\nexample.org ssh-ed25519 {KEY_A}\n[127.0.0.1]:2222 ssh-ed25519 {KEY_B}\n\
             *.wild.test,!bad.wild.test ssh-ed25519 {KEY_A}\nrsa.test ssh-rsa {KEY_A}\n\
             garbage line\nbroken.test ssh-ed25519 !!!notbase64\n"
        );
        let cases: &[(&str, u16, &str, &str, HostKeyVerdict)] = &[
            (
                "example.org",
                22,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Known,
            ),
            (
                "EXAMPLE.org",
                22,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Known,
            ),
            (
                "example.org",
                2222,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Unknown,
            ),
            (
                "127.0.0.1",
                2222,
                "ssh-ed25519",
                KEY_B,
                HostKeyVerdict::Known,
            ),
            (
                "127.0.0.1",
                2222,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Changed {
                    recorded: Fingerprint::of(&blob(KEY_B)),
                    line: 4,
                },
            ),
            (
                "a.wild.test",
                22,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Known,
            ),
            (
                "bad.wild.test",
                22,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Unknown,
            ),
            // Another type recorded for the host is not a change of this one.
            (
                "rsa.test",
                22,
                "ssh-ed25519",
                KEY_B,
                HostKeyVerdict::Unknown,
            ),
            (
                "other.test",
                22,
                "ssh-ed25519",
                KEY_A,
                HostKeyVerdict::Unknown,
            ),
        ];
        for (host, port, kind, key, want) in cases {
            assert_eq!(
                &check(&file, host, *port, kind, &blob(key)),
                want,
                "{host}:{port} {kind}"
            );
        }
    }

    #[test]
    fn hashed_names_match_as_ssh_keygen_writes_them() {
        // `ssh-keygen -H` of "[127.0.0.1]:2222": HMAC-SHA1 keyed with the salt.
        let salt = [7u8; 20];
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&salt).expect("key");
        mac.update(b"[127.0.0.1]:2222");
        let hash = mac.finalize().into_bytes();
        let engine = base64::engine::general_purpose::STANDARD;
        let line = format!(
            "|1|{}|{} ssh-ed25519 {KEY_A}\n",
            engine.encode(salt),
            engine.encode(hash)
        );
        assert_eq!(
            check(&line, "127.0.0.1", 2222, "ssh-ed25519", &blob(KEY_A)),
            HostKeyVerdict::Known
        );
        assert_eq!(
            check(&line, "127.0.0.1", 2223, "ssh-ed25519", &blob(KEY_A)),
            HostKeyVerdict::Unknown
        );
        assert!(matches!(
            check(&line, "127.0.0.1", 2222, "ssh-ed25519", &blob(KEY_B)),
            HostKeyVerdict::Changed { line: 1, .. }
        ));
    }

    #[test]
    fn revoked_keys_are_refused_and_markers_skipped() {
        let file = format!(
            "@cert-authority *.test ssh-ed25519 {KEY_B}\n@revoked * ssh-ed25519 {KEY_A}\n\
             host.test ssh-ed25519 {KEY_A}\n"
        );
        assert_eq!(
            check(&file, "host.test", 22, "ssh-ed25519", &blob(KEY_A)),
            HostKeyVerdict::Revoked { line: 2 }
        );
        assert_eq!(
            check(&file, "host.test", 22, "ssh-ed25519", &blob(KEY_B)),
            HostKeyVerdict::Changed {
                recorded: Fingerprint::of(&blob(KEY_A)),
                line: 3
            }
        );
    }

    #[test]
    fn wildcards() {
        for (pattern, text, want) in [
            ("*", "anything", true),
            ("a*c", "abbbc", true),
            ("a?c", "abc", true),
            ("a?c", "abbc", false),
            ("*.example.org", "example.org", false),
            ("[*]:2222", "[10.0.0.1]:2222", true),
            ("a**b", "ab", true),
            ("", "", true),
            ("", "x", false),
        ] {
            assert_eq!(
                wildcard_match(pattern.as_bytes(), text.as_bytes()),
                want,
                "{pattern} ~ {text}"
            );
        }
    }
}
