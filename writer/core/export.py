"""Exporting a document: its Markdown structure as HTML, its title, its images, the paper size, and a
safe write of the result.

Every format starts from the same CommonMark parse (markdown-it-py, with tables): HTML is written from
it here, DOCX by writer.core.docx_export, and PDF and ODT by Qt from the HTML (writer.gui.rendering).
Text in which the parser finds no Markdown is plain text and exports as paragraphs, its line breaks
kept. An export never replaces a file without being told to, never writes over its source, and
writes atomically: a failure leaves no file, or the old one, never half of a new one.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from markdown_it import MarkdownIt

from writer.core.atomic import write_atomic
from writer.core.errors import UserError
from writer.core.markdown import outline

FORMATS = ("pdf", "docx", "odt", "html")
# Countries whose paper is US Letter; everywhere else uses A4.
LETTER_TERRITORIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA", "DO", "SV", "NI", "HN", "BZ"}
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//|^(?:https?|data|mailto):", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """What an export reads: the text, the folder its relative image paths start from, its title."""
    text: str
    folder: Path
    title: str


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def paper_for(locale_name: str) -> str:
    """'Letter' for locales of countries that use it ('en_US', 'es-MX'), else 'A4'."""
    territory = re.split(r"[_-]", locale_name.split(".")[0] + "_")[1].upper()
    return "Letter" if territory in LETTER_TERRITORIES else "A4"


def title_of(text: str, fallback: str) -> str:
    """The first heading's text, or `fallback` (the file's name without its extension)."""
    tokens = parser().parse(text) if outline(text).markdown else []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            title = "".join(c.content for c in tokens[i + 1].children or [] if c.type in ("text", "code_inline"))
            if title.strip():
                return title.strip()
    return fallback


def source_of(text: str, path: str | os.PathLike | None, fallback_title: str = "Untitled") -> Source:
    folder = Path(path).resolve().parent if path else Path.cwd()
    return Source(text, folder, title_of(text, Path(path).stem if path else fallback_title))


def is_markdown(text: str) -> bool:
    return outline(text).markdown


def plain_paragraphs(text: str) -> list[str]:
    """Plain text cut into paragraphs at blank lines (line breaks inside a paragraph are kept)."""
    return [p.strip("\n") for p in _BLANK_LINES.split(text.strip()) if p.strip()]


def image_path(src: str, folder: Path) -> Path | None:
    """The local file an image refers to, or None for web and data images; raises a readable error
    when the file is not there (an export with a hole where a picture should be is worse)."""
    if _REMOTE.match(src):
        return None
    path = Path(unquote(urlparse(src).path if src.lower().startswith("file:") else src)).expanduser()
    path = path if path.is_absolute() else folder / path
    if not path.is_file():
        raise UserError("export.image_missing", "The image {image} does not exist; correct its path or remove it, then export again.",
                        image=src)
    return path


def _images(tokens):
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                yield child


def body_html(source: Source, image_src=lambda path, src: src) -> str:
    """The document as HTML (body only). `image_src(path, src)` gives each local image's address in
    the output: a data: URL for a self-contained HTML file, a file URL for Qt."""
    if not is_markdown(source.text):
        return "\n".join(f"<p>{html.escape(p).replace(chr(10), '<br>' + chr(10))}</p>" for p in plain_paragraphs(source.text))
    md = parser()
    tokens = md.parse(source.text)
    for image in _images(tokens):
        src = image.attrGet("src") or ""
        path = image_path(src, source.folder)
        if path is not None:
            image.attrSet("src", image_src(path, src))
    return md.renderer.render(tokens, md.options, {})


def image_unreadable(path: Path, reason) -> UserError:
    return UserError("export.image_unreadable", "Could not read the image {image}: {reason}.", image=str(path),
                     reason=reason)


def _data_url(path: Path, _src: str) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise image_unreadable(path, exc.strerror or exc) from None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


HTML_STYLE = """body { max-width: 46em; margin: 2em auto; padding: 0 1em; font-family: sans-serif; line-height: 1.5; }
pre, code { font-family: monospace; } pre { background: #f4f4f4; padding: .6em; overflow-x: auto; }
blockquote { color: #555; border-left: 3px solid #ccc; margin-left: 0; padding-left: 1em; }
table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .3em .6em; } img { max-width: 100%; }"""


def html_bytes(source: Source) -> bytes:
    """A self-contained HTML page: the images are inside it, so it can be sent on as one file."""
    page = (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{html.escape(source.title)}</title>\n'
            f"<style>\n{HTML_STYLE}\n</style>\n</head>\n<body>\n{body_html(source, _data_url)}</body>\n</html>\n")
    return page.encode("utf-8")


def check_target(out: Path, source_path: str | os.PathLike | None, replace: bool) -> None:
    """Refuses to write over the source document, or over an existing file unless told to."""
    if source_path and out.resolve() == Path(source_path).resolve():
        raise UserError("export.onto_source", "{name} is the document being exported; choose another file name.", name=out.name)
    if out.is_dir():
        raise UserError("export.is_folder", "{path} is a folder; give a file name to export to.", path=str(out))
    if out.exists() and not replace:
        raise UserError("export.exists", "{path} already exists; choose another name, or replace it (--force on the command line).",
                        path=str(out))


def write_export(out: Path, data: bytes) -> None:
    """Writes atomically; on failure no new file is left behind and an old one stays as it was."""
    try:
        write_atomic(out, data)
    except PermissionError:
        raise UserError("export.no_permission", "Writer is not allowed to write in {folder}; choose another folder.",
                        folder=str(out.parent)) from None
    except OSError as exc:
        if exc.errno == 28:
            raise UserError("export.disk_full", "Could not export {name}: the disk is full, and nothing was written.", name=out.name) from None
        raise UserError("export.failed", "Could not export {name}: {reason}; nothing was written.", name=out.name,
                        reason=exc.strerror or str(exc)) from None


def format_of(out: Path, wanted: str | None) -> str:
    """The format asked for, or the one the output's extension names."""
    fmt = (wanted or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise UserError("export.unknown_format", "Writer exports to {formats}, not '{format}'.", formats=", ".join(FORMATS), format=fmt)
    return fmt
