//! `skiff sync` against real servers: vsftpd (LIST, minute times, MDTM),
//! proftpd and pure-ftpd (MLSD, UTC to the second). One way up and down
//! with `--delete`, `--dry-run --json` that changes nothing, a second run
//! that plans nothing, excludes left alone, and two-way with memory:
//! deletions propagate, a file changed on both sides is a conflict with both
//! versions kept, and the first two-way sync deletes nothing. Then
//! checksums (proftpd's mod_digest), a server clock eight hours off, and a
//! hostile server.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::servers::{RealServer, ServerKind};
use support::tree::{files, write};

/// Runs the binary with its data folder under `data`.
fn skiff(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(args)
        .env_remove("SKIFF_PASSWORD")
        .env("SKIFF_CONFIG_DIR", "/nonexistent-skiff-test")
        .env("SKIFF_DATA_DIR", data)
        .output()
        .expect("run skiff")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The JSON lines of a run: the actions as `action path reason` (sorted),
/// and the summary object.
fn plan(out: &Output) -> (Vec<String>, serde_json::Value) {
    let mut actions = Vec::new();
    let mut summary = serde_json::Value::Null;
    for line in text(&out.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        if let Some(s) = value.get("summary") {
            summary = s.clone();
            continue;
        }
        let object = value.as_object().expect("object");
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, ["action", "path", "reason", "size"], "{line}");
        assert!(value["size"].is_u64() || value["size"].is_null(), "{line}");
        actions.push(format!(
            "{} {} {}",
            value["action"].as_str().expect("action"),
            value["path"].as_str().expect("path"),
            value["reason"].as_str().expect("reason")
        ));
    }
    actions.sort();
    (actions, summary)
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    list.sort();
    list
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// One way, up then down, on one server.
fn one_way(kind: ServerKind, port: u16) {
    let Some(server) = RealServer::start(kind, port) else {
        return;
    };
    let data = tempfile::tempdir().expect("tmp");
    let local = tempfile::tempdir().expect("tmp");
    let url = format!("{}pub", server.url());
    write(local.path(), "a.txt", b"alpha");
    write(local.path(), "d/b.bin", &[7u8; 3000]);
    write(local.path(), "d/e/c.txt", b"see");
    write(local.path(), "skip.log", b"never sent");
    server.put_file("pub/old.txt", b"extraneous");
    server.put_file("pub/keep.log", b"excluded, so never deleted");
    server.put_file("pub/d/b.bin", b"shorter");
    let dir = local.path().to_str().expect("utf-8");
    let before = files(&server.path("pub"));

    let run = |extra: &[&str]| {
        let mut args = vec![
            "sync",
            "--json",
            "--delete",
            "--exclude",
            "*.log",
            dir,
            &url,
        ];
        args.extend_from_slice(extra);
        skiff(&args, data.path())
    };
    let out = run(&["--dry-run"]);
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    let (actions, summary) = plan(&out);
    assert_eq!(
        actions,
        sorted(&[
            "delete-remote old.txt missing",
            "mkdir-remote d/e missing",
            "skip keep.log excluded",
            "skip skip.log excluded",
            "upload a.txt missing",
            "upload d/b.bin size",
            "upload d/e/c.txt missing",
        ]),
        "{kind}"
    );
    assert_eq!(summary["upload"], 3, "{kind}: {summary}");
    assert_eq!(summary["upload_bytes"], 5 + 3000 + 3, "{kind}: {summary}");
    assert_eq!(summary["delete_remote"], 1, "{kind}: {summary}");
    assert_eq!(
        files(&server.path("pub")),
        before,
        "{kind}: a dry run changes nothing"
    );

    let out = run(&[]);
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    let mut want = files(local.path());
    want.remove("skip.log");
    want.insert(
        "keep.log".into(),
        Some(b"excluded, so never deleted".to_vec()),
    );
    assert_eq!(
        files(&server.path("pub")),
        want,
        "{kind}: the remote is like the local"
    );

    let out = run(&[]);
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    let (actions, _) = plan(&out);
    assert_eq!(
        actions,
        sorted(&["skip keep.log excluded", "skip skip.log excluded"]),
        "{kind}: a second run plans nothing"
    );

    // Down, into a folder that does not exist yet; then --delete removes
    // what only the local side has.
    let down = tempfile::tempdir().expect("tmp");
    let target = down.path().join("copy");
    let target_text = target.to_str().expect("utf-8");
    let out = skiff(&["sync", &url, target_text], data.path());
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    assert_eq!(files(&target), files(&server.path("pub")), "{kind}: down");
    let out = skiff(&["sync", "--json", &url, target_text], data.path());
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    assert_eq!(plan(&out).0, Vec::<String>::new(), "{kind}: nothing to do");
    write(&target, "d/stray.txt", b"local only");
    let out = skiff(&["sync", "--json", &url, target_text], data.path());
    assert_eq!(
        plan(&out).0,
        Vec::<String>::new(),
        "{kind}: kept without --delete"
    );
    assert!(target.join("d/stray.txt").exists());
    let out = skiff(
        &["sync", "--json", "--delete", &url, target_text],
        data.path(),
    );
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    assert_eq!(plan(&out).0, sorted(&["delete-local d/stray.txt missing"]));
    assert_eq!(
        files(&target),
        files(&server.path("pub")),
        "{kind}: --delete"
    );
}

#[test]
fn one_way_on_vsftpd() {
    one_way(ServerKind::Vsftpd, 29_100);
}

#[test]
fn one_way_on_proftpd() {
    one_way(ServerKind::Proftpd, 29_200);
}

/// Two-way with memory on one server.
fn two_way(kind: ServerKind, port: u16) {
    let Some(server) = RealServer::start(kind, port) else {
        return;
    };
    let data = tempfile::tempdir().expect("tmp");
    let local = tempfile::tempdir().expect("tmp");
    let url = format!("{}both", server.url());
    write(local.path(), "a.txt", b"local a");
    write(local.path(), "c.txt", b"shared c");
    write(local.path(), "d/x.txt", b"local x");
    server.put_file("both/b.txt", b"remote b");
    server.put_file("both/only-remote/y.txt", b"remote y");
    let dir = local.path().to_str().expect("utf-8");
    let run = || skiff(&["sync", "--two-way", "--json", dir, &url], data.path());

    let out = run();
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    let (actions, summary) = plan(&out);
    assert_eq!(
        actions,
        sorted(&[
            "download b.txt missing",
            "download only-remote/y.txt missing",
            "mkdir-local only-remote missing",
            "mkdir-remote d missing",
            "upload a.txt missing",
            "upload c.txt missing",
            "upload d/x.txt missing",
        ]),
        "{kind}: the first two-way sync deletes nothing"
    );
    assert_eq!(summary["delete_local"], 0);
    assert_eq!(files(local.path()), files(&server.path("both")), "{kind}");

    // One deletion on each side, one file changed on both.
    std::fs::remove_file(local.path().join("a.txt")).expect("rm");
    std::fs::remove_file(server.path("both/b.txt")).expect("rm");
    write(local.path(), "c.txt", b"changed here, locally");
    server.put_file("both/c.txt", b"changed there");
    let out = run();
    assert_eq!(
        code(&out),
        3,
        "{kind}: a conflict exits 3: {}",
        text(&out.stderr)
    );
    let (actions, _) = plan(&out);
    assert_eq!(
        actions,
        sorted(&[
            "conflict c.txt changed-both",
            "delete-local b.txt deleted",
            "delete-remote a.txt deleted",
        ]),
        "{kind}"
    );
    let here = files(local.path());
    assert!(
        !here.contains_key("a.txt") && !here.contains_key("b.txt"),
        "{kind}: {here:?}"
    );
    assert_eq!(
        here["c.txt"].as_deref(),
        Some(&b"changed here, locally"[..])
    );
    let copies: Vec<&String> = here
        .keys()
        .filter(|k| k.starts_with("c (remote "))
        .collect();
    assert_eq!(copies.len(), 1, "{kind}: {here:?}");
    assert_eq!(here[copies[0]].as_deref(), Some(&b"changed there"[..]));
    assert!(
        text(&out.stderr).contains("conflict"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        files(&server.path("both")),
        here,
        "{kind}: both sides keep both"
    );

    let out = run();
    assert_eq!(code(&out), 0, "{kind}: {}", text(&out.stderr));
    assert_eq!(plan(&out).0, Vec::<String>::new(), "{kind}: nothing after");
}

#[test]
fn two_way_on_vsftpd() {
    two_way(ServerKind::Vsftpd, 29_300);
}

#[test]
fn two_way_on_proftpd() {
    two_way(ServerKind::Proftpd, 29_400);
}

#[test]
fn one_way_on_pure_ftpd() {
    one_way(ServerKind::PureFtpd, 29_700);
}

#[test]
fn two_way_on_pure_ftpd() {
    two_way(ServerKind::PureFtpd, 29_800);
}

/// A LIST-only server whose clock prints UTC+8, to the minute, and whose
/// MDTM answers in UTC (as RFC 3659 says): the offset is found and reported,
/// and a file that is the same on both sides is not "newer".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_offset_is_found_with_mdtm() {
    use support::fake::{self, Conn};
    // Ten days ago, so the listing prints a time of day (not a year).
    let utc = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(10);
    let utc = chrono::NaiveDateTime::parse_from_str(
        &utc.format("%Y-%m-%d %H:%M:42").to_string(),
        "%Y-%m-%d %H:%M:%S",
    )
    .expect("time");
    let shown = (utc + chrono::TimeDelta::hours(8))
        .format("%b %e %H:%M")
        .to_string();
    let mdtm = utc.format("%Y%m%d%H%M%S").to_string();
    let server = fake::start(move |mut conn: Conn| {
        let (shown, mdtm) = (shown.clone(), mdtm.clone());
        async move {
            conn.greet().await;
            while let Some(line) = conn.recv().await {
                if line == "FEAT" {
                    conn.send("211-Features:\r\n MDTM\r\n SIZE\r\n211 End")
                        .await;
                } else if line == "MDTM /clock/a.txt" {
                    conn.send(&format!("213 {mdtm}")).await;
                } else if line == "EPSV" {
                    let listing = format!("-rw-r--r-- 1 u g 5 {shown} a.txt\r\n");
                    conn.serve_data(|_| listing.into_bytes()).await;
                } else {
                    conn.routine(&line).await;
                }
            }
        }
    })
    .await;
    let data = tempfile::tempdir().expect("tmp");
    let local = tempfile::tempdir().expect("tmp");
    write(local.path(), "a.txt", b"hello");
    let file = std::fs::File::options()
        .write(true)
        .open(local.path().join("a.txt"))
        .expect("open");
    let at = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(utc.and_utc().timestamp().try_into().expect("after 1970"));
    file.set_modified(at).expect("set time");
    drop(file);
    let url = format!("ftp://{}/clock", server.addr);
    let dir = local.path().to_str().expect("utf-8").to_string();
    let run = move |extra: &'static [&'static str]| {
        let (url, dir, data) = (url.clone(), dir.clone(), data.path().to_path_buf());
        tokio::task::spawn_blocking(move || {
            let mut args = vec!["sync", "--dry-run", "--json"];
            args.extend_from_slice(extra);
            args.extend_from_slice(&[&url, &dir]);
            skiff(&args, &data)
        })
    };
    let out = run(&[]).await.expect("join");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(plan(&out).0, Vec::<String>::new(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("+08:00") && stderr.contains("MDTM"),
        "{stderr}"
    );
    // Without the offset, the same file looks eight hours newer there.
    let out = run(&["--list-offset", "0"]).await.expect("join");
    assert_eq!(
        plan(&out).0,
        sorted(&["download a.txt newer"]),
        "{}",
        text(&out.stderr)
    );
}

/// `--compare checksum` and `--verify` with proftpd's mod_digest (HASH,
/// SHA-1 selected), and plainly said when a server (vsftpd) offers none.
#[test]
fn checksums_compare_and_verify() {
    let data = tempfile::tempdir().expect("tmp");
    if let Some(server) = RealServer::start(ServerKind::Proftpd, 29_500) {
        server.put_file("sums/same.txt", b"hello");
        server.put_file("sums/diff.txt", b"abcde");
        let local = tempfile::tempdir().expect("tmp");
        write(local.path(), "same.txt", b"hello");
        write(local.path(), "diff.txt", b"vwxyz");
        let url = format!("{}sums", server.url());
        let dir = local.path().to_str().expect("utf-8");
        let args = [
            "sync",
            "--json",
            "--compare",
            "checksum",
            "--verify",
            &url,
            dir,
        ];
        let out = skiff(&[&args[..], &["--dry-run"]].concat(), data.path());
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        assert_eq!(
            plan(&out).0,
            sorted(&["download diff.txt checksum"]),
            "{}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("compared 2 files by SHA-1 (HASH)"),
            "{stderr}"
        );
        let out = skiff(&args, data.path());
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("verified 1 transferred files by SHA-1 (HASH)"),
            "{stderr}"
        );
        assert_eq!(files(local.path()), files(&server.path("sums")));
        // Without checksums the same-size files look alike.
        write(local.path(), "diff.txt", b"vwxyz");
        let out = skiff(
            &[
                "sync",
                "--json",
                "--compare",
                "size",
                "--dry-run",
                &url,
                dir,
            ],
            data.path(),
        );
        assert_eq!(plan(&out).0, Vec::<String>::new());
    }
    if let Some(server) = RealServer::start(ServerKind::Vsftpd, 29_600) {
        server.put_file("sums/a.txt", b"abcde");
        let local = tempfile::tempdir().expect("tmp");
        write(local.path(), "a.txt", b"vwxyz");
        let url = format!("{}sums", server.url());
        let dir = local.path().to_str().expect("utf-8");
        let out = skiff(
            &[
                "sync",
                "--json",
                "--compare",
                "checksum",
                "--dry-run",
                &url,
                dir,
            ],
            data.path(),
        );
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        assert_eq!(plan(&out).0, Vec::<String>::new(), "compared by size");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("offers no checksum command"), "{stderr}");
        std::fs::remove_file(local.path().join("a.txt")).expect("rm");
        let out = skiff(&["sync", "--verify", &url, dir], data.path());
        assert_eq!(code(&out), 0, "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("were not verified"), "{stderr}");
    }
}

