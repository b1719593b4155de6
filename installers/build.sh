#!/usr/bin/env bash
# Builds the self-contained Writer for the OS it runs on, from a checkout after README's install:
#   dist/writer/          PyInstaller onedir; dist/writer/writer runs the editor, the command
#                         line and (with --engine-worker) the engine
#   Linux, also:          dist/writer_<version>_amd64.deb, dist/writer-<version>-linux-x86_64.tar.gz,
#                         and dist/writer laid out as an AppDir
#   macOS:                dist/Writer.app (see README for the dmg)
#   Windows (Git Bash):   then run makensis on installers/windows/writer.nsi
# llama.cpp is rebuilt portable (every x86-64 CPU, the best code path chosen at start) and cached
# under ~/.cache/writer-build; the developer install in .venv keeps its native build.
set -euo pipefail
cd "$(dirname "$0")/.."

py=.venv/bin/python
[ -x .venv/Scripts/python.exe ] && py=.venv/Scripts/python.exe
if [ ! -x "$py" ]; then
    echo "build.sh: no .venv here; run 'bash installers/install.sh --no-start' first." >&2
    exit 1
fi
if ! "$py" -m pip install --quiet -r installers/build-requirements.txt; then
    echo "build.sh: could not install PyInstaller; install it with: $py -m pip install -r installers/build-requirements.txt" >&2
    exit 1
fi
version="$("$py" -c 'import writer; print(writer.__version__)')"
llama_version="$("$py" -c 'from importlib.metadata import version; print(version("llama-cpp-python"))')"

wheels="$(PYTHON="$py" bash installers/portable-llama.sh "$llama_version")"
rm -rf build/portable-llama
"$py" -m pip install --quiet --no-deps --no-index --target build/portable-llama "$wheels"/llama_cpp_python-*.whl
find build/portable-llama -name 'libggml-cpu-sapphirerapids.*' -delete  # never loaded: AMX crashes

WRITER_LLAMA_DIR=build/portable-llama "$py" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller installers/pyinstaller/writer.spec

if [ "$(uname -s)" = Linux ]; then
    bash installers/linux/package.sh "$version"
fi
echo "Built dist/writer (Writer $version)."
