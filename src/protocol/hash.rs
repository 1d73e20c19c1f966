//! Checksum commands: `HASH` (draft-bryan-ftp-hash) and the older
//! `XSHA256`, `XSHA1`, `XMD5`, `XCRC`; which one a server's FEAT offers,
//! and the digest in their replies.
//!
//! Pure. A reply's digest is accepted only as hex of the algorithm's exact
//! length (CRC-32 may drop leading zeros; they are put back), lower-cased,
//! so a server cannot make two different files compare equal by sending
//! something that is not a digest.

use super::feat::Features;

/// A checksum algorithm both sides can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-1.
    Sha1,
    /// MD5.
    Md5,
    /// CRC-32 (IEEE).
    Crc32,
}

impl HashAlgorithm {
    /// Strongest first.
    pub const ALL: [HashAlgorithm; 4] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha1,
        HashAlgorithm::Md5,
        HashAlgorithm::Crc32,
    ];

    /// The name `HASH` uses (`SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Crc32 => "CRC32",
        }
    }

    /// The older command of its own (`XSHA256`).
    pub fn x_verb(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "XSHA256",
            HashAlgorithm::Sha1 => "XSHA1",
            HashAlgorithm::Md5 => "XMD5",
            HashAlgorithm::Crc32 => "XCRC",
        }
    }

    /// Hex digits in a digest.
    fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Sha1 => 40,
            HashAlgorithm::Md5 => 32,
            HashAlgorithm::Crc32 => 8,
        }
    }
}

/// How a checksum is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCommand {
    /// `HASH path`, with the algorithm the server has selected (FEAT marks
    /// it with `*`; no `OPTS HASH` is needed for it).
    Hash(HashAlgorithm),
    /// `XSHA256 path` and the like.
    X(HashAlgorithm),
}

impl HashCommand {
    /// The algorithm.
    pub fn algorithm(self) -> HashAlgorithm {
        match self {
            HashCommand::Hash(a) | HashCommand::X(a) => a,
        }
    }

    /// What the user is told: `SHA-1 (HASH)`, `MD5 (XMD5)`.
    pub fn describe(self) -> String {
        match self {
            HashCommand::Hash(a) => format!("{} (HASH)", a.name()),
            HashCommand::X(a) => format!("{} ({})", a.name(), a.x_verb()),
        }
    }

    /// The best checksum command FEAT offers: `HASH` with its selected
    /// algorithm when that is one of ours, else the strongest `X` command.
    pub fn choose(features: &Features) -> Option<Self> {
        let selected = features.params("HASH").and_then(|list| {
            list.split(';')
                .map(str::trim)
                .find_map(|name| name.strip_suffix('*'))
                .and_then(|name| {
                    HashAlgorithm::ALL
                        .into_iter()
                        .find(|a| a.name().eq_ignore_ascii_case(name))
                })
        });
        if let Some(algorithm) = selected {
            return Some(HashCommand::Hash(algorithm));
        }
        HashAlgorithm::ALL
            .into_iter()
            .find(|a| features.has(a.x_verb()))
            .map(HashCommand::X)
    }

    /// The digest in a success reply's text (lower-case hex), or `None`.
    /// `HASH`: `SHA-256 0-49 <hex> <path>`; the `X` commands: `<hex>`,
    /// sometimes followed by the path.
    pub fn parse_reply(self, text: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(text).ok()?;
        let mut words = text.split_ascii_whitespace();
        let digest = match self {
            HashCommand::Hash(algorithm) => {
                let name = words.next()?;
                if !name.eq_ignore_ascii_case(algorithm.name()) {
                    return None;
                }
                let _range = words.next()?;
                words.next()?
            }
            HashCommand::X(_) => words.next()?,
        };
        let want = self.algorithm().hex_len();
        let ok = !digest.is_empty()
            && digest.len() <= want
            && digest.bytes().all(|b| b.is_ascii_hexdigit())
            && (digest.len() == want || self.algorithm() == HashAlgorithm::Crc32);
        ok.then(|| format!("{:0>want$}", digest.to_ascii_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Reply;

    fn features(lines: &[&str]) -> Features {
        let mut all = vec![b"211-Features:".to_vec()];
        all.extend(lines.iter().map(|l| format!(" {l}").into_bytes()));
        all.push(b"211 End".to_vec());
        Features::parse(&Reply {
            code: 211,
            lines: all,
        })
    }

    #[test]
    fn the_command_is_chosen_from_feat() {
        use HashAlgorithm::*;
        let cases: &[(&[&str], Option<HashCommand>)] = &[
            (
                &["HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;", "XSHA256"],
                Some(HashCommand::Hash(Sha1)),
            ),
            (
                &["HASH SHA-512*;SHA-256", "XSHA256", "XMD5"],
                Some(HashCommand::X(Sha256)),
            ),
            (&["XCRC", "XMD5"], Some(HashCommand::X(Md5))),
            (&["XCRC"], Some(HashCommand::X(Crc32))),
            (&["MDTM", "SIZE"], None),
        ];
        for (lines, want) in cases {
            assert_eq!(HashCommand::choose(&features(lines)), *want, "{lines:?}");
        }
    }

    #[test]
    fn digests_are_read_strictly() {
        use HashAlgorithm::*;
        let sha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
        let cases: &[(HashCommand, String, Option<String>)] = &[
            (
                HashCommand::Hash(Sha1),
                format!("SHA-1 0-5 {sha1} a.txt"),
                Some(sha1.into()),
            ),
            (
                HashCommand::Hash(Sha1),
                format!("SHA-1 0-5 {} a.txt", sha1.to_uppercase()),
                Some(sha1.into()),
            ),
            (
                HashCommand::Hash(Sha1),
                format!("MD5 0-5 {sha1} a.txt"),
                None,
            ),
            (HashCommand::Hash(Sha1), "SHA-1 0-5".into(), None),
            (HashCommand::X(Sha1), sha1.into(), Some(sha1.into())),
            (
                HashCommand::X(Sha1),
                format!("{sha1} /a.txt"),
                Some(sha1.into()),
            ),
            (HashCommand::X(Sha1), "aaf4c61d".into(), None),
            (HashCommand::X(Sha1), "zz".repeat(20), None),
            (
                HashCommand::X(Crc32),
                "3610a686".into(),
                Some("3610a686".into()),
            ),
            (
                HashCommand::X(Crc32),
                "610A686".into(),
                Some("0610a686".into()),
            ),
            (HashCommand::X(Md5), "".into(), None),
        ];
        for (command, text, want) in cases {
            assert_eq!(
                command.parse_reply(text.as_bytes()),
                *want,
                "{command:?} {text}"
            );
        }
    }
}