/// A hostile server: names that would escape the folder or carry control
/// characters are skipped and reported, never written; a file that arrives
/// shorter than listed is a failure (exit 1), never a finished file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_server_cannot_escape_or_pass_off_a_short_file() {
    use support::fake::{self, Conn};
    let server = fake::start(|mut conn: Conn| async move {
        conn.greet().await;
        while let Some(line) = conn.recv().await {
            if let Some(path) = line.strip_prefix("CWD ") {
                let known = matches!(path, "/" | "/h");
                conn.send(if known { "250 ok" } else { "550 no" }).await;
            } else if let Some(path) = line.strip_prefix("SIZE ") {
                match path {
                    "/h/ok.txt" => conn.send("213 2").await,
                    "/h/short.txt" => conn.send("213 10").await,
                    _ => conn.send("550 no").await,
                }
            } else if line.starts_with("MDTM") {
                conn.send("550 no").await;
            } else if line == "EPSV" {
                conn.serve_data(|command| match command {
                    "MLSD" | "MLSD /h" => concat!(
                        "type=file;size=2;modify=20261101000000; ok.txt\r\n",
                        "type=file;size=10;modify=20261101000000; short.txt\r\n",
                        "type=file;size=1;modify=20261101000000; ../escape.txt\r\n",
                        "type=file;size=1;modify=20261101000000; bell\x07.txt\r\n",
                    )
                    .as_bytes()
                    .to_vec(),
                    "RETR /h/ok.txt" => b"ok".to_vec(),
                    "RETR /h/short.txt" => b"abc".to_vec(),
                    _ => b"x".to_vec(),
                })
                .await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await;
    let data = tempfile::tempdir().expect("tmp");
    let outer = tempfile::tempdir().expect("tmp");
    let local = outer.path().join("in");
    let url = format!("ftp://{}/%2Fh", server.addr);
    let dir = local.to_str().expect("utf-8").to_string();
    let data_dir = data.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        skiff(&["sync", "--json", "--retries", "0", &url, &dir], &data_dir)
    })
    .await
    .expect("join");
    let stderr = text(&out.stderr);
    assert_eq!(code(&out), 1, "a short file is a failure: {stderr}");
    let (actions, _) = plan(&out);
    let unsafe_names = actions
        .iter()
        .filter(|a| a.ends_with(" unsafe-name"))
        .count();
    assert_eq!(unsafe_names, 2, "{actions:?}");
    assert_eq!(
        stderr.matches("not safe as a local file name").count(),
        2,
        "{stderr}"
    );
    assert!(
        actions.contains(&"download ok.txt missing".to_string()),
        "{actions:?}"
    );
    assert_eq!(std::fs::read(local.join("ok.txt")).expect("ok.txt"), b"ok");
    assert!(
        !local.join("short.txt").exists(),
        "a short file never has its name"
    );
    let outside: Vec<_> = std::fs::read_dir(outer.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(outside, ["in"], "nothing beside the folder");
    let inside: Vec<String> = std::fs::read_dir(&local)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".skiffpart"))
        .collect();
    assert_eq!(inside, ["ok.txt"], "{stderr}");
}

