//! The `skiff` binary over SFTP, as a script runs it, against a real
//! OpenSSH server on loopback (`tests/support/sshd.rs`), each test on its
//! own port: `ls --json`, 64 MiB each way checked by SHA-256, recursive
//! `get -r` and `put -r`, the remote operations, a download resumed after
//! the server's session process was killed, `sync` both ways, key logins,
//! and host keys (unknown refused, trusted by fingerprint, changed refused
//! with both fingerprints); at a terminal (a pseudo-terminal from `script`),
//! the host-key question and the key's passphrase.
//!
//! Every run gets a `HOME` of its own, so `~/.ssh/known_hosts` is the
//! test's: most tests write the server's key there first.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};
use support::sshd::{self, Sshd};
use support::tree::{files, write};

/// A client's own folders: `HOME` (with `.ssh/known_hosts`) and Skiff's
/// data folder.
struct Client {
    home: tempfile::TempDir,
}

impl Client {
    /// A client that knows `server`'s host key.
    fn knowing(server: &Sshd) -> Client {
        let client = Client::new();
        let ssh = client.home.path().join(".ssh");
        std::fs::create_dir_all(&ssh).expect("mkdir .ssh");
        std::fs::write(ssh.join("known_hosts"), server.known_hosts_line()).expect("known_hosts");
        client
    }

    /// A client that knows no host.
    fn new() -> Client {
        Client {
            home: tempfile::tempdir().expect("tmp"),
        }
    }

    fn known_hosts(&self) -> PathBuf {
        self.home.path().join(".ssh/known_hosts")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_skiff"));
        command
            .args(args)
            .env_remove("SKIFF_PASSWORD")
            .env_remove("SKIFF_KEY_PASSPHRASE")
            .env_remove("SSH_AUTH_SOCK")
            .env("HOME", self.home.path())
            .env("SKIFF_CONFIG_DIR", self.home.path().join("config"))
            .env("SKIFF_DATA_DIR", self.home.path().join("data"));
        command
    }

