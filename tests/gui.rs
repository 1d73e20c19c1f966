//! The real app and engine, driven with egui_kittest against an in-process
//! FTP server on loopback: no display, no GPU. Each test clicks and types as
//! a user would and checks what the server and the local disk hold after.

#![cfg(feature = "gui")]

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use skiff::engine::Fingerprint;
use skiff::engine::{ConnectionState, LogKind};
use skiff::sites::{MemoryStore, SecretStore};
use skiff::ui::dialogs::Dialog;
use skiff::ui::i18n::{Locale, LocaleOverride};
use skiff::ui::side::Side;
use skiff::ui::{SkiffApp, StartOptions};
use support::servers::{Options, RealServer, ServerKind, Tls};
use support::unftp;

type App = Option<SkiffApp>;

/// A harness showing the real app, with its local pane in `local_dir`.
fn harness(local_dir: &Path) -> Harness<'static, App> {
    harness_with(local_dir, &local_dir.join(".skiff-config"))
}

/// The same, with the config folder (trusted certificates) in `config_dir`.
fn harness_with(local_dir: &Path, config_dir: &Path) -> Harness<'static, App> {
    harness_full(local_dir, config_dir, Arc::new(MemoryStore::new()))
}

/// The same, with `secrets` as the keyring.
fn harness_full(
    local_dir: &Path,
    config_dir: &Path,
    secrets: Arc<MemoryStore>,
) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 860.0])
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(
            |ui, app: &mut App| {
                if let Some(app) = app {
                    app.show(ui);
                }
            },
            None,
        );
    let app = SkiffApp::new(
        &harness.ctx,
        StartOptions {
            local_dir: Some(local_dir.to_path_buf()),
            config_dir: Some(config_dir.to_path_buf()),
            secrets: Some(secrets),
            data_dir: Some(config_dir.join("data")),
            // English whatever the machine's locale (a test that wants
            // Chinese overrides it on its own thread).
            locale: Some(skiff::ui::i18n::Locale::English),
            ..Default::default()
        },
    )
    .expect("start the app");
    *harness.state_mut() = Some(app);
    harness.step();
    harness
}

fn app<'h>(harness: &'h Harness<'static, App>) -> &'h SkiffApp {
    harness.state().as_ref().expect("app built")
}

/// Steps frames until `done` holds, failing after 15 s with `what`.
fn wait(harness: &mut Harness<'static, App>, what: &str, mut done: impl FnMut(&SkiffApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        harness.step();
        if done(app(harness)) {
            // One more frame so the widgets reflect the new state.
            harness.step();
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for: {what} (remote folder {:?}, last log line {:?}, queue {:?})",
            app(harness).model.remote.path_edit,
            app(harness).model.log.lines().last(),
            app(harness).model.queue_view.totals
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Clicks the last node with `label` (the remote pane's, drawn after the local one).
fn click_last(harness: &mut Harness<'static, App>, label: &str) {
    harness.get_all_by_label(label).last().expect(label).click();
    harness.step();
}

/// Two clicks a frame apart, as a user's double-click arrives, on the last
/// node with `label` (the remote pane is drawn after the local one).
fn double_click(harness: &mut Harness<'static, App>, label: &str) {
    for _ in 0..2 {
        click_last(harness, label);
    }
}

fn remote_names(app: &SkiffApp) -> Vec<String> {
    let list = &app.model.remote.list;
    list.view()
        .iter()
        .filter_map(|&i| list.row(i).map(|r| r.name.clone()))
        .collect()
}

fn local_names(app: &SkiffApp) -> Vec<String> {
    let list = &app.model.local.list;
    list.view()
        .iter()
        .filter_map(|&i| list.row(i).map(|r| r.name.clone()))
        .collect()
}

fn remote_dir(app: &SkiffApp) -> String {
    app.model.remote.path_edit.clone()
}

/// Types into the quickconnect bar and presses Quickconnect.
fn quickconnect(harness: &mut Harness<'static, App>, server: &unftp::InProcServer) {
    let port = server.addr.port().to_string();
    let host = server.addr.ip().to_string();
    quickconnect_to(harness, &host, &port, unftp::USER, unftp::PASSWORD);
}

/// Fills the quickconnect fields (replacing what they held) and presses Quickconnect.
fn quickconnect_to(
    harness: &mut Harness<'static, App>,
    host: &str,
    port: &str,
    user: &str,
    password: &str,
) {
    if let Some(app) = harness.state_mut() {
        app.model.quick = Default::default();
    }
    harness.step();
    for (label, text) in [
        ("Host:", host),
        ("Port:", port),
        ("Username:", user),
        ("Password:", password),
    ] {
        harness.get_by_label(label).click();
        harness.step();
        harness.get_by_label(label).type_text(text);
        harness.step();
    }
    harness.get_by_label("Quickconnect").click();
    harness.step();
}

fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime for the test server")
}

#[test]
fn quickconnect_browse_sort_filter_and_manage_files() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    std::fs::create_dir(server.root.join("docs")).expect("seed");
    std::fs::write(server.root.join("docs/inner.txt"), b"inside").expect("seed");
    std::fs::write(server.root.join("big.bin"), vec![7u8; 50_000]).expect("seed");
    std::fs::write(server.root.join("small.txt"), b"tiny").expect("seed");
    std::fs::write(server.root.join("medium.dat"), vec![1u8; 2_000]).expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    std::fs::write(local.path().join("local-file.txt"), b"here").expect("seed");

    let mut harness = harness(local.path());
    wait(&mut harness, "the local listing", |app| {
        local_names(app) == ["local-file.txt"]
    });

    quickconnect(&mut harness, &server);
    wait(&mut harness, "the remote listing", |app| {
        remote_names(app).len() == 4
    });
    assert!(matches!(
        app(&harness).connection(),
        ConnectionState::Connected { .. }
    ));
    // Folders first, then names.
    assert_eq!(
        remote_names(app(&harness)),
        ["docs", "big.bin", "medium.dat", "small.txt"]
    );
    harness.get_by_label("big.bin");

    // The log shows the login with the password masked, and never the password.
    let log: Vec<_> = app(&harness).model.log.lines().cloned().collect();
    assert!(
        log.iter()
            .any(|l| l.kind == LogKind::Command && l.text == "PASS ****"),
        "PASS **** in the log"
    );
    assert!(
        log.iter().all(|l| !l.text.contains(unftp::PASSWORD)),
        "password leaked into the log"
    );

    // Sort by size (folders stay first), then descending.
    click_last(&mut harness, "Size");
    assert_eq!(
        remote_names(app(&harness)),
        ["docs", "small.txt", "medium.dat", "big.bin"]
    );
    click_last(&mut harness, "Size");
    assert_eq!(
        remote_names(app(&harness)),
        ["docs", "big.bin", "medium.dat", "small.txt"]
    );

    // Filter the remote table.
    let filters = harness.get_all_by_label("Filter:").count();
    assert_eq!(filters, 2, "one filter per pane");
    click_last(&mut harness, "Filter:");
    harness
        .get_all_by_label("Filter:")
        .last()
        .expect("remote filter")
        .type_text(".TXT");
    harness.step();
    harness.step();
    assert_eq!(remote_names(app(&harness)), ["small.txt"]);
    harness
        .get_all_by_label("Filter:")
        .last()
        .expect("remote filter")
        .focus();
    for _ in 0..4 {
        harness.key_press(Key::Backspace);
    }
    harness.step();
    harness.step();
    assert_eq!(remote_names(app(&harness)).len(), 4, "filter cleared");
    // Leave the text field so keys go to the table.
    harness.key_press(Key::Escape);
    harness.step();

    // Enter a folder by double-click; the `..` row leads back.
    double_click(&mut harness, "docs");
    wait(&mut harness, "the docs folder", |app| {
        remote_dir(app) == "/docs"
    });
    assert_eq!(remote_names(app(&harness)), ["inner.txt"]);
    double_click(&mut harness, "..");
    wait(&mut harness, "back at the root", |app| {
        remote_dir(app) == "/"
    });

    // Create a folder: F7 in the remote pane, type, Enter.
    harness.get_by_label("small.txt").click();
    harness.step();
    harness.key_press(Key::F7);
    harness.step();
    harness
        .get_by_label("Name of the new folder:")
        .type_text("made-by-gui");
    harness.step();
    harness.key_press(Key::Enter);
    harness.step();
    wait(&mut harness, "the new folder", |app| {
        remote_names(app).contains(&"made-by-gui".to_string())
    });
    assert!(server.root.join("made-by-gui").is_dir());

    // Rename: select, F2, type the new name.
    harness.get_by_label("small.txt").click();
    harness.step();
    harness.key_press(Key::F2);
    harness.step();
    let field = harness.get_by_label("New name for small.txt:");
    field.focus();
    harness.key_press_modifiers(Modifiers::NONE, Key::End);
    for _ in 0.."small.txt".len() {
        harness.key_press(Key::Backspace);
    }
    harness
        .get_by_label("New name for small.txt:")
        .type_text("renamed.txt");
    harness.step();
    harness.key_press(Key::Enter);
    harness.step();
    wait(&mut harness, "the renamed file", |app| {
        remote_names(app).contains(&"renamed.txt".to_string())
    });
    assert!(server.root.join("renamed.txt").is_file());
    assert!(!server.root.join("small.txt").exists());

    // Delete with confirmation: Delete key, then the dialog's Delete button.
    harness.get_by_label("medium.dat").click();
    harness.step();
    harness.key_press(Key::Delete);
    harness.step();
    harness.get_by_label_contains("Delete “medium.dat” from the server");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Delete")
        .click();
    harness.step();
    wait(&mut harness, "the deleted file gone", |app| {
        !remote_names(app).contains(&"medium.dat".to_string())
    });
    assert!(!server.root.join("medium.dat").exists());
    assert!(
        server.root.join("big.bin").exists(),
        "only the chosen file was deleted"
    );

    // Tab moves the focus to the local pane; Ctrl+A selects all there.
    assert_eq!(app(&harness).focused_side(), Side::Remote);
    harness.key_press(Key::Tab);
    harness.step();
    assert_eq!(app(&harness).focused_side(), Side::Local);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.step();
    assert_eq!(app(&harness).model.local.list.selection_summary(), (1, 4));
    assert_eq!(
        app(&harness).model.remote.list.selection_summary().0,
        0,
        "Ctrl+A selects in the focused pane only"
    );
}

#[test]
fn a_refused_login_is_shown_not_panicked_over() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    let local = tempfile::tempdir().expect("local dir");
    let mut harness = harness(local.path());
    let fields = [
        ("Host:", server.addr.ip().to_string()),
        ("Port:", server.addr.port().to_string()),
        ("Username:", unftp::USER.to_string()),
        ("Password:", "wrong-password".to_string()),
    ];
    for (label, text) in fields {
        harness.get_by_label(label).click();
        harness.step();
        harness.get_by_label(label).type_text(&text);
        harness.step();
    }
    harness.get_by_label("Quickconnect").click();
    wait(&mut harness, "the refusal", |app| {
        matches!(
            app.connection(),
            ConnectionState::Disconnected { reason: Some(_) }
        )
    });
    assert!(harness.get_all_by_label_contains("Not connected").count() >= 1);
    let log: Vec<_> = app(&harness).model.log.lines().cloned().collect();
    assert!(
        log.iter().any(|l| l.kind == LogKind::Error),
        "the error is in the log"
    );
    assert!(log.iter().all(|l| !l.text.contains("wrong-password")));
}

