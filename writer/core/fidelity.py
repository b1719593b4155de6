"""Does a result keep the writer's text? Dropped and added sentences, lost words, and facts
(numbers, URLs, e-mail addresses, code, names) lost, changed or invented, at any length.

What each action may do decides what is flagged (`POLICIES`): a proofread or a translation keeps
every sentence and fact; concise and simplify may drop sentences but not facts; a summary may
leave facts out but must not invent any; a custom instruction may ask for anything, so only a
closing note is looked for. Each finding is one sentence with the words it is about, and the
parts of the result it points at (`marks`), for the editor to highlight.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from writer.core.actions import ActionRequest
from writer.core.alignment import Gap, align, segments
from writer.core.cleanup import is_closing_note
from writer.core.facts import Comparison, Fact, compare
from writer.core.messages import Message, msg
from writer.core.words import FUNCTION_WORDS, WORD, content_words

MAX_NOTE_LINE = 1000  # characters at the end of the last line where a closing note is looked for
MAX_QUOTE = 80  # characters of a sentence quoted in a finding
MAX_LISTED = 4  # facts named in one finding; the rest are counted
MAX_GAPS = 3  # dropped or added sentences reported one by one
MIN_LOST_WORDS = 2  # a proofread may drop one word ("very", a doubled "the"), not a phrase
SIMILAR = 0.6  # a replaced word this close to the original is a spelling fix


@dataclass(frozen=True)
class Finding:
    message: Message
    marks: tuple[str, ...] = ()  # text of the result the finding is about


@dataclass(frozen=True)
class Policy:
    sentences: bool = False  # every sentence must have a counterpart
    lost_words: bool = False  # no phrase may go (a proofread)
    missing_facts: bool = False  # numbers, URLs, e-mail addresses, code and names must stay
    added_facts: bool = False  # none may be invented


POLICIES = {
    "translate": Policy(sentences=True, missing_facts=True, added_facts=True),
    "proofread": Policy(sentences=True, lost_words=True, missing_facts=True, added_facts=True),
    "formal": Policy(missing_facts=True, added_facts=True),
    "friendly": Policy(missing_facts=True, added_facts=True),
    "concise": Policy(missing_facts=True, added_facts=True),
    "simplify": Policy(missing_facts=True, added_facts=True),
    "expand": Policy(missing_facts=True),
    "summarize": Policy(added_facts=True),
    "custom": Policy(),
}


def what(request: ActionRequest) -> Message:
    """The result's name at the start of a finding: "The translation", "The proofread"."""
    if request.action == "translate":
        return msg("result.kind.translation", "The translation")
    if request.action == "summarize":
        return msg("result.kind.summary", "The summary")
    if request.style == "proofread":
        return msg("result.kind.proofread", "The proofread")
    return msg("result.kind.rewrite", "The rewrite")


def fidelity(request: ActionRequest, result: str) -> list[Finding]:
    """Findings about `result`, the finished text of `request` (validated); none for generate."""
    key = request.action if request.action in ("translate", "summarize") else request.style
    policy = POLICIES.get(key or "")
    if policy is None or not result.strip():
        return []
    findings = []
    note = _closing_note(request, result)
    if note:
        findings.append(note)
    same = request.action != "translate"
    found = align(request.text, result, same_language=same) if policy.sentences or policy.lost_words else None
    if policy.sentences:
        findings += [_dropped(request, g) for g in found.dropped[:MAX_GAPS]]
        findings += [_added(request, g) for g in found.added[:MAX_GAPS] if not note or g.segments[-1].text not in note.marks]
    if policy.lost_words:
        # Sentence by sentence, so a long text costs no more than its sentences; a word that
        # moved to another sentence is not lost.
        everywhere = {w.casefold() for w in WORD.findall(result)}
        lost = [p for a, b in found.matched if a != b for p in lost_phrases(a, b, everywhere)]
        if sum(len(content_words(p)) for p in lost) >= MIN_LOST_WORDS:
            findings.append(Finding(msg("result.left_out_words", "{result} leaves out words of your text: {words}.",
                                        result=what(request), words=_listing([f"“{_quote(p)}”" for p in lost]))))
    if policy.missing_facts or policy.added_facts:
        facts = compare(request.text, result, same_language=same, check_added=policy.added_facts,
                        check_names=policy.missing_facts)
        findings += _fact_findings(request, facts, policy)
    return findings


