//! The transfer queue. Through the binary: every overwrite policy against a
//! prepared folder, the speed limit, a 10,000-file tree with 8 connections
//! against a real vsftpd, and a CLI killed with SIGKILL mid-queue whose
//! stored queue is resumed to the end. Through the engine API: pause,
//! resume, cancel, move and ask against the in-process libunftp server,
//! persistence while the queue changes, and a real vsftpd killed and
//! restarted in the middle of a 200 MiB download.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};
use skiff::engine::queue::{
    ItemId, ItemState, ItemView, NewItem, PolicyChoice, QueueCommand, QueueEvent, QueueHandle,
    QueueOptions, SiteKey,
};
use skiff::engine::{Credentials, ExistsPolicy, RetryPolicy, SessionConfig};
use skiff::secret::Secret;
use support::servers::{Options, RealServer, ServerKind};
use support::unftp;
use tokio::sync::mpsc::UnboundedReceiver;

fn skiff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(args)
        .env_remove("SKIFF_PASSWORD")
        .output()
        .expect("run skiff")
}

async fn skiff_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        skiff(&refs)
    })
    .await
    .expect("join")
}

fn set_mtime(path: &Path, secs_ago: u64) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
        .expect("set mtime");
}

/// Each policy against the same prepared pair: remote "newer.txt" is newer
/// and longer than the local one, remote "same.txt" is the same size and older.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_overwrite_policy_against_a_prepared_folder() {
    let server = unftp::start().await;
    std::fs::write(server.root.join("newer.txt"), b"remote, longer and newer").expect("seed");
    std::fs::write(server.root.join("same.txt"), b"remote!").expect("seed");
    set_mtime(&server.root.join("same.txt"), 7200);
    // (policy, expected newer.txt, expected same.txt, extra files, exit code)
    type Case = (
        &'static str,
        &'static [u8],
        &'static [u8],
        &'static [&'static str],
        i32,
    );
    let cases: [Case; 7] = [
        ("skip", b"local", b"local!!", &[], 3),
        ("overwrite", b"remote, longer and newer", b"remote!", &[], 0),
        ("newer", b"remote, longer and newer", b"local!!", &[], 3),
        ("size", b"remote, longer and newer", b"local!!", &[], 3),
        (
            "size-or-newer",
            b"remote, longer and newer",
            b"local!!",
            &[],
            3,
        ),
        ("resume", b"locale, longer and newer", b"local!!", &[], 3),
        (
            "rename",
            b"local",
            b"local!!",
            &["newer (1).txt", "same (1).txt"],
            0,
        ),
    ];
    for (policy, newer, same, extra, code) in cases {
        let local = tempfile::tempdir().expect("tmp");
        let dest = local.path().join("copy");
        std::fs::create_dir_all(&dest).expect("mkdir");
        std::fs::write(dest.join("newer.txt"), b"local").expect("write");
        set_mtime(&dest.join("newer.txt"), 3600);
        std::fs::write(dest.join("same.txt"), b"local!!").expect("write");
        let url = format!("ftp://{}:{}@{}/", unftp::USER, unftp::PASSWORD, server.addr);
        let out = skiff_async(vec![
            "get".into(),
            "-r".into(),
            "--overwrite".into(),
            policy.into(),
            url,
            dest.to_str().expect("utf8").into(),
        ])
        .await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{policy}: {stderr}");
        assert_eq!(
            std::fs::read(dest.join("newer.txt")).expect("newer"),
            newer,
            "{policy}"
        );
        assert_eq!(
            std::fs::read(dest.join("same.txt")).expect("same"),
            same,
            "{policy}"
        );
        for name in extra {
            assert!(dest.join(name).is_file(), "{policy}: {name}");
        }
        let count = std::fs::read_dir(&dest).expect("read").count();
        assert_eq!(count, 2 + extra.len(), "{policy}: no stray files");
    }
}

/// 2 MiB/s on a 10 MiB download takes at least 4 s (a token bucket allows a
/// short burst, so 5 s is not a floor).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_speed_limit_holds() {
    let server = unftp::start().await;
    let body = vec![42u8; 10 * 1024 * 1024];
    std::fs::write(server.root.join("ten.bin"), &body).expect("seed");
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("ten.bin");
    let url = format!(
        "ftp://{}:{}@{}/ten.bin",
        unftp::USER,
        unftp::PASSWORD,
        server.addr
    );
    let started = Instant::now();
    let out = skiff_async(vec![
        "get".into(),
        "--limit-download".into(),
        "2M".into(),
        url,
        target.to_str().expect("utf8").into(),
    ])
    .await;
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(secs >= 4.0, "10 MiB at 2 MiB/s took only {secs:.2} s");
    assert!(secs < 15.0, "{secs:.2} s");
    assert_eq!(std::fs::read(&target).expect("read").len(), body.len());
}

