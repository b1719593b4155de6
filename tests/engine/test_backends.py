"""The engine worker loads llama.cpp's CPU backend (portable builds) and says which one runs;
a worker that cannot load llama.cpp says why in one sentence instead of being restarted."""

import pytest

from writer.core.errors import EngineError
from writer.engine import backends
from writer.engine.client import EngineClient


def test_the_worker_reports_the_cpu_variant_that_is_installed(engine):
    folder = backends.variant_folder()
    variant = engine.info().cpu_variant
    if folder is None:  # the developer install: llama.cpp compiled for this machine
        assert variant == "native"
    else:  # a portable build: one of the libggml-cpu-<variant> files found there
        assert any(f"ggml-cpu-{variant}." in p.name for p in folder.iterdir())


@pytest.mark.model
def test_a_worker_without_llama_cpp_says_so_in_one_line(tmp_path, monkeypatch):
    # llama_cpp looks for its libraries here; an empty folder is a bundle that lost them.
    monkeypatch.setenv("LLAMA_CPP_LIB_PATH", str(tmp_path))
    client = EngineClient()
    with pytest.raises(EngineError) as failure:
        client.start()
    client.close()
    message = str(failure.value)
    assert message.startswith("The engine could not start: llama.cpp could not be loaded"), message
    assert "Traceback" not in message and "\n" not in message


@pytest.mark.model
def test_the_editor_says_once_that_the_engine_cannot_start(qtbot, tmp_path, monkeypatch, discard_on_close):
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    monkeypatch.setenv("LLAMA_CPP_LIB_PATH", str(tmp_path))
    bridge = EngineBridge(backoff=0.1)
    window = MainWindow(Settings(n_ctx=1024), bridge)
    qtbot.addWidget(window)
    states = []
    bridge.state_changed.connect(lambda state, detail: states.append(state))
    window.start_engine()
    qtbot.waitUntil(lambda: "error" in states, timeout=60000)
    qtbot.wait(1000)  # restarting would not help, and does not happen
    assert "restarting" not in states and states[-1] == "error"
    message = window.statusBar().currentMessage()
    assert message.startswith("The engine could not start: llama.cpp could not be loaded"), message
    window.close()


@pytest.mark.parametrize("backend, requested, kinds, expected", [
    ("auto", "auto", (), None),  # a CPU build: nothing to say
    ("auto", "auto", ("Vulkan",), "gpu.no_device"),  # a GPU backend that found no device
    ("cpu", "auto", ("Vulkan",), None),  # the CPU chosen: doctor says why, the fallback said it once
    ("cpu", 20, ("Vulkan",), "gpu.cpu_chosen"),  # GPU layers asked for, the CPU chosen
    ("auto", 20, (), "gpu.build_cannot_offload"),
])
def test_why_the_model_runs_on_the_cpu(monkeypatch, backend, requested, kinds, expected):
    from writer.engine.placement import Choice
    from writer.engine.worker import _no_gpu_reason

    monkeypatch.setenv("WRITER_BACKEND", backend)
    started = backends.Started(Choice("cpu", "haswell"), (Choice("cpu", "haswell"),), (), kinds)
    reason = _no_gpu_reason(started, requested)
    assert (reason.code if reason else None) == expected
    if expected == "gpu.no_device":
        from writer.core.events import ModelInfo
        from writer.core.models import placement_note
        note = str(placement_note(ModelInfo("m", 1024, gpu_layers=0, gpu_fallback=reason)))
        assert note == ("Running on the CPU because no GPU answered through Vulkan (a graphics driver with Vulkan "
                        "support lets Writer use one)."), note
