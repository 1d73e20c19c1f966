//! FTPS against real servers on loopback with generated certificates:
//! explicit TLS (and implicit where the server has it), passive and active,
//! 64 MiB each way by SHA-256, session reuse on every data connection, and
//! certificate trust (CA file, pinned fingerprint, refusal).

mod support;

use std::time::Duration;

use sha2::{Digest, Sha256};
use skiff::engine::tls::certificates_from_pem;
use skiff::engine::transfer::{FileOutcome, download_file, upload_file};
use skiff::engine::{
    Credentials, DataMode, Encryption, EngineError, Event, EventSink, ExistsPolicy, Fingerprint,
    RetryPolicy, Session, SessionConfig, TransferSettings,
};
use skiff::secret::Secret;
use support::servers::{Options, RealServer, ServerKind, Tls};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const BIG: usize = 64 * 1024 * 1024;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut x: u32 = 0x2545_f491 ^ u32::from(seed);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn config(server: &RealServer, mode: DataMode, encryption: Encryption) -> SessionConfig {
    let credentials = Credentials {
        user: server.user.to_string(),
        password: Secret::new(server.password),
        account: None,
    };
    let mut config = SessionConfig::new("127.0.0.1", server.port, credentials);
    config.data_mode = mode;
    config.mode_fallback = false;
    config.encryption = encryption;
    config.timeout = Duration::from_secs(10);
    let ca = std::fs::read(server.ca_cert().expect("TLS server has a CA")).expect("read CA");
    config.tls.extra_roots = certificates_from_pem(&ca);
    config
}

fn settings(config: SessionConfig, events: EventSink) -> TransferSettings {
    TransferSettings {
        session: config,
        retry: RetryPolicy {
            retries: 0,
            delay: Duration::from_millis(100),
        },
        exists: ExistsPolicy::Overwrite,
        events,
        cancel: CancellationToken::new(),
        preserve_times: false,
        within: None,
    }
}

fn log_lines(rx: &mut mpsc::UnboundedReceiver<Event>) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let Event::Log(line) = event {
            out.push(line.text);
        }
    }
    out
}

/// Login, listing, 64 MiB down and up over TLS, every data connection resumed.
fn suite(kind: ServerKind, port: u16, tls: Tls, mode: DataMode, encryption: Encryption) {
    let Some(server) = RealServer::start_with(
        kind,
        port,
        Options {
            tls,
            ..Options::default()
        },
    ) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let big = pattern(BIG, 9);
    server.put_file("big.bin", &big);
    let local = tempfile::tempdir().expect("tmp");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let events = EventSink::new(tx);
    let what = format!("{kind} {tls:?} {mode:?}");
    runtime.block_on(async {
        let cfg = config(&server, mode, encryption);
        let mut session = Session::connect(cfg.clone(), events.clone())
            .await
            .unwrap_or_else(|e| panic!("{what}: login: {e}"));
        let info = session
            .tls_info()
            .expect("control connection encrypted")
            .clone();
        assert!(info.version.starts_with("TLS 1."), "{what}: {info:?}");
        assert!(
            session.as_ftp().expect("FTP").data_protected(),
            "{what}: PROT P"
        );
        let listing = session.list(Some(b"/")).await.expect("list");
        assert!(
            listing.entries.iter().any(|e| e.name == "big.bin"),
            "{what}"
        );

        let s = settings(cfg, events.clone());
        let mut slot = Some(session);
        let target = local.path().join("big.bin");
        let outcome = download_file(&mut slot, &s, b"/big.bin", None, &target)
            .await
            .unwrap_or_else(|e| panic!("{what}: download: {e}"));
        assert_eq!(outcome, FileOutcome::Done { bytes: BIG as u64 });
        assert_eq!(
            Sha256::digest(std::fs::read(&target).expect("read")),
            Sha256::digest(&big),
            "{what}: download intact"
        );
        let upload = pattern(BIG, 10);
        let source = local.path().join("up.bin");
        std::fs::write(&source, &upload).expect("write");
        upload_file(&mut slot, &s, &source, b"/up.bin", None)
            .await
            .unwrap_or_else(|e| panic!("{what}: upload: {e}"));
        assert_eq!(
            Sha256::digest(std::fs::read(server.path("up.bin")).expect("read")),
            Sha256::digest(&upload),
            "{what}: upload intact"
        );
        if let Some(session) = slot {
            session.quit().await;
        }
    });
    let lines = log_lines(&mut rx);
    let data_connections: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("TLS data connection established"))
        .collect();
    assert!(data_connections.len() >= 3, "{what}: {lines:?}");
    // pure-ftpd never offers TLS 1.3 resumption (curl sees the same); the
    // servers that demand reuse (vsftpd, proftpd) must see it every time.
    if kind != ServerKind::PureFtpd {
        assert!(
            data_connections
                .iter()
                .all(|l| l.contains("session resumed")),
            "{what}: every data connection resumes the control session: {data_connections:?}"
        );
    }
    assert!(lines.iter().any(|l| l == "PASS ****"));
}

