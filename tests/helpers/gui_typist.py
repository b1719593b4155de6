"""A Writer window that types a sentence every 250 ms and says when, until it is killed.
Run by test_recovery.py, which kills it with SIGKILL."""

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from writer.core.settings import Settings  # noqa: E402
from writer.gui.main_window import MainWindow  # noqa: E402

app = QApplication(sys.argv)
window = MainWindow(Settings())
if len(sys.argv) > 1:
    window.open_file(sys.argv[1])
window.show()
count = [0]


def type_sentence():
    QTest.keyClicks(window.editor, f"Sentence {count[0]} typed by hand. ")
    print(f"typed {count[0]} {time.time()}", flush=True)
    count[0] += 1


timer = QTimer()
timer.timeout.connect(type_sentence)
timer.start(250)
app.exec()
