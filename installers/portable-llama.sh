#!/usr/bin/env bash
# Prints the folder of a portable llama-cpp-python wheel, building it once.
#   bash installers/portable-llama.sh VERSION [CMAKE FLAG...]
# llama.cpp's default (GGML_NATIVE) compiles for the build machine's CPU, which dies with "illegal
# instruction" on older CPUs and, on Intel CPUs with AMX, crashes in its AMX kernels. The source
# install and the packages get a portable build instead: one libggml-cpu-<generation> per CPU
# level, the best safe one chosen at run time (writer/engine/backends.py); extra flags add a GPU
# backend, loaded at run time too.
# The wheel is cached outside the checkout, keyed by version and flags, because it takes minutes
# to build; pip's own cache is bypassed since it keys on the sdist, not on CMAKE_ARGS.
set -euo pipefail
version="$1"
shift
flags="$(echo -DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON "$@")"
key="$(printf '%s %s' "$version" "$flags" | sha256sum | cut -c1-12)"
dir="${WRITER_BUILD_CACHE:-$HOME/.cache/writer-build}/llama-cpp-python-$version-$key"
if ! ls "$dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    python="${PYTHON:-$(dirname "$0")/../.venv/bin/python}"
    tmp="$dir.partial"
    rm -rf "$tmp" && mkdir -p "$tmp"
    echo "Building a portable llama-cpp-python $version (once; several minutes)..." >&2
    CMAKE_ARGS="$flags" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        "$python" -m pip wheel --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python \
        --wheel-dir "$tmp" "llama-cpp-python==$version" >&2
    rm -rf "$dir" && mv "$tmp" "$dir"
fi
echo "$dir"
