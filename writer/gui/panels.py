"""One side panel per action: options, a streamed result, and review before anything is applied."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSizePolicy, QTextBrowser, QVBoxLayout, QWidget,
)

from writer.core.actions import ActionRequest, lengths, prompt_data, styles
from writer.core.events import Delta, Done, Failed, Note, Progress, RunEvent, Waiting
from writer.core.languages import all_languages
from writer.core.worddiff import word_diff
from writer.gui import i18n
from writer.gui.i18n import tr, tr_message
from writer.gui.marks import highlight


def diff_html(old: str, new: str) -> str:
    parts = []
    for op, text in word_diff(old, new):
        escaped = html.escape(text).replace("\n", "<br>")
        if op == "removed":
            parts.append(f'<span style="background:#fbd5d5;color:#9b1c1c;text-decoration:line-through">{escaped}</span>&#8202;')
        elif op == "added":
            parts.append(f'<span style="background:#d3f5dd;color:#05603a">{escaped}</span>')
        else:
            parts.append(escaped)
    return "".join(parts)


class ActionPanel(QWidget):
    """Shared layout and review flow; subclasses add their options and build the request."""

    action = ""
    run_requested = Signal()
    stop_requested = Signal()
    apply_requested = Signal(str)  # "replace" or "insert"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{self.action}-panel")
        self.job: int | None = None
        self.origin: tuple[int, int, str] | None = None  # selection the result is for
        self.result = ""
        self.outcome: str | None = None  # the last run's finish reason, or "error"
        self.notes: list[Note] = []  # what the last run said the user should know
        self.show_diff = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.source_label.setObjectName("hint")
        layout.addWidget(self.source_label)
        self.options = QGridLayout()
        self.options.setHorizontalSpacing(8)
        self.options.setVerticalSpacing(6)
        layout.addLayout(self.options)
        self.build_options()

        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr(prompt_data(self.action)["label"]))
        self.run_button.setObjectName("primary")
        self.run_button.setDefault(True)
        self.stop_button = QPushButton(tr("Stop"))
        self.stop_button.setEnabled(False)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)

        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.output = QTextBrowser()
        self.output.setPlaceholderText(tr("The result appears here."))
        self.output.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.output, 1)
        self.diff_toggle = QCheckBox(tr("Show changes"))
        self.diff_toggle.setChecked(True)
        self.diff_toggle.setVisible(False)
        self.diff_toggle.toggled.connect(self._render)
        layout.addWidget(self.diff_toggle)

        review = QGridLayout()
        self.replace_button = QPushButton(tr("Replace selection"))
        self.insert_button = QPushButton(tr("Insert below"))
        self.copy_button = QPushButton(tr("Copy"))
        self.discard_button = QPushButton(tr("Discard"))
        for i, b in enumerate((self.replace_button, self.insert_button, self.copy_button, self.discard_button)):
            review.addWidget(b, i // 2, i % 2)
        layout.addLayout(review)

        self.run_button.clicked.connect(self.run_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.replace_button.clicked.connect(lambda: self.apply_requested.emit("replace"))
        self.insert_button.clicked.connect(lambda: self.apply_requested.emit("insert"))
        self.copy_button.clicked.connect(self.copy_result)
        self.discard_button.clicked.connect(self.discard)
        self._set_review_enabled(False)

    # -- subclass hooks --------------------------------------------------------------------
    def build_options(self) -> None:
        pass

    def request(self, text: str) -> ActionRequest:
        raise NotImplementedError

    def options_state(self) -> dict[str, str]:
        """Options to remember between sessions, and restore with `restore_options`."""
        return {}

    def restore_options(self, state: dict[str, str]) -> None:
        pass

    def empty_selection_hint(self) -> str:
        return tr("Select text in the editor; with nothing selected, the whole document is used.")

    # -- flow ------------------------------------------------------------------------------
    def set_source(self, words: int, selected: bool) -> None:
        if selected:
            self.source_label.setText(tr("Uses the selection ({words} words).", words=words))
        else:
            self.source_label.setText(self.empty_selection_hint())

    def begin(self, job: int, origin: tuple[int, int, str], server: str | None = None) -> None:
        """A new run; `server` names where the text goes when a server does the writing."""
        self.job, self.origin, self.result, self.outcome, self.notes = job, origin, "", None, []
        self.output.clear()
        self.output.setExtraSelections([])
        self.status.setText(tr("Sent to {server}; writing…", server=server) if server else tr("Writing…"))
        self.diff_toggle.setVisible(False)
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._set_review_enabled(False)

    def handle_event(self, event: RunEvent) -> None:
        if isinstance(event, Delta):
            self.result += event.text
            cursor = self.output.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText(event.text)
            self.output.setTextCursor(cursor)
        elif isinstance(event, Waiting):  # passing, e.g. waiting for the model
            self.status.setText(tr_message(event.message))
        elif isinstance(event, Progress):
            self.status.setText(tr("Piece {piece} of {pieces}…", piece=event.piece, pieces=event.pieces))
        elif isinstance(event, Note):
            self.status.setText(tr_message(event.message))
            if event.message.code != "result.token_limit":  # the finished status says that one itself
                self.notes.append(event)
        elif isinstance(event, (Done, Failed)):
            self.job = None
            self.run_button.setEnabled(True)
            self.stop_button.setEnabled(False)
            if isinstance(event, Failed):
                self.outcome = "error"
                self.status.setText(tr_message(event.message))
                self._set_review_enabled(bool(self.result.strip()))
                return
            self.outcome = event.finish
            self.result = event.text
            if event.finish == "cancelled":
                self.status.setText(tr("Stopped. You can still use what was written."))
            elif event.finish == "length":
                self.status.setText(tr("Stopped at the token limit; the result may be incomplete."))
            elif event.tokens_per_s:
                self.status.setText(tr("Done · {speed} tokens/s. Review, then apply.", speed=f"{event.tokens_per_s:.0f}"))
            else:
                self.status.setText(tr("Done. Review, then apply."))
            if self.notes:  # worth knowing before applying the result, so they stay in view
                self.status.setText("\n".join([self.status.text(), *(tr_message(n.message) for n in self.notes)]))
            self._render()
            self._set_review_enabled(bool(self.result.strip()))

    def _render(self) -> None:
        if self.job is not None:
            return
        diffable = self.show_diff and self.origin is not None and bool(self.origin[2].strip()) and bool(self.result)
        self.diff_toggle.setVisible(diffable)
        if diffable and self.diff_toggle.isChecked():
            self.output.setHtml(f'<div style="white-space:pre-wrap">{diff_html(self.origin[2], self.result)}</div>')
        else:
            self.output.setPlainText(self.result)
        highlight(self.output, [mark for note in self.notes for mark in note.marks])

    def _set_review_enabled(self, enabled: bool) -> None:
        has_origin = enabled and self.origin is not None and self.origin[0] != self.origin[1]
        self.replace_button.setEnabled(has_origin)
        self.insert_button.setEnabled(enabled)
        self.copy_button.setEnabled(enabled)
        self.discard_button.setEnabled(enabled)

    def copy_result(self) -> None:
        QGuiApplication.clipboard().setText(self.result)
        self.status.setText(tr("Copied to the clipboard."))

    def discard(self) -> None:
        self.result = ""
        self.origin = None
        self.output.clear()
        self.output.setExtraSelections([])
        self.status.setText("")
        self.diff_toggle.setVisible(False)
        self._set_review_enabled(False)

    def applied(self, message: str) -> None:
        self.status.setText(message)
        self._set_review_enabled(False)


def _combo(items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    for key, label in items.items():
        box.addItem(label, key)
    return box


def _select(box: QComboBox, key: str | None) -> None:
    index = box.findData(key)
    if index >= 0:
        box.setCurrentIndex(index)


def language_label(lang) -> str:
    """The language's own name, with its name in the interface language when they differ."""
    name = tr(lang.name)
    return lang.native if lang.native == name else tr("{native} ({name})", native=lang.native, name=name)


