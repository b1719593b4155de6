"""Runs an action on an engine: sizing, splitting long text, streaming clean output.

Works with any engine that offers `count_tokens(texts)` and `generate(messages, **params)`
returning an iterable of protocol events with a `cancel()` (writer.engine.client does).
Yields plain dict events, so the command line prints them and the editor turns them into signals:
  {"type": "progress", "piece": i, "pieces": n}   before each piece of a long text
  {"type": "delta", "text": ...}                  cleaned text as it arrives
  {"type": "note", "message": ...}                something the user should know
  {"type": "done", "text": ..., "finish_reason": ..., "tokens_per_s": ..., "completion_tokens": ...}
"""

from __future__ import annotations

import math
import threading
from typing import Iterator

from writer.core.actions import ActionRequest
from writer.core.chunking import Piece, split_text
from writer.core.cleanup import StreamCleaner
from writer.core.errors import UserError
from writer.core.languages import find_language
from writer.core.markdown import hide_links, prose_runs, restore_links, runs
from writer.core.wording import sentence

TOKEN_LIMIT_NOTE = sentence("The result stopped at the token limit and may be incomplete.")
TEMPLATE_OVERHEAD = 48  # tokens a chat template adds around the messages
MIN_PIECE_TOKENS = 64  # smaller pieces lose too much context to be worth processing


class EngineError(Exception):
    """The engine reported an error; str() is a sentence for the user."""


