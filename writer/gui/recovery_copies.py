"""Recovery copies of the window's text while it has unsaved changes (writer.core.recovery): every
2 s, and soon after typing pauses. The store writes them on its own thread, in order; a failed
write is said in the status bar through `message`."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from writer.core.recovery import RecoveryStore, new_document_id
from writer.gui.background import Background
from writer.gui.editor import Editor
from writer.gui.i18n import tr

AUTOSAVE_MS = 2000  # a copy while there are unsaved changes
IDLE_MS = 800  # and soon after typing pauses


class RecoveryCopies(QObject):
    message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, editor: Editor, path: Callable[[], Path | None], parent: QObject) -> None:
        super().__init__(parent)
        self.editor, self._path = editor, path
        self.store = RecoveryStore()
        self.doc_id = new_document_id()  # the copy's name; a new document gets a new one
        self._stale = False  # edits since the last copy
        self._jobs = Background(self)
        self._every = QTimer(self)
        self._every.setInterval(AUTOSAVE_MS)
        self._every.timeout.connect(self.write)
        self._every.start()
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_MS)
        self._idle.timeout.connect(self.write)

    def edited(self) -> None:
        self._stale = True
        self._idle.start()

    def write(self) -> None:
        if not self.editor.document().isModified() or not self._stale:
            return
        path = self._path()
        pending = self.store.save(self.doc_id, str(path) if path else None, self.editor.toPlainText())
        self._stale = False
        self._jobs.run("copy", pending.exception, done=self._written)  # waits for the write, off the GUI thread

    def _written(self, error: OSError | None) -> None:
        if error is not None:
            self.message.emit(tr("Could not write the recovery copy: {error}", error=error), 8000)

    def drop(self) -> None:
        """The text is saved or dropped: its copy goes."""
        self.store.discard(self.doc_id)

    def start_new(self) -> None:
        """Another document takes the window: its copies go under a new id."""
        self.drop()
        self.doc_id = new_document_id()
