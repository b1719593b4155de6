"""The interface language. Texts are written in English in the code and wrapped in `tr`; other
languages come from `resources/translations/<locale>.json` (English text -> translation), and
Qt's own texts (standard buttons, text-field menus) from Qt's bundled translations."""

from __future__ import annotations

import json
import re
import string

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from writer.core.paths import resource
from writer.core.wording import sentence

LANGUAGES = {"en": "English", "zh_CN": "简体中文", "zh_TW": "繁體中文"}  # locale -> its own name; "system" follows the computer

_catalog: dict[str, str] = {}
_patterns: list[tuple[str, re.Pattern]] = []  # templates with placeholders, most specific first
_current = "en"
_qt_translator: QTranslator | None = None


def choose(setting: str, system_locale: str) -> str:
    """The catalog to use: the setting when it names one, else the system's locale if Writer has it."""
    if setting in LANGUAGES:
        return setting
    if system_locale in LANGUAGES:
        return system_locale
    if system_locale.startswith("zh"):  # Hong Kong and Macau read Traditional characters, Singapore Simplified
        return "zh_TW" if system_locale in ("zh_HK", "zh_MO") else "zh_CN"
    return "en"


def install(setting: str, system_locale: str | None = None) -> str:
    """Loads the interface language; call before any window is built. Returns the locale used."""
    global _qt_translator, _current
    name = _current = choose(setting, system_locale or QLocale.system().name())
    _catalog.clear()
    if name != "en":
        _catalog.update(json.loads(resource("translations", f"{name}.json").read_text(encoding="utf-8")))
    # Only templates with some fixed text can be recognised (and a value is always shorter than its message).
    _patterns[:] = sorted(((t, _pattern(t)) for t in _catalog if "{" in t and _literal(t).strip()),
                          key=lambda p: -len(_literal(p[0])))
    app = QCoreApplication.instance()
    if _qt_translator is not None and app is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if name != "en" and app is not None:
        translator = QTranslator(app)
        if translator.load(QLocale(name), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(translator)
            _qt_translator = translator
    return name


def current() -> str:
    """The interface language in use, e.g. "zh_CN"."""
    return _current


def tr(text: str, **values) -> str:
    """`text` in the interface language, with `{name}` placeholders filled from `values`."""
    return sentence(_catalog.get(text, text), **values)


def tr_message(text: str) -> str:
    """A finished sentence from the core or the engine (see writer.core.wording) in the interface
    language: matched against the catalog's templates; values that are sentences themselves (a
    reason inside a message) are translated too. Unknown text is returned as it is."""
    if not _catalog or text in _catalog:
        return _catalog.get(text, text)
    for template, pattern in _patterns:
        match = pattern.fullmatch(text)
        if match:
            values = {k: tr_message(v) for k, v in match.groupdict().items()}
            return _catalog[template].format(**values)
    return text


def _literal(template: str) -> str:
    return "".join(literal for literal, _, _, _ in string.Formatter().parse(template))


def _pattern(template: str) -> re.Pattern:
    parts, seen = [], set()
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
    return re.compile("".join(parts), re.DOTALL)
