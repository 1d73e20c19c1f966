//! Real FTP servers (vsftpd, pure-ftpd, proftpd, pyftpdlib) for interop tests.
//!
//! Each [`RealServer`] is one server process on `127.0.0.1:port`, with passive
//! ports `port+1 ..= port+99`, serving its own fresh temp root folder to the
//! read/write login `skifftest` / `skifftest`, whose home and chroot is that
//! root. `.ci/install` installs the servers (vsftpd from Debian; pure-ftpd and
//! proftpd unpacked under `/opt/skiff-test-servers`, or `$SKIFF_TEST_SERVERS`),
//! the system user `skifftest` the servers switch to after login, and the PAM
//! service `skiff-ftp` vsftpd authenticates with. The config templates are in
//! `tests/servers/`.
//!
//! How each server maps the login onto the instance's root:
//! - vsftpd: the system user (PAM, `/etc/pam.d/skiff-ftp`), `local_root=ROOT`.
//! - pure-ftpd: its own puredb with one virtual user mapped to the system
//!   user's uid/gid, home `ROOT/./` (chroot).
//! - proftpd: its own `AuthUserFile` with the same mapping, `DefaultRoot ~`.
//! - pyftpdlib: a `DummyAuthorizer` user; runs as the test process's user.
//!
//! The servers need root (they chroot and switch users); pyftpdlib does not.
//! Files the servers create are owned by `skifftest` (pyftpdlib: by the test
//! process's user); the root test process can read and delete them. Files a test
//! puts into the root must be readable (and, to be overwritten or deleted
//! through FTP, owned) by `skifftest`: use [`RealServer::put_file`] /
//! [`RealServer::make_dir`], or call [`RealServer::fix_permissions`] after
//! writing under [`RealServer::root`] yourself.
//!
//! Process handling: every server runs in its own process group; a small `sh`
//! watchdog per instance kills the server's whole process tree when the test
//! process dies without running `Drop` (panic=abort, SIGKILL, Ctrl-C). `Drop`
//! and [`RealServer::restart`] kill the tree themselves (vsftpd's sessions call
//! `setsid`, so the group alone is not enough). A port that is already taken (a
//! server left over from a crashed run, another test) fails the start clearly.
//!
//! Environment: `SKIFF_SKIP_INTEROP=1` turns "not installed" into `None` (with a
//! loud note on stderr) instead of a panic; `SKIFF_TEST_SERVERS` overrides the
//! install folder; `SKIFF_KEEP_SERVER_DIRS=1` keeps each instance's temp folder
//! (`root/` and `state/`: configs, logs, `server-output.log`) for a post-mortem.
//!
//! FTPS ([`Options::tls`], see [`Tls`]): explicit FTPS allowed or required on
//! all four, implicit FTPS on vsftpd; TLS 1.2 and 1.3 (1.0/1.1 are refused).
//! Each instance makes a fresh test CA ([`RealServer::ca_cert`]) and a leaf for
//! `127.0.0.1`/`localhost` ([`RealServer::cert_sha256`]); servers present the
//! leaf alone, without the CA. What a client must do to pass with all of them:
//! - `AUTH TLS` (pure-ftpd answers `AUTH SSL` with 500; proftpd and pyftpdlib
//!   take `AUTH SSL` as an implied `PROT P`), then `PBSZ 0` then `PROT P`
//!   (pyftpdlib: 503 for PROT before PBSZ; all: 503 or 550 for either before
//!   AUTH), before or after USER/PASS. `PROT C`/`S`/`E`: see [`Tls`].
//! - Resume the control connection's TLS session on every data connection:
//!   vsftpd and proftpd refuse a fresh session, after their 150, with `522 SSL
//!   connection failed: session reuse required` / `425 Unable to build data
//!   connection: Operation not permitted`. proftpd also refuses (425) a session
//!   resumed from *another* control connection to the same server, so parallel
//!   connections must not share one session cache; vsftpd accepts any resumed
//!   session. Resuming a ticket that an earlier data connection of the same
//!   control connection received works on both. With TLS 1.3 the tickets come
//!   after the handshake: two on the control connection (read with the reply
//!   to USER), one more on each resumed data connection (vsftpd, proftpd,
//!   pyftpdlib; pure-ftpd sends none and never resumes under 1.3).
//! - Send the transfer command (LIST, RETR, STOR...) before waiting for the
//!   data connection's TLS handshake to finish: vsftpd, pure-ftpd and proftpd
//!   accept the data connection (passive) or connect (active) only once the
//!   command came, so a client blocking on the handshake first deadlocks.
//!   Starting it right after sending the command, before the 150, works
//!   everywhere, and so does starting it after the 150. The client is the TLS
//!   client on active data connections too.
//! - Close a TLS data connection with close_notify, shut down the writing side
//!   and read to EOF: vsftpd + TLS 1.3 loses about a quarter of uploads (426)
//!   when the client closes with the server's session ticket unread.
//! - vsftpd sends a TLS CertificateRequest: answer it with no certificate.
//!
//! Start-up costs about 30-40 ms (pyftpdlib ~100 ms; with TLS add 0.3-1 s for
//! the certificates on 2 cores). pure-ftpd accepts at most half as many clients
//! as it has passive ports: 49 at once.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const VSFTPD_CONF: &str = include_str!("../servers/vsftpd.conf.in");
const PROFTPD_CONF: &str = include_str!("../servers/proftpd.conf.in");
const PYFTPD_PY: &str = include_str!("../servers/pyftpd.py");
const PURE_FTPD_ARGS: &str = include_str!("../servers/pure-ftpd.args.in");
const PURE_FTPD_PASSWD: &str = include_str!("../servers/pure-ftpd.passwd.in");
const PURE_FTPD_NS_SH: &str = include_str!("../servers/pure-ftpd-ns.sh");