#[test]
fn vsftpd_explicit_required_passive() {
    suite(
        ServerKind::Vsftpd,
        25_100,
        Tls::Required,
        DataMode::Passive,
        Encryption::RequireExplicit,
    );
}

#[test]
fn vsftpd_explicit_required_active() {
    suite(
        ServerKind::Vsftpd,
        25_200,
        Tls::Required,
        DataMode::Active,
        Encryption::RequireExplicit,
    );
}

#[test]
fn vsftpd_implicit() {
    suite(
        ServerKind::Vsftpd,
        25_300,
        Tls::Implicit,
        DataMode::Passive,
        Encryption::RequireImplicit,
    );
}

#[test]
fn pure_ftpd_tls_required() {
    suite(
        ServerKind::PureFtpd,
        25_400,
        Tls::Required,
        DataMode::Passive,
        Encryption::RequireExplicit,
    );
}

#[test]
fn proftpd_tls_required() {
    suite(
        ServerKind::Proftpd,
        25_500,
        Tls::Required,
        DataMode::Passive,
        Encryption::RequireExplicit,
    );
}

#[test]
fn pyftpdlib_tls_required() {
    suite(
        ServerKind::Pyftpdlib,
        25_600,
        Tls::Required,
        DataMode::Passive,
        Encryption::RequireExplicit,
    );
}

/// "If available" on a TLS server uses TLS.
#[test]
fn proftpd_tls_if_available_active() {
    suite(
        ServerKind::Proftpd,
        25_700,
        Tls::Allowed,
        DataMode::Active,
        Encryption::ExplicitIfAvailable,
    );
}

/// Without the CA the certificate is refused with its fingerprint; the right
/// pinned fingerprint is accepted, a wrong one refused.
#[test]
fn certificate_trust() {
    let Some(server) = RealServer::start_with(
        ServerKind::Vsftpd,
        25_800,
        Options {
            tls: Tls::Required,
            ..Options::default()
        },
    ) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let leaf = Fingerprint(server.cert_sha256().expect("leaf fingerprint"));
    let mut cfg = config(&server, DataMode::Passive, Encryption::RequireExplicit);
    cfg.tls.extra_roots.clear();
    runtime.block_on(async {
        let err = Session::connect(cfg.clone(), EventSink::none())
            .await
            .unwrap_err();
        let EngineError::Certificate { info, .. } = &err else {
            panic!("expected a certificate error, got {err:?}");
        };
        assert_eq!(info.fingerprint, leaf);
        assert!(err.to_string().contains(&leaf.to_string()), "{err}");
        assert!(
            !info.subject.is_empty() && !info.not_after.is_empty(),
            "{info:?}"
        );

        let mut wrong = cfg.clone();
        wrong.tls.trusted = vec![Fingerprint([7; 32])];
        let err = Session::connect(wrong, EventSink::none())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("certificate changed"), "{err}");

        let mut pinned = cfg.clone();
        pinned.tls.trusted = vec![leaf];
        let mut session = Session::connect(pinned, EventSink::none())
            .await
            .expect("a pinned certificate is trusted");
        session.list(None).await.expect("list over TLS");
        session.quit().await;
    });
    // The server never saw a password from the refused attempts.
    let log = server.log();
    assert_eq!(log.matches("PASS").count(), 1, "{log}");
}

fn skiff(args: &[&str], config_dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(args)
        .env("SKIFF_CONFIG_DIR", config_dir)
        .env_remove("SKIFF_PASSWORD")
        .output()
        .expect("run skiff")
}

/// What a run at a terminal printed, and how it ended.
struct TerminalRun {
    status: std::process::ExitStatus,
    text: String,
}