/// 10,000 files in 100 folders with 8 connections: every file arrives, intact.
#[test]
fn ten_thousand_files_with_eight_connections() {
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 26_100) else {
        return;
    };
    let mut expected = BTreeMap::new();
    for d in 0..100 {
        for f in 0..100 {
            let rel = format!("tree/d{d:03}/f{f:03}.dat");
            let body = format!("{d}-{f}-{}", "x".repeat((d * 7 + f * 13) % 300)).into_bytes();
            let path = server.path(&rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &body).expect("write");
            expected.insert(rel, Sha256::digest(&body).to_vec());
        }
    }
    server.fix_permissions();
    let local = tempfile::tempdir().expect("tmp");
    let url = format!("{}tree", server.url());
    let started = Instant::now();
    let out = skiff(&[
        "get",
        "-r",
        "--parallel",
        "8",
        &url,
        local.path().to_str().expect("utf8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found = 0;
    for (rel, digest) in &expected {
        let got = std::fs::read(local.path().join(rel)).expect("every file arrived");
        assert_eq!(&Sha256::digest(&got).to_vec(), digest, "{rel}");
        found += 1;
    }
    assert_eq!(found, 10_000);
    let copied = walk_count(&local.path().join("tree"));
    assert_eq!(copied, 10_000, "no extra or partial files");
    assert!(started.elapsed() < Duration::from_secs(240));
}

fn walk_count(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            n += walk_count(&path);
        } else {
            n += 1;
        }
    }
    n
}

// ---- The engine API ------------------------------------------------------

fn unftp_config(server: &unftp::InProcServer) -> SessionConfig {
    let mut config = SessionConfig::new(
        "127.0.0.1",
        server.addr.port(),
        Credentials {
            user: unftp::USER.into(),
            password: Secret::new(unftp::PASSWORD),
            account: None,
        },
    );
    config.timeout = Duration::from_secs(5);
    config
}

fn options(workers: usize, policy: PolicyChoice) -> QueueOptions {
    QueueOptions {
        workers,
        retry: RetryPolicy {
            retries: 3,
            delay: Duration::from_millis(100),
        },
        download: policy,
        upload: policy,
        ascii_extensions: Vec::new(),
        ..QueueOptions::default()
    }
}

fn file_item(remote: &str, local: PathBuf, size: u64) -> NewItem {
    NewItem::download(local, remote.as_bytes().to_vec(), remote.to_string()).with_size(Some(size))
}

fn folder_item(remote: &str, local: PathBuf) -> NewItem {
    NewItem::download(local, remote.as_bytes().to_vec(), remote.to_string()).folder(true)
}

/// Follows a queue's events: the latest view of every item, and the log.
struct Watch {
    events: UnboundedReceiver<QueueEvent>,
    items: HashMap<ItemId, ItemView>,
    log: Vec<String>,
    /// Items in the order they were seen to start (Running, or Done at once).
    started: Vec<ItemId>,
    progress: HashMap<ItemId, u64>,
    totals: usize,
    /// Items reported as retrying, with the reason.
    retrying: Vec<(ItemId, String)>,
}

impl Watch {
    fn new(events: UnboundedReceiver<QueueEvent>) -> Self {
        Self {
            events,
            items: HashMap::new(),
            log: Vec::new(),
            started: Vec::new(),
            progress: HashMap::new(),
            totals: 0,
            retrying: Vec::new(),
        }
    }

    /// Takes events until `done` holds for one (or 30 s pass); returns it.
    async fn until(&mut self, what: &str, done: impl Fn(&QueueEvent, &Self) -> bool) -> QueueEvent {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("waiting for {what}: timed out; items {:?}", self.items))
                .unwrap_or_else(|| panic!("waiting for {what}: the queue stopped"));
            match &event {
                QueueEvent::Upsert(views) => {
                    for v in views {
                        // Upserts are coalesced, so a quick item can go from
                        // Queued to Done in one: that counts as a start too.
                        let ran = |s: &ItemState| matches!(s, ItemState::Running | ItemState::Done);
                        if ran(&v.state) && !self.items.get(&v.id).is_some_and(|o| ran(&o.state)) {
                            self.started.push(v.id);
                        }
                        self.items.insert(v.id, v.clone());
                    }
                }
                QueueEvent::Log(line) => self.log.push(line.text.clone()),
                QueueEvent::Progress { id, done, .. } => {
                    self.progress.insert(*id, *done);
                }
                QueueEvent::Totals { .. } => self.totals += 1,
                QueueEvent::Retrying { id, reason, .. } => {
                    self.retrying.push((*id, reason.clone()));
                }
                _ => {}
            }
            if done(&event, self) {
                return event;
            }
        }
    }

    fn state(&self, id: ItemId) -> Option<&ItemState> {
        self.items.get(&id).map(|v| &v.state)
    }
}

