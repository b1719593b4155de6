"""The Ask panel: questions about the document, answered from its passages, with sources.

While the panel is shown it keeps a passage index of the document, rebuilt on the editor's
thread pool a moment after the text stops changing (hidden, it only notes that the index is out
of date). Questions run as engine session jobs through the bridge (writer.gui.engine_bridge),
like the actions, so the status bar, the busy checks and restarts see them. Answers are applied
like every other result: Copy or Insert below, nothing by itself.

Wiring (the main window): `AskPanel(text_source, bridge)`, `document_changed()` on every edit,
`set_selection(text, first_line)` when the selection settles, and connect `source_clicked`
(first line, last line; 1-based, inclusive) and `insert_requested` (the answer).
"""

from __future__ import annotations

import html
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QTextBlockFormat, QTextCharFormat
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSizePolicy, QTextBrowser,
    QVBoxLayout, QWidget,
)

from writer.core.ask import NOT_SAID, Conversation, Sources, check_question, check_text
from writer.core.errors import WriterError
from writer.core.events import Delta, Done, Failed, Note, Waiting
from writer.core.messages import Message
from writer.core.retrieval import PassageIndex
from writer.gui.background import POOL
from writer.gui.i18n import tr, tr_message
from writer.gui.marks import marked_html

INDEX_DELAY_MS = 800  # the index is rebuilt once typing pauses this long


class DocumentIndexer(QObject):
    """Keeps a PassageIndex of the document current: debounced, one build at a time, on the
    editor's thread pool. `text_source()` is called on the GUI thread for a snapshot of the text."""

    progress = Signal(int, int)
    ready = Signal(object)  # the PassageIndex
    failed = Signal(object)  # a Message
    _built = Signal(int, object)  # (generation, PassageIndex or Message), from the build thread

    def __init__(self, text_source: Callable[[], str], parent=None) -> None:
        super().__init__(parent)
        self._text_source = text_source
        self.index: PassageIndex | None = None
        self._generation = 0
        self._building = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(INDEX_DELAY_MS)
        self._timer.timeout.connect(self._start)
        self._built.connect(self._on_built)
        self._stale = False  # edited since the last build, with no build scheduled

    @property
    def busy(self) -> bool:
        """An edit waits to be indexed or is being indexed."""
        return self._timer.isActive() or self._building

    @property
    def current(self) -> bool:
        """The index matches the text as it is now."""
        return self.index is not None and not self.busy and not self._stale

    def schedule(self) -> None:
        self._generation += 1
        self._timer.start()

    def invalidate(self) -> None:
        """The text changed, but nobody needs the index yet: build it when asked (schedule, build_now)."""
        self._generation += 1
        self._stale = True

    def build_now(self) -> None:
        self._timer.stop()
        self._start()

    def _start(self) -> None:
        if self._building:  # the running build's result is stale; start again when it lands
            self._timer.start()
            return
        text = self._text_source()
        generation = self._generation
        self._building, self._stale = True, False
        POOL.submit(self._build, generation, text, self.index)

    def _build(self, generation: int, text: str, previous: PassageIndex | None) -> None:
        try:
            check_text(text)
            result = PassageIndex.build(text, progress=self.progress.emit, previous=previous)
        except WriterError as exc:
            result = exc.message
        self._built.emit(generation, result)

    def _on_built(self, generation: int, result) -> None:
        self._building = False
        if generation != self._generation:
            self._timer.start()
            return
        if isinstance(result, Message):
            self.index = None
            self.failed.emit(result)
        else:
            self.index = result
            self.ready.emit(result)


