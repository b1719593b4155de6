"""The user's models: the bundled default, the catalog, downloads and imports, and which is active.

Downloaded and imported models are recorded in models.json in the models folder (written
atomically); a catalog model counts as installed only when its verified file is there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from writer.core import downloads
from writer.core.atomic import write_atomic
from writer.core.errors import UserError
from writer.core.models import check_gguf
from writer.core.paths import default_model_path, models_dir, resource
from writer.core.settings import Settings
from writer.core.wording import sentence

DEFAULT_ID = "default"
Probe = Callable[[str], dict]  # a model file's path -> what the engine read from it


@dataclass
class ModelEntry:
    id: str
    name: str
    path: str | None = None  # None: not installed
    source: str = "catalog"  # default | catalog | hub | import
    size_bytes: int | None = None
    quantization: str | None = None
    parameters: str | None = None
    catalog: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)  # what the engine read from the file, when known
    active: bool = False

    @property
    def installed(self) -> bool:
        return self.path is not None and Path(self.path).is_file()


@lru_cache(maxsize=1)
def catalog() -> tuple[dict, ...]:
    return tuple(json.loads(resource("models", "catalog.json").read_text(encoding="utf-8"))["models"])


def _manifest_path() -> Path:
    return models_dir() / "models.json"


def _read_manifest() -> list[dict]:
    try:
        data = json.loads(_manifest_path().read_text(encoding="utf-8"))
        return [m for m in data.get("models", []) if isinstance(m, dict) and m.get("id") and m.get("path")]
    except (OSError, ValueError, AttributeError):
        return []


def _write_manifest(entries: list[dict]) -> None:
    write_atomic(_manifest_path(), json.dumps({"models": entries}, indent=2, ensure_ascii=False).encode("utf-8"))


def register(model_id: str, path: Path, source: str, **extra) -> None:
    entries = [m for m in _read_manifest() if m["id"] != model_id]
    entries.append({"id": model_id, "path": str(path), "source": source, **extra})
    _write_manifest(entries)


def list_models(settings: Settings) -> list[ModelEntry]:
    active = settings.model_path
    default = default_model_path()
    models = [ModelEntry(DEFAULT_ID, "SmolLM2 135M Instruct (built in)", str(default) if default else None, "default",
                         default.stat().st_size if default else None, "Q4_1", "135M")]
    recorded = {m["id"]: m for m in _read_manifest()}
    for item in catalog():
        record = recorded.pop(item["id"], None)
        path = record["path"] if record and Path(record["path"]).is_file() else None
        size = Path(path).stat().st_size if path else item["size_bytes"]
        models.append(ModelEntry(item["id"], item["name"], path, "catalog", size,
                                 item["quantization"], item["parameters"], item, (record or {}).get("meta", {})))
    for record in recorded.values():
        if Path(record["path"]).is_file():
            meta = record.get("meta", {})
            models.append(ModelEntry(record["id"], record.get("name") or Path(record["path"]).stem, record["path"],
                                     record.get("source", "import"), Path(record["path"]).stat().st_size,
                                     meta.get("quantization"), _params_label(meta), meta=meta))
    for model in models:
        model.active = model.installed and (
            (active is None and model.id == DEFAULT_ID) or (active is not None and model.path == active))
    return models


def find(settings: Settings, model_id: str) -> ModelEntry:
    for model in list_models(settings):
        if model.id == model_id:
            return model
    raise UserError("models.unknown_id", "There is no model '{model}'; 'writer models list' shows the ids.", model=model_id)


def catalog_entry(model_id: str) -> dict | None:
    return next((m for m in catalog() if m["id"] == model_id), None)


def id_for(repo: str, filename: str) -> str:
    """The id a hub file gets: its catalog id when the catalog lists it, else its file name."""
    for item in catalog():
        if item["repo"].lower() == repo.lower() and item["file"] == filename:
            return item["id"]
    return Path(filename).name.rsplit(".", 1)[0].lower()


def use(settings: Settings, model_id: str) -> ModelEntry:
    model = find(settings, model_id)
    if not model.installed:
        raise UserError("models.not_downloaded", "{name} is not downloaded yet; run 'writer models download {model}' first.", name=model.name,
                        model=model_id)
    settings.model_path = None if model.id == DEFAULT_ID else model.path
    settings.save()
    return model


def remove(settings: Settings, model_id: str) -> ModelEntry:
    model = find(settings, model_id)
    if model.id == DEFAULT_ID:
        raise UserError("models.builtin", "The built-in model is part of Writer and cannot be removed.")
    if model.active:
        raise UserError("models.active", "{name} is the active model; choose another model before removing it.", name=model.name)
    if not model.installed:
        raise UserError("models.not_installed", "{name} is not installed.", name=model.name)
    path = Path(model.path)
    if path.parent == models_dir():
        path.unlink(missing_ok=True)  # only files Writer downloaded; imported files stay where they are
    _write_manifest([m for m in _read_manifest() if m["id"] != model_id])
    return model


def _params_label(meta: dict) -> str | None:
    n = meta.get("parameters")
    return None if not n else f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def install(repo: str, filename: str, model_id: str, name: str, source: str, probe: Probe, **download) -> Path:
    """Downloads and verifies a hub file, has the engine read it, and records it; returns its path.
    `download` goes to downloads.download (base, sha256, on_progress, cancel)."""
    path = downloads.download(repo, filename, **download)
    meta = probe(str(path))  # a verified file that llama.cpp cannot load is not a usable model either
    register(model_id, path, source, repo=repo, file=filename, name=name, meta=meta)
    return path


def import_model(path: str, probe: Probe) -> ModelEntry:
    """Registers a local GGUF file where it is (not copied), after the engine has read it."""
    checked = check_gguf(path).resolve()
    meta = probe(str(checked))
    model_id = checked.stem.lower()
    register(model_id, checked, "import", name=meta.get("name") or checked.stem, meta=meta)
    return ModelEntry(model_id, meta.get("name") or checked.stem, str(checked), "import", checked.stat().st_size,
                      meta.get("quantization"), _params_label(meta), meta=meta)


def describe(model: ModelEntry) -> str:
    """One line of what the file says about itself, for lists and dialogs."""
    meta = model.meta
    if not meta:
        return ""
    values = dict(parameters=_params_label(meta), quantization=meta.get("quantization"),
                  context=f"{meta.get('context_train'):,}", layers=meta.get("layers"))
    if meta.get("chat_template"):
        return sentence("{parameters} parameters · {quantization} · context {context} · {layers} layers · chat template",
                        **values)
    return sentence("{parameters} parameters · {quantization} · context {context} · {layers} layers · no chat template "
                    "(not for instructions)", **values)
