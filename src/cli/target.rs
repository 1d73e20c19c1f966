//! From a target on the command line to a session: an `ftp://` or
//! `sftp://` URL or a saved site's `site:Folder/Name/path` becomes a
//! [`SessionConfig`] (the command-line options laid over it), a password
//! (the URL, the keyring or `SKIFF_PASSWORD`), a key file and its
//! passphrase (`--key`, `SKIFF_KEY_PASSPHRASE`), trusted certificates and
//! host keys, and then a logged-in session at an absolute remote path.
//!
//! Asks on a terminal only what ssh asks there: whether to trust an
//! unknown certificate or host key, and an encrypted key's passphrase;
//! without a terminal those are errors that name the flag or variable to
//! use. Must not ask for a password, write saved sites, or run a keyring
//! call on an async worker.

use super::{CliError, Options};
use crate::engine::event::EventSink;
use crate::engine::limit::RateLimiter;
use crate::engine::sftp::default_known_hosts;
use crate::engine::sftp::known_hosts::host_entry_name;
use crate::engine::tls::certificates_from_pem;
use crate::engine::{CharsetChoice, Credentials, DataMode, EngineError, Session, SessionConfig};
use crate::engine::{Encryption, Protocol};
use crate::paths;
use crate::protocol::listing::ServerType;
use crate::protocol::path;
use crate::protocol::text::scrub;
use crate::secret::Secret;
use crate::sites::{LogonType, OsKeyring, SecretStore, Site, Sites, store};
use crate::trust::TrustStore;
use crate::url::FtpUrl;

/// Builds the session config from a URL and the options; the password may
/// also come from `SKIFF_PASSWORD`.
pub fn session_config(url: &FtpUrl, options: &Options) -> Result<SessionConfig, CliError> {
    let user = match (&url.user, url.protocol) {
        (Some(user), _) => Some(user.clone()),
        // ssh's default: the local user's name.
        (None, Protocol::Sftp) => Some(local_user_name().ok_or_else(|| {
            CliError::Usage("no user name: give one in the URL (sftp://user@host/)".to_string())
        })?),
        (None, Protocol::Ftp) => None,
    };
    let credentials = match user {
        None => Credentials::anonymous(),
        Some(user) => Credentials {
            user,
            password: url
                .password
                .clone()
                .or_else(|| std::env::var("SKIFF_PASSWORD").ok().map(Secret::new))
                .unwrap_or_default(),
            account: None,
        },
    };
    let mut config = SessionConfig::new(url.host.clone(), url.port, credentials);
    config.protocol = url.protocol;
    config.encryption = url.encryption;
    apply_options(&mut config, options)?;
    Ok(config)
}

