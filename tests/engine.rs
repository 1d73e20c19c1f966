//! Engine tests against an in-process server (libunftp on 127.0.0.1:0) and,
//! where a behaviour must be scripted, against the fake server.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use sha2::{Digest, Sha256};
use skiff::engine::transfer::{FileOutcome, download_file, part_path, upload_file};
use skiff::engine::tree::download_tree;
use skiff::engine::{
    Credentials, DataMode, EngineError, Event, EventSink, ExistsPolicy, LogKind, RetryPolicy,
    Session, SessionConfig, TransferSettings,
};
use skiff::protocol::listing::EntryKind;
use skiff::secret::Secret;
use support::fake::{self, Conn};
use support::unftp;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn config(addr: SocketAddr, mode: DataMode) -> SessionConfig {
    let credentials = Credentials {
        user: unftp::USER.to_string(),
        password: Secret::new(unftp::PASSWORD),
        account: None,
    };
    let mut config = SessionConfig::new(addr.ip().to_string(), addr.port(), credentials);
    config.data_mode = mode;
    config.timeout = Duration::from_secs(5);
    config
}

fn settings(config: SessionConfig, events: EventSink) -> TransferSettings {
    TransferSettings {
        session: config,
        retry: RetryPolicy {
            retries: 2,
            delay: Duration::from_millis(50),
        },
        exists: ExistsPolicy::Skip,
        events,
        cancel: CancellationToken::new(),
        preserve_times: false,
        within: None,
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 11) as u8)
        .collect()
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn drain(rx: &mut mpsc::UnboundedReceiver<Event>) -> Vec<Event> {
    let mut out = Vec::new();
    while let Ok(event) = rx.try_recv() {
        out.push(event);
    }
    out
}

