"""Nothing lost: recovery copies survive kill -9 and come back on the next start."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from tests.helpers.fakes import fake_engines
from writer.core.recovery import RecoveryStore
from writer.core.settings import Settings
from writer.gui.engine_bridge import EngineBridge
from writer.gui.main_window import MainWindow
from writer.gui.recovery_dialog import RecoveryDialog

TYPIST = Path(__file__).parents[1] / "helpers" / "gui_typist.py"


def type_then_kill(seconds: float, *args) -> list[tuple[int, float]]:
    """Kills the typist `seconds` after its first sentence (however long a busy machine takes to start it)."""
    proc = subprocess.Popen([sys.executable, str(TYPIST), *args], stdout=subprocess.PIPE, text=True)
    typed = []
    try:
        for line in proc.stdout:
            _, number, when = line.split()
            typed.append((int(number), float(when)))
            if time.time() - typed[0][1] > seconds:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return typed


def window(qtbot):
    win = MainWindow(Settings(), EngineBridge(fake_engines()))
    qtbot.addWidget(win)
    return win


pytestmark = pytest.mark.usefixtures("discard_on_close")


def test_text_typed_before_sigkill_is_recovered(qtbot, monkeypatch):
    typed = type_then_kill(6.0)
    killed_at = time.time()
    assert len(typed) > 15
    safe = [n for n, when in typed if when < killed_at - 3.0]  # typed more than a few seconds before the kill
    copies = RecoveryStore().pending()
    assert len(copies) == 1 and copies[0].path is None
    for n in safe:
        assert f"Sentence {n} typed by hand." in copies[0].text

    win = window(qtbot)

    def choose_first(dialog):
        dialog.restore()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RecoveryDialog, "exec", choose_first)
    win.documents.offer_recovery()
    assert win.editor.toPlainText() == copies[0].text
    assert win.editor.document().isModified()
    assert [c.id for c in RecoveryStore().pending()] == []  # the old copy was adopted, not duplicated
    win.editor.document().setModified(False)


def test_named_document_shows_the_difference_from_disk(qtbot, tmp_path):
    doc = tmp_path / "chapter one.md"
    doc.write_text("The saved text.\n")
    type_then_kill(3.0, str(doc))
    copies = RecoveryStore().pending()
    assert len(copies) == 1 and copies[0].path == str(doc.resolve())
    dialog = RecoveryDialog(copies, RecoveryStore())
    qtbot.addWidget(dialog)
    assert "Differences from" in dialog.legend.text()
    assert "typed by hand" in dialog.preview.toPlainText() and "The saved text." in dialog.preview.toPlainText()
    dialog.discard()
    assert RecoveryStore().pending() == []


def test_copies_are_written_while_unsaved_and_removed_after_save(qtbot, tmp_path):
    win = window(qtbot)
    win.editor.insertPlainText("draft")
    win.documents.recovery.write()
    win.documents.recovery.store.flush()
    store = RecoveryStore()
    assert (store.folder / f"{win.documents.recovery.doc_id}.json").exists()
    assert store.pending() == []  # this process is alive: its copies are not offered to others
    win.documents.write(tmp_path / "draft.md", new_target=True)
    assert not (store.folder / f"{win.documents.recovery.doc_id}.json").exists()


def test_closing_removes_the_copy(qtbot):
    win = window(qtbot)
    win.editor.insertPlainText("draft")
    win.documents.recovery.write()
    win.documents.recovery.store.flush()
    file = RecoveryStore().folder / f"{win.documents.recovery.doc_id}.json"
    assert file.exists()
    win.close()
    assert not file.exists()


def test_unreadable_copy_is_ignored():
    store = RecoveryStore()
    store.folder.mkdir(parents=True, exist_ok=True)
    (store.folder / "broken.json").write_text("{not json")
    assert store.pending() == []


def test_a_copy_that_cannot_be_written_is_said_in_the_status_bar(qtbot):
    from concurrent.futures import Future

    win = window(qtbot)
    full = Future()
    full.set_exception(OSError(28, "No space left on device"))
    win.documents.recovery.store.save = lambda *args: full
    win.editor.insertPlainText("draft")
    win.documents.recovery.write()
    qtbot.waitUntil(lambda: win.statusBar().currentMessage()
                    == "Could not write the recovery copy: [Errno 28] No space left on device", timeout=2000)
