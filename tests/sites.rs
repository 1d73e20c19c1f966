//! Saved sites end to end: FileZilla import exactly as the fixture says, no
//! password in any file under the config folder, and `skiff sites ...` and
//! `skiff ls site:...` as a script runs them, against the in-process server.
//!
//! Every `skiff` run gets its own `SKIFF_CONFIG_DIR` and no D-Bus session, so
//! the OS keyring is "unavailable" and passwords come from `SKIFF_PASSWORD`
//! (tests/keyring.rs covers a real Secret Service).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use skiff::engine::CharsetChoice;
use skiff::engine::Encryption;
use skiff::protocol::listing::ServerType;
use skiff::secret::Secret;
use skiff::sites::filezilla::{self, MAX_FILE_BYTES};
use skiff::sites::{LogonType, MemoryStore, SecretStore, Site, Sites, TransferMode, store};
use support::unftp;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filezilla/sitemanager.xml")
}

/// The fixture's passwords, in clear.
const PASSWORDS: &[&str] = &["nas pässword", "implicit-pw", "acct-pw", "пароль"];

/// Every file under `dir` contains none of the passwords, in clear or base64.
fn assert_no_password_under(dir: &Path) {
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            for pw in PASSWORDS {
                let b64 = base64::engine::general_purpose::STANDARD.encode(pw);
                assert!(
                    !text.contains(pw) && !text.contains(&b64),
                    "{} holds a password",
                    path.display()
                );
            }
        }
    }
    assert!(files > 0, "nothing was written under {}", dir.display());
}

fn site<'a>(sites: &'a Sites, path: &str) -> &'a Site {
    sites
        .find(path)
        .unwrap_or_else(|| panic!("no site {path} in {:#?}", sites.sites))
}