/// The local user's name, ssh's default login (`USER`, `LOGNAME`, `USERNAME`).
fn local_user_name() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// Lays the command-line options over a config from a URL or a saved site:
/// what the options set explicitly wins, the rest is kept.
fn apply_options(config: &mut SessionConfig, options: &Options) -> Result<(), CliError> {
    let sftp = config.protocol == Protocol::Sftp;
    if sftp && options.no_tls {
        return Err(CliError::Usage(
            "--no-tls is for FTP; SFTP is always encrypted".to_string(),
        ));
    }
    if let Some(key) = &options.key {
        if !sftp {
            return Err(CliError::Usage(
                "--key is for SFTP (an sftp:// URL or an SFTP site)".to_string(),
            ));
        }
        config.ssh.key_file = Some(key.clone());
    }
    if config.ssh.key_file.is_some()
        && config.ssh.key_passphrase.is_none()
        && let Ok(passphrase) = std::env::var("SKIFF_KEY_PASSPHRASE")
    {
        config.ssh.key_passphrase = Some(Secret::new(passphrase));
    }
    if options.no_tls {
        if config.encryption != Encryption::ExplicitIfAvailable {
            return Err(CliError::Usage(
                "--no-tls contradicts an ftpes:// or ftps:// URL or a site that requires TLS"
                    .to_string(),
            ));
        }
        config.encryption = Encryption::Plain;
    }
    if let Some(path) = &options.ca_file {
        let pem = std::fs::read(path).map_err(|source| EngineError::Local {
            path: path.clone(),
            source,
        })?;
        config.tls.extra_roots = certificates_from_pem(&pem);
        if config.tls.extra_roots.is_empty() {
            return Err(CliError::Usage(format!(
                "no PEM certificate in {}",
                path.display()
            )));
        }
    }
    config.tls.trusted = options.trust_fingerprint.clone();
    if options.server_type != ServerType::Auto {
        config.server_type = options.server_type;
    }
    if let Some(store) = trust_store() {
        let (host, port) = (config.host.clone(), config.port);
        config.tls.trusted.extend(store.trusted(&host, port));
        config.tls.offered_before = store.offered_tls_before(&host, port);
    }
    config.tls.insecure = options.insecure;
    if options.active_mode() {
        config.data_mode = DataMode::Active;
    } else if options.passive {
        config.data_mode = DataMode::Passive;
    }
    config.mode_fallback = options.fallback();
    config.trust_pasv_address |= options.trust_pasv_address;
    if options.active_ports().is_some() {
        config.active.port_range = options.active_ports();
    }
    if options.external_ip().is_some() {
        config.active.external_ip = options.external_ip();
    }
    if let Some(label) = &options.encoding {
        config.charset = CharsetChoice::from_label(label)
            .ok_or_else(|| CliError::Usage(format!("unknown charset: {label}")))?;
    }
    config.timeout = options.timeout();
    config.download_limit = options
        .limit_download()
        .map(|rate| std::sync::Arc::new(RateLimiter::new(rate)));
    config.upload_limit = options
        .limit_upload()
        .map(|rate| std::sync::Arc::new(RateLimiter::new(rate)));
    Ok(())
}

/// The prefix of a saved-site target: `site:Folder/Name/path`.
pub const SITE_PREFIX: &str = "site:";

/// Splits `site:Folder/Name/path` (or `site:"Folder/Name"/path`, quotes kept
/// by the shell) into the site and the rest (`""`, `"/"`, `"/rel/x"`,
/// `"//abs"`). Without quotes the longest `Folder/Name` that is a saved site wins.
pub fn split_site_target<'a, 's>(
    text: &'a str,
    sites: &'s Sites,
) -> Result<(&'s Site, &'a str), CliError> {
    let spec = text.strip_prefix(SITE_PREFIX).unwrap_or(text);
    if let Some(quoted) = spec.strip_prefix('"') {
        let (name, rest) = quoted
            .split_once('"')
            .ok_or_else(|| CliError::UnclosedQuote(text.to_string()))?;
        let site = sites
            .find(name)
            .ok_or_else(|| CliError::Usage(format!("no such saved site: {name}")))?;
        return Ok((site, rest));
    }
    // Every unescaped `/` is a place the site's path may end, longest first.
    let mut cuts = Vec::new();
    let mut chars = spec.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '/' => cuts.push(i),
            _ => {}
        }
    }
    cuts.push(spec.len());
    for &cut in cuts.iter().rev() {
        // `Name//abs` is the site `Name` and an absolute path, never `Name/`.
        if cut == 0 || spec[..cut].ends_with('/') {
            continue;
        }
        if let Some(site) = sites.find(&spec[..cut]) {
            return Ok((site, &spec[cut..]));
        }
    }
    Err(CliError::Usage(format!("no such saved site: {spec}")))
}