/// A queue with `opts` that knows `config`'s site, its events followed.
fn start_with_site(opts: QueueOptions, config: SessionConfig) -> (QueueHandle, Watch, SiteKey) {
    let (queue, events) =
        QueueHandle::start(&tokio::runtime::Handle::current(), opts, Arc::new(|| {}));
    let site = SiteKey::of(&config);
    queue.send(QueueCommand::SetSite(Box::new(config)));
    (queue, Watch::new(events), site)
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Order, move, cancel, pause mid-transfer (the partial file stays and the
/// resume continues it with REST), resume, limits, totals and idle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_cancel_and_move_through_the_engine_api() {
    let server = unftp::start().await;
    const SIZE: usize = 3 * 1024 * 1024 / 2;
    let bodies: Vec<Vec<u8>> = (0..4).map(|n| pattern(SIZE, n as u8)).collect();
    for (n, body) in bodies.iter().enumerate() {
        std::fs::write(server.root.join(format!("f{n}.bin")), body).expect("seed");
    }
    let local = tempfile::tempdir().expect("tmp");
    let mut opts = options(1, PolicyChoice::Fixed(ExistsPolicy::Overwrite));
    opts.process = false;
    let (queue, mut watch, site) = start_with_site(opts, unftp_config(&server));
    let items: Vec<NewItem> = (0..4)
        .map(|n| {
            file_item(
                &format!("/f{n}.bin"),
                local.path().join(format!("f{n}.bin")),
                SIZE as u64,
            )
        })
        .collect();
    queue.send(QueueCommand::Add { site, items });
    watch
        .until("four queued items", |_, w| {
            w.items.len() == 4 && w.items.values().all(|v| v.state == ItemState::Queued)
        })
        .await;
    let mut ids: Vec<ItemId> = watch.items.keys().copied().collect();
    ids.sort();
    let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);

    queue.send(QueueCommand::MoveToTop(vec![d]));
    let moved = watch
        .until("moved", |e, _| matches!(e, QueueEvent::Moved { .. }))
        .await;
    assert_eq!(
        moved,
        QueueEvent::Moved {
            ids: vec![d],
            to_top: true
        }
    );
    queue.send(QueueCommand::MoveToBottom(vec![a]));
    queue.send(QueueCommand::Cancel(vec![b]));
    let removed = watch
        .until("removed", |e, _| matches!(e, QueueEvent::Removed(_)))
        .await;
    assert_eq!(removed, QueueEvent::Removed(vec![b]));

    // Slow, so the first transfer can be paused in its middle.
    queue.send(QueueCommand::SetLimits {
        download: Some(512 * 1024),
        upload: None,
    });
    queue.send(QueueCommand::SetProcessing(true));
    watch
        .until("progress on the moved item", |_, w| {
            w.progress.get(&d).is_some_and(|&done| done >= 128 * 1024)
        })
        .await;
    assert_eq!(
        watch.started.first(),
        Some(&d),
        "moved to the top, so first"
    );
    queue.send(QueueCommand::Pause(vec![d]));
    watch
        .until("paused", |_, w| w.state(d) == Some(&ItemState::Paused))
        .await;
    // The worker stops a moment after the pause is shown.
    let part = local.path().join("f3.bin.skiffpart");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(
            Instant::now() < deadline,
            "the paused transfer keeps its partial file"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!local.path().join("f3.bin").exists());

    // Full speed; the paused item goes again after a resume.
    queue.send(QueueCommand::SetLimits {
        download: None,
        upload: None,
    });
    queue.send(QueueCommand::Resume(vec![d]));
    watch
        .until("idle", |e, _| matches!(e, QueueEvent::Idle))
        .await;
    for (id, n) in [(a, 0), (c, 2), (d, 3)] {
        assert_eq!(watch.state(id), Some(&ItemState::Done), "item {n}");
        let got = std::fs::read(local.path().join(format!("f{n}.bin"))).expect("arrived");
        assert_eq!(sha(&got), sha(&bodies[n]), "f{n}");
    }
    assert!(
        !local.path().join("f1.bin").exists(),
        "cancelled before it ran"
    );
    assert!(!part.exists());
    // After the pause: c then a (moved to the bottom), then d again when resumed.
    let order: Vec<ItemId> = watch.started.clone();
    assert_eq!(order[0], d, "{order:?}");
    let pos_c = order.iter().position(|&x| x == c).expect("c ran");
    let pos_a = order.iter().position(|&x| x == a).expect("a ran");
    assert!(pos_c < pos_a, "a was moved to the bottom: {order:?}");
    assert!(
        watch
            .log
            .iter()
            .any(|l| l.starts_with("REST ") && l != "REST 0"),
        "the resumed transfer continued its partial file: {:?}",
        watch
            .log
            .iter()
            .filter(|l| l.starts_with("RE"))
            .collect::<Vec<_>>()
    );
    assert!(watch.totals > 0, "totals were reported");
    queue.send(QueueCommand::Shutdown);
}

