"""The spelling controls of the window: the language button in the status bar, the suggestions in
the editor's right-click menu, and the Settings switch. The language is the document's own,
identified from its text (writer.core.language_id) until the user picks one."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QTextCursor
from PySide6.QtWidgets import QMenu, QToolButton

from writer.core import spelling
from writer.core.errors import UserError
from writer.core.language_id import identify
from writer.core.languages import find_language
from writer.gui.highlighter import utf16_offsets
from writer.gui.i18n import tr, tr_message
from writer.gui.spellcheck import SpellService

DETECT_MS = 3000  # the language is identified again once typing pauses this long
SAMPLE_CHARS = 20_000
NO_WORDS = {"zh", "ja", "ko"}  # written without spaces: no Hunspell dictionary applies


def dictionary_label(tag: str) -> str:
    """'en_US' -> 'English (US)' in the interface language ('英语 (US)')."""
    language, _, region = tag.replace("-", "_").partition("_")
    try:
        name = tr(find_language(language).name)
    except UserError:
        name = language
    return f"{name} ({region})" if region else name


def language_label(code: str) -> str:
    if code == "zh":
        return tr("Chinese")
    try:
        return tr(find_language(code).name)
    except UserError:
        return code


class SpellController(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.service = SpellService(self)
        self.enabled = window.settings.spell_check
        self.chosen: str | None = None  # a dictionary the user picked; None: follow the text
        self.tag: str | None = None
        self.button = QToolButton()
        self.button.setObjectName("spelling-button")
        self.button.setAutoRaise(True)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self._fill_language_menu)
        self.button.setMenu(self.menu)
        self._detect_timer = QTimer(self)
        self._detect_timer.setSingleShot(True)
        self._detect_timer.setInterval(DETECT_MS)
        self._detect_timer.timeout.connect(self.detect)
        window.editor.textChanged.connect(self._text_changed)
        window.editor.spell_menu = self.fill_context_menu
        window.editor.cursorPositionChanged.connect(self._cursor_moved)

    @property
    def highlighter(self):
        return self.window.editor.highlighter

    def _cursor_moved(self) -> None:
        if self.highlighter is not None and self.highlighter._held is not None:
            self.highlighter.release(self.window.editor.textCursor().position())

    # -- language --------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self.enabled and self.chosen is None:
            self._detect_timer.start()

    def new_text(self) -> None:
        """Another document is open: its own language (a pick made for the last one is dropped)."""
        self.chosen = None
        self.detect()

    def detect(self) -> None:
        """Identifies the document's language and takes its dictionary (unless the user chose one)."""
        if self.chosen is not None:
            return
        editor = self.window.editor
        # The start says the language (identify reads no more); copying a 10 MB text would stall typing.
        text = editor.text_between(0, min(SAMPLE_CHARS, editor.document().characterCount() - 1))
        language = identify(text) if text.strip() else None
        if language is None:  # too little text to tell: the language of the computer ("C": English)
            system = QLocale.system().name().split("_")[0]
            language = "en" if system in ("C", "") else system
        self._use(spelling.choose(language, spelling.available(), QLocale.system().name()), language)

    def choose(self, tag: str | None) -> None:
        """A dictionary picked in the status bar; None goes back to following the text."""
        self.chosen = tag
        if tag is None:
            self.detect()
        else:
            self._use(tag, tag.split("_")[0])

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if enabled:
            self.tag = None
            self.detect() if self.chosen is None else self._use(self.chosen, self.chosen.split("_")[0])
        else:
            self._apply(None)
            self._show(tr("Spelling: off"), "")

    def _use(self, tag: str | None, language: str) -> None:
        if not self.enabled:
            return
        reason = spelling.unavailable_reason()
        if reason is not None:
            self._apply(None)
            self._show(tr("Spelling: unavailable"), tr("Spell checking needs the Enchant library, which is not installed."))
            return
        if tag is None:
            self._apply(None)
            if language in NO_WORDS:
                self._show(tr("Spelling: not checked ({language})", language=language_label(language)), "")
            else:
                self._show(tr("Spelling: no {language} dictionary", language=language_label(language)),
                           tr("Add a Hunspell dictionary for this language; see README (Spelling)."))
            return
        if tag == self.tag:
            return
        try:
            speller = spelling.Speller(tag)
        except UserError as exc:
            self._apply(None)
            self._show(tr("Spelling: off"), tr_message(exc.message))
            return
        self.tag = tag
        self.service.set_speller(speller)
        if self.highlighter is not None:
            self.highlighter.set_spelling(self.service) if self.highlighter.spelling is None else self.highlighter.refresh_spelling()
        self._show(tr("Spelling: {language}", language=dictionary_label(tag)), tr("Click to choose the spelling language."))

    def _apply(self, speller) -> None:
        self.tag = None
        self.service.set_speller(speller)
        if self.highlighter is not None and self.highlighter.spelling is not None:
            self.highlighter.set_spelling(None)

    def _show(self, text: str, tip: str) -> None:
        self.button.setText(text)
        self.button.setToolTip(tip)

    def _fill_language_menu(self) -> None:
        self.menu.clear()
        group = QActionGroup(self.menu)
        automatic = self.menu.addAction(tr("Detect from the text"))
        automatic.setCheckable(True)
        automatic.setChecked(self.chosen is None)
        automatic.triggered.connect(lambda: self.choose(None))
        group.addAction(automatic)
        self.menu.addSeparator()
        for tag in sorted(spelling.available(), key=dictionary_label):
            action = self.menu.addAction(dictionary_label(tag))
            action.setCheckable(True)
            action.setChecked(self.chosen == tag)
            action.triggered.connect(lambda _=False, t=tag: self.choose(t))
            group.addAction(action)
        if not self.enabled:
            for action in self.menu.actions():
                action.setEnabled(False)

    # -- the right-click menu --------------------------------------------------------------
    def word_at(self, cursor: QTextCursor) -> tuple[int, int, str] | None:
        """(start, end, word) in document positions of the misspelled word under the cursor, if any."""
        if not self.service.active or self.highlighter is None:
            return None
        block = cursor.block()
        if not self.highlighter.checkable(block.blockNumber()):
            return None
        text = block.text()
        at = utf16_offsets(text)
        where = cursor.positionInBlock()
        for start, end, word in spelling.words(text):
            if at(start) <= where <= at(end):
                correct = self.service.status(word)
                if correct is None:
                    correct = self.service.speller.check(word)
                return None if correct else (block.position() + at(start), block.position() + at(end), word)
        return None

    def fill_context_menu(self, menu: QMenu, cursor: QTextCursor) -> None:
        found = self.word_at(cursor)
        if found is None:
            return
        start, end, word = found
        first = menu.actions()[0] if menu.actions() else None
        suggestions = self.service.speller.suggest(word)
        for suggestion in suggestions:
            action = QAction(suggestion, menu)
            font = action.font()
            font.setBold(True)
            action.setFont(font)
            action.triggered.connect(lambda _=False, s=suggestion: self.replace(start, end, s))
            menu.insertAction(first, action)
        if not suggestions:
            none = QAction(tr("No suggestions"), menu)
            none.setEnabled(False)
            menu.insertAction(first, none)
        menu.insertSeparator(first)
        add = QAction(tr("Add to Dictionary"), menu)
        add.triggered.connect(lambda: self.add(word))
        ignore = QAction(tr("Ignore"), menu)
        ignore.triggered.connect(lambda: self.ignore(word))
        menu.insertAction(first, add)
        menu.insertAction(first, ignore)
        menu.insertSeparator(first)

    def replace(self, start: int, end: int, text: str) -> None:
        cursor = QTextCursor(self.window.editor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)  # one undo step

    def add(self, word: str) -> None:
        try:
            self.service.speller.add(word)
        except UserError as exc:
            self.window.statusBar().showMessage(tr_message(exc.message), 8000)
            return
        self._known(word)

    def ignore(self, word: str) -> None:
        self.service.speller.ignore(word)
        self._known(word)

    def _known(self, word: str) -> None:
        self.service.known(word)
        if self.highlighter is not None:
            self.highlighter.refresh_spelling()
