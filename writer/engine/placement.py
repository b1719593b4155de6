"""Where the worker runs llama.cpp on this computer (the GPU or the CPU, and which CPU code), and
what to try when that crashes.

llama.cpp's native code can crash on a machine the first time it runs there: the AMX kernels on
Intel Sapphire Rapids and newer, a GPU driver. Such a crash kills the worker before one token is
written, every time, so restarting cannot help. The worker therefore proves its choice with a
short decode while it loads; if it dies by a native signal before that, the engine client tries
the next safer choice the worker listed (the GPU, then the CPU; a CPU variant, then the next
lower one, down to x64) and records the one that works in the state folder, for this machine and
this llama.cpp build, so the next start begins with it. Pure Python: nothing here loads llama.cpp.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import signal
from dataclasses import dataclass
from pathlib import Path

from writer.core.atomic import write_atomic
from writer.core.messages import Message, msg
from writer.core.paths import state_dir

BACKENDS = ("auto", "gpu", "cpu")
AUTO = "auto"

# What a crash of native code looks like from outside: killed by one of these signals (POSIX) or
# ended with one of these NTSTATUS codes (Windows: access violation, illegal instruction, stack
# buffer overrun (abort), integer divide by zero, stack overflow) or abort()'s exit code 3.
_CRASH_SIGNALS = {getattr(signal, name) for name in ("SIGSEGV", "SIGILL", "SIGBUS", "SIGABRT", "SIGFPE")
                  if hasattr(signal, name)}
_CRASH_STATUSES = {0xC0000005, 0xC000001D, 0xC0000409, 0xC0000094, 0xC00000FD, 3}


@dataclass(frozen=True)
class Choice:
    """A backend ("gpu", "cpu" or "auto") and a CPU variant (a name, "native" or "auto")."""
    backend: str = AUTO
    variant: str = AUTO

    @property
    def forced(self) -> bool:
        return self != Choice()

    def env(self) -> dict[str, str]:
        """How the worker is told (an environment, so the frozen worker reads it the same way)."""
        return {"WRITER_BACKEND": self.backend, "WRITER_CPU_VARIANT": self.variant}

    @classmethod
    def from_env(cls, env) -> "Choice":
        return cls(env.get("WRITER_BACKEND") or AUTO, env.get("WRITER_CPU_VARIANT") or AUTO)

    def to_data(self) -> list[str]:
        return [self.backend, self.variant]

    @classmethod
    def from_data(cls, data) -> "Choice":
        backend, variant = data
        if backend not in BACKENDS or not isinstance(variant, str) or not variant:
            raise ValueError(f"not a backend choice: {data!r}")
        return cls(backend, variant)

    def __str__(self) -> str:
        return f"{self.backend}:{self.variant}"

    def describe(self) -> Message:
        if self.backend == "gpu":
            return msg("placement.gpu", "the GPU")
        return msg("placement.cpu", "the CPU ({variant} code)", variant=self.variant)


def is_native_crash(returncode: int | None) -> bool:
    """Whether a process ended the way crashing native code ends it."""
    if returncode is None:
        return False
    if os.name != "nt":
        return -returncode in _CRASH_SIGNALS  # killed by a signal
    return (returncode & 0xFFFFFFFF) in _CRASH_STATUSES


def next_choice(chain: list[Choice], failed: Choice) -> Choice | None:
    """The next safer choice after `failed` in the worker's list, best first; without a list
    (the worker crashed before it could say), the CPU after the GPU."""
    if failed in chain:
        rest = chain[chain.index(failed) + 1:]
        return rest[0] if rest else None
    return Choice("cpu", AUTO) if failed.backend != "cpu" else None


# -- the record -----------------------------------------------------------------------------
def build_id() -> str:
    """Which llama.cpp build is installed: its version and its libraries' names and sizes
    (found without loading them, so the editor can ask too)."""
    spec = importlib.util.find_spec("llama_cpp")
    files: list[tuple[str, int]] = []
    for location in (spec.submodule_search_locations or []) if spec else []:
        package = Path(location)
        for folder in (package / "lib", package.parent / "bin"):
            if folder.is_dir():
                files += sorted((p.name, p.stat().st_size) for p in folder.iterdir() if p.is_file())
    try:
        version = importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return hashlib.sha256(json.dumps([version, files]).encode()).hexdigest()[:16]


def machine_id() -> str:
    """This computer and its processor (a state folder may be shared, or moved to a new machine)."""
    model = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    return hashlib.sha256(f"{platform.node()}|{platform.machine()}|{model}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Record:
    """The choice that works here, why Writer made it, and what crashed."""
    choice: Choice
    reason: Message
    tried: tuple[Choice, ...] = ()


def record_path() -> Path:
    return state_dir() / "backend.json"


def load_record() -> Record | None:
    """The record for this machine and this llama.cpp build; None when there is none, when it
    was written for another build or machine, or when it is unreadable (it is then replaced at
    the next fallback, never fatal)."""
    try:
        data = json.loads(record_path().read_text(encoding="utf-8"))
        if data.get("machine") != machine_id() or data.get("build") != build_id():
            return None
        return Record(Choice.from_data(data["choice"]), Message.from_data(data["reason"]),
                      tuple(Choice.from_data(c) for c in data.get("tried", [])))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_record(record: Record) -> None:
    data = {"machine": machine_id(), "build": build_id(), "choice": record.choice.to_data(),
            "reason": record.reason.to_data(), "tried": [c.to_data() for c in record.tried]}
    write_atomic(record_path(), json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))


def fallback_note(crashed: list[Choice], now: Choice) -> Message:
    """The one sentence a writer reads after a fallback."""
    return msg("placement.fell_back", "llama.cpp crashed on {crashed}, so Writer now uses {now}, also next time.",
               crashed=crashed[-1].describe(), now=now.describe())


def exhausted(model: str, tried: list[Choice]) -> Message:
    """Every choice crashed: say which model and what was tried, and stop."""
    return msg("placement.exhausted", "llama.cpp crashed with the model {model} on everything Writer tried ({tried}); "
               "choose another model, or reinstall Writer.", model=model, tried=", ".join(map(str, tried)))
