//! The hostile-server suite: one scenario per row of the shared
//! hostile-servers table that applies to FTP, each asserting what a correct
//! client does. Rows covered elsewhere are named here so the map is whole:
//!
//! | row | where |
//! |---|---|
//! | 1 absolute and `..` names | `engine.rs` `hostile_names_never_escape_the_download_root` |
//! | 2, 6 Windows separators, reserved names | `names.rs` unit tests (every platform's rules on any host) |
//! | 3 link and folder with one name | `link_and_folder_with_one_name_write_nothing_through_the_link` |
//! | 4 link loops, endless trees | `link_loops_and_endless_trees_end` |
//! | 5 `.`, `..`, cdir, pdir | listing unit tests; `engine.rs` hostile names |
//! | 7 CR/LF/NUL in names | `command.rs` unit tests; `engine.rs` hostile names (no DELE sent) |
//! | 8 257 quirks | `path.rs` unit tests; `engine.rs` `pwd_reply_quirks` |
//! | 9 malformed listing lines | listing junk-at-every-position unit tests; fuzzing |
//! | 10, 11, 12 huge line, endless reply, NUL (now accepted: row 27) | `engine.rs` `hostile_replies_are_bounded`; `endless_replies_keep_memory_bounded` (peak RSS) |
//! | 13 replies in one packet; bytes before TLS | `reply.rs` unit tests; `plaintext_injected_before_tls_is_discarded` |
//! | 14 stalled server, slow data | `engine.rs` `hostile_replies_are_bounded`, `stalled_data_connection_times_out` |
//! | 15 foreign PASV address | `engine.rs` `foreign_pasv_address_is_not_followed` |
//! | 16 out-of-range 227/229 | `address.rs` unit tests; `out_of_range_pasv_is_a_clear_error` |
//! | 17 EPSV refused | `engine.rs` `foreign_pasv_address_is_not_followed`, `every_data_mode_refused_is_a_clean_error` |
//! | 18 no data connection, 425 | `no_data_connection_arrives_in_active_mode`; `engine.rs` `refused_passive_falls_back_to_active` |
//! | 19 early close, no close_notify | `engine.rs` `truncated_download_is_an_error_and_resumes`; `tls_data_without_close_notify_is_not_success` |
//! | 20 SIZE text, REST refused, > 4 GiB | `size_text_and_huge_sizes`; `engine.rs` `refused_rest_falls_back_to_a_full_download` |
//! | 21 AUTH TLS refused or stripped | `engine.rs` `required_tls_refused_sends_no_credentials` |
//! | 22 TLS session reuse required | `ftps.rs` (vsftpd `require_ssl_reuse`, proftpd) |
//! | 23 bad or changed certificate; TLS to a plain port | `ftps.rs` `certificate_trust`; `engine.rs` `implicit_tls_to_a_plain_port_fails_cleanly` |
//! | 24 530/421 at login, 332 ACCT | `login_421_is_retried_a_bounded_number_of_times`, `account_is_sent_when_asked` |
//! | 25 password in logs | `engine.rs`, `cli.rs`, `interop.rs` (`PASS ****`, never the password) |
//! | 26 saved credentials | not yet: passwords are never stored (the site manager issue adds the keyring) |
//! | 27 control bytes in reply text | `reply_text_with_control_bytes_is_accepted_and_logged_escaped`; `reply.rs` unit tests |
//! | 28 1xx to any command | `a_preliminary_reply_to_any_command_is_waited_for` |
//! | 29 terminal escapes, LF in names | `a_bare_lf_in_an_mlsd_name_is_one_entry`; `cli.rs` `ls_escapes_terminal_controls_and_json_keeps_exact_names`; `gui.rs` `a_name_with_control_characters_is_shown_escaped`; `protocol/text.rs` unit tests |
//! | 30 a link in the destination | `cli.rs` `a_link_leaving_the_destination_is_not_written_through`; `a_link_swapped_in_mid_transfer_does_not_redirect_the_file`; `disk.rs` unit tests |
//! | 31 sizes out of range | `cli.rs` `sizes_out_of_range_list_as_unknown`; listing unit tests |
//! | 32 names in an undeclared charset | `cli.rs` `names_in_an_undeclared_charset_keep_their_bytes`; `names.rs` unit tests |
//! | 33 more bytes than announced | `cli.rs` `a_file_larger_than_announced_is_kept_whole` |
//!
//! TLS rows use a server scripted by hand over tokio-rustls with an rcgen
//! certificate the client pins.