fn certificate_dialog_open(app: &SkiffApp) -> bool {
    matches!(app.dialog(), Some(Dialog::Certificate { .. }))
}

fn connected_with_tls(app: &SkiffApp) -> bool {
    matches!(
        app.connection(),
        ConnectionState::Connected { tls: Some(_), .. }
    )
}

/// vsftpd with a self-signed certificate: the dialog shows its fingerprint;
/// Refuse stays disconnected, Trust once connects without remembering,
/// Always trust connects and stores it, so a new window connects at once.
#[test]
fn certificate_dialog_refuse_trust_once_and_always() {
    let Some(server) = RealServer::start_with(
        ServerKind::Vsftpd,
        28_110,
        Options {
            tls: Tls::Required,
            ..Options::default()
        },
    ) else {
        return;
    };
    server.put_file("secret-plans.txt", b"over TLS");
    let fingerprint = Fingerprint(server.cert_sha256().expect("leaf fingerprint")).to_string();
    let local = tempfile::tempdir().expect("local dir");
    let config = tempfile::tempdir().expect("config dir");
    let port = server.port.to_string();
    let mut harness = harness_with(local.path(), config.path());
    let connect = |harness: &mut Harness<'static, App>| {
        quickconnect_to(
            harness,
            "ftpes://127.0.0.1",
            &port,
            server.user,
            server.password,
        );
        wait(harness, "the certificate dialog", certificate_dialog_open);
        // Let the modal settle to its final size before clicking in it.
        harness.run_steps(4);
    };

    connect(&mut harness);
    harness.get_by_label("Unknown certificate");
    harness.get_by_label(&fingerprint);
    harness.get_by_label("Refuse").click();
    harness.step();
    harness.step();
    assert!(app(&harness).dialog().is_none());
    assert!(!connected_with_tls(app(&harness)));
    let lines: Vec<String> = app(&harness)
        .model
        .log
        .lines()
        .map(|l| l.text.clone())
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("Certificate refused")),
        "{lines:#?}"
    );

    connect(&mut harness);
    harness.get_by_label("Trust once").click();
    harness.step();
    wait(&mut harness, "the listing over TLS", |app| {
        connected_with_tls(app) && remote_names(app) == ["secret-plans.txt"]
    });
    assert!(
        harness.get_all_by_label_contains("(TLS 1.").count() >= 1,
        "status bar names TLS"
    );
    let trust_file = config.path().join("trust.toml");
    let stored = std::fs::read_to_string(&trust_file).unwrap_or_default();
    assert!(!stored.contains(&fingerprint), "trust once is not stored");

    // Once holds for the rest of the session: connecting again does not ask.
    quickconnect_to(
        &mut harness,
        "ftpes://127.0.0.1",
        &port,
        server.user,
        server.password,
    );
    wait(&mut harness, "a second connection in the session", |app| {
        certificate_dialog_open(app) || (connected_with_tls(app) && !remote_names(app).is_empty())
    });
    assert!(
        !certificate_dialog_open(app(&harness)),
        "a certificate trusted once was asked about again in the same session"
    );
    drop(harness);

    // A new session asks again; Always stores it.
    let mut harness = harness_with(local.path(), config.path());
    connect(&mut harness);
    harness
        .get_by_label("Always trust this certificate")
        .click();
    harness.step();
    wait(&mut harness, "the listing after trusting", |app| {
        connected_with_tls(app) && remote_names(app) == ["secret-plans.txt"]
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&trust_file)
        .unwrap_or_default()
        .contains(&fingerprint)
    {
        assert!(
            Instant::now() < deadline,
            "the trusted certificate was never stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(harness);

    // A new window with the same config folder connects without asking.
    let mut harness = harness_with(local.path(), config.path());
    wait(&mut harness, "the trust store loaded", |app| {
        !app.model.log.lines().any(|l| l.kind == LogKind::Warning) && app.frames > 3
    });
    quickconnect_to(
        &mut harness,
        "ftpes://127.0.0.1",
        &port,
        server.user,
        server.password,
    );
    wait(&mut harness, "a connection without the dialog", |app| {
        certificate_dialog_open(app) || (connected_with_tls(app) && !remote_names(app).is_empty())
    });
    assert!(
        !certificate_dialog_open(app(&harness)),
        "a trusted certificate was asked about again"
    );
}

/// The Site Manager: a new site with a bad port is marked and not saved;
/// fixed, switched to active mode and connected, it is saved without its
/// password (which goes to the keyring) and the session uses PORT/EPRT.
#[test]
fn site_manager_validates_saves_and_connects_in_active_mode() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    std::fs::write(server.root.join("from-site.txt"), b"hello").expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    let config = tempfile::tempdir().expect("config dir");
    let secrets = Arc::new(MemoryStore::new());
    let mut harness = harness_full(local.path(), config.path(), Arc::clone(&secrets));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait(
        &mut harness,
        "the site manager",
        SkiffApp::site_manager_open,
    );
    // Let the modal settle to its final place before clicking in it.
    harness.run_steps(10);
    harness.get_by_label("Site Manager");
    harness.get_by_label("New site").click();
    // The dialog grows to show the new site's fields; let it settle.
    harness.run_steps(10);
    type_into(&mut harness, "Host:", "127.0.0.1");
    type_into(&mut harness, "Port:", "70000");
    harness.get_by_label_contains("between 1 and 65535");
    harness.get_by_label("OK").click();
    harness.run_steps(3);
    harness.get_by_label_contains("Correct the marked fields first");
    let sites_file = config.path().join("sites.toml");
    assert!(!sites_file.exists(), "an invalid site was saved");

    type_into(&mut harness, "Port:", &server.addr.port().to_string());
    type_into(&mut harness, "User:", unftp::USER);
    type_into(&mut harness, "Password:", unftp::PASSWORD);
    harness.get_by_label("Transfer settings").click();
    harness.run_steps(3);
    harness.get_by_label("Transfer mode:").click();
    harness.run_steps(3);
    harness.get_by_label("Active").click();
    harness.run_steps(3);
    harness.get_by_label("Connect").click();
    harness.run_steps(3);
    wait(&mut harness, "the listing of the saved site", |app| {
        remote_names(app) == ["from-site.txt"]
    });
    let commands: Vec<String> = app(&harness)
        .model
        .log
        .lines()
        .filter(|l| l.kind == LogKind::Command)
        .map(|l| l.text.clone())
        .collect();
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("PORT") || c.starts_with("EPRT")),
        "active mode: {commands:?}"
    );
    assert!(
        !commands.iter().any(|c| c == "EPSV" || c == "PASV"),
        "{commands:?}"
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    while secrets.is_empty() || !sites_file.exists() {
        assert!(
            Instant::now() < deadline,
            "the site and its password were never saved"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stored = std::fs::read_to_string(&sites_file).expect("sites file");
    assert!(stored.contains("transfer_mode = \"active\""), "{stored}");
    assert!(
        !stored.contains(unftp::PASSWORD),
        "a password in the sites file"
    );
    let saved = skiff::sites::store::load(&sites_file).expect("valid sites file");
    let id = saved.sites[0].id.clone();
    assert_eq!(
        secrets
            .get(&id)
            .ok()
            .flatten()
            .map(|p| p.expose().to_string())
            .as_deref(),
        Some(unftp::PASSWORD)
    );
}

/// Replaces the text of the last field labelled `label` (the Site
/// Manager is drawn over the quickconnect bar: its field is the last).
fn type_into(harness: &mut Harness<'static, App>, label: &str, text: &str) {
    harness.get_all_by_label(label).last().expect(label).click();
    harness.step();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness
        .get_all_by_label(label)
        .last()
        .expect(label)
        .type_text(text);
    harness.run_steps(2);
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

/// Waits until `path` holds exactly `want`.
fn wait_file(harness: &mut Harness<'static, App>, path: &Path, want: &[u8]) {
    let what = format!("{} with the right content", path.display());
    let want = sha(want);
    wait(harness, &what, |_| {
        std::fs::read(path).is_ok_and(|b| sha(&b) == want)
    });
}

/// Download by double-click and by drag and drop, upload with Enter, and the
/// overwrite dialog: Skip keeps the file, Rename keeps both.
#[test]
fn transfers_by_double_click_drag_and_enter_with_the_overwrite_dialog() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(server.root.join("big.bin"), &big).expect("seed");
    std::fs::write(server.root.join("dragged.txt"), b"dragged across").expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    // Unix line ends in a .txt: binary by default, so they arrive unchanged
    // (ASCII mode would make them CR LF on a server that does not translate).
    let text = b"from the local pane\nsecond line\n";
    std::fs::write(local.path().join("upload-me.txt"), text).expect("seed");
    let mut harness = harness(local.path());
    quickconnect(&mut harness, &server);
    wait(&mut harness, "the remote listing", |app| {
        remote_names(app).len() == 2
    });

    // Double-click a remote file: it lands in the local folder, complete.
    double_click(&mut harness, "big.bin");
    wait_file(&mut harness, &local.path().join("big.bin"), &big);
    wait(&mut harness, "the local pane refreshed", |app| {
        local_names(app).contains(&"big.bin".to_string())
    });
    assert!(
        harness
            .get_all_by_label_contains("Successful transfers (1)")
            .count()
            == 1
    );

    // Drag a remote row onto the local pane.
    let from = harness.get_by_label("dragged.txt").rect().center();
    let to = harness.get_by_label("upload-me.txt").rect().center();
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    for i in 1..=10 {
        let t = i as f32 / 10.0;
        harness.hover_at(from + (to - from) * t);
        harness.step();
    }
    harness.drop_at(to);
    harness.run_steps(2);
    wait_file(
        &mut harness,
        &local.path().join("dragged.txt"),
        b"dragged across",
    );

    // Enter on a local file uploads it into the remote folder.
    harness.get_by_label("upload-me.txt").click();
    harness.step();
    harness.key_press(Key::Enter);
    harness.step();
    let uploaded = server.root.join("upload-me.txt");
    wait(&mut harness, "the upload on the server", |_| {
        std::fs::read(&uploaded).is_ok_and(|b| b == text)
    });

    // The same download again: the target exists, the dialog asks. Skip keeps it.
    std::fs::write(local.path().join("big.bin"), b"a different local file").expect("change local");
    double_click(&mut harness, "big.bin");
    wait(&mut harness, "the overwrite dialog", |app| {
        matches!(app.dialog(), Some(Dialog::Overwrite { .. }))
    });
    harness.run_steps(4);
    harness.get_by_label("Target file already exists");
    harness.get_by_label("Skip").click();
    harness.run_steps(2);
    wait(&mut harness, "the skip", |app| {
        app.dialog().is_none() && app.model.queue_view.totals.queued == 0
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        std::fs::read(local.path().join("big.bin")).expect("local file"),
        b"a different local file",
        "Skip must not touch the existing file"
    );

    // Again, and Rename: both files are kept. egui hit-tests a click
    // against the last frame's layout, so a frame is drawn without the
    // closed dialog first (else its backdrop takes the first click, as it
    // would a real click in that frame). That made about one run in three
    // miss the double-click; with it, one run in 80 still did (not
    // understood), so the double-click is repeated once if nothing was
    // queued: a second one can only add a second, visible item, never hide
    // a bug in the dialog this checks.
    harness.run_steps(2);
    double_click(&mut harness, "big.bin");
    let asked = |app: &SkiffApp| matches!(app.dialog(), Some(Dialog::Overwrite { .. }));
    let deadline = Instant::now() + Duration::from_secs(2);
    while !asked(app(&harness)) && Instant::now() < deadline {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    if !asked(app(&harness)) && app(&harness).model.queue_view.totals.queued == 0 {
        double_click(&mut harness, "big.bin");
    }
    wait(&mut harness, "the overwrite dialog again", asked);
    harness.run_steps(4);
    harness.get_by_label("Rename").click();
    harness.run_steps(2);
    wait_file(&mut harness, &local.path().join("big (1).bin"), &big);
    assert_eq!(
        std::fs::read(local.path().join("big.bin")).expect("local file"),
        b"a different local file"
    );
    // A file dropped from the desktop's file manager onto the remote pane is uploaded.
    let desktop = tempfile::tempdir().expect("desktop dir");
    let dropped = desktop.path().join("from-the-desktop.txt");
    std::fs::write(&dropped, b"dropped from outside").expect("seed");
    let over_remote = harness
        .get_all_by_label("dragged.txt")
        .last()
        .expect("the remote row")
        .rect()
        .center();
    harness.hover_at(over_remote);
    harness.step();
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(DesktopFile(dropped.clone())));
    harness.step();
    let on_server = server.root.join("from-the-desktop.txt");
    wait(&mut harness, "the dropped file on the server", |_| {
        std::fs::read(&on_server).is_ok_and(|b| b == b"dropped from outside")
    });

    let leftovers: Vec<_> = std::fs::read_dir(local.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".skiffpart"))
        .collect();
    assert!(leftovers.is_empty(), "partial files left: {leftovers:?}");
}

/// A file as the desktop's file manager drops it into the window.
#[derive(Debug)]
struct DesktopFile(std::path::PathBuf);

impl egui::DroppedFile for DesktopFile {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Hostile-servers row 29: a name holding a terminal escape is shown with
/// a visible escape in the remote table, never with the raw byte.
#[test]
fn a_name_with_control_characters_is_shown_escaped() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    std::fs::write(server.root.join("evil\x1b[31mred\x07.txt"), b"x").expect("seed");
    std::fs::write(server.root.join("plain.txt"), b"y").expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    let mut harness = harness(local.path());
    quickconnect(&mut harness, &server);
    wait(&mut harness, "the listing", |app| {
        remote_names(app).iter().any(|n| n.starts_with("evil"))
    });
    let names = remote_names(app(&harness));
    assert!(
        names.iter().all(|n| !n.chars().any(char::is_control)),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n == "evil\\x1b[31mred\\x07.txt"),
        "{names:?}"
    );
    // What is drawn is the escaped text too.
    assert!(
        harness
            .get_all_by_label_contains("evil\\x1b[31mred\\x07.txt")
            .count()
            >= 1
    );
    assert_eq!(
        harness.query_all_by_label_contains("evil\x1b").count(),
        0,
        "no raw ESC in any label"
    );
}

/// The logins (`USER` commands) a real server has seen.
fn logins(server: &RealServer) -> usize {
    server
        .commands()
        .iter()
        .filter(|c| c.starts_with("USER "))
        .count()
}

/// Downloads the remote folder `tree` from the window: select it, Transfer.
fn download_tree(harness: &mut Harness<'static, App>, local: &Path, files: &[(String, Vec<u8>)]) {
    click_last(harness, "tree");
    if let Some(app) = harness.state_mut() {
        app.run_action(skiff::ui::action::Action::Transfer);
    }
    for (name, body) in files {
        wait_file(harness, &local.join("tree").join(name), body);
    }
}

/// Settings: OK writes `settings.toml` and a new window reads it back; the
/// simultaneous transfers setting is the number of logins a folder download
/// makes at a real vsftpd; the download limit slows a download; a `.txt`
/// with `\n` ends is uploaded byte for byte (binary by default) to vsftpd,
/// which does not translate line ends.
#[test]
fn settings_round_trip_and_drive_the_transfers() {
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 27_700) else {
        return;
    };
    let files: Vec<(String, Vec<u8>)> = (0..8)
        .map(|n| (format!("f{n}.bin"), vec![n as u8; 200_000]))
        .collect();
    for (name, body) in &files {
        server.put_file(&format!("tree/{name}"), body);
    }
    let slow: Vec<u8> = (0..600_000u32).map(|i| (i % 253) as u8).collect();
    server.put_file("slow.bin", &slow);
    let config = tempfile::tempdir().expect("config");
    let port = server.port.to_string();

    // One transfer at a time (from settings.toml): one login for browsing,
    // one for the queue.
    std::fs::write(
        config.path().join("settings.toml"),
        "[transfers]\nsimultaneous = 1\n",
    )
    .expect("settings");
    let local = tempfile::tempdir().expect("local");
    {
        let mut harness = harness_with(local.path(), config.path());
        assert_eq!(app(&harness).model.settings.transfers.simultaneous, 1);
        quickconnect_to(
            &mut harness,
            "127.0.0.1",
            &port,
            server.user,
            server.password,
        );
        wait(&mut harness, "the listing", |app| {
            remote_names(app).contains(&"tree".to_string())
        });
        download_tree(&mut harness, local.path(), &files);
    }
    let one = logins(&server);
    assert_eq!(
        one,
        2,
        "browse + one transfer connection: {:?}",
        server.commands()
    );

    // Four at a time, set in the dialog; OK saves it.
    let local = tempfile::tempdir().expect("local");
    let text = b"one\ntwo\nthree\n";
    std::fs::write(local.path().join("unix.txt"), text).expect("seed");
    let mut harness = harness_with(local.path(), config.path());
    if let Some(app) = harness.state_mut() {
        app.run_action(skiff::ui::action::Action::Settings);
    }
    harness.run_steps(2);
    harness.get_by_label("Transfers").click();
    harness.run_steps(2);
    harness.get_by_label("Simultaneous transfers:");
    if let Some(app) = harness.state_mut() {
        let dialog = app.model.modals.settings.as_mut().expect("dialog open");
        dialog.draft.transfers.simultaneous = 4;
        dialog.draft.transfers.limit_download = true;
        dialog.draft.transfers.download_kib = 200;
    }
    harness.get_by_label("OK").click();
    harness.run_steps(2);
    assert!(app(&harness).model.modals.settings.is_none(), "OK closes");
    let path = config.path().join("settings.toml");
    wait(&mut harness, "settings.toml written", |_| {
        std::fs::read_to_string(&path).is_ok_and(|t| t.contains("simultaneous = 4"))
    });
    let saved = skiff::settings::Settings::load(&path);
    assert!(saved.problem.is_none());
    assert_eq!(saved.settings, app(&harness).model.settings);

    // The limit applies: 600 KB at 200 KiB/s takes well over a second
    // (unlimited on loopback: milliseconds).
    quickconnect_to(
        &mut harness,
        "127.0.0.1",
        &port,
        server.user,
        server.password,
    );
    wait(&mut harness, "the listing", |app| {
        remote_names(app).contains(&"slow.bin".to_string())
    });
    let before = logins(&server);
    let started = Instant::now();
    double_click(&mut harness, "slow.bin");
    // Quitting while it runs asks (Ctrl+Q); Cancel keeps the window and
    // the transfer.
    wait(&mut harness, "the transfer running", |app| {
        app.model.queue_view.totals.running == 1
    });
    wait(&mut harness, "the title's progress", |app| {
        app.title().ends_with("% 127.0.0.1 - Skiff")
    });
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Q);
    harness.run_steps(3);
    assert!(
        matches!(
            app(&harness).dialog(),
            Some(Dialog::ConfirmQuit {
                running: 1,
                edited: 0
            })
        ),
        "quitting with a running transfer asks"
    );
    harness.get_by_label("Quit Skiff?");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(app(&harness).dialog().is_none());
    wait_file(&mut harness, &local.path().join("slow.bin"), &slow);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1800),
        "600 KB at 200 KiB/s took {took:?}"
    );

    // Four transfer connections for the folder (one was made for slow.bin).
    if let Some(app) = harness.state_mut() {
        let mut settings = app.model.settings.clone();
        settings.transfers.limit_download = false;
        app.model.update(skiff::ui::update::Msg::Settings(
            skiff::ui::settings::SettingsOutcome::Save(Box::new(settings)),
        ));
    }
    harness.step();
    download_tree(&mut harness, local.path(), &files);
    let four = logins(&server) - before;
    assert!(four >= 3, "the folder download used {four} connections");
    assert!(four <= 5, "the folder download used {four} connections");

    // Binary by default: a .txt with LF ends arrives unchanged at vsftpd.
    wait(&mut harness, "unix.txt listed", |app| {
        local_names(app).contains(&"unix.txt".to_string())
    });
    // egui hit-tests a click against the last frame's layout: under load a
    // click can miss, so it is repeated until the row is selected in the
    // focused local pane (a second click on a selected row changes nothing).
    for _ in 0..5 {
        harness
            .get_all_by_label("unix.txt")
            .next()
            .expect("local row")
            .click();
        harness.run_steps(2);
        let app = app(&harness);
        let selected = app.model.local.list.selected_rows();
        if app.focused_side() == Side::Local
            && selected.len() == 1
            && selected[0].name == "unix.txt"
        {
            break;
        }
    }
    harness.key_press(Key::Enter);
    harness.step();
    let uploaded = server.path("unix.txt");
    wait(&mut harness, "the upload", |_| {
        std::fs::read(&uploaded).is_ok_and(|b| sha(&b) == sha(text))
    });

    // A new window reads the file back.
    drop(harness);
    let harness = harness_with(local.path(), config.path());
    assert_eq!(app(&harness).model.settings.transfers.simultaneous, 4);
}