fn log_lines(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Log(line) => Some(line.text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_upload_download_rename_delete_in_both_modes() {
    let server = unftp::start().await;
    for mode in [DataMode::Passive, DataMode::Active] {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut session = Session::connect(config(server.addr, mode), EventSink::new(tx))
            .await
            .expect("login");
        assert_eq!(session.pwd().await.expect("pwd"), b"/");
        let dir = format!("/m-{mode:?}");
        session.mkdir(dir.as_bytes()).await.expect("mkdir");

        let data = pattern(3 * 1024 * 1024 + 17, mode as u8);
        let remote = format!("{dir}/data.bin");
        let mut source = &data[..];
        let sent = session
            .upload(
                skiff::engine::Transfer::binary(remote.as_bytes())
                    .with_size(Some(data.len() as u64)),
                skiff::engine::UploadStart::Fresh,
                &mut source,
                &CancellationToken::new(),
            )
            .await
            .expect("upload");
        assert_eq!(sent, data.len() as u64);
        let on_disk = std::fs::read(server.root.join(&remote[1..])).expect("server file");
        assert_eq!(sha(&on_disk), sha(&data), "upload intact");

        let listing = session.list(Some(dir.as_bytes())).await.expect("list");
        assert_eq!(listing.entries.len(), 1);
        let entry = &listing.entries[0];
        assert_eq!(entry.name, "data.bin");
        assert_eq!(entry.kind(), EntryKind::File);
        assert_eq!(entry.size(), Some(data.len() as u64));

        let mut got = Vec::new();
        let n = session
            .download(
                skiff::engine::Transfer::binary(remote.as_bytes())
                    .with_size(Some(data.len() as u64)),
                0,
                &mut got,
                &CancellationToken::new(),
            )
            .await
            .expect("download");
        assert_eq!(n, data.len() as u64);
        assert_eq!(sha(&got), sha(&data), "download intact");

        let renamed = format!("{dir}/renamed.bin");
        session
            .rename(remote.as_bytes(), renamed.as_bytes())
            .await
            .expect("rename");
        assert!(server.root.join(&renamed[1..]).exists());
        assert!(!server.root.join(&remote[1..]).exists());
        session.delete(renamed.as_bytes()).await.expect("delete");
        assert!(!server.root.join(&renamed[1..]).exists());
        session.rmdir(dir.as_bytes()).await.expect("rmdir");
        assert!(!server.root.join(&dir[1..]).exists());
        session.noop().await.expect("noop");
        session.quit().await;

        let lines = log_lines(&drain(&mut rx));
        let wanted = match mode {
            DataMode::Passive => "EPSV",
            DataMode::Active => "PORT ",
        };
        assert!(
            lines.iter().any(|l| l.starts_with(wanted)),
            "{mode:?} used {wanted}: {lines:?}"
        );
        let unwanted = match mode {
            DataMode::Passive => "PORT ",
            DataMode::Active => "EPSV",
        };
        assert!(!lines.iter().any(|l| l.starts_with(unwanted)), "{lines:?}");
        assert!(
            lines.iter().any(|l| l == "PASS ****"),
            "PASS masked: {lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.contains(unftp::PASSWORD)),
            "the password never appears in the log"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_a_clear_login_error() {
    let server = unftp::start().await;
    let mut cfg = config(server.addr, DataMode::Passive);
    cfg.credentials.password = Secret::new("wrong");
    let err = Session::connect(cfg, EventSink::none()).await.unwrap_err();
    assert!(
        matches!(err, EngineError::LoginRefused { code: 530, .. }),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_file_resumes_a_part_file_and_never_clobbers() {
    let server = unftp::start().await;
    let data = pattern(2 * 1024 * 1024, 7);
    std::fs::write(server.root.join("big.bin"), &data).expect("seed");
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("big.bin");
    // A previous run fetched the first 700,000 bytes.
    std::fs::write(part_path(&target), &data[..700_000]).expect("part");

    let (tx, mut rx) = mpsc::unbounded_channel();
    let s = settings(config(server.addr, DataMode::Passive), EventSink::new(tx));
    let mut slot = None;
    let outcome = download_file(&mut slot, &s, b"/big.bin", None, &target)
        .await
        .expect("download");
    assert_eq!(
        outcome,
        FileOutcome::Done {
            bytes: (data.len() - 700_000) as u64
        }
    );
    assert_eq!(sha(&std::fs::read(&target).expect("read")), sha(&data));
    assert!(
        !part_path(&target).exists(),
        "the .skiffpart is renamed into place"
    );
    let lines = log_lines(&drain(&mut rx));
    assert!(lines.iter().any(|l| l == "REST 700000"), "{lines:?}");

    // The target exists now: the default policy leaves it alone.
    std::fs::write(&target, b"mine").expect("overwrite locally");
    let outcome = download_file(&mut slot, &s, b"/big.bin", None, &target)
        .await
        .expect("skip");
    assert!(matches!(outcome, FileOutcome::Skipped { .. }));
    assert_eq!(std::fs::read(&target).expect("read"), b"mine");

    // Rename keeps both.
    let mut renaming = s.clone();
    renaming.exists = ExistsPolicy::Rename;
    download_file(&mut slot, &renaming, b"/big.bin", None, &target)
        .await
        .expect("rename");
    assert_eq!(std::fs::read(&target).expect("read"), b"mine");
    let renamed = local.path().join("big (1).bin");
    assert_eq!(sha(&std::fs::read(&renamed).expect("renamed")), sha(&data));

    // Upload with resume: the server has a prefix, APPE/REST finishes it.
    std::fs::write(server.root.join("up.bin"), &data[..1000]).expect("prefix");
    let mut resuming = s.clone();
    resuming.exists = ExistsPolicy::Resume;
    let facts = skiff::engine::policy::FileFacts {
        size: Some(1000),
        modified: None,
    };
    upload_file(&mut slot, &resuming, &renamed, b"/up.bin", Some(facts))
        .await
        .expect("resumed upload");
    assert_eq!(
        sha(&std::fs::read(server.root.join("up.bin")).expect("read")),
        sha(&data)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_download_copies_a_tree_in_parallel() {
    let server = unftp::start().await;
    let mut expected = Vec::new();
    for d in 0..3 {
        let dir = server.root.join(format!("tree/d{d}/inner"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        for f in 0..5 {
            let body = pattern(1000 * (f + 1) + d, (d * 10 + f) as u8);
            let rel = format!("d{d}/inner/f{f}.txt");
            std::fs::write(server.root.join("tree").join(&rel), &body).expect("write");
            expected.push((rel, sha(&body)));
        }
    }
    std::fs::create_dir_all(server.root.join("tree/empty")).expect("mkdir");
    let local = tempfile::tempdir().expect("tmp");
    let s = settings(config(server.addr, DataMode::Passive), EventSink::none());
    let report = download_tree(&s, b"/tree", &local.path().join("copy"), 4)
        .await
        .expect("tree");
    assert_eq!(report.files, 15, "{report:?}");
    assert!(
        report.failed.is_empty() && report.skipped.is_empty(),
        "{report:?}"
    );
    for (rel, digest) in expected {
        let got = std::fs::read(local.path().join("copy").join(&rel)).expect("copied");
        assert_eq!(sha(&got), digest, "{rel}");
    }
    assert!(local.path().join("copy/empty").is_dir());
}

// ---- Scripted servers: behaviours real servers do not show on demand ----

fn fake_config(addr: SocketAddr) -> SessionConfig {
    let mut config = SessionConfig::new("127.0.0.1", addr.port(), Credentials::anonymous());
    config.timeout = Duration::from_secs(2);
    config
}

/// A transfer whose data connection closes early with a "226" is an error,
/// keeps what arrived, and the retry resumes with REST from the local size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_download_is_an_error_and_resumes() {
    let data = pattern(10_000, 3);
    let body = data.clone();
    let server = fake::start(move |mut conn: Conn| {
        let body = body.clone();
        async move {
            conn.greet().await;
            let mut offset = 0usize;
            loop {
                let Some(line) = conn.recv().await else {
                    return;
                };
                if line.starts_with("SIZE") {
                    conn.send(&format!("213 {}", body.len())).await;
                } else if line.starts_with("MDTM") {
                    conn.send("550 no").await;
                } else if let Some(n) = line.strip_prefix("REST ") {
                    offset = n.parse().expect("offset");
                    conn.send("350 Restarting").await;
                } else if line == "EPSV" {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("bind");
                    let port = listener.local_addr().expect("addr").port();
                    conn.send(&format!("229 ok (|||{port}|)")).await;
                    let Some(retr) = conn.recv().await else {
                        return;
                    };
                    if let Some(n) = retr.strip_prefix("REST ") {
                        offset = n.parse().expect("offset");
                        conn.send("350 Restarting").await;
                        conn.recv().await;
                    }
                    conn.send("150 Sending").await;
                    let mut data = fake::accept(&listener).await;
                    // The first attempt stops halfway, yet claims success.
                    let end = if offset == 0 { 4_000 } else { body.len() };
                    let _ = data.write_all(&body[offset..end]).await;
                    drop(data);
                    conn.send("226 Transfer complete").await;
                    offset = 0;
                } else {
                    conn.routine(&line).await;
                }
            }
        }
    })
    .await;
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("f.bin");
    let s = settings(fake_config(server.addr), EventSink::none());

    // One session, no retries: the error names the truncation and the .skiffpart keeps 4,000 bytes.
    let mut no_retry = s.clone();
    no_retry.retry.retries = 0;
    let mut session = Session::connect(no_retry.session.clone(), EventSink::none())
        .await
        .expect("login");
    let mut sink = Vec::new();
    let err = session
        .download(
            skiff::engine::Transfer::binary(b"/f.bin").with_size(Some(10_000)),
            0,
            &mut sink,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Truncated {
                expected: 10_000,
                got: 4_000
            }
        ),
        "{err:?}"
    );
    assert_eq!(sink.len(), 4_000);

    // Through the file layer: the first attempt truncates, the retry resumes from 4,000.
    let mut slot = None;
    let outcome = download_file(&mut slot, &s, b"/f.bin", None, &target)
        .await
        .expect("resumed");
    assert_eq!(outcome, FileOutcome::Done { bytes: 6_000 });
    assert_eq!(std::fs::read(&target).expect("read"), data);
    assert!(
        server.commands().iter().any(|c| c == "REST 4000"),
        "{:?}",
        server.commands()
    );
}

/// 227 naming another host: Skiff connects to the control peer, taking only the port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_pasv_address_is_not_followed() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        conn.until("EPSV").await;
        conn.send("500 EPSV not understood").await;
        conn.until("PASV").await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        // 127.0.0.2 stands for a foreign host; nothing listens there.
        conn.send(&format!(
            "227 Entering Passive Mode (127,0,0,2,{},{})",
            port >> 8,
            port & 0xff
        ))
        .await;
        conn.until("MLSD").await;
        conn.send("150 Here it comes").await;
        let mut data = fake::accept(&listener).await;
        let _ = data
            .write_all(b"type=file;size=5;modify=20240102030405; a.txt\r\ntype=cdir; .\r\n")
            .await;
        drop(data);
        conn.send("226 Done").await;
        while let Some(line) = conn.recv().await {
            conn.routine(&line).await;
        }
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut session = Session::connect(fake_config(server.addr), EventSink::new(tx))
        .await
        .expect("login");
    let listing = session.list(None).await.expect("list");
    assert_eq!(listing.entries.len(), 1);
    assert_eq!(listing.entries[0].name, "a.txt");
    let lines = log_lines(&drain(&mut rx));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("connecting to the server's address 127.0.0.1")),
        "{lines:?}"
    );
}

/// A 425 in the chosen mode falls back once to the other mode, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_passive_falls_back_to_active() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        let _listener = conn.epsv().await;
        conn.until("MLSD").await;
        conn.send("425 Cannot open data connection").await;
        let port_line = conn.until("PORT").await.expect("PORT after the fallback");
        conn.send("200 PORT ok").await;
        let nums: Vec<u16> = port_line[5..]
            .split(',')
            .map(|n| n.parse().expect("number"))
            .collect();
        let addr = format!(
            "{}.{}.{}.{}:{}",
            nums[0],
            nums[1],
            nums[2],
            nums[3],
            nums[4] * 256 + nums[5]
        );
        conn.until("MLSD").await;
        conn.send("150 Here").await;
        let mut data = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connect to client");
        let _ = data.write_all(b"type=dir; sub\r\n").await;
        drop(data);
        conn.send("226 Done").await;
        while let Some(line) = conn.recv().await {
            conn.routine(&line).await;
        }
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut session = Session::connect(fake_config(server.addr), EventSink::new(tx))
        .await
        .expect("login");
    let listing = session.list(None).await.expect("list after fallback");
    assert_eq!(listing.entries[0].name, "sub");
    assert_eq!(session.as_ftp().expect("FTP").data_mode(), DataMode::Active);
    let lines = log_lines(&drain(&mut rx));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("falling back to active mode")),
        "{lines:?}"
    );
}

/// Endless or huge replies, or none at all, end the session with a clear
/// error, fast. (A NUL in reply text is accepted: hostile.rs, row 27.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_replies_are_bounded() {
    type Script = fn(Conn) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;
    let endless: Script = |mut conn| {
        Box::pin(async move {
            conn.send_raw(b"220-hello\r\n").await;
            for _ in 0..50_000 {
                conn.send_raw(b"220-more and more\r\n").await;
            }
        })
    };
    let long_line: Script = |mut conn| {
        Box::pin(async move {
            conn.send_raw(b"220 ").await;
            conn.send_raw(&vec![b'x'; 200_000]).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        })
    };
    let silent: Script = |conn| {
        Box::pin(async move {
            let _held_open = conn;
            tokio::time::sleep(Duration::from_secs(10)).await;
        })
    };
    let cases: [(Script, &str); 3] = [
        (endless, "more than 10000 lines"),
        (long_line, "longer than 65536 bytes"),
        (silent, "timed out"),
    ];
    for (script, message) in cases {
        let server = fake::start(script).await;
        let started = std::time::Instant::now();
        let err = Session::connect(fake_config(server.addr), EventSink::none())
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains(message),
            "{err} should say {message}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{message}: bounded in time"
        );
    }
}

/// ABOR replies come in any order; Skiff stays in sync whatever the server does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_stays_in_sync_whatever_the_reply_order() {
    for order in [
        &["426 Aborted", "226 ABOR ok"][..],
        &["226 Closed", "426 Conn closed"],
        &["225 No transfer"],
    ] {
        let replies: Vec<String> = order.iter().map(|s| s.to_string()).collect();
        let server = fake::start(move |mut conn: Conn| {
            let replies = replies.clone();
            async move {
                conn.greet().await;
                let listener = conn.epsv().await.expect("epsv");
                conn.until("RETR").await;
                conn.send("150 Sending").await;
                let mut data = fake::accept(&listener).await;
                // Send until the client goes away.
                let chunk = vec![7u8; 64 * 1024];
                while data.write_all(&chunk).await.is_ok() {}
                conn.until("ABOR").await;
                conn.recv().await; // the PWD marker
                for reply in &replies {
                    conn.send(reply).await;
                }
                conn.send("257 \"/in sync\"").await;
                while let Some(line) = conn.recv().await {
                    if line == "PWD" {
                        conn.send("257 \"/still\"").await;
                    } else {
                        conn.routine(&line).await;
                    }
                }
            }
        })
        .await;
        let mut session = Session::connect(fake_config(server.addr), EventSink::none())
            .await
            .expect("login");
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            trigger.cancel();
        });
        let mut sink = Vec::new();
        let err = session
            .download(
                skiff::engine::Transfer::binary(b"/endless"),
                0,
                &mut sink,
                &cancel,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, EngineError::Cancelled), "{err:?}");
        assert!(!sink.is_empty(), "bytes before the abort are kept");
        assert_eq!(
            session.pwd().await.expect("in sync"),
            b"/still",
            "{order:?}"
        );
    }
}

