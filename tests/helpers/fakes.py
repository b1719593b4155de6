"""The one fake engine, for every test that needs an engine but not the model: it answers with
a script, counts tokens by one rule, and keeps the engine contract (test_engine_contract.py runs
the same assertions against it, the local worker and a real server)."""

import re
import threading
import time

from writer.core.errors import EngineError
from writer.core.events import Delta, EngineInfo, Finished, ModelInfo
from writer.core.messages import msg
from writer.core.models import resolve_model

_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def echo(messages):
    """The default answer: the quoted text of the last message, marked, else a stock line."""
    match = re.search(r'"""\n(.*)\n"""', messages[-1]["content"], re.S)
    return ("Echo: " + match.group(1)) if match else "Generated text."


class FakeEngine:
    """The one fake engine: `answer(messages) -> str` decides each reply, streamed a word per token."""

    kind = "fake"

    def __init__(self, answer=echo, delay=0.0, *, context=4096, load_delay=0.0, parallel=1, fail_after=None):
        self.answer = answer
        self.context = context
        self.delay = delay
        self.load_delay = load_delay
        self.parallel = parallel  # pieces written at once, as the local engine reports it
        self.fail_after = fail_after  # words written by generate_pieces before the engine fails
        self.requests = []  # the last message of each request
        self.conversations = []  # the messages of each request
        self.params = []  # the sampling parameters of each request
        self.generations = []
        self.prefills, self.cancelled_prefills = [], []

    def load(self):
        time.sleep(self.load_delay)
        model = ModelInfo(name="fake", context=self.context, path="/models/fake.gguf", parameters=1_000_000,
                          quantization="Q4_1", layers=4, size_bytes=1000, parallel=self.parallel, read_ahead=True)
        return EngineInfo("fake", False, "", None, model)

    def info(self):
        return self.load()

    def count_tokens(self, texts):
        """A word is a token, and so is each Chinese or Japanese character."""
        return [len(t.split()) + len(_CJK.findall(t)) for t in texts]

    def _asked(self, messages, params):
        self.requests.append(messages[-1]["content"])
        self.conversations.append(messages)
        self.params.append(params)
        return self.answer(messages)

    def generate(self, messages, max_tokens=None, **params):
        self.generations.append(FakeGeneration(self._asked(messages, params), self.delay, max_tokens))
        return self.generations[-1]

    def generate_pieces(self, pieces, **params):
        answers = [(self._asked(messages, params), max_tokens) for messages, max_tokens in pieces]
        return FakePieces(answers, self.delay, self.fail_after)

    def prefill(self, messages):
        self.prefills.append(messages[-1]["content"])
        return FakePrefill(self, len(self.prefills), sum(self.count_tokens([m["content"] for m in messages])))

    def close(self):
        pass


def fake_engines(**options):
    """An engine factory for EngineSession/EngineBridge that makes one FakeEngine and keeps it;
    like the real one, it refuses a model file that is not there."""
    def factory(current, settings, on_death):
        resolve_model(settings.model_path)
        return current or FakeEngine(context=settings.n_ctx, **options)
    return factory


def words(answer):
    """The tokens the fake streams: each word with the space after it."""
    return re.findall(r"\S+\s*", answer)


class FakeGeneration:
    def __init__(self, answer, delay, max_tokens=None):
        self.answer, self.delay, self.max_tokens = answer, delay, max_tokens
        self.cancelled = threading.Event()

    def __iter__(self):
        tokens = words(self.answer)
        limit = len(tokens) if self.max_tokens is None else self.max_tokens
        for i, token in enumerate(tokens[:limit]):
            if self.cancelled.is_set():
                yield Finished("cancelled", i, 50.0)
                return
            time.sleep(self.delay)
            yield Delta(token)
        yield Finished("length" if len(tokens) > limit else "stop", min(len(tokens), limit), 50.0)

    def cancel(self):
        self.cancelled.set()


class FakePrefill:
    """Reads a prompt ahead a word every millisecond, until done or cancelled."""

    def __init__(self, engine, number, tokens):
        self.engine, self.number, self.tokens = engine, number, tokens
        self.cancelled = threading.Event()

    def __iter__(self):
        cancelled = self.cancelled.wait(self.tokens / 1000)
        yield Finished("cancelled" if cancelled else "stop", prompt_tokens=self.tokens)

    def cancel(self):
        self.engine.cancelled_prefills.append(self.number)
        self.cancelled.set()


class FakePieces:
    """Several answers written `width` at once, a word of each in turn, so shorter ones end
    first; a piece starts when one ends, in order, as in the local engine."""

    def __init__(self, answers, delay, fail_after=None, width=4):
        self.answers, self.delay, self.fail_after, self.width = answers, delay, fail_after, width
        self.cancelled = threading.Event()

    def __iter__(self):
        tokens = [(words(answer)[:limit], limit, len(words(answer))) for answer, limit in self.answers]
        written = [0] * len(tokens)
        waiting, active = list(range(len(tokens))), []
        count = 0
        while waiting or active:
            while waiting and len(active) < self.width:
                active.append(waiting.pop(0))
            for piece in list(active):
                these, limit, total = tokens[piece]
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
                yield Delta(these[written[piece] - 1], piece)
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