/// Issue 15 item 3: in Simplified Chinese the toolbar, the quickconnect bar,
/// the queue and the Site Manager show the words a Chinese FileZilla user
/// knows; back in English, the English ones. The language is set for this
/// test's thread only (`LocaleOverride`), where kittest draws, so the tests
/// running beside it stay in English.
#[test]
fn the_window_speaks_simplified_chinese_and_english_again() {
    // kittest panics on a glyph no font has: the CJK font is loaded before
    // the first Chinese frame, not in the background as the window does.
    let font = skiff::ui::fonts::find_cjk_font()
        .expect("no CJK font found: install fonts-wqy-microhei or fonts-noto-cjk to draw Chinese");
    let local = tempfile::tempdir().expect("local dir");
    let mut harness = harness(local.path());
    let bytes = std::fs::read(&font).expect("read the CJK font");
    skiff::ui::fonts::add_cjk_font(&harness.ctx, bytes);
    harness.step();

    let chinese = LocaleOverride::on_this_thread(Locale::ChineseSimplified);
    harness.step();
    for label in [
        "文件",
        "站点管理器…",
        "快速连接",
        "主机：",
        "本地站点",
        "远程站点",
        "消息日志",
        "列队的文件 (0)",
        "传输失败 (0)",
        "成功的传输 (0)",
        "未连接",
    ] {
        harness.get_by_label(label);
    }
    assert!(harness.query_by_label("Quickconnect").is_none());

    harness.get_by_label("站点管理器…").click();
    wait(
        &mut harness,
        "the Site Manager",
        SkiffApp::site_manager_open,
    );
    harness.get_by_label("站点管理器");
    harness.get_by_label("新站点");
    harness.get_by_label("取消").click();
    wait(&mut harness, "the Site Manager to close", |app| {
        !app.site_manager_open()
    });

    drop(chinese);
    harness.step();
    for label in [
        "File",
        "Site Manager…",
        "Quickconnect",
        "Host:",
        "Local site",
        "Queued files (0)",
        "Not connected",
    ] {
        harness.get_by_label(label);
    }
    assert!(harness.query_by_label("快速连接").is_none());
}

