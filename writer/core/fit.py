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

OVERHEAD = 1.2  # weights plus KV cache and compute buffers at a 4096-token context, roughly
RESERVE = 512 * 1024 * 1024


@dataclass
class Machine:
    ram_bytes: int | None
    gpu_name: str | None = None
    gpu_free_bytes: int | None = None


def _windows_ram_bytes() -> int | None:
    """Windows has no sysconf: ask GlobalMemoryStatusEx."""
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong)] + [
            (name, ctypes.c_ulonglong) for name in ("ullTotalPhys", "ullAvailPhys", "ullTotalPageFile", "ullAvailPageFile",
                                                    "ullTotalVirtual", "ullAvailVirtual", "ullAvailExtendedVirtual")]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(status)
    return int(status.ullTotalPhys) if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)) else None


def _ram_bytes() -> int | None:
    try:
        if sys.platform == "win32":
            return _windows_ram_bytes()
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
    return Machine(_ram_bytes(), name, free)


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


def estimate(size_bytes: int, layers: int = 32, machine: Machine | None = None) -> Fit:
    machine = machine or detect_machine()
    needed = int(size_bytes * OVERHEAD)
    fits_ram = None if machine.ram_bytes is None else needed + RESERVE < machine.ram_bytes
    gpu_layers = None
    if machine.gpu_free_bytes is not None:
        per_layer = needed / max(layers, 1)
        gpu_layers = max(0, min(layers, int((machine.gpu_free_bytes - RESERVE) / per_layer)))
    return Fit(needed, fits_ram, gpu_layers, layers)
