//! The engine's one error type.
//!
//! Messages name the cause first and the host or path last, and end without a
//! period, so the CLI and the GUI can show them as they are.

use std::path::PathBuf;

use crate::protocol::listing::ListingError;
use crate::protocol::{AddressError, CommandError, CustomCommandError, PathError, ReplyError};

/// Everything that can go wrong in a session or a transfer.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The TCP connection to the server could not be made.
    #[error("could not connect: {}: {host}", io_sentence(source))]
    Connect {
        /// `host:port` as given.
        host: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// No answer within the idle timeout.
    #[error("timed out after {secs} s while {phase}")]
    Timeout {
        /// What the engine was waiting for.
        phase: &'static str,
        /// The timeout in force.
        secs: u64,
    },
    /// The server closed the control connection.
    #[error("the server closed the connection")]
    Closed,
    /// A network error on the control or data connection.
    #[error("network error: {}", io_sentence(.0))]
    Network(#[source] std::io::Error),
    /// The server's reply could not be decoded (hostile or broken server).
    #[error("bad reply from server: {0}")]
    Reply(#[from] ReplyError),
    /// A command could not be encoded (a name holds CR, LF or NUL).
    #[error("{0}")]
    Command(#[from] CommandError),
    /// A typed command was not sent (it needs a data connection, changes
    /// the session, or holds a line break).
    #[error("{0}")]
    CustomCommand(#[from] CustomCommandError),
    /// A path the user named is not in its folder's listing.
    #[error("no such file or folder: {0}")]
    NotFound(String),
    /// A recursive delete of the server's top folder (or of a path whose
    /// last component is not a plain name) is refused.
    #[error("refusing to delete a server's top folder or a path ending in `.` or `..`: {0}")]
    DeleteTop(String),
    /// A name the user typed cannot be a file name on the server.
    #[error("not a valid name (empty, `.`, `..` or with `/`): {0}")]
    InvalidName(String),
    /// A PASV or EPSV reply could not be used.
    #[error("{0}")]
    Address(#[from] AddressError),
    /// A 257 reply could not be used.
    #[error("{0}")]
    Path(#[from] PathError),
    /// A listing was larger than the cap.
    #[error("{0}")]
    Listing(#[from] ListingError),
    /// The server answered a command with an error or an unexpected code.
    #[error("server refused {command}: {code} {message}")]
    Refused {
        /// The command as logged (secrets masked).
        command: String,
        /// The reply code.
        code: u16,
        /// The reply's first line of text.
        message: String,
    },
    /// Login was refused.
    #[error("login refused: {code} {message}")]
    LoginRefused {
        /// The reply code.
        code: u16,
        /// The reply text.
        message: String,
    },
    /// The server wants an account (332) and none is configured.
    #[error("the server asks for an account (ACCT) and none is set")]
    AccountRequired,
    /// No data connection could be opened in either mode.
    #[error("could not open a data connection: {0}")]
    DataChannel(String),
    /// A transfer ended before every byte arrived.
    #[error("transfer incomplete: got {got} of {expected} bytes")]
    Truncated {
        /// Bytes the file should have.
        expected: u64,
        /// Bytes that arrived (including a resumed prefix).
        got: u64,
    },
    /// A transfer ended with an error reply after the data connection closed.
    #[error("transfer failed after {got} bytes: {code} {message}")]
    TransferFailed {
        /// Bytes that arrived (including a resumed prefix).
        got: u64,
        /// The reply code.
        code: u16,
        /// The reply text.
        message: String,
    },
    /// A name cannot be written in the site's charset.
    #[error("name cannot be encoded as {charset}: {name}")]
    Encoding {
        /// The charset's name.
        charset: &'static str,
        /// The name.
        name: String,
    },
    /// A local file operation failed.
    #[error("{source}: {}", path.display())]
    Local {
        /// The local path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The server refused `AUTH TLS` while the site requires TLS.
    #[error("the server refused TLS ({code} {message}); nothing was sent in clear text")]
    TlsRefused {
        /// The reply code.
        code: u16,
        /// The reply text.
        message: String,
    },
    /// The server's certificate is not trusted.
    #[error("{}", certificate_message(info, host))]
    Certificate {
        /// The certificate's details.
        info: Box<super::certs::CertInfo>,
        /// `host` as configured.
        host: String,
    },
    /// The SSH layer failed: key exchange, the channel, or an SFTP packet
    /// that does not decode.
    #[error("SSH failed: {0}")]
    Ssh(String),
    /// The SSH server's host key is neither in `known_hosts` nor trusted.
    #[error(
        "the server's host key is not known ({key_type} {}): {host}",
        fingerprint.openssh()
    )]
    HostKeyUnknown {
        /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `rsa-sha2-512`...
        key_type: String,
        /// Its SHA-256 fingerprint.
        fingerprint: super::certs::Fingerprint,
        /// The key itself in base64, as a `known_hosts` line writes it
        /// after the type (for a front end that records it on request).
        key: String,
        /// `host:port` as configured.
        host: String,
    },
    /// `known_hosts` records another key of the same type for the host:
    /// someone may be intercepting the connection, or the server was
    /// reinstalled. Refused.
    #[error(
        "the server's host key changed: known_hosts line {line} has {}, the server offers {} (someone may be intercepting the connection): {host}",
        recorded.openssh(),
        offered.openssh()
    )]
    HostKeyChanged {
        /// The fingerprint `known_hosts` has.
        recorded: super::certs::Fingerprint,
        /// The fingerprint the server offers.
        offered: super::certs::Fingerprint,
        /// The `known_hosts` line.
        line: usize,
        /// `host:port` as configured.
        host: String,
    },
    /// The host key is marked `@revoked` in `known_hosts`.
    #[error(
        "the server's host key {} is revoked (known_hosts line {line}): {host}",
        fingerprint.openssh()
    )]
    HostKeyRevoked {
        /// Its fingerprint.
        fingerprint: super::certs::Fingerprint,
        /// The `known_hosts` line.
        line: usize,
        /// `host:port` as configured.
        host: String,
    },
    /// No SSH login method was accepted.
    #[error("login refused (tried {tried}): {user}@{host}")]
    SshLogin {
        /// The methods tried, `password, publickey`.
        tried: String,
        /// The user.
        user: String,
        /// `host:port`.
        host: String,
    },
    /// A private key file is encrypted and no passphrase was given.
    #[error("the key file is encrypted and no passphrase was given: {}", path.display())]
    KeyPassphraseNeeded {
        /// The file.
        path: PathBuf,
    },
    /// A private key file could not be read or decrypted.
    #[error("the key file cannot be used ({reason}): {}", path.display())]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An SFTP server answered a request with an error status.
    #[error("the server refused {request} ({}{}): {path}", code.meaning(), status_text(message))]
    SftpStatus {
        /// The request: `OPEN`, `MKDIR`...
        request: &'static str,
        /// The status code.
        code: crate::protocol::sftp::StatusCode,
        /// The server's message (may be empty).
        message: String,
        /// The path, decoded for display.
        path: String,
    },
    /// An upload sent to a temporary name arrived whole, but the server
    /// would not rename it over the target: the target is unchanged and the
    /// new version waits under `temp`.
    #[error(
        "the server refused to put the upload in place ({code} {message}); it is kept as {temp}: {target}"
    )]
    PlaceFailed {
        /// The temporary name holding the uploaded file (decoded).
        temp: String,
        /// The target that stays as it was (decoded).
        target: String,
        /// The refusal's code.
        code: u16,
        /// The refusal's text.
        message: String,
    },
    /// View/Edit: the server's copy is no longer the one that was opened
    /// (size, time or checksum differ, or it is gone), so the edited file
    /// was not uploaded over it.
    #[error("the file changed on the server since it was opened; nothing was uploaded: {0}")]
    RemoteChanged(String),
    /// A path that was to be entered is not a folder (SFTP's emulated `CWD`).
    #[error("not a folder: {0}")]
    NotAFolder(String),
    /// What was asked is FTP's alone and has no SFTP form (a typed FTP
    /// command); nothing was sent.
    #[error("{0} exist only in FTP, and this site speaks SFTP")]
    NotOverSftp(&'static str),
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A bug in Skiff stopped the operation (a panic, caught so that one item
    /// fails instead of the whole queue stopping).
    #[error("internal error in Skiff (please report it): {0}")]
    Internal(String),
}

impl EngineError {
    /// Whether trying again (on a new connection) may succeed: network trouble,
    /// timeouts, truncation and 4xx replies; not 5xx refusals or local errors.
    pub fn is_transient(&self) -> bool {
        match self {
            EngineError::Connect { .. }
            | EngineError::Timeout { .. }
            | EngineError::Closed
            | EngineError::Network(_)
            | EngineError::DataChannel(_)
            | EngineError::Ssh(_)
            | EngineError::Truncated { .. } => true,
            EngineError::Refused { code, .. }
            | EngineError::LoginRefused { code, .. }
            | EngineError::TransferFailed { code, .. } => (400..500).contains(code),
            _ => false,
        }
    }

    /// Whether the control connection is still usable after this error.
    pub fn keeps_connection(&self) -> bool {
        // 421 is the server closing the connection (RFC 959), whatever the command.
        if let EngineError::Refused { code: 421, .. } = self {
            return false;
        }
        matches!(
            self,
            EngineError::Refused { .. }
                | EngineError::Command(_)
                | EngineError::CustomCommand(_)
                | EngineError::NotFound(_)
                | EngineError::DeleteTop(_)
                | EngineError::Cancelled
                | EngineError::InvalidName(_)
                | EngineError::Encoding { .. }
                | EngineError::Local { .. }
                | EngineError::TransferFailed { .. }
                | EngineError::Truncated { .. }
                | EngineError::PlaceFailed { .. }
                | EngineError::RemoteChanged(_)
                | EngineError::SftpStatus { .. }
                | EngineError::NotAFolder(_)
                | EngineError::NotOverSftp(_)
        )
    }
}

/// An I/O error as a sentence for a person: what the system or a crate
/// says, without a link to a crate's documentation (rustls ends its
/// "no close_notify" error with one).
pub fn io_sentence(error: &std::io::Error) -> String {
    let text = error.to_string();
    if text.contains("close_notify") {
        return "the server closed the connection without ending TLS (no close_notify)".to_string();
    }
    match text.find("https://").or_else(|| text.find("http://")) {
        Some(at) => text[..at]
            .trim_end_matches([' ', ':', ';', ',', '('])
            .to_string(),
        None => text,
    }
}

/// The server's text after the code's meaning, when it says more.
fn status_text(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() || message.eq_ignore_ascii_case("failure") {
        String::new()
    } else {
        format!(": {message}")
    }
}

fn certificate_message(info: &super::certs::CertInfo, host: &str) -> String {
    match info.previously_trusted {
        Some(old) => format!(
            "the server's certificate changed: it was {old}, it is now {} ({}): {host}",
            info.fingerprint, info.reason
        ),
        None => format!(
            "untrusted certificate ({}), fingerprint {}, subject {}, issuer {}: {host}",
            info.reason, info.fingerprint, info.subject, info.issuer
        ),
    }
}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_never_carry_a_crates_doc_link() {
        let rustls = std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "peer closed connection without sending TLS close_notify: \
             https://docs.rs/rustls/latest/rustls/manual/_03_howto/index.html#unexpected-eof",
        );
        let message = EngineError::Network(rustls).to_string();
        assert!(!message.contains("http"), "{message}");
        assert!(message.contains("without ending TLS"), "{message}");
        let other = std::io::Error::other("it broke: see https://example.org/why");
        assert_eq!(io_sentence(&other), "it broke: see");
        let plain = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(io_sentence(&plain), plain.to_string());
    }
}
