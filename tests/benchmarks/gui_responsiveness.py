"""The editor's responsiveness, measured side by side (not a test: run it by hand).

1. The longest stall of the GUI event loop while the default model streams 300 tokens into the
   Generate panel, probed by a 5 ms QTimer (target: at most 30 ms).
2. Time from process start to the main window shown, against a bare PySide6 window measured in
   the same run, alternating 5 times each (target: at most 1.5x).
The last line printed is JSON with the figures.
"""

from __future__ import annotations

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
ROUNDS = 5

BARE = """
import time, sys
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 800); w.show()
QTimer.singleShot(0, lambda: (print(time.time(), flush=True), app.quit()))
app.exec()
"""
WRITER = """
import time, sys
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
app = QApplication(sys.argv)
from writer.gui.app import STYLE
app.setStyleSheet(STYLE)
from writer.gui.main_window import MainWindow
w = MainWindow(); w.show()
QTimer.singleShot(0, lambda: (print(time.time(), flush=True), app.quit()))
app.exec()
w.bridge.shutdown()
"""


def launch_time(code: str) -> float:
    """Seconds from starting the process to its first event-loop turn with the window shown
    (the child prints the wall-clock time then; shutting down is not counted)."""
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True).stdout
    return float(out.split()[0]) - started


def stall_during_streaming() -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from writer.core.actions import ActionRequest
    from writer.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.show()
    window.start_engine()
    while window.bridge.state != "ready":
        app.processEvents()
        time.sleep(0.01)
        if window.bridge.state == "error":
            raise SystemExit(window.state_label.toolTip())
    clock, gaps, last = QElapsedTimer(), [], [0]
    clock.start()

    def tick():
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(tick)
    panel = window.panels["generate"]
    deltas = [0]
    job = window.bridge.start(ActionRequest("generate", "", instruction="Write a long, detailed story about a lighthouse keeper and a storm.", length="long"), 0.7)
    window.jobs[job] = panel
    panel.begin(job, (0, 0, ""))

    def count(j, event):
        if j == job and event["type"] == "delta":
            deltas[0] += 1
            if deltas[0] >= TOKENS:
                window.bridge.cancel(job)

    window.bridge.job_event.connect(count)
    last[0] = clock.elapsed()
    probe.start()
    started = time.perf_counter()
    while panel.job is not None:
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    probe.stop()
    window.editor.document().setModified(False)
    window.close()
    return {"streamed_deltas": deltas[0], "stream_s": round(elapsed, 2), "max_stall_ms": max(gaps), "median_tick_ms": statistics.median(gaps)}


def main() -> None:
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
