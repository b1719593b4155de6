"""One source of truth for each meaning that used to be written twice (issue 19): a second copy
of any of them, in any layer, fails here."""

import re
from pathlib import Path

import pytest

from writer.core.errors import unexpected
from writer.core.settings import CONTEXT, TEMPERATURE, THREADS, Settings

WRITER = Path(__file__).resolve().parents[1] / "writer"


def sources():
    return {path.relative_to(WRITER).as_posix(): path.read_text(encoding="utf-8") for path in WRITER.rglob("*.py")}


def places(pattern):
    return sorted(name for name, text in sources().items() if re.search(pattern, text))


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
    job = Background()
    with qtbot.waitSignal(job.failed) as failed:
        job.run(lambda: 1 / 0)
    assert failed.args[0] == unexpected(ZeroDivisionError("division by zero"))
    assert str(failed.args[0]) == "Unexpected error: ZeroDivisionError: division by zero"

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
