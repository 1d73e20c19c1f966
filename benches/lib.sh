# shellcheck shell=bash disable=SC2034
# Shared parts of the end-to-end benchmark scripts (transfer.sh, small_files.sh,
# ftps.sh); sourced, never run. It holds what each of them needs the same way:
# logging, the preconditions, the skiff binary (built or given), a private temp
# folder with its clean-up, the test certificates, and one vsftpd on
# 127.0.0.1:$PORT (tests/servers/vsftpd.conf.in filled in as
# tests/support/servers.rs does; login skifftest/skifftest and the PAM service
# skiff-ftp, both from .ci/install) that is SIGKILLed with its sessions on exit.
#
# The sourcing script sets PORT and RUNS first, and WARM_MIB before warm_cache.
# Everything here is a function or a constant; nothing runs on sourcing but the
# clock start.

USER_NAME=skifftest
PASSWORD=skifftest
VSFTPD=/usr/sbin/vsftpd
TIME_BIN=/usr/bin/time
T0=$EPOCHREALTIME
SERVER_PID=

log() { printf '[bench +%ss] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# The median of the arguments, three decimals.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
        else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Root, RUNS and PORT valid, the port free, the tools given as arguments, the
# test user and its PAM service present; dies with what is missing.
bench_preconditions() { # tool...
    [[ $(id -u) -eq 0 ]] || die "must run as root (vsftpd chroots and switches to $USER_NAME)"
    [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "SKIFF_BENCH_RUNS must be a positive number"
    [[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1024 && PORT + 99 <= 65535)) ||
        die "SKIFF_BENCH_PORT must be in 1024..65436"
    local missing=() tool
    for tool in "$VSFTPD" "$@"; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    id "$USER_NAME" >/dev/null 2>&1 || missing+=("user $USER_NAME")
    [[ -f /etc/pam.d/skiff-ftp ]] || missing+=("/etc/pam.d/skiff-ftp")
    if ((${#missing[@]})); then
        die "missing: ${missing[*]}; run \`bash .ci/install\` as root first (and apt-get install time)"
    fi
    # A connection probe in a subshell (bash's /dev/tcp), so no redirection leaks.
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        die "port $PORT on 127.0.0.1 is taken (a server left over from an earlier run?); set SKIFF_BENCH_PORT"
    fi
}

# Sets SKIFF to an absolute path: SKIFF_BENCH_BIN when given (no build), or a
# fresh `cargo build --release` (CARGO_TARGET_DIR honoured).
bench_skiff() {
    if [[ -n ${SKIFF_BENCH_BIN:-} ]]; then
        SKIFF=$SKIFF_BENCH_BIN
    else
        log "cargo build --release"
        cargo build --release
        SKIFF="${CARGO_TARGET_DIR:-target}/release/skiff"
    fi
    [[ -x $SKIFF ]] || die "no binary at $SKIFF"
    SKIFF=$(cd "$(dirname "$SKIFF")" && pwd)/$(basename "$SKIFF")
}

# Makes the temp folder WORK (TMPDIR picks the disk) with ROOT (served, the
# login's chroot), STATE (config, logs, certificates) and OUT (where clients
# write), copies the skiff binary into it (a rebuild during the run cannot pull
# it away) and installs the clean-up traps.
bench_workdir() { # name
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/skiff-bench-$1.XXXXXX")
    chmod 755 "$WORK"
    ROOT=$WORK/root
    STATE=$WORK/state
    OUT=$WORK/out
    mkdir -p "$ROOT" "$STATE/empty" "$OUT"
    chmod 755 "$ROOT" "$STATE" "$STATE/empty"
    chown "$USER_NAME:" "$ROOT"
    cp "$SKIFF" "$STATE/skiff"
    SKIFF=$STATE/skiff
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# SIGKILLs the vsftpd listener and every descendant (its sessions call setsid,
# so the process group is not enough). Only the processes this script started.
kill_server() {
    [[ -n $SERVER_PID ]] || return 0
    local tree=("$SERVER_PID") grew=1 pid ppid t in
    kill -STOP "$SERVER_PID" 2>/dev/null || true
    while ((grew)); do
        grew=0
        while read -r pid ppid; do
            in=0
            for t in "${tree[@]}"; do [[ $t == "$pid" ]] && in=1 && break; done
            ((in)) && continue
            for t in "${tree[@]}"; do
                if [[ $t == "$ppid" ]]; then
                    kill -STOP "$pid" 2>/dev/null || true
                    tree+=("$pid"); grew=1; break
                fi
            done
        done < <(ps -e -o pid= -o ppid=)
    done
    for pid in "${tree[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

bench_cleanup() {
    local rc=$?
    kill_server
    if [[ ${SKIFF_BENCH_KEEP:-} == 1 ]]; then
        log "keeping $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}

# A CA and a leaf for 127.0.0.1/localhost signed by it in STATE, as
# make_certificates in tests/support/servers.rs (rustls rejects a self-signed
# CA as a server certificate). Sets CA.
bench_certificates() {
    local d=$STATE
    printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
        'keyUsage=critical,digitalSignature,keyEncipherment' \
        'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost' >"$d/leaf.ext"
    (
        cd "$d"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=Skiff test CA' \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
            -keyout ca.key -out ca.pem
        openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout key.pem -out leaf.csr
        openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
            -extfile leaf.ext -out cert.pem
    ) >"$d/openssl.log" 2>&1 || die "openssl failed: $(tail -n 5 "$d/openssl.log")"
    chmod 600 "$d/key.pem" "$d/ca.key"
    CA=$d/ca.pem
}

# vsftpd's lines for explicit TLS required on the login and on every data
# connection with session reuse (Tls::Required in tests/support/servers.rs),
# for the certificates bench_certificates made.
bench_tls_lines() {
    printf '%s' "ssl_enable=YES\nrsa_cert_file=$STATE/cert.pem\nrsa_private_key_file=$STATE/key.pem\n\
allow_anon_ssl=NO\nrequire_ssl_reuse=YES\nssl_ciphers=HIGH\n\
force_local_logins_ssl=YES\nforce_local_data_ssl=YES\nimplicit_ssl=NO"
}

# Starts vsftpd on 127.0.0.1:PORT (passive ports PORT+1..PORT+99) serving ROOT,
# with TLS_LINES in place of @TLS@, waits for its 220 and sets VSFTPD_VERSION.
# Its protocol log is STATE/vsftpd.log.
bench_vsftpd() { # tls_lines
    sed -e "s|@ROOT@|$ROOT|g" -e "s|@TMP@|$STATE|g" -e "s|@PORT@|$PORT|g" \
        -e "s|@PASV_MIN@|$((PORT + 1))|g" -e "s|@PASV_MAX@|$((PORT + 99))|g" \
        -e "s|@TLS@|$1|" tests/servers/vsftpd.conf.in >"$STATE/vsftpd.conf"
    chmod 600 "$STATE/vsftpd.conf"
    # vsftpd prints its start-up errors ("500 OOPS") on fd 0.
    "$VSFTPD" "$STATE/vsftpd.conf" 0<>"$STATE/server-output.log" 1>&0 2>&0 &
    SERVER_PID=$!
    local banner_ok=0 line
    for _ in $(seq 1 200); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            die "vsftpd exited at start-up: $(cat "$STATE/server-output.log")"
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && read -r -t 3 line <&3 && [[ $line == 220* ]]) 2>/dev/null; then
            banner_ok=1
            break
        fi
        sleep 0.05
    done
    ((banner_ok)) || die "vsftpd did not answer 220 on port $PORT: $(cat "$STATE/server-output.log")"
    VSFTPD_VERSION=$("$VSFTPD" -v 0>&1 2>&1 | awk '{ print $NF; exit }' || true)
}

# Writes WARM_MIB MiB into the page cache and deletes it (this VM hands freed
# memory back to its host, see ftp-servers.md), then reads the given source
# files so they are hot.
warm_cache() { # file...
    dd if=/dev/zero of="$WORK/warm" bs=1M count="$WARM_MIB" status=none
    rm -f "$WORK/warm"
    cat "$@" >/dev/null
}

clear_out() { find "$OUT" -mindepth 1 -delete; }
log_bytes() { stat -c %s "$STATE/vsftpd.log" 2>/dev/null || echo 0; }

# 1 when the load average says other work ran during the timed part.
bench_busy() { # load_start load_end
    awk -v a="$1" -v b="$2" -v n="$(nproc)" 'BEGIN { print (a > n / 2 || b > n) ? 1 : 0 }'
}
