#!/usr/bin/env bash
# Turns the PyInstaller onedir dist/writer into the Linux packages:
#   - dist/writer itself laid out as an AppDir (AppRun, desktop file, icon at the top), for
#     `appimagetool dist/writer` on a release machine that has it;
#   - dist/writer_<version>_amd64.deb (files under /opt/writer, /usr/bin/writer, menu entry,
#     hicolor icon, AppStream metainfo);
#   - dist/writer-<version>-linux-x86_64.tar.gz.
#   bash installers/linux/package.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/../.."
version="$1"
app=dist/writer
res=resources
[ -x "$app/writer" ] || { echo "package.sh: $app/writer is missing; build the onedir first." >&2; exit 1; }

# AppDir: the onedir already holds the executable; add what appimagetool looks for at the top.
ln -sfn writer "$app/AppRun"
cp "$res/desktop/writer.desktop" "$app/writer.desktop"
cp "$res/icons/writer.svg" "$app/writer.svg"
ln -sfn writer.svg "$app/.DirIcon"

floor="$(bash installers/linux/glibc-floor.sh "$app")"
echo "glibc floor of the bundle: $floor"

# Depends: what the bundle's libraries load from the system (ldd, mapped to packages by dpkg),
# plus the libraries Qt's xcb platform plugin opens that every desktop must provide, and Enchant,
# which pyenchant opens by name at run time (the English dictionary itself is in the bundle).
depends="libc6 (>= $floor), libxcb-cursor0, libegl1, libxkbcommon-x11-0, libfontconfig1, libenchant-2-2"
if command -v dpkg >/dev/null; then
    system_libs="$(find "$app" -type f -name '*.so*' -print0 \
        | LD_LIBRARY_PATH="$app/_internal" xargs -0 ldd 2>/dev/null \
        | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$PWD/$app/\|^$app/" | sort -u)"
    packages="$(for lib in $system_libs; do dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null; done \
        | cut -d: -f1 | sort -u | grep -vx 'libc6' || true)"
    # The C++ runtime comes from the system too: at least the GCC release that built llama.cpp
    # (GLIBCXX_3.4.30 is GCC 12, 3.4.31 GCC 13, ...).
    glibcxx="$(find "$app" -type f -name '*.so*' -print0 | xargs -0 objdump -T 2>/dev/null \
        | grep -o 'GLIBCXX_3\.4\.[0-9]*' | sort -uV | tail -1 | cut -d. -f3)"
    for pkg in $packages; do
        [ "$pkg" = "libstdc++6" ] && [ -n "$glibcxx" ] && pkg="libstdc++6 (>= $((glibcxx - 18)))"
        case ", $depends," in *", $pkg,"*|*", $pkg ("*) ;; *) depends="$depends, $pkg" ;; esac
    done
fi

# The .deb, staged with hard links so the bundle is not copied. zstd packs it much faster than
# xz; dpkg reads it since Debian 12 and Ubuntu 21.10, older than the bundle's glibc allows anyway.
stage="build/deb/writer_${version}_amd64"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/metainfo"
cp -al "$PWD/$app" "$stage/opt/writer"
ln -s /opt/writer/writer "$stage/usr/bin/writer"
cp "$res/desktop/writer.desktop" "$stage/usr/share/applications/writer.desktop"
cp "$res/icons/writer.svg" "$stage/usr/share/icons/hicolor/scalable/apps/writer.svg"
cp "$res/desktop/writer.metainfo.xml" "$stage/usr/share/metainfo/writer.metainfo.xml"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: writer
Version: $version
Architecture: amd64
Maintainer: Writer developers <writer@localhost>
Installed-Size: $(du -sk "$stage" | cut -f1)
Depends: $depends
Section: editors
Priority: optional
Description: offline writing assistant with a local language model
 Writer is a text and Markdown editor in which you select text and ask a local
 model (llama.cpp) to generate, summarize, translate or rewrite it. Everything
 runs on this computer; settings, models and recovery copies stay in the
 user's folders, so upgrading or removing the package keeps them.
CONTROL
deb="dist/writer_${version}_amd64.deb"
if command -v dpkg-deb >/dev/null; then
    dpkg-deb --root-owner-group -Zzstd --build "$stage" "$deb" >/dev/null
    echo "Depends: $depends"
else
    echo "package.sh: no dpkg-deb here, so no .deb (build it on Debian or Ubuntu)." >&2
fi
rm -rf "$stage"

tarball="dist/writer-${version}-linux-x86_64.tar.gz"
tar -C dist -czf "$tarball" writer
du -sh "$app" "$tarball" $( [ -f "$deb" ] && echo "$deb" )
