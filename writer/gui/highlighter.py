"""Markdown highlighting for the editor: block structure from the core parser, inline marks by pattern,
and red wavy underlines under misspelled words of prose (see writer.gui.spellcheck)."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from writer.core.line_kinds import LineKinds
from writer.core.markdown import front_matter_end
from writer.core.spelling import words

BULK_CHARS = 20_000  # a change this large (a file opened, everything replaced) is spell-checked afterwards, in slices
FRONT_MATTER_LINES = 200
_NOT_PROSE = {"code", "html"}

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


def utf16_offsets(text: str):
    """Maps str indexes to Qt's UTF-16 positions, which differ after characters outside the BMP (emoji)."""
    if text.isascii() or not any(ord(c) > 0xFFFF for c in text):
        return lambda i: i
    offsets, total = [], 0
    for c in text:
        offsets.append(total)
        total += 2 if ord(c) > 0xFFFF else 1
    offsets.append(total)
    return offsets.__getitem__


class MarkdownHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        self.tracker = _Tracker(document)
        document.contentsChange.connect(self.tracker.edited)
        self.spelling = None  # a SpellService while spell checking is on
        self._bulk = False  # set before Qt repaints a large change: spelling waits for the sweep
        self._front: int | None = None  # front matter lines, found again after an edit near the top
        self._typed_end = -1  # where the last keystroke's text ends (document position)
        self._held = None  # (block, position) of a word skipped while it was being typed
        document.contentsChange.connect(self._before_highlight)  # before Qt's own highlighting slot
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
        from writer.gui.spellcheck import Sliced

        self._waiting: list = []  # blocks with words being looked up
        self._sweep = Sliced(self._sweep_block, self)
        self._repaint = Sliced(self._repaint_block, self)
        self._retry = Sliced(self._sweep_block, self)

    # -- spelling --------------------------------------------------------------------------
    def set_spelling(self, service) -> None:
        """Turns underlining on with `service` (a SpellService), or off with None; lines are painted
        again a slice at a time."""
        if self.spelling is not None:
            self.spelling.checked.disconnect(self._answers)
        self.spelling = service
        if service is not None:
            service.checked.connect(self._answers)
        self.refresh_spelling()

    def refresh_spelling(self) -> None:
        """Paints every line again (the dictionary, the switch or the user's words changed)."""
        self._waiting = []
        self._sweep.start(())
        self._retry.start(())
        self._repaint.start(self._blocks())

    def _blocks(self):
        block = self.document().begin()
        while block.isValid():
            yield block
            block = block.next()

    def _before_highlight(self, position: int, removed: int, added: int) -> None:
        if self.document().findBlock(position).blockNumber() < FRONT_MATTER_LINES:
            self._front = None
        self._typed_end = position + added if added and not removed and added < 3 else -1  # one or two keys typed
        if self.spelling is not None and removed + added > BULK_CHARS:
            self._bulk = True
            QTimer.singleShot(0, self._start_sweep)

    def _start_sweep(self) -> None:
        self._bulk = False
        self._waiting = []
        self._retry.start(())
        self._sweep.start(self._blocks())

    def _front_matter(self) -> int:
        if self.document().begin().text().rstrip() != "---":
            return 0  # the common case, answered without reading further
        if self._front is None:
            block, lines = self.document().begin(), []
            while block.isValid() and len(lines) < FRONT_MATTER_LINES:
                lines.append(block.text())
                block = block.next()
            self._front = front_matter_end(lines)
        return self._front

    def checkable(self, number: int) -> bool:
        return self.tracker.kinds.kind(number) not in _NOT_PROSE and number >= self._front_matter()

    def _statuses(self, block) -> set:
        if not block.isValid() or not self.checkable(block.blockNumber()):
            return set()
        return {self.spelling.status(word) for _, _, word in words(block.text())}

    def _sweep_block(self, block) -> None:
        """Looks a line's words up; paints it only if it has a misspelling (most lines have none)."""
        if self.spelling is None:
            return
        found = self._statuses(block)
        if None in found:
            self._waiting.append(block)
        elif False in found:
            self.rehighlightBlock(block)

    def _repaint_block(self, block) -> None:
        if block.isValid():
            self.rehighlightBlock(block)

    def _answers(self) -> None:
        if self.spelling is not None and self.spelling.pending():
            return  # more answers are coming: look at the waiting lines once, when all are in
        waiting, self._waiting = self._waiting, []
        self._retry.extend(waiting)

    def release(self, position: int) -> None:
        """The cursor moved: the word held back while it was being typed is checked now."""
        held = self._held
        if held is None or held[1] == position:  # still typing it
            return
        self._held = None
        self._typed_end = -1
        if held[0].isValid():
            self.rehighlightBlock(held[0])

    def _underline(self, text: str) -> None:
        at = utf16_offsets(text)
        waiting = False
        block = self.currentBlock()
        typing_at = self._typed_end - block.position()  # the word being typed is left alone until the writer moves on
        for start, end, word in words(text):
            if at(end) == typing_at:
                self._held = (block, self._typed_end)
                continue
            correct = self.spelling.status(word)
            if correct is None:
                waiting = True
            elif not correct:
                fmt = self.format(at(start))
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(QColor("#e0301e"))
                self.setFormat(at(start), at(end) - at(start), fmt)
        if waiting:
            self._waiting.append(self.currentBlock())

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
        number = self.currentBlock().blockNumber()
        kind = self.tracker.kinds.kind(number)
        self.setCurrentBlockState(_STATES[kind])
        whole = self.whole_line.get(kind)
        if whole:
            self.setFormat(0, len(text), whole)
        if kind not in ("code", "html", "quote"):
            for pattern, fmt in self.rules:
                for m in pattern.finditer(text):
                    self.setFormat(m.start(), m.end() - m.start(), fmt)
        if self.spelling is not None and not self._bulk and kind not in _NOT_PROSE and number >= self._front_matter():
            self._underline(text)
