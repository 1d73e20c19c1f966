//! `ftp://` and `sftp://` URLs, both ways: parsing what a user typed into
//! protocol, host, port, user, password and path bytes, and writing a URL
//! for a remote path.
//!
//! Owns the URL syntax the front ends share: the schemes (`ftp`, `ftpes`,
//! `ftps`, `sftp`) and what each means for the protocol and TLS,
//! percent-decoding and -encoding of user names and paths (a path is the
//! server's bytes, so a name in GBK survives the trip), and which paths are
//! absolute. FTP follows RFC 1738: `ftp://h/pub` is `pub` in the login
//! folder, `//abs` or `/%2Fabs` is absolute. SFTP follows curl and the
//! SFTP URI draft: `sftp://h/srv/x` is the absolute `/srv/x`, and
//! `sftp://h/~/x` is `x` in the login folder. It is pure: no I/O, no sockets, no keyring, and it never
//! writes a password into a URL. Site targets (`site:Folder/Name`) are not
//! URLs and belong to the CLI.

use crate::engine::{Encryption, Protocol, SessionConfig};
use crate::secret::Secret;

/// A URL that cannot be used; the message ends with the text that was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("bad URL: {reason}: {text}")]
    Syntax {
        /// What the URL parser objected to.
        reason: ::url::ParseError,
        /// The text that was given.
        text: String,
    },
    /// A scheme other than `ftp`, `ftpes`, `ftps` or `sftp`.
    #[error("bad URL: not an ftp://, ftpes://, ftps:// or sftp:// URL: {0}")]
    Scheme(String),
    /// No host name.
    #[error("bad URL: no host: {0}")]
    NoHost(String),
}

/// A parsed `ftp://` (or `sftp://`) URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtpUrl {
    /// FTP (`ftp`, `ftpes`, `ftps`) or SFTP (`sftp`).
    pub protocol: Protocol,
    /// Host name or address (IPv6 in brackets).
    pub host: String,
    /// Control port (SFTP: the SSH port).
    pub port: u16,
    /// TLS from the scheme: `ftp` if available, `ftpes` required, `ftps`
    /// implicit; the default (unused) for `sftp`.
    pub encryption: Encryption,
    /// User, if given.
    pub user: Option<String>,
    /// Password, if given. [`FtpUrl`]'s `Display` never writes it.
    pub password: Option<Secret>,
    /// The path's bytes, percent-decoded, without the leading `/` and
    /// without trailing `/`s.
    pub path: Vec<u8>,
    /// `ftp://host//abs`, `ftp://host/%2Fabs` or `sftp://host/abs`: the
    /// path is absolute, not relative to the login folder.
    pub absolute: bool,
    /// The URL ends with `/`: it names a folder.
    pub trailing_slash: bool,
}

/// `text` with the password of its `user:password@` part masked, for
/// messages about a URL that did not parse: the password never reaches an
/// error, a log or a terminal.
fn redact(text: &str) -> String {
    let Some(start) = text.find("://").map(|at| at + 3) else {
        return text.to_string();
    };
    let authority_end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |at| start + at);
    let authority = &text[start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return text.to_string();
    };
    match authority[..at].find(':') {
        Some(colon) => format!("{}****{}", &text[..start + colon + 1], &text[start + at..]),
        None => text.to_string(),
    }
}

