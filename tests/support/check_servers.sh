#!/usr/bin/env bash
# Manual smoke test of tests/support/servers.rs against the four real servers
# (run as root after `bash .ci/install`):
#
#   bash tests/support/check_servers.sh [KIND...]      KIND: vsftpd pure-ftpd proftpd pyftpdlib
#
# It builds a scratch crate (outside the repo, with its own target dir; does
# not touch the project's build) that drives servers.rs through a line
# protocol on stdin, and checks every server with curl: listing, upload,
# download, resume (REST), mkdir, rename, delete in EPSV, PASV, EPRT and PORT
# modes, a 12,000-entry listing, log(), restart() (also mid-transfer), that
# Drop and the watchdog (test process killed) leave no server behind. Set
# SKIFF_CHECK_TLS=1 to also check the FTPS variants (Tls::Allowed and
# Tls::Required on every server, Tls::Implicit on vsftpd): curl in passive mode
# (curl 7.88 hangs on active + TLS), and tests/support/ftps_probe.py (Debian's
# python3) for active mode, session reuse, and what Required refuses: a plain
# login, clear data.
#
# Environment: SKIFF_CHECK_PORT (base port, default 21000; each server gets
# its own block of 100), SKIFF_SCRATCH (scratch crate dir, default
# ${TMPDIR:-/tmp}/skiff-servers-scratch), SKIFF_CHECK_ONLY_TLS=1 (only the
# FTPS variants).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base_port=${SKIFF_CHECK_PORT:-21000}
scratch=${SKIFF_SCRATCH:-${TMPDIR:-/tmp}/skiff-servers-scratch}
kinds=("$@")
[[ ${#kinds[@]} -gt 0 ]] || kinds=(vsftpd pure-ftpd proftpd pyftpdlib)

failures=0
passes=0
pass() { passes=$((passes + 1)); printf '  ok    %s\n' "$*"; }
fail() { failures=$((failures + 1)); printf '  FAIL  %s\n' "$*"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    local out
    if out=$("$@" 2>&1); then pass "$what"; else fail "$what"; printf '%s\n' "$out" | sed 's/^/        /' | tail -15; fi
}

# --- the scratch driver -------------------------------------------------------
mkdir -p "$scratch/src"
cat >"$scratch/Cargo.toml" <<'EOF'
[package]
name = "servers-scratch"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
tempfile = "3"

[workspace]
EOF
cat >"$scratch/src/main.rs" <<EOF
#[path = "$here/servers.rs"]
mod servers;
EOF
cat >>"$scratch/src/main.rs" <<'EOF'
use servers::{Options, RealServer, ServerKind, Tls};
use std::io::{BufRead, Write};

// serve KIND PORT [allowed|required|implicit]: starts the server, prints
// "READY <root> <start-up time> [<CA file> <leaf SHA-256, hex>]", then obeys
// lines on stdin: put REL TEXT | many DIR N | restart | log | quit.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = match args[2].as_str() {
        "vsftpd" => ServerKind::Vsftpd,
        "pure-ftpd" => ServerKind::PureFtpd,
        "proftpd" => ServerKind::Proftpd,
        "pyftpdlib" => ServerKind::Pyftpdlib,
        other => panic!("unknown kind {other}"),
    };
    let port: u16 = args[3].parse().unwrap();
    let tls = match args.get(4).map(String::as_str) {
        None | Some("off") => Tls::Off,
        Some("allowed") => Tls::Allowed,
        Some("required") => Tls::Required,
        Some("implicit") => Tls::Implicit,
        Some(other) => panic!("unknown TLS mode {other}"),
    };
    let t = std::time::Instant::now();
    let Some(mut server) = RealServer::start_with(kind, port, Options { tls }) else {
        println!("SKIPPED");
        return;
    };
    assert_eq!(server.tls(), tls);
    let ca = server.ca_cert().map(|p| p.display().to_string()).unwrap_or_default();
    let fp: String = server
        .cert_sha256()
        .map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
        .unwrap_or_default();
    println!("READY {} {:?} {ca} {fp}", server.root.display(), t.elapsed());
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let mut words = line.splitn(3, ' ');
        match words.next().unwrap_or("") {
            "put" => {
                let rel = words.next().unwrap();
                let text = words.next().unwrap_or("");
                server.put_file(rel, text.as_bytes());
                writeln!(out, "OK").unwrap();
            }
            "many" => {
                let dir = server.make_dir(words.next().unwrap());
                let n: usize = words.next().unwrap().parse().unwrap();
                for i in 0..n {
                    std::fs::write(dir.join(format!("f{i:06}")), b"x").unwrap();
                }
                server.fix_permissions();
                writeln!(out, "OK").unwrap();
            }
            "restart" => {
                let t = std::time::Instant::now();
                server.restart();
                writeln!(out, "OK {:?}", t.elapsed()).unwrap();
            }
            "log" => {
                write!(out, "{}", server.log()).unwrap();
                writeln!(out, "\nEND-OF-LOG").unwrap();
            }
            "quit" => break,
            other => writeln!(out, "ERR unknown command {other}").unwrap(),
        }
        out.flush().unwrap();
    }
}
EOF
echo "building the scratch driver in $scratch ..."
(cd "$scratch" && CARGO_TARGET_DIR="$scratch/target" cargo build -q)
bin=$scratch/target/debug/servers-scratch

