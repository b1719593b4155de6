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
            raise UserError(f"{name} looks like a binary file, not text; open a text or Markdown file.")
        encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        raise UndecodableText(
            f"{name} is not valid {encoding.upper()} text; choose its encoding or convert it to UTF-8."
        ) from None
    except LookupError:
        raise UserError(f"Unknown text encoding '{encoding}'.") from None
    newline = _newline_of(text)
    endings = re.findall(r"\r\n|\r|\n", text)
    mixed = endings if len(set(endings)) > 1 else None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(text, encoding, bom, newline, hashlib.sha256(data).hexdigest(), mixed)


def load(path: str | os.PathLike, encoding: str | None = None) -> Document:
    path = Path(path)
    try:
        if path.is_dir():
            raise UserError(f"{path} is a folder, not a file.")
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise UserError(f"{path.name} is {size // (1024 * 1024)} MB; Writer opens documents up to {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path} does not exist.") from None
    except PermissionError:
        raise UserError(f"Writer is not allowed to read {path}.") from None
    except OSError as exc:
        raise UserError(f"Could not read {path}: {exc.strerror or exc}.") from None
    return decode_bytes(data, path.name, encoding)


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
        raise UserError(f"The text has characters that {document.encoding.upper()} cannot store; save it as UTF-8.") from None
    try:
        write_atomic(path, data)
    except PermissionError:
        raise UserError(f"Writer is not allowed to write {path}; choose Save As to save elsewhere.") from None
    except OSError as exc:
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise UserError(f"Could not save {path.name}: {reason}. The file on disk is unchanged.") from None
    document.digest = hashlib.sha256(data).hexdigest()
