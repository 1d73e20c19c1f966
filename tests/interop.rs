//! Interop tests against real servers on loopback: vsftpd, pure-ftpd, proftpd
//! and pyftpdlib, each in passive and in active mode.
//!
//! Each test starts its own server on its own ports. They are required: a
//! missing server fails the test unless `SKIFF_SKIP_INTEROP=1` is set, which
//! prints what was skipped (see `support::servers`).

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use skiff::engine::limit::RateLimiter;
use skiff::engine::transfer::{FileOutcome, download_file, part_path, upload_file};
use skiff::engine::{
    Credentials, DataMode, Event, EventSink, ExistsPolicy, RetryPolicy, Session, SessionConfig,
    TransferSettings,
};
use skiff::protocol::listing::EntryKind;
use skiff::secret::Secret;
use support::servers::{RealServer, ServerKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const BIG: usize = 64 * 1024 * 1024;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn sha_file(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).expect("read file")).to_vec()
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

fn config(server: &RealServer, mode: DataMode) -> SessionConfig {
    let credentials = Credentials {
        user: server.user.to_string(),
        password: Secret::new(server.password),
        account: None,
    };
    let mut config = SessionConfig::new("127.0.0.1", server.port, credentials);
    config.data_mode = mode;
    // The fallback would hide a mode that does not work: these tests want the mode they ask for.
    config.mode_fallback = false;
    config.timeout = Duration::from_secs(10);
    config
}

fn settings(config: SessionConfig, events: EventSink) -> TransferSettings {
    TransferSettings {
        session: config,
        retry: RetryPolicy {
            retries: 3,
            delay: Duration::from_millis(500),
        },
        exists: ExistsPolicy::Skip,
        events,
        cancel: CancellationToken::new(),
        preserve_times: false,
        within: None,
    }
}

