"""The choice of backend, pure: what comes after a crash, what counts as a crash, the record."""

import json
import signal

import pytest

from writer.engine import backends, placement
from writer.engine.placement import Choice
from writer.core.messages import msg

CHAIN = [Choice("gpu", "zen4"), Choice("cpu", "zen4"), Choice("cpu", "haswell"), Choice("cpu", "x64")]


@pytest.mark.parametrize("failed,expected", [
    (Choice("gpu", "zen4"), Choice("cpu", "zen4")),  # the GPU, then the CPU with the same code
    (Choice("cpu", "zen4"), Choice("cpu", "haswell")),  # then the next lower CPU variant
    (Choice("cpu", "x64"), None),  # nothing below x64
    (Choice("auto", "auto"), Choice("cpu", "auto")),  # crashed before it could list its choices
    (Choice("cpu", "auto"), None),
])
def test_each_crash_steps_to_the_next_safer_choice(failed, expected):
    assert placement.next_choice(CHAIN, failed) == expected


@pytest.mark.parametrize("code,crash", [
    (-signal.SIGSEGV, True), (-signal.SIGILL, True), (-signal.SIGBUS, True), (-signal.SIGABRT, True),
    (-signal.SIGKILL, False), (-signal.SIGTERM, False), (0, False), (1, False), (3, False), (None, False),
])
def test_what_counts_as_a_native_crash(code, crash):
    assert placement.is_native_crash(code) is crash


@pytest.mark.parametrize("code,crash", [
    (0xC0000005, True), (-1073741819, True),  # an access violation, unsigned and signed
    (0xC000001D, True), (3, True), (1, False), (0, False),  # illegal instruction; abort()
])
def test_what_counts_as_a_native_crash_on_windows(code, crash, monkeypatch):
    monkeypatch.setattr(placement.os, "name", "nt")
    assert placement.is_native_crash(code) is crash


def test_the_record_is_kept_for_this_machine_and_build_only(writer_home):
    record = placement.Record(Choice("cpu", "haswell"), msg("x", "why"), (Choice("cpu", "zen4"),))
    placement.save_record(record)
    assert placement.load_record() == record
    data = json.loads(placement.record_path().read_text())
    for key in ("build", "machine"):
        other = dict(data, **{key: "another"})
        placement.record_path().write_text(json.dumps(other))
        assert placement.load_record() is None, key


@pytest.mark.parametrize("content", ["", "{", "[]", '{"choice": ["warp", "x"]}', "\x00\xff"])
def test_a_corrupt_record_is_ignored_and_then_replaced(writer_home, content):
    placement.record_path().parent.mkdir(parents=True, exist_ok=True)
    placement.record_path().write_text(content, encoding="latin-1")
    assert placement.load_record() is None
    placement.save_record(placement.Record(Choice("cpu", "x64"), msg("x", "why")))
    assert placement.load_record().choice == Choice("cpu", "x64")


def test_the_choice_travels_to_the_worker_in_its_environment():
    choice = Choice("cpu", "haswell")
    assert Choice.from_env(choice.env()) == choice
    assert Choice.from_env({}) == Choice() and not Choice().forced and choice.forced


@pytest.mark.parametrize("on_gpu,info,expected", [
    (False, "", ("q8_0", "f16")),  # the CPU: identity for drafts and pieces, fast values
    (True, "CUDA : ARCHS = 900 | FA_QUANTS = q4_0-q4_0;q8_0-q8_0;f16-f16;bf16-bf16 | ", ("f16", "f16")),
    (True, "CUDA : FA_QUANTS = q4_0-q4_0;q8_0-q8_0 | ", ("q8_0", "q8_0")),  # a build without f16-f16
    (True, "Vulkan : ", ("f16", "f16")),  # no list: f16 has kernels everywhere
])
def test_the_cache_has_types_the_backend_has_kernels_for(on_gpu, info, expected):
    names = {backends.GGML_TYPE_F16: "f16", backends.GGML_TYPE_Q8_0: "q8_0"}
    assert tuple(names[t] for t in backends.cache_types(on_gpu, info)) == expected


def test_the_amx_variant_is_never_chosen(tmp_path):
    assert "sapphirerapids" in backends.UNSAFE_VARIANTS
    folder = backends.variant_folder()
    if folder is not None:  # a portable build: the variants this CPU runs, best first, none unsafe
        names = [name for name, _ in backends.cpu_variants(folder)]
        assert names and names[-1] in ("x64", "sse42") and not set(names) & backends.UNSAFE_VARIANTS