class ChoicePanel(ActionPanel):
    """A panel whose option is one choice from a list (a length, a language)."""

    choice_key = ""

    def choice_title(self) -> str:
        raise NotImplementedError

    def choices(self) -> dict[str, str]:
        raise NotImplementedError

    def default_choice(self) -> str | None:
        return None

    def build_options(self) -> None:
        self.choice = _combo(self.choices())
        _select(self.choice, self.default_choice())
        row = self.options.rowCount()
        self.options.addWidget(QLabel(self.choice_title()), row, 0)
        self.options.addWidget(self.choice, row, 1)
        self.options.setColumnStretch(1, 1)

    def request(self, text: str) -> ActionRequest:
        return ActionRequest(self.action, text, **{self.choice_key: self.choice.currentData()})

    def options_state(self):
        return {self.choice_key: self.choice.currentData()}

    def restore_options(self, state):
        _select(self.choice, state.get(self.choice_key))


class LengthPanel(ChoicePanel):
    """Generate and summarize: a length from the action's prompt file."""

    choice_key = "length"

    def choice_title(self):
        return tr("Length")

    def choices(self):
        return {key: tr(label) for key, label in lengths(self.action).items()}

    def default_choice(self):
        return prompt_data(self.action)["default_length"]


class GeneratePanel(LengthPanel):
    action = "generate"

    def build_options(self) -> None:
        self.instruction = QLineEdit()
        self.instruction.setPlaceholderText(tr("Optional instruction, e.g. “Write a closing paragraph”"))
        self.instruction.setClearButtonEnabled(True)
        self.options.addWidget(self.instruction, 0, 0, 1, 2)
        super().build_options()

    def empty_selection_hint(self) -> str:
        return tr("Continues from the text before the cursor, or follows your instruction.")

    def request(self, text: str) -> ActionRequest:
        return replace(super().request(text), instruction=self.instruction.text())


