#!/usr/bin/env bash
# SFTP benchmark: Skiff against OpenSSH's `sftp` and lftp's sftp://, all on
# one OpenSSH sshd on loopback (issue 18).
#
#   bash benches/sftp.sh       (from the repo root, as root)
#
# It builds skiff with the measure profile (`cargo build --profile measure
# --no-default-features`, CARGO_TARGET_DIR honoured; SKIFF_BENCH_BIN=/path
# skips the build), starts its own /usr/sbin/sshd -D on 127.0.0.1:$PORT
# (a fresh host key, `Subsystem sftp internal-sftp -d ROOT`, the test user
# skifftest from .ci/install, logins by a fresh ed25519 key) and kills it
# and its sessions on exit. Every client logs in with that key and checks
# the host key against a known_hosts written for it; all three run AES-GCM
# when they may (OpenSSH's client and server prefer chacha20-poly1305, so
# `-c aes128-gcm@openssh.com` is given to sftp and to lftp's ssh).
#
# Three measurements, RUNS runs each (default 3, interleaved), medians:
#   1. down: a 1 GiB file of random bytes to OUT
#        skiff get sftp://.../big.bin OUT/x
#        sftp -b <(get ROOT/big.bin OUT/x)
#        lftp -c 'open sftp://...; get ROOT/big.bin -o OUT/x'
#   2. up: the same file from disk to ROOT/up-TOOL
#   3. small: FILES files (default 2,000) of 4 KiB, recursive, P = 4
#        skiff get -r --parallel 4 sftp://.../dir OUT/dest
#        lftp -c 'open sftp://...; mirror --parallel=4 ROOT/dir OUT/dest'
# Every run is checked: the file's SHA-256 (down and up) or `diff -r` and
# the file count (small); a wrong result fails the script (exit 1). Before
# each timed run the page cache is warmed as benches/transfer.sh does.
#
# It prints the medians, the ratios and the issue's targets: 1 GiB no slower
# than OpenSSH's sftp (each direction), and at least 1.5x lftp's files per
# second for the small files. A missed target prints MISSED but does not fail
# the script. Machine-readable `BENCH ...` lines at the end.
#
# Environment: SKIFF_BENCH_PORT (default 23222), SKIFF_BENCH_RUNS (default
# 3), SKIFF_BENCH_MIB (default 1024), SKIFF_BENCH_FILES (default 2000),
# SKIFF_BENCH_WARM_MIB (default 512), SKIFF_BENCH_KEEP=1 keeps the temp
# folder, TMPDIR picks the disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=benches/lib.sh
source benches/lib.sh
PORT=${SKIFF_BENCH_PORT:-23222}
RUNS=${SKIFF_BENCH_RUNS:-3}
MIB=${SKIFF_BENCH_MIB:-1024}
FILES=${SKIFF_BENCH_FILES:-2000}
WARM_MIB=${SKIFF_BENCH_WARM_MIB:-512}
SSHD=/usr/sbin/sshd
CIPHER=aes128-gcm@openssh.com

