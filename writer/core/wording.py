"""Sentences shown to the user. Each is written as an English template with {placeholders};
the editor shows the finished sentence in the interface language by matching it against the
templates in its translation catalog (writer.gui.i18n.tr_message), so the core stays Qt-free and
messages can cross the engine's process boundary as plain text."""


def sentence(template: str, **values) -> str:
    return template.format(**values) if values else template