/// A recursive download never writes outside its root, and never sends a
/// command the listing smuggled in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_never_escape_the_download_root() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        loop {
            let Some(line) = conn.recv().await else {
                return;
            };
            if line == "EPSV" {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let port = listener.local_addr().expect("addr").port();
                conn.send(&format!("229 ok (|||{port}|)")).await;
                let next = conn.recv().await.unwrap_or_default();
                conn.send("150 Here").await;
                let mut data = fake::accept(&listener).await;
                if next.starts_with("MLSD") {
                    let _ = data
                        .write_all(
                            b"type=file;size=3; ../escape.txt\r\n\
                              type=file;size=3; /etc/evil\r\n\
                              type=file;size=3; a\rDELE victim\r\n\
                              type=dir; ..\r\n\
                              type=pdir; ..\r\n\
                              type=file;size=3; ok.txt\r\n\
                              type=file;size=3; ok.txt\r\n",
                        )
                        .await;
                } else {
                    let _ = data.write_all(b"abc").await;
                }
                drop(data);
                conn.send("226 Done").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let outer = tempfile::tempdir().expect("tmp");
    let root = outer.path().join("a/b/root");
    let s = settings(fake_config(server.addr), EventSink::none());
    let report = download_tree(&s, b"/dir", &root, 1).await.expect("tree");
    assert_eq!(report.files, 1, "{report:?}");
    assert_eq!(std::fs::read(root.join("ok.txt")).expect("ok"), b"abc");
    assert_eq!(report.skipped.len(), 4, "{report:?}");
    // Nothing anywhere but root/ok.txt.
    let mut found = Vec::new();
    for entry in walk(outer.path()) {
        found.push(
            entry
                .strip_prefix(outer.path())
                .expect("inside")
                .to_path_buf(),
        );
    }
    found.sort();
    let expected: Vec<std::path::PathBuf> = ["a", "a/b", "a/b/root", "a/b/root/ok.txt"]
        .iter()
        .map(std::path::PathBuf::from)
        .collect();
    assert_eq!(found, expected);
    assert!(!std::path::Path::new("/etc/evil").exists());
    let commands = server.commands();
    assert!(!commands.iter().any(|c| c.contains("DELE")), "{commands:?}");
    assert_eq!(
        commands.iter().filter(|c| c.starts_with("RETR")).count(),
        1,
        "{commands:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        out.push(path.clone());
        if path.is_dir() {
            out.extend(walk(&path));
        }
    }
    out
}