/// The login every server accepts (read/write, home = the instance's root).
pub const USER: &str = "skifftest";
/// Its password.
pub const PASSWORD: &str = "skifftest";
/// SHA-512 crypt of [`PASSWORD`] (fixed salt), for the pure-ftpd and proftpd
/// user files (`openssl passwd -6 -salt skiffsalt skifftest`).
const PASSWORD_HASH: &str = "$6$skiffsalt$ocVEyp4DpwxilkqjMbo/UP..QrELJIla4p22Q0XbCJDKZTgL1FwTDCZ.bTw56kzYL/JL2PQBjYgQEcAsD07hn/";
/// Passive ports are `port + 1 ..= port + PASV_SPAN`.
pub const PASV_SPAN: u16 = 99;
/// How long `start` and `restart` wait for the `220` banner.
const START_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_INSTALL_DIR: &str = "/opt/skiff-test-servers";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    Vsftpd,
    PureFtpd,
    Proftpd,
    Pyftpdlib,
}

impl ServerKind {
    pub const ALL: [ServerKind; 4] = [
        ServerKind::Vsftpd,
        ServerKind::PureFtpd,
        ServerKind::Proftpd,
        ServerKind::Pyftpdlib,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Vsftpd => "vsftpd",
            ServerKind::PureFtpd => "pure-ftpd",
            ServerKind::Proftpd => "proftpd",
            ServerKind::Pyftpdlib => "pyftpdlib",
        }
    }
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// FTPS mode of a test server ([`Options::tls`]).
///
/// Every mode but `Off` serves a certificate for `127.0.0.1` / `localhost`
/// signed by a fresh test CA ([`RealServer::ca_cert`], leaf fingerprint
/// [`RealServer::cert_sha256`]). TLS 1.2 and 1.3 are both allowed (each
/// server's defaults; the client picks). Session reuse on data connections
/// (the data connection's TLS session must resume the control connection's)
/// is required by vsftpd and proftpd, not by pure-ftpd and pyftpdlib. Active
/// mode (PORT/EPRT) works with TLS on all four; the client is the TLS client
/// on every data connection, whichever side connected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tls {
    /// Plain FTP only: no `AUTH TLS`.
    #[default]
    Off,
    /// Explicit FTPS (`AUTH TLS`) allowed but not required: plain FTP keeps
    /// working, and so does a TLS control connection with clear data
    /// (`PROT C`).
    Allowed,
    /// Explicit FTPS required, on the control connection and on data
    /// connections. `USER` before `AUTH TLS` gets `530` (vsftpd), `550`
    /// (proftpd, pyftpdlib) or `421` (pure-ftpd, which then keeps the
    /// connection open), so a plain login fails. Without `PROT P` (none, or
    /// `PROT C`) listings and transfers are refused: `522` (vsftpd, proftpd)
    /// or `521` (pure-ftpd) to LIST/RETR/STOR, `550` to PASV/EPSV/PORT/EPRT
    /// (pyftpdlib). proftpd answers `PROT C` itself with `534`; pure-ftpd
    /// answers `PROT S`/`E` with `200 ... Fallback to "private"`, the others
    /// with `536`/`521`. pure-ftpd accepts `CCC` (`200`, clear control
    /// connection), proftpd `534`, vsftpd/pyftpdlib `500`. vsftpd:
    /// `ssl_enable`, `force_local_logins_ssl`, `force_local_data_ssl`,
    /// `require_ssl_reuse`; pure-ftpd `-Y 3`; proftpd `TLSRequired on`;
    /// pyftpdlib `tls_control_required` + `tls_data_required`.
    Required,
    /// Implicit FTPS: TLS from the first byte on the server's port (the
    /// banner comes inside TLS; [`RealServer::url`] is `ftps://`; a plain
    /// client waits for a banner that never comes). As [`Tls::Required`]
    /// otherwise: the client must still send `PBSZ 0` + `PROT P` (listings
    /// and transfers without get `522`). vsftpd only (`implicit_ssl=YES`):
    /// the other kinds panic "not supported for this server".
    Implicit,
}

impl Tls {
    /// Whether any TLS is on (not [`Tls::Off`]).
    pub fn is_on(self) -> bool {
        self != Tls::Off
    }
}

/// Options for [`RealServer::start_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// FTPS mode (default: off). See [`Tls`].
    pub tls: Tls,
    /// A server-side speed limit per transfer in bytes per second (vsftpd's
    /// `local_max_rate`; ignored by the other servers), so a test can cut a
    /// transfer in its middle.
    pub max_rate: Option<u32>,
    /// Seconds an idle control connection is kept (vsftpd's
    /// `idle_session_timeout`; ignored by the other servers), so a test can
    /// see a keep-alive hold a connection open.
    pub idle_timeout: Option<u32>,
}

/// One running real FTP server. See the module documentation.
pub struct RealServer {
    pub kind: ServerKind,
    pub port: u16,
    /// The served folder (the login's home and chroot).
    pub root: PathBuf,
    pub user: &'static str,
    pub password: &'static str,
    options: Options,
    cert_sha256: Option<[u8; 32]>,
    /// Private state: configs, logs, certificates (beside `root`, not in it).
    state: PathBuf,
    /// uid/gid the server writes files as (None: the test process's own).
    owner: Option<(u32, u32)>,
    child: Option<Child>,
    watchdog: Option<(Child, ChildStdin)>,
    syslog: Option<SyslogReceiver>,
    /// Keeps the temp folder (root + state) alive; removed on drop.
    dir: Option<tempfile::TempDir>,
}

