"""Choosing and checking model files."""

from __future__ import annotations

from pathlib import Path

from writer.core.errors import EngineError, UserError
from writer.core.paths import default_model_path
from writer.core.events import ModelInfo
from writer.core.messages import Message, msg

GGUF_MAGIC = b"GGUF"


def missing_model(path: str | Path) -> UserError:
    """A model file that is not there, as the editor, the command line and the worker say it."""
    return UserError("model.missing", "The model file {path} does not exist.", path=path)


def no_model_loaded() -> EngineError:
    """A request before any model was loaded, in the worker or its client."""
    return EngineError(msg("engine.no_model", "No model is loaded."))


def check_gguf(path: str | Path) -> Path:
    """Returns the path if it looks like a GGUF model; raises UserError otherwise.
    Deeper damage (a truncated file) is found when the engine loads it."""
    path = Path(path).expanduser()
    if not path.exists():
        raise missing_model(path)
    if not path.is_file():
        raise UserError("model.not_file", "The model path {path} is not a file.", path=path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise UserError("model.read_failed", "Could not read the model file {path}: {reason}.", path=path, reason=exc.strerror or exc) from None
    if magic != GGUF_MAGIC:
        raise UserError("model.not_gguf", "{name} is not a GGUF model file; choose a .gguf file.", name=path.name)
    return path


def resolve_model(choice: str | None) -> Path:
    """The model to use: an explicit path, else the bundled default."""
    if choice:
        return check_gguf(choice)
    default = default_model_path()
    if default is None:
        raise UserError("model.no_default", "The default model is not installed; reinstall Writer, or choose a .gguf model file.")
    return check_gguf(default)


def placement_note(model: ModelInfo) -> Message | None:
    """Why a loaded model runs on fewer GPU layers than asked ("running on the CPU because …"), or None."""
    reason = model.gpu_fallback
    if reason is None:
        return None
    if model.gpu_layers:
        return msg("model.partly_on_gpu", "Running with {layers} GPU layers because {reason}.", layers=model.gpu_layers,
                   reason=reason)
    return msg("model.on_cpu", "Running on the CPU because {reason}.", reason=reason)
