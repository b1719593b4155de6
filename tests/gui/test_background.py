"""The one background job helper: results on the GUI thread, the latest job of a kind only,
nothing kept once a job lands, nothing delivered to a deleted owner."""

import threading

from PySide6.QtCore import QObject, QThread
from shiboken6 import delete

from writer.core.errors import UserError
from writer.gui.background import Background


def held(value, gate: threading.Event):
    """A blocking call that returns `value` once `gate` opens."""
    def call():
        assert gate.wait(5)
        return value
    return call


def test_results_arrive_on_the_gui_thread_and_nothing_is_kept(qtbot):
    owner = QObject()
    jobs = Background(owner)
    got, threads = [], []

    def done(value):
        got.append(value)
        threads.append(QThread.currentThread())

    jobs.run("sum", sum, [1, 2, 3], done=done)
    assert jobs.running("sum")
    qtbot.waitUntil(lambda: got == [6], timeout=2000)
    assert threads == [owner.thread()]
    assert not jobs.running("sum") and jobs._running == {}
    assert owner.findChildren(QObject) == [jobs]  # no object per job left behind


def test_a_newer_job_of_the_same_kind_drops_the_older_result(qtbot):
    owner = QObject()
    jobs = Background(owner)
    gate, got = threading.Event(), []
    jobs.run("search", held("old", gate), done=got.append)
    jobs.run("other", held("other", gate), done=got.append)
    jobs.run("search", held("new", gate), done=got.append)
    gate.set()
    qtbot.waitUntil(lambda: not jobs.running("search") and not jobs.running("other"), timeout=2000)
    qtbot.wait(50)  # the old result had every chance to arrive
    assert sorted(got) == ["new", "other"]


def test_failures_and_progress_reach_the_owner_as_messages_and_values(qtbot):
    owner = QObject()
    jobs = Background(owner)
    failures, steps = [], []

    def refuse():
        raise UserError("test.refused", "Refused.")

    def count(on_progress):
        for n in range(3):
            on_progress(n)
        raise OSError("disk full")

    jobs.run("refuse", refuse, failed=failures.append)
    jobs.run("count", count, failed=failures.append, progress=steps.append)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=2000)
    assert steps == [0, 1, 2]
    assert sorted(str(m) for m in failures) == ["Refused.", "Unexpected error: OSError: disk full"]


def test_nothing_reaches_an_owner_deleted_meanwhile(qtbot):
    owner = QObject()
    jobs = Background(owner)
    gate, got, finished = threading.Event(), [], threading.Event()

    def work():
        try:
            return held("late", gate)()
        finally:
            finished.set()

    jobs.run("slow", work, done=got.append)
    delete(owner)  # a dialog closed while its job runs: the helper goes with it
    gate.set()
    assert finished.wait(5)
    qtbot.wait(100)
    assert got == []
