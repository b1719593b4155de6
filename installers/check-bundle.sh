#!/usr/bin/env bash
# Checks the frozen app that installers/build.sh left in dist/, as a user meets it.
#   bash installers/check-bundle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
app="$PWD/dist/writer/writer"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT

# Starts fast: the best of three runs (the first also warms the page cache).
best=
for _ in 1 2 3; do
    start=$(date +%s%N)
    "$app" --version >/dev/null
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
echo "--version: $("$app" --version) in $best ms"
[ "$best" -lt 1000 ] || { echo "check-bundle: --version took $best ms (limit 1000)." >&2; exit 1; }

# A headless action through the frozen engine worker, with nothing from this environment.
summary="$(echo "Writer is an offline writing assistant. It runs a small language model on the user's own computer, so drafts never leave it." \
    | env -i WRITER_HOME="$home" "$app" summarize --length sentence --max-tokens 24 --temperature 0 -)"
echo "summarize: $summary"
[ -n "$summary" ] || { echo "check-bundle: the frozen summarize printed nothing." >&2; exit 1; }

# Export and spelling with the system's dictionaries out of sight (a private mount namespace, where
# the machine allows one): the English dictionary and python-docx's template are in the bundle.
mkdir -p "$home/empty"
cat >"$home/hide.sh" <<HIDE
for d in /usr/share/hunspell /usr/share/myspell /usr/lib/aspell /var/lib/aspell; do
    [ -d "\$d" ] && mount --bind "$home/empty" "\$d"
done
exec "\$@"
HIDE
hidden() { if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then unshare -m sh "$home/hide.sh" "$@"; else "$@"; fi; }
printf '# Check\n\nEnglish and 中文 on one page.\n' >"$home/check.md"
for fmt in pdf docx; do
    hidden env -i WRITER_HOME="$home" "$app" export "$home/check.md" --to "$fmt" >/dev/null
    [ -s "$home/check.$fmt" ] || { echo "check-bundle: the frozen export to $fmt wrote nothing." >&2; exit 1; }
done
spelling="$(hidden env -i WRITER_HOME="$home" "$app" doctor | grep '^Spelling')"
echo "export: pdf and docx; ${spelling}"
grep -q "en_US works" <<<"$spelling" || { echo "check-bundle: the frozen app does not spell-check English." >&2; exit 1; }

# The window opens on the offscreen platform and, once shown, starts the engine worker.
env -i WRITER_HOME="$home" QT_QPA_PLATFORM=offscreen "$app" 2>"$home/gui.log" &
gui=$!
for _ in $(seq 1 60); do
    pgrep -P "$gui" -f -- --engine-worker >/dev/null && break
    kill -0 "$gui" 2>/dev/null || break
    sleep 0.5
done
if ! pgrep -P "$gui" -f -- --engine-worker >/dev/null; then
    cat "$home/gui.log" >&2
    echo "check-bundle: the frozen window did not open and start its engine." >&2
    kill "$gui" 2>/dev/null || true
    exit 1
fi
kill "$gui" && wait "$gui" || true
echo "window: opened offscreen and started its engine"

if command -v dpkg-deb >/dev/null && ls dist/writer_*_amd64.deb >/dev/null 2>&1; then
    deb="$(ls dist/writer_*_amd64.deb | tail -1)"
    contents="$(dpkg-deb -c "$deb")"
    for path in ./usr/share/applications/writer.desktop ./usr/bin/writer ./opt/writer/writer \
                ./usr/share/icons/hicolor/scalable/apps/writer.svg ./usr/share/metainfo/writer.metainfo.xml; do
        grep -q " $path\( \|$\)" <<<"$contents" || { echo "check-bundle: $deb lacks $path." >&2; exit 1; }
    done
    echo "deb: $(dpkg-deb -f "$deb" Depends)"
    if command -v apt-get >/dev/null; then
        apt-get install --simulate -q "./$deb" >"$home/apt.log" 2>&1 \
            || { cat "$home/apt.log" >&2; echo "check-bundle: apt cannot install $deb here." >&2; exit 1; }
        echo "deb: apt-get install --simulate resolves its dependencies"
    fi
fi
# The Windows installer script compiles (against this onedir: a syntax check, not a Windows build).
if command -v makensis >/dev/null; then
    makensis -V1 -DNOCOMPRESS -DSOURCE="$PWD/dist/writer" -DOUTFILE="$home/writer.exe" installers/windows/writer.nsi
    echo "nsis: installers/windows/writer.nsi compiles"
fi
echo "glibc floor: $(bash installers/linux/glibc-floor.sh dist/writer)"