def _closing_note(request: ActionRequest, result: str) -> Finding | None:
    """A last sentence about the result that clean-up could not cut off: on a line with the text
    (clean-up removes such a line of its own)."""
    parts = segments(result.rstrip().rsplit("\n", 1)[-1][-MAX_NOTE_LINE:])
    if len(parts) < 2 or not is_closing_note(parts[-1].text, request.text):
        return None
    return Finding(msg("result.closing_note", "The result ends with a remark about itself, not your text: “{text}”; "
                       "delete it before applying.", text=_quote(parts[-1].text)), (parts[-1].text,))


def _dropped(request: ActionRequest, gap: Gap) -> Finding:
    text = _quote(" ".join(s.text for s in gap.segments))
    if gap.partly:
        return Finding(msg("result.dropped_part", "{result} seems to leave out part of this: “{text}”.",
                           result=what(request), text=text))
    return Finding(msg("result.dropped_sentence", "{result} leaves out a sentence of your text: “{text}”.",
                       result=what(request), text=text))


def _added(request: ActionRequest, gap: Gap) -> Finding:
    text = " ".join(s.text for s in gap.segments)
    return Finding(msg("result.added_sentence", "{result} adds a sentence that is not in your text: “{text}”.",
                       result=what(request), text=_quote(text)), tuple(s.text for s in gap.segments))


def _fact_findings(request: ActionRequest, facts: Comparison, policy: Policy) -> list[Finding]:
    out = []
    if policy.missing_facts:
        for new, old in facts.changed[:MAX_GAPS]:
            out.append(Finding(msg("result.fact_changed", "{result} has {found} where your text has {expected}.",
                                   result=what(request), found=new.text, expected=old.text), (new.text,)))
        if facts.missing:
            out.append(Finding(msg("result.fact_missing", "{result} leaves out {facts} from your text.",
                                   result=what(request), facts=_facts(facts.missing))))
    added = facts.added + ([new for new, _ in facts.changed] if not policy.missing_facts else [])
    if added:
        out.append(Finding(msg("result.fact_added", "{result} has {facts}, which your text does not have.",
                               result=what(request), facts=_facts(added)), tuple(f.text for f in added)))
    return out


def _facts(facts: list[Fact]) -> str:
    return _listing([f.text if f.kind == "number" else f"“{_quote(f.text)}”" for f in facts])


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" (+{len(items) - MAX_LISTED})" if len(items) > MAX_LISTED else "")


def _quote(text: str) -> str:
    """A sentence as quoted in a finding: on one line, shortened, without its final stop (the
    finding ends the sentence)."""
    text = " ".join(text.split()).rstrip(".。!！?？;；:：")
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1].rstrip() + "…"


def lost_phrases(source: str, result: str, elsewhere: set[str] = frozenset()) -> list[str]:
    """Runs of the source whose content words are gone from the result: not in it or in
    `elsewhere`, and not replaced by a word spelled like them (a spelling fix)."""
    words = [(m.group(), m.start(), m.end()) for m in WORD.finditer(source)]
    a = [w.casefold() for w, _, _ in words]
    b = [w.casefold() for w in WORD.findall(result)]
    remaining = set(b) | elsewhere
    phrases = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op not in ("delete", "replace"):
            continue
        added = [w for w in b[j1:j2] if w not in FUNCTION_WORDS]
        lost = []
        for k in range(i1, i2):
            word = a[k]
            if word in FUNCTION_WORDS or word in remaining:
                continue
            close = difflib.get_close_matches(word, added, n=1, cutoff=SIMILAR)
            if close:
                added.remove(close[0])
            elif not added or op == "delete":
                lost.append(k)
            else:
                added.pop(0)  # a word replaced by another: an edit, judged by the proofread check
        if lost:
            phrases.append(source[words[i1][1]:words[i2 - 1][2]])
    return phrases
