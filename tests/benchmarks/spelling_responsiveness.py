"""Spell checking against typing, measured (not a test: run it by hand).

1. Keystroke to paint in a 20,000-word Markdown document, spelling on against off: each key is sent
   as a key event, then the editor's viewport is painted at once; the time of both is one sample.
   Keys come every 25 ms (a fast typist) while a 5 ms timer probes the event loop for stalls, which
   catches the work done after the key too (answers from the spelling thread, lines painted again).
   Goal: median on/off at most 1.2x, and no stall over 30 ms.
2. A 10 MB document opened with spelling on: the time for setPlainText, then the time until every
   line has been checked in the background, and the longest event-loop stall meanwhile.
The last line printed is JSON with the figures.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WRITER_HOME", tempfile.mkdtemp(prefix="writer-bench-"))

from tests.helpers.stalls import stall_probe  # noqa: E402  (after the path and the environment)

TYPED = "The quick browm fox jumpd over the lazy dog and kept runing into the nigth. " * 3
KEY_MS = 25


def vocabulary() -> list[str]:
    lines = (ROOT / "resources" / "dictionaries" / "en_US.dic").read_text(encoding="utf-8").splitlines()[1:]
    words = [line.split("/")[0] for line in lines if line.split("/")[0].isalpha() and line[:1].islower()]
    random.Random(1).shuffle(words)
    return words[:6000] + ["teh", "recieve", "wich", "occured", "seperate"]  # some misspellings


def document(words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    vocab = vocabulary()
    parts, count, n = [], 0, 0
    while count < words:
        n += 1
        if n % 12 == 1:
            parts.append(f"## Section {n}\n")
        if n % 15 == 7:
            parts.append("```python\nfor item in items:\n    print(item)\n```\n")
        sentence_words = [rng.choice(vocab) for _ in range(90)]
        parts.append(" ".join(sentence_words).capitalize() + ".\n")
        count += 90
    return "\n".join(parts)


def settle(app, window, limit_s=600.0) -> float:
    """Runs the event loop until spelling has nothing left to do; returns the seconds it took."""
    started = time.perf_counter()
    highlighter = window.editor.highlighter
    service = window.spelling.service
    while time.perf_counter() - started < limit_s:
        app.processEvents()
        busy = (highlighter._bulk or highlighter._sweep.running() or highlighter._retry.running()
                or highlighter._repaint.running() or highlighter._waiting or service._pending)
        if not busy:
            return time.perf_counter() - started
        time.sleep(0.001)
    raise SystemExit("spelling did not finish")


def typing_run(app, window, spelling_on: bool, line: int) -> dict:
    """Types TYPED at the end of `line` (a fresh line each run, so runs type into lines of one length)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest

    window.spelling.set_enabled(spelling_on)
    settle(app, window)
    editor = window.editor
    block = editor.document().findBlockByNumber(line)
    while not block.text().startswith(tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")):  # a paragraph of prose
        block = block.next()
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    editor.setTextCursor(cursor)
    editor.setFocus()
    timer, gaps = stall_probe()
    samples = []
    for char in TYPED:
        started = time.perf_counter()
        QTest.keyClick(editor, Qt.Key.Key_Space if char == " " else char)
        editor.viewport().repaint()
        samples.append((time.perf_counter() - started) * 1000)
        next_key = started + KEY_MS / 1000
        while time.perf_counter() < next_key:
            app.processEvents()
            time.sleep(0.0005)
    settle(app, window)
    timer.stop()
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 3), "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
            "max_key_ms": round(samples[-1], 2), "max_stall_ms": max(gaps)}


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from tests.helpers.fakes import fake_engines
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Settings(), EngineBridge(fake_engines()))
    window.resize(1280, 800)
    window.show()
    text = document(20_000)
    window.editor.setPlainText(text)
    window.spelling.detect()
    print(f"20,000-word document: {len(text):,} characters, dictionary {window.spelling.tag}")
    results = {}
    for _round in range(3):  # off, on, off, on…: the machine is shared, so alternate
        for on in (False, True):
            figures = typing_run(app, window, on, line=40 + 6 * len(sum(results.values(), [])))
            results.setdefault("on" if on else "off", []).append(figures)
            print(f"spelling {'on ' if on else 'off'}: {figures}")
    off = statistics.median(r["median_ms"] for r in results["off"])
    on = statistics.median(r["median_ms"] for r in results["on"])
    stall_on = max(r["max_stall_ms"] for r in results["on"])
    stall_off = max(r["max_stall_ms"] for r in results["off"])

    big = document(1_050_000, seed=2)  # about 10 MB
    window.spelling.set_enabled(True)
    started = time.perf_counter()
    window.editor.setPlainText(big)
    opened = time.perf_counter() - started
    timer, gaps = stall_probe()
    checked = settle(app, window)
    timer.stop()
    words = len(window.spelling.service.cache)
    print(f"10 MB document ({len(big.encode()) / 1e6:.1f} MB): setPlainText {opened:.2f} s, then checked in the background in "
          f"{checked:.1f} s ({words:,} distinct words looked up), longest stall {max(gaps)} ms")
    window.editor.document().setModified(False)
    window.close()
    print(json.dumps({"keystroke_median_ms_off": off, "keystroke_median_ms_on": on, "ratio": round(on / off, 2),
                      "max_stall_ms_on": stall_on, "max_stall_ms_off": stall_off, "open_10mb_s": round(opened, 2),
                      "background_check_10mb_s": round(checked, 1), "max_stall_10mb_ms": max(gaps)}))


if __name__ == "__main__":
    main()