/// "Ask": the item with an existing target waits as Asking while the others
/// run; the answer decides it, and "apply to all" answers the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_parks_the_item_and_the_answer_decides() {
    let server = unftp::start().await;
    for n in 0..4 {
        std::fs::write(server.root.join(format!("a{n}.txt")), format!("remote {n}")).expect("seed");
    }
    let local = tempfile::tempdir().expect("tmp");
    for n in [0, 2, 3] {
        std::fs::write(local.path().join(format!("a{n}.txt")), "local").expect("seed");
    }
    let (queue, mut watch, site) =
        start_with_site(options(2, PolicyChoice::Ask), unftp_config(&server));
    let items = (0..4)
        .map(|n| {
            file_item(
                &format!("/a{n}.txt"),
                local.path().join(format!("a{n}.txt")),
                8,
            )
        })
        .collect();
    queue.send(QueueCommand::Add { site, items });
    watch
        .until("three asks and one done", |_, w| {
            w.items
                .values()
                .filter(|v| v.state == ItemState::Asking)
                .count()
                == 3
                && w.items
                    .values()
                    .filter(|v| v.state == ItemState::Done)
                    .count()
                    == 1
        })
        .await;
    assert_eq!(
        std::fs::read(local.path().join("a1.txt")).expect("a1"),
        b"remote 1"
    );
    let id_of = |w: &Watch, n: usize| {
        w.items
            .values()
            .find(|v| v.remote_display == format!("/a{n}.txt"))
            .map(|v| v.id)
            .expect("item")
    };
    let (a0, a2) = (id_of(&watch, 0), id_of(&watch, 2));
    queue.send(QueueCommand::Answer {
        id: a0,
        policy: ExistsPolicy::Overwrite,
        apply_to_all: false,
    });
    watch
        .until("a0 done", |_, w| w.state(a0) == Some(&ItemState::Done))
        .await;
    assert_eq!(
        std::fs::read(local.path().join("a0.txt")).expect("a0"),
        b"remote 0"
    );
    assert_eq!(
        std::fs::read(local.path().join("a2.txt")).expect("a2"),
        b"local",
        "still asking"
    );
    queue.send(QueueCommand::Answer {
        id: a2,
        policy: ExistsPolicy::Skip,
        apply_to_all: true,
    });
    watch
        .until("the rest skipped", |_, w| {
            w.items
                .values()
                .filter(|v| matches!(v.state, ItemState::Skipped(_)))
                .count()
                == 2
        })
        .await;
    assert_eq!(
        std::fs::read(local.path().join("a3.txt")).expect("a3"),
        b"local"
    );
    queue.send(QueueCommand::ClearFinished);
    let removed = watch
        .until("cleared", |e, _| matches!(e, QueueEvent::Removed(_)))
        .await;
    let QueueEvent::Removed(ids) = removed else {
        unreachable!()
    };
    assert_eq!(ids.len(), 4);
    queue.send(QueueCommand::Shutdown);
}

/// The store is written while the queue changes (no shutdown needed), and a
/// queue started on it restores every unfinished item paused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_written_as_it_changes_and_restores_paused() {
    let server = unftp::start().await;
    std::fs::write(server.root.join("done.bin"), b"12345").expect("seed");
    let data = tempfile::tempdir().expect("tmp");
    let store = data.path().join("queue.jsonl");
    let local = tempfile::tempdir().expect("tmp");
    let mut opts = options(1, PolicyChoice::Fixed(ExistsPolicy::Overwrite));
    opts.store = Some(store.clone());
    let (queue, events) = QueueHandle::start(
        &tokio::runtime::Handle::current(),
        opts.clone(),
        Arc::new(|| {}),
    );
    let mut watch = Watch::new(events);
    let config = unftp_config(&server);
    let site = SiteKey::of(&config);
    // A site without settings: its items wait, paused.
    let elsewhere = SiteKey {
        host: "127.0.0.1".into(),
        port: 9,
        user: "nobody".into(),
    };
    queue.send(QueueCommand::Add {
        site: elsewhere,
        items: (0..1000)
            .map(|n| file_item(&format!("/w{n}"), local.path().join(format!("w{n}")), 1))
            .collect(),
    });
    queue.send(QueueCommand::SetSite(Box::new(config)));
    queue.send(QueueCommand::Add {
        site,
        items: vec![file_item("/done.bin", local.path().join("done.bin"), 5)],
    });
    watch
        .until("the file done", |_, w| {
            w.items.values().any(|v| v.state == ItemState::Done)
        })
        .await;
    assert_eq!(
        watch
            .items
            .values()
            .filter(|v| v.state == ItemState::Paused)
            .count(),
        1000
    );
    // Within about a second, without a shutdown, the file holds all of it.
    let deadline = Instant::now() + Duration::from_secs(3);
    let text = loop {
        let text = std::fs::read_to_string(&store).unwrap_or_default();
        if text.lines().count() >= 1001 && text.contains("\"s\":{\"i\":1001,\"s\":\"Done\"}") {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "store not written: {} lines",
            text.lines().count()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!text.contains(unftp::PASSWORD), "no password in the store");
    // A second queue on the same file, as after a crash: all back, paused or done.
    let (second, events) =
        QueueHandle::start(&tokio::runtime::Handle::current(), opts, Arc::new(|| {}));
    let mut restored = Watch::new(events);
    // Upserts come in chunks of at most 1,000 items.
    restored
        .until("restored", |_, w| w.items.len() == 1001)
        .await;
    assert_eq!(
        restored
            .items
            .values()
            .filter(|v| v.state == ItemState::Paused)
            .count(),
        1000
    );
    assert_eq!(restored.state(1001), Some(&ItemState::Done));
    second.send(QueueCommand::Shutdown);
    queue.send(QueueCommand::Shutdown);
}

