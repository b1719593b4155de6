"""The main window: editor, action panels, menus and status bar, with all signals wired here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QTimer, Signal  # not Qt: its namespace costs 13 ms before the first paint
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox,
)

from writer import APP_NAME, __version__
from writer.core import documents
from writer.core.docx_import import is_docx, load_docx, markdown_name
from writer.core.errors import UserError
from writer.core.events import Done, Failed, Loaded, RunEvent
from writer.core.messages import Message
from writer.core.paths import config_dir
from writer.core.pipeline import likely_prompt
from writer.core.settings import Settings
from writer.core.textstats import chunks, count_characters, count_words
from writer.gui.editor import Editor, utf16_len
from writer.gui.i18n import tr, tr_message

if TYPE_CHECKING:
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.panels import ActionPanel

AUTOSAVE_MS = 2000  # recovery copy while there are unsaved changes
IDLE_MS = 800  # and soon after typing pauses
ENCODINGS = ["gb18030", "big5", "shift_jis", "euc-kr", "cp1252", "latin-1", "utf-16"]  # offered for non-UTF-8 files
SELECTION_MS = 100  # a selection's word count waits for the mouse to pause
PREFILL_MS = 600  # a selection that stays this long is read by the idle engine ahead of the click
PREFILL_MIN_WORDS = 30  # below this the prompt is evaluated in a blink anyway
SHORTCUTS = {"generate": "Ctrl+Shift+G", "summarize": "Ctrl+Shift+M", "translate": "Ctrl+Shift+T", "rewrite": "Ctrl+Shift+R",
             "ask": "Ctrl+Shift+A"}


class SlicedCount(QObject):
    """Counts words and characters a slice per event-loop turn, so a large text never stalls typing
    or selecting; `done(words, characters)` gets the totals. A new count replaces one under way."""

    def __init__(self, slice_chars: int, done, parent: QObject) -> None:
        super().__init__(parent)
        self._slice, self._done = slice_chars, done
        self._slices, self._words, self._characters = iter(()), 0, 0
        self._step = QTimer(self)
        self._step.setInterval(0)
        self._step.timeout.connect(self._next)

    def start(self, text: str) -> None:
        self._slices, self._words, self._characters = chunks(text, self._slice), 0, 0
        self._next()

    def _next(self) -> None:
        piece = next(self._slices, None)
        if piece is None:
            self._step.stop()
            self._done(self._words, self._characters)
            return
        self._words += count_words(piece)
        self._characters += count_characters(piece)
        self._step.start()


class MainWindow(QMainWindow):
    COUNT_SLICE = 200_000  # characters counted per event-loop turn, so large documents never stall typing

    ready = Signal()  # panels, menus and the engine bridge exist

    def __init__(self, settings: Settings | None = None, bridge: EngineBridge | None = None,
                 defer: bool = False) -> None:
        """With `defer`, only the editor is built now and the rest right after the window's first
        paint, so the window appears at once (the app does this; tests build everything at once)."""
        self._build_after_paint = False  # set before Qt starts sending events to event()
        super().__init__()
        self.settings = settings or Settings.load()
        self._given_bridge = bridge
        self.path: Path | None = None
        self.imported_from: Path | None = None  # the .docx the text came from; never written to
        self.doc = documents.Document("")
        self.jobs: dict[int, ActionPanel] = {}
        self.first_run = None  # the first-run assistant, while it is open
        self.panels: dict[str, ActionPanel] = {}
        self.docks: dict = {}
        self.find_dialog = None
        self.setObjectName("main-window")
        self.setAcceptDrops(True)
        self.editor = Editor()
        self.setCentralWidget(self.editor)
        self._build_status_bar()
        self._restore_geometry()
        self._update_title()
        self._build_after_paint = defer
        if not defer:
            self._build_rest()

    def event(self, event) -> bool:
        if self._build_after_paint and event.type() == QEvent.Type.Paint:
            self._build_after_paint = False
            QTimer.singleShot(0, self._build_rest)
        return super().event(event)

    def _build_rest(self) -> None:
        from writer.core.recovery import RecoveryStore, new_document_id
        from writer.gui.engine_bridge import EngineBridge

        self.bridge = self._given_bridge or EngineBridge(parent=self)
        self.editor.start_highlighting()
        from writer.gui.spelling_ui import SpellController
        self.spelling = SpellController(self)
        self.statusBar().insertPermanentWidget(1, self.spelling.button)  # index 0 is the word count
        self.recovery = RecoveryStore()
        self.doc_id = new_document_id()
        self._copy_stale = False  # edits since the last recovery copy
        self._last_action = "rewrite"  # the action a selection is most likely for
        self._build_panels()
        self._build_actions()
        self._wire()
        self._restore_layout()
        self.editor.document().setModified(False)
        self._update_counts()
        self._update_sources()
        self.spelling.set_enabled(self.settings.spell_check)
        self.ready.emit()

    # -- construction ----------------------------------------------------------------------
    def _build_panels(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QDockWidget

        from writer.gui.panels import PANELS

        previous = None
        for cls in PANELS:
            panel = cls()
            panel.restore_options({k.split(".", 1)[1]: v for k, v in self.settings.last_options.items()
                                   if k.startswith(cls.action + ".")})
            dock = QDockWidget(panel.run_button.text(), self)
            dock.setObjectName(f"{cls.action}-dock")
            dock.setWidget(panel)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            if previous is not None:
                self.tabifyDockWidget(previous, dock)
            previous = dock
            self.panels[cls.action] = panel
            self.docks[cls.action] = dock
        from writer.gui.ask_panel import AskPanel
        self.ask = AskPanel(self.editor.toPlainText, self.bridge)
        dock = QDockWidget(tr("Ask"), self)
        dock.setObjectName("ask-dock")
        dock.setWidget(self.ask)
        dock.setFeatures(previous.features())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.tabifyDockWidget(previous, dock)
        self.docks["ask"] = dock
        self.resizeDocks(list(self.docks.values()), [380] * len(self.docks), Qt.Orientation.Horizontal)

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.all_actions.append(action)
        return action

    def _build_actions(self) -> None:
        self.all_actions: list[QAction] = []
        bar = self.menuBar()
        file = bar.addMenu(tr("&File"))
        self._action(file, tr("&New"), self.new_document, QKeySequence.StandardKey.New)
        self._action(file, tr("&Open…"), self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file.addMenu(tr("Open &Recent"))
        self._action(file, tr("&Save"), self.save, QKeySequence.StandardKey.Save)
        self._action(file, tr("Save &As…"), self.save_as, QKeySequence.StandardKey.SaveAs)
        self._action(file, tr("&Export…"), self.export, "Ctrl+E")
        self._action(file, tr("&Print…"), self.print_preview, QKeySequence.StandardKey.Print)
        file.addSeparator()
        self._action(file, tr("Models…"), self.open_models, "Ctrl+Shift+L")
        self._action(file, tr("Settings…"), self.open_settings, "Ctrl+,")
        file.addSeparator()
        self._action(file, tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu(tr("&Edit"))
        self._action(edit, tr("&Undo"), self.editor.undo, QKeySequence.StandardKey.Undo)
        self._action(edit, tr("&Redo"), self.editor.redo, QKeySequence.StandardKey.Redo)
        edit.addSeparator()
        self._action(edit, tr("Cu&t"), self.editor.cut, QKeySequence.StandardKey.Cut)
        self._action(edit, tr("&Copy"), self.editor.copy, QKeySequence.StandardKey.Copy)
        self._action(edit, tr("&Paste"), self.editor.paste, QKeySequence.StandardKey.Paste)
        self._action(edit, tr("Select &All"), self.editor.selectAll, QKeySequence.StandardKey.SelectAll)
        edit.addSeparator()
        self._action(edit, tr("&Find and Replace…"), self.show_find, QKeySequence.StandardKey.Find)

        view = bar.addMenu(tr("&View"))
        self._action(view, tr("Zoom &In"), lambda: self.editor.zoom(1), QKeySequence.StandardKey.ZoomIn)
        self._action(view, tr("Zoom &Out"), lambda: self.editor.zoom(-1), QKeySequence.StandardKey.ZoomOut)
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())

        assist = bar.addMenu(tr("&Assist"))
        labels = {"generate": tr("Generate Selection"), "summarize": tr("Summarize Selection"),
                  "translate": tr("Translate Selection"), "rewrite": tr("Rewrite Selection")}
        by_action = {name: self._action(assist, labels[name], lambda _=False, n=name: self.run_action(n), SHORTCUTS[name])
                     for name in self.panels}
        self._action(assist, tr("Ask the Document"), self.show_ask, SHORTCUTS["ask"])
        assist.addSeparator()
        self._action(assist, tr("Stop"), self.stop_all, "Ctrl+.")
        self.editor.set_context_actions([by_action["translate"], by_action["rewrite"]])

        help_menu = bar.addMenu(tr("&Help"))
        self._action(help_menu, tr("Choose a Model…"), self.show_first_run)
        self._action(help_menu, tr("Keyboard Shortcuts"), self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, tr("About {app}", app=APP_NAME), self.show_about)
        self._refresh_recent()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.counts_label = QLabel()
        self.model_label = QLabel(tr("No model"))
        self.device_label = QLabel()
        self.speed_label = QLabel()
        self.state_label = QLabel(tr("Starting engine…"))
        bar.addWidget(self.counts_label)
        for label in (self.speed_label, self.model_label, self.device_label, self.state_label):
            bar.addPermanentWidget(label)

    def _wire(self) -> None:
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.write_recovery_copy)
        self._autosave_timer.start()
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(IDLE_MS)
        self._idle_timer.timeout.connect(self.write_recovery_copy)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(250)
        self._counts_timer.timeout.connect(self._update_counts)
        self._document_count = SlicedCount(self.COUNT_SLICE, self._show_counts, self)
        self._selection_count = SlicedCount(self.COUNT_SLICE, self._show_sources, self)
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_MS)
        self._selection_timer.timeout.connect(self._update_sources)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.selectionChanged.connect(self._selection_timer.start)
        self._prefill_timer = QTimer(self)
        self._prefill_timer.setSingleShot(True)
        self._prefill_timer.setInterval(PREFILL_MS)
        self._prefill_timer.timeout.connect(self._prefill_selection)
        self.editor.selectionChanged.connect(self._prefill_timer.start)
        self.editor.document().modificationChanged.connect(self.setWindowModified)
        self.bridge.state_changed.connect(self._on_engine_state)
        self.bridge.model_loaded.connect(self._on_model_loaded)
        self.bridge.job_event.connect(self._on_job_event)
        for name, panel in self.panels.items():
            panel.run_requested.connect(lambda n=name: self.run_action(n))
            panel.stop_requested.connect(lambda p=panel: self.stop(p))
            panel.apply_requested.connect(lambda mode, p=panel: self.apply_result(p, mode))
        self.editor.textChanged.connect(self.ask.document_changed)
        self.ask.source_clicked.connect(self.select_lines)
        self.ask.insert_requested.connect(self.insert_below_selection)

    def _text_changed(self) -> None:
        self._copy_stale = True
        self._idle_timer.start()
        self._counts_timer.start()

    def start_engine(self) -> None:
        self.bridge.load(self.settings)

    # -- actions ---------------------------------------------------------------------------
    def _prefill_selection(self) -> None:
        """The engine reads a settled selection as the last-used action would send it, so the
        click that follows starts writing at once instead of first reading the whole text."""
        panel = self.panels[self._last_action]
        loaded = self.bridge.loaded
        if not self.settings.read_ahead or loaded is None or panel.job is not None:
            return
        _, _, text = self.editor.selection_snapshot()
        # Cheap limits first: a selection of a whole long document is never read ahead.
        if len(text) > loaded.model.context or len(text.split()) < PREFILL_MIN_WORDS:
            return  # sent in pieces, or read in a blink anyway
        messages = likely_prompt(panel.request(text), loaded.model.context)
        if messages is not None:
            self.bridge.prefill(messages)

    def run_action(self, name: str) -> None:
        self._last_action = name
        panel = self.panels[name]
        self.docks[name].show()
        self.docks[name].raise_()
        start, end, text = self.editor.selection_snapshot()
        if not text:
            cursor = self.editor.textCursor().position()
            if name == "generate":
                start = end = cursor
                text = self.editor.text_between(0, cursor)
            else:
                text = self.editor.toPlainText()
                start, end = 0, utf16_len(text)
        try:
            request = panel.request(text).validated()
        except UserError as exc:
            panel.status.setText(tr_message(exc.message))
            return
        if panel.job is not None:
            self.bridge.cancel(panel.job)
        job = self.bridge.start(request, temperature=self.settings.temperature_for(name))
        self.jobs[job] = panel
        loaded = self.bridge.loaded
        panel.begin(job, (start, end, text), loaded.model.server if loaded else None)
        for key, value in panel.options_state().items():
            self.settings.last_options[f"{name}.{key}"] = value

    def stop(self, panel: ActionPanel) -> None:
        if panel.job is not None:
            self.bridge.cancel(panel.job)

    def stop_all(self) -> None:
        for panel in self.panels.values():
            self.stop(panel)
        self.ask.stop()

    def show_ask(self) -> None:
        self.docks["ask"].show()
        self.docks["ask"].raise_()
        self.ask.question.setFocus()

    def select_lines(self, first: int, last: int) -> None:
        """Selects lines first–last (1-based, inclusive): a source of an answer."""
        document = self.editor.document()
        cursor = QTextCursor(document.findBlockByNumber(first - 1))
        end = document.findBlockByNumber(last - 1)
        if end.isValid():
            cursor.setPosition(end.position() + end.length() - 1, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus()

    def insert_below_selection(self, text: str) -> None:
        """An answer goes below the selection (or the cursor), as one undo step."""
        _, end, selected = self.editor.selection_snapshot()
        if not selected:
            end = self.editor.textCursor().position()
        self.editor.replace_range(end, end, "\n\n" + text)
        self.statusBar().showMessage(tr("Inserted. Undo with Ctrl+Z."), 5000)

    def _on_job_event(self, job: int, event: RunEvent) -> None:
        panel = self.jobs.get(job)
        if panel is None or panel.job != job:
            return  # a stale job, replaced by a newer one
        panel.handle_event(event)
        if isinstance(event, (Done, Failed)):
            self.jobs.pop(job, None)
            if isinstance(event, Done) and event.tokens_per_s:
                self.speed_label.setText(tr("{speed} tokens/s", speed=f"{event.tokens_per_s:.0f}"))

    def apply_result(self, panel: ActionPanel, mode: str) -> None:
        if panel.origin is None or not panel.result:
            return
        start, end, original = panel.origin
        if self.editor.text_between(start, end) != original:
            anchor = self._reanchor(original)
            if anchor is None:
                panel.applied(tr("The selected text has changed since the model started, so nothing was replaced. "
                                 "Run the action again, or copy the result."))
                return
            start, end = anchor
        if mode == "replace":
            self.editor.replace_range(start, end, panel.result)
            panel.applied(tr("Replaced. Undo with Ctrl+Z."))
        else:
            self.editor.replace_range(end, end, ("\n\n" if original else "") + panel.result)
            panel.applied(tr("Inserted. Undo with Ctrl+Z."))
        panel.origin = None

    def _reanchor(self, original: str) -> tuple[int, int] | None:
        """Where the original text is now, if it occurs exactly once; otherwise None."""
        if not original:
            return None
        whole = self.editor.toPlainText()
        index = whole.find(original)
        if index < 0 or whole.find(original, index + 1) >= 0:
            return None
        start = utf16_len(whole[:index])
        return start, start + utf16_len(original)

    # -- engine status ---------------------------------------------------------------------
    def _on_engine_state(self, state: str, detail: Message | None) -> None:
        detail = tr_message(detail) if detail is not None else ""
        text = {"starting": tr("Starting engine…"), "loading": tr("Loading model…"), "ready": tr("Ready"),
                "busy": tr("Writing…"), "restarting": tr("Restarting engine…"), "error": tr("Engine error")}.get(state, state)
        self.state_label.setText(text)
        self.state_label.setToolTip(detail)
        if state in ("error", "restarting") and detail:
            self.statusBar().showMessage(detail, 15000)

    def _on_model_loaded(self, loaded: Loaded) -> None:
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
                self.statusBar().showMessage(tr_message(note), 15000)

    # -- recovery --------------------------------------------------------------------------
    def write_recovery_copy(self) -> None:
        if not self.editor.document().isModified() or not self._copy_stale:
            return
        pending = self.recovery.save(self.doc_id, str(self.path) if self.path else None, self.editor.toPlainText())
        self._copy_stale = False
        pending.add_done_callback(self._recovery_written)

    def _recovery_written(self, future) -> None:
        if future.exception() is not None:  # on the writer thread: report through the event loop
            QTimer.singleShot(0, self, lambda: self.statusBar().showMessage(
                tr("Could not write the recovery copy: {error}", error=future.exception()), 8000))

    def _drop_recovery_copy(self) -> None:
        self.recovery.discard(self.doc_id)

    def offer_recovery(self) -> None:
        copies = self.recovery.pending()
        if not copies:
            return
        from writer.gui.recovery_dialog import RecoveryDialog
        dialog = RecoveryDialog(copies, self.recovery, self)
        if dialog.exec() and dialog.chosen is not None:
            self.restore(dialog.chosen)

    def restore(self, copy) -> None:
        if not self.maybe_save():
            return
        path = Path(copy.path) if copy.path else None
        try:
            doc = documents.load(path) if path and path.is_file() else documents.Document("")
        except UserError:
            doc = documents.Document("")
        self._set_document(path, doc)
        self.editor.setPlainText(copy.text)
        self.editor.document().setModified(True)
        self.write_recovery_copy()  # under this window's id, before the old copy goes
        self.recovery.discard(copy.id)
        self.statusBar().showMessage(tr("Restored {title}. Save it to keep it.", title=tr_message(copy.title)), 8000)

    # -- documents -------------------------------------------------------------------------
    def _update_title(self) -> None:
        if self.imported_from is not None and self.path is None:
            name = tr("{name} (from {source})", name=markdown_name(self.imported_from), source=self.imported_from.name)
        else:
            name = self.path.name if self.path else tr("Untitled")
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")

    def origin(self) -> Path | None:
        """The file the text belongs to: its own, or the Word document it was imported from."""
        return self.path or self.imported_from

    def export(self) -> None:
        from writer.gui.export_dialog import export
        export(self)

    def print_preview(self) -> None:
        from writer.gui.export_dialog import print_preview
        print_preview(self)

    def _update_counts(self) -> None:
        self._document_count.start(self.editor.toPlainText())

    def _show_counts(self, words: int, characters: int) -> None:
        self.counts_label.setText(tr("{words} words · {characters} characters",
                                     words=f"{words:,}", characters=f"{characters:,}"))

    def _update_sources(self) -> None:
        start, _, selected = self.editor.selection_snapshot()
        self._selection_count.start(selected)
        self.ask.set_selection(selected, self.editor.document().findBlock(start).blockNumber() + 1)

    def _show_sources(self, words: int, _characters: int) -> None:
        selected = self.editor.textCursor().hasSelection()
        for panel in self.panels.values():
            panel.set_source(words, selected)

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current text (saved, discarded, or unchanged)."""
        if not self.editor.document().isModified():
            return True
        answer = QMessageBox.question(
            self, APP_NAME, tr("Save changes to {name} before closing it?", name=self.path.name if self.path else tr("Untitled")),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_document(self) -> None:
        if self.maybe_save():
            self._set_document(None, documents.Document(""))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open"), str(self.path.parent if self.path else Path.home()),
                                              tr("Documents (*.md *.markdown *.txt *.docx);;Word documents (*.docx);;All files (*)"))
        if path:
            self.open_file(path)

    def open_file(self, path, encoding: str | None = None) -> bool:
        if not self.maybe_save():
            return False
        if is_docx(path):
            return self._import_docx(Path(path))
        try:
            doc = documents.load(path, encoding)
        except documents.UndecodableText as exc:
            choice, ok = QInputDialog.getItem(self, tr("Choose the encoding"), tr_message(exc.message) + "\n\n" + tr("Encoding:"),
                                              ENCODINGS, 0, False)
            return ok and self.open_file(path, choice)
        except UserError as exc:
            QMessageBox.warning(self, APP_NAME, tr_message(exc.message))
            return False
        self._set_document(Path(path).resolve(), doc)
        return True

    def _import_docx(self, path: Path) -> bool:
        """A Word document opens as a new Markdown text named like it: saving writes a .md beside it,
        never the .docx."""
        try:
            text = load_docx(path)
        except UserError as exc:
            QMessageBox.warning(self, APP_NAME, tr_message(exc.message))
            return False
        self._set_document(None, documents.Document(text))
        self.imported_from = path.resolve()
        self.editor.document().setModified(True)  # not saved anywhere yet
        self._update_title()
        self._remember_recent(self.imported_from)
        self.statusBar().showMessage(tr("Opened {source} as Markdown; saving writes {name}.", source=path.name,
                                        name=markdown_name(path)), 10000)
        return True

    def _set_document(self, path: Path | None, doc: documents.Document) -> None:
        from writer.core.recovery import new_document_id

        self._drop_recovery_copy()
        self.doc_id = new_document_id()
        self.imported_from = None
        self.path, self.doc = path, doc
        self.editor.setPlainText(doc.text)
        self.editor.document().setModified(False)
        self._update_title()
        self._update_sources()
        if hasattr(self, "spelling"):  # a new text: its own language (a pick made for the last one is dropped)
            self.spelling.chosen = None
            self.spelling.detect()
        if path:
            self._remember_recent(path)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        start = self.path or (self.imported_from.with_name(markdown_name(self.imported_from)) if self.imported_from
                              else Path.home() / (tr("Untitled") + ".md"))
        path, _ = QFileDialog.getSaveFileName(self, tr("Save As"), str(start),
                                              tr("Markdown (*.md);;Text (*.txt);;All files (*)"))
        return bool(path) and self._write(Path(path), new_target=True)

    def _write(self, path: Path, new_target: bool = False) -> bool:
        if is_docx(path):  # Markdown in a .docx would make the file unreadable to Word
            QMessageBox.warning(self, APP_NAME, tr("Writer saves text and Markdown; use File → Export… to write a Word document."))
            return False
        if not new_target and self.doc.digest and path.exists() and documents.disk_digest(path) != self.doc.digest:
            answer = QMessageBox.warning(
                self, APP_NAME, tr("{name} was changed by another program since Writer opened it. Overwrite those changes?",
                                  name=path.name),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Save:
                return False
        self.doc.text = self.editor.toPlainText()
        try:
            documents.save(path, self.doc)
        except UserError as exc:
            QMessageBox.warning(self, APP_NAME, tr_message(exc.message))
            return False
        self.path = path.resolve()
        self.imported_from = None
        self.editor.document().setModified(False)
        self._drop_recovery_copy()
        self._update_title()
        self._remember_recent(self.path)
        self.statusBar().showMessage(tr("Saved {name}", name=path.name), 4000)
        return True

    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.settings.recent_files if p != str(path)]
        self.settings.recent_files = [str(path), *recent][:10]
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for item in self.settings.recent_files:
            action = self.recent_menu.addAction(item)
            action.triggered.connect(lambda _=False, p=item: self.open_file(p))
        self.recent_menu.setEnabled(bool(self.settings.recent_files))

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_file(urls[0].toLocalFile())

    # -- dialogs ---------------------------------------------------------------------------
    def show_find(self) -> None:
        if self.find_dialog is None:
            from writer.gui.dialogs import FindReplaceDialog
            self.find_dialog = FindReplaceDialog(self.editor, self)
        _, _, selected = self.editor.selection_snapshot()
        if selected and "\n" not in selected:
            self.find_dialog.find_text.setText(selected)
        self.find_dialog.show()
        self.find_dialog.raise_()
        self.find_dialog.find_text.setFocus()

    def open_settings(self) -> None:
        from writer.gui.dialogs import SettingsDialog
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            loaded_with = self.settings.engine_options()
            dialog.apply_to(self.settings)
            self._save_settings()
            if self.settings.spell_check != self.spelling.enabled:
                self.spelling.set_enabled(self.settings.spell_check)
            if self.settings.engine_options() != loaded_with:  # a reload drops the model and its cache
                self.bridge.load(self.settings)

    def open_models(self) -> None:
        from writer.gui.models_dialog import ModelManagerDialog
        dialog = ModelManagerDialog(self.settings, self.bridge.probe, busy=lambda: self.bridge.busy, parent=self)
        dialog.model_chosen.connect(lambda: self.bridge.load(self.settings))
        dialog.exec()

    def show_shortcuts(self) -> None:
        from writer.gui.dialogs import ShortcutsDialog
        ShortcutsDialog(self.all_actions, self).exec()

    def offer_first_run(self) -> None:
        """On a first start with no model chosen, the assistant to a model that can do the job."""
        if not self.settings.first_run_done and self.settings.model_path is None:
            self.show_first_run()

    def show_first_run(self) -> None:
        from writer.gui.first_run import FirstRunDialog
        dialog = FirstRunDialog(self.settings, self.bridge.probe, parent=self)
        dialog.model_chosen.connect(lambda: self.bridge.load(self.settings))
        dialog.open()
        self.first_run = dialog

    def show_about(self) -> None:
        QMessageBox.about(self, tr("About {app}", app=APP_NAME), f"<b>{APP_NAME} {__version__}</b><br>"
                          + tr("An offline writing assistant. Your text stays on this computer."))

    # -- window state ----------------------------------------------------------------------
    @staticmethod
    def _window_store() -> QSettings:
        """Window geometry and dock layout: GUI-only state, kept by Qt beside the settings file."""
        return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._window_store().value("geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
        if self.width() < 640 or self.height() < 480:
            self.resize(max(self.width(), 1100), max(self.height(), 700))

    def _restore_layout(self) -> None:
        state = self._window_store().value("state")
        if isinstance(state, QByteArray) and self.restoreState(state):
            return
        # First start: Rewrite in front, once the tabs exist on screen.
        QTimer.singleShot(0, self.docks["rewrite"].raise_)

    def _save_settings(self) -> None:
        store = self._window_store()
        store.setValue("geometry", self.saveGeometry())
        store.setValue("state", self.saveState())
        store.sync()
        try:
            self.settings.save()
        except OSError as exc:
            self.statusBar().showMessage(tr("Could not save settings: {error}", error=exc.strerror or exc), 8000)

    def closeEvent(self, event) -> None:
        if not self.panels:  # closed before it was fully built: nothing to save or stop yet
            event.accept()
            return
        if not self.maybe_save():
            event.ignore()
            return
        self._save_settings()
        self._drop_recovery_copy()
        self.bridge.shutdown()
        event.accept()
