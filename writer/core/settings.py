"""User settings: a JSON file in the config folder, written atomically, read back with a
default for anything missing or malformed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

from writer.core.atomic import write_atomic
from writer.core.paths import config_dir


def parse_gpu_layers(value) -> str | int:
    """'auto', or a whole number of layers (0 = CPU only); raises ValueError otherwise."""
    if isinstance(value, str) and value.strip().lower() in ("auto", "off", "cpu"):
        return "auto" if value.strip().lower() == "auto" else 0
    number = int(value)
    if number < 0:
        raise ValueError("negative")
    return number


DEFAULT_CONTEXT = 4096  # tokens


@dataclass(frozen=True)
class Bounds:
    """The numbers a setting may hold; the one definition that loading, the editor's boxes and the
    command line's options check against."""
    low: int | float
    high: int | float

    def __contains__(self, value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and self.low <= value <= self.high


CONTEXT = Bounds(256, 1_048_576)  # tokens; some models are trained for a million
THREADS = Bounds(1, 512)
TEMPERATURE = Bounds(0.0, 2.0)


def _temperature(value) -> float | None:
    return float(value) if value in TEMPERATURE else None


def _context(value) -> int | None:
    return value if isinstance(value, int) and value in CONTEXT else None


def _server_url(value) -> str | None:
    """A server address as typed (checked by writer.core.server_url), or None."""
    from writer.core.errors import UserError
    from writer.core.server_url import server_root

    try:
        return value.strip() if isinstance(value, str) and server_root(value) else None
    except UserError:
        return None


_VALIDATORS = {
    "model_path": lambda v: v if v is None or (isinstance(v, str) and v) else None,
    "n_ctx": _context,
    "gpu_layers": parse_gpu_layers,
    "threads": lambda v: v if v is None or (isinstance(v, int) and v in THREADS) else None,
    "temperature": _temperature,
    "edit_temperature": _temperature,
    "hf_endpoint": lambda v: v if v is None or (isinstance(v, str) and v.startswith(("http://", "https://"))) else None,
    "recent_files": lambda v: [p for p in v if isinstance(p, str)][:10] if isinstance(v, list) else None,
    "read_ahead": lambda v: v if isinstance(v, bool) else None,
    "spell_check": lambda v: v if isinstance(v, bool) else None,
    "first_run_done": lambda v: v if isinstance(v, bool) else None,
    "speculative": lambda v: v if isinstance(v, bool) else None,
    "language": lambda v: v if isinstance(v, str) and v.replace("_", "").isalpha() and len(v) <= 10 else None,
    "engine": lambda v: v if v in ("local", "server") else None,
    "backend": lambda v: v if v in ("auto", "gpu", "cpu") else None,
    "cpu_variant": lambda v: v if isinstance(v, str) and 0 < len(v) <= 40 and v.replace("_", "").replace(".", "").isalnum() else None,
    "server_url": _server_url,
    "server_model": lambda v: v.strip() or None if isinstance(v, str) else None,
    "server_ca_file": lambda v: v if isinstance(v, str) and v else None,
    "server_context": _context,
    "server_http_confirmed": _server_url,
    "last_options": lambda v: {k: x for k, x in v.items() if isinstance(k, str) and isinstance(x, str)} if isinstance(v, dict) else None,
}


@dataclass
class Settings:
    model_path: str | None = None  # None: the bundled default model
    n_ctx: int = DEFAULT_CONTEXT
    gpu_layers: str | int = "auto"
    threads: int | None = None  # None: chosen for this machine
    temperature: float = 0.8  # new text (generate): some variety reads better
    edit_temperature: float = 0.2  # edits of the user's text (rewrite, proofread, translate, summarize): faithful
    hf_endpoint: str | None = None
    read_ahead: bool = True  # the idle engine reads a settled selection before the click
    spell_check: bool = True  # underline misspelled words as the user types
    first_run_done: bool = False  # the first-run assistant was dismissed or a model chosen
    speculative: bool = True  # draft tokens from the prompt and verify them in one batch (faster copies)
    language: str = "system"  # the interface language: "system", or a locale such as "zh_CN"
    engine: str = "local"  # "local": the worker on this computer; "server": the server below
    backend: str = "auto"  # "auto" (the GPU when llama.cpp finds one), "gpu" or "cpu"; forced: no fallback
    cpu_variant: str = "auto"  # llama.cpp's CPU code: "auto" (the best this processor runs) or a variant name
    server_url: str | None = None  # an OpenAI-compatible server, e.g. http://gpu-box:8080/v1
    server_model: str | None = None  # None: the first model the server lists
    server_ca_file: str | None = None  # a PEM file for a server with an internal certificate
    server_context: int | None = None  # the context length, for servers that do not tell it
    server_http_confirmed: str | None = None  # the http:// server the user agreed to send a key to unencrypted
    recent_files: list = field(default_factory=list)
    last_options: dict = field(default_factory=dict)

    def temperature_for(self, action: str) -> float:
        return self.temperature if action == "generate" else self.edit_temperature

    def engine_options(self) -> tuple:
        """What the loaded model depends on; a change means loading it again."""
        if self.engine == "server":
            return self.engine, self.server_url, self.server_model, self.server_ca_file, self.server_context
        return self.model_path, self.n_ctx, self.gpu_layers, self.threads, self.speculative, self.backend, self.cpu_variant

    @classmethod
    def path(cls):
        return config_dir() / "settings.json"

    @classmethod
    def load(cls) -> "Settings":
        settings = cls()
        try:
            data = json.loads(cls.path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return settings
        if not isinstance(data, dict):
            return settings
        for f in fields(cls):
            if f.name not in data:
                continue
            try:
                value = _VALIDATORS[f.name](data[f.name])
            except (TypeError, ValueError):
                value = None
            if value is not None:
                setattr(settings, f.name, value)
        return settings

    def save(self) -> None:
        write_atomic(self.path(), json.dumps(asdict(self), indent=2, ensure_ascii=False).encode("utf-8"))
