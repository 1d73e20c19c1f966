#!/usr/bin/env bash
# Sync benchmark (issue 16): `skiff sync URL DIR --parallel 4` against lftp's
# `mirror --parallel=4` on a loopback vsftpd, one run each.
#
#   bash benches/sync.sh       (from the repo root, as root)
#
# Shares benches/lib.sh with the other scripts: the skiff binary (built in
# release, or SKIFF_BENCH_BIN), a private temp folder, and one vsftpd on
# 127.0.0.1:PORT (passive ports PORT+1..PORT+99) that is killed on exit. The
# served root holds tree/: FOLDERS folders (default 100) of FILES_PER files
# (default 100) of 4 KiB of random bytes.
#
# It times, each into an empty destination and then again with nothing
# changed (both clients only list then):
#   skiff sync --parallel 4 --no-tls --passive URL/tree OUT/skiff
#   lftp -c '... mirror --parallel=4 tree OUT/lftp'
# Every copy is checked (diff -r against the source); a second skiff run must
# plan nothing. The issue's targets: at least 1.5x lftp's files per second on
# the first run, and at most half of lftp's time on the second. A missed
# target prints MISSED but does not fail the script.
#
# Optional: SKIFF_BENCH_PLAN_FILES=N (e.g. 100000) also makes a folder of N
# empty files on both sides and reports the peak RSS of `skiff sync --dry-run`
# over it (planning N entries a side).
#
# Environment: SKIFF_BENCH_PORT (default 29600), SKIFF_BENCH_FOLDERS,
# SKIFF_BENCH_FILES_PER, SKIFF_BENCH_BIN, SKIFF_BENCH_KEEP=1, TMPDIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=benches/lib.sh
source benches/lib.sh
PORT=${SKIFF_BENCH_PORT:-29600}
RUNS=1
FOLDERS=${SKIFF_BENCH_FOLDERS:-100}
FILES_PER=${SKIFF_BENCH_FILES_PER:-100}
PLAN_FILES=${SKIFF_BENCH_PLAN_FILES:-0}
WARM_MIB=${SKIFF_BENCH_WARM_MIB:-256}
FILES=$((FOLDERS * FILES_PER))
P=4

bench_preconditions "$TIME_BIN" lftp diff awk
bench_skiff
bench_workdir sync
bench_vsftpd ssl_enable=NO
log "vsftpd ${VSFTPD_VERSION:-?} (pid $SERVER_PID) on 127.0.0.1:$PORT serving $ROOT"

log "creating tree/ ($FOLDERS folders of $FILES_PER files of 4 KiB)"
for ((d = 0; d < FOLDERS; d++)); do
    mkdir -p "$ROOT/tree/d$d"
    head -c $((FILES_PER * 4096)) /dev/urandom | (cd "$ROOT/tree/d$d" && split -b 4096 -a 4 -d - f)
done
if ((PLAN_FILES > 0)); then
    log "creating many/ ($PLAN_FILES empty files) on both sides for the planning run"
    mkdir -p "$ROOT/many" "$OUT/many"
    (cd "$ROOT/many" && seq -f 'f%07g' 1 "$PLAN_FILES" | xargs touch)
    (cd "$OUT/many" && seq -f 'f%07g' 1 "$PLAN_FILES" | xargs touch)
fi
chmod -R a+rX "$ROOT"
chown -R "$USER_NAME:" "$ROOT"

URL="ftp://$USER_NAME:$PASSWORD@127.0.0.1:$PORT"
LFTP_SET="set ftp:passive-mode true; set ftp:ssl-allow false; set net:max-retries 1; \
set net:timeout 20; set cmd:fail-exit true; \
open -u $USER_NAME,$PASSWORD -p $PORT 127.0.0.1"

# Runs a command, timed; sets LAST_S and LAST_RSS (KiB).
timed() {
    local t0 t1 rc=0
    t0=$EPOCHREALTIME
    "$TIME_BIN" -f '%M' -o "$STATE/time.out" "$@" >"$STATE/client.out" 2>"$STATE/client.err" || rc=$?
    t1=$EPOCHREALTIME
    ((rc == 0)) || die "$1 failed with exit code $rc: $(tail -n 20 "$STATE/client.err")"
    LAST_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    LAST_RSS=$(cat "$STATE/time.out")
}

