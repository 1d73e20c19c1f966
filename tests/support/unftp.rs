//! Test support: an in-process FTP server (libunftp + unftp-sbe-fs) for integration tests.
//!
//! [`start`] serves a fresh temporary folder on `127.0.0.1` at an OS-chosen port. Anonymous
//! login (`anonymous`/`ftp`, any password) and the user `test`/`secret` both get read/write access
//! to the same root; other credentials get `530`. Passive (PASV/EPSV) data ports are chosen by the
//! OS (port 0), so parallel servers never collide; active mode (PORT) is enabled; EPRT does not
//! exist in libunftp. Dropping the [`InProcServer`] stops accepting, closes every open control
//! connection and removes the root folder.

#![allow(dead_code)] // each test binary uses only part of the support code

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;

use libunftp::options::{ActivePassiveMode, Binder};
use libunftp::{Server, ServerBuilder};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, DefaultUser, Principal};
use unftp_sbe_fs::Filesystem;

/// Name of the password-protected test user.
pub const USER: &str = "test";
/// Password of [`USER`].
pub const PASSWORD: &str = "secret";

/// A running in-process FTP server; dropping it stops the server and deletes [`Self::root`].
pub struct InProcServer {
    /// Address of the control connection (`127.0.0.1:<port>`).
    pub addr: SocketAddr,
    /// The folder the server serves as `/`; write fixtures here, check uploads here.
    pub root: PathBuf,
    /// Accept loop; it owns the per-connection tasks, so aborting it ends every session.
    accept_task: JoinHandle<()>,
    /// Removed after `Drop::drop` has aborted the tasks that serve it.
    _dir: tempfile::TempDir,
}

/// Starts a server on `127.0.0.1:0` in the current tokio runtime (any flavour) and returns once
/// it accepts connections.
pub async fn start() -> InProcServer {
    let dir = tempfile::tempdir().expect("create temp root for the FTP server");
    let root = dir.path().to_path_buf();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind FTP control listener");
    let addr = listener.local_addr().expect("control listener address");
    let serve_root = root.clone();
    let accept_task = tokio::spawn(async move {
        // Dropping the JoinSet (when this task is aborted) aborts every session task; that drops
        // libunftp's per-connection shutdown notifier, which makes its control loop close.
        let mut sessions = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => { sessions.spawn(serve(stream, serve_root.clone())); }
                    Err(err) => eprintln!("unftp test server: accept failed: {err}"),
                },
                Some(_) = sessions.join_next() => {}
            }
        }
    });
    InProcServer {
        addr,
        root,
        accept_task,
        _dir: dir,
    }
}

impl InProcServer {
    /// `ftp://test:secret@127.0.0.1:<port>/` with the given path appended (no leading `/`).
    pub fn url(&self, path: &str) -> String {
        format!("ftp://{USER}:{PASSWORD}@{}/{path}", self.addr)
    }
}

impl Drop for InProcServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

/// Serves one control connection. `Server::service` consumes the server, so each connection gets
/// its own (cheap) one, which also gives each its own [`PortZero`] binder.
async fn serve(stream: TcpStream, root: PathBuf) {
    let server: Server<Filesystem, DefaultUser> = ServerBuilder::with_authenticator(
        Box::new(move || Filesystem::new(root.clone()).expect("open FTP root")),
        Arc::new(TestAuth),
    )
    .active_passive_mode(ActivePassiveMode::ActiveAndPassive)
    .binder(PortZero)
    .build()
    .expect("build libunftp server");
    if let Err(err) = server.service(stream).await {
        eprintln!("unftp test server: session failed: {err:?}");
    }
}

/// Accepts `anonymous`/`ftp` with any password and `test` with `secret`.
#[derive(Debug)]
struct TestAuth;

#[async_trait::async_trait]
impl Authenticator for TestAuth {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> Result<Principal, AuthenticationError> {
        let ok = match username {
            "anonymous" | "ftp" => true,
            USER => creds.password.as_deref() == Some(PASSWORD),
            _ => return Err(AuthenticationError::BadUser),
        };
        if ok {
            Ok(Principal {
                username: username.to_owned(),
            })
        } else {
            Err(AuthenticationError::BadPassword)
        }
    }
}

/// Binds passive data listeners to port 0 so the OS picks a free port.
#[derive(Debug)]
struct PortZero;

#[async_trait::async_trait]
impl Binder for PortZero {
    async fn bind(
        &mut self,
        ip: IpAddr,
        _ports: RangeInclusive<u16>,
    ) -> std::io::Result<TcpSocket> {
        let socket = if ip.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.bind(SocketAddr::new(ip, 0))?;
        Ok(socket)
    }
}
