//! A real OpenSSH server (Debian's `openssh-server`) on loopback, for the SFTP
//! tests.
//!
//! Each [`Sshd`] is one `/usr/sbin/sshd -D` on `127.0.0.1:port`, started by the
//! test itself as a normal process with its own config, host key, log and
//! authorized keys in a fresh temp folder: no system sshd, no port 22. Its
//! login is the test user `.ci/install` makes for the FTP servers
//! (`skifftest` / `skifftest`, no login shell: `internal-sftp` runs inside
//! sshd, so none is needed); the SFTP subsystem starts in the instance's own
//! root folder ([`Sshd::root`], owned by that user), whose absolute path is
//! what URLs name ([`Sshd::url`]).
//!
//! Logins offered: password (through PAM, as Debian needs), public key (the
//! instance's client keys, [`Sshd::client_key`]) and keyboard-interactive.
//! The log (`-E`, [`Sshd::log`]) names the method that was accepted:
//! `Accepted password for skifftest`, `Accepted publickey for ...`,
//! `Accepted keyboard-interactive/pam for ...`.
//!
//! What it needs (a missing piece fails the test, naming it: CI installs
//! them with `.ci/install`): root (sshd switches to the user), the user, and
//! `/usr/sbin/sshd`, `ssh-keygen`, `ssh-agent`, `ssh-add`. sshd must be
//! started by its absolute path (it re-executes itself), needs
//! `/run/sshd` (made here when missing), and `StrictModes no` (a temp
//! folder's parents are not root-only).
//!
//! Process handling as for the FTP servers ([`super::servers`]): a watchdog
//! kills the server's tree when the test process dies without `Drop`; `Drop`
//! kills it (sshd's session children call `setsid`, so the whole tree is
//! walked, not just the group).
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use super::servers::{is_root, kill_tree, lookup_user, processes, spawn_watchdog};

/// The login (the FTP tests' system user).
pub const USER: &str = "skifftest";
/// Its password.
pub const PASSWORD: &str = "skifftest";
/// The passphrase of [`Sshd::encrypted_client_key`].
pub const KEY_PASSPHRASE: &str = "correct horse";
const SSHD: &str = "/usr/sbin/sshd";
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// One running sshd. See the module documentation.
pub struct Sshd {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The folder the SFTP subsystem starts in, owned by [`USER`].
    pub root: PathBuf,
    /// Config, keys, log, agent socket (beside `root`).
    state: PathBuf,
    /// Which host key file serves now (`host_key`, or `host_key2` after
    /// [`Sshd::restart_with_new_host_key`]).
    host_key: PathBuf,
    owner: (u32, u32),
    child: Option<Child>,
    watchdog: Option<(Child, ChildStdin)>,
    agent: Option<Child>,
    dir: Option<tempfile::TempDir>,
    /// sshd's `PasswordAuthentication`; off leaves keyboard-interactive
    /// (PAM) as the only way a password logs in.
    password_auth: bool,
}

impl Sshd {
    /// Starts sshd on 127.0.0.1:`port` with a fresh host key, root folder and
    /// client keys; waits until it sends its SSH banner. Panics, naming what
    /// is missing, when it cannot run here, and when the port is taken.
    pub fn start(port: u16) -> Sshd {
        Self::start_with(port, true)
    }

    /// [`Sshd::start`] with `PasswordAuthentication no`: a password logs in
    /// only through keyboard-interactive (PAM's prompt).
    pub fn start_keyboard_interactive_only(port: u16) -> Sshd {
        Self::start_with(port, false)
    }

