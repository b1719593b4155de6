"""Is an Ask answer grounded in the passages it was given? Numbers, names, quoted phrases, code
and lists of the answer that the passages do not contain are flagged beside the answer, and an
answer not in the language of the question too. A small model states "33万" where its passage
says "68万" as calmly as the truth: only the passages can tell them apart.
"""

from __future__ import annotations

import re

from writer.core.facts import names, numbers, values
from writer.core.fidelity import Finding
from writer.core.language_id import identify, language_name
from writer.core.messages import msg

_QUOTED = re.compile(r"“([^”\n]{3,})”|\"([^\"\n]{3,})\"|「([^」\n]{2,})」|『([^』\n]{2,})』|«\s?([^»\n]{3,}?)\s?»")
_CODE_BLOCK = re.compile(r"```[^\n]*\n([\s\S]*?)```|`([^`\n]{3,})`")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.+)$", re.MULTILINE)
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")
GROUNDED_ITEM = 0.5  # share of a list item's words the passages must have for it to come from them
MAX_LISTED = 4


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def grounding(passages: list[str], question: str, answer: str) -> list[Finding]:
    """Findings about `answer`, given the passages in its prompt and the question it answers."""
    if not answer.strip():
        return []
    findings = []
    language = _wrong_language(question, answer)
    if language:
        findings.append(language)
    known = "\n\n".join(passages) + "\n\n" + question  # the answer may repeat the question's words
    flat = _flat(known)
    quotes = [q for q in _quotes(answer) if _flat(q) not in flat]
    unknown = [f.text for f in numbers(answer) if f.key not in values(known)]
    unknown += [f.text for f in names(answer) if str(f.key) not in flat and not any(f.text in q for q in quotes)]
    unknown += quotes
    if unknown:
        unknown = list(dict.fromkeys(unknown))
        listed = ", ".join(unknown[:MAX_LISTED]) + (f" (+{len(unknown) - MAX_LISTED})" if len(unknown) > MAX_LISTED else "")
        findings.append(Finding(msg("ask.not_in_sources", "Not in the sources: {facts}; check the answer against them.",
                                    facts=listed), tuple(unknown)))
    code = [m.group(1) or m.group(2) for m in _CODE_BLOCK.finditer(answer)]
    invented = [c for c in code if c.strip() and _flat(c) not in flat]
    if invented:
        findings.append(Finding(msg("ask.code_not_in_sources", "The answer has code that is not in the sources."),
                                tuple(c.strip() for c in invented)))
    items = _LIST_ITEM.findall(answer)
    if items and not _LIST_ITEM.search(known):
        ungrounded = [i for i in items if _share_in(i, flat) < GROUNDED_ITEM]
        if len(ungrounded) * 2 > len(items):
            findings.append(Finding(msg("ask.list_not_in_sources", "The answer has a list that is not in the sources."),
                                    tuple(ungrounded)))
    return findings


def _quotes(answer: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _QUOTED.finditer(answer)]


def _share_in(text: str, flat_known: str) -> float:
    tokens = _TOKEN.findall(text.casefold())
    return sum(t in flat_known for t in tokens) / max(1, len(tokens))


def _wrong_language(question: str, answer: str) -> Finding | None:
    asked = identify(question)
    found = identify(answer) if asked else None
    if found and found != asked:
        return Finding(msg("ask.wrong_language", "The answer is not in the language of your question ({language}); "
                           "ask again, or choose a stronger model (in the model manager).",
                           language=msg("language.name", language_name(asked))))
    return None