/// Without a keyring: the Site Manager says so beside the password field,
/// and a password typed at connect is asked once, not at every connect.
#[test]
fn without_a_keyring_the_password_is_asked_once_per_session() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    std::fs::write(server.root.join("kept.txt"), b"x").expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    let config = tempfile::tempdir().expect("config dir");
    let mut site = skiff::sites::Site::new("Work", "127.0.0.1");
    site.port = server.addr.port();
    site.user = unftp::USER.to_string();
    let mut sites = skiff::sites::Sites::new();
    sites.add(site).expect("valid site");
    skiff::sites::store::save(&skiff::sites::store::path_in(config.path()), &sites)
        .expect("save sites");
    let mut harness = harness_full(
        local.path(),
        config.path(),
        Arc::new(MemoryStore::unavailable()),
    );
    wait(&mut harness, "the keyring probe", |app| {
        app.model.sites.keyring_missing.is_some() && app.model.sites.sites.is_some()
    });
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait(
        &mut harness,
        "the site manager",
        SkiffApp::site_manager_open,
    );
    harness.run_steps(10);
    harness.get_by_label_contains("No keyring is available on this computer");

    // Connect: the password is asked for, once.
    harness.get_by_label("Connect").click();
    harness.run_steps(3);
    wait(&mut harness, "the password question", |app| {
        matches!(app.dialog(), Some(Dialog::AskPassword { .. }))
    });
    harness.run_steps(4);
    harness
        .get_all_by_label("Password:")
        .last()
        .expect("password field")
        .type_text(unftp::PASSWORD);
    harness.run_steps(2);
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    wait(&mut harness, "the listing", |app| {
        remote_names(app) == ["kept.txt"]
    });

    // Disconnect and connect again from the Site Manager: no question.
    if let Some(app) = harness.state_mut() {
        app.run_action(skiff::ui::action::Action::Disconnect);
    }
    wait(&mut harness, "disconnected", |app| {
        matches!(app.connection(), ConnectionState::Disconnected { .. })
    });
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait(
        &mut harness,
        "the site manager",
        SkiffApp::site_manager_open,
    );
    harness.run_steps(10);
    harness.get_by_label("Connect").click();
    harness.run_steps(3);
    wait(&mut harness, "the listing again", |app| {
        matches!(app.connection(), ConnectionState::Connected { .. })
            && remote_names(app) == ["kept.txt"]
    });
    assert!(
        app(&harness).dialog().is_none(),
        "the password was asked for again in the same session"
    );
}

