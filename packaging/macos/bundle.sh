#!/usr/bin/env bash
# Assembles Skiff.app from a release build:
#
#   cargo build --release                      # or, for both CPUs:
#   cargo build --release --target aarch64-apple-darwin
#   cargo build --release --target x86_64-apple-darwin
#   bash packaging/macos/bundle.sh [BINARY...]
#
# With no argument it takes target/release/skiff ($CARGO_TARGET_DIR is
# honoured); with two binaries (arm64 and x86_64) it joins them with lipo into
# one universal binary. The bundle lands in target/macos/Skiff.app. On a Mac it
# also signs the bundle ad hoc (codesign -s -) and, with DMG=1, makes
# target/macos/Skiff-VERSION.dmg. On Linux it still assembles the bundle (CI
# checks its layout), without signing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

target_dir=${CARGO_TARGET_DIR:-target}
binaries=("$@")
[[ ${#binaries[@]} -gt 0 ]] || binaries=("$target_dir/release/skiff")
for b in "${binaries[@]}"; do
    [[ -x $b ]] || { echo "bundle.sh: no executable at $b (run cargo build --release first)" >&2; exit 1; }
done
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ -n $version ]] || { echo "bundle.sh: no version in Cargo.toml" >&2; exit 1; }

app=$target_dir/macos/Skiff.app
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
sed "s/@VERSION@/$version/g" packaging/macos/Info.plist >"$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"
cp packaging/macos/Skiff.icns "$app/Contents/Resources/Skiff.icns"
if [[ ${#binaries[@]} -gt 1 ]]; then
    lipo -create -output "$app/Contents/MacOS/skiff" "${binaries[@]}"
else
    cp "${binaries[0]}" "$app/Contents/MacOS/skiff"
fi
chmod 755 "$app/Contents/MacOS/skiff"

if [[ $(uname -s) != Darwin ]] && command -v python3 >/dev/null; then
    python3 -c 'import plistlib, sys; plistlib.load(open(sys.argv[1], "rb"))' "$app/Contents/Info.plist"
fi
if [[ $(uname -s) == Darwin ]]; then
    plutil -lint "$app/Contents/Info.plist" >/dev/null
    codesign --force --deep --sign - "$app"
    # Tell Launch Services about the URL schemes now, not at the first launch.
    /System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister -f "$app" || true
    if [[ ${DMG:-0} == 1 ]]; then
        dmg=$target_dir/macos/Skiff-$version.dmg
        rm -f "$dmg"
        staging=$(mktemp -d)
        cp -R "$app" "$staging/"
        ln -s /Applications "$staging/Applications"
        hdiutil create -volname Skiff -srcfolder "$staging" -ov -format UDZO "$dmg" >/dev/null
        rm -rf "$staging"
        echo "bundle.sh: $dmg"
    fi
fi
echo "bundle.sh: $app (Skiff $version)"
