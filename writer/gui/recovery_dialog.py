"""Offers the recovery copies left by a crash: what would be restored, and how it differs from disk."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPushButton, QSplitter, QTextBrowser,
    QVBoxLayout,
)

from writer.core import documents
from writer.core.errors import UserError
from writer.core.recovery import RecoveryCopy, RecoveryStore
from writer.gui.i18n import tr, tr_message
from writer.gui.panels import diff_html


class RecoveryDialog(QDialog):
    def __init__(self, copies: list[RecoveryCopy], store: RecoveryStore, parent=None) -> None:
        super().__init__(parent)
        self.copies, self.store = list(copies), store
        self.chosen: RecoveryCopy | None = None
        self.setWindowTitle(tr("Recover unsaved work"))
        self.resize(820, 520)
        intro = QLabel(tr("Writer did not close normally. These documents had changes that were not saved. "
                          "Restore one to keep working on it, or discard what you do not need."))
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.preview = QTextBrowser()
        self.legend = QLabel()
        self.legend.setObjectName("hint")
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        splitter.setSizes([260, 560])
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(tr("Restore"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setObjectName("primary")
        self.discard_button = QPushButton(tr("Discard"))
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton(tr("Decide Later"), QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.legend)
        layout.addWidget(buttons)
        self.restore_button.clicked.connect(self.restore)
        self.discard_button.clicked.connect(self.discard)
        later.clicked.connect(self.reject)
        self.list.currentRowChanged.connect(self._show)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for copy in self.copies:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(copy.saved_at))
            item = QListWidgetItem(f"{tr_message(copy.title)}\n{when}")
            # Two lines whatever the script: Qt sizes a row by its first font, which cuts CJK titles short.
            item.setSizeHint(QSize(0, 2 * self.list.fontMetrics().lineSpacing() + 12))
            self.list.addItem(item)
        if self.copies:
            self.list.setCurrentRow(0)
        else:
            self.accept()

    def current(self) -> RecoveryCopy | None:
        row = self.list.currentRow()
        return self.copies[row] if 0 <= row < len(self.copies) else None

    def _show(self, _row: int) -> None:
        copy = self.current()
        if copy is None:
            return
        on_disk = None
        if copy.path and Path(copy.path).is_file():
            try:
                on_disk = documents.load(copy.path).text
            except UserError:
                on_disk = None
        if on_disk is None:
            self.preview.setPlainText(copy.text)
            self.legend.setText(tr("This document was never saved; the whole text above would be restored."))
        else:
            self.preview.setHtml(f'<div style="white-space:pre-wrap">{diff_html(on_disk, copy.text)}</div>')
            self.legend.setText(tr("Differences from {path} on disk: green is unsaved new text, red is text "
                                   "that the recovered version no longer has.", path=copy.path))

    def restore(self) -> None:
        self.chosen = self.current()
        self.accept()

    def discard(self) -> None:
        copy = self.current()
        if copy is None:
            return
        self.store.discard(copy.id)
        self.copies.remove(copy)
        self._fill()
