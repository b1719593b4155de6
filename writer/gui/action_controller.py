"""Runs the panels' actions on the engine and applies their results to the editor, each as one undo
step. A settled selection is read ahead by the idle engine as the action most likely next would
send it. The window wires the panels' requests, the bridge's job events, the editor's selection,
`speed` (tokens per second of a finished action) and `message` (for the status bar)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from writer.core.errors import UserError
from writer.core.events import Done, Failed, RunEvent
from writer.core.pipeline import likely_prompt
from writer.core.settings import Settings
from writer.gui.counts import SlicedCount
from writer.gui.editor import Editor, utf16_len
from writer.gui.i18n import tr, tr_message

if TYPE_CHECKING:
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.panels import ActionPanel

PREFILL_MS = 600  # a selection that stays this long is read by the idle engine ahead of the click
PREFILL_MIN_WORDS = 30  # below this the prompt is evaluated in a blink anyway


class ActionController(QObject):
    speed = Signal(float)  # tokens per second
    message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, editor: Editor, bridge: EngineBridge, settings: Settings, panels: dict[str, ActionPanel],
                 parent: QObject) -> None:
        super().__init__(parent)
        self.editor, self.bridge, self.settings, self.panels = editor, bridge, settings, panels
        self.jobs: dict[int, ActionPanel] = {}  # running job id -> its panel
        self._last_action = "rewrite"  # the action a selection is most likely for
        self._selection_count = SlicedCount(self._show_sources, self)
        self._prefill_timer = QTimer(self)
        self._prefill_timer.setSingleShot(True)
        self._prefill_timer.setInterval(PREFILL_MS)
        self._prefill_timer.timeout.connect(self._prefill_selection)

    # -- the selection ---------------------------------------------------------------------
    def selection_moved(self) -> None:
        self._prefill_timer.start()

    def count_selection(self, text: str) -> None:
        """The panels' "Uses the selection (N words)" line, counted without stalling the editor."""
        self._selection_count.start(text)

    def _show_sources(self, words: int, _characters: int) -> None:
        selected = self.editor.textCursor().hasSelection()
        for panel in self.panels.values():
            panel.set_source(words, selected)

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

    # -- running ---------------------------------------------------------------------------
    def run(self, name: str) -> None:
        self._last_action = name
        panel = self.panels[name]
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

    def on_job_event(self, job: int, event: RunEvent) -> None:
        panel = self.jobs.get(job)
        if panel is None or panel.job != job:
            return  # a stale job, replaced by a newer one
        panel.handle_event(event)
        if isinstance(event, (Done, Failed)):
            self.jobs.pop(job, None)
            if isinstance(event, Done) and event.tokens_per_s:
                self.speed.emit(event.tokens_per_s)

    # -- applying --------------------------------------------------------------------------
    def apply(self, panel: ActionPanel, mode: str) -> None:
        """Replaces the text the result is for, or inserts the result below it."""
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

    def insert_below_selection(self, text: str) -> None:
        """An answer goes below the selection (or the cursor), as one undo step."""
        _, end, selected = self.editor.selection_snapshot()
        if not selected:
            end = self.editor.textCursor().position()
        self.editor.replace_range(end, end, "\n\n" + text)
        self.message.emit(tr("Inserted. Undo with Ctrl+Z."), 5000)
