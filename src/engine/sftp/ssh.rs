//! The SSH connection under an SFTP session: TCP, key exchange (russh),
//! the host key checked against `known_hosts` and the trusted fingerprints,
//! then the login (key file, agent, password, keyboard-interactive) and the
//! `sftp` subsystem's channel.
//!
//! Owns what is decided about a server's identity and how a user proves
//! theirs. Must not speak SFTP (that is [`super::SftpSession`]) nor print a
//! password or passphrase anywhere: they leave [`crate::secret::Secret`]
//! only to be handed to russh.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use russh::client::{self, Handle, KeyboardInteractiveAuthResponse};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{Channel, cipher};

use super::known_hosts::{self, HostKeyVerdict};
use crate::engine::Fingerprint;
use crate::engine::config::SessionConfig;
use crate::engine::error::{EngineError, Result};
use crate::engine::event::{EventSink, LogKind};

/// What the key exchange learnt about the server's host key.
#[derive(Debug, Clone)]
struct Seen {
    key_type: String,
    fingerprint: Fingerprint,
    /// The key's blob in base64 (a `known_hosts` line's key field).
    key: String,
    verdict: HostKeyVerdict,
    trusted: bool,
}

/// russh's callbacks: the host key check, whose finding is kept for the
/// error message (russh itself only hears yes or no).
pub(super) struct Client {
    host: String,
    port: u16,
    known_hosts: Option<PathBuf>,
    trusted: Vec<Fingerprint>,
    seen: Arc<Mutex<Option<Seen>>>,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> std::result::Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = server_public_key else {
            // Host certificates are not supported: refused, never trusted blindly.
            return Ok(false);
        };
        let Ok(blob) = key.to_bytes() else {
            return Ok(false);
        };
        let key_type = key.algorithm().as_str().to_string();
        let fingerprint = Fingerprint::of(&blob);
        let text = self
            .known_hosts
            .as_deref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        let verdict = known_hosts::check(&text, &self.host, self.port, &key_type, &blob);
        // A fingerprint the user named (--trust-fingerprint, "always trust")
        // accepts an unknown key, and a changed one: naming the new key is
        // the explicit replacement. A revoked key stays refused.
        let trusted = self.trusted.contains(&fingerprint);
        let accept = match verdict {
            HostKeyVerdict::Known => true,
            HostKeyVerdict::Revoked { .. } => false,
            HostKeyVerdict::Changed { .. } | HostKeyVerdict::Unknown => trusted,
        };
        if let Ok(mut seen) = self.seen.lock() {
            use base64::Engine;
            *seen = Some(Seen {
                key_type,
                fingerprint,
                key: base64::engine::general_purpose::STANDARD.encode(&blob),
                verdict,
                trusted,
            });
        }
        Ok(accept)
    }
}

/// The user's `~/.ssh/known_hosts`, when there is a home folder.
pub fn default_known_hosts() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".ssh").join("known_hosts"))
}

/// A logged-in SSH connection and its `sftp` channel.
pub(super) struct Connected {
    pub(super) handle: Handle<Client>,
    pub(super) channel: Channel<client::Msg>,
    /// What the user should know (a key trusted only by fingerprint).
    pub(super) notes: Vec<String>,
}

