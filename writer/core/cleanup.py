"""Turns what a model says into just the text the user asked for.

Removes a leading <think> block, a preamble line ("Sure! Here is the rewrite:"), wrapping code
fences or quotes, and closing chatter ("Let me know if..."). It works on a stream, holding back
only what might still turn out to be chatter, so the command line can print as the model writes.
`clean()` is the same cleaner run over a whole text, so streamed and final results always agree.
"""

from __future__ import annotations

import re

_PREAMBLE_STARTS = (
    "sure", "certainly", "of course", "okay", "ok,", "ok!", "absolutely", "here", "below",
    "以下", "这是", "這是", "下面", "好的", "当然", "當然",
)
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|absolutely)\b[^\n]*|(?:here|below|以下|这是|這是|下面|好的|当然|當然)[^\n]*[:：]\s*)$",
    re.IGNORECASE,
)
# A first line that announces the result ("The following passage, reworded:") is not part of it.
_ANNOUNCING_WORDS = re.compile(
    r"\b(?:text|passage|paragraph|version|rewrite|rewritten|translation|translated|summary|summari[sz]ed|"
    r"proofread|corrected|revised)\b|文本|译文|翻译|摘要|总结|改写",
    re.IGNORECASE,
)
# One clause ending in a colon; a line with a sentence end in it is text, not an announcement.
_ANNOUNCEMENT = re.compile(r"^[^\n.!?。！？]{0,80}[:：]\s*$")
# "Here's the proofread version." on a line of its own.
_HERE_LINE = re.compile(r"^\s*(?:here|below)\b[^\n]{0,80}$", re.IGNORECASE)
# An opener on the same line as the answer: "Sure, I've already done that. Dont…", "Here is the
# corrected text: Dont…", "好的，以下是摘要：他们…". A bare "Sure." or "Of course." stays: it may be a
# translation of the user's own words.
_OPENER = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|absolutely)\b[^\n.!?:：]*?"
    r"\b(?:done|already|happy to|glad to|here|help|text|translation|summary|rewrite|version)\b[^\n.!?:：]*[.!]+"
    r"|(?:sure|certainly|of course|okay|absolutely)[!.,](?=\s*(?:here|below)\b)"
    r"|(?:here|below|以下|这是|這是|下面|好的|当然|當然)[^\n.!?。！？:：]{0,80}[:：])[ \t]*(?=\S)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。！？]")
# Closing lines addressed to the user about the answer. Kept narrow: a translated letter may well end
# with "I hope to see you soon" or "希望早日见到你", and that is the user's text.
_CHATTER_STARTS = (
    "let me know", "feel free", "if you need", "if you have any", "if you want me", "if you want,", "if you'd like",
    "if you would like", "would you like", "is there anything", "hope this helps", "i hope this helps",
    "i hope that helps", "i hope you find", "this text has been", "this sentence has been", "the text has been",
    "the rewritten text", "this rewrite", "this translation", "translation note", "note:", "notes:", "explanation:",
    "changes made", "希望这对你有帮助", "希望这对您有帮助", "希望对你有帮助", "希望对您有帮助", "希望这能帮到你",
    "如有任何问题", "如有其他", "如有问题", "如果您需要", "如果你需要", "如果您有任何", "如果你有任何", "注：", "说明：",
    # Lines that describe the result itself ("This is a corrected version of the original text…").
    "this is a corrected", "this is the corrected", "this is a revised", "this is the revised", "this is a rewritten",
    "this is the rewritten", "this is a proofread", "this is the proofread", "this is a translation",
    "this is the translation", "this is the translated", "this is a summary of", "the corrected version",
    "the revised version", "the above text", "the text above", "以上是修改", "以上是校对", "以上是翻译", "以上是改写",
    "以上是更正", "以上为修改", "以上为校对", "以上为翻译", "以上就是修改", "以上是您", "以上是你",
    "这是修改后", "这是校对后", "这是更正后", "这是翻译后", "这是改写后", "這是修改後", "這是校對後", "這是翻譯後",
    "希望这能", "希望这些", "希望以上", "希望這對", "希望這能", "希望對你", "希望對您", "注:", "註：",
)
# Rewrites also report their edits in the first person after the text ("I changed 'was' to 'were'...").
_EDIT_REPORT_STARTS = (
    "i changed", "i corrected", "i fixed", "i made", "i replaced", "i added", "i removed", "i rephrased",
    "i rewrote", "i also", "i kept", "i used", "i have changed", "i have corrected", "i've ",
)
MAX_HEAD_LINES = 3
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'"}
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"