/// Shutdown is confirmed, not timed out: as the window does, the runtime is
/// dropped as soon as the queue has answered, and the item added just before
/// (which the store's half-second batching had not handed over yet) is on
/// disk and comes back. A queue whose runtime went without a shutdown
/// answers false instead.
#[test]
fn a_confirmed_shutdown_has_written_the_last_change() {
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    };
    let data = tempfile::tempdir().expect("tmp");
    let store = data.path().join("queue.jsonl");
    let opts = QueueOptions {
        store: Some(store.clone()),
        ..QueueOptions::default()
    };
    // A site without settings: its items wait, paused, and nothing connects.
    let site = SiteKey {
        host: "127.0.0.1".into(),
        port: 9,
        user: "nobody".into(),
    };
    let add = |queue: &QueueHandle, name: &str| {
        queue.send(QueueCommand::Add {
            site: site.clone(),
            items: vec![file_item(name, data.path().join(&name[1..]), 1)],
        });
    };
    let first = runtime();
    let (queue, _events) = QueueHandle::start(first.handle(), opts.clone(), Arc::new(|| {}));
    add(&queue, "/first");
    // The first change is handed to the writer at the next tick ...
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(&store)
        .unwrap_or_default()
        .contains("/first")
    {
        assert!(
            Instant::now() < deadline,
            "the first change was not written"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // ... the next one waits for the batch, unless shutdown writes it.
    add(&queue, "/last");
    let answer = first.block_on(async {
        tokio::time::timeout(skiff::engine::queue::SHUTDOWN_DEADLINE, queue.shutdown()).await
    });
    assert_eq!(answer.ok(), Some(true), "the queue confirmed its shutdown");
    drop(first);
    let text = std::fs::read_to_string(&store).expect("store");
    assert!(text.contains("/last"), "the last change is on disk: {text}");

    let second = runtime();
    let (queue, events) = QueueHandle::start(second.handle(), opts, Arc::new(|| {}));
    let restored = second.block_on(async {
        let mut watch = Watch::new(events);
        watch.until("restored", |_, w| w.items.len() == 2).await;
        watch.items
    });
    let mut names: Vec<_> = restored
        .values()
        .map(|v| (v.remote_display.clone(), v.state.clone()))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        names,
        vec![
            ("/first".to_string(), ItemState::Paused),
            ("/last".to_string(), ItemState::Paused)
        ]
    );
    // Dropped without a shutdown: no answer, and the wait says so.
    drop(second);
    assert!(!runtime().block_on(queue.stopped()));
}

/// The CLI killed with SIGKILL in the middle of a queue: `skiff queue show`
/// lists the unfinished items paused, and `skiff queue resume` completes
/// them, with nothing lost or duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_cli_queue_is_restored_and_completes() {
    let server = unftp::start().await;
    let mut expected = BTreeMap::new();
    for n in 0..60 {
        // A few larger files stream through .skiffpart files.
        let len = if n % 20 == 7 {
            3 * 1024 * 1024
        } else {
            64 * 1024 + n * 100
        };
        let body = pattern(len, n as u8);
        let rel = format!("d{}/f{n:02}.bin", n % 3);
        std::fs::create_dir_all(server.root.join("tree").join(format!("d{}", n % 3)))
            .expect("mkdir");
        std::fs::write(server.root.join("tree").join(&rel), &body).expect("seed");
        expected.insert(rel, sha(&body));
    }
    let data = tempfile::tempdir().expect("tmp");
    let store = data.path().join("q.jsonl");
    let local = tempfile::tempdir().expect("tmp");
    let dest = local.path().join("tree");
    let url = server.url("tree");
    let mut child = Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args([
            "get",
            "-r",
            "--parallel",
            "2",
            "--limit-download",
            "3M",
            "--queue",
        ])
        .arg(&store)
        .arg(&url)
        .arg(&dest)
        .env_remove("SKIFF_PASSWORD")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run skiff");
    // Kill it once some files are in place and the rest are not.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = if dest.exists() { walk_count(&dest) } else { 0 };
        let stored = std::fs::read_to_string(&store)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if n >= 10 && stored > 60 {
            break;
        }
        assert!(Instant::now() < deadline, "the CLI never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let before = walk_count(&dest);
    assert!(before < 60, "killed mid-queue: {before} files");

    let shown = skiff_async(vec![
        "queue".into(),
        "show".into(),
        store.to_str().expect("utf8").into(),
    ])
    .await;
    let listing = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(listing.contains("\tpaused\t"), "{listing}");
    assert!(!listing.contains("\trunning\t"), "{listing}");
    assert!(!listing.contains(unftp::PASSWORD), "{listing}");

    let out = skiff_async(vec![
        "queue".into(),
        "resume".into(),
        "--overwrite".into(),
        "resume".into(),
        store.to_str().expect("utf8").into(),
        url,
    ])
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exit 3 is fine: a file finished just before the kill but not yet
    // recorded is found complete and skipped.
    assert!(matches!(out.status.code(), Some(0 | 3)), "{stderr}");
    assert!(!stderr.contains("failed"), "{stderr}");
    for (rel, digest) in &expected {
        let got = std::fs::read(dest.join(rel)).unwrap_or_else(|_| panic!("{rel} arrived"));
        assert_eq!(&sha(&got), digest, "{rel}");
    }
    assert_eq!(walk_count(&dest), 60, "no partial, renamed or extra files");
    let shown = skiff_async(vec![
        "queue".into(),
        "show".into(),
        store.to_str().expect("utf8").into(),
    ])
    .await;
    let listing = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(!listing.contains("\tpaused\t"), "{listing}");
}

