"""`writer summarize|translate|rewrite|generate`: one action, headless, on the engine session."""

from __future__ import annotations

import argparse
import os
import sys

from writer.cli.options import add_model_options, engine_settings, generation_params
from writer.core import documents
from writer.core.actions import ActionRequest, lengths, styles
from writer.core.docx_import import read_text
from writer.core.errors import UserError
from writer.core.events import Delta, Done, Failed, Note, Progress

ACTION_COMMANDS = ("summarize", "translate", "rewrite", "generate")


def add_parsers(sub) -> None:
    for name in ACTION_COMMANDS:
        p = sub.add_parser(name, help=f"{name} text from FILE or standard input", intermixed=True)
        p.add_argument("file", nargs="?", default="-", help="a text, Markdown or Word (.docx) file, or - for standard input")
        if name == "translate":
            p.add_argument("--to", dest="language", required=True,
                           help="target language: a name or code (French, fr, 简体中文, zh-CN)")
        if name == "rewrite":
            p.add_argument("--style", help=f"one of: {', '.join(styles())}")
        if name in ("rewrite", "generate"):
            p.add_argument("--instruction", help="a free instruction")
        if name in ("summarize", "generate"):
            p.add_argument("--length", help=f"one of: {', '.join(lengths(name))}")
        add_model_options(p)


def read_input(name: str) -> str:
    if name == "-":
        return documents.decode_bytes(sys.stdin.buffer.read(), "Standard input").text
    if not os.path.exists(name):
        raise UserError("cli.missing_input", "{name} does not exist.", name=name)
    return read_text(name)  # a .docx is read as Markdown


def warn(message) -> None:
    print(f"writer: {message}", file=sys.stderr)


def warn_loaded(loaded) -> None:
    """What the user should know about where the model runs: a backend that crashed, fewer GPU layers."""
    for note in (loaded.fallback, loaded.placement):
        if note is not None:
            warn(note)


def run(args: argparse.Namespace) -> int:
    from writer.engine.session import EngineSession

    text = read_input(args.file)
    request = ActionRequest(
        action=args.command, text=text, style=getattr(args, "style", None),
        language=getattr(args, "language", None), instruction=getattr(args, "instruction", None),
        length=getattr(args, "length", None),
    ).validated()
    settings = engine_settings(args)
    session = EngineSession()
    out = sys.stdout
    try:
        warn_loaded(session.load(settings))
        job = session.action(request, **generation_params(args, settings, request.action))
        notes = []
        try:
            for event in job:
                if isinstance(event, Delta):
                    out.write(event.text)
                    out.flush()
                elif isinstance(event, Progress) and sys.stderr.isatty():
                    warn(f"piece {event.piece} of {event.pieces}")
                elif isinstance(event, Note):
                    notes.append(event.message)
                elif isinstance(event, Done):
                    out.write("\n")
                    out.flush()
                elif isinstance(event, Failed):
                    out.flush()
                    warn(event.message)
                    return 1
            for note in notes:  # after the result, so they never land inside it on a terminal
                warn(note)
        except KeyboardInterrupt:
            job.cancel()
            print("\nwriter: stopped.", file=sys.stderr)
            return 130
    finally:
        session.close()
    return 0