impl RealServer {
    /// Starts `kind` on 127.0.0.1:`port` with passive ports `port+1 ..= port+99`,
    /// serving a fresh empty temp root.
    ///
    /// Returns None only when the server is not installed AND env
    /// `SKIFF_SKIP_INTEROP=1` (then prints loudly to stderr what was skipped);
    /// when it is not installed and the variable is unset, panics with a message
    /// naming the server and saying to run `.ci/install` or set
    /// `SKIFF_SKIP_INTEROP=1`. Panics when the port is taken or the server does
    /// not answer `220` within 10 s (with the server's own error output).
    pub fn start(kind: ServerKind, port: u16) -> Option<RealServer> {
        Self::start_with(kind, port, Options::default())
    }

    /// [`RealServer::start`] with [`Options`] (TLS). Panics for
    /// [`Tls::Implicit`] with any kind but vsftpd.
    pub fn start_with(kind: ServerKind, port: u16, options: Options) -> Option<RealServer> {
        if options.tls == Tls::Implicit && kind != ServerKind::Vsftpd {
            panic!("Tls::Implicit is not supported for this server ({kind}): only vsftpd");
        }
        if let Err(why) = check_installed(kind, options) {
            let skip = std::env::var("SKIFF_SKIP_INTEROP").is_ok_and(|v| v == "1");
            if skip {
                // Straight to fd 2: eprintln! would be swallowed by the test
                // harness's output capture for a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "\n!!!!!!!! SKIPPED: real-server interop test with {kind} on port {port}: {why}.\n\
                     !!!!!!!! (SKIFF_SKIP_INTEROP=1 is set; run `bash .ci/install` as root to test it)\n"
                );
                return None;
            }
            panic!(
                "{kind} is needed for this test but cannot run here: {why}. Run `bash .ci/install` \
                 as root to install the test servers, or set SKIFF_SKIP_INTEROP=1 to skip \
                 real-server interop tests."
            );
        }
        assert!(
            port >= 1024 && u32::from(port) + u32::from(PASV_SPAN) <= 65535,
            "port {port}: need 1024 <= port and port + {PASV_SPAN} <= 65535"
        );
        check_port_free(kind, port);