#[test]
fn filezilla_fixture_imports_exactly() {
    let mut sites = Sites::new();
    let secrets = MemoryStore::new();
    let report = filezilla::import(&fixture(), &mut sites, &secrets).expect("import");
    assert_eq!(report.imported, 10, "{report:#?}");
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|(s, r)| (s.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "S3 bucket",
                "Amazon S3 is not supported (Skiff speaks FTP, FTPS and SFTP)"
            ),
            (
                "Web site",
                "HTTP is not supported (Skiff speaks FTP, FTPS and SFTP)"
            ),
            ("Work/Clients & partners/No host", "no host"),
            (
                "Work/Clients & partners/Bad port",
                "port \"70000\" is outside 1-65535"
            ),
            ("Work/Clients & partners/No user", "no user name"),
            ("Work/Clients & partners/(unnamed)", "no name"),
        ]
    );
    assert!(report.keyring_unavailable.is_none());
    assert_eq!(report.summary(), "imported 10 sites, skipped 6");

    // Folders, including the empty one.
    let folders: Vec<String> = sites
        .folders
        .iter()
        .map(skiff::sites::model::join_path)
        .collect();
    assert_eq!(
        folders,
        ["Work", "Work/Clients & partners", "Work/Empty folder"]
    );

    let s = site(&sites, "Plain anonymous");
    assert_eq!(
        (s.host.as_str(), s.port, s.encryption, s.logon),
        (
            "ftp.debian.org",
            21,
            Encryption::Plain,
            LogonType::Anonymous
        )
    );
    assert_eq!(s.server_type, ServerType::Unix);
    assert_eq!(s.remote_dir.as_deref(), Some("/debian"));
    assert_eq!(s.transfer_mode, TransferMode::Default);
    assert!(s.folder.is_empty());

    let s = site(&sites, "Home NAS");
    assert_eq!(
        (s.host.as_str(), s.encryption, s.logon, s.user.as_str()),
        (
            "192.168.1.20",
            Encryption::ExplicitIfAvailable,
            LogonType::Normal,
            "alice"
        )
    );
    assert_eq!(s.transfer_mode, TransferMode::Active);
    assert_eq!(s.charset, CharsetChoice::Auto);
    assert_eq!(s.local_dir.as_deref(), Some(Path::new("/home/alice/nas")));
    assert_eq!(s.remote_dir.as_deref(), Some("/home/alice"));
    // Its bookmark comes along (the empty one is skipped, with a note).
    assert_eq!(
        s.bookmarks,
        [skiff::sites::Bookmark {
            name: "Photos".into(),
            local_dir: Some("/home/alice/Pictures".into()),
            remote_dir: Some("/home/alice/photos".into()),
            sync_browsing: true,
        }]
    );
    assert_eq!(s.max_connections, Some(2));
    assert_eq!(s.comments, "Behind the router & firewall\nline two");
    assert_eq!(s.server_type, ServerType::Auto);
    assert_eq!(
        secrets
            .get(&s.id)
            .expect("get")
            .as_ref()
            .map(Secret::expose),
        Some("nas pässword")
    );

    let s = site(&sites, "Work/Implicit");
    assert_eq!(
        (s.port, s.encryption, s.transfer_mode),
        (990, Encryption::RequireImplicit, TransferMode::Passive)
    );
    assert_eq!(s.timezone_offset_minutes, -120);
    assert_eq!(s.server_type, ServerType::Dos);
    assert_eq!(s.remote_dir.as_deref(), Some("C:\\www"));
    assert_eq!(s.max_connections, Some(10));
    assert_eq!(
        secrets
            .get(&s.id)
            .expect("get")
            .as_ref()
            .map(Secret::expose),
        Some("implicit-pw")
    );

    let s = site(&sites, "Work/Explicit GBK");
    assert_eq!(
        (s.encryption, s.logon, s.user.as_str()),
        (Encryption::RequireExplicit, LogonType::Ask, "dave")
    );
    assert_eq!(s.charset, CharsetChoice::from_label("GBK").expect("gbk"));
    assert_eq!(s.server_type, ServerType::Vms);
    assert_eq!(s.remote_dir.as_deref(), Some("DISK:[USER.WEB]"));
    assert_eq!(secrets.get(&s.id).expect("get"), None);

    let s = site(&sites, "Work/Master password");
    assert_eq!(s.logon, LogonType::Ask, "crypt passwords are asked for");
    assert_eq!(secrets.get(&s.id).expect("get"), None);

    let s = site(&sites, "Work/Account login");
    assert_eq!(
        (s.logon, s.user.as_str(), s.account.as_str()),
        (LogonType::Account, "frank", "DEPT42")
    );
    assert_eq!(s.server_type, ServerType::Mvs);
    assert_eq!(
        s.charset,
        CharsetChoice::from_label("Shift_JIS").expect("sjis")
    );
    assert_eq!(s.timezone_offset_minutes, 60);
    assert_eq!(
        secrets
            .get(&s.id)
            .expect("get")
            .as_ref()
            .map(Secret::expose),
        Some("acct-pw")
    );

    let s = site(&sites, "Work/Clients & partners/Interactive");
    assert_eq!(s.logon, LogonType::Ask);
    assert_eq!(
        s.charset,
        CharsetChoice::from_label("windows-1251").expect("1251")
    );

    let s = site(&sites, "Work/Clients & partners/Russian");
    assert_eq!(s.charset, CharsetChoice::Auto, "unknown charset -> auto");
    assert_eq!(
        secrets
            .get(&s.id)
            .expect("get")
            .as_ref()
            .map(Secret::expose),
        Some("пароль")
    );
    // SFTP box's password too (Key file's passphrase is asked, as in FileZilla).
    assert_eq!(secrets.len(), 5);

    // SFTP sites come in with their protocol, port and key file.
    let sftp = site(&sites, "SFTP box");
    assert_eq!(sftp.protocol, skiff::engine::config::Protocol::Sftp);
    assert_eq!((sftp.port, sftp.logon), (22, LogonType::Normal));
    assert_eq!(
        secrets
            .get(&sftp.id)
            .expect("get")
            .as_ref()
            .map(Secret::expose),
        Some("secret")
    );
    let key = site(&sites, "Work/Key file");
    assert_eq!(key.protocol, skiff::engine::config::Protocol::Sftp);
    assert_eq!(key.logon, LogonType::KeyFile);
    assert_eq!(
        key.key_file.as_deref(),
        Some(std::path::Path::new("/home/gina/.ssh/id_ed25519"))
    );
    assert!(secrets.get(&key.id).expect("get").is_none());
    let config = key.session_config(None);
    assert_eq!(config.protocol, skiff::engine::config::Protocol::Sftp);
    assert_eq!(config.ssh.key_file, key.key_file);

    let notes: Vec<(&str, &str)> = report
        .notes
        .iter()
        .map(|(s, n)| (s.as_str(), n.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            (
                "Home NAS",
                "bookmark \"Nothing in it\" has no usable folder: skipped"
            ),
            (
                "Work/Master password",
                "password encrypted with FileZilla's master password: it will be asked for"
            ),
            (
                "Work/Clients & partners/Interactive",
                "interactive logon imported as ask for password"
            ),
            (
                "Work/Clients & partners/Russian",
                "unknown charset \"no-such-charset\": using auto"
            ),
        ]
    );

    // Saved: every site round-trips, and no file holds a password.
    let dir = tempfile::tempdir().expect("tmp");
    let path = store::path_in(dir.path());
    store::save(&path, &sites).expect("save");
    store::save(&path, &sites).expect("save again (makes the .bak)");
    assert_eq!(store::load(&path).expect("load"), sites);
    assert_no_password_under(dir.path());

    // Importing again keeps both, renamed.
    let again = filezilla::import(&fixture(), &mut sites, &secrets).expect("again");
    assert_eq!(again.imported, 10);
    assert!(sites.find("Home NAS (2)").is_some());
}

