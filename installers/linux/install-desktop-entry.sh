#!/usr/bin/env bash
# Adds Writer to the desktop's application menu for this user (Linux, freedesktop.org desktops).
#   bash installers/linux/install-desktop-entry.sh [PATH_TO_WRITER_EXECUTABLE]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exe="${1:-$root/.venv/bin/writer}"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$data/applications" "$data/icons/hicolor/scalable/apps" "$data/metainfo"
sed "s|^Exec=writer|Exec=\"$exe\"|" "$root/resources/desktop/writer.desktop" > "$data/applications/writer.desktop"
cp "$root/resources/icons/writer.svg" "$data/icons/hicolor/scalable/apps/writer.svg"
cp "$root/resources/desktop/writer.metainfo.xml" "$data/metainfo/writer.metainfo.xml"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "Writer is in the application menu ($data/applications/writer.desktop)."