/// Settings → Logging: the message log also goes to a file, which holds
/// every command sent and never the password.
#[test]
fn the_log_file_holds_every_command_and_no_password() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    std::fs::write(server.root.join("a.txt"), b"a").expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    let config = tempfile::tempdir().expect("config dir");
    let log_path = config.path().join("logs/skiff.log");
    std::fs::write(
        config.path().join("settings.toml"),
        format!(
            "[logging]\nto_file = true\nfile = \"{}\"\n",
            log_path.display()
        ),
    )
    .expect("settings");
    let mut harness = harness_with(local.path(), config.path());
    quickconnect(&mut harness, &server);
    wait(&mut harness, "the listing", |app| {
        remote_names(app) == ["a.txt"]
    });
    let sent: Vec<String> = app(&harness)
        .model
        .log
        .lines()
        .filter(|l| l.kind == LogKind::Command)
        .map(|l| l.text.clone())
        .collect();
    drop(harness); // closes the writer, which writes what it has
    let file = std::fs::read_to_string(&log_path).expect("the log file");
    assert!(!file.contains(unftp::PASSWORD), "{file}");
    assert!(file.contains("PASS ****"), "{file}");
    assert!(sent.len() >= 5, "{sent:?}");
    for command in &sent {
        assert!(
            file.contains(command.as_str()),
            "{command} missing from:\n{file}"
        );
    }
}

/// A download paused mid-file and restored by the next window shows what is
/// already on disk ("… of 1.1 MiB"), not 0, and no progress bar while it waits.
#[test]
fn a_restored_partial_download_shows_its_bytes() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    let body: Vec<u8> = (0..1_200_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(server.root.join("big.bin"), &body).expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    let config = tempfile::tempdir().expect("config dir");
    // Slow enough to pause mid-file.
    std::fs::write(
        config.path().join("settings.toml"),
        "[transfers]\nlimit_download = true\ndownload_kib = 150\n",
    )
    .expect("settings");
    {
        let mut harness = harness_with(local.path(), config.path());
        quickconnect(&mut harness, &server);
        wait(&mut harness, "the listing", |app| {
            remote_names(app) == ["big.bin"]
        });
        double_click(&mut harness, "big.bin");
        wait(&mut harness, "some bytes", |app| {
            app.model
                .queue_view
                .running_fraction()
                .is_some_and(|f| f > 0.1)
        });
        harness.get_by_label("Pause all").click();
        harness.run_steps(2);
        wait(&mut harness, "paused", |app| {
            app.model.queue_view.totals.running == 0 && app.model.queue_view.totals.queued == 1
        });
    }
    let part = local.path().join("big.bin.skiffpart");
    let kept = std::fs::metadata(&part)
        .expect("the partial file is kept")
        .len();
    assert!(kept > 0 && kept < body.len() as u64, "{kept}");

    let mut harness = harness_with(local.path(), config.path());
    wait(&mut harness, "the restored item", |app| {
        app.model.queue_view.totals.queued == 1
    });
    harness.run_steps(2);
    // The size cell says what is there, in the user's units.
    harness.get_by_label_contains("of 1.1 MiB");
    let left = app(&harness).model.queue_view.left();
    assert_eq!(
        left,
        body.len() as u64 - kept,
        "left counts only what is missing"
    );
    assert!(
        harness
            .query_by_role(egui::accesskit::Role::ProgressIndicator)
            .is_none(),
        "a waiting row has no progress bar"
    );
}

