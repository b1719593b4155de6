"""Stops a model that loops: the same sentence or line over and over, or a cycle of a few.

Small models, and larger ones through a server, fall into loops ("The document contains
footnotes." forty times) that only the token limit ends. `RepeatWatcher` sits between the cleaned
stream and the user: it releases text as it comes, except a sentence that repeats one of the last
few (it might be the start of a loop), which it holds until the pattern breaks. When the same
sentence comes a third time in a row, or a cycle of up to MAX_CYCLE sentences a third time, the
loop is certain: the held repeats are dropped, `looped` turns true, and the caller stops the
generation. It reads only text, so it works the same for the local engine and for a server.

A repetition that is in the writer's own text (a chorus, a refrain) is not a loop.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_CYCLE = 4  # sentences in the longest cycle looked for
REPEATS = 3  # occurrences of a sentence or cycle that make a loop
MIN_UNIT_CHARS = 6  # shorter units ("-", "***", "OK.") repeat legitimately in lists and tables
CJK_CHARS = 3  # a Chinese or Japanese character counts as this many letters towards it
# A unit ends at a line break or after a sentence end (Chinese and Japanese ones need no space).
_UNIT_END = re.compile(r"\n+|(?<=[.!?…])[\"'”’)\]]*[ \t]+|[。！？][」』”’）]*[ \t]*")
_NOISE = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _key(unit: str) -> str:
    """What makes two units the same: their letters and digits, case and punctuation aside."""
    return _NOISE.sub(" ", unit).strip().casefold()


class RepeatWatcher:
    def __init__(self, source: str = "") -> None:
        self._source_keys = _source_repeats(source)
        self._text = ""
        self._released = 0  # characters of _text given out
        self._units: list[tuple[int, int, str]] = []  # complete units: start, end, key
        self._scanned = 0  # where the next unit starts
        self._cut = 0  # where the repeats began, once a loop was found
        self.looped = False
        self.repeated = ""  # the sentence or cycle that repeated (its first copy is kept)

    def feed(self, delta: str) -> str:
        """Text that can be shown now; "" once a loop was found."""
        if self.looped:
            return ""
        self._text += delta
        for m in _UNIT_END.finditer(self._text, self._scanned):
            self._add_unit(self._scanned, m.end())
            self._scanned = m.end()
            if self.looped:
                return self._release_to(self._cut)
        return self._release_to(self._hold_point())

    def finish(self) -> str:
        if self.looped:
            return ""
        if self._scanned < len(self._text):
            self._add_unit(self._scanned, len(self._text))
            self._scanned = len(self._text)
            if self.looped:
                return self._release_to(self._cut)
        return self._release_to(len(self._text), final=True)

    # -- internals -------------------------------------------------------------------------------
    def _add_unit(self, start: int, end: int) -> None:
        key = _key(self._text[start:end])
        if len(key) + (CJK_CHARS - 1) * len(_CJK.findall(key)) < MIN_UNIT_CHARS:
            return  # too short to tell a loop from a list of short items; never held either
        self._units.append((start, end, key))
        cycle = self._loop_cycle()
        if cycle:
            keep = len(self._units) - (REPEATS - 1) * cycle  # the first copy of the cycle stays
            self.repeated = self._text[self._units[keep - cycle][0]:self._units[keep - 1][1]].strip()
            self._cut = self._units[keep][0]
            self.looped = True

    def _recent_keys(self) -> list[str]:
        """Keys of the last units: enough for any loop or held run (a held run of more than
        MAX_CYCLE * REPEATS units would have been a loop), so a long text costs no more per token."""
        return [u[2] for u in self._units[-(MAX_CYCLE * (REPEATS + 1) + 1):]]

    def _loop_cycle(self) -> int:
        """The length of the cycle the last units complete REPEATS times, or 0."""
        keys = self._recent_keys()
        for cycle in range(1, MAX_CYCLE + 1):
            span = cycle * REPEATS
            if len(keys) < span:
                break
            tail = keys[-span:]
            if all(tail[i] == tail[i - cycle] for i in range(cycle, span)) and not self._in_source(tail[:cycle]):
                return cycle
        return 0

    def _in_source(self, cycle: list[str]) -> bool:
        return all(key in self._source_keys for key in cycle)

    def _hold_point(self) -> int:
        """Where the text that might be a loop starts: the first unit of a run in which each unit
        repeats one of the few before it, and the unfinished unit if it begins like one of those."""
        keys = self._recent_keys()
        hold = len(self._text)
        i = len(keys)
        while i > 0 and keys[i - 1] in keys[max(0, i - 1 - MAX_CYCLE):i - 1]:
            i -= 1
        if i < len(keys):
            hold = self._units[len(self._units) - len(keys) + i][0]
        partial = _key(self._text[self._scanned:])
        if partial and any(k.startswith(partial) for k in keys[-MAX_CYCLE:]):
            hold = min(hold, self._scanned)
        return max(hold, self._released)

    def _release_to(self, end: int, final: bool = False) -> str:
        """Text up to `end`, less the whitespace at its end unless `final`: a loop cut there must
        not leave a space behind, and what follows brings that space out."""
        if not final:
            end = len(self._text[:end].rstrip())
        out = self._text[self._released:end]
        self._released = max(self._released, end)
        return out


@lru_cache(maxsize=4)  # a long document's every piece gets a watcher over the same text
def _source_repeats(source: str) -> frozenset[str]:
    """Keys of the units that come more than once in the writer's text."""
    seen: set[str] = set()
    repeated: set[str] = set()
    start = 0
    for m in _UNIT_END.finditer(source + "\n"):
        key = _key(source[start:m.end()])
        start = m.end()
        (repeated if key in seen else seen).add(key)
    return frozenset(repeated)
