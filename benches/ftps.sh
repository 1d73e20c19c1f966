#!/usr/bin/env bash
# Explicit-FTPS download benchmark: Skiff against curl (and lftp) on a loopback
# vsftpd that requires TLS on the login and on every data connection.
#
#   bash benches/ftps.sh              (from the repo root, as root)
#
# It follows benches/transfer.sh: builds skiff in release (`cargo build
# --release`, CARGO_TARGET_DIR honoured), starts its own vsftpd on 127.0.0.1
# (tests/servers/vsftpd.conf.in with the TLS lines tests/support/servers.rs
# uses for Tls::Required: ssl_enable=YES, require_ssl_reuse=YES,
# force_local_logins_ssl=YES, force_local_data_ssl=YES, ssl_ciphers=HIGH),
# with a test CA and a leaf certificate for 127.0.0.1 made with openssl the way
# the harness's make_certificates does; login skifftest/skifftest and PAM
# service skiff-ftp from .ci/install. It serves a 1 GiB file of random bytes.
#
# RUNS runs (default 3, interleaved) of each client, all passive, verifying the
# server's certificate against the test CA:
#   skiff get --overwrite overwrite --ca-file CA ftpes://.../big.bin OUT
#   curl --ssl-reqd --cacert CA -o OUT ftp://.../big.bin
#   lftp (ftp:ssl-force, ftp:ssl-protect-data, ssl:ca-file CA; plain get)
# lftp is skipped, with a note, if it cannot complete a first untimed download
# (SKIFF_BENCH_LFTP=0 skips it outright). Before each timed run the page cache
# is warmed (1.25 GiB written and deleted, see ftp-servers.md). Every download
# is compared with cmp; vsftpd's log must show one RETR per download and no
# PORT/EPRT. Prints medians, user/sys CPU, peak RSS, the 1-minute load average
# at each run, the ratio skiff/curl and the issue's target: within 10% of
# curl's time. A missed target prints MISSED but does not fail the script.
#
# SKIFF_BENCH_BIN=/path/to/skiff skips the build and times that binary.
# Environment: SKIFF_BENCH_PORT (default 23321; passive ports PORT+1..PORT+99),
# SKIFF_BENCH_RUNS (default 3), SKIFF_BENCH_KEEP=1, TMPDIR picks the disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=benches/lib.sh
source benches/lib.sh
PORT=${SKIFF_BENCH_PORT:-23321}
RUNS=${SKIFF_BENCH_RUNS:-3}
BIG_BYTES=$((1024 * 1024 * 1024))
WARM_MIB=1280

bench_preconditions "$TIME_BIN" curl lftp openssl cmp awk cargo
bench_skiff
bench_workdir ftps
bench_certificates
bench_vsftpd "$(bench_tls_lines)"
grep -q '^force_local_data_ssl=YES$' "$STATE/vsftpd.conf" || die "the TLS lines did not reach vsftpd.conf"
log "vsftpd ${VSFTPD_VERSION:-?} (pid $SERVER_PID) on 127.0.0.1:$PORT, TLS required on login and data"

log "creating big.bin (1 GiB of random bytes)"
openssl rand -out "$ROOT/big.bin" "$BIG_BYTES"
chmod 644 "$ROOT/big.bin"
chown -R "$USER_NAME:" "$ROOT"
sync

PLAIN_URL="ftp://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/big.bin"
TLS_URL="ftpes://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/big.bin"
LFTP_SET="set ftp:passive-mode true; set ftp:ssl-allow true; set ftp:ssl-force true; \
set ftp:ssl-protect-data true; set ftp:ssl-protect-list true; set ssl:ca-file $CA; \
set ssl:verify-certificate true; set net:max-retries 1; set net:timeout 20; \
set xfer:clobber true; set cmd:fail-exit true; open -u $USER_NAME,$PASSWORD -p $PORT 127.0.0.1"


run_once() { # tool; returns the client's exit code
    local tool=$1 t0 t1 rc=0 args
    case $tool in
        skiff) args=("$SKIFF" get --passive --overwrite overwrite --ca-file "$CA" "$TLS_URL" "$OUT/big.bin") ;;
        curl) args=(curl -sS --fail --ssl-reqd --cacert "$CA" -o "$OUT/big.bin" "$PLAIN_URL") ;;
        lftp) args=(lftp --norc -c "$LFTP_SET; get big.bin -o $OUT/big.bin") ;;
    esac
    t0=$EPOCHREALTIME
    "$TIME_BIN" -f '%M %U %S' -o "$STATE/time.out" "${args[@]}" >"$STATE/client.out" 2>"$STATE/client.err" || rc=$?
    t1=$EPOCHREALTIME
    LAST_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    read -r LAST_RSS LAST_USER LAST_SYS <"$STATE/time.out" || true
    LAST_LOAD=$(load1)
    return "$rc"
}

# One RETR, under TLS, passive. $2: the log offset before the run.
check_run() { # tool offset
    local tool=$1 off=$2 retr active prot
    cmp -s "$ROOT/big.bin" "$OUT/big.bin" ||
        die "$tool: the downloaded file differs from the source ($(stat -c %s "$OUT/big.bin" 2>/dev/null || echo no file) bytes)"
    sleep 0.1
    tail -c +$((off + 1)) "$STATE/vsftpd.log" >"$STATE/run.log"
    retr=$(grep -c 'FTP command: .*"RETR ' "$STATE/run.log" || true)
    active=$(grep -cE 'FTP command: .*"(PORT|EPRT) ' "$STATE/run.log" || true)
    prot=$(grep -c 'FTP command: .*"PROT P"' "$STATE/run.log" || true)
    ((retr == 1)) || die "$tool: vsftpd saw $retr RETR commands, expected 1"
    ((active == 0)) || die "$tool: vsftpd saw PORT/EPRT: not passive"
    ((prot >= 1)) || die "$tool: no PROT P in vsftpd's log: the data connection was not protected"
}

