"""Starts the editor: the window first, then the model loads in the background."""

from __future__ import annotations

import os
import sys

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


def _no_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str]) -> int:
    if _no_display() and QApplication.instance() is None:
        print("writer: no graphical display was found; run Writer on a desktop, or use the command line "
              "(writer --help).", file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("writer")
    icon = resource("icons", "writer.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    app.setStyleSheet(STYLE)

    from writer.core.settings import Settings
    from writer.gui import i18n
    from writer.gui.main_window import MainWindow

    settings = Settings.load()
    i18n.install(settings.language)  # before any widget is built
    window = MainWindow(settings, defer=True)

    def start() -> None:
        window.start_engine()
        if argv:
            window.open_file(argv[0])
        window.documents.offer_recovery()
        window.offer_first_run()

    window.ready.connect(start)
    window.show()
    return app.exec()
