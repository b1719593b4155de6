"""The model manager: catalog, downloads with progress, imports, removal and the active model."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
    QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from writer.core import downloads, library
from writer.core.errors import UserError
from writer.core.fit import detect_machine, estimate
from writer.core.messages import Message
from writer.core.settings import Settings
from writer.gui.background import Background
from writer.gui.download_progress import DownloadProgress
from writer.gui.i18n import tr, tr_message


class ModelManagerDialog(QDialog):
    model_chosen = Signal()  # the active model changed: reload the engine
    COLUMNS = ("model", "size", "chinese", "translation", "languages", "status")

    def __init__(self, settings: Settings, probe, busy=lambda: False, parent=None) -> None:
        super().__init__(parent)
        self.settings, self.probe, self.busy = settings, probe, busy
        self.setWindowTitle(tr("Models"))
        self.resize(900, 560)
        self.models: list[library.ModelEntry] = []
        self._jobs = Background(self)
        self._machine = None  # RAM and GPU memory, asked off the GUI thread (nvidia-smi can be slow)

        self.network = QLabel(tr("Checking the connection to the model hub…"))
        self.network.setObjectName("hint")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([tr("Model"), tr("Size"), tr("Chinese"), tr("Translation"), tr("Languages"),
                                              tr("Status")])
        self.table.verticalHeader().setVisible(False)
        # One line a row, with room around it; a long language list is elided and shown whole as a tooltip.
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(len(self.COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMNS.index("languages"), QHeaderView.ResizeMode.Stretch)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setObjectName("hint")

        self.download = DownloadProgress(probe)
        self.download.finished.connect(self._downloaded)
        self.download.failed.connect(lambda _message: self._selection_changed())
        # The download's line also says how searches, imports and removals went.
        self.progress, self.progress_label, self.cancel_button = self.download.bar, self.download.label, self.download.cancel_button

        self.download_button = QPushButton(tr("Download"))
        self.download_button.setObjectName("primary")
        self.use_button = QPushButton(tr("Use this model"))
        self.remove_button = QPushButton(tr("Remove…"))
        self.import_button = QPushButton(tr("Import .gguf…"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search the hub for GGUF models, then press Enter"))
        self.search.setClearButtonEnabled(True)

        buttons = QHBoxLayout()
        for b in (self.download_button, self.use_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.network)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.download)
        layout.addLayout(buttons)
        layout.addWidget(self.search)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.download_button.clicked.connect(self.download_selected)
        self.use_button.clicked.connect(self.use_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self.import_dialog)
        self.search.returnPressed.connect(self.search_hub)
        self.refresh()
        self._check_network()
        self._check_machine()

    # -- listing ---------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        current = select or (self.selected().id if self.selected() else None)
        self.models = library.list_models(self.settings)
        self.table.setRowCount(len(self.models))
        for row, model in enumerate(self.models):
            info = model.catalog
            if model.id == library.DEFAULT_ID:  # tiny: fine for proofreading English, poor at translation
                info = {"languages": tr("English mainly"), "chinese": False, "translation": "poor"}
            chinese = (tr("yes") if info["chinese"] else tr("no")) if info else ""
            status = tr("Active") if model.active else tr("Installed") if model.installed else tr("Not downloaded")
            cells = [model.name, downloads.format_size(model.size_bytes), chinese,
                     tr(info["translation"]) if info else "", info.get("languages", ""), status]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if model.active:
                    font = QFont()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
            if model.id == current:
                self.table.selectRow(row)
        if self.table.currentRow() < 0 and self.models:
            self.table.selectRow(0)
        self._selection_changed()

    def selected(self) -> library.ModelEntry | None:
        row = self.table.currentRow()
        return self.models[row] if 0 <= row < len(self.models) else None

    def _selection_changed(self) -> None:
        model = self.selected()
        self.download_button.setEnabled(bool(model and not model.installed and model.catalog) and not self.download.running)
        self.use_button.setEnabled(bool(model and model.installed and not model.active))
        self.remove_button.setEnabled(bool(model and model.installed and model.id != library.DEFAULT_ID and not model.active))
        if model is None:
            self.details.clear()
            return
        lines = []
        if model.catalog:
            c = model.catalog
            lines.append(tr("{repo} · {file} · {parameters} parameters · {quantization} · licence: {license}", **c))
        described = library.describe(model)
        if described:
            lines.append(tr_message(described))
        if model.size_bytes:
            layers = model.meta.get("layers") or 32
            if self._machine is None:
                lines.append(tr("Checking this computer's memory…"))
            else:
                fit = estimate(model.size_bytes, layers, self._machine, self.settings.n_ctx, model.meta.get("kv_token_bytes", 0))
                lines.append(tr_message(fit.describe()))
        self.details.setText("\n".join(lines))

    def _check_network(self) -> None:
        base = downloads.endpoint(self.settings.hf_endpoint)
        self._jobs.run("network", downloads.check_reachable, base, 5.0,
                       done=lambda _: self.network.setText(tr("Connected to {base}. Downloads are verified before use.",
                                                              base=base)),
                       failed=lambda message: self.network.setText(tr("Offline: {reason} Local models keep working.",
                                                                      reason=tr_message(message))))

    def _check_machine(self) -> None:
        self._jobs.run("machine", detect_machine, done=self._machine_known)

    def _machine_known(self, machine) -> None:
        self._machine = machine
        self._selection_changed()

    # -- actions ---------------------------------------------------------------------------
    def download_selected(self) -> None:
        model = self.selected()
        if model and model.catalog:
            self.start_download(model.catalog, model.id, "catalog")

    def start_download(self, entry: dict, model_id: str, source: str) -> None:
        self.download.start(entry, model_id, source, self.settings.hf_endpoint)
        self._selection_changed()

    def _downloaded(self, model_id: str, name: str) -> None:
        self.progress_label.setText(tr("{name} is downloaded and verified. Choose “Use this model” to write with it.", name=name))
        self.refresh(select=model_id)

    def _show_failure(self, message: Message) -> None:
        self.progress_label.setText(tr_message(message))

    def use_selected(self) -> None:
        model = self.selected()
        if model is None:
            return
        if self._library(library.use, model.id):
            self.refresh(select=model.id)
            self.model_chosen.emit()

    def remove_selected(self) -> None:
        model = self.selected()
        if model is None:
            return
        if self.busy():
            self.progress_label.setText(tr("Wait for the current action to finish before removing a model."))
            return
        answer = QMessageBox.question(self, tr("Remove model"), tr("Remove {name}? A downloaded file is deleted from disk; "
                                                                   "an imported file stays where it is.", name=model.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self._library(library.remove, model.id):
            self.progress_label.setText(tr("Removed {name}.", name=model.name))
            self.refresh()

    def _library(self, change, model_id: str) -> bool:
        """Applies a library change; says why when it is refused."""
        try:
            change(self.settings, model_id)
        except UserError as exc:
            self.progress_label.setText(tr_message(exc.message))
            return False
        return True

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Import a model"), "", tr("GGUF models (*.gguf)"))
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        self.progress_label.setText(tr("Checking the model file…"))
        self._jobs.run("import", library.import_model, path, self.probe, done=self._imported, failed=self._show_failure)

    def _imported(self, entry: library.ModelEntry) -> None:
        self.progress_label.setText(tr("Imported {name}.", name=entry.name))
        self.refresh(select=entry.id)

    def search_hub(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        base = downloads.endpoint(self.settings.hf_endpoint)
        self.progress_label.setText(tr("Searching {base} for “{query}”…", base=base, query=query))
        self._jobs.run("hub", downloads.search, query, base,
                       done=lambda found: self._choose_from_results([repo for repo, _ in found]), failed=self._show_failure)

    def _choose_from_results(self, repos: list[str]) -> None:
        if not repos:
            self.progress_label.setText(tr("No GGUF models match that search."))
            return
        self.progress_label.setText("")
        repo, ok = QInputDialog.getItem(self, tr("Search results"), tr("Repository:"), repos, 0, False)
        if not ok:
            return
        self._jobs.run("hub", downloads.gguf_files, repo, self.settings.hf_endpoint,
                       done=lambda files: self._choose_file(repo, files), failed=self._show_failure)

    def _choose_file(self, repo: str, files: list[str]) -> None:
        if not files:
            self.progress_label.setText(tr("{repo} has no .gguf files.", repo=repo))
            return
        filename, ok = QInputDialog.getItem(self, repo, tr("File (Q4_K_M is a good balance):"), files, 0, False)
        if ok:
            entry = {"repo": repo, "file": filename, "name": downloads.safe_filename(filename)}
            self.start_download(entry, library.id_for(repo, filename), "hub")

    def reject(self) -> None:
        self.download.cancel()  # a running download pauses; its partial file resumes next time
        super().reject()
