"""One definition of the options every model command shares: `ask` takes what the actions take,
and options and FILE go in any order."""

import pytest

from tests.helpers.fakes import FakeEngine
from writer import cli
from writer.cli import build_parser
from writer.cli.actions import ACTION_COMMANDS
from writer.engine import session

LIBRARY = "The key to the boat shed hangs in the kitchen.\n\nTomas keeps the key to the boat shed.\n"


def options_of(command):
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return {s for a in sub.choices[command]._actions for s in a.option_strings}


def test_every_model_command_takes_the_same_model_options():
    shared = options_of("ask") & options_of("summarize")
    for command in (*ACTION_COMMANDS, "ask"):
        assert {"--temperature", "--seed", "--max-tokens", "--server", "--model", "--ctx"} <= options_of(command)
        assert shared <= options_of(command)


@pytest.mark.parametrize("argv", [
    ["ask", "Who keeps the key?", "--server", "http://gpu-box:8080/v1", "notes.md"],
    ["ask", "Who keeps the key?", "notes.md", "--server", "http://gpu-box:8080/v1"],
    ["ask", "--server", "http://gpu-box:8080/v1", "Who keeps the key?", "notes.md"],
])
def test_ask_takes_options_and_file_in_any_order(argv):
    args = build_parser().parse_args(argv)
    assert (args.question, args.file, args.server) == ("Who keeps the key?", "notes.md", "http://gpu-box:8080/v1")


def test_an_action_takes_options_and_file_in_any_order():
    args = build_parser().parse_args(["summarize", "--max-tokens", "9", "notes.md", "--seed", "3"])
    assert (args.file, args.max_tokens, args.seed) == ("notes.md", 9, 3)
    assert build_parser().parse_args(["summarize", "--seed", "3"]).file == "-"


def test_ask_sends_its_temperature_seed_and_token_limit(tmp_path, capsys, monkeypatch):
    engines = []

    class Recording(FakeEngine):
        def generate(self, messages, max_tokens=100, **params):
            self.asked = max_tokens
            return super().generate(messages, max_tokens, **params)

    def factory(current, settings, on_death):
        engines.append(current or Recording())
        return engines[-1]
    real = session.EngineSession
    monkeypatch.setattr(session, "EngineSession", lambda: real(engine_factory=factory))
    path = tmp_path / "notes.md"
    path.write_text(LIBRARY, encoding="utf-8")
    code = cli.main(["ask", "Who keeps the key to the boat shed?", "--temperature", "0.5", str(path),
                     "--seed", "7", "--max-tokens", "20"])
    assert code == 0, capsys.readouterr().err
    assert engines[-1].params == [{"temperature": 0.5, "seed": 7}] and engines[-1].asked == 20