/// `257` replies with doubled quotes and junk; control characters are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pwd_reply_quirks() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        conn.until("PWD").await;
        conn.send("257 \"/a \"\"b\"\" c\" is current; \"ignored\"")
            .await;
        conn.until("PWD").await;
        conn.send("257 \"/a\x01b\"").await;
        while let Some(line) = conn.recv().await {
            conn.routine(&line).await;
        }
    })
    .await;
    let mut session = Session::connect(fake_config(server.addr), EventSink::none())
        .await
        .expect("login");
    assert_eq!(session.pwd().await.expect("pwd"), b"/a \"b\" c");
    assert!(matches!(session.pwd().await, Err(EngineError::Path(_))));
}

/// Events carry progress, and log kinds are right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_kinds_and_progress_events() {
    let server = unftp::start().await;
    std::fs::write(server.root.join("p.bin"), pattern(4 * 1024 * 1024, 1)).expect("seed");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut session = Session::connect(config(server.addr, DataMode::Passive), EventSink::new(tx))
        .await
        .expect("login");
    let mut sink = Vec::new();
    session
        .download(
            skiff::engine::Transfer::binary(b"/p.bin").with_size(Some(4 * 1024 * 1024)),
            0,
            &mut sink,
            &CancellationToken::new(),
        )
        .await
        .expect("download");
    let events = drain(&mut rx);
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Progress(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let last = progress.last().expect("a final progress event");
    assert_eq!(last.done, 4 * 1024 * 1024);
    assert_eq!(last.total, Some(4 * 1024 * 1024));
    let kinds: Vec<LogKind> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log(l) => Some(l.kind),
            _ => None,
        })
        .collect();
    assert!(kinds.contains(&LogKind::Command) && kinds.contains(&LogKind::Reply));
}

