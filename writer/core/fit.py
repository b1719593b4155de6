"""Will a model fit this machine, and how many layers can go to the GPU? An estimate, shown
before download and on load; llama.cpp's own fallback still catches a wrong guess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

from writer.core.messages import Message, msg
from writer.core.settings import DEFAULT_CONTEXT

COMPUTE_OVERHEAD = 1.1  # the weights plus llama.cpp's compute buffers, roughly
BYTES_PER_KEY_VALUE = (34 / 32 + 2) / 2  # the engine's cache: q8_0 keys (32 values in 34 bytes), f16 values
# A model whose shape is not known yet (a catalog entry before download): its KV cache at the
# default context taken as this share of its weights, about what the catalog's models need.
KV_SHARE = 0.1
RESERVE = 512 * 1024 * 1024
UNKNOWN_RAM = 8 * 1024**3  # assumed where the memory cannot be read


@dataclass
class Machine:
    ram_bytes: int | None
    gpu_name: str | None = None
    gpu_free_bytes: int | None = None


def _windows_ram_bytes() -> int | None:
    """Windows has no sysconf: ask GlobalMemoryStatusEx."""
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_uint32), ("dwMemoryLoad", ctypes.c_uint32)] + [  # DWORDs
            (name, ctypes.c_ulonglong) for name in ("ullTotalPhys", "ullAvailPhys", "ullTotalPageFile", "ullAvailPageFile",
                                                    "ullTotalVirtual", "ullAvailVirtual", "ullAvailExtendedVirtual")]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(status)
    return int(status.ullTotalPhys) if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)) else None


def _macos_ram_bytes() -> int | None:
    """sysctl's hw.memsize, macOS's own count of the installed memory."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    size, length = ctypes.c_uint64(0), ctypes.c_size_t(ctypes.sizeof(ctypes.c_uint64))
    found = libc.sysctlbyname(b"hw.memsize", ctypes.byref(size), ctypes.byref(length), None, ctypes.c_size_t(0)) == 0
    return int(size.value) if found else None


def ram_bytes() -> int | None:
    """The computer's physical memory, or None where it cannot be read. The one place that reads
    it: the fit estimate, the recommendation and the engine's parallel pieces all ask here."""
    try:
        if sys.platform == "win32":
            return _windows_ram_bytes()
        if sys.platform == "darwin":
            return _macos_ram_bytes()
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _nvidia_gpu() -> tuple[str | None, int | None]:
    smi = shutil.which("nvidia-smi")
    if not smi:
        return None, None
    try:
        out = subprocess.run([smi, "--query-gpu=name,memory.free", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=3).stdout
        name, free_mib = out.splitlines()[0].rsplit(",", 1)
        return name.strip(), int(float(free_mib)) * 1024 * 1024
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None, None


@lru_cache(maxsize=1)
def detect_machine() -> Machine:
    """Asked once per run: nvidia-smi takes a while, and the answer only guides an estimate."""
    name, free = _nvidia_gpu()
    return Machine(ram_bytes(), name, free)


@dataclass
class Fit:
    needed_bytes: int
    fits_ram: bool | None
    gpu_layers: int | None  # layers that fit on the GPU; None when no GPU is known
    layers: int

    def describe(self) -> Message:
        gb = f"{self.needed_bytes / 1e9:.1f}"
        if self.fits_ram is False:
            return msg("fit.too_large", "Too large for this computer's memory (needs about {gb} GB).", gb=gb)
        if self.gpu_layers is not None and self.gpu_layers >= self.layers:
            return msg("fit.all_on_gpu", "Needs about {gb} GB; fits entirely on the GPU.", gb=gb)
        if self.gpu_layers:
            return msg("fit.some_on_gpu", "Needs about {gb} GB; about {fit} of {layers} layers fit on the GPU.", gb=gb,
                       fit=self.gpu_layers, layers=self.layers)
        where = (msg("fit.no_gpu", "no GPU detected, runs on the CPU") if self.gpu_layers is None
                 else msg("fit.gpu_too_small", "too large for the GPU's free memory, runs on the CPU"))
        if self.fits_ram:
            return msg("fit.fits_ram", "Needs about {gb} GB; fits in memory; {where}.", gb=gb, where=where)
        return msg("fit.ram_unknown", "Needs about {gb} GB; memory unknown; {where}.", gb=gb, where=where)


def kv_bytes_per_token(layers: int, kv_heads: int, head_dim: int) -> int:
    """Bytes one token takes in the KV cache: a key and a value per KV head in every layer. The
    fit estimate and the engine's choice of parallel pieces both count the cache with this."""
    return int(2 * layers * kv_heads * head_dim * BYTES_PER_KEY_VALUE)


def estimate(size_bytes: int, layers: int = 32, machine: Machine | None = None, n_ctx: int = DEFAULT_CONTEXT,
             kv_token_bytes: int = 0) -> Fit:
    """The memory a model needs with a context of `n_ctx` tokens; `kv_token_bytes` is its cache per
    token (0: not known, estimated from its size)."""
    machine = machine or detect_machine()
    kv_token_bytes = kv_token_bytes or size_bytes * KV_SHARE / DEFAULT_CONTEXT
    needed = int(size_bytes * COMPUTE_OVERHEAD + n_ctx * kv_token_bytes)
    fits_ram = None if machine.ram_bytes is None else needed + RESERVE < machine.ram_bytes
    gpu_layers = None
    if machine.gpu_free_bytes is not None:
        per_layer = needed / max(layers, 1)
        gpu_layers = max(0, min(layers, int((machine.gpu_free_bytes - RESERVE) / per_layer)))
    return Fit(needed, fits_ram, gpu_layers, layers)
