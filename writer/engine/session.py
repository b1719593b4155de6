"""One engine session, shared by the editor and the command line.

The session owns the engine's lifecycle: it builds the engine the settings ask for, loads the
model, says what state it is in, restarts a crashed engine with back-off (and stops trying when
a model keeps killing it), reads a likely prompt ahead, and runs every model run (actions,
questions) as a Job that waits while the model loads. It is Qt-free and thread-safe: callers
block on its methods from their own threads; it reports state changes through a plain callback,
which the editor turns into queued signals (writer.gui.engine_bridge).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Iterable, Iterator, Literal, Protocol

from writer.core.actions import ActionRequest
from writer.core.errors import WriterError, unexpected
from writer.core.events import Done, Failed, Loaded, RunEvent, Waiting
from writer.core.messages import Message, msg
from writer.core.settings import Settings
from writer.engine.base import Engine, Generation
from writer.engine.kinds import engine_for

State = Literal["starting", "loading", "ready", "busy", "restarting", "error"]
StateListener = Callable[[State, "Message | None"], None]
EngineFactory = Callable[["Engine | None", Settings, Callable[[Message], None]], Engine]



class Run(Iterable, Protocol):
    """What a Job runs (writer.core.pipeline.ActionRun, writer.core.ask.AskRun): events to iterate."""

    def cancel(self) -> None: ...


MAX_RESTARTS = 3  # automatic restarts within CRASH_WINDOW seconds before Writer stops trying
CRASH_WINDOW = 60.0


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

    @staticmethod
    def probe(path: str) -> dict:
        """Describes a model file in a worker process of its own (blocking), so a malformed file
        cannot take the loaded model down with it."""
        from writer.engine.client import probe_file
        return probe_file(path)

    # -- reading ahead -----------------------------------------------------------------------
    def prefill(self, messages: list[dict]) -> None:
        """Has the idle engine read a likely prompt ahead of the click, so that action starts
        from the cache. Any action cancels it; nothing happens while the engine is busy."""
        with self._cond:
            if self._loaded is None or not self._loaded.model.read_ahead or self.state != "ready" or self._active:
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

    # -- runs ----------------------------------------------------------------------------
    def action(self, request: ActionRequest, **params) -> "Job":
        """An action to iterate (see Job); params go to writer.core.pipeline.ActionRun."""
        from writer.core.pipeline import ActionRun

        def start(loaded: Loaded) -> ActionRun:
            model = loaded.model
            return ActionRun(self.engine, request, model.context, parallel=model.parallel, drafting=model.drafting,
                             **params)
        return Job(self, start)

    def ask(self, question: str, text: str, **options) -> "Job":
        """A question about `text` to iterate (see Job); options go to writer.core.ask.AskRun
        (line_offset, conversation, index, temperature, seed, max_tokens)."""
        from writer.core.ask import AskRun
        return Job(self, lambda loaded: AskRun(self.engine, loaded.model.context, question, text, **options))

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


class Job:
    """One model run (an action, a question): iterate for its events, ending with Done or Failed;
    cancel() from any thread. It waits for the model when it loads or restarts, builds its run
    on the engine loaded then (`start(loaded)` -> something to iterate and cancel), and keeps the
    session busy while it runs, so the status, the busy checks and the read-ahead see it."""

    def __init__(self, session: EngineSession, start: Callable[[Loaded], Run]) -> None:
        self.session, self._start = session, start
        self._stop = threading.Event()
        self._run: Run | None = None

    def __iter__(self) -> Iterator[RunEvent]:
        try:
            loaded = self.session.loaded
            if loaded is None:
                yield Waiting(msg("engine.waiting", "Waiting for the model to load…"))
                loaded = self.session.wait_for_model(self._stop)
                if loaded is None:
                    yield Done("", "cancelled")
                    return
            run = self._run = self._start(loaded)
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
