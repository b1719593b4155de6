"""Checks of a finished result, so a writer knows when not to trust it.

`check_result(request, result)` returns warnings as messages, each one sentence with the way out;
`result_findings` adds what each is about in the result (writer.core.fidelity: dropped, added
and changed sentences and facts). They never block the result and never raise: text too short or
too mixed to judge is not flagged.
"""

from __future__ import annotations

import difflib
import re

from writer.core.actions import ActionRequest
from writer.core.fidelity import SIMILAR, Finding, fidelity
from writer.core.language_id import base_code, identify, language_name
from writer.core.languages import find_language
from writer.core.messages import Message, msg
from writer.core.words import FUNCTION_WORDS, WORD

# Rewrite styles whose result cannot be the text itself; a proofread of a clean text may be.
MUST_CHANGE = ("formal", "friendly", "concise", "expand", "simplify")
# Openers of a reply to the user, as they remain after clean-up (writer.core.cleanup) removed
# whole preamble lines: "Sure, I've already done that.", "I'm sorry, but…", "以下是…".
_CHATTER = re.compile(
    r"^\s*(?:sure\b|certainly\b|of course\b|absolutely\b|okay\b|ok\b|i'm sorry|i am sorry|sorry\b|as an ai\b|"
    r"as a language model|i can't|i cannot|i can help|i'd be happy|i would be happy|i'll |i will |i've |"
    r"i have (?:already|done|made|corrected|rewritten|translated|summari[sz]ed)|here is|here's|here are|"
    r"below is|the text you|your text|you asked|"
    r"以下是|这是|這是|下面是|好的|当然|當然|抱歉|对不起|對不起|作为一个|作為一個|我已经|我已經|我无法|我無法|我不能|您提供的|你提供的)",
    re.IGNORECASE,
)
_PARAGRAPHS = re.compile(r"\n\s*\n")
MAX_PARAGRAPHS = 20  # enough to catch a note after a short text; a long one is judged by its start
_WRAPPED = re.compile(r'^\s*(```|""")[\s\S]*\1\s*$')
MIN_PROOFREAD_WORDS = 12  # shorter texts cannot be judged: every edit is a large share of them
PROOFREAD_LIMIT = 0.2  # share of content words a proofread may change beyond spelling fixes
MAX_COMPARED_WORDS = 600  # a proofread is judged on its first pages: diffing a whole book takes minutes


def check_result(request: ActionRequest, result: str) -> list[Message]:
    """Warnings about `result`, the finished text of `request` (a validated request)."""
    return [f.message for f in result_findings(request, result)]


def result_findings(request: ActionRequest, result: str) -> list[Finding]:
    """The warnings of check_result, each with the parts of the result it is about."""
    return [Finding(m) for m in _overall(request, result)] + fidelity(request, result)


def _overall(request: ActionRequest, result: str) -> list[Message]:
    """Warnings about the result as a whole: empty, chatter, echo, language, a proofread's edits."""
    if request.action == "generate":
        return []  # creative writing has no original to compare with
    if not result.strip():
        return [msg("result.empty", "The model gave no result; try again, or choose a stronger model (in the model "
                                    "manager).")]
    warnings = []
    chatter = _chatter(request.text, result)
    if chatter:
        warnings.append(chatter)
    problem = _echo(request, result) or _wrong_language(request, result)
    if problem:
        warnings.append(problem)
    if request.action == "rewrite" and request.style == "proofread":
        words = len(_content_words(request.text))
        edits = content_edits(request.text, result)
        if words >= MIN_PROOFREAD_WORDS and edits > max(3, PROOFREAD_LIMIT * words):
            warnings.append(msg(
                "result.proofread_rewrote",
                "The proofread changed {count} word beyond spelling and grammar; review the changes (Show changes) "
                "before applying it, or choose a stronger model (in the model manager).",
                plural="The proofread changed {count} words beyond spelling and grammar; review the changes (Show "
                "changes) before applying it, or choose a stronger model (in the model manager).", count=edits))
    return warnings


def _chatter(source: str, result: str) -> Message | None:
    opener = _CHATTER.match(result)
    own_words = opener and source.lstrip().lower().startswith(opener.group(0).strip().lower())
    wrapped = _WRAPPED.match(result) and not _WRAPPED.match(source)
    if (opener and not own_words) or wrapped:
        return msg("result.chatter", "The result starts with a remark to you instead of the text you asked for; "
                                     "try again, or choose a stronger model (in the model manager).")
    return None


def _same_words(a: str, b: str) -> bool:
    if a.split(None, 50)[:50] != b.split(None, 50)[:50]:
        return False  # settled without splitting a long text
    return a.split() == b.split()


def _echo(request: ActionRequest, result: str) -> Message | None:
    if not _same_words(request.text, result):
        return None
    if request.action == "translate":
        if identify(request.text) == base_code(request.language):
            return None  # it was in that language already: nothing to translate
        return msg("result.unchanged",
                   "The model returned the text unchanged: it may already be in {language}, or the model may be too "
                   "small to translate it; a larger model translates better (choose one in the model manager).",
                   language=_name(find_language(request.language).name))
    if request.action == "rewrite" and request.style in MUST_CHANGE:
        return msg("result.unchanged_rewrite", "The model returned the text unchanged instead of rewriting it; try "
                                               "again, or choose a stronger model (in the model manager).")
    return None


def _wrong_language(request: ActionRequest, result: str) -> Message | None:
    if request.action == "translate":
        # Paragraph by paragraph: a translation followed by a note in English is mixed as a whole.
        found = {identify(p) for p in _PARAGRAPHS.split(result)[:MAX_PARAGRAPHS]} - {None}
        if found - {base_code(request.language)}:
            return msg("result.wrong_language", "The result does not seem to be in {language}; the model may be too "
                       "small to translate into it: choose a stronger model (in the model manager), or try again.",
                       language=_name(find_language(request.language).name))
        return None
    if request.action == "rewrite" and request.style == "custom":
        return None  # the instruction may ask for another language
    expected = identify(request.text)
    found = identify(result) if expected else None
    if found and found != expected:
        return msg("result.not_input_language", "The result is not in the language of your text ({language}); try "
                                                "again, or choose a stronger model (in the model manager).",
                   language=_name(language_name(expected)))
    return None


def _name(language: str) -> Message:
    """A language name as a message value, so the editor shows it in the interface language."""
    return msg("language.name", language)


def _content_words(text: str) -> list[str]:
    """The first MAX_COMPARED_WORDS content words (a word is rarely over 20 characters with its spaces)."""
    words = [w.casefold().replace("’", "'") for w in WORD.findall(text[:20 * MAX_COMPARED_WORDS])]
    return [w for w in words if w not in FUNCTION_WORDS][:MAX_COMPARED_WORDS]


def content_edits(original: str, result: str) -> int:
    """Content words the result added, dropped or replaced, not counting spelling fixes
    (a replaced word close to the original one, like "recieve" -> "receive" or "dont" -> "don't")."""
    a, b = _content_words(original), _content_words(result)
    edits = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        added = [w.replace("'", "") for w in b[j1:j2]]
        unmatched = 0
        for word in (w.replace("'", "") for w in a[i1:i2]):
            close = difflib.get_close_matches(word, added, n=1, cutoff=SIMILAR)
            if close:
                added.remove(close[0])
            else:
                unmatched += 1
        edits += max(unmatched, len(added))  # a replaced word is one edit, not a removal and an addition
    return edits