/// Ctrl+B adds a bookmark for the panes' folders (kept in sites.toml); the
/// Bookmarks menu opens it again.
#[test]
fn ctrl_b_adds_a_bookmark_and_the_menu_opens_it() {
    let local = tempfile::tempdir().expect("local dir");
    let inner = local.path().join("inner");
    std::fs::create_dir_all(&inner).expect("mkdir");
    std::fs::write(inner.join("marked.txt"), b"x").expect("seed");
    let config = tempfile::tempdir().expect("config dir");
    let mut harness = harness_with(&inner, config.path());
    wait(
        &mut harness,
        "the sites read and the folder listed",
        |app| {
            app.model.sites.sites.is_some() && local_names(app).contains(&"marked.txt".to_string())
        },
    );
    harness.key_press_modifiers(Modifiers::COMMAND, Key::B);
    harness.run_steps(4);
    harness.get_by_label("Add bookmark");
    harness.get_by_label("Name:").click();
    harness.step();
    harness.get_by_label("Name:").type_text("inner place");
    harness.run_steps(2);
    harness.get_by_label("OK").click();
    harness.run_steps(2);
    let sites_file = config.path().join("sites.toml");
    wait(&mut harness, "sites.toml with the bookmark", |_| {
        std::fs::read_to_string(&sites_file).is_ok_and(|t| t.contains("inner place"))
    });
    let saved = std::fs::read_to_string(&sites_file).expect("sites.toml");
    assert!(saved.contains("[[bookmark]]"), "{saved}");

    // Elsewhere, then back through the menu.
    if let Some(app) = harness.state_mut() {
        app.model.update(skiff::ui::update::Msg::Pane(
            Side::Local,
            skiff::ui::pane::PaneEvent::Go(skiff::ui::pane::Loc::Local(local.path().to_path_buf())),
        ));
    }
    wait(&mut harness, "the parent folder", |app| {
        local_names(app).contains(&"inner".to_string())
    });
    harness.get_by_label("Bookmarks").click();
    harness.run_steps(2);
    harness.get_by_label("inner place").click();
    harness.run_steps(2);
    wait(&mut harness, "the bookmarked folder", |app| {
        local_names(app).contains(&"marked.txt".to_string())
    });
}

/// Sets a file's modification time.
fn set_mtime(path: &Path, at: std::time::SystemTime) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open to set its time");
    file.set_modified(at).expect("set the time");
}

#[test]
fn directory_comparison_marks_both_panes_and_browsing_follows() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    let local = tempfile::tempdir().expect("local dir");
    // Two days ago, on a whole minute plus 10 s: the server's LIST gives
    // the minute, the disk the second, and they count as the same time.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let t = std::time::UNIX_EPOCH + Duration::from_secs((now - 2 * 86_400) / 60 * 60 + 10);
    let hour = Duration::from_secs(3600);
    type Content = Option<(&'static [u8], std::time::SystemTime)>;
    let files: [(&str, Content, Content); 5] = [
        ("same.txt", Some((b"abc", t)), Some((b"abc", t))),
        ("newer.txt", Some((b"abc", t + 2 * hour)), Some((b"abc", t))),
        ("size.txt", Some((b"abcd", t)), Some((b"abc", t))),
        ("mine.txt", Some((b"abc", t)), None),
        ("theirs.txt", None, Some((b"abc", t))),
    ];
    for (name, here, there) in files {
        for (root, side) in [(local.path(), here), (server.root.as_path(), there)] {
            if let Some((bytes, at)) = side {
                std::fs::write(root.join(name), bytes).expect("seed");
                set_mtime(&root.join(name), at);
            }
        }
    }
    for root in [local.path(), server.root.as_path()] {
        std::fs::create_dir(root.join("sub")).expect("seed");
    }
    std::fs::create_dir(local.path().join("sub/deeper")).expect("seed");

    let mut harness = harness(local.path());
    wait(&mut harness, "the local listing", |app| {
        local_names(app).len() == 5
    });
    quickconnect(&mut harness, &server);
    wait(&mut harness, "the remote listing", |app| {
        remote_names(app).len() == 5
    });
    assert_eq!(harness.query_all_by_label("only here").count(), 0);

    // The toolbar's toggle: each pane tags what differs, in words.
    harness.get_by_label("Directory comparison").click();
    harness.step();
    harness.step();
    let tags = |harness: &Harness<'static, App>, tag: &str| harness.query_all_by_label(tag).count();
    assert_eq!(
        tags(&harness, "only here"),
        2,
        "mine.txt here, theirs.txt there"
    );
    assert_eq!(tags(&harness, "size differs"), 2, "size.txt in both panes");
    assert_eq!(tags(&harness, "newer"), 1, "newer.txt here");
    assert_eq!(tags(&harness, "older"), 1, "newer.txt there");
    let marks = |app: &SkiffApp, side: Side| {
        let pane = match side {
            Side::Local => &app.model.local,
            Side::Remote => &app.model.remote,
        };
        let mut out: Vec<(String, Option<String>)> = pane
            .list
            .view()
            .iter()
            .filter_map(|&i| {
                pane.list
                    .row(i)
                    .map(|r| (r.name.clone(), pane.list.mark(i).tag()))
            })
            .collect();
        out.sort();
        out
    };
    let tagged = |name: &str, tag: Option<&str>| (name.to_string(), tag.map(str::to_string));
    assert_eq!(
        marks(app(&harness), Side::Local),
        [
            tagged("mine.txt", Some("only here")),
            tagged("newer.txt", Some("newer")),
            tagged("same.txt", None),
            tagged("size.txt", Some("size differs")),
            tagged("sub", None),
        ]
    );
    assert_eq!(
        marks(app(&harness), Side::Remote),
        [
            tagged("newer.txt", Some("older")),
            tagged("same.txt", None),
            tagged("size.txt", Some("size differs")),
            tagged("sub", None),
            tagged("theirs.txt", Some("only here")),
        ]
    );

    // View → Hide identical files: same.txt leaves both panes.
    harness.get_by_label("View").click();
    for _ in 0..3 {
        harness.step();
    }
    harness.get_by_label("Hide identical files").click();
    harness.step();
    harness.step();
    assert!(!local_names(app(&harness)).contains(&"same.txt".to_string()));
    assert!(!remote_names(app(&harness)).contains(&"same.txt".to_string()));
    assert_eq!(harness.query_all_by_label("same.txt").count(), 0);
    assert_eq!(local_names(app(&harness)).len(), 4);

    // Synchronized browsing: entering sub on the server enters it here too.
    harness.get_by_label("Synchronized browsing").click();
    harness.step();
    double_click(&mut harness, "sub");
    wait(&mut harness, "the local pane to follow", |app| {
        app.model.local.path_edit.ends_with("sub") && remote_dir(app) == "/sub"
    });
    assert!(app(&harness).model.view.sync_browsing);
    // deeper exists only here: entering it asks whether to create it on
    // the server (FileZilla's question); Stop turns synchronized browsing off.
    double_click(&mut harness, "deeper");
    wait(&mut harness, "the missing-folder question", |app| {
        matches!(app.dialog(), Some(Dialog::SyncFolderMissing { .. }))
    });
    harness.run_steps(4);
    harness.get_by_label("Stop synchronized browsing").click();
    harness.run_steps(2);
    wait(&mut harness, "synchronized browsing to stop", |app| {
        !app.model.view.sync_browsing
    });
    assert_eq!(remote_dir(app(&harness)), "/sub");
    assert!(
        harness
            .query_all_by_label_contains("the folder does not exist on the other side")
            .count()
            >= 1
    );
}

/// Synchronize… compares both folders all the way down: a difference two
/// levels inside a folder both sides have is planned, shown before Run,
/// and transferred (its new folder made first).
#[test]
fn the_synchronize_dialog_shows_the_plan_then_queues_it() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    std::fs::write(server.root.join("old.txt"), b"o").expect("seed");
    std::fs::create_dir(server.root.join("sub")).expect("seed");
    std::fs::write(server.root.join("sub/x.txt"), b"1").expect("seed");
    let local = tempfile::tempdir().expect("local dir");
    std::fs::write(local.path().join("a.txt"), b"abc").expect("seed");
    std::fs::create_dir_all(local.path().join("sub/inner")).expect("seed");
    std::fs::write(local.path().join("sub/x.txt"), b"12345").expect("seed");
    std::fs::write(local.path().join("sub/inner/deep.txt"), b"deep").expect("seed");
    // The config folder elsewhere: the local tree is compared whole.
    let config = tempfile::tempdir().expect("config dir");
    let mut harness = harness_with(local.path(), config.path());
    wait(&mut harness, "the local listing", |app| {
        local_names(app) == ["sub", "a.txt"]
    });
    quickconnect(&mut harness, &server);
    wait(&mut harness, "the remote listing", |app| {
        remote_names(app) == ["sub", "old.txt"]
    });

    harness.get_by_label("Transfer").click();
    for _ in 0..3 {
        harness.step();
    }
    harness.get_by_label("Synchronize…").click();
    wait(&mut harness, "both trees walked", |app| {
        app.model
            .view
            .sync_dialog
            .as_ref()
            .is_some_and(|d| d.walking.is_none())
    });
    // a.txt, sub/x.txt (another size) and sub/inner/deep.txt (in a folder
    // the server lacks, inside one both have): 3 + 5 + 4 bytes.
    harness.get_by_label("Upload 3 files (12)");
    harness.get_by_label("Make one folder");
    harness.get_by_label("Upload: sub/inner/deep.txt");
    harness.get_by_label("Upload: sub/x.txt");
    harness.get_by_label("Make folder: sub/inner");
    assert!(harness.query_by_label("Delete one item").is_none());
    harness
        .get_by_label("Delete what the source folder does not have")
        .click();
    for _ in 0..2 {
        harness.step();
    }
    harness.get_by_label("Delete one item");
    harness.get_by_label("Delete: old.txt");
    assert!(server.root.join("old.txt").exists(), "nothing before Run");
    assert!(
        !server.root.join("sub/inner").exists(),
        "nothing before Run"
    );

    harness.get_by_label("Run").click();
    harness.step();
    wait(&mut harness, "the sync to finish", |app| {
        app.model.view.sync_dialog.is_none()
    });
    wait_file(&mut harness, &server.root.join("a.txt"), b"abc");
    wait_file(&mut harness, &server.root.join("sub/x.txt"), b"12345");
    wait_file(
        &mut harness,
        &server.root.join("sub/inner/deep.txt"),
        b"deep",
    );
    let gone = server.root.join("old.txt");
    wait(&mut harness, "old.txt deleted", |_| !gone.exists());
}

