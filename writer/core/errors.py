"""Errors a user can act on: each carries one readable sentence."""

from writer.core.wording import sentence


class UserError(Exception):
    """Something the user can fix; str(error) is shown as is. The message is a template whose
    {placeholders} are filled from `values` (see writer.core.wording)."""

    def __init__(self, message: str, **values) -> None:
        super().__init__(sentence(message, **values))
