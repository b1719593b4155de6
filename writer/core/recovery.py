"""Recovery copies of unsaved documents, so a crash, a power cut or kill -9 loses at most a few seconds.

Each open document has an id; while it has unsaved changes its text is written atomically to
<state>/recovery/<id>.json with the id of the editor session that owns it. The session holds an
OS lock for as long as it runs (writer.core.session_lock), so copies whose session is gone are
offered on the next start, the moment the old editor dies; a clean save or close removes the copy.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from writer.core import session_lock
from writer.core.atomic import write_atomic
from writer.core.paths import recovery_dir
from writer.core.messages import Message, msg, plain


def new_document_id() -> str:
    return uuid.uuid4().hex


@dataclass
class RecoveryCopy:
    id: str
    path: str | None  # the document's file; None when it was never saved
    text: str
    saved_at: float
    session: str  # the editor session that wrote it

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
        record = {"version": 2, "id": doc_id, "path": path, "text": text, "saved_at": time.time(),
                  "session": session_lock.SESSION}

        def write() -> None:
            session_lock.hold(self.folder)  # before the first copy exists, so it is never seen unowned
            write_atomic(self._file(doc_id), json.dumps(record, ensure_ascii=False).encode("utf-8"))

        return self._writer.submit(write)

    def flush(self) -> None:
        """Waits until every queued write is on disk."""
        self._writer.submit(lambda: None).result()

    def discard(self, doc_id: str) -> None:
        self._writer.submit(self._file(doc_id).unlink, missing_ok=True).result()

    def pending(self) -> list[RecoveryCopy]:
        """Copies left by editor sessions that are no longer running, newest first."""
        copies, owners = [], set()
        for file in self.folder.glob("*.json") if self.folder.exists() else []:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                copy = RecoveryCopy(data["id"], data.get("path"), data["text"], float(data["saved_at"]),
                                    str(data.get("session", "")))  # copies of older versions have none: their owner is gone
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable: never written completely, since writes are atomic; ignore
            owners.add(copy.session)
            if copy.id == file.stem and session_lock.owner_gone(self.folder, copy.session):
                copies.append(copy)
        if self.folder.exists():
            session_lock.remove_dead(self.folder, keep=owners)
        return sorted(copies, key=lambda c: c.saved_at, reverse=True)
