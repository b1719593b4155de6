"""Spell checking as you type, without making typing wait.

The highlighter asks `SpellService.status(word)` while it paints a line: a word already looked up
answers from a dictionary in memory; a new word answers None and goes to a background thread, which
looks words up in batches and hands the results back as a queued signal, after which the lines that
waited for them are painted again. Large changes (opening a file, replacing everything) are painted
without spelling first and swept afterwards a few milliseconds per event-loop turn, so even a 10 MB
document opens and scrolls while it is being checked.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from writer.core.spelling import Speller

BATCH = 400  # words looked up before results go back to the window
SLICE_S = 0.008  # the longest the window spends on one slice of a sweep


class SpellService(QObject):
    """The current dictionary, a cache of answers, and the background thread that fills it."""

    checked = Signal()  # new answers are in the cache
    _results = Signal(int, object)  # from the thread: (generation, {word: correct})

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.speller: Speller | None = None
        self.cache: dict[str, bool] = {}
        self._pending: set[str] = set()
        self._generation = 0  # answers from a dictionary no longer in use are dropped
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._results.connect(self._take)

    def set_speller(self, speller: Speller | None) -> None:
        self.speller = speller
        self._generation += 1
        self.cache.clear()
        self._pending.clear()

    @property
    def active(self) -> bool:
        return self.speller is not None

    def status(self, word: str) -> bool | None:
        """True (correct), False (misspelled), or None: not known yet, being looked up."""
        known = self.cache.get(word)
        if known is None and self.speller is not None and word not in self._pending:
            self._pending.add(word)
            self._queue.put((self._generation, self.speller, word))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="spelling", daemon=True)
                self._thread.start()
        return known

    def known(self, word: str) -> None:
        """The word is correct from now on (added to the dictionary or ignored)."""
        self.cache[word] = True

    def _work(self) -> None:
        while True:
            generation, speller, word = self._queue.get()
            found = {word: speller.check(word)}
            while len(found) < BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item[0] != generation:
                    self._results.emit(generation, found)
                    generation, speller, found = item[0], item[1], {}
                found[item[2]] = item[1].check(item[2])
            self._results.emit(generation, found)

    def _take(self, generation: int, found: dict) -> None:
        if generation != self._generation:
            return
        self.cache.update(found)
        self._pending.difference_update(found)
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
