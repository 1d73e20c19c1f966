//! SFTP against a real OpenSSH server on loopback (`tests/support/sshd.rs`),
//! started by each test on its own port: logins, host keys, listings and
//! transfers.

mod support;

use std::process::Command;

use support::sshd::{self, Sshd};

/// The harness itself: OpenSSH's own `sftp` logs in with the test key and
/// lists the root, and sshd's log says how it logged in.
#[test]
fn the_test_sshd_serves_openssh_sftp() {
    let server = Sshd::start(33_100);
    server.put_file("hello.txt", b"hello");
    let known = server.path("../state/known_hosts_for_sftp");
    std::fs::write(&known, server.known_hosts_line()).expect("write known_hosts");
    let out = Command::new("sftp")
        .arg("-b")
        .arg("-")
        .arg("-i")
        .arg(server.client_key())
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known.display()))
        .arg("-o")
        .arg("StrictHostKeyChecking=yes")
        .arg("-P")
        .arg(server.port.to_string())
        .arg(format!("{}@127.0.0.1", sshd::USER))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(b"ls\n")?;
            child.wait_with_output()
        })
        .expect("run sftp");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "sftp failed: {out:?}");
    assert!(stdout.contains("hello.txt"), "{stdout}");
    server.wait_log("Accepted publickey for skifftest");
    assert!(server.host_key_fingerprint().starts_with("SHA256:"));
}

use sha2::{Digest, Sha256};
use skiff::engine::sftp::SftpSession;
use skiff::engine::{
    Credentials, EngineError, EventSink, Fingerprint, Protocol, SessionConfig, Transfer,
    UploadStart,
};
use skiff::protocol::listing::EntryKind;
use skiff::secret::Secret;
use tokio_util::sync::CancellationToken;

/// A config for `server` that logs in with `password` (empty: none) and
/// reads `known_hosts` from `known` (a file that may not exist).
fn config(server: &Sshd, password: &str, known: &std::path::Path) -> SessionConfig {
    let mut config = SessionConfig::new(
        "127.0.0.1",
        server.port,
        Credentials {
            user: sshd::USER.to_string(),
            password: Secret::new(password),
            account: None,
        },
    );
    config.protocol = Protocol::Sftp;
    config.ssh.known_hosts = Some(known.to_path_buf());
    config.ssh.agent = false;
    config
}