mod support;

use std::sync::Arc;
use std::time::Duration;

use skiff::engine::{
    Credentials, Encryption, EngineError, EventSink, Fingerprint, Session, SessionConfig,
};
use skiff::secret::Secret;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

struct TlsServer {
    acceptor: TlsAcceptor,
    fingerprint: Fingerprint,
}

fn tls_server() -> TlsServer {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let der = cert.cert.der().clone();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .expect("server config");
    TlsServer {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        fingerprint: Fingerprint::of(&der),
    }
}

/// Reads one command line.
async fn recv<S: AsyncRead + Unpin>(reader: &mut BufReader<S>, log: &mut Vec<String>) -> String {
    let mut line = String::new();
    let _ = reader.read_line(&mut line).await;
    let line = line.trim_end().to_string();
    log.push(line.clone());
    line
}

async fn send<S: AsyncWrite + Unpin>(stream: &mut S, text: &str) {
    let _ = stream.write_all(format!("{text}\r\n").as_bytes()).await;
    let _ = stream.flush().await;
}

fn client_config(port: u16, fingerprint: Fingerprint) -> SessionConfig {
    let credentials = Credentials {
        user: "alice".to_string(),
        password: Secret::new("hunter2"),
        account: None,
    };
    let mut config = SessionConfig::new("127.0.0.1", port, credentials);
    config.encryption = Encryption::RequireExplicit;
    config.tls.trusted = vec![fingerprint];
    config.timeout = Duration::from_secs(3);
    config
}

/// Row 13: bytes sent after "234" but before the handshake (CVE-2021-22947)
/// are discarded, never read as replies, so an injected "230" cannot stand in
/// for the real answer to USER.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_injected_before_tls_is_discarded() {
    let server = tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = server.acceptor.clone();
    let script = tokio::spawn(async move {
        let mut log = Vec::new();
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut plain = BufReader::new(tcp);
        send(plain.get_mut(), "220 hello").await;
        assert_eq!(recv(&mut plain, &mut log).await, "AUTH TLS");
        // The injection rides in the same packet as the 234.
        send(plain.get_mut(), "234 go ahead\r\n230 injected: logged in").await;
        let tls = acceptor
            .accept(plain.into_inner())
            .await
            .expect("handshake");
        let mut tls = BufReader::new(tls);
        loop {
            let line = recv(&mut tls, &mut log).await;
            let reply = match line.split(' ').next().unwrap_or("") {
                "USER" => "331 password please",
                "PASS" => "230 logged in",
                "FEAT" => "211-Features:\r\n SIZE\r\n211 End",
                "PBSZ" | "PROT" | "TYPE" | "OPTS" => "200 ok",
                "SYST" => "215 UNIX",
                "" => return log,
                _ => "500 no",
            };
            send(tls.get_mut(), reply).await;
        }
    });
    let session = Session::connect(client_config(port, server.fingerprint), EventSink::none())
        .await
        .expect("login over TLS");
    assert!(session.tls_info().is_some());
    drop(session);
    let log = tokio::time::timeout(Duration::from_secs(5), script)
        .await
        .expect("script ends")
        .expect("script ok");
    // Had the client taken the injected 230 for USER's reply, PASS would be missing.
    assert_eq!(
        &log[..3],
        &["AUTH TLS", "USER alice", "PASS hunter2"],
        "{log:?}"
    );
}

