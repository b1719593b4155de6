"""`writer doctor`: what this installation can do and where it keeps things."""

from __future__ import annotations

import sys

from writer import __version__
from writer.core import paths
from writer.core.settings import Settings


def engine_status(settings: Settings) -> str:
    """Which engine the settings choose and, for a server, whether it answers."""
    if settings.engine != "server":
        return "this computer"
    from writer.engine.session import engine_for
    from writer.core.errors import WriterError

    try:
        engine = engine_for(None, settings, None)
        try:
            return f"server: {engine.test_connection()}"
        finally:
            engine.close()
    except WriterError as exc:
        return f"server {settings.server_url}: {exc}"


def spelling_status() -> str:
    """The dictionaries Enchant finds, and whether English is checked (a shipped dictionary, so it should be)."""
    from writer.core import spelling
    from writer.core.errors import UserError

    reason = spelling.unavailable_reason()
    if reason is not None:
        return f"unavailable: the Enchant library is not installed ({reason})"
    tags = spelling.available()
    try:
        works = not spelling.Speller(spelling.SHIPPED).check("helo")
    except UserError as exc:
        return f"{', '.join(tags) or 'no dictionaries'}; {exc}"
    return f"{', '.join(tags)}; {spelling.SHIPPED} {'works' if works else 'accepts misspellings'} (folder {spelling.dictionary_folder()})"


def run() -> int:
    from writer.engine.client import EngineClient

    settings = Settings.load()
    client = EngineClient()
    try:
        info = client.info()
    finally:
        client.close()
    default = paths.default_model_path()
    gpu = "yes" if info.gpu_offload_supported else "no (CPU-only build; see README for GPU builds)"
    rows = [
        ("Writer", __version__),
        ("Python", sys.version.split()[0]),
        ("llama-cpp-python", info.llama_cpp_version),
        ("GPU offload", gpu),
        ("CPU features", info.system_info),
        ("CPU variant", "native (compiled for the computer that built it)" if info.cpu_variant == "native"
         else f"{info.cpu_variant} (portable build, chosen for this processor)"),
        ("Default model", str(default) if default else "not installed"),
        ("Chosen model", settings.model_path or "the default model"),
        ("Engine", engine_status(settings)),
        ("Drafting", "on: edits that copy their input are written faster" if settings.speculative
         else "off (Settings, or --speculative on)"),
        ("Settings", str(Settings.path())),
        ("Models folder", str(paths.models_dir())),
        ("Recovery folder", str(paths.recovery_dir())),
        ("Spelling", spelling_status()),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    return 0
