from hypothesis import given, settings, strategies as st

from writer.core.actions import ActionRequest
from writer.core.markdown import hide_links, restore_links, runs
from writer.core.pipeline import ActionRun
from test_pipeline import EchoEngine

DOC = """# Travel notes

We left early. See [the map](https://example.org/map "Map") for the route.

## Packing list

- warm coat
- [x] tickets
1. passport

> Travel light.

| Item | Cost |
|------|-----:|
| Train | 42 |

```python
print("do not translate me")

total = 42
```
"""


def test_runs_reassemble_exactly():
    assert "".join(r.text for r in runs(DOC)) == DOC


def test_structure_is_never_sent_to_the_model():
    prose = [r.text for r in runs(DOC) if r.prose]
    assert "Travel notes" in prose and "warm coat" in prose and "Train" in prose
    assert not any("#" in p or "print(" in p or p.startswith("- ") or "|" in p for p in prose)


def test_translation_keeps_markdown_structure():
    engine = EchoEngine()
    events = list(ActionRun(engine, ActionRequest("translate", DOC, language="fr"), 2048))
    out = events[-1].text
    assert out.startswith("# TRAVEL NOTES\n\nWE LEFT EARLY. SEE [THE MAP](https://example.org/map \"Map\") FOR THE ROUTE.")
    for kept in ("## PACKING LIST", "- WARM COAT", "- [x] TICKETS", "1. PASSPORT", "> TRAVEL LIGHT.",
                 "|------|-----:|", "| TRAIN | 42 |", '```python\nprint("do not translate me")\n\ntotal = 42\n```\n'):
        assert kept in out
    assert not any("https://" in p for p in engine.prompts)  # link targets never reach the model


def test_links_dropped_by_the_model_are_appended():
    hidden, targets = hide_links("Read [this](https://a.example) and [that](https://b.example).")
    assert hidden == "Read [this] and [that]." and len(targets) == 2
    assert restore_links("Lisez [ceci] et [cela].", targets) == "Lisez [ceci](https://a.example) et [cela](https://b.example)."
    assert "https://b.example" in restore_links("Lisez [ceci].", targets)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab #-*>|`1.[]()\n:x ")), max_size=300))
def test_any_text_reassembles(text):
    assert "".join(r.text for r in runs(text)) == text