/// One way, a folder's files are queued as soon as it is listed: the
/// server holds the listing of `z` until `a.txt` (listed before it) has
/// been downloaded on another connection. A sync that walks everything
/// before it transfers would wait out the hold (5 s) first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_start_while_the_walk_goes_on() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use support::fake::{self, Conn};
    use tokio::io::AsyncWriteExt;
    let fetched = Arc::new(tokio::sync::Notify::new());
    let in_time = Arc::new(AtomicBool::new(false));
    let (fetched_s, in_time_s) = (Arc::clone(&fetched), Arc::clone(&in_time));
    let server = fake::start(move |mut conn: Conn| {
        let (fetched, in_time) = (Arc::clone(&fetched_s), Arc::clone(&in_time_s));
        async move {
            conn.greet().await;
            let mut cwd = "/".to_string();
            while let Some(line) = conn.recv().await {
                if let Some(path) = line.strip_prefix("CWD ") {
                    let known = matches!(path, "/" | "/h" | "/h/z");
                    if known {
                        cwd = path.to_string();
                    }
                    conn.send(if known { "250 ok" } else { "550 no" }).await;
                } else if line.starts_with("SIZE") || line.starts_with("MDTM") {
                    conn.send("550 no").await;
                } else if line == "EPSV" {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("bind");
                    let port = listener.local_addr().expect("addr").port();
                    conn.send(&format!("229 ok (|||{port}|)")).await;
                    let Some(mut command) = conn.recv().await else {
                        return;
                    };
                    if command == "MLSD" {
                        command = format!("MLSD {cwd}");
                    }
                    let body: &[u8] = match command.as_str() {
                        "MLSD /h" => concat!(
                            "type=file;size=2;modify=20261101000000; a.txt\r\n",
                            "type=dir;modify=20261101000000; z\r\n",
                        )
                        .as_bytes(),
                        "MLSD /h/z" => {
                            let wait = std::time::Duration::from_secs(5);
                            let notified = tokio::time::timeout(wait, fetched.notified()).await;
                            in_time.store(notified.is_ok(), Ordering::SeqCst);
                            b"type=file;size=1;modify=20261101000000; b.txt\r\n"
                        }
                        "RETR /h/a.txt" => b"ok",
                        "RETR /h/z/b.txt" => b"b",
                        _ => b"",
                    };
                    conn.send("150 here").await;
                    let mut data = fake::accept(&listener).await;
                    let _ = data.write_all(body).await;
                    drop(data);
                    conn.send("226 done").await;
                    if command == "RETR /h/a.txt" {
                        fetched.notify_one();
                    }
                } else {
                    conn.routine(&line).await;
                }
            }
        }
    })
    .await;
    let data = tempfile::tempdir().expect("tmp");
    let local = tempfile::tempdir().expect("tmp");
    let url = format!("ftp://{}/%2Fh", server.addr);
    let dir = local.path().to_str().expect("utf-8").to_string();
    let data_dir = data.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        skiff(
            &["sync", "--json", "--parallel", "2", &url, &dir],
            &data_dir,
        )
    })
    .await
    .expect("join");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(
        plan(&out).0,
        sorted(&[
            "download a.txt missing",
            "mkdir-local z missing",
            "download z/b.txt missing"
        ]),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(local.path().join("a.txt")).expect("a"), b"ok");
    assert_eq!(
        std::fs::read(local.path().join("z/b.txt")).expect("b"),
        b"b"
    );
    assert!(
        in_time.load(Ordering::SeqCst),
        "a.txt was downloaded while z was still being listed"
    );
}