/// Row 19: a TLS data connection that ends without close_notify is reported as
/// possibly truncated, never as success, even when the server says 226; what
/// arrived is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_data_without_close_notify_is_not_success() {
    let server = tls_server();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = server.acceptor.clone();
    tokio::spawn(async move {
        let mut log = Vec::new();
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut plain = BufReader::new(tcp);
        send(plain.get_mut(), "220 hello").await;
        recv(&mut plain, &mut log).await;
        send(plain.get_mut(), "234 go ahead").await;
        let tls = acceptor
            .accept(plain.into_inner())
            .await
            .expect("handshake");
        let mut control = BufReader::new(tls);
        let mut data_listener: Option<TcpListener> = None;
        loop {
            let line = recv(&mut control, &mut log).await;
            match line.split(' ').next().unwrap_or("") {
                "USER" => send(control.get_mut(), "331 pw").await,
                "PASS" => send(control.get_mut(), "230 ok").await,
                "EPSV" => {
                    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                    let p = l.local_addr().expect("addr").port();
                    data_listener = Some(l);
                    send(control.get_mut(), &format!("229 ok (|||{p}|)")).await;
                }
                "RETR" => {
                    send(control.get_mut(), "150 sending").await;
                    let (tcp, _): (TcpStream, _) = data_listener
                        .take()
                        .expect("EPSV first")
                        .accept()
                        .await
                        .expect("data");
                    let mut data = acceptor.accept(tcp).await.expect("data handshake");
                    let _ = data.write_all(&[5u8; 3000]).await;
                    let _ = data.flush().await;
                    // Drop the TCP connection under TLS: no close_notify.
                    let (tcp, _) = data.into_inner();
                    drop(tcp);
                    send(control.get_mut(), "226 Transfer complete").await;
                }
                "" => return,
                "FEAT" => send(control.get_mut(), "211-Features:\r\n SIZE\r\n211 End").await,
                "SYST" => send(control.get_mut(), "215 UNIX").await,
                _ => send(control.get_mut(), "200 ok").await,
            }
        }
    });
    let mut session = Session::connect(client_config(port, server.fingerprint), EventSink::none())
        .await
        .expect("login over TLS");
    let mut sink = Vec::new();
    let err = session
        .download(
            skiff::engine::Transfer::binary(b"/f"),
            0,
            &mut sink,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("close_notify"), "{err}");
    assert!(matches!(err, EngineError::DataChannel(_)), "{err:?}");
    assert!(err.is_transient(), "a retry may resume it");
    assert_eq!(sink.len(), 3000, "what arrived is kept");
}

// ---- Plain scripted servers ----

use support::fake::{self, Conn};

fn plain_config(addr: std::net::SocketAddr) -> SessionConfig {
    let mut config = SessionConfig::new("127.0.0.1", addr.port(), Credentials::anonymous());
    config.timeout = Duration::from_secs(2);
    config
}

fn tree_settings(config: SessionConfig) -> skiff::engine::TransferSettings {
    skiff::engine::TransferSettings {
        session: config,
        retry: skiff::engine::RetryPolicy {
            retries: 2,
            delay: Duration::from_millis(20),
        },
        exists: skiff::engine::ExistsPolicy::Skip,
        events: EventSink::none(),
        cancel: CancellationToken::new(),
        preserve_times: false,
        within: None,
    }
}

/// Serves MLSD listings from `list(dir)` and files of three bytes.
async fn serve_listings(mut conn: Conn, list: fn(&str) -> String) {
    conn.greet().await;
    let mut cwd = String::from("/");
    while let Some(line) = conn.recv().await {
        if let Some(dir) = line.strip_prefix("CWD ") {
            cwd = dir.to_string();
            conn.send("250 ok").await;
        } else if line == "EPSV" {
            let cwd = cwd.clone();
            conn.serve_data(|command| {
                if command.starts_with("MLSD") {
                    list(&cwd).into_bytes()
                } else {
                    b"abc".to_vec()
                }
            })
            .await;
        } else {
            conn.routine(&line).await;
        }
    }
}

fn all_paths(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        out.push(path.clone());
        let meta = std::fs::symlink_metadata(&path).expect("meta");
        assert!(
            !meta.file_type().is_symlink(),
            "no local link is ever made: {path:?}"
        );
        if meta.is_dir() {
            all_paths(&path, out);
        }
    }
}

