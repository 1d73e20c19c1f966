//! SFTP against a real OpenSSH server on loopback (`tests/support/sshd.rs`),
//! started by each test on its own port: logins, host keys, listings and
//! transfers.

mod support;

use std::process::Command;

use support::sshd::{self, Sshd};

/// The harness itself: OpenSSH's own `sftp` logs in with the test key and
/// lists the root, and sshd's log says how it logged in.
#[test]
fn the_test_sshd_serves_openssh_sftp() {
    let server = Sshd::start(33_100);
    server.put_file("hello.txt", b"hello");
    let known = server.path("../state/known_hosts_for_sftp");
    std::fs::write(&known, server.known_hosts_line()).expect("write known_hosts");
    let out = Command::new("sftp")
        .arg("-b")
        .arg("-")
        .arg("-i")
        .arg(server.client_key())
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known.display()))
        .arg("-o")
        .arg("StrictHostKeyChecking=yes")
        .arg("-P")
        .arg(server.port.to_string())
        .arg(format!("{}@127.0.0.1", sshd::USER))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(b"ls\n")?;
            child.wait_with_output()
        })
        .expect("run sftp");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "sftp failed: {out:?}");
    assert!(stdout.contains("hello.txt"), "{stdout}");
    server.wait_log("Accepted publickey for skifftest");
    assert!(server.host_key_fingerprint().starts_with("SHA256:"));
}
