"""`writer models …`: the model manager on the command line."""

from __future__ import annotations

import json
from dataclasses import asdict
import sys

from writer.core import downloads, library
from writer.core.errors import UserError
from writer.core.fit import estimate
from writer.core.settings import Settings


def _progress_printer(name: str):
    def show(p: downloads.Progress) -> None:
        eta = f", {p.eta_s:.0f} s left" if p.eta_s is not None else ""
        eta += f", connection dropped: resuming (try {p.retry} of {downloads.RETRIES})" if p.retry else ""
        sys.stderr.write(f"\r{name}: {100 * p.done / max(p.total, 1):5.1f}%  {downloads.format_size(p.done)} of {downloads.format_size(p.total)}"
                         f" at {p.bytes_per_s / 1e6:.1f} MB/s{eta}   ")
        sys.stderr.flush()
    return show


def list_models(settings: Settings) -> int:
    rows = []
    for m in library.list_models(settings):
        if m.installed:
            status = "installed"
        else:
            status = "available: " + estimate(m.size_bytes or 0).describe()
        details = library.describe(m)
        rows.append(("*" if m.active else " ", m.id, m.name, downloads.format_size(m.size_bytes), m.quantization or "",
                     status + (f" ({details})" if details else "")))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[5])
    print("\n(* marks the active model; languages and licences of catalog models are in resources/models/catalog.json)")
    return 0


def search(query: str, settings: Settings) -> int:
    results = downloads.search(query, settings.hf_endpoint)
    if not results:
        print(f"No GGUF models match '{query}'.")
    for repo, count in results:
        print(f"{repo}  ({count:,} downloads)")
    return 0


def download(args, settings: Settings) -> int:
    entry = library.catalog_entry(args.model) if not args.filename else None
    if entry:
        repo, filename, model_id, source = entry["repo"], entry["file"], entry["id"], "catalog"
    elif args.filename:
        repo, filename, source = args.model, args.filename, "hub"
        downloads.safe_filename(filename)
        model_id = library.id_for(repo, filename)
    else:
        raise UserError("models.not_catalog_id", "'{model}' is not a catalog id; give a hub repository and a file name, e.g. "
                        "'writer models download Qwen/Qwen2.5-1.5B-Instruct-GGUF qwen2.5-1.5b-instruct-q4_k_m.gguf'.",
                        model=args.model)
    name = downloads.safe_filename(filename)
    try:
        path = library.install(repo, filename, model_id, (entry or {}).get("name") or name, source, _probe,
                               base=args.endpoint or settings.hf_endpoint, sha256=(entry or {}).get("sha256"),
                               on_progress=_progress_printer(name))
    except KeyboardInterrupt:
        raise UserError("download.paused", "Download of {name} paused; run the same command to resume it.", name=name) from None
    finally:
        sys.stderr.write("\n")
    print(f"Downloaded and verified {path}. Make it active with: writer models use {model_id}")
    return 0


def recommend(settings: Settings, as_json: bool) -> int:
    """The recommended catalog id first (the built-in model's when none runs well), then why, then the others."""
    from writer.core.fit import detect_machine
    from writer.core.recommend import recommend as choose, user_languages

    languages, machine = user_languages(settings.language), detect_machine()
    choice = choose(machine, languages)
    model_id = choice.id or library.DEFAULT_ID
    if as_json:
        others = [{"id": e["id"], "name": e["name"], "size_bytes": e["size_bytes"]} for e in choice.alternatives]
        print(json.dumps({"id": model_id, "reason": str(choice.reason), "reason_code": choice.reason.code,
                          "languages": languages, "machine": asdict(machine), "alternatives": others}, ensure_ascii=False))
        return 0
    print(model_id)
    print(choice.reason)
    if choice.alternatives:
        print("Alternatives: " + ", ".join(f"{e['id']} ({downloads.format_size(e['size_bytes'])})"
                                           for e in choice.alternatives))
    return 0


def _probe(path) -> dict:
    from writer.engine.client import EngineClient

    client = EngineClient()
    try:
        return client.probe(str(path))
    finally:
        client.close()


def import_model(path: str) -> int:
    entry = library.import_model(path, _probe)
    print(f"Imported {entry.id}: {entry.name} · {library.describe(entry)}")
    return 0


def run_models(args) -> int:
    from writer.engine.client import EngineFailure

    settings = Settings.load()
    command = args.models_command
    try:
        if command == "list":
            return list_models(settings)
        if command == "search":
            return search(args.query, settings)
        if command == "download":
            return download(args, settings)
        if command == "recommend":
            return recommend(settings, args.json)
        if command == "import":
            return import_model(args.path)
        if command == "remove":
            print(f"Removed {library.remove(settings, args.id).name}.")
            return 0
        model = library.use(settings, args.id)
        print(f"{model.name} is now the active model.")
        return 0
    except EngineFailure as exc:
        raise UserError("engine.failed", "{detail}", detail=str(exc)) from None
