"""The Markdown block kind of every line of a document being edited, kept current edit by edit.

The editor's highlighter colours lines by these kinds. They come from the same parser as
`markdown.blocks()`; after an edit only the lines from the top-level block before it are parsed
again, in growing windows, until the new structure meets the old one at a top-level block start
(from there on the parser's result cannot differ, since the text is the same).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from writer.core.markdown import Block, parse_blocks

FIRST_WINDOW = 40  # lines past an edit parsed before looking for the old structure


def _kind(block: Block) -> str:
    if block.kind == "paragraph" and block.quotes:
        return "quote"
    return block.kind


class LineKinds:
    """Kinds by line number: 'heading', 'code', 'html', 'table', 'rule', 'quote', 'paragraph' or ''
    (blank lines, link definitions)."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines: list[str] = []
        self.kinds: list[str] = []
        self.starts: list[int] = []  # first lines of top-level blocks, ascending
        self.edit(0, 0, lines or [])

    def kind(self, line: int) -> str:
        return self.kinds[line] if 0 <= line < len(self.kinds) else ""

    def edit(self, first: int, removed: int, added: list[str]) -> range:
        """Lines `first`..`first + removed` were replaced by `added`; returns the lines whose kind may have
        changed (new numbering)."""
        self.lines[first : first + removed] = added
        shift = len(added) - removed
        edited_end = first + len(added)
        top = bisect_right(self.starts, first) - 1
        begin = self.starts[max(top - 1, 0)] if top > 0 else 0  # one block back: an edit can join it
        window = FIRST_WINDOW
        while True:
            end = min(len(self.lines), edited_end + window)
            kinds, starts = self._parse(begin, end)
            meet = self._meeting(starts, edited_end, end, shift)
            if meet is not None or end == len(self.lines):
                break
            window *= 4
        stop = meet if meet is not None else len(self.lines)
        old_stop = stop - shift
        self.kinds[begin:old_stop] = kinds[: stop - begin]
        after = bisect_left(self.starts, old_stop)
        tail = [s + shift for s in self.starts[after:]] if shift else self.starts[after:]
        self.starts[bisect_left(self.starts, begin):] = [s for s in starts if s < stop] + tail
        return range(begin, stop)

    def _meeting(self, starts: list[int], edited_end: int, end: int, shift: int) -> int | None:
        """The first new top-level start past the edit that was a top-level start before it."""
        for start in starts:
            if edited_end <= start < end - 1 and self._was_start(start - shift):
                return start
        return None

    def _was_start(self, line: int) -> bool:
        i = bisect_left(self.starts, line)
        return i < len(self.starts) and self.starts[i] == line

    def _parse(self, begin: int, end: int) -> tuple[list[str], list[int]]:
        text = "\n".join(self.lines[begin:end]) + "\n"
        leaves, tops = parse_blocks(text)
        kinds = [""] * (end - begin)
        for block in leaves:
            kinds[block.start : block.end] = [_kind(block)] * (block.end - block.start)
        return kinds, [begin + t for t in tops]
