"""Loads llama.cpp's backends in the worker, as the placement asks, and says what runs.

A portable build (GGML_BACKEND_DL with GGML_CPU_ALL_VARIANTS: the source install and the
packages) ships one libggml-cpu-<generation> library per CPU level and each GPU backend as a
library of its own. llama-cpp-python 0.3.x loads none of them itself, so the worker calls
`ggml_backend_load` on the very libggml copy that llama_cpp loaded (a second copy would register
them where llama.cpp never looks): the CPU variant chosen, and the GPU backends unless the CPU
was chosen. A native build (llama.cpp compiled into one library) has its code built in.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from writer.core.errors import EngineError
from writer.core.messages import Message, msg
from writer.engine.placement import AUTO, Choice

_VARIANT = re.compile(r"ggml-cpu-(.+?)\.(?:so|dll|dylib)$")
_GPU_LIBRARY = re.compile(r"ggml-(cuda|vulkan|hip|metal|sycl|musa|opencl)\.(?:so|dll|dylib)$")
_GPU_KINDS = {"cuda": "CUDA", "vulkan": "Vulkan", "hip": "ROCm", "metal": "Metal", "sycl": "SYCL", "musa": "MUSA",
              "opencl": "OpenCL"}
# The AMX kernels crash at `ldtilecfg` on AMX processors (llama.cpp issue 20824, open pull
# request 26954): never loaded until a release with the fix is shown to decode on such a machine.
UNSAFE_VARIANTS = frozenset({"sapphirerapids"})
_GPU_TYPES = (1, 2)  # ggml_backend_dev_type: GPU, IGPU
GGML_TYPE_F16, GGML_TYPE_Q8_0 = 1, 8


@dataclass(frozen=True)
class Started:
    """What the worker runs on, and what is left to try after a crash, best first."""
    choice: Choice
    chain: tuple[Choice, ...]
    gpus: tuple[str, ...]  # the GPU devices llama.cpp sees
    gpu_kinds: tuple[str, ...] = ()  # the GPU backends this build ships as libraries ("Vulkan"), found or not


_started: Started | None = None


def variant_folder() -> Path | None:
    """The folder holding libggml-cpu-* variants: next to libllama in a bundle, or in the
    wheel's `bin/` folder beside the llama_cpp package when installed with pip."""
    import llama_cpp

    package = Path(llama_cpp.__file__).resolve().parent
    for folder in (package / "lib", package.parent / "bin"):
        if folder.is_dir() and any(_VARIANT.search(p.name) for p in folder.iterdir()):
            return folder
    return None


