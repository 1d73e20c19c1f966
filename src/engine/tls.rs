//! FTPS: TLS on the control and data connections, through rustls.
//!
//! One [`TlsContext`] (one `Arc<ClientConfig>`) serves a session's control
//! connection and every data connection it opens, so data connections resume
//! the control connection's TLS session, as vsftpd (`require_ssl_reuse`) and
//! proftpd demand. Certificates are checked against the system's roots; a
//! certificate that fails is accepted only when the user pinned its SHA-256
//! fingerprint, and otherwise reported with everything a user needs to decide.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::certs::{CertInfo, Fingerprint, TlsInfo, TlsOptions};
use super::error::{EngineError, Result};

/// The system's root certificates, read once per process.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        roots
    })
}

/// Reads PEM certificates (a CA bundle) from bytes.
pub fn certificates_from_pem(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .filter_map(std::result::Result::ok)
        .collect()
}

/// The TLS side of one session: a config shared by control and data connections.
#[derive(Clone)]
pub(crate) struct TlsContext {
    connector: TlsConnector,
    server_name: ServerName<'static>,
    failure: Arc<Mutex<Option<CertInfo>>>,
    host: String,
}

impl fmt::Debug for TlsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsContext")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl TlsContext {
    /// Builds the context for `host` with the site's options.
    pub(crate) fn new(host: &str, options: &TlsOptions) -> Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = system_roots().clone();
        for cert in &options.extra_roots {
            let _ = roots.add(cert.clone());
        }
        let webpki = if roots.is_empty() {
            None
        } else {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .ok()
        };
        let failure = Arc::new(Mutex::new(None));
        let verifier = Verifier {
            webpki,
            provider: Arc::clone(&provider),
            trusted: options.trusted.clone(),
            insecure: options.insecure,
            failure: Arc::clone(&failure),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
            .map_err(|e| EngineError::Tls(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let server_name = ServerName::try_from(bare.to_string())
            .map_err(|_| EngineError::Tls(format!("not a valid TLS server name: {host}")))?;
        Ok(Self {
            connector: TlsConnector::from(Arc::new(config)),
            server_name,
            failure,
            host: host.to_string(),
        })
    }

    /// Runs the TLS handshake over `tcp`, reading it through a buffer of
    /// `read_buffer` bytes. A rejected certificate becomes
    /// [`EngineError::Certificate`] with its details.
    pub(crate) async fn connect(
        &self,
        tcp: TcpStream,
        read_buffer: usize,
    ) -> Result<TlsStream<TlsTcp>> {
        let tcp = BufReader::with_capacity(read_buffer, tcp);
        match self.connector.connect(self.server_name.clone(), tcp).await {
            Ok(stream) => Ok(stream),
            Err(e) => {
                let failure = self
                    .failure
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                Err(match failure {
                    Some(info) => EngineError::Certificate {
                        info: Box::new(info),
                        host: self.host.clone(),
                    },
                    None => EngineError::Tls(e.to_string()),
                })
            }
        }
    }
}

/// Describes a connection's TLS state.
pub(crate) fn describe(stream: &TlsStream<TlsTcp>) -> (TlsInfo, bool) {
    let (_, connection) = stream.get_ref();
    let version = match connection.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "TLS".to_string(),
    };
    let cipher = connection
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let resumed = connection.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
    (TlsInfo { version, cipher }, resumed)
}

#[derive(Debug)]
struct Verifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    trusted: Vec<Fingerprint>,
    insecure: bool,
    failure: Arc<Mutex<Option<CertInfo>>>,
}

