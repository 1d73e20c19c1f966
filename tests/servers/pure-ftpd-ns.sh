#!/bin/sh
# Runs pure-ftpd with this test instance's own syslog socket as /dev/log, so
# that its command log (which it writes only to syslog) can be captured.
# Started by tests/support/servers.rs as
#   unshare --mount --propagation private sh pure-ftpd-ns.sh DEVDIR pure-ftpd ARGS...
# DEVDIR already holds the socket `log`; the mounts exist only inside this
# private mount namespace and vanish with it.
set -eu
dev=$1
shift
for node in null zero full random urandom; do
    : >"$dev/$node"
    mount --bind "/dev/$node" "$dev/$node"
done
mount --rbind "$dev" /dev
exec "$@"