class AskPanel(QWidget):
    action = "ask"
    source_clicked = Signal(int, int)  # first line, last line of a source (1-based, inclusive)
    insert_requested = Signal(str)  # the answer, to insert below the selection

    def __init__(self, text_source: Callable[[], str], bridge, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ask-panel")
        self.bridge = bridge  # writer.gui.engine_bridge.EngineBridge
        self.conversation = Conversation()
        self.selection, self.selection_line = "", 1
        self.answer = ""
        self.notes: list[Note] = []  # what the checks said about the last answer
        self.job: int | None = None  # the bridge's id of the question running
        self._pending: str | None = None  # a question waiting for the index
        self._history_html: list[str] = []
        self.indexer = DocumentIndexer(text_source, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        self.scope_label = QLabel()
        self.scope_label.setObjectName("hint")
        self.scope_label.setWordWrap(True)
        layout.addWidget(self.scope_label)
        row = QHBoxLayout()
        self.question = QLineEdit()
        self.question.setPlaceholderText(tr("Ask about the document, e.g. “Who keeps the key?”"))
        self.question.setClearButtonEnabled(True)
        self.ask_button = QPushButton(tr("Ask"))
        self.ask_button.setObjectName("primary")
        self.stop_button = QPushButton(tr("Stop"))
        self.stop_button.setEnabled(False)
        row.addWidget(self.question, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.output = QTextBrowser()
        self.output.setPlaceholderText(tr("The answer appears here, with the passages it comes from."))
        self.output.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.output, 3)
        self.sources_label = QLabel(tr("Sources (click to select in the document):"))
        layout.addWidget(self.sources_label)
        self.sources = QListWidget()
        self.sources.setWordWrap(True)
        layout.addWidget(self.sources, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(tr("New conversation"))
        self.copy_button = QPushButton(tr("Copy"))
        self.insert_button = QPushButton(tr("Insert below"))
        for button in (self.new_button, self.copy_button, self.insert_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.question.returnPressed.connect(self.ask)
        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop)
        self.new_button.clicked.connect(self.new_conversation)
        self.copy_button.clicked.connect(self.copy_answer)
        self.insert_button.clicked.connect(lambda: self.insert_requested.emit(self.answer))
        self.sources.itemClicked.connect(self._source_clicked)
        self.sources.itemActivated.connect(self._source_clicked)
        self.indexer.progress.connect(self._index_progress)
        self.indexer.ready.connect(self._index_ready)
        self.indexer.failed.connect(self._index_failed)
        bridge.job_event.connect(self._on_event)
        self._set_answer_enabled(False)
        self.new_button.setEnabled(False)
        self._show_scope()

    # -- what the window tells the panel ------------------------------------------------------
    def document_changed(self) -> None:
        if self.isVisible():
            self.indexer.schedule()
        else:
            self.indexer.invalidate()  # a hidden panel does not index every pause in typing

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.indexer.current and not self.indexer.busy:
            self.indexer.schedule()

    def set_selection(self, text: str, first_line: int = 1) -> None:
        self.selection, self.selection_line = text, first_line
        self._show_scope()

    def _show_scope(self) -> None:
        self.scope_label.setText(tr("Asks about the selection.") if self.selection.strip()
                                 else tr("Asks about the whole document."))

    # -- asking ---------------------------------------------------------------------------------
    def ask(self) -> None:
        if self.job is not None:
            return
        try:
            self._pending = check_question(self.question.text())
        except WriterError as exc:
            self.status.setText(tr_message(exc.message))
            return
        self._ask_pending()

    def _ask_pending(self) -> None:
        """Asks the waiting question once the index matches the text (the job itself waits for the model)."""
        if self._pending is None or self.job is not None:
            return
        if not self.selection.strip() and not self.indexer.current:
            self.status.setText(tr("Reading the document…"))
            self.indexer.build_now()
            return
        question, self._pending = self._pending, None
        self._start(question)

    def _start(self, question: str) -> None:
        if self.selection.strip():
            text, offset, index = self.selection, self.selection_line - 1, None
        else:
            index = self.indexer.index
            text, offset = index.text, 0
        try:
            check_text(text)
        except WriterError as exc:
            self.status.setText(tr_message(exc.message))
            return
        self.answer, self.notes = "", []
        self.job = self.bridge.ask(question, text, line_offset=offset, conversation=self.conversation, index=index)
        self._history_html.append(f"<p><b>{html.escape(question)}</b></p>")
        self._render()
        self.sources.clear()
        self.status.setText(tr("Reading the passages…"))
        self.ask_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._set_answer_enabled(False)

    def stop(self) -> None:
        if self.job is not None:
            self.bridge.cancel(self.job)

    def new_conversation(self) -> None:
        self.stop()
        self.job, self._pending = None, None
        self.conversation.clear()
        self._history_html.clear()
        self.answer = ""
        self.output.clear()
        self.sources.clear()
        self.status.setText("")
        self.ask_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.new_button.setEnabled(False)
        self._set_answer_enabled(False)

    # -- results --------------------------------------------------------------------------------
    def _on_event(self, job: int, event) -> None:
        if job != self.job:
            return  # from a run that was replaced or cleared
        if isinstance(event, Waiting):
            self.status.setText(tr_message(event.message))
        elif isinstance(event, Delta):
            cursor = self.output.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            if not self.answer:  # a paragraph of its own, in plain type, below the bold question
                self.status.setText(tr("Answering…"))
                cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            self.answer += event.text
            cursor.insertText(event.text, QTextCharFormat())
            self.output.setTextCursor(cursor)
        elif isinstance(event, Note) and event.message.code == NOT_SAID.code:
            self.answer = ""
            self._history_html.append(f"<p><i>{html.escape(tr_message(event.message))}</i></p>")
            self._render()
        elif isinstance(event, Note):  # a check of the answer (writer.core.grounding), shown beside it
            self.notes.append(event)
        elif isinstance(event, Sources):
            for source in event.sources:
                text = tr("lines {first}–{last}: “{quote}”", first=source.first_line, last=source.last_line,
                          quote=source.quote)
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, (source.first_line, source.last_line))
                item.setToolTip(tr("Click to select these lines in the document."))
                self.sources.addItem(item)
        elif isinstance(event, (Done, Failed)):
            self._finish(event)

    def _finish(self, event) -> None:
        self.job = None
        self.ask_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.new_button.setEnabled(True)
        if isinstance(event, Failed):
            self.status.setText(tr_message(event.message))
        elif event.finish == "cancelled":
            self.status.setText(tr("Stopped. You can still use what was written."))
        elif self.answer:
            self.status.setText(tr("Done. Follow-up questions continue this conversation."))
            self.question.clear()
        else:
            self.status.setText("")
        if self.answer:
            self._history_html.append(f"<p>{marked_html(self.answer, [m for n in self.notes for m in n.marks])}</p>")
            if self.notes:
                said = "<br>".join(f"⚠ {html.escape(tr_message(n.message))}" for n in self.notes)
                self._history_html.append(f'<p style="color:#8a5a00">{said}</p>')
                # In the status too, which stays in view when the history scrolls.
                self.status.setText("\n".join([self.status.text(), *(tr_message(n.message) for n in self.notes)]))
            self._render()
        self._set_answer_enabled(bool(self.answer.strip()))

    def _render(self) -> None:
        self.output.setHtml("".join(self._history_html))
        self.output.verticalScrollBar().setValue(self.output.verticalScrollBar().maximum())

    def _source_clicked(self, item: QListWidgetItem) -> None:
        first, last = item.data(Qt.ItemDataRole.UserRole)
        self.source_clicked.emit(first, last)

    def _set_answer_enabled(self, enabled: bool) -> None:
        self.copy_button.setEnabled(enabled)
        self.insert_button.setEnabled(enabled)

    def copy_answer(self) -> None:
        QGuiApplication.clipboard().setText(self.answer)
        self.status.setText(tr("Copied to the clipboard."))

    # -- the index ------------------------------------------------------------------------------
    def _index_progress(self, done: int, total: int) -> None:
        if total and done < total:
            self.status.setText(tr("Reading the document… {percent}%", percent=done * 100 // total))

    def _index_failed(self, message: Message) -> None:
        self._pending = None
        self.status.setText(tr_message(message))

    def _index_ready(self, _index) -> None:
        if self._pending is not None:
            self._ask_pending()
        elif self.job is None and self.status.text().startswith(tr("Reading the document…")[:-1]):
            self.status.setText("")
