"""Sentences for the user, kept as data until the edge that shows them.

A message is a stable code, an English template with {placeholders}, and the values for them.
The core and the engine create messages; the worker protocol carries them as data; the command
line formats them in English (`str(message)`); the editor looks the template up in its catalog
and inserts the values untouched (writer.gui.i18n.tr_message). A value is translated only when
it is itself a message. A template that counts something may have a plural form: English uses
it when `count` is not 1, other languages give their own forms in the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

Value = Union[str, int, float, "Message"]


@dataclass(frozen=True)
class Message:
    code: str
    template: str
    values: dict[str, Value] = field(default_factory=dict)
    plural: str | None = None  # English form when values["count"] != 1

    def english_template(self) -> str:
        if self.plural is not None and self.values.get("count") != 1:
            return self.plural
        return self.template

    def format(self, template: str, render) -> str:
        """`template` filled with the values; nested messages go through `render`."""
        values = {k: render(v) if isinstance(v, Message) else v for k, v in self.values.items()}
        return template.format(**values) if values else template

    def __str__(self) -> str:
        return self.format(self.english_template(), str)

    # -- the wire (worker protocol, JSON) --------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "template": self.template,
                                "values": {k: v.to_data() if isinstance(v, Message) else v for k, v in self.values.items()}}
        if self.plural is not None:
            data["plural"] = self.plural
        return data

    @classmethod
    def from_data(cls, data: Any) -> "Message":
        """Rebuilds a message sent by another process; anything malformed becomes a plain message."""
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            return cls("malformed", "{text}", {"text": str(data)})
        values = {}
        for key, value in (data.get("values") or {}).items():
            values[str(key)] = cls.from_data(value) if isinstance(value, dict) else value
        plural = data.get("plural")
        return cls(str(data.get("code") or "message"), data["template"], values,
                   plural if isinstance(plural, str) else None)


def msg(code: str, template: str, plural: str | None = None, **values: Value) -> Message:
    return Message(code, template, values, plural)


def plain(text: str, code: str = "plain") -> Message:
    """Text Writer did not write (a library's own error) wrapped so it travels as a message."""
    return Message(code, "{text}", {"text": text})
