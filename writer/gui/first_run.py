"""The first-run assistant: what the built-in model can do, and one button to the model that
can do the job on this computer, in the user's languages (writer.core.recommend)."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from writer.core import downloads, library
from writer.core.fit import detect_machine, estimate
from writer.core.messages import Message
from writer.core.paths import models_dir
from writer.core.recommend import Recommendation, recommend, user_languages
from writer.core.settings import Settings
from writer.gui.background import Background
from writer.gui.download_progress import DownloadProgress
from writer.gui.i18n import tr, tr_message


def _free_disk_bytes() -> int | None:
    folder = models_dir()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _advice(interface_language: str, system_locale: str) -> tuple[Recommendation, int | None]:
    """Blocking (nvidia-smi, the disk): run off the GUI thread."""
    languages = user_languages(interface_language, system_locale)
    return recommend(detect_machine(), languages), _free_disk_bytes()


class FirstRunDialog(QDialog):
    model_chosen = Signal()  # the recommended model is downloaded, verified and active

    def __init__(self, settings: Settings, probe, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.recommendation: Recommendation | None = None
        self._jobs = Background(self)
        self.setWindowTitle(tr("Choose a model"))
        self.setMinimumWidth(620)

        self.intro = intro = QLabel(tr("Writer comes with a small built-in model (SmolLM2, 98 MB). It is quick and good for trying "
                          "Writer and for light proofreading, but it cannot really translate, summarize Chinese or "
                          "rewrite faithfully; check what it writes."))
        intro.setWordWrap(True)
        self.title = QLabel(tr("Looking for the model that suits this computer…"))
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setObjectName("hint")
        self.network = QLabel()
        self.network.setWordWrap(True)
        self.download = DownloadProgress(probe)
        self.download.finished.connect(self._downloaded)
        self.download.failed.connect(self._failed)
        self.download_button = QPushButton(tr("Download and use it"))
        self.download_button.setObjectName("primary")
        self.download_button.setEnabled(False)
        self.download_button.clicked.connect(self.start_download)
        self.skip_button = QPushButton(tr("Continue with the built-in model"))
        self.skip_button.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.network)
        layout.addWidget(self.download)
        layout.addLayout(buttons)

        # Only the computer is looked at here; the network is used once the user asks to download.
        self._jobs.run("advice", _advice, settings.language, QLocale.system().name(), done=self._show_advice)

    def _show_advice(self, advice: tuple[Recommendation, int | None]) -> None:
        self.recommendation, free = advice
        model = self.recommendation.model
        if model is None:
            self.title.setText(tr("The built-in model is the right one for this computer."))
            self.details.setText(tr_message(self.recommendation.reason))
            return
        self.title.setText(tr("Recommended: {name}", name=model["name"]))
        lines = [tr_message(self.recommendation.reason),
                 tr("Download: {size} · free disk space: {free} · {languages}", size=downloads.format_size(model["size_bytes"]),
                    free=downloads.format_size(free) if free is not None else tr("unknown"), languages=model["languages"]),
                 tr_message(estimate(model["size_bytes"]).describe())]
        self.details.setText("\n".join(lines))
        self._sync()
        self.adjustSize()

    def _offline(self, message: Message) -> None:
        self.network.setText(tr("Offline: {reason} You can keep writing with the built-in model and download a model "
                                "later from File → Models….", reason=tr_message(message)))
        self._sync()
        self.adjustSize()

    def _sync(self) -> None:
        ready = self.recommendation is not None and self.recommendation.model is not None
        self.download_button.setEnabled(ready and not self.download.running)

    def start_download(self) -> None:
        """Checks that the hub answers (within seconds), then downloads; offline, it says so."""
        self.download_button.setEnabled(False)
        self.network.setText(tr("Checking the connection to the model hub…"))
        self._jobs.run("hub", downloads.check_reachable, downloads.endpoint(self.settings.hf_endpoint), 5.0,
                       done=self._download, failed=self._offline)

    def _download(self, _reachable) -> None:
        self.network.setText("")
        model = self.recommendation.model
        self.download.start(model, model["id"], "catalog", self.settings.hf_endpoint)
        self._sync()

    def _downloaded(self, model_id: str, name: str) -> None:
        library.use(self.settings, model_id)
        self.download.label.setText(tr("{name} is downloaded, verified and now in use.", name=name))
        self.model_chosen.emit()
        self.accept()

    def _failed(self, _message: Message) -> None:
        self._sync()  # the built-in model stays; the download's line says why

    def done(self, result: int) -> None:
        if self.download.running:
            self.download.cancel()  # a partial download resumes the next time
        self.settings.first_run_done = True  # dismissed or chosen: never shown again by itself
        try:
            self.settings.save()
        except OSError:
            pass  # saved again when the window closes
        super().done(result)
