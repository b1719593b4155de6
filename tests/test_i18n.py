"""The interface language: every wrapped text has a translation with the same placeholders."""

import ast
import json
import string
from pathlib import Path

import pytest

from writer.core.actions import prompt_data
from writer.core.languages import all_languages
from writer.core.library import catalog
from writer.core.paths import resource
from writer.gui import i18n

GUI = Path(i18n.__file__).parent


def wrapped_texts() -> set[str]:
    """Literal texts passed to tr() in the GUI code, plus the labels that come from data files."""
    texts = set()
    for path in GUI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                texts.add(node.args[0].value)
    for action in ("generate", "summarize", "translate", "rewrite"):
        data = prompt_data(action)
        texts.add(data["label"])
        texts.update(v["label"] for v in data.get("lengths", {}).values())
        texts.update(v["label"] for v in data.get("styles", {}).values())
    texts.update(model["translation"] for model in catalog())
    texts.update(lang.name for lang in all_languages())
    return texts


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture
def chinese():
    yield i18n.install("zh_CN")
    i18n.install("en")


@pytest.mark.parametrize("locale", [name for name in i18n.LANGUAGES if name != "en"])
def test_every_text_is_translated_with_the_same_placeholders(locale):
    table = json.loads(resource("translations", f"{locale}.json").read_text(encoding="utf-8"))
    texts = wrapped_texts()
    assert sorted(texts - table.keys()) == [], "texts without a translation"
    assert sorted(table.keys() - texts) == [], "translations nobody uses any more"
    for text in texts:
        assert table[text].strip(), text
        assert placeholders(table[text]) == placeholders(text), text
        assert ("&" in table[text]) == ("&" in text), f"menu accelerator lost or added: {text}"


@pytest.mark.parametrize("setting,system,expected", [
    ("system", "zh_CN", "zh_CN"), ("system", "zh_SG", "zh_CN"), ("system", "zh_TW", "zh_TW"), ("system", "zh_HK", "zh_TW"),
    ("system", "de_DE", "en"), ("en", "zh_CN", "en"), ("zh_CN", "en_US", "zh_CN"), ("xx", "fr_FR", "en"),
])
def test_language_follows_the_setting_then_the_system(setting, system, expected):
    assert i18n.choose(setting, system) == expected


def test_the_window_speaks_chinese_when_asked(qtbot, chinese):
    from fakes import FakeClient
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    assert chinese == "zh_CN"
    window = MainWindow(Settings(), EngineBridge(client_factory=FakeClient))
    qtbot.addWidget(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[0] == "文件(&F)" and window.panels["rewrite"].run_button.text() == "改写"
    languages = window.panels["translate"].choice
    assert [languages.itemText(i) for i in (1, 5)] == ["简体中文", "Español（西班牙语）"]
    assert languages.currentData() == "zh-CN"  # someone who reads Chinese translates into Chinese first
    window.editor.setPlainText("我今天去了商店。")
    window._update_counts()
    qtbot.waitUntil(lambda: "字" in window.counts_label.text())
    assert window.windowTitle().startswith("未命名")


def test_english_is_the_code_itself():
    i18n.install("en")
    assert i18n.tr("Saved {name}", name="a.md") == "Saved a.md"
