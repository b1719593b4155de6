"""The engine session shared by the editor and the command line, without Qt."""

import threading

import pytest

from tests.helpers.fakes import FakeEngine, fake_engines
from writer.core.actions import ActionRequest
from writer.core.errors import WriterError
from writer.core.events import Delta, Done, Failed, Waiting
from writer.core.messages import msg
from writer.core.settings import Settings
from writer.engine.session import EngineSession

REQUEST = ActionRequest("rewrite", "The boats was leaving early.", style="proofread")


def test_an_action_runs_on_the_loaded_model_and_reports_states():
    states = []
    session = EngineSession(lambda state, detail: states.append(state), fake_engines())
    loaded = session.load(Settings())
    assert loaded.model.context == 4096 and loaded.placement is None
    events = list(session.action(REQUEST, temperature=0))
    assert "".join(e.text for e in events if isinstance(e, Delta)) == "Echo: The boats was leaving early."
    assert isinstance(events[-1], Done) and events[-1].finish == "stop"
    assert states == ["loading", "ready", "busy", "ready"]


def test_an_action_started_while_loading_waits_without_polling_and_can_be_stopped():
    session = EngineSession(engine_factory=fake_engines(load_delay=0.5))
    threading.Thread(target=session.load, args=(Settings(),)).start()
    job = session.action(REQUEST)
    events = iter(job)
    assert isinstance(next(events), Waiting)
    assert isinstance(list(events)[-1], Done)
    session.load(Settings())
    waiting = EngineSession(engine_factory=fake_engines(load_delay=5))
    threading.Thread(target=waiting.load, args=(Settings(),), daemon=True).start()
    job = waiting.action(REQUEST)
    events = iter(job)
    next(events)
    threading.Timer(0.2, job.cancel).start()
    assert list(events) == [Done("", "cancelled")]


def test_a_failed_load_is_said_to_the_waiting_action():
    def broken(current, settings, on_death):
        engine = FakeEngine()
        engine.load = lambda: (_ for _ in ()).throw(WriterError(msg("model.damaged", "Could not load the model.")))
        return engine
    session = EngineSession(engine_factory=broken)
    with pytest.raises(WriterError):
        session.load(Settings())
    assert session.state == "error" and session.detail.code == "model.damaged"
    events = list(session.action(REQUEST))
    assert isinstance(events[-1], Failed) and events[-1].message.code == "model.damaged"


def test_a_dying_engine_is_restarted_with_back_off_then_given_up():
    deaths = []

    def factory(current, settings, on_death):
        deaths.append(on_death)
        return current or FakeEngine()
    session = EngineSession(engine_factory=factory, backoff=0.01)
    session.load(Settings())
    died = msg("engine.killed", "The engine stopped unexpectedly (it was killed by signal {signal}).", signal=9)
    for _ in range(3):
        deaths[-1](died)
        assert session.state == "restarting" and session.detail == died
        assert session.wait_for_model(threading.Event()) is not None  # loaded again after the back-off
    deaths[-1](died)
    assert session.state == "error" and session.detail.code == "engine.gave_up"
    assert "stopped 4 times" in str(session.detail)