/// A file on one side and a folder on the other is a conflict that touches
/// neither, one way with --delete as well as two-way (WinSCP's rule: a
/// folder is never deleted to put a file in its place, nor a file to put
/// a folder).
#[test]
fn a_file_against_a_folder_is_a_conflict_that_loses_nothing() {
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 29_900) else {
        return;
    };
    let data = tempfile::tempdir().expect("tmp");
    let local = tempfile::tempdir().expect("tmp");
    // "a" is a file here and a folder there; "b" the other way round.
    write(local.path(), "a", b"local file a");
    write(local.path(), "b/inside.txt", b"local file in folder b");
    server.put_file("kinds/a/keep.txt", b"remote file in folder a");
    server.put_file("kinds/b", b"remote file b");
    let url = format!("{}kinds", server.url());
    let dir = local.path().to_str().expect("utf-8");
    let (local_before, remote_before) = (files(local.path()), files(&server.path("kinds")));
    for extra in [
        &["--delete"][..],
        &["--delete", "--dry-run"][..],
        &[][..],
        &["--two-way"][..],
    ] {
        for (src, dest) in [(dir, url.as_str()), (url.as_str(), dir)] {
            if extra == ["--two-way"] && src != dir {
                continue;
            }
            let mut args = vec!["sync", "--json"];
            args.extend_from_slice(extra);
            args.extend([src, dest]);
            let out = skiff(&args, data.path());
            let stderr = text(&out.stderr);
            // A dry run that worked exits 0; a run that leaves a conflict, 3.
            let want = if extra.contains(&"--dry-run") { 0 } else { 3 };
            assert_eq!(code(&out), want, "{args:?}: {stderr}");
            let (actions, summary) = plan(&out);
            assert_eq!(
                actions,
                sorted(&["conflict a kind", "conflict b kind"]),
                "{args:?}: nothing below either is planned"
            );
            assert_eq!(summary["conflict"], 2, "{args:?}");
            assert_eq!(
                stderr
                    .matches("a file on one side and a folder on the other")
                    .count(),
                2,
                "{args:?}: {stderr}"
            );
            assert_eq!(
                files(local.path()),
                local_before,
                "{args:?}: local untouched"
            );
            assert_eq!(
                files(&server.path("kinds")),
                remote_before,
                "{args:?}: remote untouched"
            );
        }
    }
}
