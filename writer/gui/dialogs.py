"""Dialogs: settings, find and replace, keyboard shortcuts."""

from __future__ import annotations

import re

from PySide6.QtGui import QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget,
    QVBoxLayout, QHeaderView, QWidget,
)

from writer.core.paths import default_model_path
from writer.core.settings import CONTEXT, TEMPERATURE, THREADS, Settings
from writer.gui.i18n import LANGUAGES, tr
from writer.gui.server_settings import ServerSettingsPage


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self.setMinimumWidth(520)
        form = QFormLayout()
        form.setVerticalSpacing(10)

        self.model = QLineEdit(settings.model_path or "")
        default = default_model_path()
        self.model.setPlaceholderText(tr("Default: {name}", name=default.name) if default else tr("Choose a .gguf model file"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(browse)
        form.addRow(tr("Model file"), row)

        self.n_ctx = QSpinBox()
        self.n_ctx.setRange(CONTEXT.low, CONTEXT.high)
        self.n_ctx.setSingleStep(1024)
        self.n_ctx.setValue(settings.n_ctx)
        self.n_ctx.setSuffix(" " + tr("tokens"))
        form.addRow(tr("Context size"), self.n_ctx)

        self.gpu_mode = QComboBox()
        self.gpu_mode.addItem(tr("Automatic (all layers when a GPU build is installed)"), "auto")
        self.gpu_mode.addItem(tr("Off (CPU only)"), "off")
        self.gpu_mode.addItem(tr("Number of layers"), "number")
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(1, 999)
        if settings.gpu_layers == "auto":
            self.gpu_mode.setCurrentIndex(0)
        elif settings.gpu_layers == 0:
            self.gpu_mode.setCurrentIndex(1)
        else:
            self.gpu_mode.setCurrentIndex(2)
            self.gpu_layers.setValue(int(settings.gpu_layers))
        self.gpu_mode.currentIndexChanged.connect(self._sync)
        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu_mode, 1)
        gpu_row.addWidget(self.gpu_layers)
        form.addRow(tr("GPU offload"), gpu_row)

        self.backend = QComboBox()
        self.backend.addItem(tr("Automatic (the GPU when one is found; the CPU if it crashes there)"), "auto")
        self.backend.addItem(tr("GPU"), "gpu")
        self.backend.addItem(tr("CPU only"), "cpu")
        self.backend.setCurrentIndex(max(0, self.backend.findData(settings.backend)))
        self.backend.setToolTip(tr("writer doctor shows where llama.cpp runs and why."))
        form.addRow(tr("Backend"), self.backend)

        self.threads = QSpinBox()
        self.threads.setRange(0, THREADS.high)
        self.threads.setSpecialValueText(tr("Automatic"))
        self.threads.setValue(settings.threads or 0)
        form.addRow(tr("CPU threads"), self.threads)

        self.edit_temperature = _temperature_box(settings.edit_temperature)
        form.addRow(tr("Temperature for edits"), self.edit_temperature)
        self.temperature = _temperature_box(settings.temperature)
        form.addRow(tr("Temperature for new text"), self.temperature)

        self.endpoint = QLineEdit(settings.hf_endpoint or "")
        self.endpoint.setPlaceholderText(tr("https://huggingface.co (or HF_ENDPOINT)"))
        form.addRow(tr("Model hub mirror"), self.endpoint)

        self.read_ahead = QCheckBox(tr("Read a selection ahead, so actions start at once (uses the processor while idle)"))
        self.read_ahead.setChecked(settings.read_ahead)
        form.addRow("", self.read_ahead)
        self.speculative = QCheckBox(tr("Draft from the selected text, so edits that keep most of it are written faster"))
        self.speculative.setToolTip(tr("The result is the same either way; turn it off to compare speeds."))
        self.speculative.setChecked(settings.speculative)
        form.addRow("", self.speculative)

        self.spell_check = QCheckBox(tr("Check spelling as you type"))
        self.spell_check.setChecked(settings.spell_check)
        form.addRow("", self.spell_check)

        self.language = QComboBox()
        self.language.addItem(tr("System default"), "system")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        form.addRow(tr("Interface language"), self.language)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addLayout(form)
        hint = QLabel(tr("Lower temperature gives more predictable text: edits (rewrite, proofread, translate, "
                         "summarize) keep to your text, new text may vary. A new model, context size, GPU offload or "
                         "thread count reloads the model; a new interface language shows the next time Writer starts."))
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        general_layout.addWidget(hint)
        self.engine = ServerSettingsPage(settings)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, tr("General"))
        self.tabs.addTab(self.engine, tr("Engine"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self._sync()

    def accept(self) -> None:
        if self.engine.ready_to_apply():  # a bad server address, or a key about to go out unencrypted
            super().accept()
        else:
            self.tabs.setCurrentWidget(self.engine)

    def _sync(self) -> None:
        self.gpu_layers.setEnabled(self.gpu_mode.currentData() == "number")

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a model"), "", tr("GGUF models (*.gguf)"))
        if path:
            self.model.setText(path)

    def apply_to(self, settings: Settings) -> None:
        settings.model_path = self.model.text().strip() or None
        settings.n_ctx = self.n_ctx.value()
        mode = self.gpu_mode.currentData()
        settings.gpu_layers = "auto" if mode == "auto" else 0 if mode == "off" else self.gpu_layers.value()
        settings.backend = self.backend.currentData()
        settings.threads = self.threads.value() or None
        settings.temperature = round(self.temperature.value(), 2)
        settings.edit_temperature = round(self.edit_temperature.value(), 2)
        endpoint = self.endpoint.text().strip().rstrip("/")
        settings.language = self.language.currentData()
        settings.read_ahead = self.read_ahead.isChecked()
        settings.spell_check = self.spell_check.isChecked()
        settings.speculative = self.speculative.isChecked()
        settings.hf_endpoint = endpoint if endpoint.startswith(("http://", "https://")) else None
        self.engine.apply_to(settings)


def _temperature_box(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(TEMPERATURE.low, TEMPERATURE.high)
    box.setSingleStep(0.1)
    box.setValue(value)
    return box


class FindReplaceDialog(QDialog):
    def __init__(self, editor, parent=None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.setWindowTitle(tr("Find and Replace"))
        self.find_text = QLineEdit()
        self.replace_text = QLineEdit()
        self.match_case = QCheckBox(tr("Match case"))
        self.message = QLabel()
        self.message.setObjectName("hint")
        form = QFormLayout()
        form.addRow(tr("Find"), self.find_text)
        form.addRow(tr("Replace with"), self.replace_text)
        form.addRow("", self.match_case)
        buttons = QHBoxLayout()
        for label, slot in ((tr("Previous"), lambda: self.find(backward=True)), (tr("Next"), self.find),
                            (tr("Replace"), self.replace), (tr("Replace all"), self.replace_all)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.find_text.returnPressed.connect(self.find)

    def _flags(self, backward=False):
        flags = QTextDocument.FindFlag(0)
        if self.match_case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def find(self, backward: bool = False) -> bool:
        needle = self.find_text.text()
        if not needle:
            return False
        found = self.editor.find(needle, self._flags(backward))
        if not found:  # wrap around once
            cursor = self.editor.textCursor()
            cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
            self.editor.setTextCursor(cursor)
            found = self.editor.find(needle, self._flags(backward))
        self.message.setText("" if found else tr("“{needle}” was not found.", needle=needle))
        return found

    def _selection_matches(self) -> bool:
        selected = self.editor.textCursor().selectedText()
        needle = self.find_text.text()
        return selected == needle if self.match_case.isChecked() else selected.casefold() == needle.casefold()

    def replace(self) -> None:
        if self.find_text.text() and self._selection_matches():
            self.editor.textCursor().insertText(self.replace_text.text())
        self.find()

    def replace_all(self) -> int:
        needle = self.find_text.text()
        if not needle:
            return 0
        flags = 0 if self.match_case.isChecked() else re.IGNORECASE
        replacement = self.replace_text.text()
        new_text, count = re.subn(re.escape(needle), lambda _m: replacement, self.editor.toPlainText(), flags=flags)
        if count:
            cursor = self.editor.textCursor()
            cursor.beginEditBlock()  # one undo step for all replacements
            cursor.select(cursor.SelectionType.Document)
            cursor.insertText(new_text)
            cursor.endEditBlock()
        self.message.setText(tr("Replaced 1 occurrence.") if count == 1 else tr("Replaced {count} occurrences.", count=count))
        return count


def plain_label(text: str) -> str:
    """A menu label without its accelerator: "&Open…" -> "Open", "打开(&O)…" -> "打开"."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "").rstrip("…")


class ShortcutsDialog(QDialog):
    def __init__(self, actions, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Keyboard Shortcuts"))
        self.resize(460, 520)
        rows = [(plain_label(a.text()), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for a in actions if not a.shortcut().isEmpty()]
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels([tr("Command"), tr("Shortcut")])
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (name, keys) in enumerate(rows):
            table.setItem(i, 0, QTableWidgetItem(name))
            table.setItem(i, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
