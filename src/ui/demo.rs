//! `skiff --demo`: an FTP server on loopback serving a generated sample
//! folder, so a newcomer sees Skiff work without a server of their own.
//!
//! The server is libunftp (a well-kept server crate) with anonymous login,
//! on `127.0.0.1` at a port the OS picks; it runs on the app's tokio runtime
//! and its folder is a temporary directory removed when the app exits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use libunftp::ServerBuilder;
use libunftp::options::ActivePassiveMode;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use unftp_sbe_fs::Filesystem;

/// A running demo server; dropping it stops the server and deletes its folder.
#[derive(Debug)]
pub struct DemoServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The folder it serves.
    pub root: PathBuf,
    accept: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Creates the sample folder and starts the server on `runtime`.
pub fn start(runtime: &tokio::runtime::Handle) -> std::io::Result<DemoServer> {
    let dir = tempfile::Builder::new().prefix("skiff-demo-").tempdir()?;
    let root = dir.path().to_path_buf();
    write_samples(&root)?;
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let serve_root = root.clone();
    let accept = runtime.spawn(async move {
        let listener = match TcpListener::from_std(std_listener) {
            Ok(listener) => listener,
            Err(e) => {
                tracing::error!("demo server cannot listen: {e}");
                return;
            }
        };
        let mut sessions = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let root = serve_root.clone();
                        sessions.spawn(async move {
                            let server = ServerBuilder::new(Box::new(move || {
                                Filesystem::new(root.clone()).unwrap_or_else(|e| {
                                    // Filesystem::new only fails for a root that vanished.
                                    panic!("demo root is gone: {e}")
                                })
                            }))
                            .greeting("Skiff demo server")
                            .active_passive_mode(ActivePassiveMode::ActiveAndPassive)
                            .build();
                            match server {
                                Ok(server) => {
                                    if let Err(e) = server.service(stream).await {
                                        tracing::debug!("demo session ended: {e:?}");
                                    }
                                }
                                Err(e) => tracing::error!("demo server: {e}"),
                            }
                        });
                    }
                    Err(e) => tracing::warn!("demo server accept failed: {e}"),
                },
                Some(_) = sessions.join_next() => {}
            }
        }
    });
    Ok(DemoServer {
        addr,
        root,
        accept,
        _dir: dir,
    })
}

/// A small tree with the things worth seeing: folders, many files, a
/// larger file, and names in Chinese and Japanese.
fn write_samples(root: &Path) -> std::io::Result<()> {
    use std::fs;
    fs::create_dir_all(root.join("docs"))?;
    fs::create_dir_all(root.join("photos/2026"))?;
    fs::create_dir_all(root.join("many-small-files"))?;
    fs::create_dir_all(root.join("upload-here"))?;
    fs::write(
        root.join("README.txt"),
        "Welcome to Skiff's demo server.\n\nDouble-click a file to download it into the local pane's folder,\ndrag files between the panes, or right-click for more.\n",
    )?;
    fs::write(
        root.join("docs/guide.md"),
        "# Guide\n\nThis file came over FTP.\n",
    )?;
    fs::write(root.join("docs/报告.txt"), "中文文件名 works.\n")?;
    fs::write(root.join("docs/データ.csv"), "a,b\n1,2\n")?;
    let pattern: Vec<u8> = (0..=255u8).cycle().take(4 * 1024 * 1024).collect();
    fs::write(root.join("sample-4MiB.bin"), &pattern)?;
    for i in 0..3 {
        fs::write(
            root.join(format!("photos/2026/photo-{i:02}.jpg")),
            &pattern[..200_000 + i * 1000],
        )?;
    }
    for i in 0..200 {
        fs::write(
            root.join(format!("many-small-files/file-{i:03}.txt")),
            format!("small file {i}\n"),
        )?;
    }
    Ok(())
}