/// A real vsftpd killed and restarted in the middle of a 200 MiB download
/// through the queue: the queue finishes it, the file is intact, and the
/// server saw a REST with a non-zero offset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vsftpd_killed_mid_download_the_queue_resumes() {
    let options = Options {
        max_rate: Some(60 * 1024 * 1024),
        ..Options::default()
    };
    let Some(mut server) = RealServer::start_with(ServerKind::Vsftpd, 26_200, options) else {
        return;
    };
    const BIG: usize = 200 * 1024 * 1024;
    let mut body = Vec::with_capacity(BIG);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while body.len() < BIG {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body.extend_from_slice(&x.to_le_bytes());
    }
    let digest = sha(&body);
    server.put_file("big.bin", &body);
    drop(body);
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("big.bin");
    let mut config = SessionConfig::new(
        "127.0.0.1",
        server.port,
        Credentials {
            user: server.user.into(),
            password: Secret::new(server.password),
            account: None,
        },
    );
    config.timeout = Duration::from_secs(5);
    let (queue, mut watch, site) = start_with_site(options_for_restart(), config);
    queue.send(QueueCommand::Add {
        site,
        items: vec![file_item("/big.bin", target.clone(), BIG as u64)],
    });
    watch
        .until("40 MiB in", |_, w| {
            w.progress.values().any(|&d| d >= 40 * 1024 * 1024)
        })
        .await;
    let cut_at = *watch.progress.values().max().expect("progress");
    tokio::task::block_in_place(|| server.restart());
    watch
        .until("idle", |e, _| matches!(e, QueueEvent::Idle))
        .await;
    let view = watch.items.values().next().expect("item").clone();
    assert_eq!(
        view.state,
        ItemState::Done,
        "{:?}",
        watch.log.iter().rev().take(20).collect::<Vec<_>>()
    );
    let got = std::fs::read(&target).expect("arrived");
    assert_eq!(got.len(), BIG);
    assert_eq!(sha(&got), digest, "the resumed file is intact");
    drop(got);
    // The front end was told the item was reconnecting (not left showing
    // its last speed), with the reason as a sentence.
    let (id, reason) = watch.retrying.first().expect("a Retrying event");
    assert_eq!(*id, view.id);
    assert!(!reason.is_empty() && !reason.contains("Kind("), "{reason}");
    let rests: Vec<u64> = tokio::task::block_in_place(|| server.commands())
        .iter()
        .filter_map(|c| c.strip_prefix("REST ")?.parse().ok())
        .collect();
    assert!(
        rests
            .iter()
            .any(|&offset| offset > 0 && offset < BIG as u64),
        "the server saw a REST with a non-zero offset (cut at about {cut_at}): {rests:?}"
    );
    queue.send(QueueCommand::Shutdown);
}

fn options_for_restart() -> QueueOptions {
    options(1, PolicyChoice::Fixed(ExistsPolicy::Overwrite))
}

/// A TCP proxy in front of a server's control port that records the most
/// connections open through it at once. Passive data connections go to the
/// control peer's address with the server's port, so they bypass it: what it
/// counts is control connections, the ones a site's limit is about.
struct CountingProxy {
    port: u16,
    most: Arc<std::sync::atomic::AtomicUsize>,
    total: Arc<std::sync::atomic::AtomicUsize>,
}

