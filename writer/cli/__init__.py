"""The `writer` command: the editor, headless actions, the model manager and diagnostics."""

from __future__ import annotations

import argparse
import sys

from writer import __version__
from writer.cli import actions, ask, export, models
from writer.cli.options import add_backend_options
from writer.core.errors import WriterError, unexpected

COMMANDS = (*actions.ACTION_COMMANDS, "ask", "doctor", "export", "models")


class _Parser(argparse.ArgumentParser):
    """One line for a mistake; with intermixed=True, positionals and options in any order
    (`writer ask "Q" --server URL notes.md`), which plain argparse refuses once an optional
    positional was passed over."""

    def __init__(self, *args, intermixed: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._intermixed = intermixed
        self._parsing = False

    def parse_known_args(self, args=None, namespace=None):
        if not self._intermixed or self._parsing:  # intermixed parsing calls this twice itself
            return super().parse_known_args(args, namespace)
        self._parsing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._parsing = False

    def error(self, message: str) -> None:  # one line, not a usage dump
        self.exit(2, f"writer: {message} (see 'writer --help').\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="writer", description="Writer: an offline writing assistant. "
                     "Run 'writer' or 'writer FILE' to open the editor, or use a command below.")
    parser.add_argument("--version", action="version", version=f"Writer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    actions.add_parsers(sub)
    ask.add_parser(sub)
    add_backend_options(sub.add_parser("doctor", help="report the llama.cpp build, where it runs and why, GPU support, "
                                       "folders and models"))
    export.add_parser(sub)
    models.add_parser(sub, _Parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--engine-worker"]:
        from writer.engine.worker import run
        return run()
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        from writer.gui.app import main as gui_main
        return gui_main(argv[:1])
    args = build_parser().parse_args(argv)
    try:
        if args.command == "doctor":
            from writer.cli import doctor
            return doctor.run(args)
        if args.command == "models":
            return models.run(args)
        if args.command == "export":
            return export.run(args)
        if args.command == "ask":
            return ask.run(args)
        return actions.run(args)
    except WriterError as exc:
        print(f"writer: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("writer: stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # anything unforeseen: one line, no traceback
        print(f"writer: {unexpected(exc)}", file=sys.stderr)
        return 1
