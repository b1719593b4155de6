"""Words as the result checks count them: a CJK character is a word, as in word processors, and
function words (what a grammar correction adds, drops or swaps) are not content."""

from __future__ import annotations

import re

WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\d_]+(?:['’][^\W\d_]+)*")
FUNCTION_WORDS = frozenset(
    "the a an and or but if of to in on at by for with from as is are was were be been being am has have had do "
    "does did not no so that this these those it its it's he she they we you i me my your our their his her them "
    "us there than then which who whom what when where while also just very about into onto".split()
    + list("的地得了着过在是和与及就也都很吗呢吧啊")
)


def content_words(text: str) -> list[str]:
    """The casefolded words of `text` that carry its content."""
    return [w for w in (w.casefold() for w in WORD.findall(text)) if w not in FUNCTION_WORDS]
