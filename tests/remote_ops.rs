//! The remote operations (`rm -r`, `mkdir -p`, `mv`, `chmod`, `find`,
//! `quote`, `cat`) run as a script runs them, against real servers: what
//! the server's folder holds afterwards is the proof, not what Skiff says.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use support::servers::{RealServer, ServerKind};

fn skiff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(args)
        .env_remove("SKIFF_PASSWORD")
        .output()
        .expect("run skiff")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o7777
}

/// A three-level tree of `files` files under `d/`, a link to a folder
/// outside it and a link to a file outside it.
fn plant_tree(server: &RealServer, files: usize) {
    for i in 0..files {
        let rel = format!("d/l1-{}/l2-{}/f{i}.txt", i % 5, i % 3);
        server.put_file(&rel, format!("file {i}").as_bytes());
    }
    server.put_file("d/top.txt", b"top");
    server.make_dir("d/empty");
    server.put_file("outside/keep.txt", b"keep me");
    server.put_file("outside/sub/deep.txt", b"keep me too");
    std::os::unix::fs::symlink(server.path("outside"), server.path("d/l1-0/to-outside"))
        .expect("symlink");
    std::os::unix::fs::symlink(
        server.path("outside/keep.txt"),
        server.path("d/l1-1/l2-1/file-link"),
    )
    .expect("symlink");
    server.fix_permissions();
}

