import json

import pytest

from writer.core.settings import CONTEXT, TEMPERATURE, THREADS, Settings


def test_round_trip():
    s = Settings(model_path="/m/a.gguf", n_ctx=8192, gpu_layers=12, threads=4, temperature=0.2,
                 recent_files=["/a.md"], last_options={"translate.language": "fr"}, language="zh_CN")
    s.save()
    assert Settings.load() == s


def test_missing_file_gives_defaults():
    assert Settings.load() == Settings()


def test_malformed_values_fall_back_to_defaults():
    Settings.path().parent.mkdir(parents=True, exist_ok=True)
    Settings.path().write_text(json.dumps({"n_ctx": "big", "gpu_layers": -3, "temperature": 9, "threads": 2, "recent_files": "x",
                                                 "language": "../../etc"}))
    s = Settings.load()
    assert (s.n_ctx, s.gpu_layers, s.temperature, s.threads, s.recent_files, s.language) == (4096, "auto", 0.8, 2, [], "system")


def test_garbage_file_gives_defaults():
    Settings.path().parent.mkdir(parents=True, exist_ok=True)
    Settings.path().write_bytes(b"\x00\xff{{{")
    assert Settings.load() == Settings()


def test_save_leaves_no_temporary_files():
    Settings().save()
    assert [p.name for p in Settings.path().parent.iterdir()] == ["settings.json"]


@pytest.mark.parametrize("name,bounds", [("n_ctx", CONTEXT), ("server_context", CONTEXT), ("threads", THREADS),
                                         ("temperature", TEMPERATURE), ("edit_temperature", TEMPERATURE)])
def test_numbers_are_kept_within_their_bounds_and_no_further(name, bounds):
    step = 1 if isinstance(bounds.low, int) else 0.1
    for value, kept in ((bounds.low, True), (bounds.high, True), (bounds.low - step, False), (bounds.high + step, False),
                        (True, False)):
        Settings.path().parent.mkdir(parents=True, exist_ok=True)
        Settings.path().write_text(json.dumps({name: value}))
        assert (getattr(Settings.load(), name) == value) is kept, (name, value)