/// Row 3: a link and a folder with one name cannot be used to write through
/// the link; no local link is ever created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_and_folder_with_one_name_write_nothing_through_the_link() {
    let server = fake::start(|conn: Conn| {
        serve_listings(conn, |dir| match dir {
            "/d" => "type=OS.unix=slink:/etc;size=4; x\r\ntype=dir; x\r\n".to_string(),
            _ => "type=file;size=3; passwd\r\n".to_string(),
        })
    })
    .await;
    let outer = tempfile::tempdir().expect("tmp");
    let report = skiff::engine::tree::download_tree(
        &tree_settings(plain_config(server.addr)),
        b"/d",
        &outer.path().join("root"),
        1,
    )
    .await
    .expect("tree");
    let mut paths = Vec::new();
    all_paths(outer.path(), &mut paths);
    assert_eq!(paths, vec![outer.path().join("root")], "{report:?}");
    assert_eq!(report.skipped.len(), 2, "{report:?}");
    assert!(!server.commands().iter().any(|c| c.starts_with("RETR")));
}

/// Row 4: links are not followed, and an endless tree whose paths never
/// repeat ends at the depth cap, in bounded time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_loops_and_endless_trees_end() {
    let server = fake::start(|conn: Conn| {
        serve_listings(conn, |_| {
            "type=dir; deeper\r\ntype=OS.unix=slink:.; self\r\ntype=file;size=3; f\r\n".to_string()
        })
    })
    .await;
    let outer = tempfile::tempdir().expect("tmp");
    let started = std::time::Instant::now();
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        skiff::engine::tree::download_tree(
            &tree_settings(plain_config(server.addr)),
            b"/top",
            &outer.path().join("root"),
            2,
        ),
    )
    .await
    .expect("ends")
    .expect("tree");
    let depth_limit = skiff::engine::tree::MAX_DEPTH as u64;
    assert_eq!(
        report.files,
        depth_limit + 1,
        "one file per level: {}",
        report.files
    );
    assert!(
        report.skipped.iter().any(|s| s.contains("deeper than")),
        "{:?}",
        &report.skipped[..3]
    );
    assert!(
        report
            .skipped
            .iter()
            .filter(|s| s.contains("symbolic link"))
            .count() as u64
            > depth_limit
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// Rows 11 and 12: the CLI's peak memory facing an endless reply stays
/// within 32 MiB of a normal listing's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_replies_keep_memory_bounded() {
    let normal =
        fake::start(|conn: Conn| serve_listings(conn, |_| "type=file;size=3; a\r\n".to_string()))
            .await;
    let endless = fake::start(|mut conn: Conn| async move {
        conn.send_raw(b"220-hello\r\n").await;
        let line = vec![b'x'; 60_000];
        loop {
            conn.send_raw(b"220-").await;
            conn.send_raw(&line).await;
            conn.send_raw(b"\r\n").await;
        }
    })
    .await;
    let run = |port: u16| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_skiff"))
                .args(["ls", &format!("ftp://127.0.0.1:{port}/"), "--timeout", "5"])
                .output()
                .expect("run skiff")
        })
    };
    let max_rss_kib = || {
        // SAFETY: getrusage only writes into the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
        usage.ru_maxrss
    };
    let out = run(normal.addr.port()).await.expect("join");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let baseline = max_rss_kib();
    let out = run(endless.addr.port()).await.expect("join");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("larger than 1048576 bytes"), "{stderr}");
    let peak = max_rss_kib();
    assert!(
        peak <= baseline + 32 * 1024,
        "peak {peak} KiB against a normal listing's {baseline} KiB"
    );
}

/// Row 16: a 227 with an out-of-range number is a clear error, not a wrap-around.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_pasv_is_a_clear_error() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            match line.as_str() {
                "EPSV" => conn.send("229 ok (|||70000|)").await,
                "PASV" => {
                    conn.send("227 Entering Passive Mode (127,0,0,1,300,1)")
                        .await
                }
                _ => conn.routine(&line).await,
            }
        }
    })
    .await;
    let mut cfg = plain_config(server.addr);
    cfg.mode_fallback = false;
    let mut session = Session::connect(cfg, EventSink::none())
        .await
        .expect("login");
    let err = session.list(None).await.unwrap_err();
    assert!(err.to_string().contains("out of range: 300"), "{err}");
    session.noop().await.expect("still in sync");
}

