"""Turns the engine client's blocking calls into Qt signals, so the GUI thread never waits.

Model loads and actions run on short-lived Python threads; their events come back as signals,
which Qt queues onto the GUI thread. Each action carries a job id and events of a job that was
replaced or stopped are dropped by the panels.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from writer.core.errors import UserError
from writer.core.settings import Settings
from writer.gui.i18n import tr

if TYPE_CHECKING:
    from writer.core.pipeline import ActionRun


MAX_RESTARTS = 3  # automatic restarts within CRASH_WINDOW seconds before Writer stops trying
CRASH_WINDOW = 60.0


class EngineBridge(QObject):
    # state: "starting" | "loading" | "ready" | "busy" | "restarting" | "error"; detail: a sentence or ""
    state_changed = Signal(str, str)
    model_loaded = Signal(dict)
    job_event = Signal(int, dict)

    def __init__(self, client_factory=None, parent=None, backoff: float = 1.0) -> None:
        super().__init__(parent)
        self.backoff = backoff
        self._settings: Settings | None = None
        self._crashes: list[float] = []
        self._client_factory = client_factory
        self._client = None  # created on first use, after the window is shown
        self._jobs = itertools.count(1)
        self._lock = threading.Lock()
        self._running: dict[int, ActionRun] = {}
        self._waiting: dict[int, threading.Event] = {}  # jobs waiting for the model; set to stop one
        self._prefill_lock = threading.Lock()  # orders a prefill before the job that cancels it
        self._prefill_id: int | None = None
        self.info: dict | None = None
        self.state = "starting"
        self.detail = ""

    @property
    def client(self):
        if self._client is None:
            from writer.engine.client import EngineClient  # deferred: not needed to show the window
            factory = self._client_factory or EngineClient
            self._client = factory(listener=self._on_engine_event)
        return self._client

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        self.detail = detail
        self.state_changed.emit(state, detail)

    def _on_engine_event(self, event: dict) -> None:
        if event.get("id") is None and event["type"] == "error":
            if event.get("code") == "worker_died":
                self._worker_died(event["message"])
            else:
                self._set_state("error", event["message"])

    def _worker_died(self, message: str) -> None:
        """Restarts the engine with back-off; a model that keeps killing it does not loop forever."""
        now = time.monotonic()
        self._crashes = [t for t in self._crashes if now - t < CRASH_WINDOW] + [now]
        self.info = None
        if self._settings is None or len(self._crashes) > MAX_RESTARTS:
            self._set_state("error", tr("The engine stopped {count} times in a minute with this model, so Writer "
                                        "stopped restarting it. Choose another model, or lower the context size or GPU "
                                        "layers in Settings.", count=len(self._crashes)))
            return
        self._set_state("restarting", message)
        timer = threading.Timer(self.backoff * 2 ** (len(self._crashes) - 1), self._load, args=(self._settings,))
        timer.daemon = True
        timer.start()

    # -- model -----------------------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        """Loads the configured model in the background."""
        self._settings = settings
        self._crashes = []
        self.info = None  # the worker drops the old model first: actions wait for the new one
        self._set_state("loading", "")
        threading.Thread(target=self._load, args=(settings,), daemon=True, name="model-load").start()

    def _load(self, settings: Settings) -> None:
        from writer.core.fit import estimate
        from writer.core.models import resolve_model
        from writer.engine.client import EngineFailure
        try:
            path = resolve_model(settings.model_path)
            info = self.client.load(str(path), n_ctx=settings.n_ctx, gpu_layers=settings.gpu_layers,
                                     threads=settings.threads)
        except (UserError, EngineFailure) as exc:
            self.info = None
            if getattr(exc, "code", None) != "worker_died":  # a dead worker is restarted by _worker_died
                self._set_state("error", str(exc))
            return
        # The fit estimate may ask nvidia-smi: done here, off the GUI thread.
        info["fit"] = estimate(info["model"]["size_bytes"], info["model"]["layers"]).describe()
        self.info = info
        self.model_loaded.emit(info)
        self._set_state("ready", "")

    def probe(self, path: str) -> dict:
        """Describes a model file from the worker (blocking: call it off the GUI thread)."""
        from writer.engine.client import EngineFailure
        try:
            return self.client.probe(path)
        except EngineFailure as exc:
            raise UserError("engine.failed", "{detail}", detail=str(exc)) from None

    # -- actions ---------------------------------------------------------------------------
    def prefill(self, messages: list[dict]) -> None:
        """Has the idle engine read a likely prompt (the selection, as the next action would send
        it) ahead of the click, so that action starts from the KV cache. Any action cancels it."""
        if self.info is None or self.state != "ready":
            return

        def send() -> None:
            from writer.engine.client import EngineFailure
            with self._prefill_lock:
                self._cancel_prefill()
                if self._running or self._waiting or self.state != "ready":
                    return
                try:
                    self._prefill_id = self.client.prefill(messages)
                except EngineFailure:
                    pass  # only a head start; the action itself reports engine trouble

        threading.Thread(target=send, daemon=True, name="prefill").start()

    def _cancel_prefill(self) -> None:
        rid, self._prefill_id = self._prefill_id, None
        if rid is not None:
            self.client.cancel(rid)

    def start(self, request, temperature: float = 0.7) -> int:
        """Starts an action; returns its job id. Events arrive through job_event."""
        job = next(self._jobs)
        threading.Thread(target=self._run, args=(job, request, temperature), daemon=True, name=f"job-{job}").start()
        return job

    def _run(self, job: int, request, temperature: float) -> None:
        from writer.core.pipeline import ActionRun, EngineError
        from writer.engine.client import EngineFailure
        try:
            info = self.info or self._wait_for_model(job)
            if info is None:  # stopped while waiting
                self.job_event.emit(job, {"type": "done", "text": "", "finish_reason": "cancelled"})
                return
            run = ActionRun(self.client, request, info["model"]["context"], temperature=temperature)
            with self._prefill_lock, self._lock:
                self._cancel_prefill()  # what it evaluated so far stays in the cache
                self._running[job] = run
            self._set_state("busy", "")
            for event in run:
                self.job_event.emit(job, event)
        except (UserError, EngineFailure, EngineError) as exc:
            self.job_event.emit(job, {"type": "error", "message": str(exc)})
        except Exception as exc:  # a panel shows it; the editor carries on
            self.job_event.emit(job, {"type": "error", "message": tr("Unexpected error: {error}", error=exc)})
        finally:
            with self._lock:
                self._running.pop(job, None)
                idle = not self._running
            if idle and self.state == "busy":
                self._set_state("ready", "")

    def _wait_for_model(self, job: int) -> dict | None:
        """An action started while the model loads runs once it is ready: the model's info, or
        None if the action was stopped meanwhile."""
        if self._settings is None or self.state == "error":
            raise UserError("engine.not_loaded", "{detail}", detail=self.detail or tr("The model is not loaded yet; wait for it or check Settings."))
        stop = threading.Event()
        with self._lock:
            self._waiting[job] = stop
        self.job_event.emit(job, {"type": "status", "message": tr("Waiting for the model to load…")})
        try:
            while (info := self.info) is None:
                if stop.wait(0.05):
                    return None
                if self.state == "error":  # the load failed: say why, in the panel that waited
                    raise UserError("engine.not_loaded", "{detail}", detail=self.detail)
            return info
        finally:
            with self._lock:
                self._waiting.pop(job, None)

    def cancel(self, job: int) -> None:
        with self._lock:
            run = self._running.get(job)
            waiting = self._waiting.get(job)
        if run is not None:
            run.cancel()
        if waiting is not None:
            waiting.set()

    def shutdown(self) -> None:
        with self._lock:
            runs, waits = list(self._running.values()), list(self._waiting.values())
        for stop in waits:
            stop.set()
        for run in runs:
            run.cancel()
        if self._client is not None:
            self._client.close()