/// The whole suite on one server in one mode.
fn suite(kind: ServerKind, port: u16, mode: DataMode) {
    let Some(mut server) = RealServer::start(kind, port) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let big = pattern(BIG, 1);
    server.put_file("pub/big.bin", &big);
    server.put_file("pub/small.txt", b"hello\n");
    let big_sha = Sha256::digest(&big).to_vec();
    let local = tempfile::tempdir().expect("tmp");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let events = EventSink::new(tx);

    runtime.block_on(async {
        // Login and listing.
        let mut session = Session::connect(config(&server, mode), events.clone())
            .await
            .unwrap_or_else(|e| panic!("{kind} {mode:?}: login: {e}"));
        let listing = session.list(Some(b"/pub")).await.expect("list /pub");
        let mut names: Vec<_> = listing
            .entries
            .iter()
            .map(|e| (e.name.clone(), e.kind(), e.size()))
            .collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            names,
            vec![
                ("big.bin".to_string(), EntryKind::File, Some(BIG as u64)),
                ("small.txt".to_string(), EntryKind::File, Some(6)),
            ],
            "{kind} {mode:?}"
        );

        // 64 MiB download by SHA-256.
        let s = settings(config(&server, mode), events.clone());
        let mut slot = Some(session);
        let target = local.path().join("big.bin");
        let outcome = download_file(&mut slot, &s, b"/pub/big.bin", None, &target)
            .await
            .unwrap_or_else(|e| panic!("{kind} {mode:?}: download: {e}"));
        assert_eq!(outcome, FileOutcome::Done { bytes: BIG as u64 });
        assert_eq!(
            sha_file(&target),
            big_sha,
            "{kind} {mode:?}: download intact"
        );

        // 64 MiB upload by SHA-256.
        let upload = pattern(BIG, 2);
        let source = local.path().join("up.bin");
        std::fs::write(&source, &upload).expect("write upload source");
        let outcome = upload_file(&mut slot, &s, &source, b"/up.bin", None)
            .await
            .unwrap_or_else(|e| panic!("{kind} {mode:?}: upload: {e}"));
        assert_eq!(outcome, FileOutcome::Done { bytes: BIG as u64 });
        assert_eq!(
            sha_file(&server.path("up.bin")),
            Sha256::digest(&upload).to_vec(),
            "{kind} {mode:?}: upload intact"
        );

        // mkdir, rename into it, delete, rmdir.
        let session = slot.as_mut().expect("session");
        session.mkdir(b"/newdir").await.expect("mkdir");
        assert!(server.path("newdir").is_dir());
        session
            .rename(b"/up.bin", b"/newdir/moved.bin")
            .await
            .expect("rename");
        assert!(server.path("newdir/moved.bin").is_file());
        assert!(!server.path("up.bin").exists());
        session.delete(b"/newdir/moved.bin").await.expect("delete");
        assert!(!server.path("newdir/moved.bin").exists());
        session.rmdir(b"/newdir").await.expect("rmdir");
        assert!(!server.path("newdir").exists());
        if let Some(session) = slot.take() {
            session.quit().await;
        }
    });

    // A download the server cuts (SIGKILL mid-transfer) resumes with REST.
    let mut limited = config(&server, mode);
    // 16 MiB/s makes the 64 MiB transfer last about 4 s: time to cut it.
    limited.download_limit = Some(Arc::new(RateLimiter::new(16 * 1024 * 1024)));
    let s = settings(limited, events.clone());
    let target = local.path().join("cut.bin");
    let part = part_path(&target);
    let task = {
        let s = s.clone();
        let target = target.clone();
        runtime.spawn(async move {
            let mut slot = None;
            download_file(&mut slot, &s, b"/pub/big.bin", None, &target).await
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) < 8 * 1024 * 1024 {
        assert!(
            std::time::Instant::now() < deadline,
            "{kind}: download never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let cut_at = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    server.restart();
    let outcome = runtime
        .block_on(task)
        .expect("task")
        .unwrap_or_else(|e| panic!("{kind} {mode:?}: resumed download: {e}"));
    assert!(matches!(outcome, FileOutcome::Done { .. }));
    assert_eq!(
        sha_file(&target),
        big_sha,
        "{kind} {mode:?}: resumed file intact"
    );
    let lines = log_lines(&mut rx);
    let rest: Vec<u64> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("REST ")?.parse().ok())
        .collect();
    assert!(
        rest.iter().any(|&offset| offset >= cut_at),
        "{kind} {mode:?}: resumed with REST >= {cut_at}: {rest:?}"
    );
    // The server's own record agrees: it received a REST at or past the cut.
    server.wait_log(Duration::from_secs(5), |log| log.contains("REST "));
    let server_rest: Vec<u64> = server
        .commands()
        .iter()
        .filter_map(|c| c.strip_prefix("REST ")?.parse().ok())
        .collect();
    assert!(
        server_rest.iter().any(|&offset| offset >= cut_at),
        "{kind} {mode:?}: server saw REST >= {cut_at}: {server_rest:?}"
    );

    // The log shows the chosen mode only, and never the password.
    let (wanted, unwanted): (&[&str], &[&str]) = match mode {
        DataMode::Passive => (&["EPSV", "PASV"], &["PORT ", "EPRT "]),
        DataMode::Active => (&["PORT ", "EPRT "], &["EPSV", "PASV"]),
    };
    assert!(
        lines
            .iter()
            .any(|l| wanted.iter().any(|w| l.starts_with(w))),
        "{kind} {mode:?}: {lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| unwanted.iter().any(|w| l.starts_with(w))),
        "{kind} {mode:?}: no other mode"
    );
    assert!(lines.iter().any(|l| l == "PASS ****"));
    assert!(
        !lines
            .iter()
            .any(|l| l.contains(&format!("PASS {}", server.password)))
    );
}

#[test]
fn vsftpd_passive() {
    suite(ServerKind::Vsftpd, 22_100, DataMode::Passive);
}

#[test]
fn vsftpd_active() {
    suite(ServerKind::Vsftpd, 22_200, DataMode::Active);
}

#[test]
fn pure_ftpd_passive() {
    suite(ServerKind::PureFtpd, 22_300, DataMode::Passive);
}

#[test]
fn pure_ftpd_active() {
    suite(ServerKind::PureFtpd, 22_400, DataMode::Active);
}

#[test]
fn proftpd_passive() {
    suite(ServerKind::Proftpd, 22_500, DataMode::Passive);
}

#[test]
fn proftpd_active() {
    suite(ServerKind::Proftpd, 22_600, DataMode::Active);
}

#[test]
fn pyftpdlib_passive() {
    suite(ServerKind::Pyftpdlib, 22_700, DataMode::Passive);
}

#[test]
fn pyftpdlib_active() {
    suite(ServerKind::Pyftpdlib, 22_800, DataMode::Active);
}