/// Row 18: active mode where the server never connects: a bounded wait, the
/// server's 425 consumed, a clean error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_data_connection_arrives_in_active_mode() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("PORT") {
                conn.send("200 PORT ok").await;
            } else if line.starts_with("MLSD") {
                conn.send("150 Opening").await;
                tokio::time::sleep(Duration::from_millis(2500)).await;
                conn.send("425 Cannot open data connection").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let mut cfg = plain_config(server.addr);
    cfg.data_mode = skiff::engine::DataMode::Active;
    cfg.mode_fallback = false;
    let mut session = Session::connect(cfg, EventSink::none())
        .await
        .expect("login");
    let started = std::time::Instant::now();
    let err = session.list(None).await.unwrap_err();
    assert!(matches!(err, EngineError::DataChannel(_)), "{err:?}");
    assert!(err.to_string().contains("did not connect"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(6));
    session
        .noop()
        .await
        .expect("the 425 was consumed: still in sync");
}

/// Row 20: SIZE with trailing text, and sizes past 4 GiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_text_and_huge_sizes() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("SIZE /big") {
                conn.send("213 5000000000").await;
            } else if line.starts_with("SIZE") {
                conn.send("213 1234 bytes").await;
            } else if line == "EPSV" {
                conn.serve_data(|_| {
                    b"-rw-r--r-- 1 u g 6000000000 Jan 01 2024 huge.iso\r\n".to_vec()
                })
                .await;
            } else if line == "FEAT" {
                conn.send("211 no features").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let mut session = Session::connect(plain_config(server.addr), EventSink::none())
        .await
        .expect("login");
    assert_eq!(session.size(b"/f").await.expect("size"), Some(1234));
    assert_eq!(
        session.size(b"/big").await.expect("size"),
        Some(5_000_000_000)
    );
    let listing = session.list(None).await.expect("LIST, no MLSD offered");
    assert_eq!(listing.entries[0].size(), Some(6_000_000_000));
}

/// Row 24: 421 at login is retried a bounded number of times; a 530 is not retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_421_is_retried_a_bounded_number_of_times() {
    for (greeting, expected_connections) in [("421 Too many connections", 3), ("530 Go away", 1)] {
        let server = fake::start(move |mut conn: Conn| async move {
            if greeting.starts_with("530") {
                conn.greet().await;
                while let Some(line) = conn.recv().await {
                    if line.starts_with("USER") {
                        conn.send(greeting).await;
                    } else {
                        conn.routine(&line).await;
                    }
                }
            } else {
                conn.send(greeting).await;
            }
        })
        .await;
        let outer = tempfile::tempdir().expect("tmp");
        let mut slot = None;
        let err = skiff::engine::transfer::download_file(
            &mut slot,
            &tree_settings(plain_config(server.addr)),
            b"/f",
            Some(skiff::engine::policy::FileFacts::default()),
            &outer.path().join("f"),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, EngineError::LoginRefused { .. }), "{err:?}");
        let connections = server.connections.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(connections, expected_connections, "{greeting}");
    }
}

/// Row 24: a 332 gets ACCT when an account is set, and a clear error when not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_is_sent_when_asked() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("PASS") {
                conn.send("332 Need account for login").await;
            } else if line == "ACCT acct-secret" {
                conn.send("230 Logged in").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let mut cfg = plain_config(server.addr);
    cfg.credentials = Credentials {
        user: "bob".to_string(),
        password: Secret::new("pw"),
        account: None,
    };
    let err = Session::connect(cfg.clone(), EventSink::none())
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::AccountRequired), "{err:?}");
    cfg.credentials.account = Some(Secret::new("acct-secret"));
    Session::connect(cfg, EventSink::none())
        .await
        .expect("login with ACCT");
}