/// A GBK server: names are shown decoded and sent back as the exact bytes listed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_names_round_trip_exactly() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        loop {
            let Some(line) = conn.recv().await else {
                return;
            };
            if line == "FEAT" {
                // No UTF8 feature: a legacy server.
                conn.send("211-Features:\r\n MLST type*;size*;\r\n211 End")
                    .await;
            } else if line == "EPSV" {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let port = listener.local_addr().expect("addr").port();
                conn.send(&format!("229 ok (|||{port}|)")).await;
                let next = conn.recv().await.unwrap_or_default();
                conn.send("150 Here").await;
                let mut data = fake::accept(&listener).await;
                if next.starts_with("MLSD") {
                    let _ = data
                        .write_all(b"type=file;size=2; \xc4\xe3\xba\xc3.txt\r\n")
                        .await;
                } else {
                    let _ = data.write_all(b"hi").await;
                }
                drop(data);
                conn.send("226 Done").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    // The recorder keeps lossy UTF-8; check the raw bytes through the decoded text.
    let mut cfg = fake_config(server.addr);
    cfg.charset = skiff::engine::CharsetChoice::from_label("GBK").expect("GBK");
    let mut session = Session::connect(cfg, EventSink::none())
        .await
        .expect("login");
    let listing = session.list(None).await.expect("list");
    assert_eq!(listing.entries[0].name, "你好.txt");
    assert_eq!(listing.entries[0].entry.name, b"\xc4\xe3\xba\xc3.txt");
    let mut sink = Vec::new();
    let name = listing.entries[0].entry.name.clone();
    session
        .download(
            skiff::engine::Transfer::binary(&name).with_size(Some(2)),
            0,
            &mut sink,
            &CancellationToken::new(),
        )
        .await
        .expect("download");
    assert_eq!(sink, b"hi");
    // A UTF-8 server would have seen different bytes; GBK bytes are not valid UTF-8.
    let retr = server
        .commands()
        .into_iter()
        .find(|c| c.starts_with("RETR"))
        .expect("RETR sent");
    assert_eq!(
        retr,
        format!("RETR {}", String::from_utf8_lossy(b"\xc4\xe3\xba\xc3.txt"))
    );
    assert!(!server.commands().iter().any(|c| c.starts_with("OPTS UTF8")));
}