TOOLS=(skiff curl)
if [[ ${SKIFF_BENCH_LFTP:-1} == 1 ]]; then
    clear_out
    off=$(log_bytes)
    if run_once lftp && cmp -s "$ROOT/big.bin" "$OUT/big.bin"; then
        TOOLS+=(lftp)
        log "lftp over FTPS works (untimed check: $LAST_S s)"
    else
        log "NOTE: lftp could not download over FTPS here, skipped: $(tail -n 3 "$STATE/client.err" | tr '\n' ' ')"
    fi
    clear_out
fi

declare -A RUNS_S USER_S SYS_S RSS_K LOADS MED MED_USER MED_SYS MAX_RSS
LOAD_START=$(load1)
START=$EPOCHREALTIME
log "timing the 1 GiB FTPS download, $RUNS runs per client (${TOOLS[*]}; load average $LOAD_START)"
for ((i = 1; i <= RUNS; i++)); do
    for tool in "${TOOLS[@]}"; do
        clear_out
        warm_cache "$ROOT/big.bin"
        off=$(log_bytes)
        run_once "$tool" || die "$tool failed with exit code $?: $(tail -n 20 "$STATE/client.err")"
        check_run "$tool" "$off"
        clear_out
        log "$tool run $i: ${LAST_S} s (user $LAST_USER s, sys $LAST_SYS s, peak RSS $LAST_RSS KiB, load $LAST_LOAD)"
        RUNS_S[$tool]+="$LAST_S " USER_S[$tool]+="$LAST_USER " SYS_S[$tool]+="$LAST_SYS "
        RSS_K[$tool]+="$LAST_RSS " LOADS[$tool]+="$LAST_LOAD "
    done
done
ELAPSED=$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
LOAD_END=$(load1)
for tool in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086
    MED[$tool]=$(median ${RUNS_S[$tool]})
    MED_USER[$tool]=$(median ${USER_S[$tool]})
    MED_SYS[$tool]=$(median ${SYS_S[$tool]})
    MAX_RSS[$tool]=$(printf '%s\n' ${RSS_K[$tool]} | sort -g | tail -n 1)
done
RATIO=$(awk -v s="${MED[skiff]}" -v c="${MED[curl]}" 'BEGIN { printf "%.2f", s / c }')
STATUS=$(awk -v r="$RATIO" 'BEGIN { print (r <= 1.10) ? "MET" : "MISSED" }')

echo
echo "Skiff FTPS benchmark: vsftpd ${VSFTPD_VERSION:-?} on 127.0.0.1 (explicit TLS required on login and data, session reuse required), $(nproc) CPUs, Linux $(uname -r)"
echo "1 GiB download to disk, checked with cmp; median of $RUNS runs per client (interleaved); ${WARM_MIB} MiB written and dropped before each run"
echo "timed part took ${ELAPSED} s; 1-minute load average $LOAD_START at its start, $LOAD_END at its end"
BUSY=$(bench_busy "$LOAD_START" "$LOAD_END")
((BUSY)) && echo "WARNING: other work was running on this machine: the figures are noisy; rerun when it is idle"
echo
printf '  %-6s %-22s %9s %9s %9s %9s %11s %s\n' client "runs (s)" median MiB/s user sys "peak RSS" "load at runs"
for tool in "${TOOLS[@]}"; do
    printf '  %-6s %-22s %7s s %9s %7s s %7s s %7s MiB %s\n' "$tool" "${RUNS_S[$tool]% }" "${MED[$tool]}" \
        "$(awk -v s="${MED[$tool]}" 'BEGIN { printf "%.0f", 1024 / s }')" "${MED_USER[$tool]}" "${MED_SYS[$tool]}" \
        "$(awk -v k="${MAX_RSS[$tool]}" 'BEGIN { printf "%.1f", k / 1024 }')" "${LOADS[$tool]% }"
done
echo
echo "Target (the issue's): within 10% of curl's time"
printf '  skiff %.2f s / curl %.2f s = %sx (limit 1.10x): %s\n' "${MED[skiff]}" "${MED[curl]}" "$RATIO" "$STATUS"
echo
for tool in "${TOOLS[@]}"; do
    runs=${RUNS_S[$tool]% }
    loads=${LOADS[$tool]% }
    echo "BENCH bench=ftps_download_1gib tool=$tool median_s=${MED[$tool]} runs_s=${runs// /,} user_s=${MED_USER[$tool]} sys_s=${MED_SYS[$tool]} max_rss_kib=${MAX_RSS[$tool]} load1=${loads// /,}"
done
echo "BENCH_RATIO bench=ftps_download_1gib skiff_s=${MED[skiff]} curl_s=${MED[curl]} ratio=$RATIO"
echo "BENCH_ENV runs=$RUNS cpus=$(nproc) load1_start=$LOAD_START load1_end=$LOAD_END busy=$BUSY timed_s=$ELAPSED vsftpd=${VSFTPD_VERSION:-unknown} peers=${TOOLS[*]// /,}"
echo "BENCH_TARGET target=ftps_within_10pct_of_curl skiff_s=${MED[skiff]} curl_s=${MED[curl]} ratio=$RATIO limit=1.10 status=$STATUS"