/// The password for a saved site: from the keyring, else `SKIFF_PASSWORD`,
/// else an error saying how to give one. Blocking (the keyring); the
/// keyring call runs on a thread of its own.
fn site_password(site: &Site, keyring: &dyn SecretStore) -> Result<Option<Secret>, CliError> {
    let env = || std::env::var("SKIFF_PASSWORD").ok().map(Secret::new);
    match site.logon {
        LogonType::Anonymous => Ok(None),
        LogonType::Ask => env().map(Some).ok_or_else(|| {
            CliError::Usage(format!(
                "the site asks for its password each time (set SKIFF_PASSWORD): {}",
                site.path_text()
            ))
        }),
        // The key's passphrase, when it has one: the keyring's, else
        // SKIFF_KEY_PASSPHRASE; an unencrypted key needs none.
        LogonType::KeyFile => Ok(keyring
            .get(&site.id)
            .ok()
            .flatten()
            .or_else(|| std::env::var("SKIFF_KEY_PASSPHRASE").ok().map(Secret::new))),
        LogonType::Normal | LogonType::Account => {
            // SKIFF_PASSWORD set means the user chose it: no word about the keyring then.
            let (saved, keyring_error) = match keyring.get(&site.id) {
                Ok(saved) => (saved, None),
                Err(e) => (None, Some(e)),
            };
            if let Some(password) = saved.or_else(env) {
                return Ok(Some(password));
            }
            let why = match keyring_error {
                Some(e) => format!("{e}; set SKIFF_PASSWORD"),
                None => "save one in the Site Manager or set SKIFF_PASSWORD".to_string(),
            };
            Err(CliError::Usage(format!(
                "no saved password ({why}): {}",
                site.path_text()
            )))
        }
    }
}

/// Loads the saved sites (a missing file is none; a corrupt one is an error).
pub(super) fn load_sites() -> Result<Sites, CliError> {
    Ok(store::load(&store::default_path()?)?)
}

/// The URL and session config for a target: an `ftp://` URL or a saved
/// site's `site:Folder/Name/path`.
fn target(text: &str, options: &Options) -> Result<(FtpUrl, SessionConfig), CliError> {
    if !text.starts_with(SITE_PREFIX) {
        let url = FtpUrl::parse(text)?;
        let config = session_config(&url, options)?;
        return Ok((url, config));
    }
    let sites = load_sites()?;
    let (site, rest) = split_site_target(text, &sites)?;
    let password = site_password(site, &OsKeyring::new())?;
    let mut config = site.session_config(password);
    apply_options(&mut config, options)?;
    let trailing_slash = rest.len() > 1 && rest.ends_with('/');
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let (absolute, relative) = match rest.strip_prefix('/') {
        Some(abs) => (true, abs.trim_end_matches('/').to_string()),
        None => {
            let rel = rest.trim_end_matches('/');
            match site.remote_dir.as_deref() {
                // The site's remote folder is where relative paths start.
                Some(dir) if dir.starts_with('/') => {
                    let dir = dir.trim_matches('/');
                    let joined = [dir, rel]
                        .iter()
                        .filter(|p| !p.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("/");
                    (true, joined)
                }
                Some(dir) if !rel.is_empty() => (false, format!("{dir}/{rel}")),
                Some(dir) => (false, dir.to_string()),
                None => (false, rel.to_string()),
            }
        }
    };
    let url = FtpUrl {
        protocol: config.protocol,
        host: config.host.clone(),
        port: config.port,
        encryption: config.encryption,
        user: Some(config.credentials.user.clone()),
        password: None,
        path: relative.into_bytes(),
        absolute,
        trailing_slash,
    };
    Ok((url, config))
}

/// The trust store under the config folder; a corrupt one is reported once
/// (it has been set aside) and the run goes on without it.
fn trust_store() -> Option<TrustStore> {
    let path = TrustStore::path_in(&paths::config_dir()?);
    match TrustStore::load(&path) {
        Ok(store) => Some(store),
        Err(e) => {
            eprintln!("skiff: warning: {e}");
            None
        }
    }
}

/// Whether the user is at a terminal to be asked (standard input and error).
fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The user's answer about an untrusted certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrustAnswer {
    /// Trust it for this run.
    Once,
    /// Trust it and remember it (the trust store).
    Always,
    /// Refuse.
    No,
}

/// Shows `problem` and asks on the terminal until the answer is one of
/// once, always or no (Enter, or the input's end, is no); `what` is the
/// thing to trust ("certificate", "host key"). Blocking.
fn ask_trust(problem: &str, what: &str) -> TrustAnswer {
    eprintln!("{problem}");
    loop {
        eprint!("skiff: trust this {what}? (once/always/no) [no]: ");
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line).unwrap_or(0) == 0 {
            eprintln!();
            return TrustAnswer::No;
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "o" | "once" => return TrustAnswer::Once,
            "a" | "always" => return TrustAnswer::Always,
            "" | "n" | "no" => return TrustAnswer::No,
            _ => eprintln!("skiff: please answer once, always or no"),
        }
    }
}