impl FtpUrl {
    /// Parses `ftp://[user[:password]@]host[:port]/path` (also `ftpes://`,
    /// `ftps://` and `sftp://`).
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let url = ::url::Url::parse(text).map_err(|reason| UrlError::Syntax {
            reason,
            text: redact(text),
        })?;
        let (protocol, encryption, default_port) = match url.scheme() {
            "ftp" => (Protocol::Ftp, Encryption::ExplicitIfAvailable, 21),
            "ftpes" => (Protocol::Ftp, Encryption::RequireExplicit, 21),
            "ftps" => (Protocol::Ftp, Encryption::RequireImplicit, 990),
            "sftp" => (Protocol::Sftp, Encryption::default(), 22),
            other => return Err(UrlError::Scheme(other.to_string())),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| UrlError::NoHost(redact(text)))?
            .to_string();
        let user = (!url.username().is_empty())
            .then(|| String::from_utf8_lossy(&percent_decode(url.username())).into_owned());
        let password = url
            .password()
            .map(|p| Secret::new(String::from_utf8_lossy(&percent_decode(p)).into_owned()));
        let raw_path = url.path();
        let trailing_slash = raw_path.len() > 1 && raw_path.ends_with('/');
        let (absolute, rest) = if protocol == Protocol::Sftp {
            match raw_path.strip_prefix("/~") {
                Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                    (false, rest.trim_start_matches('/'))
                }
                _ => (true, raw_path.trim_start_matches('/')),
            }
        } else if let Some(rest) = raw_path.strip_prefix("//") {
            (true, rest)
        } else if let Some(rest) = raw_path
            .strip_prefix("/%2F")
            .or_else(|| raw_path.strip_prefix("/%2f"))
        {
            (true, rest)
        } else {
            (false, raw_path.strip_prefix('/').unwrap_or(raw_path))
        };
        let mut path = percent_decode(rest);
        while path.ends_with(b"/") {
            path.pop();
        }
        Ok(Self {
            protocol,
            host,
            port: url.port().unwrap_or(default_port),
            encryption,
            user,
            password,
            path,
            absolute,
            trailing_slash,
        })
    }

    /// The URL of `path` (the server's bytes; absolute when it starts with
    /// `/`) on the server `config` logs in to. The user is left out for
    /// anonymous logins, and the password always.
    pub fn of_remote(config: &SessionConfig, path: &[u8]) -> Self {
        let (absolute, rest) = match path.strip_prefix(b"/") {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        let mut path = rest.to_vec();
        let trailing_slash = path.ends_with(b"/");
        while path.ends_with(b"/") {
            path.pop();
        }
        let user = &config.credentials.user;
        Self {
            protocol: config.protocol,
            host: config.host.clone(),
            port: config.port,
            encryption: config.encryption,
            user: (user != "anonymous").then(|| user.clone()),
            password: None,
            path,
            absolute,
            trailing_slash,
        }
    }
}

/// `scheme://[user@]host:port/path`, the port always written, an absolute
/// FTP path as `/%2Fpath` (SFTP: `/path`, and a relative one `/~/path`),
/// every byte but letters, digits, `-._~` and the path's `/` percent-encoded. Never the password. [`FtpUrl::parse`] reads it back
/// to the same parts, except a path with `.` or `..` segments (URL parsers
/// resolve them) and a relative empty path with a trailing `/`.
impl std::fmt::Display for FtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sftp = self.protocol == Protocol::Sftp;
        let scheme = if sftp {
            "sftp"
        } else {
            scheme(self.encryption)
        };
        write!(f, "{scheme}://")?;
        if let Some(user) = &self.user {
            write!(f, "{}@", percent_encode(user.as_bytes()))?;
        }
        if self.host.contains(':') && !self.host.starts_with('[') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        write!(f, ":{}/", self.port)?;
        if sftp && !self.absolute {
            f.write_str(if self.path.is_empty() { "~" } else { "~/" })?;
        } else if self.absolute && !sftp {
            f.write_str("%2F")?;
        }
        for (i, segment) in self.path.split(|&b| b == b'/').enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            if sftp && self.absolute && i == 0 && segment == b"~" {
                // `/~` would read back as the login folder.
                f.write_str("%7E")?;
            } else {
                f.write_str(&percent_encode(segment))?;
            }
        }
        if self.trailing_slash && (self.absolute || !self.path.is_empty() || sftp) {
            f.write_str("/")?;
        }
        Ok(())
    }
}

/// The URL scheme of an encryption setting: `ftps` (implicit TLS), `ftpes`
/// (TLS required) or `ftp` (TLS if offered, or none).
pub fn scheme(encryption: Encryption) -> &'static str {
    match encryption {
        Encryption::RequireImplicit => "ftps",
        Encryption::RequireExplicit => "ftpes",
        Encryption::ExplicitIfAvailable | Encryption::Plain => "ftp",
    }
}

