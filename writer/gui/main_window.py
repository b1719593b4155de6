"""The main window: builds the editor, the action panels, the menus and the status bar, and wires
them to the controllers that do the work, all in `_wire`: the document's lifecycle
(document_controller), running actions and applying their results (action_controller), the
engine's status (engine_status), counts (counts) and the window's geometry (window_state)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, Signal  # not Qt: its namespace costs 13 ms before the first paint
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from writer import APP_NAME, __version__
from writer.core.settings import Settings
from writer.gui import window_state
from writer.gui.counts import DocumentCount
from writer.gui.document_controller import window_title
from writer.gui.editor import Editor
from writer.gui.engine_status import EngineStatus
from writer.gui.i18n import tr

if TYPE_CHECKING:
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.panels import ActionPanel

SELECTION_MS = 100  # a selection's word count waits for the mouse to pause
SHORTCUTS = {"generate": "Ctrl+Shift+G", "summarize": "Ctrl+Shift+M", "translate": "Ctrl+Shift+T", "rewrite": "Ctrl+Shift+R",
             "ask": "Ctrl+Shift+A"}


class MainWindow(QMainWindow):
    ready = Signal()  # panels, menus and the engine bridge exist

    def __init__(self, settings: Settings | None = None, bridge: EngineBridge | None = None,
                 defer: bool = False) -> None:
        """With `defer`, only the editor is built now and the rest right after the window's first
        paint, so the window appears at once (the app does this; tests build everything at once)."""
        self._build_after_paint = False  # set before Qt starts sending events to event()
        super().__init__()
        self.settings = settings or Settings.load()
        self._given_bridge = bridge
        self.first_run = None  # the first-run assistant, while it is open
        self.panels: dict[str, ActionPanel] = {}
        self.docks: dict = {}
        self.find_dialog = None
        self.setObjectName("main-window")
        self.setAcceptDrops(True)
        self.editor = Editor()
        self.setCentralWidget(self.editor)
        self._build_status_bar()
        window_state.restore_geometry(self)
        self.setWindowTitle(window_title())
        self._build_after_paint = defer
        if not defer:
            self._build_rest()

    def event(self, event) -> bool:
        if self._build_after_paint and event.type() == QEvent.Type.Paint:
            self._build_after_paint = False
            QTimer.singleShot(0, self._build_rest)
        return super().event(event)

    def _build_rest(self) -> None:
        from writer.gui.action_controller import ActionController
        from writer.gui.document_controller import DocumentController
        from writer.gui.engine_bridge import EngineBridge
        from writer.gui.spelling_ui import SpellController

        self.bridge = self._given_bridge or EngineBridge(parent=self)
        self.editor.start_highlighting()
        self.spelling = SpellController(self)
        self.statusBar().insertPermanentWidget(1, self.spelling.button)  # index 0 is the word count
        self.documents = DocumentController(self, self.editor, self.settings)
        self._build_panels()
        self.action_controller = ActionController(self.editor, self.bridge, self.settings, self.panels, self)
        self._build_actions()
        self._wire()
        if not window_state.restore_layout(self):
            QTimer.singleShot(0, self.docks["rewrite"].raise_)  # first start: Rewrite in front, once the tabs exist
        self.editor.document().setModified(False)
        self.counts.count()
        self._selection_settled()
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
        documents = self.documents
        self._action(file, tr("&New"), documents.new, QKeySequence.StandardKey.New)
        self._action(file, tr("&Open…"), documents.open_dialog, QKeySequence.StandardKey.Open)
        file.addMenu(documents.recent_menu)
        self._action(file, tr("&Save"), documents.save, QKeySequence.StandardKey.Save)
        self._action(file, tr("Save &As…"), documents.save_as, QKeySequence.StandardKey.SaveAs)
        self._action(file, tr("&Export…"), documents.export, "Ctrl+E")
        self._action(file, tr("&Print…"), documents.print_preview, QKeySequence.StandardKey.Print)
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

    def _build_status_bar(self) -> None:
        self.counts = DocumentCount(self.editor.toPlainText)
        self.engine_status = EngineStatus()
        self.statusBar().addWidget(self.counts)
        self.statusBar().addPermanentWidget(self.engine_status)

    def _wire(self) -> None:
        editor, documents, actions, ask = self.editor, self.documents, self.action_controller, self.ask
        status = self.engine_status
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_MS)
        self._selection_timer.timeout.connect(self._selection_settled)
        editor.textChanged.connect(self.counts.schedule)
        editor.textChanged.connect(documents.recovery.edited)
        editor.textChanged.connect(ask.document_changed)
        editor.selectionChanged.connect(self._selection_timer.start)
        editor.selectionChanged.connect(actions.selection_moved)
        editor.document().modificationChanged.connect(self.setWindowModified)
        documents.title_changed.connect(self.setWindowTitle)
        documents.replaced.connect(self._selection_settled)
        documents.replaced.connect(self.spelling.new_text)
        for source in (documents, documents.recovery, actions, status):
            source.message.connect(self.statusBar().showMessage)
        self.bridge.state_changed.connect(status.show_state)
        self.bridge.model_loaded.connect(status.show_model)
        self.bridge.job_event.connect(actions.on_job_event)
        actions.speed.connect(status.show_speed)
        for name, panel in self.panels.items():
            panel.run_requested.connect(lambda n=name: self.run_action(n))
            panel.stop_requested.connect(lambda p=panel: actions.stop(p))
            panel.apply_requested.connect(lambda mode, p=panel: actions.apply(p, mode))
        ask.source_clicked.connect(editor.select_lines)
        ask.insert_requested.connect(actions.insert_below_selection)

    def _selection_settled(self) -> None:
        start, _, selected = self.editor.selection_snapshot()
        self.action_controller.count_selection(selected)
        self.ask.set_selection(selected, self.editor.document().findBlock(start).blockNumber() + 1)

    def start_engine(self) -> None:
        self.bridge.load(self.settings)

    # -- for the app and the scripts that drive the window ---------------------------------
    def open_file(self, path) -> bool:
        return self.documents.open_file(path)

    def save(self) -> bool:
        return self.documents.save()

    @property
    def device_label(self):
        return self.engine_status.device_label

    # -- actions ---------------------------------------------------------------------------
    def run_action(self, name: str) -> None:
        self.docks[name].show()
        self.docks[name].raise_()
        self.action_controller.run(name)

    def stop_all(self) -> None:
        self.action_controller.stop_all()
        self.ask.stop()

    def show_ask(self) -> None:
        self.docks["ask"].show()
        self.docks["ask"].raise_()
        self.ask.question.setFocus()

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
        dialog = ModelManagerDialog(self.settings, self.bridge.probe, busy=lambda: self.bridge.busy,
                                    parent=self)
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

    # -- closing ---------------------------------------------------------------------------
    def _save_settings(self) -> None:
        window_state.save(self)
        try:
            self.settings.save()
        except OSError as exc:
            self.statusBar().showMessage(tr("Could not save settings: {error}", error=exc.strerror or exc), 8000)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.documents.open_dropped(event.mimeData())

    def closeEvent(self, event) -> None:
        if not self.panels:  # closed before it was fully built: nothing to save or stop yet
            event.accept()
            return
        if not self.documents.maybe_save():
            event.ignore()
            return
        self._save_settings()
        self.documents.recovery.drop()
        self.bridge.shutdown()
        event.accept()
