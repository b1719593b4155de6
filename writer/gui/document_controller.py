"""The window's document from opening to closing: new, open (asking for the encoding of text
that is not UTF-8; a Word document opens as Markdown), save and save as (asking before
overwriting changes another program made), recent files, dropped files, export and print, and
the recovery copies of unsaved text. The window wires `title_changed`, `replaced` (another text
is in the editor) and `message` (for the status bar)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox

from writer import APP_NAME
from writer.core import documents
from writer.core.docx_import import is_docx, load_docx, markdown_name
from writer.core.errors import UserError
from writer.core.settings import Settings
from writer.gui.editor import Editor
from writer.gui.i18n import tr, tr_message

ENCODINGS = ["gb18030", "big5", "shift_jis", "euc-kr", "cp1252", "latin-1", "utf-16"]  # offered for non-UTF-8 files
RECENT = 10  # files in File → Open Recent


def window_title(path: Path | None = None, imported_from: Path | None = None) -> str:
    if imported_from is not None and path is None:
        name = tr("{name} (from {source})", name=markdown_name(imported_from), source=imported_from.name)
    else:
        name = path.name if path else tr("Untitled")
    return f"{name}[*] — {APP_NAME}"


class DocumentController(QObject):
    title_changed = Signal(str)
    replaced = Signal()  # another document's text is in the editor
    message = Signal(str, int)  # text, milliseconds to show it

    def __init__(self, window: QMainWindow, editor: Editor, settings: Settings) -> None:
        from writer.gui.recovery_copies import RecoveryCopies  # loads after the window's first paint

        super().__init__(window)
        self.window, self.editor, self.settings = window, editor, settings
        self.path: Path | None = None
        self.imported_from: Path | None = None  # the .docx the text came from; never written to
        self.doc = documents.Document("")
        self.recovery = RecoveryCopies(editor, lambda: self.path, self)
        self.recent_menu = QMenu(tr("Open &Recent"), window)
        self._refresh_recent()

    def origin(self) -> Path | None:
        """The file the text belongs to: its own, or the Word document it was imported from."""
        return self.path or self.imported_from

    def _show_title(self) -> None:
        self.title_changed.emit(window_title(self.path, self.imported_from))

    # -- opening ---------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current text (saved, discarded, or unchanged)."""
        if not self.editor.document().isModified():
            return True
        answer = QMessageBox.question(
            self.window, APP_NAME, tr("Save changes to {name} before closing it?",
                                      name=self.path.name if self.path else tr("Untitled")),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new(self) -> None:
        if self.maybe_save():
            self._set_document(None, documents.Document(""))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, tr("Open"), str(self.path.parent if self.path else Path.home()),
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
            choice, ok = QInputDialog.getItem(self.window, tr("Choose the encoding"),
                                              tr_message(exc.message) + "\n\n" + tr("Encoding:"), ENCODINGS, 0, False)
            return ok and self.open_file(path, choice)
        except UserError as exc:
            QMessageBox.warning(self.window, APP_NAME, tr_message(exc.message))
            return False
        self._set_document(Path(path).resolve(), doc)
        return True

    def open_dropped(self, mime) -> None:
        """Opens the first local file of a drop."""
        urls = [u for u in mime.urls() if u.isLocalFile()]
        if urls:
            self.open_file(urls[0].toLocalFile())

    def _import_docx(self, path: Path) -> bool:
        """A Word document opens as a new Markdown text named like it: saving writes a .md beside it,
        never the .docx."""
        try:
            text = load_docx(path)
        except UserError as exc:
            QMessageBox.warning(self.window, APP_NAME, tr_message(exc.message))
            return False
        self._set_document(None, documents.Document(text))
        self.imported_from = path.resolve()
        self.editor.document().setModified(True)  # not saved anywhere yet
        self._show_title()
        self._remember_recent(self.imported_from)
        self.message.emit(tr("Opened {source} as Markdown; saving writes {name}.", source=path.name,
                             name=markdown_name(path)), 10000)
        return True

    def _set_document(self, path: Path | None, doc: documents.Document) -> None:
        self.recovery.start_new()
        self.imported_from = None
        self.path, self.doc = path, doc
        self.editor.setPlainText(doc.text)
        self.editor.document().setModified(False)
        self._show_title()
        self.replaced.emit()
        if path:
            self._remember_recent(path)

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write(self.path)

    def save_as(self) -> bool:
        start = self.path or (self.imported_from.with_name(markdown_name(self.imported_from)) if self.imported_from
                              else Path.home() / (tr("Untitled") + ".md"))
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Save As"), str(start),
                                              tr("Markdown (*.md);;Text (*.txt);;All files (*)"))
        return bool(path) and self.write(Path(path), new_target=True)

    def write(self, path: Path, new_target: bool = False) -> bool:
        if is_docx(path):  # Markdown in a .docx would make the file unreadable to Word
            QMessageBox.warning(self.window, APP_NAME,
                                tr("Writer saves text and Markdown; use File → Export… to write a Word document."))
            return False
        if not new_target and self.doc.digest and path.exists() and documents.disk_digest(path) != self.doc.digest:
            answer = QMessageBox.warning(
                self.window, APP_NAME, tr("{name} was changed by another program since Writer opened it. "
                                          "Overwrite those changes?", name=path.name),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Save:
                return False
        self.doc.text = self.editor.toPlainText()
        try:
            documents.save(path, self.doc)
        except UserError as exc:
            QMessageBox.warning(self.window, APP_NAME, tr_message(exc.message))
            return False
        self.path = path.resolve()
        self.imported_from = None
        self.editor.document().setModified(False)
        self.recovery.drop()
        self._show_title()
        self._remember_recent(self.path)
        self.message.emit(tr("Saved {name}", name=path.name), 4000)
        return True

    def export(self) -> None:
        from writer.gui.export_dialog import export
        export(self.window)

    def print_preview(self) -> None:
        from writer.gui.export_dialog import print_preview
        print_preview(self.window)

    # -- recent files ----------------------------------------------------------------------
    def _remember_recent(self, path: Path) -> None:
        recent = [p for p in self.settings.recent_files if p != str(path)]
        self.settings.recent_files = [str(path), *recent][:RECENT]
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for item in self.settings.recent_files:
            action = self.recent_menu.addAction(item)
            action.triggered.connect(lambda _=False, p=item: self.open_file(p))
        self.recent_menu.setEnabled(bool(self.settings.recent_files))

    # -- recovery --------------------------------------------------------------------------
    def offer_recovery(self) -> None:
        """After a crash: the copies its editor left, to restore or discard."""
        copies = self.recovery.store.pending()
        if not copies:
            return
        from writer.gui.recovery_dialog import RecoveryDialog
        dialog = RecoveryDialog(copies, self.recovery.store, self.window)
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
        self.recovery.write()  # under this window's id, before the old copy goes
        self.recovery.store.discard(copy.id)
        self.message.emit(tr("Restored {title}. Save it to keep it.", title=tr_message(copy.title)), 8000)
