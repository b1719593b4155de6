"""The one small interface every engine offers: the local worker process (writer.engine.client)
and an OpenAI-compatible server (writer.engine.remote), chosen through writer.engine.kinds. The
engine session (writer.engine.session) drives an engine; the pipeline (writer.core.pipeline) only
counts tokens and generates through it.

What an engine can do beyond this interface it declares in its ModelInfo (writer.core.events):
`parallel` (pieces generate_pieces writes at once), `drafting`, `read_ahead` (whether prefill
reads anything) and `context_finish` (whether it tells a full context from the token limit).
Nobody asks an engine's class.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Iterator, Protocol, Union

from writer.core.events import Delta, EngineInfo, Finished


class Generation(Protocol):
    """A running generation: iterating yields Delta events and ends with one Finished; an
    engine failure raises writer.core.errors.EngineError, and so does an engine that sends
    nothing for too long. cancel() works from any thread and the iteration then ends with
    Finished("cancelled")."""

    def __iter__(self) -> Iterator[Union[Delta, Finished]]: ...

    def cancel(self) -> None: ...


class Engine(Protocol):
    kind: str  # the writer.engine.kinds entry that builds it

    def load(self) -> EngineInfo:
        """Makes the configured model ready (blocking, may take a while) and describes it (its
        `model` is set); raises WriterError."""

    def info(self) -> EngineInfo: ...

    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def generate(self, messages: list[dict], *, max_tokens: int | None = None, **params) -> Generation:
        """`params`: temperature, seed (writer.engine.protocol.Sampling has the defaults)."""

    def generate_pieces(self, pieces: list[tuple[list[dict], int]], **params) -> Generation:
        """Several prompts, each (messages, max_tokens): Delta and Finished events carry the
        piece's index and each piece ends with its own Finished; a cancel ends every piece. Up to
        ModelInfo.parallel are written at once (see OneByOne for an engine that writes one)."""

    def prefill(self, messages: list[dict]) -> Generation:
        """Starts evaluating a likely prompt ahead of time (nothing is generated); cancel() it
        when the real request comes. Its Finished counts the prompt tokens it read. An engine
        that cannot (ModelInfo.read_ahead False) returns a finished no-op."""

    def close(self) -> None: ...


class OneByOne:
    """generate_pieces for an engine that writes one piece at a time: each piece in order through
    engine.generate, its events marked with its index."""

    def __init__(self, engine: Engine, pieces: list[tuple[list[dict], int]], params: dict) -> None:
        self.engine, self.pieces, self.params = engine, pieces, params
        self._cancelled = threading.Event()
        self._current: Generation | None = None

    def __iter__(self) -> Iterator[Union[Delta, Finished]]:
        for index, (messages, max_tokens) in enumerate(self.pieces):
            if self._cancelled.is_set():
                yield Finished("cancelled", piece=index)
                continue
            self._current = self.engine.generate(messages, max_tokens=max_tokens, **self.params)
            if self._cancelled.is_set():
                self._current.cancel()
            for event in self._current:
                yield replace(event, piece=index)

    def cancel(self) -> None:
        self._cancelled.set()
        current = self._current
        if current is not None:
            current.cancel()


class NoPrefill:
    """prefill for an engine that does not read ahead: already finished, having read nothing."""

    def __iter__(self) -> Iterator[Finished]:
        yield Finished("stop")

    def cancel(self) -> None:
        pass
