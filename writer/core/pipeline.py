"""Runs an action on an engine: sizing, splitting long text, streaming clean output.

Works with any engine (writer.engine.base.Engine): it only counts tokens and generates.
Yields typed events (writer.core.events), so the command line prints them and the editor turns
them into signals: Progress before each piece of a long text, Delta with cleaned text as it
arrives, Note for something the user should know, and finally Done with the whole result.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable, Iterator, Union

from writer.core.actions import ActionRequest
from writer.core.checks import result_findings
from writer.core.chunking import Piece, split_text
from writer.core.cleanup import StreamCleaner
from writer.core.errors import UserError
from writer.core.events import Delta, Done, Finish, Finished, Note, Progress, RunEvent
from writer.core.markdown import Run, hide_links, one_line, restore_links, runs
from writer.core.messages import msg
from writer.core.repetition import RepeatWatcher

TEMPLATE_OVERHEAD = 48  # tokens a chat template adds around the messages
MIN_PIECE_TOKENS = 64  # smaller pieces lose too much context to be worth processing


@dataclass(frozen=True)
class _PieceDone:
    """One generation ended (internal to a run): its cleaned text and why it ended."""
    text: str
    finish: Finish


Step = Union[RunEvent, _PieceDone]


@dataclass(frozen=True)
class _Piece:
    """One generation an action needs: its prompt, its token limit, and how its text is shown."""
    messages: list[dict]
    max_tokens: int
    flat: Callable[[str], str] = str  # one_line for a piece that must stay on one line
    targets: tuple = ()  # link targets hidden from the model, restored once the piece is whole


class _PieceText:
    """One piece's output on its way to the user: cleaned as it streams, or, when link targets
    must go back in, shown whole at the end."""

    def __init__(self, request: ActionRequest, piece: _Piece, show: bool) -> None:
        self.piece = piece
        self.cleaner = StreamCleaner(request.text, edit_reports=request.action == "rewrite")
        self.watcher = RepeatWatcher(request.text)
        self.streamed = show and not piece.targets
        self.whole = show and bool(piece.targets)
        self.parts: list[str] = []

    @property
    def looped(self) -> bool:
        """The model went round in a loop: the repeats were cut and the generation should stop."""
        return self.watcher.looped

    def feed(self, raw: str) -> list[Step]:
        return self._out(self.watcher.feed(self.cleaner.feed(raw)))

    def end(self, finish: Finish) -> list[Step]:
        steps = self._out(self.watcher.feed(self.cleaner.finish()) + self.watcher.finish())
        if self.looped:
            finish = "stop"  # cut on purpose (said in a note), neither cancelled nor at the limit
        text = "".join(self.parts)
        if self.whole:
            steps.append(Delta(restore_links(self.piece.flat(text), list(self.piece.targets))))
        return steps + [_PieceDone(text, finish)]

    def _out(self, out: str) -> list[Step]:
        if not out:
            return []
        self.parts.append(out)
        return [Delta(self.piece.flat(out))] if self.streamed else []


class ActionRun:
    def __init__(self, engine, request: ActionRequest, context_size: int, max_tokens: int | None = None,
                 temperature: float | None = None, seed: int | None = None, parallel: int = 1,
                 drafting: bool = False) -> None:
        self.engine = engine
        self.request = request.validated()
        self.context_size = context_size
        # Pieces the engine writes at once (writer.engine.parallel). A proofread mostly copies its
        # input, and with drafts one by one it went faster than three at once (a 5,000-word
        # proofread on 2 cores: x1.27 against x1.16), so an engine that drafts proofreads one by one.
        proofread = self.request.action == "rewrite" and self.request.style == "proofread"
        self.parallel = 1 if drafting and proofread else parallel
        self.max_tokens = max_tokens
        # Only what the caller chose: the engine has the defaults (writer.engine.protocol.Sampling).
        self.params = {k: v for k, v in (("temperature", temperature), ("seed", seed)) if v is not None}
        self._cancelled = threading.Event()
        self._current = None
        self._stats = {"completion_tokens": 0, "tokens_per_s": 0.0}
        self._repeated: list[str] = []  # what each piece that looped repeated

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
    def __iter__(self) -> Iterator[RunEvent]:
        req = self.request
        finish: Finish = "stop"
        if req.action in ("translate", "rewrite"):
            runner = self._piecewise()
        elif req.action == "summarize":
            runner = self._summarize()
        else:
            runner = self._generate()
        parts: list[str] = []
        for event in runner:
            if isinstance(event, Delta):
                parts.append(event.text)
            elif isinstance(event, _PieceDone):
                if event.finish in ("length", "context") and finish != "cancelled":
                    finish = "length"
                if event.finish == "cancelled":
                    finish = "cancelled"
                continue
            yield event
            if self._cancelled.is_set():
                finish = "cancelled"
                break
        text = "".join(parts)
        if finish == "length":
            yield Note(msg("result.token_limit", "The result stopped at the token limit and may be incomplete."))
        if self._repeated:
            yield repetition_note(self._repeated)
        if finish != "cancelled":
            yield from result_notes(req, text)
        yield Done(text, finish, **self._stats)

    def _stream(self, messages: list[dict], max_tokens: int, show: bool = True) -> Iterator[Step]:
        """One generation, cleaned; ends with a _PieceDone carrying its whole text."""
        yield from self._write([_Piece(messages, max_tokens)], [[]], show)

    def _write(self, pieces: list[_Piece], leads: list[list[Step]], show: bool = True) -> Iterator[Step]:
        """The pieces' output in order, each after its lead (the text and progress before it);
        written several at once when the engine says it can (ModelInfo.parallel). Stops after a
        piece if cancelled."""
        if self.parallel > 1 and len(pieces) > 1:
            yield from self._write_together(pieces, leads, show)
            return
        for piece, lead in zip(pieces, leads):
            yield from lead
            text = _PieceText(self.request, piece, show)
            self._current = self.engine.generate(messages=piece.messages, max_tokens=self._limit(piece), **self.params)
            if self._cancelled.is_set():
                self._current.cancel()
            try:
                for event in self._current:
                    yield from text.feed(event.text) if isinstance(event, Delta) else self._ended(text, event)
                    if text.looped and isinstance(event, Delta):
                        self._current.cancel()  # at once: every further token would be cut anyway
            finally:
                self._current = None
            if self._cancelled.is_set():
                return

    def _write_together(self, pieces: list[_Piece], leads: list[list[Step]], show: bool) -> Iterator[Step]:
        """Like _write, with the engine writing several pieces at once: the first unfinished piece
        streams; the output of pieces after it waits until it is finished. A cancel or a failure
        keeps what was shown, as when pieces go one by one."""
        texts = [_PieceText(self.request, piece, show) for piece in pieces]
        held: list[list[Step]] = [[] for _ in pieces]
        ended = [False] * len(pieces)
        front = 0
        self._current = self.engine.generate_pieces([(p.messages, self._limit(p)) for p in pieces], **self.params)
        if self._cancelled.is_set():
            self._current.cancel()
        try:
            yield from leads[0]
            for event in self._current:
                i = event.piece
                steps = texts[i].feed(event.text) if isinstance(event, Delta) else self._ended(texts[i], event)
                ended[i] = isinstance(event, Finished)
                if i != front:
                    held[i].extend(steps)
                    continue
                yield from steps
                while ended[front]:
                    if self._cancelled.is_set():
                        return
                    front += 1
                    if front == len(pieces):
                        return
                    yield from leads[front]
                    yield from held[front]
                    held[front] = []
        finally:
            self._current = None

    def _ended(self, text: _PieceText, event: Finished) -> list[Step]:
        """A piece's generation ended. (Writing several at once, a piece that looped goes on to
        its token limit, unseen: the engine stops pieces only all together.)"""
        self._stats["completion_tokens"] += event.completion_tokens
        self._stats["tokens_per_s"] = event.tokens_per_s
        steps = text.end(event.finish)
        if text.looped:
            self._repeated.append(text.watcher.repeated)
        return steps

    def _limit(self, piece: _Piece) -> int:
        return min(piece.max_tokens, self.max_tokens) if self.max_tokens else piece.max_tokens

    def _split(self, text: str, budget: int) -> list[Piece]:
        return split_text(text, budget, self.engine.count_tokens)

    def _piecewise(self) -> Iterator[Step]:
        """Translate and rewrite: each piece in order, everything between pieces copied as it was.
        Markdown structure (code, HTML, markers, tables, link definitions) never reaches the model;
        plain text is translated paragraph by paragraph and rewritten as a whole."""
        req = self.request
        ratio = req.output_ratio()
        budget = self._input_budget(req.task(), 0, ratio)
        parts = runs(req.text, whole_plain=req.action == "rewrite")
        prose = [r.text for r in parts if r.prose]
        sizes = iter(self.engine.count_tokens(prose) if prose else [])
        work: list[tuple[str, Run | None, int]] = []  # (text, its run if it goes to the model, tokens)
        for run in parts:
            if not run.prose:
                work.append((run.text, None, 0))
                continue
            n = next(sizes)
            for piece in [Piece(run.text, tokens=n)] if n <= budget else self._split(run.text, budget):
                work.append((piece.text, run, piece.tokens))
                work.append((piece.separator, None, 0))
        total = sum(1 for _, run, _ in work if run)
        pieces: list[_Piece] = []
        leads: list[list[Step]] = []
        lead: list[Step] = []  # what comes before the next piece
        for text, run, tokens in work:
            if not run:
                if text:
                    lead.append(Delta(text))
                continue
            if total > 1:
                lead.append(Progress(len(pieces) + 1, total))
            # Inline code and link targets are hidden from the model and go back in afterwards.
            hidden, targets = hide_links(text)
            pieces.append(_Piece(req.messages(hidden), math.ceil(tokens * ratio) + 64,
                                 one_line if run.one_line else str, tuple(targets)))
            leads.append(lead)
            lead = []
        yield from self._write(pieces, leads)
        if not self._cancelled.is_set():
            yield from lead

    def _summarize(self) -> Iterator[Step]:
        """Map-reduce: summarize each piece, then summarize the summaries until one is left."""
        req = self.request
        out_tokens = req.fixed_max_tokens()
        budget = self._input_budget(req.combine_task(), out_tokens)
        pieces = self._split(req.text.strip(), budget)
        if len(pieces) == 1:
            yield from self._stream(req.messages(pieces[0].text), out_tokens)
            return
        partial = []
        leads = [[Progress(i + 1, len(pieces) + 1)] for i in range(len(pieces))]
        for event in self._write([_Piece(req.messages(p.text), out_tokens) for p in pieces], leads, show=False):
            if isinstance(event, _PieceDone):
                partial.append(event.text)
            else:
                yield event
        if self._cancelled.is_set():
            yield _PieceDone("", "cancelled")
            return
        combined = "\n\n".join(partial)
        groups = self._split(combined, budget)
        while len(groups) > 1:
            shorter = "\n\n".join(self._collect(req.messages(g.text, req.combine_task()), out_tokens) for g in groups)
            if self._cancelled.is_set():
                yield _PieceDone("", "cancelled")
                return
            regrouped = self._split(shorter, budget)
            if len(regrouped) >= len(groups):
                raise UserError("action.cannot_condense", "The model could not condense this document enough to summarize it; choose a model with a larger context.")
            combined, groups = shorter, regrouped
        yield Progress(len(pieces) + 1, len(pieces) + 1)
        yield from self._stream(req.messages(combined, req.combine_task()), out_tokens)

    def _collect(self, messages: list[dict], max_tokens: int) -> str:
        result = ""
        for event in self._stream(messages, max_tokens, show=False):
            if isinstance(event, _PieceDone):
                result = event.text
        return result

    def _generate(self) -> Iterator[Step]:
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
            yield Note(msg("result.context_tail", "The text is longer than the model's context; the last {count} word is "
                           "used as context.", plural="The text is longer than the model's context; the last {count} "
                           "words are used as context.", count=len(context.split())))
        yield from self._stream(req.messages(context), out_tokens)


def likely_prompt(request: ActionRequest, context_size: int) -> list[dict] | None:
    """The messages an ActionRun for `request` would send first, when it sends the text in one
    piece (what the editor reads ahead); None when the text goes in pieces or is not valid."""
    try:
        req = request.validated()
    except UserError:
        return None
    if req.action == "translate" or len(req.text) > context_size:
        return None  # translation goes block by block; a longer text may be split
    if req.action == "rewrite":
        prose = [run.text for run in runs(req.text, whole_plain=True) if run.prose]
        return req.messages(hide_links(prose[0])[0]) if len(prose) == 1 else None
    if req.action == "summarize":
        return req.messages(req.text.strip())
    return req.messages(req.text)


def result_notes(request: ActionRequest, text: str) -> Iterator[Note]:
    """The result checks (writer.core.checks) as notes shown with the result."""
    for finding in result_findings(request, text):
        yield Note(finding.message, finding.marks)


def repetition_note(repeated: list[str]) -> Note:
    """The model looped (writer.core.repetition): the repeats were cut; marks what repeated."""
    return Note(msg("result.repetition", "The model started repeating itself; the result was cut there."),
                tuple(repeated))