# --- per server -----------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }
no_session() { ! ss -Htn state established "sport = :$1" | grep -q .; }

drv() { printf '%s\n' "$*" >&"${SRV[1]}"; }
drv_read() { local l; IFS= read -r -t 60 l <&"${SRV[0]}"; printf '%s\n' "$l"; }
drv_log() {
    local l
    drv log
    while IFS= read -r -t 60 l <&"${SRV[0]}"; do
        [[ $l == END-OF-LOG ]] && break
        printf '%s\n' "$l"
    done
}

same_file() { cmp "$1" "$2"; }
# fails_with REGEX COMMAND...: COMMAND must fail, its last output line match REGEX
fails_with() {
    local re=$1 out; shift
    if out=$("$@" 2>&1); then printf '%s\n' "$out" | tail -20; echo "(it worked)"; return 1; fi
    tail -1 <<<"$out" | grep -qE -- "$re" || { printf '%s\n' "$out" | tail -20; return 1; }
}
has() { grep -q -- "$2" <<<"$1" || { echo "log has no '$2':"; tail -40 <<<"$1"; return 1; }; }

check_server() {
    local kind=$1 port=$2 url root line ready
    local c=(curl -sS --max-time 30)
    echo "== $kind on 127.0.0.1:$port =="
    coproc SRV { "$bin" serve "$kind" "$port" 2>"$tmp/$kind.stderr"; }
    # shellcheck disable=SC2153 # set by coproc
    local srv_pid=$SRV_PID
    if ! IFS= read -r -t 30 ready <&"${SRV[0]}"; then
        fail "$kind: start"; cat "$tmp/$kind.stderr"; return
    fi
    if [[ $ready == SKIPPED ]]; then echo "  skipped (not installed)"; return; fi
    read -r _ root line <<<"$ready"
    pass "start ($line)"
    url=ftp://skifftest:skifftest@127.0.0.1:$port

    # a file the test puts into the root, downloaded in all four modes
    drv put from-test/hello.txt "hello from the test"; drv_read >/dev/null
    printf 'hello from the test' >"$tmp/expect"
    local mode opts
    for mode in EPSV PASV EPRT PORT; do
        case $mode in
            EPSV) opts=() ;;
            PASV) opts=(--disable-epsv) ;;
            EPRT) opts=(-P 127.0.0.1) ;;
            PORT) opts=(-P 127.0.0.1 --disable-eprt) ;;
        esac
        check "$mode list" "${c[@]}" "${opts[@]}" "$url/"
        check "$mode download (file put by the test)" bash -c "$(printf '%q ' "${c[@]}" "${opts[@]}" -o "$tmp/got" "$url/from-test/hello.txt") && cmp $tmp/got $tmp/expect"
        head -c 300000 /dev/urandom >"$tmp/up-$mode"
        check "$mode upload" "${c[@]}" "${opts[@]}" -T "$tmp/up-$mode" "$url/up-$mode.bin"
        check "$mode uploaded file on disk, readable by root" same_file "$root/up-$mode.bin" "$tmp/up-$mode"
        check "$mode download of the upload" bash -c "$(printf '%q ' "${c[@]}" "${opts[@]}" -o "$tmp/back" "$url/up-$mode.bin") && cmp $tmp/back $tmp/up-$mode"
        check "$mode mkdir" "${c[@]}" "${opts[@]}" -Q "MKD dir-$mode" "$url/"
        check "$mode folder on disk" test -d "$root/dir-$mode"
        check "$mode rename into the new folder" "${c[@]}" "${opts[@]}" -Q "RNFR up-$mode.bin" -Q "RNTO dir-$mode/moved.bin" "$url/"
        check "$mode renamed file on disk" same_file "$root/dir-$mode/moved.bin" "$tmp/up-$mode"
        check "$mode list the new folder" bash -c "$(printf '%q ' "${c[@]}" "${opts[@]}" "$url/dir-$mode/") | grep -q moved.bin"
        check "$mode delete + rmdir" "${c[@]}" "${opts[@]}" -Q "DELE dir-$mode/moved.bin" -Q "RMD dir-$mode" "$url/"
        check "$mode gone from disk" test ! -e "$root/dir-$mode"
    done
    # resume a download at an offset (REST); curl appends to an existing -o file
    rm -f "$tmp/part"
    check "resumed download (REST 6)" bash -c "$(printf '%q ' "${c[@]}" -C 6 -o "$tmp/part" "$url/from-test/hello.txt") && [ \"\$(cat $tmp/part)\" = 'from the test' ]"
    # the test overwrites and deletes what the server wrote, and vice versa
    check "upload over a file the test put" "${c[@]}" -T "$tmp/up-PORT" "$url/from-test/hello.txt"
    check "delete a file the test put" "${c[@]}" -Q "DELE from-test/hello.txt" "$url/"
    check "root removes what the server wrote" bash -c "echo x > $tmp/x && $(printf '%q ' "${c[@]}" -T "$tmp/x" "$url/srv.txt") && rm $root/srv.txt"

    # a listing larger than pure-ftpd's default limit of 10,000
    drv many big 12000; drv_read >/dev/null
    check "NLST of 12,000 entries" bash -c "n=\$($(printf '%q ' "${c[@]}" -l "$url/big/") | grep -c '^f0'); [ \"\$n\" = 12000 ] || { echo \"got \$n\"; exit 1; }"

    # the log
    local log
    log=$(drv_log)
    printf '%s\n' "$log" >"$tmp/$kind.log"
    check "log shows EPSV" has "$log" "EPSV"
    check "log shows PASV" has "$log" "PASV"
    check "log shows EPRT" has "$log" "EPRT |1|127.0.0.1|"
    check "log shows PORT 127,0,0,1" has "$log" "PORT 127,0,0,1,"
    check "log shows REST 6" has "$log" "REST 6"
    check "log shows STOR" has "$log" "STOR up-EPSV.bin"

    # restart: idle, then mid-transfer
    line=$(drv restart; drv_read)
    check "restart ($line)" test "${line%% *}" = OK
    check "list after restart" "${c[@]}" "$url/"
    head -c 50000000 /dev/zero >"$root/big.bin"
    drv put fix x; drv_read >/dev/null
    "${c[@]}" --limit-rate 2M -o "$tmp/cut" "$url/big.bin" 2>"$tmp/cut.err" &
    local curl_pid=$!
    sleep 1
    line=$(drv restart; drv_read)
    check "restart mid-download ($line)" test "${line%% *}" = OK
    if wait "$curl_pid"; then fail "the cut download should fail"; else pass "the cut download failed: $(tr -d '\n' <"$tmp/cut.err")"; fi
    local got_bytes
    got_bytes=$(stat -c %s "$tmp/cut" 2>/dev/null || echo 0)
    check "it got only part of the file ($got_bytes bytes)" test "$got_bytes" -lt 50000000
    check "download after the cut" bash -c "$(printf '%q ' "${c[@]}" -o "$tmp/full" "$url/big.bin") && [ \$(stat -c %s $tmp/full) = 50000000 ]"

    # Drop: the server, its sessions and the temp dir must go
    local sess
    (exec 3<>"/dev/tcp/127.0.0.1/$port"; printf 'USER skifftest\r\nPASS skifftest\r\n' >&3; sleep 3) &
    sess=$!
    sleep 0.5
    drv quit
    wait "$srv_pid" 2>/dev/null || true
    check "port free after drop" port_free "$port"
    check "temp root removed" test ! -e "$root"
    check "no server session left (its open connection was cut)" no_session "$port"
    kill "$sess" 2>/dev/null || true
    wait "$sess" 2>/dev/null || true

    # watchdog: SIGKILL the test process with a session open; the server must go
    coproc SRV { "$bin" serve "$kind" "$port" 2>>"$tmp/$kind.stderr"; }
    srv_pid=$SRV_PID
    IFS= read -r -t 30 ready <&"${SRV[0]}"
    (exec 3<>"/dev/tcp/127.0.0.1/$port"; printf 'USER skifftest\r\nPASS skifftest\r\n' >&3; sleep 3) &
    sess=$!
    sleep 0.5
    kill -KILL "$srv_pid"
    wait "$srv_pid" 2>/dev/null || true
    local i
    for i in $(seq 50); do port_free "$port" && break; sleep 0.1; done
    check "port free after the test process was SIGKILLed (watchdog)" port_free "$port"
    for i in $(seq 50); do no_session "$port" && break; sleep 0.1; done
    check "no server session left after the watchdog" no_session "$port"
    rm -rf "$(awk '{print $2}' <<<"$ready" | xargs dirname)"
    kill "$sess" 2>/dev/null || true
    wait "$sess" 2>/dev/null || true
}