/// The mode bits of a path on the server's disk (never following a link).
fn disk_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o7777
}

/// Issue 17 in the window, against vsftpd: Delete on a non-empty folder
/// plans it, names what will go, deletes it on connections of its own
/// (a link inside deleted as the link it is, its target outside kept);
/// File permissions… sends SITE CHMOD and the listing shows the new mode;
/// Enter custom command… shows SYST's reply in the log and refuses LIST.
#[test]
fn remote_delete_permissions_and_custom_command_from_the_window() {
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 32_100) else {
        return;
    };
    server.put_file("doomed/a/x.txt", b"12345");
    server.put_file("doomed/a/b/y.txt", b"123");
    server.put_file("doomed/z.txt", b"12");
    server.put_file("outside/keep.txt", b"keep me");
    std::os::unix::fs::symlink("../outside", server.path("doomed/to-outside")).expect("symlink");
    server.put_file("perm.txt", b"p");
    server.put_file("partial/free.txt", b"f");
    server.put_file("partial/locked/stuck.txt", b"s");
    server.fix_permissions();
    // vsftpd acts as the test user: a folder of root's keeps what is in it.
    std::os::unix::fs::chown(server.path("partial/locked"), Some(0), Some(0)).expect("chown");
    let local = tempfile::tempdir().expect("local");
    let port = server.port.to_string();
    let mut harness = harness(local.path());
    quickconnect_to(
        &mut harness,
        "127.0.0.1",
        &port,
        server.user,
        server.password,
    );
    wait(&mut harness, "the listing", |app| {
        remote_names(app).contains(&"doomed".to_string())
    });

    // Delete: counting, then the confirmation with what will go.
    click_last(&mut harness, "doomed");
    harness.key_press(Key::Delete);
    harness.step();
    wait(&mut harness, "the delete's plan", |app| {
        matches!(
            app.model.ops.delete.as_ref().map(|d| &d.stage),
            Some(skiff::ui::ops_state::DeleteStage::Confirm { .. })
        )
    });
    harness.get_by_label_contains("Delete “doomed” from the server");
    // doomed, doomed/a, doomed/a/b; three files and the link.
    harness.get_by_label("3 folders, 4 files, 10 B");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Delete")
        .click();
    harness.step();
    wait(&mut harness, "the folder deleted", |app| {
        app.model.ops.delete.is_none() && !remote_names(app).contains(&"doomed".to_string())
    });
    assert!(!server.path("doomed").exists());
    assert!(
        server.path("outside/keep.txt").is_file(),
        "the link's target stays"
    );
    assert!(
        app(&harness)
            .model
            .log
            .lines()
            .any(|l| l.text == "Deleted 7 files and folders on the server."),
        "the count in the log"
    );

    // A partial failure: what could go went, each path left is listed.
    click_last(&mut harness, "partial");
    harness.key_press(Key::Delete);
    harness.step();
    wait(&mut harness, "the second plan", |app| {
        matches!(
            app.model.ops.delete.as_ref().map(|d| &d.stage),
            Some(skiff::ui::ops_state::DeleteStage::Confirm { .. })
        )
    });
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Delete")
        .click();
    harness.step();
    wait(&mut harness, "the report", |app| {
        matches!(
            app.model.ops.delete.as_ref().map(|d| &d.stage),
            Some(skiff::ui::ops_state::DeleteStage::Finished { .. })
        )
    });
    harness.get_by_label("3 paths could not be deleted:");
    let mut failed: Vec<String> = app(&harness)
        .model
        .ops
        .delete
        .as_ref()
        .map(|d| d.failures.iter().map(|f| f.display_path.clone()).collect())
        .unwrap_or_default();
    failed.sort();
    assert_eq!(
        failed,
        ["/partial", "/partial/locked", "/partial/locked/stuck.txt"]
    );
    // Each is in the dialog (and in the log).
    for path in &failed {
        let shown = harness
            .get_all_by_label_contains(&format!(": {path}"))
            .count();
        assert!(shown >= 1, "{path} shown");
    }
    assert!(!server.path("partial/free.txt").exists());
    assert!(server.path("partial/locked/stuck.txt").is_file());
    click_last(&mut harness, "Close");
    assert!(app(&harness).model.ops.delete.is_none());

    // File permissions…: 640 typed in the numeric field.
    click_last(&mut harness, "perm.txt");
    if let Some(app) = harness.state_mut() {
        app.run_action(skiff::ui::action::Action::Permissions);
    }
    harness.run_steps(3);
    assert!(app(&harness).model.ops.chmod.is_some(), "the dialog opens");
    harness.get_by_label("Owner");
    let field = harness.get_by_label("Numeric value:");
    field.click();
    harness.step();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Numeric value:").type_text("640");
    harness.step();
    assert_eq!(
        app(&harness).model.ops.chmod.as_ref().map(|d| d.mode),
        Some(0o640),
        "the checkboxes follow the numeric field"
    );
    click_last(&mut harness, "Apply");
    wait(&mut harness, "the chmod's result", |app| {
        app.model
            .ops
            .chmod
            .as_ref()
            .is_some_and(|d| d.result.is_some())
    });
    assert_eq!(
        app(&harness)
            .model
            .ops
            .chmod
            .as_ref()
            .and_then(|d| d.result.clone())
            .as_deref(),
        Some("Permissions changed.")
    );
    assert_eq!(disk_mode(&server.path("perm.txt")), 0o640);
    click_last(&mut harness, "Close");
    wait(&mut harness, "the new mode listed", |app| {
        let list = &app.model.remote.list;
        list.rows()
            .iter()
            .any(|r| r.name == "perm.txt" && r.permissions.ends_with("rw-r-----"))
    });

    // Enter custom command…: SYST's reply in the log; LIST refused.
    let custom = |harness: &mut Harness<'static, App>, line: &str| {
        if let Some(app) = harness.state_mut() {
            app.run_action(skiff::ui::action::Action::CustomCommand);
        }
        harness.run_steps(3);
        harness.get_by_label("Command:").type_text(line);
        harness.step();
        click_last(harness, "Send");
    };
    custom(&mut harness, "SYST");
    wait(&mut harness, "SYST's reply", |app| {
        app.model.log.lines().any(|l| l.text.starts_with("215 "))
    });
    custom(&mut harness, "LIST");
    harness.step();
    assert!(
        app(&harness)
            .model
            .log
            .lines()
            .any(|l| l.kind == LogKind::Error && l.text.starts_with("LIST needs a data connection")),
        "the refusal in the log"
    );
    assert!(
        app(&harness).model.ops.quote.is_some(),
        "the dialog stays open"
    );
    click_last(&mut harness, "Cancel");
    assert!(app(&harness).model.ops.quote.is_none());
    // The typed SYST was the last command the server saw: LIST never went.
    let commands = server.commands();
    assert_eq!(
        commands.last().map(String::as_str),
        Some("SYST"),
        "{commands:?}"
    );
}