/// A `known_hosts` that knows the server's key.
fn known_hosts(server: &Sshd, dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("known_hosts");
    std::fs::write(&path, server.known_hosts_line()).expect("write known_hosts");
    path
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    // xorshift: incompressible enough, and the same for a seed.
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_login_lists_with_links_modes_sizes_and_times() {
    let server = Sshd::start(33_110);
    let dir = tempfile::tempdir().expect("tmp");
    server.put_file("d/a.txt", b"12345");
    std::fs::create_dir(server.path("d/sub")).expect("mkdir");
    std::os::unix::fs::symlink("/etc", server.path("d/link")).expect("symlink");
    std::fs::set_permissions(
        server.path("d/a.txt"),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .expect("chmod");
    server.fix_permissions();
    let mut session = SftpSession::connect(
        config(&server, sshd::PASSWORD, &known_hosts(&server, &dir)),
        EventSink::none(),
    )
    .await
    .expect("password login");
    server.wait_log("Accepted password for skifftest");
    assert_eq!(
        session.home(),
        server.remote_path("").trim_end_matches('/').as_bytes()
    );
    let listing = session
        .list(server.remote_path("d").as_bytes())
        .await
        .expect("list");
    let mut entries = listing.entries;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a.txt", "link", "sub"]);
    assert_eq!(entries[0].kind(), EntryKind::File);
    assert_eq!(entries[0].size(), Some(5));
    assert_eq!(entries[0].entry.permissions.as_deref(), Some("rw-r-----"));
    assert_eq!(entries[0].entry.owner.as_deref(), Some(sshd::USER));
    let mtime = std::fs::metadata(server.path("d/a.txt"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let listed = entries[0].modified().expect("time").at.and_utc();
    let local: chrono::DateTime<chrono::Utc> = mtime.into();
    assert_eq!(listed.timestamp(), local.timestamp());
    assert_eq!(
        entries[1].kind(),
        EntryKind::Symlink,
        "a link is shown as a link"
    );
    assert_eq!(entries[1].entry.target.as_deref(), Some(&b"/etc"[..]));
    assert_eq!(entries[2].kind(), EntryKind::Dir);
    session.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_encrypted_key_agent_and_refused_logins() {
    let mut server = Sshd::start(33_120);
    let dir = tempfile::tempdir().expect("tmp");
    let known = known_hosts(&server, &dir);

    let mut with_key = config(&server, "", &known);
    with_key.ssh.key_file = Some(server.client_key());
    let session = SftpSession::connect(with_key, EventSink::none())
        .await
        .expect("key login");
    session.quit().await;
    server.wait_log("Accepted publickey for skifftest");

    // An encrypted key: refused without its passphrase, in with it.
    let mut encrypted = config(&server, "", &known);
    encrypted.ssh.key_file = Some(server.encrypted_client_key());
    let err = SftpSession::connect(encrypted.clone(), EventSink::none())
        .await
        .expect_err("no passphrase");
    assert!(
        matches!(err, EngineError::KeyPassphraseNeeded { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no passphrase"), "{err}");
    encrypted.ssh.key_passphrase = Some(Secret::new("wrong"));
    let err = SftpSession::connect(encrypted.clone(), EventSink::none())
        .await
        .expect_err("wrong passphrase");
    assert!(matches!(err, EngineError::KeyFile { .. }), "{err}");
    encrypted.ssh.key_passphrase = Some(Secret::new(sshd::KEY_PASSPHRASE));
    SftpSession::connect(encrypted, EventSink::none())
        .await
        .expect("encrypted key login")
        .quit()
        .await;

    // The agent, found through SSH_AUTH_SOCK (this test's own agent).
    let before = server.log().matches("Accepted publickey").count();
    let sock = server.start_agent();
    // SAFETY: the only test in this binary that sets the variable, before
    // the session reads it; no other thread of this test reads it.
    unsafe { std::env::set_var("SSH_AUTH_SOCK", &sock) };
    let mut agent = config(&server, "", &known);
    agent.ssh.agent = true;
    SftpSession::connect(agent, EventSink::none())
        .await
        .expect("agent login")
        .quit()
        .await;
    unsafe { std::env::remove_var("SSH_AUTH_SOCK") };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while server.log().matches("Accepted publickey").count() < before + 1 {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    // A wrong password: refused, naming what was tried, and no password in it.
    let err = SftpSession::connect(config(&server, "not-it", &known), EventSink::none())
        .await
        .expect_err("wrong password");
    let text = err.to_string();
    assert!(matches!(err, EngineError::SshLogin { .. }), "{text}");
    assert!(
        text.contains("password") && !text.contains("not-it"),
        "{text}"
    );
    assert!(
        text.ends_with(&format!("skifftest@127.0.0.1:{}", server.port)),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_keys_unknown_trusted_hashed_and_changed() {
    let mut server = Sshd::start(33_130);
    let dir = tempfile::tempdir().expect("tmp");
    let fingerprint = server.host_key_fingerprint();
    let missing = dir.path().join("no_known_hosts");
    let err = SftpSession::connect(config(&server, sshd::PASSWORD, &missing), EventSink::none())
        .await
        .expect_err("unknown host key");
    let text = err.to_string();
    assert!(matches!(err, EngineError::HostKeyUnknown { .. }), "{text}");
    assert!(text.contains(&fingerprint), "{text} lacks {fingerprint}");
    assert!(text.contains("ssh-ed25519"), "{text}");
    assert!(
        !server.log().contains("Accepted"),
        "nothing was sent before the key was checked"
    );

    // Trusted by the fingerprint OpenSSH prints.
    let mut trusting = config(&server, sshd::PASSWORD, &missing);
    trusting
        .tls
        .trusted
        .push(Fingerprint::parse(&fingerprint).expect("ssh-keygen's form parses"));
    let session = SftpSession::connect(trusting, EventSink::none())
        .await
        .expect("trusted by fingerprint");
    assert_eq!(session.security_notes().len(), 1);
    session.quit().await;

    // A hashed known_hosts line (HashKnownHosts yes).
    let hashed = dir.path().join("hashed");
    std::fs::write(&hashed, server.hashed_known_hosts_line()).expect("write");
    SftpSession::connect(config(&server, sshd::PASSWORD, &hashed), EventSink::none())
        .await
        .expect("hashed known_hosts")
        .quit()
        .await;

    // The server's key changes: refused, naming both fingerprints.
    let known = known_hosts(&server, &dir);
    server.restart_with_new_host_key();
    let new_fingerprint = server.host_key_fingerprint();
    assert_ne!(new_fingerprint, fingerprint);
    let err = SftpSession::connect(config(&server, sshd::PASSWORD, &known), EventSink::none())
        .await
        .expect_err("changed host key");
    let text = err.to_string();
    assert!(matches!(err, EngineError::HostKeyChanged { .. }), "{text}");
    assert!(
        text.contains(&fingerprint) && text.contains(&new_fingerprint),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_download_and_upload_pipelined_with_resume_and_remote_operations() {
    let server = Sshd::start(33_140);
    let dir = tempfile::tempdir().expect("tmp");
    let big = random_bytes(64 * 1024 * 1024, 18);
    server.put_file("big.bin", &big);
    let mut session = SftpSession::connect(
        config(&server, sshd::PASSWORD, &known_hosts(&server, &dir)),
        EventSink::none(),
    )
    .await
    .expect("login");
    let cancel = CancellationToken::new();
    let remote = server.remote_path("big.bin");
    let size = session.size(remote.as_bytes()).await.expect("stat");
    assert_eq!(size, Some(big.len() as u64));

    let target = dir.path().join("big.bin");
    let started = std::time::Instant::now();
    let file = std::fs::File::create(&target).expect("create");
    let got = session
        .download_to_file(
            Transfer::binary(remote.as_bytes()).with_size(size),
            0,
            file,
            &cancel,
        )
        .await
        .expect("download");
    let down = started.elapsed();
    assert_eq!(got, big.len() as u64);
    assert_eq!(
        Sha256::digest(std::fs::read(&target).expect("read")),
        Sha256::digest(&big)
    );

    // Resume: from an offset into memory.
    let mut tail = Vec::new();
    let offset = 10 * 1024 * 1024 + 17;
    session
        .download(
            Transfer::binary(remote.as_bytes()).with_size(size),
            offset,
            &mut tail,
            &cancel,
        )
        .await
        .expect("resumed download");
    assert_eq!(tail.as_slice(), &big[offset as usize..]);

    // Upload, fresh, then resumed from an offset and appended.
    let up = server.remote_path("up.bin");
    let started = std::time::Instant::now();
    let mut source = tokio::fs::File::open(&target).await.expect("open");
    let sent = session
        .upload(
            Transfer::binary(up.as_bytes()).with_size(size),
            UploadStart::Fresh,
            &mut source,
            &cancel,
        )
        .await
        .expect("upload");
    let upload_time = started.elapsed();
    assert_eq!(sent, big.len() as u64);
    assert_eq!(
        Sha256::digest(std::fs::read(server.path("up.bin")).expect("read")),
        Sha256::digest(&big)
    );
    eprintln!(
        "64 MiB over SFTP (debug build): download {:.2} s, upload {:.2} s",
        down.as_secs_f64(),
        upload_time.as_secs_f64()
    );
    let part = server.remote_path("part.bin");
    let mut head = &big[..1000];
    session
        .upload(
            Transfer::binary(part.as_bytes()),
            UploadStart::Fresh,
            &mut head,
            &cancel,
        )
        .await
        .expect("head");
    let mut rest = &big[600..3000];
    session
        .upload(
            Transfer::binary(part.as_bytes()),
            UploadStart::Rest(600),
            &mut rest,
            &cancel,
        )
        .await
        .expect("rest");
    let mut more = &b"appended"[..];
    session
        .upload(
            Transfer::binary(part.as_bytes()),
            UploadStart::Append,
            &mut more,
            &cancel,
        )
        .await
        .expect("append");
    let mut want = big[..3000].to_vec();
    want.extend_from_slice(b"appended");
    assert_eq!(std::fs::read(server.path("part.bin")).expect("read"), want);

    // mkdir, rename (over an existing file), chmod, set time, delete, rmdir.
    let folder = server.remote_path("new");
    session.mkdir(folder.as_bytes()).await.expect("mkdir");
    assert!(session.is_dir(folder.as_bytes()).await.expect("stat"));
    let moved = server.remote_path("new/moved.bin");
    session
        .rename(part.as_bytes(), moved.as_bytes())
        .await
        .expect("rename");
    server.put_file("new/other.bin", b"x");
    let other = server.remote_path("new/other.bin");
    session
        .rename(moved.as_bytes(), other.as_bytes())
        .await
        .expect("rename over an existing file");
    session.chmod(other.as_bytes(), 0o600).await.expect("chmod");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(server.path("new/other.bin"))
            .expect("stat")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let when = chrono::NaiveDate::from_ymd_opt(2001, 2, 3)
        .and_then(|d| d.and_hms_opt(4, 5, 6))
        .expect("date");
    session
        .set_mtime(other.as_bytes(), when)
        .await
        .expect("set time");
    assert_eq!(
        session.mdtm(other.as_bytes()).await.expect("mdtm"),
        Some(when)
    );
    let err = session
        .rmdir(folder.as_bytes())
        .await
        .expect_err("not empty");
    assert!(matches!(err, EngineError::SftpStatus { .. }), "{err}");
    assert!(err.to_string().ends_with(&folder), "path last: {err}");
    session.delete(other.as_bytes()).await.expect("delete");
    session.rmdir(folder.as_bytes()).await.expect("rmdir");
    assert_eq!(session.size(other.as_bytes()).await.expect("stat"), None);
    session.quit().await;
}

/// Waits for the first browser event `pick` accepts, failing after 15 s.
async fn next_event<T>(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<skiff::engine::Event>,
    mut pick: impl FnMut(&skiff::engine::Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the expected event in time")
            .expect("engine running");
        if let Some(found) = pick(&event) {
            return found;
        }
    }
}

fn listed(event: &skiff::engine::Event) -> Option<(String, Vec<String>)> {
    match event {
        skiff::engine::Event::Listing {
            display_path,
            entries,
            ..
        } => {
            let mut names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
            names.sort();
            Some((display_path.clone(), names))
        }
        _ => None,
    }
}

/// The window's browsing actor over SFTP, through the same seam as FTP:
/// the login folder listed, mkdir, rename, enter, parent, delete; a typed
/// FTP command refused without losing the connection; a killed session
/// reported as a lost connection and the next command reconnecting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_speaks_sftp_through_the_seam() {
    use skiff::engine::{BrowseCommand, BrowserHandle, ConnectionState, Event};
    let server = Sshd::start(34_170);
    server.put_file("a.txt", b"a");
    let dir = tempfile::tempdir().expect("tmp");
    let known = known_hosts(&server, &dir);
    let (handle, mut events) = BrowserHandle::start(
        &tokio::runtime::Handle::current(),
        std::sync::Arc::new(|| {}),
    );
    let config = config(&server, sshd::PASSWORD, &known);
    assert!(handle.send(BrowseCommand::Connect(Box::new(config))));
    let tls = next_event(&mut events, |e| match e {
        Event::State(ConnectionState::Connected { tls, .. }) => Some(tls.clone()),
        _ => None,
    })
    .await;
    assert!(tls.is_none(), "SSH's encryption is not TLS");
    let root = server.remote_path("").trim_end_matches('/').to_string();
    assert_eq!(
        next_event(&mut events, listed).await,
        (root.clone(), vec!["a.txt".to_string()]),
        "the login folder, listed"
    );

    let at = |name: &str| format!("{root}/{name}").into_bytes();
    handle.send(BrowseCommand::MakeDir(at("new")));
    assert_eq!(next_event(&mut events, listed).await.1, ["a.txt", "new"]);
    handle.send(BrowseCommand::Rename {
        from: at("new"),
        to: at("renamed"),
    });
    assert_eq!(
        next_event(&mut events, listed).await.1,
        ["a.txt", "renamed"]
    );
    handle.send(BrowseCommand::List(at("renamed")));
    assert_eq!(
        next_event(&mut events, listed).await,
        (format!("{root}/renamed"), vec![])
    );
    handle.send(BrowseCommand::Parent);
    assert_eq!(next_event(&mut events, listed).await.0, root);
    handle.send(BrowseCommand::Delete {
        path: at("renamed"),
        is_dir: true,
    });
    assert_eq!(next_event(&mut events, listed).await.1, ["a.txt"]);
    assert!(!server.path("renamed").exists());

    let failed = |e: &Event| match e {
        Event::Failed { message, .. } => Some(message.clone()),
        Event::State(ConnectionState::Disconnected { .. }) => Some("disconnected".into()),
        _ => None,
    };
    handle.send(BrowseCommand::Quote("SITE HELP".to_string()));
    let message = next_event(&mut events, failed).await;
    assert!(message.contains("only in FTP"), "{message}");
    handle.send(BrowseCommand::List(at("missing")));
    let message = next_event(&mut events, failed).await;
    assert!(message.contains("missing"), "{message}");
    handle.send(BrowseCommand::Refresh);
    assert_eq!(
        next_event(&mut events, listed).await.0,
        root,
        "still connected"
    );

    // The server's session dies: reported, then the next command logs in again.
    assert!(server.kill_sessions() >= 1);
    handle.send(BrowseCommand::Refresh);
    next_event(&mut events, |e| match e {
        Event::State(ConnectionState::Disconnected { .. }) | Event::Failed { .. } => Some(()),
        _ => None,
    })
    .await;
    handle.send(BrowseCommand::Refresh);
    assert_eq!(
        next_event(&mut events, listed).await.1,
        ["a.txt"],
        "reconnected"
    );
}

/// A server that takes passwords only through keyboard-interactive (PAM's
/// prompt, as many hardened servers are set up): the password answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_interactive_answers_with_the_password() {
    let server = Sshd::start_keyboard_interactive_only(33_190);
    let dir = tempfile::tempdir().expect("tmp");
    server.put_file("k.txt", b"kbd");
    let mut session = SftpSession::connect(
        config(&server, sshd::PASSWORD, &known_hosts(&server, &dir)),
        EventSink::none(),
    )
    .await
    .expect("keyboard-interactive login");
    server.wait_log("Accepted keyboard-interactive");
    let listing = session
        .list(server.remote_path("").as_bytes())
        .await
        .expect("list");
    assert!(listing.entries.iter().any(|e| e.name == "k.txt"));
    session.quit().await;
    let refused = SftpSession::connect(
        config(&server, "wrong password", &known_hosts(&server, &dir)),
        EventSink::none(),
    )
    .await;
    assert!(refused.is_err(), "a wrong answer is refused");
}
