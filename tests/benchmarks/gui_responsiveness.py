"""The editor's responsiveness, measured side by side (not a test: run it by hand).

1. The longest stall of the GUI event loop while the default model streams 300 tokens into the
   Generate panel, probed by a 5 ms QTimer (target: at most 30 ms).
2. Time from process start to the main window's first paint, against a bare PySide6 window
   measured the same way in the same run, alternating 9 times each (target: at most 1.5x).
The last line printed is JSON with the figures.
"""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WRITER_HOME", tempfile.mkdtemp(prefix="writer-bench-"))

TOKENS = 300
ROUNDS = 9  # launch times on a shared machine are noisy; medians of 9 alternating runs

# Both children print the wall-clock time of their window's first paint, then quit.
FIRST_PAINT = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not hasattr(self, "seen"):
            self.seen = time.time()
            print(self.seen, flush=True)
            QTimer.singleShot(200, app.quit)
        return False
app = QApplication(sys.argv)
probe = FirstPaint()
"""
BARE = FIRST_PAINT + """
from PySide6.QtWidgets import QMainWindow
w = QMainWindow(); w.resize(1280, 800); w.installEventFilter(probe); w.show()
app.exec()
"""
WRITER = FIRST_PAINT + """
from writer.gui.app import STYLE
app.setStyleSheet(STYLE)
from writer.core.settings import Settings
from writer.gui import i18n
from writer.gui.main_window import MainWindow
settings = Settings.load()
i18n.install(settings.language)
w = MainWindow(settings, defer=True)  # as writer.gui.app starts it
w.installEventFilter(probe); w.show()
app.exec()
w.bridge.shutdown()
"""


def launch_time(code: str) -> float:
    """Seconds from starting the process to the first paint of its window."""
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True).stdout
    return float(out.split()[0]) - started


def stall_during_streaming() -> dict:
    from PySide6.QtWidgets import QApplication

    from tests.helpers.stalls import stall_probe
    from writer.core.actions import ActionRequest
    from writer.core.events import Delta
    from writer.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.show()
    window.start_engine()
    while window.bridge.session.state != "ready":
        app.processEvents()
        time.sleep(0.01)
        if window.bridge.session.state == "error":
            raise SystemExit(window.engine_status.state_label.toolTip())
    panel = window.panels["generate"]
    deltas = [0]
    request = ActionRequest("generate", "", instruction="Write a long, detailed story about a lighthouse keeper and a storm.",
                            length="long")

    def count(j, event):
        if j == panel.job and isinstance(event, Delta):
            deltas[0] += 1
            if deltas[0] >= TOKENS:
                window.bridge.cancel(j)

    window.bridge.job_event.connect(count)
    probe, gaps = stall_probe()
    started = time.perf_counter()
    while deltas[0] < TOKENS:  # the model may finish a story early: then it writes another
        job = window.bridge.start(request, 0.7)
        window.action_controller.jobs[job] = panel
        panel.begin(job, (0, 0, ""))
        while panel.job is not None:
            app.processEvents()
            time.sleep(0.001)
    elapsed = time.perf_counter() - started
    probe.stop()
    window.editor.document().setModified(False)
    window.close()
    return {"streamed_deltas": deltas[0], "stream_s": round(elapsed, 2), "max_stall_ms": max(gaps), "median_tick_ms": statistics.median(gaps)}


def main() -> None:
    # An installed app has its bytecode compiled; do the same so neither side pays for compiling.
    compileall.compile_dir(str(ROOT / "writer"), quiet=1)
    stall = stall_during_streaming()
    print(f"streaming: {stall['streamed_deltas']} deltas in {stall['stream_s']} s, longest event-loop stall {stall['max_stall_ms']} ms")
    launch_time(BARE), launch_time(WRITER)  # warm the file cache
    bare, ours = [], []
    for i in range(ROUNDS):
        bare.append(launch_time(BARE))
        ours.append(launch_time(WRITER))
        print(f"round {i + 1}: bare window {bare[-1] * 1000:.0f} ms, Writer {ours[-1] * 1000:.0f} ms")
    b, w = statistics.median(bare), statistics.median(ours)
    print(json.dumps({**stall, "bare_launch_ms": round(b * 1000), "writer_launch_ms": round(w * 1000), "launch_ratio": round(w / b, 2)}))


if __name__ == "__main__":
    main()