class ActionRun:
    def __init__(self, engine, request: ActionRequest, context_size: int, max_tokens: int | None = None,
                 temperature: float = 0.7, seed: int | None = None) -> None:
        self.engine = engine
        self.request = request.validated()
        self.context_size = context_size
        self.max_tokens = max_tokens
        self.params = {"temperature": temperature, "seed": seed}
        self._cancelled = threading.Event()
        self._current = None
        self._stats = {"completion_tokens": 0, "tokens_per_s": 0.0}

    def cancel(self) -> None:
        self._cancelled.set()
        current = self._current
        if current is not None:
            current.cancel()

    # -- sizing ----------------------------------------------------------------------------
    def _overhead(self, task: str) -> int:
        frame = self.request.messages(text="", task=task)
        return sum(self.engine.count_tokens([m["content"] for m in frame])) + TEMPLATE_OVERHEAD

    def _input_budget(self, task: str, output_tokens: int, ratio: float = 0.0) -> int:
        room = self.context_size - self._overhead(task) - output_tokens
        budget = int(room / (1 + ratio))
        if budget < MIN_PIECE_TOKENS:
            raise UserError("action.context_too_small", "The model's context of {context} tokens is too small for this action; raise the context "
                            "size in the settings.", context=self.context_size)
        return budget

    # -- running ---------------------------------------------------------------------------
    def __iter__(self) -> Iterator[dict]:
        req = self.request
        finish = "stop"
        if req.action in ("translate", "rewrite"):
            runner = self._piecewise()
        elif req.action == "summarize":
            runner = self._summarize()
        else:
            runner = self._generate()
        parts: list[str] = []
        for event in runner:
            if event["type"] == "delta":
                parts.append(event["text"])
            elif event["type"] == "piece_done":
                if event["finish_reason"] in ("length", "context") and finish != "cancelled":
                    finish = "length"
                if event["finish_reason"] == "cancelled":
                    finish = "cancelled"
                continue
            yield event
            if self._cancelled.is_set():
                finish = "cancelled"
                break
        text = "".join(parts)
        if finish == "length":
            yield {"type": "note", "message": TOKEN_LIMIT_NOTE}
        elif finish == "stop" and req.action == "translate" and text.split() == req.text.split():
            # Small models often hand the text back instead of translating it; say so rather than look done.
            yield {"type": "note", "message": sentence(
                "The model returned the text unchanged: it may already be in {language}, or the model may be too small "
                "to translate it; a larger model translates better (File → Models…, or 'writer models').",
                language=find_language(req.language).name)}
        yield {"type": "done", "text": text, "finish_reason": finish, **self._stats}

    def _stream(self, messages: list[dict], max_tokens: int, show: bool = True) -> Iterator[dict]:
        """One generation, cleaned; ends with a piece_done event carrying its whole text."""
        if self.max_tokens:
            max_tokens = min(max_tokens, self.max_tokens)
        cleaner = StreamCleaner(self.request.text, edit_reports=self.request.action == "rewrite")
        text = []
        self._current = self.engine.generate(messages=messages, max_tokens=max_tokens, **self.params)
        if self._cancelled.is_set():
            self._current.cancel()
        try:
            for event in self._current:
                if event["type"] == "delta":
                    out = cleaner.feed(event["text"])
                elif event["type"] == "error":
                    raise EngineError(event["message"])
                else:
                    out = cleaner.finish()
                    self._stats["completion_tokens"] += event.get("completion_tokens", 0)
                    self._stats["tokens_per_s"] = event.get("tokens_per_s", 0.0)
                if out:
                    text.append(out)
                    if show:
                        yield {"type": "delta", "text": out}
                if event["type"] == "done":
                    yield {"type": "piece_done", "text": "".join(text), "finish_reason": event["finish_reason"]}
        finally:
            self._current = None

    def _split(self, text: str, budget: int) -> list[Piece]:
        return split_text(text, budget, self.engine.count_tokens)

    def _piecewise(self) -> Iterator[dict]:
        """Translate and rewrite: each piece in order, everything between pieces copied as it was.
        Translation also keeps Markdown structure (code, markers, tables, link targets) out of the model."""
        req = self.request
        ratio = req.output_ratio()
        budget = self._input_budget(req.task(), 0, ratio)
        parts = runs(req.text) if req.action == "translate" else prose_runs(req.text)
        prose = [r.text for r in parts if r.prose]
        sizes = iter(self.engine.count_tokens(prose) if prose else [])
        work: list[tuple[str, bool, int]] = []  # (text, send to the model, tokens)
        for run in parts:
            if not run.prose:
                work.append((run.text, False, 0))
                continue
            n = next(sizes)
            for piece in [Piece(run.text, tokens=n)] if n <= budget else self._split(run.text, budget):
                work.append((piece.text, True, piece.tokens))
                work.append((piece.separator, False, 0))
        total = sum(1 for _, model, _ in work if model)
        done = 0
        for text, model, tokens in work:
            if not model:
                if text:
                    yield {"type": "delta", "text": text}
                continue
            done += 1
            if total > 1:
                yield {"type": "progress", "piece": done, "pieces": total}
            yield from self._rewrite_piece(text, math.ceil(tokens * ratio) + 64)
            if self._cancelled.is_set():
                return

    def _rewrite_piece(self, text: str, max_tokens: int) -> Iterator[dict]:
        hidden, targets = hide_links(text) if self.request.action == "translate" else (text, [])
        if not targets:
            yield from self._stream(self.request.messages(hidden), max_tokens)
            return
        # Link targets go back in after the whole piece is written, so this piece is not streamed.
        for event in self._stream(self.request.messages(hidden), max_tokens, show=False):
            if event["type"] == "piece_done":
                yield {"type": "delta", "text": restore_links(event["text"], targets)}
            yield event

    def _summarize(self) -> Iterator[dict]:
        """Map-reduce: summarize each piece, then summarize the summaries until one is left."""
        req = self.request
        out_tokens = req.fixed_max_tokens()
        budget = self._input_budget(req.combine_task(), out_tokens)
        pieces = self._split(req.text.strip(), budget)
        if len(pieces) == 1:
            yield from self._stream(req.messages(pieces[0].text), out_tokens)
            return
        partial = []
        for i, piece in enumerate(pieces):
            yield {"type": "progress", "piece": i + 1, "pieces": len(pieces) + 1}
            for event in self._stream(req.messages(piece.text), out_tokens, show=False):
                if event["type"] == "piece_done":
                    partial.append(event["text"])
            if self._cancelled.is_set():
                yield {"type": "piece_done", "text": "", "finish_reason": "cancelled"}
                return
        combined = "\n\n".join(partial)
        groups = self._split(combined, budget)
        while len(groups) > 1:
            shorter = "\n\n".join(self._collect(req.messages(g.text, req.combine_task()), out_tokens) for g in groups)
            if self._cancelled.is_set():
                yield {"type": "piece_done", "text": "", "finish_reason": "cancelled"}
                return
            regrouped = self._split(shorter, budget)
            if len(regrouped) >= len(groups):
                raise UserError("action.cannot_condense", "The model could not condense this document enough to summarize it; choose a model with a larger context.")
            combined, groups = shorter, regrouped
        yield {"type": "progress", "piece": len(pieces) + 1, "pieces": len(pieces) + 1}
        yield from self._stream(req.messages(combined, req.combine_task()), out_tokens)

    def _collect(self, messages: list[dict], max_tokens: int) -> str:
        result = ""
        for event in self._stream(messages, max_tokens, show=False):
            if event["type"] == "piece_done":
                result = event["text"]
        return result

    def _generate(self) -> Iterator[dict]:
        """Generate continues from the end of the text; a text too long keeps its most recent part."""
        req = self.request
        out_tokens = req.fixed_max_tokens()
        if not req.text.strip():
            yield from self._stream(req.messages(""), out_tokens)
            return
        budget = self._input_budget(req.task(), out_tokens)
        pieces = self._split(req.text, budget)
        context = pieces[-1].text
        if len(pieces) > 1:
            yield {"type": "note", "message": sentence(
                "The text is longer than the model's context; the last {words} words are used as context.",
                words=len(context.split()))}
        yield from self._stream(req.messages(context), out_tokens)
