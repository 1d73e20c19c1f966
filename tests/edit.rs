//! View/Edit's remote side against real servers: a file fetched into a
//! private folder with the server's baseline; an edited file uploaded only
//! while the server's copy is still that one (size and time on vsftpd; a
//! same-size, same-second change caught by proftpd's checksum); atomic
//! uploads that leave the original whole when the upload is cut off, for
//! View/Edit and for a site's "upload to a temporary name" option.
//!
//! What the server's folder holds afterwards is the proof.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;

use skiff::engine::limit::RateLimiter;
use skiff::engine::ops::edit::{RemoteBaseline, fetch, upload_edited};
use skiff::engine::transfer::upload_file;
use skiff::engine::{
    Credentials, EngineError, Event, EventSink, ExistsPolicy, RetryPolicy, SessionConfig,
    TransferSettings,
};
use skiff::secret::Secret;
use support::servers::{RealServer, ServerKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn config(server: &RealServer) -> SessionConfig {
    let credentials = Credentials {
        user: server.user.to_string(),
        password: Secret::new(server.password),
        account: None,
    };
    let mut config = SessionConfig::new("127.0.0.1", server.port, credentials);
    config.timeout = Duration::from_secs(10);
    config
}

fn settings(config: SessionConfig, events: EventSink) -> TransferSettings {
    TransferSettings {
        session: config,
        retry: RetryPolicy {
            retries: 0,
            delay: Duration::from_millis(200),
        },
        exists: ExistsPolicy::Skip,
        events,
        cancel: CancellationToken::new(),
        preserve_times: false,
        within: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn commands(rx: &mut mpsc::UnboundedReceiver<Event>) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let Event::Log(line) = event {
            out.push(line.text);
        }
    }
    out
}

/// Files in the server's folder `rel`, sorted.
fn names(server: &RealServer, rel: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(server.path(rel))
        .expect("read server folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn vsftpd_edit_checks_the_servers_copy_and_uploads_atomically() {
    let Some(server) = RealServer::start(ServerKind::Vsftpd, 36_100) else {
        return;
    };
    server.put_file("www/index.html", b"<p>one</p>\n");
    let work = tempfile::tempdir().expect("tmp");
    let target = work.path().join("skiff-edit-x/1/index.html");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let settings = settings(config(&server), EventSink::new(tx));
    runtime().block_on(async {
        let mut slot = None;
        // Fetched into a folder only this user can read.
        let opened = fetch(&mut slot, &settings, b"/www/index.html", &target)
            .await
            .expect("fetch");
        assert_eq!(std::fs::read(&target).expect("fetched"), b"<p>one</p>\n");
        let mode = std::fs::metadata(target.parent().expect("folder"))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "a private folder");
        assert_eq!(opened.size, Some(11));
        assert!(opened.modified.is_some(), "vsftpd answers MDTM");

        // Saved in the editor, unchanged on the server: uploaded to a
        // temporary name, renamed over the original.
        std::fs::write(&target, b"<p>two, longer</p>\n").expect("edit");
        commands(&mut rx);
        let after = upload_edited(
            &mut slot,
            &settings,
            &target,
            b"/www/index.html",
            Some(&opened),
        )
        .await
        .expect("upload");
        assert_eq!(
            std::fs::read(server.path("www/index.html")).expect("server copy"),
            b"<p>two, longer</p>\n"
        );
        assert_eq!(
            names(&server, "www"),
            ["index.html"],
            "no temporary file left"
        );
        let sent = commands(&mut rx).join("\n");
        assert!(sent.contains("STOR /www/index.html.skiffpart"), "{sent}");
        assert!(sent.contains("RNTO /www/index.html"), "{sent}");
        assert_eq!(after.size, Some(19));

        // Someone else changes the server's copy: the next save is refused
        // and the server keeps their version.
        server.put_file("www/index.html", b"<p>theirs</p>\n");
        std::fs::write(&target, b"<p>mine again</p>\n").expect("edit");
        let refused = upload_edited(
            &mut slot,
            &settings,
            &target,
            b"/www/index.html",
            Some(&after),
        )
        .await;
        assert!(
            matches!(refused, Err(EngineError::RemoteChanged(ref p)) if p == "/www/index.html"),
            "{refused:?}"
        );
        assert_eq!(
            std::fs::read(server.path("www/index.html")).expect("server copy"),
            b"<p>theirs</p>\n"
        );
        // Deleted on the server: refused too (nothing to compare with).
        std::fs::remove_file(server.path("www/index.html")).expect("rm");
        let refused = upload_edited(
            &mut slot,
            &settings,
            &target,
            b"/www/index.html",
            Some(&after),
        )
        .await;
        assert!(
            matches!(refused, Err(EngineError::RemoteChanged(_))),
            "{refused:?}"
        );
        assert!(!server.path("www/index.html").exists());
        // The user chose to overwrite: it is sent.
        upload_edited(&mut slot, &settings, &target, b"/www/index.html", None)
            .await
            .expect("forced upload");
        assert_eq!(
            std::fs::read(server.path("www/index.html")).expect("server copy"),
            b"<p>mine again</p>\n"
        );

        // An atomic upload cut off halfway leaves the original whole.
        let original = vec![b'o'; 100_000];
        server.put_file("www/big.bin", &original);
        let source = work.path().join("big.bin");
        std::fs::write(&source, vec![b'n'; 4_000_000]).expect("source");
        let mut slow = settings.clone();
        slow.session.upload_limit = Some(Arc::new(RateLimiter::new(1_000_000)));
        slow.cancel = CancellationToken::new();
        let cancel = slow.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1_200)).await;
            cancel.cancel();
        });
        let mut own = None;
        let cut = upload_edited(&mut own, &slow, &source, b"/www/big.bin", None).await;
        assert!(cut.is_err(), "{cut:?}");
        assert_eq!(
            std::fs::read(server.path("www/big.bin")).expect("server copy"),
            original,
            "the original is untouched"
        );
        let partial = std::fs::metadata(server.path("www/big.bin.skiffpart"))
            .expect("the cut-off upload waits under its temporary name")
            .len();
        assert!(partial > 0 && partial < 4_000_000, "{partial}");

        // The site's option does the same for every upload of the queue's
        // path, and leaves no temporary file when it succeeds.
        let mut atomic = settings.clone();
        atomic.session.atomic_uploads = true;
        atomic.exists = ExistsPolicy::Overwrite;
        commands(&mut rx);
        let mut own = None;
        upload_file(&mut own, &atomic, &source, b"/www/big.bin", None)
            .await
            .expect("atomic upload");
        assert_eq!(
            std::fs::read(server.path("www/big.bin"))
                .expect("server copy")
                .len(),
            4_000_000
        );
        assert!(!server.path("www/big.bin.skiffpart").exists());
        let sent = commands(&mut rx).join("\n");
        assert!(sent.contains("RNFR /www/big.bin.skiffpart"), "{sent}");
    });
}

