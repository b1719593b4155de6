"""The fake engine (fakes.FakeEngine, the only one) as the tests that ask questions know it:
there `requests` holds each request's whole messages."""

from tests.helpers.fakes import FakeEngine


class ScriptedEngine(FakeEngine):
    def _asked(self, messages, params):
        answer = super()._asked(messages, params)
        self.requests[-1] = messages
        return answer
