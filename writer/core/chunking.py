"""Splits text too long for the model's context into pieces on natural boundaries.

Paragraphs first (a Markdown code or HTML block counts as one), then sentences (Chinese and Japanese
punctuation included), then, for a single enormous sentence, words or characters. Each piece
remembers the whitespace that followed it, so processed pieces reassemble in the same layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from writer.core.markdown import verbatim_spans

CountTokens = Callable[[Sequence[str]], list[int]]

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|(?<=[。！？；])[」』”’）]*\s*")


@dataclass(frozen=True)
class Piece:
    text: str
    separator: str = ""  # the whitespace that followed this piece
    tokens: int = 0  # its size as counted by split_text


def _split_keep(text: str, pattern: re.Pattern, unbroken: Sequence[tuple[int, int]] = ()) -> list[Piece]:
    """Pieces between matches of `pattern`, except matches inside an `unbroken` character range."""
    pieces, start = [], 0
    ranges = iter(unbroken)
    current = next(ranges, None)
    for m in pattern.finditer(text):
        blank_line = m.start() + 1  # the match begins with the line end before the blank line
        while current and current[1] <= blank_line:
            current = next(ranges, None)
        if current and current[0] <= blank_line:
            continue
        if m.start() > start:
            pieces.append(Piece(text[start : m.start()], m.group()))
            start = m.end()
    if start < len(text):
        pieces.append(Piece(text[start:]))
    return pieces


def paragraphs(text: str) -> list[Piece]:
    """Paragraphs separated by blank lines; blank lines inside a Markdown code or HTML block do not split."""
    return _split_keep(text, _PARAGRAPH_BREAK, verbatim_spans(text))


def sentences(text: str) -> list[Piece]:
    return _split_keep(text, _SENTENCE_END)


def _halve(piece: Piece) -> list[Piece]:
    """Splits at the space nearest the middle, or in the middle for text without spaces."""
    text, mid = piece.text, len(piece.text) // 2
    left, right = text.rfind(" ", 0, mid), text.find(" ", mid)
    candidates = [i for i in (left, right) if 0 < i < len(text) - 1]
    if candidates:
        cut = min(candidates, key=lambda i: abs(i - mid))
        return [Piece(text[:cut], " "), Piece(text[cut + 1 :], piece.separator)]
    return [Piece(text[:mid]), Piece(text[mid:], piece.separator)]


def split_text(text: str, max_tokens: int, count_tokens: CountTokens) -> list[Piece]:
    """Pieces of `text`, each at most `max_tokens` long by `count_tokens`, in order."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    units = _fit(paragraphs(text), max_tokens, count_tokens, level=0)
    return _pack(units, max_tokens)


def _fit(pieces: list[Piece], limit: int, count: CountTokens, level: int) -> list[tuple[Piece, int]]:
    out: list[tuple[Piece, int]] = []
    counts = count([p.text for p in pieces]) if pieces else []
    for piece, n in zip(pieces, counts):
        if n <= limit or len(piece.text) <= 1:
            out.append((piece, n))
            continue
        if level == 0:
            parts = sentences(piece.text)
            parts[-1] = Piece(parts[-1].text, parts[-1].separator + piece.separator)
            if len(parts) == 1:
                parts = _halve(piece)
        else:
            parts = _halve(piece)
        out.extend(_fit(parts, limit, count, level + 1))
    return out


def _pack(units: list[tuple[Piece, int]], limit: int) -> list[Piece]:
    """Greedily merges consecutive units while they fit; a merged piece keeps inner separators."""
    pieces: list[Piece] = []
    group: list[Piece] = []
    total = 0
    for unit, n in units:
        if group and total + n > limit:
            pieces.append(_merge(group, total))
            group, total = [], 0
        group.append(unit)
        total += n
    if group:
        pieces.append(_merge(group, total))
    return pieces


def _merge(group: list[Piece], tokens: int) -> Piece:
    text = "".join(p.text + p.separator for p in group[:-1]) + group[-1].text
    return Piece(text, group[-1].separator, tokens)


def join(pieces: Sequence[Piece], texts: Sequence[str]) -> str:
    """Reassembles processed `texts` with the separators of the original `pieces`."""
    return "".join(t + p.separator for p, t in zip(pieces, texts))
