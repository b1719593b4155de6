"""Target languages for translation, looked up by code, English name, native name or alias."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from writer.core.errors import UserError
from writer.core.paths import resource


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    native: str
    aliases: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def all_languages() -> tuple[Language, ...]:
    data = json.loads(resource("languages.json").read_text(encoding="utf-8"))
    return tuple(
        Language(item["code"], item["name"], item["native"], tuple(item.get("aliases", ())))
        for item in data
    )


def _key(text: str) -> str:
    return text.strip().casefold().replace("_", "-")


def find_language(text: str) -> Language:
    wanted = _key(text)
    for lang in all_languages():
        names = (lang.code, lang.name, lang.native, *lang.aliases)
        if wanted in {_key(n) for n in names}:
            return lang
    known = ", ".join(lang.code for lang in all_languages())
    raise UserError("language.unknown", "Unknown language '{language}'; use a name or one of these codes: {known}.", language=text.strip(),
                    known=known)