/// Connects, checks the host key and logs in, then opens the `sftp`
/// subsystem. Every wait is bounded by the site's timeout.
pub(super) async fn connect(
    config: &SessionConfig,
    events: &EventSink,
    conn: u64,
) -> Result<Connected> {
    let host_port = format!("{}:{}", config.host, config.port);
    let timeout = config.timeout;
    let timed = |phase: &'static str| EngineError::Timeout {
        phase,
        secs: timeout.as_secs(),
    };
    events.log(
        conn,
        LogKind::Status,
        format!("Connecting to {host_port} (SFTP)"),
    );
    let socket = tokio::time::timeout(
        timeout,
        tokio::net::TcpStream::connect((config.host.as_str(), config.port)),
    )
    .await
    .map_err(|_| timed("connecting"))?
    .map_err(|source| EngineError::Connect {
        host: host_port.clone(),
        source,
    })?;
    let _ = socket.set_nodelay(true);
    // AES-GCM first: ring runs it on the CPU's AES instructions, several
    // times faster than ChaCha20-Poly1305 in software on a big file.
    let preferred = russh::Preferred {
        cipher: std::borrow::Cow::Borrowed(&[
            cipher::AES_128_GCM,
            cipher::AES_256_GCM,
            cipher::CHACHA20_POLY1305,
            cipher::AES_256_CTR,
            cipher::AES_192_CTR,
            cipher::AES_128_CTR,
        ]),
        ..russh::Preferred::default()
    };
    let ssh_config = client::Config {
        preferred,
        // Enough window for 64 reads of 32 KiB in flight and more.
        window_size: 8 * 1024 * 1024,
        inactivity_timeout: None,
        ..client::Config::default()
    };
    let seen = Arc::new(Mutex::new(None));
    let handler = Client {
        host: config.host.clone(),
        port: config.port,
        known_hosts: config.ssh.known_hosts.clone().or_else(default_known_hosts),
        trusted: config.tls.trusted.clone(),
        seen: seen.clone(),
    };
    let connected = tokio::time::timeout(
        timeout,
        client::connect_stream(Arc::new(ssh_config), socket, handler),
    )
    .await
    .map_err(|_| timed("negotiating SSH"))?;
    let seen = seen.lock().ok().and_then(|seen| seen.clone());
    let mut handle = match connected {
        Ok(handle) => handle,
        Err(error) => {
            return Err(host_key_error(seen, &host_port).unwrap_or_else(|| ssh_error(error)));
        }
    };
    let mut notes = Vec::new();
    if let Some(seen) = &seen {
        events.log(
            conn,
            LogKind::Status,
            format!("Host key {} {}", seen.key_type, seen.fingerprint.openssh()),
        );
        if seen.verdict != HostKeyVerdict::Known && seen.trusted {
            let note = match seen.verdict {
                HostKeyVerdict::Changed { .. } => format!(
                    "The host key changed and was accepted because its fingerprint is trusted ({})",
                    seen.fingerprint.openssh()
                ),
                _ => format!(
                    "The host key is not in known_hosts; accepted because its fingerprint is trusted ({})",
                    seen.fingerprint.openssh()
                ),
            };
            events.log(conn, LogKind::Warning, note.clone());
            notes.push(note);
        }
    }
    tokio::time::timeout(timeout * 3, login(&mut handle, config, events, conn))
        .await
        .map_err(|_| timed("logging in"))??;
    let channel = tokio::time::timeout(timeout, async {
        let channel = handle.channel_open_session().await.map_err(ssh_error)?;
        channel
            .request_subsystem(true, "sftp")
            .await
            .map_err(ssh_error)?;
        Ok::<_, EngineError>(channel)
    })
    .await
    .map_err(|_| timed("opening the sftp subsystem"))??;
    Ok(Connected {
        handle,
        channel,
        notes,
    })
}

/// The host key check's finding as the error that explains a refusal.
fn host_key_error(seen: Option<Seen>, host: &str) -> Option<EngineError> {
    let seen = seen?;
    let host = host.to_string();
    match seen.verdict {
        HostKeyVerdict::Known => None,
        _ if seen.trusted => None,
        HostKeyVerdict::Unknown => Some(EngineError::HostKeyUnknown {
            key_type: seen.key_type,
            fingerprint: seen.fingerprint,
            key: seen.key,
            host,
        }),
        HostKeyVerdict::Changed { recorded, line } => Some(EngineError::HostKeyChanged {
            recorded,
            offered: seen.fingerprint,
            line,
            host,
        }),
        HostKeyVerdict::Revoked { line } => Some(EngineError::HostKeyRevoked {
            fingerprint: seen.fingerprint,
            line,
            host,
        }),
    }
}

/// A russh error as the engine's: I/O stays a network error (retried).
pub(super) fn ssh_error(error: russh::Error) -> EngineError {
    match error {
        russh::Error::IO(e) => EngineError::Network(e),
        russh::Error::Disconnect | russh::Error::HUP => EngineError::Closed,
        other => EngineError::Ssh(other.to_string()),
    }
}

/// Tries the ssh agent's keys (`SSH_AUTH_SOCK`, a Unix socket); whether one
/// logged in. `tried` gets "agent" when the agent offered keys.
#[cfg(unix)]
async fn agent_login(
    handle: &mut Handle<Client>,
    user: &str,
    rsa_hash: Option<HashAlg>,
    tried: &mut Vec<&'static str>,
) -> bool {
    let Ok(mut agent) = russh::keys::agent::client::AgentClient::connect_env().await else {
        return false;
    };
    let identities = agent.request_identities().await.unwrap_or_default();
    if !identities.is_empty() {
        tried.push("agent");
    }
    for identity in identities {
        let public = identity.public_key().into_owned();
        let hash = if public.algorithm().is_rsa() {
            rsa_hash
        } else {
            None
        };
        let result = handle
            .authenticate_publickey_with(user.to_string(), public, hash, &mut agent)
            .await;
        if matches!(result, Ok(client::AuthResult::Success)) {
            return true;
        }
    }
    false
}

