//! Site passwords against a real Secret Service: GNOME Keyring on a private
//! D-Bus session (`dbus-run-session`), unlocked with a test password, with
//! its keyrings in a temp folder.
//!
//! Proves that `skiff sites import` puts a FileZilla password into the
//! Secret Service (read back with `secret-tool`, not with Skiff), that
//! `skiff ls site:...` logs in with it and no `SKIFF_PASSWORD`, that no file
//! in the config folder holds it, and that [`OsKeyring`] sets, gets and
//! deletes through the real service.
//!
//! Needs `dbus-run-session`, `gnome-keyring-daemon` and `secret-tool`
//! (`bash .ci/install`). Missing, the test fails; `SKIFF_SKIP_KEYRING=1`
//! skips it loudly on a laptop without them.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use skiff::secret::Secret;
use skiff::sites::{OsKeyring, SecretStore, SiteId, store};
use support::unftp;

const TOOLS: &[&str] = &["dbus-run-session", "gnome-keyring-daemon", "secret-tool"];

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// `true` when the tools are here; `false` (after a loud note) when they are
/// not and `SKIFF_SKIP_KEYRING=1`; a panic otherwise.
fn tools_present() -> bool {
    let missing: Vec<&str> = TOOLS.iter().copied().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("SKIFF_SKIP_KEYRING").is_ok_and(|v| v == "1") {
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED: Secret Service test: {} not installed.\n\
             !!!!!!!! (SKIFF_SKIP_KEYRING=1 is set; run `bash .ci/install` as root to test it)\n",
            missing.join(", ")
        );
        return false;
    }
    panic!(
        "the Secret Service test needs {} (run `bash .ci/install` as root, or set \
         SKIFF_SKIP_KEYRING=1 to skip it)",
        missing.join(", ")
    );
}

/// The shell script run inside the private D-Bus session.
const SESSION_SCRIPT: &str = r#"
set -eu
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
printf %s test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
echo "== inner"
"$TEST_EXE" --exact os_keyring_set_get_delete_inner --ignored --nocapture --test-threads=1
echo "== import"
"$SKIFF" sites import "$FZ_FILE" || test $? -eq 3
sed -n 's/^id = "\(.*\)"$/\1/p' "$SKIFF_CONFIG_DIR/sites.toml" > "$ID_FILE"
echo "== lookup"
secret-tool lookup service skiff username "$(cat "$ID_FILE")"
echo
echo "== ls"
"$SKIFF" ls "site:Imported/loopback/d"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_land_in_a_real_secret_service() {
    if !tools_present() {
        return;
    }
    let server = unftp::start().await;
    std::fs::create_dir_all(server.root.join("d")).expect("mkdir");
    std::fs::write(server.root.join("d/proof.txt"), b"x").expect("write");
    let tmp = tempfile::tempdir().expect("tmp");
    let config = tmp.path().join("config");
    let fz_file = tmp.path().join("sitemanager.xml");
    let b64 = base64_encode(unftp::PASSWORD);
    std::fs::write(
        &fz_file,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3 version=\"3.70.6\" platform=\"*nix\"><Servers>\
             <Folder expanded=\"1\">Imported<Server><Host>127.0.0.1</Host><Port>{}</Port><Protocol>6</Protocol>\
             <Type>0</Type><User>{}</User><Pass encoding=\"base64\">{b64}</Pass><Logontype>1</Logontype>\
             <PasvMode>MODE_PASSIVE</PasvMode><Name>loopback</Name></Server></Folder></Servers></FileZilla3>\n",
            server.addr.port(),
            unftp::USER
        ),
    )
    .expect("write fixture");
    let id_file = tmp.path().join("site-id");
    let home = tmp.path().join("home");
    let test_exe = std::env::current_exe().expect("test exe");
    let child = tokio::task::spawn_blocking({
        let (config, fz_file, id_file, home, tmp_path) = (
            config.clone(),
            fz_file.clone(),
            id_file.clone(),
            home.clone(),
            tmp.path().to_path_buf(),
        );
        move || {
            Command::new("dbus-run-session")
                .args(["--", "sh", "-c", SESSION_SCRIPT])
                .env_remove("SKIFF_PASSWORD")
                .env_remove("DBUS_SESSION_BUS_ADDRESS")
                .env("HOME", &home)
                .env("XDG_DATA_HOME", home.join("data"))
                .env("XDG_RUNTIME_DIR", tmp_path.join("run"))
                .env("SKIFF_CONFIG_DIR", &config)
                .env("SKIFF", env!("CARGO_BIN_EXE_skiff"))
                .env("TEST_EXE", test_exe)
                .env("FZ_FILE", &fz_file)
                .env("ID_FILE", &id_file)
                .env("SKIFF_KEYRING_INNER", "1")
                .stdin(Stdio::null())
                .output()
                .expect("run dbus-run-session")
        }
    });
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), child)
        .await
        .expect("the keyring session finished within 2 minutes")
        .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("os_keyring_set_get_delete_inner ... ok"),
        "{stdout}"
    );
    assert!(stdout.contains("imported 1 site, skipped 0"), "{stdout}");
    let lookup = stdout
        .split("== lookup\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_default();
    assert_eq!(
        lookup,
        unftp::PASSWORD,
        "secret-tool reads the password from the Secret Service:\n{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.ends_with(" proof.txt")),
        "ls logged in with the keyring's password:\n{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("no keyring"), "{stderr}");

    // The password is in the keyring, not in any Skiff file.
    let sites = store::load(&store::path_in(&config)).expect("sites");
    assert_eq!(sites.sites.len(), 1);
    for entry in std::fs::read_dir(&config).expect("config dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains(unftp::PASSWORD) && !text.contains(&b64),
            "{} holds the password",
            path.display()
        );
    }
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Run by the test above inside its D-Bus session (ignored on its own).
#[test]
#[ignore = "runs inside passwords_land_in_a_real_secret_service's D-Bus session"]
fn os_keyring_set_get_delete_inner() {
    assert_eq!(
        std::env::var("SKIFF_KEYRING_INNER").as_deref(),
        Ok("1"),
        "run by passwords_land_in_a_real_secret_service only"
    );
    let keyring = OsKeyring::with_service("skiff-test");
    keyring.probe().expect("a keyring answers");
    let id = SiteId::random();
    assert_eq!(keyring.get(&id), Ok(None));
    keyring.set(&id, &Secret::new("pässword one")).expect("set");
    keyring.set(&id, &Secret::new("two")).expect("replace");
    // A second OsKeyring (a new Entry) sees it: the real store, not a mock.
    let again = OsKeyring::with_service("skiff-test");
    assert_eq!(
        again.get(&id).expect("get").as_ref().map(Secret::expose),
        Some("two")
    );
    again.delete(&id).expect("delete");
    assert_eq!(keyring.get(&id), Ok(None));
    keyring
        .delete(&id)
        .expect("deleting a missing entry is fine");
    // Called from inside a tokio runtime, it neither panics nor deadlocks.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let got =
        runtime.block_on(async { OsKeyring::with_service("skiff-test").get(&SiteId::random()) });
    assert_eq!(got, Ok(None));
}