/// Decodes `%XX` escapes into bytes; anything else, a lone or malformed `%`
/// included, is kept as it is.
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(value) = u8::from_str_radix(&String::from_utf8_lossy(hex), 16)
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Encodes every byte but ASCII letters, digits and `-._~` as `%XX`
/// (a `/` too: callers keep path separators themselves).
pub fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_that_does_not_parse_never_shows_its_password() {
        for text in [
            "ftp://alice:sekrit@[::1/x",
            "ftp://alice:sekrit@:21/",
            "ftp://alice:se@krit@host:99999/",
        ] {
            let err = FtpUrl::parse(text).unwrap_err().to_string();
            assert!(!err.contains("sekrit") && !err.contains("krit"), "{err}");
            assert!(err.contains("alice:****@"), "{err}");
        }
        assert_eq!(redact("ftp://host/a:b@c"), "ftp://host/a:b@c");
        assert_eq!(redact("ftp://bob@host/"), "ftp://bob@host/");
    }
    use crate::engine::Credentials;

    #[test]
    fn parses_urls_table() {
        let u = FtpUrl::parse("ftp://alice:p%40ss@example.org:2121/pub/a%20b.txt").expect("valid");
        assert_eq!(u.host, "example.org");
        assert_eq!(u.port, 2121);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_ref().map(Secret::expose), Some("p@ss"));
        assert_eq!(u.path, b"pub/a b.txt");
        assert!(!u.absolute && !u.trailing_slash);

        let u = FtpUrl::parse("ftp://h//etc/x/").expect("valid");
        assert_eq!(u.path, b"etc/x");
        assert!(u.absolute && u.trailing_slash);
        assert_eq!(u.port, 21);
        assert!(u.user.is_none());

        let u = FtpUrl::parse("ftp://h/%2Fvar/%C4%E3").expect("valid");
        assert!(u.absolute);
        assert_eq!(u.path, b"var/\xc4\xe3");

        let u = FtpUrl::parse("ftp://[::1]:2121/").expect("valid");
        assert_eq!(u.host, "[::1]");
        assert!(u.path.is_empty());

        assert!(matches!(
            FtpUrl::parse("http://h/"),
            Err(UrlError::Scheme(_))
        ));
        let u = FtpUrl::parse("ftps://h/").expect("implicit");
        assert_eq!((u.encryption, u.port), (Encryption::RequireImplicit, 990));
        let u = FtpUrl::parse("ftpes://h:2121/").expect("explicit");
        assert_eq!((u.encryption, u.port), (Encryption::RequireExplicit, 2121));
        assert!(matches!(
            FtpUrl::parse("http://h/"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            FtpUrl::parse("not a url"),
            Err(UrlError::Syntax { .. })
        ));
    }

    #[test]
    fn errors_read_as_before_with_the_text_last() {
        let cases = [
            (
                "http://h/",
                "bad URL: not an ftp://, ftpes://, ftps:// or sftp:// URL: http",
            ),
            (
                "not a url",
                "bad URL: relative URL without a base: not a url",
            ),
        ];
        for (text, message) in cases {
            let error = FtpUrl::parse(text).expect_err(text);
            assert_eq!(error.to_string(), message, "{text}");
        }
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        let cases: [(&str, &[u8]); 6] = [
            ("a%20b", b"a b"),
            ("%e4%b8%ad", "中".as_bytes()),
            ("%C4%E3", b"\xc4\xe3"),
            ("100%", b"100%"),
            ("%zz%4", b"%zz%4"),
            ("%%41", b"%A"),
        ];
        for (text, bytes) in cases {
            assert_eq!(percent_decode(text), bytes, "{text}");
        }
        assert_eq!(percent_encode(b"a b/%#?~"), "a%20b%2F%25%23%3F~");
    }

    /// Every part a URL carries comes back from [`FtpUrl::parse`] as it was
    /// written: hosts (names, IPv4, IPv6), ports, users with `@`, `:` and
    /// CJK, and path bytes with spaces, `%`, `#`, `?`, non-UTF-8 bytes, CJK,
    /// absolute and relative, with and without a trailing `/`.
    #[test]
    fn built_urls_parse_back_to_the_same_parts() {
        let hosts = ["example.org", "192.0.2.7", "[2001:db8::1]"];
        let users = [None, Some("bob"), Some("a@b:c d"), Some("用户")];
        let paths: [&[u8]; 9] = [
            b"",
            b"pub/a b.txt",
            b"100% #1?.txt",
            b"gbk/\xc4\xe3\xba\xc3",
            "文件夹/报告 2024.txt".as_bytes(),
            b"a//b",
            b".hidden/x+y=z&w;v,u",
            b"\xff\x00\x7f",
            b"/starts/with/slash",
        ];
        let encryptions = [
            (Encryption::ExplicitIfAvailable, 21),
            (Encryption::RequireExplicit, 2121),
            (Encryption::RequireImplicit, 990),
        ];
        let round_trip = |url: FtpUrl| {
            let text = url.to_string();
            let parsed = FtpUrl::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed, url, "{text}");
        };
        let base = FtpUrl {
            protocol: Protocol::Ftp,
            host: "example.org".to_string(),
            port: 21,
            encryption: Encryption::ExplicitIfAvailable,
            user: None,
            password: None,
            path: b"pub/a b.txt".to_vec(),
            absolute: false,
            trailing_slash: false,
        };
        for host in hosts {
            for user in users {
                for (encryption, port) in encryptions {
                    round_trip(FtpUrl {
                        host: host.to_string(),
                        port,
                        encryption,
                        user: user.map(str::to_string),
                        ..base.clone()
                    });
                }
            }
        }
        for path in paths {
            for (absolute, trailing_slash) in
                [(false, false), (false, true), (true, false), (true, true)]
            {
                // `ftp://h:21/` is the login folder with no slash to keep,
                // and only an absolute path can start with `/`.
                if !absolute && (path.is_empty() && trailing_slash || path.starts_with(b"/")) {
                    continue;
                }
                round_trip(FtpUrl {
                    path: path.to_vec(),
                    absolute,
                    trailing_slash,
                    user: Some("用户".to_string()),
                    ..base.clone()
                });
            }
        }
    }

    /// `sftp://` paths are absolute unless they start with `~`, the port is
    /// SSH's, and built SFTP URLs parse back to the same parts.
    #[test]
    fn sftp_urls_table_and_round_trips() {
        let u = FtpUrl::parse("sftp://al%40ce:pw@h/srv/a%20b/").expect("valid");
        assert_eq!(u.protocol, Protocol::Sftp);
        assert_eq!((u.host.as_str(), u.port), ("h", 22));
        assert_eq!(u.user.as_deref(), Some("al@ce"));
        assert_eq!(
            u.password.as_ref().map(|p| p.expose().to_string()),
            Some("pw".into())
        );
        assert_eq!(
            (u.path.as_slice(), u.absolute, u.trailing_slash),
            (&b"srv/a b"[..], true, true)
        );
        let u = FtpUrl::parse("sftp://h:2222/~/docs/x.txt").expect("valid");
        assert_eq!(
            (u.port, u.path.as_slice(), u.absolute),
            (2222, &b"docs/x.txt"[..], false)
        );
        let u = FtpUrl::parse("sftp://h/~").expect("valid");
        assert_eq!((u.path.as_slice(), u.absolute), (&b""[..], false));
        let u = FtpUrl::parse("sftp://h/~x/y").expect("valid");
        assert_eq!((u.path.as_slice(), u.absolute), (&b"~x/y"[..], true));
        let u = FtpUrl::parse("sftp://h").expect("valid");
        assert!(u.absolute && u.path.is_empty());
        let base = FtpUrl {
            protocol: Protocol::Sftp,
            host: "[2001:db8::1]".to_string(),
            port: 22,
            encryption: Encryption::default(),
            user: Some("用户".into()),
            password: None,
            path: Vec::new(),
            absolute: true,
            trailing_slash: false,
        };
        let paths: [&[u8]; 6] = [b"", b"a b/c", b"~", b"~/x", b"100% #1?", b"\xff\x00"];
        for path in paths {
            for (absolute, trailing_slash) in
                [(false, false), (false, true), (true, false), (true, true)]
            {
                let url = FtpUrl {
                    path: path.to_vec(),
                    absolute,
                    trailing_slash,
                    ..base.clone()
                };
                let text = url.to_string();
                assert!(text.starts_with("sftp://"), "{text}");
                let parsed = FtpUrl::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(parsed, url, "{text}");
            }
        }
    }

    #[test]
    fn remote_urls_never_carry_the_password_and_mark_absolute_paths() {
        let mut site = SessionConfig::new(
            "example.org",
            21,
            Credentials {
                user: "bob".into(),
                password: Secret::new("hunter2"),
                account: None,
            },
        );
        let url = |site: &SessionConfig, path: &[u8]| FtpUrl::of_remote(site, path).to_string();
        assert_eq!(
            url(&site, b"/pub/a b.txt"),
            "ftp://bob@example.org:21/%2Fpub/a%20b.txt"
        );
        assert_eq!(url(&site, b"/"), "ftp://bob@example.org:21/%2F");
        assert_eq!(url(&site, b"/pub/"), "ftp://bob@example.org:21/%2Fpub/");
        assert_eq!(url(&site, b"rel/x"), "ftp://bob@example.org:21/rel/x");
        site.encryption = Encryption::RequireImplicit;
        assert!(!url(&site, b"/x").contains("hunter2"));
        assert!(url(&site, b"/x").starts_with("ftps://"));
        site.credentials = Credentials::anonymous();
        site.host = "::1".into();
        assert_eq!(url(&site, b"/x"), "ftps://[::1]:21/%2Fx");

        let parsed = FtpUrl::parse(&url(&site, b"/a b/\xc4\xe3")).expect("valid");
        assert_eq!(parsed.path, b"a b/\xc4\xe3");
        assert!(parsed.absolute && parsed.user.is_none() && parsed.password.is_none());

        site.protocol = Protocol::Sftp;
        site.port = 22;
        assert_eq!(url(&site, b"/srv/x"), "sftp://[::1]:22/srv/x");
        assert_eq!(url(&site, b"rel"), "sftp://[::1]:22/~/rel");
    }
}
