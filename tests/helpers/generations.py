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


def texts_by_piece(events, count):
    """Each piece's whole text, and the pieces' ends, from a generation of several pieces."""
    texts, ends = [""] * count, []
    for event in events:
        if isinstance(event, Delta):
            texts[event.piece] += event.text
        else:
            ends.append(event)
    return texts, ends
