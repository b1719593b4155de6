"""Speculative (prompt-lookup) decoding: the drafting rules, and the real model in the real
worker writing the same tokens with and without drafts."""

import time

import pytest

from tests.helpers.generations import collect
from writer.core.actions import ActionRequest
from writer.core.events import Delta
from writer.engine.client import EngineClient, LocalModel
from writer.engine.speculative import FIRST_PAUSE, MAX_DRAFT, PROBE, DraftPolicy, PromptLookup

ENGLISH = ("The library opens at nine in the morning and closes at six in the evening. Visitors can borrow up to five "
           "books at a time, and each loan lasts three weeks. Children under twelve need a parent to sign their card.")
CHINESE = "图书馆每天早上九点开门，晚上六点关门。每位读者一次最多可以借五本书，每次借期为三周。十二岁以下的儿童需要家长签字。"


def proofread(text):
    return ActionRequest("rewrite", text, style="proofread").validated().messages()


# -- drafting rules (no model) ---------------------------------------------------------------
def test_lookup_drafts_what_followed_the_last_ngram():
    lookup = PromptLookup([1, 2, 3, 4, 5, 6, 7])
    lookup.extend([9, 3, 4])
    assert lookup.draft(3) == [5, 6, 7]
    assert lookup.draft(10) == [5, 6, 7, 9, 3, 4]  # runs on into the output, never past the end


def test_lookup_continues_from_the_place_it_copied_last():
    # "3 4" occurs twice; once the copy has passed the first, the second is the one that continues.
    lookup = PromptLookup([3, 4, 10, 11, 3, 4, 20, 21])
    lookup.extend([3, 4])
    assert lookup.draft(2) == [10, 11]
    lookup.accepted(2)
    lookup.extend([10, 11, 3, 4])
    assert lookup.draft(2) == [20, 21]


def test_lookup_without_a_match_drafts_nothing():
    lookup = PromptLookup([1, 2, 3, 4])
    lookup.extend([8, 9])
    assert lookup.draft(5) == []


def test_policy_drafts_fully_when_drafts_are_accepted_and_pauses_when_they_are_not():
    policy = DraftPolicy()
    policy.record(0, 0, 0.010)  # a plain step
    for _ in range(10):
        policy.record(MAX_DRAFT, MAX_DRAFT, 0.012)  # full drafts, all kept, for little more than a plain step
    assert policy.length(MAX_DRAFT) == MAX_DRAFT
    for _ in range(20):
        k = policy.length(MAX_DRAFT)
        if k == 0:
            break
        policy.record(k, 0, 0.012)
    assert k == 0  # drafting stopped paying and paused
    assert [policy.length(MAX_DRAFT) for _ in range(FIRST_PAUSE)] == [0] * (FIRST_PAUSE - 1) + [PROBE]  # a trial
    policy.record(PROBE, 0, 0.012)
    pause = 0
    while policy.length(MAX_DRAFT) == 0:
        pause += 1
    assert pause == 2 * FIRST_PAUSE  # a failed trial doubles the pause


def test_policy_respects_the_room_left():
    policy = DraftPolicy()
    assert policy.length(1) <= 1 and policy.length(0) == 0


