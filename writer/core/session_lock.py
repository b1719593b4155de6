"""Is the editor that wrote a file still running? Each editor session holds an OS lock on a lock
file for as long as it lives; the kernel releases the lock when the process dies, however it
dies (kill -9, a crash, a power cut), even before a parent reaps it. A process id cannot answer
this: after a reboot it may belong to another program, and a killed, unreaped editor keeps it.

POSIX uses flock(2), Windows msvcrt.locking on the file's first byte.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from pathlib import Path
from typing import IO

SESSION = uuid.uuid4().hex  # this process's session id
SUFFIX = ".lock"

_held: dict[Path, IO[bytes]] = {}  # folder -> this session's locked file there, open until the process ends
_guard = threading.Lock()


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def lock_path(folder: Path, session: str) -> Path:
    return folder / f"{session}{SUFFIX}"


def hold(folder: Path) -> None:
    """Takes this session's lock in `folder` (once); it is held until the process ends."""
    with _guard:
        if folder in _held:
            return
        folder.mkdir(parents=True, exist_ok=True)
        path = lock_path(folder, SESSION)
        # On POSIX the file is locked before it gets its name, so no one ever sees it unlocked and
        # deletes it as a dead session's; Windows cannot rename an open file, but neither can
        # anyone delete it while it is open.
        staging = path if sys.platform == "win32" else path.with_name(f"{SESSION}.new")
        handle = open(staging, "a+b")
        if not _try_lock(handle):
            handle.close()
            raise OSError(f"could not lock {staging}")
        if staging != path:
            os.replace(staging, path)
        _held[folder] = handle


def owner_gone(folder: Path, session: str) -> bool:
    """True when the session that holds (or held) `session`'s lock in `folder` is no longer running."""
    if session == SESSION and folder in _held:
        return False
    try:
        handle = open(lock_path(folder, session), "r+b")
    except FileNotFoundError:
        return True  # never locked (a copy from an older Writer) or already cleaned up
    except OSError:
        return False  # cannot tell: leave the copy to its owner
    with handle:  # closing releases the probe's own lock
        return _try_lock(handle)


def remove_dead(folder: Path, keep: set[str]) -> None:
    """Deletes the lock files of ended sessions that no longer own anything in `folder`."""
    for path in folder.glob(f"*{SUFFIX}"):
        session = path.name[: -len(SUFFIX)]
        if session in keep or session == SESSION:
            continue
        try:
            with open(path, "r+b") as handle:
                if _try_lock(handle):
                    path.unlink()  # while locked, so a live session's file is never removed
        except OSError:
            continue