/// Issue 7 item 5: a listing larger than the cap stops with a clear error
/// instead of exhausting memory, and the connection stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_over_the_cap_is_a_clear_error() {
    // Small (under a listing's 64 KiB hand-off): the cap trips when the data
    // has all arrived. Large: it trips mid-transfer, which takes an ABOR.
    let small: fn(&str) -> String = |_| {
        (0..2_000)
            .map(|i| format!("type=file;size=1; f{i}\r\n"))
            .collect()
    };
    let large: fn(&str) -> String = |_| {
        (0..60_000)
            .map(|i| format!("type=file;size=1; file-number-{i:08}\r\n"))
            .collect()
    };
    for (list, aborts) in [(small, false), (large, true)] {
        let server = fake::start(move |conn: Conn| serve_listings(conn, list)).await;
        let mut cfg = plain_config(server.addr);
        cfg.max_listing_entries = 1_000;
        let mut session = Session::connect(cfg, EventSink::none())
            .await
            .expect("login");
        let err = session.list(None).await.unwrap_err();
        assert!(err.to_string().contains("more than 1000 entries"), "{err}");
        // In sync: each command gets its own reply, not the listing's late 226.
        session.noop().await.expect("noop");
        assert_eq!(session.pwd().await.expect("pwd reply, not NOOP's"), b"/");
        session.noop().await.expect("noop");
        assert_eq!(server.commands().iter().any(|c| c == "ABOR"), aborts);
    }
}

/// Row 27: a NUL or another control byte in a reply's text is accepted and
/// logged escaped; login and commands go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_text_with_control_bytes_is_accepted_and_logged_escaped() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.send_raw(b"220 hello\0 \x1b[2J there\r\n").await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("PASS") {
                conn.send_raw(b"230 Welcome\0 aboard\x07\r\n").await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut session = Session::connect(plain_config(server.addr), EventSink::new(tx))
        .await
        .expect("a NUL in the text does not stop the login");
    session.noop().await.expect("still in sync");
    drop(session);
    let mut logged = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let skiff::engine::Event::Log(line) = event {
            logged.push(line.text);
        }
    }
    assert!(
        logged.iter().any(|l| l == "230 Welcome\\x00 aboard\\x07"),
        "{logged:?}"
    );
    assert!(
        logged.iter().any(|l| l == "220 hello\\x00 \\x1b[2J there"),
        "{logged:?}"
    );
    assert!(
        logged.iter().all(|l| !l.chars().any(char::is_control)),
        "{logged:?}"
    );
}

/// Row 28: a 1xx reply to a command that opens no data connection means
/// "wait": the final reply is read, and a download goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preliminary_reply_to_any_command_is_waited_for() {
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line.starts_with("TYPE") {
                conn.send("150 thinking").await;
                conn.send("200 Type set").await;
            } else if line.starts_with("CWD") {
                conn.send("120 ready in a moment\r\n250 ok").await;
            } else if line == "EPSV" {
                conn.serve_data(|_| b"payload".to_vec()).await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let mut session = Session::connect(plain_config(server.addr), EventSink::none())
        .await
        .expect("TYPE I answered 150 then 200 logs in");
    session
        .cwd(b"/x")
        .await
        .expect("CWD waited through its 120");
    let mut got = Vec::new();
    let bytes = session
        .download(
            skiff::engine::Transfer::binary(b"/f").with_size(Some(7)),
            0,
            &mut got,
            &CancellationToken::new(),
        )
        .await
        .expect("download");
    assert_eq!((bytes, got.as_slice()), (7, &b"payload"[..]));
    session.noop().await.expect("in sync");
}