/// Runs skiff on a pseudo-terminal (util-linux `script`), typing `input`.
fn at_terminal(args: &[&str], config_dir: &std::path::Path, input: &str) -> TerminalRun {
    use std::io::Write;
    let mut command = String::from(env!("CARGO_BIN_EXE_skiff"));
    for arg in args {
        command.push_str(&format!(" '{arg}'"));
    }
    let mut child = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("SKIFF_CONFIG_DIR", config_dir)
        .env_remove("SKIFF_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // Typed after the prompt has had time to appear, as a person would.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    stdin.write_all(input.as_bytes()).expect("type");
    let out = child.wait_with_output().expect("script ends");
    drop(stdin);
    TerminalRun {
        status: out.status,
        text: String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr),
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The CLI: an untrusted certificate fails with its fingerprint; the pinned
/// fingerprint or the CA file lets it through; a host that offered TLS and
/// stops doing so is warned about; no password lands in the config folder.
#[test]
fn cli_certificate_trust_and_tls_memory() {
    let config_dir = tempfile::tempdir().expect("tmp");
    let port = 25_900;
    let fingerprint;
    {
        let Some(server) = RealServer::start_with(
            ServerKind::Vsftpd,
            port,
            Options {
                tls: Tls::Allowed,
                ..Options::default()
            },
        ) else {
            return;
        };
        fingerprint = Fingerprint(server.cert_sha256().expect("fingerprint"));
        let url = format!(
            "ftp://{}:{}@127.0.0.1:{port}/",
            server.user, server.password
        );
        let out = skiff(&["ls", &url], config_dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("untrusted certificate"), "{stderr}");
        assert!(stderr.contains(&fingerprint.to_string()), "{stderr}");
        // The way forward, named exactly.
        assert!(
            stderr.contains(&format!("--trust-fingerprint {fingerprint}")),
            "{stderr}"
        );

        let out = skiff(
            &["ls", &url, "--trust-fingerprint", &fingerprint.to_string()],
            config_dir.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ca = server.ca_cert().expect("ca");
        let out = skiff(
            &["ls", &url, "--ca-file", ca.to_str().expect("utf8")],
            config_dir.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let trust =
            std::fs::read_to_string(config_dir.path().join("trust.toml")).expect("trust.toml");
        assert!(trust.contains(&format!("127.0.0.1:{port}")), "{trust}");

        // At a terminal the CLI asks, as ssh does. "once" holds for the whole
        // run (the transfer connections too) and is not remembered.
        server.put_file("hello.txt", b"hello\n");
        let local = tempfile::tempdir().expect("tmp");
        let file_url = format!("{url}hello.txt");
        let dest = format!("{}/", local.path().display());
        let out = at_terminal(
            &["get", &file_url, &dest],
            config_dir.path(),
            "maybe\nonce\n",
        );
        assert_eq!(out.status.code(), Some(0), "{}", out.text);
        assert!(
            out.text
                .contains("trust this certificate? (once/always/no)"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("please answer once, always or no"),
            "{}",
            out.text
        );
        assert_eq!(
            std::fs::read(local.path().join("hello.txt")).expect("arrived"),
            b"hello\n"
        );
        let out = skiff(&["ls", &url], config_dir.path());
        assert_eq!(out.status.code(), Some(1), "once is not remembered");
        // "no" (or just Enter) refuses.
        let out = at_terminal(&["ls", &url], config_dir.path(), "\n");
        assert_eq!(out.status.code(), Some(1), "{}", out.text);
        // "always" is remembered in the trust store.
        let out = at_terminal(&["ls", &url], config_dir.path(), "always\n");
        assert_eq!(out.status.code(), Some(0), "{}", out.text);
        let out = skiff(&["ls", &url], config_dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The same host without TLS: a loud warning, on stderr even without -v.
    let Some(server) = RealServer::start(ServerKind::Vsftpd, port) else {
        return;
    };
    let url = format!(
        "ftp://{}:{}@127.0.0.1:{port}/",
        server.user, server.password
    );
    let out = skiff(&["ls", &url], config_dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("offered TLS before"), "{stderr}");
    for file in files_under(config_dir.path()) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(
            !String::from_utf8_lossy(&bytes).contains(server.password),
            "password in {file:?}"
        );
    }
}
