"""One engine session, shared by the editor and the command line.

The session owns the engine's lifecycle: it builds the engine the settings ask for, loads the
model, says what state it is in, restarts a crashed engine with back-off (and stops trying when
a model keeps killing it), lets an action started while the model loads wait for it, reads a
likely prompt ahead, and runs actions. It is Qt-free and thread-safe: callers block on its
methods from their own threads; it reports state changes through a plain callback, which the
editor turns into queued signals (writer.gui.engine_bridge).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Iterator, Literal

from writer.core.actions import ActionRequest
from writer.core.errors import WriterError, unexpected
from writer.core.events import Done, Failed, Loaded, RunEvent, Waiting
from writer.core.messages import Message, msg
from writer.core.settings import Settings
from writer.engine.base import Engine, Generation

State = Literal["starting", "loading", "ready", "busy", "restarting", "error"]
StateListener = Callable[[State, "Message | None"], None]
EngineFactory = Callable[["Engine | None", Settings, Callable[[Message], None]], Engine]

MAX_RESTARTS = 3  # automatic restarts within CRASH_WINDOW seconds before Writer stops trying
CRASH_WINDOW = 60.0


def local_engine(current: Engine | None, settings: Settings, on_death: Callable[[Message], None]) -> Engine:
    """The worker-process engine for the model the settings choose (reusing a running worker)."""
    from writer.core.models import resolve_model
    from writer.engine.client import EngineClient, LocalModel
    from writer.engine.placement import Choice

    model = LocalModel(str(resolve_model(settings.model_path)), settings.n_ctx, settings.gpu_layers, settings.threads,
                       settings.speculative)
    choice = Choice(settings.backend, settings.cpu_variant)
    if isinstance(current, EngineClient) and current.setting == choice:
        current.model = model
        return current
    if current is not None:
        current.close()
    return EngineClient(model, on_death=on_death, choice=choice)


def engine_for(current: Engine | None, settings: Settings, on_death: Callable[[Message], None]) -> Engine:
    """The engine the settings choose: this computer's worker, or the server with the key from
    WRITER_API_KEY or the keyring. Never one in place of the other."""
    if settings.engine != "server":
        return local_engine(current, settings, on_death)
    from writer.core import secrets
    from writer.engine.remote import RemoteEngine

    if current is not None:
        current.close()
    return RemoteEngine.from_settings(settings, api_key=secrets.key_for(settings.server_url or ""))


class EngineSession:
    def __init__(self, on_state: StateListener | None = None, engine_factory: EngineFactory = engine_for,
                 backoff: float = 1.0) -> None:
        self.on_state = on_state
        self.engine_factory = engine_factory
        self.backoff = backoff
        self.engine: Engine | None = None
        self.state: State = "starting"
        self.detail: Message | None = None
        self._cond = threading.Condition()  # guards everything below; notified on every state change
        self._settings: Settings | None = None
        self._loaded: Loaded | None = None
        self._crashes: list[float] = []
        self._deaths = 0
        self._active = 0  # actions running
        self._prefill: Generation | None = None
        self._timer: threading.Timer | None = None
        self._closed = False

    @property
    def loaded(self) -> Loaded | None:
        return self._loaded

    def _set_state(self, state: State, detail: Message | None = None) -> None:
        with self._cond:
            self.state, self.detail = state, detail
            self._cond.notify_all()
        if self.on_state:
            self.on_state(state, detail)

    # -- the model -------------------------------------------------------------------------
    def load(self, settings: Settings) -> Loaded:
        """Loads the model the settings choose (blocking); raises WriterError when it cannot."""
        with self._cond:
            self._settings = settings
            self._crashes = []
        return self._load(settings)

    def _load(self, settings: Settings) -> Loaded:
        from writer.core.fit import estimate
        from writer.core.models import placement_note

        with self._cond:
            self._loaded = None  # the engine drops the old model first: actions wait for the new one
            self._cancel_prefill()
            deaths = self._deaths
        self._set_state("loading")
        try:
            self.engine = self.engine_factory(self.engine, settings, self._on_death)
            info = self.engine.load()
            model = info.model
            # The fit estimate may ask nvidia-smi: done here, on the loading thread.
            fit = (estimate(model.size_bytes, model.layers, n_ctx=settings.n_ctx, kv_token_bytes=model.kv_token_bytes)
                   .describe() if model.size_bytes else None)
            loaded = Loaded(model, info.gpu_offload_supported, placement_note(model), fit, info.fallback)
        except WriterError as exc:
            with self._cond:
                restarting = self._deaths != deaths  # a dead engine is handled by _on_death
            if not restarting:
                self._set_state("error", exc.message)
            raise
        with self._cond:
            self._loaded = loaded
        self._set_state("ready")
        return loaded

    def _on_death(self, message: Message) -> None:
        """The engine process died: restart it with back-off, unless this keeps happening."""
        now = time.monotonic()
        with self._cond:
            self._deaths += 1
            self._loaded = None
            self._prefill = None
            self._crashes = [t for t in self._crashes if now - t < CRASH_WINDOW] + [now]
            crashes, settings = len(self._crashes), self._settings
            if self._closed:
                return
        if settings is None or crashes > MAX_RESTARTS:
            self._set_state("error", msg(
                "engine.gave_up", "The engine stopped {count} time in a minute with this model, so Writer stopped "
                "restarting it. Choose another model, or lower the context size or GPU layers in Settings.",
                plural="The engine stopped {count} times in a minute with this model, so Writer stopped restarting it. "
                "Choose another model, or lower the context size or GPU layers in Settings.", count=crashes))
            return
        self._set_state("restarting", message)
        with self._cond:
            self._timer = threading.Timer(self.backoff * 2 ** (crashes - 1), self._restart, args=(settings,))
            self._timer.daemon = True
            self._timer.start()

    def _restart(self, settings: Settings) -> None:
        try:
            self._load(settings)
        except WriterError:
            pass  # the state says why

    def wait_for_model(self, stop: threading.Event) -> Loaded | None:
        """The loaded model, waiting while it loads or restarts; None if `stop` was set meanwhile.
        Raises WriterError when loading failed."""
        with self._cond:
            while self._loaded is None:
                if stop.is_set():
                    return None
                if self.state == "error" or self._settings is None:
                    raise WriterError(self.detail or msg("engine.not_loaded", "The model is not loaded; check Settings."))
                self._cond.wait()
            return self._loaded

    def wake(self) -> None:
        """Lets waiters re-check their stop event."""
        with self._cond:
            self._cond.notify_all()

    def probe(self, path: str) -> dict:
        """Describes a model file in a worker process (blocking)."""
        from writer.engine.client import EngineClient, probe_file
        if isinstance(self.engine, EngineClient):
            return self.engine.probe(path)
        return probe_file(path)

    # -- reading ahead -----------------------------------------------------------------------
    def prefill(self, messages: list[dict]) -> None:
        """Has the idle engine read a likely prompt ahead of the click, so that action starts
        from the cache. Any action cancels it; nothing happens while the engine is busy."""
        with self._cond:
            if self._loaded is None or self.state != "ready" or self._active:
                return
            self._cancel_prefill()
            try:
                self._prefill = self.engine.prefill(messages)
            except WriterError:
                pass  # only a head start; the action itself reports engine trouble

    def _cancel_prefill(self) -> None:
        prefill, self._prefill = self._prefill, None
        if prefill is not None:
            prefill.cancel()  # what it evaluated so far stays in the cache

    # -- actions ---------------------------------------------------------------------------
    def action(self, request: ActionRequest, **params) -> "ActionJob":
        """An action to iterate (see ActionJob); params go to writer.core.pipeline.ActionRun."""
        return ActionJob(self, request, params)

    def _begin(self) -> None:
        with self._cond:
            self._cancel_prefill()
            self._active += 1
        self._set_state("busy")

    def _end(self) -> None:
        with self._cond:
            self._active -= 1
            idle = not self._active and self.state == "busy"
        if idle:
            self._set_state("ready")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            self._cond.notify_all()
        if self.engine is not None:
            self.engine.close()


class ActionJob:
    """One action: iterate for its events (ending with Done or Failed); cancel() from any thread."""

    def __init__(self, session: EngineSession, request: ActionRequest, params: dict) -> None:
        self.session, self.request, self.params = session, request, params
        self._stop = threading.Event()
        self._run = None

    def __iter__(self) -> Iterator[RunEvent]:
        from writer.core.pipeline import ActionRun
        try:
            loaded = self.session.loaded
            if loaded is None:
                yield Waiting(msg("engine.waiting", "Waiting for the model to load…"))
                loaded = self.session.wait_for_model(self._stop)
                if loaded is None:
                    yield Done("", "cancelled")
                    return
            run = ActionRun(self.session.engine, self.request, loaded.model.context, parallel=loaded.model.parallel,
                            drafting=loaded.model.drafting, **self.params)
            self._run = run
            if self._stop.is_set():
                run.cancel()
            self.session._begin()
            try:
                yield from run
            finally:
                self.session._end()
        except WriterError as exc:
            yield Failed(exc.message)
        except Exception as exc:  # a panel shows it; the editor carries on
            yield Failed(unexpected(exc))

    def cancel(self) -> None:
        self._stop.set()
        self.session.wake()
        run = self._run
        if run is not None:
            run.cancel()