async fn counting_proxy(target: std::net::SocketAddr) -> CountingProxy {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind proxy");
    let port = listener.local_addr().expect("addr").port();
    let open = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let (m, t) = (Arc::clone(&most), Arc::clone(&total));
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let now = open.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            t.fetch_add(1, Ordering::SeqCst);
            let open = Arc::clone(&open);
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
                open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    CountingProxy { port, most, total }
}

/// A site's connection limit caps the queue's connections to it, the folder
/// walker's included, with four workers ready to use more; without a limit
/// the same queue opens more than two. Either way each connection logs in
/// once: the walker's is handed to a worker when the listing is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_connection_limit_is_honoured() {
    use std::sync::atomic::Ordering;
    let server = unftp::start().await;
    let dir = server.root.join("dir");
    std::fs::create_dir(&dir).expect("mkdir");
    let bodies: Vec<Vec<u8>> = (0..16).map(|n| pattern(48 * 1024, n as u8)).collect();
    for (n, body) in bodies.iter().enumerate() {
        std::fs::write(dir.join(format!("f{n:02}.bin")), body).expect("seed");
    }
    for limit in [Some(1u8), Some(2), None] {
        let proxy = counting_proxy(server.addr).await;
        let local = tempfile::tempdir().expect("tmp");
        let mut config = unftp_config(&server);
        config.port = proxy.port;
        config.max_connections = limit;
        let (queue, mut watch, site) = start_with_site(
            options(4, PolicyChoice::Fixed(ExistsPolicy::Overwrite)),
            config.clone(),
        );
        if limit == Some(1) {
            // As the CLI does: the connection that looked at the path is
            // lent, and with a limit of one it must be the walk's.
            let session = skiff::engine::Session::connect(config, skiff::engine::EventSink::none())
                .await
                .expect("login");
            queue.send(QueueCommand::Lend(Box::new(session)));
        }
        queue.send(QueueCommand::Add {
            site,
            items: vec![folder_item("/dir", local.path().join("dir"))],
        });
        watch
            .until("the folder done", |e, w| {
                matches!(e, QueueEvent::Idle)
                    && w.items.len() == 17
                    && w.items.values().all(|v| v.state == ItemState::Done)
            })
            .await;
        for (n, body) in bodies.iter().enumerate() {
            let got = std::fs::read(local.path().join(format!("dir/f{n:02}.bin"))).expect("read");
            assert_eq!(sha(&got), sha(body), "f{n:02}.bin with limit {limit:?}");
        }
        let most = proxy.most.load(Ordering::SeqCst);
        let total = proxy.total.load(Ordering::SeqCst);
        match limit {
            Some(limit) => assert!(
                most <= usize::from(limit),
                "limit {limit}: {most} connections were open at once ({total} in all)"
            ),
            None => assert!(
                most > 2,
                "no limit: only {most} at once; the proxy counts wrong"
            ),
        }
        // One login per connection the files need: the walker's connection
        // goes to a worker after the last folder, not a fresh login.
        let wanted = limit.map_or(4, usize::from);
        assert_eq!(
            total, wanted,
            "limit {limit:?}: {total} logins for {wanted} connections"
        );
        drop(queue);
    }
}

/// A small file is stored while the worker already fetches the next one; a
/// store that fails still fails its item (never `Done`), and the other
/// items are not held up by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_file_that_cannot_be_stored_fails_its_item() {
    let server = unftp::start().await;
    for n in 0..3 {
        std::fs::write(server.root.join(format!("s{n}.txt")), pattern(1000, n)).expect("seed");
    }
    let local = tempfile::tempdir().expect("tmp");
    // A regular file where a folder should be: nothing can be created under it.
    let not_a_dir = local.path().join("not-a-folder");
    std::fs::write(&not_a_dir, b"x").expect("seed");
    let (queue, mut watch, site) = start_with_site(
        options(1, PolicyChoice::Fixed(ExistsPolicy::Overwrite)),
        unftp_config(&server),
    );
    queue.send(QueueCommand::Add {
        site,
        items: vec![
            file_item("/s0.txt", local.path().join("s0.txt"), 1000),
            file_item("/s1.txt", not_a_dir.join("s1.txt"), 1000),
            file_item("/s2.txt", local.path().join("s2.txt"), 1000),
        ],
    });
    watch
        .until("all three ended", |e, w| {
            matches!(e, QueueEvent::Idle)
                && w.items.len() == 3
                && w.items.values().all(|v| v.state != ItemState::Running)
        })
        .await;
    let by_remote: HashMap<String, ItemState> = watch
        .items
        .values()
        .map(|v| (v.remote_display.clone(), v.state.clone()))
        .collect();
    assert_eq!(by_remote["/s0.txt"], ItemState::Done);
    assert_eq!(by_remote["/s2.txt"], ItemState::Done);
    assert!(
        matches!(&by_remote["/s1.txt"], ItemState::Failed(why) if why.contains("not-a-folder")),
        "the unstorable file failed with its path: {:?}",
        by_remote["/s1.txt"]
    );
    for n in [0u8, 2] {
        assert_eq!(
            std::fs::read(local.path().join(format!("s{n}.txt"))).expect("stored"),
            pattern(1000, n)
        );
    }
}

