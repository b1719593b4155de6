"""Loads llama.cpp's CPU backend in portable builds, and says which CPU variant runs.

A portable build (GGML_BACKEND_DL with GGML_CPU_ALL_VARIANTS, used for the packaged app) ships
one libggml-cpu-<generation> library per CPU level, and the best one this CPU can run must be
loaded at start. llama-cpp-python 0.3.x does not do that itself, so the worker calls
`ggml_backend_load` once, on the very libggml copy that llama_cpp loaded: a second copy would
register the backend where llama.cpp never looks. A native build (the developer
install) has the CPU code built in and no variant libraries; nothing is loaded then.
"""

from __future__ import annotations

import ctypes
import re
import sys
from pathlib import Path

from writer.core.errors import EngineError
from writer.core.messages import msg

_VARIANT = re.compile(r"ggml-cpu-([\w-]+?)\.(?:so|dll|dylib)")
# What the loaded CPU backend is, once known: a variant name, or "native".
_loaded: str | None = None


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


def _loaded_libggml(package: Path) -> ctypes.CDLL:
    """The libggml that libllama was linked against, opened again (the loader returns the same
    copy for the same file)."""
    for name in _mapped_files():
        if re.search(r"/libggml\.so(\.\d+)*$", name):
            return ctypes.CDLL(name)
    lib = package / "lib"
    for name in ("libggml.so.0", "libggml.0.dylib", "ggml.dll", "libggml.so", "libggml.dylib"):
        if (lib / name).exists():
            return ctypes.CDLL(str(lib / name))
    raise EngineError(msg("engine.ggml_missing", "llama.cpp's ggml library was not found in {folder}.", folder=str(lib)))


def best_variant(folder: Path) -> Path | None:
    """The variant llama.cpp itself would pick: each one scores this processor (0 when it
    cannot run here). Chosen here rather than by ggml_backend_load_all_from_path so that the
    name is known: the variants scored are all left mapped, so the memory maps cannot tell."""
    best, best_score = None, 0
    for path in sorted(folder.iterdir()):
        if _VARIANT.search(path.name):
            scorer = getattr(ctypes.CDLL(str(path)), "ggml_backend_score", None)
            score = scorer() if scorer is not None else 0
            if score > best_score:
                best, best_score = path, score
    return best


def load_cpu_backend() -> str:
    """Loads the best CPU variant of a portable build (once) and returns its name, or "native"."""
    global _loaded
    if _loaded is not None:
        return _loaded
    import llama_cpp

    folder = variant_folder()
    if folder is None:
        _loaded = "native"
        return _loaded
    best = best_variant(folder)
    if best is None:
        raise EngineError(msg("engine.cpu_unsupported",
                              "This processor cannot run any of the llama.cpp builds bundled with Writer."))
    ggml = _loaded_libggml(Path(llama_cpp.__file__).resolve().parent)
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    if not ggml.ggml_backend_load(str(best).encode(sys.getfilesystemencoding())):
        raise EngineError(msg("engine.llama_unloadable", "llama.cpp could not be loaded: {reason}", reason=str(best)))
    _loaded = _VARIANT.search(best.name).group(1)
    return _loaded

def prepare() -> None:
    """Called once as the worker starts: a worker that cannot load llama.cpp says why in one
    line on stderr (the client shows the last line) and exits, rather than failing later."""
    try:
        load_cpu_backend()
    except EngineError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(3) from None
    except (OSError, RuntimeError) as exc:  # llama_cpp raises these for a missing or broken library
        print(msg("engine.llama_unloadable", "llama.cpp could not be loaded: {reason}", reason=str(exc)), file=sys.stderr)
        raise SystemExit(3) from None
