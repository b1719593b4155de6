"""The central text editor: plain text and Markdown with light highlighting."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit


def utf16_len(text: str) -> int:
    """Qt counts positions in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


class Editor(QPlainTextEdit):
    """Emits `action_requested(name)` from its context menu; the main window wires it."""

    action_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("editor")
        font = QFont()
        font.setPointSize(12)
        self.setFont(font)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.document().setDocumentMargin(24)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.highlighter = None  # started after the first paint
        self._context_actions: list = []
        self.spell_menu = None  # (menu, cursor) -> adds spelling suggestions for the word under the cursor

    def start_highlighting(self) -> None:
        from writer.gui.highlighter import MarkdownHighlighter  # the parser loads after the first paint

        self.highlighter = MarkdownHighlighter(self.document())

    def set_context_actions(self, actions: list) -> None:
        self._context_actions = actions

    def contextMenuEvent(self, event) -> None:
        self.context_menu(event.pos()).exec(event.globalPos())

    def context_menu(self, pos) -> QMenu:
        """The right-click menu for a point of the viewport: spelling first, then actions, then Qt's own."""
        menu: QMenu = self.createStandardContextMenu()
        if self._context_actions:
            first = menu.actions()[0] if menu.actions() else None
            for action in self._context_actions:
                menu.insertAction(first, action)
            menu.insertSeparator(first)
        if self.spell_menu is not None:
            self.spell_menu(menu, self.cursorForPosition(pos))
        return menu

    def selection_snapshot(self) -> tuple[int, int, str]:
        """(start, end, text) of the selection with '\\n' line breaks."""
        cursor = self.textCursor()
        text = cursor.selection().toPlainText() if cursor.hasSelection() else ""
        return cursor.selectionStart(), cursor.selectionEnd(), text

    def text_between(self, start: int, end: int) -> str:
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selection().toPlainText()

    def replace_range(self, start: int, end: int, text: str) -> None:
        """Replaces text as one undo step and selects the new text."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
        cursor.endEditBlock()
        cursor.setPosition(start)
        cursor.setPosition(start + utf16_len(text), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def select_lines(self, first: int, last: int) -> None:
        """Selects lines first–last (1-based, inclusive) and brings them into view."""
        document = self.document()
        cursor = QTextCursor(document.findBlockByNumber(first - 1))
        end = document.findBlockByNumber(last - 1)
        if end.isValid():
            cursor.setPosition(end.position() + end.length() - 1, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    def zoom(self, steps: int) -> None:
        if steps > 0:
            self.zoomIn(steps)
        elif steps < 0:
            self.zoomOut(-steps)

    def wheelEvent(self, event) -> None:
        from PySide6.QtCore import Qt  # imported late: the Qt namespace costs 13 ms before the first paint

        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1 if event.angleDelta().y() > 0 else -1)
            return
        super().wheelEvent(event)
