import ctypes
import ctypes.util  # now: imported under a pretended platform, it would keep that platform's lookup
import re
import sys
from pathlib import Path

from writer.core import fit
from writer.core.fit import Machine, estimate

GB = 1024**3


def test_small_model_fits_a_big_gpu_entirely():
    fit = estimate(2 * GB, 28, Machine(16 * GB, "GPU", 24 * GB))
    assert fit.fits_ram and fit.gpu_layers == 28 and "entirely on the GPU" in str(fit.describe())


def test_large_model_gets_part_of_its_layers_on_a_small_gpu():
    fit = estimate(8 * GB, 32, Machine(32 * GB, "GPU", 4 * GB))
    assert 0 < fit.gpu_layers < 32 and f"{fit.gpu_layers} of 32 layers" in str(fit.describe())


def test_no_gpu_and_too_little_memory():
    assert "no GPU detected" in str(estimate(1 * GB, 24, Machine(16 * GB)).describe())
    assert "Too large" in str(estimate(20 * GB, 40, Machine(8 * GB)).describe())


def test_the_estimate_counts_the_context():
    kv = fit.kv_bytes_per_token(32, 8, 128)  # Mistral 7B: 100 kB a token
    at = {n: estimate(int(4.4 * GB), 32, Machine(16 * GB), n_ctx=n, kv_token_bytes=kv) for n in (4096, 131_072)}
    assert at[131_072].needed_bytes - at[4096].needed_bytes == (131_072 - 4096) * kv
    assert at[4096].fits_ram and at[131_072].fits_ram is False


def test_a_model_of_unknown_shape_gets_a_cache_in_proportion_to_its_size():
    assert estimate(10**9, machine=Machine(16 * GB)).needed_bytes == 1_200_000_000  # at the default context
    assert estimate(10**9, machine=Machine(16 * GB), n_ctx=8192).needed_bytes == 1_300_000_000


def test_memory_is_read_where_each_system_keeps_it(monkeypatch):
    if sys.platform.startswith("linux"):
        meminfo = Path("/proc/meminfo").read_text()
        assert fit.ram_bytes() == int(re.search(r"MemTotal:\s+(\d+) kB", meminfo).group(1)) * 1024

    class Kernel32:  # Windows: the MEMORYSTATUSEX structure, 64 bytes
        def GlobalMemoryStatusEx(self, ref):
            assert ref._obj.dwLength == 64
            ref._obj.ullTotalPhys = 32 * GB
            return 1
    monkeypatch.setattr(ctypes, "windll", type("WinDLL", (), {"kernel32": Kernel32()}), raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    assert fit.ram_bytes() == 32 * GB

    class LibC:  # macOS: sysctl's hw.memsize
        def sysctlbyname(self, name, value, length, new, new_length):
            assert name == b"hw.memsize" and length._obj.value == 8
            value._obj.value = 24 * GB
            return 0
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libc.dylib")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: LibC())
    monkeypatch.setattr(sys, "platform", "darwin")
    assert fit.ram_bytes() == 24 * GB
