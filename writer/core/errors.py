"""Errors a user can act on. Each carries a Message (writer.core.messages); str(error) is the
English sentence, and the editor shows error.message in the interface language."""

from __future__ import annotations

from writer.core.messages import Message, Value, msg


class WriterError(Exception):
    """The root of Writer's errors: something went wrong and `message` says what to do."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message

    @property
    def code(self) -> str:
        return self.message.code


class UserError(WriterError):
    """Something the user can fix (a missing file, a bad option, a model that does not fit)."""

    def __init__(self, code: str, template: str, /, plural: str | None = None, **values: Value) -> None:
        super().__init__(msg(code, template, plural, **values))


def unexpected(exc: Exception) -> Message:
    """An exception no code expected (a bug), as the one sentence every catch-all shows."""
    return msg("unexpected", "Unexpected error: {error}", error=f"{type(exc).__name__}: {exc}")


class EngineError(WriterError):
    """The engine could not do what was asked (it crashed, hung, or refused the request)."""
