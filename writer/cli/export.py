"""`writer export FILE --to pdf|docx|odt|html [-o OUT]`: the editor's File → Export… without a window."""

from __future__ import annotations

import argparse
from pathlib import Path

from writer.core.export import FORMATS


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export a Markdown, text or Word document to PDF, DOCX, ODT or HTML")
    p.add_argument("file", help="the document to export (.md, .txt or .docx)")
    p.add_argument("--to", dest="format", choices=FORMATS, help="the format (default: the extension of -o)")
    p.add_argument("-o", "--output", help="the file to write (default: FILE with the format's extension)")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.add_argument("--paper", choices=("A4", "Letter"), help="paper size for PDF and DOCX (default: from the locale)")


def run(args: argparse.Namespace) -> int:
    from writer.cli.actions import read_input
    from writer.core.errors import UserError

    if not args.format and not args.output:
        raise UserError("export.no_format", "Say which format to export to with --to ({formats}).", formats=", ".join(FORMATS))
    source = Path(args.file)
    out = Path(args.output) if args.output else source.with_suffix("." + args.format)
    text = read_input(args.file)
    from writer.gui.rendering import export_file  # Qt lays out PDF and ODT pages

    written = export_file(text, source, out, args.format, args.paper, args.force)
    print(f"writer: exported {written}")
    return 0
