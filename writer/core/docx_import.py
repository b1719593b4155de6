"""A Word document (.docx) read as Markdown (python-docx): headings, bold and italic, lists (nested),
quotes, tables, links and monospace text are kept; pictures, comments and tracked changes are not.

Opening a .docx never leads to writing one: the editor and the command line treat the result as a
new Markdown document, named like the file with .md.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

from writer.core import documents
from writer.core.errors import UserError

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE container: an encrypted .docx, or an old .doc
_ESCAPE = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)(#{1,6}\s|>|[-+*]\s|\d+[.)]\s)")
_MONOSPACE = re.compile(r"mono|courier|consolas|menlo|code", re.IGNORECASE)
_HEADING = re.compile(r"^(?:heading|标题|見出し)\s*(\d)$", re.IGNORECASE)


def is_docx(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() == ".docx"


def markdown_name(path: str | os.PathLike) -> str:
    """The name the imported text is saved under: report.docx -> report.md."""
    return Path(path).with_suffix(".md").name


def load_docx(path: str | os.PathLike) -> str:
    """The document's text as Markdown; one readable sentence for every way it can fail."""
    path = Path(path)
    data = documents.read_bytes(path)
    if data.startswith(_CFB):
        raise UserError("docx.encrypted", "{name} is protected by a password or is an old Word 97-2003 file; remove the password "
                        "or save it as .docx in Word, then open it again.", name=path.name)
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
        return _Reader(document).markdown()
    except (zipfile.BadZipFile, KeyError, ValueError, AttributeError, TypeError, SyntaxError) as exc:
        # python-docx reports a damaged package as any of these (lxml's XMLSyntaxError is a SyntaxError)
        raise UserError("docx.damaged", "{name} is damaged or is not a Word document, so Writer could not read it.",
                        name=path.name) from exc


def read_text(path: str | os.PathLike) -> str:
    """The text of any file Writer opens: a .docx as Markdown, anything else decoded as text."""
    return load_docx(path) if is_docx(path) else documents.load(path).text


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


class _Reader:
    def __init__(self, document) -> None:
        self.document = document
        self.formats = _numbering_formats(document)

    def markdown(self) -> str:
        from docx.table import Table

        blocks: list[str] = []
        previous_list = False
        for item in self.document.iter_inner_content():
            if isinstance(item, Table):
                text, in_list = self._table(item), False
            else:
                text, in_list = self._paragraph(item)
            if not text.strip():
                continue
            if blocks:  # lines of one list stay together; everything else is a block of its own
                blocks.append("\n" if in_list and previous_list else "\n\n")
            blocks.append(text)
            previous_list = in_list
        return "".join(blocks) + "\n" if blocks else ""

    def _paragraph(self, paragraph) -> tuple[str, bool]:
        runs = [run for run in paragraph.runs if run.text.strip()]
        if runs and all(run.font.name and _MONOSPACE.search(run.font.name) for run in runs):
            return "```\n" + paragraph.text.strip("\n") + "\n```", False  # a code block, kept verbatim
        text = self._inline(paragraph).strip()
        if not text:
            return "", False
        style = paragraph.style.name if paragraph.style is not None else ""
        heading = _HEADING.match(style)
        if heading or style == "Title":
            return "#" * (int(heading.group(1)) if heading else 1) + " " + text.replace("\n", " "), False
        listed = self._list_marker(paragraph, style)
        if listed is not None:
            return listed + text.replace("\n", " "), True
        text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        if style in ("Quote", "Intense Quote"):
            return "\n".join("> " + line for line in text.split("\n")), False
        return text.replace("\n", "  \n"), False

    def _list_marker(self, paragraph, style: str) -> str | None:
        """'- ' or '1. ', indented by level, for a list paragraph (by its numbering or its style)."""
        level, ordered = None, False
        num = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if num is not None and num.numId is not None and num.numId.val != 0:
            level = num.ilvl.val if num.ilvl is not None else 0
            ordered = self.formats.get((num.numId.val, level), "bullet") != "bullet"
        elif style.startswith(("List Bullet", "List Number")):
            tail = style.rsplit(" ", 1)[-1]
            level = int(tail) - 1 if tail.isdigit() else 0
            ordered = style.startswith("List Number")
        if level is None:
            return None
        return "   " * level + ("1. " if ordered else "- ")

    def _inline(self, paragraph) -> str:
        from docx.text.hyperlink import Hyperlink

        parts = []
        for item in paragraph.iter_inner_content():
            if isinstance(item, Hyperlink):
                label = "".join(_run_text(run) for run in item.runs) or item.address
                parts.append(f"[{label}]({item.address})" if item.address else label)
            else:
                parts.append(_run_text(item))
        return "".join(parts)

    def _table(self, table) -> str:
        rows = []
        for row in table.rows:
            rows.append([" ".join(self._inline(p).strip() for p in cell.paragraphs if p.text.strip()).replace("\n", " ")
                         for cell in row.cells])
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)


def _run_text(run) -> str:
    text = run.text
    if not text.strip():
        return text
    if run.font.name and _MONOSPACE.search(run.font.name):
        return f"`{text}`"
    lead, core, trail = text[: len(text) - len(text.lstrip())], text.strip(), text[len(text.rstrip()):]
    core = _escape(core)
    if run.bold:
        core = f"**{core}**"
    if run.italic:
        core = f"*{core}*"
    return lead + core + trail


def _numbering_formats(document) -> dict[tuple[int, int], str]:
    """(numId, level) -> number format ('bullet', 'decimal', …) from the numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    from docx.oxml.ns import qn

    abstract = {}
    for node in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in node.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            levels[int(lvl.get(qn("w:ilvl")))] = fmt.get(qn("w:val")) if fmt is not None else "bullet"
        abstract[node.get(qn("w:abstractNumId"))] = levels
    out = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for level, fmt in abstract.get(ref.get(qn("w:val")), {}).items():
            out[(int(num.get(qn("w:numId"))), level)] = fmt
    return out
