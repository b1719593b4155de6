"""The engine's part of the status bar: the speed of the last result, the model, where it runs
(with the reasons in a tooltip) and the engine's state. Notes to read once (where the model was
placed, a crash fallback, an engine error) go out through `message` for the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from writer.core.events import Loaded
from writer.core.messages import Message
from writer.gui.i18n import tr, tr_message


class EngineStatus(QWidget):
    message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.speed_label = QLabel()
        self.model_label = QLabel(tr("No model"))
        self.device_label = QLabel()
        self.state_label = QLabel(tr("Starting engine…"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in (self.speed_label, self.model_label, self.device_label, self.state_label):
            layout.addWidget(label)

    def show_state(self, state: str, detail: Message | None) -> None:
        detail = tr_message(detail) if detail is not None else ""
        text = {"starting": tr("Starting engine…"), "loading": tr("Loading model…"), "ready": tr("Ready"),
                "busy": tr("Writing…"), "restarting": tr("Restarting engine…"), "error": tr("Engine error")}.get(state, state)
        self.state_label.setText(text)
        self.state_label.setToolTip(detail)
        if state in ("error", "restarting") and detail:
            self.message.emit(detail, 15000)

    def show_speed(self, tokens_per_s: float) -> None:
        self.speed_label.setText(tr("{speed} tokens/s", speed=f"{tokens_per_s:.0f}"))

    def show_model(self, loaded: Loaded) -> None:
        model = loaded.model
        if model.server:  # the text goes to a server: say which, always in view
            self.model_label.setText(tr("{model} on {server}", model=model.name, server=model.server))
            self.model_label.setToolTip(tr("Your text is sent to {server} to be written on.", server=model.server))
            self.device_label.setText(tr("Server"))
            self.device_label.setToolTip("")
            return
        self.model_label.setText(Path(model.path).stem)
        self.model_label.setToolTip(tr("{path}\n{millions}M parameters, {quantization}, context {context}",
                                       path=model.path, millions=f"{model.parameters / 1e6:.0f}",
                                       quantization=model.quantization, context=model.context))
        if model.gpu_layers:
            self.device_label.setText(tr("{gpu} · {used}/{total} layers", gpu=model.gpu_name or tr("GPU"),
                                         used=model.gpu_layers, total=model.layers + 1))
        else:
            self.device_label.setText("CPU")
        reasons = [tr_message(m) for m in (loaded.fallback, model.gpu_fallback, loaded.fit) if m is not None]
        if not loaded.gpu_offload_supported:
            reasons.insert(0, tr("This llama.cpp build has no GPU support; see README to install a GPU build."))
        self.device_label.setToolTip("\n".join(reasons))
        for note in (loaded.placement, loaded.fallback):  # the crash fallback wins: it is said once
            if note is not None:
                self.message.emit(tr_message(note), 15000)
