#!/usr/bin/env bash
# End-to-end benchmark of the remote operations (issue 17), against one local
# vsftpd (benches/lib.sh), each client RUNS times (default 3, interleaved),
# medians printed:
#   1. `ls` of a folder of 50,000 empty files to /dev/null: skiff ls / curl's
#      raw LIST / lftp `cls`, with peak RSS from /usr/bin/time;
#   2. recursive delete of 10,000 empty files in 100 folders (rebuilt before
#      every run): skiff rm -r --parallel P (default 4) / lftp `rm -r`; the
#      tree must be gone afterwards;
#   3. a walk of the same tree: skiff find / lftp `find`, each output checked
#      for all 10,000 files.
# Environment: SKIFF_BENCH_PORT (default 31421; passive ports PORT+1..PORT+99),
# SKIFF_BENCH_RUNS (default 3), SKIFF_BENCH_PARALLEL (default 4),
# SKIFF_BENCH_BIN (a prebuilt binary; else cargo build --release),
# SKIFF_BENCH_KEEP=1 keeps the temp folder. Run as root from the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benches/lib.sh
source benches/lib.sh

PORT=${SKIFF_BENCH_PORT:-31421}
RUNS=${SKIFF_BENCH_RUNS:-3}
PARALLEL=${SKIFF_BENCH_PARALLEL:-4}
LIST_ENTRIES=50000

bench_preconditions curl lftp awk "$TIME_BIN"
bench_skiff
bench_workdir remote-ops
bench_vsftpd ssl_enable=NO
log "vsftpd ${VSFTPD_VERSION:-?} on 127.0.0.1:$PORT serving $ROOT"

mkdir "$ROOT/dir"
(cd "$ROOT/dir" && seq -f 'f%05g.txt' 1 "$LIST_ENTRIES" | xargs touch)
chown -R "$USER_NAME:" "$ROOT"

URL="ftp://$USER_NAME:$PASSWORD@127.0.0.1:$PORT"
SKIFF_OPTS=(--passive --no-tls)
LFTP_SET="set ftp:passive-mode true; set ftp:ssl-allow false; set net:max-retries 1; \
set net:timeout 20; set cmd:fail-exit true; open -u $USER_NAME,$PASSWORD -p $PORT 127.0.0.1"

make_tree() {
    rm -rf "$ROOT/tree"
    local d
    for d in $(seq -f 'd%03g' 1 100); do
        mkdir -p "$ROOT/tree/$d"
        (cd "$ROOT/tree/$d" && seq -f "${d}f%03g" 1 100 | xargs touch)
    done
    chown -R "$USER_NAME:" "$ROOT/tree"
    sync
}

# Runs one command under /usr/bin/time; sets LAST_S, LAST_RSS (KiB).
timed() { # stdout command...
    local dest=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    "$TIME_BIN" -f '%M' -o "$STATE/time.out" "$@" >"$dest" 2>"$STATE/client.err" ||
        die "$* failed: $(tail -n 5 "$STATE/client.err")"
    t1=$EPOCHREALTIME
    LAST_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    LAST_RSS=$(tail -n 1 "$STATE/time.out")
}

declare -A TIMES RSS
record() { # key
    TIMES[$1]+="$LAST_S "
    RSS[$1]+="$LAST_RSS "
    log "$1: $LAST_S s, peak RSS $LAST_RSS KiB"
}

for ((i = 1; i <= RUNS; i++)); do
    timed /dev/null "$SKIFF" ls "${SKIFF_OPTS[@]}" "$URL/dir/"
    record ls/skiff
    timed /dev/null curl -sS --fail "$URL/dir/"
    record ls/curl
    timed /dev/null lftp --norc -c "$LFTP_SET; cls dir"
    record ls/lftp

    make_tree
    timed "$STATE/find.skiff" "$SKIFF" find "${SKIFF_OPTS[@]}" "$URL/tree"
    record find/skiff
    n=$(grep -c 'f[0-9][0-9][0-9]$' "$STATE/find.skiff" || true)
    ((n == 10000)) || die "skiff find shows $n of 10000 files"
    timed "$STATE/find.lftp" lftp --norc -c "$LFTP_SET; find tree"
    record find/lftp
    n=$(grep -c 'f[0-9][0-9][0-9]$' "$STATE/find.lftp" || true)
    ((n == 10000)) || die "lftp find shows $n of 10000 files"

    timed /dev/null "$SKIFF" rm -r --parallel "$PARALLEL" "${SKIFF_OPTS[@]}" "$URL/tree"
    record rm/skiff
    [[ ! -e $ROOT/tree ]] || die "skiff rm -r left $ROOT/tree"
    make_tree
    timed /dev/null lftp --norc -c "$LFTP_SET; rm -r tree"
    record rm/lftp
    [[ ! -e $ROOT/tree ]] || die "lftp rm -r left $ROOT/tree"
done

printf '\n%-12s %10s %14s\n' work median_s max_rss_kib
for key in ls/skiff ls/curl ls/lftp find/skiff find/lftp rm/skiff rm/lftp; do
    # shellcheck disable=SC2086 # word lists
    med=$(median ${TIMES[$key]})
    rss=$(printf '%s\n' ${RSS[$key]} | sort -g | tail -n 1)
    printf '%-12s %10s %14s\n' "$key" "$med" "$rss"
    echo "BENCH $key median_s=$med max_rss_kib=$rss runs=$RUNS parallel=$PARALLEL"
done
