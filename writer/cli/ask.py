"""`writer ask QUESTION [FILE]`: an answer from the document, then the passages it comes from."""

from __future__ import annotations

import argparse
import json
import sys

from writer.cli.actions import read_input, warn, warn_loaded
from writer.cli.options import add_model_options, engine_settings, generation_params


def add_parser(sub) -> None:
    p = sub.add_parser("ask", help="answer a question from FILE or standard input, with the passages it comes from",
                       intermixed=True)
    p.add_argument("question")
    p.add_argument("file", nargs="?", default="-", help="a text file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print the answer and its sources as JSON")
    add_model_options(p)


def run(args: argparse.Namespace) -> int:
    """Prints the answer as it streams, then its sources, then what the checks found on standard
    error; with --json, all of it as data at the end."""
    from writer.core.ask import NOT_SAID, Sources, check_question, check_text
    from writer.core.events import Delta, Done, Failed, Note
    from writer.engine.session import EngineSession

    question, text = check_question(args.question), read_input(args.file)
    check_text(text)  # before the model loads: bad input is said at once
    session = EngineSession()
    out, answer, sources, found, notes = sys.stdout, "", (), True, []
    try:
        settings = engine_settings(args)
        warn_loaded(session.load(settings))
        for event in session.ask(question, text, **generation_params(args, settings, "ask")):
            if isinstance(event, Failed):
                out.flush()
                warn(event.message)
                return 1
            if isinstance(event, Delta) and not args.json:
                out.write(event.text)
                out.flush()
            elif isinstance(event, Note) and event.message.code == NOT_SAID.code:
                found = False
                if not args.json:
                    out.write(f"{event.message}\n")
            elif isinstance(event, Note):  # a check of the answer: on standard error, after it
                notes.append(event.message)
            elif isinstance(event, Sources):
                sources = event.sources
            elif isinstance(event, Done):
                answer = event.text
    finally:
        session.close()
    if args.json:
        json.dump({"question": question, "answer": answer if found else None, "found": found,
                   "notes": [{"code": n.code, "text": str(n)} for n in notes],
                   "sources": [{"first_line": s.first_line, "last_line": s.last_line, "quote": s.quote} for s in sources]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif found:
        out.write("\n\nSources:\n")
        for source in sources:
            out.write(f'  lines {source.first_line}–{source.last_line}: "{source.quote}"\n')
    out.flush()
    for note in notes:
        warn(note)
    return 0