#[test]
fn vsftpd_remote_operations() {
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 31_100) else {
        return;
    };
    let base = server.url();
    let url = |rel: &str| format!("{base}{rel}");

    // rm -r: a 3-level tree of 500 files and two links leaving it.
    plant_tree(&server, 500);
    // Listed on four connections at once, every file is found once, and
    // nothing through the link to the outside.
    let out = skiff(&["--parallel", "4", "find", "--name", "*.txt", &url("d")]);
    ok(&out);
    let stdout = text(&out.stdout);
    let mut found: Vec<&str> = stdout.lines().collect();
    found.sort();
    let listed = found.len();
    found.dedup();
    assert_eq!((listed, found.len()), (501, 501), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|l| l.contains("keep.txt") || l.contains("to-outside/"))
    );
    let started = Instant::now();
    let out = skiff(&["--parallel", "4", "rm", "-r", &url("d")]);
    let took = started.elapsed();
    ok(&out);
    eprintln!("rm -r of 500 files in 16 folders with 4 connections: {took:?}");
    assert!(!server.path("d").exists(), "the tree is gone");
    assert_eq!(
        std::fs::read(server.path("outside/keep.txt")).expect("kept"),
        b"keep me"
    );
    assert!(server.path("outside/sub/deep.txt").is_file());
    let log = server.log();
    assert!(
        !log.contains("CWD /d/l1-0/to-outside"),
        "a link was entered:\n{log}"
    );
    assert!(
        log.contains("DELE /d/l1-0/to-outside"),
        "the link was deleted as a link"
    );

    // rm of a link to a folder, named by the user: the link goes, not its contents.
    std::os::unix::fs::symlink(server.path("outside"), server.path("link-dir")).expect("symlink");
    server.fix_permissions();
    ok(&skiff(&["rm", "-r", &url("link-dir")]));
    assert!(std::fs::symlink_metadata(server.path("link-dir")).is_err());
    assert!(server.path("outside/sub/deep.txt").is_file());

    // rm without -r deletes a file; a folder needs -r.
    server.put_file("single.txt", b"x");
    ok(&skiff(&["rm", &url("single.txt")]));
    assert!(!server.path("single.txt").exists());
    server.make_dir("keepdir/inner");
    let out = skiff(&["rm", &url("keepdir")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(server.path("keepdir/inner").is_dir());
    // The server's top folder is refused.
    let out = skiff(&["rm", "-r", &base]);
    assert_eq!(out.status.code(), Some(1));
    assert!(server.path("outside").is_dir());

    // mkdir -p, twice (an existing folder is fine), and without -p into a missing parent.
    ok(&skiff(&["mkdir", "-p", &url("x/y/z")]));
    assert!(server.path("x/y/z").is_dir());
    ok(&skiff(&["mkdir", "-p", &url("x/y/z")]));
    let out = skiff(&["mkdir", &url("nope/child")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!server.path("nope").exists());

    // mv: a bare name renames in the same folder; a URL moves.
    ok(&skiff(&["mv", &url("x/y/z"), "w"]));
    assert!(server.path("x/y/w").is_dir() && !server.path("x/y/z").exists());
    ok(&skiff(&["mv", &url("x/y/w"), &url("moved")]));
    assert!(server.path("moved").is_dir());
    let out = skiff(&["mv", &url("moved"), "../escape"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    // chmod, seen in the next listing.
    server.put_file("perm/a.txt", b"a");
    server.put_file("perm/sub/b.txt", b"b");
    ok(&skiff(&["chmod", "640", &url("perm/a.txt")]));
    assert_eq!(mode(&server.path("perm/a.txt")), 0o640);
    let out = skiff(&["ls", &url("perm/")]);
    ok(&out);
    assert!(text(&out.stdout).contains("a.txt"));
    let out = skiff(&["ls", "--json", &url("perm/a.txt")]);
    ok(&out);
    assert!(
        text(&out.stdout).contains("\"rw-r-----\""),
        "{}",
        text(&out.stdout)
    );
    // Recursive, files only: folder modes stay.
    let dir_mode = mode(&server.path("perm/sub"));
    ok(&skiff(&[
        "chmod",
        "-R",
        "--only",
        "files",
        "600",
        &url("perm"),
    ]));
    assert_eq!(mode(&server.path("perm/sub/b.txt")), 0o600);
    assert_eq!(mode(&server.path("perm/a.txt")), 0o600);
    assert_eq!(mode(&server.path("perm/sub")), dir_mode);
    assert_eq!(mode(&server.path("perm")), dir_mode);
    // A link named with -R is neither followed nor changed.
    server.put_file("target-dir/t.txt", b"t");
    let target_mode = mode(&server.path("target-dir/t.txt"));
    std::os::unix::fs::symlink("target-dir", server.path("perm-link")).expect("symlink");
    server.fix_permissions();
    let out = skiff(&["chmod", "-R", "600", &url("perm-link")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("does not follow"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(mode(&server.path("target-dir/t.txt")), target_mode);

    // find: exactly the expected paths, with ls's JSON fields and the path.
    server.put_file("tree/a.log", b"12345");
    server.put_file("tree/sub/b.log", b"1234567890");
    server.put_file("tree/sub/c.txt", b"1");
    server.put_file("tree/sub/deeper/d.log", b"1");
    let out = skiff(&["find", "--json", "--name", "*.log", &url("tree")]);
    ok(&out);
    let mut paths: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object a line");
            assert!(v.get("type").is_some() && v.get("size").is_some(), "{l}");
            v["path"].as_str().expect("path").to_string()
        })
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        ["/tree/a.log", "/tree/sub/b.log", "/tree/sub/deeper/d.log"]
    );
    let out = skiff(&["find", "--name", "*.log", "--min-size", "6", &url("tree")]);
    ok(&out);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.trim_end().ends_with(" /tree/sub/b.log"), "{stdout}");
    let out = skiff(&["find", "--newer", "2999-01-01", &url("tree")]);
    ok(&out);
    assert!(out.stdout.is_empty());

    // quote: the reply is printed; a data command is refused and never sent.
    let out = skiff(&["quote", &base, "SYST"]);
    ok(&out);
    assert!(
        text(&out.stdout).starts_with("215 "),
        "{}",
        text(&out.stdout)
    );
    let out = skiff(&["quote", &base, "SITE HELP"]);
    ok(&out);
    assert!(
        text(&out.stdout).starts_with("214"),
        "{}",
        text(&out.stdout)
    );
    let before = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("LIST"))
        .count();
    let out = skiff(&["quote", &base, "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("LIST needs a data connection"),
        "{}",
        text(&out.stderr)
    );
    let after = server
        .commands()
        .iter()
        .filter(|c| c.to_uppercase().starts_with("LIST"))
        .count();
    assert_eq!(before, after, "LIST reached the server");

    // cat: the file's exact bytes.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    server.put_file("blob.bin", &bytes);
    let out = skiff(&["cat", &url("blob.bin")]);
    ok(&out);
    assert_eq!(out.stdout, bytes);
}

#[test]
fn proftpd_chmod_and_recursive_delete() {
    let Some(server) = RealServer::start(ServerKind::Proftpd, 31_200) else {
        return;
    };
    let base = server.url();
    let url = |rel: &str| format!("{base}{rel}");
    server.put_file("perm/a.txt", b"a");
    server.put_file("perm/sub/b.txt", b"b");
    ok(&skiff(&["chmod", "640", &url("perm/a.txt")]));
    assert_eq!(mode(&server.path("perm/a.txt")), 0o640);
    let dir_mode = mode(&server.path("perm/sub"));
    ok(&skiff(&[
        "chmod",
        "-R",
        "--only",
        "files",
        "600",
        &url("perm"),
    ]));
    assert_eq!(mode(&server.path("perm/sub/b.txt")), 0o600);
    assert_eq!(mode(&server.path("perm/sub")), dir_mode);
    ok(&skiff(&[
        "chmod",
        "-R",
        "--only",
        "folders",
        "700",
        &url("perm"),
    ]));
    assert_eq!(mode(&server.path("perm/sub")), 0o700);
    assert_eq!(mode(&server.path("perm/sub/b.txt")), 0o600);

    // proftpd's MLSD hides links that lead outside the chroot and reports a
    // link to a folder as a folder: the links here are relative, inside it.
    plant_tree(&server, 60);
    for link in ["d/l1-0/to-outside", "d/l1-1/l2-1/file-link"] {
        std::fs::remove_file(server.path(link)).expect("remove link");
    }
    std::os::unix::fs::symlink("../../outside", server.path("d/l1-0/to-outside")).expect("symlink");
    std::os::unix::fs::symlink(
        "../../../outside/keep.txt",
        server.path("d/l1-1/l2-1/file-link"),
    )
    .expect("symlink");
    server.fix_permissions();
    let out = skiff(&["ls", "--json", &url("d/l1-0/")]);
    eprintln!(
        "proftpd's MLSD of a folder with a link to a folder:\n{}",
        text(&out.stdout)
    );
    ok(&skiff(&["--parallel", "3", "rm", "-r", &url("d")]));
    assert!(!server.path("d").exists());
    assert!(server.path("outside/keep.txt").is_file());
    assert!(server.path("outside/sub/deep.txt").is_file());

    let out = skiff(&["quote", &base, "SITE HELP"]);
    ok(&out);
    assert!(
        text(&out.stdout).starts_with("214"),
        "{}",
        text(&out.stdout)
    );
}

// ---- A hostile listing, from a scripted server ----

use std::time::Duration;

use skiff::engine::event::EventSink;
use skiff::engine::ops;
use skiff::engine::{Credentials, Session, SessionConfig};
use support::fake::{self, Conn};
use tokio_util::sync::CancellationToken;

/// `ls -l` listings of a tree whose names try to leave it: a `..` path, a
/// name with a slash, and a link to `/etc`.
fn hostile_list(dir: &str) -> String {
    let line = |kind: &str, name: &str| format!("{kind}rw-r--r-- 1 u g 3 Jan 01  2026 {name}\r\n");
    match dir {
        "/" => line("d", "top"),
        "/top" => [
            line("-", "ok.txt"),
            line("-", "../../etc/passwd"),
            line("d", "a/b"),
            line("l", "link -> /etc"),
            line("d", "sub"),
            line("d", "."),
            line("d", ".."),
        ]
        .concat(),
        "/top/sub" => line("-", "x.txt"),
        _ => String::new(),
    }
}

/// Serves `hostile_list` for LIST (no MLSD offered) and 250 for DELE/RMD.
async fn serve_hostile(mut conn: Conn) {
    conn.send("220 Fake FTP").await;
    let mut cwd = String::from("/");
    while let Some(line) = conn.recv().await {
        if let Some(dir) = line.strip_prefix("CWD ") {
            cwd = dir.to_string();
            conn.send("250 ok").await;
        } else if line == "FEAT" {
            conn.send("211-Features:\r\n SIZE\r\n211 End").await;
        } else if line == "DELE /top/ok.txt" {
            conn.send("550 Permission denied").await;
        } else if line.starts_with("DELE ") || line.starts_with("RMD ") {
            conn.send("250 gone").await;
        } else if line == "EPSV" {
            let cwd = cwd.clone();
            conn.serve_data(|_| hostile_list(&cwd).into_bytes()).await;
        } else {
            conn.routine(&line).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_listing_cannot_steer_a_recursive_delete_out_of_its_folder() {
    let server = fake::start(serve_hostile).await;
    let mut config = SessionConfig::new("127.0.0.1", server.addr.port(), Credentials::anonymous());
    config.timeout = Duration::from_secs(5);
    let mut session = Session::connect(config, EventSink::none())
        .await
        .expect("login");
    let cancel = CancellationToken::new();
    let sink = ops::no_events();
    let mut helpers = ops::connect_helpers(session.config(), 3, &EventSink::none()).await;
    assert_eq!(helpers.len(), 2);
    let plan = ops::plan_delete(&mut session, &mut helpers, b"/top", &cancel, &sink)
        .await
        .expect("plan");
    assert_eq!(plan.summary(), "2 folders, 3 files, 6 B");
    let refused: Vec<&str> = plan
        .failures
        .iter()
        .map(|f| f.display_path.as_str())
        .collect();
    assert_eq!(
        refused,
        ["/top/../../etc/passwd", "/top/a/b"],
        "{:?}",
        plan.failures
    );
    let report = ops::delete_planned(&mut session, helpers, plan, &cancel, &sink).await;
    // One refusal inside a pipelined batch is that path's failure alone.
    assert_eq!((report.files, report.folders), (2, 2));
    let failed: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert_eq!(
        failed[2],
        "server refused DELE /top/ok.txt: 550 Permission denied: /top/ok.txt"
    );
    session.quit().await;

    let commands = server.commands();
    let mut changes: Vec<&str> = commands
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with("DELE") || c.starts_with("RMD"))
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        [
            "DELE /top/link",
            "DELE /top/ok.txt",
            "DELE /top/sub/x.txt",
            "RMD /top",
            "RMD /top/sub"
        ]
    );
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("CWD /top/link") || c.contains("..") || c.contains("a/b")),
        "{commands:?}"
    );
    // The files went over more than one connection; folders after files.
    assert!(server.connections.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    let last_dele = commands
        .iter()
        .rposition(|c| c.starts_with("DELE"))
        .expect("DELE");
    let first_rmd = commands
        .iter()
        .position(|c| c.starts_with("RMD"))
        .expect("RMD");
    assert!(last_dele < first_rmd, "{commands:?}");
}

// ---- The window's jobs (OpsHandle), against the in-process server ----

use skiff::engine::ops::jobs::{OpsCommand, OpsEvent, OpsHandle};
use support::unftp;

/// The next job event that is not a log line, within 10 s.
async fn next_event(events: &mut tokio::sync::mpsc::UnboundedReceiver<OpsEvent>) -> OpsEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("a job event in time")
            .expect("the channel open");
        if !matches!(event, OpsEvent::Log(_)) {
            return event;
        }
    }
}

/// Plans `tree` as job `job` and returns its (folders, files) once planned.
async fn planned(
    ops: &OpsHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<OpsEvent>,
    port: u16,
    job: u64,
) -> (usize, usize) {
    let config = SessionConfig::new("127.0.0.1", port, Credentials::anonymous());
    ops.send(OpsCommand::PlanDelete {
        job,
        config: Box::new(config),
        paths: vec![b"/tree".to_vec()],
        connections: 3,
    });
    loop {
        match next_event(events).await {
            OpsEvent::Planned {
                job: j,
                folders,
                files,
                ..
            } if j == job => return (folders, files),
            OpsEvent::Finished { error, .. } => panic!("finished before the plan: {error:?}"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_delete_waits_for_its_confirmation_and_cancel_deletes_nothing() {
    let server = unftp::start().await;
    for file in ["tree/a.txt", "tree/sub/b.txt", "tree/sub/deeper/c.txt"] {
        let path = server.root.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("seed");
        std::fs::write(path, b"x").expect("seed");
    }
    let (ops, mut events) = OpsHandle::new(
        &tokio::runtime::Handle::current(),
        std::sync::Arc::new(|| {}),
    );
    let port = server.addr.port();

    assert_eq!(planned(&ops, &mut events, port, 1).await, (3, 3));
    ops.send(OpsCommand::Cancel(1));
    loop {
        if let OpsEvent::Finished {
            job: 1,
            done,
            error,
            ..
        } = next_event(&mut events).await
        {
            assert_eq!(done, 0);
            assert!(error.is_some(), "a cancelled job says so");
            break;
        }
    }
    assert!(
        server.root.join("tree/sub/deeper/c.txt").is_file(),
        "nothing deleted"
    );

    assert_eq!(planned(&ops, &mut events, port, 2).await, (3, 3));
    ops.send(OpsCommand::ConfirmDelete(2));
    let mut counted = 0;
    loop {
        match next_event(&mut events).await {
            OpsEvent::Progress {
                job: 2,
                event: ops::OpEvent::Done { .. },
            } => counted += 1,
            OpsEvent::Finished {
                job: 2,
                done,
                failures,
                error,
            } => {
                assert_eq!((done, counted), (6, 6));
                assert!(
                    failures.is_empty() && error.is_none(),
                    "{failures:?} {error:?}"
                );
                break;
            }
            _ => {}
        }
    }
    assert!(!server.root.join("tree").exists());
}