class StreamCleaner:
    """`source` is the text the model was given: a closing line that begins as a line of the source
    does is the user's own (a letter that ends "Let me know soon") and is kept. `edit_reports` also
    drops first-person reports of edits, for rewrites."""

    def __init__(self, source: str = "", edit_reports: bool = False) -> None:
        self._source = source
        self._chatter = _CHATTER_STARTS + (_EDIT_REPORT_STARTS if edit_reports else ())
        self._head = ""  # text before the start of the answer is known
        self._in_body = False
        self._pending = ""  # body text not yet released
        self._fenced = False
        self._released_any = False
        self._closed = False  # the model echoed the closing delimiter: what follows is chatter

    def feed(self, delta: str) -> str:
        if self._closed:
            return ""
        if self._in_body:
            self._pending += delta
            return self._release(final=False)
        self._head += delta
        if self._decide_head(final=False):
            return self._release(final=False)
        return ""

    def finish(self) -> str:
        if self._closed:
            return ""
        if not self._in_body:
            self._decide_head(final=True)
        return self._release(final=True)

    def _decide_head(self, final: bool) -> bool:
        s = self._head.lstrip()
        if not final:
            if s.startswith(_THINK_OPEN) and _THINK_CLOSE not in s:
                return False
            if len(s) < len(_THINK_OPEN) and _THINK_OPEN.startswith(s):
                return False
        if s.startswith(_THINK_OPEN):
            s = s.split(_THINK_CLOSE, 1)[1].lstrip() if _THINK_CLOSE in s else ""
        # Leading lines that announce the result rather than belong to it go: a preamble ("Sure!
        # Here is the text:"), an announcement ("The corrected text:"), our own delimiter echoed.
        # Models stack them ("Here it is:", then '"""'), so up to MAX_HEAD_LINES are looked at.
        for _ in range(MAX_HEAD_LINES):
            first, newline, rest = s.partition("\n")
            if not newline and not final:
                low = first.strip().lower()
                maybe_preamble = any(p.startswith(low) or low.startswith(p) for p in _PREAMBLE_STARTS) or (
                    len(first) <= 80 and not _SENTENCE_END.search(first))  # may still end as an announcement
                if not s or maybe_preamble or s.startswith(("`", '"')):
                    return False  # hold the line until it ends
                break
            announces = newline and (_PREAMBLE.match(first) or (
                (_ANNOUNCEMENT.match(first) or _HERE_LINE.match(first)) and _ANNOUNCING_WORDS.search(first)))
            if announces and not self._is_own_opening(first):
                s = rest.lstrip("\n")
                continue
            opener = _OPENER.match(first) if newline or final else None
            if opener and not self._is_own_opening(opener.group(0)):
                s = s[opener.end():]
                continue
            if first.strip() != '"""':
                break
            s = rest
        first, newline, rest = s.partition("\n")
        if first.strip().startswith("```") and (newline or final):
            self._fenced = True
            s = rest
        s = s.lstrip()
        if s.startswith('"""'):
            # A whole answer in triple quotes on one line: '"""Dont forget the slides."""'.
            if not final:
                return False
            body = s.rstrip()
            if len(body) > 6 and body.endswith('"""') and '"""' not in body[3:-3]:
                s = body[3:-3].strip()
        elif s[:1] in _QUOTES:
            # Only a quote that wraps the whole answer goes, so a quoted answer is held to the end.
            if not final:
                return False
            body, closing = s.rstrip(), _QUOTES[s[0]]
            if len(body) > 1 and body.endswith(closing) and closing not in body[1:-1]:
                s = body[1:-1]
        self._in_body = True
        self._head = ""
        self._pending = s
        return True

    def _is_own_opening(self, line: str) -> bool:
        """The user's text starts the same way, so this is theirs ("Sure, I can come on Thursday.")."""
        return bool(self._source.strip()) and self._source.lstrip()[:6].casefold() == line.lstrip()[:6].casefold()

    def _is_chatter(self, line: str) -> bool:
        return is_closing_note(line, self._source, self._chatter)

    def _may_become_chatter(self, partial: str) -> bool:
        low = partial.strip().lower()
        return any(c.startswith(low) or low.startswith(c) for c in self._chatter)

    def _is_tail_line(self, line: str) -> bool:
        stripped = line.strip()
        return not stripped or self._is_chatter(line) or stripped == '"""' or (self._fenced and stripped == "```")

    def _release(self, final: bool) -> str:
        if not self._released_any:
            self._pending = self._pending.lstrip()
        out = self._release_lines(final)
        self._released_any = self._released_any or bool(out)
        return out

    def _release_lines(self, final: bool) -> str:
        lines = self._pending.split("\n")
        complete = lines if final else lines[:-1]
        for i, line in enumerate(complete):
            if i > 0 and line.strip() == '"""':
                lines, final, self._closed = lines[:i], True, True
                break
        last = lines[-1]
        if final:
            keep = len(lines)
            while keep > 0 and self._is_tail_line(lines[keep - 1]):
                keep -= 1
            return "\n".join(lines[:keep]).rstrip()
        last_may_be_tail = not last.strip() or self._may_become_chatter(last) or last.strip().startswith(("`", '"'))
        if last_may_be_tail:
            # Hold the partial line and any chatter, blank or fence lines just before it.
            keep = len(lines) - 1
            while keep > 0 and self._is_tail_line(lines[keep - 1]):
                keep -= 1
            out = "\n".join(lines[:keep]).rstrip()  # trailing spaces, like the newline, wait for what follows
        else:
            out = "\n".join(lines[:-1] + [last.rstrip()])
        # The newline that ends the released text stays pending: it is only wanted if more follows.
        self._pending = self._pending[len(out):]
        return out


def is_closing_note(line: str, source: str = "", starts: tuple[str, ...] = _CHATTER_STARTS) -> bool:
    """`line` talks to the user about the result ("I hope this helps", "This is a corrected
    version…") and does not begin as a line of `source` does."""
    low = line.strip().lower()
    if not low.startswith(starts):
        return False
    opening = " ".join(low.split()[:3])
    return opening not in source.lower()  # only for the rare line that looks like chatter


def clean(text: str, source: str = "", edit_reports: bool = False) -> str:
    cleaner = StreamCleaner(source, edit_reports)
    return cleaner.feed(text) + cleaner.finish()
