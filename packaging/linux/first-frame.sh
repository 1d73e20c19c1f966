#!/usr/bin/env bash
# Measures Skiff's start-up: seconds from exec to the window being viewable,
# which with eframe means the first frame has been painted (eframe keeps the
# window hidden until then). Needs xvfb and x11-utils (xwininfo).
#
#   xvfb-run -a bash packaging/linux/first-frame.sh [BINARY] [RUNS]
#
# BINARY defaults to the release build; each run uses fresh config, data and
# home folders, so no saved state or site is loaded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/skiff}
runs=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp/run HOME=$tmp/home XDG_DATA_HOME=$tmp/home/data \
    SKIFF_CONFIG_DIR=$tmp/config SKIFF_DATA_DIR=$tmp/data
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
for i in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    "$bin" >"$tmp/out" 2>&1 &
    pid=$!
    until xwininfo -name Skiff 2>/dev/null | grep -q IsViewable; do
        kill -0 "$pid" 2>/dev/null || { echo "first-frame.sh: skiff exited:" >&2; cat "$tmp/out" >&2; exit 1; }
        sleep 0.005
    done
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v i="$i" 'BEGIN { printf "run %d: %.3f s to the first frame\n", i, e - s }'
    kill "$pid"
    wait "$pid" 2>/dev/null || true
done
