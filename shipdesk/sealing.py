"""Secrets stored sealed (XSalsa20-Poly1305, PyNaCl's SecretBox) under a key derived from
SECRET_KEY: carrier app credentials entered in admin or sent by partners, never shown again.

Rotating SECRET_KEY keeps them readable while the old key is listed in SECRET_KEY_FALLBACKS;
after that they must be entered again.
"""

from __future__ import annotations

import base64
import hashlib

import nacl.exceptions
import nacl.secret
from django.conf import settings

SEAL_VERSION = "v1:"


class SealedUnreadable(Exception):
    """The value was sealed under a SECRET_KEY this installation no longer has."""


def _box(secret_key: str) -> nacl.secret.SecretBox:
    # The derivation's label predates other uses: changing it would make every stored secret
    # unreadable.
    key = hashlib.blake2b(
        b"shipdesk usps credentials", key=hashlib.sha256(secret_key.encode()).digest()
    ).digest()[: nacl.secret.SecretBox.KEY_SIZE]
    return nacl.secret.SecretBox(key)


def seal(value: str) -> str:
    if not value:
        return ""
    sealed = _box(settings.SECRET_KEY).encrypt(value.encode())
    return SEAL_VERSION + base64.b64encode(bytes(sealed)).decode()


def unseal(sealed: str) -> str:
    """The value, or SealedUnreadable when no key of this installation opens it."""
    if not sealed:
        return ""
    raw = base64.b64decode(sealed.removeprefix(SEAL_VERSION))
    for secret_key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])):
        try:
            return _box(secret_key).decrypt(raw).decode()
        except nacl.exceptions.CryptoError:
            continue
    raise SealedUnreadable("it was sealed under a SECRET_KEY this installation no longer has.")
