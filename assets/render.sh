#!/usr/bin/env bash
# Regenerates every raster form of Skiff's icon from assets/skiff.svg. A
# developer step, not CI's: the outputs are committed. Run it after editing the
# SVG and commit what changes.
#
#   assets/icons/hicolor/NxN/apps/skiff.png   N = 16 24 32 48 64 128 256 512
#       laid out as the freedesktop hicolor theme, so the .deb installs the
#       folder as it is under /usr/share/icons/hicolor/
#   packaging/windows/skiff.ico               16 24 32 48 64 256 (build.rs embeds it)
#   packaging/macos/Skiff.icns                16 32 48 128 256 512
#
# Needs (Debian): librsvg2-bin (rsvg-convert), imagemagick (convert), icnsutils (png2icns).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in rsvg-convert convert png2icns; do
    command -v "$tool" >/dev/null || {
        echo "render.sh: $tool is missing (apt-get install librsvg2-bin imagemagick icnsutils)" >&2
        exit 1
    }
done

svg=assets/skiff.svg
png() { echo "assets/icons/hicolor/${1}x${1}/apps/skiff.png"; }

for n in 16 24 32 48 64 128 256 512; do
    mkdir -p "$(dirname "$(png "$n")")"
    rsvg-convert --width "$n" --height "$n" --output "$(png "$n")" "$svg"
done

# One PNG per size in the .ico; 256 px is stored as PNG inside the .ico (Vista+).
convert $(for n in 16 24 32 48 64 256; do png "$n"; done) packaging/windows/skiff.ico

# png2icns picks each image's slot from its size (16, 32, 48, 128, 256, 512).
png2icns packaging/macos/Skiff.icns $(for n in 16 32 48 128 256 512; do png "$n"; done) >/dev/null

echo "render.sh: rendered $(find assets/icons -name skiff.png | wc -l) PNGs, skiff.ico and Skiff.icns"