class SummarizePanel(LengthPanel):
    action = "summarize"


class TranslatePanel(ChoicePanel):
    action = "translate"
    choice_key = "language"

    def choice_title(self):
        return tr("To")

    def choices(self):
        return {lang.code: language_label(lang) for lang in all_languages()}

    def default_choice(self):
        return i18n.current().replace("_", "-")  # until the user picks one: the language they read


class RewritePanel(ActionPanel):
    action = "rewrite"

    def build_options(self) -> None:
        self.show_diff = True
        self.style_group = QButtonGroup(self)
        self.style_group.setExclusive(True)
        grid = QGridLayout()
        grid.setSpacing(6)
        for i, (key, label) in enumerate(styles().items()):
            button = QPushButton(tr(label))
            button.setCheckable(True)
            button.setProperty("style_id", key)
            button.setObjectName("chip")
            self.style_group.addButton(button)
            grid.addWidget(button, i // 3, i % 3)
            if key == prompt_data("rewrite")["default_style"]:
                button.setChecked(True)
        self.options.addLayout(grid, 0, 0, 1, 2)
        self.instruction = QLineEdit()
        self.instruction.setPlaceholderText(tr("Or your own instruction, e.g. “make it sound hopeful”"))
        self.instruction.setClearButtonEnabled(True)
        self.options.addWidget(self.instruction, 1, 0, 1, 2)
        # Clicking a style runs it at once: one click from selection to result.
        self.style_group.buttonClicked.connect(lambda _b: (self.instruction.clear(), self.run_requested.emit()))

    def style(self) -> str:
        button = self.style_group.checkedButton()
        return button.property("style_id") if button else prompt_data("rewrite")["default_style"]

    def request(self, text: str) -> ActionRequest:
        instruction = self.instruction.text().strip()
        return ActionRequest("rewrite", text, style=None if instruction else self.style(), instruction=instruction or None)

    def options_state(self):
        return {"style": self.style()}

    def restore_options(self, state):
        for button in self.style_group.buttons():
            if button.property("style_id") == state.get("style"):
                button.setChecked(True)


PANELS = (GeneratePanel, SummarizePanel, TranslatePanel, RewritePanel)