    fn start_with(port: u16, password_auth: bool) -> Sshd {
        if let Err(why) = check_installed() {
            panic!(
                "an OpenSSH server is needed for this test but cannot run here: {why}. Run \
                 `bash .ci/install` as root (it installs openssh-server and the user {USER})."
            );
        }
        // The test ports lie in Linux's ephemeral range (32768-60999): a
        // client connection of an earlier test may have used this port as
        // its own and left it in TIME_WAIT, which blocks a listener even
        // with SO_REUSEADDR. That ends within 60 s; a server left running
        // does not.
        let deadline = Instant::now() + Duration::from_secs(65);
        while let Err(e) = TcpListener::bind(("127.0.0.1", port)) {
            if Instant::now() > deadline {
                panic!("cannot start sshd: port {port} on 127.0.0.1 is not free ({e})");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let owner = lookup_user(USER).expect("checked by check_installed");
        let dir = tempfile::Builder::new()
            .prefix(&format!("skiff-sshd-{port}-"))
            .tempdir()
            .expect("create temp dir for sshd");
        set_mode(dir.path(), 0o755);
        let root = dir.path().join("root");
        let state = dir.path().join("state");
        fs::create_dir(&root).expect("create root");
        fs::create_dir(&state).expect("create state");
        set_mode(&state, 0o755);
        std::os::unix::fs::chown(&root, Some(owner.0), Some(owner.1)).expect("chown root");
        set_mode(&root, 0o755);
        keygen(&state.join("host_key"), "");
        keygen(&state.join("host_key2"), "");
        keygen(&state.join("client_key"), "");
        keygen(&state.join("client_key_enc"), KEY_PASSPHRASE);
        // Both client keys may log in; sshd reads the file as the user.
        let mut authorized = fs::read_to_string(state.join("client_key.pub")).expect("read pub");
        authorized.push_str(&fs::read_to_string(state.join("client_key_enc.pub")).expect("pub"));
        fs::write(state.join("authorized_keys"), authorized).expect("write authorized_keys");
        set_mode(&state.join("authorized_keys"), 0o644);
        let mut server = Sshd {
            port,
            root,
            host_key: state.join("host_key"),
            state,
            owner,
            child: None,
            watchdog: Some(spawn_watchdog()),
            agent: None,
            dir: Some(dir),
            password_auth,
        };
        server.spawn_and_wait();
        server
    }

    /// `sftp://skifftest:skifftest@127.0.0.1:PORT/ROOT/rel` (the absolute path
    /// of `rel` under [`Sshd::root`]).
    pub fn url(&self, rel: &str) -> String {
        format!(
            "sftp://{USER}:{PASSWORD}@127.0.0.1:{}{}",
            self.port,
            self.remote_path(rel)
        )
    }

    /// The same URL without the password (for key and agent logins).
    pub fn url_no_password(&self, rel: &str) -> String {
        format!(
            "sftp://{USER}@127.0.0.1:{}{}",
            self.port,
            self.remote_path(rel)
        )
    }

    /// The absolute remote path of `rel` under the root.
    pub fn remote_path(&self, rel: &str) -> String {
        let root = self.root.to_str().expect("temp paths are UTF-8");
        let rel = rel.trim_start_matches('/');
        if rel.is_empty() {
            format!("{root}/")
        } else {
            format!("{root}/{rel}")
        }
    }

    /// `root/rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Writes `root/rel` (parents created), owned by the user, so the server
    /// can read, overwrite and delete it.
    pub fn put_file(&self, rel: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create parents");
        }
        fs::write(&path, contents).expect("write into root");
        self.fix_permissions();
        path
    }

    /// Gives everything under the root to the user.
    pub fn fix_permissions(&self) {
        chown_tree(&self.root, self.owner);
    }

    /// The unencrypted client key (OpenSSH format, ed25519) that may log in.
    pub fn client_key(&self) -> PathBuf {
        self.state.join("client_key")
    }

    /// A client key encrypted with [`KEY_PASSPHRASE`] that may log in.
    pub fn encrypted_client_key(&self) -> PathBuf {
        self.state.join("client_key_enc")
    }

    /// The serving host key's fingerprint as OpenSSH prints it (`ssh-keygen
    /// -lf`): `SHA256:` and unpadded base64.
    pub fn host_key_fingerprint(&self) -> String {
        fingerprint_of(&self.host_key.with_extension("pub"))
    }

    /// A `known_hosts` line for the serving host key, as ssh writes it for a
    /// non-standard port: `[127.0.0.1]:PORT TYPE BASE64`.
    pub fn known_hosts_line(&self) -> String {
        let public = fs::read_to_string(self.host_key.with_extension("pub")).expect("read pub");
        let mut fields = public.split_whitespace();
        let (kind, key) = (fields.next().expect("type"), fields.next().expect("key"));
        format!("[127.0.0.1]:{} {kind} {key}\n", self.port)
    }

    /// The same line with the host name hashed (`ssh-keygen -H`, OpenSSH's
    /// `HashKnownHosts yes`).
    pub fn hashed_known_hosts_line(&self) -> String {
        let file = self.state.join("known_hosts_to_hash");
        fs::write(&file, self.known_hosts_line()).expect("write");
        let out = Command::new("ssh-keygen")
            .arg("-H")
            .arg("-f")
            .arg(&file)
            .output()
            .expect("run ssh-keygen -H");
        assert!(out.status.success(), "ssh-keygen -H: {out:?}");
        let hashed = fs::read_to_string(&file).expect("read hashed");
        assert!(hashed.starts_with("|1|"), "not hashed: {hashed}");
        hashed
    }

    /// Stops sshd and starts it again on the same port with another host
    /// key: what a client that knew the first one must refuse.
    pub fn restart_with_new_host_key(&mut self) {
        self.kill_server();
        self.host_key = self.state.join("host_key2");
        self.spawn_and_wait();
    }

    /// Kills every session process the listener forked (each client's
    /// connection, mid-transfer or idle) and leaves the listener serving:
    /// the client sees its connection cut, and the next one is accepted.
    /// Returns how many sessions were cut.
    pub fn kill_sessions(&self) -> usize {
        let Some(listener) = self.child.as_ref().map(|c| c.id() as i32) else {
            return 0;
        };
        let sessions: Vec<i32> = processes()
            .into_iter()
            .filter(|&(_, parent)| parent == listener)
            .map(|(pid, _)| pid)
            .collect();
        for &pid in &sessions {
            kill_tree(pid);
        }
        sessions.len()
    }

    /// An ssh-agent (its own socket in the state folder) holding the
    /// unencrypted client key; returns the `SSH_AUTH_SOCK` value. The agent
    /// is killed with the server.
    pub fn start_agent(&mut self) -> PathBuf {
        let sock = self.state.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start ssh-agent");
        self.agent = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        while !sock.exists() {
            assert!(Instant::now() < deadline, "ssh-agent made no socket");
            std::thread::sleep(Duration::from_millis(10));
        }
        let out = Command::new("ssh-add")
            .arg(self.client_key())
            .env("SSH_AUTH_SOCK", &sock)
            .output()
            .expect("run ssh-add");
        assert!(out.status.success(), "ssh-add: {out:?}");
        sock
    }

    /// sshd's log so far (`-E`): connections, accepted and failed logins,
    /// sftp subsystem sessions.
    pub fn log(&self) -> String {
        fs::read(self.state.join("sshd.log"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Waits (up to 5 s) until the log holds `needle`; panics with the log
    /// when it does not (sshd may write a line just after the client is done).
    pub fn wait_log(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "sshd's log does not say {needle:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn spawn_and_wait(&mut self) {
        fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let state = &self.state;
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {pid}\n\
             UsePAM yes\nPasswordAuthentication {password}\nKbdInteractiveAuthentication yes\n\
             PubkeyAuthentication yes\nAuthorizedKeysFile {keys}\nStrictModes no\n\
             AllowUsers {USER}\nPermitRootLogin no\nX11Forwarding no\nAllowTcpForwarding no\n\
             PrintMotd no\nLogLevel VERBOSE\nMaxStartups 100:30:200\nMaxSessions 100\n\
             Subsystem sftp internal-sftp -d {root}\n",
            port = self.port,
            password = if self.password_auth { "yes" } else { "no" },
            host_key = self.host_key.display(),
            pid = state.join("sshd.pid").display(),
            keys = state.join("authorized_keys").display(),
            root = self.root.display(),
        );
        let config_path = state.join("sshd_config");
        fs::write(&config_path, config).expect("write sshd_config");
        let check = Command::new(SSHD)
            .arg("-t")
            .arg("-f")
            .arg(&config_path)
            .output()
            .expect("run sshd -t");
        assert!(
            check.status.success(),
            "sshd -t refused the config: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(&config_path)
            .arg("-E")
            .arg(state.join("sshd.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start sshd");
        if let Some((_, stdin)) = &mut self.watchdog {
            let _ = writeln!(stdin, "{}", child.id());
            let _ = stdin.flush();
        }
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::Read;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut banner = [0u8; 4];
                if stream.read_exact(&mut banner).is_ok() && &banner == b"SSH-" {
                    return;
                }
            }
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("sshd exited ({status}) at start; its log:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not answer on port {} within {START_TIMEOUT:?}; its log:\n{}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill_server(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Some((_, stdin)) = &mut self.watchdog {
                let _ = writeln!(stdin, "none");
                let _ = stdin.flush();
            }
            kill_tree(child.id() as i32);
            let _ = child.wait();
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill_server();
        if let Some(mut agent) = self.agent.take() {
            let _ = agent.kill();
            let _ = agent.wait();
        }
        if let Some((mut wd, stdin)) = self.watchdog.take() {
            drop(stdin);
            let _ = wd.wait();
        }
        if let Some(dir) = self.dir.take() {
            if std::env::var("SKIFF_KEEP_SERVER_DIRS").is_ok_and(|v| v == "1") {
                eprintln!("sshd: keeping {}", dir.path().display());
                std::mem::forget(dir);
            } else {
                let _ = dir.close();
            }
        }
    }
}

/// Why sshd cannot run here, if it cannot.
fn check_installed() -> Result<(), String> {
    for tool in [
        SSHD,
        "/usr/bin/ssh-keygen",
        "/usr/bin/ssh-agent",
        "/usr/bin/ssh-add",
    ] {
        if !Path::new(tool).exists() {
            return Err(format!("{tool} is missing"));
        }
    }
    if !is_root() {
        return Err("it must run as root (sshd switches to the user skifftest)".into());
    }
    if lookup_user(USER).is_none() {
        return Err(format!("the system user {USER} does not exist"));
    }
    Ok(())
}

/// An ed25519 key pair at `path` and `path.pub`, encrypted when
/// `passphrase` is not empty.
fn keygen(path: &Path, passphrase: &str) {
    let out = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-C",
            "skiff-test",
            "-N",
            passphrase,
            "-f",
        ])
        .arg(path)
        .output()
        .expect("run ssh-keygen");
    assert!(out.status.success(), "ssh-keygen: {out:?}");
}

/// `SHA256:...` of a public key file, from `ssh-keygen -lf`.
pub fn fingerprint_of(public: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-E", "sha256", "-lf"])
        .arg(public)
        .output()
        .expect("run ssh-keygen -lf");
    assert!(out.status.success(), "ssh-keygen -lf: {out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .nth(1)
        .expect("ssh-keygen -lf prints BITS FINGERPRINT COMMENT (TYPE)")
        .to_string()
}

fn chown_tree(path: &Path, (uid, gid): (u32, u32)) {
    let _ = std::os::unix::fs::lchown(path, Some(uid), Some(gid));
    if path.is_dir() && !path.is_symlink() {
        for entry in fs::read_dir(path).expect("read dir").flatten() {
            chown_tree(&entry.path(), (uid, gid));
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}
