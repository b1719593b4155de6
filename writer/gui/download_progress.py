"""A model download in progress: bar, bytes, speed, time left and Cancel. Used by the model
manager and the first-run assistant; the download itself runs on the shared pool."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from writer.core import downloads, library
from writer.core.messages import Message
from writer.gui.background import Background
from writer.gui.i18n import tr, tr_message


class DownloadProgress(QWidget):
    finished = Signal(str, str)  # model id, name: downloaded, verified and registered
    failed = Signal(object)  # a Message; a cancelled download ("download.paused") resumes when started again

    def __init__(self, probe, parent=None) -> None:
        super().__init__(parent)
        self.probe = probe
        self.running = False
        self._cancel = threading.Event()
        self._jobs = Background(self)
        self.bar = QProgressBar()
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton(tr("Cancel download"))
        self.cancel_button.clicked.connect(self._cancel.set)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.label)
        self._show_running(False)

    def _show_running(self, running: bool) -> None:
        self.running = running
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running)

    def start(self, entry: dict, model_id: str, source: str, endpoint: str | None) -> None:
        """Downloads `entry` (a catalog entry, or repo/file/name of a hub file) and registers it."""
        self._cancel.clear()
        self._show_running(True)
        self.bar.setRange(0, 0)
        self.label.setText(tr("Starting the download of {name}…", name=entry["name"]))
        self._jobs.run("download", library.install, entry["repo"], entry["file"], model_id, entry["name"], source,
                       self.probe, base=endpoint, sha256=entry.get("sha256"), cancel=self._cancel,
                       done=lambda _path: self._done(model_id, entry["name"]), failed=self._failed,
                       progress=self._show_progress)

    def cancel(self) -> None:
        self._cancel.set()

    def _show_progress(self, p: downloads.Progress) -> None:
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * p.done / max(p.total, 1)))
        text = tr("{done} of {total} · {speed} MB/s", done=downloads.format_size(p.done),
                  total=downloads.format_size(p.total), speed=f"{p.bytes_per_s / 1e6:.1f}")
        if p.retry:
            text += " · " + tr("connection dropped, resuming (try {n} of {tries})…", n=p.retry, tries=downloads.RETRIES)
        elif p.eta_s is not None:
            text += " · " + tr("about {seconds} s left", seconds=f"{p.eta_s:.0f}")
        self.label.setText(text)

    def _done(self, model_id: str, name: str) -> None:
        self._show_running(False)
        self.finished.emit(model_id, name)

    def _failed(self, message: Message) -> None:
        self._show_running(False)
        retry = "" if message.code == "download.paused" else " " + tr("Choose Download to retry.")
        self.label.setText(tr_message(message) + retry)
        self.failed.emit(message)
