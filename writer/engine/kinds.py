"""The kinds of engine Writer can run, in one registry: each builds its engine from the settings
(its own part of them: the local model's, or the server's `server_*` keys, as saved files have
always had them). The engine session asks here; nothing else chooses an engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from writer.core.messages import Message
from writer.core.settings import Settings
from writer.engine.base import Engine

Builder = Callable[["Engine | None", Settings, Callable[[Message], None]], Engine]


@dataclass(frozen=True)
class EngineKind:
    name: str
    build: Builder  # (the running engine of this kind or None, settings, on_death) -> the engine


def _local(current: Engine | None, settings: Settings, on_death: Callable[[Message], None]) -> Engine:
    """The worker-process engine for the model the settings choose (reusing a running worker that
    runs where the settings ask)."""
    from writer.core.models import resolve_model
    from writer.engine.client import EngineClient, LocalModel
    from writer.engine.placement import Choice

    model = LocalModel(str(resolve_model(settings.model_path)), settings.n_ctx, settings.gpu_layers, settings.threads,
                       settings.speculative)
    choice = Choice(settings.backend, settings.cpu_variant)
    if current is not None and current.setting == choice:
        current.model = model
        return current
    if current is not None:
        current.close()
    return EngineClient(model, on_death=on_death, choice=choice)


def _server(current: Engine | None, settings: Settings, on_death: Callable[[Message], None]) -> Engine:
    """The server the settings name, with the key from WRITER_API_KEY or the keyring."""
    from writer.core import secrets
    from writer.engine.remote import RemoteEngine

    if current is not None:
        current.close()
    return RemoteEngine.from_settings(settings, api_key=secrets.key_for(settings.server_url or ""))


KINDS = {kind.name: kind for kind in (EngineKind("local", _local), EngineKind("server", _server))}


def engine_for(current: Engine | None, settings: Settings, on_death: Callable[[Message], None]) -> Engine:
    """The engine the settings choose, never one kind in place of another: a running engine of
    another kind is closed first."""
    kind = KINDS[settings.engine]  # Settings.load keeps only the kinds there are
    if current is not None and current.kind != kind.name:
        current.close()
        current = None
    return kind.build(current, settings, on_death)
