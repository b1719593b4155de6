"""Finds the passages of a document that answer a question, for documents far beyond the context.

The document is split into passages on paragraph boundaries (writer.core.chunking), each with
the lines it spans, and ranked with BM25 (bm25s). Tokens are lowercased, stemmed words for
alphabetic scripts ("promised" finds "promise") and overlapping character pairs for Chinese,
Japanese and Korean runs: those scripts have no spaces, so whitespace splitting would make a
whole sentence one token, and pairs match most two-character words without a dictionary.
"""

from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterable

import bm25s
import numpy as np
import Stemmer

from writer.core.chunking import paragraphs, sentences

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]")
# Words that say nothing about where an answer is. Chinese needs no list: pairs such as 什么
# are frequent enough for BM25's inverse document frequency to weigh them down.
STOPWORDS = frozenset("""
a an and are as at be been being but by can could did do does doing for from had has have he her
hers him his how i if in into is it its me my no not of on or our ours she so than that the
their them then there these they this those to was we were what when where which who whom why
will with would you your yours about any all also am just more most much some such very
""".split())

MIN_PASSAGE_WEIGHT = 100  # a heading or a one-line paragraph joins the paragraph after it
MAX_PASSAGE_WEIGHT = 1200  # a longer paragraph is cut between sentences
QUOTE_CHARS = 90


_local = threading.local()  # a Stemmer object must not be shared between threads


def _stem(words: list[str]) -> list[str]:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


def tokenize(text: str) -> list[str]:
    """Search tokens: stemmed lowercased words without stopwords, each neighbouring pair of them
    ("roof garden", which finds the phrase among pages that speak of roofs and gardens), and
    character pairs of CJK runs."""
    tokens: list[str] = []
    words: list[str] = []
    for run in _TOKEN.findall(text.lower()):
        if _CJK_RUN.match(run):
            tokens.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
        elif run not in STOPWORDS:
            words.append(run)
    stems = _stem(words)
    tokens.extend(stems)
    tokens.extend(f"{a} {b}" for a, b in zip(stems, stems[1:]))
    return tokens


def _is_pair(token: str) -> bool:
    return " " in token or bool(_CJK_RUN.match(token))


def weight(text: str) -> int:
    """A passage's size in roughly tokens×4: a CJK character costs about as much as a short word."""
    return len(text) + 3 * len(_CJK_RUN.findall(text))


@dataclass(frozen=True)
class Passage:
    text: str
    start: int  # character offset in the indexed text
    first_line: int  # 1-based, in the document (the scope's line offset added)
    last_line: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def quote(self, query_tokens: Iterable[str] = ()) -> str:
        """The sentence that shares the most tokens with the question, shortened to fit a line."""
        wanted = set(query_tokens)
        best = max(sentences(self.text) or [], key=lambda s: len(wanted & set(tokenize(s.text))), default=None)
        text = " ".join((best.text if best else self.text).split())
        return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rstrip() + "…"


def split_passages(text: str, line_offset: int = 0) -> list[Passage]:
    """Passages on paragraph boundaries: short ones merged forward, long ones cut at sentences."""
    spans: list[tuple[int, int]] = []  # (start, end) of each unit, in order
    pos = 0
    for para in paragraphs(text):
        start = text.index(para.text, pos) if para.text else pos
        if weight(para.text) <= MAX_PASSAGE_WEIGHT:
            spans.append((start, start + len(para.text)))
        else:
            spans.extend(_sentence_spans(para.text, start))
        pos = start + len(para.text)
    passages: list[Passage] = []
    line = line_offset + 1
    line_at = 0  # the character offset `line` was counted up to
    group_start = None
    for i, (start, end) in enumerate(spans):
        group_start = start if group_start is None else group_start
        small = weight(text[group_start:end]) < MIN_PASSAGE_WEIGHT and i + 1 < len(spans)
        if small and weight(text[group_start:spans[i + 1][1]]) <= MAX_PASSAGE_WEIGHT:
            continue
        body = text[group_start:end]
        if body.strip():
            line += text.count("\n", line_at, group_start)
            passages.append(Passage(body, group_start, line, line + body.count("\n")))
            line_at = group_start
        group_start = None
    return passages


