"""Word and character counts that make sense for Chinese and Japanese too."""

from __future__ import annotations

import re

# Each CJK ideograph, kana or hangul syllable counts as one word, as word processors do.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


def count_words(text: str) -> int:
    """Markup and punctuation on their own ('#', '-', '。') are not words."""
    return sum(1 for w in _WORD.findall(text) if any(c.isalnum() for c in w))


def count_characters(text: str) -> int:
    """Characters without line breaks."""
    return len(text) - text.count("\n")


def chunks(text: str, size: int = 65536):
    """Slices of `text` cut at whitespace, so counting them one by one gives the same totals."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        while end < len(text) and not text[end].isspace():
            end += 1
        yield text[start:end]
        start = end