[[ $(id -u) -eq 0 ]] || die "must run as root (sshd switches to $USER_NAME)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "SKIFF_BENCH_RUNS must be a positive number"
[[ $MIB =~ ^[1-9][0-9]*$ ]] || die "SKIFF_BENCH_MIB must be a positive number"
[[ $FILES =~ ^[1-9][0-9]*$ ]] || die "SKIFF_BENCH_FILES must be a positive number"
missing=()
for tool in "$SSHD" ssh-keygen sftp ssh lftp "$TIME_BIN" sha256sum diff awk; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
id "$USER_NAME" >/dev/null 2>&1 || missing+=("user $USER_NAME")
((${#missing[@]} == 0)) || die "missing: ${missing[*]}; run \`bash .ci/install\` as root first"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT on 127.0.0.1 is taken; set SKIFF_BENCH_PORT"
fi

if [[ -z ${SKIFF_BENCH_BIN:-} ]]; then
    log "cargo build --profile measure --no-default-features"
    cargo build --profile measure --no-default-features
    SKIFF_BENCH_BIN="${CARGO_TARGET_DIR:-target}/measure/skiff"
fi
bench_skiff
bench_workdir sftp

# --- sshd -----------------------------------------------------------------------
HOME_DIR=$STATE/home
mkdir -p "$HOME_DIR/.ssh"
chmod 700 "$HOME_DIR/.ssh"
ssh-keygen -q -t ed25519 -N '' -f "$STATE/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$STATE/client_key"
cp "$STATE/client_key.pub" "$STATE/authorized_keys"
chmod 644 "$STATE/authorized_keys"
KNOWN=$HOME_DIR/.ssh/known_hosts
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$STATE/host_key.pub")" >"$KNOWN"
mkdir -p /run/sshd
cat >"$STATE/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $STATE/host_key
PidFile $STATE/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $STATE/authorized_keys
StrictModes no
AllowUsers $USER_NAME
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp internal-sftp -d $ROOT
CONF
"$SSHD" -t -f "$STATE/sshd_config" || die "sshd -t refused the config"
"$SSHD" -D -f "$STATE/sshd_config" -E "$STATE/sshd.log" &
SERVER_PID=$!
for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && read -r -t 3 line <&3 && [[ $line == SSH-* ]]) 2>/dev/null; then
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "sshd exited at start-up: $(cat "$STATE/sshd.log")"
    sleep 0.05
done
SSHD_VERSION=$(ssh -V 2>&1 | awk '{ print $1; exit }')
log "sshd ($SSHD_VERSION, pid $SERVER_PID) on 127.0.0.1:$PORT serving $ROOT"

# --- test data --------------------------------------------------------------------
log "creating big.bin ($MIB MiB of random bytes) and dir/ ($FILES files of 4 KiB)"
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$STATE/big.bin"
cp "$STATE/big.bin" "$ROOT/big.bin"
BIG_SHA=$(sha256sum "$STATE/big.bin" | cut -d' ' -f1)
mkdir "$ROOT/dir"
head -c $((FILES * 4096)) /dev/urandom | (cd "$ROOT/dir" && split -b 4096 -a 6 -d - f)
chown -R "$USER_NAME:" "$ROOT"
sync

URL="sftp://$USER_NAME@127.0.0.1:$PORT"
SSH_OPTS="-o UserKnownHostsFile=$KNOWN -o StrictHostKeyChecking=yes -o BatchMode=yes -i $STATE/client_key -c $CIPHER"
SKIFF_ENV=(env HOME="$HOME_DIR" SKIFF_CONFIG_DIR="$STATE/config" SKIFF_DATA_DIR="$STATE/data")
SKIFF_OPTS=(--key "$STATE/client_key" --overwrite overwrite)
LFTP_OPEN="set sftp:connect-program 'ssh -a -x $SSH_OPTS'; set net:max-retries 1; \
set net:timeout 20; set cmd:fail-exit true; open -u $USER_NAME,unused -p $PORT sftp://127.0.0.1"

# Runs one client; sets LAST_S, LAST_USER, LAST_SYS, LAST_RSS, LAST_LOAD.
run_once() { # tool what dest
    local tool=$1 what=$2 dest=$3 t0 t1 rc=0 args
    case $tool/$what in
        skiff/down) args=("${SKIFF_ENV[@]}" "$SKIFF" get "${SKIFF_OPTS[@]}" "$URL$ROOT/big.bin" "$dest") ;;
        skiff/up) args=("${SKIFF_ENV[@]}" "$SKIFF" put "${SKIFF_OPTS[@]}" "$STATE/big.bin" "$URL$dest") ;;
        skiff/small) args=("${SKIFF_ENV[@]}" "$SKIFF" get -r --parallel 4 "${SKIFF_OPTS[@]}" "$URL$ROOT/dir" "$dest") ;;
        sftp/down) printf 'get %s %s\n' "$ROOT/big.bin" "$dest" >"$STATE/batch" ;;
        sftp/up) printf 'put %s %s\n' "$STATE/big.bin" "$dest" >"$STATE/batch" ;;
        lftp/down) args=(lftp --norc -c "$LFTP_OPEN; get $ROOT/big.bin -o $dest") ;;
        lftp/up) args=(lftp --norc -c "$LFTP_OPEN; put $STATE/big.bin -o $dest") ;;
        lftp/small) args=(lftp --norc -c "$LFTP_OPEN; mirror --parallel=4 $ROOT/dir $dest") ;;
    esac
    if [[ $tool == sftp ]]; then
        # shellcheck disable=SC2086
        args=(sftp -q -b "$STATE/batch" $SSH_OPTS -P "$PORT" "$USER_NAME@127.0.0.1")
    fi
    t0=$EPOCHREALTIME
    "$TIME_BIN" -f '%M %U %S' -o "$STATE/time.out" "${args[@]}" >"$STATE/client.out" 2>"$STATE/client.err" || rc=$?
    t1=$EPOCHREALTIME
    ((rc == 0)) || die "$tool $what failed with exit code $rc: $(tail -n 20 "$STATE/client.err")"
    LAST_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    read -r LAST_RSS LAST_USER LAST_SYS <"$STATE/time.out"
    LAST_LOAD=$(load1)
}

