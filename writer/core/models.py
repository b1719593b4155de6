"""Choosing and checking model files."""

from __future__ import annotations

from pathlib import Path

from writer.core.errors import UserError
from writer.core.paths import default_model_path

GGUF_MAGIC = b"GGUF"


def check_gguf(path: str | Path) -> Path:
    """Returns the path if it looks like a GGUF model; raises UserError otherwise.
    Deeper damage (a truncated file) is found when the engine loads it."""
    path = Path(path).expanduser()
    if not path.exists():
        raise UserError(f"The model file {path} does not exist.")
    if not path.is_file():
        raise UserError(f"The model path {path} is not a file.")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise UserError(f"Could not read the model file {path}: {exc.strerror or exc}.") from None
    if magic != GGUF_MAGIC:
        raise UserError(f"{path.name} is not a GGUF model file; choose a .gguf file.")
    return path


def resolve_model(choice: str | None) -> Path:
    """The model to use: an explicit path, else the bundled default."""
    if choice:
        return check_gguf(choice)
    default = default_model_path()
    if default is None:
        raise UserError("The default model is not installed; run the install command from README.md or pass --model with a .gguf file.")
    return check_gguf(default)


def placement_note(model: dict) -> str | None:
    """Why a loaded model runs on fewer GPU layers than asked ("running on the CPU because …"), or None."""
    reason = model.get("gpu_fallback")
    if not reason:
        return None
    where = f"with {model['gpu_layers']} GPU layers" if model["gpu_layers"] else "on the CPU"
    return f"running {where} because {reason}."
