"""The `writer` command: the editor, headless actions, and diagnostics."""

from __future__ import annotations

import argparse
import os
import sys

from writer import __version__
from writer.core import documents, paths
from writer.core.actions import ActionRequest, lengths, styles
from writer.core.errors import UserError
from writer.core.models import placement_note, resolve_model
from writer.core.settings import Settings, parse_gpu_layers

ACTION_COMMANDS = ("summarize", "translate", "rewrite", "generate")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _context_size(text: str) -> int:
    value = _positive_int(text)
    if value < 256:
        raise argparse.ArgumentTypeError("the context size must be at least 256 tokens")
    return value


def _gpu_layers(text: str):
    try:
        return parse_gpu_layers(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not 'auto' or a number of layers") from None


def _temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= value <= 2:
        raise argparse.ArgumentTypeError("temperature must be between 0 and 2")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump
        self.exit(2, f"writer: {message} (see 'writer --help').\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="writer", description="Writer: an offline writing assistant. "
                     "Run 'writer' or 'writer FILE' to open the editor, or use a command below.")
    parser.add_argument("--version", action="version", version=f"Writer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name in ACTION_COMMANDS:
        p = sub.add_parser(name, help=f"{name} text from FILE or standard input")
        p.add_argument("file", nargs="?", default="-", help="a text file, or - for standard input")
        if name == "translate":
            p.add_argument("--to", dest="language", required=True, help="target language: a name or code (French, fr, 简体中文, zh-CN)")
        if name == "rewrite":
            p.add_argument("--style", help=f"one of: {', '.join(styles())}")
        if name in ("rewrite", "generate"):
            p.add_argument("--instruction", help="a free instruction")
        if name in ("summarize", "generate"):
            p.add_argument("--length", help=f"one of: {', '.join(lengths(name))}")
        p.add_argument("--model", help="a .gguf model file (default: the bundled model or the one chosen in settings)")
        p.add_argument("--gpu-layers", type=_gpu_layers, help="auto, or how many layers to offload to the GPU (0 = CPU only)")
        p.add_argument("--ctx", type=_context_size, help="context size in tokens")
        p.add_argument("--max-tokens", type=_positive_int, help="the most tokens to write per piece")
        p.add_argument("--temperature", type=_temperature, help="0 for the most predictable output")
        p.add_argument("--seed", type=int, help="a seed for repeatable output")
    sub.add_parser("doctor", help="report the llama.cpp build, GPU support, folders and models")
    models = sub.add_parser("models", help="list, find, download, import, remove and choose models")
    msub = models.add_subparsers(dest="models_command", required=True, parser_class=_Parser)
    msub.add_parser("list", help="the built-in, catalog and local models")
    p = msub.add_parser("search", help="search the Hugging Face hub for GGUF models")
    p.add_argument("query")
    p = msub.add_parser("download", help="download a catalog model, or REPO_ID FILENAME from the hub")
    p.add_argument("model", help="a catalog id, or a hub repository id")
    p.add_argument("filename", nargs="?", help="the .gguf file in that repository")
    p.add_argument("--endpoint", help="a hub mirror (default: HF_ENDPOINT or the settings)")
    p = msub.add_parser("import", help="add a local .gguf file")
    p.add_argument("path")
    msub.add_parser("remove", help="delete a downloaded model or forget an imported one").add_argument("id")
    msub.add_parser("use", help="make a model the active one").add_argument("id")
    p = msub.add_parser("recommend", help="the catalog model to download for this computer and your languages")
    p.add_argument("--json", action="store_true", help="print the recommendation as JSON, for scripts")
    return parser


def read_input(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
        label = "Standard input"
    else:
        if not os.path.exists(name):
            raise UserError("input.missing", "{name} does not exist.", name=name)
        return documents.load(name).text
    return documents.decode_bytes(data, label).text


def run_action(args) -> int:
    from writer.core.pipeline import ActionRun
    from writer.engine.client import EngineClient

    settings = Settings.load()
    text = read_input(args.file)
    request = ActionRequest(
        action=args.command, text=text, style=getattr(args, "style", None),
        language=getattr(args, "language", None), instruction=getattr(args, "instruction", None),
        length=getattr(args, "length", None),
    ).validated()
    model = resolve_model(args.model or settings.model_path)
    client = EngineClient()
    out = sys.stdout
    try:
        info = client.load(
            str(model), n_ctx=args.ctx or settings.n_ctx,
            gpu_layers=args.gpu_layers if args.gpu_layers is not None else settings.gpu_layers,
            threads=settings.threads,
        )
        note = placement_note(info["model"])
        if note:
            print(f"writer: {note}", file=sys.stderr)
        temperature = args.temperature if args.temperature is not None else settings.temperature
        run = ActionRun(client, request, info["model"]["context"], max_tokens=args.max_tokens,
                        temperature=temperature, seed=args.seed)
        notes = []
        try:
            for event in run:
                if event["type"] == "delta":
                    out.write(event["text"])
                    out.flush()
                elif event["type"] == "progress" and sys.stderr.isatty():
                    print(f"writer: piece {event['piece']} of {event['pieces']}", file=sys.stderr)
                elif event["type"] == "note":
                    notes.append(event["message"])
                elif event["type"] == "done":
                    out.write("\n")
                    out.flush()
            for note in notes:  # after the result, so they never land inside it on a terminal
                print(f"writer: {note}", file=sys.stderr)
        except KeyboardInterrupt:
            run.cancel()
            print("\nwriter: stopped.", file=sys.stderr)
            return 130
    finally:
        client.close()
    return 0


def doctor() -> int:
    from writer.engine.client import EngineClient

    settings = Settings.load()
    client = EngineClient()
    try:
        info = client.info()
    finally:
        client.close()
    default = paths.default_model_path()
    gpu = "yes" if info["gpu_offload_supported"] else "no (CPU-only build; see README for GPU builds)"
    rows = [
        ("Writer", __version__),
        ("Python", sys.version.split()[0]),
        ("llama-cpp-python", info["llama_cpp_version"]),
        ("GPU offload", gpu),
        ("CPU features", info["system_info"]),
        ("Default model", str(default) if default else "not installed"),
        ("Chosen model", settings.model_path or "the default model"),
        ("Settings", str(Settings.path())),
        ("Models folder", str(paths.models_dir())),
        ("Recovery folder", str(paths.recovery_dir())),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--engine-worker"]:
        from writer.engine.worker import run
        return run()
    if not argv or (argv[0] not in (*ACTION_COMMANDS, "doctor", "models") and not argv[0].startswith("-")):
        from writer.gui.app import main as gui_main
        return gui_main(argv[:1])
    args = build_parser().parse_args(argv)
    try:
        if args.command == "doctor":
            return doctor()
        if args.command == "models":
            from writer.cli_models import run_models
            return run_models(args)
        return run_action(args)
    except UserError as exc:
        print(f"writer: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("writer: stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # engine failures and anything unforeseen: one line, no traceback
        from writer.engine.client import EngineFailure
        from writer.core.pipeline import EngineError
        if isinstance(exc, (EngineFailure, EngineError)):
            print(f"writer: {exc}", file=sys.stderr)
            return 1
        print(f"writer: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
