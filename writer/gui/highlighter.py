"""Markdown highlighting for the editor: block structure from the core parser, inline marks by pattern."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from writer.core.line_kinds import LineKinds

_STATES = {"": 0, "paragraph": 1, "heading": 2, "code": 3, "html": 4, "table": 5, "rule": 6, "quote": 7}


def _format(color: str | None = None, bold=False, italic=False, mono=False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    if color:
        fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    if italic:
        fmt.setFontItalic(True)
    if mono:
        fmt.setFontFamilies(["monospace"])
    return fmt


class _Tracker:
    """Keeps the line kinds current; connected to the document before the highlighter is, so kinds are
    up to date when Qt asks for the edited blocks."""

    def __init__(self, document: QTextDocument) -> None:
        self.document = document
        self.kinds = LineKinds(self._texts(document.begin(), document.blockCount()))
        self.changed: list[int] = []  # lines to look at again once Qt has highlighted the edited blocks

    @staticmethod
    def _texts(block, count: int) -> list[str]:
        texts = []
        for _ in range(count):
            texts.append(block.text())
            block = block.next()
        return texts

    def edited(self, position: int, removed: int, added: int) -> None:
        document = self.document
        first = document.findBlock(position).blockNumber()
        last_block = document.findBlock(position + added)
        last = last_block.blockNumber() if last_block.isValid() else document.blockCount() - 1
        new_lines = self._texts(document.findBlockByNumber(first), last - first + 1)
        removed_lines = len(new_lines) - (document.blockCount() - len(self.kinds.lines))
        if first < 0 or removed_lines < 0 or first + removed_lines > len(self.kinds.lines):
            self.kinds = LineKinds(self._texts(document.begin(), document.blockCount()))
            self.changed = list(range(document.blockCount()))
            return
        self.changed.extend(self.kinds.edit(first, removed_lines, new_lines))


class MarkdownHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        self.tracker = _Tracker(document)
        document.contentsChange.connect(self.tracker.edited)
        super().__init__(document)
        # Built here, not at import: the first colour format sets up Qt enums (~20 ms), which
        # must not delay the window's first paint.
        self.rules = [
            (re.compile(r"^\s*([-*+]|\d+[.)])\s"), _format("#c0504d", bold=True)),
            (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), _format(bold=True)),
            (re.compile(r"(?<![*\w])\*[^*\n]+\*(?!\*)|(?<![_\w])_[^_\n]+_(?!_)"), _format(italic=True)),
            (re.compile(r"`[^`\n]+`"), _format("#8a5a00", mono=True)),
            (re.compile(r"\[[^\]\n]+\]\([^)\n]+\)|<[a-z][a-z0-9+.-]+:[^<>\s]*>", re.IGNORECASE), _format("#2a7ab0")),
        ]
        self.whole_line = {"heading": _format("#3b6fd4", bold=True), "code": _format("#8a5a00", mono=True),
                           "html": _format("#8a5a00", mono=True), "quote": _format("#6b7280", italic=True)}
        self._later = QTimer(self)  # runs once Qt has highlighted the edited blocks itself
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self._catch_up)
        document.contentsChange.connect(self._later.start)

    def _catch_up(self) -> None:
        """Rehighlights lines whose kind changed away from the edit (an underline that makes the line
        above a heading, a fence that turns the rest into code), which Qt does not revisit itself."""
        changed, self.tracker.changed = self.tracker.changed, []
        document = self.document()
        for line in changed:
            block = document.findBlockByNumber(line)
            if block.isValid() and block.userState() != _STATES[self.tracker.kinds.kind(line)]:
                self.rehighlightBlock(block)

    def highlightBlock(self, text: str) -> None:
        kind = self.tracker.kinds.kind(self.currentBlock().blockNumber())
        self.setCurrentBlockState(_STATES[kind])
        whole = self.whole_line.get(kind)
        if whole:
            self.setFormat(0, len(text), whole)
            if kind != "heading":
                return
        for pattern, fmt in self.rules:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)
