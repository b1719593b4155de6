"""API keys for inference servers: in the system keyring (through `keyring`) where a keyring
service runs; where none does, kept in memory for this session only. Never in a file Writer
writes. One key per server, named by the server's address."""

from __future__ import annotations

import os

from writer.core.server_url import server_root

SERVICE = "Writer"
ENV_KEY = "WRITER_API_KEY"  # the command line's key; it wins over the keyring

_session: dict[str, str] = {}  # keys the keyring could not take, until Writer quits


def _keyring():
    """The system keyring, or None where no keyring service runs. Backends below priority 1 are
    the "no keyring" stand-ins and keyrings.alt's files (plain text or a weak encryption)."""
    import keyring

    backend = keyring.get_keyring()
    try:
        return backend if backend.priority >= 1 else None
    except Exception:  # a backend that cannot tell whether its service runs
        return None


def get_key(url: str) -> str | None:
    account = server_root(url)
    if account in _session:
        return _session[account]
    from keyring.errors import KeyringError

    backend = _keyring()
    try:
        return backend.get_password(SERVICE, account) if backend else None
    except KeyringError:  # a locked keyring, or a service that stopped
        return None


def set_key(url: str, key: str | None) -> bool:
    """Stores the key (None or "" forgets it). True when the keyring keeps it across sessions,
    False when it is kept only until Writer quits."""
    from keyring.errors import KeyringError, PasswordDeleteError

    account = server_root(url)
    _session.pop(account, None)
    backend = _keyring()
    try:
        if backend is None:
            raise KeyringError("no keyring service")
        if key:
            backend.set_password(SERVICE, account, key)
        else:
            try:
                backend.delete_password(SERVICE, account)
            except PasswordDeleteError:
                pass  # there was none
        return True
    except KeyringError:
        if key:
            _session[account] = key
        return False


def key_for(url: str) -> str | None:
    return os.environ.get(ENV_KEY) or get_key(url)
