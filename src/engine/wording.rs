//! Errors and actions as a front end words them in its own language: a
//! message key and its arguments ([`UserMessage`]), not an English sentence.
//!
//! The engine's `Display` of an [`EngineError`] stays English (the CLI, the
//! log); the window looks each key up in its message catalog. Arguments are
//! what the sentence needs (a host, a path, a count, the server's own reply
//! text, the system's cause) and are shown as they are. Every key a message
//! can have is in [`KEYS`], which the window's catalog tests check.

use super::error::{EngineError, io_sentence};

/// A message for a person: a catalog key and its named arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    /// The catalog key (one of [`KEYS`]).
    pub key: &'static str,
    /// The arguments, by name.
    pub args: Vec<(&'static str, String)>,
}

impl UserMessage {
    /// A message with `key` and `args`.
    pub fn new(key: &'static str, args: &[(&'static str, String)]) -> Self {
        Self {
            key,
            args: args.to_vec(),
        }
    }
}

/// Every key [`EngineError::user_message`] and the browser's
/// `action_message` give,
/// with the arguments each takes.
pub const KEYS: &[(&str, &[&str])] = &[
    ("engine-error-connect", &["cause", "host"]),
    ("engine-error-timeout-connecting", &["secs"]),
    ("engine-error-timeout-tls", &["secs"]),
    ("engine-error-timeout-receiving", &["secs"]),
    ("engine-error-timeout-sending-data", &["secs"]),
    ("engine-error-timeout-command", &["secs"]),
    ("engine-error-timeout-reply", &["secs"]),
    ("engine-error-timeout", &["secs", "phase"]),
    ("engine-error-closed", &[]),
    ("engine-error-network", &["cause"]),
    ("engine-error-bad-reply", &["detail"]),
    ("engine-error-not-found", &["path"]),
    ("engine-error-delete-top", &["path"]),
    ("engine-error-invalid-name", &["name"]),
    ("engine-error-refused", &["command", "code", "reply"]),
    ("engine-error-login-refused", &["code", "reply"]),
    ("engine-error-account-required", &[]),
    ("engine-error-data-channel", &["detail"]),
    ("engine-error-truncated", &["got", "expected"]),
    ("engine-error-transfer-failed", &["got", "code", "reply"]),
    ("engine-error-encoding", &["charset", "name"]),
    ("engine-error-local", &["cause", "path"]),
    ("engine-error-tls", &["detail"]),
    ("engine-error-tls-refused", &["code", "reply"]),
    (
        "engine-error-certificate",
        &["reason", "fingerprint", "host"],
    ),
    (
        "engine-error-place-failed",
        &["code", "reply", "temp", "target"],
    ),
    ("engine-error-remote-changed", &["path"]),
    ("engine-error-ssh", &["detail"]),
    (
        "engine-error-host-key-unknown",
        &["key_type", "fingerprint", "host"],
    ),
    (
        "engine-error-host-key-changed",
        &["line", "recorded", "offered", "host"],
    ),
    (
        "engine-error-host-key-revoked",
        &["fingerprint", "line", "host"],
    ),
    ("engine-error-ssh-login", &["tried", "user", "host"]),
    ("engine-error-key-file", &["reason", "path"]),
    (
        "engine-error-sftp-status",
        &["request", "status", "reply", "path"],
    ),
    ("engine-error-key-passphrase", &["path"]),
    ("engine-error-not-a-folder", &["path"]),
    ("engine-error-not-over-sftp", &["what"]),
    ("engine-error-cancelled", &[]),
    ("engine-error-internal", &["detail"]),
    ("engine-error-detail", &["detail"]),
    ("engine-action-connect", &["host"]),
    ("engine-action-reconnect", &[]),
    ("engine-action-disconnect", &[]),
    ("engine-action-list", &["path"]),
    ("engine-action-refresh", &[]),
    ("engine-action-parent", &[]),
    ("engine-action-mkdir", &["path"]),
    ("engine-action-rename", &["from", "to"]),
    ("engine-action-delete", &["path"]),
    ("engine-action-settings", &[]),
    ("engine-action-quote", &["command"]),
];