/// proftpd's mod_digest gives the baseline a checksum: a change of the
/// same size in the same second, which size and time cannot see, is caught.
#[test]
fn proftpd_checksum_catches_a_same_size_same_second_change() {
    let Some(server) = RealServer::start(ServerKind::Proftpd, 36_200) else {
        return;
    };
    let path = server.put_file("notes.txt", b"alpha\n");
    let work = tempfile::tempdir().expect("tmp");
    let target = work.path().join("e/1/notes.txt");
    let (tx, _rx) = mpsc::unbounded_channel();
    let settings = settings(config(&server), EventSink::new(tx));
    runtime().block_on(async {
        let mut slot = None;
        let opened: RemoteBaseline = fetch(&mut slot, &settings, b"/notes.txt", &target)
            .await
            .expect("fetch");
        assert!(opened.checksum.is_some(), "proftpd offers a digest");
        let stamp = std::fs::metadata(&path)
            .expect("stat")
            .modified()
            .expect("mtime");
        std::fs::write(&path, b"omega\n").expect("their change");
        std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open")
            .set_modified(stamp)
            .expect("same time");
        std::fs::write(&target, b"mine!\n").expect("edit");
        let refused =
            upload_edited(&mut slot, &settings, &target, b"/notes.txt", Some(&opened)).await;
        assert!(
            matches!(refused, Err(EngineError::RemoteChanged(_))),
            "{refused:?}"
        );
        assert_eq!(std::fs::read(&path).expect("server copy"), b"omega\n");
    });
}