/// Active mode behind NAT: PORT announces the external address and a port
/// from the configured range; the "NAT" forwards the server's connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_mode_announces_external_address_and_port_range() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        let port_line = conn.until("PORT").await.expect("PORT");
        conn.send("200 PORT ok").await;
        let nums: Vec<u16> = port_line[5..]
            .split(',')
            .map(|n| n.parse().expect("number"))
            .collect();
        conn.until("MLSD").await;
        conn.send("150 Here").await;
        // The NAT box maps the announced address back to the client.
        let mut data = tokio::net::TcpStream::connect(("127.0.0.1", nums[4] * 256 + nums[5]))
            .await
            .expect("connect to client");
        let _ = data.write_all(b"type=file;size=1; x\r\n").await;
        drop(data);
        conn.send("226 Done").await;
        while let Some(line) = conn.recv().await {
            conn.routine(&line).await;
        }
    })
    .await;
    let mut cfg = fake_config(server.addr);
    cfg.data_mode = DataMode::Active;
    cfg.active.external_ip = Some("198.51.100.7".parse().expect("ip"));
    cfg.active.port_range = Some((45_000, 45_099));
    let mut session = Session::connect(cfg, EventSink::none())
        .await
        .expect("login");
    assert_eq!(session.list(None).await.expect("list").entries[0].name, "x");
    let port = server
        .commands()
        .into_iter()
        .find(|c| c.starts_with("PORT"))
        .expect("PORT");
    assert!(port.starts_with("PORT 198,51,100,7,"), "{port}");
    let nums: Vec<u16> = port[5..]
        .split(',')
        .map(|n| n.parse().expect("n"))
        .collect();
    assert!(
        (45_000..=45_099).contains(&(nums[4] * 256 + nums[5])),
        "{port}"
    );
}