# The FTPS variants (SKIFF_CHECK_TLS=1): check_tls KIND PORT MODE, MODE one of
# allowed, required, implicit (vsftpd only). curl for passive listing, upload
# and download (curl 7.88 hangs on active mode + TLS); ftps_probe.py for
# active mode, session reuse, and what a Required server refuses.
check_tls() {
    local kind=$1 port=$2 mode=$3 ready root ca fp
    echo "== $kind with TLS $mode on 127.0.0.1:$port =="
    coproc SRV { "$bin" serve "$kind" "$port" "$mode" 2>"$tmp/$kind-tls.stderr"; }
    # shellcheck disable=SC2153 # set by coproc
    local srv_pid=$SRV_PID
    if ! IFS= read -r -t 30 ready <&"${SRV[0]}"; then
        fail "$kind TLS $mode: start"; cat "$tmp/$kind-tls.stderr"; return
    fi
    local took
    read -r _ root took ca fp <<<"$ready"
    pass "start with TLS $mode ($took)"
    local c=(curl -sS --max-time 30 --cacert "$ca")
    local url=ftp://skifftest:skifftest@127.0.0.1:$port
    local probe=(/usr/bin/python3 "$here/ftps_probe.py" "$port" "$ca" --timeout 10)
    local sclient=(openssl s_client -connect "127.0.0.1:$port" -starttls ftp)
    if [[ $mode == implicit ]]; then
        url=ftps://skifftest:skifftest@127.0.0.1:$port
        probe+=(--implicit)
        sclient=(openssl s_client -connect "127.0.0.1:$port")
    else
        c+=(--ssl-reqd)
    fi
    # curl closes a TLS 1.3 data connection with vsftpd's session ticket
    # unread; the kernel then resets it and vsftpd loses about 1/4 of uploads
    # (426). A client trap, not a server one (ftps_probe.py below uploads with
    # TLS 1.3 fine): curl uploads to vsftpd with TLS 1.2.
    local up=("${c[@]}")
    if [[ $kind == vsftpd ]]; then up+=(--tls-max 1.2); fi
    head -c 300000 /dev/urandom >"$tmp/tls-up"
    check "FTPS upload (EPSV)" "${up[@]}" -T "$tmp/tls-up" "$url/tls.bin"
    check "uploaded file on disk" same_file "$root/tls.bin" "$tmp/tls-up"
    check "FTPS download (EPSV, TLS 1.3)" bash -c "$(printf '%q ' "${c[@]}" --tlsv1.3 -o "$tmp/tls-back" "$url/tls.bin") && cmp $tmp/tls-back $tmp/tls-up"
    check "FTPS download (PASV, TLS 1.2)" bash -c "$(printf '%q ' "${c[@]}" --disable-epsv --tls-max 1.2 -o "$tmp/tls-back" "$url/tls.bin") && cmp $tmp/tls-back $tmp/tls-up"
    check "FTPS list (PASV)" bash -c "$(printf '%q ' "${c[@]}" --disable-epsv "$url/") | grep -q tls.bin"
    check "FTPS cert verifies for localhost too" "${c[@]}" "${url/127.0.0.1/localhost}/"
    check "cert_sha256() is the served certificate's" bash -c "got=\$(${sclient[*]} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f); [ \"\$got\" = $fp ] || { echo \"served \$got, cert_sha256 $fp\"; exit 1; }"
    # active mode + TLS, with TLS 1.3 uploads closed the careful way
    local m
    for m in PORT EPRT; do
        check "$m + TLS: upload, download, list (ftps_probe.py)" bash -c "$(printf '%q ' "${probe[@]}" --mode "$m" --tls13 stor "act-$m.bin" "$tmp/tls-up" retr "act-$m.bin" "$tmp/tls-act" list) && cmp $tmp/tls-act $tmp/tls-up"
    done
    check "20 TLS 1.3 uploads in a row, closed with close_notify + read to EOF" bash -c "$(printf '%q ' "${probe[@]}" --tls13 $(for n in $(seq 20); do printf 'stor u%s.bin %s ' "$n" "$tmp/tls-up"; done)) >$tmp/tls-many.out && [ \$(grep -c '^\*\* data TLS' $tmp/tls-many.out) = 20 ]"
    case $kind in
        vsftpd|proftpd)
            # vsftpd: 150, then "522 SSL connection failed: session reuse
            # required"; proftpd: 150, then "425 Unable to build data connection"
            check "data connection without session reuse refused" fails_with '^transfer failed: (522|425) ' "${probe[@]}" --no-reuse list
            check "data connections resume the control session" bash -c "$(printf '%q ' "${probe[@]}" list) | grep -q '^\*\* data TLS.* resumed'" ;;
        *)
            check "data connection without session reuse accepted" "${probe[@]}" --no-reuse list ;;
    esac
    case $mode in
        allowed)
            check "plain FTP still allowed" curl -sS --max-time 30 "$url/"
            check "TLS control + clear data (PROT C) allowed" "${probe[@]}" --post-login "PBSZ 0,PROT C" list ;;
        required)
            # USER before AUTH TLS: vsftpd 530, proftpd and pyftpdlib 550,
            # pure-ftpd 421 (and it keeps the connection open: curl times out).
            check "plain FTP login refused" bash -c "out=\$(curl -sS -v --max-time 5 $url/ 2>&1); rc=\$?; grep -E '^< (530|550|421)' <<<\"\$out\" && [ \$rc != 0 ] || { echo \"\$out\"; exit 1; }"
            # vsftpd 522, pure-ftpd 521, proftpd 522 to LIST; pyftpdlib 550
            # to EPSV already
            check "TLS control + clear data (no PROT P) refused" fails_with '^LIST refused|^unexpected reply to EPSV: 550' "${probe[@]}" --post-login "PBSZ 0" list
            check "TLS control + PROT C refused" fails_with '^LIST refused|^unexpected reply to EPSV: 550' "${probe[@]}" --post-login "PBSZ 0,PROT C" list ;;
        implicit)
            check "plain FTP on the implicit port gets no banner" fails_with 'curl: \(28\)' curl -sS --max-time 3 "ftp://skifftest:skifftest@127.0.0.1:$port/"
            check "TLS data required (no PROT P refused)" fails_with '^LIST refused' "${probe[@]}" --post-login "PBSZ 0" list ;;
    esac
    local line
    line=$(drv restart; drv_read)
    check "restart ($line)" test "${line%% *}" = OK
    check "FTPS list after restart" "${c[@]}" "$url/"
    drv quit
    wait "$srv_pid" 2>/dev/null || true
    check "port free after drop" port_free "$port"
    check "temp root removed" test ! -e "$root"
}

i=0
for kind in "${kinds[@]}"; do
    port=$((base_port + 100 * i))
    i=$((i + 1))
    port_free "$port" || { fail "$kind: port $port is busy"; continue; }
    if [[ ${SKIFF_CHECK_ONLY_TLS:-} != 1 ]]; then check_server "$kind" "$port"; fi
    if [[ ${SKIFF_CHECK_TLS:-} == 1 || ${SKIFF_CHECK_ONLY_TLS:-} == 1 ]]; then
        modes=(allowed required)
        if [[ $kind == vsftpd ]]; then modes+=(implicit); fi
        for mode in "${modes[@]}"; do check_tls "$kind" "$port" "$mode"; done
    fi
done

echo "check_servers: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
