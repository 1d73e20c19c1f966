#!/usr/bin/env bash
# Small-files benchmark: Skiff's recursive download against lftp's mirror on a
# loopback vsftpd.
#
#   bash benches/small_files.sh       (from the repo root, as root)
#
# It follows benches/transfer.sh: builds skiff in release (`cargo build
# --release`, CARGO_TARGET_DIR honoured), starts its own vsftpd on 127.0.0.1
# (tests/servers/vsftpd.conf.in filled in as tests/support/servers.rs does;
# login skifftest/skifftest and PAM service skiff-ftp from .ci/install) and kills
# it on exit. The served root holds dir/: FILES files (default 2,000) of 4 KiB
# of random bytes.
#
# `skiff get -r` runs through the transfer queue (src/engine/queue/): a
# folder item walked on its own connection while P workers, each with one
# connection, take the files as they are listed; so this measures the queue.
#
# For P = 1, 2, 4, 8 (SKIFF_BENCH_PARALLEL) and RUNS runs (default 3,
# interleaved), it times
#   skiff get -r --parallel P --no-tls --passive URL/dir OUT/P-TOOL-RUN
#   lftp -c '... set ftp:ssl-allow false; set ftp:passive-mode true;
#            mirror --parallel=P dir OUT/P-TOOL-RUN'
# both into a destination that does not exist yet (so both create it and put
# dir's contents in it). The copies are kept until the script ends: ext4
# skips inodes freed in the last 60 to 300 s when it allocates one
# (recently_deleted in fs/ext4/ialloc.c), so deleting each run's 2,000 files
# made every later file creation scan past thousands of them; both clients
# were then held near 700 files/s by the file system, whatever they did. Before each timed run the page cache is warmed (WARM
# MiB written and deleted: this VM hands freed memory back to its host, see
# ftp-servers.md) and the source files are read. Every run is checked: exactly
# FILES files, each identical to its source (diff -r), and, from vsftpd's
# protocol log, exactly FILES RETR commands and no PORT/EPRT (passive only).
# A wrong result fails the script (exit 1).
#
# It prints per P the medians (wall seconds, files/second, user and sys CPU of
# the client from /usr/bin/time, peak RSS), the ratio skiff/lftp in files per
# second, the 1-minute load average at each run, and the issue's target: at
# least 1.5x lftp's files per second at P = 4, and never slower at equal P. A
# missed target prints MISSED but does not fail the script. Machine-readable
# `BENCH ...` lines at the end.
#
# Optional: SKIFF_BENCH_RSS_FILES=N (e.g. 100000) also downloads a folder of N
# empty files once with skiff (P = 4) and reports its peak RSS (slow to create).
#
# SKIFF_BENCH_BIN=/path/to/skiff skips the build and times that binary.
# Environment: SKIFF_BENCH_PORT (default 23221; passive ports PORT+1..PORT+99),
# SKIFF_BENCH_RUNS (default 3), SKIFF_BENCH_FILES (default 2000),
# SKIFF_BENCH_PARALLEL (default "1 2 4 8"), SKIFF_BENCH_WARM_MIB (default 512),
# SKIFF_BENCH_KEEP=1 keeps the temp folder, TMPDIR picks the disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=benches/lib.sh
source benches/lib.sh
PORT=${SKIFF_BENCH_PORT:-23221}
RUNS=${SKIFF_BENCH_RUNS:-3}
FILES=${SKIFF_BENCH_FILES:-2000}
PARALLELS=(${SKIFF_BENCH_PARALLEL:-1 2 4 8})
WARM_MIB=${SKIFF_BENCH_WARM_MIB:-512}
RSS_FILES=${SKIFF_BENCH_RSS_FILES:-0}
FILE_BYTES=4096

[[ $FILES =~ ^[1-9][0-9]*$ ]] || die "SKIFF_BENCH_FILES must be a positive number"
[[ $RSS_FILES =~ ^[0-9]+$ ]] || die "SKIFF_BENCH_RSS_FILES must be a number"
for p in "${PARALLELS[@]}"; do
    [[ $p =~ ^[1-9][0-9]*$ ]] && ((p <= 32)) || die "SKIFF_BENCH_PARALLEL: $p is not in 1..32"
