"""Ask the document: answers a question from the document's own passages, with them as sources.

The best passages for the question (writer.core.retrieval) that fit the model's context go into
the prompt; the model is told to answer from them only, in the language of the question, and to
say a fixed marker when they do not answer it. When retrieval finds nothing relevant, or the
model says the marker, the answer is "The document does not seem to say." and no sources are
shown: an invented answer is never presented as sourced.

The prompt is built prefix-first so a follow-up reuses the model's cache: instructions and
passages first (a follow-up keeps the passages already sent, in the same order, and appends new
ones), then the earlier turns, then the new question.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterator, Union

from writer.core.cleanup import StreamCleaner
from writer.core.errors import UserError
from writer.core.events import Delta, Done, Finished, Note
from writer.core.grounding import grounding
from writer.core.messages import msg
from writer.core.paths import resource
from writer.core.pipeline import TEMPLATE_OVERHEAD, repetition_note
from writer.core.repetition import RepeatWatcher
from writer.core.retrieval import Hit, Passage, PassageIndex, tokenize

NOT_SAID = msg("ask.not_said", "The document does not seem to say.")
MAX_DOCUMENT_CHARS = 20_000_000  # beyond this, the index would need gigabytes of memory
MESSAGE_OVERHEAD = 6  # tokens a chat template adds per message
MIN_ANSWER_TOKENS = 64
MIN_COVERAGE = 0.5  # share of the question's weighted words the best passages must contain
CANDIDATES = 20  # passages ranked per question; the prompt takes those that fit
SOURCE_SCORE_RATIO = 0.5  # a passage is listed as a source when it scores this share of the best
MAX_SOURCES = 4
HISTORY_SHARE = 3  # earlier turns take at most 1/HISTORY_SHARE of the room left for the prompt


@lru_cache(maxsize=1)
def prompt_data() -> dict:
    return json.loads(resource("prompts", "ask.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Source:
    first_line: int  # 1-based, inclusive, in the document
    last_line: int
    quote: str


@dataclass(frozen=True)
class Sources:
    """The passages an answer was given, ends an ask run before Done; empty when the document
    does not say."""
    sources: tuple[Source, ...]


AskEvent = Union[Delta, Note, Sources, Done]


@dataclass(frozen=True)
class Turn:
    question: str
    prompt: str  # the question as sent, so the next prompt repeats it token for token
    answer: str


@dataclass
class Conversation:
    """The turns so far and the passages already in the prompt, for follow-up questions."""
    turns: list[Turn] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)

    def clear(self) -> None:
        self.turns.clear()
        self.passages.clear()


def check_question(question: str) -> str:
    question = question.strip()
    if not question:
        raise UserError("ask.empty_question", "Type a question about the document first.")
    return question


def check_text(text: str) -> None:
    """The checks a document passes before it is indexed (cheap: run them on the GUI thread)."""
    if "\x00" in text:
        raise UserError("ask.binary", "The document contains binary data; Ask works on plain text only.")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise UserError("ask.too_large", "The document has {count} million characters; Ask works on documents "
                        "of up to {limit} million.", count=len(text) // 1_000_000, limit=MAX_DOCUMENT_CHARS // 1_000_000)
    if not text.strip():
        raise UserError("ask.empty_document", "There is nothing to ask about: the document is empty.")


class AskRun:
    """One question. Iterate for events: Delta (the cleaned answer as it streams), Note, then
    Sources and Done. `index` may be a PassageIndex already built for `text`."""

    def __init__(self, engine, context_size: int, question: str, text: str, line_offset: int = 0,
                 conversation: Conversation | None = None, index: PassageIndex | None = None,
                 temperature: float = 0.2, seed: int | None = None, max_tokens: int | None = None) -> None:
        self.question = check_question(question)
        check_text(text)
        self.engine = engine
        self.context_size = context_size
        self.text, self.line_offset = text, line_offset
        self.conversation = conversation if conversation is not None else Conversation()
        self.index = index
        self.params = {"temperature": temperature, "seed": seed}
        self.max_tokens = max_tokens  # the most the answer may have, below the prompt file's own limit
        self._cancelled = threading.Event()
        self._generation = None
        self.repeated = ""  # what the answer repeated, when it looped

    def cancel(self) -> None:
        self._cancelled.set()
        generation = self._generation
        if generation is not None:
            generation.cancel()

    def _check_fits(self) -> None:
        """The instructions and the question alone must leave room for an answer."""
        data = prompt_data()
        self._head = data["system"] + "\n\n" + data["passages"]
        self._asked = data["question"].format(question=self.question)
        n_head, n_asked = self.engine.count_tokens([self._head, self._asked])
        self._fixed = TEMPLATE_OVERHEAD + n_head + n_asked + 2 * MESSAGE_OVERHEAD
        if self._fixed + MIN_ANSWER_TOKENS > self.context_size:
            raise UserError("ask.question_too_long", "The question is too long for the model's context of {context} "
                            "tokens; shorten it.", context=self.context_size)

    # -- retrieval ---------------------------------------------------------------------------
    def _search(self) -> list[Hit]:
        index = self.index
        if index is None or index.text != self.text or index.line_offset != self.line_offset:
            index = self.index = PassageIndex.build(self.text, self.line_offset)
        query = self.question
        if self.conversation.turns:  # "and when does it expire?" needs the question it follows
            query += "\n" + self.conversation.turns[-1].question
        hits = index.search(query, CANDIDATES)
        if not self.conversation.turns and index.coverage(self.question, hits[:3]) < MIN_COVERAGE:
            return []
        return hits

    # -- the prompt --------------------------------------------------------------------------
    def _plan(self, hits: list[Hit]) -> tuple[list[dict], list[Passage], str]:
        """The chat messages, the passages in them and the question as sent, within the context."""
        data = prompt_data()
        asked, head = self._asked, self._head
        kept = list(self.conversation.passages)
        new = [h.passage for h in hits if h.passage not in kept]
        blocks = {p: data["passage"].format(first=p.first_line, last=p.last_line, text=p.text) for p in kept + new}
        turns = self.conversation.turns
        counts = self.engine.count_tokens([*blocks.values(), *(t.prompt for t in turns), *(t.answer for t in turns)])
        sizes = dict(zip(blocks, counts[:len(blocks)]))
        n_turns = [q + a + 2 * MESSAGE_OVERHEAD for q, a in
                   zip(counts[len(blocks):len(blocks) + len(turns)], counts[len(blocks) + len(turns):])]
        self.answer_tokens = min(data["max_answer_tokens"], max(MIN_ANSWER_TOKENS, self.context_size // 4),
                                 self.max_tokens or data["max_answer_tokens"])
        room = self.context_size - self._fixed - self.answer_tokens

        history: list[Turn] = []  # the most recent turns that fit in their share
        spent = 0
        for turn, n in zip(reversed(turns), reversed(n_turns)):
            if spent + n > room // HISTORY_SHARE:
                break
            history.insert(0, turn)
            spent += n
        room -= spent

        # The best new passages for this question are reserved room first; of the passages
        # already sent, a leading run stays, in the same order, so the cached prefix still matches.
        chosen: set[Passage] = set()
        reserve = sum(sizes[p] + 1 for p in new[:3])
        for passage in kept:
            if sizes[passage] + 1 > room - reserve:
                break
            chosen.add(passage)
            room -= sizes[passage] + 1
        for passage in new:
            if sizes[passage] + 1 <= room:
                chosen.add(passage)
                room -= sizes[passage] + 1
        if not chosen and (kept or new):
            raise UserError("ask.context_too_small", "The model's context of {context} tokens is too small to hold "
                            "a passage of the document; raise the context size in Settings.", context=self.context_size)
        ordered = [p for p in kept + new if p in chosen]
        system = head + "\n\n" + "\n\n".join(blocks[p] for p in ordered)
        messages = [{"role": "system", "content": system}]
        for turn in history:
            messages += [{"role": "user", "content": turn.prompt}, {"role": "assistant", "content": turn.answer}]
        messages.append({"role": "user", "content": asked})
        return messages, ordered, asked

    # -- running ------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[AskEvent]:
        self._check_fits()
        hits = self._search()
        if not hits and not self.conversation.passages:
            yield from self._not_said("stop")
            return
        messages, passages, asked = self._plan(hits)
        answer, finish = yield from self._stream(messages)
        marker = prompt_data()["not_found"].lower()
        if finish != "cancelled" and (marker in answer.lower() or not answer.strip()):
            self.conversation.turns.append(Turn(self.question, asked, prompt_data()["not_found"]))
            self.conversation.passages[:] = passages
            yield from self._not_said(finish)
            return
        self.conversation.turns.append(Turn(self.question, asked, answer))
        self.conversation.passages[:] = passages
        if self.repeated:
            yield repetition_note([self.repeated])
        if finish != "cancelled":
            for finding in grounding([p.text for p in passages], self.question, answer):
                yield Note(finding.message, finding.marks)
        yield Sources(self._sources(hits, passages))
        yield Done(answer, finish, self._stats.completion_tokens, self._stats.tokens_per_s)

    def _not_said(self, finish) -> Iterator[AskEvent]:
        yield Note(NOT_SAID)
        yield Sources(())
        yield Done("", finish)

    def _stream(self, messages: list[dict]):
        """Streams the cleaned answer; the start is held while it could still be the marker."""
        marker = prompt_data()["not_found"].lower()
        cleaner, watcher = StreamCleaner(), RepeatWatcher()
        shown, held = [], ""
        self._stats = Finished("stop")
        generation = self._generation = self.engine.generate(messages, max_tokens=self.answer_tokens, **self.params)
        if self._cancelled.is_set():
            generation.cancel()
        finished = False
        try:
            for event in generation:
                if isinstance(event, Delta):
                    out = watcher.feed(cleaner.feed(event.text))
                    if watcher.looped:
                        generation.cancel()  # at once: every further token would be cut anyway
                else:
                    out = watcher.feed(cleaner.finish()) + watcher.finish()
                if isinstance(event, Finished):
                    self._stats, finished = event, True
                    if watcher.looped:  # cut on purpose, said in a note
                        self._stats = replace(event, finish="stop")
                        self.repeated = watcher.repeated
                if not out:
                    continue
                if not shown:
                    held += out
                    start = held.lstrip().lower()
                    if marker.startswith(start) or start.startswith(marker):
                        continue
                    out, held = held, ""
                shown.append(out)
                yield Delta(out)
        finally:
            self._generation = None
            if not finished:  # the caller stopped iterating: the engine must not keep writing
                generation.cancel()
        return "".join(shown) + held, self._stats.finish

    def _sources(self, hits: list[Hit], passages: list[Passage]) -> tuple[Source, ...]:
        """The passages given to the model that scored close to the best for this question; for a
        follow-up that matched nothing new, the passages it was answered from."""
        in_prompt = set(passages)
        scored = [h for h in hits if h.passage in in_prompt]
        picked = [h.passage for h in scored if h.score >= SOURCE_SCORE_RATIO * scored[0].score] if scored else passages
        terms = tokenize(self.question)
        return tuple(Source(p.first_line, p.last_line, p.quote(terms)) for p in picked[:MAX_SOURCES])