        let dir = tempfile::Builder::new()
            .prefix(&format!("skiff-{}-{port}-", kind.name()))
            .tempdir()
            .expect("create temp dir for the test server");
        // Servers switch to skifftest before they chdir into the root: its
        // parents must be traversable.
        set_mode(dir.path(), 0o755);
        let root = dir.path().join("root");
        let state = dir.path().join("state");
        fs::create_dir(&root).expect("create server root");
        fs::create_dir(&state).expect("create server state dir");
        set_mode(&root, 0o755);
        set_mode(&state, 0o755);
        let owner = match kind {
            ServerKind::Pyftpdlib => None,
            _ => Some(lookup_user(USER).expect("checked by check_installed")),
        };
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&root, Some(uid), Some(gid)).expect("chown server root");
        }

        let mut server = RealServer {
            kind,
            port,
            root,
            user: USER,
            password: PASSWORD,
            options,
            cert_sha256: None,
            state,
            owner,
            child: None,
            watchdog: None,
            syslog: None,
            dir: Some(dir),
        };
        server.write_configs();
        server.watchdog = Some(spawn_watchdog());
        server.spawn_and_wait();
        Some(server)
    }

    /// The server's protocol log so far, as text: what the server received
    /// (and, for some, what it answered), across restarts. It waits until the
    /// log has been quiet for 50 ms (at most 2 s), because some servers write a
    /// command's line only after they have sent its reply.
    ///
    /// - vsftpd (`log_ftp_protocol=YES`): `... FTP command: Client "127.0.0.1", "REST 100"`
    ///   and `FTP response: ...` lines, plus `CONNECT`, `OK LOGIN`, `OK DOWNLOAD`...
    ///   Commands verbatim (PASS shown as `PASS <password>`).
    /// - pure-ftpd (`-d -d` to syslog, captured on a private `/dev/log`): lines like
    ///   `pure-ftpd: (skifftest@127.0.0.1) [DEBUG] Command: REST 100` — rewritten
    ///   from pure-ftpd's `Command [rest] [100]`, which lowercases the command name
    ///   (so the name is upper-cased back, the argument is verbatim); the password
    ///   as `<*>` — and every reply line, plus `[INFO]`/`[NOTICE]` lines. Only a
    ///   note when no private mount namespace could be made.
    /// - proftpd (`ExtendedLog ... ALL`): one line per command after it completed:
    ///   `2026-.. [pid] 127.0.0.1 skifftest: REST 100 -> 350` (verbatim, PASS
    ///   `(hidden)`; reply code only).
    /// - pyftpdlib (logging at DEBUG): `127.0.0.1:PORT-[skifftest] <- REST 100` and
    ///   `-> 350 ...` per reply, plus info lines (`USER 'skifftest' logged in.`,
    ///   `RETR /f completed=1 bytes=...`). PASS shown as `PASS ******`.
    ///
    /// The start-up (and restart) probe only connects and reads the banner (for
    /// [`Tls::Implicit`]: inside TLS, through `openssl s_client`): it shows as a
    /// connection without commands.
    pub fn log(&self) -> String {
        let mut last = self.read_log();
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.read_log();
            if now == last || Instant::now() > deadline {
                return now;
            }
            last = now;
        }
    }

    /// The commands the server received, in order (all sessions interleaved),
    /// normalised from [`RealServer::log`]: `"REST 100"`, `"PORT 127,0,0,1,4,1"`,
    /// `"EPSV"`... Arguments verbatim; the command name as the client sent it,
    /// except pure-ftpd's (upper-cased). The password is masked as each server
    /// masks it: `PASS <password>` (vsftpd), `PASS <*>` (pure-ftpd),
    /// `PASS (hidden)` (proftpd), `PASS ******` (pyftpdlib). proftpd lists a
    /// command only once it completed (for RETR/STOR: after the transfer).
    pub fn commands(&self) -> Vec<String> {
        let log = self.log();
        log.lines()
            .filter_map(|line| command_of(self.kind, line))
            .collect()
    }

    /// Waits (up to `timeout`) until `pred(log)` holds and returns the log;
    /// panics with the log when it does not.
    pub fn wait_log(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.read_log();
            if pred(&log) {
                return log;
            }
            if Instant::now() > deadline {
                panic!(
                    "{}: the expected log line did not appear within {timeout:?}; log:\n{log}",
                    self.kind
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server process (SIGKILL to it and its forked children, as a
    /// hard cut mid-transfer) and starts it again on the same port and root;
    /// waits until it accepts connections.
    pub fn restart(&mut self) {
        self.kill_server();
        self.spawn_and_wait();
    }

    /// The FTPS mode ([`Options::tls`]).
    pub fn tls(&self) -> Tls {
        self.options.tls
    }

    /// The test CA's certificate (PEM) that signed the server's certificate,
    /// when TLS is on.
    pub fn ca_cert(&self) -> Option<PathBuf> {
        self.options.tls.is_on().then(|| self.state.join("ca.pem"))
    }

    /// SHA-256 of the server's (leaf) certificate in DER form, as `openssl
    /// x509 -fingerprint -sha256` prints it, when TLS is on: what a client
    /// pinning the certificate ("--trust-fingerprint") compares against.
    pub fn cert_sha256(&self) -> Option<[u8; 32]> {
        self.cert_sha256
    }

    /// The passive port range the server was given.
    pub fn pasv_ports(&self) -> std::ops::RangeInclusive<u16> {
        self.port + 1..=self.port + PASV_SPAN
    }

    /// `ftp://skifftest:skifftest@127.0.0.1:PORT/` (`ftps://` for
    /// [`Tls::Implicit`]).
    pub fn url(&self) -> String {
        let scheme = if self.options.tls == Tls::Implicit {
            "ftps"
        } else {
            "ftp"
        };
        format!(
            "{scheme}://{}:{}@127.0.0.1:{}/",
            self.user, self.password, self.port
        )
    }

    /// `root/rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Writes `root/rel` (creating parent folders) so the server can read,
    /// overwrite and delete it.
    pub fn put_file(&self, rel: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parent folders in server root");
        }
        fs::write(&path, contents).expect("write file into server root");
        self.fix_permissions();
        path
    }

    /// Creates the folder `root/rel` (and its parents) writable by the server.
    pub fn make_dir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(&path).expect("create folder in server root");
        self.fix_permissions();
        path
    }

    /// Gives everything under the root to the server's user (files u+rw,
    /// folders u+rwx): call it after writing into [`RealServer::root`] directly.
    pub fn fix_permissions(&self) {
        fix_tree(&self.root, self.owner);
    }

    // ---- internals -------------------------------------------------------

    fn read_log(&self) -> String {
        let file = match self.kind {
            ServerKind::Vsftpd => "vsftpd.log",
            ServerKind::PureFtpd => "pure-ftpd.log",
            ServerKind::Proftpd => "commands.log",
            ServerKind::Pyftpdlib => "pyftpd.log",
        };
        let mut text = fs::read(self.state.join(file))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        if self.kind == ServerKind::PureFtpd && self.syslog.is_none() {
            text.insert_str(
                0,
                "(no pure-ftpd command log: could not run it in a private mount namespace with its own /dev/log)\n",
            );
        }
        text
    }

    fn subst(&self, template: &str) -> String {
        let (uid, gid) = self.owner.unwrap_or((0, 0));
        template
            .replace("@ROOT@", path_str(&self.root))
            .replace("@TMP@", path_str(&self.state))
            .replace("@PORT@", &self.port.to_string())
            .replace("@PASV_MIN@", &(self.port + 1).to_string())
            .replace("@PASV_MAX@", &(self.port + PASV_SPAN).to_string())
            .replace(
                "@MODULES@",
                path_str(&install_dir().join("proftpd/usr/lib/proftpd")),
            )
            .replace("@HASH@", PASSWORD_HASH)
            .replace("@UID@", &uid.to_string())
            .replace("@GID@", &gid.to_string())
    }

    fn write_configs(&mut self) {
        let tls = self.options.tls;
        if tls.is_on() {
            make_certificates(&self.state);
            self.cert_sha256 = Some(cert_fingerprint(&self.state.join("cert.pem")));
        }
        let st = &self.state;
        match self.kind {
            ServerKind::Vsftpd => {
                let empty = st.join("empty");
                fs::create_dir(&empty).expect("create vsftpd secure_chroot_dir");
                set_mode(&empty, 0o755);
                // Protocols: vsftpd's defaults (TLS 1.0 up to 1.3, as far as
                // OpenSSL allows: 1.2 and 1.3 in practice).
                let common = "ssl_enable=YES\nrsa_cert_file=@TMP@/cert.pem\n\
                              rsa_private_key_file=@TMP@/key.pem\nallow_anon_ssl=NO\n\
                              require_ssl_reuse=YES\nssl_ciphers=HIGH\n";
                let tls_lines = match tls {
                    Tls::Off => "ssl_enable=NO\n".to_string(),
                    Tls::Allowed => format!(
                        "{common}force_local_logins_ssl=NO\nforce_local_data_ssl=NO\nimplicit_ssl=NO\n"
                    ),
                    Tls::Required => format!(
                        "{common}force_local_logins_ssl=YES\nforce_local_data_ssl=YES\nimplicit_ssl=NO\n"
                    ),
                    Tls::Implicit => format!(
                        "{common}force_local_logins_ssl=YES\nforce_local_data_ssl=YES\nimplicit_ssl=YES\n"
                    ),
                };
                let mut tls_lines = tls_lines;
                if let Some(rate) = self.options.max_rate {
                    tls_lines.push_str(&format!("local_max_rate={rate}\n"));
                }
                if let Some(secs) = self.options.idle_timeout {
                    tls_lines.push_str(&format!("idle_session_timeout={secs}\n"));
                }
                let conf = self.subst(&VSFTPD_CONF.replace("@TLS@", &tls_lines));
                write(&st.join("vsftpd.conf"), &conf, 0o600);
            }
            ServerKind::PureFtpd => {
                write(
                    &st.join("pureftpd.passwd"),
                    &self.subst(PURE_FTPD_PASSWD),
                    0o600,
                );
                let out = Command::new(install_dir().join("pure-ftpd/usr/bin/pure-pw"))
                    .arg("mkdb")
                    .arg(st.join("pureftpd.pdb"))
                    .arg("-f")
                    .arg(st.join("pureftpd.passwd"))
                    .output()
                    .expect("run pure-pw mkdb");
                assert!(
                    out.status.success(),
                    "pure-pw mkdb failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                write(&st.join("pure-ftpd-ns.sh"), PURE_FTPD_NS_SH, 0o755);
                if tls.is_on() {
                    let mut pem = fs::read(st.join("key.pem")).expect("read key.pem");
                    pem.extend(fs::read(st.join("cert.pem")).expect("read cert.pem"));
                    fs::write(st.join("combined.pem"), pem).expect("write combined.pem");
                    set_mode(&st.join("combined.pem"), 0o600);
                }
                // pure-ftpd logs commands only to syslog: give it its own
                // /dev/log in a private mount namespace, if we can make one.
                if mount_namespaces_work() {
                    let dev = st.join("dev");
                    fs::create_dir(&dev).expect("create pure-ftpd dev dir");
                    set_mode(&dev, 0o755);
                    self.syslog = Some(SyslogReceiver::start(
                        &dev.join("log"),
                        &st.join("pure-ftpd.log"),
                    ));
                }
            }
            ServerKind::Proftpd => {
                let (uid, gid) = self.owner.expect("proftpd runs as root");
                let passwd = format!(
                    "{USER}:{PASSWORD_HASH}:{uid}:{gid}:Skiff test user:{}:/bin/false\n",
                    path_str(&self.root)
                );
                write(&st.join("passwd"), &passwd, 0o600);
                write(&st.join("group"), &format!("{USER}:x:{gid}:\n"), 0o644);
                // TLSRequired on: control (before USER) and data; session
                // reuse on data connections is required by default.
                let required = match tls {
                    Tls::Off => None,
                    Tls::Allowed => Some("off"),
                    Tls::Required => Some("on"),
                    Tls::Implicit => unreachable!("checked by start_with"),
                };
                let tls_block = match required {
                    None => String::new(),
                    Some(required) => format!(
                        "LoadModule mod_tls.c\n<IfModule mod_tls.c>\n  TLSEngine on\n  TLSLog @TMP@/proftpd-tls.log\n\
                         \x20 TLSProtocol TLSv1.2 TLSv1.3\n  TLSRSACertificateFile @TMP@/cert.pem\n\
                         \x20 TLSRSACertificateKeyFile @TMP@/key.pem\n  TLSRequired {required}\n  TLSVerifyClient off\n\
                         \x20 TLSSessionCache internal:\n</IfModule>\n"
                    ),
                };
                let conf = self.subst(&PROFTPD_CONF.replace("@TLS@", &tls_block));
                write(&st.join("proftpd.conf"), &conf, 0o600);
            }
            ServerKind::Pyftpdlib => {
                let py = self.subst(PYFTPD_PY).replace(
                    "@TLS@",
                    match tls {
                        Tls::Off => "off",
                        Tls::Allowed => "allowed",
                        Tls::Required => "required",
                        Tls::Implicit => unreachable!("checked by start_with"),
                    },
                );
                write(&st.join("pyftpd.py"), &py, 0o600);
            }
        }
    }

    fn command(&self) -> Command {
        let st = &self.state;
        match self.kind {
            ServerKind::Vsftpd => {
                let mut c = Command::new("/usr/sbin/vsftpd");
                c.arg(st.join("vsftpd.conf"));
                c
            }
            ServerKind::PureFtpd => {
                let log_args = if self.syslog.is_some() {
                    "-d\n-d\n-f\nftp"
                } else {
                    "-f\nnone"
                };
                // -Y 1: TLS allowed; -Y 3: TLS required on the control
                // connection (before login) and on data connections.
                let tls_args = match self.options.tls {
                    Tls::Off => "",
                    Tls::Allowed => "-Y\n1\n-2\n@TMP@/combined.pem\n-J\nHIGH",
                    Tls::Required => "-Y\n3\n-2\n@TMP@/combined.pem\n-J\nHIGH",
                    Tls::Implicit => unreachable!("checked by start_with"),
                };
                // One argument per line; comments dropped before the
                // multi-argument placeholders (whole lines) are expanded.
                let args: Vec<String> = PURE_FTPD_ARGS
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .flat_map(|l| match l {
                        "@LOG_ARGS@" => log_args.lines().collect::<Vec<_>>(),
                        "@TLS_ARGS@" => tls_args.lines().collect(),
                        _ => vec![l],
                    })
                    .map(|l| self.subst(l))
                    .collect();
                let bin = install_dir().join("pure-ftpd/usr/sbin/pure-ftpd");
                if self.syslog.is_some() {
                    let mut c = Command::new("unshare");
                    c.args(["--mount", "--propagation", "private", "sh"])
                        .arg(st.join("pure-ftpd-ns.sh"))
                        .arg(st.join("dev"))
                        .arg(bin)
                        .args(args);
                    c
                } else {
                    let mut c = Command::new(bin);
                    c.args(args);
                    c
                }
            }
            ServerKind::Proftpd => {
                let mut c = Command::new(install_dir().join("proftpd/usr/sbin/proftpd"));
                c.args(["-n", "-q", "-c"]).arg(st.join("proftpd.conf"));
                c
            }
            ServerKind::Pyftpdlib => {
                // Debian's python (python3-pyftpdlib), not whatever python3 is on PATH.
                let mut c = Command::new("/usr/bin/python3");
                c.arg("-B").arg(st.join("pyftpd.py"));
                for var in [
                    "PYTHONPATH",
                    "PYTHONHOME",
                    "PYTHONSTARTUP",
                    "PYTHONUSERBASE",
                ] {
                    c.env_remove(var);
                }
                c.env("PYTHONNOUSERSITE", "1");
                c
            }
        }
    }

    fn spawn_and_wait(&mut self) {
        let errlog = self.state.join("server-output.log");
        // vsftpd prints its start-up errors ("500 OOPS") on fd 0: give it the
        // log file as stdin too. Append mode, so the three never overwrite.
        let out = fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&errlog)
            .expect("open server output log");
        let mut cmd = self.command();
        cmd.current_dir(&self.state)
            .stdin(Stdio::from(out.try_clone().expect("dup")))
            .stdout(Stdio::from(out.try_clone().expect("dup")))
            .stderr(Stdio::from(out))
            .process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start {:?}: {e}", self.kind, cmd.get_program()));
        let pid = child.id();
        self.child = Some(child);
        if let Some((_, stdin)) = &mut self.watchdog {
            let _ = writeln!(stdin, "{pid}");
            let _ = stdin.flush();
        }

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                panic!(
                    "{} on port {} exited during start-up ({status}).\n--- its output ---\n{}\n--- its logs ---\n{}",
                    self.kind,
                    self.port,
                    read_lossy(&errlog),
                    self.error_logs()
                );
            }
            let probe = if self.options.tls == Tls::Implicit {
                probe_banner_tls(self.port, &self.state.join("ca.pem"))
            } else {
                probe_banner(self.port)
            };
            let Err(last_error) = probe else { return };
            if Instant::now() > deadline {
                let out = read_lossy(&errlog);
                let logs = self.error_logs();
                self.kill_server();
                panic!(
                    "{} on port {} did not answer 220 within {START_TIMEOUT:?}: {last_error}\n--- its output ---\n{out}\n--- its logs ---\n{logs}",
                    self.kind, self.port
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The server's own error logs, for start-up failures.
    fn error_logs(&self) -> String {
        let files: &[&str] = match self.kind {
            ServerKind::Vsftpd => &["vsftpd.log"],
            ServerKind::PureFtpd => &["pure-ftpd.log"],
            ServerKind::Proftpd => &["proftpd.log", "proftpd-tls.log"],
            ServerKind::Pyftpdlib => &["pyftpd.log"],
        };
        files
            .iter()
            .map(|f| format!("[{f}]\n{}", read_lossy(&self.state.join(f))))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn kill_server(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Tell the watchdog first, so that it never kills a reused pid.
            if let Some((_, stdin)) = &mut self.watchdog {
                let _ = writeln!(stdin, "none");
                let _ = stdin.flush();
            }
            kill_tree(child.id() as i32);
            let _ = child.wait();
        }
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        self.kill_server();
        if let Some((mut wd, stdin)) = self.watchdog.take() {
            drop(stdin); // EOF: it exits (its last word was "none")
            let _ = wd.wait();
        }
        if let Some(syslog) = self.syslog.take() {
            syslog.stop();
        }
        if let Some(dir) = self.dir.take() {
            if std::env::var("SKIFF_KEEP_SERVER_DIRS").is_ok_and(|v| v == "1") {
                eprintln!("{}: keeping {}", self.kind, dir.path().display());
                std::mem::forget(dir);
            } else if let Err(e) = dir.close() {
                eprintln!("{}: could not remove its temp dir: {e}", self.kind);
            }
        }
    }
}

// ---- helpers ---------------------------------------------------------------

mod sys {
    unsafe extern "C" {
        pub fn kill(pid: i32, sig: i32) -> i32;
        pub fn geteuid() -> u32;
    }
    pub const SIGKILL: i32 = 9;
    pub const SIGSTOP: i32 = 19;
}

fn install_dir() -> PathBuf {
    std::env::var_os("SKIFF_TEST_SERVERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INSTALL_DIR))
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { sys::geteuid() == 0 }
}

/// Why `kind` cannot run here, if it cannot.
fn check_installed(kind: ServerKind, options: Options) -> Result<(), String> {
    let dir = install_dir();
    let mut need: Vec<PathBuf> = match kind {
        ServerKind::Vsftpd => vec!["/usr/sbin/vsftpd".into(), "/etc/pam.d/skiff-ftp".into()],
        ServerKind::PureFtpd => vec![
            dir.join("pure-ftpd/usr/sbin/pure-ftpd"),
            dir.join("pure-ftpd/usr/bin/pure-pw"),
        ],
        ServerKind::Proftpd => vec![
            dir.join("proftpd/usr/sbin/proftpd"),
            dir.join("proftpd/usr/lib/proftpd/mod_tls.so"),
        ],
        ServerKind::Pyftpdlib => vec![
            "/usr/bin/python3".into(),
            "/usr/lib/python3/dist-packages/pyftpdlib/__init__.py".into(),
        ],
    };
    if options.tls.is_on() {
        need.push("/usr/bin/openssl".into());
        if kind == ServerKind::Pyftpdlib {
            need.push("/usr/lib/python3/dist-packages/OpenSSL/__init__.py".into());
        }
    }
    if let Some(missing) = need.iter().find(|p| !p.exists()) {
        return Err(format!("{} is missing", missing.display()));
    }
    if kind != ServerKind::Pyftpdlib {
        if !is_root() {
            return Err(
                "it must run as root (it chroots and switches to the user skifftest)".into(),
            );
        }
        if lookup_user(USER).is_none() {
            return Err(format!("the system user {USER} does not exist"));
        }
    }
    Ok(())
}

/// uid and gid of a local user, from /etc/passwd.
pub fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[0] == name {
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        } else {
            None
        }
    })
}

fn check_port_free(kind: ServerKind, port: u16) {
    // std's bind sets SO_REUSEADDR, but a client connection of an earlier
    // test may have had this port as its own (the test ports lie in Linux's
    // ephemeral range, 32768-60999) and left it in TIME_WAIT without that
    // flag, which blocks a listener for up to 60 s. That is waited out; a
    // server that answers on the port is not.
    let deadline = Instant::now() + Duration::from_secs(65);
    while let Err(e) = TcpListener::bind(("127.0.0.1", port)) {
        let listening = std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_millis(200),
        )
        .is_ok();
        if listening || Instant::now() > deadline {
            panic!(
                "cannot start {kind}: port {port} on 127.0.0.1 is not free ({e}). Is a server left \
                 over from a crashed run, or another test using it? See `ss -ltnp 'sport = :{port}'`."
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Connects and reads the greeting: Ok on a `220 ` line (multi-line banners
/// allowed), Err with what came instead. Sends nothing.
fn probe_banner(port: u16) -> Result<(), String> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(3))).ok();
    let mut reader = BufReader::new(&stream);
    let mut got = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => return Err(format!("connection closed after {got:?}")),
            Ok(_) => {}
            Err(e) => return Err(format!("reading the banner: {e} (got {got:?})")),
        }
        got.push_str(&line);
        if line.len() >= 4 && line.as_bytes()[3] == b' ' {
            let _ = stream.shutdown(Shutdown::Both);
            return if line.starts_with("220 ") {
                Ok(())
            } else {
                Err(format!("banner was {got:?}"))
            };
        }
    }
}