/// Remembers that a host offered TLS, so losing it later is noticed.
fn remember_tls(host: &str, port: u16) {
    if let Some(mut store) = trust_store()
        && store.remember_tls(host, port)
        && let Err(e) = store.save()
    {
        eprintln!("skiff: warning: could not save the trust store: {e}");
    }
}

/// [`target`] off the async workers: a saved site's password comes from the
/// keyring, which blocks.
pub(super) async fn blocking_target(
    text: &str,
    options: &Options,
) -> Result<(FtpUrl, SessionConfig), CliError> {
    let (text, options) = (text.to_string(), options.clone());
    tokio::task::spawn_blocking(move || target(&text, &options))
        .await
        .map_err(|e| CliError::Usage(format!("internal error: {e}")))?
}

/// Connects and turns the URL's path into an absolute remote path. An
/// untrusted certificate, when both standard input and standard error are
/// a terminal, is asked about as ssh asks about a host key (once, always,
/// no); the answer is added to `config`, so the transfer connections made
/// from it trust the certificate too, for the rest of this run.
pub(super) async fn open(
    url: &FtpUrl,
    config: &mut SessionConfig,
    events: &EventSink,
) -> Result<(Session, Vec<u8>), CliError> {
    let mut session = match connect_asking(config, events).await? {
        Ok(session) => session,
        Err(EngineError::Certificate { info, host }) if interactive() => {
            let error = EngineError::Certificate {
                info: info.clone(),
                host,
            };
            let question = format!("skiff: {}", scrub(&error.to_string()));
            let (fingerprint, host, port) = (info.fingerprint, config.host.clone(), config.port);
            let answer = tokio::task::spawn_blocking(move || {
                let answer = ask_trust(&question, "certificate");
                if answer == TrustAnswer::Always
                    && let Some(mut store) = trust_store()
                {
                    store.trust(&host, port, &info);
                    if let Err(e) = store.save() {
                        eprintln!("skiff: warning: could not save the trust store: {e}");
                    }
                }
                answer
            })
            .await
            .map_err(|e| CliError::Usage(format!("internal error: {e}")))?;
            if answer == TrustAnswer::No {
                return Err(error.into());
            }
            config.tls.trusted.push(fingerprint);
            Session::connect(config.clone(), events.clone()).await?
        }
        Err(error) => return Err(error.into()),
    };
    for note in session.security_notes() {
        eprintln!("skiff: warning: {note}");
    }
    if config.tls.insecure && session.tls_info().is_some() {
        eprintln!("skiff: warning: --insecure: the server's certificate was not checked");
    }
    if session.tls_info().is_some() && !config.tls.offered_before {
        remember_tls(&config.host, config.port);
    }
    let full = remote_path(&mut session, url).await?;
    Ok((session, full))
}

