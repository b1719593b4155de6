"""The interface language. Texts are written in English in the code and wrapped in `tr`; other
languages come from `resources/translations/<locale>.json` (English text -> translation), and
Qt's own texts (standard buttons, text-field menus) from Qt's bundled translations."""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from writer.core.messages import Message
from writer.core.paths import resource

LANGUAGES = {"en": "English", "zh_CN": "简体中文", "zh_TW": "繁體中文"}  # locale -> its own name; "system" follows the computer

_catalog: dict[str, str] = {}
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
    template = _catalog.get(text, text)
    return template.format(**values) if values else template


def tr_message(message: Message) -> str:
    """A message from the core or the engine in the interface language: its template is looked
    up in the catalog and its values are inserted untouched; a value that is itself a message
    (a reason inside a message) is translated too. A template the catalog lacks stays English."""
    template = _catalog.get(message.template) or message.english_template()
    return message.format(template, tr_message)
