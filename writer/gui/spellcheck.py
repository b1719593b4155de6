"""Spell checking as you type, without making typing wait.

The highlighter asks `SpellService.status(word)` while it paints a line: a word already looked up
answers from a dictionary in memory; a new word answers None and is looked up between events, a few
milliseconds at a time, after which the lines that waited for it are painted again. Large changes (opening a file, replacing everything) are painted
without spelling first and swept afterwards a few milliseconds per event-loop turn, so even a 10 MB
document opens and scrolls while it is being checked.
"""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QObject, QTimer, Signal

from writer.core.spelling import Speller

BATCH = 50  # words looked up between looks at the clock
LOOKUP_S = 0.004  # the longest one turn of looking words up takes
SLICE_S = 0.004  # the longest the window spends on one slice of a sweep (several sweeps may share a turn)


class SpellService(QObject):
    """The current dictionary, a cache of answers, and the queue of words to look up."""

    checked = Signal()  # new answers are in the cache

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.speller: Speller | None = None
        self.cache: dict[str, bool] = {}
        self._pending: dict[str, None] = {}  # words to look up, in order
        # Looked up on the GUI thread between events, a few milliseconds at a time: a word takes
        # about 10 µs, and a thread would make typing wait for the interpreter lock instead.
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._look_up)

    def set_speller(self, speller: Speller | None) -> None:
        self.speller = speller
        self.cache.clear()
        self._pending.clear()
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self.speller is not None

    def status(self, word: str) -> bool | None:
        """True (correct), False (misspelled), or None: not known yet, about to be looked up."""
        known = self.cache.get(word)
        if known is None and self.speller is not None and word not in self._pending:
            self._pending[word] = None
            self._timer.start()
        return known

    def pending(self) -> bool:
        return bool(self._pending)

    def known(self, word: str) -> None:
        """The word is correct from now on (added to the dictionary or ignored)."""
        self.cache[word] = True

    def _look_up(self) -> None:
        deadline = time.perf_counter() + LOOKUP_S
        pending, check = self._pending, self.speller.check
        while pending and time.perf_counter() < deadline:
            for _ in range(min(BATCH, len(pending))):
                word = next(iter(pending))
                del pending[word]
                self.cache[word] = check(word)
        if not pending:
            self._timer.stop()
        self.checked.emit()


class Sliced(QObject):
    """Runs `step(item)` over items a time slice per event-loop turn; `start` replaces a run under way."""

    def __init__(self, step, parent=None, done=None) -> None:
        super().__init__(parent)
        self._step, self._done = step, done
        self._items = iter(())
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    def start(self, items) -> None:
        self._items = iter(items)
        self._timer.start()

    def extend(self, items) -> None:
        """Adds items after those still to do."""
        self._items = itertools.chain(self._items, items)
        self._timer.start()

    def running(self) -> bool:
        return self._timer.isActive()

    def _next(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        for item in self._items:
            self._step(item)
            if time.perf_counter() > deadline:
                return
        self._timer.stop()
        if self._done is not None:
            self._done()
