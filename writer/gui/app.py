"""Starts the editor: the window first, then the model loads in the background."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from writer import APP_NAME
from writer.core.paths import resource

STYLE = """
QPushButton#primary { background: palette(highlight); color: palette(highlighted-text); border: none;
    border-radius: 6px; padding: 7px 14px; font-weight: 600; }
QPushButton#primary:disabled { background: palette(mid); }
QPushButton#chip { border: 1px solid palette(mid); border-radius: 13px; padding: 5px 10px; }
QPushButton#chip:checked { background: palette(highlight); color: palette(highlighted-text); border-color: palette(highlight); }
QLabel#hint { color: palette(placeholder-text); }
QTextBrowser { border: 1px solid palette(midlight); border-radius: 6px; padding: 6px; font-size: 11pt; }
QPlainTextEdit#editor { border: none; }
QStatusBar QLabel { padding: 0 8px; }
"""


def main(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("writer")
    icon = resource("icons", "writer.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    app.setStyleSheet(STYLE)

    from writer.gui.main_window import MainWindow

    window = MainWindow()
    if argv:
        window.open_file(argv[0])
    window.show()
    QTimer.singleShot(0, window.start_engine)
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()