/// [`probe_banner`] for implicit FTPS: the `220` inside TLS, through `openssl
/// s_client` (which also checks the certificate against the test CA `ca`).
/// Sends nothing but the TLS handshake.
fn probe_banner_tls(port: u16, ca: &Path) -> Result<(), String> {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-verify_return_error",
            "-verify_ip",
            "127.0.0.1",
        ])
        .arg("-CAfile")
        .arg(ca)
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run openssl s_client: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut got = String::new();
    let result = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                got.push_str(&line);
                got.push('\n');
                if line.len() >= 4 && line.as_bytes()[3] == b' ' {
                    break if line.starts_with("220 ") {
                        Ok(())
                    } else {
                        Err(format!("banner (in TLS) was {got:?}"))
                    };
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                break Err(format!("no banner in TLS within 3 s (got {got:?})"));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                break Err(format!("openssl s_client ended after {got:?}"));
            }
        }
    };
    let _ = child.kill();
    let out = child.wait_with_output();
    let _ = reader.join();
    result.map_err(|e| {
        let stderr = out
            .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
            .unwrap_or_default();
        format!("{e}; s_client: {stderr}")
    })
}

/// SIGKILLs the process group `pid` and every descendant of `pid` (vsftpd's
/// sessions leave the group with setsid). Freezes the tree with SIGSTOP first,
/// so nothing forks or gets reparented while we look.
pub fn kill_tree(pid: i32) {
    let mut tree = vec![pid];
    // SAFETY: plain signal sends to processes we started.
    unsafe { sys::kill(-pid, sys::SIGSTOP) };
    loop {
        let mut grew = false;
        for (p, ppid) in processes() {
            if tree.contains(&ppid) && !tree.contains(&p) {
                unsafe { sys::kill(p, sys::SIGSTOP) };
                tree.push(p);
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    for &p in tree.iter().rev() {
        unsafe { sys::kill(p, sys::SIGKILL) };
    }
    unsafe { sys::kill(-pid, sys::SIGKILL) };
    // Wait (briefly) until they have really exited — their sockets closed —
    // so the caller's next step sees the cut. A zombie has exited.
    let deadline = Instant::now() + Duration::from_secs(2);
    for &p in &tree[1..] {
        while Instant::now() < deadline {
            let state = fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|st| {
                    st[st.rfind(')')? + 1..]
                        .split_whitespace()
                        .next()
                        .map(str::to_owned)
                });
            match state.as_deref() {
                None | Some("Z") | Some("X") => break,
                _ => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    }
}

/// (pid, ppid) of every process, from /proc.
/// Every process on the system as (pid, parent pid), from `/proc`.
pub fn processes() -> Vec<(i32, i32)> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let rest = &stat[stat.rfind(')')? + 1..];
        let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
        Some((pid, ppid))
    })
    .collect()
}

/// A `sh` that holds the server's pid (a line on its stdin per start, `none`
/// after a clean stop) and, when its stdin closes while a server is running —
/// the test process died without dropping the RealServer — kills that
/// server's process group and descendants. Own process group and ignored
/// signals, so a Ctrl-C to the test run does not take it down first.
pub fn spawn_watchdog() -> (Child, ChildStdin) {
    const SCRIPT: &str = r#"
trap '' INT HUP TERM QUIT PIPE
pid=none
while IFS= read -r line; do pid=$line; done
[ "$pid" = none ] && exit 0
kill -STOP -- "-$pid" 2>/dev/null
for p in $(ps -e -o pid= -o ppid= | awk -v root="$pid" '
    { parent[$1] = $2 }
    END { for (p in parent) { q = p; n = 0
            while (q != root && (q in parent) && q > 1 && n++ < 64) q = parent[q]
            if (q == root && p != root) print p } }'); do
    kill -KILL "$p" 2>/dev/null
done
kill -KILL -- "-$pid" 2>/dev/null
exit 0
"#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start the server watchdog (sh)");
    let stdin = child.stdin.take().expect("watchdog stdin");
    (child, stdin)
}

static MOUNT_NS: OnceLock<bool> = OnceLock::new();

/// Whether `unshare --mount` works here (root, and the container allows it).
fn mount_namespaces_work() -> bool {
    *MOUNT_NS.get_or_init(|| {
        Command::new("unshare")
            .args(["--mount", "--propagation", "private", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A syslog socket (datagrams, as glibc's syslog() sends them) whose messages
/// a thread appends, one per line and without the `<priority>`, to a file.
struct SyslogReceiver {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl SyslogReceiver {
    fn start(socket: &Path, out: &Path) -> SyslogReceiver {
        let sock = UnixDatagram::bind(socket).expect("bind the syslog socket");
        // pure-ftpd's session processes run as skifftest.
        set_mode(socket, 0o666);
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("socket timeout");
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .expect("open pure-ftpd.log");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            loop {
                match sock.recv(&mut buf) {
                    Ok(n) => {
                        let msg = String::from_utf8_lossy(&buf[..n]);
                        let msg = msg.trim_end_matches(['\n', '\0']);
                        let msg = match (msg.starts_with('<'), msg.find('>')) {
                            (true, Some(i)) if i < 5 => &msg[i + 1..],
                            _ => msg,
                        };
                        let _ = writeln!(file, "{}", normalize_pure_ftpd(msg));
                    }
                    Err(_) if flag.load(Ordering::Relaxed) => return,
                    Err(_) => {}
                }
            }
        });
        SyslogReceiver { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// pure-ftpd logs `Command [rest] [100]` (name lowercased): make it
/// `Command: REST 100`, like the other servers' logs.
fn normalize_pure_ftpd(msg: &str) -> String {
    const TAG: &str = "Command [";
    let Some(at) = msg.find(TAG) else {
        return msg.to_string();
    };
    let rest = &msg[at + TAG.len()..];
    let Some((name, args)) = rest.split_once("] [") else {
        return msg.to_string();
    };
    let args = args.strip_suffix(']').unwrap_or(args);
    let mut out = format!("{}Command: {}", &msg[..at], name.to_ascii_uppercase());
    if !args.is_empty() {
        out.push(' ');
        out.push_str(args);
    }
    out
}

/// The command in one log line of `kind`, if the line is a received command.
fn command_of(kind: ServerKind, line: &str) -> Option<String> {
    let cmd = match kind {
        // ... FTP command: Client "127.0.0.1", "REST 100"
        ServerKind::Vsftpd => {
            let rest = &line[line.find("FTP command: Client \"")?..];
            let rest = &rest[rest.find("\", \"")? + 4..];
            rest.strip_suffix('"')?
        }
        // ... [DEBUG] Command: REST 100
        ServerKind::PureFtpd => {
            let at = line.find("[DEBUG] Command: ")?;
            &line[at + "[DEBUG] Command: ".len()..]
        }
        // 2026-11-21 11:22:36,700 [4829] 127.0.0.1 skifftest: REST 4 -> 350
        ServerKind::Proftpd => {
            let rest = &line[line.find(": ")? + 2..];
            &rest[..rest.rfind(" -> ")?]
        }
        // 2026-11-21 11:22:37,285 127.0.0.1:32810-[skifftest] <- REST 4
        ServerKind::Pyftpdlib => {
            let at = line.find("] <- ")?;
            &line[at + 5..]
        }
    };
    Some(cmd.to_string())
}

/// A CA and a leaf for 127.0.0.1/localhost signed by it (rustls rejects a
/// self-signed CA used as the server's certificate): ca.pem, cert.pem, key.pem.
fn make_certificates(dir: &Path) {
    let ext = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
               extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";
    write(&dir.join("leaf.ext"), ext, 0o644);
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/CN=Skiff test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        "leaf.ext",
        "-out",
        "cert.pem",
    ]);
    set_mode(&dir.join("key.pem"), 0o600);
}

/// SHA-256 of the certificate `pem` (DER), from `openssl x509 -fingerprint`:
/// `sha256 Fingerprint=AB:CD:...` (OpenSSL 1.1 writes `SHA256`).
fn cert_fingerprint(pem: &Path) -> [u8; 32] {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .expect("run openssl x509 -fingerprint");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "openssl x509 -fingerprint failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_fingerprint(&text)
        .unwrap_or_else(|| panic!("cannot parse openssl's fingerprint line {text:?}"))
}

fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let (_, hex) = text.trim().split_once('=')?;
    if hex.len() != 32 * 3 - 1 {
        return None;
    }
    let bytes: Vec<u8> = hex
        .split(':')
        .map(|b| u8::from_str_radix(b, 16))
        .collect::<Result<_, _>>()
        .ok()?;
    bytes.try_into().ok()
}

fn fix_tree(path: &Path, owner: Option<(u32, u32)>) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if meta.file_type().is_symlink() {
        if let Some((uid, gid)) = owner {
            let _ = std::os::unix::fs::lchown(path, Some(uid), Some(gid));
        }
        return;
    }
    if let Some((uid, gid)) = owner {
        let _ = std::os::unix::fs::chown(path, Some(uid), Some(gid));
    }
    let mode = meta.permissions().mode();
    if meta.is_dir() {
        set_mode(path, mode | 0o755);
        if let Ok(entries) = fs::read_dir(path) {
            for e in entries.flatten() {
                fix_tree(&e.path(), owner);
            }
        }
    } else {
        set_mode(path, mode | 0o644);
    }
}

fn set_mode(path: &Path, mode: u32) {
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o7777));
}

fn write(path: &Path, text: &str, mode: u32) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    set_mode(path, mode);
}

fn read_lossy(path: &Path) -> String {
    fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}
