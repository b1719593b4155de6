"""Markdown structure that translation must not touch.

`runs()` cuts a document into runs that are either prose to translate or structure to copy as is:
fenced code blocks, heading, list and quote markers, table pipes and separator rows, blank lines.
Joined back together the runs are exactly the document. Link targets are kept out of the model's
reach with `hide_links()` / `restore_links()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(```|~~~)")
_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|>\s?|(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?))(.*)$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(\s*\|\s*)")
_LINK = re.compile(r"(!?\[[^\]\n]*\])(\([^)\s]+(?:\s+\"[^\"]*\")?\))")


@dataclass(frozen=True)
class Run:
    text: str
    prose: bool  # True: send to the model; False: copy as is


def prose_runs(text: str) -> list[Run]:
    """Text as one prose run, its surrounding whitespace kept aside as structure."""
    if not text:
        return []
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    core = text.strip()
    out = [Run(lead, False)] if lead else []
    if core:
        out.append(Run(core, any(c.isalpha() for c in core)))
    if trail:
        out.append(Run(trail, False))
    return out


def runs(text: str) -> list[Run]:
    out: list[Run] = []
    paragraph: list[str] = []
    in_code = False

    def flush() -> None:
        if paragraph:
            out.extend(prose_runs("".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines(keepends=True):
        body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if in_code or _FENCE.match(body):
            flush()
            out.append(Run(line, False))
            if _FENCE.match(body):
                in_code = not in_code
            continue
        if not body.strip() or _TABLE_SEPARATOR.match(body):
            flush()
            out.append(Run(line, False))
            continue
        if body.lstrip().startswith("|"):
            flush()
            for part in _CELL_SPLIT.split(body):
                out.extend([Run(part, False)] if _CELL_SPLIT.fullmatch(part) else prose_runs(part))
            out.append(Run(newline, False))
            continue
        m = _PREFIX.match(body)
        if m:
            flush()
            out.append(Run(m.group(1), False))
            out.extend(prose_runs(m.group(2)))
            out.append(Run(newline, False))
            continue
        paragraph.append(line)
    flush()
    return [r for r in out if r.text]


def hide_links(text: str) -> tuple[str, list[str]]:
    """Removes link targets: '[docs](http://x)' becomes '[docs]'; returns the targets in order."""
    targets: list[str] = []

    def keep(m: re.Match) -> str:
        targets.append(m.group(2))
        return m.group(1)

    return _LINK.sub(keep, text), targets


def restore_links(text: str, targets: list[str]) -> str:
    """Puts link targets back after the bracketed texts, in order; any the model dropped are appended."""
    remaining = list(targets)

    def put(m: re.Match) -> str:
        return m.group(0) + remaining.pop(0) if remaining else m.group(0)

    restored = re.sub(r"!?\[[^\]\n]*\](?!\()", put, text)
    if remaining:
        restored += " " + " ".join(f"[{t[1:-1]}]{t}" for t in remaining)
    return restored