/// Server → Search remote files…: a glob from the remote folder finds
/// files in subfolders; a result is downloaded, and its folder opened.
#[test]
fn search_remote_files_finds_downloads_and_opens() {
    let rt = server_runtime();
    let server = rt.block_on(unftp::start());
    for (path, body) in [
        ("logs/a.log", &b"aaaa"[..]),
        ("logs/x.txt", b"x"),
        ("logs/sub/b.log", b"bbbb"),
        ("logs/sub/deeper/c.log", b"c contents"),
    ] {
        let file = server.root.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("seed");
        std::fs::write(file, body).expect("seed");
    }
    let local = tempfile::tempdir().expect("local");
    let mut harness = harness(local.path());
    quickconnect(&mut harness, &server);
    wait(&mut harness, "the listing", |app| {
        remote_names(app).contains(&"logs".to_string())
    });
    if let Some(app) = harness.state_mut() {
        app.run_action(skiff::ui::action::Action::SearchRemote);
    }
    harness.run_steps(3);
    harness.get_by_label("Name:").click();
    harness.step();
    harness.get_by_label("Name:").type_text("*.log");
    harness.step();
    click_last(&mut harness, "Matches a pattern (*.log)");
    click_last(&mut harness, "Search");
    wait(&mut harness, "the search's end", |app| {
        app.model
            .ops
            .search
            .as_ref()
            .is_some_and(|s| s.job.is_none() && s.status.is_some())
    });
    let mut found: Vec<String> = app(&harness)
        .model
        .ops
        .search
        .as_ref()
        .map(|s| s.results.iter().map(|f| f.display_path.clone()).collect())
        .unwrap_or_default();
    found.sort();
    assert_eq!(
        found,
        ["/logs/a.log", "/logs/sub/b.log", "/logs/sub/deeper/c.log"]
    );
    harness.get_by_label("The search found 3 matches.");

    click_last(&mut harness, "/logs/sub/deeper/c.log");
    click_last(&mut harness, "Download selected");
    wait_file(&mut harness, &local.path().join("c.log"), b"c contents");
    click_last(&mut harness, "Open folder");
    wait(&mut harness, "the result's folder", |app| {
        remote_dir(app) == "/logs/sub/deeper"
    });
    assert_eq!(remote_names(app(&harness)), ["c.log"]);
}

/// View/Edit from the remote pane's context menu, against vsftpd: the file
/// is fetched and opened in a stand-in editor (a script that writes new
/// content and exits), the save is asked about and uploaded; a save over a copy someone else
/// changed warns first and replaces it only when told; File → Show files
/// being edited… lists it; the private folder goes with the window.
#[test]
fn view_edit_uploads_a_save_and_warns_when_the_server_changed() {
    use skiff::ui::edit_state::EditState;
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 36_300) else {
        return;
    };
    server.put_file("page.txt", b"hello\n");
    let local = tempfile::tempdir().expect("local");
    let config = tempfile::tempdir().expect("config");
    let editor = config.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf 'hello, edited\\n' > \"$1\"\n").expect("editor");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    std::fs::write(
        config.path().join("settings.toml"),
        format!("[editing]\neditor = {:?}\n", editor.display().to_string()),
    )
    .expect("settings");
    let mut harness = harness_with(local.path(), config.path());
    let port = server.port.to_string();
    quickconnect_to(
        &mut harness,
        "127.0.0.1",
        &port,
        server.user,
        server.password,
    );
    wait(&mut harness, "the listing", |app| {
        remote_names(app).contains(&"page.txt".to_string())
    });
    click_last(&mut harness, "page.txt");
    harness
        .get_all_by_label("page.txt")
        .last()
        .expect("row")
        .click_secondary();
    harness.step();
    harness.get_by_label("View/Edit").click();
    harness.step();
    // Fetched, opened, and saved by the editor at once: asked about.
    wait(&mut harness, "the question", |app| {
        app.model.edits.question().is_some()
    });
    let file = app(&harness).model.edits.files[0].local.clone();
    let root = app(&harness)
        .model
        .edits
        .root
        .clone()
        .expect("private folder");
    assert!(file.starts_with(&root));
    assert_eq!(std::fs::read(&file).expect("edited"), b"hello, edited\n");
    assert_eq!(
        std::fs::read(server.path("page.txt")).expect("server"),
        b"hello\n",
        "nothing is sent before the answer"
    );
    harness.get_by_label_contains("page.txt was saved in the editor");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Upload")
        .click();
    harness.step();
    wait(&mut harness, "the upload", |app| {
        app.model.edits.files[0].state == EditState::Uploaded
    });
    assert_eq!(
        std::fs::read(server.path("page.txt")).expect("server"),
        b"hello, edited\n"
    );
    assert!(!server.path("page.txt.skiffpart").exists());

    // Someone else changes it; the next save warns and keeps theirs
    // until the user says to replace it.
    server.put_file("page.txt", b"their version, longer\n");
    std::fs::write(&file, b"mine, second save\n").expect("save");
    wait(&mut harness, "the question", |app| {
        app.model.edits.question().is_some()
    });
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Upload")
        .click();
    harness.step();
    wait(&mut harness, "the warning", |app| {
        app.model.edits.files[0].state == EditState::ServerChanged
    });
    harness.get_by_label_contains("changed on 127.0.0.1 since you opened it");
    assert_eq!(
        std::fs::read(server.path("page.txt")).expect("server"),
        b"their version, longer\n"
    );
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Upload and replace")
        .click();
    harness.step();
    wait(&mut harness, "the forced upload", |app| {
        app.model.edits.files[0].state == EditState::Uploaded
    });
    assert_eq!(
        std::fs::read(server.path("page.txt")).expect("server"),
        b"mine, second save\n"
    );

    // Ctrl+E: the list of files being edited, with the state.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    harness.step();
    harness.step();
    harness.get_by_label("Files being edited");
    harness.get_by_label("/page.txt");
    harness.get_by_label("Uploaded");

    drop(harness);
    assert!(!root.exists(), "the private folder goes with the window");
}

/// Issue 18: an SFTP site made in the Site Manager (protocol SFTP, port 22
/// filled in, then the test sshd's) connects, shows the host-key dialog with
/// the fingerprint `ssh-keygen -lf` prints, and after Trust once lists the
/// server's folder; a download from it is byte for byte.
#[test]
fn an_sftp_site_asks_about_its_host_key_then_lists() {
    let server = support::sshd::Sshd::start(35_100);
    server.put_file("over-ssh.txt", b"hello over SFTP\n");
    let local = tempfile::tempdir().expect("local dir");
    let config = tempfile::tempdir().expect("config dir");
    let mut harness = harness_with(local.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait(
        &mut harness,
        "the site manager",
        SkiffApp::site_manager_open,
    );
    harness.run_steps(10);
    harness.get_by_label("New site").click();
    harness.run_steps(10);
    harness.get_by_label("Protocol:").click();
    harness.run_steps(3);
    harness
        .get_by_label("SFTP - SSH File Transfer Protocol")
        .click();
    harness.run_steps(3);
    // Choosing SFTP put SFTP's port in the field.
    harness.get_all_by_value("22").last().expect("port 22");
    type_into(&mut harness, "Host:", "127.0.0.1");
    type_into(&mut harness, "Port:", &server.port.to_string());
    type_into(&mut harness, "User:", support::sshd::USER);
    type_into(&mut harness, "Password:", support::sshd::PASSWORD);
    harness.get_by_label("Connect").click();
    harness.run_steps(3);
    wait(&mut harness, "the host-key dialog", certificate_dialog_open);
    harness.get_by_label_contains("host key is not in known_hosts");
    // The fingerprint as `ssh-keygen -lf` prints it.
    harness.get_by_label(&server.host_key_fingerprint());
    // Let the modal settle to its final place before clicking in it.
    harness.run_steps(10);
    harness.get_by_label("Trust once").click();
    harness.run_steps(3);
    wait(&mut harness, "the SFTP listing", |app| {
        remote_names(app).contains(&"over-ssh.txt".to_string())
    });
    assert!(
        app(&harness)
            .model
            .log
            .lines()
            .any(|l| l.text.contains(&server.host_key_fingerprint())),
        "the trusted key is named in the log"
    );
    double_click(&mut harness, "over-ssh.txt");
    wait_file(
        &mut harness,
        &local.path().join("over-ssh.txt"),
        b"hello over SFTP\n",
    );
}