# -- the real model in the real worker --------------------------------------------------------
@pytest.mark.parametrize("text", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_greedy_output_is_identical_with_and_without_drafts(engine, text):
    messages = proofread(text)
    collect(engine.generate(messages, max_tokens=1, temperature=0))  # both runs start from the same cache
    plain, p = collect(engine.generate(messages, max_tokens=120, temperature=0, speculative=False))
    drafted, s = collect(engine.generate(messages, max_tokens=120, temperature=0, speculative=True))
    assert drafted == plain and s.completion_tokens == p.completion_tokens
    assert p.drafted == 0
    assert s.drafted > 0 and s.accepted > 0  # the drafts were really verified, and some kept
    assert "\ufffd" not in drafted  # multi-byte characters split across tokens arrive whole


def test_greedy_identity_holds_once_the_cache_is_long(engine):
    """Past 512 cached tokens llama.cpp would split a lone token's attention across threads with an
    f16 cache; the worker's q8_0 keys keep every token's attention computed the same way."""
    messages = proofread(" ".join([ENGLISH] * 7))
    collect(engine.generate(messages, max_tokens=1, temperature=0))
    plain, p = collect(engine.generate(messages, max_tokens=250, temperature=0, ignore_eos=True, speculative=False))
    drafted, s = collect(engine.generate(messages, max_tokens=250, temperature=0, ignore_eos=True, speculative=True))
    assert p.prompt_tokens + p.completion_tokens > 600
    assert drafted == plain and s.accepted > 0


def test_sampled_output_is_unchanged_by_drafts(engine):
    """Every emitted token is sampled once from the same logits, so even a seeded sample matches."""
    messages = proofread(ENGLISH)
    accepted = 0
    for seed in range(1, 6):  # sampled text strays from the input: some seeds give the drafts a chance
        collect(engine.generate(messages, max_tokens=1, temperature=0))  # both runs start from the same cache
        runs = [collect(engine.generate(messages, max_tokens=120, temperature=0.8, seed=seed, speculative=flag))
                for flag in (False, True)]
        assert runs[0][0] == runs[1][0]
        accepted += runs[1][1].accepted
    assert accepted > 0


def test_drafts_never_run_past_the_context(model_path):
    client = EngineClient()
    try:
        client.load(LocalModel(str(model_path), n_ctx=384))
        # A long copy task that fills the context: drafts are longest exactly where room runs out.
        messages = [{"role": "user", "content": "Repeat this text exactly:\n" + " ".join([ENGLISH] * 4)}]
        plain, p = collect(client.generate(messages, max_tokens=1000, temperature=0, ignore_eos=True,
                                           speculative=False))
        drafted, s = collect(client.generate(messages, max_tokens=1000, temperature=0, ignore_eos=True,
                                             speculative=True))
        assert p.finish == s.finish == "context"
        assert drafted == plain and s.completion_tokens == p.completion_tokens
        assert s.prompt_tokens + s.completion_tokens == 384
        assert s.drafted > 0
    finally:
        client.close()


def test_cancel_during_verification_keeps_the_engine_consistent(engine):
    messages = [{"role": "user", "content": "Repeat this text exactly:\n" + " ".join([ENGLISH] * 6)}]
    gen = engine.generate(messages, max_tokens=1500, temperature=0, ignore_eos=True, speculative=True)
    seen = 0
    for event in gen:
        if isinstance(event, Delta):
            seen += 1
            if seen == 60:  # well into the copy, where nearly every step is a verification batch
                started = time.perf_counter()
                gen.cancel()
        else:
            done = event
            break
    # The batch being verified finishes first (milliseconds; about a second on a saturated 2-core machine).
    assert done.finish == "cancelled" and time.perf_counter() - started < 2.0
    assert done.drafted > 0 and done.completion_tokens < 1500
    # The cache holds exactly what was kept: the next answers match a plain run.
    again, _ = collect(engine.generate(messages, max_tokens=60, temperature=0, speculative=True))
    plain, _ = collect(engine.generate(messages, max_tokens=60, temperature=0, speculative=False))
    assert again == plain


# -- the switch: settings, command line, engine ----------------------------------------------------
def test_the_command_line_and_settings_choose_whether_the_engine_drafts():
    from writer.cli import build_parser
    from writer.cli.options import engine_settings
    from writer.core.settings import Settings
    from writer.engine.kinds import engine_for as build

    def engine_for(argv):
        client = build(None, engine_settings(build_parser().parse_args(argv)), lambda message: None)
        return client.model.speculative

    assert engine_for(["rewrite", "-"]) is True  # on by default
    assert engine_for(["rewrite", "-", "--speculative", "off"]) is False
    Settings(speculative=False).save()
    assert engine_for(["translate", "-", "--to", "fr"]) is False
    assert engine_for(["translate", "-", "--to", "fr", "--speculative", "on"]) is True
    assert Settings.load().speculative is False
