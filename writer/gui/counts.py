"""Word and character counts that never stall typing: a large text is counted a slice per
event-loop turn. The status bar's count of the document, and the panels' count of the selection."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from writer.core.textstats import chunks, count_characters, count_words
from writer.gui.i18n import tr

COUNT_SLICE = 200_000  # characters counted per event-loop turn
COUNT_DELAY_MS = 250  # the document is counted again once typing pauses this long


class SlicedCount(QObject):
    """Counts words and characters a slice per event-loop turn; `done(words, characters)` gets the
    totals. A new count replaces one under way."""

    def __init__(self, done: Callable[[int, int], None], parent: QObject) -> None:
        super().__init__(parent)
        self._done = done
        self._slices, self._words, self._characters = iter(()), 0, 0
        self._step = QTimer(self)
        self._step.setInterval(0)
        self._step.timeout.connect(self._next)

    def start(self, text: str) -> None:
        self._slices, self._words, self._characters = chunks(text, COUNT_SLICE), 0, 0
        self._next()

    def _next(self) -> None:
        piece = next(self._slices, None)
        if piece is None:
            self._step.stop()
            self._done(self._words, self._characters)
            return
        self._words += count_words(piece)
        self._characters += count_characters(piece)
        self._step.start()


class DocumentCount(QLabel):
    """The document's words and characters; `schedule()` after an edit, `count()` at once."""

    def __init__(self, text_source: Callable[[], str], parent=None) -> None:
        super().__init__(parent)
        self._text_source = text_source
        self._counter = SlicedCount(self._show, self)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(COUNT_DELAY_MS)
        self._delay.timeout.connect(self.count)

    def schedule(self) -> None:
        self._delay.start()

    def count(self) -> None:
        self._counter.start(self._text_source())

    def _show(self, words: int, characters: int) -> None:
        self.setText(tr("{words} words · {characters} characters", words=f"{words:,}", characters=f"{characters:,}"))
