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
    from writer.engine.kinds import engine_for
    from writer.core.errors import WriterError

    try:
        engine = engine_for(None, settings, None)
        try:
            return f"server: {engine.test_connection()}"
        finally:
            engine.close()
    except WriterError as exc:
        return f"server {settings.server_url}: {exc}"


def placement_rows(client, info) -> list[tuple[str, str]]:
    """Where llama.cpp runs, and why there."""
    from writer.engine import placement

    record = placement.load_record()
    if client.setting.forced:
        why = f"forced ({client.setting}) by Settings or --backend/--cpu-variant"
    elif record is not None and record.choice == client.choice:
        why = f"{record.reason} (recorded in {placement.record_path()})"
    else:
        why = "the best this computer offers" + ("" if info.cpu_variant == "native" else
                                                  f"; after a crash on first use: {', '.join(map(str, client.chain[1:])) or 'nothing'}")
    backend = f"GPU ({', '.join(info.gpus)})" if info.backend == "gpu" else "CPU"
    rows = [("Backend", backend),
            ("CPU variant", "native (compiled into this llama.cpp build)" if info.cpu_variant == "native"
             else f"{info.cpu_variant} (portable build)"),
            ("Why", why)]
    if info.backend == "gpu":
        rows.append(("On the GPU", "one token at a time: drafting and pieces written together were measured "
                     "slower there; KV cache in types the GPU build has kernels for"))
    return rows


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


def run(args=None) -> int:
    from writer.engine.client import EngineClient
    from writer.engine.placement import Choice

    settings = Settings.load()
    choice = Choice(getattr(args, "backend", None) or settings.backend,
                    getattr(args, "cpu_variant", None) or settings.cpu_variant)
    client = EngineClient(choice=choice)
    try:
        info = client.info()
    finally:
        client.close()
    default = paths.default_model_path()
    gpu = "yes" if info.gpu_offload_supported else "no (no GPU backend or device found; see README for GPU builds)"
    rows = [
        ("Writer", __version__),
        ("Python", sys.version.split()[0]),
        ("llama-cpp-python", info.llama_cpp_version),
        ("GPU offload", gpu),
        ("CPU features", info.system_info),
        *placement_rows(client, info),
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
