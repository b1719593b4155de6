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
from writer.core.errors import UserError
from writer.core.messages import Message, msg, plain
from writer.gui import i18n

PACKAGE = Path(i18n.__file__).parents[1]
# Where each kind of call takes its template (argument index): tr() in the editor; messages and
# errors of the core and the engine, which carry a code first and reach the editor as data.
TEMPLATE_CALLS = {"gui": {"tr": 0, "msg": 1, "UserError": 1}, "core": {"msg": 1, "UserError": 1, "UndecodableText": 1},
                  "engine": {"msg": 1, "UserError": 1}}


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
    from tests.helpers.fakes import fake_engines
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    assert chinese == "zh_CN"
    window = MainWindow(Settings(), EngineBridge(fake_engines()))
    qtbot.addWidget(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus[0] == "文件(&F)" and window.panels["rewrite"].run_button.text() == "改写"
    languages = window.panels["translate"].choice
    assert [languages.itemText(i) for i in (1, 5)] == ["简体中文", "Español（西班牙语）"]
    assert languages.currentData() == "zh-CN"  # someone who reads Chinese translates into Chinese first
    window.editor.setPlainText("我今天去了商店。")
    window.counts.count()
    qtbot.waitUntil(lambda: "字" in window.counts.text())
    assert window.windowTitle().startswith("未命名")


def test_english_is_the_code_itself():
    i18n.install("en")
    assert i18n.tr("Saved {name}", name="a.md") == "Saved a.md"


@pytest.fixture(params=["zh_CN", "zh_TW"])
def each_chinese(request):
    yield request.param
    i18n.install("en")


def translated_error(call) -> str:
    with pytest.raises(UserError) as error:
        call()
    return i18n.tr_message(error.value.message)


def test_values_in_messages_are_shown_exactly_as_given(each_chinese, tmp_path):
    from writer.core.documents import load
    from writer.core.recovery import RecoveryCopy

    i18n.install(each_chinese)
    for name in ("About us.md", "Saved drafts.md", "English"):  # file names that look like catalog words
        assert i18n.tr_message(RecoveryCopy("1", f"/docs/{name}", "", 0.0, 1).title) == name
        assert i18n.tr_message(msg("test", "{name}", name=name)) == name
    folder = tmp_path / "Archive (2023)"
    folder.mkdir()
    shown = translated_error(lambda: load(folder))
    assert str(folder) in shown and shown != str(folder) and "（" not in shown
    missing = tmp_path / "Talk: notes.md"
    shown = translated_error(lambda: load(missing))
    assert str(missing) in shown and shown != f"{missing} does not exist."
    untitled = i18n.tr_message(RecoveryCopy("2", None, "", 0.0, 1).title)
    assert untitled == {"zh_CN": "未命名文档", "zh_TW": "未命名文件"}[each_chinese]


def test_a_reason_inside_a_message_is_translated_and_the_command_line_stays_english(chinese):
    from writer.core.events import ModelInfo
    from writer.core.models import placement_note

    reason = msg("gpu.build_cannot_offload", "this llama.cpp build cannot offload to a GPU")
    note = placement_note(ModelInfo("m", 2048, gpu_layers=0, gpu_fallback=reason))
    assert i18n.tr_message(note) == "正在 CPU 上运行，因为这个 llama.cpp 版本不能卸载到 GPU。"
    assert str(note) == "Running on the CPU because this llama.cpp build cannot offload to a GPU."
    assert i18n.tr_message(plain("Something llama.cpp said.")) == "Something llama.cpp said."


def test_a_message_survives_the_worker_protocol(chinese):
    message = msg("gpu.load_failed", "loading with {layers} GPU layers failed ({reason})", layers=20,
                  reason=msg("model.no_memory", "Not enough memory to create the model's context; lower the context "
                             "size or the GPU layers."))
    again = Message.from_data(json.loads(json.dumps(message.to_data())))
    assert again == message and i18n.tr_message(again) == i18n.tr_message(message)
    assert "20" in i18n.tr_message(again) and "内存" in i18n.tr_message(again)


def test_plurals(chinese):
    one = msg("t", "{count} word", plural="{count} words", count=1)
    many = msg("t", "{count} word", plural="{count} words", count=3)
    assert (str(one), str(many)) == ("1 word", "3 words")


def test_an_error_in_the_editor_reads_in_the_interface_language(qtbot, chinese):
    from tests.helpers.fakes import fake_engines
    from writer.core.settings import Settings
    from writer.gui.engine_bridge import EngineBridge
    from writer.gui.main_window import MainWindow

    window = MainWindow(Settings(), EngineBridge(fake_engines()))
    qtbot.addWidget(window)
    window.run_action("summarize")  # an empty document
    assert window.panels["summarize"].status.text() == "没有可摘要的文字：请先选中一些文字。"
