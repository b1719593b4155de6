"""A fast stand-in for the engine, for GUI unit tests. test_engine_contract.py runs the same
assertions against it and the real worker, so it cannot drift from what the engine does."""

import re
import threading
import time

from writer.core.errors import EngineError
from writer.core.events import Delta, EngineInfo, Finished, ModelInfo
from writer.core.messages import msg
from writer.core.models import resolve_model


class FakeEngine:
    def __init__(self, context=4096, delay=0.0, load_delay=0.0, parallel=1, fail_after=None):
        self.context = context
        self.delay = delay
        self.load_delay = load_delay
        self.parallel = parallel  # pieces written at once, as the local engine reports it
        self.fail_after = fail_after  # words written by generate_pieces before the engine fails
        self.requests = []
        self.params = []  # the sampling parameters of each request
        self.prefills, self.cancelled_prefills = [], []

    def load(self):
        time.sleep(self.load_delay)
        model = ModelInfo(name="fake", context=self.context, path="/models/fake.gguf", parameters=1_000_000,
                          quantization="Q4_1", layers=4, size_bytes=1000, parallel=self.parallel)
        return EngineInfo("fake", False, "", None, model)

    def info(self):
        return self.load()

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def generate(self, messages, max_tokens=100, **params):
        content = messages[-1]["content"]
        self.requests.append(content)
        self.params.append(params)
        return FakeGeneration(_answer(content), self.delay, max_tokens)

    def generate_pieces(self, pieces, **params):
        for messages, _ in pieces:
            self.requests.append(messages[-1]["content"])
            self.params.append(params)
        answers = [(_answer(messages[-1]["content"]), max_tokens) for messages, max_tokens in pieces]
        return FakePieces(answers, self.delay, self.fail_after)

    def prefill(self, messages):
        self.prefills.append(messages[-1]["content"])
        number = len(self.prefills)
        generation = FakeGeneration("", 0.0, 0)
        generation.cancel = lambda: self.cancelled_prefills.append(number)
        return generation

    def close(self):
        pass


def _answer(content):
    match = re.search(r'"""\n(.*)\n"""', content, re.S)
    return ("Echo: " + match.group(1)) if match else "Generated text."


def fake_engines(**options):
    """An engine factory for EngineSession/EngineBridge that makes one FakeEngine and keeps it;
    like the real one, it refuses a model file that is not there."""
    def factory(current, settings, on_death):
        resolve_model(settings.model_path)
        return current or FakeEngine(context=settings.n_ctx, **options)
    return factory


class FakeGeneration:
    def __init__(self, answer, delay, max_tokens):
        self.answer, self.delay, self.max_tokens = answer, delay, max_tokens
        self.cancelled = threading.Event()

    def __iter__(self):
        words = self.answer.split(" ") if self.answer else []
        for i, word in enumerate(words[: self.max_tokens]):
            if self.cancelled.is_set():
                yield Finished("cancelled", i, 50.0)
                return
            time.sleep(self.delay)
            yield Delta(word + (" " if i < len(words) - 1 else ""))
        yield Finished("length" if len(words) > self.max_tokens else "stop", min(len(words), self.max_tokens), 50.0)

    def cancel(self):
        self.cancelled.set()


class FakePieces:
    """Several answers written `width` at once, a word of each in turn, so shorter ones end
    first; a piece starts when one ends, in order, as in the local engine."""

    def __init__(self, answers, delay, fail_after=None, width=4):
        self.answers, self.delay, self.fail_after, self.width = answers, delay, fail_after, width
        self.cancelled = threading.Event()

    def __iter__(self):
        words = [(answer.split(" ")[:limit], limit, len(answer.split(" "))) for answer, limit in self.answers]
        written = [0] * len(words)
        waiting, active = list(range(len(words))), []
        count = 0
        while waiting or active:
            while waiting and len(active) < self.width:
                active.append(waiting.pop(0))
            for piece in list(active):
                these, limit, total = words[piece]
                if self.cancelled.is_set() or written[piece] == len(these):
                    active.remove(piece)
                    finish = "cancelled" if self.cancelled.is_set() else "length" if total > limit else "stop"
                    yield Finished(finish, written[piece], 50.0, piece=piece)
                    continue
                if self.fail_after is not None and count >= self.fail_after:
                    raise EngineError(msg("engine.writing_failed", "The model failed while writing: {reason}",
                                          reason="a fault made for the test"))
                time.sleep(self.delay)
                written[piece] += 1
                count += 1
                yield Delta(these[written[piece] - 1] + (" " if written[piece] < total else ""), piece)
            if self.cancelled.is_set():
                active.extend(waiting)  # every piece ends, those not started too
                waiting.clear()

    def cancel(self):
        self.cancelled.set()


def shown_window(qtbot, settings=None):
    """The editor window with fake engines, shown (offscreen), closed with the test."""
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    window = MainWindow(settings or Settings(), EngineBridge(fake_engines()))
    qtbot.addWidget(window)
    window.show()
    return window
