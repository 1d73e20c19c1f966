//! The `skiff` binary's command line, run as a script would, against an
//! in-process server: output formats, exit codes, `cp -r` semantics, safety.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::unftp::{self, InProcServer};

/// Runs the binary off the async runtime (the server lives on it).
async fn skiff(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_skiff"))
            .args(&args)
            .env_remove("SKIFF_PASSWORD")
            // No user's settings.toml: a test passes its own folder to use one.
            .env("SKIFF_CONFIG_DIR", "/nonexistent-skiff-test")
            .envs(env)
            .output()
            .expect("run skiff")
    })
    .await
    .expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn url(server: &InProcServer, path: &str) -> String {
    format!(
        "ftp://{}:{}@{}/{}",
        unftp::USER,
        unftp::PASSWORD,
        server.addr,
        path
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_prints_lines_and_json() {
    let server = unftp::start().await;
    std::fs::create_dir_all(server.root.join("d/sub")).expect("mkdir");
    std::fs::write(server.root.join("d/a.txt"), b"12345").expect("write");
    let out = skiff(args(&["ls", "--json", &url(&server, "d")]), vec![]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut items = items.as_array().expect("array").clone();
    items.sort_by_key(|i| i["name"].as_str().unwrap_or_default().to_string());
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["name"], "a.txt");
    assert_eq!(items[0]["type"], "file");
    assert_eq!(items[0]["size"], 5);
    let modified = items[0]["modified"].as_str().expect("modified");
    assert!(
        chrono::DateTime::parse_from_rfc3339(modified).is_ok(),
        "RFC 3339: {modified}"
    );
    assert!(items[0].get("permissions").is_some() && items[0].get("target").is_some());
    assert_eq!(items[1]["name"], "sub");
    assert_eq!(items[1]["type"], "dir");

    let out = skiff(args(&["ls", &url(&server, "d/")]), vec![]).await;
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with('-') && l.ends_with(" a.txt")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with('d') && l.ends_with(" sub")),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_put_files_with_policies_and_exit_codes() {
    let server = unftp::start().await;
    std::fs::write(server.root.join("f.txt"), b"remote v1").expect("write");
    let local = tempfile::tempdir().expect("tmp");
    let dir = format!("{}/", local.path().display());

    // Into an existing folder (DIR/).
    let out = skiff(args(&["get", &url(&server, "f.txt"), &dir]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(local.path().join("f.txt")).expect("read"),
        b"remote v1"
    );

    // Again: skipped with a warning and exit 3; the local file is untouched.
    std::fs::write(local.path().join("f.txt"), b"local edit").expect("write");
    let out = skiff(args(&["get", &url(&server, "f.txt"), &dir]), vec![]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("skipped"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(local.path().join("f.txt")).expect("read"),
        b"local edit"
    );

    // Only the user's choice replaces it.
    let out = skiff(
        args(&[
            "--overwrite",
            "overwrite",
            "get",
            &url(&server, "f.txt"),
            &dir,
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(local.path().join("f.txt")).expect("read"),
        b"remote v1"
    );

    // To an explicit file name; a missing folder named with / is an error.
    let named = local.path().join("named.txt");
    let out = skiff(
        args(&["get", &url(&server, "f.txt"), named.to_str().expect("utf8")]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(named.is_file());
    let missing = format!("{}/nope/", local.path().display());
    let out = skiff(args(&["get", &url(&server, "f.txt"), &missing]), vec![]).await;
    assert_eq!(out.status.code(), Some(1));

    // put into a folder URL, and to a name.
    std::fs::create_dir_all(server.root.join("in")).expect("mkdir");
    let out = skiff(
        args(&["put", named.to_str().expect("utf8"), &url(&server, "in/")]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(server.root.join("in/named.txt")).expect("read"),
        b"remote v1"
    );
    let out = skiff(
        args(&[
            "put",
            named.to_str().expect("utf8"),
            &url(&server, "in/other.txt"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(server.root.join("in/other.txt").is_file());
    // Existing remote file: skipped by default.
    let out = skiff(
        args(&[
            "put",
            named.to_str().expect("utf8"),
            &url(&server, "in/other.txt"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(3));
}

/// The CLI's defaults come from the window's `settings.toml`; flags override
/// them; a file that cannot be read is reported and left where it is.
#[tokio::test(flavor = "multi_thread")]
async fn settings_toml_gives_the_defaults_and_flags_override_them() {
    let server = unftp::start().await;
    std::fs::write(server.root.join("f.txt"), b"remote\n").expect("write");
    let local = tempfile::tempdir().expect("tmp");
    let config = tempfile::tempdir().expect("tmp");
    let dir = format!("{}/", local.path().display());
    let env = || vec![("SKIFF_CONFIG_DIR", config.path().display().to_string())];
    std::fs::write(local.path().join("f.txt"), b"local edit").expect("write");
    std::fs::write(
        config.path().join("settings.toml"),
        "[transfers]\ndownload_exists = \"overwrite\"\nupload_exists = \"ask\"\n",
    )
    .expect("settings");

    // The flag wins over the settings: skipped, the local file untouched.
    let out = skiff(
        args(&["get", "--overwrite", "skip", &url(&server, "f.txt"), &dir]),
        env(),
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(local.path().join("f.txt")).expect("read"),
        b"local edit"
    );
    // Without the flag the settings' "overwrite" applies to downloads...
    let out = skiff(args(&["get", &url(&server, "f.txt"), &dir]), env()).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(local.path().join("f.txt")).expect("read"),
        b"remote\n"
    );
    // ...and "ask" for uploads is a skip, since a script cannot be asked.
    let out = skiff(
        args(&[
            "put",
            local.path().join("f.txt").to_str().expect("utf8"),
            &url(&server, "f.txt"),
        ]),
        env(),
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));

    // A corrupt file: a warning naming it, the built-in defaults (skip), and
    // the file stays where it is.
    let corrupt = "[transfers\ndownload_exists = overwrite\n";
    std::fs::write(config.path().join("settings.toml"), corrupt).expect("settings");
    std::fs::write(local.path().join("f.txt"), b"local edit").expect("write");
    let out = skiff(args(&["get", &url(&server, "f.txt"), &dir]), env()).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("settings could not be read") && stderr.contains("settings.toml"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(config.path().join("settings.toml")).expect("kept"),
        corrupt
    );
}

fn tree_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            for inner in tree_files(&path) {
                out.push(format!(
                    "{}/{inner}",
                    path.file_name().expect("name").to_string_lossy()
                ));
            }
        } else {
            out.push(
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_get_and_put_copy_like_cp_r() {
    let server = unftp::start().await;
    for rel in ["proj/a.txt", "proj/src/b.rs", "proj/src/deep/c.md"] {
        let path = server.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, rel.as_bytes()).expect("write");
    }
    let local = tempfile::tempdir().expect("tmp");
    let existing = local.path().join("existing");
    std::fs::create_dir_all(&existing).expect("mkdir");

    // Into an existing folder: existing/proj/...
    let out = skiff(
        args(&[
            "get",
            "-r",
            "--parallel",
            "3",
            &url(&server, "proj"),
            existing.to_str().expect("utf8"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        tree_files(&existing),
        vec!["proj/a.txt", "proj/src/b.rs", "proj/src/deep/c.md"]
    );
    // To a new name: the folder becomes that name.
    let fresh = local.path().join("fresh");
    let out = skiff(
        args(&[
            "get",
            "-r",
            &url(&server, "proj"),
            fresh.to_str().expect("utf8"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        tree_files(&fresh),
        vec!["a.txt", "src/b.rs", "src/deep/c.md"]
    );
    // A folder without -r is an error.
    let out = skiff(
        args(&["get", &url(&server, "proj"), fresh.to_str().expect("utf8")]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("use get -r"),
        "{}",
        text(&out.stderr)
    );

    // put -r to a new remote folder, then into an existing one.
    let out = skiff(
        args(&[
            "put",
            "-r",
            fresh.to_str().expect("utf8"),
            &url(&server, "uploaded"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        tree_files(&server.root.join("uploaded")),
        vec!["a.txt", "src/b.rs", "src/deep/c.md"]
    );
    let out = skiff(
        args(&[
            "put",
            "-r",
            fresh.to_str().expect("utf8"),
            &url(&server, "uploaded"),
        ]),
        vec![],
    )
    .await;
    // "uploaded" exists now, so as with cp -r the copy lands in uploaded/fresh.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        tree_files(&server.root.join("uploaded/fresh")),
        vec!["a.txt", "src/b.rs", "src/deep/c.md"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsafe_names_are_skipped_with_exit_3() {
    let server = unftp::start().await;
    std::fs::create_dir_all(server.root.join("d")).expect("mkdir");
    std::fs::write(server.root.join("d/good.txt"), b"ok").expect("write");
    std::fs::write(server.root.join("d/bad\u{1}name"), b"evil").expect("write");
    let local = tempfile::tempdir().expect("tmp");
    let dest = local.path().join("out");
    let out = skiff(
        args(&[
            "get",
            "-r",
            &url(&server, "d"),
            dest.to_str().expect("utf8"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("control character"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(tree_files(&dest), vec!["good.txt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_log_masks_the_password_from_the_environment() {
    let server = unftp::start().await;
    let bare = format!("ftp://{}@{}/", unftp::USER, server.addr);
    let out = skiff(
        args(&["-v", "ls", &bare]),
        vec![("SKIFF_PASSWORD", unftp::PASSWORD.to_string())],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("> PASS ****"), "{stderr}");
    assert!(stderr.contains("< 230"), "{stderr}");
    assert!(!stderr.contains(unftp::PASSWORD), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_line_with_cause_first() {
    let server = unftp::start().await;
    let wrong = format!("ftp://{}:nope@{}/", unftp::USER, server.addr);
    let out = skiff(args(&["ls", &wrong]), vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("skiff: login refused: 530"), "{stderr}");
    assert!(!stderr.contains("nope"), "no password in errors: {stderr}");

    // A closed port: the cause first, the host last.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let out = skiff(args(&["ls", &format!("ftp://127.0.0.1:{port}/")]), vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("skiff: could not connect"), "{stderr}");
    assert!(
        stderr.trim_end().ends_with(&format!("127.0.0.1:{port}")),
        "{stderr}"
    );

    let out = skiff(args(&["ls", "http://example.invalid/"]), vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("skiff: bad URL"));
}

// ---- Hostile servers, rows 29-33 of the shared table ----

/// Hostile-servers row 29: `ls` never writes a raw control byte (ESC, BEL,
/// an OSC 52 clipboard write, a bidi override) to the terminal; `--json`
/// keeps the exact names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_escapes_terminal_controls_and_json_keeps_exact_names() {
    let server = unftp::start().await;
    let names = [
        "esc\x1b[2Jcleared",
        "bell\x07",
        "clip\x1b]52;c;aGk=\x07",
        "evil\u{202e}txt.exe",
    ];
    std::fs::create_dir_all(server.root.join("d")).expect("mkdir");
    for name in names {
        std::fs::write(server.root.join("d").join(name), b"x").expect("write");
    }
    let out = skiff(args(&["ls", &url(&server, "d")]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for byte in [0x1b, 0x07] {
        assert!(
            !out.stdout.contains(&byte),
            "raw {byte:#x} on stdout: {:?}",
            text(&out.stdout)
        );
    }
    let stdout = text(&out.stdout);
    assert!(!stdout.contains('\u{202e}'), "{stdout}");
    for shown in [
        "esc\\x1b[2Jcleared",
        "bell\\x07",
        "clip\\x1b]52;c;aGk=\\x07",
        "evil\\u{202e}txt.exe",
    ] {
        assert!(stdout.contains(shown), "{shown} in {stdout}");
    }

    let out = skiff(args(&["ls", "--json", &url(&server, "d")]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let mut got: Vec<String> = items
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_string())
        .collect();
    got.sort();
    let mut want: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "exact names round-trip through JSON");
}

use support::fake::{self, Conn};

/// A scripted server for the CLI: `dir(path)` gives a folder's MLSD listing
/// (or `None`: not a folder, CWD refused), `file(command)` a RETR's bytes,
/// `size(path)` a SIZE answer.
async fn scripted(
    dir: fn(&str) -> Option<Vec<u8>>,
    file: fn(&str) -> Vec<u8>,
    size: fn(&str) -> Option<u64>,
) -> fake::Fake {
    fake::start(move |mut conn: Conn| async move {
        conn.greet().await;
        let mut cwd = String::from("/");
        while let Some(line) = conn.recv().await {
            if let Some(path) = line.strip_prefix("CWD ") {
                if dir(path).is_some() {
                    cwd = path.to_string();
                    conn.send("250 ok").await;
                } else {
                    conn.send("550 not a folder").await;
                }
            } else if let Some(path) = line.strip_prefix("SIZE ") {
                match size(path) {
                    Some(n) => conn.send(&format!("213 {n}")).await,
                    None => conn.send("550 no").await,
                }
            } else if line.starts_with("MDTM") {
                conn.send("550 no").await;
            } else if line == "EPSV" {
                let listing = dir(&cwd).unwrap_or_default();
                conn.serve_data(|command| {
                    if command.starts_with("MLSD") {
                        listing
                    } else {
                        file(command)
                    }
                })
                .await;
            } else {
                conn.routine(&line).await;
            }
        }
    })
    .await
}

fn fake_url(server: &fake::Fake, path: &str) -> String {
    format!("ftp://{}/{path}", server.addr)
}

/// Hostile-servers row 31: sizes past 2^64 or below zero are listed with
/// an unknown size, not dropped and not another number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_out_of_range_list_as_unknown() {
    let server = scripted(
        |dir| {
            (dir == "/d").then(|| {
                b"type=file;size=18446744073709551616; huge\r\ntype=file;size=-1; negative\r\ntype=file;size=5; fine\r\n"
                    .to_vec()
            })
        },
        |_| Vec::new(),
        |_| None,
    )
    .await;
    let out = skiff(args(&["ls", "--json", &fake_url(&server, "d")]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let sizes: Vec<(String, serde_json::Value)> = items
        .as_array()
        .expect("array")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap_or_default().to_string(),
                i["size"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        vec![
            ("huge".to_string(), serde_json::Value::Null),
            ("negative".to_string(), serde_json::Value::Null),
            ("fine".to_string(), serde_json::json!(5)),
        ]
    );
}

/// Hostile-servers row 32: names that are not UTF-8 (Latin-1 `café`, `cafè`)
/// with no charset set arrive as two local files with the server's exact
/// bytes; the listing shows them escaped and the log names the likely charset.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_in_an_undeclared_charset_keep_their_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let server = scripted(
        |dir| {
            (dir == "/d").then(|| {
                b"type=file;size=3; caf\xe9.txt\r\ntype=file;size=3; caf\xe8.txt\r\n".to_vec()
            })
        },
        |_| b"abc".to_vec(),
        |_| None,
    )
    .await;
    let out = skiff(args(&["ls", &fake_url(&server, "d")]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("caf\\xe9.txt") && stdout.contains("caf\\xe8.txt"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("set the site's charset"), "{stderr}");
    assert!(stderr.contains("look like"), "{stderr}");

    let local = tempfile::tempdir().expect("tmp");
    let dest = local.path().join("out");
    let out = skiff(
        args(&[
            "get",
            "-r",
            &fake_url(&server, "d"),
            dest.to_str().expect("utf8"),
        ]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut got: Vec<Vec<u8>> = std::fs::read_dir(&dest)
        .expect("dest")
        .map(|e| e.expect("entry").file_name().as_bytes().to_vec())
        .collect();
    got.sort();
    assert_eq!(got, vec![b"caf\xe8.txt".to_vec(), b"caf\xe9.txt".to_vec()]);
}

/// Hostile-servers row 30: a link inside the destination that leads outside
/// it is never written through: nothing lands outside, the run names the
/// path and exits 3.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_leaving_the_destination_is_not_written_through() {
    let server = scripted(
        |dir| match dir {
            "/d" => Some(b"type=dir; sub\r\ntype=file;size=3; top.txt\r\n".to_vec()),
            "/d/sub" => Some(b"type=file;size=3; planted.txt\r\n".to_vec()),
            _ => None,
        },
        |_| b"abc".to_vec(),
        |_| None,
    )
    .await;
    let local = tempfile::tempdir().expect("tmp");
    let outside = local.path().join("outside");
    let dest = local.path().join("dest");
    std::fs::create_dir_all(dest.join("d")).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::os::unix::fs::symlink("../../outside", dest.join("d/sub")).expect("link");
    let out = skiff(
        args(&[
            "get",
            "-r",
            &fake_url(&server, "d"),
            &format!("{}/", dest.display()),
        ]),
        vec![],
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("outside the destination"), "{stderr}");
    assert!(stderr.contains("d/sub"), "names the path: {stderr}");
    assert_eq!(
        std::fs::read_dir(&outside).expect("outside").count(),
        0,
        "nothing written outside"
    );
    assert_eq!(std::fs::read(dest.join("d/top.txt")).expect("top"), b"abc");
}

/// Hostile-servers row 33: a file larger than SIZE said arrives whole, with a
/// warning, and counts as done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_larger_than_announced_is_kept_whole() {
    let server = scripted(
        |dir| (dir == "/").then(Vec::new),
        |_| (0..1024 * 1024).map(|i| (i % 251) as u8).collect(),
        |path| (path == "/big.bin").then_some(512 * 1024),
    )
    .await;
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("big.bin");
    let out = skiff(
        args(&[
            "get",
            &fake_url(&server, "big.bin"),
            target.to_str().expect("utf8"),
        ]),
        vec![],
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("larger than the server announced"),
        "{stderr}"
    );
    let got = std::fs::read(&target).expect("kept");
    let want: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    assert!(
        got == want,
        "every byte kept: {} of {}",
        got.len(),
        want.len()
    );
    assert!(!local.path().join("big.bin.skiffpart").exists());
}