/// A walked folder's small files are written on the worker's own thread
/// when the folder is on a local disk; every byte still arrives, and a file
/// that cannot be written there (its name is taken by a folder) fails its
/// item, leaving the folder as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walked_folders_small_files_are_stored_or_fail() {
    let server = unftp::start().await;
    let dir = server.root.join("small");
    std::fs::create_dir(&dir).expect("mkdir");
    for n in 0..6u8 {
        std::fs::write(
            dir.join(format!("s{n}.bin")),
            pattern(3000 + usize::from(n), n),
        )
        .expect("seed");
    }
    let local = tempfile::tempdir().expect("tmp");
    let blocked = local.path().join("small/s3.bin");
    std::fs::create_dir_all(blocked.join("inside")).expect("a folder in the way");
    let (queue, mut watch, site) = start_with_site(
        options(2, PolicyChoice::Fixed(ExistsPolicy::Overwrite)),
        unftp_config(&server),
    );
    queue.send(QueueCommand::Add {
        site,
        items: vec![folder_item("/small", local.path().join("small"))],
    });
    watch
        .until("the folder ended", |e, w| {
            matches!(e, QueueEvent::Idle)
                && w.items.len() == 7
                && w.items.values().all(|v| v.state != ItemState::Running)
        })
        .await;
    for n in 0..6u8 {
        let shown = format!("/small/s{n}.bin");
        let view = watch
            .items
            .values()
            .find(|v| v.remote_display == shown)
            .expect("listed");
        if n == 3 {
            assert!(
                matches!(view.state, ItemState::Failed(_)),
                "{shown}: {:?}",
                view.state
            );
            assert!(
                blocked.join("inside").is_dir(),
                "the folder in the way stays"
            );
        } else {
            assert_eq!(view.state, ItemState::Done, "{shown}");
            let got = std::fs::read(local.path().join(format!("small/s{n}.bin"))).expect("read");
            assert_eq!(got, pattern(3000 + usize::from(n), n), "{shown}");
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(local.path().join("small"))
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".skiffpart"))
        .collect();
    assert!(leftovers.is_empty(), "no partial files: {leftovers:?}");
    queue.send(QueueCommand::Shutdown);
}

/// Cancel gives a download up: its partial file is deleted once the worker
/// has stopped writing it (pausing keeps it: the test above). A cancelled
/// item that was paused with a partial file loses it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_deletes_the_partial_file_pause_keeps_it() {
    let server = unftp::start().await;
    const SIZE: usize = 3 * 1024 * 1024 / 2;
    for n in 0..2 {
        std::fs::write(server.root.join(format!("c{n}.bin")), pattern(SIZE, n)).expect("seed");
    }
    let local = tempfile::tempdir().expect("tmp");
    let opts = options(1, PolicyChoice::Fixed(ExistsPolicy::Overwrite));
    let (queue, mut watch, site) = start_with_site(opts, unftp_config(&server));
    queue.send(QueueCommand::SetLimits {
        download: Some(256 * 1024),
        upload: None,
    });
    let items: Vec<NewItem> = (0..2)
        .map(|n| {
            file_item(
                &format!("/c{n}.bin"),
                local.path().join(format!("c{n}.bin")),
                SIZE as u64,
            )
        })
        .collect();
    queue.send(QueueCommand::Add { site, items });
    watch.until("two items", |_, w| w.items.len() == 2).await;
    let parts: Vec<PathBuf> = (0..2)
        .map(|n| local.path().join(format!("c{n}.bin.skiffpart")))
        .collect();
    let wait_part = |part: &PathBuf, present: bool| {
        let part = part.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::fs::metadata(&part)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
                != present
            {
                assert!(Instant::now() < deadline, "{part:?} present: {present}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    // The first file is moving (slowly): pause it, its partial file stays.
    wait_part(&parts[0], true).await;
    let first = *watch.items.keys().min().expect("an item");
    queue.send(QueueCommand::Pause(vec![first]));
    watch
        .until("paused", |_, w| w.state(first) == Some(&ItemState::Paused))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(parts[0].exists(), "pause keeps the partial file");
    // The second file moves now: cancel it while it runs, then the paused one.
    watch
        .until("the second item runs", |_, w| {
            w.items.values().any(|v| v.state == ItemState::Running)
        })
        .await;
    wait_part(&parts[1], true).await;
    let second = *watch.items.keys().max().expect("an item");
    queue.send(QueueCommand::Cancel(vec![second]));
    wait_part(&parts[1], false).await;
    queue.send(QueueCommand::Cancel(vec![first]));
    wait_part(&parts[0], false).await;
    assert!(!local.path().join("c0.bin").exists() && !local.path().join("c1.bin").exists());
    queue.send(QueueCommand::Shutdown);
}
