"""One source of truth for each meaning that used to be written twice (issue 19): a second copy
of any of them, in any layer, fails here."""

import ast
import re
from pathlib import Path

import pytest

from writer.core import fit
from writer.core.errors import unexpected
from writer.core.settings import CONTEXT, TEMPERATURE, THREADS, Settings

WRITER = Path(__file__).resolve().parents[1] / "writer"


def sources():
    return {path.relative_to(WRITER).as_posix(): path.read_text(encoding="utf-8") for path in WRITER.rglob("*.py")}


def places(pattern):
    return sorted(name for name, text in sources().items() if re.search(pattern, text))


def test_only_fit_reads_the_computers_memory():
    assert places(r"SC_PHYS_PAGES|GlobalMemoryStatusEx|hw\.memsize") == ["core/fit.py"]


def test_the_kv_cache_is_counted_once(monkeypatch):
    import llama_cpp

    from writer.engine import parallel

    shape = {"llama_model_n_layer": 28, "llama_model_n_head": 28, "llama_model_n_head_kv": 4, "llama_model_n_embd": 3584}
    for name, value in shape.items():  # Qwen2.5 7B's shape, as llama.cpp reports it
        monkeypatch.setattr(llama_cpp, name, lambda model, value=value: value)
    llm = type("Llama", (), {"_model": type("Model", (), {"model": None})()})()
    assert parallel.kv_bytes_per_token(llm) == fit.kv_bytes_per_token(28, 4, 128) == 43_904
    assert places(r"BYTES_PER_KEY_VALUE\s*=") == ["core/fit.py"]


def test_the_loaded_model_reports_its_kv_cache(engine):
    # SmolLM2 135M: 30 layers, 3 KV heads of 64 values
    assert engine.info().model.kv_token_bytes == fit.kv_bytes_per_token(30, 3, 64)


def test_the_editor_and_the_command_line_take_the_bounds_settings_accept(qtbot):
    import argparse

    from writer.cli import options
    from writer.gui.dialogs import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert (dialog.n_ctx.minimum(), dialog.n_ctx.maximum()) == (CONTEXT.low, CONTEXT.high)
    assert dialog.threads.maximum() == THREADS.high
    assert (dialog.temperature.minimum(), dialog.temperature.maximum()) == (TEMPERATURE.low, TEMPERATURE.high)
    assert dialog.engine.context.maximum() == CONTEXT.high
    assert options.context_size(str(CONTEXT.high)) == CONTEXT.high
    assert options.temperature(str(TEMPERATURE.high)) == TEMPERATURE.high
    for parse, value in ((options.context_size, CONTEXT.high + 1), (options.context_size, CONTEXT.low - 1),
                         (options.temperature, TEMPERATURE.high + 0.1)):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(str(value))


def test_unexpected_errors_have_one_sentence(qtbot, capsys, monkeypatch):
    from writer import cli
    from writer.gui.background import Background

    assert places(r"Unexpected error") == ["core/errors.py"]
    from PySide6.QtCore import QObject

    owner = QObject()
    failures = []
    Background(owner).run("divide", lambda: 1 / 0, failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert failures[0] == unexpected(ZeroDivisionError("division by zero"))
    assert str(failures[0]) == "Unexpected error: ZeroDivisionError: division by zero"

    def broken(args):
        raise KeyError("x")
    monkeypatch.setattr(cli.export, "run", broken)
    assert cli.main(["export", "notes.md"]) == 1
    assert capsys.readouterr().err == "writer: Unexpected error: KeyError: 'x'\n"


def test_tokens_per_second_is_computed_in_one_place():
    from writer.core.events import tokens_per_second

    assert tokens_per_second(11, 2.0) == 5.0  # the first token ends the prompt: ten more in two seconds
    assert tokens_per_second(1, 2.0) == tokens_per_second(5, 0.0) == 0.0
    assert [line.strip() for text in sources().values() for line in text.splitlines()
            if re.search(r"tokens_per_s\W.*/", line)] == []


def test_each_message_code_is_defined_once():
    """A code names one sentence: written out in two places, the two drift apart."""
    defined = {}
    for name, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            callee = getattr(node, "func", None)
            callee = getattr(callee, "id", getattr(callee, "attr", ""))
            if callee in ("msg", "UserError") and len(node.args) >= 2 and all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2]):
                defined.setdefault(node.args[0].value, []).append(f"{name}:{node.lineno}")
    assert {code: where for code, where in defined.items() if len(where) > 1} == {}
    assert len(defined) > 100  # the scan still finds them
