"""Opaque public identifiers, shaped like AfterShip's (24 lowercase alphanumerics)."""

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_public_id(length: int = 24) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