#[test]
fn without_a_keyring_the_import_says_so_and_keeps_no_password() {
    let mut sites = Sites::new();
    let report =
        filezilla::import(&fixture(), &mut sites, &MemoryStore::unavailable()).expect("import");
    assert_eq!(report.imported, 10);
    assert!(report.keyring_unavailable.is_some());
    let nas = site(&sites, "Home NAS");
    assert_eq!(
        nas.logon,
        LogonType::Normal,
        "asked for at connect time, the logon type kept"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|(s, n)| s == "Home NAS" && n.contains("no keyring"))
    );
}

#[test]
fn oversized_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let big = dir.path().join("big.xml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
    let err = filezilla::import(&big, &mut Sites::new(), &MemoryStore::new()).unwrap_err();
    assert!(err.to_string().contains("bytes"), "{err}");
    let other = dir.path().join("other.xml");
    std::fs::write(&other, "<rss><channel/></rss>").expect("write");
    let err = filezilla::import(&other, &mut Sites::new(), &MemoryStore::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot import (not a FileZilla site manager file"),
        "{err}"
    );
}

// --- the binary ---------------------------------------------------------------

/// Runs the binary off the async runtime, with its own config folder and no keyring.
async fn skiff(config: &Path, args: &[&str], password: Option<&str>) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let config = config.to_path_buf();
    let password = password.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skiff"));
        cmd.args(&args)
            .env("SKIFF_CONFIG_DIR", &config)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("SKIFF_PASSWORD");
        if let Some(pw) = password {
            cmd.env("SKIFF_PASSWORD", pw);
        }
        cmd.output().expect("run skiff")
    })
    .await
    .expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_import_and_list_from_the_command_line() {
    let config = tempfile::tempdir().expect("tmp");
    let fixture = fixture();
    let out = skiff(
        config.path(),
        &["sites", "import", fixture.to_str().expect("utf-8")],
        None,
    )
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "skipped sites make exit 3: {stdout}{}",
        text(&out.stderr)
    );
    assert!(
        stdout.starts_with("imported 10 sites, skipped 6\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped: S3 bucket: Amazon S3 is not supported")
            && !stdout.contains("skipped: SFTP box"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("no keyring is available"),
        "{}",
        text(&out.stderr)
    );
    assert_no_password_under(config.path());

    let out = skiff(config.path(), &["sites", "list"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l == "Home NAS\tftp://alice@192.168.1.20:21 (active)"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l == "Work/Implicit\tftps://carol@ftps.example.com:990 (passive)"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l == "Work/Key file\tsftp://gina@key.example.com:22"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 10);

    let out = skiff(config.path(), &["sites", "list", "--json"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = items.as_array().expect("array");
    assert_eq!(items.len(), 10);
    let key = items
        .iter()
        .find(|i| i["path"] == "Work/Key file")
        .expect("key file site");
    assert_eq!(key["protocol"], "sftp");
    assert_eq!(key["logon"], "keyfile");
    assert_eq!(key["key_file"], "/home/gina/.ssh/id_ed25519");
    let gbk = items
        .iter()
        .find(|i| i["path"] == "Work/Explicit GBK")
        .expect("gbk site");
    assert_eq!(gbk["charset"], "GBK");
    assert_eq!(gbk["logon"], "ask");
    assert_eq!(gbk["encryption"], "require-explicit");
    assert_eq!(gbk["server_type"], "vms");
    assert!(
        !text(&out.stdout).contains("pass\""),
        "no password field in JSON"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_sites_file_is_reported_and_kept() {
    let config = tempfile::tempdir().expect("tmp");
    std::fs::write(config.path().join("sites.toml"), "[[site]\nbroken").expect("write");
    let out = skiff(config.path(), &["sites", "list"], None).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("skiff: the sites file was unreadable ("),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(config.path().join("sites.toml.corrupt")).expect("kept"),
        "[[site]\nbroken"
    );
}

/// Writes a sites file with sites pointing at the in-process server.
fn save_sites(config: &Path, port: u16) {
    let mut sites = Sites::new();
    let work = sites.new_folder(&[], "Work").expect("folder");
    let base = Site {
        folder: work.clone(),
        host: "127.0.0.1".into(),
        port,
        encryption: Encryption::Plain,
        user: unftp::USER.into(),
        ..Site::default()
    };
    for (name, mode) in [
        ("web server", TransferMode::Default),
        ("active", TransferMode::Active),
        ("passive", TransferMode::Passive),
    ] {
        sites
            .add(Site {
                id: skiff::sites::SiteId::random(),
                name: name.into(),
                transfer_mode: mode,
                ..base.clone()
            })
            .expect("add");
    }
    sites
        .add(Site {
            id: skiff::sites::SiteId::random(),
            name: "docs".into(),
            remote_dir: Some("/d".into()),
            ..base.clone()
        })
        .expect("add");
    sites
        .add(Site {
            id: skiff::sites::SiteId::random(),
            name: "anon".into(),
            folder: Vec::new(),
            logon: LogonType::Anonymous,
            user: String::new(),
            ..base.clone()
        })
        .expect("add");
    sites
        .add(Site {
            id: skiff::sites::SiteId::random(),
            name: "ask".into(),
            logon: LogonType::Ask,
            ..base
        })
        .expect("add");
    store::save(&store::path_in(config), &sites).expect("save");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_get_put_take_saved_sites() {
    let server = unftp::start().await;
    std::fs::create_dir_all(server.root.join("d/sub")).expect("mkdir");
    std::fs::write(server.root.join("d/a.txt"), b"12345").expect("write");
    let config = tempfile::tempdir().expect("tmp");
    save_sites(config.path(), server.addr.port());
    let pw = Some(unftp::PASSWORD);

    for target in [
        "site:Work/web server/d",
        "site:\"Work/web server\"/d/",
        "site:Work/docs",
        "site:Work/docs/",
        "site:Work/docs//d",
        "site:anon/d",
    ] {
        let out = skiff(config.path(), &["ls", target], pw).await;
        assert!(out.status.success(), "{target}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with('-') && l.ends_with(" a.txt")),
            "{target}: {stdout}"
        );
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with('d') && l.ends_with(" sub")),
            "{target}: {stdout}"
        );
    }

    // A site's remote folder is where relative paths start.
    let out = skiff(config.path(), &["ls", "site:Work/docs/a.txt"], pw).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).trim_end().ends_with(" a.txt"));

    let local = tempfile::tempdir().expect("local");
    let dest = local.path().join("copy.txt");
    let out = skiff(
        config.path(),
        &[
            "get",
            "site:Work/web server/d/a.txt",
            dest.to_str().expect("utf-8"),
        ],
        pw,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&dest).expect("read"), b"12345");
    let out = skiff(
        config.path(),
        &[
            "put",
            dest.to_str().expect("utf-8"),
            "site:Work/web server/d/sub/",
        ],
        pw,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(server.root.join("d/sub/copy.txt")).expect("uploaded"),
        b"12345"
    );

    // Without a password: an error that says how to give one, naming the site last.
    let out = skiff(config.path(), &["ls", "site:Work/web server/d"], None).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("skiff: no saved password (no keyring is available (")
            && stderr.ends_with("; set SKIFF_PASSWORD): Work/web server\n"),
        "{stderr}"
    );
    let out = skiff(config.path(), &["ls", "site:Work/ask/d"], None).await;
    assert!(
        text(&out.stderr)
            .contains("asks for its password each time (set SKIFF_PASSWORD): Work/ask"),
        "{}",
        text(&out.stderr)
    );
    let out = skiff(config.path(), &["ls", "site:Work/nope/d"], pw).await;
    assert!(
        text(&out.stderr).contains("no such saved site: Work/nope/d"),
        "{}",
        text(&out.stderr)
    );
    // The anonymous site needs no password at all.
    let out = skiff(config.path(), &["ls", "site:anon/d"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The site's transfer mode reaches the wire: PORT for active, EPSV for
/// passive, and a command-line flag overrides the site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_transfer_mode_is_used() {
    let server = unftp::start().await;
    std::fs::create_dir_all(server.root.join("d")).expect("mkdir");
    std::fs::write(server.root.join("d/a.txt"), b"x").expect("write");
    let config = tempfile::tempdir().expect("tmp");
    save_sites(config.path(), server.addr.port());
    let pw = Some(unftp::PASSWORD);
    let cases: &[(&[&str], &str, &str)] = &[
        (&["ls", "-v", "site:Work/active/d"], "> PORT ", "> EPSV"),
        (&["ls", "-v", "site:Work/passive/d"], "> EPSV", "> PORT "),
        (&["ls", "-v", "site:Work/web server/d"], "> EPSV", "> PORT "),
        (
            &["ls", "-v", "--passive", "site:Work/active/d"],
            "> EPSV",
            "> PORT ",
        ),
        (
            &["ls", "-v", "--active", "site:Work/passive/d"],
            "> PORT ",
            "> EPSV",
        ),
    ];
    for (args, want, not) in cases {
        let out = skiff(config.path(), args, pw).await;
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(text(&out.stdout).contains("a.txt"), "{args:?}");
        assert!(stderr.contains(want), "{args:?} wants {want}: {stderr}");
        assert!(!stderr.contains(not), "{args:?} must not {not}: {stderr}");
        assert!(
            stderr.contains("> PASS ****")
                && !stderr.contains(&format!("PASS {}", unftp::PASSWORD)),
            "the log masks the password: {stderr}"
        );
    }
}

#[test]
fn site_flag_conflicts_with_a_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(["--site", "Work/web", "sites", "list"])
        .env("SKIFF_CONFIG_DIR", "/nonexistent-skiff-test")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("site:"), "{}", text(&out.stderr));
}
