"""The editor's one threading pattern: blocking work (the engine, downloads, the network, disk
scans) runs on a shared thread pool, and its results come back to the GUI thread, so the GUI
thread never waits and widgets change on the GUI thread only.

A widget that needs this keeps one `Background`, parented to itself:

    self.jobs = Background(self)
    self.jobs.run("search", downloads.search, query, base, done=self._show, failed=self._say_why)

- Every job has a kind. Starting a job supersedes the running one of the same kind: the older
  call runs to its end on the pool (a blocking call cannot be interrupted; give it a cancel event
  for that), but its progress and result are dropped. Jobs of different kinds do not interfere.
- `done(result)`, `failed(message)` and `progress(value)` are called on the GUI thread; `failed`
  gets a Message (a WriterError's own, or errors.unexpected(), never a traceback). With
  `progress`, the call also gets `on_progress=report`, a function it may call from its thread.
- Nothing is kept once a job has landed, and when the parent is deleted, results still on their
  way are dropped: nothing reaches a closed dialog.
- `running(kind)` says whether a job of that kind has not landed yet.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Callable

from PySide6.QtCore import QObject, Signal, Slot
from shiboken6 import isValid

from writer.core.errors import WriterError, unexpected

POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="writer")  # a waiting action holds one


class _Courier(QObject):
    """Carries calls from pool threads to the GUI thread. There is one, created on import (on the
    GUI thread) and never deleted, so a result never travels through an object being deleted."""

    carry = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.carry.connect(self._call)

    @Slot(object)
    def _call(self, call: Callable[[], None]) -> None:
        call()


_COURIER = _Courier()


class Background(QObject):
    """Runs blocking calls on the pool for its parent, delivering only the latest job of each kind."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._running: dict[str, object] = {}  # kind -> the token of its latest job, until it lands

    def run(self, kind: str, fn: Callable, *args, done: Callable | None = None, failed: Callable | None = None,
            progress: Callable | None = None, **kwargs) -> None:
        job = self._running[kind] = object()
        send = partial(self._send, kind, job)
        if progress is not None:
            kwargs["on_progress"] = lambda value: send(progress, value, last=False)

        def work() -> None:
            try:
                outcome = (done, fn(*args, **kwargs))
            except WriterError as exc:
                outcome = (failed, exc.message)
            except Exception as exc:  # shown to the user, never a traceback
                outcome = (failed, unexpected(exc))
            send(*outcome, last=True)
        POOL.submit(work)

    def running(self, kind: str) -> bool:
        return kind in self._running

    def _send(self, kind: str, job: object, callback: Callable | None, value, last: bool) -> None:  # any thread
        _COURIER.carry.emit(partial(self._deliver, kind, job, callback, value, last))

    def _deliver(self, kind: str, job: object, callback: Callable | None, value, last: bool) -> None:
        if not isValid(self) or self._running.get(kind) is not job:
            return  # the parent is gone, or a newer job of this kind replaced this one
        if last:
            del self._running[kind]
        if callback is not None:
            callback(value)