/// The ssh agent is a Unix socket; Windows' agents (Pageant, OpenSSH's
/// named pipe) are not asked yet: a key file or a password logs in there.
#[cfg(not(unix))]
async fn agent_login(
    _handle: &mut Handle<Client>,
    _user: &str,
    _rsa_hash: Option<HashAlg>,
    _tried: &mut Vec<&'static str>,
) -> bool {
    false
}

/// Tries the ways in: the key file, else the agent's keys (only when no
/// password is given: a password says how the user means to log in), then
/// the password, then keyboard-interactive answered with the password.
async fn login(
    handle: &mut Handle<Client>,
    config: &SessionConfig,
    events: &EventSink,
    conn: u64,
) -> Result<()> {
    let user = config.credentials.user.clone();
    let password = config.credentials.password.expose().to_string();
    let mut tried: Vec<&'static str> = Vec::new();
    let rsa_hash = handle
        .best_supported_rsa_hash()
        .await
        .ok()
        .flatten()
        .flatten()
        .or(Some(HashAlg::Sha256));
    if let Some(path) = &config.ssh.key_file {
        let passphrase = config
            .ssh
            .key_passphrase
            .as_ref()
            .map(|p| p.expose().to_string());
        let key = load_key(path, passphrase.as_deref()).await?;
        events.log(
            conn,
            LogKind::Status,
            format!("Trying the key {}", path.display()),
        );
        tried.push("publickey");
        let key = PrivateKeyWithHashAlg::new(Arc::new(key), rsa_hash);
        let result = handle
            .authenticate_publickey(user.clone(), key)
            .await
            .map_err(ssh_error)?;
        if result.success() {
            return logged_in(events, conn, "publickey");
        }
    } else if password.is_empty()
        && config.ssh.agent
        && std::env::var_os("SSH_AUTH_SOCK").is_some()
        && agent_login(handle, &user, rsa_hash, &mut tried).await
    {
        return logged_in(events, conn, "publickey (agent)");
    }
    if !password.is_empty() {
        tried.push("password");
        let result = handle
            .authenticate_password(user.clone(), password.clone())
            .await
            .map_err(ssh_error)?;
        if result.success() {
            return logged_in(events, conn, "password");
        }
        tried.push("keyboard-interactive");
        let mut reply = handle
            .authenticate_keyboard_interactive_start(user.clone(), None::<String>)
            .await
            .map_err(ssh_error)?;
        // A server may ask in several rounds; each prompt gets the password
        // (what FileZilla answers), and a bounded number of rounds.
        for _ in 0..5 {
            match reply {
                KeyboardInteractiveAuthResponse::Success => {
                    return logged_in(events, conn, "keyboard-interactive");
                }
                KeyboardInteractiveAuthResponse::Failure { .. } => break,
                KeyboardInteractiveAuthResponse::InfoRequest { prompts, .. } => {
                    let answers = prompts.iter().map(|_| password.clone()).collect();
                    reply = handle
                        .authenticate_keyboard_interactive_respond(answers)
                        .await
                        .map_err(ssh_error)?;
                }
            }
        }
    }
    if tried.is_empty() {
        tried.push("none: no password, key file or agent key");
    }
    Err(EngineError::SshLogin {
        tried: tried.join(", "),
        user,
        host: format!("{}:{}", config.host, config.port),
    })
}

fn logged_in(events: &EventSink, conn: u64, how: &str) -> Result<()> {
    events.log(conn, LogKind::Status, format!("Logged in ({how})"));
    Ok(())
}

/// Reads and, with its passphrase, decrypts a private key file, off the
/// async workers (decryption is deliberately slow).
async fn load_key(path: &Path, passphrase: Option<&str>) -> Result<russh::keys::PrivateKey> {
    let had_passphrase = passphrase.is_some();
    let (owned, passphrase) = (path.to_path_buf(), passphrase.map(str::to_string));
    let loaded = tokio::task::spawn_blocking(move || {
        russh::keys::load_secret_key(&owned, passphrase.as_deref())
    })
    .await
    .map_err(|e| EngineError::Internal(e.to_string()))?;
    loaded.map_err(|error| {
        let reason = match error {
            russh::keys::Error::KeyIsEncrypted => {
                return EngineError::KeyPassphraseNeeded {
                    path: path.to_path_buf(),
                };
            }
            russh::keys::Error::IO(e) => crate::engine::error::io_sentence(&e),
            other => {
                if had_passphrase {
                    format!("wrong passphrase or unreadable key: {other}")
                } else {
                    other.to_string()
                }
            }
        };
        EngineError::KeyFile {
            path: path.to_path_buf(),
            reason,
        }
    })
}
