"""Sentence alignment of a source and its result, to find dropped and added sentences.

Both texts are cut into segments (lines, then sentences with writer.core.chunking's splitting,
Chinese and Japanese punctuation included) and aligned in order by dynamic programming, as
translation memories align a text with its translation: a segment matches one or two segments
of the other text, or nothing. In the same language a match costs the words that differ; across
languages it costs the difference in length (Gale and Church's idea, with a CJK character worth
about three Latin letters). A source segment left alone is dropped, a result segment left alone
is added; in the same language, a segment matched to one that keeps few of its words is too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from writer.core.chunking import sentences
from writer.core.words import FUNCTION_WORDS

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
CJK_WEIGHT = 3  # a CJK character says about as much as three letters of a Latin-script language
KEPT = 0.4  # a same-language segment that keeps less than this share of its words has no counterpart
MERGE_COST = 0.5  # words, for joining two sentences into one: a small price, so 1-1 is preferred
LENGTH_VARIANCE = 0.12  # of the log length ratio of a sentence and its translation
# Across languages, in squared standard deviations of the length ratio: a sentence with no
# counterpart, and two sentences translated as one. Translations keep their sentences far more
# often than they join them, so a join must fit the lengths clearly better than a drop does.
SKIP_COST = 2.5
JOIN_COST = 4.0
SHORT_GROUP = 0.6  # across languages: a joined match this much shorter than its source lost part of it


@dataclass(frozen=True)
class Segment:
    text: str
    start: int  # offset in its text
    tokens: Counter
    weight: int  # length, CJK characters counted CJK_WEIGHT times


@dataclass(frozen=True)
class Gap:
    """Segments of one text with no counterpart in the other (or, `partly`, one much shorter)."""
    segments: tuple[Segment, ...]
    partly: bool = False


@dataclass
class Alignment:
    dropped: list[Gap]  # source segments missing from the result
    added: list[Gap]  # result segments not in the source
    matched: list[tuple[str, str]]  # the text of segments that match, source then result


def segments(text: str) -> list[Segment]:
    out = []
    offset = 0
    for line in text.splitlines(keepends=True):
        at = offset
        for piece in sentences(line.rstrip("\n")):
            start = line.find(piece.text, at - offset) + offset
            body = piece.text.strip()
            words = [t.casefold() for t in _TOKEN.findall(body)]
            # Content words align and judge best ("the" is in every sentence); a sentence of
            # function words only is judged by all of them.
            tokens = Counter([w for w in words if w not in FUNCTION_WORDS] or words)
            if tokens:
                out.append(Segment(body, start + piece.text.find(body), tokens,
                                   len(body) + (CJK_WEIGHT - 1) * len(_CJK_CHAR.findall(body))))
            at = start + len(piece.text)
        offset += len(line)
    return out


def _join(group: list[Segment]) -> tuple[Counter, int]:
    tokens: Counter = Counter()
    for s in group:
        tokens.update(s.tokens)
    return tokens, sum(s.weight for s in group)


def align(source: str, result: str, same_language: bool) -> Alignment:
    src, res = segments(source), segments(result)
    pairs = _path(src, res, same_language)
    dropped, added, matched = [], [], []
    for a, b in pairs:
        if not b:
            dropped.append(Gap(tuple(a)))
        elif not a:
            added.append(Gap(tuple(b)))
        elif same_language:
            b_tokens, _ = _join(b)
            a_tokens, _ = _join(a)
            lost = [Gap((s,)) for s in a if _kept_share(s.tokens, b_tokens) < KEPT]
            new = [Gap((s,)) for s in b if _kept_share(s.tokens, a_tokens) < KEPT]
            dropped += lost
            added += new
            if not lost and not new:
                matched.append((" ".join(s.text for s in a), " ".join(s.text for s in b)))
        else:
            (_, wa), (_, wb) = _join(a), _join(b)
            if len(a) > len(b) and wb < SHORT_GROUP * wa:
                dropped.append(Gap(tuple(a), partly=True))
    return Alignment(dropped, added, matched)


def _kept_share(tokens: Counter, other: Counter) -> float:
    return sum((tokens & other).values()) / max(1, sum(tokens.values()))


# (source segments, result segments) a step takes
_STEPS = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))
BAND = 6  # segments a path may stray from the diagonal (drawn from corner to corner)


def _path(src: list[Segment], res: list[Segment], same_language: bool) -> list[tuple[list[Segment], list[Segment]]]:
    """The cheapest alignment, searched in a band around the diagonal: texts that keep their order
    stay near it, and the band keeps a long text's alignment linear in its length."""
    n, m = len(src), len(res)
    band = BAND
    cost_of = _Costs(src, res, same_language)
    inf = float("inf")
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}
    for i in range(n + 1):
        centre = i * m / max(1, n)
        for j in range(max(0, int(centre - band)), min(m, int(centre + band)) + 1):
            here = cost.get((i, j), inf)
            if here == inf:
                continue
            for di, dj in _STEPS:
                if i + di > n or j + dj > m:
                    continue
                c = here + cost_of(i, di, j, dj)
                if c < cost.get((i + di, j + dj), inf):
                    cost[i + di, j + dj] = c
                    back[i + di, j + dj] = (di, dj)
    pairs = []
    i, j = n, m
    while i or j:
        step = back.get((i, j))
        if step is None:  # outside the band: the rest has no counterpart
            pairs.append((src[:i], res[:j]) if i and j else (src[:i], []) if i else ([], res[:j]))
            break
        di, dj = step
        pairs.append((src[i - di:i], res[j - dj:j]))
        i, j = i - di, j - dj
    return pairs[::-1]


class _Costs:
    """The cost of a step: in the same language the distinct words that differ, across languages
    the squared log ratio of the lengths. Sizes and joined pairs are computed once per segment."""

    def __init__(self, src: list[Segment], res: list[Segment], same_language: bool) -> None:
        self.same = same_language
        self.src = [(frozenset(s.tokens), s.weight) for s in src]
        self.res = [(frozenset(s.tokens), s.weight) for s in res]
        self.src2 = [(a[0] | b[0], a[1] + b[1]) for a, b in zip(self.src, self.src[1:])]
        self.res2 = [(a[0] | b[0], a[1] + b[1]) for a, b in zip(self.res, self.res[1:])]

    def __call__(self, i: int, di: int, j: int, dj: int) -> float:
        a = self.src[i] if di == 1 else self.src2[i] if di == 2 else None
        b = self.res[j] if dj == 1 else self.res2[j] if dj == 2 else None
        joined = di + dj > 2
        if self.same:
            if a is None or b is None:
                return float(len((a or b)[0]))
            return len(a[0] ^ b[0]) + (MERGE_COST if joined else 0.0)
        if a is None or b is None:
            return SKIP_COST
        return math.log((b[1] + 10) / (a[1] + 10)) ** 2 / LENGTH_VARIANCE + (JOIN_COST if joined else 0.0)