def _sentence_spans(text: str, offset: int) -> list[tuple[int, int]]:
    """A long paragraph as runs of whole sentences, each run within MAX_PASSAGE_WEIGHT."""
    spans, start, pos = [], 0, 0
    for piece in sentences(text):
        end = pos + len(piece.text)
        if pos > start and weight(text[start:end]) > MAX_PASSAGE_WEIGHT:
            spans.append((offset + start, offset + len(text[:pos].rstrip())))
            start = pos
        pos = end + len(piece.separator)
    spans.append((offset + start, offset + len(text.rstrip())))
    return spans


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def _cyclic_gc_paused():
    """Indexing allocates millions of small acyclic objects, which sets off full collections
    that hold the interpreter lock for hundreds of milliseconds (the editor's event loop stalls)
    and double the time a 10 MB document takes. Nested and concurrent builds are counted."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


class PassageIndex:
    """BM25 over one text's passages; immutable once built, so one thread may search it while
    another builds its successor. Building from a `previous` index re-tokenizes only the
    passages that changed; bm25s then rebuilds its sparse matrix, which is the cheap part."""

    def __init__(self, text: str = "", line_offset: int = 0, passages: list[Passage] | None = None,
                 tokens: list[list[str]] | None = None) -> None:
        self.text, self.line_offset = text, line_offset
        self.passages = passages or []
        self._tokens = {p.text: t for p, t in zip(self.passages, tokens or [])}
        self._bm25: bm25s.BM25 | None = None
        self._vocab: dict[str, int] = {}
        self._doc_freq: np.ndarray | None = None
        if self.passages and tokens and any(tokens):
            # Every passage needs a token for bm25s to keep its rows aligned with our passages.
            bm25 = bm25s.BM25()
            bm25.index([t or ["\x00"] for t in tokens], show_progress=False)
            self._bm25, self._vocab = bm25, bm25.vocab_dict
            self._doc_freq = np.diff(bm25.scores["indptr"])  # column pointers: passages per token

    @classmethod
    def build(cls, text: str, line_offset: int = 0, progress: Callable[[int, int], None] | None = None,
              previous: "PassageIndex | None" = None) -> "PassageIndex":
        """Indexes `text`; `progress(done, total)` is called every few thousand passages."""
        if previous is not None and previous.text == text and previous.line_offset == line_offset:
            return previous
        with _cyclic_gc_paused():
            return cls._build(text, line_offset, progress, previous)

    @classmethod
    def _build(cls, text, line_offset, progress, previous) -> "PassageIndex":
        passages = split_passages(text, line_offset)
        known = previous._tokens if previous is not None else {}
        tokens = []
        for i, passage in enumerate(passages):
            toks = known.get(passage.text)
            tokens.append(toks if toks is not None else tokenize(passage.text))
            if progress and i % 2000 == 0:
                progress(i, len(passages))
        index = cls(text, line_offset, passages, tokens)
        if progress:
            progress(len(passages), len(passages))
        return index

    def search(self, question: str, limit: int = 20) -> list[Hit]:
        """The best passages for `question` by BM25, best first; passages that share no token
        with it are left out."""
        terms = [t for t in tokenize(question) if t in self._vocab]
        if self._bm25 is None or not terms:
            return []
        scores = self._bm25.get_scores(terms)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [Hit(self.passages[i], float(scores[i])) for i in order if scores[i] > 0]

    def coverage(self, question: str, hits: list[Hit]) -> float:
        """How much of the question the passages contain, from 0 to 1, each word weighted by its
        rarity in the document. A word absent from the whole document counts fully against it (the
        document does not speak of it); a CJK pair absent from the document does not, since most
        pairs that cross a word boundary ("谁负" in 谁负责) occur nowhere, nor do most pairs of words."""
        n = max(len(self.passages), 1)
        found = set()
        for hit in hits:
            found.update(self._tokens.get(hit.passage.text, ()))
        total = got = 0.0
        for term in set(tokenize(question)):
            column = self._vocab.get(term)
            if column is None:
                if _is_pair(term):
                    continue
                rarity = float(np.log(1 + n))
            else:
                rarity = float(np.log(1 + n / self._doc_freq[column]))
            total += rarity
            got += rarity if term in found else 0.0
        return got / total if total else 0.0
