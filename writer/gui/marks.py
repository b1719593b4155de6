"""Highlights the parts of a result that a check is about (writer.core.fidelity: a changed number,
an added sentence, what repeated), so the writer sees where to look before applying it."""

from __future__ import annotations

import html
from typing import Iterable

from PySide6.QtGui import QColor, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QTextEdit

MARK_COLOUR = "#ffe08a"  # a highlighter's yellow: readable on light and dark text alike


def mark_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(MARK_COLOUR))
    fmt.setForeground(QColor("#3d2c00"))
    return fmt


def highlight(edit: QTextEdit, marks: Iterable[str]) -> int:
    """Marks every occurrence of each text in `edit` (extra selections: the text stays as it is,
    so Copy and Apply take it unchanged). Returns how many places were marked."""
    selections = []
    document = edit.document()
    for mark in dict.fromkeys(m for m in marks if m.strip()):
        cursor = document.find(mark, 0, QTextDocument.FindFlag.FindCaseSensitively)
        while not cursor.isNull():
            selection = QTextEdit.ExtraSelection()
            selection.cursor, selection.format = cursor, mark_format()
            selections.append(selection)
            cursor = document.find(mark, cursor, QTextDocument.FindFlag.FindCaseSensitively)
    edit.setExtraSelections(selections)
    return len(selections)


def marked_html(text: str, marks: Iterable[str]) -> str:
    """`text` as HTML with each mark highlighted, for views built from HTML (the Ask history)."""
    ordered = sorted(dict.fromkeys(m for m in marks if m.strip()), key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        found = next((m for m in ordered if text.startswith(m, i)), None)
        if found:
            out.append(f'<span style="background:{MARK_COLOUR};color:#3d2c00">{html.escape(found)}</span>')
            i += len(found)
        else:
            out.append(html.escape(text[i]))
            i += 1
    return "".join(out).replace("\n", "<br>")
