"""The interface language: every wrapped text has a translation with the same placeholders."""

import ast
import json
import string
from pathlib import Path

import pytest

from writer.core.actions import NOTHING_TO_DO, prompt_data
from writer.core.downloads import UNREACHABLE
from writer.core.languages import all_languages
from writer.core.library import catalog
from writer.core.paths import resource
from writer.gui import i18n

PACKAGE = Path(i18n.__file__).parents[1]
# Where each kind of call takes its template (argument index): tr() in the editor; messages and
# errors of the core and the engine, which carry a code first and reach the editor as data.
TEMPLATE_CALLS = {"gui": {"tr": 0, "msg": 1}, "core": {"sentence": 0, "msg": 1, "UserError": 1, "UndecodableText": 1},
                  "engine": {"sentence": 0, "msg": 1}}


def wrapped_texts() -> set[str]:
    """Literal templates of the calls above, plus the labels and messages that come from data."""
    texts = set()
    for folder, calls in TEMPLATE_CALLS.items():
        for path in (PACKAGE / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                    index = calls[node.func.id]
                    if len(node.args) > index and isinstance(node.args[index], ast.Constant):
                        texts.add(node.args[index].value)
    texts.add(UNREACHABLE)
    texts.update(NOTHING_TO_DO.values())
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


def test_messages_from_the_core_and_the_engine_are_translated_whole(chinese):
    from writer.core.documents import load
    from writer.core.errors import UserError
    from writer.core.models import placement_note

    with pytest.raises(UserError) as missing:
        load("/no/such/笔记.md")
    assert i18n.tr_message(str(missing.value)) == "/no/such/笔记.md 不存在。"
    # The most specific template wins, and a reason that is itself a sentence is translated too.
    assert i18n.tr_message("The model file /m/x.gguf does not exist.") == "模型文件 /m/x.gguf 不存在。"
    note = placement_note({"gpu_layers": 0, "gpu_fallback": "this llama.cpp build cannot offload to a GPU"})
    assert i18n.tr_message(note) == "正在 CPU 上运行，因为这个 llama.cpp 版本不能卸载到 GPU。"
    assert i18n.tr_message("Something llama.cpp said.") == "Something llama.cpp said."


def test_an_error_in_the_editor_reads_in_the_interface_language(qtbot, chinese):
    from fakes import FakeClient
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    window = MainWindow(Settings(), EngineBridge(client_factory=FakeClient))
    qtbot.addWidget(window)
    window.run_action("summarize")  # an empty document
    assert window.panels["summarize"].status.text() == "没有可摘要的文字：请先选中一些文字。"