def _mapped_files() -> list[str]:
    """The files this process has mapped (Linux); elsewhere an empty list."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return [line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6]
    except OSError:
        return []


def _loaded_libggml() -> ctypes.CDLL:
    """The libggml that libllama was linked against, opened again (the loader returns the same
    copy for the same file)."""
    import llama_cpp

    for name in _mapped_files():
        if re.search(r"/libggml\.so(\.\d+)*$", name):
            return ctypes.CDLL(name)
    lib = Path(llama_cpp.__file__).resolve().parent / "lib"
    for name in ("libggml.so.0", "libggml.0.dylib", "ggml.dll", "libggml.so", "libggml.dylib"):
        if (lib / name).exists():
            return ctypes.CDLL(str(lib / name))
    raise EngineError(msg("engine.ggml_missing", "llama.cpp's ggml library was not found in {folder}.", folder=str(lib)))


def cpu_variants(folder: Path) -> list[tuple[str, Path]]:
    """The variants this processor can run, best first, as llama.cpp itself scores them (0 when
    one cannot run here), without the unsafe ones. Scored here rather than by
    ggml_backend_load_all_from_path so that the name is known."""
    scored = []
    for path in sorted(folder.iterdir()):
        found = _VARIANT.search(path.name)
        if found and found.group(1) not in UNSAFE_VARIANTS:
            scorer = getattr(ctypes.CDLL(str(path)), "ggml_backend_score", None)
            score = scorer() if scorer is not None else 0
            if score > 0:
                scored.append((score, found.group(1), path))
    return [(name, path) for _, name, path in sorted(scored, key=lambda s: -s[0])]


def _load(ggml: ctypes.CDLL, path: Path) -> bool:
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    return bool(ggml.ggml_backend_load(str(path).encode(sys.getfilesystemencoding())))


def _gpu_devices(ggml: ctypes.CDLL) -> tuple[str, ...]:
    ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
    ggml.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    ggml.ggml_backend_dev_get.restype = ctypes.c_void_p
    ggml.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    ggml.ggml_backend_dev_type.restype = ctypes.c_int
    ggml.ggml_backend_dev_description.argtypes = [ctypes.c_void_p]
    ggml.ggml_backend_dev_description.restype = ctypes.c_char_p
    devices = (ggml.ggml_backend_dev_get(i) for i in range(ggml.ggml_backend_dev_count()))
    return tuple((ggml.ggml_backend_dev_description(d) or b"GPU").decode("utf-8", "replace")
                 for d in devices if ggml.ggml_backend_dev_type(d) in _GPU_TYPES)


def _hide_gpus() -> None:
    """A native build has its GPU code built in: the CPU choice hides the devices from it (read
    when llama.cpp starts its GPU backend, so this must come before llama_cpp is imported)."""
    for name in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "GGML_VK_VISIBLE_DEVICES"):
        os.environ[name] = ""


def _unloadable(reason: str) -> Message:
    return msg("engine.llama_unloadable", "llama.cpp could not be loaded: {reason}", reason=reason)


def start(wanted: Choice) -> Started:
    """Loads the backends for `wanted` (once per process) and says what runs."""
    global _started
    if _started is not None:
        return _started
    if wanted.backend == "cpu":
        _hide_gpus()
    import llama_cpp

    folder = variant_folder()
    variants = dict(cpu_variants(folder)) if folder is not None else {"native": None}
    names = list(variants)
    if not names:
        raise EngineError(msg("engine.cpu_unsupported",
                              "This processor cannot run any of the llama.cpp builds bundled with Writer."))
    variant = names[0] if wanted.variant == AUTO else wanted.variant
    if variant not in names:
        raise EngineError(msg("engine.no_such_variant", "The CPU variant {variant} is not in this llama.cpp build or "
                              "cannot run on this processor; choose one of: {variants}.", variant=variant,
                              variants=", ".join(names)))
    ggml = _loaded_libggml()
    kinds: list[str] = []
    if folder is not None:
        if not _load(ggml, variants[variant]):
            raise EngineError(_unloadable(variant))
        if wanted.backend != "cpu":
            for path in sorted(folder.iterdir()):
                found = _GPU_LIBRARY.search(path.name)
                if found:
                    kinds.append(_GPU_KINDS[found.group(1)])
                    _load(ggml, path)  # fails without a driver or the Vulkan loader: the CPU runs then
    gpus = _gpu_devices(ggml) if wanted.backend != "cpu" and llama_cpp.llama_supports_gpu_offload() else ()
    lower = [Choice("cpu", name) for name in names[names.index(variant):]]
    chain = ((Choice("gpu", variant),) if gpus else ()) + tuple(lower)
    _started = Started(chain[0], chain, gpus, tuple(kinds))
    return _started


def started() -> Started:
    """What runs; on first call the backends load with the choice this process's environment
    names (the worker's, set by the client; "auto" in a process of its own)."""
    return start(Choice.from_env(os.environ))


def cache_types(on_gpu: bool, system_info: str) -> tuple[int, int]:
    """The KV cache's key and value types. On the CPU q8_0 keys with f16 values: each token's
    attention is then computed alike alone or in a batch (decoding.py), fast and in 3/4 of the
    memory. On a GPU a pair its build has flash-attention kernels for (a CUDA build lists them as
    FA_QUANTS; others have f16 everywhere), since llama.cpp converts any other pair to f16 at
    every step: f16/f16, the fastest measured on an H200, else q8_0/q8_0."""
    if not on_gpu:
        return GGML_TYPE_Q8_0, GGML_TYPE_F16
    listed = re.search(r"FA_QUANTS = ([^|]+)", system_info)
    pairs = set(listed.group(1).strip().split(";")) if listed else {"f16-f16"}
    if "f16-f16" not in pairs and "q8_0-q8_0" in pairs:
        return GGML_TYPE_Q8_0, GGML_TYPE_Q8_0
    return GGML_TYPE_F16, GGML_TYPE_F16


def prepare() -> Started:
    """Called once as the worker starts, with the choice its environment names: a worker that
    cannot load llama.cpp says why in one line on stderr (the client shows the last line) and
    exits, rather than failing later."""
    try:
        return started()
    except EngineError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(3) from None
    except (OSError, RuntimeError) as exc:  # llama_cpp raises these for a missing or broken library
        print(_unloadable(str(exc)), file=sys.stderr)
        raise SystemExit(3) from None
