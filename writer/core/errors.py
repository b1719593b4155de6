"""Errors a user can act on: each carries one readable sentence."""


class UserError(Exception):
    """Something the user can fix; str(error) is shown as is."""
