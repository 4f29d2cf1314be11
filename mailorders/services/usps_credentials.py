"""A live shipper account's USPS app credentials (consumer key and secret).

Entered in admin, they are stored sealed (XSalsa20-Poly1305, PyNaCl's SecretBox) under a key
derived from SECRET_KEY, and never shown again. Rotating SECRET_KEY keeps them readable while
the old key is listed in SECRET_KEY_FALLBACKS; after that they must be entered again.

An account with none stored uses the settings `credentials_ref` names (`<REF>_CLIENT_ID`,
`<REF>_CLIENT_SECRET`, or those environment variables), else USPS_CLIENT_ID / USPS_CLIENT_SECRET.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

import nacl.exceptions
import nacl.secret
from django.conf import settings

from mailorders.models import ShipperAccount

SEAL_VERSION = "v1:"


class CredentialsUnreadable(Exception):
    """The sealed credentials were sealed under a SECRET_KEY this installation no longer has."""


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    source: str  # where they come from, in words a manager reads

    @property
    def complete(self) -> bool:
        return bool(self.client_id and self.client_secret)


def _box(secret_key: str) -> nacl.secret.SecretBox:
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
    if not sealed:
        return ""
    raw = base64.b64decode(sealed.removeprefix(SEAL_VERSION))
    for secret_key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])):
        try:
            return _box(secret_key).decrypt(raw).decode()
        except nacl.exceptions.CryptoError:
            continue
    raise CredentialsUnreadable(
        "its stored consumer key and secret cannot be read with this SECRET_KEY: enter them "
        "again in the admin."
    )


def account_credentials_set(
    *, account: ShipperAccount, client_id: str = "", client_secret: str = ""
) -> list[str]:
    """Seal what was given (a blank value keeps the stored one); the fields to save."""
    changed = []
    if client_id:
        account.client_id_sealed = seal(client_id)
        changed.append("client_id_sealed")
    if client_secret:
        account.client_secret_sealed = seal(client_secret)
        changed.append("client_secret_sealed")
    return changed


def account_credentials_clear(*, account: ShipperAccount) -> list[str]:
    account.client_id_sealed = account.client_secret_sealed = ""
    return ["client_id_sealed", "client_secret_sealed"]


def _setting(ref: str, suffix: str) -> str:
    if not ref:
        return getattr(settings, f"USPS_{suffix}", "")
    return str(getattr(settings, f"{ref}_{suffix}", "") or os.environ.get(f"{ref}_{suffix}", ""))


def account_credentials(account: ShipperAccount) -> Credentials:
    """The consumer key and secret the account calls USPS with (CredentialsUnreadable when its
    stored ones were sealed under a lost SECRET_KEY)."""
    if account.client_id_sealed or account.client_secret_sealed:
        return Credentials(
            unseal(account.client_id_sealed),
            unseal(account.client_secret_sealed),
            "the consumer key and secret stored on the account",
        )
    prefix = account.credentials_ref or "USPS"
    return Credentials(
        _setting(account.credentials_ref, "CLIENT_ID"),
        _setting(account.credentials_ref, "CLIENT_SECRET"),
        f"the settings {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET",
    )