/// Row 29: in MLSD, whose lines end in CR LF, a bare LF is part of a name:
/// one entry (refused as a local name), never a second, planted entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_lf_in_an_mlsd_name_is_one_entry() {
    let server = fake::start(|conn: Conn| {
        serve_listings(conn, |_| {
            "type=file;size=3; a\ntype=file;size=3; planted\r\ntype=file;size=3; c\r\n".to_string()
        })
    })
    .await;
    let outer = tempfile::tempdir().expect("tmp");
    let root = outer.path().join("root");
    let report = skiff::engine::tree::download_tree(
        &tree_settings(plain_config(server.addr)),
        b"/d",
        &root,
        1,
    )
    .await
    .expect("tree");
    let mut paths = Vec::new();
    all_paths(&root, &mut paths);
    assert_eq!(paths, vec![root.join("c")], "{report:?}");
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(
        report.skipped[0].contains("control character"),
        "{report:?}"
    );
    assert!(
        !server.commands().iter().any(|c| c.contains("planted")),
        "{:?}",
        server.commands()
    );
}

/// Row 30, mid-transfer: a link swapped in for a folder while one of its
/// files is arriving does not carry the file (or its rename) outside the
/// destination: the file's folder was opened once, beneath the destination,
/// and the bytes stay in the real folder for a resume.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_swapped_in_mid_transfer_does_not_redirect_the_file() {
    use std::sync::Arc;
    use tokio::sync::Notify;
    const SIZE: usize = 3 * 1024 * 1024;
    let swapped = Arc::new(Notify::new());
    let go_on = Arc::clone(&swapped);
    let server = fake::start(move |mut conn: Conn| {
        let go_on = Arc::clone(&go_on);
        async move {
            conn.greet().await;
            let mut cwd = String::from("/");
            while let Some(line) = conn.recv().await {
                if let Some(dir) = line.strip_prefix("CWD ") {
                    cwd = dir.to_string();
                    conn.send("250 ok").await;
                } else if line == "EPSV" {
                    let Some(listener) = listen_epsv(&mut conn).await else {
                        return;
                    };
                    let command = conn.recv().await.unwrap_or_default();
                    conn.send("150 here").await;
                    let mut data = fake::accept(&listener).await;
                    if command.starts_with("MLSD") {
                        let listing = match cwd.as_str() {
                            "/d" => "type=dir; sub\r\n".to_string(),
                            _ => format!("type=file;size={SIZE}; big.bin\r\n"),
                        };
                        let _ = data.write_all(listing.as_bytes()).await;
                    } else {
                        let _ = data.write_all(&vec![7u8; SIZE / 2]).await;
                        let _ = data.flush().await;
                        go_on.notified().await;
                        let _ = data.write_all(&vec![7u8; SIZE / 2]).await;
                    }
                    drop(data);
                    conn.send("226 done").await;
                } else {
                    conn.routine(&line).await;
                }
            }
        }
    })
    .await;
    let outer = tempfile::tempdir().expect("tmp");
    let root = outer.path().join("root");
    let outside = outer.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let settings = tree_settings(plain_config(server.addr));
    let tree_root = root.clone();
    let tree = tokio::spawn(async move {
        skiff::engine::tree::download_tree(&settings, b"/d", &tree_root, 1).await
    });
    // Wait for the partial file, then swap its folder for a link outside.
    let part = root.join("sub/big.bin.skiffpart");
    let started = std::time::Instant::now();
    while !part.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the download started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::fs::rename(root.join("sub"), root.join("real")).expect("move the folder away");
    std::os::unix::fs::symlink(&outside, root.join("sub")).expect("swap in a link");
    swapped.notify_waiters();
    swapped.notify_one();
    let report = tree.await.expect("join").expect("tree");
    assert_eq!(
        std::fs::read_dir(&outside).expect("outside").count(),
        0,
        "nothing written outside: {report:?}"
    );
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(
        report.failed[0].contains("outside the destination"),
        "{report:?}"
    );
    let kept = std::fs::metadata(root.join("real/big.bin.skiffpart")).expect("kept for resume");
    assert_eq!(kept.len(), SIZE as u64, "every byte that arrived is kept");
}

/// Answers `EPSV` with a fresh listener's port.
async fn listen_epsv(conn: &mut Conn) -> Option<TcpListener> {
    let listener = TcpListener::bind("127.0.0.1:0").await.ok()?;
    let port = listener.local_addr().ok()?.port();
    conn.send(&format!("229 ok (|||{port}|)")).await;
    Some(listener)
}
