//! What the engine tells about TLS: a site's encryption choice, certificate
//! fingerprints, the facts of a certificate the system does not trust, a
//! site's trust settings and the TLS version in use.
//!
//! Plain data shared by [`super::tls`] (which fills it), [`super::error`] and
//! [`super::event`] (which carry it to the front ends): no sockets, no rustls
//! connection state, so none of those modules has to import another.

use std::fmt;

use rustls::pki_types::CertificateDer;
use sha2::{Digest, Sha256};

/// How a site uses TLS (FileZilla's four choices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encryption {
    /// `AUTH TLS` when the server offers it, plain FTP otherwise (with a warning).
    #[default]
    ExplicitIfAvailable,
    /// `AUTH TLS` or nothing: no user name or password is sent in clear.
    RequireExplicit,
    /// TLS from the first byte (port 990).
    RequireImplicit,
    /// Plain FTP: passwords and files in clear text.
    Plain,
}

/// A SHA-256 fingerprint: of a certificate (FTPS), or of an SSH host key
/// (SFTP; the digest of its wire encoding, as OpenSSH takes it).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER certificate, or of an SSH public key blob.
    pub fn of(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// The form OpenSSH prints (`ssh-keygen -lf`): `SHA256:` and unpadded
    /// base64. `Display` keeps the certificate form (hex with colons).
    pub fn openssh(&self) -> String {
        use base64::Engine;
        format!(
            "SHA256:{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.0)
        )
    }

    /// Parses `SHA256:AB:CD:...` or plain hex, with or without colons, and
    /// OpenSSH's `SHA256:` with unpadded base64 (43 characters).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let hex = text
            .strip_prefix("SHA256:")
            .or_else(|| text.strip_prefix("sha256:"))
            .unwrap_or(text);
        if hex.len() == 43 && !hex.contains(':') {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(hex)
                .ok()?;
            return Some(Self(bytes.try_into().ok()?));
        }
        let digits: Vec<u8> = hex.bytes().filter(|b| *b != b':').collect();
        if digits.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            let text = std::str::from_utf8(pair).ok()?;
            out[i] = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHA256:")?;
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What a user needs to judge a certificate the system does not trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject's distinguished name.
    pub subject: String,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub not_after: String,
    /// SHA-256 of the DER certificate.
    pub fingerprint: Fingerprint,
    /// Why verification failed ("self-signed or unknown issuer", "expired", ...).
    pub reason: String,
    /// The fingerprint the user had trusted for this host, when it changed.
    pub previously_trusted: Option<Fingerprint>,
    /// An SSH host key rather than a certificate: its type
    /// (`ssh-ed25519`…); the fingerprint is then shown as OpenSSH does.
    pub host_key: Option<String>,
}

impl CertInfo {
    /// An SSH host key that `known_hosts` does not vouch for, shown and
    /// trusted as a certificate is (once, always, or refused): `recorded`
    /// is the key `known_hosts` has when the server's changed.
    pub fn host_key(
        key_type: &str,
        fingerprint: Fingerprint,
        reason: String,
        recorded: Option<Fingerprint>,
    ) -> Self {
        Self {
            subject: key_type.to_string(),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            fingerprint,
            reason,
            previously_trusted: recorded,
            host_key: Some(key_type.to_string()),
        }
    }

    /// The fingerprint as the user knows it: `SHA256:base64` for a host
    /// key (as `ssh-keygen -lf` prints it), hex for a certificate.
    pub fn shown_fingerprint(&self, fingerprint: &Fingerprint) -> String {
        match self.host_key {
            Some(_) => fingerprint.openssh(),
            None => fingerprint.to_string(),
        }
    }

    pub(crate) fn from_der(der: &[u8], reason: String) -> Self {
        let fingerprint = Fingerprint::of(der);
        match x509_parser::parse_x509_certificate(der) {
            Ok((_, cert)) => Self {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                not_before: cert.validity().not_before.to_string(),
                not_after: cert.validity().not_after.to_string(),
                fingerprint,
                reason,
                previously_trusted: None,
                host_key: None,
            },
            Err(_) => Self {
                subject: String::from("(unreadable)"),
                issuer: String::from("(unreadable)"),
                not_before: String::new(),
                not_after: String::new(),
                fingerprint,
                reason,
                previously_trusted: None,
                host_key: None,
            },
        }
    }
}

/// A site's TLS trust settings.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Extra trusted roots (PEM or DER certificates), beside the system's.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Fingerprints the user trusts for this host even though verification fails.
    pub trusted: Vec<Fingerprint>,
    /// Accept any certificate (the user said so; logged loudly).
    pub insecure: bool,
    /// This host offered TLS before: losing it now is suspicious.
    pub offered_before: bool,
}

/// The TLS version and cipher in use, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// "TLS 1.3".
    pub version: String,
    /// The cipher suite.
    pub cipher: String,
}
