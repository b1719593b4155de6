"""`writer models …`: the model manager on the command line."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from writer.core import downloads, library
from writer.core.errors import UserError
from writer.core.fit import estimate
from writer.core.settings import Settings


def add_parser(sub, parser_class) -> None:
    models = sub.add_parser("models", help="list, find, download, import, remove and choose models")
    msub = models.add_subparsers(dest="models_command", required=True, parser_class=parser_class)
    msub.add_parser("list", help="the built-in, catalog and local models")
    p = msub.add_parser("search", help="search the Hugging Face hub for GGUF models")
    p.add_argument("query")
    p = msub.add_parser("download", help="download a catalog model, or REPO_ID FILENAME from the hub")
    p.add_argument("model", help="a catalog id, or a hub repository id")
    p.add_argument("filename", nargs="?", help="the .gguf file in that repository")
    p.add_argument("--endpoint", help="a hub mirror (default: HF_ENDPOINT or the settings)")
    p = msub.add_parser("import", help="add a local .gguf file")
    p.add_argument("path")
    msub.add_parser("remove", help="delete a downloaded model or forget an imported one").add_argument("id")
    msub.add_parser("use", help="make a model the active one").add_argument("id")
    p = msub.add_parser("recommend", help="the catalog model to download for this computer and your languages")
    p.add_argument("--json", action="store_true", help="print the recommendation as JSON, for scripts")


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
            status = f"available: {estimate(m.size_bytes or 0, n_ctx=settings.n_ctx).describe()}"
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
        raise UserError("cli.not_catalog_id", "'{model}' is not a catalog id; give a hub repository and a file name, e.g. "
                        "'writer models download Qwen/Qwen2.5-1.5B-Instruct-GGUF qwen2.5-1.5b-instruct-q4_k_m.gguf'.",
                        model=args.model)
    name = downloads.safe_filename(filename)
    try:
        path = library.install(repo, filename, model_id, (entry or {}).get("name") or name, source, _probe,
                               base=args.endpoint or settings.hf_endpoint, sha256=(entry or {}).get("sha256"),
                               on_progress=_progress_printer(name))
    except KeyboardInterrupt:
        raise UserError("cli.download_paused", "Download of {name} paused; run the same command to resume it.",
                        name=name) from None
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
    from writer.engine.client import probe_file

    return probe_file(str(path))


def import_model(path: str) -> int:
    entry = library.import_model(path, _probe)
    print(f"Imported {entry.id}: {entry.name} · {library.describe(entry) or ''}")
    return 0


def run(args) -> int:
    settings = Settings.load()
    command = args.models_command
    if command == "list":
        return list_models(settings)
    if command == "search":
        return search(args.query, settings)
    if command == "download":
        return download(args, settings)
    if command == "import":
        return import_model(args.path)
    if command == "remove":
        print(f"Removed {library.remove(settings, args.id).name}.")
        return 0
    if command == "recommend":
        return recommend(settings, args.json)
    model = library.use(settings, args.id)
    print(f"{model.name} is now the active model.")
    return 0