check_run() { # tool what dest
    local tool=$1 what=$2 dest=$3 n
    case $what in
        down | up)
            [[ $(sha256sum "$dest" | cut -d' ' -f1) == "$BIG_SHA" ]] ||
                die "$tool $what: the copy's SHA-256 differs from the source's"
            ;;
        small)
            n=$(find "$dest" -type f | wc -l)
            ((n == FILES)) || die "$tool small: $n of $FILES files arrived"
            diff -r "$ROOT/dir" "$dest" >"$STATE/diff.out" 2>&1 ||
                die "$tool small: the copy differs: $(head -n 5 "$STATE/diff.out")"
            ;;
    esac
}

declare -A RUNS_S USER_S SYS_S RSS_K MED MED_USER MED_SYS MAX_RSS
LOAD_START=$(load1)
START=$EPOCHREALTIME
log "timing: $MIB MiB down and up (skiff, sftp, lftp), $FILES x 4 KiB at P=4 (skiff, lftp); $RUNS runs each (load average $LOAD_START)"
for ((i = 1; i <= RUNS; i++)); do
    for what in down up small; do
        tools=(skiff sftp lftp)
        [[ $what == small ]] && tools=(skiff lftp)
        for tool in "${tools[@]}"; do
            k=$what/$tool
            case $what in
                down) dest=$OUT/$tool-$i.bin ;;
                up) dest=$ROOT/up-$tool-$i.bin ;;
                small) dest=$OUT/$tool-$i ;;
            esac
            case $what in
                down) warm_cache "$ROOT/big.bin" ;;
                up) warm_cache "$STATE/big.bin" ;;
                small) warm_cache "$ROOT"/dir/* ;;
            esac
            run_once "$tool" "$what" "$dest"
            check_run "$tool" "$what" "$dest"
            log "$what $tool run $i: ${LAST_S} s (user $LAST_USER s, sys $LAST_SYS s, peak RSS $LAST_RSS KiB, load $LAST_LOAD)"
            RUNS_S[$k]+="$LAST_S " USER_S[$k]+="$LAST_USER " SYS_S[$k]+="$LAST_SYS " RSS_K[$k]+="$LAST_RSS "
            # Big copies go at once: the disk holds only a few.
            [[ $what == small ]] || rm -f "$dest"
        done
    done
done
ELAPSED=$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
LOAD_END=$(load1)
for k in "${!RUNS_S[@]}"; do
    # shellcheck disable=SC2086
    MED[$k]=$(median ${RUNS_S[$k]})
    MED_USER[$k]=$(median ${USER_S[$k]})
    MED_SYS[$k]=$(median ${SYS_S[$k]})
    MAX_RSS[$k]=$(printf '%s\n' ${RSS_K[$k]} | sort -g | tail -n 1)
done

# --- report -------------------------------------------------------------------------
echo
echo "Skiff SFTP benchmark: $SSHD_VERSION sshd on 127.0.0.1, $(nproc) CPUs, Linux $(uname -r)"
echo "$MIB MiB file and $FILES x 4 KiB at P=4; median of $RUNS runs per client (interleaved); cipher $CIPHER"
echo "timed part took ${ELAPSED} s; 1-minute load average $LOAD_START at its start, $LOAD_END at its end"
BUSY=$(bench_busy "$LOAD_START" "$LOAD_END")
((BUSY)) && echo "WARNING: other work was running on this machine: the figures are noisy; rerun when it is idle"
echo
printf '  %-6s %-6s %-26s %9s %10s %7s %7s %7s\n' what client "runs (s)" median rate user sys RSS
for what in down up small; do
    tools=(skiff sftp lftp)
    [[ $what == small ]] && tools=(skiff lftp)
    for tool in "${tools[@]}"; do
        k=$what/$tool
        if [[ $what == small ]]; then
            rate=$(awk -v f="$FILES" -v s="${MED[$k]}" 'BEGIN { printf "%.0f files/s", f / s }')
        else
            rate=$(awk -v m="$MIB" -v s="${MED[$k]}" 'BEGIN { printf "%.0f MiB/s", m / s }')
        fi
        printf '  %-6s %-6s %-26s %7s s %10s %5s s %5s s %5s M\n' "$what" "$tool" "${RUNS_S[$k]% }" "${MED[$k]}" \
            "$rate" "${MED_USER[$k]}" "${MED_SYS[$k]}" "$(awk -v k="${MAX_RSS[$k]}" 'BEGIN { printf "%.0f", k / 1024 }')"
    done
done
ratio() { awk -v s="${MED[$1/skiff]}" -v o="${MED[$1/$2]}" 'BEGIN { printf "%.2f", o / s }'; }
DOWN_SFTP=$(ratio down sftp) DOWN_LFTP=$(ratio down lftp)
UP_SFTP=$(ratio up sftp) UP_LFTP=$(ratio up lftp)
SMALL_LFTP=$(ratio small lftp)
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "met" : "MISSED" }'; }
echo
echo "Speed relative to skiff (other's time / skiff's time; above 1: skiff is faster)"
echo "  1 GiB down: vs sftp ${DOWN_SFTP}x ($(met "$DOWN_SFTP" 1.0): no slower than sftp), vs lftp ${DOWN_LFTP}x"
echo "  1 GiB up:   vs sftp ${UP_SFTP}x ($(met "$UP_SFTP" 1.0): no slower than sftp), vs lftp ${UP_LFTP}x"
echo "  small, P=4: vs lftp ${SMALL_LFTP}x in files per second ($(met "$SMALL_LFTP" 1.5): at least 1.5x)"
echo
for k in "${!MED[@]}"; do
    echo "BENCH bench=sftp_${k%/*} tool=${k#*/} s=${MED[$k]} user_s=${MED_USER[$k]} sys_s=${MED_SYS[$k]} max_rss_kib=${MAX_RSS[$k]} runs=\"${RUNS_S[$k]% }\" busy=$BUSY"
done | sort
echo "BENCH bench=sftp_ratios down_vs_sftp=$DOWN_SFTP down_vs_lftp=$DOWN_LFTP up_vs_sftp=$UP_SFTP up_vs_lftp=$UP_LFTP small_vs_lftp=$SMALL_LFTP busy=$BUSY"