/// A data connection that stalls times out instead of hanging, and keeps
/// the bytes that arrived.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_data_connection_times_out() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        let listener = conn.epsv().await.expect("epsv");
        conn.until("RETR").await;
        conn.send("150 Sending").await;
        let mut data = fake::accept(&listener).await;
        let _ = data.write_all(&[1u8; 1000]).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let mut session = Session::connect(fake_config(server.addr), EventSink::none())
        .await
        .expect("login");
    let started = std::time::Instant::now();
    let mut sink = Vec::new();
    let err = session
        .download(
            skiff::engine::Transfer::binary(b"/slow").with_size(Some(5000)),
            0,
            &mut sink,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::Timeout {
                phase: "receiving data",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(sink.len(), 1000, "what arrived is kept");
}

/// EPSV refused, PASV refused and PORT refused: a clean error, no hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_data_mode_refused_is_a_clean_error() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            match line.split(' ').next().unwrap_or("") {
                "EPSV" | "PASV" | "PORT" | "EPRT" => conn.send("502 Not here").await,
                _ => conn.routine(&line).await,
            }
        }
    })
    .await;
    let mut session = Session::connect(fake_config(server.addr), EventSink::none())
        .await
        .expect("login");
    let err = session.list(None).await.unwrap_err();
    assert!(matches!(err, EngineError::DataChannel(_)), "{err:?}");
    // The control connection is still usable.
    session.noop().await.expect("noop after the failure");
    let commands = server.commands();
    for verb in ["EPSV", "PASV", "PORT"] {
        assert!(
            commands.iter().any(|c| c.starts_with(verb)),
            "{verb} tried: {commands:?}"
        );
    }
}

/// REST refused: the retry downloads the whole file again instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_rest_falls_back_to_a_full_download() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("SIZE") {
                conn.send("213 6").await;
            } else if line.starts_with("REST") {
                conn.send("502 REST not implemented").await;
            } else if line == "EPSV" {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let port = listener.local_addr().expect("addr").port();
                conn.send(&format!("229 ok (|||{port}|)")).await;
                match conn.recv().await {
                    Some(retr) if retr.starts_with("RETR") => {
                        conn.send("150 Sending").await;
                        let mut data = fake::accept(&listener).await;
                        let _ = data.write_all(b"abcdef").await;
                        drop(data);
                        conn.send("226 Done").await;
                    }
                    Some(other) => conn.routine(&other).await,
                    None => return,
                }
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("f");
    std::fs::write(part_path(&target), b"abc").expect("a stale part");
    let s = settings(fake_config(server.addr), EventSink::none());
    let mut slot = None;
    let outcome = download_file(&mut slot, &s, b"/f", None, &target)
        .await
        .expect("full download after REST was refused");
    assert_eq!(outcome, FileOutcome::Done { bytes: 6 });
    assert_eq!(std::fs::read(&target).expect("read"), b"abcdef");
}