skiff_sync() { timed "$SKIFF" sync --parallel $P --no-tls --passive "$@"; }
lftp_mirror() { timed lftp --norc -c "$LFTP_SET; mirror --parallel=$P $1 $2"; }

check_copy() { # dest
    diff -r "$ROOT/tree" "$1" >"$STATE/diff.out" 2>&1 ||
        die "the copy in $1 differs from the source: $(head -n 5 "$STATE/diff.out")"
}

warm_cache "$ROOT"/tree/d0/*
skiff_sync "$URL/tree" "$OUT/skiff"
check_copy "$OUT/skiff"
SKIFF_FIRST=$LAST_S SKIFF_RSS=$LAST_RSS
log "skiff sync, empty destination: $LAST_S s, peak RSS $LAST_RSS KiB"
warm_cache "$ROOT"/tree/d0/*
lftp_mirror tree "$OUT/lftp"
check_copy "$OUT/lftp"
LFTP_FIRST=$LAST_S
log "lftp mirror, empty destination: $LAST_S s"

skiff_sync --json "$URL/tree" "$OUT/skiff"
grep -qv '"summary"' "$STATE/client.out" && die "the second skiff run planned something: $(head -n 3 "$STATE/client.out")"
SKIFF_AGAIN=$LAST_S
log "skiff sync, nothing changed: $LAST_S s"
lftp_mirror tree "$OUT/lftp"
LFTP_AGAIN=$LAST_S
log "lftp mirror, nothing changed: $LAST_S s"

PLAN_LINE=
if ((PLAN_FILES > 0)); then
    skiff_sync --dry-run "$URL/many" "$OUT/many"
    PLAN_LINE="planning $PLAN_FILES entries a side (skiff sync --dry-run, listing included): $LAST_S s, peak RSS $((LAST_RSS / 1024)) MiB"
    log "$PLAN_LINE"
fi

fps() { awk -v f="$FILES" -v s="$1" 'BEGIN { printf "%.0f", f / s }'; }
RATIO=$(awk -v s="$SKIFF_FIRST" -v l="$LFTP_FIRST" 'BEGIN { printf "%.2f", l / s }')
AGAIN=$(awk -v s="$SKIFF_AGAIN" -v l="$LFTP_AGAIN" 'BEGIN { printf "%.2f", s / l }')
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = dir == "min" ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }
echo
echo "Skiff sync benchmark: vsftpd ${VSFTPD_VERSION:-?} on 127.0.0.1, $(nproc) CPUs, load $(load1)"
echo "$FILES files of 4 KiB in $FOLDERS folders, --parallel $P, one run each"
printf '  %-32s %8s s  %6s files/s\n' "skiff sync, empty destination" "$SKIFF_FIRST" "$(fps "$SKIFF_FIRST")"
printf '  %-32s %8s s  %6s files/s\n' "lftp mirror, empty destination" "$LFTP_FIRST" "$(fps "$LFTP_FIRST")"
printf '  %-32s %8s s\n' "skiff sync, nothing changed" "$SKIFF_AGAIN"
printf '  %-32s %8s s\n' "lftp mirror, nothing changed" "$LFTP_AGAIN"
echo "  skiff's peak RSS on the first run: $((SKIFF_RSS / 1024)) MiB"
[[ -n $PLAN_LINE ]] && echo "  $PLAN_LINE"
echo "Targets: files/s skiff/lftp = ${RATIO}x (>= 1.5: $(verdict "$RATIO" 1.5 min)); unchanged time skiff/lftp = ${AGAIN} (<= 0.5: $(verdict "$AGAIN" 0.5 max))"
echo "BENCH bench=sync files=$FILES parallel=$P skiff_s=$SKIFF_FIRST lftp_s=$LFTP_FIRST skiff_again_s=$SKIFF_AGAIN lftp_again_s=$LFTP_AGAIN ratio=$RATIO again_ratio=$AGAIN"