done
bench_preconditions "$TIME_BIN" lftp diff awk cargo
bench_skiff
SKIFF_OPTS=(--passive --no-tls --overwrite overwrite)
bench_workdir small
bench_vsftpd ssl_enable=NO
log "vsftpd ${VSFTPD_VERSION:-?} (pid $SERVER_PID) on 127.0.0.1:$PORT serving $ROOT"

# --- test data ----------------------------------------------------------------------
log "creating dir/ ($FILES files of $FILE_BYTES bytes of random bytes)"
mkdir "$ROOT/dir"
head -c $((FILES * FILE_BYTES)) /dev/urandom |
    (cd "$ROOT/dir" && split -b "$FILE_BYTES" -a 6 -d - f)
[[ $(find "$ROOT/dir" -type f | wc -l) -eq $FILES ]] || die "dir/ does not hold $FILES files"
if ((RSS_FILES > 0)); then
    log "creating many/ ($RSS_FILES empty files) for the peak-RSS run"
    mkdir "$ROOT/many"
    (cd "$ROOT/many" && seq -f 'f%06g' 1 "$RSS_FILES" | xargs touch)
fi
chmod -R a+rX "$ROOT"
chown -R "$USER_NAME:" "$ROOT"
sync

URL="ftp://$USER_NAME:$PASSWORD@127.0.0.1:$PORT"
LFTP_SET="set ftp:passive-mode true; set ftp:ssl-allow false; set net:max-retries 1; \
set net:timeout 20; set cmd:fail-exit true; \
open -u $USER_NAME,$PASSWORD -p $PORT 127.0.0.1"


# Runs one client; sets LAST_S, LAST_USER, LAST_SYS, LAST_RSS, LAST_LOAD.
run_once() { # tool parallel folder dest
    local tool=$1 p=$2 folder=$3 dest=$4 t0 t1 rc=0 args
    case $tool in
        skiff) args=("$SKIFF" get -r --parallel "$p" "${SKIFF_OPTS[@]}" "$URL/$folder" "$dest") ;;
        lftp) args=(lftp --norc -c "$LFTP_SET; mirror --parallel=$p $folder $dest") ;;
    esac
    t0=$EPOCHREALTIME
    "$TIME_BIN" -f '%M %U %S' -o "$STATE/time.out" "${args[@]}" >"$STATE/client.out" 2>"$STATE/client.err" || rc=$?
    t1=$EPOCHREALTIME
    ((rc == 0)) || die "$tool (P=$p) failed with exit code $rc: $(tail -n 20 "$STATE/client.err")"
    LAST_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    read -r LAST_RSS LAST_USER LAST_SYS <"$STATE/time.out"
    LAST_LOAD=$(load1)
}

# The run fetched every file into dest, each identical to its source,
# passively, with one RETR per file. $3: the vsftpd log offset before the run.
check_run() { # tool parallel log_offset dest
    local tool=$1 p=$2 off=$3 dest=$4 n retr active
    n=$(find "$dest" -type f | wc -l)
    ((n == FILES)) || die "$tool P=$p: $n of $FILES files arrived"
    diff -r "$ROOT/dir" "$dest" >"$STATE/diff.out" 2>&1 ||
        die "$tool P=$p: the copy differs from the source: $(head -n 5 "$STATE/diff.out")"
    sleep 0.1 # vsftpd's sessions log as they go
    tail -c +$((off + 1)) "$STATE/vsftpd.log" >"$STATE/run.log"
    retr=$(grep -c 'FTP command: .*"RETR ' "$STATE/run.log" || true)
    active=$(grep -cE 'FTP command: .*"(PORT|EPRT) ' "$STATE/run.log" || true)
    ((retr == FILES)) || die "$tool P=$p: vsftpd saw $retr RETR commands, expected $FILES"
    ((active == 0)) || die "$tool P=$p: vsftpd saw $active PORT/EPRT commands: not passive"
    CMDS_PER_FILE=$(grep -c 'FTP command: ' "$STATE/run.log" | awk -v f="$FILES" '{ printf "%.2f", $1 / f }')
    CONNS=$(grep -c 'CONNECT: Client' "$STATE/run.log" || true)
}


