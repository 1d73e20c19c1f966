#!/usr/bin/env bash
# Builds Skiff's .deb from the binary a previous cargo command left in the
# target folder, installs it, checks it, and (with --remove) uninstalls it.
# CI runs it after `cargo test`, which built target/debug/skiff with the
# default features: packaging that binary costs seconds, where a second
# (release) build would cost ten minutes. cargo-deb strips it, so the
# package is a real one, only unoptimised. Needs root (apt-get, dpkg).
#
#   bash packaging/linux/deb.sh [--profile dev|release] [--remove]
#
# A release package for users is simply `cargo deb` (see README).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

CARGO_DEB_VERSION=3.8.0
APP_ID=io.github.skiff_ftp.Skiff
profile=dev
remove=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --profile) profile=$2; shift 2 ;;
        --remove) remove=1; shift ;;
        *) echo "deb.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

log() { printf '[deb.sh] %s\n' "$*"; }
die() { printf '[deb.sh] ERROR: %s\n' "$*" >&2; exit 1; }
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive

if [[ $(cargo deb --version 2>/dev/null || true) != *"$CARGO_DEB_VERSION"* ]]; then
    log "cargo install cargo-deb $CARGO_DEB_VERSION"
    cargo install --quiet --locked cargo-deb --version "$CARGO_DEB_VERSION"
fi

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -e 's/.*"target_directory":"\([^"]*\)".*/\1/')
out=$target_dir/debian
rm -rf "$out"
# cargo-deb maps the assets' target/release/ to this profile's folder. It warns
# that the dev profile is for releases only: the warning is expected here.
cargo deb --no-build --profile "$profile" --fast --output "$out" --quiet >/dev/null
deb=$(ls "$out"/skiff_*.deb)
log "built $deb ($(du -h "$deb" | cut -f1))"

# Dependencies come from apt's lists; refresh them only if they are missing.
# No recommends: the file dialog's portal is not needed to test the package.
install_deb() { apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "$deb" >/dev/null; }
if ! install_deb 2>/dev/null; then
    apt-get update -qq -o DPkg::Lock::Timeout=300
    install_deb
fi
log "installed: $(dpkg-query -W -f='${Package} ${Version}' skiff)"

# The installed binary, by its installed path, not the one in the target folder.
version=$(/usr/bin/skiff --version)
[[ $version == "skiff $(dpkg-query -W -f='${Version}' skiff | sed 's/-[^-]*$//')" ]] \
    || die "/usr/bin/skiff --version printed '$version'"
log "/usr/bin/skiff --version: $version"

for f in /usr/share/applications/$APP_ID.desktop /usr/share/metainfo/$APP_ID.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/skiff.svg /usr/share/icons/hicolor/16x16/apps/skiff.png \
    /usr/share/icons/hicolor/512x512/apps/skiff.png; do
    [[ -f $f ]] || die "the package did not install $f"
done
# Every library the window loads at run time must now be present (the
# package's Depends pulled them in). ldconfig's list is read once: piping it
# into `grep -q` under pipefail fails at random when grep exits early.
known_libs=$(ldconfig -p)
for lib in libX11.so.6 libX11-xcb.so.1 libxcb.so.1 libXcursor.so.1 libXi.so.6 \
    libxkbcommon.so.0 libxkbcommon-x11.so.0 libwayland-client.so.0 libwayland-cursor.so.0 \
    libwayland-egl.so.1 libGL.so.1 libEGL.so.1 libdbus-1.so.3; do
    grep -qF "$lib " <<<"$known_libs" || die "$lib is missing after installing the package"
done

# The desktop entry and the AppStream file, as installed, must validate.
if ! command -v desktop-file-validate >/dev/null || ! command -v appstreamcli >/dev/null; then
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends desktop-file-utils appstream >/dev/null
fi
desktop-file-validate /usr/share/applications/$APP_ID.desktop
appstreamcli validate --no-net --explain /usr/share/metainfo/$APP_ID.metainfo.xml >/dev/null \
    || appstreamcli validate --no-net /usr/share/metainfo/$APP_ID.metainfo.xml

if [[ $remove -eq 1 ]]; then
    apt-get remove -y -qq -o DPkg::Lock::Timeout=300 skiff >/dev/null
    [[ ! -e /usr/bin/skiff ]] || die "apt-get remove left /usr/bin/skiff"
    log "removed again"
fi
log "done in $(( $(date +%s) - start )) s"
