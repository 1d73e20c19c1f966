//! Transfers at scale, through the binary: every overwrite policy against a
//! prepared folder, the speed limit, and a 10,000-file tree with 8
//! connections against a real vsftpd.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};
use support::servers::{RealServer, ServerKind};
use support::unftp;

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
