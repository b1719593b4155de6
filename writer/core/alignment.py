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
JOIN_COST = 3.0
SHORT_GROUP = 0.6  # across languages: a joined match this much shorter than its source lost part of it
MAX_SEGMENTS = 400  # beyond this the texts are aligned in a band around the diagonal


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
            tokens = Counter(t.casefold() for t in _TOKEN.findall(body))
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


def _path(src: list[Segment], res: list[Segment], same_language: bool) -> list[tuple[list[Segment], list[Segment]]]:
    n, m = len(src), len(res)
    band = max(10, abs(n - m) + 10) if max(n, m) > MAX_SEGMENTS else max(n, m) + 1
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / max(1, n)
        for j in range(max(0, int(centre - band)), min(m, int(centre + band)) + 1):
            here = cost[i][j]
            if here == inf:
                continue
            for di, dj in _STEPS:
                if i + di > n or j + dj > m:
                    continue
                c = here + _step_cost(src[i:i + di], res[j:j + dj], same_language)
                if c < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = c
                    back[i + di][j + dj] = (di, dj)
    pairs = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        if step is None:  # outside the band: the rest has no counterpart
            pairs.append((src[:i], [])) if i else pairs.append(([], res[:j]))
            break
        di, dj = step
        pairs.append((src[i - di:i], res[j - dj:j]))
        i, j = i - di, j - dj
    return pairs[::-1]


def _step_cost(a: list[Segment], b: list[Segment], same_language: bool) -> float:
    merged = len(a) + len(b) > 2
    if same_language:
        if not a or not b:
            return float(sum(sum(s.tokens.values()) for s in a + b))
        ta, _ = _join(a)
        tb, _ = _join(b)
        return sum((ta - tb).values()) + sum((tb - ta).values()) + (MERGE_COST if merged else 0.0)
    if not a or not b:
        return SKIP_COST
    (_, wa), (_, wb) = _join(a), _join(b)
    return math.log((wb + 10) / (wa + 10)) ** 2 / LENGTH_VARIANCE + (JOIN_COST if merged else 0.0)
