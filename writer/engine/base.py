"""The one small interface every engine offers: the local worker process (writer.engine.client)
and an OpenAI-compatible server. The engine session (writer.engine.session) drives an engine;
the pipeline (writer.core.pipeline) only counts tokens and generates through it."""

from __future__ import annotations

from typing import Iterator, Protocol, Union

from writer.core.events import Delta, EngineInfo, Finished


class Generation(Protocol):
    """A running generation: iterating yields Delta events and ends with one Finished; an
    engine failure raises writer.core.errors.EngineError. cancel() works from any thread and
    the iteration then ends with Finished("cancelled")."""

    def __iter__(self) -> Iterator[Union[Delta, Finished]]: ...

    def cancel(self) -> None: ...


class Engine(Protocol):
    def load(self) -> EngineInfo:
        """Makes the configured model ready (blocking, may take a while) and describes it (its
        `model` is set); raises WriterError."""

    def info(self) -> EngineInfo: ...

    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def generate(self, messages: list[dict], *, max_tokens: int | None = None, temperature: float = 0.7,
                 seed: int | None = None) -> Generation: ...

    # An engine that writes several prompts at once (the local worker) also offers
    # generate_pieces([(messages, max_tokens), ...], **params) -> Generation, whose Delta and
    # Finished events carry the piece's index, and reports how many in ModelInfo.parallel.

    def prefill(self, messages: list[dict]) -> Generation:
        """Starts evaluating a likely prompt ahead of time (nothing is generated); cancel() it
        when the real request comes. An engine that cannot may return a finished no-op."""

    def close(self) -> None: ...
