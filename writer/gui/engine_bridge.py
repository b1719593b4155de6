"""The editor's adapter to the engine session: blocking session calls run on a thread pool and
their results come back as Qt signals, which Qt queues onto the GUI thread. The GUI thread never
waits on the engine, and the bridge's own state (the running jobs, the model shown) changes on
the GUI thread only. Every model run (an action, a question) is a session Job with an id; its
events arrive through job_event, and the panels drop events of a job that was replaced or stopped.
"""

from __future__ import annotations

import itertools
from typing import Callable

from PySide6.QtCore import QObject, Signal, Slot

from writer.core.actions import ActionRequest
from writer.core.errors import WriterError
from writer.core.events import Done, Failed, Loaded
from writer.core.messages import Message
from writer.core.settings import Settings
from writer.engine.kinds import engine_for
from writer.engine.session import EngineFactory, EngineSession, Job
from writer.gui.background import POOL


class EngineBridge(QObject):
    # state: "starting" | "loading" | "ready" | "busy" | "restarting" | "error"; detail: a Message or None
    state_changed = Signal(str, object)
    model_loaded = Signal(object)  # Loaded
    job_event = Signal(int, object)  # job id, a writer.core.events RunEvent (or writer.core.ask.Sources)
    _state = Signal(str, object)  # from the session's thread
    _finished = Signal(int)

    def __init__(self, engine_factory: EngineFactory = engine_for, parent=None, backoff: float = 1.0) -> None:
        super().__init__(parent)
        self.session = EngineSession(self._state.emit, engine_factory, backoff)
        self._ids = itertools.count(1)
        self._jobs: dict[int, Job] = {}  # GUI thread only
        self._shown: Loaded | None = None  # GUI thread only
        self._state.connect(self._on_state)
        self._finished.connect(self._forget)

    @property
    def loaded(self) -> Loaded | None:
        return self.session.loaded

    @property
    def busy(self) -> bool:
        """A model run (an action, a question) is running or waiting for the model."""
        return bool(self._jobs)

    @Slot(str, object)
    def _on_state(self, state: str, detail: Message | None) -> None:
        self.state_changed.emit(state, detail)
        loaded = self.session.loaded
        if state == "ready" and loaded is not None and loaded is not self._shown:
            self._shown = loaded
            self.model_loaded.emit(loaded)

    @staticmethod
    def _in_background(call: Callable[[], object]) -> None:
        """Runs `call` on the pool; engine trouble reaches the editor through the session's state."""
        def work() -> None:
            try:
                call()
            except WriterError:
                pass  # already reported as the "error" state
        POOL.submit(work)

    # -- model -----------------------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        """Loads the configured model in the background."""
        self._in_background(lambda: self.session.load(settings))

    def probe(self, path: str) -> dict:
        """Describes a model file from a worker (blocking: call it off the GUI thread)."""
        return self.session.probe(path)

    def prefill(self, messages: list[dict]) -> None:
        self._in_background(lambda: self.session.prefill(messages))

    # -- runs ------------------------------------------------------------------------------
    def start(self, request: ActionRequest, **params) -> int:
        """Starts an action; returns its job id. Its events arrive through job_event."""
        return self._start(self.session.action(request, **params))

    def ask(self, question: str, text: str, **options) -> int:
        """Starts a question (options: see EngineSession.ask); returns its job id."""
        return self._start(self.session.ask(question, text, **options))

    def _start(self, job: Job) -> int:
        job_id = next(self._ids)
        self._jobs[job_id] = job

        def run() -> None:
            for event in job:
                self.job_event.emit(job_id, event)
                if isinstance(event, (Done, Failed)):
                    break
            self._finished.emit(job_id)
        POOL.submit(run)
        return job_id

    @Slot(int)
    def _forget(self, job_id: int) -> None:
        self._jobs.pop(job_id, None)

    def cancel(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job is not None:
            job.cancel()

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel()
        self.session.close()
