"""Recovery copies belong to the editor session that holds their lock: offered the moment it dies
(even before it is reaped), never while it runs."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from writer.core import session_lock
from writer.core.recovery import RecoveryStore

OWNER = """
import time
from writer.core.recovery import RecoveryStore
RecoveryStore().save("unsaved-doc", None, "Text only a running editor has.").result()
print("saved", flush=True)
time.sleep(120)
"""


def start_owner() -> subprocess.Popen:
    """An editor session in another process with one recovery copy, holding its lock until killed."""
    proc = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parents[2])
    assert proc.stdout.readline().strip() == "saved"
    return proc


def test_copy_of_a_running_editor_is_not_offered():
    owner = start_owner()
    try:
        assert RecoveryStore().pending() == []
        assert RecoveryStore().pending() == []  # looking does not take the copy from its owner
    finally:
        owner.kill()
        owner.wait()
    assert [c.id for c in RecoveryStore().pending()] == ["unsaved-doc"]


def test_copy_of_a_killed_editor_is_offered_before_it_is_reaped():
    owner = start_owner()
    try:
        os.kill(owner.pid, signal.SIGKILL)
        os.waitid(os.P_PID, owner.pid, os.WEXITED | os.WNOWAIT)  # dead, but left unreaped
        state = Path(f"/proc/{owner.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "Z"  # a zombie still has its PID, which fooled the check by process id
        copies = RecoveryStore().pending()
        assert [(c.id, c.text) for c in copies] == [("unsaved-doc", "Text only a running editor has.")]
    finally:
        owner.wait()
    store = RecoveryStore()
    store.discard("unsaved-doc")
    assert store.pending() == [] and list(store.folder.iterdir()) == []  # the dead session's lock file went too


def test_own_copies_are_never_offered_and_a_copy_without_a_lock_is():
    store = RecoveryStore()
    store.save("mine", None, "Still being typed.").result()
    assert store.pending() == []
    assert session_lock.lock_path(store.folder, session_lock.SESSION).exists()
    older = store.folder / "older.json"  # written by a Writer that recorded a process id, not a session
    older.write_text('{"version": 1, "id": "older", "path": null, "text": "Old text.", "saved_at": 1, "pid": 1}')
    assert [c.id for c in store.pending()] == ["older"]
