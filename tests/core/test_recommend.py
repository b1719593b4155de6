"""Which model to download: the same core answer for the first-run assistant and `writer models recommend`."""

import json
import os
import subprocess
import sys

import pytest

from writer import cli
from writer.core import fit, recommend as rec
from writer.core.fit import Machine
from writer.core.library import catalog

GiB = 1024**3
LAPTOP_4GB, LAPTOP_16GB = Machine(4 * GiB), Machine(16 * GiB)
GAMING_PC = Machine(32 * GiB, "NVIDIA GeForce RTX 4070", 11 * GiB)
SMALL_GPU = Machine(8 * GiB, "NVIDIA GeForce GT 1030", int(1.5 * GiB))


def test_small_memory_gets_a_small_model_that_still_translates():
    choice = rec.recommend(LAPTOP_4GB, ["en_US"])
    assert choice.id == "qwen2.5-1.5b" and choice.reason.code == "recommend.cpu"
    assert str(choice.reason) == ("Qwen2.5 1.5B Instruct is the most capable catalog model that runs well on the processor "
                                  "of a computer with 4 GB of memory; it needs about 1.3 GB.")
    for entry in (choice.model, *choice.alternatives):
        assert fit.estimate(entry["size_bytes"], machine=LAPTOP_4GB).needed_bytes <= 2 * GiB


def test_big_memory_without_gpu_stays_within_what_a_processor_runs_well():
    choice = rec.recommend(LAPTOP_16GB, ["en_US"])
    assert choice.id == "gemma-3-4b" and "16 GB of memory" in str(choice.reason)
    assert all(e["size_bytes"] <= rec.CPU_MAX_BYTES for e in (choice.model, *choice.alternatives))
    assert "qwen2.5-7b" not in [e["id"] for e in choice.alternatives]  # fits in memory, but too slow on a CPU


def test_a_gpu_gets_the_strongest_model_it_holds():
    choice = rec.recommend(GAMING_PC, ["en_GB"])
    assert choice.id == "qwen2.5-7b" and choice.reason.code == "recommend.gpu"
    assert str(choice.reason) == ("Qwen2.5 7B Instruct is the most capable catalog model that fits entirely on the NVIDIA "
                                  "GeForce RTX 4070 (11 GB free); it needs about 5.6 GB.")
    assert len(choice.alternatives) == 3 and choice.model not in choice.alternatives


def test_a_gpu_too_small_for_a_good_model_does_not_win_over_the_processor():
    choice = rec.recommend(SMALL_GPU, ["en_US"])
    assert choice.id == "gemma-3-4b" and choice.reason.code == "recommend.cpu"


@pytest.mark.parametrize("machine", [LAPTOP_4GB, LAPTOP_16GB, GAMING_PC, SMALL_GPU])
def test_chinese_readers_get_only_models_good_at_chinese(machine):
    english, chinese = rec.recommend(machine, ["en_US"]), rec.recommend(machine, ["zh_CN"])
    assert all(e["chinese"] for e in (chinese.model, *chinese.alternatives))
    assert chinese.reason.code.endswith("_chinese") and "good at Chinese" in str(chinese.reason)
    assert not english.reason.code.endswith("_chinese")


def test_chinese_decides_even_as_a_second_language():
    def ids(choice):
        return [e["id"] for e in (choice.model, *choice.alternatives)]
    assert "llama-3.2-3b" in ids(rec.recommend(LAPTOP_16GB, ["en_US"]))
    assert "llama-3.2-3b" not in ids(rec.recommend(LAPTOP_16GB, ["en", "zh_TW"]))


def test_too_little_memory_keeps_the_built_in_model():
    choice = rec.recommend(Machine(1 * GiB), ["en_US"])
    assert choice.model is None and choice.alternatives == () and choice.reason.code == "recommend.none"
    assert "1 GB of memory" in str(choice.reason)


def test_languages_come_from_the_setting_and_the_system_locale(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert rec.user_languages("system") == ["zh_CN"]
    assert rec.user_languages("en") == ["en", "zh_CN"]
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr(rec.locale, "getlocale", lambda: ("de_DE", "UTF-8"))
    assert rec.user_languages("zh_TW") == ["zh_TW", "de_DE"] and rec.reads_chinese(["zh_TW", "de_DE"])
    assert rec.user_languages("system", system="zh_HK") == ["zh_HK"]  # the editor passes Qt's locale


def test_cli_prints_id_then_reason_then_alternatives(monkeypatch, capsys):
    monkeypatch.setattr(fit, "detect_machine", lambda: LAPTOP_16GB)
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert cli.main(["models", "recommend"]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = rec.recommend(LAPTOP_16GB, ["zh_CN"])
    assert lines[0] == expected.id and lines[1] == str(expected.reason)
    assert lines[2] == "Alternatives: " + ", ".join(f"{e['id']} ({e['size_bytes'] / 1e9:.1f} GB)"
                                                    for e in expected.alternatives)
    assert cli.main(["models", "recommend", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == expected.id and data["reason_code"] == "recommend.cpu_chinese"
    assert [a["id"] for a in data["alternatives"]] == [e["id"] for e in expected.alternatives]
    assert data["machine"]["ram_bytes"] == 16 * GiB and data["languages"] == ["zh_CN"]


def test_cli_on_this_machine():
    env = {**os.environ, "LC_ALL": "en_US.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "writer", "models", "recommend", "--json"], capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["id"] in {e["id"] for e in catalog()} | {"default"} and data["reason"].endswith(".")
    plain = subprocess.run([sys.executable, "-m", "writer", "models", "recommend"], capture_output=True, text=True,
                           timeout=60, env=env)
    assert plain.stdout.splitlines()[:2] == [data["id"], data["reason"]]