    /// Runs `skiff args` to its end (no terminal: nothing is asked).
    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run skiff")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn ok(out: &Output, what: &str) {
    assert_eq!(
        code(out),
        0,
        "{what}: {}{}",
        text(&out.stderr),
        text(&out.stdout)
    );
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn sha256_file(path: &Path) -> Vec<u8> {
    sha256(&std::fs::read(path).expect("read"))
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
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

#[test]
fn ls_json_big_get_and_put_and_remote_operations() {
    let server = Sshd::start(34_100);
    let client = Client::knowing(&server);
    server.put_file("d/a.txt", b"12345");
    std::fs::create_dir_all(server.path("d/sub")).expect("mkdir");
    std::os::unix::fs::symlink("a.txt", server.path("d/link")).expect("symlink");
    server.fix_permissions();

    let out = client.run(&["ls", "--json", &server.url("d")]);
    ok(&out, "ls --json");
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut items = items.as_array().expect("array").clone();
    items.sort_by_key(|i| i["name"].as_str().unwrap_or_default().to_string());
    let names: Vec<&str> = items
        .iter()
        .map(|i| i["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["a.txt", "link", "sub"], "{items:?}");
    assert_eq!(items[0]["type"], "file");
    assert_eq!(items[0]["size"], 5);
    assert_eq!(items[1]["type"], "symlink");
    assert_eq!(items[2]["type"], "dir");
    // A URL relative to the login folder (`~`) names the same folder.
    let home = format!(
        "sftp://{}:{}@127.0.0.1:{}/~/d",
        sshd::USER,
        sshd::PASSWORD,
        server.port
    );
    let out = client.run(&["ls", &home]);
    ok(&out, "ls ~/d");
    assert!(text(&out.stdout).contains("a.txt"), "{}", text(&out.stdout));

    // 64 MiB up, then down again, compared by SHA-256.
    let local = tempfile::tempdir().expect("tmp");
    let big = random_bytes(64 * 1024 * 1024, 7);
    let source = local.path().join("big.bin");
    std::fs::write(&source, &big).expect("write");
    let out = client.run(&["mkdir", &server.url("up")]);
    ok(&out, "mkdir up");
    let out = client.run(&["put", source.to_str().expect("utf-8"), &server.url("up/")]);
    ok(&out, "put 64 MiB");
    assert_eq!(sha256_file(&server.path("up/big.bin")), sha256(&big), "put");
    let down = local.path().join("back.bin");
    let out = client.run(&[
        "get",
        &server.url("up/big.bin"),
        down.to_str().expect("utf-8"),
    ]);
    ok(&out, "get 64 MiB");
    assert_eq!(sha256_file(&down), sha256(&big), "get");

    // mkdir with parents, mv, chmod, rm -r.
    let out = client.run(&["mkdir", "-p", &server.url("m/n/o")]);
    ok(&out, "mkdir -p");
    assert!(server.path("m/n/o").is_dir());
    let out = client.run(&["mv", &server.url("d/a.txt"), &server.url("m/n/b.txt")]);
    ok(&out, "mv");
    assert!(!server.path("d/a.txt").exists());
    assert_eq!(
        std::fs::read(server.path("m/n/b.txt")).expect("moved"),
        b"12345"
    );
    let out = client.run(&["chmod", "640", &server.url("m/n/b.txt")]);
    ok(&out, "chmod");
    let mode = std::fs::metadata(server.path("m/n/b.txt"))
        .expect("stat")
        .permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o640
    );
    let out = client.run(&["cat", &server.url("m/n/b.txt")]);
    ok(&out, "cat");
    assert_eq!(out.stdout, b"12345");
    let out = client.run(&["rm", "-r", &server.url("m")]);
    ok(&out, "rm -r");
    assert!(!server.path("m").exists(), "rm -r left the folder");
    // rm -r of a folder with a link deletes the link, not its target.
    let out = client.run(&["rm", "-r", &server.url("d")]);
    ok(&out, "rm -r with a link");
    assert!(!server.path("d").exists());

    // A typed FTP command has no SFTP form: refused, nothing sent.
    let out = client.run(&["quote", &server.url(""), "SITE HELP"]);
    assert_ne!(code(&out), 0);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("only in FTP"), "{stderr}");
}

#[test]
fn recursive_get_and_put_of_a_tree() {
    let server = Sshd::start(34_110);
    let client = Client::knowing(&server);
    let local = tempfile::tempdir().expect("tmp");
    let tree = local.path().join("tree");
    write(&tree, "a.txt", b"alpha");
    write(&tree, "d/b.bin", &random_bytes(3 * 1024 * 1024 + 17, 3));
    write(&tree, "d/e/c.txt", b"see");
    write(&tree, "d/e/f/empty.txt", b"");
    std::fs::create_dir_all(tree.join("g/empty-folder")).expect("mkdir");

    let out = client.run(&[
        "put",
        "-r",
        "--parallel",
        "3",
        tree.to_str().expect("utf-8"),
        &server.url(""),
    ]);
    ok(&out, "put -r");
    assert_eq!(files(&server.path("tree")), files(&tree), "put -r");

    let back = local.path().join("back");
    std::fs::create_dir(&back).expect("mkdir");
    let out = client.run(&[
        "get",
        "-r",
        "--parallel",
        "3",
        &server.url("tree"),
        back.to_str().expect("utf-8"),
    ]);
    ok(&out, "get -r");
    assert_eq!(files(&back.join("tree")), files(&tree), "get -r");
}

/// The download is slowed by a speed limit, the sshd process serving it
/// is killed once part of it arrived, and the client, waiting to retry, is
/// killed too: the `.skiffpart` stays. The server's copy then gets a
/// different first KiB: a second run that resumes keeps the first run's
/// bytes and ends with the original's SHA-256; one that started over would
/// not.
#[test]
fn a_download_resumes_after_the_server_session_was_killed() {
    let server = Sshd::start(34_120);
    let client = Client::knowing(&server);
    let size = 24 * 1024 * 1024;
    let original = random_bytes(size, 11);
    server.put_file("big.bin", &original);
    let local = tempfile::tempdir().expect("tmp");
    let target = local.path().join("big.bin");
    let part = local.path().join("big.bin.skiffpart");

    let mut first = client
        .command(&[
            "get",
            "--limit-download",
            "4M",
            "--retry-delay",
            "600",
            &server.url("big.bin"),
            target.to_str().expect("utf-8"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start skiff");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let len = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        if len >= 3 * 1024 * 1024 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the download did not start: {len} bytes"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(server.kill_sessions() >= 1, "no session to kill");
    // The client notices the cut and waits to retry; then it dies too.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let _ = first.kill();
    let _ = first.wait();
    let kept = std::fs::metadata(&part)
        .expect("the .skiffpart is kept")
        .len();
    assert!(
        kept > 0 && kept < size as u64,
        "the first run stopped mid-file: {kept} of {size}"
    );
    assert!(!target.exists(), "a half file never takes the name");

    // Within the part already held, the server's copy changes.
    let mut changed = original.clone();
    changed[..1024].fill(0xAA);
    server.put_file("big.bin", &changed);

    let out = client.run(&[
        "get",
        &server.url("big.bin"),
        target.to_str().expect("utf-8"),
    ]);
    ok(&out, "the second run");
    assert!(!part.exists(), "the part file was renamed into place");
    assert_eq!(
        sha256_file(&target),
        sha256(&original),
        "the second run resumed at {kept} rather than starting over"
    );
}

fn plan(out: &Output) -> Vec<String> {
    let mut actions = Vec::new();
    for line in text(&out.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        if value.get("summary").is_some() {
            continue;
        }
        actions.push(format!(
            "{} {} {}",
            value["action"].as_str().expect("action"),
            value["path"].as_str().expect("path"),
            value["reason"].as_str().expect("reason")
        ));
    }
    actions.sort();
    actions
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    list.sort();
    list
}

#[test]
fn sync_one_way_both_directions_and_two_way_with_a_deletion() {
    let server = Sshd::start(34_130);
    let client = Client::knowing(&server);
    let local = tempfile::tempdir().expect("tmp");
    write(local.path(), "a.txt", b"alpha");
    write(local.path(), "d/b.bin", &[7u8; 3000]);
    write(local.path(), "d/e/c.txt", b"see");
    server.put_file("pub/old.txt", b"extraneous");
    let dir = local.path().to_str().expect("utf-8");
    let url = server.url("pub");

    // Up, with --delete: the server ends as the local folder.
    let out = client.run(&["sync", "--json", "--delete", dir, &url]);
    ok(&out, "sync up");
    assert_eq!(
        plan(&out),
        sorted(&[
            "delete-remote old.txt missing",
            "mkdir-remote d missing",
            "mkdir-remote d/e missing",
            "upload a.txt missing",
            "upload d/b.bin missing",
            "upload d/e/c.txt missing",
        ])
    );
    assert_eq!(files(&server.path("pub")), files(local.path()), "up");
    let out = client.run(&["sync", "--json", dir, &url]);
    ok(&out, "sync up again");
    assert_eq!(plan(&out), Vec::<String>::new(), "nothing left to do");

    // Down into an empty folder.
    let down = tempfile::tempdir().expect("tmp");
    let down_dir = down.path().to_str().expect("utf-8");
    let out = client.run(&["sync", &url, down_dir]);
    ok(&out, "sync down");
    assert_eq!(files(down.path()), files(&server.path("pub")), "down");

    // Two-way: a first run merges, a deletion on one side is carried over.
    let both = tempfile::tempdir().expect("tmp");
    write(both.path(), "here.txt", b"local");
    server.put_file("both/there.txt", b"remote");
    let both_dir = both.path().to_str().expect("utf-8");
    let both_url = server.url("both");
    let out = client.run(&["sync", "--two-way", "--json", both_dir, &both_url]);
    ok(&out, "two-way, first");
    assert_eq!(
        plan(&out),
        sorted(&["download there.txt missing", "upload here.txt missing"])
    );
    assert_eq!(files(both.path()), files(&server.path("both")));
    std::fs::remove_file(server.path("both/there.txt")).expect("rm");
    let out = client.run(&["sync", "--two-way", "--json", both_dir, &both_url]);
    ok(&out, "two-way, second");
    assert_eq!(plan(&out), sorted(&["delete-local there.txt deleted"]));
    assert!(!both.path().join("there.txt").exists());
    assert_eq!(files(both.path()), files(&server.path("both")));
}

#[test]
fn key_logins_with_and_without_a_passphrase() {
    let server = Sshd::start(34_140);
    let client = Client::knowing(&server);
    server.put_file("k.txt", b"by key");
    let url = server.url_no_password("k.txt");
    let key = server.client_key();
    let out = client.run(&["cat", "--key", key.to_str().expect("utf-8"), &url]);
    ok(&out, "key login");
    assert_eq!(out.stdout, b"by key");
    server.wait_log("Accepted publickey for skifftest");

    let encrypted = server.encrypted_client_key();
    let encrypted = encrypted.to_str().expect("utf-8");
    let out = client.run(&["cat", "--key", encrypted, &url]);
    assert_ne!(code(&out), 0, "no passphrase, no terminal: refused");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("SKIFF_KEY_PASSPHRASE"), "{stderr}");
    let out = client
        .command(&["cat", "--key", encrypted, &url])
        .env("SKIFF_KEY_PASSPHRASE", sshd::KEY_PASSPHRASE)
        .output()
        .expect("run");
    ok(&out, "encrypted key with its passphrase");
    assert_eq!(out.stdout, b"by key");
    assert!(
        !text(&out.stderr).contains(sshd::KEY_PASSPHRASE),
        "the passphrase is never printed"
    );
}

#[test]
fn host_keys_unknown_trusted_and_changed() {
    let mut server = Sshd::start(34_150);
    server.put_file("h.txt", b"x");
    let fingerprint = server.host_key_fingerprint();
    let stranger = Client::new();

    // Unknown, no terminal: refused, naming the flag and the fingerprint.
    let out = stranger.run(&["ls", &server.url("")]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("--trust-fingerprint {fingerprint}")),
        "{stderr}"
    );
    assert!(
        !server.log().contains("Accepted"),
        "nothing was sent before the key was checked"
    );
    assert!(!stranger.known_hosts().exists(), "nothing was recorded");

    // Trusted by the fingerprint as ssh-keygen prints it.
    let out = stranger.run(&["ls", "--trust-fingerprint", &fingerprint, &server.url("")]);
    ok(&out, "trusted by fingerprint");
    assert!(text(&out.stdout).contains("h.txt"));
    // A wrong fingerprint does not do.
    let other = sshd::fingerprint_of(&server.client_key().with_extension("pub"));
    let out = stranger.run(&["ls", "--trust-fingerprint", &other, &server.url("")]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));

    // Known, then changed: refused with both fingerprints.
    let client = Client::knowing(&server);
    ok(&client.run(&["ls", &server.url("")]), "known");
    server.restart_with_new_host_key();
    let new_fingerprint = server.host_key_fingerprint();
    let out = client.run(&["ls", &server.url("")]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&fingerprint) && stderr.contains(&new_fingerprint),
        "{stderr}"
    );
    assert!(stderr.contains("changed"), "{stderr}");
}

/// Runs `skiff args` with a terminal (util-linux's `script` gives it a
/// pseudo-terminal) and `input` typed into it; returns what the terminal
/// showed and the exit code.
fn run_at_terminal(client: &Client, args: &[&str], input: &str) -> (String, i32) {
    use std::io::Write;
    let line = std::iter::once(env!("CARGO_BIN_EXE_skiff"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let command = client.command(&[]);
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("SKIFF_PASSWORD")
        .env_remove("SKIFF_KEY_PASSPHRASE")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdin = child.stdin.take().expect("stdin");
    // Typed after the question is on the screen, as a person would.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    stdin.write_all(input.as_bytes()).expect("type");
    let out = child.wait_with_output().expect("wait");
    drop(stdin);
    (
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
        code(&out),
    )
}

/// At a terminal an unknown host key is asked about: `no` refuses, `once`
/// connects without recording it, `always` writes it to `known_hosts`
/// (after which no question is asked); an encrypted key's passphrase is
/// asked without echo.
#[test]
fn a_terminal_is_asked_about_host_keys_and_passphrases() {
    let server = Sshd::start(34_160);
    server.put_file("t.txt", b"hello");
    let fingerprint = server.host_key_fingerprint();
    let client = Client::new();
    let url = server.url("");

    let (screen, status) = run_at_terminal(&client, &["ls", &url], "no\n");
    assert_eq!(status, 1, "{screen}");
    assert!(
        screen.contains("trust this host key? (once/always/no)"),
        "{screen}"
    );
    assert!(screen.contains(&fingerprint), "{screen}");

    let (screen, status) = run_at_terminal(&client, &["ls", &url], "once\n");
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("t.txt"), "{screen}");
    assert!(!client.known_hosts().exists(), "once is not recorded");

    let (screen, status) = run_at_terminal(&client, &["ls", &url], "always\n");
    assert_eq!(status, 0, "{screen}");
    let known = std::fs::read_to_string(client.known_hosts()).expect("recorded");
    assert_eq!(known, server.known_hosts_line(), "as ssh writes it");
    let out = client.run(&["ls", &url]);
    ok(&out, "known now, without a terminal");

    let key = server.encrypted_client_key();
    let (screen, status) = run_at_terminal(
        &client,
        &[
            "cat",
            "--key",
            key.to_str().expect("utf-8"),
            &server.url_no_password("t.txt"),
        ],
        &format!("{}\n", sshd::KEY_PASSPHRASE),
    );
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("passphrase for the key"), "{screen}");
    assert!(screen.contains("hello"), "{screen}");
    assert!(!screen.contains(sshd::KEY_PASSPHRASE), "no echo: {screen}");
}

/// `--preserve-times` over SFTP: an upload gets the local file's time
/// (SETSTAT), a download the server's.
#[test]
fn times_are_preserved_both_ways() {
    let server = Sshd::start(34_180);
    let client = Client::knowing(&server);
    let local = tempfile::tempdir().expect("tmp");
    let source = local.path().join("old.txt");
    std::fs::write(&source, b"old").expect("write");
    let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000);
    std::fs::File::options()
        .write(true)
        .open(&source)
        .and_then(|f| f.set_modified(then))
        .expect("set time");
    let out = client.run(&[
        "put",
        "--preserve-times",
        source.to_str().expect("utf-8"),
        &server.url(""),
    ]);
    ok(&out, "put --preserve-times");
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .expect("time")
    };
    assert_eq!(modified(&server.path("old.txt")), then, "upload");

    server.put_file("server.txt", b"server");
    std::fs::File::options()
        .write(true)
        .open(server.path("server.txt"))
        .and_then(|f| f.set_modified(then))
        .expect("set time");
    let target = local.path().join("server.txt");
    let out = client.run(&[
        "get",
        "--preserve-times",
        &server.url("server.txt"),
        target.to_str().expect("utf-8"),
    ]);
    ok(&out, "get --preserve-times");
    assert_eq!(modified(&target), then, "download");
}
