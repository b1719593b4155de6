"""Markdown to a Word document (python-docx), walking the same CommonMark tokens as the HTML export.

Headings use Word's heading styles, lists its list styles (nested to three levels), quotes its
Quote style; code blocks are one paragraph of monospace text with their line breaks; links are real
hyperlinks; tables use the grid style with a bold header row. The header carries the title and the
footer the page number, so a printed copy reads like the PDF.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from writer.core.export import Source, image_path, image_unreadable, is_markdown, parser, plain_paragraphs

MONOSPACE = "Consolas"  # Word's own; LibreOffice and Pages substitute their monospace font
PAPER = {"A4": (Mm(210), Mm(297)), "Letter": (Mm(215.9), Mm(279.4))}
MARGIN = Mm(20)


def docx_bytes(source: Source, paper: str = "A4") -> bytes:
    document = Document()
    document.core_properties.title = source.title
    section = document.sections[0]
    section.page_width, section.page_height = PAPER[paper]
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.header.paragraphs[0].text = source.title
    _page_number(section.footer.paragraphs[0])
    if is_markdown(source.text):
        _Writer(document, source).write(parser().parse(source.text))
    else:
        for text in plain_paragraphs(source.text):
            _add_text(document.add_paragraph().add_run(), text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_number(paragraph) -> None:
    """A PAGE field, which Word and LibreOffice fill in on every page."""
    paragraph.alignment = 1  # centred
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _add_text(run, text: str) -> None:
    """Text with its line breaks as Word line breaks."""
    for i, line in enumerate(text.split("\n")):
        if i:
            run.add_break(WD_BREAK.LINE)
        run.add_text(line)


class _Writer:
    def __init__(self, document, source: Source) -> None:
        self.document = document
        self.source = source
        self.lists: list[str] = []  # "List Bullet" or "List Number" for each open list
        self.quotes = 0
        self.item_fresh = False  # the next paragraph is the first of a list item (it carries the marker)
        self.paragraph = None
        self.table: list[list] | None = None  # rows of cells (inline tokens) while inside a table
        self.text_width = document.sections[0].page_width - 2 * MARGIN

    def write(self, tokens) -> None:
        for token in tokens:
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append("List Number" if kind.startswith("ordered") else "List Bullet")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self.item_fresh = True
            elif kind == "blockquote_open":
                self.quotes += 1
            elif kind == "blockquote_close":
                self.quotes -= 1
            elif kind == "heading_open":
                self.paragraph = self.document.add_heading(level=int(token.tag[1]))
            elif kind == "paragraph_open" and self.table is None:
                self.paragraph = self.document.add_paragraph(style=self._paragraph_style())
            elif kind in ("fence", "code_block"):
                self._code(token.content.rstrip("\n"))
            elif kind == "hr":
                self._rule()
            elif kind == "html_block":
                self._code(token.content.rstrip("\n"))  # raw HTML has no Word form: shown as written
            elif kind == "table_open":
                self.table = []
            elif kind == "tr_open":
                self.table.append([])
            elif kind == "inline" and self.table is not None:
                self.table[-1].append(token)
            elif kind == "table_close":
                self._table(self.table)
                self.table = None
            elif kind == "inline" and self.paragraph is not None:
                self._inline(self.paragraph, token.children or [])

    def _paragraph_style(self) -> str | None:
        if self.lists and self.item_fresh:
            self.item_fresh = False
            depth = min(len(self.lists), 3)
            return self.lists[-1] + (f" {depth}" if depth > 1 else "")
        if self.lists:
            return "List Continue" + (f" {min(len(self.lists), 3)}" if len(self.lists) > 1 else "")
        return "Quote" if self.quotes else None

    def _code(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(5)
        run = paragraph.add_run()
        run.font.name = MONOSPACE
        run.font.size = Pt(10)
        _add_text(run, text)

    def _rule(self) -> None:
        paragraph = self.document.add_paragraph()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "999999")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        paragraph._p.get_or_add_pPr().append(borders)

    def _table(self, rows: list[list]) -> None:
        columns = max(len(row) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, inline in enumerate(row):
                paragraph = table.cell(r, c).paragraphs[0]
                self._inline(paragraph, inline.children or [], bold=r == 0)
        self.document.add_paragraph()  # Word joins two tables that touch

    def _inline(self, paragraph, children, bold: bool = False) -> None:
        strong = em = 0
        link: str | None = None
        for child in children:
            kind = child.type
            if kind == "strong_open":
                strong += 1
            elif kind == "strong_close":
                strong -= 1
            elif kind == "em_open":
                em += 1
            elif kind == "em_close":
                em -= 1
            elif kind == "link_open":
                link = child.attrGet("href") or ""
            elif kind == "link_close":
                link = None
            elif kind in ("text", "code_inline", "html_inline"):
                self._run(paragraph, child.content, bold or strong > 0, em > 0, kind == "code_inline", link)
            elif kind == "softbreak":
                self._run(paragraph, " ", False, False, False, link)
            elif kind == "hardbreak":
                paragraph.add_run().add_break(WD_BREAK.LINE)
            elif kind == "image":
                self._image(paragraph, child)

    def _run(self, paragraph, text: str, bold: bool, italic: bool, code: bool, link: str | None) -> None:
        if link:
            run = _hyperlink(paragraph, link)
        else:
            run = paragraph.add_run()
        run.add_text(text)
        run.bold = bold or None
        run.italic = italic or None
        if code:
            run.font.name = MONOSPACE

    def _image(self, paragraph, token) -> None:
        path = image_path(token.attrGet("src") or "", self.source.folder)
        if path is None:  # a web image: Writer works offline, so its description stands in for it
            alt = "".join(c.content for c in token.children or [])
            self._run(paragraph, alt or (token.attrGet("src") or ""), False, True, False, token.attrGet("src"))
            return
        from docx.image.image import Image  # python-docx reads the size and resolution from the file

        try:
            native = Image.from_file(str(path)).width
        except Exception:  # noqa: BLE001 - python-docx raises several kinds for files it cannot read
            raise image_unreadable(path, "not a PNG, JPEG, GIF, BMP or TIFF picture") from None
        paragraph.add_run().add_picture(str(path), width=min(native, self.text_width))


def _hyperlink(paragraph, url: str):
    """A run inside a w:hyperlink element (python-docx reads these but has no call to write one)."""
    from docx.text.run import Run

    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    element = OxmlElement("w:hyperlink")
    element.set(qn("r:id"), rel)
    paragraph._p.append(element)
    r = OxmlElement("w:r")
    element.append(r)
    run = Run(r, paragraph)
    run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    run.font.underline = True
    return run
