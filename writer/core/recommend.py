"""Which catalog model should this computer download? One answer for the editor's first-run
assistant and `writer models recommend`: the most capable catalog model that runs well here and
serves the user's languages, one reason, and the next choices.

Runs well: fits entirely in the free memory of an NVIDIA GPU, or else runs on the processor,
where a model is limited to half the memory (the editor, the system and a browser need the rest)
and to CPU_MAX_BYTES, beyond which generation gets too slow to wait for. Most capable: the better
translator (the catalog's "translation" grade), then the larger model. Chinese readers (interface
language or system locale) get only models the catalog marks as good at Chinese.
"""

from __future__ import annotations

import locale
import os
import sys
from dataclasses import dataclass

from writer.core.fit import UNKNOWN_RAM, Machine, estimate
from writer.core.library import catalog
from writer.core.messages import Message, msg

CPU_MAX_BYTES = 2_600_000_000  # about 4B parameters at Q4_K_M: a few words a second on a laptop CPU
GRADES = ("poor", "fair", "good", "very good")


@dataclass(frozen=True)
class Recommendation:
    model: dict | None  # the catalog entry; None when no catalog model runs well here
    reason: Message
    alternatives: tuple[dict, ...] = ()

    @property
    def id(self) -> str | None:
        return self.model["id"] if self.model else None


def reads_chinese(languages: list[str]) -> bool:
    return any(code.lower().replace("-", "_").startswith("zh") for code in languages)


def system_locale() -> str:
    """The system's language as a locale code such as "zh_CN" ("" when unknown). The editor passes
    Qt's answer instead, which also knows macOS's setting when no LANG is set."""
    if sys.platform == "win32":  # the display language; getlocale() gives names like "Chinese (Simplified)_China"
        import ctypes

        return locale.windows_locale.get(ctypes.windll.kernel32.GetUserDefaultUILanguage(), "")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").split(".")[0]
        if value and value not in ("C", "POSIX"):
            return value
    return (locale.getlocale()[0] or "").split(".")[0]


def user_languages(interface_language: str, system: str | None = None) -> list[str]:
    """The interface language setting (unless it follows the system) and the system's locale."""
    found = [interface_language] if interface_language and interface_language != "system" else []
    system = system_locale() if system is None else system
    return found + ([system] if system and system not in found else [])


def _grade(entry: dict) -> int:
    words = entry.get("translation", "")
    return max((i for i, grade in enumerate(GRADES) if words.startswith(grade)), default=0)


def _strength(entry: dict) -> tuple[int, float]:
    return _grade(entry), float(entry.get("parameters", "0").rstrip("B") or 0)


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f}"  # as the model manager shows sizes


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f}".removesuffix(".0")  # as computers are sold: "16 GB" of memory


def recommend(machine: Machine, languages: list[str]) -> Recommendation:
    """The catalog model to recommend for `machine` to a user reading `languages` (locale codes)."""
    chinese = reads_chinese(languages)
    entries = [e for e in catalog() if e["chinese"] or not chinese]
    ram = machine.ram_bytes or UNKNOWN_RAM
    on_gpu, runs = set(), []
    for entry in entries:
        fit = estimate(entry["size_bytes"], machine=machine)
        if fit.gpu_layers is not None and fit.gpu_layers >= fit.layers and fit.fits_ram is not False:
            on_gpu.add(entry["id"])
            runs.append(entry)
        elif entry["size_bytes"] <= CPU_MAX_BYTES and fit.needed_bytes <= ram / 2:
            runs.append(entry)
    # the strongest model wins; between equals, the one that runs on the GPU
    ranked = sorted(runs, key=lambda e: (*_strength(e), e["id"] in on_gpu), reverse=True)
    if not ranked:
        return Recommendation(None, msg("recommend.none", "This computer has {ram} GB of memory, too little for the "
                                        "catalog's models to run well; the built-in model stays.", ram=_gib(ram)))
    best = ranked[0]
    values = {"model": best["name"], "needed": _gb(estimate(best["size_bytes"], machine=machine).needed_bytes)}
    if best["id"] in on_gpu:
        values.update(gpu=machine.gpu_name or "GPU", free=_gib(machine.gpu_free_bytes or 0))
        reason = (msg("recommend.gpu_chinese", "{model} is the most capable catalog model that is good at Chinese and "
                      "fits entirely on the {gpu} ({free} GB free); it needs about {needed} GB.", **values) if chinese
                  else msg("recommend.gpu", "{model} is the most capable catalog model that fits entirely on the {gpu} "
                           "({free} GB free); it needs about {needed} GB.", **values))
    else:
        values.update(ram=_gib(ram))
        reason = (msg("recommend.cpu_chinese", "{model} is the most capable catalog model that is good at Chinese and "
                      "runs well on the processor of a computer with {ram} GB of memory; it needs about {needed} GB.",
                      **values) if chinese
                  else msg("recommend.cpu", "{model} is the most capable catalog model that runs well on the processor "
                           "of a computer with {ram} GB of memory; it needs about {needed} GB.", **values))
    return Recommendation(best, reason, tuple(ranked[1:4]))
