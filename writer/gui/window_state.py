"""The window's geometry and dock layout: GUI-only state, kept by Qt in window.ini beside the
settings file (never in the core settings)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

from writer.core.paths import config_dir


def _store() -> QSettings:
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def restore_geometry(window: QMainWindow) -> None:
    geometry = _store().value("geometry")
    if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        window.resize(1280, 800)
    if window.width() < 640 or window.height() < 480:
        window.resize(max(window.width(), 1100), max(window.height(), 700))


def restore_layout(window: QMainWindow) -> bool:
    """False on a first start: no layout was saved yet."""
    state = _store().value("state")
    return isinstance(state, QByteArray) and window.restoreState(state)


def save(window: QMainWindow) -> None:
    store = _store()
    store.setValue("geometry", window.saveGeometry())
    store.setValue("state", window.saveState())
    store.sync()