/// Connects, asking on a terminal what ssh asks there: an encrypted key's
/// passphrase, and whether to trust an unknown host key (once, for this
/// run; always, written to `known_hosts` as ssh does; or no). The answers
/// go into `config`, so every later connection of the run has them. The
/// inner result is the connection's, for the caller's own questions.
async fn connect_asking(
    config: &mut SessionConfig,
    events: &EventSink,
) -> Result<Result<Session, EngineError>, CliError> {
    let mut asked_passphrase = false;
    loop {
        match Session::connect(config.clone(), events.clone()).await {
            Err(EngineError::KeyPassphraseNeeded { path })
                if interactive() && !asked_passphrase =>
            {
                asked_passphrase = true;
                let prompt = format!("skiff: passphrase for the key {}: ", path.display());
                let passphrase = tokio::task::spawn_blocking(move || {
                    rpassword::prompt_password(prompt).unwrap_or_default()
                })
                .await
                .map_err(|e| CliError::Usage(format!("internal error: {e}")))?;
                config.ssh.key_passphrase = Some(Secret::new(passphrase));
            }
            Err(EngineError::HostKeyUnknown {
                key_type,
                fingerprint,
                key,
                host,
            }) if interactive() => {
                let error = EngineError::HostKeyUnknown {
                    key_type: key_type.clone(),
                    fingerprint,
                    key: key.clone(),
                    host,
                };
                let question = format!("skiff: {}", scrub(&error.to_string()));
                let answer = tokio::task::spawn_blocking(move || ask_trust(&question, "host key"))
                    .await
                    .map_err(|e| CliError::Usage(format!("internal error: {e}")))?;
                match answer {
                    TrustAnswer::No => return Ok(Err(error)),
                    TrustAnswer::Once => config.tls.trusted.push(fingerprint),
                    TrustAnswer::Always => {
                        let file = config.ssh.known_hosts.clone().or_else(default_known_hosts);
                        let line = format!(
                            "{} {key_type} {key}\n",
                            host_entry_name(&config.host, config.port)
                        );
                        match file {
                            Some(file) => {
                                let written = file.clone();
                                tokio::task::spawn_blocking(move || {
                                    append_known_host(&file, &line)
                                })
                                .await
                                .map_err(|e| CliError::Usage(format!("internal error: {e}")))?
                                .map_err(|source| {
                                    EngineError::Local {
                                        path: written,
                                        source,
                                    }
                                })?;
                            }
                            // No home folder to keep it in: trusted for this run.
                            None => config.tls.trusted.push(fingerprint),
                        }
                    }
                }
            }
            other => return Ok(other),
        }
    }
}

/// What answers at the terminal change in a config (trusted fingerprints,
/// a key's passphrase): a queue started before [`open`] asked needs the
/// config again when they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Answers {
    trusted: usize,
    passphrase: bool,
}

impl Answers {
    /// The answers `config` holds now.
    pub(super) fn of(config: &SessionConfig) -> Self {
        Self {
            trusted: config.tls.trusted.len(),
            passphrase: config.ssh.key_passphrase.is_some(),
        }
    }
}

/// Appends `line` to the `known_hosts` file `path`, making its folder
/// (0700, as ssh does) and the file (0600) when missing. Blocking.
fn append_known_host(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(folder) = path.parent()
        && !folder.exists()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(folder)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // A file whose last line has no line break yet gets one first, so the
    // new entry is a line of its own.
    let unfinished = std::fs::read(path)?.last().is_some_and(|&b| b != b'\n');
    if unfinished {
        file.write_all(b"\n")?;
    }
    file.write_all(line.as_bytes())
}

/// The URL's path as an absolute remote path: a relative one starts at the
/// session's current folder (the login's home, before any CWD).
pub(super) async fn remote_path(session: &mut Session, url: &FtpUrl) -> Result<Vec<u8>, CliError> {
    let mut relative = url.path.clone();
    // A user-typed UTF-8 path is re-encoded for a server in another charset.
    if let Ok(text) = std::str::from_utf8(&url.path) {
        relative = session.encode(text)?;
    }
    Ok(if url.absolute {
        path::join(b"/", &relative)
    } else if relative.is_empty() {
        session.pwd().await?
    } else {
        let home = session.pwd().await?;
        path::join(&home, &relative)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A known host is appended as a line of its own, whatever the file's
    /// last line, in a folder made 0700 when missing, a file made 0600.
    #[test]
    fn known_hosts_lines_are_appended_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("new/.ssh/known_hosts");
        append_known_host(&file, "[h]:2222 ssh-ed25519 AAAA\n").expect("append");
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            "[h]:2222 ssh-ed25519 AAAA\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| {
                std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
            };
            assert_eq!(mode(file.parent().expect("folder")), 0o700);
            assert_eq!(mode(&file), 0o600);
        }
        std::fs::write(&file, "old ssh-rsa BBBB").expect("no final line break");
        append_known_host(&file, "h ssh-ed25519 CCCC\n").expect("append");
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            "old ssh-rsa BBBB\nh ssh-ed25519 CCCC\n"
        );
    }
}
