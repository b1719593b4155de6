"""Recovery copies of unsaved documents, so a crash, a power cut or kill -9 loses at most a few seconds.

Each open document has an id; while it has unsaved changes its text is written atomically to
<state>/recovery/<id>.json with the owning process id. Copies of processes that are gone are
offered on the next start; a clean save or close removes the copy.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from writer.core.atomic import write_atomic
from writer.core.paths import recovery_dir
from writer.core.messages import Message, msg, plain


def new_document_id() -> str:
    return uuid.uuid4().hex


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RecoveryCopy:
    id: str
    path: str | None  # the document's file; None when it was never saved
    text: str
    saved_at: float
    pid: int

    @property
    def title(self) -> Message:
        return plain(Path(self.path).name) if self.path else msg("recovery.untitled", "Untitled document")


class RecoveryStore:
    """Writes happen on one background thread, in order, so a large document never stalls typing
    and a discard can never be overtaken by an older save."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recovery")

    def _file(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def save(self, doc_id: str, path: str | None, text: str):
        """Queues a copy; returns a future whose result() raises OSError if the write failed."""
        record = {"version": 1, "id": doc_id, "path": path, "text": text, "saved_at": time.time(), "pid": os.getpid()}
        return self._writer.submit(
            lambda: write_atomic(self._file(doc_id), json.dumps(record, ensure_ascii=False).encode("utf-8")))

    def flush(self) -> None:
        """Waits until every queued write is on disk."""
        self._writer.submit(lambda: None).result()

    def discard(self, doc_id: str) -> None:
        self._writer.submit(self._file(doc_id).unlink, missing_ok=True).result()

    def pending(self) -> list[RecoveryCopy]:
        """Copies left by processes that are no longer running, newest first."""
        copies = []
        for file in self.folder.glob("*.json") if self.folder.exists() else []:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                copy = RecoveryCopy(data["id"], data.get("path"), data["text"], float(data["saved_at"]), int(data["pid"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable: never written completely, since writes are atomic; ignore
            if copy.id == file.stem and not process_alive(copy.pid):
                copies.append(copy)
        return sorted(copies, key=lambda c: c.saved_at, reverse=True)
