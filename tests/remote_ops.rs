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
