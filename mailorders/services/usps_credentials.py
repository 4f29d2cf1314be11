"""A live shipper account's USPS app credentials (consumer key and secret).

Entered in admin, they are stored sealed (shipdesk.sealing) and never shown again.

An account with none stored uses the settings `credentials_ref` names (`<REF>_CLIENT_ID`,
`<REF>_CLIENT_SECRET`, or those environment variables), else its partner's USPS courier
connection (sent through the tracking API), else USPS_CLIENT_ID / USPS_CLIENT_SECRET.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings

from mailorders.models import ShipperAccount
from shipdesk.sealing import SealedUnreadable, seal, unseal
from tracking.models import CourierConnection


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


def _unsealed(sealed: str, remedy: str = "enter them again in the admin") -> str:
    try:
        return unseal(sealed)
    except SealedUnreadable as exc:
        raise CredentialsUnreadable(
            f"its stored consumer key and secret cannot be read with this SECRET_KEY: {remedy}."
        ) from exc


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
            _unsealed(account.client_id_sealed),
            _unsealed(account.client_secret_sealed),
            "the consumer key and secret stored on the account",
        )
    if not account.credentials_ref:
        connection = CourierConnection.objects.filter(
            partner_id=account.partner_id, courier_slug="usps"
        ).first()
        if connection is not None:
            remedy = "the partner must send them again to its courier connection"
            return Credentials(
                _unsealed(connection.client_id_sealed, remedy),
                _unsealed(connection.client_secret_sealed, remedy),
                f"the partner's USPS courier connection {connection.public_id}",
            )
    prefix = account.credentials_ref or "USPS"
    return Credentials(
        _setting(account.credentials_ref, "CLIENT_ID"),
        _setting(account.credentials_ref, "CLIENT_SECRET"),
        f"the settings {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET",
    )