fn reason_text(error: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(e) => match e {
            C::UnknownIssuer => "self-signed or unknown issuer".to_string(),
            C::Expired | C::ExpiredContext { .. } => "expired".to_string(),
            C::NotValidYet | C::NotValidYetContext { .. } => "not valid yet".to_string(),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "issued for another host name".to_string()
            }
            C::BadSignature => "bad signature".to_string(),
            C::Revoked => "revoked".to_string(),
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                "not issued for a TLS server".to_string()
            }
            C::BadEncoding => "malformed".to_string(),
            // webpki's `CaUsedAsEndEntity`: a self-made CA certificate that
            // the server presents as its own (common on small servers).
            C::Other(inner) if format!("{inner:?}").contains("CaUsedAsEndEntity") => {
                "self-signed (a certificate authority's own certificate)".to_string()
            }
            // Never a Rust debug value in front of a user.
            _ => "not accepted by the system's certificate checks".to_string(),
        },
        _ => "the TLS handshake failed its certificate check".to_string(),
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let fingerprint = Fingerprint::of(end_entity);
        if self.insecure || self.trusted.contains(&fingerprint) {
            return Ok(ServerCertVerified::assertion());
        }
        let result = match &self.webpki {
            Some(webpki) => webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            None => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        };
        if let Err(error) = &result {
            let mut info = CertInfo::from_der(end_entity, reason_text(error));
            info.previously_trusted = self.trusted.first().copied();
            if info.previously_trusted.is_some() {
                info.reason = format!("certificate changed; {}", info.reason);
            }
            *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(info);
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TCP stream under TLS, read through a buffer: rustls reads at most
/// 4 KiB per call, so a bulk transfer would otherwise make four system calls
/// per 16 KiB record.
pub(crate) type TlsTcp = BufReader<TcpStream>;

/// The read buffer under TLS on data connections.
pub(crate) const DATA_READ_BUFFER: usize = 64 * 1024;

/// The read buffer under TLS on the control connection: replies are short.
pub(crate) const CONTROL_READ_BUFFER: usize = 4 * 1024;

/// A control or data connection, plain or TLS.
#[derive(Debug)]
pub(crate) enum NetStream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TlsTcp>>),
    /// Taken out for a TLS upgrade; any I/O is an error.
    Detached,
}

impl NetStream {
    /// Whether TLS protects this stream.
    pub(crate) fn is_tls(&self) -> bool {
        matches!(self, NetStream::Tls(_))
    }
}

fn detached() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "connection is being upgraded")
}

impl AsyncRead for NetStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            NetStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            NetStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            NetStream::Detached => Poll::Ready(Err(detached())),
        }
    }
}

impl AsyncWrite for NetStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            NetStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            NetStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            NetStream::Detached => Poll::Ready(Err(detached())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            NetStream::Plain(s) => Pin::new(s).poll_flush(cx),
            NetStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            NetStream::Detached => Poll::Ready(Err(detached())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            NetStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            NetStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            NetStream::Detached => Poll::Ready(Err(detached())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stands in for webpki's error of the same name.
    #[derive(Debug)]
    struct CaUsedAsEndEntity;

    impl std::fmt::Display for CaUsedAsEndEntity {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("CaUsedAsEndEntity")
        }
    }

    impl std::error::Error for CaUsedAsEndEntity {}

    #[test]
    fn certificate_reasons_are_words_never_debug_values() {
        use rustls::CertificateError as C;
        let ca = C::Other(rustls::OtherError(Arc::new(CaUsedAsEndEntity)));
        let cases = [
            (C::UnknownIssuer, "self-signed or unknown issuer"),
            (C::Expired, "expired"),
            (
                ca,
                "self-signed (a certificate authority's own certificate)",
            ),
            (
                C::UnhandledCriticalExtension,
                "not accepted by the system's certificate checks",
            ),
        ];
        for (error, want) in cases {
            let text = reason_text(&rustls::Error::InvalidCertificate(error));
            assert_eq!(text, want);
            assert!(!text.contains('(') || text.starts_with("self-signed ("));
        }
        let other = reason_text(&rustls::Error::DecryptError);
        assert!(!other.contains("Error"), "{other}");
    }

    #[test]
    fn fingerprints_round_trip() {
        let fp = Fingerprint::of(b"certificate");
        let text = fp.to_string();
        assert!(text.starts_with("SHA256:"));
        assert_eq!(text.len(), 7 + 32 * 3 - 1);
        assert_eq!(Fingerprint::parse(&text), Some(fp));
        let plain: String = text[7..].chars().filter(|c| *c != ':').collect();
        assert_eq!(Fingerprint::parse(&plain.to_lowercase()), Some(fp));
        assert_eq!(Fingerprint::parse("SHA256:AB"), None);
        // OpenSSH's form of the same digest reads back to it.
        assert_eq!(Fingerprint::parse(&fp.openssh()), Some(fp));
        assert_eq!(fp.openssh().len(), "SHA256:".len() + 43);
        assert_eq!(
            Fingerprint([0; 32]).openssh(),
            "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        );
        assert_eq!(Fingerprint::parse(&"zz".repeat(32)), None);
    }
}
