//! The browsing actor, as a front end uses it: commands in, events out, a
//! waker called for each event, a lost connection reported and recovered.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use skiff::engine::{
    BrowseCommand, BrowserHandle, ConnectionState, Credentials, Event, SessionConfig,
};
use skiff::secret::Secret;
use support::fake::{self, Conn};
use support::unftp;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedReceiver;

/// Waits for the first event `pick` accepts, failing after 10 s.
async fn wait_for<T>(
    events: &mut UnboundedReceiver<Event>,
    mut pick: impl FnMut(&Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
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

fn names(event: &Event) -> Option<(String, Vec<String>)> {
    match event {
        Event::Listing {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_create_rename_delete_through_commands() {
    let server = unftp::start().await;
    std::fs::write(server.root.join("a.txt"), b"a").expect("seed");
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    let (handle, mut events) = BrowserHandle::start(
        &tokio::runtime::Handle::current(),
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    );
    let credentials = Credentials {
        user: unftp::USER.to_string(),
        password: Secret::new(unftp::PASSWORD),
        account: None,
    };
    let config = SessionConfig::new("127.0.0.1", server.addr.port(), credentials);
    assert!(handle.send(BrowseCommand::Connect(Box::new(config))));
    let connected = wait_for(&mut events, |e| match e {
        Event::State(ConnectionState::Connected { host, .. }) => Some(host.clone()),
        _ => None,
    })
    .await;
    assert_eq!(connected, format!("127.0.0.1:{}", server.addr.port()));
    assert_eq!(
        wait_for(&mut events, names).await,
        ("/".to_string(), vec!["a.txt".to_string()])
    );

    handle.send(BrowseCommand::MakeDir(b"/new".to_vec()));
    assert_eq!(wait_for(&mut events, names).await.1, vec!["a.txt", "new"]);
    handle.send(BrowseCommand::Rename {
        from: b"/new".to_vec(),
        to: b"/renamed".to_vec(),
    });
    assert_eq!(
        wait_for(&mut events, names).await.1,
        vec!["a.txt", "renamed"]
    );
    handle.send(BrowseCommand::List(b"/renamed".to_vec()));
    assert_eq!(
        wait_for(&mut events, names).await,
        ("/renamed".to_string(), vec![])
    );
    handle.send(BrowseCommand::Parent);
    assert_eq!(wait_for(&mut events, names).await.0, "/");
    handle.send(BrowseCommand::Delete {
        path: b"/renamed".to_vec(),
        is_dir: true,
    });
    assert_eq!(wait_for(&mut events, names).await.1, vec!["a.txt"]);
    assert!(!server.root.join("renamed").exists());

    // A refused command is a Failed event; the connection stays up.
    handle.send(BrowseCommand::List(b"/missing".to_vec()));
    let failed = wait_for(&mut events, |e| match e {
        Event::Failed { what, message, .. } => Some(format!("{what}: {message}")),
        Event::State(ConnectionState::Disconnected { .. }) => Some("disconnected".to_string()),
        _ => None,
    })
    .await;
    assert!(
        failed.starts_with("list /missing: server refused CWD"),
        "{failed}"
    );
    handle.send(BrowseCommand::Refresh);
    assert_eq!(wait_for(&mut events, names).await.0, "/");
    assert!(
        wakes.load(Ordering::SeqCst) > 10,
        "the waker is called for events"
    );
}

/// A scripted server whose every connection serves one listing (a file
/// `x`), then hangs up.
async fn one_listing_then_hang_up() -> fake::Fake {
    fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line == "EPSV" {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let port = listener.local_addr().expect("addr").port();
                conn.send(&format!("229 ok (|||{port}|)")).await;
                conn.recv().await;
                conn.send("150 here").await;
                let mut data = fake::accept(&listener).await;
                let _ = data.write_all(b"type=file;size=1; x\r\n").await;
                drop(data);
                conn.send("226 done").await;
                return;
            }
            conn.routine(&line).await;
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_is_reported_and_the_next_command_reconnects() {
    // Each connection serves one listing, then the server hangs up.
    let server = one_listing_then_hang_up().await;
    let (handle, mut events) =
        BrowserHandle::start(&tokio::runtime::Handle::current(), Arc::new(|| {}));
    let mut config = SessionConfig::new("127.0.0.1", server.addr.port(), Credentials::anonymous());
    config.timeout = Duration::from_secs(2);
    handle.send(BrowseCommand::Connect(Box::new(config)));
    assert_eq!(wait_for(&mut events, names).await.1, vec!["x"]);

    handle.send(BrowseCommand::Refresh);
    let reason = wait_for(&mut events, |e| match e {
        Event::State(ConnectionState::Disconnected { reason }) => Some(reason.clone()),
        Event::Listing { .. } => panic!("a listing from a closed connection"),
        _ => None,
    })
    .await;
    assert!(
        reason.is_some_and(|r| r.contains("closed")),
        "a reason is given"
    );

    handle.send(BrowseCommand::Refresh);
    assert_eq!(wait_for(&mut events, names).await.1, vec!["x"]);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

/// Connects a browsing actor with `options` to `server` and waits for the
/// home folder's listing.
async fn browse_real(
    server: &support::servers::RealServer,
    options: skiff::engine::BrowserOptions,
) -> (BrowserHandle, UnboundedReceiver<Event>) {
    let (handle, mut events) =
        BrowserHandle::start_with(&tokio::runtime::Handle::current(), Arc::new(|| {}), options);
    let credentials = Credentials {
        user: support::servers::USER.to_string(),
        password: Secret::new(support::servers::PASSWORD),
        account: None,
    };
    let config = SessionConfig::new("127.0.0.1", server.port, credentials);
    assert!(handle.send(BrowseCommand::Connect(Box::new(config))));
    wait_for(&mut events, names).await;
    (handle, events)
}

/// Keep-alive: vsftpd drops a session idle for 3 s; with a beat every
/// second, the connection idles for three times that long and the next
/// listing runs on it, without a second login. Without the beat, the same
/// wait loses the connection (so the test can fail).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_holds_an_idle_connection_past_the_servers_timeout() {
    use skiff::engine::{BrowserOptions, KeepAlive};
    use support::servers::{Options, RealServer, ServerKind};
    let options = Options {
        idle_timeout: Some(3),
        ..Options::default()
    };
    let Some(server) = RealServer::start_with(ServerKind::Vsftpd, 31_300, options) else {
        return;
    };
    server.put_file("a.txt", b"a");
    let beating = BrowserOptions {
        keep_alive: Some(KeepAlive {
            interval: Duration::from_secs(1),
            stop_after: Duration::from_secs(60),
        }),
    };
    let silent = BrowserOptions { keep_alive: None };
    let ((kept, mut kept_events), (lost, mut lost_events)) =
        tokio::join!(browse_real(&server, beating), browse_real(&server, silent));
    tokio::time::sleep(Duration::from_secs(9)).await;

    assert!(kept.send(BrowseCommand::Refresh));
    let mut reconnected = false;
    let listing = wait_for(&mut kept_events, |e| match e {
        Event::State(ConnectionState::Connecting { .. } | ConnectionState::Disconnected { .. }) => {
            reconnected = true;
            None
        }
        other => names(other),
    })
    .await;
    assert_eq!(listing.1, vec!["a.txt".to_string()]);
    assert!(!reconnected, "the kept connection was lost and made again");

    assert!(lost.send(BrowseCommand::Refresh));
    let dropped = wait_for(&mut lost_events, |e| match e {
        Event::State(ConnectionState::Disconnected { .. } | ConnectionState::Connecting { .. }) => {
            Some(true)
        }
        Event::Listing { .. } => Some(false),
        _ => None,
    })
    .await;
    assert!(
        dropped,
        "without keep-alive vsftpd should have dropped the idle session"
    );

    // Two browsers, two logins; the kept one's beats mixed NOOP, PWD and TYPE I.
    let commands = server.commands();
    let logins = commands.iter().filter(|c| c.starts_with("USER")).count();
    assert_eq!(logins, 2, "{commands:?}");
    for beat in ["NOOP", "PWD", "TYPE I"] {
        assert!(commands.iter().any(|c| c == beat), "{beat}: {commands:?}");
    }
}

/// Keep-alive stops `stop_after` past the user's last command (a forgotten
/// window must not hold a login forever), a user command starts it again,
/// and `SetKeepAlive(None)` turns it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_stops_after_the_user_is_gone_and_can_be_turned_off() {
    use skiff::engine::{BrowserOptions, KeepAlive};
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if line == "EPSV" {
                conn.serve_data(|_| b"type=file;size=1; x\r\n".to_vec())
                    .await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let options = BrowserOptions {
        keep_alive: Some(KeepAlive {
            interval: Duration::from_millis(100),
            stop_after: Duration::from_millis(800),
        }),
    };
    let (handle, mut events) =
        BrowserHandle::start_with(&tokio::runtime::Handle::current(), Arc::new(|| {}), options);
    let config = SessionConfig::new("127.0.0.1", server.addr.port(), Credentials::anonymous());
    handle.send(BrowseCommand::Connect(Box::new(config)));
    wait_for(&mut events, names).await;
    let beats = || {
        server
            .commands()
            .iter()
            .filter(|c| matches!(c.as_str(), "NOOP" | "PWD" | "TYPE I"))
            .count()
    };
    // Login and the first listing sent one PWD and one TYPE I.
    let at_start = beats();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stopped = beats();
    assert!(
        (at_start + 3..=at_start + 9).contains(&stopped),
        "about one beat per 100-120 ms for 800 ms: {at_start} then {stopped}"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(beats(), stopped, "no beat after stop_after");

    // A user command starts the beats again; turning keep-alive off stops them.
    handle.send(BrowseCommand::Refresh);
    wait_for(&mut events, names).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = beats();
    assert!(again > stopped + 2, "{stopped} then {again}");
    handle.send(BrowseCommand::SetKeepAlive(None));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let off = beats();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(beats(), off, "keep-alive turned off");
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

/// A probe (what the window sends when a transfer lost its connection)
/// finds a dead browsing connection at once and reports it lost, without a
/// user command and without reconnecting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_reports_a_dead_connection_at_once() {
    // One listing, then the server goes away (closes the control connection).
    let server = one_listing_then_hang_up().await;
    let (handle, mut events) = BrowserHandle::start_with(
        &tokio::runtime::Handle::current(),
        Arc::new(|| {}),
        skiff::engine::BrowserOptions { keep_alive: None },
    );
    let mut config = SessionConfig::new("127.0.0.1", server.addr.port(), Credentials::anonymous());
    config.timeout = Duration::from_secs(5);
    handle.send(BrowseCommand::Connect(Box::new(config)));
    assert_eq!(wait_for(&mut events, names).await.1, vec!["x"]);

    let asked = tokio::time::Instant::now();
    handle.send(BrowseCommand::Probe);
    let reason = wait_for(&mut events, |e| match e {
        Event::State(ConnectionState::Disconnected { reason }) => Some(reason.clone()),
        Event::State(ConnectionState::Connecting { .. }) => panic!("a probe never reconnects"),
        _ => None,
    })
    .await;
    assert!(reason.is_some(), "the reason is given");
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "reported within 2 s: {:?}",
        asked.elapsed()
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}