impl EngineError {
    /// This error as a catalog key and its arguments, for a front end
    /// that speaks the user's language. Parts that are English by nature
    /// (a protocol decoder's detail, the system's I/O cause) are arguments.
    pub fn user_message(&self) -> UserMessage {
        let m = UserMessage::new;
        match self {
            EngineError::Connect { host, source } => m(
                "engine-error-connect",
                &[("cause", io_sentence(source)), ("host", host.clone())],
            ),
            EngineError::Timeout { phase, secs } => {
                let key = match *phase {
                    "connecting" => "engine-error-timeout-connecting",
                    "negotiating TLS" => "engine-error-timeout-tls",
                    "receiving data" => "engine-error-timeout-receiving",
                    "sending data" => "engine-error-timeout-sending-data",
                    "sending a command" => "engine-error-timeout-command",
                    "waiting for the server's reply" => "engine-error-timeout-reply",
                    other => {
                        return m(
                            "engine-error-timeout",
                            &[("secs", secs.to_string()), ("phase", other.to_string())],
                        );
                    }
                };
                m(key, &[("secs", secs.to_string())])
            }
            EngineError::Closed => m("engine-error-closed", &[]),
            EngineError::Network(e) => m("engine-error-network", &[("cause", io_sentence(e))]),
            EngineError::Reply(e) => m("engine-error-bad-reply", &[("detail", e.to_string())]),
            EngineError::NotFound(path) => m("engine-error-not-found", &[("path", path.clone())]),
            EngineError::DeleteTop(path) => m("engine-error-delete-top", &[("path", path.clone())]),
            EngineError::InvalidName(name) => {
                m("engine-error-invalid-name", &[("name", name.clone())])
            }
            EngineError::Refused {
                command,
                code,
                message,
            } => m(
                "engine-error-refused",
                &[
                    ("command", command.clone()),
                    ("code", code.to_string()),
                    ("reply", message.clone()),
                ],
            ),
            EngineError::LoginRefused { code, message } => m(
                "engine-error-login-refused",
                &[("code", code.to_string()), ("reply", message.clone())],
            ),
            EngineError::AccountRequired => m("engine-error-account-required", &[]),
            EngineError::DataChannel(why) => {
                m("engine-error-data-channel", &[("detail", why.clone())])
            }
            EngineError::Truncated { expected, got } => m(
                "engine-error-truncated",
                &[("got", got.to_string()), ("expected", expected.to_string())],
            ),
            EngineError::TransferFailed { got, code, message } => m(
                "engine-error-transfer-failed",
                &[
                    ("got", got.to_string()),
                    ("code", code.to_string()),
                    ("reply", message.clone()),
                ],
            ),
            EngineError::Encoding { charset, name } => m(
                "engine-error-encoding",
                &[("charset", charset.to_string()), ("name", name.clone())],
            ),
            EngineError::Local { path, source } => m(
                "engine-error-local",
                &[
                    ("cause", io_sentence(source)),
                    ("path", path.display().to_string()),
                ],
            ),
            EngineError::Tls(why) => m("engine-error-tls", &[("detail", why.clone())]),
            EngineError::TlsRefused { code, message } => m(
                "engine-error-tls-refused",
                &[("code", code.to_string()), ("reply", message.clone())],
            ),
            EngineError::Certificate { info, host } => m(
                "engine-error-certificate",
                &[
                    ("reason", info.reason.clone()),
                    ("fingerprint", info.fingerprint.to_string()),
                    ("host", host.clone()),
                ],
            ),
            EngineError::PlaceFailed {
                temp,
                target,
                code,
                message,
            } => m(
                "engine-error-place-failed",
                &[
                    ("code", code.to_string()),
                    ("reply", message.clone()),
                    ("temp", temp.clone()),
                    ("target", target.clone()),
                ],
            ),
            EngineError::RemoteChanged(path) => {
                m("engine-error-remote-changed", &[("path", path.clone())])
            }
            EngineError::Cancelled => m("engine-error-cancelled", &[]),
            EngineError::Internal(why) => m("engine-error-internal", &[("detail", why.clone())]),
            EngineError::Command(_)
            | EngineError::CustomCommand(_)
            | EngineError::Address(_)
            | EngineError::Path(_)
            | EngineError::Listing(_) => m("engine-error-detail", &[("detail", self.to_string())]),
            EngineError::Ssh(why) => m("engine-error-ssh", &[("detail", why.clone())]),
            EngineError::HostKeyUnknown {
                key_type,
                fingerprint,
                host,
                ..
            } => m(
                "engine-error-host-key-unknown",
                &[
                    ("key_type", key_type.clone()),
                    ("fingerprint", fingerprint.openssh()),
                    ("host", host.clone()),
                ],
            ),
            EngineError::HostKeyChanged {
                recorded,
                offered,
                line,
                host,
            } => m(
                "engine-error-host-key-changed",
                &[
                    ("line", line.to_string()),
                    ("recorded", recorded.openssh()),
                    ("offered", offered.openssh()),
                    ("host", host.clone()),
                ],
            ),
            EngineError::HostKeyRevoked {
                fingerprint,
                line,
                host,
            } => m(
                "engine-error-host-key-revoked",
                &[
                    ("fingerprint", fingerprint.openssh()),
                    ("line", line.to_string()),
                    ("host", host.clone()),
                ],
            ),
            EngineError::SshLogin { tried, user, host } => m(
                "engine-error-ssh-login",
                &[
                    ("tried", tried.clone()),
                    ("user", user.clone()),
                    ("host", host.clone()),
                ],
            ),
            EngineError::KeyFile { path, reason } => m(
                "engine-error-key-file",
                &[
                    ("reason", reason.clone()),
                    ("path", path.display().to_string()),
                ],
            ),
            EngineError::SftpStatus {
                request,
                code,
                message,
                path,
            } => m(
                "engine-error-sftp-status",
                &[
                    ("request", request.to_string()),
                    ("status", code.meaning().to_string()),
                    ("reply", message.clone()),
                    ("path", path.clone()),
                ],
            ),
            EngineError::KeyPassphraseNeeded { path } => m(
                "engine-error-key-passphrase",
                &[("path", path.display().to_string())],
            ),
            EngineError::NotAFolder(path) => {
                m("engine-error-not-a-folder", &[("path", path.clone())])
            }
            EngineError::NotOverSftp(what) => {
                m("engine-error-not-over-sftp", &[("what", what.to_string())])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message an error gives has a key in [`KEYS`] with exactly the
    /// arguments listed there.
    #[test]
    fn every_error_has_a_listed_key_with_its_arguments() {
        let io = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let samples = vec![
            EngineError::Connect {
                host: "h:21".into(),
                source: io(),
            },
            EngineError::Timeout {
                phase: "receiving data",
                secs: 20,
            },
            EngineError::Timeout {
                phase: "something new",
                secs: 20,
            },
            EngineError::Closed,
            EngineError::Network(io()),
            EngineError::NotFound("/x".into()),
            EngineError::DeleteTop("/".into()),
            EngineError::InvalidName("..".into()),
            EngineError::Refused {
                command: "CWD /x".into(),
                code: 550,
                message: "No such directory.".into(),
            },
            EngineError::LoginRefused {
                code: 530,
                message: "Login incorrect.".into(),
            },
            EngineError::AccountRequired,
            EngineError::DataChannel("refused".into()),
            EngineError::Truncated {
                expected: 10,
                got: 5,
            },
            EngineError::TransferFailed {
                got: 5,
                code: 426,
                message: "aborted".into(),
            },
            EngineError::Encoding {
                charset: "GBK",
                name: "x".into(),
            },
            EngineError::Local {
                path: "/tmp/x".into(),
                source: io(),
            },
            EngineError::Tls("bad".into()),
            EngineError::TlsRefused {
                code: 534,
                message: "no".into(),
            },
            EngineError::PlaceFailed {
                temp: "/a.txt.skiffpart".into(),
                target: "/a.txt".into(),
                code: 553,
                message: "Rename failed.".into(),
            },
            EngineError::RemoteChanged("/a.txt".into()),
            EngineError::Ssh("kex failed".into()),
            EngineError::HostKeyUnknown {
                key_type: "ssh-ed25519".into(),
                fingerprint: crate::engine::Fingerprint([1; 32]),
                key: "AAAA".into(),
                host: "h:22".into(),
            },
            EngineError::HostKeyChanged {
                recorded: crate::engine::Fingerprint([1; 32]),
                offered: crate::engine::Fingerprint([2; 32]),
                line: 3,
                host: "h:22".into(),
            },
            EngineError::HostKeyRevoked {
                fingerprint: crate::engine::Fingerprint([1; 32]),
                line: 3,
                host: "h:22".into(),
            },
            EngineError::SshLogin {
                tried: "password".into(),
                user: "u".into(),
                host: "h:22".into(),
            },
            EngineError::KeyFile {
                path: "/k".into(),
                reason: "encrypted".into(),
            },
            EngineError::SftpStatus {
                request: "OPEN",
                code: crate::protocol::sftp::StatusCode::NoSuchFile,
                message: String::new(),
                path: "/x".into(),
            },
            EngineError::KeyPassphraseNeeded { path: "/k".into() },
            EngineError::NotAFolder("/x".into()),
            EngineError::NotOverSftp("typed commands"),
            EngineError::Cancelled,
            EngineError::Internal("x".into()),
            EngineError::InvalidName(String::new()),
        ];
        for error in samples {
            let message = error.user_message();
            let (_, names) = KEYS
                .iter()
                .find(|(key, _)| *key == message.key)
                .unwrap_or_else(|| panic!("{} is not in KEYS", message.key));
            let given: Vec<&str> = message.args.iter().map(|(name, _)| *name).collect();
            assert_eq!(given, *names, "{}", message.key);
        }
    }
}