TOOLS=(skiff lftp)
declare -A RUNS_S USER_S SYS_S RSS_K LOADS MED MED_USER MED_SYS MAX_RSS FPS CPU_MS CMDS NCONN
LOAD_START=$(load1)
START=$EPOCHREALTIME
log "timing $FILES x $FILE_BYTES B, P in (${PARALLELS[*]}), $RUNS runs per client (load average $LOAD_START)"
for p in "${PARALLELS[@]}"; do
    for ((i = 1; i <= RUNS; i++)); do
        for tool in "${TOOLS[@]}"; do
            k=$p/$tool
            dest=$OUT/$p-$tool-$i
            warm_cache "$ROOT"/dir/*
            off=$(log_bytes)
            run_once "$tool" "$p" dir "$dest"
            check_run "$tool" "$p" "$off" "$dest"
            log "P=$p $tool run $i: ${LAST_S} s (user $LAST_USER s, sys $LAST_SYS s, peak RSS $LAST_RSS KiB, $CMDS_PER_FILE commands/file, $CONNS connections, load $LAST_LOAD)"
            RUNS_S[$k]+="$LAST_S " USER_S[$k]+="$LAST_USER " SYS_S[$k]+="$LAST_SYS "
            RSS_K[$k]+="$LAST_RSS " LOADS[$k]+="$LAST_LOAD "
            CMDS[$k]=$CMDS_PER_FILE NCONN[$k]=$CONNS
        done
    done
    for tool in "${TOOLS[@]}"; do
        k=$p/$tool
        # shellcheck disable=SC2086
        MED[$k]=$(median ${RUNS_S[$k]})
        MED_USER[$k]=$(median ${USER_S[$k]})
        MED_SYS[$k]=$(median ${SYS_S[$k]})
        MAX_RSS[$k]=$(printf '%s\n' ${RSS_K[$k]} | sort -g | tail -n 1)
        FPS[$k]=$(awk -v f="$FILES" -v s="${MED[$k]}" 'BEGIN { printf "%.0f", f / s }')
        CPU_MS[$k]=$(awk -v u="${MED_USER[$k]}" -v s="${MED_SYS[$k]}" -v f="$FILES" 'BEGIN { printf "%.3f", (u + s) * 1000 / f }')
    done
done
ELAPSED=$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
LOAD_END=$(load1)

RSS_LINE=
if ((RSS_FILES > 0)); then
    clear_out
    log "peak RSS: skiff get -r --parallel 4 of $RSS_FILES empty files"
    run_once skiff 4 many "$OUT/dest"
    n=$(find "$OUT/dest" -type f | wc -l)
    ((n == RSS_FILES)) || die "skiff: $n of $RSS_FILES files arrived in the peak-RSS run"
    clear_out
    RSS_LINE="BENCH bench=small_rss_${RSS_FILES} tool=skiff parallel=4 s=$LAST_S user_s=$LAST_USER sys_s=$LAST_SYS max_rss_kib=$LAST_RSS load1=$LAST_LOAD"
    log "peak RSS run: $LAST_S s, $LAST_RSS KiB (user $LAST_USER s, sys $LAST_SYS s, load $LAST_LOAD)"
fi

# --- report -----------------------------------------------------------------------------
echo
echo "Skiff small-files benchmark: vsftpd ${VSFTPD_VERSION:-?} on 127.0.0.1, $(nproc) CPUs, Linux $(uname -r)"
echo "$FILES files of $FILE_BYTES B; median of $RUNS runs per client and P (interleaved); ${WARM_MIB} MiB written and dropped before each run"
echo "timed part took ${ELAPSED} s; 1-minute load average $LOAD_START at its start, $LOAD_END at its end"
BUSY=$(bench_busy "$LOAD_START" "$LOAD_END")
((BUSY)) && echo "WARNING: other work was running on this machine: the figures are noisy; rerun when it is idle"
echo
printf '  %-2s %-6s %-22s %8s %7s %7s %7s %10s %6s %6s %s\n' P client "runs (s)" median "files/s" user sys "CPU ms/f" "RSS" "cmd/f" "load at runs"
declare -A RATIO
for p in "${PARALLELS[@]}"; do
    for tool in "${TOOLS[@]}"; do
        k=$p/$tool
        printf '  %-2s %-6s %-22s %6s s %7s %5s s %5s s %10s %4s M %6s %s\n' "$p" "$tool" "${RUNS_S[$k]% }" "${MED[$k]}" \
            "${FPS[$k]}" "${MED_USER[$k]}" "${MED_SYS[$k]}" "${CPU_MS[$k]}" \
            "$(awk -v k="${MAX_RSS[$k]}" 'BEGIN { printf "%.0f", k / 1024 }')" "${CMDS[$k]}" "${LOADS[$k]% }"
    done
    RATIO[$p]=$(awk -v s="${MED[$p/skiff]}" -v l="${MED[$p/lftp]}" 'BEGIN { printf "%.2f", l / s }')
    echo "     => P=$p: skiff/lftp files per second = ${RATIO[$p]}x"
done
echo
echo "Target (the issue's): at least 1.5x lftp's files per second at P = 4, and never slower at equal P"
STATUS_ALL=MET
for p in "${PARALLELS[@]}"; do
    lim=1.00
    ((p == 4)) && lim=1.50
    st=$(awk -v r="${RATIO[$p]}" -v l="$lim" 'BEGIN { print (r >= l) ? "MET" : "MISSED" }')
    [[ $st == MET ]] || STATUS_ALL=MISSED
    printf '  P=%s: skiff %s files/s, lftp %s files/s: %sx (needs >= %sx): %s\n' "$p" "${FPS[$p/skiff]}" "${FPS[$p/lftp]}" "${RATIO[$p]}" "$lim" "$st"
done
echo "  overall: $STATUS_ALL"
echo
for p in "${PARALLELS[@]}"; do
    for tool in "${TOOLS[@]}"; do
        k=$p/$tool
        runs=${RUNS_S[$k]% }
        loads=${LOADS[$k]% }
        echo "BENCH bench=small_${FILES}x4k tool=$tool parallel=$p median_s=${MED[$k]} files_per_s=${FPS[$k]} runs_s=${runs// /,} user_s=${MED_USER[$k]} sys_s=${MED_SYS[$k]} cpu_ms_per_file=${CPU_MS[$k]} max_rss_kib=${MAX_RSS[$k]} commands_per_file=${CMDS[$k]} connections=${NCONN[$k]} load1=${loads// /,}"
    done
    echo "BENCH_RATIO bench=small_${FILES}x4k parallel=$p skiff_s=${MED[$p/skiff]} lftp_s=${MED[$p/lftp]} files_per_s_ratio=${RATIO[$p]}"
done
[[ -n $RSS_LINE ]] && echo "$RSS_LINE"
echo "BENCH_ENV runs=$RUNS files=$FILES cpus=$(nproc) load1_start=$LOAD_START load1_end=$LOAD_END busy=$BUSY timed_s=$ELAPSED vsftpd=${VSFTPD_VERSION:-unknown}"
for p in "${PARALLELS[@]}"; do
    lim=1.00
    ((p == 4)) && lim=1.50
    st=$(awk -v r="${RATIO[$p]}" -v l="$lim" 'BEGIN { print (r >= l) ? "MET" : "MISSED" }')
    echo "BENCH_TARGET target=small_files_p${p} ratio=${RATIO[$p]} limit=$lim status=$st"
done
