"""Reading what an engine's generation streams, for the engine tests."""

from writer.core.events import Delta


def collect(generation):
    """The whole text and the final event of a generation."""
    text, last = "", None
    for event in generation:
        if isinstance(event, Delta):
            text += event.text
        else:
            last = event
    return text, last
