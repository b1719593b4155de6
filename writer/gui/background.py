"""The editor's one threading pattern: blocking work (the engine, downloads, the network, disk
scans) runs on a shared thread pool, and its results come back as queued signals, so the GUI
thread never waits and widgets change on the GUI thread only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from writer.core.errors import WriterError, unexpected

POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="writer")  # a waiting action holds one


class Background(QObject):
    """Runs one blocking call on the pool and reports back through signals."""

    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)  # a Message

    def run(self, fn, *args, **kwargs) -> None:
        def work() -> None:
            try:
                outcome = (self.succeeded, fn(*args, **kwargs))
            except WriterError as exc:
                outcome = (self.failed, exc.message)
            except Exception as exc:  # shown to the user, never a traceback
                outcome = (self.failed, unexpected(exc))
            try:
                outcome[0].emit(outcome[1])
            except RuntimeError:
                pass  # the window was closed meanwhile; nobody is waiting for this
        POOL.submit(work)
