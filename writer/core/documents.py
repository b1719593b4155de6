"""Reading and writing the user's documents without mangling them.

A document remembers its encoding, byte-order mark and line endings, so saving writes back
exactly the form it was read in. Text is held with '\\n' line endings while edited.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from writer.core.atomic import write_atomic
from writer.core.errors import UserError

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
]


class UndecodableText(UserError):
    """The bytes are not text in the encoding tried; another encoding may read them."""


@dataclass
class Document:
    text: str
    encoding: str = "utf-8"
    bom: bytes = b""
    newline: str = "\n"
    digest: str | None = None  # sha256 of the bytes on disk when last read or written
    line_endings: list[str] | None = None  # each line's ending as read, when a file mixes them

    def to_bytes(self) -> bytes:
        if self.line_endings:
            lines = self.text.split("\n")
            endings = self.line_endings + [self.newline] * (len(lines) - 1 - len(self.line_endings))
            text = "".join(line + ending for line, ending in zip(lines, endings)) + lines[-1]
        elif self.newline != "\n":
            text = self.text.replace("\n", self.newline)
        else:
            text = self.text
        return self.bom + text.encode(self.encoding)


def _newline_of(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    best = max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))
    return best[1] if best[0] else "\n"


def decode_bytes(data: bytes, name: str, encoding: str | None = None) -> Document:
    """Decodes document bytes; raises UserError for binary or undecodable data."""
    bom = b""
    if encoding is None:
        for mark, enc in _BOMS:
            if data.startswith(mark):
                bom, encoding = mark, enc
                break
    body = data[len(bom):]
    if encoding is None:
        if b"\x00" in body[:8192]:
            raise UserError("document.binary", "{name} looks like a binary file, not text; open a text or Markdown file.", name=name)
        encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        raise UndecodableText("document.undecodable", "{name} is not valid {encoding} text; choose its encoding or convert it to UTF-8.",
                              name=name, encoding=encoding.upper()) from None
    except LookupError:
        raise UserError("document.unknown_encoding", "Unknown text encoding '{encoding}'.", encoding=encoding) from None
    newline = _newline_of(text)
    endings = re.findall(r"\r\n|\r|\n", text)
    mixed = endings if len(set(endings)) > 1 else None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(text, encoding, bom, newline, hashlib.sha256(data).hexdigest(), mixed)


def load(path: str | os.PathLike, encoding: str | None = None) -> Document:
    path = Path(path)
    return decode_bytes(read_bytes(path), path.name, encoding)


def read_bytes(path: str | os.PathLike) -> bytes:
    """A document's bytes, with one sentence for each way reading can fail (also for imports)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise UserError("document.is_folder", "{path} is a folder, not a file.", path=path)
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise UserError("document.too_large", "{name} is {size} MB; Writer opens documents up to {limit} MB.", name=path.name,
                            size=size // (1024 * 1024), limit=MAX_DOCUMENT_BYTES // (1024 * 1024))
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError("document.missing", "{path} does not exist.", path=path) from None
    except PermissionError:
        raise UserError("document.no_read_permission", "Writer is not allowed to read {path}.", path=path) from None
    except OSError as exc:
        raise UserError("document.read_failed", "Could not read {path}: {reason}.", path=path, reason=exc.strerror or exc) from None


def disk_digest(path: str | os.PathLike) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def save(path: str | os.PathLike, document: Document) -> None:
    """Writes atomically; the file on disk is either the old one or the new one, never a mix."""
    path = Path(path)
    try:
        data = document.to_bytes()
    except UnicodeEncodeError:
        raise UserError("document.unencodable", "The text has characters that {encoding} cannot store; save it as UTF-8.",
                        encoding=document.encoding.upper()) from None
    try:
        write_atomic(path, data)
    except PermissionError:
        raise UserError("document.no_write_permission", "Writer is not allowed to write {path}; choose Save As to save elsewhere.", path=path) from None
    except OSError as exc:
        if exc.errno == 28:
            raise UserError("document.disk_full", "Could not save {name}: the disk is full. The file on disk is unchanged.", name=path.name) from None
        raise UserError("document.save_failed", "Could not save {name}: {reason}. The file on disk is unchanged.", name=path.name,
                        reason=exc.strerror or exc) from None
    document.digest = hashlib.sha256(data).hexdigest()