/// "Require explicit TLS" and a server that refuses AUTH TLS: a clear error,
/// and neither USER nor PASS ever crosses the wire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_tls_refused_sends_no_credentials() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("AUTH") {
                conn.send("502 AUTH not supported").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let mut cfg = fake_config(server.addr);
    cfg.encryption = skiff::engine::Encryption::RequireExplicit;
    cfg.credentials = Credentials {
        user: "alice".to_string(),
        password: Secret::new("hunter2"),
        account: None,
    };
    let err = Session::connect(cfg.clone(), EventSink::none())
        .await
        .unwrap_err();
    assert!(
        matches!(err, EngineError::TlsRefused { code: 502, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("nothing was sent in clear text"),
        "{err}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let commands = server.commands();
    assert_eq!(
        commands,
        vec!["AUTH TLS".to_string()],
        "only AUTH TLS was sent"
    );

    // "If available": it goes on in plain text, and says the password is exposed.
    cfg.encryption = skiff::engine::Encryption::ExplicitIfAvailable;
    let session = Session::connect(cfg.clone(), EventSink::none())
        .await
        .expect("plain login");
    assert!(
        session
            .security_notes()
            .iter()
            .any(|n| n.contains("clear text")),
        "{:?}",
        session.security_notes()
    );
    // A host that offered TLS before and no longer does gets the loud warning.
    cfg.tls.offered_before = true;
    let session = Session::connect(cfg, EventSink::none())
        .await
        .expect("plain login");
    assert!(
        session
            .security_notes()
            .iter()
            .any(|n| n.contains("offered TLS before")),
        "{:?}",
        session.security_notes()
    );
}

/// Implicit TLS spoken to a plain FTP port fails fast with a TLS error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_to_a_plain_port_fails_cleanly() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            conn.routine(&line).await;
        }
    })
    .await;
    let mut cfg = fake_config(server.addr);
    cfg.encryption = skiff::engine::Encryption::RequireImplicit;
    let started = std::time::Instant::now();
    let err = Session::connect(cfg, EventSink::none()).await.unwrap_err();
    assert!(
        matches!(err, EngineError::Tls(_) | EngineError::Timeout { .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(!server.commands().iter().any(|c| c.starts_with("USER")));
}

/// A VMS server (SYST says so): its two-line listing entries are joined and
/// its directories named without `.DIR;1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syst_vms_selects_the_vms_listing_parser() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        loop {
            let Some(line) = conn.recv().await else { return };
            match line.as_str() {
                "SYST" => conn.send("215 VMS system type.").await,
                "FEAT" => conn.send("211 no features").await,
                "EPSV" => {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    let port = listener.local_addr().expect("addr").port();
                    conn.send(&format!("229 ok (|||{port}|)")).await;
                    conn.recv().await;
                    conn.send("150 here").await;
                    let mut data = fake::accept(&listener).await;
                    let _ = data
                        .write_all(
                            b"Directory USER1:[ALICE]\r\n\r\n\
                              LONG_FILE_NAME_THAT_WRAPS.TXT;3\r\n\
                              \x20          4/4   17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWED,RWED,RE,)\r\n\
                              SUB.DIR;1      1/3   17-JAN-2024 10:12:01  [GROUP,OWNER]  (RWE,RWE,RE,E)\r\n\
                              \r\nTotal of 2 files, 5/7 blocks.\r\n",
                        )
                        .await;
                    drop(data);
                    conn.send("226 done").await;
                }
                _ => conn.routine(&line).await,
            }
        }
    })
    .await;
    let mut session = Session::connect(fake_config(server.addr), EventSink::none())
        .await
        .expect("login");
    assert_eq!(
        session.as_ftp().expect("FTP").server_type(),
        skiff::protocol::listing::ServerType::Vms
    );
    let listing = session.list(None).await.expect("list");
    let names: Vec<(&str, EntryKind)> = listing
        .entries
        .iter()
        .map(|e| (e.name.as_str(), e.kind()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("LONG_FILE_NAME_THAT_WRAPS.TXT;3", EntryKind::File),
            ("SUB", EntryKind::Dir)
        ]
    );
    assert_eq!(listing.skipped_lines, 0);
}

/// A server's real "a.part" is not the partial download of "a", and a remote
/// name ending in Skiff's own suffix is skipped rather than collide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_download_names_never_collide_with_real_files() {
    let server = unftp::start().await;
    std::fs::create_dir_all(server.root.join("d")).expect("mkdir");
    let a = pattern(300_000, 1);
    let a_part = pattern(100_000, 2);
    std::fs::write(server.root.join("d/a"), &a).expect("write");
    std::fs::write(server.root.join("d/a.part"), &a_part).expect("write");
    std::fs::write(server.root.join("d/a.skiffpart"), b"reserved").expect("write");
    let local = tempfile::tempdir().expect("tmp");
    for parallel in [1, 3] {
        let dest = local.path().join(format!("p{parallel}"));
        let s = settings(config(server.addr, DataMode::Passive), EventSink::none());
        let report = download_tree(&s, b"/d", &dest, parallel)
            .await
            .expect("tree");
        assert_eq!(report.files, 2, "{report:?}");
        assert_eq!(report.skipped.len(), 1, "{report:?}");
        assert!(report.skipped[0].contains("reserved for partial downloads"));
        assert_eq!(sha(&std::fs::read(dest.join("a")).expect("a")), sha(&a));
        assert_eq!(
            sha(&std::fs::read(dest.join("a.part")).expect("a.part")),
            sha(&a_part)
        );
        assert!(!dest.join("a.skiffpart").exists());
    }
}
