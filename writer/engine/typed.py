"""The engine client seen through the Engine protocol (writer.engine.base): typed Delta and
Finished events instead of the worker's dicts. A bridge for code written against the protocol
while the client still speaks dicts; it goes once the client yields typed events itself."""

from __future__ import annotations

from typing import Iterator, Union

from writer.core.errors import EngineError
from writer.core.events import Delta, Finished
from writer.core.messages import plain


class TypedGeneration:
    def __init__(self, generation) -> None:
        self._generation = generation

    def __iter__(self) -> Iterator[Union[Delta, Finished]]:
        for event in self._generation:
            if event["type"] == "delta":
                yield Delta(event["text"])
            elif event["type"] == "error":
                raise EngineError(plain(event["message"], event.get("code", "engine")))
            elif event["type"] == "done":
                yield Finished(event["finish_reason"], event.get("completion_tokens", 0),
                               event.get("tokens_per_s", 0.0), event.get("prompt_tokens", 0))
                return

    def cancel(self) -> None:
        self._generation.cancel()


class TypedEngine:
    """Counts and generates through an EngineClient (loading stays with the client's owner)."""

    def __init__(self, client) -> None:
        self.client = client

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.client.count_tokens(texts)

    def generate(self, messages: list[dict], *, max_tokens: int | None = None, temperature: float = 0.7,
                 seed: int | None = None) -> TypedGeneration:
        return TypedGeneration(self.client.generate(messages, max_tokens=max_tokens, temperature=temperature, seed=seed))
